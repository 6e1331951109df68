"""Helpers shared by the registry services: loading live rows, soft delete, checks."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from app.core.errors import NotFoundError, ValidationError
from app.core.models import SyncMixin
from app.core.models.base import utcnow

T = TypeVar("T", bound=SyncMixin)

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
