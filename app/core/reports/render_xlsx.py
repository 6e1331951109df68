"""The periodic report as a workbook: one sheet per section, numbers kept as numbers.

Counts and money are integers with a thousands format, rates are fractions shown as
percentages, so the province can add the communes' sheets up without retyping.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.core.printing.common import CancelFn, PrintCancelled, ProgressFn, never, no_progress
from app.core.printing.xlsx import ListStyles, save_workbook, sheet_name, write_heading
from app.core.reports.period import PeriodReport, ReportSection, ReportTable

NUMBER_FORMATS = {"int": "#,##0", "money": "#,##0", "rate": "0.0%"}


def _table(sheet: Any, table: ReportTable, st: ListStyles) -> None:
    sheet.append([table.title])
    sheet.cell(row=sheet.max_row, column=1).font = st.bold_italic
    sheet.append([c.title for c in table.columns])
    for cell in sheet[sheet.max_row]:
        cell.font, cell.alignment, cell.border = st.bold, st.center, st.grid
    lines = [(r, False) for r in table.rows]
    if table.total is not None:
        lines.append((table.total, True))
    for values, bold in lines:
        sheet.append(list(values))
        for cell, column in zip(sheet[sheet.max_row], table.columns, strict=False):
            cell.font = st.bold if bold else st.plain
            cell.border = st.grid
            if column.kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[column.kind]
    if table.note:
        sheet.append([table.note])
        sheet.cell(row=sheet.max_row, column=1).font = st.italic
    sheet.append([])


def _section(book: Any, report: PeriodReport, number: str, section: ReportSection) -> None:
    sheet = book.create_sheet(sheet_name(section.sheet or section.title))
    width = max([len(t.columns) for t in section.tables] + [4])
    st = ListStyles()
    write_heading(
        sheet,
        st,
        issuer=(report.issuer_1, report.issuer_2),
        place_date=report.place_date,
        title=report.title,
        subtitle=report.subtitle,
        width=width,
    )
    sheet.append([f"{number} {section.title.upper()}"])
    sheet.cell(row=sheet.max_row, column=1).font = st.bold
    for text in section.paragraphs:
        sheet.append([text])
    sheet.append([])
    for table in section.tables:
        _table(sheet, table, st)
    sheet.column_dimensions["A"].width = 30
    for i in range(2, width + 1):
        sheet.column_dimensions[sheet.cell(row=1, column=i).column_letter].width = 14


def _signature(sheet: Any, report: PeriodReport) -> None:
    st = ListStyles()
    sheet.append([])
    for line in report.signer_lines:
        sheet.append([None, None, None, line])
        sheet.cell(row=sheet.max_row, column=4).font = st.bold
    for _ in range(3):
        sheet.append([])
    sheet.append([None, None, None, report.signer_name])
    sheet.cell(row=sheet.max_row, column=4).font = st.bold


def render_report_xlsx(
    out: Path,
    report: PeriodReport,
    *,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never,
) -> int:
    """Write the workbook; returns the number of sheets."""
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook()
    book.remove(book.active)
    total = len(report.sections)
    for done, (number, section) in enumerate(report.numbered()):
        if cancel():
            raise PrintCancelled()
        progress(done, total)
        _section(book, report, number, section)
    _signature(book.worksheets[-1], report)
    save_workbook(book, out)
    progress(total, total)
    return len(book.worksheets)
