"""YAML documents validated by pydantic models, with problems located by path and line.

Shared by the questionnaire format and ``client.yaml``: every problem is
reported with its YAML path (``items[3].stage``) in ``Problem.column`` and its
line in ``Problem.row``.
"""

from __future__ import annotations

from typing import Any, Optional, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import ProblemLog

__all__ = ["yaml_lines", "path_text", "line_of", "parse_yaml", "validate_model"]

Model = TypeVar("Model", bound=BaseModel)


def yaml_lines(text: str) -> dict[tuple, int]:
    """Map each YAML path (a tuple of keys and indexes) to its 1-based line.

    >>> yaml_lines("a:\\n  - x: 1\\n  - x: 2\\n")[("a", 1, "x")]
    3
    """
    lines: dict[tuple, int] = {}

    def walk(node, path):
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(value, path + (key.value,))
                lines[path + (key.value,)] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                walk(value, path + (i,))

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines
    if root is not None:
        walk(root, ())
    return lines


def path_text(loc: tuple) -> str:
    """``("items", 3, "stage")`` -> ``"items[3].stage"``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(document)"


def line_of(lines: dict[tuple, int], loc: tuple) -> Optional[int]:
    """The line of ``loc``, or of its nearest ancestor that has one."""
    loc = tuple(loc)
    while loc not in lines and loc:
        loc = loc[:-1]
    return lines.get(loc)


def parse_yaml(text: str, log: ProblemLog, *, expected: str) -> Any:
    """Parse YAML text into a mapping; problems go to ``log`` (and are raised)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        log.add(f"not valid YAML: {getattr(exc, 'problem', None) or exc}",
                row=mark.line + 1 if mark else None)
        log.raise_if_any()
    if not isinstance(data, dict):
        log.add(f"the document must be a YAML mapping ({expected})", value=type(data).__name__)
        log.raise_if_any()
    return data


def validate_model(model: type[Model], data: dict, text: str, log: ProblemLog) -> Model | None:
    """Validate ``data`` against ``model``; each pydantic error becomes a located problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = yaml_lines(text)
        for err in exc.errors():
            loc = tuple(err["loc"])
            value = err.get("input") if err["type"] != "missing" else None
            log.add(err["msg"], row=line_of(lines, loc), column=path_text(loc),
                    value=None if isinstance(value, (dict, list)) else value)
        return None
