"""Questionnaires kept as data: a YAML format, its pydantic schema, and loading.

A questionnaire is a YAML document (see ``questionnaires/maturity.yaml``)
validated by :class:`QuestionnaireSpec`. ``opsdx schema questionnaire`` prints
the JSON Schema for editors (VS Code's YAML extension, for instance, completes
and checks fields from it).

Every problem is reported with its YAML path (``items[12].stage``) and line.
"""

from __future__ import annotations

import difflib
import os
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Optional, Union

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..errors import OpsdxError, ProblemLog, QuestionnaireError
from ..yamlfile import line_of, parse_yaml, path_text, read_yaml_text, validate_model, yaml_lines

__all__ = [
    "ScaleOption", "Scale", "Dimension", "Item", "StageInfo", "QuestionnaireSpec",
    "Questionnaire", "load_questionnaire", "list_questionnaires", "questionnaire_schema",
    "DEFAULT_STAGE_NAMES", "DEFAULT_NA_LABELS",
]

#: Short names of the five stages (seed 002, "Systems, Not Heroes").
DEFAULT_STAGE_NAMES = {
    1: "Single hero",
    2: "First designed pod",
    3: "First redesigned connection",
    4: "First chain running",
    5: "Multiple chains",
}

#: Answers that mean "not applicable" unless a questionnaire says otherwise.
DEFAULT_NA_LABELS = ["N/A", "NA", "n.a.", "not applicable"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScaleOption(_Strict):
    """One answer option: its label and, for scored scales, its numeric value."""

    label: str = Field(min_length=1, description="What the respondent sees, e.g. 'Usually true'.")
    value: Optional[float] = Field(
        None, description="Numeric value; omit for an unscored, categorical scale.")


class Scale(_Strict):
    """An ordered answer scale, worst option first."""

    description: str = ""
    options: list[ScaleOption] = Field(
        description="Ordered options, lowest (worst practice) first. At least two.")

    @field_validator("options")
    @classmethod
    def _check_options(cls, options: list[ScaleOption]) -> list[ScaleOption]:
        if len(options) < 2:
            raise ValueError(f"a scale needs at least two options, found {len(options)}")
        labels = [o.label.strip().casefold() for o in options]
        dupes = sorted({lab for lab in labels if labels.count(lab) > 1})
        if dupes:
            raise ValueError(f"duplicate option labels: {', '.join(dupes)}")
        values = [o.value for o in options]
        if any(v is not None for v in values):
            if any(v is None for v in values):
                raise ValueError("either every option has a numeric value or none has")
            if any(b <= a for a, b in zip(values, values[1:])):
                raise ValueError(f"option values must increase strictly, found {values}")
        return options

    @property
    def numeric(self) -> bool:
        """True when the options carry numeric values (the scale can be scored)."""
        return self.options[0].value is not None

    @property
    def labels(self) -> list[str]:
        return [o.label for o in self.options]

    @property
    def values(self) -> list[float]:
        return [o.value for o in self.options]

    @property
    def min(self) -> float:
        return self.options[0].value

    @property
    def max(self) -> float:
        return self.options[-1].value

    @property
    def n_options(self) -> int:
        return len(self.options)


class Dimension(_Strict):
    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    title: str = Field(min_length=1)
    description: str = ""


class StageInfo(_Strict):
    stage: int = Field(ge=1, le=5)
    name: str = Field(min_length=1)
    description: str = ""


class Item(_Strict):
    """One questionnaire item: an observable practice expected at ``stage``."""

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$",
                    description="Stable identifier; also the column name in wide answer files.")
    dimension: str = Field(description="The id of one of the questionnaire's dimensions.")
    stage: int = Field(ge=2, le=5, description="The stage (2..5) at which the practice is expected.")
    text: str = Field(min_length=1, description="The statement the respondent rates.")
    help: str = Field("", description="What evidence to look for before answering.")
    reverse: bool = Field(False, description="True when agreeing describes *worse* practice.")
    weight: float = Field(1.0, gt=0, description="Relative weight within its stage and dimension.")
    scale: Optional[str] = Field(None, description="Scale id; defaults to default_scale.")
    allow_na: Optional[bool] = Field(None, description="Overrides the questionnaire's allow_na.")
    recommendation: str = Field("", description="What to do when the item is weak.")
    mechanism: str = Field("", description="The mechanism the recommendation acts on.")


