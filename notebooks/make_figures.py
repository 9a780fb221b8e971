"""Draw the figures shown in the README from the bundled sample data.

    python notebooks/make_figures.py
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import opsdx  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "figures"


def main() -> None:
    OUT.mkdir(exist_ok=True)
    client = opsdx.load_client(ROOT / "sample_data" / "harbour-analytics")
    result = opsdx.score_maturity(client.responses(), client.questionnaire, seed=0)
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.2), width_ratios=[1, 1.1])
    result.plot_profile(ax=left)
    result.plot_profile(ax=right, kind="heatmap")
    right.set_title("score by dimension and stage")
    fig.suptitle(client.name, x=0.01, ha="left", fontweight="bold")
    fig.tight_layout()
    path = OUT / "maturity_profile.png"
    fig.savefig(path, dpi=110)
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
