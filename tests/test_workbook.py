"""The workbook notebook and the batch: deliverables, failures, resume, scale-out."""

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

import opsdx
from opsdx.cli import main
from opsdx.workbook import diagnose
from opsdx.workbook.batch import read_ledger, run_batch

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"
FAST = {"n_boot": 300, "trials": 1000}
HOSTILE = 'Acme"); import os; os.system("touch pwned") #'


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    out = tmp_path_factory.mktemp("workbooks")
    summary = run_batch(SAMPLES, out, workers=2, progress=False, **FAST)
    return out, summary


@pytest.fixture
def ranked(monkeypatch):
    """Portfolios rank their clients however few they are (the default needs 10)."""
    from opsdx.workbook.batch import portfolio

    monkeypatch.setattr(portfolio, "MIN_CLIENTS_RANKED", 1)


def test_every_sample_client_gets_its_deliverables(batch):
    out, summary = batch
    assert len(summary.succeeded) == 4 and not summary.failed
    for row in summary.rows:
        folder = out / row["slug"]
        assert sorted(p.name for p in folder.iterdir()) == [
            "figures", "history", "results.json", "workbook.html", "workbook.ipynb",
            "workbook.xlsx"]
        results = json.loads((folder / "results.json").read_text())
        day = results["headline"]["assessment_date"]
        assert [p.name for p in (folder / "history").iterdir()] == [f"{day}.json"]
        kept = json.loads((folder / "history" / f"{day}.json").read_text())
        assert kept["results"] == results and kept["inputs_hash"] == row["inputs_hash"]
        figures = {p.name for p in (folder / "figures").iterdir()}  # for a deck
        assert {"maturity-profile.png", "maturity-profile.svg", "flow.png", "flow.svg",
                "decisions.png", "forecast-calibration.svg"} <= figures
        assert (folder / "figures" / "flow.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert b"<svg" in (folder / "figures" / "flow.svg").read_bytes()[:1000]
        nb = nbformat.read(folder / "workbook.ipynb", as_version=4)
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                  if o.get("output_type") == "error"]
        assert errors == []
    assert not list(out.glob(".work-*"))  # work folders are cleaned up
    ledger = read_ledger(out)
    assert [r["status"] for r in ledger] == ["success"] * 4


@pytest.mark.parametrize("folder", sorted(p.name for p in SAMPLES.iterdir()
                                          if (p / "client.yaml").is_file()))
def test_results_json_equals_the_library_results(batch, folder):
    out, _ = batch
    client = opsdx.load_client(SAMPLES / folder)
    recorded = json.loads((out / client.slug / "results.json").read_text())
    own = diagnose(client, {"client_dir": str(SAMPLES / folder), **FAST}).results()
    assert recorded == json.loads(json.dumps(own))


def test_html_is_client_ready(batch):
    out, summary = batch
    for row in summary.rows:
        html = (out / row["slug"] / "workbook.html").read_text()
        for leak in ("params_json", "import ", "papermill", str(ROOT), str(out), "Traceback",
                     "<script", "http://", "https://cdn"):
            assert leak not in html, (row["slug"], leak)
        assert html.count("data:image/png;base64") >= 3
        assert "No description has been provided" not in html  # every image has alt text
        assert 'alt="The summary in four pictures. Stage ' in html
        assert "¶" not in html and "Operations diagnostic</h1>" not in html
        client = opsdx.load_client(row["source"])
        day = client.spec.assessment_date
        assert f"assessment of {day.day} {day:%B %Y}" in html  # the cover's date
        assert f"<h1>{client.name}</h1>" in html and "Confidential" in html
        assert "Summary" in html and "Roadmap" in html and "Due by" in html


def test_excel_has_no_formula_or_link_and_valid_sheets(batch):
    from openpyxl import load_workbook

    out, summary = batch
    for row in summary.rows:
        wb = load_workbook(out / row["slug"] / "workbook.xlsx")
        assert "Summary" in wb.sheetnames and "Stage scores" in wb.sheetnames
        for ws in wb.worksheets:
            assert len(ws.title) <= 31
            for cells in ws.iter_rows():
                for cell in cells:
                    assert cell.data_type != "f" and cell.hyperlink is None


