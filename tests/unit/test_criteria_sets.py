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
        assert all(i.provenance for i in doc.items), doc.code


def test_incompletely_known_sets_are_marked_to_be_checked() -> None:
    family = next(d for d in builtin_sets() if d.code == "gdht-448")
    assert family.needs_checking
    assert family.source.number == "448/QĐ-KHVN"
    # The points the decision states are confirmed; the rest follow the province.
    assert family.item("1.2").status == STATUS_CONFIRMED
    assert family.item("3.1").status == "theo hướng dẫn của tỉnh"


def test_known_structures_are_as_the_documents_say() -> None:
    by_code = {d.code: d for d in builtin_sets()}
    citizen = by_code["cdht-244"]
    assert citizen.max == 100 and citizen.result.pass_mark == 80
    assert [len(g.items) for g in citizen.groups] == [4, 4, 2]
    assert all(i.min == 5 for i in citizen.items)
    assert len(citizen.variants) == 4
    unit = by_code["dvht-tt22"]
    assert [g.max for g in unit.groups] == [30, 30, 40]
    assert [(b.label, b.min) for b in unit.result.bands] == [
        ("Tốt", 85),
        ("Khá", 70),
        ("Trung bình", 50),
    ]
    assert by_code["dvht-tt24"].recognition_years == 3
    commune = by_code["cdht-xa-tt25"]
    assert len(commune.items) == 15 and len(commune.groups) == 5
    assert [lv.label for lv in commune.result.levels] == ["Mức độ 1 (Khá)", "Mức độ 2 (Tốt)"]
    assert commune.recognition_years == 3


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
