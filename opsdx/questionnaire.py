"""The questionnaire format and loading, now in :mod:`opsdx.maturity.questionnaire`.

This module re-exports its names so that ``from opsdx.questionnaire import ...``
keeps working.
"""

from .maturity.questionnaire import (DEFAULT_NA_LABELS, DEFAULT_STAGE_NAMES, Dimension, Item,
                                     Questionnaire, QuestionnaireSpec, Scale, ScaleOption,
                                     StageInfo, _bundled_dir, list_questionnaires,
                                     load_questionnaire, questionnaire_schema)

__all__ = [
    "ScaleOption", "Scale", "Dimension", "Item", "StageInfo", "QuestionnaireSpec",
    "Questionnaire", "load_questionnaire", "list_questionnaires", "questionnaire_schema",
    "DEFAULT_STAGE_NAMES", "DEFAULT_NA_LABELS", "_bundled_dir",
]
