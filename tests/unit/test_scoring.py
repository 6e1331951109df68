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


def test_family_fails_on_a_group_minimum_even_above_the_pass_mark() -> None:
    doc = _set(FAMILY)
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
    # One of two children out of school: 1.1 scores 0 → group 1 = 14 < 15; total 84.
    result = score(doc, values, {"children_in_school": Ratio(1, 2), "adults_literate": Ratio(2, 2)})
    assert result.total == 84
    assert not result.passed
    assert result.failures == ("Nhóm 1 đạt 14 điểm, dưới mức tối thiểu 15.",)


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
    """TT 22 values adding up to total_halves / 2 points (items of 10, step 0.5)."""
    doc = _set("dvht-tt22")
    left = total_halves
    values = {}
    for item in doc.items:
        take = min(left, 20)
        values[item.code] = take / 2
        left -= take
    return values


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
    with pytest.raises(ValidationError, match="vượt quá điểm tối đa 10"):
        score(_set("dvht-tt22"), {"1.1": 10.5})


def test_unit_tt24_levels() -> None:
    doc = _set("dvht-tt24")
    level1 = {i.code: i.level == 1 for i in doc.items}
    result = score(doc, level1)
    assert (result.passed, result.level, result.label) == (True, 1, "Mức độ 1")
    everything = dict.fromkeys(level1, True)
    assert score(doc, everything).level == 2
    # A level-2 indicator met without all of level 1 does not make level 2.
    assert not score(doc, everything | {"1.3": False}).passed
    assert score(doc, everything | {"1.3": False}).label == "Không đạt"


def test_clan_computed_from_the_registries() -> None:
    doc = _set("dhht-448")
    values = {"2.1": True, "2.2": True, "2.3": 10, "2.4": 5}
    ratios = {"clan_learning_families": Ratio(7, 10), "clan_children_in_school": Ratio(19, 20)}
    # 7/10 of 30 = 21; 19/20 = 95 % reaches the 95 % threshold = 20; 15 + 10 + 10 + 5 = 40.
    result = score(doc, values, ratios)
    assert result.items["1.1"].points == 21 and result.items["1.1"].shown == "7/10 (70%)"
    assert result.total == 81 and result.passed
    # No learning family in the clan: group 1 = 0 + 20 < 25.
    none = score(doc, values, ratios | {"clan_learning_families": Ratio(0, 10)})
    assert not none.passed and "Nhóm 1 đạt 20 điểm" in none.failures[0]


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


def test_commune_tt25_levels_from_its_own_figures() -> None:
    doc = _set("cdht-xa-tt25")
    yes = {i.code: True for i in doc.items if i.kind == "yesno"}
    ratios = {
        "commune_children_in_school": Ratio(97, 100),
        "commune_member_share": Ratio(28, 100),  # ≥ 25 % (level 1), < 30 % (level 2)
        "commune_learning_families": Ratio(65, 100),
        "commune_learning_clans": Ratio(5, 10),
        "commune_learning_communities": Ratio(7, 10),
        "commune_learning_units": Ratio(6, 10),
    }
    result = score(doc, yes, ratios)
    assert (result.level, result.label) == (1, "Mức độ 1 (Khá)")
    better = ratios | {
        "commune_member_share": Ratio(31, 100),
        "commune_learning_families": Ratio(72, 100),
    }
    assert score(doc, yes, better).label == "Mức độ 2 (Tốt)"


def test_unknown_items_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"không có mục: 9\.9"):
        score(_set(FAMILY), {"9.9": 1})


def test_yes_no_accepts_vietnamese_words() -> None:
    doc = _set(FAMILY)
    assert score(doc, {"3.1": "có"}).items["3.1"].points == 5
    assert score(doc, {"3.1": "không"}).items["3.1"].points == 0
    with pytest.raises(ValidationError, match="“có” hoặc “không”"):
        score(doc, {"3.1": "có lẽ"})
