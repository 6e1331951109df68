"""Field rules for a person (nhân khẩu), shared by households and members.

Cleaning turns what was typed into what is stored: NFC names in title case when
typed in capitals, a birth date or year alone, ID numbers and phones as digits
(a phone that lost its leading 0 in Excel gets it back).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from app.core import text as vntext
from app.core.dates import PartialDate, check_birth, parse_partial_date
from app.core.errors import ValidationError
from app.core.models import Gender, Person, SchoolLevel, Unit
from app.core.registry.common import check_length, require_text

# ``PersonInput.unit_id`` default: leave the stored workplace link as it is (screens and
# imports that do not show the field never clear it).
KEEP_UNIT = -1


@dataclass
class PersonInput:
    full_name: str
    gender: str | None = None
    birth: PartialDate | str | None = None
    relation: str | None = None
    id_number: str | None = None
    phone: str | None = None
    school_level: str | None = None
    occupation: str | None = None
    is_studying: bool = False
    note: str | None = None
    unit_id: int | None = KEEP_UNIT  # the learning unit the person works in (nơi làm việc)


@dataclass(frozen=True)
class CleanPerson:
    full_name: str
    gender: str | None
    birth: PartialDate | None
    relation: str | None
    id_number: str | None
    phone: str | None
    school_level: str | None
    occupation: str | None
    is_studying: bool
    note: str | None
    unit_id: int | None = KEEP_UNIT


def clean_phone(value: str | None) -> str | None:
    digits = vntext.digits_only(value)
    if not digits:
        return None
    if digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if len(digits) == 9 and not digits.startswith("0"):
        digits = "0" + digits
    if not 8 <= len(digits) <= 11:
        raise ValidationError(f"Số điện thoại “{value}” không hợp lệ.", "phone")
    return digits


def clean_id_number(value: str | None) -> str | None:
    raw = vntext.normalise(value)
    if not raw:
        return None
    digits = vntext.digits_only(raw)
    if len(digits) != len(raw.replace(" ", "")) or len(digits) not in (9, 12):
        raise ValidationError(
            f"Số CCCD/CMND “{raw}” không hợp lệ (CCCD có 12 chữ số, CMND cũ có 9).", "id_number"
        )
    return digits


# Genders as secretaries write them ("Trai"/"Gái" for children, "nam giới"), folded.
_MALE = frozenset({"m", "nam", "male", "trai", "nam gioi", "gioi nam"})
_FEMALE = frozenset({"f", "nu", "female", "gai", "nu gioi", "gioi nu"})


def clean_gender(value: str | None) -> str | None:
    if not value:
        return None
    folded = " ".join(vntext.fold(value).split())
    if folded in _MALE:
        return Gender.MALE.value
    if folded in _FEMALE:
        return Gender.FEMALE.value
    raise ValidationError(f"Giới tính “{value}” không hợp lệ (Nam hoặc Nữ).", "gender")


def clean_school_level(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return SchoolLevel(value).value
    except ValueError:
        raise ValidationError(f"Trình độ “{value}” không hợp lệ.", "school_level") from None


def clean_person(data: PersonInput, today: dt.date | None = None) -> CleanPerson:
    name = require_text(
        vntext.normalise_name(data.full_name), "Họ tên không được để trống.", "full_name"
    )
    check_length(name, 200, "Họ tên", "full_name")
    if not any(ch.isalpha() for ch in name):  # "3" from a count column is nobody
        raise ValidationError(f"Họ tên “{name}” không có chữ nào.", "full_name")
    birth = data.birth
    if isinstance(birth, str):
        birth = parse_partial_date(birth, today)
    check_birth(birth, today)
    return CleanPerson(
        full_name=name,
        gender=clean_gender(data.gender),
        birth=birth,
        relation=vntext.normalise_optional(data.relation),
        id_number=clean_id_number(data.id_number),
        phone=clean_phone(data.phone),
        school_level=clean_school_level(data.school_level),
        occupation=vntext.normalise_optional(data.occupation),
        is_studying=bool(data.is_studying),
        note=vntext.normalise_optional(data.note),
        unit_id=data.unit_id,
    )


def apply_person(obj: Person, data: CleanPerson) -> None:
    obj.full_name = data.full_name
    obj.gender = data.gender
    obj.birth_date = data.birth.date if data.birth else None
    obj.birth_year = data.birth.year if data.birth else None
    obj.relation = data.relation
    obj.id_number = data.id_number
    obj.phone = data.phone
    if obj.school_level != data.school_level:  # a grade written for another level
        obj.school_grade = obj.school_system = None
    obj.school_level = data.school_level
    obj.occupation = data.occupation
    obj.is_studying = data.is_studying
    obj.note = data.note
    if data.unit_id != KEEP_UNIT:
        obj.unit_id = data.unit_id
    obj.name_folded = vntext.fold(data.full_name)
    obj.search_text = vntext.search_blob(data.full_name, data.id_number, data.phone)
    obj.sort_key = vntext.sort_key(data.full_name)


def check_unit(session: Session, data: CleanPerson) -> None:
    """The workplace named must be a unit still in the registry."""
    if data.unit_id in (None, KEEP_UNIT):
        return
    unit = session.get(Unit, data.unit_id)
    if unit is None or unit.deleted:
        raise ValidationError(f"Không tìm thấy đơn vị có mã {data.unit_id}.", "unit_id")


def as_head(data: CleanPerson) -> CleanPerson:
    return replace(data, relation="Chủ hộ")
