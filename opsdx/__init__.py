"""opsdx: operations diagnostics, from heroics to designed systems.

The public API; everything is re-exported from its module.
"""

from importlib.metadata import PackageNotFoundError, version as _version

from .errors import (DataError, OpsdxError, OpsdxWarning, Problem, QuestionnaireError,
                     SmallSampleWarning)
from .notes import Note
from .results import Result
from .questionnaire import (Questionnaire, list_questionnaires, load_questionnaire,
                            questionnaire_schema)
from .responses import read_responses
from .maturity import MaturityResult, score_maturity, simulate_responses
from .client import Client, load_client
from .forecast import (BacktestResult, PlanningResult, PublishedReferenceClass, ReferenceClass,
                       assess_planning, backtest_forecast_when, backtest_reference_class,
                       daily_throughput, forecast_how_many, forecast_when, published_class,
                       read_estimates, simulate_schedule)
from .flow import (ConstraintReport, DecisionReport, FlowData, decision_report, find_constraint,
                   from_event_log, hero_dependency, load_status_map, read_decisions,
                   read_github, read_jira, read_status_history, read_time_in_status,
                   read_tracker, read_work_items, read_xes, simulate_line)
from .live import Interview, interview
from .history import Comparison, compare, read_history

#: The widgets of the live assessment, imported (with ipywidgets) on first use.
_LIVE = ("workshop", "Workshop", "explore_constraint", "explore_planning", "explore_maturity")


def __getattr__(name: str):
    if name in _LIVE:
        from . import live

        return getattr(live, name)
    raise AttributeError(f"module 'opsdx' has no attribute {name!r}")


try:
    __version__ = _version("opsdx")
except PackageNotFoundError:  # pragma: no cover - running from a checkout without install
    __version__ = "0.0.0+unknown"

__all__ = [
    "OpsdxError", "DataError", "QuestionnaireError", "Problem", "Note", "Result",
    "Questionnaire", "load_questionnaire", "list_questionnaires", "questionnaire_schema",
    "read_responses", "score_maturity", "MaturityResult", "simulate_responses",
    "Client", "load_client", "OpsdxWarning", "SmallSampleWarning",
    "read_estimates", "ReferenceClass", "PublishedReferenceClass", "published_class",
    "daily_throughput", "forecast_when", "forecast_how_many", "simulate_schedule",
    "backtest_reference_class", "backtest_forecast_when", "BacktestResult", "assess_planning",
    "PlanningResult",
    "read_work_items", "from_event_log", "FlowData", "find_constraint", "ConstraintReport",
    "simulate_line", "read_decisions", "decision_report", "DecisionReport", "hero_dependency",
    "read_status_history", "load_status_map", "read_jira", "read_github", "read_xes",
    "read_tracker", "read_time_in_status", "interview", "Interview", "workshop",
    "explore_constraint", "explore_planning", "explore_maturity", "compare", "Comparison",
    "read_history", "__version__",
]
