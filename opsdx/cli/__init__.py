"""The ``opsdx`` command: a thin layer over the library.

    opsdx init CLIENT_DIR [--name NAME]       a new client folder: client.yaml, templates
    opsdx score CLIENT_DIR|FILE [...]         stage, probability, index, top blockers
    opsdx plan CLIENT_DIR|FILE [...]          planning optimism, outside view, backtest
    opsdx flow CLIENT_DIR [...]               the constraint, decisions, hero dependency
    opsdx batch SOURCE --out DIR              the workbook for every client, in parallel
    opsdx compare BEFORE AFTER | OUT_CLIENT   what changed between two assessments
    opsdx validate CLIENT_DIR [...]           every data problem; exit 1 when any
    opsdx statuses EXPORT [--suggest]         a status history's statuses; a first map
    opsdx schema questionnaire|client|statuses  JSON Schema for editors
    opsdx questionnaires                      the bundled questionnaires

A folder without ``client.yaml`` stands for all client folders inside it.

Each command is a module of this package that registers its sub-parser
(``register(sub)``), computes through the workbook's analyses
(:func:`~opsdx.workbook.diagnosis.diagnose` for a client folder) and prints;
what they share is in ``_common``.
"""

from __future__ import annotations

import argparse
import os
import sys

from .. import __version__
from ..errors import OpsdxError
from . import batch, compare, flow, info, init, plan, score, statuses, validate
from ._common import printable

__all__ = ["main", "build_parser"]

#: The command modules, in the order ``opsdx --help`` lists them.
COMMANDS = (init, score, plan, flow, batch, compare, validate, statuses, info)


def build_parser() -> argparse.ArgumentParser:
    """The ``opsdx`` argument parser, with every sub-command."""
    parser = argparse.ArgumentParser(prog="opsdx", description="Operations diagnostics.")
    parser.add_argument("--version", action="version", version=f"opsdx {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``opsdx`` command on ``argv`` (default ``sys.argv[1:]``); the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except OpsdxError as exc:
        print(f"opsdx: {printable(exc)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
