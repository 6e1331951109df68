"""The study-promotion fund (quỹ khuyến học): ledger entries, awards and dues.

Money is integer đồng. An entry is never deleted: cancelling keeps the row (and
its voucher number) with a reason, so the ledger shows what happened. Voucher
numbers run per year and kind (phiếu thu / phiếu chi), starting at 1.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models.base import Base, SyncMixin


class EntryKind(enum.StrEnum):
    RECEIPT = "receipt"
    PAYMENT = "payment"


ENTRY_KIND_LABELS = {EntryKind.RECEIPT: "Phiếu thu", EntryKind.PAYMENT: "Phiếu chi"}
VOUCHER_PREFIX = {EntryKind.RECEIPT: "PT", EntryKind.PAYMENT: "PC"}

RECEIPT_CATEGORIES: dict[str, str] = {
    "donation_person": "Ủng hộ của cá nhân, gia đình",
    "donation_clan": "Ủng hộ của dòng họ",
    "donation_business": "Ủng hộ của doanh nghiệp, đơn vị",
    "member_contribution": "Hội viên đóng góp",
    "dues": "Hội phí",
    "transfer": "Cấp trên hỗ trợ, ngân sách",
    "other_receipt": "Thu khác",
}
PAYMENT_CATEGORIES: dict[str, str] = {
    "scholarship": "Học bổng",
    "award": "Khen thưởng",
    "gift": "Quà cho học sinh nghèo",
    "meeting": "Hội họp, lễ, hội nghị",
    "dues_upward": "Nộp hội phí lên cấp trên",
    "other_payment": "Chi khác",
}
CATEGORY_LABELS = {**RECEIPT_CATEGORIES, **PAYMENT_CATEGORIES}


class PaymentMethod(enum.StrEnum):
    CASH = "cash"
    BANK = "bank"


METHOD_LABELS = {PaymentMethod.CASH: "Tiền mặt", PaymentMethod.BANK: "Chuyển khoản"}


class AwardKind(enum.StrEnum):
    SCHOLARSHIP = "scholarship"
    AWARD = "award"


AWARD_KIND_LABELS = {AwardKind.SCHOLARSHIP: "Học bổng", AwardKind.AWARD: "Khen thưởng"}


class FundEntry(SyncMixin, Base):
    """One receipt or payment of the fund, with its voucher number."""

    __tablename__ = "fund_entry"
    __table_args__ = (
        Index("ux_fund_entry_voucher", "kind", "year", "number", unique=True),
        Index("ix_fund_entry_year_kind", "year", "kind", "entry_date"),
    )

    kind: Mapped[str] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    entry_date: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(40))
    method: Mapped[str] = mapped_column(String(10), default=PaymentMethod.CASH.value)
    party_name: Mapped[str] = mapped_column(String(200), default="")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    clan_id: Mapped[int | None] = mapped_column(ForeignKey("clan.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str | None] = mapped_column(Text)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    cancelled_on: Mapped[dt.date | None] = mapped_column(Date)


class FundProgramme(SyncMixin, Base):
    """A scholarship or award programme (chương trình học bổng / khen thưởng).

    ``school_year`` is the first calendar year of the school year (2026 for
    2026–2027). The amount is either the same for every recipient
    (``amount_per_recipient``) or set per level (``level_amounts``: a JSON object
    level label → đồng, e.g. {"Giải nhất": 1000000}). ``budget`` caps the total.
    """

    __tablename__ = "fund_programme"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default=AwardKind.SCHOLARSHIP.value)
    school_year: Mapped[int] = mapped_column(Integer, index=True)
    criteria: Mapped[str] = mapped_column(Text, default="")
    amount_per_recipient: Mapped[int | None] = mapped_column(Integer)
    level_amounts: Mapped[str | None] = mapped_column(Text)
    budget: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)


class Award(SyncMixin, Base):
    """A scholarship or award given to one person, paid by a fund payment.

    Awards of a programme (``programme_id``) are first listed unpaid
    (``payment_id`` null) and paid together by one payment; ``programme`` keeps
    the programme's name as text (older rows have only the text).
    """

    __tablename__ = "fund_award"

    kind: Mapped[str] = mapped_column(String(20), default=AwardKind.SCHOLARSHIP.value)
    programme: Mapped[str] = mapped_column(String(200), default="")
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("fund_programme.id"), index=True)
    level: Mapped[str | None] = mapped_column(String(100))
    school_class: Mapped[str | None] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer, index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    recipient_name: Mapped[str] = mapped_column(String(200))
    school_level: Mapped[str | None] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(300), default="")
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("fund_entry.id"), index=True)


class DuesPayment(SyncMixin, Base):
    """A member's dues (hội phí) for one year, posted to the fund by a receipt."""

    __tablename__ = "fund_dues"
    __table_args__ = (Index("ix_fund_dues_year_member", "year", "member_id"),)

    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Integer)
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("fund_entry.id"), index=True)