class QuestionnaireSpec(_Strict):
    """The YAML questionnaire format (``opsdx schema questionnaire`` prints it as JSON Schema)."""

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    version: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str = ""
    source: str = Field("", description="Where the model comes from (citation).")
    scales: dict[str, Scale] = Field(min_length=1)
    default_scale: Optional[str] = Field(
        None, description="Scale used by items that name none; required with several scales.")
    allow_na: bool = Field(True, description="Whether 'not applicable' is an acceptable answer.")
    na_labels: list[str] = Field(default_factory=lambda: list(DEFAULT_NA_LABELS))
    stages: list[StageInfo] = Field(default_factory=list)
    dimensions: list[Dimension] = Field(min_length=1)
    items: list[Item] = Field(min_length=1)

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) else value


# --------------------------------------------------------------------------- loading

def _cross_check(data: dict, log: ProblemLog, lines: dict[tuple, int]) -> None:
    """Checks across fields, on the raw document so they run even when fields are invalid."""
    def add(loc, message, value=None, expected=None):
        log.add(message, row=line_of(lines, loc), column=path_text(loc),
                value=value, expected=expected)

    def entries(key) -> list:
        value = data.get(key)
        return [(i, e) for i, e in enumerate(value) if isinstance(e, dict)] if isinstance(value, list) else []

    def unique(section: str, key: str, what: str) -> list:
        first: dict = {}
        for i, entry in entries(section):
            value = entry.get(key)
            if value is None or isinstance(value, (dict, list)):
                continue
            if value in first:
                add((section, i, key), f"duplicate {what}", value,
                    f"each {what} once (first at {section}[{first[value]}])")
            first.setdefault(value, i)
        return list(first)

    dim_ids = unique("dimensions", "id", "dimension id")
    unique("items", "id", "item id")
    # answer files match item ids without regard to case, so ids must differ in more than case
    first_fold: dict[str, tuple[int, str]] = {}
    for i, item in entries("items"):
        if isinstance(item.get("id"), str):
            fold = item["id"].casefold()
            if fold in first_fold and first_fold[fold][1] != item["id"]:
                add(("items", i, "id"), "item id differs from another only in case", item["id"],
                    f"ids that differ in more than case (items[{first_fold[fold][0]}] is "
                    f"{first_fold[fold][1]!r})")
            first_fold.setdefault(fold, (i, item["id"]))
    unique("stages", "stage", "stage")

    scales = data.get("scales") if isinstance(data.get("scales"), dict) else {}
    options = {name: [o for o in (sc.get("options") or []) if isinstance(o, dict)]
               for name, sc in scales.items() if isinstance(sc, dict)}
    default = data.get("default_scale")
    if default is not None and default not in scales:
        add(("default_scale",), "unknown scale", default, f"one of {', '.join(map(str, scales))}")
    items = entries("items")
    if default is None and len(scales) > 1 and any(item.get("scale") is None for _, item in items):
        add(("default_scale",), "several scales but no default_scale for items that name none",
            expected=f"one of {', '.join(map(str, scales))}")

    na_labels = data.get("na_labels", DEFAULT_NA_LABELS)
    na = {str(lab).strip().casefold() for lab in na_labels} if isinstance(na_labels, list) else set()
    for name, opts in options.items():
        for j, option in enumerate(opts):
            if str(option.get("label", "")).strip().casefold() in na:
                add(("scales", name, "options", j, "label"),
                    "option label is also a not-applicable label", option.get("label"),
                    "labels distinct from na_labels")

    fallback = default if default is not None else next(iter(scales), None)
    for i, item in items:
        dimension = item.get("dimension")
        if isinstance(dimension, str) and dim_ids and dimension not in dim_ids:
            close = difflib.get_close_matches(dimension, [str(d) for d in dim_ids], n=1)
            add(("items", i, "dimension"), "unknown dimension", dimension,
                f"one of {', '.join(map(str, dim_ids))}"
                + (f" (did you mean {close[0]!r}?)" if close else ""))
        scale_name = item.get("scale") or fallback
        if item.get("scale") is not None and scale_name not in scales:
            add(("items", i, "scale"), "unknown scale", scale_name,
                f"one of {', '.join(map(str, scales))}")
        elif item.get("reverse") is True and scale_name in options and options[scale_name] \
                and any(o.get("value") is None for o in options[scale_name]):
            add(("items", i, "reverse"), "reverse-keyed item on a scale without numeric values",
                True, f"a numeric scale, or reverse: false (scale {scale_name!r} has no values)")


