"""Maturity: where an organisation stands on the five stages, how sure that is, and what next.

* :func:`read_responses` reads questionnaire answers (long or wide, CSV, XLSX
  or a DataFrame) for a :class:`Questionnaire` (:func:`load_questionnaire`,
  :func:`list_questionnaires`, :func:`questionnaire_schema`), in
  ``responses.py`` and ``questionnaire.py``;
* :func:`score_maturity` scores them into a :class:`MaturityResult`: the
  staged result (:func:`stage_from_attainment`), the continuous index and the
  bootstrap uncertainty (``scoring.py``, ``bootstrap.py``, ``result.py``);
* :func:`cronbach_alpha` and :func:`rwg` measure internal consistency and
  agreement between respondents (``reliability.py``);
* the blockers, dimension profile, agreement, role scores, coverage and the
  notes (codes in :data:`NOTE_CODES`) are computed in ``diagnostics.py``, the profile chart in
  ``plots.py``;
* :func:`simulate_responses` simulates answers from an organisation whose
  stage is known (``simulate.py``).
"""

from ._common import FEW_RESPONDENTS, STAGES
from .diagnostics import FEW_ITEMS, NA_WARN_SHARE, NOTE_CODES, SKIP_WARN_SHARE
from .questionnaire import (Questionnaire, list_questionnaires, load_questionnaire,
                            questionnaire_schema)
from .reliability import CronbachAlpha, cronbach_alpha, rwg
from .responses import STATUSES, read_responses
from .result import FINDINGS, MaturityResult
from .scoring import score_maturity, stage_from_attainment
from .simulate import simulate_responses

__all__ = ["score_maturity", "MaturityResult", "stage_from_attainment", "simulate_responses",
           "cronbach_alpha", "rwg", "CronbachAlpha",
           "Questionnaire", "load_questionnaire", "list_questionnaires", "questionnaire_schema",
           "read_responses", "STATUSES",
           "FINDINGS", "NOTE_CODES", "STAGES", "NA_WARN_SHARE", "SKIP_WARN_SHARE", "FEW_RESPONDENTS", "FEW_ITEMS"]
