"""The diagnostic workbook: one client's analyses, its deliverables, and the batch.

* :func:`diagnose` runs every analysis on a client folder (:class:`Diagnosis`);
* :func:`notebook_params` reads and checks the notebook's parameters
  (:class:`WorkbookParams`, made by :func:`workbook_params`);
* :func:`record_results` writes ``results.json``; :func:`write_excel` the
  Excel workbook; :func:`export_html` the client-ready HTML;
* :func:`run_batch` executes the workbook notebook for many clients
  (:class:`BatchSummary`).

The deliverable writers and the batch load on first use: importing the
workbook for :func:`diagnose` does not import nbconvert or the executors.
"""

from importlib import import_module

from .diagnosis import Diagnosis, Recommendation, diagnose, record_results
from .params import WorkbookParams, notebook_params, workbook_params

#: Names loaded from their module on first use (PEP 562).
_LAZY = {"run_batch": ".batch", "BatchSummary": ".batch", "write_excel": ".excel",
         "export_html": ".html"}

__all__ = ["WorkbookParams", "workbook_params", "notebook_params", "Diagnosis",
           "Recommendation", "diagnose", "record_results", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
