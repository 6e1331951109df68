"""The fund's yearly figures: totals per category, awards, dues, fund per head.

"Quỹ khuyến học bình quân … đ/người" is the year's receipts (cancelled excluded)
divided by the population (live people of the household registry); the targets
are the Thái Bình plan's 80.000 đ/người and the national 32.000–35.000 đ/người.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import func, select

from app.core import settings
from app.core.db import Database
from app.core.errors import ValidationError
from app.core.fund.awards import award_totals
from app.core.fund.ledger import Balance, balance
from app.core.models import FundEntry, Member, Person
from app.core.models.fund import CATEGORY_LABELS
from app.core.text import format_number

PROVINCE_TARGET_PER_HEAD = 80_000  # Thái Bình (seed 004)
NATIONAL_TARGET_PER_HEAD = (32_000, 35_000)
TARGET_PER_HEAD_KEY = "fund.target_per_head"


def target_per_head(db: Database) -> int | None:
    """The yearly fund target in đồng per head: the one the commune typed, else the one
    of its chosen target profile (Thái Bình's plan: 80.000), else none — a profile
    without a fund target shows no other profile's figure."""
    value = settings.get_value(db, TARGET_PER_HEAD_KEY)
    if value:
        return int(value)
    from app.core.assessment import targets

    return targets.chosen_profile(db).fund_per_head


def target_text(target: int | None) -> str:
    """'80.000 đ/người' or the reason there is none."""
    from app.core.fund.words import format_money

    return f"{format_money(target)}/người" if target else "chưa đặt (bộ chỉ tiêu không có)"


def verdict(meets: bool | None) -> str:
    return "" if meets is None else ("đạt" if meets else "chưa đạt")


def set_target_per_head(db: Database, amount: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= 10_000_000:
        raise ValidationError("Chỉ tiêu bình quân phải là số đồng/người lớn hơn 0.")
    settings.put_value(db, TARGET_PER_HEAD_KEY, amount)


@dataclass(frozen=True)
class FundPerHead:
    """The dashboard's fund row: the year's receipts per head and per member."""

    year: int
    receipts: int
    population: int
    members: int
    per_head: int
    per_member: int
    target_per_head: int | None

    @property
    def meets_target(self) -> bool | None:
        if self.target_per_head is None:
            return None
        return self.population > 0 and self.per_head >= self.target_per_head

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "meets_target": self.meets_target}


def fund_per_head(db: Database, year: int) -> FundPerHead:
    """Receipts of ``year`` (cancelled excluded) per live person and per active member."""
    receipts = balance(db, year).receipts
    population, members = _population_and_members(db)
    return FundPerHead(
        year=year,
        receipts=receipts,
        population=population,
        members=members,
        per_head=receipts // population if population else 0,
        per_member=receipts // members if members else 0,
        target_per_head=target_per_head(db),
    )


def fund_row_text(f: FundPerHead) -> str:
    """One line for the dashboard: per head and per member against the province target."""
    from app.core.fund.words import format_money

    if not f.population:
        return f"Quỹ khuyến học năm {f.year}: chưa có nhân khẩu để tính bình quân."
    per_member = f"; {format_money(f.per_member)}/hội viên" if f.members else ""
    target = (
        f"Chỉ tiêu {format_money(f.target_per_head)}/người: {verdict(f.meets_target)}."
        if f.target_per_head
        else "Bộ chỉ tiêu đang dùng không đặt chỉ tiêu quỹ bình quân."
    )
    return (
        f"Quỹ khuyến học năm {f.year}: thu {format_money(f.receipts)} — bình quân "
        f"{format_money(f.per_head)}/người ({format_number(f.population)} nhân khẩu)"
        f"{per_member}. {target}"
    )


def _population_and_members(db: Database) -> tuple[int, int]:
    with db.session() as s:
        population = int(s.scalar(select(func.count()).where(Person.deleted.is_(False))) or 0)
        members = int(
            s.scalar(
                select(func.count()).where(Member.deleted.is_(False), Member.leave_date.is_(None))
            )
            or 0
        )
    return population, members


@dataclass(frozen=True)
class FundReport:
    year: int
    balance: Balance
    receipts_by_category: dict[str, int]
    payments_by_category: dict[str, int]
    awards: dict[str, dict[str, int]]
    dues_members_paid: int
    population: int
    members: int
    per_head: int
    per_member: int
    target_per_head: int | None
    national_target: tuple[int, int]
    meets_target: bool | None

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["national_target"] = list(self.national_target)
        return data


def fund_report(db: Database, year: int, target: int | None = None) -> FundReport:
    """The year's figures; ``target`` (đ/người) defaults to the configured province target."""
    target_per_head_value = target if target is not None else target_per_head(db)
    figures = balance(db, year)
    with db.session() as s:
        by_category = s.execute(
            select(FundEntry.kind, FundEntry.category, func.sum(FundEntry.amount))
            .where(
                FundEntry.year == year,
                FundEntry.cancelled.is_(False),
                FundEntry.deleted.is_(False),
            )
            .group_by(FundEntry.kind, FundEntry.category)
        ).all()
        paid = int(
            s.scalar(
                select(func.count()).where(
                    Member.deleted.is_(False),
                    Member.leave_date.is_(None),
                    Member.dues_paid_year >= year,
                )
            )
            or 0
        )
    population, members = _population_and_members(db)
    receipts = {c: int(v) for k, c, v in by_category if k == "receipt"}
    payments = {c: int(v) for k, c, v in by_category if k == "payment"}
    per_head = figures.receipts // population if population else 0
    return FundReport(
        year=year,
        balance=figures,
        receipts_by_category=receipts,
        payments_by_category=payments,
        awards=award_totals(db, year),
        dues_members_paid=paid,
        population=population,
        members=members,
        per_head=per_head,
        per_member=figures.receipts // members if members else 0,
        target_per_head=target_per_head_value,
        national_target=NATIONAL_TARGET_PER_HEAD,
        meets_target=None
        if target_per_head_value is None
        else population > 0 and per_head >= target_per_head_value,
    )


def category_label(code: str) -> str:
    return CATEGORY_LABELS.get(code, code)
