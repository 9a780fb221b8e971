"""``opsdx init``: a new client folder to fill in, from nothing.

    opsdx init clients/acme --name "Acme Ltd"

writes ``client.yaml`` (commented, the name filled in) and, in ``templates/``,
the blank answer sheet generated from the questionnaire (CSV and XLSX: one row
per respondent, one column per item headed by its id and its text, the answer
labels listed in the workbook) and each optional data file with its header
row. A filled template is copied up into the client folder under the name
``client.yaml`` expects; until then ``opsdx validate`` notes each missing file.
Nothing is ever overwritten.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from ..errors import OpsdxError
from ..output import write_text
from ..questionnaire import load_questionnaire
from ._common import printable

#: The header row of each optional data file (the columns each reader needs, then the
#: optional ones it uses)
TEMPLATES = {
    "estimates.csv": ["item_id", "estimate", "actual", "estimated_on", "finished_on",
                      "estimator", "kind"],
    "work_items.csv": ["item_id", "stage", "entered_at", "started_at", "exited_at", "owner"],
    "decisions.csv": ["decision_id", "raised_at", "decided_at", "shipped_at", "decider",
                      "reversible", "category", "escalated"],
}


def register(sub) -> None:
    """Add the ``init`` sub-command."""
    cmd = sub.add_parser("init", help="start a client folder: client.yaml and blank templates",
                         description=__doc__.splitlines()[0])
    cmd.add_argument("folder", metavar="CLIENT_DIR")
    cmd.add_argument("--name", help="the organisation's name (default: the folder's name)")
    cmd.add_argument("--questionnaire", default="maturity",
                     help="bundled name or .yaml path (default maturity)")
    cmd.set_defaults(func=_cmd_init)


def _client_yaml(name: str, questionnaire: str) -> str:
    today = dt.date.today().isoformat()
    return f"""# The client's folder (opsdx init); `opsdx schema client` describes every key.
name: {json.dumps(name, ensure_ascii=False)}
assessment_date: '{today}'     # the date of this assessment (YYYY-MM-DD)
questionnaire: {questionnaire}
# sector: Logistics
# headcount: 40
# management_layers: 2
# teams: [{{name: Dispatch, size: 9}}, {{name: Sales, size: 5}}]
# estimate_unit: hours        # the unit of estimates that do not name theirs
# actual_unit: hours
# stages: [Intake, Build, Review]   # work stages in flow order (default: from the data)
# reassess_after_days: 90
#
# The data files, each optional (templates/ holds each with its header row):
#   responses.csv or .xlsx   the answers (templates/responses.*: one row per respondent)
#   estimates.csv            estimates and actual effort of past and open work
#   work_items.csv           one row per item per stage visit; or the tracker's export
#                            (see the README, "The client's own exports")
#   decisions.csv            the decision log
"""


def _answer_sheet(questionnaire: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The blank answer sheet (headers only) and, per item, the answers it takes."""
    q = load_questionnaire(questionnaire)
    headers = ["respondent", "role"] + [f"{r.item_id}: {r.text}" for r in q.items.itertuples()]
    scales = []
    for r in q.items.itertuples():
        scale = q.scales.get(r.scale, q.scale) if isinstance(r.scale, str) else q.scale
        options = [o.label for o in scale.options]
        if r.allow_na:
            options.append(q.na_labels[0])
        scales.append({"item": r.item_id, "question": r.text, "answers": " / ".join(options)})
    return pd.DataFrame(columns=headers), pd.DataFrame(scales)


def _cmd_init(args) -> int:
    folder = Path(args.folder)
    if (folder / "client.yaml").exists():
        raise OpsdxError(f"{folder.name or folder.resolve().name} already has a client.yaml: "
                         "nothing written (opsdx init never overwrites)")
    if folder.exists() and not folder.is_dir():
        raise OpsdxError(f"{folder} is a file, not a folder")
    name = args.name or (folder.resolve().name.replace("-", " ").replace("_", " ").title())
    sheet, scales = _answer_sheet(args.questionnaire)
    templates = folder / "templates"
    written = []
    for path, text in [(folder / "client.yaml", _client_yaml(name, args.questionnaire)),
                       (templates / "responses.csv", sheet.to_csv(index=False))] + [
            (templates / f, ",".join(cols) + "\n") for f, cols in TEMPLATES.items()]:
        if path.exists():
            continue  # never overwrite a file that is there
        write_text(path, text)
        written.append(path)
    target = templates / "responses.xlsx"
    if not target.exists():
        from ..workbook.excel import write_frames

        write_frames(target, {"Answers": sheet, "How to answer": scales})
        written.append(target)
    print(f"{printable(folder.name or str(folder))}: wrote "
          + ", ".join(printable(str(p.relative_to(folder))) for p in written))
    print("  next: fill in templates/responses.xlsx (or .csv), save it as responses.xlsx in "
          "the folder, then: opsdx validate " + printable(str(folder)))
    return 0


__all__ = ["register", "TEMPLATES"]
