"""Dues per member and year, scholarships and awards, and the yearly fund report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from app.core.assessment import targets
from app.core.db import Database
from app.core.errors import ValidationError
from app.core.fund import awards, dues, ledger, report
from app.core.fund.awards import Recipient
from app.core.fund.ledger import EntryInput
from app.core.models import FundEntry, Person
from app.core.registry.hamlets import HamletInput, create_hamlet
from app.core.registry.households import HouseholdInput, create_household
from app.core.registry.members import (
    BranchInput,
    MemberInput,
    create_branch,
    create_member,
    get_member,
)
from app.core.registry.people import PersonInput

D = dt.date


@dataclass
class Commune:
    people: list[int]
    branches: list[int]
    members: list[int]


@pytest.fixture
def commune(db: Database, make_name: Callable[..., str]) -> Commune:
    """Two hamlets, ten households of four people, a branch per hamlet, three members each."""
    branches = []
    for name in ("Thôn Đông", "Thôn Đoài"):
        hamlet = create_hamlet(db, HamletInput(name))
        for _ in range(5):
            create_household(
                db,
                HouseholdInput(hamlet_id=hamlet),
                [
                    PersonInput(make_name("M"), "M", "1975", "Chủ hộ"),
                    PersonInput(make_name("F"), "F", "1978", "Vợ"),
                    PersonInput(make_name(), "M", "2010", "Con", school_level="lower_secondary"),
                    PersonInput(make_name("F"), "F", "2013", "Con", school_level="primary"),
                ],
            )
        branches.append(create_branch(db, BranchInput(f"Chi hội {name}", hamlet_id=hamlet)))
    members = [
        create_member(db, MemberInput(branch_id=b, full_name=make_name(), gender="M"))
        for b in branches
        for _ in range(3)
    ]
    with db.session() as s:
        people = list(s.scalars(select(Person.id).order_by(Person.id)))
    return Commune(people, branches, members)


def test_paying_dues_posts_one_receipt_and_marks_the_members(
    db: Database, commune: Commune
) -> None:
    chosen = commune.members[:3]
    result = dues.pay_dues(db, chosen, 2025, 24_000, D(2025, 4, 2), collector="Chi hội Thôn Đông")
    assert (result.members, result.total) == (3, 72_000)
    entry = ledger.get_entry(db, result.receipt_id)
    assert (entry.kind, entry.category, entry.amount) == ("receipt", "dues", 72_000)
    assert entry.party_name == "Chi hội Thôn Đông"
    assert all(get_member(db, m).dues_paid_year == 2025 for m in chosen)
    assert get_member(db, commune.members[3]).dues_paid_year is None


def test_paying_an_older_year_never_moves_dues_paid_year_back(
    db: Database, commune: Commune
) -> None:
    member = commune.members[0]
    dues.pay_dues(db, [member], 2025, 24_000, D(2025, 4, 2))
    dues.pay_dues(db, [member], 2024, 20_000, D(2025, 4, 3))
    assert get_member(db, member).dues_paid_year == 2025


def test_a_member_pays_a_year_only_once(db: Database, commune: Commune) -> None:
    dues.pay_dues(db, commune.members[:2], 2025, 24_000, D(2025, 4, 2))
    before = ledger.balance(db)
    with pytest.raises(ValidationError, match="đã đóng hội phí năm 2025"):
        dues.pay_dues(db, commune.members[1:4], 2025, 24_000, D(2025, 4, 9))
    assert ledger.balance(db) == before, "a refused batch posts nothing"


def test_dues_status_counts_paid_members_per_branch(db: Database, commune: Commune) -> None:
    dues.pay_dues(db, commune.members[:2], 2025, 24_000, D(2025, 4, 2))
    dues.pay_dues(db, commune.members[3:4], 2025, 24_000, D(2025, 4, 2))
    status = {g.branch_name: g for g in dues.dues_status(db, 2025)}
    east, west = status["Chi hội Thôn Đông"], status["Chi hội Thôn Đoài"]
    assert (east.members, east.paid, east.collected) == (3, 2, 48_000)
    assert (west.members, west.paid, west.collected) == (3, 1, 24_000)
    assert [p.paid for p in east.people].count(False) == 1


def test_cancelling_the_dues_receipt_makes_the_members_unpaid_again(
    db: Database, commune: Commune
) -> None:
    result = dues.pay_dues(db, commune.members[:2], 2025, 24_000, D(2025, 4, 2))
    dues.pay_dues(db, commune.members[:1], 2024, 20_000, D(2025, 4, 1))
    ledger.cancel_entry(db, result.receipt_id, "Thu nhầm chi hội")
    assert sum(g.paid for g in dues.dues_status(db, 2025)) == 0
    assert get_member(db, commune.members[0]).dues_paid_year == 2024, "back to the year paid"
    assert get_member(db, commune.members[1]).dues_paid_year is None
    dues.pay_dues(db, commune.members[:2], 2025, 24_000, D(2025, 4, 5))


def _fund(db: Database, amount: int) -> None:
    ledger.add_entry(
        db,
        EntryInput("receipt", D(2025, 1, 5), amount, "donation_clan", party_name="Dòng họ Nguyễn"),
    )


def test_a_scholarship_list_posts_exactly_one_payment(db: Database, commune: Commune) -> None:
    _fund(db, 10_000_000)
    pupils = commune.people[2:12:4]
    result = awards.grant_awards(
        db,
        "scholarship",
        "Học bổng năm học 2025–2026",
        2025,
        [Recipient(500_000, person_id=p, reason="Học sinh nghèo vượt khó") for p in pupils],
        D(2025, 9, 5),
    )
    with db.session() as s:
        payments = list(s.scalars(select(FundEntry).where(FundEntry.kind == "payment")))
    assert len(payments) == 1 and payments[0].id == result.payment_id
    assert payments[0].amount == result.total == 500_000 * len(pupils)
    assert payments[0].category == "scholarship"
    listed = awards.list_awards(db, 2025)
    assert {a.person_id for a in listed} == set(pupils)
    assert all(a.payment_voucher == "PC-2025-0001" for a in listed)
    assert listed[0].school_level == "lower_secondary"
    assert awards.awards_of_person(db, pupils[0])[0].programme == "Học bổng năm học 2025–2026"


def test_someone_awarded_twice_in_a_year_is_flagged(db: Database, commune: Commune) -> None:
    _fund(db, 10_000_000)
    pupil = commune.people[2]
    awards.grant_awards(db, "scholarship", "Học bổng", 2025, [Recipient(500_000, pupil)])
    second = awards.grant_awards(
        db,
        "award",
        "Khen thưởng học sinh giỏi cấp tỉnh",
        2025,
        [Recipient(300_000, pupil), Recipient(300_000, name="Lê Thị Mai")],
    )
    assert len(second.duplicates) == 1
    assert awards.award_totals(db, 2025) == {
        "scholarship": {"count": 1, "amount": 500_000},
        "award": {"count": 2, "amount": 600_000},
    }


def test_awards_beyond_the_fund_are_refused_and_nothing_is_written(
    db: Database, commune: Commune
) -> None:
    _fund(db, 400_000)
    with pytest.raises(ValidationError, match="vượt số dư"):
        awards.grant_awards(
            db, "award", "Khen thưởng", 2025, [Recipient(300_000, p) for p in commune.people[:2]]
        )
    assert awards.list_awards(db, 2025) == []


def test_the_report_gives_fund_per_head_against_the_target(db: Database, commune: Commune) -> None:
    _fund(db, 3_000_000)
    dues.pay_dues(db, commune.members, 2025, 20_000, D(2025, 4, 2))
    awards.grant_awards(
        db, "scholarship", "Học bổng", 2025, [Recipient(500_000, commune.people[3])], D(2025, 9, 5)
    )
    r = report.fund_report(db, 2025)
    assert r.population == 40 and r.members == 6
    assert r.balance.receipts == 3_120_000
    assert r.receipts_by_category == {"donation_clan": 3_000_000, "dues": 120_000}
    assert r.payments_by_category == {"scholarship": 500_000}
    assert r.per_head == 3_120_000 // 40 == 78_000
    assert r.per_member == 520_000
    assert r.target_per_head is None and r.meets_target is None, "QĐ 387 sets no fund target"
    assert r.dues_members_paid == 6
    assert r.awards["scholarship"] == {"count": 1, "amount": 500_000}
    assert r.as_dict()["national_target"] == [32_000, 35_000]


def test_candidates_are_the_studying_people_flagged_once_awarded(
    db: Database, commune: Commune
) -> None:
    with db.session() as s:
        pupils = s.scalars(select(Person).where(Person.school_level.is_not(None))).all()
        for p in pupils[:4]:
            p.is_studying = True
        first = pupils[0]
        chosen_id, chosen_name = first.id, first.full_name
    _fund(db, 1_000_000)
    awards.grant_awards(db, "award", "Khen thưởng", 2025, [Recipient(100_000, chosen_id)])
    found = awards.candidates(db, 2025)
    assert len(found) == 4
    assert [c.awarded_this_year for c in found if c.person_id == chosen_id] == [True]
    given = chosen_name.split()[-1]
    assert chosen_id in {c.person_id for c in awards.candidates(db, 2025, given)}


def test_fund_per_head_and_per_member_against_a_configured_target(
    db: Database, commune: Commune
) -> None:
    ledger.add_entry(
        db, EntryInput("receipt", D(2025, 3, 1), 3_200_000, "donation_clan", party_name="Họ Trần")
    )
    figures = report.fund_per_head(db, 2025)
    assert (figures.population, figures.members) == (40, 6)
    assert (figures.per_head, figures.per_member) == (80_000, 533_333)
    assert figures.target_per_head is None and figures.meets_target is None
    assert "không đặt chỉ tiêu quỹ bình quân" in report.fund_row_text(figures)
    assert "80.000" not in report.fund_row_text(figures).split("—")[1].split("nhân khẩu")[1]
    targets.choose_profile(db, "thai-binh-2025")  # the Thái Bình plan: 80.000 đ/người
    figures = report.fund_per_head(db, 2025)
    assert figures.target_per_head == report.PROVINCE_TARGET_PER_HEAD and figures.meets_target
    assert "80.000 đ/người (40 nhân khẩu)" in report.fund_row_text(figures)
    assert "Chỉ tiêu 80.000 đ/người: đạt." in report.fund_row_text(figures)
    report.set_target_per_head(db, 90_000)
    assert not report.fund_per_head(db, 2025).meets_target
    assert report.fund_report(db, 2025).target_per_head == 90_000
    assert "chưa đạt" in report.fund_row_text(report.fund_per_head(db, 2025))
    with pytest.raises(ValidationError):
        report.set_target_per_head(db, 0)
