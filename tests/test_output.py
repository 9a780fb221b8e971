import pytest

from opsdx.output import atomic_path, write_text


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "results.csv"
    write_text(target, "old\n")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["results.csv"]


def test_creates_folders(tmp_path):
    path = write_text(tmp_path / "a" / "b.txt", "x")
    assert path.read_text() == "x"


def test_outputs_get_ordinary_permissions(tmp_path):
    import os
    import stat

    from opsdx.output import write_text

    mask = os.umask(0o022)
    try:
        path = write_text(tmp_path / "r.json", "{}")
    finally:
        os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
