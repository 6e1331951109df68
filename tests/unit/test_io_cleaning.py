"""The fast, memoised cleaning of sheet rows gives exactly what the form rules give."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any

import pytest

from app.core.errors import ValidationError
from app.core.io import values as cells
from app.core.io.cleaning import CellMemo, looks_like_birth, person_row
from app.core.io.importer import new_uuids
from app.core.registry.people import PersonInput, clean_person

TODAY = dt.date(2026, 6, 1)


def by_the_form_rules(values: dict[str, Any]) -> dict[str, Any]:
    """The slow reference: every cell through values.py, then clean_person."""
    birth = cells.as_birth(values.get("birth"), TODAY)
    gender_text = cells.as_text(values.get("gender"))
    male, female = values.get("male_tick"), values.get("female_tick")
    for cell, label in ((male, "Nam"), (female, "Nữ")):
        if birth is None and not gender_text and looks_like_birth(cell):
            birth, gender_text, male, female = cells.as_birth(cell, TODAY), label, None, None
    data = PersonInput(
        full_name=cells.as_text(values.get("full_name")) or "",
        gender=cells.as_gender(gender_text, male, female),
        birth=birth,
        relation=cells.as_text(values.get("relation")),
        id_number=cells.as_digits(values.get("id_number"), (9, 12), "Số CCCD"),
        phone=cells.as_text(values.get("phone")),
        school_level=cells.as_school_level(values.get("school_level")),
        occupation=cells.as_text(values.get("occupation")),
        is_studying=cells.as_flag(values.get("is_studying")),
        note=cells.as_text(values.get("note")),
    )
    return person_row(clean_person(data, TODAY))


def outcome(fn: Any, values: dict[str, Any]) -> Any:
    try:
        return fn(values)
    except ValidationError as err:
        return ("refused", err.message, err.field)


NAMES = [
    "Nguyễn Văn An",
    "NGUYỄN  THỊ\u00a0HOÀ",
    "Nguye\u0302\u0303n Thuỷ",
    "",
    "   ",
    12.0,
    "x" * 201,
]
BIRTHS = [
    "26/12/2007",
    "31/02/1990",
    "1/2/85",
    "12.03.1980",
    "12-03-1980",
    "1980",
    1975,
    1975.0,
    29221,
    dt.datetime(1970, 5, 4),
    dt.date(2030, 1, 1),
    "01/01/1850",
    "không rõ",
    None,
]
GENDERS = ["Nam", "nữ", "NỮ", "Khác", None, 1.0]
IDS = ["004000000000", "001 060 000 001", 1060000001, 123456789.0, "1.23E+11", "12345", None]


@pytest.mark.parametrize(
    ("name", "birth"), list(itertools.product(NAMES, BIRTHS)), ids=lambda v: repr(v)[:20]
)
def test_names_and_births_agree_with_the_form_rules(name: Any, birth: Any) -> None:
    memo = CellMemo(TODAY)
    for gender, id_number in itertools.product(GENDERS, IDS):
        values = {
            k: v
            for k, v in {
                "full_name": name,
                "birth": birth,
                "gender": gender,
                "id_number": id_number,
            }.items()
            if v is not None
        }
        assert outcome(memo.person, values) == outcome(by_the_form_rules, values), values
        # A second time, from the caches, the same again.
        assert outcome(memo.person, values) == outcome(by_the_form_rules, values), values


@pytest.mark.parametrize(
    "values",
    [
        {"full_name": "Lê Văn Bình", "male_tick": 1962},  # the year written under "Nam"
        {"full_name": "Lê Thị Cúc", "female_tick": "x"},
        {"full_name": "Lê Thị Cúc", "male_tick": "x", "female_tick": "x"},
        {"full_name": "Lê Văn Dũng", "phone": 912345678, "relation": " Con  "},
        {"full_name": "Lê Văn Dũng", "phone": "12"},
        {"full_name": "Lê Văn Em", "school_level": "THCS", "is_studying": "x"},
        {"full_name": "Lê Văn Em", "school_level": "Tiến sĩ vũ trụ"},
        {"full_name": "Lê Văn Em", "occupation": "Làm  ruộng", "note": " ghi chú "},
    ],
)
def test_ticks_phones_and_the_rest_agree_with_the_form_rules(values: dict[str, Any]) -> None:
    memo = CellMemo(TODAY)
    assert outcome(memo.person, values) == outcome(by_the_form_rules, values)


def test_new_uuids_are_random_version_4_uuids() -> None:
    made = new_uuids(500)
    assert len(set(made)) == 500
    for text in made:
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, text)


def test_lenient_rows_keep_unusable_secondary_values_in_the_note() -> None:
    memo = CellMemo(TODAY)
    issues: list[tuple[str, str, str]] = []
    row = memo.person(
        {
            "full_name": "Lê Văn Em",
            "birth": "31/02/1980",
            "gender": "Khác",
            "id_number": "3.41E+11",
            "phone": "12",
            "school_level": "13/12",
            "note": "con thương binh",
        },
        issues,
    )
    assert [field for field, _raw, _reason in issues] == [
        "birth",
        "id_number",
        "school_level",
        "gender",
        "phone",
    ]
    assert (row["birth_year"], row["gender"], row["id_number"], row["phone"]) == (
        1980,
        None,
        None,
        None,
    )
    assert row["note"] == (
        "con thương binh; Ngày sinh: 31/02/1980; Số CCCD: 3.41E+11; Trình độ: 13/12; "
        "Giới tính: Khác; Điện thoại: 12"
    )


@pytest.mark.parametrize(
    "values",
    [{"full_name": ""}, {"full_name": "3"}, {"full_name": "Lê Văn Em", "birth": "không rõ"}],
)
def test_lenient_rows_still_refuse_what_makes_a_row_unusable(values: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        CellMemo(TODAY).person(values, [])
