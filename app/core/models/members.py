"""The association: branches (chi hội) and members (hội viên).

A member is either a person of the household registry (``person_id``) or an
outsider; ``full_name`` (and birth year, gender) are kept on the member either
way so member lists never need the household registry, and the person service
keeps them in step when the person is edited.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models.base import Base, SyncMixin


class BranchKind(enum.StrEnum):
    HAMLET = "hamlet"
    UNIT = "unit"
    OTHER = "other"


class MemberRole(enum.StrEnum):
    MEMBER = "member"
    BRANCH_CHAIR = "branch_chair"
    BRANCH_VICE_CHAIR = "branch_vice_chair"
    COMMITTEE = "committee"
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    SECRETARY = "secretary"

    @property
    def label(self) -> str:
        return MEMBER_ROLE_LABELS[self]


MEMBER_ROLE_LABELS = {
    MemberRole.MEMBER: "Hội viên",
    MemberRole.BRANCH_CHAIR: "Chi hội trưởng",
    MemberRole.BRANCH_VICE_CHAIR: "Chi hội phó",
    MemberRole.COMMITTEE: "Ủy viên BCH",
    MemberRole.CHAIR: "Chủ tịch Hội",
    MemberRole.VICE_CHAIR: "Phó Chủ tịch Hội",
    MemberRole.SECRETARY: "Thư ký / Văn phòng",
}


class Branch(SyncMixin, Base):
    __tablename__ = "branch"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default=BranchKind.HAMLET.value)
    hamlet_id: Mapped[int | None] = mapped_column(ForeignKey("hamlet.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    sort_key: Mapped[str] = mapped_column(String(400), default="", index=True)


class Member(SyncMixin, Base):
    __tablename__ = "member"
    __table_args__ = (
        Index(
            "ux_member_card_live",
            "card_number",
            unique=True,
            sqlite_where=text("deleted = 0 AND card_number IS NOT NULL"),
        ),
    )

    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    gender: Mapped[str | None] = mapped_column(String(1))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    phone: Mapped[str | None] = mapped_column(String(30))
    address: Mapped[str | None] = mapped_column(String(300))
    card_number: Mapped[str | None] = mapped_column(String(40))
    join_date: Mapped[dt.date | None] = mapped_column(Date)
    role: Mapped[str] = mapped_column(String(30), default=MemberRole.MEMBER.value)
    dues_paid_year: Mapped[int | None] = mapped_column(Integer)
    leave_date: Mapped[dt.date | None] = mapped_column(Date)
    leave_reason: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text, default="")
    sort_key: Mapped[str] = mapped_column(String(400), default="", index=True)
