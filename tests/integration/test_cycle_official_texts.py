"""The cycle against what the official texts say: exemptions, the unit's learning citizens,
the learning-citizen targets, counts that never pass 100 %, the family-decision warning."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from app.core.assessment import cycle, proposals, sets, targets
from app.core.db import Database
from app.core.errors import ValidationError
from app.core.registry import clans, hamlets, units
from app.core.registry import households as hh
from app.core.registry.people import PersonInput

YEAR = 2025
FAMILY_TYPED = {
    "1.2": 8,
    "1.3": 8,
    "2.2": 8,
    "2.3": 8,
    "3.1": True,
    "3.2": True,
    "3.3": 8,
    "4.1": 8,
    "4.2": True,
}
CITIZEN_PASS = {f"{g}.{k}": 8 for g, n in ((1, 4), (2, 4), (3, 2)) for k in range(1, n + 1)}


def _decision(model: str, number: str = "12/QĐ-UBND") -> cycle.DecisionInput:
    return cycle.DecisionInput(
        YEAR, model, number, dt.date(YEAR, 12, 10), "Chủ tịch UBND xã", "Trần Văn Bình"
    )


@dataclass
class Village:
    hamlet: int
    clan: int
    households: list[int]
    workers: list[int]  # the working-age head of each household


@pytest.fixture
def village(db: Database, make_name: Any) -> Village:
    hamlet = hamlets.create_hamlet(db, hamlets.HamletInput("Thôn Phú Mỹ"))
    clan = clans.create_clan(db, clans.ClanInput("Họ Phạm", hamlet_id=hamlet))
    households, workers = [], []
    for k in range(4):
        household = hh.create_household(
            db,
            hh.HouseholdInput(hamlet_id=hamlet, clan_id=clan),
            [
                PersonInput(make_name("M"), "M", "1980", "Chủ hộ", school_level="upper_secondary"),
                # Two children of 10: the second one of the first household is not at school.
                PersonInput(make_name(), "F", "2015", "Con", is_studying=True),
                PersonInput(make_name("F"), "F", "2015", "Con", is_studying=k != 0),
            ],
        )
        households.append(household)
        workers.append(hh.get_household_card(db, household).people[0].id)
    return Village(hamlet, clan, households, workers)


def _recognise_citizens(db: Database, people: list[int]) -> None:
    cycle.register(db, YEAR, "learning_citizen", people)
    for person in people:
        cycle.record_assessment(
            db, cycle.AssessmentInput(YEAR, "learning_citizen", person, CITIZEN_PASS)
        )
    cycle.recognise(db, _decision("learning_citizen", "3/QĐ-KH"), allow_unproposed=True)


def test_an_exempted_child_needs_a_reason_and_then_the_household_passes(
    db: Database, village: Village
) -> None:
    household = village.households[0]
    cycle.register(db, YEAR, "learning_family", [household])
    counted = cycle.record_assessment(
        db, cycle.AssessmentInput(YEAR, "learning_family", household, FAMILY_TYPED)
    )
    # One of two children out of school: 1.1 = 0; 8·6 + 5 + 5 + 10 + 10 (2.1) = 78.
    assert counted.result.items["1.1"].shown == "1/2 (50%)"
    assert counted.result.total == 78 and not counted.result.passed
    override = FAMILY_TYPED | {"1.1": 10}
    with pytest.raises(ValidationError, match=r"Mục 1\.1 được tính từ sổ; muốn sửa thì ghi lý do"):
        cycle.record_assessment(
            db, cycle.AssessmentInput(YEAR, "learning_family", household, override)
        )
    exempt = cycle.record_assessment(
        db,
        cycle.AssessmentInput(
            YEAR,
            "learning_family",
            household,
            override,
            evidence={"1.1": "Cháu Thảo khuyết tật vận động, không có khả năng đến trường"},
        ),
    )
    assert exempt.result.items["1.1"].overridden
    assert exempt.result.total == 88 and exempt.result.passed
    # The grid reads the stored override back the same way.
    sheet = cycle.assessment_sheet(db, YEAR, "learning_family")
    assert sheet.rows[0].values["1.1"] == 10


def test_a_household_with_no_school_age_child_shows_not_applicable(
    db: Database, make_name: Any
) -> None:
    hamlet = hamlets.create_hamlet(db, hamlets.HamletInput("Thôn Hậu"))
    household = hh.create_household(
        db,
        hh.HouseholdInput(hamlet_id=hamlet),
        [PersonInput(make_name("F"), "F", "1958", "Chủ hộ", school_level="primary")],
    )
    cycle.register(db, YEAR, "learning_family", [household])
    out = cycle.record_assessment(
        db, cycle.AssessmentInput(YEAR, "learning_family", household, FAMILY_TYPED)
    )
    item = out.result.items["1.1"]
    assert item.not_applicable and item.shown == "không áp dụng" and item.points == 10


def test_tt24_unit_level_follows_the_share_of_its_people_who_are_learning_citizens(
    db: Database, village: Village
) -> None:
    school = units.create_unit(db, units.UnitInput("Trường Mầm non Phú Mỹ", kind="school"))
    sets.choose_active(db, "learning_unit", "dvht-tt24")
    for person in village.workers:
        view = hh.get_person(db, person)
        hh.update_person(db, person, PersonInput(view.full_name, birth="1980", unit_id=school))
    assert hh.get_person(db, village.workers[0]).unit_id == school
    # An edit that does not show the workplace keeps it.
    hh.update_person(
        db,
        village.workers[0],
        PersonInput(hh.get_person(db, village.workers[0]).full_name, birth="1980"),
    )
    assert hh.get_person(db, village.workers[0]).unit_id == school
    _recognise_citizens(db, village.workers[:3])
    cycle.register(db, YEAR, "learning_unit", [school])
    typed = {"1.1": True, "1.2": True, "1.3": True, "2.1": True, "2.2": True, "3.2": True}
    typed |= {"3.3": True}
    out = cycle.record_assessment(db, cycle.AssessmentInput(YEAR, "learning_unit", school, typed))
    # 3 of 4 = 75 % < 90 %: not level 1.
    assert out.result.items["3.1"].shown == "3/4 (75%)" and not out.result.passed
    # The fourth is recognised on a second decision.
    cycle.register(db, YEAR, "learning_citizen", village.workers[3:])
    cycle.record_assessment(
        db, cycle.AssessmentInput(YEAR, "learning_citizen", village.workers[3], CITIZEN_PASS)
    )
    cycle.recognise(db, _decision("learning_citizen", "4/QĐ-KH"), allow_unproposed=True)
    again = cycle.record_assessment(db, cycle.AssessmentInput(YEAR, "learning_unit", school, typed))
    assert again.result.items["3.4"].shown == "4/4 (100%)"
    assert (again.result.level, again.result.label) == (2, "Mức độ 2")


def test_a_unit_nobody_is_linked_to_does_not_pass_on_an_empty_count(db: Database) -> None:
    office = units.create_unit(db, units.UnitInput("Hợp tác xã Nông nghiệp Đồng Tâm"))
    sets.choose_active(db, "learning_unit", "dvht-tt24")
    cycle.register(db, YEAR, "learning_unit", [office])
    everything = {"1.1": True, "1.2": True, "1.3": True, "2.1": True, "2.2": True}
    everything |= {"3.2": True, "3.3": True}
    out = cycle.record_assessment(
        db, cycle.AssessmentInput(YEAR, "learning_unit", office, everything)
    )
    assert out.result.items["3.1"].shown == "chưa có số liệu" and not out.result.passed


def test_the_commune_unit_default_is_the_qd448_section_d_set(db: Database) -> None:
    with db.session() as s:
        doc = sets.load_doc(s, sets.active_set_id(s, "learning_unit", YEAR))
    assert doc.code == "dvht-448-xa"
    tt22 = next(i for i in sets.list_sets(db, "learning_unit") if i.code == "dvht-tt22")
    assert tt22.superseded_by == "dvht-tt24"


def test_recognitions_of_deleted_clans_are_not_counted(db: Database, village: Village) -> None:
    other = clans.create_clan(db, clans.ClanInput("Họ Lê", hamlet_id=village.hamlet))
    cycle.register(db, YEAR, "learning_clan", [village.clan, other])
    full = {"2.1": True, "2.2": True, "2.3": 15, "2.4": 10}
    # Clans need their families first; record the families' decision.
    cycle.register(db, YEAR, "learning_family", village.households)
    for household in village.households:
        cycle.record_assessment(
            db,
            cycle.AssessmentInput(
                YEAR,
                "learning_family",
                household,
                FAMILY_TYPED | {"1.1": 10},
                evidence={"1.1": "Cháu nhỏ ốm dài ngày, được miễn"},
            ),
        )
    proposals.propose(db, YEAR, "learning_family", village.hamlet)
    cycle.recognise(db, _decision("learning_family"))
    for clan in (village.clan, other):
        cycle.record_assessment(db, cycle.AssessmentInput(YEAR, "learning_clan", clan, full))
    cycle.recognise(db, _decision("learning_clan", "13/QĐ-UBND"), allow_unproposed=True)
    before = targets.target_report(db, YEAR).models["learning_clan"]
    assert (before.recognised, before.denominator, before.rate) == (2, 2, 1.0)
    # Deleting a recognised clan used to leave its recognition counted: 2 of 1 = 200 %.
    clans.delete_clan(db, other)
    after = targets.target_report(db, YEAR)
    clan = after.models["learning_clan"]
    assert (clan.recognised, clan.denominator, clan.rate) == (1, 1, 1.0)
    hamlet = next(h for h in after.hamlets if h.hamlet_id == village.hamlet)
    assert hamlet.models["learning_clan"].rate == 1.0
    for figures in [*after.models.values(), *(m for h in after.hamlets for m in h.models.values())]:
        assert figures.rate is None or figures.rate <= 1.0


def test_learning_citizens_are_counted_over_adults_in_learning_models_and_unit_staff(
    db: Database, village: Village, make_name: Any
) -> None:
    targets.choose_profile(db, "qd387")
    cycle.register(db, YEAR, "learning_family", village.households[:2])
    for household in village.households[:2]:
        cycle.record_assessment(
            db,
            cycle.AssessmentInput(
                YEAR,
                "learning_family",
                household,
                FAMILY_TYPED | {"1.1": 10},
                evidence={"1.1": "Cháu nhỏ ốm dài ngày, được miễn"},
            ),
        )
    proposals.propose(db, YEAR, "learning_family", village.hamlet)
    cycle.recognise(db, _decision("learning_family"))
    # Two learning families, one adult (15–60) each → 2 adults; one is a learning citizen,
    # and so is an adult of a household that is not a learning family (not counted).
    _recognise_citizens(db, [village.workers[0], village.workers[3]])
    report = targets.target_report(db, YEAR)
    citizen = report.models["learning_citizen"]
    assert (citizen.recognised, citizen.denominator, citizen.rate) == (1, 2, 0.5)
    assert citizen.target == 0.4
    assert "gia đình, dòng họ, cộng đồng học tập" in citizen.denominator_label
    # Staff of learning units: the school is recognised; 1 of its 2 people is a citizen.
    school = units.create_unit(db, units.UnitInput("Trường Tiểu học Phú Mỹ", kind="school"))
    for person in village.workers[1:3]:
        name = hh.get_person(db, person).full_name
        hh.update_person(db, person, PersonInput(name, birth="1980", unit_id=school))
    cycle.register(db, YEAR, "learning_citizen", [village.workers[1]])
    cycle.record_assessment(
        db, cycle.AssessmentInput(YEAR, "learning_citizen", village.workers[1], CITIZEN_PASS)
    )
    cycle.recognise(db, _decision("learning_citizen", "5/QĐ-KH"), allow_unproposed=True)
    cycle.register(db, YEAR, "learning_unit", [school])
    with db.session() as s:
        doc = sets.load_doc(s, sets.active_set_id(s, "learning_unit", YEAR))
    typed = {i.code: i.max for i in doc.items if i.kind != "computed"}
    cycle.record_assessment(db, cycle.AssessmentInput(YEAR, "learning_unit", school, typed))
    cycle.recognise(db, _decision("learning_unit", "14/QĐ-UBND"))
    staff = targets.target_report(db, YEAR).citizen_staff
    assert staff is not None
    assert (staff.denominator, staff.rate, staff.target) == (2, 0.5, 0.6)
    assert staff.denominator_label == "số người làm việc tại các đơn vị học tập"


def test_no_learning_citizen_target_after_2030(db: Database) -> None:
    profile = {p.code: p for p in targets.profiles(db)}["qd677"]
    assert profile.target_for("learning_citizen", 2025) == 0.40
    assert profile.target_for(targets.CITIZEN_STAFF, 2025) == 0.60
    assert profile.target_for("learning_citizen", 2030) == 0.60
    assert profile.target_for(targets.CITIZEN_STAFF, 2030) == 0.80
    assert profile.target_for("learning_citizen", 2031) is None
    report = targets.target_report(db, 2031, "qd677")
    assert report.models["learning_citizen"].target is None
    assert "chỉ đặt chỉ tiêu đến năm 2030; năm 2031 chưa có chỉ tiêu" in report.no_target
    assert targets.target_report(db, 2030, "qd677").no_target == ""


def test_clans_scored_before_the_family_decision_are_warned_about(
    db: Database, village: Village
) -> None:
    warning = cycle.family_decision_warning(db, YEAR, "learning_clan")
    assert (
        warning is not None and "Chưa có quyết định công nhận Gia đình học tập năm 2025" in warning
    )
    assert cycle.family_decision_warning(db, YEAR, "learning_community") is not None
    assert cycle.family_decision_warning(db, YEAR, "learning_unit") is None
    cycle.register(db, YEAR, "learning_family", village.households[:1])
    cycle.record_assessment(
        db,
        cycle.AssessmentInput(
            YEAR,
            "learning_family",
            village.households[0],
            FAMILY_TYPED | {"1.1": 10},
            evidence={"1.1": "Cháu nhỏ ốm dài ngày, được miễn"},
        ),
    )
    proposals.propose(db, YEAR, "learning_family", village.hamlet)
    cycle.recognise(db, _decision("learning_family"))
    assert cycle.family_decision_warning(db, YEAR, "learning_clan") is None


def test_evidence_must_be_a_table_of_notes(db: Database, village: Village) -> None:
    cycle.register(db, YEAR, "learning_family", village.households[:1])
    bad: Any = "Sổ theo dõi của thôn"
    with pytest.raises(ValidationError, match="“evidence” \\(minh chứng\\) phải là một bảng"):
        cycle.record_assessment(
            db,
            cycle.AssessmentInput(
                YEAR, "learning_family", village.households[0], FAMILY_TYPED, evidence=bad
            ),
        )


def test_no_rate_passes_100_percent_after_recognised_entities_are_deleted(
    tmp_path: Any,
) -> None:
    """The demo's three years of recognitions, then a recognised entity of every model
    deleted: every rate of the report (commune, hamlets, unit staff) stays within 0–100 %."""
    from sqlalchemy import text

    from app.core.demo import generate_demo
    from app.core.workspace import open_workspace

    generate_demo(tmp_path / "demo", households=60, seed=11, lock=False)
    ws = open_workspace(tmp_path / "demo")
    try:
        db = ws.db
        with db.session() as s:
            table = {"learning_family": "household", "learning_clan": "clan"}
            table |= {"learning_community": "hamlet", "learning_unit": "unit"}
            table |= {"learning_citizen": "person"}
            year = max(int(y) for (y,) in s.execute(text("SELECT year FROM recognition")))
            for model, name in table.items():
                picked = s.execute(
                    text(
                        "SELECT entity_id FROM recognition WHERE deleted = 0 AND model = :m "
                        "AND year = :y LIMIT 2"
                    ),
                    {"m": model, "y": year},
                ).all()
                for (entity,) in picked:
                    s.execute(text(f"UPDATE {name} SET deleted = 1 WHERE id = :e"), {"e": entity})
        for code in ("qd281", "qd387", "dien-bien-2025", "thai-binh-2025"):
            report = targets.target_report(db, year, code)
            rows = [
                *report.models.values(),
                *(m for h in report.hamlets for m in h.models.values()),
            ]
            rows += [report.citizen_staff] if report.citizen_staff else []
            for figures in rows:
                assert figures.recognised <= figures.denominator, (code, figures)
                assert figures.rate is None or 0 <= figures.rate <= 1, (code, figures)
    finally:
        ws.close()
