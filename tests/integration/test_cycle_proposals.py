"""The hamlet's proposal step: the hamlet proposes its passing entries, the commune decides."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from app.core.assessment import cycle, proposals, sets
from app.core.assessment.proposal_print import print_proposal_list
from app.core.db import Database
from app.core.errors import NotFoundError, ValidationError
from app.core.registry import hamlets, units
from app.core.registry import households as hh
from app.core.registry.people import PersonInput

YEAR = 2025
MODEL = "learning_family"
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
FAILING = FULL | {"4.1": 0, "3.3": 0, "2.3": 0}


@dataclass
class Commune:
    dong: int
    tay: int
    dong_households: list[int]  # first two pass, the third fails
    tay_households: list[int]  # both pass


@pytest.fixture
def commune(db: Database, make_name: Any) -> Commune:
    dong = hamlets.create_hamlet(db, hamlets.HamletInput("Thôn Đông"))
    tay = hamlets.create_hamlet(db, hamlets.HamletInput("Thôn Tây"))

    def household(hamlet: int) -> int:
        people = [
            PersonInput(make_name("M"), "M", "1975", "Chủ hộ", school_level="upper_secondary"),
            PersonInput(make_name(), "F", "2015", "Con", is_studying=True),
        ]
        return hh.create_household(db, hh.HouseholdInput(hamlet_id=hamlet), people)

    c = Commune(dong, tay, [household(dong) for _ in range(3)], [household(tay) for _ in range(2)])
    everyone = c.dong_households + c.tay_households
    cycle.register(db, YEAR, MODEL, everyone)
    for h in everyone:
        values = FAILING if h == c.dong_households[2] else FULL
        cycle.record_assessment(db, cycle.AssessmentInput(YEAR, MODEL, h, values))
    return c


def _decision(number: str = "45/QĐ-UBND") -> cycle.DecisionInput:
    return cycle.DecisionInput(
        YEAR, MODEL, number, dt.date(YEAR, 12, 15), "Chủ tịch UBND xã", "Trần Văn Bình"
    )


def test_a_hamlet_proposes_all_its_passed_entries_with_number_and_signer(
    db: Database, commune: Commune
) -> None:
    res = proposals.propose(
        db,
        YEAR,
        MODEL,
        commune.dong,
        proposed_by="Nguyễn Văn Trưởng",
        number="03/ĐN-TĐ",
        on=dt.date(YEAR, 11, 25),
    )
    assert (res.proposed, res.already, res.hamlet) == (2, 0, "Thôn Đông")
    rows = proposals.proposals(db, YEAR, MODEL, commune.dong)
    assert sorted(r.entity_id for r in rows) == sorted(commune.dong_households[:2])
    assert {(r.proposed_by, r.number, r.proposed_on) for r in rows} == {
        ("Nguyễn Văn Trưởng", "03/ĐN-TĐ", dt.date(YEAR, 11, 25))
    }
    # The other hamlet has proposed nothing yet; proposing again counts, never doubles.
    assert proposals.proposals(db, YEAR, MODEL, commune.tay) == []
    again = proposals.propose(db, YEAR, MODEL, commune.dong, number="04/ĐN-TĐ")
    assert (again.proposed, again.already) == (0, 2)
    assert {r.number for r in proposals.proposals(db, YEAR, MODEL)} == {"03/ĐN-TĐ"}
    listed = {r.entity_id: r.proposed for r in cycle.cycle_rows(db, YEAR, MODEL)}
    assert [listed[h] for h in commune.dong_households] == [True, True, False]


def test_a_hamlet_cannot_propose_a_failed_unassessed_or_foreign_entry(
    db: Database, commune: Commune
) -> None:
    with pytest.raises(ValidationError, match="chưa đạt"):
        proposals.propose(db, YEAR, MODEL, commune.dong, [commune.dong_households[2]])
    with pytest.raises(ValidationError, match="không thuộc Thôn Đông"):
        proposals.propose(db, YEAR, MODEL, commune.dong, [commune.tay_households[0]])
    cycle.delete_assessment(db, YEAR, MODEL, commune.tay_households[1])
    with pytest.raises(ValidationError, match="chưa được đánh giá"):
        proposals.propose(db, YEAR, MODEL, commune.tay, [commune.tay_households[1]])
    with pytest.raises(NotFoundError, match="thôn có mã 999"):
        proposals.propose(db, YEAR, MODEL, 999)
    with pytest.raises(ValidationError, match="không qua bước thôn đề nghị"):
        proposals.propose(db, YEAR, "learning_unit", commune.dong)
    assert proposals.proposals(db, YEAR, MODEL) == []


def test_the_decision_recognises_only_proposed_entries_by_default(
    db: Database, commune: Commune
) -> None:
    proposals.propose(db, YEAR, MODEL, commune.dong)
    out = cycle.recognise(db, _decision())
    # Thôn Tây's two passing households were not proposed: left out, and counted.
    assert (out.recognised, out.not_proposed) == (2, 2)
    recognised = {r.entity_id for r in cycle.cycle_rows(db, YEAR, MODEL) if r.recognised}
    assert recognised == set(commune.dong_households[:2])
    with pytest.raises(ValidationError, match="2 hộ gia đình đạt nhưng chưa được thôn đề nghị"):
        cycle.recognise(db, _decision("46/QĐ-UBND"))


def test_naming_an_unproposed_entry_is_refused_unless_overridden(
    db: Database, commune: Commune
) -> None:
    target = commune.tay_households[0]
    with pytest.raises(ValidationError, match=rf"chưa được thôn đề nghị \(mã {target}\)"):
        cycle.recognise(db, _decision(), [target])
    out = cycle.recognise(db, _decision(), [target], allow_unproposed=True)
    assert out.recognised == 1


def test_units_are_decided_without_a_hamlet_proposal(db: Database) -> None:
    unit = units.create_unit(db, units.UnitInput("Trường Tiểu học Hòa Bình"))
    cycle.register(db, YEAR, "learning_unit", [unit])
    # The commune default (QĐ 448 section D): every typed item at its maximum = 80, "Khá".
    with db.session() as s:
        doc = sets.load_doc(s, sets.active_set_id(s, "learning_unit", YEAR))
    values = {i.code: i.max for i in doc.items if i.kind != "computed"}
    cycle.record_assessment(db, cycle.AssessmentInput(YEAR, "learning_unit", unit, values))
    decision = cycle.DecisionInput(
        YEAR, "learning_unit", "9/QĐ-UBND", dt.date(YEAR, 12, 1), "", "Lê Văn Hòa"
    )
    assert cycle.recognise(db, decision).recognised == 1


def test_withdrawing_a_proposal_and_what_cannot_be_withdrawn(
    db: Database, commune: Commune
) -> None:
    proposals.propose(db, YEAR, MODEL, commune.tay)
    first, second = commune.tay_households
    assert proposals.withdraw(db, YEAR, MODEL, [first]) == 1
    assert [r.entity_id for r in proposals.proposals(db, YEAR, MODEL)] == [second]
    assert proposals.withdraw(db, YEAR, MODEL, [first]) == 0
    cycle.recognise(db, _decision())
    with pytest.raises(ValidationError, match="đã có quyết định công nhận"):
        proposals.withdraw(db, YEAR, MODEL, [second])
    assert [r.recognised for r in proposals.proposals(db, YEAR, MODEL)] == [True]


def test_a_failing_reassessment_withdraws_the_proposal(db: Database, commune: Commune) -> None:
    proposals.propose(db, YEAR, MODEL, commune.tay)
    first = commune.tay_households[0]
    cycle.record_assessment(db, cycle.AssessmentInput(YEAR, MODEL, first, FAILING))
    assert first not in {r.entity_id for r in proposals.proposals(db, YEAR, MODEL)}
    # A passing re-entry keeps the proposal as it was.
    second = commune.tay_households[1]
    cycle.record_assessment(db, cycle.AssessmentInput(YEAR, MODEL, second, FULL))
    assert second in {r.entity_id for r in proposals.proposals(db, YEAR, MODEL)}


def test_a_closed_year_refuses_proposals(db: Database, commune: Commune) -> None:
    cycle.close_year(db, YEAR, "Đã báo cáo")
    with pytest.raises(ValidationError, match="đã khóa sổ"):
        proposals.propose(db, YEAR, MODEL, commune.dong)


def test_saving_a_hamlet_proposal_list_proposes_and_withdraws_in_one_go(
    db: Database, commune: Commune
) -> None:
    first, second = commune.dong_households[:2]
    proposals.propose(
        db, YEAR, MODEL, commune.dong, [first], number="01/ĐN", on=dt.date(YEAR, 11, 1)
    )
    change = proposals.save_hamlet_proposal(
        db, YEAR, MODEL, commune.dong, [second], number="02/ĐN", proposed_by="Bà Lý Thị Mơ"
    )
    assert (change.proposed, change.withdrawn) == (1, 1)
    rows = proposals.proposals(db, YEAR, MODEL, commune.dong)
    assert [(r.entity_id, r.number, r.proposed_by) for r in rows] == [
        (second, "02/ĐN", "Bà Lý Thị Mơ")
    ]
    # A refused entry (failed) leaves the stored proposal exactly as it was.
    with pytest.raises(ValidationError, match="chưa đạt"):
        proposals.save_hamlet_proposal(db, YEAR, MODEL, commune.dong, [commune.dong_households[2]])
    assert [r.entity_id for r in proposals.proposals(db, YEAR, MODEL, commune.dong)] == [second]


def test_the_hamlet_proposal_list_prints_with_its_number_and_signer(
    db: Database, commune: Commune, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError, match="chưa đề nghị ai"):
        print_proposal_list(db, tmp_path / "x.pdf", YEAR, MODEL, commune.dong)
    proposals.propose(
        db, YEAR, MODEL, commune.dong, number="03/ĐN-TĐ", proposed_by="Nguyễn Văn Trưởng"
    )
    out = print_proposal_list(db, tmp_path / "de-nghi.pdf", YEAR, MODEL, commune.dong)
    assert (out.items, out.pages) == (2, 1)
    text = unicodedata.normalize("NFC", PdfReader(out.path).pages[0].extract_text())
    compact = " ".join(text.split())
    assert "Danh sách đề nghị công nhận Gia đình học tập năm 2025".upper() in compact.upper()
    assert "03/ĐN-TĐ" in compact and "Nguyễn Văn Trưởng" in compact
    names = {r.entity_id: r.name for r in cycle.cycle_rows(db, YEAR, MODEL)}
    assert all(names[h] in compact for h in commune.dong_households[:2])
    assert names[commune.dong_households[2]] not in compact
