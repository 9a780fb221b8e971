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
# The client's spreadsheets as they come (or --column/--dates on the command line):
# columns:                    # opsdx's name: the client's header, per file
#   work_items: {{item_id: Ticket, stage: Step, entered_at: Arrived, exited_at: Left}}
#   estimates: {{estimate: Original estimate (h), actual: Time spent (h)}}
# dates: {{dayfirst: true}}     # 05/01/2026 is 5 January; or a format: '%m/%d/%Y %I:%M %p'
# ignore_columns: [Department code]   # form columns that are not questionnaire items
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


#: Rows of the answer workbook that offer the drop-down lists (respondents, one per row)
ANSWER_ROWS = 200

#: What the answer workbook says, as a cell's prompt, of the two columns that are not items
_GUIDANCE = {
    "respondent": ("Respondent", "A name or a code, one row per person (a code keeps the "
                                 "answers anonymous in the report)."),
    "role": ("Role", "Their role, in the same words for the same role (founder, team lead, "
                     "staff...): the report compares how each role sees the organisation."),
}


def _answer_workbook(path: Path, questionnaire: str) -> None:
    """The answer sheet as an Excel workbook: a drop-down of each item's answers in its column,
    a prompt on the respondent and role columns, and the sheet "How to answer"; atomically."""
    import xlsxwriter

    from ..output import atomic_path

    q = load_questionnaire(questionnaire)
    sheet, scales = _answer_sheet(questionnaire)
    with atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False,
                                              "strings_to_urls": False,
                                              "strings_to_numbers": False})
        head = book.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1,
                                "text_wrap": True, "valign": "top"})
        answers = book.add_worksheet("Answers")
        guide = book.add_worksheet("How to answer")
        lists = book.add_worksheet("Lists")  # the drop-downs' choices, out of the way
        answers.set_row(0, 90)
        answers.freeze_panes(1, 2)
        answers.set_column(0, 1, 18)
        answers.set_column(2, len(sheet.columns) - 1, 28)
        sources: dict[tuple, str] = {}
        for col, header in enumerate(sheet.columns):
            answers.write_string(0, col, header, head)
            if header in _GUIDANCE:
                title, message = _GUIDANCE[header]
                answers.data_validation(1, col, ANSWER_ROWS, col, {
                    "validate": "any", "input_title": title, "input_message": message})
                continue
            item = q.items.iloc[col - 2]
            choices = tuple(scales.iloc[col - 2]["answers"].split(" / "))
            if choices not in sources:
                k = len(sources)
                lists.write_column(0, k, choices)
                letter = xlsxwriter.utility.xl_col_to_name(k)
                sources[choices] = f"=Lists!${letter}$1:${letter}${len(choices)}"
            answers.data_validation(1, col, ANSWER_ROWS, col, {
                "validate": "list", "source": sources[choices],
                "input_title": str(item.item_id)[:32],
                "input_message": "Pick the answer closest to what is true here (the statement "
                                 "is in the header)." + (" N/A where it does not apply."
                                                         if item.allow_na else ""),
                "error_title": "Not an answer of this item",
                "error_message": "Pick one of the answers in the list (or leave the cell "
                                 "blank to skip the item).", "error_type": "stop"})
        lists.hide()
        guide.set_column(0, 0, 14)
        guide.set_column(1, 1, 90, book.add_format({"text_wrap": True, "valign": "top"}))
        guide.set_column(2, 2, 60, book.add_format({"text_wrap": True, "valign": "top"}))
        guide.write_row(0, 0, ["item", "question", "answers"], head)
        rows = [(name, text, "") for name, (_, text) in _GUIDANCE.items()]
        rows += [(r.item, r.question, r.answers) for r in scales.itertuples()]
        for i, row in enumerate(rows, start=1):
            for j, value in enumerate(row):
                guide.write_string(i, j, str(value))
        guide.freeze_panes(1, 0)
        book.close()


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
        _answer_workbook(target, args.questionnaire)
        written.append(target)
    print(f"{printable(folder.name or str(folder))}: wrote "
          + ", ".join(printable(str(p.relative_to(folder))) for p in written))
    print("  next: fill in templates/responses.xlsx (or .csv), save it as responses.xlsx in "
          "the folder, then: opsdx validate " + printable(str(folder)))
    return 0


__all__ = ["register", "TEMPLATES"]
