"""Hamlets (thôn, ấp, bản, tổ dân phố …): the residential groups of a commune."""

from __future__ import annotations

import enum

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models.base import Base, SyncMixin


class HamletKind(enum.StrEnum):
    THON = "thon"
    AP = "ap"
    BAN = "ban"
    TO_DAN_PHO = "to_dan_pho"
    KHU_PHO = "khu_pho"
    OTHER = "other"

    @property
    def label(self) -> str:
        return HAMLET_KIND_LABELS[self]


HAMLET_KIND_LABELS = {
    HamletKind.THON: "Thôn",
    HamletKind.AP: "Ấp",
    HamletKind.BAN: "Bản",
    HamletKind.TO_DAN_PHO: "Tổ dân phố",
    HamletKind.KHU_PHO: "Khu phố",
    HamletKind.OTHER: "Khác",
}


class Hamlet(SyncMixin, Base):
    __tablename__ = "hamlet"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default=HamletKind.THON.value)
    note: Mapped[str | None] = mapped_column(Text)
    name_folded: Mapped[str] = mapped_column(String(200), default="")
    sort_key: Mapped[str] = mapped_column(String(400), default="", index=True)
