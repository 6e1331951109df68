"""Accounts of the commune's people and the hash-chained audit trail.

Neither travels upward as a record: accounts and password hashes never leave the
installation, and the audit trail is the commune's own account of who changed what.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models.base import Base, utcnow


class Account(Base):
    """A person who may open the book, with one role (see app/core/accounts/permissions.py).

    ``password_hash`` and ``recovery_hash`` are argon2id hashes; the recovery code
    itself is shown once, printed, and never stored.
    """

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    recovery_hash: Mapped[str] = mapped_column(String(200), default="")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    # After several wrong passwords in a row, sign-in waits until then (UTC).
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AuditEntry(Base):
    """One audit row: who, when, what (entity, row, field old → new), chained by hash.

    ``hash`` = SHA-256 of the previous row's hash and this row's canonical content
    (app/core/audit/chain.py), so an edited, inserted or deleted row breaks the chain
    from there on; ``local_state.audit_head``/``audit_count`` catch a cut-off tail.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    actor: Mapped[str] = mapped_column(String(80), index=True)
    action: Mapped[str] = mapped_column(String(12))
    entity: Mapped[str] = mapped_column(String(40), index=True)
    row_uuid: Mapped[str] = mapped_column(String(36), default="")
    row_id: Mapped[int | None] = mapped_column(Integer)
    changes: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
