"""The views of a ``ReportDocument``: each a pure function ``document -> str``.

``RENDERERS`` maps a format name to its renderer (imported lazily). Must not import ``cli`` or
``hunt``: a view needs nothing but the document.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from huntpack.report.document import ReportDocument

Renderer = Callable[[ReportDocument], str]

# format -> (module, function, default file suffix)
RENDERERS: dict[str, tuple[str, str, str]] = {
    "json": ("huntpack.report.render.json_view", "render_json", ".json"),
    "terminal": ("huntpack.report.render.terminal", "render_text", ".txt"),
    "jsonl": ("huntpack.report.render.rows", "render_jsonl", ".jsonl"),
    "csv": ("huntpack.report.render.rows", "render_csv", ".csv"),
    "html": ("huntpack.report.render.html", "render_html", ".html"),
    "navigator": ("huntpack.report.render.navigator", "render_navigator", ".layer.json"),
    "stix": ("huntpack.report.render.stix", "render_stix", ".stix.json"),
}


def renderer(name: str) -> Renderer:
    module_name, function, _ = RENDERERS[name]
    function_ref: Renderer = getattr(importlib.import_module(module_name), function)
    return function_ref


def render(document: ReportDocument, name: str) -> str:
    """The document in format ``name`` (one of ``RENDERERS``)."""
    return renderer(name)(document)
