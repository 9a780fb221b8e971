"""The live assessment in JupyterLab: the interview form, the workshop view, what-if explorers.

* :func:`interview` opens one respondent's form (:class:`Interview`); every
  answer is saved at once to ``interviews.csv`` in the client folder
  (:mod:`.store`), and the live panel scores the answers so far;
* :func:`workshop` shows where a group of respondents disagree most;
* :func:`explore_constraint`, :func:`explore_planning` and
  :func:`explore_maturity` return widgets over existing results.

The widgets need ipywidgets; the modules that build them are imported on
first use, so ``import opsdx`` stays light.
"""

from .answers import merge_responses, read_interviews
from .interview import FULL_BOOT, LIVE_BOOT, Interview, interview, practice_copy
from .store import COLUMNS, INTERVIEWS, InterviewFile

__all__ = ["interview", "Interview", "practice_copy", "InterviewFile", "INTERVIEWS", "COLUMNS", "LIVE_BOOT",
           "FULL_BOOT", "read_interviews", "merge_responses", "workshop", "Workshop",
           "explore_constraint", "explore_planning", "explore_maturity"]

_LAZY = {"workshop": ".group", "Workshop": ".group",
         "explore_constraint": ".whatif", "explore_planning": ".whatif",
         "explore_maturity": ".whatif", "ConstraintExplorer": ".whatif",
         "PlanningExplorer": ".whatif", "MaturityExplorer": ".whatif",
         "InterviewForm": ".form"}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
