"""The periodic report as an editable Word file (python-docx, Times New Roman 13–14 pt).

Set up like the recognition decision's .docx (A4, margins 20/15/20/30 mm, the
two-column header block), so the secretary can add the narrative parts in Word.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.core.printing.common import (
    CancelFn,
    PrintCancelled,
    ProgressFn,
    atomic_output,
    never,
    no_progress,
)
from app.core.reports.period import PeriodReport, ReportTable, format_cell


def _setup(document: Any) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
    normal.paragraph_format.space_after = Pt(0)


def _para(
    where: Any,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float = 14,
    align: str = "center",
    indent: bool = False,
    first: bool = False,
) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    p = where.paragraphs[0] if first else where.add_paragraph()
    p.alignment = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    if indent:
        p.paragraph_format.first_line_indent = Mm(10)
    run = p.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    return p


def _header(document: Any, report: PeriodReport) -> None:
    from docx.shared import Mm

    head = document.add_table(rows=1, cols=2)
    left, right = head.rows[0].cells
    left.width, right.width = Mm(68), Mm(97)
    left_lines = [(report.issuer_1, False, False), (report.issuer_2, True, False)]
    left_lines += [("", False, False), (report.number_line, False, False)]
    right_lines = [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True, False)]
    right_lines += [("Độc lập - Tự do - Hạnh phúc", True, False), ("", False, False)]
    right_lines += [(report.place_date, False, True)]
    for cell, lines in ((left, left_lines), (right, right_lines)):
        for i, (text, bold, italic) in enumerate(lines):
            _para(cell, text, bold=bold, italic=italic, size=13, first=i == 0)


def _table(document: Any, table: ReportTable) -> None:
    from docx.shared import Mm, Pt

    _para(document, table.title, bold=True, italic=True, size=13, align="left")
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    for cell, column in zip(grid.rows[0].cells, table.columns, strict=True):
        _para(cell, column.title, bold=True, size=11, first=True)
    lines = [(r, False) for r in table.rows]
    if table.total is not None:
        lines.append((table.total, True))
    for values, bold in lines:
        cells = grid.add_row().cells
        for cell, value, column in zip(cells, values, table.columns, strict=True):
            align = "left" if column.kind == "text" else "right"
            text = format_cell(value, column.kind)
            _para(cell, text, bold=bold, size=11, align=align, first=True)
    weights = sum(c.weight for c in table.columns)
    for row in grid.rows:
        for cell, column in zip(row.cells, table.columns, strict=True):
            cell.width = Mm(165 * column.weight / weights)
    if table.note:
        p = _para(document, table.note, italic=True, size=11, align="justify")
        p.paragraph_format.space_after = Pt(6)


def _signature(document: Any, report: PeriodReport) -> None:
    document.add_paragraph()
    sign = document.add_table(rows=1, cols=2)
    rec, sig = sign.rows[0].cells
    _para(rec, "Nơi nhận:", bold=True, italic=True, size=12, align="left", first=True)
    for line in report.recipients:
        _para(rec, f"- {line}", size=11, align="left")
    for i, line in enumerate(report.signer_lines):
        _para(sig, line, bold=True, size=13, first=i == 0)
    for _ in range(4):
        sig.add_paragraph()
    _para(sig, report.signer_name, bold=True)


def render_report_docx(
    out: Path,
    report: PeriodReport,
    *,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never,
) -> int:
    """Write the report as .docx; returns the number of tables written."""
    from docx import Document

    document = Document()
    _setup(document)
    _header(document, report)
    document.add_paragraph()
    _para(document, report.title, bold=True)
    _para(document, report.subtitle, italic=True)
    tables = 0
    total = len(report.sections)
    for done, (number, section) in enumerate(report.numbered()):
        if cancel():
            raise PrintCancelled()
        progress(done, total)
        _para(document, f"{number} {section.title.upper()}", bold=True, align="left")
        for text in section.paragraphs:
            _para(document, text, align="justify", indent=True)
        for table in section.tables:
            _table(document, table)
            tables += 1
    _signature(document, report)
    with atomic_output(out) as tmp:
        document.save(str(tmp))
    progress(total, total)
    return tables
