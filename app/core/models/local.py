"""Rows that never leave this installation: the change counter and settings."""

from __future__ import annotations

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models.base import Base


class LocalState(Base):
    """Exactly one row (id = 1): the installation id and the change counter."""

    __tablename__ = "local_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    installation_id: Mapped[str] = mapped_column(String(36))
    change_counter: Mapped[int] = mapped_column(Integer, default=0)
    # The audit chain's last hash and length (app/core/audit/chain.py): a trail whose
    # newest rows were deleted no longer ends where this says.
    audit_head: Mapped[str] = mapped_column(String(64), default="", server_default="")
    audit_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Setting(Base):
    """Key/value settings that belong to the data (commune, signers, backups).

    Values are JSON text; :mod:`app.core.settings` declares the keys with types.
    """

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
