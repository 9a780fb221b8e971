"""The client folder: ``client.yaml`` and the data files beside it.

A client folder looks like::

    acme/
      client.yaml       name, sector, headcount, teams, management layers, date
      responses.csv     questionnaire answers (or responses.xlsx)
      interviews.csv    answers given in live interviews (written by opsdx.interview)
      work_items.csv    stage visits; or a tracker's export with statuses.yaml
                        (status_history.csv/.xlsx/.json or a status_history/ folder
                        of Jira or GitHub JSON pages; or a time-in-status report,
                        time_in_status.csv/.xlsx); or event_log.csv/.xes

``client.yaml`` is validated by :class:`ClientSpec` (unknown keys are
rejected, so a typo does not silently drop a setting).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from .errors import READ_BY_WORDING, ROW_SET_ASIDE, DataError, OpsdxError, Problem, ProblemLog
from .questionnaire import Questionnaire, load_questionnaire
from .responses import read_responses
from .yamlfile import line_of, parse_yaml, read_yaml_text, validate_model, yaml_lines

__all__ = ["Team", "ClientSpec", "Client", "load_client", "find_clients", "slugify"]


class Team(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    size: int = Field(ge=1, description="People in the team.")


#: The data files whose columns ``columns:`` may rename
DATA_FILES = ("responses", "estimates", "work_items", "decisions", "status_history",
              "time_in_status", "event_log")


#: The columns opsdx reads in each data file (a tracker's export and an event log are also
#: read by the usual names of their columns; estimates may carry any attribute for ``by=``)
KNOWN_COLUMNS = {
    "responses": ("respondent", "role", "item_id", "answer", "comment"),
    "estimates": ("item_id", "estimate", "actual", "estimated_on", "finished_on",
                  "estimator", "kind"),
    "work_items": ("item_id", "stage", "entered_at", "started_at", "exited_at", "owner"),
    "decisions": ("decision_id", "raised_at", "decided_at", "shipped_at", "decider",
                  "reversible", "category", "escalated"),
    "status_history": ("item", "status", "changed_at", "assignee"),
    "time_in_status": ("item", "created"),
    "event_log": ("case", "activity", "timestamp", "lifecycle", "resource"),
}


def misnamed_column(name: str, kind: str | None = None) -> str | None:
    """Why ``name`` (an opsdx column name a client's header is mapped to) looks like a typo, or
    None: a name close to one opsdx reads, but not it (``itemid``, ``enterd_at``). Other names
    pass, since estimates may carry attributes of the client's own (``team``)."""
    import difflib

    known = (KNOWN_COLUMNS.get(kind, ()) if kind else
             tuple(dict.fromkeys(c for cols in KNOWN_COLUMNS.values() for c in cols)))
    if name in known:
        return None
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
    if not close:
        return None
    return f"{name!r} is not a column opsdx reads (did you mean {close[0]!r}?)"


class Dates(BaseModel):
    """How the client writes dates that are not ISO 8601 (``dates:`` in client.yaml)."""

    model_config = ConfigDict(extra="forbid")

    dayfirst: bool = Field(False, description="05/01/2026 is 5 January (also 05.01.2026, "
                                              "05-01-2026, with or without a time).")
    format: Optional[str] = Field(None, description="A strftime format, e.g. %m/%d/%Y %I:%M %p.")

    @field_validator("format")
    @classmethod
    def _a_format(cls, value):
        return _as_format(value)


def _as_format(value):
    if value is not None and "%" not in str(value):
        raise ValueError(f"{value!r} is not a date format: write it with strftime codes, e.g. "
                         "%d/%m/%Y %H:%M")
    return value


class TimeInStatus(BaseModel):
    """How to read ``time_in_status.csv``: see :func:`opsdx.read_time_in_status`."""

    model_config = ConfigDict(extra="forbid")

    unit: Optional[Literal["seconds", "minutes", "hours", "days", "weeks"]] = Field(
        None, description="Unit of bare numbers in the status columns (2d 3h names its own).")
    day_hours: float = Field(24.0, gt=0, le=24, description="Hours in the report's day: 24 "
                                                            "for elapsed time, 8 (say) for "
                                                            "business time.")
    shape: Optional[Literal["durations", "entry dates"]] = Field(
        None, description="What the status columns hold (default: found from the cells).")
    date_format: Optional[str] = Field(None, description="strftime format of the dates when "
                                                         "neither ISO 8601 nor Jira's own.")

    _unit = field_validator("unit", mode="before")(classmethod(lambda cls, v: _as_unit(v)))
    _hours = field_validator("day_hours", mode="before")(classmethod(lambda cls, v: _as_hours(v)))


def _as_unit(value):
    """A unit as client.yaml may spell it (``Days``, ``h``), by its name among UNITS."""
    from .forecast.estimates import unit_name

    try:
        return unit_name(value)
    except OpsdxError as exc:
        raise ValueError(str(exc).replace("unit must", "must")) from None


def _as_hours(value):
    if isinstance(value, bool):  # YAML's yes/true is not a number of hours
        raise ValueError("must be a number of hours, 0 to 24")
    return value


class ClientSpec(BaseModel):
    """The ``client.yaml`` format."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="The organisation's name.")
    sector: str = ""
    headcount: Optional[int] = Field(None, ge=1)
    assessment_date: Optional[dt.date] = Field(None, description="YYYY-MM-DD")
    management_layers: Optional[int] = Field(None, ge=1, le=20,
                                              description="Layers between the top and the front line.")
    teams: list[Team] = Field(default_factory=list)
    questionnaire: str = Field("maturity", description="Bundled questionnaire name, or a .yaml path "
                                                       "relative to the client folder.")
    responses: Optional[str] = Field(None, description="Answers file name; default responses.csv "
                                                       "or responses.xlsx.")
    ignore_columns: list[str] = Field(default_factory=list,
                                      description="Columns of a wide answers file that are not "
                                                  "items (beyond those form tools add).")
    estimate_unit: Optional[Literal["seconds", "minutes", "hours", "days", "weeks", "points"]] = \
        Field(None, description="Unit of the estimates that do not name theirs (16h, 2d).")
    actual_unit: Optional[Literal["seconds", "minutes", "hours", "days", "weeks", "points"]] = \
        Field(None, description="Unit of the actuals that do not name theirs.")
    hours_per_day: float = Field(8.0, gt=0, le=24, description="Hours in a day of work, to "
                                                              "convert days and weeks.")
    stages: list[str] = Field(default_factory=list,
                              description="Work stages in flow order, for work_items.csv "
                                          "(default: inferred from the data).")
    columns: dict[Literal[DATA_FILES], dict[str, str]] = Field(
        default_factory=dict, description="Per data file, opsdx's column names and the "
                                          "client's headers: {work_items: {item_id: Ticket}}.")
    dates: Union[str, Dates, None] = Field(None, description="Dates that are not ISO 8601: "
                                                             "{dayfirst: true} or a strftime "
                                                             "format such as %d/%m/%Y %H:%M.")
    reassess_after_days: int = Field(90, ge=1, le=730,
                                     description="Days after the assessment date that the next "
                                                 "re-assessment is due.")
    time_in_status: TimeInStatus = Field(default_factory=TimeInStatus,
                                         description="How to read time_in_status.csv.")

    _hours = field_validator("hours_per_day", mode="before")(
        classmethod(lambda cls, v: _as_hours(v)))
    _unit = field_validator("estimate_unit", "actual_unit", mode="before")(
        classmethod(lambda cls, v: _as_unit(v)))

    @field_validator("actual_unit")
    @classmethod
    def _comparable(cls, value, info: ValidationInfo):
        estimate = info.data.get("estimate_unit")
        if None not in (value, estimate) and (value == "points") != (estimate == "points"):
            raise ValueError(f"estimate_unit is {estimate} and actual_unit is {value}: points "
                             "cannot be converted to time; give both in points or both in time")
        return value

    @field_validator("dates")
    @classmethod
    def _dates(cls, value):
        return _as_format(value) if isinstance(value, str) else value

    @field_validator("columns")
    @classmethod
    def _column_names(cls, value: dict) -> dict:
        wrong = [why for kind, mapping in value.items() for name in mapping
                 if (why := misnamed_column(name, kind))]
        if wrong:
            raise ValueError("; ".join(wrong))
        return value

    @property
    def date_formats(self) -> tuple:
        """The formats tried, after ISO 8601, on the client's dates."""
        from .tables import DAYFIRST_FORMATS

        d = self.dates
        if d is None:
            return ()
        if isinstance(d, str):
            return (d,)
        return ((d.format,) if d.format else ()) + (DAYFIRST_FORMATS if d.dayfirst else ())

    @field_validator("stages")
    @classmethod
    def _unique_stages(cls, value: list[str]) -> list[str]:
        repeated = sorted({s for s in value if value.count(s) > 1})
        if repeated:
            raise ValueError(f"stages repeat: {', '.join(repeated)}")
        return value


def slugify(text: str, *, max_length: int = 60) -> str:
    """A safe folder name from untrusted text: ASCII letters, digits and hyphens only.

    >>> slugify('Acme"); import os; os.system("touch pwned") #')
    'acme-import-os-os-system-touch-pwned'
    >>> slugify("../../etc"), slugify("Zoë & Co"), slugify("...")
    ('etc', 'zoe-co', 'client')
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:max_length].strip("-")
    return slug or "client"


#: The files a client's work-item flow can come from, by kind, in the order they are tried.
_FLOW_SOURCES = (("work_items", ("work_items.csv", "work_items.xlsx")),
                 ("status_history", ("status_history.csv", "status_history.xlsx",
                                     "status_history.json", "status_history/")),
                 ("time_in_status", ("time_in_status.csv", "time_in_status.xlsx")),
                 ("event_log", ("event_log.csv", "event_log.xlsx", "event_log.xes",
                                "event_log.xes.gz")))


class Client:
    """A client folder: its validated ``client.yaml`` and loaders for its data."""

    def __init__(self, path: Path, spec: ClientSpec, *, anywhere: dict | None = None):
        self.path = Path(path)
        self.spec = spec
        #: {opsdx's column name: header}, renamed in whichever data file has the header
        self.anywhere = dict(anywhere or {})

    def with_options(self, *, columns: dict | None = None, dates: str | None = None,
                     ignore_columns=()) -> "Client":
        """This client read with options given on top of ``client.yaml`` (the command line's
        ``--column``, ``--dates`` and ``--ignore-column``; they win over the file's).

        Parameters
        ----------
        columns : dict, optional
            ``{"work_items.item_id": "Ticket"}`` renames in that file, as ``columns:``
            does; ``{"item_id": "Ticket"}`` in each data file that has a ``Ticket`` column.
        dates : str, optional
            ``"dayfirst"`` or a ``strftime`` format, as ``dates:``.
        ignore_columns : iterable of str
            More columns of a wide answers file that are not items.
        """
        per_file = {kind: dict(mapping) for kind, mapping in self.spec.columns.items()}
        anywhere = dict(self.anywhere)
        for key, header in (columns or {}).items():
            kind, _, ours = key.rpartition(".")
            if kind:
                per_file.setdefault(kind, {})[ours] = header
            else:
                anywhere[ours] = header
        update = {"columns": per_file,
                  "ignore_columns": [*self.spec.ignore_columns, *ignore_columns]}
        if dates:
            update["dates"] = {"dayfirst": True} if dates == "dayfirst" else dates
        try:
            spec = ClientSpec.model_validate({**self.spec.model_dump(), **update})
        except ValidationError as exc:
            raise OpsdxError(f"{self.folder_name}: " + "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from None
        return Client(self.path, spec, anywhere=anywhere)

    name = property(lambda self: self.spec.name)

    @property
    def slug(self) -> str:
        return slugify(self.spec.name)

    @cached_property
    def questionnaire(self) -> Questionnaire:
        ref = self.spec.questionnaire
        if ref.endswith((".yaml", ".yml")):
            candidate = (self.path / ref).resolve()
            if self.path.resolve() not in candidate.parents:
                raise OpsdxError(f"{self.path / 'client.yaml'}: questionnaire path {ref!r} leaves "
                                 "the client folder")
            return load_questionnaire(candidate)
        return load_questionnaire(ref)

    @property
    def responses_path(self) -> Path:
        if self.spec.responses:
            candidate = (self.path / self.spec.responses).resolve()
            if self.path.resolve() not in candidate.parents:
                raise OpsdxError(f"{self.path / 'client.yaml'}: responses path "
                                 f"{self.spec.responses!r} leaves the client folder")
            if candidate.name.casefold() == "interviews.csv" \
                    and candidate.parent == self.path.resolve():
                raise DataError([Problem(f"{self.folder_name}/client.yaml",
                                         "responses names interviews.csv, the file opsdx "
                                         "writes live interviews to", column="responses",
                                         value=self.spec.responses, kind="yaml",
                                         expected="the answers file the client handed over "
                                                  "(interviews.csv is read beside it)")])
            return candidate
        found = [self.path / n for n in ("responses.csv", "responses.xlsx") if (self.path / n).is_file()]
        if len(found) > 1:
            raise DataError([Problem(f"{self.folder_name}/client.yaml",
                                     "both responses.csv and responses.xlsx are in the folder",
                                     column="responses", kind="yaml",
                                     expected="one of them, or `responses:` naming the one to read")])
        return found[0] if found else self.path / "responses.csv"

    def responses(self):
        """The validated answers (see :func:`opsdx.read_responses`): the answers file the
        client handed over and ``interviews.csv``, the answers given in live interviews
        (:func:`opsdx.interview`), when the folder has them.

        Raises
        ------
        DataError
            Every problem of either file; or a respondent found in both.
        """
        from .live.answers import merge_responses, read_interviews

        problems, live, handed = [], None, None
        try:
            live = read_interviews(self.path, self.questionnaire)
        except DataError as exc:
            problems += exc.problems
        # the handed-over file may be absent only when interviews stand in for it and
        # client.yaml names no file of its own (a file it names must be there)
        if self.spec.responses or self.responses_path.is_file() or (live is None and not problems):
            try:
                handed = self.handed_responses()
            except DataError as exc:
                problems += exc.problems
        if problems:
            raise DataError(problems)
        return merge_responses(handed, live)

    def handed_responses(self):
        """The answers file the client handed over, alone (without ``interviews.csv``)."""
        with self.reading("responses", self.responses_path):
            return read_responses(self.responses_path, self.questionnaire,
                                  name=f"{self.folder_name}/{self.responses_path.name}",
                                  ignore_columns=self.spec.ignore_columns)

    def data_path(self, stem: str) -> Path | None:
        """``<stem>.csv`` or ``<stem>.xlsx`` when the folder has one."""
        for name in (f"{stem}.csv", f"{stem}.xlsx"):
            if (self.path / name).is_file():
                return self.path / name
        return None

    @property
    def estimates_path(self) -> Path | None:
        """``estimates.csv`` or ``estimates.xlsx`` when the folder has one."""
        return self.data_path("estimates")

    @contextmanager
    def reading(self, kind: str, path: Path):
        """The client's conventions (``columns:`` for the file of ``kind``, ``dates:``) while
        ``path`` is read; a problem found names the client's own column."""
        from .tables import conventions, in_client_names

        mapping = self.spec.columns.get(kind, {})
        try:
            with conventions(columns={Path(path).stem.casefold(): mapping},
                             formats=self.spec.date_formats, anywhere=self.anywhere):
                yield
        except DataError as exc:
            mapping = {**self.anywhere, **mapping}
            if not mapping:
                raise
            raise in_client_names(exc, mapping) from None

    def _data(self, stem: str, reader, **kwargs):
        path = self.data_path(stem)
        if path is None:
            raise OpsdxError(f"{self.folder_name}: no {stem}.csv or {stem}.xlsx in the folder")
        with self.reading(stem, path):
            return reader(path, name=f"{self.folder_name}/{path.name}", **kwargs)

    def estimates(self):
        """The validated estimates and actuals (see :func:`opsdx.read_estimates`)."""
        from .forecast import read_estimates

        return self._data("estimates", read_estimates,
                          estimate_unit=self.spec.estimate_unit or self._header_unit("estimate"),
                          actual_unit=self.spec.actual_unit or self._header_unit("actual"),
                          hours_per_day=self.spec.hours_per_day)

    def _header_unit(self, name: str) -> str | None:
        """The unit a mapped header names in brackets (``Original estimate (h)``: hours), when
        ``client.yaml`` names none."""
        from .forecast.estimates import unit_name

        header = {**self.anywhere, **self.spec.columns.get("estimates", {})}.get(name)
        said = re.search(r"[(\[]\s*([^()\[\]]+?)\s*[)\]]\s*$", str(header or ""))
        try:
            return unit_name(said.group(1)) if said else None
        except OpsdxError:
            return None

    def flow_source(self) -> tuple[str, Path] | None:
        """Where the folder's work-item flow comes from: ``(kind, path)`` or None.

        ``kind`` is ``"work_items"`` (``work_items.csv`` / ``.xlsx``: stage
        visits), ``"status_history"`` (a tracker's export with
        ``statuses.yaml`` beside it: ``status_history.csv`` / ``.xlsx``, a
        Jira or GitHub ``status_history.json``, or a ``status_history/``
        folder of its JSON pages), ``"time_in_status"`` (a time-in-status
        report with ``statuses.yaml``) or ``"event_log"`` (``event_log.csv`` /
        ``.xlsx`` / ``.xes`` / ``.xes.gz``). A folder with two of them is an
        error: which one to believe is the consultant's call.
        """
        found = []
        for kind, names in _FLOW_SOURCES:
            for name in names:
                path = self.path / name
                if (path.is_dir() if name.endswith("/") else path.is_file()):
                    found.append((kind, path))
        if len(found) > 1:
            raise DataError([Problem(f"{self.folder_name}/{p.name}", "more than one source of "
                                     "work-item flow in the folder",
                                     expected="one of work_items, status_history or "
                                              "time_in_status (with statuses.yaml) or "
                                              "event_log; found "
                                              + ", ".join(q.name for _, q in found))
                             for _, p in found[1:]])
        return found[0] if found else None

    def work_items(self):
        """The folder's stage visits (:class:`opsdx.flow.FlowData`), from its flow source.

        ``work_items`` in the order of ``stages:`` (see
        :func:`opsdx.read_work_items`); a status history through the
        ``statuses.yaml`` that maps its statuses (:func:`opsdx.read_tracker`);
        an event log by :func:`opsdx.from_event_log` or :func:`opsdx.read_xes`.
        """
        source = self.flow_source()
        if source is None:
            raise OpsdxError(f"{self.folder_name}: no work_items.csv, status_history, "
                             "time_in_status or event_log in the folder")
        with self.reading(*source):
            flow = self._work_items(*source)
        mapping = {**self.anywhere, **self.spec.columns.get(source[0], {})}
        if mapping and len(flow.quality):  # the rows set aside, named as the client's file
            flow.quality = flow.quality.assign(column=flow.quality["column"].map(
                lambda c: mapping.get(c, c)))
        return flow

    def _work_items(self, kind: str, path: Path):
        from .flow import from_event_log, read_work_items
        from .flow.trackers import read_tracker

        label = f"{self.folder_name}/{path.name}"
        stages = self.spec.stages or None
        if kind == "work_items":
            return read_work_items(path, stages=stages, name=label)
        if kind == "event_log":
            if path.suffix.lower() in (".csv", ".xlsx"):
                return from_event_log(path, stages=stages, name=label)
            return read_tracker(path, stages=stages, name=label)
        from .flow.statuses import load_status_map

        smap = self.path / "statuses.yaml"
        if not smap.is_file():
            raise DataError([Problem(label, f"a {kind.replace('_', '-')} export needs "
                                        "statuses.yaml beside it",
                                     expected="statuses.yaml mapping each status to its stage "
                                              f"and role (`opsdx statuses {path.name} "
                                              "--suggest` writes a first one)")])
        status_map = load_status_map(smap)
        if self.spec.stages and [s.casefold() for s in self.spec.stages] != \
                [s.casefold() for s in status_map.stages]:
            raise DataError([Problem(f"{self.folder_name}/client.yaml", "stages: disagrees with "
                                     "the stages of statuses.yaml, which a tracker's export "
                                     "is read by", column="stages",
                                     value=", ".join(self.spec.stages),
                                     expected=f"{', '.join(status_map.stages)}, as "
                                              "statuses.yaml has them (or no stages: in "
                                              "client.yaml)")])
        if kind == "time_in_status":
            from .flow.timeinstatus import read_time_in_status

            return read_time_in_status(path, status_map, name=label,
                                       **self.spec.time_in_status.model_dump())
        return read_tracker(path, status_map, name=label)

    def decisions(self):
        """The validated decision log (see :func:`opsdx.read_decisions`)."""
        from .flow import read_decisions

        return self._data("decisions", read_decisions)

    def has(self, stem: str) -> bool:
        """Whether the folder has this data file (``"estimates"``, ``"work_items"``, ...);
        a status history or an event log stands for ``work_items``."""
        if stem == "work_items":
            try:
                return self.flow_source() is not None
            except DataError:
                return True  # two sources: reading them says so
        return self.data_path(stem) is not None

    def validate(self) -> list[Problem]:
        """Every problem in the folder's data files, without raising.

        Rows of ``work_items`` set aside by the data-quality checks are listed
        too, and the form columns read as items by their close wording: they
        are not errors (the analysis runs) but they should be seen (their
        ``code`` is :data:`~opsdx.errors.ROW_SET_ASIDE` or
        :data:`~opsdx.errors.READ_BY_WORDING`).
        """
        problems: list[Problem] = []
        optional = [(stem, loader) for stem, loader in
                    (("estimates", self.estimates), ("decisions", self.decisions))
                    if self.has(stem)]
        loaders = [self._response_notes] + [loader for _, loader in optional]
        if self.has("work_items"):
            loaders.append(self._work_item_problems)
        for load in loaders:
            try:
                load()
            except DataError as exc:
                problems += exc.problems
            except OpsdxError as exc:
                problems.append(Problem(str(self.folder_name), str(exc)))
        return problems

    def _response_notes(self) -> None:
        from .maturity.responses import wording_notes

        notes = wording_notes(self.responses())
        if notes:
            raise DataError(notes)

    def _work_item_problems(self) -> None:
        flow = self.work_items()
        if len(flow.quality):
            raise DataError([Problem(flow.source, f"row set aside: {r.problem}", row=r.row,
                                     column=r.column, value=r.value, code=ROW_SET_ASIDE)
                             for r in flow.quality.itertuples()])

    @property
    def folder_name(self) -> str:
        """The folder's own name, as problems name its files (``acme/work_items.csv``), also
        when the folder was given as ``.``."""
        return self.path.name or self.path.resolve().name

    def __repr__(self) -> str:
        return f"<Client {self.name!r} at {self.path}>"


def load_client(path) -> Client:
    """Read and validate ``client.yaml`` in a client folder.

    Checks the fields (unknown keys, types, dates, team sizes against the
    headcount) and that the questionnaire it names exists. The answers are
    read and checked by :meth:`Client.responses` (or all at once, without
    raising, by :meth:`Client.validate`).

    Raises
    ------
    DataError
        With the line and YAML path of every problem in ``client.yaml``.
    """
    folder = Path(path)
    label = f"{folder.name or folder}/client.yaml"
    if not folder.is_dir():
        raise DataError([Problem(label, f"no such folder: {folder}",
                                 expected="a client folder with client.yaml")])
    file = folder / "client.yaml"
    if not file.is_file():
        raise DataError([Problem(label, f"no client.yaml in {folder}",
                                 expected="a client folder with client.yaml")])
    text = read_yaml_text(file, label)
    log = ProblemLog(label, kind="yaml")
    data = parse_yaml(text, log, expected="name, sector, headcount, ...")
    spec = validate_model(ClientSpec, data, text, log)
    lines = yaml_lines(text)
    if spec is not None:
        client = Client(folder, spec)
        try:
            client.questionnaire
        except OpsdxError as exc:
            log.add(str(exc).splitlines()[0], row=line_of(lines, ("questionnaire",)),
                    column="questionnaire", value=spec.questionnaire,
                    expected="a bundled questionnaire name or a .yaml file in the client folder")
        in_teams = sum(t.size for t in spec.teams)
        if spec.headcount is not None and in_teams > spec.headcount:
            log.add(f"the teams add up to {in_teams} people, more than the headcount",
                    row=line_of(lines, ("headcount",)), column="headcount", value=spec.headcount,
                    expected=f"a headcount of at least {in_teams}")
    log.raise_if_any()
    return client


def find_clients(path) -> list[Path]:
    """Client folders: ``path`` itself if it has ``client.yaml``, else its subfolders that do."""
    root = Path(path)
    if (root / "client.yaml").is_file():
        return [root]
    return sorted(p for p in root.iterdir() if (p / "client.yaml").is_file())
