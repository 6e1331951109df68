"""Reporting periods: a quarter, six months, a year, or any range of days.

``period_bounds("2026-Q3")`` → 01/07/2026–30/09/2026; a range typed as dates that is
exactly a quarter, a half or a year is recognised as one, so the title reads
"QUÝ III NĂM 2026" whichever way the secretary asked for it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from app.core.errors import ValidationError

ROMAN = ("I", "II", "III", "IV")
_CODE = re.compile(r"^\s*(\d{4})(?:\s*-\s*([QqHh])\s*([1-4]))?\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_DMY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
PERIOD_HELP = "2026-Q3 (quý), 2026-H1 (6 tháng đầu năm), 2026-H2 hoặc 2026 (cả năm)"


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    kind: str  # quarter | half | year | custom
    index: int = 0  # quarter 1–4 or half 1–2

    @property
    def year(self) -> int:
        """The cycle year the report speaks of (the titles are yearly)."""
        return self.end.year

    @property
    def code(self) -> str:
        if self.kind == "quarter":
            return f"{self.start.year}-Q{self.index}"
        if self.kind == "half":
            return f"{self.start.year}-H{self.index}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    def label(self) -> str:
        """'quý III năm 2026', '6 tháng đầu năm 2026', 'năm 2026' or the two dates."""
        y = self.start.year
        if self.kind == "quarter":
            return f"quý {ROMAN[self.index - 1]} năm {y}"
        if self.kind == "half":
            return f"6 tháng {'đầu' if self.index == 1 else 'cuối'} năm {y}"
        if self.kind == "year":
            return f"năm {y}"
        return f"từ ngày {self.start:%d/%m/%Y} đến ngày {self.end:%d/%m/%Y}"

    def span(self) -> str:
        return f"{self.start:%d/%m/%Y} – {self.end:%d/%m/%Y}"


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def period_bounds(code: str) -> Period:
    """'2026-Q3', '2026-H1' or '2026' → the period with its first and last day."""
    m = _CODE.match(code or "")
    if not m:
        raise ValidationError(f"Kỳ báo cáo “{code}” không hợp lệ; dùng {PERIOD_HELP}.", "period")
    year = int(m.group(1))
    if not 1900 <= year <= 2999:
        raise ValidationError(f"Năm {year} không hợp lệ.", "period")
    letter, number = (m.group(2) or "").upper(), int(m.group(3) or 0)
    if letter == "Q":
        first = 3 * (number - 1) + 1
        return Period(dt.date(year, first, 1), _month_end(year, first + 2), "quarter", number)
    if letter == "H":
        if number > 2:
            raise ValidationError(f"Nửa năm chỉ có H1 hoặc H2 (nhận “{code}”).", "period")
        first = 1 if number == 1 else 7
        return Period(dt.date(year, first, 1), _month_end(year, first + 5), "half", number)
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), "year")


def parse_day(text: str, what: str) -> dt.date:
    """'2026-07-01' or '01/07/2026' → a date; anything else is refused in Vietnamese.

    ``what`` names the day in the message: "bắt đầu" or "kết thúc".
    """
    m = _ISO.match(text or "")
    parts = (m.group(1), m.group(2), m.group(3)) if m else None
    if parts is None and (m := _DMY.match(text or "")):
        parts = (m.group(3), m.group(2), m.group(1))
    try:
        if parts is None:
            raise ValueError
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError as exc:
        raise ValidationError(
            f"Ngày {what} “{text}” không hợp lệ; nhập dạng 2026-07-01 hoặc 01/07/2026."
        ) from exc


def period_between(start: dt.date, end: dt.date) -> Period:
    """The period of these two days; a whole quarter, half or year is named as such."""
    if start > end:
        raise ValidationError(
            f"Ngày bắt đầu {start:%d/%m/%Y} sau ngày kết thúc {end:%d/%m/%Y}.", "from"
        )
    if start.year == end.year and start.day == 1 and end == _month_end(end.year, end.month):
        months = (start.month, end.month)
        if months == (1, 12):
            return Period(start, end, "year")
        if months in ((1, 6), (7, 12)):
            return Period(start, end, "half", 1 if start.month == 1 else 2)
        if end.month - start.month == 2 and start.month % 3 == 1:
            return Period(start, end, "quarter", start.month // 3 + 1)
    return Period(start, end, "custom")
