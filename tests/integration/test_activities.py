"""Activities: trainings with members, classes, learning-centre sessions, period figures."""

# ruff: noqa: F811  (pytest fixtures imported from test_sync_fixtures)

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import select

from app.core.activities.service import (
    ActivityInput,
    activity_figures,
    add_activity,
    delete_activity,
    list_activities,
)
from app.core.db import Database
from app.core.errors import NotFoundError, ValidationError
from app.core.models import ActivityParticipant
from app.core.registry.hamlets import HamletInput, create_hamlet
from app.core.registry.members import BranchInput, MemberInput, create_branch, create_member
from tests.integration.test_sync_fixtures import (  # noqa: F401  (fixtures)
    Commune,
    Province,
    make_commune,
    province,
)

D = dt.date
Q1 = (D(2025, 1, 1), D(2025, 3, 31))


@pytest.fixture
def members(db: Database, make_name: Callable[..., str]) -> dict[str, list[int]]:
    """Four officials (one of whom left in 2024) and six plain members."""
    hamlet = create_hamlet(db, HamletInput("Thôn Nam"))
    branch = create_branch(db, BranchInput("Chi hội Thôn Nam", hamlet_id=hamlet))
    roles = ("chair", "secretary", "branch_chair")
    officials = [
        create_member(db, MemberInput(branch, full_name=make_name(), role=r)) for r in roles
    ]
    create_member(
        db,
        MemberInput(branch, full_name=make_name(), role="vice_chair", leave_date=D(2024, 5, 1)),
    )
    plain = [create_member(db, MemberInput(branch, full_name=make_name())) for _ in range(6)]
    return {"officials": officials, "plain": plain}


def test_officials_trained_against_all_officials(
    db: Database, members: dict[str, list[int]]
) -> None:
    officials, plain = members["officials"], members["plain"]
    add_activity(
        db,
        ActivityInput(
            "training",
            "Nghiệp vụ đánh giá gia đình học tập",
            D(2025, 2, 10),
            hours=8,
            member_ids=[officials[0], officials[1], plain[0], officials[0]],
        ),
    )
    add_activity(
        db,
        ActivityInput(
            "training", "Chuyển đổi số", D(2025, 3, 5), hours=4, member_ids=[officials[1]]
        ),
    )
    add_activity(  # outside the period
        db, ActivityInput("training", "Tổng kết", D(2025, 4, 2), member_ids=[officials[2]])
    )

    figures = activity_figures(db, *Q1)

    assert figures["trainings"] == 2
    assert figures["training_hours"] == 12
    assert figures["training_participants"] == 4  # 3 distinct on the first (duplicate dropped)
    assert figures["members_trained"] == 3
    assert (figures["officials_trained"], figures["officials_total"]) == (2, 3)
    assert figures["officials_trained_percent"] == 66.7
    whole_year = activity_figures(db, D(2025, 1, 1), D(2025, 12, 31))
    assert whole_year["officials_trained_percent"] == 100.0


def test_classes_count_links_or_the_typed_number(db: Database) -> None:
    add_activity(
        db,
        ActivityInput(
            "literacy", "Lớp xóa mù chữ thôn Nam", D(2024, 10, 1), D(2025, 1, 31), 120, 18
        ),
    )
    add_activity(db, ActivityInput("continuing", "Trồng lúa hữu cơ", D(2025, 3, 20), None, 6, 40))
    for day in (D(2025, 1, 15), D(2025, 2, 15), D(2025, 6, 15)):
        add_activity(
            db, ActivityInput("centre", "Sinh hoạt CLB đọc sách", day, participants_count=25)
        )

    figures = activity_figures(db, *Q1)

    assert (figures["literacy_classes"], figures["literacy_learners"]) == (1, 18)
    assert (figures["continuing_classes"], figures["continuing_learners"]) == (1, 40)
    assert (figures["centre_sessions"], figures["centre_participants"]) == (2, 50)
    assert figures["trainings"] == 0 and figures["officials_trained_percent"] == 0.0


def test_listing_by_year_and_kind_newest_first(db: Database, members: dict[str, list[int]]) -> None:
    add_activity(db, ActivityInput("centre", "Buổi 1", D(2025, 1, 5), participants_count=10))
    add_activity(
        db, ActivityInput("training", "Buổi 2", D(2025, 5, 5), member_ids=members["plain"][:2])
    )
    add_activity(db, ActivityInput("centre", "Buổi cũ", D(2023, 5, 5), participants_count=3))
    items = list_activities(db, 2025)
    assert [a.topic for a in items] == ["Buổi 2", "Buổi 1"]
    assert (items[0].participants, items[0].linked, items[0].kind_label) == (2, 2, "Tập huấn")
    assert [a.topic for a in list_activities(db, kind="centre")] == ["Buổi 1", "Buổi cũ"]


def test_deleting_an_activity_removes_it_and_its_links_from_the_figures(
    db: Database, members: dict[str, list[int]]
) -> None:
    aid = add_activity(
        db, ActivityInput("training", "Tập huấn", D(2025, 2, 1), member_ids=members["officials"])
    )
    delete_activity(db, aid)
    assert activity_figures(db, *Q1)["trainings"] == 0
    with db.session() as s:
        assert all(link.deleted for link in s.scalars(select(ActivityParticipant)))
    with pytest.raises(NotFoundError):
        delete_activity(db, aid)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (ActivityInput("party", "X", D(2025, 1, 1)), "Loại hoạt động"),
        (ActivityInput("training", "  ", D(2025, 1, 1)), "chủ đề"),
        (ActivityInput("literacy", "Lớp", D(2025, 2, 1), D(2025, 1, 1)), "Ngày kết thúc"),
        (ActivityInput("training", "T", D(2025, 1, 1), hours=0), "Số giờ"),
        (ActivityInput("training", "T", D(2025, 1, 1), member_ids=[999]), "hội viên mã 999"),
        (ActivityInput("literacy", "L", D(2025, 1, 1), person_ids=[999]), "nhân khẩu mã 999"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    db: Database, data: ActivityInput, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        add_activity(db, data)
    assert list_activities(db) == []


def test_a_period_ending_before_it_starts_is_refused(db: Database) -> None:
    with pytest.raises(ValidationError, match="trước ngày đầu kỳ"):
        activity_figures(db, D(2025, 3, 1), D(2025, 1, 1))


def test_programmes_and_activities_travel_upward_with_references_as_uuids(
    province: Province, make_commune: Callable[..., Commune]
) -> None:
    commune = make_commune(households=30)
    result = commune.export()
    assert result.counts["fund_programme"] > 0 and result.counts["activity_participant"] > 0
    [outcome] = province.import_(result.file)
    assert outcome.status == "applied", outcome.reason
    members = province.records("member")
    activities_up = province.records("activity")
    links = province.records("activity_participant")
    assert len(activities_up) == result.counts["activity"]
    for _rev, _deleted, data in links.values():
        assert data["activity_id"] in activities_up and data["member_id"] in members
    programmes_up = province.records("fund_programme")
    awards_up = province.records("fund_award")
    assert {d["programme_id"] for _r, _x, d in awards_up.values()} <= set(programmes_up)
