"""The ``opsdx`` command: a thin layer over the library.

    opsdx score CLIENT_DIR [CLIENT_DIR ...]   stage, probability, index, top blockers
    opsdx validate CLIENT_DIR [...]           every data problem; exit 1 when any
    opsdx schema questionnaire|client         JSON Schema for editors
    opsdx questionnaires                      the bundled questionnaires

A folder without ``client.yaml`` stands for all client folders inside it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import __version__
from .client import ClientSpec, find_clients, load_client
from .errors import DataError, OpsdxError
from .maturity import score_maturity
from .questionnaire import list_questionnaires, load_questionnaire, questionnaire_schema


def _printable(text: str) -> str:
    """Client text shown on a terminal: no control characters or escape sequences."""
    return "".join(ch if ch.isprintable() else "?" for ch in str(text))


def _client_dirs(paths: list[str]) -> list[Path]:
    dirs: list[Path] = []
    for p in paths:
        if not Path(p).is_dir():
            raise OpsdxError(f"not a folder: {p}")
        found = find_clients(p)
        if not found:
            raise OpsdxError(f"no client.yaml in {p} or in its subfolders")
        dirs += found
    return dirs


def _cmd_score(args) -> int:
    failed = 0
    dirs = _client_dirs(args.paths)
    results = []
    for folder in dirs:
        try:
            client = load_client(folder)
            result = score_maturity(client.responses(), client.questionnaire,
                                    threshold=args.threshold, seed=args.seed, n_boot=args.n_boot)
        except OpsdxError as exc:
            failed += 1
            print(f"\n{_printable(folder.name)}: cannot score\n{_printable(exc)}", file=sys.stderr)
            continue
        if args.json:
            results.append({"client": client.name, "folder": str(folder), **result.to_dict()})
            continue
        lo, hi = result.index_ci
        print(f"\n{_printable(client.name)} ({_printable(client.spec.sector) or 'sector not given'}, "
              f"{result.n_respondents} respondents)")
        print(f"  stage {result.stage}: {result.stage_name}  "
              f"(probability {result.stage_probability:.2f})")
        print(f"  maturity index {result.index:.2f}  "
              f"({result.params['ci']:.0%} interval {lo:.2f} to {hi:.2f})")
        probs = "  ".join(f"{s}: {p:.2f}" for s, p in result.stage_probabilities.items())
        print(f"  stage probabilities  {probs}")
        if len(result.blockers):
            print(f"  top blockers of stage {result.stage + 1}:")
            for _, b in result.blockers.head(args.top).iterrows():
                print(f"    {b['item_id']:<9} score {b['score']:.2f}  {_printable(b['text'])}")
                print(f"              -> {_printable(b['recommendation'])}")
        roles = result.role_scores
        if len(roles) > 1:
            print("  mean score by role  " + "  ".join(
                f"{_printable(r.role)} {r.overall:.2f} (n={r.n_respondents})"
                for r in roles.itertuples()))
        for warning in result.warnings:
            print(f"  warning: {_printable(warning)}")
    if args.json:
        json.dump(results, sys.stdout, indent=2, default=str)
        print()
    if len(dirs) > 1 and not args.json:
        print(f"\nscored {len(dirs) - failed} of {len(dirs)} clients")
    return 1 if failed else 0


def _cmd_validate(args) -> int:
    n_problems = 0
    for folder in _client_dirs(args.paths):
        try:
            problems = load_client(folder).validate()
        except DataError as exc:
            problems = exc.problems
        except OpsdxError as exc:
            print(f"{_printable(folder.name)}: {_printable(exc)}")
            n_problems += 1
            continue
        n_problems += len(problems)
        status = "ok" if not problems else f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        print(f"{_printable(folder.name)}: {status}")
        for p in problems:
            print(f"  {_printable(p)}")
    return 1 if n_problems else 0


def _cmd_schema(args) -> int:
    schema = questionnaire_schema() if args.what == "questionnaire" else ClientSpec.model_json_schema()
    json.dump(schema, sys.stdout, indent=2)
    print()
    return 0


def _cmd_questionnaires(args) -> int:
    for name in list_questionnaires():
        print(f"{name:<16} {load_questionnaire(name)!r}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="opsdx", description="Operations diagnostics.")
    parser.add_argument("--version", action="version", version=f"opsdx {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    score = sub.add_parser("score", help="score the maturity of client folders")
    score.add_argument("paths", nargs="+", metavar="CLIENT_DIR")
    score.add_argument("--threshold", type=float, default=0.75)
    score.add_argument("--seed", type=int, default=0)
    score.add_argument("--n-boot", type=int, default=2000)
    score.add_argument("--top", type=int, default=3, help="blockers to list (default 3)")
    score.add_argument("--json", action="store_true", help="print machine-readable results")
    score.set_defaults(func=_cmd_score)

    validate = sub.add_parser("validate", help="report every data problem of client folders")
    validate.add_argument("paths", nargs="+", metavar="CLIENT_DIR")
    validate.set_defaults(func=_cmd_validate)

    schema = sub.add_parser("schema", help="print a JSON Schema for editors")
    schema.add_argument("what", choices=["questionnaire", "client"])
    schema.set_defaults(func=_cmd_schema)

    qs = sub.add_parser("questionnaires", help="list the bundled questionnaires")
    qs.set_defaults(func=_cmd_questionnaires)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except OpsdxError as exc:
        print(f"opsdx: {_printable(exc)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
