"""The figures of a reporting period, straight from the registries and the fund ledger.

Members and money are counted by date within the period; the learning-model titles
are yearly, so they come from the targets dashboard of the period's year
(:func:`app.core.assessment.targets.target_report`), denominators included.
Per-hamlet rows always add up to the commune row: whatever cannot be placed in a
hamlet (a member without household or branch, a donor from outside) is counted
in a "Chưa rõ thôn" row rather than dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

from app.core.assessment.entities import hamlet_names
from app.core.assessment.targets import TargetReport, target_report
from app.core.db import Database
from app.core.fund.report import target_per_head
from app.core.reports.periods import Period
from app.core.text import sort_key

UNPLACED = "Chưa rõ thôn"
Hamlet = int | None

# A person's hamlet is their household's; a member without a person falls back to
# the branch's hamlet (the same rule as the targets dashboard).
_MEMBER_HAMLET = (
    "SELECT COALESCE(hh.hamlet_id, b.hamlet_id) AS hamlet, {what} FROM member m "
    "LEFT JOIN person pp ON pp.id = m.person_id AND pp.deleted = 0 "
    "LEFT JOIN household hh ON hh.id = pp.household_id AND hh.deleted = 0 "
    "LEFT JOIN branch b ON b.id = m.branch_id AND b.deleted = 0 "
    "WHERE m.deleted = 0 GROUP BY 1"
)
_LIVE_ENTRY = "fe.deleted = 0 AND fe.cancelled = 0"
# The hamlet a receipt came from: its household, or the household of its person
# or of its member's person.
_ENTRY_HAMLET = (
    "COALESCE(h1.hamlet_id, h2.hamlet_id, h3.hamlet_id) AS hamlet, fe.amount FROM fund_entry fe "
    "LEFT JOIN household h1 ON h1.id = fe.household_id AND h1.deleted = 0 "
    "LEFT JOIN person p2 ON p2.id = fe.person_id AND p2.deleted = 0 "
    "LEFT JOIN household h2 ON h2.id = p2.household_id AND h2.deleted = 0 "
    "LEFT JOIN member m3 ON m3.id = fe.member_id AND m3.deleted = 0 "
    "LEFT JOIN person p3 ON p3.id = m3.person_id AND p3.deleted = 0 "
    "LEFT JOIN household h3 ON h3.id = p3.household_id AND h3.deleted = 0 "
)


@dataclass(frozen=True)
class MemberRow:
    """Members of one hamlet (or of the commune) against its population."""

    name: str
    population: int  # live people of live households (the registry's nhân khẩu)
    members: int  # members on the period's last day
    joined: int  # admitted within the period
    left: int  # left within the period

    @property
    def share(self) -> float | None:
        return self.members / self.population if self.population else None


@dataclass(frozen=True)
class HamletMoney:
    """What a hamlet gave to the fund and received as scholarships and awards."""

    name: str
    receipts: int
    scholarships: int
    scholarship_amount: int
    awards: int
    award_amount: int


@dataclass(frozen=True)
class FundFigures:
    opening: int  # balance before the period's first day
    receipts: int
    payments: int
    receipts_by_category: dict[str, int]
    payments_by_category: dict[str, int]
    population: int
    target_per_head: int | None  # a yearly target (đ/người/năm), None: the profile sets none

    @property
    def closing(self) -> int:
        return self.opening + self.receipts - self.payments

    @property
    def per_head(self) -> int:
        """Receipts of the period per inhabitant, whole đồng."""
        return self.receipts // self.population if self.population else 0


@dataclass(frozen=True)
class PeriodFigures:
    period: Period
    members: list[MemberRow]  # per hamlet, Vietnamese order, then UNPLACED if any
    members_total: MemberRow
    member_target: float | None
    targets: TargetReport
    fund: FundFigures
    money: list[HamletMoney]  # per hamlet, then UNPLACED if any
    money_total: HamletMoney


def _by_hamlet(
    conn: Connection, sql: str, params: Mapping[str, object]
) -> dict[Hamlet, tuple[int, ...]]:
    return {
        (int(r[0]) if r[0] is not None else None): tuple(int(v or 0) for v in r[1:])
        for r in conn.execute(text(sql), params)
    }


def _ordered(names: dict[int, str], used: set[Hamlet]) -> list[tuple[Hamlet, str]]:
    """Every hamlet in Vietnamese order, then the unplaced row when something landed there."""
    rows: list[tuple[Hamlet, str]] = [
        (hid, name) for hid, name in sorted(names.items(), key=lambda kv: sort_key(kv[1]))
    ]
    if None in used or any(h is not None and h not in names for h in used):
        rows.append((None, UNPLACED))
    return rows


def _fold_unknown(data: dict[Hamlet, tuple[int, ...]], names: dict[int, str]) -> None:
    """Rows of deleted hamlets count as unplaced, so totals still add up."""
    for hid in [h for h in data if h is not None and h not in names]:
        extra = data.pop(hid)
        base = data.get(None, (0,) * len(extra))
        data[None] = tuple(a + b for a, b in zip(base, extra, strict=True))


def _members(conn: Connection, period: Period, names: dict[int, str]) -> list[MemberRow]:
    bounds = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    counts = _by_hamlet(
        conn,
        _MEMBER_HAMLET.format(
            what="SUM(CASE WHEN (m.join_date IS NULL OR m.join_date <= :end) AND "
            "(m.leave_date IS NULL OR m.leave_date > :end) THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN m.join_date BETWEEN :start AND :end THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN m.leave_date BETWEEN :start AND :end THEN 1 ELSE 0 END)"
        ),
        bounds,
    )
    people = _by_hamlet(
        conn,
        "SELECT h.hamlet_id, COUNT(*) FROM person p JOIN household h ON h.id = p.household_id "
        "WHERE p.deleted = 0 AND h.deleted = 0 GROUP BY 1",
        {},
    )
    _fold_unknown(counts, names)
    _fold_unknown(people, names)
    rows = []
    for hid, name in _ordered(names, set(counts) | set(people)):
        live, joined, left = counts.get(hid, (0, 0, 0))
        rows.append(MemberRow(name, people.get(hid, (0,))[0], live, joined, left))
    return rows


def _fund(conn: Connection, period: Period, population: int, target: int | None) -> FundFigures:
    bounds = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    opening = conn.execute(
        text(
            "SELECT COALESCE(SUM(CASE WHEN kind = 'receipt' THEN amount ELSE -amount END), 0) "
            f"FROM fund_entry fe WHERE {_LIVE_ENTRY} AND entry_date < :start"
        ),
        bounds,
    ).scalar_one()
    by_category: dict[str, dict[str, int]] = {"receipt": {}, "payment": {}}
    for kind, category, amount in conn.execute(
        text(
            "SELECT kind, category, SUM(amount) FROM fund_entry fe "
            f"WHERE {_LIVE_ENTRY} AND entry_date BETWEEN :start AND :end "
            "GROUP BY kind, category ORDER BY kind, category"
        ),
        bounds,
    ):
        by_category[str(kind)][str(category)] = int(amount)
    receipts, payments = by_category["receipt"], by_category["payment"]
    return FundFigures(
        opening=int(opening),
        receipts=sum(receipts.values()),
        payments=sum(payments.values()),
        receipts_by_category=receipts,
        payments_by_category=payments,
        population=population,
        target_per_head=target,
    )


def _money(conn: Connection, period: Period, names: dict[int, str]) -> list[HamletMoney]:
    bounds = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    receipts = _by_hamlet(
        conn,
        "SELECT hamlet, SUM(amount) FROM (SELECT "
        + _ENTRY_HAMLET
        + f"WHERE {_LIVE_ENTRY} AND fe.kind = 'receipt' "
        "AND fe.entry_date BETWEEN :start AND :end) GROUP BY hamlet",
        bounds,
    )
    awards = _by_hamlet(
        conn,
        "SELECT h.hamlet_id, "
        "SUM(a.kind = 'scholarship'), SUM(CASE WHEN a.kind = 'scholarship' THEN a.amount END), "
        "SUM(a.kind = 'award'), SUM(CASE WHEN a.kind = 'award' THEN a.amount END) "
        "FROM fund_award a JOIN fund_entry fe ON fe.id = a.payment_id "
        "LEFT JOIN person p ON p.id = a.person_id AND p.deleted = 0 "
        "LEFT JOIN household h ON h.id = p.household_id AND h.deleted = 0 "
        f"WHERE a.deleted = 0 AND {_LIVE_ENTRY} AND fe.entry_date BETWEEN :start AND :end "
        "GROUP BY 1",
        bounds,
    )
    _fold_unknown(receipts, names)
    _fold_unknown(awards, names)
    rows = []
    for hid, name in _ordered(names, set(receipts) | set(awards)):
        s_count, s_amount, a_count, a_amount = awards.get(hid, (0, 0, 0, 0))
        rows.append(
            HamletMoney(name, receipts.get(hid, (0,))[0], s_count, s_amount, a_count, a_amount)
        )
    return rows


def _total_members(rows: list[MemberRow]) -> MemberRow:
    return MemberRow(
        "Toàn xã",
        sum(r.population for r in rows),
        sum(r.members for r in rows),
        sum(r.joined for r in rows),
        sum(r.left for r in rows),
    )


def _total_money(rows: list[HamletMoney]) -> HamletMoney:
    return HamletMoney(
        "Toàn xã",
        sum(r.receipts for r in rows),
        sum(r.scholarships for r in rows),
        sum(r.scholarship_amount for r in rows),
        sum(r.awards for r in rows),
        sum(r.award_amount for r in rows),
    )


def period_figures(db: Database, period: Period) -> PeriodFigures:
    """Members, fund, scholarships/awards per hamlet and for the commune; the year's targets."""
    with db.connect() as conn:
        names = hamlet_names(conn)
        members = _members(conn, period, names)
        total = _total_members(members)
        fund = _fund(conn, period, total.population, target_per_head(db))
        money = _money(conn, period, names)
    targets = target_report(db, period.year)
    return PeriodFigures(
        period=period,
        members=members,
        members_total=total,
        member_target=targets.members.target,
        targets=targets,
        fund=fund,
        money=money,
        money_total=_total_money(money),
    )
