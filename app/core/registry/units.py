"""Units (đơn vị): schools, agencies, enterprises, armed forces units, with staff count."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import text as vntext
from app.core.db import Database
from app.core.errors import ValidationError
from app.core.models import Hamlet, Unit, UnitKind
from app.core.registry.common import (
    check_length,
    check_non_negative,
    create_row,
    delete_row,
    get_optional,
    get_row,
    name_taken,
    require_text,
    undelete,
    update_row,
)
from app.core.registry.people import clean_phone


@dataclass
class UnitInput:
    name: str
    kind: str = UnitKind.AGENCY.value
    hamlet_id: int | None = None
    address: str | None = None
    head_name: str | None = None
    phone: str | None = None
    staff_count: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class UnitView:
    id: int
    uuid: str
    revision: int
    name: str
    kind: str
    hamlet_id: int | None
    address: str | None
    head_name: str | None
    phone: str | None
    staff_count: int | None
    note: str | None
    deleted: bool


def _apply(s: Session, obj: Unit, data: UnitInput) -> None:
    name = require_text(vntext.normalise(data.name), "Tên đơn vị không được để trống.", "name")
    check_length(name, 300, "Tên đơn vị", "name")
    try:
        kind = UnitKind(data.kind).value
    except ValueError:
        raise ValidationError(f"Loại đơn vị “{data.kind}” không hợp lệ.", "kind") from None
    check_non_negative(data.staff_count, "Số cán bộ, nhân viên", "staff_count")
    get_optional(s, Hamlet, data.hamlet_id)
    if name_taken(s, Unit, name, obj.id):
        raise ValidationError(f"Đã có đơn vị “{name}”.", "name")
    obj.name = name
    obj.kind = kind
    obj.hamlet_id = data.hamlet_id
    obj.address = vntext.normalise_optional(data.address)
    obj.head_name = vntext.normalise_name(data.head_name) or None
    obj.phone = clean_phone(data.phone)
    obj.staff_count = data.staff_count
    obj.note = vntext.normalise_optional(data.note)
    obj.search_text = vntext.search_blob(name, obj.head_name, obj.phone, obj.address)
    obj.sort_key = vntext.sort_key_plain(name)


def create_unit(db: Database, data: UnitInput) -> int:
    return create_row(db, Unit, _apply, data)


def update_unit(
    db: Database, unit_id: int, data: UnitInput, expected_revision: int | None = None
) -> None:
    update_row(db, Unit, unit_id, _apply, data, expected_revision)


def delete_unit(db: Database, unit_id: int) -> None:
    delete_row(db, Unit, unit_id)


def restore_unit(db: Database, unit_id: int) -> None:
    with db.session() as s:
        obj = get_row(s, Unit, unit_id, live=False)
        if name_taken(s, Unit, obj.name, obj.id):
            raise ValidationError(f"Đã có đơn vị “{obj.name}”; không khôi phục được.", "name")
        undelete(obj)


def get_unit(db: Database, unit_id: int) -> UnitView:
    with db.session() as s:
        o = get_row(s, Unit, unit_id, live=False)
        return UnitView(
            o.id,
            o.uuid,
            o.revision,
            o.name,
            o.kind,
            o.hamlet_id,
            o.address,
            o.head_name,
            o.phone,
            o.staff_count,
            o.note,
            o.deleted,
        )


def unit_choices(db: Database) -> list[tuple[int, str]]:
    with db.session() as s:
        rows = s.execute(
            select(Unit.id, Unit.name).where(Unit.deleted.is_(False)).order_by(Unit.sort_key)
        ).all()
    return [(r[0], r[1]) for r in rows]
