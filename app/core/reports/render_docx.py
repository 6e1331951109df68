"""The periodic report as an editable Word file (python-docx, Times New Roman 13–14 pt).

Set up like the recognition decision's .docx (A4, margins 20/15/20/30 mm, the
two-column header block), so the secretary can add the narrative parts in Word.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.core.printing import docx_layout
from app.core.printing.common import (
    CancelFn,
    PrintCancelled,
    ProgressFn,
    atomic_output,
    never,
    no_progress,
)
from app.core.reports.period import PeriodReport, ReportTable, format_cell


def _header(document: Any, report: PeriodReport) -> None:
    docx_layout.heading_block(
        document,
        [
            (report.issuer_1, False, False, 13),
            (report.issuer_2, True, False, 13),
            ("", False, False, 13),
            (report.number_line, False, False, 13),
        ],
        [
            (docx_layout.MOTTO, True, False, 13),
            (docx_layout.MOTTO_SUB, True, False, 13),
            ("", False, False, 13),
            (report.place_date, False, True, 13),
        ],
        (68, 97),
    )


def _table(document: Any, table: ReportTable) -> None:
    from docx.shared import Mm, Pt

    docx_layout.para(document, table.title, bold=True, italic=True, size=13, align="left")
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    for cell, column in zip(grid.rows[0].cells, table.columns, strict=True):
        docx_layout.para(cell, column.title, bold=True, size=11, first=True)
    lines = [(r, False) for r in table.rows]
    if table.total is not None:
        lines.append((table.total, True))
    for values, bold in lines:
        cells = grid.add_row().cells
        for cell, value, column in zip(cells, values, table.columns, strict=True):
            align = "left" if column.kind == "text" else "right"
            text = format_cell(value, column.kind)
            docx_layout.para(cell, text, bold=bold, size=11, align=align, first=True)
    weights = sum(c.weight for c in table.columns)
    for row in grid.rows:
        for cell, column in zip(row.cells, table.columns, strict=True):
            cell.width = Mm(165 * column.weight / weights)
    if table.note:
        p = docx_layout.para(document, table.note, italic=True, size=11, align="justify")
        p.paragraph_format.space_after = Pt(6)


def _signature(document: Any, report: PeriodReport) -> None:
    document.add_paragraph()
    docx_layout.closing_block(document, report.recipients, report.signer_lines, report.signer_name)


def render_report_docx(
    out: Path,
    report: PeriodReport,
    *,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never,
) -> int:
    """Write the report as .docx; returns the number of tables written."""
    document = docx_layout.new_document()
    _header(document, report)
    document.add_paragraph()
    docx_layout.para(document, report.title, bold=True)
    docx_layout.para(document, report.subtitle, italic=True)
    tables = 0
    total = len(report.sections)
    for done, (number, section) in enumerate(report.numbered()):
        if cancel():
            raise PrintCancelled()
        progress(done, total)
        docx_layout.para(document, f"{number} {section.title.upper()}", bold=True, align="left")
        for text in section.paragraphs:
            docx_layout.para(document, text, align="justify", indent=True)
        for table in section.tables:
            _table(document, table)
            tables += 1
    _signature(document, report)
    with atomic_output(out) as tmp:
        document.save(str(tmp))
    progress(total, total)
    return tables
