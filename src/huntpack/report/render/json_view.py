"""The JSON view: the document itself (``ReportDocument.parse`` reads it back)."""

from __future__ import annotations

from huntpack.report.document import ReportDocument


def render_json(document: ReportDocument) -> str:
    return document.to_json()
