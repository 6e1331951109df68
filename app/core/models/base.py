"""Declarative base and the columns every syncable row carries.

Every syncable row has a permanent UUID, created/updated timestamps
(informational: commune clocks are often wrong), a revision that grows by one on
each edit (SQLAlchemy's version counter, so a stale edit fails instead of
overwriting), a soft-delete flag (deletions travel upward as tombstones), the
commune it belongs to, and ``change_seq`` — a value of the local, monotonically
increasing change counter written on every insert/update/delete. Upward bundles
select rows by ``change_seq``, never by clock (``shared/sync.md``).

Partial unique indexes ("among live rows") carry ``sqlite_where`` here; their
PostgreSQL form (``postgresql_where``, for the province hub) is written in the
migrations only: a ``postgresql_*`` option on a model makes SQLAlchemy import its
PostgreSQL dialect at every start of the desktop app (≈ 50 ms).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, DateTime, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def new_uuid() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SyncMixin:
    """Shared columns of every syncable entity (see module docstring)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    commune_code: Mapped[str] = mapped_column(String(8), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    change_seq: Mapped[int] = mapped_column(Integer, default=0, index=True)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, object]:
        return {"version_id_col": cls.revision}
