"""Time reading a form tool's export whose questions were edited: the header matching's cost.

    python bench/form_headers.py [--respondents 500] [--other 300] [--repeat 5]

The export is shaped as Microsoft Forms writes one (ID, Start time, Completion time,
Email, Name, a role question, then one column per question), with every question of the
bundled questionnaire numbered (``Q3. ...``), one in four reworded (read by close wording),
and ``--other`` further questions that are not items (a client's own survey questions,
listed in ``ignore_columns``). Printed: the size of the file, the time to read it as the
workbook does, the part of it that matching the headers takes, and how many columns were
read by id, by text and by wording. No target is set (issue 14 names none): matching must
stay a small part of reading, whatever the number of other questions.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import opsdx
from opsdx.maturity.responses import _item_columns

_SWAPS = (("In the last month", "During the past month"), ("written", "documented"),
          ("Each", "Every"), ("at least", "no less than"))


def export(path: Path, respondents: int, other: int, rng: np.random.Generator) -> list[str]:
    """Write the export; return the headers of the questions that are not items."""
    q = opsdx.load_questionnaire("maturity")
    labels = ["Not true", "Rarely true", "Sometimes true", "Usually true", "Always true"]
    frame = {"ID": np.arange(1, respondents + 1), "Start time": "11/3/26 9:02:11",
             "Completion time": "11/3/26 9:20:45", "Email": "anonymous",
             "Name": [f"R{i:04d}" for i in range(respondents)],
             "Q1. What is your role?": rng.choice(["founder", "lead", "staff"], respondents)}
    for n, (item, text) in enumerate(zip(q.items["item_id"], q.items["text"]), start=2):
        if n % 4 == 0:
            for old, new in _SWAPS:
                text = text.replace(old, new, 1)
        frame[f"Q{n}. {text}"] = rng.choice(labels, respondents)
    words = np.array("how often does your team review plan work share decide meet weekly "
                     "budget customer tool report manager lead time quality".split())
    others = [f"Q{len(q.items) + 2 + k}. " + " ".join(rng.choice(words, 12)) + "?"
              for k in range(other)]
    for header in others:
        frame[header] = rng.integers(1, 6, respondents).astype(str)
    pd.DataFrame(frame).to_csv(path, index=False)
    return others


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=500)
    parser.add_argument("--other", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    q = opsdx.load_questionnaire("maturity")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "form.csv"
        others = export(path, args.respondents, args.other, np.random.default_rng(0))
        headers = list(pd.read_csv(path, nrows=0).columns)
        size = path.stat().st_size / 1e6
        read, match = [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            answers = opsdx.read_responses(path, q, ignore_columns=others)
            read.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            matched = _item_columns(headers, q)
            match.append(time.perf_counter() - t0)
    how = pd.Series([h for _, h in matched.values()]).value_counts()
    print(f"form export: {args.respondents} respondents, {len(headers)} columns "
          f"({len(q.items)} items, {args.other} other questions), {size:.1f} MB")
    print(f"read_responses (best of {args.repeat}): {min(read) * 1e3:.0f} ms; "
          f"matching the headers: {min(match) * 1e3:.1f} ms")
    print(f"items matched: {len(matched)} of {len(q.items)} "
          f"(by id {how.get('id', 0)}, by text {how.get('text', 0)}, "
          f"by wording {how.get('wording', 0)}); answers read: "
          f"{int((answers['status'] == 'answered').sum())}")


if __name__ == "__main__":
    main()
