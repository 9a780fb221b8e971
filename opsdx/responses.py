"""Reading questionnaire answers, now in :mod:`opsdx.maturity.responses`.

This module re-exports its names so that ``from opsdx.responses import ...``
keeps working.
"""

from .maturity.responses import (RESPONDENT_STAND_INS, STATUSES, WIDE_IGNORED_COLUMNS,
                                 read_responses)

__all__ = ["read_responses", "STATUSES", "WIDE_IGNORED_COLUMNS", "RESPONDENT_STAND_INS"]
