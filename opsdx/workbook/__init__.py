"""The diagnostic workbook: one client's analyses, its deliverables, and the batch.

* :func:`diagnose` runs every analysis on a client folder (:class:`Diagnosis`);
* :func:`record_results` writes ``results.json``; :func:`write_excel` the
  Excel workbook; :func:`export_html` the client-ready HTML;
* :func:`run_batch` executes the workbook notebook for many clients.
"""

from .diagnosis import Diagnosis, Recommendation, WorkbookParams, diagnose, record_results

__all__ = ["WorkbookParams", "Diagnosis", "Recommendation", "diagnose", "record_results"]
