"""The yearly cycle: criteria sets, registrations, assessments, recognitions.

Entities of every learning model are referred to by ``model`` + ``entity_id``:
a household (``learning_family``), a clan (``learning_clan``), a hamlet
(``learning_community``), a unit (``learning_unit``), a person
(``learning_citizen``) or the commune itself (``commune_learning_community``,
entity id 0). ``hamlet_id`` is copied in at registration so per-hamlet figures
need no join.

An assessment references the exact criteria-set row it was scored with; a set
that has been used is locked (``locked``) and never edited again — editing makes
a new version.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models.base import Base, SyncMixin


class CriteriaSet(SyncMixin, Base):
    """One version of a criteria set; ``content`` is the validated JSON document."""

    __tablename__ = "criteria_set"
    __table_args__ = (Index("ux_criteria_set_code_version", "code", "version", unique=True),)

    code: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, default=1)
    model: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    content: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    origin: Mapped[str] = mapped_column(String(20), default="builtin")  # builtin|file|edited
    locked: Mapped[bool] = mapped_column(Boolean, default=False)


class CycleYear(SyncMixin, Base):
    """A year of the cycle: open or closed; every close/reopen is logged with its reason."""

    __tablename__ = "cycle_year"

    year: Mapped[int] = mapped_column(Integer, unique=True)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    log: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of events


class Registration(SyncMixin, Base):
    __tablename__ = "registration"
    __table_args__ = (
        Index(
            "ux_registration_live",
            "year",
            "model",
            "entity_id",
            unique=True,
            sqlite_where=text("deleted = 0"),
        ),
    )

    year: Mapped[int] = mapped_column(Integer, index=True)
    model: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    hamlet_id: Mapped[int | None] = mapped_column(Integer, index=True)
    registered_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class Assessment(SyncMixin, Base):
    """Item values (JSON ``{item: value}``), evidence notes and the computed result."""

    __tablename__ = "assessment"
    __table_args__ = (
        Index(
            "ux_assessment_live",
            "year",
            "model",
            "entity_id",
            unique=True,
            sqlite_where=text("deleted = 0"),
        ),
    )

    year: Mapped[int] = mapped_column(Integer, index=True)
    model: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    hamlet_id: Mapped[int | None] = mapped_column(Integer, index=True)
    criteria_set_id: Mapped[int] = mapped_column(ForeignKey("criteria_set.id"), index=True)
    variant: Mapped[str | None] = mapped_column(String(40))
    item_values: Mapped[str] = mapped_column(Text, default="{}")
    evidence: Mapped[str] = mapped_column(Text, default="{}")
    total: Mapped[float] = mapped_column(Float, default=0.0)
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
    result_label: Mapped[str] = mapped_column(String(100), default="")
    level: Mapped[int | None] = mapped_column(Integer)
    assessed_on: Mapped[dt.date | None] = mapped_column(Date)
    assessor: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    # The hamlet's proposal (đề nghị) to the commune: set when proposed, cleared on withdrawal.
    proposed_on: Mapped[dt.date | None] = mapped_column(Date)
    proposed_by: Mapped[str | None] = mapped_column(String(200))
    proposal_number: Mapped[str | None] = mapped_column(String(60))


class RecognitionDecision(SyncMixin, Base):
    """The commune's decision (Quyết định công nhận): number, date, signer."""

    __tablename__ = "recognition_decision"

    year: Mapped[int] = mapped_column(Integer, index=True)
    model: Mapped[str] = mapped_column(String(40))
    number: Mapped[str] = mapped_column(String(60))
    decision_date: Mapped[dt.date] = mapped_column(Date)
    signer_title: Mapped[str] = mapped_column(String(200), default="")
    signer_name: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str | None] = mapped_column(Text)
    # Who issued it: "committee" (UBND xã) or "association" (Hội Khuyến học xã); a signed
    # decision is reprinted by its own body whatever the setting says later. "" = made
    # before this was kept: the model's body setting.
    issuer: Mapped[str] = mapped_column(String(20), default="", server_default="", nullable=False)


class Recognition(SyncMixin, Base):
    """One recognised entity in a decision; valid through ``valid_until`` (a year)."""

    __tablename__ = "recognition"
    __table_args__ = (
        Index(
            "ux_recognition_live",
            "year",
            "model",
            "entity_id",
            unique=True,
            sqlite_where=text("deleted = 0"),
        ),
    )

    decision_id: Mapped[int] = mapped_column(ForeignKey("recognition_decision.id"), index=True)
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    model: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    hamlet_id: Mapped[int | None] = mapped_column(Integer, index=True)
    result_label: Mapped[str] = mapped_column(String(100), default="")
    level: Mapped[int | None] = mapped_column(Integer)
    valid_until: Mapped[int] = mapped_column(Integer)
