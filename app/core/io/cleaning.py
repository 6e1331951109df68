"""A sheet's people rows turned into the values the registry stores, fast.

The rules are exactly the entry forms' (:mod:`app.core.io.values` for what Excel
hands over, then :func:`app.core.registry.people.clean_person`), applied field by
field. A sheet of 30,000 people holds a few hundred distinct names, dates, genders,
relations and hamlets, so every conversion is memoised per file: each distinct cell
value is converted (or refused) once. Errors are raised in the order the form rules
raise them, so a row with two faults gets the same reason as before.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from app.core import text as vntext
from app.core.dates import MIN_YEAR, PartialDate, check_birth
from app.core.errors import ValidationError
from app.core.io import values as cells
from app.core.io.workbook import Cell
from app.core.registry.common import check_length, require_text
from app.core.registry.people import (
    CleanPerson,
    clean_gender,
    clean_id_number,
    clean_phone,
    clean_school_level,
)

PersonRow = dict[str, Any]  # the person columns of _PERSON_FIELDS, without household_id
Issue = tuple[str, str, str]  # (field, text as written, Vietnamese reason): a warning
_MISSING: Any = object()
_SEPARATORS = "/.-"


class _Refused:
    """A memoised ValidationError (a fresh exception is raised on every hit)."""

    __slots__ = ("field", "message")

    def __init__(self, err: ValidationError) -> None:
        self.message = err.message
        self.field = err.field


def _key(value: Any) -> Any:
    # 1, 1.0 and True are equal dict keys but not equal cells ("1" vs "x").
    return value if value.__class__ is str else (value.__class__, value)


class CellMemo:
    """Per-file caches of pure cell conversions."""

    def __init__(self, today: dt.date | None = None) -> None:
        self.today = today or dt.date.today()
        self._text: dict[Any, str | None] = {}
        self._caches: dict[str, dict[Any, Any]] = {
            "as_birth": {},
            "clean_name": {},
            "gender": {},
        }
        self._name_keys: dict[str, tuple[str, str]] = {}

    def call(self, what: str, fn: Callable[[Any], Any], value: Any) -> Any:
        """``fn(value)``, computed once per distinct value; refusals re-raised."""
        cache = self._caches.get(what)
        if cache is None:
            cache = self._caches[what] = {}
        key = _key(value)
        hit = cache.get(key, _MISSING)
        if hit is _MISSING:
            try:
                hit = fn(value)
            except ValidationError as err:
                hit = _Refused(err)
            cache[key] = hit
        if hit.__class__ is _Refused:
            raise ValidationError(hit.message, hit.field)
        return hit

    def text(self, value: Cell) -> str | None:
        """:func:`values.as_text`, memoised."""
        if value is None:
            return None
        key = _key(value)
        hit = self._text.get(key, _MISSING)
        if hit is _MISSING:
            hit = self._text[key] = cells.as_text(value)
        return hit  # type: ignore[no-any-return]

    def name(self, value: str | None) -> str:
        """:func:`text.normalise_name`, memoised."""
        return self.call("normalise_name", vntext.normalise_name, value)  # type: ignore[no-any-return]

    def name_keys(self, name: str) -> tuple[str, str]:
        """(folded name, sort key) of a clean name."""
        hit = self._name_keys.get(name)
        if hit is None:
            hit = self._name_keys[name] = (vntext.fold(name), vntext.sort_key(name))
        return hit

    def birth(self, value: Cell) -> PartialDate | None:
        if value is None:
            return None
        return self.call("as_birth", self._as_birth, value)  # type: ignore[no-any-return]

    def _as_birth(self, value: Cell) -> PartialDate | None:
        if value.__class__ is str and len(value) == 10 and value.isascii():
            # The common "dd/mm/yyyy" (or "." "-") straight away; anything else, or a
            # date that does not exist, goes the long way for the exact message.
            day, month, year = value[:2], value[3:5], value[6:]
            if (
                value[2] in _SEPARATORS
                and value[5] in _SEPARATORS
                and (day + month + year).isdigit()
            ):
                try:
                    return PartialDate(int(year), dt.date(int(year), int(month), int(day)))
                except ValueError:
                    pass
        return cells.as_birth(value, self.today)

    def person(self, values: dict[str, Cell], issues: list[Issue] | None = None) -> PersonRow:
        """One sheet row's person: each cell through :mod:`values`, then ``clean_person``.

        Without ``issues`` every fault refuses the row, exactly as the form rules do.
        With it, only what makes the row unusable refuses it (no name, a birth with no
        readable year); a fault in a secondary cell (gender, ID number, phone, school
        level, a date that does not exist but whose year is clear) drops that value,
        appends ``(field, written text, reason)`` to ``issues`` and keeps the written
        text in the note, so nothing typed is lost.

        The common cells (text names, dates, genders) are looked up in the caches
        inline; anything else, or a refusal, takes the memoised long way."""
        get = values.get
        texts = self._text
        caches = self._caches
        found: list[Issue] = []
        cell = get("birth")
        birth = None
        if cell is not None:
            birth = caches["as_birth"].get(cell)
            if birth.__class__ is not PartialDate:
                try:
                    birth = self.birth(cell)
                except ValidationError as err:
                    if issues is None:
                        raise
                    birth = self._year_of(cell, err, found)
        cell = get("gender")
        gender_text = None if cell is None else texts.get(cell) or self.text(cell)
        male, female = get("male_tick"), get("female_tick")
        if male is not None or female is not None:
            # Old registers write the birth year under "Nam" or "Nữ": both at once.
            for tick, label in ((male, "Nam"), (female, "Nữ")):
                if birth is None and not gender_text and looks_like_birth(tick):
                    try:
                        birth = self.birth(tick)
                    except ValidationError as err:
                        if issues is None:
                            raise
                        birth = self._year_of(tick, err, found)
                    gender_text, male, female = label, None, None
        try:
            gender = gender_text or cells.as_gender(None, male, female)
        except ValidationError as err:
            if issues is None:
                raise
            found.append(("gender", "Nam và Nữ", err.message))
            gender = None
        cell = get("relation")
        relation = None if cell is None else texts.get(cell) or self.text(cell)
        id_cell = get("id_number")
        try:
            id_text = _id_text(id_cell)
        except ValidationError as err:
            if issues is None:
                raise
            found.append(("id_number", self.text(id_cell) or "", err.message))
            id_text = id_cell = None
        cell = get("phone")
        phone = None if cell is None else self.text(cell)
        cell = get("school_level")
        school: cells.SchoolInfo | None = None
        if cell is not None:
            try:
                school = self.call("school", cells.parse_school_level, cell)
            except ValidationError as err:
                if issues is None:
                    raise
                found.append(("school_level", self.text(cell) or "", err.message))
        cell = get("occupation")
        occupation = None if cell is None else self.text(cell)
        cell = get("is_studying")
        is_studying = False
        if cell is not None:
            try:
                is_studying = self.call("studying", cells.as_studying, cell)
            except ValidationError as err:
                if issues is None:
                    raise
                found.append(("is_studying", self.text(cell) or "", err.message))
        cell = get("note")
        note = None if cell is None else self.text(cell)
        if (
            school is None
            and note is not None
            and issues is not None
            and "school_level" not in values
        ):
            school = self.call("school_note", cells.school_level_in, note)
        # clean_person's rules, in its order (the cells above were its input).
        cell = get("full_name")
        name = caches["clean_name"].get(cell) if cell.__class__ is str else None
        if name.__class__ is not str:
            name = self.call("clean_name", _clean_name, self.text(cell) or "")
        if birth is not None and (
            birth.year < MIN_YEAR
            or birth.year > self.today.year
            or (birth.date is not None and birth.date > self.today)
        ):
            check_birth(birth, self.today)  # raises, with the form's message
        if gender is not None:
            clean = caches["gender"].get(gender)
            if clean.__class__ is str:
                gender = clean
            else:
                try:
                    gender = self.call("gender", clean_gender, gender)
                except ValidationError as err:
                    if issues is None:
                        raise
                    found.append(("gender", gender, err.message))
                    gender = None
        try:
            id_number = _clean_id(id_text)
        except ValidationError as err:
            if issues is None:
                raise
            found.append(("id_number", id_text or "", err.message))
            id_number = None
        if phone is not None:
            try:
                phone = self.call("phone", clean_phone, phone)
            except ValidationError as err:
                if issues is None:
                    raise
                found.append(("phone", phone, err.message))
                phone = None
        level = None
        if school is not None:
            level = self.call("school_level", clean_school_level, school.level)
        if found:
            assert issues is not None
            issues.extend(found)
            note = keep_in_note(note, [(f, raw) for f, raw, _reason in found])
        return {
            "full_name": name,
            "gender": gender,
            "birth_date": birth.date if birth is not None else None,
            "birth_year": birth.year if birth is not None else None,
            "relation": relation,
            "id_number": id_number,
            "phone": phone,
            "school_level": level,
            "school_grade": None if school is None else school.grade,
            "school_system": None if school is None else school.system,
            "occupation": occupation,
            "is_studying": bool(is_studying),
            "note": note,
        }

    def _year_of(self, cell: Cell, err: ValidationError, found: list[Issue]) -> PartialDate:
        """The year alone of a birth that cannot be read as a whole ("31/02/1980"), with
        an issue; re-raises ``err`` when no single year can be seen in it."""
        text = self.text(cell) or ""
        years = {int(y) for y in _YEAR.findall(text)}
        if len(years) != 1:
            raise err
        year = years.pop()
        found.append(("birth", text, f"{err.message} Đã giữ năm sinh {year}."))
        return PartialDate(year)


# Field keys → the words a note uses for a value kept there (the mapping labels).
_NOTE_LABELS = {
    "birth": "Ngày sinh",
    "gender": "Giới tính",
    "id_number": "Số CCCD",
    "phone": "Điện thoại",
    "school_level": "Trình độ",
    "circumstance": "Hoàn cảnh",
    "relation": "Quan hệ",
    "occupation": "Nghề nghiệp",
    "is_studying": "Đang đi học",
    "household_code": "Số hộ",
    "hamlet": "Thôn",
    "address": "Địa chỉ",
}
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")


def keep_in_note(note: str | None, kept: list[tuple[str, str]]) -> str | None:
    """The note with each (field, written text) appended as "Trình độ: 9/12a" — the same
    text on every import of the same row, so importing it again changes nothing."""
    parts = [note] if note else []
    for key, raw in kept:
        piece = f"{_NOTE_LABELS.get(key, key)}: {raw}"
        if piece not in parts and not (note and piece in note):
            parts.append(piece)
    return "; ".join(parts) or None


def _clean_name(text: str) -> str:
    name = require_text(vntext.normalise_name(text), "Họ tên không được để trống.", "full_name")
    check_length(name, 200, "Họ tên", "full_name")
    if not any(ch.isalpha() for ch in name):  # "3" from a count column is nobody
        raise ValidationError(f"Họ tên “{name}” không có chữ nào.", "full_name")
    return name


def _id_text(value: Cell) -> str | None:
    """:func:`values.as_digits` for an ID number; plain digit text passes straight."""
    if value is None:
        return None
    if value.__class__ is str and value.isascii() and value.isdigit():
        return value  # type: ignore[no-any-return]
    return cells.as_digits(value, (9, 12), "Số CCCD")


def _clean_id(text: str | None) -> str | None:
    if text is None:
        return None
    if text.isascii() and text.isdigit() and len(text) in (9, 12):
        return text
    return clean_id_number(text)


def looks_like_birth(value: Cell) -> bool:
    if isinstance(value, dt.date):
        return True
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A year, or an Excel serial date (3000 ≈ 1908 … 80000 ≈ 2119) shown as a number.
        return 1890 <= value <= 2999 or 3000 < value < 80000
    text = cells.as_text(value) or ""
    return len(text) >= 4 and any(ch.isdigit() for ch in text)


def person_row(p: CleanPerson) -> PersonRow:
    """A :class:`CleanPerson` (members typed in one cell) as a person row."""
    return {
        "full_name": p.full_name,
        "gender": p.gender,
        "birth_date": p.birth.date if p.birth else None,
        "birth_year": p.birth.year if p.birth else None,
        "relation": p.relation,
        "id_number": p.id_number,
        "phone": p.phone,
        "school_level": p.school_level,
        "school_grade": None,
        "school_system": None,
        "occupation": p.occupation,
        "is_studying": p.is_studying,
        "note": p.note,
    }


def search_text(folded_name: str, id_number: str | None, phone: str | None) -> str:
    """:func:`text.search_blob` of (name, ID number, phone); digits fold to themselves."""
    parts = [folded_name]
    for value in (id_number, phone):
        if value:
            parts.append(value if value.isascii() and value.isdigit() else vntext.fold(value))
    return " | ".join(parts)