def _validate(data: Any, label: str, text: str) -> QuestionnaireSpec:
    log = ProblemLog(label, QuestionnaireError, kind="yaml")
    if not isinstance(data, dict):
        log.add("a questionnaire is a YAML mapping (id, version, title, scales, dimensions, items)",
                value=type(data).__name__)
        log.raise_if_any()
    spec = validate_model(QuestionnaireSpec, data, text, log)
    _cross_check(data, log, yaml_lines(text))
    log.raise_if_any()
    return spec


class Questionnaire:
    """A validated questionnaire with tidy views of its parts.

    Build one with :func:`load_questionnaire`, or from a mapping with
    :meth:`from_dict`.

    Attributes
    ----------
    spec : QuestionnaireSpec
        The validated document.
    items : DataFrame
        One row per item: ``item_id, dimension, stage, reverse, weight, scale,
        scored, allow_na, text, help, recommendation, mechanism``.
    dimensions : DataFrame
        ``dimension, title, description, n_items``.
    scale : Scale
        The default scale (``.min``, ``.max``, ``.labels``, ``.values``).
    scales : dict of Scale
    stage_names : dict
        Stage number (1..5) to its short name.
    """

    def __init__(self, spec: QuestionnaireSpec, source: str | None = None):
        self.spec = spec
        self.source = source

    @classmethod
    def from_dict(cls, data: dict, *, name: str = "<questionnaire>") -> "Questionnaire":
        """Validate a mapping (as parsed from YAML) into a questionnaire."""
        return cls(_validate(data, name, yaml.safe_dump(data, sort_keys=False)), source=name)

    @classmethod
    def from_yaml(cls, text: str, *, name: str = "<questionnaire>") -> "Questionnaire":
        """Validate YAML text into a questionnaire."""
        log = ProblemLog(name, QuestionnaireError, kind="yaml")
        data = parse_yaml(text, log, expected="id, version, title, scales, dimensions, items")
        return cls(_validate(data, name, text), source=name)

    id = property(lambda self: self.spec.id)
    version = property(lambda self: self.spec.version)
    title = property(lambda self: self.spec.title)

    @property
    def scales(self) -> dict[str, Scale]:
        return dict(self.spec.scales)

    @property
    def default_scale_id(self) -> str:
        return self.spec.default_scale or next(iter(self.spec.scales))

    @property
    def scale(self) -> Scale:
        return self.spec.scales[self.default_scale_id]

    @property
    def allow_na(self) -> bool:
        return self.spec.allow_na

    @property
    def na_labels(self) -> list[str]:
        return list(self.spec.na_labels)

    @cached_property
    def stage_names(self) -> dict[int, str]:
        names = dict(DEFAULT_STAGE_NAMES)
        names.update({s.stage: s.name for s in self.spec.stages})
        return names

    @cached_property
    def items(self) -> pd.DataFrame:
        rows = []
        for it in self.spec.items:
            scale_id = it.scale or self.default_scale_id
            rows.append({
                "item_id": it.id, "dimension": it.dimension, "stage": it.stage,
                "reverse": it.reverse, "weight": float(it.weight), "scale": scale_id,
                "scored": self.spec.scales[scale_id].numeric,
                "allow_na": self.spec.allow_na if it.allow_na is None else it.allow_na,
                "text": it.text, "help": it.help,
                "recommendation": it.recommendation, "mechanism": it.mechanism,
            })
        frame = pd.DataFrame(rows)
        return frame.astype({"stage": "int64", "reverse": bool, "scored": bool, "allow_na": bool})

    @cached_property
    def dimensions(self) -> pd.DataFrame:
        counts = self.items.groupby("dimension").size()
        return pd.DataFrame([
            {"dimension": d.id, "title": d.title, "description": d.description,
             "n_items": int(counts.get(d.id, 0))}
            for d in self.spec.dimensions
        ])

    def item(self, item_id: str) -> Item:
        for it in self.spec.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    def __repr__(self) -> str:
        per_stage = self.items.groupby("stage").size().to_dict()
        return (f"<Questionnaire {self.id!r} v{self.version}: {len(self.items)} items in "
                f"{len(self.spec.dimensions)} dimensions, items per stage {per_stage}>")


