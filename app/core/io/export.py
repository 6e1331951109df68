"""Exporting a registry list to .xlsx the way a district or province wants it.

The rows are exactly what the table shows (``Listing.fetch_all`` with the
screen's query: same filter, sort and columns), under a title block (association,
commune, list name, date) with a bold frozen header, real dates in dd/mm/yyyy, a
"Cộng" line and the signature block. The app's one list writer
(:func:`app.core.printing.xlsx.write_list_workbook`) lays it out and moves the file
into place only when complete, so a failure never leaves half a spreadsheet.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.db import Database
from app.core.errors import UserError
from app.core.printing.xlsx import ListWorkbook, write_list_workbook
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
    spec = _build(db, listing, rows, today or dt.date.today())
    body = ([_cell_value(listing, i, v) for i, v in enumerate(row)] for row in rows)
    if progress is not None:
        progress(2, 3)
    write_list_workbook(out, spec, body, total=len(rows))
    if progress is not None:
        progress(3, 3)
    return ExportResult(out, len(rows))


def _cell_value(listing: Listing, index: int, value: Any) -> Any:
    """Numbers stay numbers, dates become real dates, codes become their labels."""
    if value is None:
        return None
    kind = type(value)
    if kind is int or kind is float:
        return value
    column = listing.columns[index]
    if kind is str and len(value) < 10 and column.fmt is _plain and column.key != "birth":
        return value or None  # most cells: a plain short text (checked first: 330,000 a list)
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


def _build(
    db: Database, listing: Listing, rows: list[tuple[Any, ...]], today: dt.date
) -> ListWorkbook:
    """The district's layout: association and commune, list title, "Cộng" line, signers."""
    from app.core.settings import load

    settings = load(db)
    commune = settings.commune
    association = (commune.association_name if commune else "") or "Hội Khuyến học"
    place = commune.name if commune else ""
    unit = _UNITS[listing.key]
    return ListWorkbook(
        sheet=listing.title,
        issuer=(association.upper(), place),
        title=f"DANH SÁCH {listing.title.upper()}",
        subtitle=f"(Xuất ngày {today:%d/%m/%Y}, {len(rows)} {unit})",
        columns=[c.title for c in listing.columns],
        total_line=f"Cộng: {len(rows)} {unit}",
        date_line=f"{place}, ngày {today.day} tháng {today.month} năm {today.year}".lstrip(", "),
        signers=[(s.title, s.name) for s in settings.signers or []],
    )
