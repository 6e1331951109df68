"""Clans (dòng họ): one branch of a family line living in the commune.

Member households point to their clan (``household.clan_id``); the clan's
hamlets are derived from them, plus the hamlet of its hall (``hamlet_id``).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models.base import Base, SyncMixin


class Clan(SyncMixin, Base):
    __tablename__ = "clan"

    name: Mapped[str] = mapped_column(String(200))
    branch: Mapped[str | None] = mapped_column(String(200))
    head_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", use_alter=True, ondelete="SET NULL"), index=True
    )
    head_name: Mapped[str | None] = mapped_column(String(200))
    hamlet_id: Mapped[int | None] = mapped_column(ForeignKey("hamlet.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text, default="")
    sort_key: Mapped[str] = mapped_column(String(400), default="", index=True)
