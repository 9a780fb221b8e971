"""``opsdx schema`` and ``opsdx questionnaires``: what editors and authors need to know."""

from __future__ import annotations

import json
import sys

from ..client import ClientSpec
from ..questionnaire import list_questionnaires, load_questionnaire, questionnaire_schema


def register(sub) -> None:
    """Add the ``schema`` and ``questionnaires`` sub-commands."""
    schema = sub.add_parser("schema", help="print a JSON Schema for editors")
    schema.add_argument("what", choices=["questionnaire", "client", "statuses"])
    schema.set_defaults(func=_cmd_schema)

    qs = sub.add_parser("questionnaires", help="list the bundled questionnaires")
    qs.set_defaults(func=_cmd_questionnaires)


def _cmd_schema(args) -> int:
    from ..flow.statuses import status_map_schema

    schema = {"questionnaire": questionnaire_schema, "client": ClientSpec.model_json_schema,
              "statuses": status_map_schema}[args.what]()
    json.dump(schema, sys.stdout, indent=2)
    print()
    return 0


def _cmd_questionnaires(args) -> int:
    for name in list_questionnaires():
        q = load_questionnaire(name)
        per_stage = q.items.groupby("stage").size()
        print(f"{name}: {q.title} (version {q.version})")
        print(f"  {len(q.items)} items in {len(q.dimensions)} dimensions; items per stage: "
              + ", ".join(f"{s}: {n}" for s, n in per_stage.items()))
    return 0
