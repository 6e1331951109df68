"""Two past years of the fund for the demo commune: donations, dues, scholarships, awards.

Each scholarship or award list belongs to a programme (chương trình) of its school
year, paid by one payment.

Deterministic per seed. Receipts fall in January–July, payments in August–December
and spend at most three quarters of what the year raised plus the opening balance,
so the ledger never goes below zero. Dues are recorded for the members whose
``dues_paid_year`` covers the year (one receipt per branch), so the two agree.
Rows go straight through the driver, like the rest of the demo (≈0.1 s at 10,000
households).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from app.core.bulk import insert_syncable
from app.core.db import Database
from app.core.fund.ledger import clan_party_name
from app.core.models import (
    Award,
    Branch,
    Clan,
    DuesPayment,
    FundEntry,
    FundProgramme,
    Household,
    Member,
    Person,
    Unit,
)
from app.core.models.households import Circumstance

YEARS = (2024, 2025)
DUES = {2024: 20_000, 2025: 24_000}
PER_HEAD = {2024: (45_000, 75_000), 2025: (60_000, 95_000)}
STUDYING_LEVELS = ("primary", "lower_secondary", "upper_secondary", "vocational", "university")
# Scholarships go first to children of poor, then near-poor households, as the
# programmes' criteria say; awards (for good results) are drawn from everybody left.
SCHOLARSHIP_PRIORITY = {Circumstance.POOR.value: 0, Circumstance.NEAR_POOR.value: 1}
SCHOLARSHIP_REASONS = {
    Circumstance.POOR.value: "Học sinh hộ nghèo vượt khó",
    Circumstance.NEAR_POOR.value: "Học sinh hộ cận nghèo vượt khó",
}


class _Ledger:
    """Accumulates rows with their voucher numbers, then writes them in one go."""

    def __init__(self, conn: Connection, rng: random.Random, commune: str) -> None:
        self.conn, self.rng, self.commune = conn, rng, commune
        self.entries: list[dict[str, Any]] = []
        self.programmes: list[dict[str, Any]] = []
        self.awards: list[dict[str, Any]] = []
        self.dues: list[dict[str, Any]] = []
        self.next_id = 1 + int(
            conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM fund_entry").scalar_one()
        )
        self.next_programme = 1 + int(
            conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM fund_programme").scalar_one()
        )

    def programme(self, kind: str, name: str, school_year: int, each: int, count: int) -> int:
        criteria = (
            "Học sinh nghèo, cận nghèo vượt khó, học lực khá trở lên"
            if kind == "scholarship"
            else "Học sinh đạt giải học sinh giỏi cấp huyện trở lên"
        )
        self.programmes.append(
            {
                "id": self.next_programme,
                "name": name,
                "kind": kind,
                "school_year": school_year,
                "criteria": criteria,
                "amount_per_recipient": each,
                "level_amounts": None,
                "budget": each * count,
                "note": None,
            }
        )
        self.next_programme += 1
        return self.next_programme - 1

    def entry(self, kind: str, day: dt.date, amount: int, category: str, **kw: Any) -> int:
        row = {
            "id": self.next_id,
            "kind": kind,
            "year": day.year,
            "number": 0,
            "entry_date": day,
            "amount": amount,
            "category": category,
            "method": "bank" if amount >= 20_000_000 else "cash",
            "party_name": kw.get("party_name", ""),
            "purpose": kw.get("purpose", ""),
            "person_id": None,
            "member_id": None,
            "household_id": None,
            "unit_id": kw.get("unit_id"),
            "clan_id": kw.get("clan_id"),
            "note": None,
            "cancelled": 0,
            "cancel_reason": None,
            "cancelled_on": None,
        }
        self.entries.append(row)
        self.next_id += 1
        return int(row["id"])

    def write(self) -> dict[str, int]:
        self.entries.sort(key=lambda r: (r["entry_date"], r["id"]))
        numbers: dict[tuple[str, int], int] = {}
        for row in self.entries:
            key = (row["kind"], row["year"])
            numbers[key] = row["number"] = numbers.get(key, 0) + 1
        self._insert(FundEntry, self.entries, keep_ids=True)
        self._insert(FundProgramme, self.programmes, keep_ids=True)
        self._insert(Award, self.awards)
        self._insert(DuesPayment, self.dues)
        return {
            "fund_entries": len(self.entries),
            "programmes": len(self.programmes),
            "awards": len(self.awards),
        }

    def _insert(self, model: Any, rows: list[dict[str, Any]], keep_ids: bool = False) -> None:
        if not rows:
            return
        if not keep_ids:
            for row in rows:
                row.pop("id", None)
        insert_syncable(self.conn, model.__tablename__, rows, self.rng, self.commune)


def _day(rng: random.Random, year: int, first_month: int, last_month: int) -> dt.date:
    return dt.date(year, rng.randint(first_month, last_month), rng.randint(1, 28))


def _round(amount: float, step: int = 10_000) -> int:
    return max(step, int(amount) // step * step)


def fill_demo_fund(db: Database, seed: int, commune_code: str = "") -> dict[str, int]:
    """Fill :data:`YEARS` of fund entries, dues and awards; returns counts."""
    rng = random.Random(seed * 31 + 9)
    with db.connect() as conn:
        population = int(
            conn.execute(select(func.count()).where(Person.deleted.is_(False))).scalar_one()
        )
        students = conn.execute(
            select(Person.id, Person.full_name, Person.school_level, Household.circumstance)
            .outerjoin(Household, Household.id == Person.household_id)
            .where(
                Person.deleted.is_(False),
                Person.is_studying.is_(True),
                Person.school_level.in_(STUDYING_LEVELS),
            )
            .order_by(Person.id)
        ).all()
        step = max(1, population // 400)
        donors = list(
            conn.execute(
                select(Person.full_name).where(Person.deleted.is_(False), Person.id % step == 0)
            ).scalars()
        )
        clans = conn.execute(select(Clan.id, Clan.name).where(Clan.deleted.is_(False))).all()
        units = conn.execute(select(Unit.id, Unit.name).where(Unit.deleted.is_(False))).all()
        branches = dict(conn.execute(select(Branch.id, Branch.name)).all())
        members = conn.execute(
            select(Member.id, Member.branch_id, Member.join_date, Member.dues_paid_year).where(
                Member.deleted.is_(False)
            )
        ).all()
        led = _Ledger(conn, rng, commune_code)
        opening = 0
        for year in YEARS:
            raised = _receipts(led, rng, year, population, donors, clans, units)
            raised += _dues(led, rng, year, members, branches)
            budget = int((opening + raised) * 0.75)
            spent = _payments(led, rng, year, budget, students)
            opening += raised - spent
        return led.write()


def _receipts(
    led: _Ledger,
    rng: random.Random,
    year: int,
    population: int,
    heads: list[str],
    clans: Sequence[Any],
    units: Sequence[Any],
) -> int:
    low, high = PER_HEAD[year]
    target = population * rng.randint(low, high)
    count = max(12, min(400, population // 100))
    weights = [rng.paretovariate(1.6) for _ in range(count)]
    scale = target / sum(weights)
    total = 0
    for weight in weights:
        amount = _round(weight * scale)
        roll = rng.random()
        day = _day(rng, year, 1, 7)
        if roll < 0.25 and clans:
            clan_id, name = rng.choice(clans)
            kw = {
                "party_name": clan_party_name(name),
                "clan_id": clan_id,
                "category": "donation_clan",
            }
        elif roll < 0.45 and units:
            unit_id, name = rng.choice(units)
            kw = {"party_name": name, "unit_id": unit_id, "category": "donation_business"}
        elif roll < 0.5:
            kw = {"party_name": "UBND xã", "category": "transfer"}
        elif heads:
            kw = {"party_name": rng.choice(heads), "category": "donation_person"}
        else:
            kw = {"party_name": "Nhà hảo tâm", "category": "donation_person"}
        category = kw.pop("category")
        led.entry("receipt", day, amount, category, purpose="Ủng hộ quỹ khuyến học", **kw)
        total += amount
    return total


def _dues(
    led: _Ledger, rng: random.Random, year: int, members: Sequence[Any], branches: dict[int, str]
) -> int:
    by_branch: dict[int | None, list[int]] = {}
    for member_id, branch_id, join_date, paid_year in members:
        joined = join_date is None or join_date.year <= year
        if paid_year is not None and paid_year >= year and joined:
            by_branch.setdefault(branch_id, []).append(member_id)
    total = 0
    for branch_id, ids in sorted(by_branch.items(), key=lambda kv: kv[0] or 0):
        amount = DUES[year] * len(ids)
        name = branches.get(branch_id, "Các hội viên") if branch_id else "Các hội viên"
        receipt = led.entry(
            "receipt",
            _day(rng, year, 3, 5),
            amount,
            "dues",
            party_name=name,
            purpose=f"Thu hội phí năm {year} ({len(ids)} hội viên)",
        )
        led.dues += [
            {"member_id": m, "year": year, "amount": DUES[year], "receipt_id": receipt} for m in ids
        ]
        total += amount
    return total


def _pick(pool: list[Any], count: int, needy_first: bool) -> tuple[list[Any], list[Any]]:
    """``count`` students from the (shuffled) pool and the rest; with ``needy_first``
    poor, then near-poor households' children come before the others (a stable sort,
    so the seed still decides the order within each group)."""
    if needy_first:
        ordered = sorted(pool, key=lambda row: SCHOLARSHIP_PRIORITY.get(row[3], 2))
        chosen = ordered[:count]
        taken = {row[0] for row in chosen}
        return chosen, [row for row in pool if row[0] not in taken]
    return pool[:count], pool[count:]


def _reason(kind: str, circumstance: str | None) -> str:
    if kind != "scholarship":
        return "Học sinh giỏi"
    return SCHOLARSHIP_REASONS.get(circumstance or "", "Học sinh vượt khó")


def _payments(
    led: _Ledger, rng: random.Random, year: int, budget: int, students: Sequence[Any]
) -> int:
    spent = 0
    pool = list(students)
    rng.shuffle(pool)
    plans = (
        ("scholarship", f"Học bổng năm học {year}–{year + 1}", year, 0.4, 500_000, 9),
        (
            "award",
            f"Khen thưởng học sinh giỏi năm học {year - 1}–{year}",
            year - 1,
            0.3,
            200_000,
            8,
        ),
    )
    for kind, programme, school_year, share, each, month in plans:
        count = min(len(pool), int(budget * share) // each, 400)
        chosen, pool = _pick(pool, count, kind == "scholarship")
        if not chosen:
            continue
        total = each * len(chosen)
        programme_id = led.programme(kind, programme, school_year, each, len(chosen))
        payment = led.entry(
            "payment",
            _day(rng, year, month, month),
            total,
            kind,
            party_name=f"{len(chosen)} người nhận",
            purpose=f"{programme} ({len(chosen)} suất)",
        )
        led.awards += [
            {
                "kind": kind,
                "programme": programme,
                "programme_id": programme_id,
                "level": None,
                "school_class": None,
                "year": year,
                "person_id": pid,
                "recipient_name": name,
                "school_level": level,
                "amount": each,
                "reason": _reason(kind, circumstance),
                "payment_id": payment,
            }
            for pid, name, level, circumstance in chosen
        ]
        spent += total
    for purpose, category, share in (
        ("Hội nghị tổng kết công tác khuyến học", "meeting", 0.03),
        ("Quà Trung thu cho học sinh nghèo", "gift", 0.06),
    ):
        amount = _round(budget * share * rng.uniform(0.6, 1.0))
        if amount <= budget - spent:
            led.entry(
                "payment",
                _day(rng, year, 10, 12),
                amount,
                category,
                party_name="Ban chấp hành Hội",
                purpose=purpose,
            )
            spent += amount
    return spent
