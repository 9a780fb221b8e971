"""The README's screenshot of a live interview: JupyterLab in Chromium, a few answers given.

    python notebooks/make_screenshot.py

Runs ``notebooks/interview.ipynb`` in a scratch copy of the checkout's layout
(the sample data is never written to), clicks answers as a consultant would,
and saves ``notebooks/figures/interview.png``.
"""

import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import labdriver  # noqa: E402

ANSWERS = ["Usually true", "Not true", "Always true", "Sometimes true", "Usually true"]


def main() -> None:
    if labdriver.CHROMIUM is None:
        sys.exit("no Chromium: install it (apt-get install chromium) to take the screenshot")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "notebooks").mkdir()
        shutil.copy(HERE / "interview.ipynb", root / "notebooks")
        shutil.copytree(ROOT / "sample_data" / "harbour-analytics",
                        root / "sample_data" / "harbour-analytics")
        with labdriver.jupyterlab(root) as (base, token), \
                labdriver.chromium_page(1500, 1100) as page:
            labdriver.open_and_run(page, base, token, "notebooks/interview.ipynb")
            rows = page.locator(".widget-toggle-buttons")
            rows.first.wait_for(timeout=120_000)
            for k, label in enumerate(ANSWERS):
                rows.nth(k).locator(".widget-toggle-button", has_text=label).first.click()
                page.wait_for_timeout(400)
            page.locator(".widget-html", has_text="from 10 respondents").first.wait_for()
            page.wait_for_timeout(800)
            page.locator(".jp-OutputArea-output").first.evaluate(
                "el => el.scrollIntoView({block: 'start'})")
            page.wait_for_timeout(400)
            path = HERE / "figures" / "interview.png"
            page.locator(".jp-NotebookPanel").first.screenshot(path=str(path))
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
