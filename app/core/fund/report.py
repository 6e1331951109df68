"""The fund's yearly figures: totals per category, awards, dues, fund per head.

"Quỹ khuyến học bình quân … đ/người" is the year's receipts (cancelled excluded)
divided by the population (live people of the household registry); the targets
are the Thái Bình plan's 80.000 đ/người and the national 32.000–35.000 đ/người.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import func, select

from app.core.db import Database
from app.core.fund.awards import award_totals
from app.core.fund.ledger import Balance, balance
from app.core.models import FundEntry, Member, Person
from app.core.models.fund import CATEGORY_LABELS

PROVINCE_TARGET_PER_HEAD = 80_000  # Thái Bình (seed 004)
NATIONAL_TARGET_PER_HEAD = (32_000, 35_000)


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
    target_per_head: int
    national_target: tuple[int, int]
    meets_target: bool

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["national_target"] = list(self.national_target)
        return data


def fund_report(
    db: Database, year: int, target_per_head: int = PROVINCE_TARGET_PER_HEAD
) -> FundReport:
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
        population = int(s.scalar(select(func.count()).where(Person.deleted.is_(False))) or 0)
        members = int(
            s.scalar(
                select(func.count()).where(Member.deleted.is_(False), Member.leave_date.is_(None))
            )
            or 0
        )
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
        target_per_head=target_per_head,
        national_target=NATIONAL_TARGET_PER_HEAD,
        meets_target=per_head >= target_per_head,
    )


def category_label(code: str) -> str:
    return CATEGORY_LABELS.get(code, code)
