"""The same lists as an Excel workbook (openpyxl): header block, bold frozen header, signers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from app.core.errors import ValidationError
from app.core.printing.common import (
    CancelFn,
    PrintCancelled,
    ProgressFn,
    atomic_output,
    never,
    no_progress,
    place_date,
)
from app.core.printing.tables import TableDocument


def render_table_xlsx(
    out: Path,
    doc: TableDocument,
    rows: Iterable[Sequence[str]],
    *,
    total: int,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never,
) -> int:
    """Write the list as one sheet; returns the number of data rows."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Border, Font, Side  # type: ignore[import-untyped]

    if total == 0:
        raise ValidationError("Danh sách trống, không có gì để in.")
    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    width = len(doc.columns) + 1
    thin = Side(style="thin")
    grid = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(name="Times New Roman", bold=True, size=12)
    plain = Font(name="Times New Roman", size=12)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.append([doc.issuer_1, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"])
    sheet.append([doc.issuer_2, None, None, "Độc lập - Tự do - Hạnh phúc"])
    sheet.append([None, None, None, place_date(doc.place, doc.day)])
    sheet.append([doc.title.upper()])
    sheet.append([doc.subtitle])
    for row in range(1, 6):
        for cell in sheet[row]:
            cell.font = bold if row != 3 else Font(name="Times New Roman", italic=True, size=12)
    sheet.merge_cells(start_row=4, start_column=1, end_row=4, end_column=width)
    sheet.merge_cells(start_row=5, start_column=1, end_row=5, end_column=width)
    sheet["A4"].alignment = sheet["A5"].alignment = Alignment(horizontal="center")
    sheet.append(["STT", *(c.title for c in doc.columns)])
    head_row = sheet.max_row
    for cell in sheet[head_row]:
        cell.font, cell.alignment, cell.border = bold, center, grid
    sheet.freeze_panes = sheet.cell(row=head_row + 1, column=1)
    count = 0
    for count, cells in enumerate(rows, start=1):
        if count % 500 == 0:
            if cancel():
                raise PrintCancelled()
            progress(count, total)
        sheet.append([count, *cells])
        for cell in sheet[sheet.max_row]:
            cell.font, cell.border = plain, grid
    sheet.column_dimensions["A"].width = 7
    for i, column in enumerate(doc.columns, start=2):
        sheet.column_dimensions[sheet.cell(row=1, column=i).column_letter].width = max(
            8, column.weight * 1.6
        )
    sheet.append([])
    boxes = list(doc.signatures)
    if boxes:
        step = max(1, width // len(boxes))
        titles: list[str | None] = [None] * width
        names: list[str | None] = [None] * width
        for i, box in enumerate(boxes):
            titles[min(width - 1, i * step + 1)] = box.title.upper()
            names[min(width - 1, i * step + 1)] = box.name
        sheet.append(titles)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for _ in range(3):
            sheet.append([])
        sheet.append(names)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
    with atomic_output(out) as tmp:
        book.save(str(tmp))
    progress(count, total)
    return count
