"""YAML documents validated by pydantic models, with problems located by path and line.

Shared by the questionnaire format and ``client.yaml``: every problem is
reported with its YAML path (``items[3].stage``) in ``Problem.column`` and its
line in ``Problem.row``.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from pathlib import Path
from typing import Any, Optional, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import FILE_NOT_FOUND, DataError, Problem, ProblemLog

__all__ = ["yaml_lines", "path_text", "line_of", "parse_yaml", "validate_model", "read_yaml_text"]

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


class _Loader(yaml.SafeLoader):
    """SafeLoader with fewer surprises for people writing YAML by hand.

    * Dates stay text, so that pydantic validates them: PyYAML would build
      ``datetime.date`` itself and fail on ``2024-13-45`` with a bare
      ValueError naming neither file nor line.
    * Only ``true`` and ``false`` are booleans: YAML 1.1 also reads ``yes``,
      ``no``, ``on`` and ``off`` as booleans, which turns an answer option
      labelled ``Yes`` into ``True``.
    """


_BOOL = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag != "tag:yaml.org,2002:timestamp" and tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def read_yaml_text(path: Path, label: str) -> str:
    """The text of a YAML file, decoded as :mod:`opsdx.tables` decodes CSV (UTF-8, UTF-16
    with a BOM, else Windows-1252), so that a file saved by Notepad reads as well."""
    from .tables import _decode

    if not path.is_file():
        raise DataError([Problem(label, "file not found", kind="yaml",
                                 code=FILE_NOT_FOUND)])
    return _decode(path.read_bytes())[0]


def parse_yaml(text: str, log: ProblemLog, *, expected: str) -> Any:
    """Parse YAML text into a mapping; problems go to ``log`` (and are raised).

    >>> parse_yaml("when: 2026-11-02", ProblemLog("x.yaml"), expected="a date")
    {'when': '2026-11-02'}
    """
    if not text.strip():
        log.add("file is empty", expected=expected)
        log.raise_if_any()
    try:
        data = yaml.load(text, Loader=_Loader)
        _check_repeated_keys(yaml.compose(text, Loader=_Loader), log)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        log.add(f"not valid YAML: {getattr(exc, 'problem', None) or exc}",
                row=mark.line + 1 if mark else None,
                expected="key: value lines; a value holding ': ', ' #', '?', ',', '[', ']', "
                         "'{' or '}' in quotes, e.g. decider: 'Decided by?'")
    log.raise_if_any()
    if not isinstance(data, dict):
        log.add(f"the document must be a YAML mapping ({expected})", value=type(data).__name__)
        log.raise_if_any()
    return data


def _check_repeated_keys(node, log: ProblemLog, path: tuple = ()) -> None:
    """A key written twice in one mapping: YAML keeps the last silently; we report it."""
    if isinstance(node, yaml.MappingNode):
        seen: dict = {}
        for key, value in node.value:
            if key.value in seen:
                log.add(f"key written twice (first on line {seen[key.value]})",
                        row=key.start_mark.line + 1, column=path_text(path + (key.value,)),
                        expected="each key once in a mapping")
            seen.setdefault(key.value, key.start_mark.line + 1)
            _check_repeated_keys(value, log, path + (key.value,))
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            _check_repeated_keys(value, log, path + (i,))


def validate_model(model: type[Model], data: dict, text: str, log: ProblemLog) -> Model | None:
    """Validate ``data`` against ``model``; each pydantic error becomes a located problem.

    An unknown key is reported with the keys allowed there (and the closest
    one); a bad date with the form expected.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = yaml_lines(text)
        errors = exc.errors()
        # a value of one of several kinds (dates: a format, or {dayfirst: ...}): the errors
        # of the kind the value is not are noise, and the kinds' names are not keys
        errors = [e for e in errors if not (e["type"] == "string_type" and len(e["loc"]) > 1
                                            and e["loc"][-1] == "str" and len(errors) > 1)]
        for err in errors:
            loc = tuple(part for part in err["loc"] if part not in _KIND_TAGS)
            value = err.get("input") if err["type"] != "missing" else None
            expected = None
            if err["type"] == "extra_forbidden":
                allowed = _fields_at(model, loc[:-1])
                close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
                expected = ((f"{close[0]!r}? " if close else "")
                            + f"keys allowed here: {', '.join(allowed)}") if allowed else None
                value = None
            elif err["type"].startswith(("date", "datetime")):
                expected = "a date written YYYY-MM-DD"
            message = err["msg"].removeprefix("Value error, ")
            log.add(message, row=line_of(lines, loc), column=path_text(loc),
                    value=None if isinstance(value, (dict, list)) else value, expected=expected)
        return None


#: What pydantic puts in an error's location to say which kind of a union failed
_KIND_TAGS = frozenset({"str", "int", "float", "bool", "Dates", "TimeInStatus", "Team"})


def _fields_at(annotation: Any, loc: tuple) -> list[str]:
    """The field names of the pydantic model found at ``loc`` below ``annotation``.

    >>> from opsdx.client import ClientSpec
    >>> _fields_at(ClientSpec, ("teams", 0))
    ['name', 'size']
    """
    if typing.get_origin(annotation) in (typing.Union, getattr(types, "UnionType", typing.Union)):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    is_model = isinstance(annotation, type) and issubclass(annotation, BaseModel)
    if not loc:
        return list(annotation.model_fields) if is_model else []
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list:
        return _fields_at(args[0], loc[1:])
    if origin is dict:
        return _fields_at(args[1], loc[1:])
    if is_model and loc[0] in annotation.model_fields:
        return _fields_at(annotation.model_fields[loc[0]].annotation, loc[1:])
    return []