# --------------------------------------------------------------------------- bundled files

_CHECKOUT_DIR = Path(__file__).resolve().parents[2] / "questionnaires"


def _bundled_dir():
    """The bundled questionnaires: package data in a wheel, or the checkout's folder."""
    try:
        folder = resources.files("opsdx.questionnaires")
        if folder.joinpath("maturity.yaml").is_file():
            return folder
    except (ModuleNotFoundError, TypeError):
        pass
    return _CHECKOUT_DIR


def list_questionnaires() -> list[str]:
    """Names of the questionnaires bundled with opsdx.

    >>> "maturity" in list_questionnaires()
    True
    """
    return sorted(p.name[:-5] for p in _bundled_dir().iterdir() if p.name.endswith(".yaml"))


def load_questionnaire(name_or_path: Union[str, os.PathLike, Questionnaire] = "maturity") -> Questionnaire:
    """Load and validate a questionnaire by bundled name or from a YAML file.

    Parameters
    ----------
    name_or_path : str or path
        A bundled name (see :func:`list_questionnaires`; ``"maturity"`` is the
        five-stage model) or the path of a ``.yaml`` file of your own.

    Raises
    ------
    QuestionnaireError
        Listing every problem with its YAML path and line.

    Examples
    --------
    >>> q = load_questionnaire("maturity")
    >>> q.scale.min, q.scale.max
    (0.0, 4.0)
    >>> sorted(q.items["stage"].unique().tolist())
    [2, 3, 4, 5]
    """
    if isinstance(name_or_path, Questionnaire):
        return name_or_path
    text_name = str(name_or_path)
    path = Path(name_or_path)
    if path.suffix.lower() in {".yaml", ".yml"} or path.is_file():
        if not path.is_file():
            raise OpsdxError(f"questionnaire file not found: {path}")
        return Questionnaire.from_yaml(read_yaml_text(path, path.name), name=path.name)
    resource = _bundled_dir().joinpath(f"{text_name}.yaml")
    if not resource.is_file():
        known = list_questionnaires()
        raise OpsdxError(
            f"no bundled questionnaire named {text_name!r}; bundled: {', '.join(known)}; "
            "or give the path of a .yaml file")
    return Questionnaire.from_yaml(resource.read_text(encoding="utf-8"), name=f"{text_name}.yaml")


def questionnaire_schema() -> dict:
    """The JSON Schema of the questionnaire YAML format, for editors."""
    schema = QuestionnaireSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "opsdx questionnaire"
    return schema
