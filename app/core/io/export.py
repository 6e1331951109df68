"""Exporting a registry list to .xlsx the way a district or province wants it.

The rows are exactly what the table shows (``Listing.fetch_all`` with the
screen's query: same filter, sort and columns), under a title block (association,
commune, list name, date) with a bold frozen header, real dates in dd/mm/yyyy, a
"Cộng" line and the signature block. The file is written next to the target and
moved into place, so a failure never leaves half a spreadsheet.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.db import Database
from app.core.errors import StorageError, UserError
from app.core.registry.listing import LISTINGS, Listing, ListQuery, _plain

ProgressFn = Callable[[int, int], None]
_DMY = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
_UNITS = {
    "hamlets": "thôn",
    "households": "hộ",
    "people": "người",
    "members": "hội viên",
    "clans": "dòng họ",
    "units": "đơn vị",
    "branches": "chi hội",
}
_MAX_WIDTH = 50


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int

    def as_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "rows": self.rows}


def export_list(
    db: Database,
    kind: str,
    out: Path,
    query: ListQuery | None = None,
    progress: ProgressFn | None = None,
    today: dt.date | None = None,
) -> ExportResult:
    """Write the list ``kind`` (a key of ``LISTINGS``) to ``out`` (.xlsx)."""
    listing = LISTINGS.get(kind)
    if listing is None:
        raise UserError(f"Không có danh sách “{kind}”. Có: {', '.join(LISTINGS)}.")
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        out = out.with_suffix(".xlsx")
    rows = listing.fetch_all(db, query or ListQuery())
    if progress is not None:
        progress(1, 3)
    workbook = _build(db, listing, rows, today or dt.date.today())
    if progress is not None:
        progress(2, 3)
    _save_atomically(workbook, out)
    if progress is not None:
        progress(3, 3)
    return ExportResult(out, len(rows))


def _cell_value(listing: Listing, index: int, value: Any) -> Any:
    """Numbers stay numbers, dates become real dates, codes become their labels."""
    column = listing.columns[index]
    if value is None:
        return None
    if isinstance(value, bool):
        return "Có" if value else None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float):
        return value
    if isinstance(value, str) and (m := _DMY.match(value)):
        try:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            return value
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, str) and value.isdigit() and len(value) == 4 and column.key == "birth":
        return int(value)
    text = column.fmt(value) if column.fmt is not _plain else value
    return text or None


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.date):
        return 10
    return len(str(value))


def _build(db: Database, listing: Listing, rows: list[tuple[Any, ...]], today: dt.date) -> Any:
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Border, Font, Side  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    from app.core.settings import load

    settings = load(db)
    commune = settings.commune
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(re.sub(r"[\\/?*\[\]:]", "-", listing.title)[:31])
    bold = Font(bold=True)
    title_font = Font(bold=True, size=14)
    thin = Side(style="thin")
    boxed = Border(left=thin, right=thin, top=thin, bottom=thin)
    columns = ["STT", *[c.title for c in listing.columns]]
    width = len(columns)

    def styled(value: Any, font: Any = None, fmt: str | None = None) -> Any:
        cell = WriteOnlyCell(ws, value=value)
        if font is not None:
            cell.font = font
        if fmt is not None:
            cell.number_format = fmt
        return cell

    body = [[_cell_value(listing, i, v) for i, v in enumerate(row)] for row in rows]
    widths = [len(t) + 2 for t in columns]
    widths[0] = max(widths[0], len(str(len(rows))) + 2)
    for values in body:
        for i, value in enumerate(values, 1):
            w = _width(value)
            if w > widths[i]:
                widths[i] = w
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = min(w + 2, _MAX_WIDTH)
    header_row = 6
    ws.freeze_panes = f"A{header_row + 1}"

    association = (commune.association_name if commune else "") or "Hội Khuyến học"
    ws.append([styled(association.upper(), bold)])
    ws.append([styled(commune.name if commune else "", bold)])
    ws.append([])
    ws.append([styled(f"DANH SÁCH {listing.title.upper()}", title_font)])
    ws.append([styled(f"(Xuất ngày {today:%d/%m/%Y}, {len(rows)} {_UNITS[listing.key]})")])
    header_cells = []
    for title in columns:
        cell = styled(title, bold)
        cell.border = boxed
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header_cells.append(cell)
    ws.append(header_cells)
    for number, values in enumerate(body, 1):
        line: list[Any] = [number]
        for value in values:
            if isinstance(value, dt.date):
                line.append(styled(value, fmt="dd/mm/yyyy"))
            else:
                line.append(value)
        ws.append(line)
    ws.append([styled(f"Cộng: {len(rows)} {_UNITS[listing.key]}", bold)])
    ws.append([])
    place = commune.name if commune else ""
    date_line = f"{place}, ngày {today.day} tháng {today.month} năm {today.year}".lstrip(", ")
    signers = settings.signers or []
    ws.append([None] * max(width - 3, 1) + [styled(date_line)])
    if signers:
        slots = _signer_columns(len(signers), width)
        titles: list[Any] = [None] * width
        names: list[Any] = [None] * width
        for slot, signer in zip(slots, signers, strict=False):
            titles[slot] = styled(signer.title.upper(), bold)
            names[slot] = styled(signer.name, bold)
        ws.append(titles)
        for _ in range(3):
            ws.append([])
        ws.append(names)
    return wb


def _signer_columns(count: int, width: int) -> list[int]:
    if count == 1:
        return [max(width - 3, 0)]
    last = max(width - 3, count)
    step = max(last // (count - 1), 1)
    return [min(1 + i * step, last) for i in range(count)]


def _save_atomically(workbook: Any, out: Path) -> None:
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"Thư mục “{folder}” không tồn tại.")
    fd, tmp_name = tempfile.mkstemp(prefix=".xuat-", suffix=".xlsx", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        workbook.save(tmp)
        os.replace(tmp, out)
    except PermissionError as exc:
        raise StorageError(
            f"Không ghi được “{out.name}”: tệp đang mở trong Excel hoặc thư mục không cho "
            "ghi. Hãy đóng tệp rồi thử lại."
        ) from exc
    except OSError as exc:
        raise StorageError(f"Không ghi được “{out.name}”: {exc.strerror or exc}.") from exc
    finally:
        tmp.unlink(missing_ok=True)
