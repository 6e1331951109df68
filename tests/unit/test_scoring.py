"""The scoring engine, worked through by hand for every shipped set.

Each example states its arithmetic in the comment so a secretary can check it
against the paper form.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.core.assessment.criteria import NOT_APPLICABLE, CriteriaSetDoc, builtin_sets
from app.core.assessment.scoring import Ratio, score
from app.core.errors import ValidationError


def _set(code: str) -> CriteriaSetDoc:
    return next(d for d in builtin_sets() if d.code == code)


FAMILY = "gdht-448"


def test_family_passes_at_exactly_the_pass_mark() -> None:
    doc = _set(FAMILY)
    values: dict[str, Any] = {
        "1.2": 8,
        "1.3": 9,  # + 1.1 computed 2/2 children at school = 10 → group 1: 27
        "2.2": 7,
        "2.3": 6,  # + 2.1 computed 3/3 adults literate = 10 → group 2: 23
        "3.1": True,
        "3.2": False,
        "3.3": 5,  # 5 + 0 + 5 = 10
        "4.1": 10,
        "4.2": "có",  # 10 + 10 = 20
    }
    ratios = {"children_in_school": Ratio(2, 2), "adults_literate": Ratio(3, 3)}
    result = score(doc, values, ratios)
    assert result.group_totals == {"1": 27, "2": 23, "3": 10, "4": 20}
    assert result.total == 80 and result.passed and result.label == "Đạt"
    values["3.3"] = 4
    below = score(doc, values, ratios)
    assert below.total == 79 and not below.passed and below.label == "Không đạt"


def test_family_has_no_group_minimum_the_decision_does_not_give() -> None:
    doc = _set(FAMILY)
    assert all(g.min is None for g in doc.groups)
    assert all(c.min is None for g in doc.groups for c in g.criteria)
    values = {
        "1.2": 7,
        "1.3": 7,
        "2.2": 10,
        "2.3": 10,
        "3.1": 1,
        "3.2": 1,
        "3.3": 10,
        "4.1": 10,
        "4.2": 1,
    }
    # One of two children out of school: 1.1 scores 0 → group 1 = 14; total 84 ≥ 80.
    result = score(doc, values, {"children_in_school": Ratio(1, 2), "adults_literate": Ratio(2, 2)})
    assert result.group_totals["1"] == 14 and result.total == 84
    assert result.passed and not result.failures


def test_an_exempted_child_is_an_override_of_the_computed_item() -> None:
    """QĐ 448: children attend school "except illness, disability, inability to study"."""
    doc = _set(FAMILY)
    values: dict[str, Any] = {
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
    ratios = {"children_in_school": Ratio(1, 2), "adults_literate": Ratio(2, 2)}
    # 1 of 2 children at school → 1.1 = 0; 8 + 8 + 10 + 8 + 8 + 5 + 5 + 8 + 8 + 10 = 78.
    counted = score(doc, values, ratios)
    assert counted.items["1.1"].points == 0 and counted.total == 78 and not counted.passed
    # The other child is disabled and cannot study: the secretary sets 1.1 to 10 → 88.
    exempt = score(doc, values | {"1.1": 10}, ratios)
    assert exempt.items["1.1"].overridden and exempt.items["1.1"].points == 10
    assert exempt.items["1.1"].shown == "sửa tay; sổ: 1/2 (50%)"
    assert exempt.total == 88 and exempt.passed
    # "không áp dụng" typed by hand is full marks and says so.
    na = score(doc, values | {"1.1": NOT_APPLICABLE}, ratios).items["1.1"]
    assert (na.points, na.not_applicable, na.overridden) == (10, True, True)
    with pytest.raises(ValidationError, match="vượt quá điểm tối đa 10"):
        score(doc, values | {"1.1": 12}, ratios)


def test_family_without_children_or_adults_is_not_applicable_not_failed() -> None:
    doc = _set(FAMILY)
    result = score(doc, {}, {"children_in_school": Ratio(0, 0)})
    assert result.items["1.1"].not_applicable and result.items["1.1"].points == 10
    assert result.items["1.1"].shown == NOT_APPLICABLE
    # No ratio at all (nobody of that age) is the same.
    assert result.items["2.1"].not_applicable and result.items["2.1"].points == 10
    assert result.missing == ("1.2", "1.3", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1", "4.2")
    assert result.total == 20


def test_citizen_passes_at_80_with_no_indicator_below_5() -> None:
    doc = _set("cdht-244")
    codes = [i.code for i in doc.items]
    assert score(doc, dict.fromkeys(codes, 8)).passed  # 10 × 8 = 80
    values = dict.fromkeys(codes, 8) | {"3.2": 7}  # 79
    assert score(doc, values).total == 79 and not score(doc, values).passed
    strong = dict.fromkeys(codes, 9) | {"2.3": 4}  # 9 × 9 + 4 = 85, but 4 < 5
    result = score(doc, strong)
    assert result.total == 85 and not result.passed
    assert result.failures == ("Mục 2.3 đạt 4 điểm, dưới mức tối thiểu 5.",)


def _tt22(total_halves: int) -> dict[str, float]:
    """TT 22 values adding up to total_halves / 2 points (filled item by item, step 0.5)."""
    doc = _set("dvht-tt22")
    left = total_halves
    values = {}
    for item in doc.items:
        take = min(left, int(item.max * 2))
        values[item.code] = take / 2
        left -= take
    return values


def test_unit_tt22_items_are_the_points_of_the_text() -> None:
    doc = _set("dvht-tt22")
    assert [(i.code, i.max) for i in doc.items] == [
        ("1.1", 10),
        ("1.2", 10),
        ("1.3", 10),
        ("2.1", 10),
        ("2.2", 5),
        ("2.3", 10),
        ("2.4", 5),
        ("3.1", 25),
        ("3.2", 10),
        ("3.3", 5),
    ]


@pytest.mark.parametrize(
    ("total", "label", "passed"),
    [
        (100, "Tốt", True),
        (85, "Tốt", True),
        (84.5, "Khá", True),
        (70, "Khá", True),
        (69.5, "Trung bình", True),
        (50, "Trung bình", True),
        (49.5, "Không đạt", False),
        (0, "Không đạt", False),
    ],
)
def test_unit_tt22_band_boundaries(total: float, label: str, passed: bool) -> None:
    result = score(_set("dvht-tt22"), _tt22(int(total * 2)))
    assert result.total == total
    assert (result.label, result.passed) == (label, passed)


def test_unit_tt22_refuses_points_off_the_step() -> None:
    with pytest.raises(ValidationError, match=r"theo bước 0\.5"):
        score(_set("dvht-tt22"), {"1.1": 7.3})
    with pytest.raises(ValidationError, match="vượt quá điểm tối đa 5"):
        score(_set("dvht-tt22"), {"2.2": 5.5})


def test_commune_unit_reference_set_at_85_and_84_5() -> None:
    doc = _set("dvht-448-xa")
    values = {"1.1": 10, "1.2": 10, "1.3": 9.5, "2.1": 14, "2.2": 14, "3.2": 5, "3.3": 4.5}
    staff = {"unit_learning_citizens": Ratio(9, 10)}
    # 10 + 10 + 9.5 + 14 + 14 = 57.5; 9/10 citizens of 20 = 18; + 5 + 4.5 = 85 → Tốt.
    good = score(doc, values, staff)
    assert good.items["3.1"].points == 18 and good.total == 85 and good.label == "Tốt"
    fair = score(doc, values | {"3.3": 4}, staff)
    assert fair.total == 84.5 and fair.label == "Khá" and fair.passed
    # Nobody linked to the unit yet: no free points, the item says there are no figures.
    empty = score(doc, values, {})
    assert empty.items["3.1"].points == 0 and empty.items["3.1"].missing
    assert empty.items["3.1"].shown == "chưa có số liệu" and empty.total == 67


def test_unit_tt24_levels() -> None:
    doc = _set("dvht-tt24")
    assert [len(g.items) for g in doc.groups] == [3, 2, 4]  # conditions; learning; effects
    typed = {i.code: i.level == 1 for i in doc.items if i.kind != "computed"}
    # 18 of 20 members are learning citizens = 90 %: level 1, not level 2 (needs 95 %).
    ninety = {"unit_learning_citizens": Ratio(18, 20)}
    result = score(doc, typed, ninety)
    assert (result.passed, result.level, result.label) == (True, 1, "Mức độ 1")
    everything = dict.fromkeys(typed, True)
    assert score(doc, everything, ninety).level == 1
    assert score(doc, everything, {"unit_learning_citizens": Ratio(19, 20)}).level == 2
    # 17 of 20 = 85 % is below level 1.
    low = score(doc, everything, {"unit_learning_citizens": Ratio(17, 20)})
    assert not low.passed and low.label == "Không đạt"
    # No one linked to the unit: not met (never a pass on an empty count).
    assert not score(doc, everything, {}).passed
    # A level-2 indicator met without all of level 1 does not make level 2.
    ninety_five = {"unit_learning_citizens": Ratio(19, 20)}
    assert not score(doc, everything | {"1.1": False}, ninety_five).passed


def test_clan_computed_from_the_registries() -> None:
    doc = _set("dhht-448")
    values = {"2.1": True, "2.2": True, "2.3": 10, "2.4": 5}
    ratios = {"clan_learning_families": Ratio(7, 10), "clan_children_in_school": Ratio(19, 20)}
    # 7/10 of 30 = 21; 19/20 = 95 % reaches the 95 % threshold = 20; 15 + 10 + 10 + 5 = 40.
    result = score(doc, values, ratios)
    assert result.items["1.1"].points == 21 and result.items["1.1"].shown == "7/10 (70%)"
    assert result.total == 81 and result.passed
    # No learning family in the clan: 0 + 20 + 40 = 60 < 80 (no group minimum any more).
    none = score(doc, values, ratios | {"clan_learning_families": Ratio(0, 10)})
    assert none.total == 60 and not none.passed and not none.failures


def test_hamlet_member_share_threshold() -> None:
    doc = _set("cdht-thon-448")
    values = {"2.1": 15, "2.2": True, "2.3": 12}
    ratios = {
        "hamlet_learning_families": Ratio(6, 10),  # 18
        "hamlet_learning_clans": Ratio(1, 2),  # 5
        "hamlet_member_share": Ratio(25, 100),  # 25 % → 10
        "hamlet_children_in_school": Ratio(95, 100),  # 10
    }
    assert score(doc, values, ratios).total == 80 and score(doc, values, ratios).passed
    short = ratios | {"hamlet_member_share": Ratio(24, 100)}
    assert score(doc, values, short).total == 70 and not score(doc, values, short).passed


def test_commune_tt25_levels_from_typed_items() -> None:
    doc = _set("cdht-xa-tt25")
    assert len(doc.groups) == 5 and all(i.kind == "yesno" for i in doc.items)
    level1 = {i.code: i.level == 1 for i in doc.items}
    result = score(doc, level1)
    assert (result.level, result.label) == (1, "Mức độ 1")
    assert score(doc, dict.fromkeys(level1, True)).label == "Mức độ 2"
    # The Lifelong-Learning Week's plan and report missing: not even level 1.
    assert not score(doc, dict.fromkeys(level1, True) | {"1.3": False}).passed


def test_unknown_items_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"không có mục: 9\.9"):
        score(_set(FAMILY), {"9.9": 1})


def test_yes_no_accepts_vietnamese_words() -> None:
    doc = _set(FAMILY)
    assert score(doc, {"3.1": "có"}).items["3.1"].points == 5
    assert score(doc, {"3.1": "không"}).items["3.1"].points == 0
    with pytest.raises(ValidationError, match="“có” hoặc “không”"):
        score(doc, {"3.1": "có lẽ"})
