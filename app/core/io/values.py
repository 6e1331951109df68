"""Cell values as Excel hands them over, turned into what the services expect.

Excel loses leading zeros of phones and ID numbers typed as numbers, shows large
numbers as ``1.23E+11``, keeps dates as real dates, serial numbers or text. Each
helper here returns clean text (or a :class:`PartialDate`) or raises a
:class:`ValidationError` with a Vietnamese reason.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from app.core import text as vntext
from app.core.dates import PartialDate, parse_partial_date
from app.core.errors import ValidationError
from app.core.io.workbook import Cell
from app.core.models.households import (
    CIRCUMSTANCE_LABELS,
    SCHOOL_LEVEL_LABELS,
    Circumstance,
    SchoolLevel,
)

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


_NOT_STUDYING = _NOT | {
    "k",
    "ko",
    "kh",
    "khong hoc",
    "nghi hoc",
    "da nghi hoc",
    "thoi hoc",
    "bo hoc",
    "da tot nghiep",
}


def as_studying(value: Cell) -> bool:
    """An "Đang đi học" cell: a tick or "Có"/"Đang học…" is yes; empty, "Không",
    "0", "nghỉ học" is no; any other text is refused (it may say something the flag
    cannot hold, so the importer keeps it in the note rather than read it as no)."""
    if value is None or value is False:
        return False
    if value is True:
        return True
    if as_flag(value):
        return True
    text = as_text(value)
    folded = " ".join(vntext.fold(text).split())
    if not folded or folded in _NOT_STUDYING:
        return False
    raise ValidationError(
        f"“Đang đi học” ghi “{text}” không rõ là có hay không (ghi “x” hoặc “Có” nếu đang "
        "đi học; để trống hoặc ghi “Không” nếu không).",
        "is_studying",
    )


def as_school_level(value: Cell) -> str | None:
    """The level alone of :func:`parse_school_level`."""
    info = parse_school_level(value)
    return None if info is None else info.level


# Folded words and abbreviations for a school level, besides the labels themselves.
_LEVEL_WORDS: dict[SchoolLevel, tuple[str, ...]] = {
    SchoolLevel.NONE: (
        "mu chu",
        "khong biet chu",
        "chua biet chu",
        "chua di hoc",
        "khong di hoc",
        "khong",
        "chua hoc",
        "khong biet doc biet viet",
    ),
    SchoolLevel.PRESCHOOL: ("mam non", "mau giao", "nha tre", "mn", "mg"),
    # The literacy classes (xoá mù chữ) teach to the first primary grades: literate.
    SchoolLevel.PRIMARY: (
        "tieu hoc",
        "th",
        "cap 1",
        "cap i",
        "c1",
        "biet doc biet viet",
        "biet doc viet",
        "biet chu",
        "xoa mu chu",
        "bo tuc tieu hoc",
        "pho thong cap 1",
    ),
    SchoolLevel.LOWER_SECONDARY: (
        "thcs",
        "trung hoc co so",
        "cap 2",
        "cap ii",
        "c2",
        "ptcs",
        "pho thong co so",
        "bo tuc thcs",
        "pho thong cap 2",
    ),
    SchoolLevel.UPPER_SECONDARY: (
        "thpt",
        "trung hoc pho thong",
        "cap 3",
        "cap iii",
        "c3",
        "ptth",
        "pho thong trung hoc",
        "bo tuc thpt",
        "btvh",
        "bo tuc van hoa",
        "pho thong cap 3",
        "thpt quoc gia",
    ),
    SchoolLevel.VOCATIONAL: (
        "trung cap",
        "tc",
        "tcn",
        "trung cap nghe",
        "so cap",
        "so cap nghe",
        "nghe",
        "hoc nghe",
        "cong nhan ky thuat",
        "cnkt",
        "trung hoc chuyen nghiep",
        "thcn",
        "trung cap chuyen nghiep",
        "tccn",
        "day nghe",
    ),
    SchoolLevel.COLLEGE: ("cao dang", "cd", "cdn", "cao dang nghe", "cao dang su pham", "cdsp"),
    SchoolLevel.UNIVERSITY: (
        "dai hoc",
        "dh",
        "cu nhan",
        "ky su",
        "bac si",
        "duoc si",
        "dhsp",
        "dai hoc su pham",
        "dai hoc tai chuc",
        "tai chuc",
        "dh tai chuc",
        "kien truc su",
        "luat su",
    ),
    SchoolLevel.POSTGRADUATE: (
        "sau dai hoc",
        "thac si",
        "thac sy",
        "ths",
        "tien si",
        "tien sy",
        "ts",
        "cao hoc",
        "nghien cuu sinh",
        "ncs",
        "pho giao su",
        "giao su",
        "pgs",
        "gs",
        "pgs ts",
        "gs ts",
        "tien si khoa hoc",
        "tskh",
        "bac si chuyen khoa",
        "bsck",
        "ckii",
        "cki",
    ),
}
_LEVELS = dict(_SCHOOL)
for _level, _words in _LEVEL_WORDS.items():
    _LEVELS.update({w: _level.value for w in _words})
_LEVEL_RANK = {level.value: rank for rank, level in enumerate(SchoolLevel)}
# Words before the level that add nothing to it: "hết lớp 9", "tốt nghiệp THPT".
_LEVEL_PREFIX = re.compile(
    r"^(?:trinh do|hoc van|het|xong|tot nghiep|tn|da hoc|dang hoc|hoc|hoc het|hoc xong|"
    r"hoc sinh|sinh vien|sv|hs|dang)\s+"
)
_GRADE = re.compile(r"^(?:lop\s*)?(\d{1,2})(?:\s*/\s*(\d{1,2}))?$")
# Grades of each general-education system: (last primary grade, last lower-secondary
# grade). The North's 9- and 10-year systems (1950–1981), the 11-year transition and
# today's 12 years (the South's since 1975).
_SYSTEMS = {9: (4, 7), 10: (4, 7), 11: (5, 8), 12: (5, 9)}


@dataclass(frozen=True)
class SchoolInfo:
    """A school level as written: the level, and the grade (lớp N) of a general-education
    system (``system`` = its number of grades, 9/10/11/12; None when "Lớp N" names none)."""

    level: str
    grade: int | None = None
    system: int | None = None


def _grade_level(grade: int, system: int | None) -> str:
    last_primary, last_lower = _SYSTEMS[system or 12]
    if grade <= last_primary:
        return SchoolLevel.PRIMARY.value
    if grade <= last_lower:
        return SchoolLevel.LOWER_SECONDARY.value
    return SchoolLevel.UPPER_SECONDARY.value


def _one_level(folded: str) -> SchoolInfo | None:
    text = re.sub(r"[^a-z0-9/ ]+", " ", folded.replace(".", ""))
    text = " ".join(text.split())
    while True:
        shorter = _LEVEL_PREFIX.sub("", text)
        if shorter == text:
            break
        text = shorter
    if not text:
        return None
    found = _LEVELS.get(text)
    if found is not None:
        return SchoolInfo(found)
    match = _GRADE.match(text)
    if match is None:
        return None
    grade, system = int(match.group(1)), match.group(2)
    if system is None:
        if not 1 <= grade <= 12:
            return None
        return SchoolInfo(_grade_level(grade, None), grade, None)
    of = int(system)
    if of not in _SYSTEMS or not 1 <= grade <= of:
        return None
    return SchoolInfo(_grade_level(grade, of), grade, of)


def parse_school_level(value: Cell) -> SchoolInfo | None:
    """A school level written freely: "9/12", "10/10" (the old 10-year system),
    "Lớp 6", "ĐH", "CĐ", "Trung cấp", "Tiến sĩ", "Mù chữ", "Biết đọc biết viết",
    "12/12 + Trung cấp"… with or without diacritics. Several parts: the highest level,
    with the grade where one is written. Raises for what it cannot read."""
    text = as_text(value)
    if not text:
        return None
    folded = vntext.fold(text)
    whole = _one_level(folded)
    if whole is not None:
        return whole
    parts = [p for p in re.split(r"[,;+&]|\s-\s|\bva\b", folded) if p.strip()]
    found = [_one_level(p) for p in parts]
    if len(parts) < 2 or any(f is None for f in found):
        raise ValidationError(f"Trình độ “{text}” không rõ.", "school_level")
    infos = [f for f in found if f is not None]
    best = max(infos, key=lambda f: _LEVEL_RANK[f.level])
    graded = next((f for f in infos if f.grade is not None), None)
    if graded is not None and best.grade is None:
        best = SchoolInfo(best.level, graded.grade, graded.system)
    return best


def school_level_in(note: str | None) -> SchoolInfo | None:
    """A school level written in a "Ghi chú" cell ("Lớp 7", "ĐH; con liệt sĩ"): the
    first part that reads as one, else None."""
    if not note:
        return None
    for part in re.split(r"[,;\n]", note):
        if part.strip().isdigit():  # a bare number in a note is not a grade
            continue
        try:
            info = parse_school_level(part)
        except ValidationError:
            continue
        if info is not None:
            return info
    return None


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
