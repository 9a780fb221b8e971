"""``opsdx validate``: every data problem of client folders or answers files; exit 1 when any.

A client folder is checked by :meth:`~opsdx.Client.validate` (all its data
files), an answers file by reading it as :func:`~opsdx.read_responses` does.
What is not a problem is said as a note, and leaves the exit status at 0: a
data file the folder does not have (each analysis is optional: a folder with
only a flow export is a client), and the rows the flow's data-quality checks
set aside (the analysis runs without them), counted by reason.
"""

from __future__ import annotations

from pathlib import Path

from ..client import load_client
from ..errors import FILE_NOT_FOUND, READ_BY_WORDING, ROW_SET_ASIDE, DataError, OpsdxError
from ..questionnaire import load_questionnaire
from ..maturity.responses import wording_notes
from ..responses import read_responses
from ._common import (add_client_options, client_options, file_conventions, file_params,
                      printable, targets)


def register(sub) -> None:
    """Add the ``validate`` sub-command."""
    validate = sub.add_parser("validate", help="report every data problem of client folders "
                                                "or answer files")
    validate.add_argument("paths", nargs="+", metavar="CLIENT_DIR_OR_FILE")
    validate.add_argument("--questionnaire", default="maturity",
                          help="for answer files: bundled name or .yaml path (default maturity)")
    add_client_options(validate)
    validate.set_defaults(func=_cmd_validate)


def _client(path: Path, options: dict):
    """The client folder at ``path``, read with the command line's options."""
    params = file_params(path, **options)
    return load_client(path).with_options(columns=params.columns, dates=params.dates,
                                          ignore_columns=params.ignore_columns)


def _problems(path: Path, questionnaire: str, options: dict) -> list:
    """Every problem of a client folder or answers file, without raising a DataError."""
    try:
        if path.is_file():
            params = file_params(path, **options)
            with file_conventions(params):
                answers = read_responses(path, load_questionnaire(questionnaire),
                                         ignore_columns=params.ignore_columns)
            return wording_notes(answers)
        return _client(path, options).validate()
    except DataError as exc:
        return exc.problems


#: What each missing data file means for the analysis
_WITHOUT = {"responses": "no maturity score", "estimates": "no planning analysis",
            "decisions": "no decision analysis"}


def _notes(path: Path, problems: list, options: dict) -> tuple[list, list[str]]:
    """The problems that are problems, and notes for the rest (missing files, rows set aside)."""
    real, notes, aside = [], [], {}
    for p in problems:
        if p.code == FILE_NOT_FOUND and not path.is_file():
            stem = Path(str(p.file)).stem
            notes.append(f"no {Path(str(p.file)).name}: {_WITHOUT.get(stem, 'not analysed')}")
        elif p.code == READ_BY_WORDING:
            notes.append(f"{p.file}: column {p.column!r} "
                         f"{p.message.removeprefix('column ')}")
        elif p.code == ROW_SET_ASIDE:
            aside.setdefault((p.file, p.message), []).append(p.row)
        else:
            real.append(p)
    if path.is_dir():
        client = _client(path, options)
        for stem, file, without in (("estimates", "estimates.csv", "no planning analysis"),
                                    ("work_items", "work_items.csv, status history or event log",
                                     "no flow analysis"),
                                    ("decisions", "decisions.csv", "no decision analysis")):
            if not client.has(stem):
                notes.append(f"no {file}: {without}")
    for (file, reason), rows in aside.items():
        listed = ", ".join(map(str, rows[:5])) + (" and more" if len(rows) > 5 else "")
        notes.append(f"{file}: {len(rows)} row{'s' if len(rows) > 1 else ''} set aside, "
                     f"{reason.removeprefix('row set aside: ')} (rows {listed})")
    return real, notes


def _cmd_validate(args) -> int:
    n_problems, options = 0, client_options(args)
    for path in targets(args.paths):
        try:
            problems, notes = _notes(path, _problems(path, args.questionnaire, options), options)
        except OpsdxError as exc:
            print(f"{printable(path.name)}: {printable(exc)}")
            n_problems += 1
            continue
        n_problems += len(problems)
        status = ("ok" if not problems else
                  f"{len(problems)} problem{'s' if len(problems) > 1 else ''}")
        if notes:
            status += f" ({len(notes)} note{'s' if len(notes) > 1 else ''})"
        print(f"{printable(path.name)}: {status}")
        for p in problems:
            print(f"  {printable(p)}")
        for n in notes:
            print(f"  note: {printable(n)}")
    return 1 if n_problems else 0
