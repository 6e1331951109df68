"""Criteria sets are data: every shipped file validates, carries its source, and bad files
are refused with Vietnamese messages naming the problem."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from app.core.assessment import MODELS
from app.core.assessment.criteria import (
    STATUS_BUILT,
    STATUS_CONFIRMED,
    STATUSES,
    builtin_sets,
    criteria_dir,
    parse_criteria_set,
    read_criteria_file,
)
from app.core.errors import ValidationError


def _raw(code: str) -> dict[str, Any]:
    doc = next(d for d in builtin_sets() if d.code == code)
    return copy.deepcopy(doc.raw)


def test_every_model_has_a_shipped_set_with_its_source() -> None:
    docs = builtin_sets()
    assert {d.model for d in docs} == set(MODELS)
    for doc in docs:
        assert doc.source.number and doc.source.issuer
        assert all(i.status in STATUSES for i in doc.items)
        for i in doc.items:
            # Cited from a text, or built here with the reason — never neither.
            if i.status == STATUS_BUILT:
                assert i.note and not i.provenance, (doc.code, i.code)
            else:
                assert i.provenance, (doc.code, i.code)


def test_every_shipped_file_validates_strictly() -> None:
    for path in sorted(criteria_dir().glob("*.json")):
        if path.name != "schema.json":
            raw = json.loads(path.read_text(encoding="utf-8"))
            assert parse_criteria_set(raw, strict=True).code == raw["code"]


def test_project_built_sets_say_so_in_their_title() -> None:
    by_code = {d.code: d for d in builtin_sets()}
    assert by_code["dhht-448"].title == "Dòng họ học tập — bộ tiêu chí tham khảo, tính từ sổ"
    assert "bộ tiêu chí tham khảo" in by_code["cdht-thon-448"].title
    assert "bộ tham khảo" in by_code["dvht-448-xa"].title
    for code in ("dhht-448", "cdht-thon-448", "dvht-448-xa"):
        doc = by_code[code]
        assert doc.status == STATUS_BUILT and doc.result.status == STATUS_BUILT
        assert all(i.status == STATUS_BUILT for i in doc.items)
        assert all(g.min is None for g in doc.groups)


def test_incompletely_known_sets_are_marked_to_be_checked() -> None:
    family = next(d for d in builtin_sets() if d.code == "gdht-448")
    assert family.needs_checking
    assert family.source.number == "448/QĐ-KHVN"
    # The points the decision states are confirmed; the rest follow the province.
    assert family.item("1.2").status == STATUS_CONFIRMED
    assert family.item("3.1").status == "theo hướng dẫn của tỉnh"
    assert family.result.status == "theo hướng dẫn của tỉnh"
    citizen = next(d for d in builtin_sets() if d.code == "cdht-244")
    assert citizen.result.status == "cần đối chiếu"  # the pass rule is not confirmed


def test_known_structures_are_as_the_documents_say() -> None:
    """The table of domain.md, "What the official texts say, checked"."""
    by_code = {d.code: d for d in builtin_sets()}
    family = by_code["gdht-448"]
    assert [(i.code, i.max) for i in family.groups[0].items] == [
        ("1.1", 10),
        ("1.2", 10),
        ("1.3", 10),
    ]
    assert "ốm đau, khuyết tật, không có khả năng học" in family.item("1.1").title
    citizen = by_code["cdht-244"]
    assert citizen.max == 100
    assert [len(g.items) for g in citizen.groups] == [4, 4, 2]
    assert len(citizen.variants) == 4
    unit = by_code["dvht-tt22"]
    assert [g.max for g in unit.groups] == [30, 30, 40]
    assert [i.max for i in unit.groups[1].items] == [10, 5, 10, 5]
    assert [i.max for i in unit.groups[2].items] == [25, 10, 5]
    assert [(b.label, b.min) for b in unit.result.bands] == [
        ("Tốt", 85),
        ("Khá", 70),
        ("Trung bình", 50),
    ]
    assert unit.raw["default_for_commune"] is False and unit.raw["superseded_by"] == "dvht-tt24"
    commune_unit = by_code["dvht-448-xa"]
    assert commune_unit.raw["default_for_commune"] is True
    assert commune_unit.source.number == "448/QĐ-KHVN"
    tt24 = by_code["dvht-tt24"]
    assert len(tt24.groups) == 3
    for level in (1, 2):  # three criteria at each level
        assert {g.code for g in tt24.groups for i in g.items if i.level == level} == {"1", "2", "3"}
    thresholds = {
        i.level: i.threshold for i in tt24.items if i.computation == "unit_learning_citizens"
    }
    assert thresholds == {1: 0.9, 2: 0.95}
    commune = by_code["cdht-xa-tt25"]
    assert len(commune.groups) == 5
    assert [lv.level for lv in commune.result.levels] == [1, 2]
    assert "Tuần lễ hưởng ứng học tập suốt đời" in commune.item("1.3").title
    assert {i.level for i in commune.groups[3].items} == {1, 2}  # literacy: higher at level 2
    assert {i.level for i in commune.groups[4].items} == {1, 2}  # effects: higher at level 2


def test_shipped_files_match_the_json_schema_file() -> None:
    schema = json.loads((criteria_dir() / "schema.json").read_text(encoding="utf-8"))
    required = set(schema["required"])
    for path in criteria_dir().glob("*.json"):
        if path.name == "schema.json":
            continue
        raw = json.loads(path.read_text(encoding="utf-8"))
        assert required <= set(raw), path.name


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.update(model="gia_dinh"), "mô hình “gia_dinh” không có"),
        (lambda r: r.pop("source"), "thiếu văn bản nguồn"),
        (
            lambda r: r["groups"][0]["criteria"][0]["items"][1].update(max=12, step=5),
            "không chia hết cho bước",
        ),
        (lambda r: r["groups"][0]["criteria"][0]["items"][1].update(min=11), "lớn hơn điểm tối đa"),
        (lambda r: r["groups"][0]["criteria"][0]["items"][1].update(code="1.1"), "mã mục bị trùng"),
        (
            lambda r: r["groups"][0]["criteria"][0]["items"][0].update(computation="ty_le_ma"),
            "phép tính “ty_le_ma” không có",
        ),
        (lambda r: r["result"].update(pass_mark=120), "lớn hơn tổng điểm"),
        (lambda r: r.update(total=90), "tổng điểm các mục là 100, khác tổng điểm của bộ (90)"),
        (lambda r: r["groups"][1].update(code="1"), "nhóm 1: mã nhóm bị trùng"),
        (lambda r: r.update(valid_to=2010), "trước năm bắt đầu"),
        (
            lambda r: r["groups"][0]["criteria"][0]["items"][2].update(kind="slider"),
            "loại “slider” không có",
        ),
        (
            lambda r: r["groups"][0]["criteria"][0]["items"][2].update(status="chắc chắn"),
            "trạng thái “chắc chắn” không hợp lệ",
        ),
    ],
)
def test_bad_sets_are_refused_with_a_vietnamese_reason(change: Any, message: str) -> None:
    raw = _raw("gdht-448")
    change(raw)
    with pytest.raises(ValidationError) as err:
        parse_criteria_set(raw)
    assert message in err.value.message


def test_every_problem_is_reported_at_once() -> None:
    raw = _raw("gdht-448")
    raw["model"] = "x"
    raw["result"]["pass_mark"] = 500
    with pytest.raises(ValidationError) as err:
        parse_criteria_set(raw)
    assert err.value.message.count("\n- ") >= 2


def test_bands_must_go_from_high_to_low() -> None:
    raw = _raw("dvht-tt22")
    raw["result"]["bands"].reverse()
    with pytest.raises(ValidationError, match="từ cao xuống thấp"):
        parse_criteria_set(raw)


def test_a_computation_for_another_model_is_refused() -> None:
    raw = _raw("gdht-448")
    raw["groups"][0]["criteria"][0]["items"][0]["computation"] = "hamlet_member_share"
    with pytest.raises(ValidationError, match="không dùng được cho mô hình này"):
        parse_criteria_set(raw)


def test_a_broken_file_is_named_in_the_message(tmp_path: Path) -> None:
    bad = tmp_path / "tinh-gui.json"
    bad.write_text("{ not json", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"tinh-gui\.json"):
        read_criteria_file(bad)
    missing = tmp_path / "khong-co.json"
    with pytest.raises(ValidationError, match="Không đọc được"):
        read_criteria_file(missing)


def _first_item(raw: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = raw["groups"][0]["criteria"][0]["items"][1]
    return item


def test_an_item_with_neither_source_nor_status_is_refused() -> None:
    raw = _raw("gdht-448")
    item = _first_item(raw)
    item.pop("provenance")
    item.pop("status")
    with pytest.raises(ValidationError) as err:
        parse_criteria_set(raw)
    assert "mục 1.2: chưa ghi nguồn (“provenance”) cũng chưa ghi trạng thái" in err.value.message


def test_a_confirmed_item_must_cite_its_text() -> None:
    raw = _raw("gdht-448")
    _first_item(raw).pop("provenance")
    with pytest.raises(ValidationError, match="mục “đã xác nhận” phải ghi văn bản nguồn"):
        parse_criteria_set(raw)


def test_a_built_item_gives_its_reason_and_cites_nothing() -> None:
    raw = _raw("gdht-448")
    item = _first_item(raw)
    item["status"] = STATUS_BUILT
    with pytest.raises(ValidationError) as err:
        parse_criteria_set(raw)
    assert "không ghi văn bản nguồn" in err.value.message
    item.pop("provenance")
    item.pop("note", None)
    with pytest.raises(ValidationError, match="cần ghi chú lý do"):
        parse_criteria_set(raw)
    item["note"] = "Xã thêm theo nghị quyết của Đảng ủy"
    assert parse_criteria_set(raw).item("1.2").origin_text == (
        "Tự xây dựng: Xã thêm theo nghị quyết của Đảng ủy"
    )


def test_rows_stored_under_older_rules_still_read() -> None:
    """An assessment made with a set stored before the provenance rule stays readable."""
    raw = _raw("gdht-448")
    for group in raw["groups"]:
        for item in group["criteria"][0]["items"]:
            item.pop("provenance", None)
            item.pop("status", None)
    with pytest.raises(ValidationError):
        parse_criteria_set(raw)
    assert parse_criteria_set(raw, strict=False).max == 100
