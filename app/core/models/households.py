"""Households (hộ gia đình) and their people (nhân khẩu).

A person belongs to at most one household (``household_id``); people with no
household are outsiders known to the association (e.g. a member living
elsewhere). Birth is a full date or a year alone (``birth_year`` always set when
anything is known, ``birth_date`` only for a full date).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models.base import Base, SyncMixin


class Gender(enum.StrEnum):
    MALE = "M"
    FEMALE = "F"

    @property
    def label(self) -> str:
        return "Nam" if self is Gender.MALE else "Nữ"


class SchoolLevel(enum.StrEnum):
    """Highest level reached, or the level currently attended."""

    NONE = "none"
    PRESCHOOL = "preschool"
    PRIMARY = "primary"
    LOWER_SECONDARY = "lower_secondary"
    UPPER_SECONDARY = "upper_secondary"
    VOCATIONAL = "vocational"
    COLLEGE = "college"
    UNIVERSITY = "university"
    POSTGRADUATE = "postgraduate"

    @property
    def label(self) -> str:
        return SCHOOL_LEVEL_LABELS[self]


SCHOOL_LEVEL_LABELS = {
    SchoolLevel.NONE: "Chưa đi học / không",
    SchoolLevel.PRESCHOOL: "Mầm non",
    SchoolLevel.PRIMARY: "Tiểu học",
    SchoolLevel.LOWER_SECONDARY: "THCS",
    SchoolLevel.UPPER_SECONDARY: "THPT",
    SchoolLevel.VOCATIONAL: "Trung cấp / nghề",
    SchoolLevel.COLLEGE: "Cao đẳng",
    SchoolLevel.UNIVERSITY: "Đại học",
    SchoolLevel.POSTGRADUATE: "Sau đại học",
}

RELATIONS = (
    "Chủ hộ",
    "Vợ",
    "Chồng",
    "Con",
    "Con dâu",
    "Con rể",
    "Cháu",
    "Bố",
    "Mẹ",
    "Ông",
    "Bà",
    "Anh",
    "Chị",
    "Em",
    "Khác",
)
HEAD_RELATION = "Chủ hộ"


class Circumstance(enum.StrEnum):
    """A household's circumstances (hoàn cảnh), as the commune's lists record them.

    Scholarship and gift programmes pick their recipients by it (poor and near-poor
    households first). The empty value is an ordinary household.
    """

    NORMAL = ""
    POOR = "poor"
    NEAR_POOR = "near_poor"
    POLICY = "policy"
    DIFFICULT = "difficult"

    @property
    def label(self) -> str:
        return CIRCUMSTANCE_LABELS[self]


CIRCUMSTANCE_LABELS = {
    Circumstance.NORMAL: "Bình thường",
    Circumstance.POOR: "Hộ nghèo",
    Circumstance.NEAR_POOR: "Hộ cận nghèo",
    Circumstance.POLICY: "Gia đình chính sách",
    Circumstance.DIFFICULT: "Hoàn cảnh khó khăn",
}


class Household(SyncMixin, Base):
    __tablename__ = "household"

    code: Mapped[str | None] = mapped_column(String(40))
    hamlet_id: Mapped[int | None] = mapped_column(ForeignKey("hamlet.id"), index=True)
    clan_id: Mapped[int | None] = mapped_column(ForeignKey("clan.id"), index=True)
    head_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", use_alter=True, ondelete="SET NULL"), index=True
    )
    head_name: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    # A Circumstance value ("" = ordinary household).
    circumstance: Mapped[str] = mapped_column(
        String(20), default="", server_default="", nullable=False
    )
    # Denormalised for fast lists: folded head name, address and phone.
    search_text: Mapped[str] = mapped_column(Text, default="")
    sort_key: Mapped[str] = mapped_column(String(400), default="", index=True)


class Person(SyncMixin, Base):
    __tablename__ = "person"
    __table_args__ = (
        Index(
            "ux_person_id_number_live",
            "id_number",
            unique=True,
            sqlite_where=text("deleted = 0 AND id_number IS NOT NULL"),
        ),
    )

    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    # The learning unit the person works in (nơi làm việc), for the unit criteria.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    gender: Mapped[str | None] = mapped_column(String(1))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    birth_year: Mapped[int | None] = mapped_column(Integer, index=True)
    relation: Mapped[str | None] = mapped_column(String(40))
    id_number: Mapped[str | None] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(30))
    school_level: Mapped[str | None] = mapped_column(String(30))
    # The grade (lớp N) when it was written ("9/12", "Lớp 6"), and the number of grades of
    # the general-education system it was written in (10 for the North's old "7/10",
    # 12 today; None when "Lớp N" names none). Age and grade together tell whether a
    # child of school age is at the grade of their age.
    school_grade: Mapped[int | None] = mapped_column(Integer)
    school_system: Mapped[int | None] = mapped_column(Integer)
    occupation: Mapped[str | None] = mapped_column(String(200))
    is_studying: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    name_folded: Mapped[str] = mapped_column(String(200), default="")
    search_text: Mapped[str] = mapped_column(Text, default="")
    sort_key: Mapped[str] = mapped_column(String(400), default="", index=True)
