"""The diagnostic workbook: one client's analyses, its deliverables, and the batch.

* :func:`diagnose` runs every analysis on a client folder (:class:`Diagnosis`);
* :func:`notebook_params` reads and checks the notebook's parameters
  (:class:`WorkbookParams`);
* :func:`record_results` writes ``results.json``; :func:`write_excel` the
  Excel workbook; :func:`export_html` the client-ready HTML;
* :func:`run_batch` executes the workbook notebook for many clients.
"""

from .diagnosis import Diagnosis, Recommendation, diagnose, record_results
from .params import WorkbookParams, notebook_params

__all__ = ["WorkbookParams", "notebook_params", "Diagnosis", "Recommendation", "diagnose",
           "record_results"]
