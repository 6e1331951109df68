"""Hamlets (thôn/ấp/bản/tổ dân phố): add, edit, delete (soft) and restore."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core import text as vntext
from app.core.db import Database
from app.core.errors import ValidationError
from app.core.models import Hamlet, HamletKind, Household
from app.core.registry.common import (
    check_length,
    check_revision,
    get_row,
    require_text,
    soft_delete,
    undelete,
)


@dataclass
class HamletInput:
    name: str
    kind: str = HamletKind.THON.value
    note: str | None = None


@dataclass(frozen=True)
class HamletView:
    id: int
    uuid: str
    revision: int
    name: str
    kind: str
    note: str | None
    households: int
    deleted: bool


def _clean(data: HamletInput) -> HamletInput:
    name = require_text(
        vntext.normalise(data.name), "Tên thôn/tổ dân phố không được để trống.", "name"
    )
    check_length(name, 200, "Tên thôn", "name")
    try:
        kind = HamletKind(data.kind).value
    except ValueError:
        raise ValidationError(f"Loại “{data.kind}” không hợp lệ.", "kind") from None
    return HamletInput(name=name, kind=kind, note=vntext.normalise_optional(data.note))


def _apply(obj: Hamlet, data: HamletInput) -> None:
    obj.name = data.name
    obj.kind = data.kind
    obj.note = data.note
    obj.name_folded = vntext.fold(data.name)
    obj.sort_key = vntext.sort_key_plain(data.name)


def _check_unique(session: Session, name: str, except_id: int | None) -> None:
    clash = session.scalar(
        select(Hamlet.id).where(
            Hamlet.deleted.is_(False),
            Hamlet.name_folded == vntext.fold(name),
            Hamlet.id != (except_id or 0),
        )
    )
    if clash:
        raise ValidationError(f"Đã có thôn/tổ dân phố tên “{name}”.", "name")


def create_hamlet(db: Database, data: HamletInput) -> int:
    clean = _clean(data)
    with db.session() as s:
        _check_unique(s, clean.name, None)
        obj = Hamlet()
        _apply(obj, clean)
        s.add(obj)
        s.flush()
        return obj.id


def update_hamlet(
    db: Database, hamlet_id: int, data: HamletInput, expected_revision: int | None = None
) -> None:
    clean = _clean(data)
    with db.session() as s:
        obj = get_row(s, Hamlet, hamlet_id)
        check_revision(obj, expected_revision)
        _check_unique(s, clean.name, hamlet_id)
        _apply(obj, clean)


def delete_hamlet(db: Database, hamlet_id: int) -> None:
    with db.session() as s:
        obj = get_row(s, Hamlet, hamlet_id)
        live = s.scalar(
            select(func.count())
            .select_from(Household)
            .where(Household.hamlet_id == hamlet_id, Household.deleted.is_(False))
        )
        if live:
            raise ValidationError(
                f"Thôn “{obj.name}” còn {live} hộ gia đình. Hãy chuyển các hộ sang thôn khác trước khi xóa."
            )
        soft_delete(obj)


def restore_hamlet(db: Database, hamlet_id: int) -> None:
    with db.session() as s:
        obj = get_row(s, Hamlet, hamlet_id, live=False)
        _check_unique(s, obj.name, hamlet_id)
        undelete(obj)


def get_hamlet(db: Database, hamlet_id: int) -> HamletView:
    with db.session() as s:
        obj = get_row(s, Hamlet, hamlet_id, live=False)
        households = s.scalar(
            select(func.count())
            .select_from(Household)
            .where(Household.hamlet_id == hamlet_id, Household.deleted.is_(False))
        )
        return HamletView(
            obj.id,
            obj.uuid,
            obj.revision,
            obj.name,
            obj.kind,
            obj.note,
            int(households or 0),
            obj.deleted,
        )


def hamlet_choices(db: Database) -> list[tuple[int, str]]:
    """(id, name) of live hamlets in Vietnamese order, for combo boxes."""
    with db.session() as s:
        rows = s.execute(
            select(Hamlet.id, Hamlet.name)
            .where(Hamlet.deleted.is_(False))
            .order_by(Hamlet.sort_key)
        ).all()
    return [(r[0], r[1]) for r in rows]
