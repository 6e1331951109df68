"""The yearly cycle through the core services: register, assess, recognise, reopen, report."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.core.assessment import cycle, proposals, sets, targets
from app.core.assessment.criteria import builtin_sets
from app.core.db import Database
from app.core.errors import ValidationError
from app.core.models import Assessment, CriteriaSet
from app.core.registry import clans, hamlets
from app.core.registry import households as hh
from app.core.registry.people import PersonInput

YEAR = 2025
FULL = {
    "1.2": 10,
    "1.3": 10,
    "2.2": 10,
    "2.3": 10,
    "3.1": True,
    "3.2": True,
    "3.3": 10,
    "4.1": 10,
    "4.2": True,
}


@dataclass
class Commune:
    hamlet_a: int
    hamlet_b: int
    clan: int
    households: list[int]


@pytest.fixture
def commune(db: Database, make_name: Any) -> Commune:
    a = hamlets.create_hamlet(db, hamlets.HamletInput("Thôn Đông"))
    b = hamlets.create_hamlet(db, hamlets.HamletInput("Thôn Tây"))
    clan = clans.create_clan(db, clans.ClanInput("Họ Nguyễn", hamlet_id=a))
    ids = []
    for k in range(6):
        people = [
            PersonInput(make_name("M"), "M", "1975", "Chủ hộ", school_level="upper_secondary"),
            # Year-only birth dates: 2015 is 10 in 2025, a school-age child.
            PersonInput(make_name(), "F", "2015", "Con", is_studying=k != 5),
        ]
        ids.append(
            hh.create_household(
                db,
                hh.HouseholdInput(hamlet_id=a if k < 4 else b, clan_id=clan if k < 3 else None),
                people,
            )
        )
    return Commune(a, b, clan, ids)


def test_bulk_registration_by_hamlet_and_clan_counts_no_one_twice(
    db: Database, commune: Commune
) -> None:
    first = cycle.register_hamlet(db, YEAR, commune.hamlet_a)
    assert (first.added, first.already) == (4, 0)
    again = cycle.register_clan(db, YEAR, commune.clan)
    assert (again.added, again.already) == (0, 3)
    one = cycle.register(db, YEAR, "learning_family", [commune.households[5]])
    assert one.added == 1
    rows = cycle.cycle_rows(db, YEAR, "learning_family")
    assert sum(r.registered for r in rows) == 5


def test_registering_someone_unknown_is_refused(db: Database, commune: Commune) -> None:
    with pytest.raises(ValidationError, match="Không tìm thấy hộ gia đình có mã 999"):
        cycle.register(db, YEAR, "learning_family", [999])


def test_assessment_fills_computed_items_from_the_registries(
    db: Database, commune: Commune
) -> None:
    cycle.register(db, YEAR, "learning_family", commune.households)
    out = cycle.record_assessment(
        db,
        cycle.AssessmentInput(
            YEAR,
            "learning_family",
            commune.households[0],
            FULL,
            evidence={"1.2": "Học bạ năm học 2024–2025"},
        ),
    )
    assert out.result.items["1.1"].shown == "1/1 (100%)"
    assert out.result.total == 100 and out.result.passed
    # The child of the last household is out of school: 1.1 scores 0.
    out = cycle.record_assessment(
        db, cycle.AssessmentInput(YEAR, "learning_family", commune.households[5], FULL)
    )
    assert out.result.items["1.1"].points == 0 and out.result.total == 90


def test_assessing_an_unregistered_household_is_refused(db: Database, commune: Commune) -> None:
    with pytest.raises(ValidationError, match="chưa đăng ký năm 2025"):
        cycle.record_assessment(
            db, cycle.AssessmentInput(YEAR, "learning_family", commune.households[0], FULL)
        )


def test_bad_values_leave_nothing_behind(db: Database, commune: Commune) -> None:
    cycle.register(db, YEAR, "learning_family", [commune.households[0]])
    with pytest.raises(ValidationError, match="vượt quá điểm tối đa"):
        cycle.record_assessment(
            db,
            cycle.AssessmentInput(
                YEAR, "learning_family", commune.households[0], FULL | {"1.2": 11}
            ),
        )
    with db.session() as s:
        assert s.scalars(select(Assessment)).all() == []


def _decision(**kw: Any) -> cycle.DecisionInput:
    data = {
        "year": YEAR,
        "model": "learning_family",
        "number": "45/QĐ-UBND",
        "decision_date": dt.date(2025, 12, 15),
        "signer_title": "Chủ tịch UBND xã",
        "signer_name": "Trần Văn Bình",
    } | kw
    return cycle.DecisionInput(**data)


def test_recognition_takes_those_who_passed_and_knows_who_is_due_again(
    db: Database, commune: Commune
) -> None:
    cycle.register(db, YEAR, "learning_family", commune.households)
    for k, household in enumerate(commune.households):
        values = FULL if k % 2 == 0 else FULL | {"4.1": 0, "3.3": 0, "2.3": 0}
        cycle.record_assessment(
            db, cycle.AssessmentInput(YEAR, "learning_family", household, values)
        )
    for hamlet in (commune.hamlet_a, commune.hamlet_b):
        proposals.propose(db, YEAR, "learning_family", hamlet, proposed_by="Trưởng thôn")
    out = cycle.recognise(db, _decision())
    assert out.recognised == 3 and out.valid_until == YEAR
    with pytest.raises(ValidationError, match="chưa được đánh giá đạt"):
        cycle.recognise(db, _decision(number="46/QĐ-UBND"), [commune.households[1]])
    with pytest.raises(ValidationError, match="Không có ai đạt mà chưa được công nhận"):
        cycle.recognise(db, _decision(number="47/QĐ-UBND"))
    with pytest.raises(ValidationError, match="không sửa được"):
        cycle.record_assessment(
            db, cycle.AssessmentInput(YEAR, "learning_family", commune.households[0], FULL)
        )
    due = cycle.due_again(db, YEAR + 1, "learning_family")
    assert sorted(d.entity_id for d in due) == sorted(commune.households[0::2])
    history = cycle.history(db, "learning_family", commune.households[0])
    assert [(h.year, h.total, h.recognised, h.decision_number) for h in history] == [
        (YEAR, 100, True, "45/QĐ-UBND")
    ]


def test_a_decision_needs_a_number_and_a_signer(db: Database, commune: Commune) -> None:
    with pytest.raises(ValidationError, match="số quyết định"):
        cycle.recognise(db, _decision(number="  "))
    with pytest.raises(ValidationError, match="người ký"):
        cycle.recognise(db, _decision(signer_name=""))


def test_a_closed_year_refuses_changes_until_reopened_with_a_reason(
    db: Database, commune: Commune
) -> None:
    cycle.close_year(db, YEAR, "Đã báo cáo tỉnh")
    with pytest.raises(ValidationError, match="đã khóa sổ"):
        cycle.register(db, YEAR, "learning_family", commune.households)
    with pytest.raises(ValidationError, match="lý do"):
        cycle.reopen_year(db, YEAR, "")
    state = cycle.reopen_year(db, YEAR, "Bổ sung hộ thôn Tây bị sót")
    assert not state.closed
    assert [e["action"] for e in state.log] == ["close", "reopen"]
    assert state.log[1]["reason"] == "Bổ sung hộ thôn Tây bị sót"
    assert cycle.register(db, YEAR, "learning_family", commune.households).added == 6


def test_a_new_set_never_changes_assessments_already_made(
    db: Database, commune: Commune, tmp_path: Path
) -> None:
    cycle.register(db, YEAR, "learning_family", commune.households)
    first = cycle.record_assessment(
        db, cycle.AssessmentInput(YEAR, "learning_family", commune.households[0], FULL)
    )
    shipped = next(d for d in builtin_sets() if d.code == "gdht-448")
    raw = dict(shipped.raw)
    raw["version"] = shipped.version + 1
    raw["result"] = {"kind": "pass_mark", "pass_mark": 95}
    province = tmp_path / "tinh.json"
    province.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    info = sets.import_set(db, province)
    assert info.version == shipped.version + 1
    with db.session() as s:
        used = s.get(CriteriaSet, first.criteria_set_id)
        assert used is not None and used.locked and used.version == shipped.version
    # Re-entering keeps the version the household was assessed with …
    again = cycle.record_assessment(
        db, cycle.AssessmentInput(YEAR, "learning_family", commune.households[0], FULL)
    )
    assert again.criteria_set_id == first.criteria_set_id
    # … while a new assessment uses the newest version.
    other = cycle.record_assessment(
        db, cycle.AssessmentInput(YEAR, "learning_family", commune.households[1], FULL)
    )
    assert other.criteria_set_id == info.id
    # Loading the same file twice is harmless; a different file with the same version is not.
    assert sets.import_set(db, province).id == info.id
    raw["title"] = "Khác"
    province.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValidationError, match="tăng số phiên bản"):
        sets.import_set(db, province)


def test_editing_a_set_makes_a_new_version(db: Database) -> None:
    family = next(i for i in sets.list_sets(db, "learning_family"))
    _info, doc = sets.get_set(db, family.id)
    raw = dict(doc.raw)
    raw["title"] = "Gia đình học tập (xã sửa)"
    copy = sets.save_edited_copy(db, family.id, raw)
    assert (copy.code, copy.version, copy.origin) == (family.code, family.version + 1, "edited")
    assert sets.get_set(db, family.id)[1].title == doc.title


def test_targets_report_counts_against_the_right_denominator(
    db: Database, commune: Commune
) -> None:
    cycle.register(db, YEAR, "learning_family", commune.households[:4])
    for household in commune.households[:3]:
        cycle.record_assessment(db, cycle.AssessmentInput(YEAR, "learning_family", household, FULL))
    proposals.propose(db, YEAR, "learning_family", commune.hamlet_a)
    cycle.recognise(db, _decision())
    report = targets.target_report(db, YEAR)
    family = report.models["learning_family"]
    assert (family.denominator, family.registered, family.assessed, family.recognised) == (
        6,
        4,
        3,
        3,
    )
    assert family.rate == 0.5 and family.target == 0.7
    assert family.denominator_label == "tổng số hộ gia đình"
    by_hamlet = {h.name: h.models["learning_family"] for h in report.hamlets}
    assert (by_hamlet["Thôn Đông"].recognised, by_hamlet["Thôn Đông"].denominator) == (3, 4)
    assert by_hamlet["Thôn Tây"].rate == 0
    targets.choose_profile(db, "dien-bien-2025")
    clan = targets.target_report(db, YEAR).models["learning_clan"]
    assert clan.denominator_basis == "registered" and clan.denominator_label.startswith(
        "số dòng họ"
    )
    own = targets.save_custom_profile(db, "Nghị quyết Đảng ủy xã", {"learning_family": 0.8})
    assert targets.target_report(db, YEAR).models["learning_family"].target == 0.8
    assert own.code == targets.CUSTOM_CODE


def test_learning_citizen_targets_follow_the_milestone_year(db: Database) -> None:
    profile = {p.code: p for p in targets.profiles(db)}["qd677"]
    assert profile.target_for("learning_citizen", 2025) == 0.40
    assert profile.target_for("learning_citizen", 2028) == 0.60


def test_age_rules_count_year_only_births_like_full_dates(db: Database, make_name: Any) -> None:
    from app.core.assessment.computations import compute

    hamlet = hamlets.create_hamlet(db, hamlets.HamletInput("Thôn Nam"))
    household = hh.create_household(
        db,
        hh.HouseholdInput(hamlet_id=hamlet),
        [
            PersonInput(make_name("F"), "F", "1980", "Chủ hộ"),
            PersonInput(make_name(), "M", "2008", "Con", is_studying=True),  # 17 in 2025
            PersonInput(make_name(), "F", "01/03/2007", "Con"),  # 18: no longer a child
            PersonInput(make_name(), "M", "2019", "Con"),  # 6: starts school, not attending
        ],
    )
    with db.connect() as conn:
        ratios = compute(conn, 2025, ["children_in_school"])
    assert ratios[household]["children_in_school"].display() == "1/2 (50%)"
    with db.connect() as conn:
        assert household not in compute(conn, 2040, ["children_in_school"])


def test_the_communes_own_targets_can_count_over_registered_entities(
    db: Database, commune: Commune
) -> None:
    cycle.register(db, YEAR, "learning_clan", [commune.clan])
    own = targets.save_custom_profile(
        db, "Xã tự đặt", {"learning_clan": 0.5}, {"learning_clan": "registered"}
    )
    assert targets.chosen_profile(db) == own == targets.custom_profile(db)
    clan = targets.target_report(db, YEAR).models["learning_clan"]
    assert (clan.denominator_basis, clan.denominator, clan.target) == ("registered", 1, 0.5)
    with pytest.raises(ValidationError, match="Mẫu số chỉ có thể"):
        targets.save_custom_profile(db, "Sai", {}, {"learning_clan": "half"})
