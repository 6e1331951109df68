"""Properties of the scoring engine that hold for every shipped set and any valid entry."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from app.core.assessment.criteria import CriteriaSetDoc, Item, builtin_sets
from app.core.assessment.scoring import Ratio, score

SETS = builtin_sets()


def _value(item: Item, draw: Any) -> Any:
    if item.kind == "yesno":
        return draw(st.booleans())
    steps = round(item.max / item.step)
    return draw(st.integers(0, steps)) * item.step


@st.composite
def entries(draw: Any) -> tuple[CriteriaSetDoc, dict[str, Any], dict[str, Ratio]]:
    doc = draw(st.sampled_from(SETS))
    values = {i.code: _value(i, draw) for i in doc.items if i.kind != "computed"}
    ratios = {}
    for item in doc.items:
        if item.computation:
            den = draw(st.integers(0, 50))
            ratios[item.computation] = Ratio(draw(st.integers(0, den)), den)
    return doc, values, ratios


@given(entries())
def test_score_never_exceeds_the_maximum(entry: Any) -> None:
    doc, values, ratios = entry
    result = score(doc, values, ratios)
    assert 0 <= result.total <= doc.max
    for group in doc.groups:
        assert result.group_totals[group.code] <= group.max


@given(entries(), st.data())
def test_one_step_changes_the_total_by_that_step(entry: Any, data: Any) -> None:
    doc, values, ratios = entry
    points = [i for i in doc.items if i.kind == "points" and values[i.code] + i.step <= i.max]
    if not points:
        return
    item = data.draw(st.sampled_from(points))
    before = score(doc, values, ratios).total
    after = score(doc, values | {item.code: values[item.code] + item.step}, ratios).total
    assert round(after - before, 6) == item.step


@given(entries(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_entry_order(entry: Any, rnd: random.Random) -> None:
    doc, values, ratios = entry
    keys = list(values)
    rnd.shuffle(keys)
    shuffled = {k: values[k] for k in keys}
    assert score(doc, shuffled, ratios) == score(doc, values, ratios)
