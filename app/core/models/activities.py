"""The association's activities: trainings, literacy and continuing-education classes,
and sessions of the community learning centre (TTHTCĐ).

An activity counts its participants either by links to the registries
(``ActivityParticipant``: members for a training, people for a class) or, when
nobody is linked, by the typed ``participants_count`` (a class of 25 learners
whose names the secretary does not keep).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models.base import Base, SyncMixin


class ActivityKind(enum.StrEnum):
    TRAINING = "training"
    LITERACY = "literacy"
    CONTINUING = "continuing"
    CENTRE = "centre"


ACTIVITY_KIND_LABELS = {
    ActivityKind.TRAINING: "Tập huấn",
    ActivityKind.LITERACY: "Lớp xóa mù chữ",
    ActivityKind.CONTINUING: "Lớp chuyên đề",
    ActivityKind.CENTRE: "Sinh hoạt TTHTCĐ",
}


class Activity(SyncMixin, Base):
    """One training, class or learning-centre session."""

    __tablename__ = "activity"
    __table_args__ = (Index("ix_activity_kind_start", "kind", "start_date"),)

    kind: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str] = mapped_column(String(300))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    hours: Mapped[int | None] = mapped_column(Integer)
    participants_count: Mapped[int] = mapped_column(Integer, default=0)
    place: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str | None] = mapped_column(Text)


class ActivityParticipant(SyncMixin, Base):
    """A member (trainings) or a person (classes) who took part in an activity."""

    __tablename__ = "activity_participant"

    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
