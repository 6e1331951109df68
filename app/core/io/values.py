"""Cell values as Excel hands them over, turned into what the services expect.

Excel loses leading zeros of phones and ID numbers typed as numbers, shows large
numbers as ``1.23E+11``, keeps dates as real dates, serial numbers or text. Each
helper here returns clean text (or a :class:`PartialDate`) or raises a
:class:`ValidationError` with a Vietnamese reason.
"""

from __future__ import annotations

import datetime as dt
import re

from app.core import text as vntext
from app.core.dates import PartialDate, parse_partial_date
from app.core.errors import ValidationError
from app.core.io.workbook import Cell
from app.core.models.households import CIRCUMSTANCE_LABELS, SCHOOL_LEVEL_LABELS, Circumstance

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_ERRORS = ("#REF!", "#VALUE!", "#N/A", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!")
_EXPONENT = re.compile(r"^\d+(?:[.,]\d+)?[eE]\+\d+$")
_TICKS = {"x", "v", "1", "co", "yes", "true", "\u2713", "\u2714", "+"}
_NOT = {"khong", "0", "no", "false", "khong di hoc", "-"}
_SCHOOL = {vntext.fold(label): level.value for level, label in SCHOOL_LEVEL_LABELS.items()}
_SCHOOL.update({vntext.fold(level.value): level.value for level in SCHOOL_LEVEL_LABELS})
# Folded words secretaries write in a "Hoàn cảnh" column, besides the labels themselves.
_CIRCUMSTANCE = {vntext.fold(label): c.value for c, label in CIRCUMSTANCE_LABELS.items()} | {
    "ngheo": Circumstance.POOR.value,
    "hn": Circumstance.POOR.value,
    "can ngheo": Circumstance.NEAR_POOR.value,
    "hcn": Circumstance.NEAR_POOR.value,
    "chinh sach": Circumstance.POLICY.value,
    "gd chinh sach": Circumstance.POLICY.value,
    "gia dinh chinh sach": Circumstance.POLICY.value,
    "ho chinh sach": Circumstance.POLICY.value,
    "gdcs": Circumstance.POLICY.value,
    "kho khan": Circumstance.DIFFICULT.value,
    "ho kho khan": Circumstance.DIFFICULT.value,
    "hoan canh kho khan": Circumstance.DIFFICULT.value,
    "gia dinh kho khan": Circumstance.DIFFICULT.value,
    "hckk": Circumstance.DIFFICULT.value,
    **{c.value.replace("_", " "): c.value for c in Circumstance if c.value},
    "binh thuong": Circumstance.NORMAL.value,
    "khong": Circumstance.NORMAL.value,
    "-": Circumstance.NORMAL.value,
}


def is_error(value: Cell) -> bool:
    return isinstance(value, str) and value.strip().upper() in _ERRORS


def as_text(value: Cell) -> str | None:
    """Any cell as normalised text: 12.0 → "12", a date → "dd/mm/yyyy"."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "x" if value else None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    return vntext.normalise_optional(str(value))


def as_digits(value: Cell, lengths: tuple[int, ...], what: str) -> str | None:
    """An ID number or code typed as a number: no exponent, leading zero restored."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            raise ValidationError(f"{what} “{value}” không hợp lệ.")
        digits = f"{int(value):d}"
        # Leading zeros lost in a number cell: CCCD "001…" keeps only 10 digits.
        for length in sorted(lengths):
            if length - 2 <= len(digits) < length:
                return digits.zfill(length)
        return digits
    text = vntext.normalise(str(value))
    if _EXPONENT.match(text):
        raise ValidationError(
            f"{what} “{text}” đã bị Excel làm tròn thành dạng số mũ; hãy định dạng cột "
            "là Văn bản (Text) và gõ lại số đầy đủ."
        )
    return text or None


def as_birth(value: Cell, today: dt.date | None = None) -> PartialDate | None:
    """Birth from a real date, a serial number, a year, or text in Vietnamese order."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return PartialDate.of(value.date())
    if isinstance(value, dt.date):
        return PartialDate.of(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = int(value)
        if 1000 <= number <= 2999:
            return PartialDate(number)
        if 3000 < number < 80000:
            return PartialDate.of(_EXCEL_EPOCH + dt.timedelta(days=number))
        raise ValidationError(f"“{value}” không phải là ngày sinh hay năm sinh.")
    text = vntext.normalise(str(value))
    if text.isdigit() and len(text) == 5:
        return as_birth(int(text), today)
    return parse_partial_date(text, today)


def as_gender(value: Cell, male: Cell = None, female: Cell = None) -> str | None:
    """ "Nam"/"Nữ" from one column, or a tick in one of two columns "Nam" | "Nữ"."""
    text = as_text(value)
    if text:
        return text
    male_tick, female_tick = is_tick(male), is_tick(female)
    if male_tick and female_tick:
        raise ValidationError("Đánh dấu cả hai cột Nam và Nữ.")
    if male_tick:
        return "Nam"
    if female_tick:
        return "Nữ"
    return None


def is_tick(value: Cell) -> bool:
    if value is None or value is False:
        return False
    if value is True:
        return True
    if isinstance(value, int | float):
        return value != 0
    folded = vntext.fold(str(value))
    return bool(folded) and folded not in _NOT


def as_flag(value: Cell) -> bool:
    if value is None or value is False:
        return False
    folded = vntext.fold(as_text(value))
    return folded in _TICKS or folded.startswith("dang") or folded == "co"


def as_school_level(value: Cell) -> str | None:
    text = as_text(value)
    if not text:
        return None
    level = _SCHOOL.get(vntext.fold(text))
    if level is None:
        raise ValidationError(f"Trình độ “{text}” không rõ.")
    return level


def as_circumstance(value: Cell) -> str | None:
    """A household's circumstances from a "Hoàn cảnh" cell ("Hộ nghèo", "can ngheo",
    "GĐ chính sách"…, or a code such as "near_poor"): a :class:`Circumstance` value,
    None for an empty cell."""
    text = as_text(value)
    if not text:
        return None
    folded = re.sub(r"[^a-z0-9-]+", " ", vntext.fold(text))
    found = _CIRCUMSTANCE.get(" ".join(folded.split()))
    if found is None:
        known = ", ".join(c.label for c in Circumstance)
        raise ValidationError(f"Hoàn cảnh “{text}” không rõ. Ghi một trong: {known}.")
    return found
