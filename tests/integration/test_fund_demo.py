"""The demo commune comes with two years of fund entries, dues and awards that add up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core.db import Database
from app.core.demo import generate_demo
from app.core.fund import dues, ledger, report
from app.core.models import Award, DuesPayment, FundEntry, Member
from app.core.workspace import open_workspace


def _demo(folder: Path, seed: int) -> Database:
    generate_demo(folder, households=300, seed=seed, lock=False)
    return open_workspace(folder).db


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = _demo(tmp_path_factory.mktemp("fund-demo"), 7)
    yield db
    db.close()


def test_the_demo_fund_never_goes_below_zero(demo: Database) -> None:
    running = 0
    for e in ledger.list_entries(demo):
        running += e.amount if e.kind == "receipt" else -e.amount
        assert running >= 0, e.voucher_no
    for year in (2024, 2025):
        b = ledger.balance(demo, year)
        assert b.receipts > 0 and b.payments > 0
        assert b.closing == b.opening + b.receipts - b.payments


def test_every_award_list_is_one_payment_of_its_total(demo: Database) -> None:
    with demo.session() as s:
        rows = s.execute(
            select(FundEntry.amount, func.sum(Award.amount))
            .join(Award, Award.payment_id == FundEntry.id)
            .group_by(FundEntry.id)
        ).all()
    assert rows and all(amount == total for amount, total in rows)


def test_dues_agree_with_the_members_paid_year(demo: Database) -> None:
    with demo.session() as s:
        for member_id, year in s.execute(select(DuesPayment.member_id, DuesPayment.year)).all():
            paid = s.get(Member, member_id)
            assert paid is not None and (paid.dues_paid_year or 0) >= year
    status = dues.dues_status(demo, 2025)
    assert sum(g.paid for g in status) > 0


def test_the_demo_report_has_a_fund_per_head(demo: Database) -> None:
    r = report.fund_report(demo, 2025)
    assert 40_000 <= r.per_head <= 120_000
    assert r.awards["scholarship"]["count"] > 0


def test_the_same_seed_gives_the_same_fund(tmp_path: Path) -> None:
    first = _demo(tmp_path / "a", 7)
    second = _demo(tmp_path / "b", 7)
    try:
        assert ledger.balance(first, 2025) == ledger.balance(second, 2025)
        assert [e.amount for e in ledger.list_entries(first)] == [
            e.amount for e in ledger.list_entries(second)
        ]
    finally:
        first.close()
        second.close()


def test_every_demo_award_list_belongs_to_a_programme_of_its_school_year(demo: Database) -> None:
    from app.core.fund import programmes

    listed = programmes.list_programmes(demo)
    assert {p.school_year for p in listed} == {2023, 2024, 2025}
    for p in listed:
        assert p.recipients > 0 and p.paid == p.total <= (p.budget or 0)
        assert len(p.vouchers) == 1
    with demo.session() as s:
        assert s.scalar(select(func.count()).where(Award.programme_id.is_(None))) == 0


def test_the_demo_has_activities_with_trained_officials(demo: Database) -> None:
    import datetime as dt

    from app.core.activities.service import activity_figures

    figures = activity_figures(demo, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert figures["trainings"] == 3 and figures["literacy_classes"] == 1
    assert figures["continuing_classes"] == 2 and figures["centre_sessions"] == 6
    assert 0 < figures["officials_trained"] <= figures["officials_total"]
    assert figures["officials_trained_percent"] >= 80


def test_demo_scholarships_go_first_to_poor_and_near_poor_households_children(
    demo: Database,
) -> None:
    from app.core.fund.demo_fund import STUDYING_LEVELS
    from app.core.models import Household, Person

    needy_kinds = ("poor", "near_poor")
    with demo.session() as s:
        needy = set(
            s.scalars(
                select(Person.id)
                .join(Household, Household.id == Person.household_id)
                .where(
                    Person.deleted.is_(False),
                    Person.is_studying.is_(True),
                    Person.school_level.in_(STUDYING_LEVELS),
                    Household.circumstance.in_(needy_kinds),
                )
            )
        )
        lists = s.execute(
            select(Award.year, Award.person_id, Award.reason).where(Award.kind == "scholarship")
        ).all()
    assert needy, "the demo commune has children of poor and near-poor households"
    for year in (2024, 2025):
        recipients = {pid for y, pid, _r in lists if y == year}
        # Either every needy child got a scholarship, or the list is only needy children.
        assert needy <= recipients or recipients <= needy, year
    reasons = {r for _y, pid, r in lists if pid in needy}
    assert reasons <= {"Học sinh hộ nghèo vượt khó", "Học sinh hộ cận nghèo vượt khó"}
