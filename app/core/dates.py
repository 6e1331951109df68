"""Dates as people write them: a full date, or a year alone (very common for birth).

A year alone is stored honestly — `birth_year` set, `birth_date` empty — never as
1 January. :class:`PartialDate` carries both through the services.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.core.errors import ValidationError

if TYPE_CHECKING:
    from app.core.db import Database

_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")
MIN_YEAR = 1890


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A full date, or only a year (``date`` is then ``None``)."""

    year: int
    date: dt.date | None = None

    @classmethod
    def of(cls, date: dt.date) -> PartialDate:
        return cls(date.year, date)

    @classmethod
    def from_columns(cls, date: dt.date | None, year: int | None) -> PartialDate | None:
        if date is not None:
            return cls.of(date)
        if year is not None:
            return cls(year)
        return None

    @property
    def year_only(self) -> bool:
        return self.date is None

    def display(self) -> str:
        """dd/mm/yyyy, or yyyy for a year alone."""
        return self.date.strftime("%d/%m/%Y") if self.date else f"{self.year:04d}"

    def __str__(self) -> str:
        return self.display()


def parse_day(text: str | None) -> dt.date | None:
    """A whole date typed on the command line: dd/mm/yyyy (or yyyy-mm-dd); None if empty."""
    if not text:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(f"Ngày “{text}” không hợp lệ (dùng dd/mm/yyyy).")


def _two_digit_year(yy: int, today: dt.date) -> int:
    year = 2000 + yy
    return year if year <= today.year else 1900 + yy


def parse_partial_date(text: str | None, today: dt.date | None = None) -> PartialDate | None:
    """Parse "12/3/1980", "12-03-80", "12.03.1980", "1980-03-12" or "1980".

    Returns ``None`` for empty text; raises :class:`ValidationError` (Vietnamese)
    for text that is not a date.
    """
    value = (text or "").strip()
    if not value:
        return None
    today = today or dt.date.today()
    if m := _YEAR.match(value):
        return PartialDate(int(m.group(1)))
    day = month = year = 0
    if m := _DMY.match(value):
        day, month = int(m.group(1)), int(m.group(2))
        year = int(m.group(3))
        if len(m.group(3)) == 2:
            year = _two_digit_year(year, today)
    elif m := _ISO.match(value):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        raise ValidationError(f"“{value}” không phải là ngày hợp lệ (nhập dd/mm/yyyy hoặc năm).")
    try:
        return PartialDate.of(dt.date(year, month, day))
    except ValueError:
        raise ValidationError(f"Ngày “{value}” không tồn tại.") from None


def check_birth(value: PartialDate | None, today: dt.date | None = None) -> None:
    """A birth date may not lie in the future nor before 1890."""
    if value is None:
        return
    today = today or dt.date.today()
    if value.year < MIN_YEAR:
        raise ValidationError(f"Năm sinh {value.year} không hợp lý.", "birth")
    if value.year > today.year or (value.date is not None and value.date > today):
        raise ValidationError(f"Ngày sinh {value.display()} nằm trong tương lai.", "birth")


def working_year(db: Database, year_column: Any, *where: Any, today: dt.date | None = None) -> int:
    """The year a screen opens on: this year once it holds anything (rows of
    ``year_column`` matching ``where``), otherwise the latest earlier year that does (a
    commune that has not started this year, or a demo, still opens on figures),
    otherwise this year."""
    from sqlalchemy import func, select

    current = (today or dt.date.today()).year
    with db.connect() as conn:
        latest = conn.execute(
            select(func.max(year_column)).where(*where, year_column <= current)
        ).scalar()
    return int(latest) if latest else current
