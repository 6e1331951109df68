"""Cell values as Excel hands them over → the text and dates the registry stores."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core.dates import PartialDate
from app.core.errors import ValidationError
from app.core.io import values
from app.core.io.headers import find_header, fold_header, match_field


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (None, None),
        (12.0, "12"),
        (7, "7"),
        (dt.date(2020, 1, 2), "02/01/2020"),
        ("  Lê\u00a0 Văn  ", "Lê Văn"),
        (True, "x"),
    ],
)
def test_as_text(cell: object, expected: str | None) -> None:
    assert values.as_text(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (1070000123, "001070000123"),  # CCCD typed as a number lost "00"
        (34567890123, "034567890123"),
        (123456789012, "123456789012"),
        (12345678, "012345678"),  # old 9-digit CMND
        (1.23456789012e11, "123456789012"),
        ("001070000123", "001070000123"),
    ],
)
def test_id_numbers_stored_as_numbers(cell: object, expected: str) -> None:
    assert values.as_digits(cell, (9, 12), "Số CCCD") == expected


def test_id_number_shown_with_an_exponent_is_refused() -> None:
    with pytest.raises(ValidationError, match="số mũ"):
        values.as_digits("1.23457E+11", (9, 12), "Số CCCD")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (dt.datetime(1980, 3, 12, 0, 0), PartialDate.of(dt.date(1980, 3, 12))),
        (dt.date(1980, 3, 12), PartialDate.of(dt.date(1980, 3, 12))),
        (1980, PartialDate(1980)),
        (1980.0, PartialDate(1980)),
        (29292, PartialDate.of(dt.date(1980, 3, 12))),
        ("29292", PartialDate.of(dt.date(1980, 3, 12))),
        ("12/03/1980", PartialDate.of(dt.date(1980, 3, 12))),
        ("2/3/80", PartialDate.of(dt.date(1980, 3, 2))),
        ("12-03-1980", PartialDate.of(dt.date(1980, 3, 12))),
        ("12.03.1980", PartialDate.of(dt.date(1980, 3, 12))),
        ("1980", PartialDate(1980)),
    ],
)
def test_birth_in_every_form(cell: object, expected: PartialDate) -> None:
    assert values.as_birth(cell, dt.date(2026, 1, 1)) == expected


def test_gender_from_one_column_or_two_tick_columns() -> None:
    assert values.as_gender("Nữ") == "Nữ"
    assert values.as_gender(None, "x", None) == "Nam"
    assert values.as_gender(None, None, "✓") == "Nữ"
    assert values.as_gender(None, None, None) is None
    with pytest.raises(ValidationError):
        values.as_gender(None, "x", "x")


def test_school_level_labels_and_flags() -> None:
    assert values.as_school_level("THCS") == "lower_secondary"
    assert values.as_school_level("Đại học") == "university"
    assert values.as_flag("Có") and values.as_flag("x") and not values.as_flag(None)
    assert values.is_error("#REF!") and not values.is_error("REF")


def test_header_folding_and_matching() -> None:
    assert fold_header("Họ và tên (2)") == "ho va ten"
    assert match_field("ho ten chu ho", "households") == "full_name"
    assert match_field("chu ho", "people") == "head_name"
    assert match_field("stt", "people") == ""
    assert match_field("so cmnd", "people") == "id_number"
    assert match_field("quan he voi chu hoo", "people") == "relation"  # a typo
    assert match_field("mau sac", "people") is None


def test_numbering_row_under_the_header_is_skipped() -> None:
    rows: list[tuple[object, ...]] = [
        ("Họ và tên", "Năm sinh"),
        ("(1)", "(2)"),
        ("Hà Văn Tú", 1970),
    ]
    header = find_header(rows, "people")
    assert header is not None and (header.row, header.data_start) == (0, 2)


def test_no_header_in_unrelated_rows() -> None:
    assert find_header([("a", "b"), (1, 2)], "people") is None


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("9/12", values.SchoolInfo("lower_secondary", 9, 12)),
        ("10/10", values.SchoolInfo("upper_secondary", 10, 10)),
        ("8/10", values.SchoolInfo("upper_secondary", 8, 10)),  # old system: 8–10 upper
        ("8/12", values.SchoolInfo("lower_secondary", 8, 12)),
        ("6/11", values.SchoolInfo("lower_secondary", 6, 11)),
        ("Lớp 5", values.SchoolInfo("primary", 5, None)),
        ("C.Đ", values.SchoolInfo("college")),
        ("tot nghiep dai hoc", values.SchoolInfo("university")),
        ("9/12, Trung cấp", values.SchoolInfo("vocational", 9, 12)),
        ("Chưa đi học / không", values.SchoolInfo("none")),
        (None, None),
    ],
)
def test_school_levels_as_written(written: str | None, expected: object) -> None:
    assert values.parse_school_level(written) == expected


@pytest.mark.parametrize("written", ["13/12", "0/12", "9/8", "Lớp 13", "Tiến sĩ vũ trụ", "???"])
def test_unreadable_school_levels_are_refused_in_vietnamese(written: str) -> None:
    with pytest.raises(ValidationError, match=r"Trình độ .* không rõ"):
        values.parse_school_level(written)


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("Lớp 7", values.SchoolInfo("lower_secondary", 7, None)),
        ("con liệt sĩ; ĐH", values.SchoolInfo("university")),
        ("3", None),  # a bare number in a note says nothing of school
        ("hộ nghèo", None),
        (None, None),
    ],
)
def test_school_level_written_in_a_note(note: str | None, expected: object) -> None:
    assert values.school_level_in(note) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (None, False),
        (True, True),
        ("x", True),
        ("Có", True),
        ("đang học lớp 5", True),
        (1, True),
        (0, False),
        ("Không", False),
        ("nghỉ học", False),
        ("  ", False),
        ("-", False),
    ],
)
def test_studying_flag_as_written(cell: object, expected: bool) -> None:
    assert values.as_studying(cell) is expected


@pytest.mark.parametrize("cell", ["tạm nghỉ ốm", "?", 2])
def test_a_studying_cell_saying_neither_is_refused_in_vietnamese(cell: object) -> None:
    with pytest.raises(ValidationError) as err:
        values.as_studying(cell)
    assert "Đang đi học" in err.value.message and str(cell) in err.value.message


@pytest.mark.parametrize(
    ("written", "stored"),
    [("Trai", "M"), ("GÁI", "F"), ("nam giới", "M"), ("Nữ  giới", "F"), ("m", "M"), ("F", "F")],
)
def test_genders_as_secretaries_write_them(written: str, stored: str) -> None:
    from app.core.registry.people import clean_gender

    assert clean_gender(written) == stored
