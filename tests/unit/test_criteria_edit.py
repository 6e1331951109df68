"""Editing a copy of a criteria set: structure changes, validation messages, new versions."""

from __future__ import annotations

import pytest

from app.core.assessment import criteria_edit as ed
from app.core.assessment import sets
from app.core.assessment.criteria import CriteriaSetDoc, builtin_sets
from app.core.db import Database
from app.core.errors import ValidationError


def _family() -> CriteriaSetDoc:
    return next(d for d in builtin_sets() if d.code == "gdht-448")


def _codes(raw: ed.Raw) -> list[str]:
    return [i["code"] for g in raw["groups"] for c in g["criteria"] for i in c["items"]]


def test_a_draft_is_a_copy_that_declares_todays_total() -> None:
    doc = _family()
    raw = ed.start_draft(doc)
    assert raw["total"] == 100
    ed.set_field(raw, (0, 0, 1), "title", "Đổi tên")
    assert doc.raw["groups"][0]["criteria"][0]["items"][1]["title"] != "Đổi tên"


def test_adding_an_item_gets_the_next_free_code_and_must_keep_the_total() -> None:
    raw = ed.start_draft(_family())
    path = ed.add_item(raw, (3, 0), "Tham gia Tuần lễ học tập suốt đời", "yesno", 5)
    assert path == (3, 0, 2) and ed.node(raw, path)["code"] == "4.3"
    with pytest.raises(
        ValidationError, match=r"tổng điểm các mục là 105, khác tổng điểm của bộ \(100\)"
    ):
        ed.check(raw)
    # Take the five points off another item of the group: the set is whole again.
    ed.set_field(raw, (3, 0, 0), "max", 5.0)
    doc = ed.check(raw)
    added = doc.item("4.3")
    assert (added.kind, added.max, doc.max) == ("yesno", 5, 100)
    assert added.status == "cần đối chiếu" and added.provenance


def test_groups_and_criteria_come_with_an_item_and_remove_as_a_whole() -> None:
    raw = ed.start_draft(_family())
    path = ed.add_group(raw, "Tham gia sinh hoạt cộng đồng", item_max=10)
    assert path == (4, 0, 0)
    assert raw["groups"][4]["code"] == "5" and ed.node(raw, path)["code"] == "5.1"
    ed.set_total(raw, 110)
    ed.set_field(raw, (4,), "min", 5.0)
    assert ed.check(raw).groups[4].min == 5
    crit = ed.add_criterion(raw, 4, "Đọc sách báo")
    assert ed.node(raw, crit)["code"] == "5.2"
    with pytest.raises(ValidationError, match="mục duy nhất của tiêu chí; hãy xóa cả tiêu chí"):
        ed.remove(raw, crit)
    ed.remove(raw, crit[:2])
    ed.remove(raw, (4,))
    ed.set_total(raw, 100)
    assert _codes(raw) == _codes(_family().raw)
    assert len(ed.check(raw).groups) == 4


def test_the_last_group_cannot_be_removed() -> None:
    raw = ed.start_draft(_family())
    for _ in range(3):
        ed.remove(raw, (0,))
    with pytest.raises(ValidationError, match="ít nhất một nhóm"):
        ed.remove(raw, (0,))


def test_renaming_moving_and_minimums() -> None:
    raw = ed.start_draft(_family())
    ed.set_field(raw, (1,), "title", "Người lớn học tập")
    assert ed.move(raw, (1,), -1) == (0,)
    assert raw["groups"][0]["title"] == "Người lớn học tập"
    assert ed.move(raw, (0, 0, 0), +1) == (0, 0, 1)
    ed.set_field(raw, (0, 0, 1), "min", 12.0)
    with pytest.raises(ValidationError, match="điểm tối thiểu 12 lớn hơn điểm tối đa 10"):
        ed.check(raw)
    ed.set_field(raw, (0, 0, 1), "min", None)
    ed.check(raw)
    with pytest.raises(ValidationError, match="không được để trống"):
        ed.set_field(raw, (0,), "title", "")


def test_item_kinds_switch_between_points_and_yes_no_only() -> None:
    raw = ed.start_draft(_family())
    ed.set_field(raw, (0, 0, 1), "kind", "yesno")
    assert ed.check(raw).item("1.2").kind == "yesno"
    ed.set_field(raw, (0, 0, 1), "kind", "points")
    assert ed.check(raw).item("1.2").step == 1
    with pytest.raises(ValidationError, match="cần một phép tính có sẵn"):
        ed.set_field(raw, (0, 0, 1), "kind", "computed")
    ed.set_field(raw, (0, 0, 1), "step", 3.0)
    with pytest.raises(ValidationError, match="không chia hết cho bước 3"):
        ed.check(raw)


def test_pass_mark_and_bands() -> None:
    raw = ed.start_draft(_family())
    ed.set_result(raw, "bands", bands=[("Tốt", 90), ("Khá", 80)])
    doc = ed.check(raw)
    assert [(b.label, b.min) for b in doc.result.bands] == [("Tốt", 90), ("Khá", 80)]
    ed.set_result(raw, "bands", bands=[("Khá", 80), ("Tốt", 90)])
    with pytest.raises(ValidationError, match="xếp từ cao xuống thấp"):
        ed.check(raw)
    ed.set_result(raw, "pass_mark", pass_mark=120)
    with pytest.raises(ValidationError, match="điểm đạt 120 lớn hơn tổng điểm 100"):
        ed.check(raw)
    with pytest.raises(ValidationError, match="không khai báo các mức độ"):
        ed.set_result(raw, "levels")


def test_saving_always_makes_a_new_version_and_never_touches_a_used_set(
    db: Database,
) -> None:
    base = next(i for i in sets.list_sets(db, "learning_family") if i.code == "gdht-448")
    _info, doc = sets.get_set(db, base.id)
    raw = ed.start_draft(doc)
    ed.set_title(raw, "Gia đình học tập (xã sửa)")
    ed.add_item(raw, (3, 0), "Mục xã thêm", "yesno", 10)
    before = len(sets.list_sets(db, "learning_family"))
    with pytest.raises(ValidationError, match="khác tổng điểm của bộ"):
        ed.save(db, base.id, raw)  # 110 ≠ 100: nothing saved
    assert len(sets.list_sets(db, "learning_family")) == before
    ed.set_total(raw, 110)
    ed.set_result(raw, "pass_mark", pass_mark=88)
    first = ed.save(db, base.id, raw)
    second = ed.save(db, first.id, raw | {"title": "Lần sửa thứ hai"})
    nxt = base.version + 1
    assert (first.version, second.version, first.origin) == (nxt, nxt + 1, "edited")
    assert sets.get_set(db, base.id)[1].max == 100
    assert sets.get_set(db, second.id)[1].item(_codes(raw)[-1]).title == "Mục xã thêm"