def test_a_small_portfolio_withholds_its_percentiles(batch):
    import pandas as pd

    out, summary = batch
    portfolio = pd.read_csv(out / "portfolio.csv")
    assert len(portfolio) == 4
    assert not [c for c in portfolio.columns if c.endswith("_percentile_better")]
    assert "portfolio: percentiles withheld: 4 clients in the portfolio, and a rank means " \
           "something from 10 on" in summary.notes
    book = pd.read_excel(out / "portfolio.xlsx", sheet_name=None, header=None)
    assert "percentiles withheld" in book["Notes"].iloc[2, 0]
    numbers = portfolio.select_dtypes("float")
    assert (numbers.round(2).fillna(-1) == numbers.fillna(-1)).all().all()  # as shown


def test_portfolio_ranks_clients_within_the_portfolio(batch, ranked, tmp_path):
    import pandas as pd

    from opsdx.workbook.batch.ledger import _Registry
    from opsdx.workbook.batch.portfolio import write_portfolio

    out = shutil.copytree(batch[0], tmp_path / "out")
    assert write_portfolio(out, _Registry(out)) is None  # ranked: no note
    portfolio = pd.read_csv(out / "portfolio.csv")
    assert len(portfolio) == 4 and (portfolio["clients_in_portfolio"] == 4).all()
    by_client = portfolio.set_index("client")
    # oriented so that higher is better: the most mature, the least optimistic planner
    assert by_client.at["Meridian Care Group", "maturity_index_percentile_better"] == 100
    assert by_client.at["Northwind Freight Ltd", "maturity_index_percentile_better"] == 25
    assert by_client.at["Meridian Care Group", "p80_uplift_percentile_better"] == 100
    assert by_client.at["Northwind Freight Ltd", "top_decider_share_percentile_better"] == 25
    assert "stage_percentile" not in portfolio.columns
    assert (out / "portfolio.xlsx").is_file()


def test_csv_text_never_starts_a_formula():
    import pandas as pd

    from opsdx.workbook.batch import _csv_safe

    frame = pd.DataFrame({"client": ['=HYPERLINK("http://evil","x")', "+cmd", "@SUM(A1)",
                                     "-1+2", "Acme"], "n": [1, 2, 3, 4, 5]})
    safe = _csv_safe(frame)
    assert safe["client"].tolist() == ["'=HYPERLINK(\"http://evil\",\"x\")", "'+cmd",
                                       "'@SUM(A1)", "'-1+2", "Acme"]
    assert safe["n"].tolist() == [1, 2, 3, 4, 5]


def _notebook(path: Path, body: str) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("client_dir = \"\"")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


def _client(src: str, dest: Path, name: str | None = None) -> Path:
    shutil.copytree(SAMPLES / src, dest)
    if name is not None:
        text = (dest / "client.yaml").read_text().splitlines()
        text = [f"name: {json.dumps(name)}" if line.startswith("name:") else line for line in text]
        (dest / "client.yaml").write_text("\n".join(text) + "\n")
    return dest


