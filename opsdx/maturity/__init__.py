"""Maturity: where an organisation stands on the five stages, and why.

* :func:`score_maturity` scores questionnaire answers (staged and continuous,
  with bootstrap uncertainty) into a :class:`MaturityResult`;
* :func:`stage_from_attainment` is the staged rule on stage attainments;
* :func:`simulate_responses` simulates answers of an organisation whose stage
  is known.
"""

from .questionnaire import (Questionnaire, list_questionnaires, load_questionnaire,
                            questionnaire_schema)
from .responses import STATUSES, read_responses
from .scoring import (FEW_ITEMS, FEW_RESPONDENTS, NA_WARN_SHARE, SKIP_WARN_SHARE, STAGES,
                      MaturityResult, score_maturity, simulate_responses, stage_from_attainment)

__all__ = ["score_maturity", "MaturityResult", "stage_from_attainment", "simulate_responses",
           "STAGES", "NA_WARN_SHARE", "SKIP_WARN_SHARE", "FEW_RESPONDENTS", "FEW_ITEMS",
           "Questionnaire", "load_questionnaire", "list_questionnaires", "questionnaire_schema",
           "read_responses", "STATUSES"]
