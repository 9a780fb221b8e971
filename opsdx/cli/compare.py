"""``opsdx compare``: what changed between two assessments of a client."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import OpsdxError
from ._common import printable


def register(sub) -> None:
    """Add the ``compare`` sub-command."""
    cmd = sub.add_parser(
        "compare", help="what changed between two assessments of a client",
        description="Compare two assessments: two results.json or snapshot files, or one "
                    "client's output folder (its two latest snapshots in history/).")
    cmd.add_argument("paths", nargs="+", metavar="PATH",
                     help="BEFORE AFTER (results.json or snapshot files, or two output "
                          "folders), or one client's output folder")
    cmd.add_argument("--json", action="store_true", help="print the comparison as JSON")
    cmd.set_defaults(func=_cmd_compare)


def _pair(paths: list[str]):
    from ..history import read_history

    if len(paths) == 2:  # two files, or two output folders: their results.json
        return tuple(str(Path(p) / "results.json") if Path(p).is_dir() else p for p in paths)
    if len(paths) == 1 and Path(paths[0]).is_dir():
        snaps = read_history(Path(paths[0]) / "history")
        if len(snaps) < 2:
            raise OpsdxError(f"{Path(paths[0]).name}: {len(snaps)} snapshot"
                             f"{'' if len(snaps) == 1 else 's'} in history/; a comparison "
                             "needs two assessments")
        return snaps[-2], snaps[-1]
    raise OpsdxError("give two files (BEFORE AFTER) or one client's output folder")


def _cmd_compare(args) -> int:
    from ..history import compare

    before, after = _pair(args.paths)
    c = compare(before, after)
    if args.json:
        json.dump(c.to_dict(), sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    h = c.headline()
    print(f"{h['date_before'] or 'undated'} -> {h['date_now'] or 'undated'}"
          + (f" ({h['days_between']} days)" if h["days_between"] is not None else ""))
    for sentence in c.sentences():
        print(f"  {printable(sentence)}")
    shown = c.summary().drop(columns="measure").astype(object).map(
        lambda v: "" if v is None or v != v else round(v, 3) if isinstance(v, float) else v)
    print()
    print(printable(shown.to_string(index=False)))
    for note in c.notes:
        print(f"  note: {printable(note)}")
    return 0