def test_failures_never_stop_the_others(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "clients"
    source.mkdir()
    _client("harbour-analytics", source / "a", name=HOSTILE)
    _client("meridian-care", source / "b", name="../../etc <script>alert(1)</script>")
    corrupt = _client("kestrel-software", source / "c")
    (corrupt / "decisions.csv").write_text("decision_id,raised_at\nd1,2025-01-01\n")
    bare = source / "d"  # answers only: the other sections say what they lack
    bare.mkdir()
    for name in ("client.yaml", "responses.csv"):
        shutil.copy(SAMPLES / "northwind-freight" / name, bare / name)
    out = tmp_path / "out"
    code = main(["batch", str(source), "--out", str(out), "--workers", "2", "--quiet",
                 "--n-boot", "200", "--trials", "500"])
    assert code == 1
    printed = capsys.readouterr().out
    assert "3 succeeded, 1 failed" in printed
    html = (out / "northwind-freight-ltd" / "workbook.html").read_text()
    assert "Constraint: no work_items.csv, status history or event log, so no flow " \
        "analysis" in html
    assert "Planning: no estimates.csv, so no reference class or forecasts" in html
    assert "planning: planning" not in html.casefold()  # said once
    rows = {r["slug"]: r for r in read_ledger(out)}
    assert rows["kestrel-software-gmbh"]["status"] == "failed"
    assert rows["kestrel-software-gmbh"]["failed_in"] == "data"
    assert "decided_at" in rows["kestrel-software-gmbh"]["error"]
    assert rows["acme-import-os-os-system-touch-pwned"]["status"] == "success"
    slug = "etc-script-alert-1-script"
    assert rows[slug]["status"] == "success" and (out / slug / "workbook.html").is_file()
    assert not list(tmp_path.rglob("pwned")) and not (out.parent / "etc").exists()
    html = (out / "acme-import-os-os-system-touch-pwned" / "workbook.html").read_text()
    assert 'Acme"); import os; os.system("touch pwned") #' in html   # shown, as text
    html = (out / slug / "workbook.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html


def test_notebook_error_and_timeout_are_recorded(tmp_path):
    source = tmp_path / "clients"
    source.mkdir()
    _client("northwind-freight", source / "n")
    failing = _notebook(tmp_path / "boom.ipynb", 'raise ValueError("boom")')
    summary = run_batch(source, tmp_path / "o1", notebook=failing, workers=1, progress=False)
    [row] = summary.failed
    # execution count 3: papermill's injected parameters cell runs second
    assert row["error"] == "ValueError: boom" and row["failed_cell"] == 3
    assert row["failed_source"] == 'raise ValueError("boom")'
    # the failed notebook is kept for the consultant, outside the client's deliverables,
    # with the paths taken out
    kept = tmp_path / "o1" / "_failed" / "northwind-freight-ltd.ipynb"
    assert str(source) not in kept.read_text() and "papermill" not in nbformat.read(
        kept, as_version=4).metadata
    injected = next(c.source for c in nbformat.read(kept, as_version=4).cells
                    if "injected-parameters" in c.metadata.get("tags", []))
    # the parameters it ran with, the folder's path shown as its name
    assert "client_dir = 'northwind-freight-ltd'" in injected
    assert "results_path = 'results.json'" in injected and "excel_path = 'workbook.xlsx'" in injected
    assert not (tmp_path / "o1" / "northwind-freight-ltd" / "results.json").exists()
    slow = _notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(60)")
    with pytest.raises(opsdx.OpsdxError, match="timeout must be a positive number"):
        run_batch(source, tmp_path / "o2", notebook=slow, timeout=float("nan"), progress=False)
    summary = run_batch(source, tmp_path / "o2", notebook=slow, workers=1, timeout=2.5,
                        progress=False)
    [row] = summary.failed
    assert row["error"].startswith("timed out after 2.5 s") and row["seconds"] < 50
    # the third code cell (after the parameters and papermill's injected ones) was running
    assert row["failed_cell"] == 3 and row["failed_source"] == "import time"
    assert (tmp_path / "o2" / "_failed" / "northwind-freight-ltd.ipynb").is_file()
    assert read_ledger(tmp_path / "o2")[0]["status"] == "failed"


def test_resume_redoes_only_what_changed_or_was_interrupted(tmp_path):
    source = tmp_path / "clients"
    source.mkdir()
    _client("northwind-freight", source / "n")
    _client("meridian-care", source / "m")
    out = tmp_path / "out"
    first = run_batch(source, out, workers=1, progress=False, **FAST)
    assert len(first.succeeded) == 2
    again = run_batch(source, out, workers=1, progress=False, resume=True, **FAST)
    assert again.rows == [] and sorted(again.skipped) == ["meridian-care-group",
                                                           "northwind-freight-ltd"]
    # an interrupted run: the results marker is missing; and an input changed elsewhere
    (out / "northwind-freight-ltd" / "results.json").unlink()
    with open(source / "m" / "decisions.csv", "a") as fh:
        fh.write("D-9999,2026-10-01 09:00,2026-10-02 09:00,,finance lead,yes,spend,no\n")
    third = run_batch(source, out, workers=1, progress=False, resume=True, **FAST)
    assert sorted(r["slug"] for r in third.succeeded) == ["meridian-care-group",
                                                          "northwind-freight-ltd"]
    assert len(read_ledger(out)) == 4


def test_dask_local_cluster_runs_the_same_job(tmp_path):
    distributed = pytest.importorskip("distributed")
    source = tmp_path / "clients"
    source.mkdir()
    _client("meridian-care", source / "m")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        summary = run_batch(source, tmp_path / "out", scheduler=client, progress=False, **FAST)
    [row] = summary.succeeded
    recorded = json.loads((tmp_path / "out" / row["slug"] / "results.json").read_text())
    assert recorded["headline"]["constraint"] == "Assessment"


def test_parameters_are_validated_before_any_kernel(tmp_path):
    from pydantic import ValidationError

    from opsdx.workbook import WorkbookParams

    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        WorkbookParams(client_dir="x", unknown=1)
    with pytest.raises(ValidationError):
        WorkbookParams(client_dir="x", seed=-1)
    assert WorkbookParams(client_dir="x", by="kind, team").by == ["kind", "team"]  # -p by kind,team
    # the batch takes the workbook's options, checked before any client is read
    with pytest.raises(opsdx.OpsdxError, match=r"seed = -1: Input should be greater"):
        run_batch(SAMPLES, tmp_path / "o", seed=-1, progress=False)
    with pytest.raises(opsdx.OpsdxError, match="freq = 3"):
        run_batch(SAMPLES, tmp_path / "o", freq=3, progress=False)
    with pytest.raises(opsdx.OpsdxError, match="client_dir: set by the batch"):
        run_batch(SAMPLES, tmp_path / "o", client_dir="x", progress=False)
    assert not (tmp_path / "o").exists()


def test_the_batch_passes_the_workbook_parameters_through(tmp_path):
    source = tmp_path / "clients"
    source.mkdir()
    _client("northwind-freight", source / "nw")
    out = tmp_path / "out"
    summary = run_batch(source, out, freq="MS", as_of="2026-03-02", by="estimator",
                        workers=1, progress=False, **FAST)
    [row] = summary.succeeded
    recorded = json.loads((out / row["slug"] / "results.json").read_text())
    params = recorded["params"]
    assert params["by"] == ["estimator"] and params["freq"] == "MS"
    assert params["as_of"] == "2026-03-02"
    assert (params["n_boot"], params["trials"], params["seed"]) == (300, 1000, 0)
    # the same numbers as the library called with those parameters
    direct = diagnose(source / "nw", dict(seed=0, n_boot=300, trials=1000, by=["estimator"],
                                          freq="MS", as_of="2026-03-02"))
    assert recorded["constraint"]["timeline"] == direct.to_dict()["constraint"]["timeline"]
    assert recorded["planning"]["headline"] == direct.planning.headline()
    # monthly periods: every period after the first starts on the first of a month
    starts = [row["period_start"] for row in recorded["constraint"]["timeline"]]
    assert len(starts) > 4 and all(s[8:10] == "01" for s in starts[1:])
    assert len({s[:7] for s in starts}) == len(starts)


@pytest.mark.parametrize("name", ["diagnostic", "tour", "interview", "explore"])
def test_notebooks_and_their_text_twins_are_in_sync(name):
    import jupytext

    text = jupytext.read(ROOT / "notebooks" / f"{name}.py")
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    assert [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", [])))
            for c in text.cells] == [
        (c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", []))) for c in nb.cells], (
        f"notebooks/{name}.ipynb differs from notebooks/{name}.py: run `make notebook`")
    if name != "tour":  # executed where they are used, never committed so
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_tour_notebook_outputs_hold_under_nbval():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "--nbval-lax", "notebooks/tour.ipynb"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "4 passed" in done.stdout


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_html_opens_in_headless_chromium_without_errors(batch):
    """Real browser check: loads offline, no console errors, figures shown, no code or paths."""
    if CHROMIUM is None:
        pytest.skip("no Chromium: `make test` installs Debian's chromium where apt-get runs as "
                    "root; elsewhere install it (apt-get install chromium) to run this test")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright (the test extra) is not installed")
    out, summary = batch
    page_html = out / summary.rows[0]["slug"] / "workbook.html"
    flags = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=flags, headless=True)
        page = browser.new_page()
        problems = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
        page.goto(page_html.as_uri(), wait_until="load")
        images = page.eval_on_selector_all(
            "img", "els => els.map(e => [e.complete, e.naturalWidth])")
        text = page.inner_text("body")
        title = page.title()
        browser.close()
    assert problems == []
    assert len(images) >= 3 and all(done and width > 0 for done, width in images)
    day = opsdx.load_client(summary.rows[0]["source"]).spec.assessment_date
    assert f"assessment of {day.day} {day:%B %Y}" in text
    assert "Roadmap" in text and "Owner" in text and "¶" not in text
    first_page = text.split("The findings in full")[0]
    for raw in ("_p50", "_share", "utilisation_se", "ci_low", "Herfindahl", "rwg", "p80_uplift"):
        assert raw not in first_page, raw  # no field names or statistics' names up front
    for leak in ("params_json", "import opsdx", str(ROOT), str(out)):
        assert leak not in text
    assert title == summary.rows[0]["client"]
    figures = {p.name for p in page_html.parent.joinpath("figures").iterdir()}
    assert {"summary.png", "summary.svg"} <= figures


def test_pdf_when_weasyprint_is_usable(tmp_path):
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        pytest.skip("WeasyPrint is not installed (optional: pip install weasyprint)")
    source = tmp_path / "clients"
    source.mkdir()
    _client("meridian-care", source / "m")
    summary = run_batch(source, tmp_path / "out", pdf=True, workers=1, progress=False, **FAST)
    [row] = summary.succeeded
    pdf = tmp_path / "out" / row["slug"] / "workbook.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-" and row["note"] is None


def test_slugs_are_stable_and_never_shared_and_the_folder_is_locked(tmp_path):
    from opsdx.workbook.batch import _Lock

    both, alone = tmp_path / "both", tmp_path / "alone"
    both.mkdir()
    alone.mkdir()
    _client("meridian-care", both / "a", name="Acme Ltd")
    _client("northwind-freight", both / "b", name="ACME, Ltd.")   # the same slug from its name
    _client("northwind-freight", alone / "b", name="ACME, Ltd.")  # and a copy of that folder
    out = tmp_path / "out"
    first = run_batch(both, out, workers=1, progress=False, **FAST)
    slugs = {r["client"]: r["slug"] for r in first.rows}
    assert slugs == {"Acme Ltd": "acme-ltd", "ACME, Ltd.": "acme-ltd--b"}
    second = run_batch(alone, out, workers=1, progress=False, **FAST)
    assert second.rows[0]["slug"] == "acme-ltd--alone-b"    # never another folder's outputs
    stored = json.loads((out / "acme-ltd" / "results.json").read_text())
    assert stored["headline"]["client"] == "Acme Ltd"
    assert len(__import__("pandas").read_csv(out / "portfolio.csv")) == 3
    # the executed notebook in a client's folder carries no path
    assert str(both) not in (out / "acme-ltd" / "workbook.ipynb").read_text()
    with _Lock(out.resolve()):
        with pytest.raises(opsdx.OpsdxError, match="another opsdx batch is writing"):
            run_batch(alone, out, workers=1, progress=False, **FAST)


def _registry(out: Path) -> dict:
    return {e["slug"]: Path(e["source"]).name
            for e in json.loads((out / "clients.json").read_text())["clients"]}


def test_copied_client_folders_never_share_outputs_and_resume_skips_them(tmp_path, capsys):
    import pandas as pd

    source = tmp_path / "src"
    source.mkdir()
    _client("meridian-care", source / "meridian-care")
    _client("meridian-care", source / "zz-copy")                   # a copied folder
    _client("harbour-analytics", source / "h", name="MERIDIAN care-group!")  # case, punctuation
    out = tmp_path / "out"
    assert main(["batch", str(source), "--out", str(out), "--workers", "2", "--quiet",
                 "--n-boot", "200", "--trials", "500"]) == 0
    printed = capsys.readouterr().out
    # the folder named like the client keeps the plain name; the others say where they are from
    assert _registry(out) == {"meridian-care-group": "meridian-care",
                              "meridian-care-group--h": "h",
                              "meridian-care-group--zz-copy": "zz-copy"}
    for slug, folder in _registry(out).items():   # each deliverable says where it came from
        assert f"(from {source.resolve() / folder}): {out.resolve() / slug / 'workbook.html'}" \
            in printed
        assert (out / slug / "results.json").is_file()
    ledger = {r["slug"]: Path(r["source"]).name for r in read_ledger(out)}
    assert ledger == _registry(out)
    portfolio = pd.read_csv(out / "portfolio.csv")
    assert sorted(portfolio["slug"]) == sorted(_registry(out))
    assert sorted(Path(p).name for p in portfolio["source"]) == ["h", "meridian-care", "zz-copy"]
    harbour = json.loads((out / "meridian-care-group--h" / "results.json").read_text())
    assert harbour["headline"]["constraint"] == "Partner review"  # its own, not overwritten

    again = run_batch(source, out, resume=True, progress=False, n_boot=200, trials=500)
    assert again.rows == [] and sorted(again.skipped) == sorted(_registry(out))
    # a renamed source folder keeps its outputs, and is not redone: its files did not change
    (source / "zz-copy").rename(source / "zz-renamed")
    moved = run_batch(source, out, resume=True, progress=False, n_boot=200, trials=500)
    assert moved.rows == [] and len(moved.skipped) == 3
    assert _registry(out)["meridian-care-group--zz-copy"] == "zz-renamed"
    assert moved.sources["meridian-care-group--zz-copy"] == str((source / "zz-renamed").resolve())
    # a changed file is redone, in its own folder only
    with open(source / "zz-renamed" / "decisions.csv", "a") as fh:
        fh.write("D-9999,2026-10-01 09:00,2026-10-02 09:00,,finance lead,yes,spend,no\n")
    third = run_batch(source, out, resume=True, progress=False, n_boot=200, trials=500)
    assert [r["slug"] for r in third.rows] == ["meridian-care-group--zz-copy"]
    assert sorted(third.skipped) == ["meridian-care-group", "meridian-care-group--h"]


def test_a_new_engagement_never_takes_over_an_archived_one(tmp_path):
    import pandas as pd

    source = tmp_path / "src"
    source.mkdir()
    _client("meridian-care", source / "mcg-2025")
    out = tmp_path / "out"
    run_batch(source, out, workers=1, progress=False, **FAST)
    archived = (out / "meridian-care-group" / "results.json").read_bytes()
    # the 2025 folder is gone (archived, or a drive not mounted); a 2026 engagement with the
    # same name and other data arrives: it must get a folder of its own
    shutil.rmtree(source / "mcg-2025")
    _client("harbour-analytics", source / "mcg-2026", name="Meridian Care Group")
    summary = run_batch(source, out, resume=True, workers=1, progress=False, **FAST)
    assert [r["slug"] for r in summary.succeeded] == ["meridian-care-group--mcg-2026"]
    assert (out / "meridian-care-group" / "results.json").read_bytes() == archived
    assert _registry(out) == {"meridian-care-group": "mcg-2025",
                              "meridian-care-group--mcg-2026": "mcg-2026"}
    portfolio = pd.read_csv(out / "portfolio.csv").set_index("slug")
    assert portfolio["source_found"].to_dict() == {"meridian-care-group": False,
                                                   "meridian-care-group--mcg-2026": True}
    # a folder renamed with its files unchanged still keeps its output folder
    (source / "mcg-2026").rename(source / "meridian-2026")
    again = run_batch(source, out, resume=True, workers=1, progress=False, **FAST)
    assert again.rows == [] and again.skipped == ["meridian-care-group--mcg-2026"]
    # renamed to archive it, and a new engagement begun under the old folder name: the output
    # folder follows the files, and the new engagement gets one of its own
    (source / "meridian-2026").rename(source / "meridian-2026-archive")
    _client("northwind-freight", source / "meridian-2026", name="Meridian Care Group")
    kept = (out / "meridian-care-group--mcg-2026" / "results.json").read_bytes()
    third = run_batch(source, out, resume=True, workers=1, progress=False, **FAST)
    assert third.skipped == ["meridian-care-group--mcg-2026"]
    assert [r["slug"] for r in third.rows] == ["meridian-care-group--meridian-2026"]
    assert (out / "meridian-care-group--mcg-2026" / "results.json").read_bytes() == kept
    assert _registry(out)["meridian-care-group--mcg-2026"] == "meridian-2026-archive"
    # moved with the same files but run with another seed: redone, in the folder it had
    shutil.move(source / "meridian-2026-archive", tmp_path / "meridian-2026-archive")
    moved = run_batch(tmp_path / "meridian-2026-archive", out, workers=1, progress=False,
                      n_boot=300, trials=1000, seed=7)
    assert [r["slug"] for r in moved.rows] == ["meridian-care-group--mcg-2026"]


def test_a_client_whose_units_look_mixed_up_is_not_ranked_on_its_ratios(ranked, tmp_path):
    import pandas as pd

    source = tmp_path / "src"
    source.mkdir()
    _client("meridian-care", source / "m")
    _client("northwind-freight", source / "n")
    frame = pd.read_csv(source / "n" / "estimates.csv", dtype=str, keep_default_na=False)
    hours = pd.to_numeric(frame["actual"], errors="coerce") * 8   # days against hours
    frame["actual"] = hours.map(lambda v: "" if pd.isna(v) else f"{v:g}")
    frame.to_csv(source / "n" / "estimates.csv", index=False)
    run_batch(source, tmp_path / "out", workers=1, progress=False, **FAST)
    portfolio = pd.read_csv(tmp_path / "out" / "portfolio.csv").set_index("slug")
    north = portfolio.loc["northwind-freight-ltd"]
    assert "estimates in days and actuals in hours" in north["planning_unit_check"]
    assert north["median_ratio"] > 6 and pd.isna(north["median_ratio_percentile_better"])
    assert pd.isna(north["p80_uplift_percentile_better"])
    assert portfolio.loc["meridian-care-group", "median_ratio_percentile_better"] == 100
    assert north["maturity_index_percentile_better"] == 50   # the rest is still ranked


def test_a_copy_run_alone_and_the_first_clients_json_format(tmp_path):
    source, elsewhere = tmp_path / "src", tmp_path / "elsewhere"
    source.mkdir()
    elsewhere.mkdir()
    _client("meridian-care", source / "m")
    out = tmp_path / "out"
    out.mkdir()
    # clients.json as opsdx 0.1 wrote it: the name was the key
    (out / "clients.json").write_text(json.dumps({"name:Meridian Care Group":
                                                  "meridian-care-group"}))
    first = run_batch(source, out, workers=1, progress=False, **FAST)
    assert first.rows[0]["slug"] == "meridian-care-group"    # taken over, not renamed
    assert _registry(out) == {"meridian-care-group": "m"}
    # a copy run on its own while the original still exists: a folder of its own
    _client("meridian-care", elsewhere / "m")
    second = run_batch(elsewhere, out, workers=1, progress=False, **FAST)
    assert second.rows[0]["slug"] == "meridian-care-group--m"
    assert _registry(out) == {"meridian-care-group": "m", "meridian-care-group--m": "m"}


def test_hostile_folder_paths_reach_the_notebook_as_text(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    weird = source / 'x"; import os; os.system("touch pwned"); y = "\\'
    _client("meridian-care", weird)
    summary = run_batch(source, tmp_path / "out", workers=1, progress=False, **FAST)
    [row] = summary.succeeded
    assert row["source"] == str(weird.resolve())
    assert not list(tmp_path.rglob("pwned"))
    recorded = json.loads((tmp_path / "out" / row["slug"] / "results.json").read_text())
    assert recorded["headline"]["client"] == "Meridian Care Group"


def test_a_failed_rerun_withdraws_the_old_deliverables(tmp_path):
    source = tmp_path / "clients"
    source.mkdir()
    _client("meridian-care", source / "m")
    out = tmp_path / "out"
    run_batch(source, out, workers=1, progress=False, **FAST)
    assert (out / "portfolio.csv").is_file()
    failing = _notebook(tmp_path / "boom.ipynb", 'raise ValueError("boom")')
    run_batch(source, out, notebook=failing, workers=1, progress=False)
    # the deliverables go; the record of the assessment that succeeded stays
    assert sorted(p.name for p in (out / "meridian-care-group").iterdir()) == ["history"]
    assert [p.name for p in (out / "meridian-care-group" / "history").iterdir()] == [
        "2026-10-20.json"]
    assert not (out / "portfolio.csv").exists()


def test_bad_manifests_and_outputs_are_clean_errors(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(opsdx.OpsdxError, match="cannot read the manifest"):
        run_batch(empty, tmp_path / "o", progress=False)
    manifest = tmp_path / "m.csv"
    manifest.write_text("client_dir\nnowhere\nnowhere\n")
    summary = run_batch(manifest, tmp_path / "o", progress=False)
    [row] = summary.failed
    assert row["error"] == ("client folder not found or without client.yaml: "
                            f"{(tmp_path / 'nowhere').resolve()}")
    assert "listed twice" in summary.text()
    afile = tmp_path / "file"
    afile.write_text("x")
    with pytest.raises(opsdx.OpsdxError, match="is a file, not a folder"):
        run_batch(SAMPLES, afile, progress=False)


def test_every_result_has_a_headline_and_the_diagnosis_quotes_them():
    d = diagnose(SAMPLES / "northwind-freight", FAST)
    parts = {"maturity": d.maturity.headline(), "planning": d.planning.headline(),
             "constraint": d.constraint.headline(), "decisions": d.decisions.headline()}
    for name, figures in parts.items():     # plain JSON, every one
        json.dumps(figures, allow_nan=False)
    h = d.headline()
    assert (h["stage"], h["maturity_index"]) == (parts["maturity"]["stage"],
                                                 parts["maturity"]["index"])
    assert h["constraint"] == parts["constraint"]["constraint"] == "Founder approval"
    assert h["constraint_utilisation"] == parts["constraint"]["utilisation"] > 0.9
    assert h["top_decider_share"] == parts["decisions"]["top_share"]
    assert parts["decisions"]["router"] is True and parts["decisions"]["top_decider"] == "founder"
    assert h["median_ratio"] == pytest.approx(parts["planning"]["median_ratio"])


def test_a_client_with_only_client_yaml_is_diagnosed_with_notes(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    shutil.copy(SAMPLES / "meridian-care" / "client.yaml", folder / "client.yaml")
    d = diagnose(folder, {"client_dir": str(folder), **FAST})
    assert d.maturity is None and d.constraint is None and d.planning is None
    assert any(n.startswith("maturity: ") and "file not found" in n for n in d.notes)
    assert d.headline()["stage"] is None and d.paths is not None
    json.dumps(d.results(), allow_nan=False)


NOTEBOOK = ROOT / "notebooks" / "diagnostic.ipynb"


def test_papermill_users_pass_plain_parameters_and_mistakes_stop_the_run(tmp_path):
    import papermill as pm

    out = tmp_path / "harbour.ipynb"
    pm.execute_notebook(str(NOTEBOOK), str(out), cwd=str(ROOT / "notebooks"), progress_bar=False,
                        parameters={"client_dir": "../sample_data/harbour-analytics",
                                    "n_boot": 200, "trials": 500, "by": "kind",
                                    "results_path": str(tmp_path / "results.json")})
    recorded = json.loads((tmp_path / "results.json").read_text())
    assert recorded["headline"]["client"] == "Harbour Analytics"   # never the sample default
    assert recorded["params"]["by"] == ["kind"] and recorded["params"]["n_boot"] == 200
    with pytest.raises(pm.PapermillExecutionError, match="unknown workbook parameter 'client_dri' "
                                                         r"\(did you mean 'client_dir'\?\)"):
        pm.execute_notebook(str(NOTEBOOK), str(tmp_path / "typo.ipynb"), progress_bar=False,
                            cwd=str(ROOT / "notebooks"), parameters={"client_dri": "x"})
    with pytest.raises(pm.PapermillExecutionError, match="no client_dir: pass the client folder"):
        pm.execute_notebook(str(NOTEBOOK), str(tmp_path / "none.ipynb"), progress_bar=False,
                            cwd=str(ROOT / "notebooks"))
    with pytest.raises(pm.PapermillExecutionError, match=r"seed = -3: Input should be greater"):
        pm.execute_notebook(str(NOTEBOOK), str(tmp_path / "bad.ipynb"), progress_bar=False,
                            cwd=str(ROOT / "notebooks"),
                            parameters={"client_dir": "../sample_data/harbour-analytics",
                                        "seed": -3})


def test_help_notebook_documents_every_parameter():
    import subprocess
    import sys

    from opsdx.workbook import WorkbookParams

    done = subprocess.run([sys.executable, "-m", "papermill", "--help-notebook", str(NOTEBOOK)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    listed = {m.group(1) for m in re.finditer(r"^  (\w+): .*\(default ", done.stdout, re.M)}
    assert listed == set(WorkbookParams.model_fields)


def test_in_jupyterlab_an_empty_client_dir_shows_the_sample_client():
    """A person at a front end (input allowed, as in JupyterLab) sees the sample client."""
    from jupyter_client.manager import start_new_kernel

    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(ROOT / "notebooks"))
    try:
        outputs = []
        for source in [code[0], code[1].replace("d = diagnose(params.client_dir, params)", ""),
                       "print(params.client_dir)"]:
            reply = kc.execute_interactive(source, allow_stdin=True, timeout=120,
                                           output_hook=lambda m: outputs.append(m))
            assert reply["content"]["status"] == "ok", reply["content"]
        printed = "".join(m["content"].get("text", "") for m in outputs
                          if m["msg_type"] == "stream")
        assert printed.strip() == "../sample_data/northwind-freight"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
