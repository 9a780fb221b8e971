"""``opsdx validate``: every data problem of client folders or answers files; exit 1 when any.

A client folder is checked by :meth:`~opsdx.Client.validate` (all its data
files), an answers file by reading it as :func:`~opsdx.read_responses` does.
"""

from __future__ import annotations

from pathlib import Path

from ..client import load_client
from ..errors import DataError, OpsdxError
from ..questionnaire import load_questionnaire
from ..responses import read_responses
from ._common import printable, targets


def register(sub) -> None:
    """Add the ``validate`` sub-command."""
    validate = sub.add_parser("validate", help="report every data problem of client folders "
                                                "or answer files")
    validate.add_argument("paths", nargs="+", metavar="CLIENT_DIR_OR_FILE")
    validate.add_argument("--questionnaire", default="maturity",
                          help="for answer files: bundled name or .yaml path (default maturity)")
    validate.set_defaults(func=_cmd_validate)


def _problems(path: Path, questionnaire: str) -> list:
    """Every problem of a client folder or answers file, without raising a DataError."""
    try:
        if path.is_file():
            read_responses(path, load_questionnaire(questionnaire))
            return []
        return load_client(path).validate()
    except DataError as exc:
        return exc.problems


def _cmd_validate(args) -> int:
    n_problems = 0
    for path in targets(args.paths):
        try:
            problems = _problems(path, args.questionnaire)
        except OpsdxError as exc:
            print(f"{printable(path.name)}: {printable(exc)}")
            n_problems += 1
            continue
        n_problems += len(problems)
        status = "ok" if not problems else f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        print(f"{printable(path.name)}: {status}")
        for p in problems:
            print(f"  {printable(p)}")
    return 1 if n_problems else 0
