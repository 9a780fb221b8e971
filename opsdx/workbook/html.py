"""The client-ready HTML report from an executed workbook notebook.

What the client receives has no code, no parameters cell, no papermill
banners or error tracebacks, no standard-error output (warnings print file
paths), no notebook metadata (papermill records input and output paths
there), and loads nothing from the network: the template is the JupyterLab
one without its script tags, and figures are embedded images.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat

from ..output import write_text

__all__ = ["export_html", "clean_notebook", "REMOVE_TAGS"]

#: Cells with these tags never reach the client.
REMOVE_TAGS = {"parameters", "injected-parameters", "remove-cell", "papermill-error-cell-tag"}
_TEMPLATES = Path(__file__).resolve().parent / "nbconvert-templates"


def clean_notebook(nb) -> nbformat.NotebookNode:
    """A copy of ``nb`` fit for a client: tagged cells, stderr, errors and metadata removed."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & REMOVE_TAGS:
            continue
        cell["metadata"] = {}
        if cell["cell_type"] == "code":
            cell["outputs"] = [o for o in cell.get("outputs", [])
                               if o.get("output_type") != "error"
                               and not (o.get("output_type") == "stream"
                                        and o.get("name") == "stderr")]
            for o in cell["outputs"]:
                o.pop("metadata", None) if o.get("output_type") == "stream" else None
            cell["execution_count"] = None
        cells.append(cell)
    nb.cells = cells
    keep = {k: nb.metadata[k] for k in ("kernelspec", "language_info") if k in nb.metadata}
    nb.metadata = nbformat.NotebookNode(keep)
    return nb


def export_html(nb, path, *, title: str) -> Path:
    """Write the client-ready HTML of an executed notebook (node or path) to ``path``, atomically."""
    from nbconvert import HTMLExporter

    if not isinstance(nb, nbformat.NotebookNode):
        nb = nbformat.read(str(nb), as_version=4)
    exporter = HTMLExporter(template_name="opsdx-html", extra_template_basedirs=[str(_TEMPLATES)],
                            anchor_link_text="")  # no stray "¶" after every heading
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    clean = clean_notebook(nb)
    clean.metadata["title"] = str(title)  # the template escapes it
    body, _ = exporter.from_notebook_node(clean, resources={"metadata": {"name": str(title)}})
    return write_text(Path(path), body)
