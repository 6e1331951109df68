"""Entry point the CLI and the GUI call: database and period in, finished report file out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.core.db import Database
from app.core.errors import ValidationError
from app.core.printing.common import CancelFn, PrintResult, ProgressFn, never, no_progress
from app.core.reports.period import Period, build_report

FORMATS = ("pdf", "docx", "xlsx")
FORMAT_LABELS = {"pdf": "PDF", "docx": "Word", "xlsx": "Excel"}


def report_format(out: Path, fmt: str | None) -> str:
    """The format asked for, else the file's extension; anything else is refused."""
    kind = (fmt or out.suffix.lstrip(".") or "pdf").lower()
    if kind not in FORMATS:
        raise ValidationError(f"Định dạng “{kind}” không có; chọn pdf, docx hoặc xlsx.", "format")
    return kind


def write_period_report(
    db: Database,
    period: Period,
    out: Path,
    *,
    fmt: str | None = None,
    day: dt.date | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never,
) -> PrintResult:
    """Gather the period's figures and write the report as PDF, Word or Excel.

    ``pages`` of the result is the PDF's page count (0 for Word and Excel, whose
    pagination is the reader's); ``items`` is the number of sections.
    """
    kind = report_format(out, fmt)
    if out.suffix.lower() != f".{kind}":
        out = out.with_suffix(f".{kind}")
    report = build_report(db, period, day=day)
    pages = 0
    if kind == "pdf":
        from app.core.reports.render_pdf import render_report_pdf

        pages = render_report_pdf(out, report, progress=progress, cancel=cancel)
    elif kind == "docx":
        from app.core.reports.render_docx import render_report_docx

        render_report_docx(out, report, progress=progress, cancel=cancel)
    else:
        from app.core.reports.render_xlsx import render_report_xlsx

        render_report_xlsx(out, report, progress=progress, cancel=cancel)
    title = f"báo cáo {period.label()} ({FORMAT_LABELS[kind]})"
    return PrintResult(out, pages, len(report.sections), title)
