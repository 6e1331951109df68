"""Helpers shared by the registry services: loading live rows, soft delete, checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core import text as vntext
from app.core.errors import NotFoundError, ValidationError
from app.core.models import SyncMixin
from app.core.models.base import utcnow

if TYPE_CHECKING:
    from app.core.db import Database

T = TypeVar("T", bound=SyncMixin)
D = TypeVar("D")
Apply = Callable[[Session, T, D], None]

ENTITY_LABELS: dict[str, str] = {
    "hamlet": "thôn/tổ dân phố",
    "household": "hộ gia đình",
    "person": "nhân khẩu",
    "clan": "dòng họ",
    "unit": "đơn vị",
    "branch": "chi hội",
    "member": "hội viên",
}


def label_of(model: type[SyncMixin]) -> str:
    return ENTITY_LABELS.get(getattr(model, "__tablename__", ""), "bản ghi")


def get_row(session: Session, model: type[T], row_id: int, *, live: bool = True) -> T:
    """The row with ``row_id``; a deleted row counts as missing unless ``live`` is False."""
    obj = session.get(model, row_id)
    if obj is None or (live and obj.deleted):
        raise NotFoundError(f"Không tìm thấy {label_of(model)} (mã {row_id}).")
    return obj


def get_optional(session: Session, model: type[T], row_id: int | None) -> T | None:
    return None if row_id is None else get_row(session, model, row_id)


def check_revision(obj: SyncMixin, expected: int | None) -> None:
    """Refuse an edit made on a stale copy (someone saved in between)."""
    if expected is not None and obj.revision != expected:
        raise ValidationError(
            f"{label_of(type(obj)).capitalize()} này vừa được sửa ở nơi khác. "
            "Hãy mở lại và sửa lần nữa."
        )


def soft_delete(obj: SyncMixin) -> None:
    obj.deleted = True
    obj.deleted_at = utcnow()


def undelete(obj: SyncMixin) -> None:
    obj.deleted = False
    obj.deleted_at = None


def require_text(value: str, message: str, field: str) -> str:
    if not value:
        raise ValidationError(message, field)
    return value


def check_length(value: str | None, limit: int, what: str, field: str) -> None:
    if value and len(value) > limit:
        raise ValidationError(f"{what} quá dài (tối đa {limit} ký tự).", field)


def check_non_negative(value: int | None, what: str, field: str) -> None:
    if value is not None and value < 0:
        raise ValidationError(f"{what} không được âm.", field)


def create_row(db: Database, model: type[T], apply: Apply[T, D], data: D) -> int:
    """One unit of work: a new row of ``model`` filled (and checked) by ``apply``."""
    with db.session() as s:
        obj = model()
        apply(s, obj, data)
        s.add(obj)
        s.flush()
        return obj.id


def update_row(
    db: Database,
    model: type[T],
    row_id: int,
    apply: Apply[T, D],
    data: D,
    expected_revision: int | None = None,
) -> None:
    """One unit of work: a live row refilled by ``apply``, refused if edited meanwhile."""
    with db.session() as s:
        obj = get_row(s, model, row_id)
        check_revision(obj, expected_revision)
        apply(s, obj, data)


def delete_row(db: Database, model: type[T], row_id: int) -> None:
    """Soft delete: the row stays (a tombstone for the upward bundles) and can be restored."""
    with db.session() as s:
        soft_delete(get_row(s, model, row_id))


def name_taken(session: Session, model: Any, name: str, except_id: int | None, *same: Any) -> bool:
    """Whether another live row of ``model`` bears ``name`` (without diacritics or case),
    among the rows matching the extra conditions ``same`` (a clan's branch, say).

    Names are unique among live rows: checked on every save and on every restore,
    since a row of the same name may have been added while one was deleted.
    """
    clash = session.scalar(
        select(model.id).where(
            model.deleted.is_(False),
            func.vn_fold(model.name) == vntext.fold(name),
            model.id != (except_id or 0),
            *same,
        )
    )
    return clash is not None
