"""Importing the commune's own Excel sheets: messy layouts, dry run, all or nothing.

Every workbook is generated here with openpyxl; names are made up. Each test
states the expected outcome of every row.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from app.core.db import Database
from app.core.errors import UserError
from app.core.io.headers import find_header
from app.core.io.importer import (
    ImportCancelled,
    apply_import,
    import_file,
    plan_import,
    preview_sheets,
)
from app.core.registry.hamlets import HamletInput, create_hamlet
from app.core.registry.households import HouseholdInput, create_household, get_household_card
from app.core.registry.members import (
    BranchInput,
    MemberInput,
    create_branch,
    create_member,
    get_member,
)
from app.core.registry.people import PersonInput
from app.core.text import sort_key as sort_key_of

Sheet = tuple[str, list[list[Any]]]
HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Quan hệ với chủ hộ", "Số CCCD"]


def write_book(path: Path, sheets: list[Sheet], merges: dict[str, list[str]] | None = None) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    wb.save(path)
    return path


@pytest.fixture
def book(tmp_path: Path) -> Callable[..., Path]:
    def _make(*sheets: Sheet, merges: dict[str, list[str]] | None = None) -> Path:
        return write_book(tmp_path / "so.xlsx", list(sheets), merges)

    return _make


def people(db: Database) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db.path)
    try:
        return conn.execute(
            "SELECT p.full_name, p.birth_date, p.birth_year, p.gender, p.relation, p.id_number,"
            " p.phone, h.head_name, hm.name FROM person p LEFT JOIN household h"
            " ON h.id = p.household_id LEFT JOIN hamlet hm ON hm.id = h.hamlet_id"
            " WHERE p.deleted = 0 ORDER BY p.id"
        ).fetchall()
    finally:
        conn.close()


def note_of(db: Database, name: str) -> str | None:
    conn = sqlite3.connect(db.path)
    try:
        row = conn.execute("SELECT note FROM person WHERE full_name = ?", (name,)).fetchone()
    finally:
        conn.close()
    return None if row is None else row[0]


def counts(plan: Any) -> tuple[int, int, int, int]:
    return plan.added, plan.updated, plan.duplicates, len(plan.rejected)


TITLE_ROWS: list[list[Any]] = [
    ["UBND XÃ KHOÁI CHÂU"],
    ["HỘI KHUYẾN HỌC"],
    [],
    ["DANH SÁCH HỘ GIA ĐÌNH VÀ NHÂN KHẨU THÔN ĐÔNG"],
    [],
]


def test_title_rows_numbering_row_and_footer_are_not_people(db: Database, book: Any) -> None:
    path = book(
        (
            "Sheet1",
            [
                *TITLE_ROWS,
                HEADER,
                [1, 2, 3, 4, 5, 6],
                [1, "Nguyễn Văn An", "12/03/1970", "Nam", "Chủ hộ", "001070000001"],
                [2, "Trần Thị Bình", "1972", "Nữ", "Vợ", None],
                [3, "Nguyễn Văn Cường", dt.datetime(2001, 5, 9), "Nam", "Con", None],
                [None, "Cộng: 1 hộ, 3 nhân khẩu"],
                [None, None, None, "Khoái Châu, ngày 5 tháng 1 năm 2026"],
                [None, "Người lập biểu", None, "TM. Ban chấp hành"],
                [None, "Lê Văn Dũng", None, "Phạm Văn Giang"],
            ],
        ),
        merges={"Sheet1": ["A1:F1", "A4:F4"]},
    )
    plan = import_file(db, path, "households")
    assert counts(plan) == (3, 0, 0, 0)
    rows = people(db)
    assert [r[0] for r in rows] == ["Nguyễn Văn An", "Trần Thị Bình", "Nguyễn Văn Cường"]
    assert rows[0][1] == "1970-03-12" and rows[1][1] is None and rows[1][2] == 1972
    assert rows[2][1] == "2001-05-09"
    assert {r[7] for r in rows} == {"Nguyễn Văn An"}  # one household, the head first
    assert {r[8] for r in rows} == {"Thôn Đông"}  # hamlet from the title row
    assert plan.new_hamlets == ["Thôn Đông"]


def test_header_found_on_any_of_the_first_fifteen_rows(db: Database, book: Any) -> None:
    rows: list[list[Any]] = [[f"dòng tiêu đề {i}"] for i in range(12)]
    path = book(("DS", [*rows, ["TT", "Họ tên", "NS"], [1, "Lê Thị Hà", 1980]]))
    plan = import_file(db, path, "people")
    assert counts(plan) == (1, 0, 0, 0)
    assert people(db)[0][:3] == ("Lê Thị Hà", None, 1980)


def test_two_row_merged_header_with_gender_as_two_tick_columns(db: Database, book: Any) -> None:
    path = book(
        (
            "Thôn Tây",
            [
                ["DANH SÁCH NHÂN KHẨU"],
                ["STT", "Họ và tên", "Giới tính", None, "Ngày sinh", "Quan hệ với chủ hộ"],
                [None, None, "Nam", "Nữ", None, None],
                [1, "Hoàng Văn Khoa", "x", None, "1/2/65", "Chủ hộ"],
                [2, "Đỗ Thị Lan", None, "x", "02-03-1968", "Vợ"],
                [3, "Hoàng Thị Mai", None, "X", "15.08.1995", "Con"],
            ],
        ),
        merges={"Thôn Tây": ["C2:D2", "A2:A3", "B2:B3", "E2:E3", "F2:F3"]},
    )
    plan = import_file(db, path, "households")
    assert counts(plan) == (3, 0, 0, 0)
    rows = people(db)
    assert [(r[0], r[3], r[1]) for r in rows] == [
        ("Hoàng Văn Khoa", "M", "1965-02-01"),
        ("Đỗ Thị Lan", "F", "1968-03-02"),
        ("Hoàng Thị Mai", "F", "1995-08-15"),
    ]
    assert {r[8] for r in rows} == {"Thôn Tây"}  # hamlet from the sheet name


def test_birth_year_written_under_nam_or_nu(db: Database, book: Any) -> None:
    path = book(
        (
            "DS",
            [
                ["STT", "Họ và tên", "Năm sinh", None],
                [None, None, "Nam", "Nữ"],
                [1, "Vũ Văn Nam", 1950, None],
                [2, "Vũ Thị Oanh", None, 1955],
            ],
        )
    )
    plan = import_file(db, path, "people")
    assert counts(plan) == (2, 0, 0, 0)
    assert [(r[0], r[2], r[3]) for r in people(db)] == [
        ("Vũ Văn Nam", 1950, "M"),
        ("Vũ Thị Oanh", 1955, "F"),
    ]


def test_one_sheet_per_hamlet(db: Database, book: Any) -> None:
    header = ["Họ tên chủ hộ", "Năm sinh", "Số hộ"]
    path = book(
        ("Thôn Đông", [header, ["Ngô Văn Phúc", 1960, "01"], ["Bùi Văn Quân", 1962, "02"]]),
        ("Thôn Đoài", [header, ["Đinh Văn Sơn", 1959, "01"]]),
    )
    plan = import_file(db, path, "households")
    assert counts(plan) == (3, 0, 0, 0)
    assert [(r[0], r[7], r[8]) for r in people(db)] == [
        ("Ngô Văn Phúc", "Ngô Văn Phúc", "Thôn Đông"),
        ("Bùi Văn Quân", "Bùi Văn Quân", "Thôn Đông"),
        ("Đinh Văn Sơn", "Đinh Văn Sơn", "Thôn Đoài"),
    ]


def test_hamlet_column_matches_existing_hamlet_with_or_without_prefix(
    db: Database, book: Any
) -> None:
    create_hamlet(db, HamletInput("Thôn Hạ"))
    path = book(
        (
            "DS",
            [
                ["Họ và tên", "Năm sinh", "Thôn", "Quan hệ với chủ hộ"],
                ["Phan Văn Tuấn", 1970, "Hạ", "Chủ hộ"],
                ["Phan Văn Tú", 1971, "THÔN THƯỢNG", "Chủ hộ"],
            ],
        )
    )
    plan = import_file(db, path, "households")
    assert plan.new_hamlets == ["Thôn Thượng"]
    assert [r[8] for r in people(db)] == ["Thôn Hạ", "Thôn Thượng"]


def test_households_split_at_each_head_row(db: Database, book: Any) -> None:
    path = book(
        (
            "DS",
            [
                ["Họ và tên", "Năm sinh", "Quan hệ với chủ hộ"],
                ["Lý Văn Uy", 1950, "Chủ hộ"],
                ["Lý Thị Vy", 1980, "Con"],
                ["Âu Văn Yên", 1966, "Chủ hộ"],
                ["Âu Thị Yến", 1990, "Con"],
            ],
        )
    )
    import_file(db, path, "households")
    assert [(r[0], r[7]) for r in people(db)] == [
        ("Lý Văn Uy", "Lý Văn Uy"),
        ("Lý Thị Vy", "Lý Văn Uy"),
        ("Âu Văn Yên", "Âu Văn Yên"),
        ("Âu Thị Yến", "Âu Văn Yên"),
    ]


def test_new_household_when_household_number_changes(db: Database, book: Any) -> None:
    path = book(
        (
            "DS",
            [
                ["Số hộ", "Họ và tên", "Năm sinh"],
                ["H01", "Dương Văn An", 1950],
                ["H01", "Dương Thị Anh", 1952],
                ["H02", "Hồ Văn Ánh", 1960],
            ],
        )
    )
    import_file(db, path, "households")
    assert [r[7] for r in people(db)] == ["Dương Văn An", "Dương Văn An", "Hồ Văn Ánh"]


def test_member_row_before_any_head_is_rejected_with_its_row(db: Database, book: Any) -> None:
    path = book(
        (
            "Thôn Bắc",
            [
                ["Họ và tên", "Năm sinh", "Quan hệ với chủ hộ"],
                ["Ưng Thị Ân", 1990, "Con"],
                ["Ưng Văn Bình", 1960, "Chủ hộ"],
            ],
        )
    )
    plan = import_file(db, path, "households")
    assert counts(plan) == (1, 0, 0, 1)
    assert plan.rejected[0].sheet == "Thôn Bắc" and plan.rejected[0].row == 2
    assert "chủ hộ" in plan.rejected[0].reason


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (dt.datetime(1980, 3, 12), ("1980-03-12", 1980)),
        ("12/03/1980", ("1980-03-12", 1980)),
        ("2/3/80", ("1980-03-02", 1980)),
        ("12-03-1980", ("1980-03-12", 1980)),
        ("12.03.1980", ("1980-03-12", 1980)),
        ("1980", (None, 1980)),
        (1980, (None, 1980)),
        (29292, ("1980-03-12", 1980)),  # an Excel serial number shown as a number
    ],
)
def test_dates_in_every_form(db: Database, book: Any, cell: Any, expected: Any) -> None:
    path = book(("DS", [["Họ và tên", "Ngày sinh"], ["Mai Văn Đạt", cell]]))
    import_file(db, path, "people")
    assert people(db)[0][1:3] == expected


def test_numbers_that_lost_their_zeros_and_exponents(db: Database, book: Any) -> None:
    path = book(
        (
            "DS",
            [
                ["Họ và tên", "Năm sinh", "Số CCCD", "Điện thoại"],
                ["Trịnh Văn Hải", 1970, 1070000123, 912345678],  # CCCD 001070000123
                ["Trịnh Thị Hương", 1971, 123456789012, "0987654321"],
                ["Trịnh Văn Khoa", 1972, "1.23457E+11", None],
            ],
        )
    )
    plan = import_file(db, path, "people")
    assert counts(plan) == (3, 0, 0, 0)  # a CCCD that lost its digits is a warning
    rows = people(db)
    assert rows[0][5:7] == ("001070000123", "0912345678")
    assert rows[1][5] == "123456789012"
    assert rows[2][5] is None
    [warning] = plan.warnings
    assert (warning.row, warning.column, warning.value) == (4, "Số CCCD", "1.23457E+11")
    assert "số mũ" in warning.reason
    assert note_of(db, "Trịnh Văn Khoa") == "Số CCCD: 1.23457E+11"


def test_names_are_normalised(db: Database, book: Any) -> None:
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Hoà")
    path = book(
        (
            "DS",
            [
                ["Họ và tên", "Năm sinh"],
                [nfd, 1980],
                ["  Lê\u00a0Văn   Thuỷ ", 1981],
                ["PHẠM VĂN ĐỨC", 1982],
            ],
        )
    )
    import_file(db, path, "people")
    assert [r[0] for r in people(db)] == ["Nguyễn Thị Hoà", "Lê Văn Thuỷ", "Phạm Văn Đức"]


def test_formula_error_cells_reject_only_that_row(db: Database, book: Any) -> None:
    path = book(
        ("DS", [["Họ và tên", "Năm sinh"], ["Cao Văn Lâm", "#REF!"], ["Cao Văn Minh", 1970]])
    )
    plan = import_file(db, path, "people")
    assert counts(plan) == (1, 0, 0, 1)
    assert "#REF!" in plan.rejected[0].reason


def test_bad_secondary_values_are_warnings_and_only_unusable_rows_are_rejected(
    db: Database, book: Any
) -> None:
    path = book(
        (
            "DS",
            [
                ["Họ và tên", "Ngày sinh", "Giới tính"],
                ["Tạ Văn Nghĩa", "31/02/1980", "Nam"],  # no such day, the year is clear
                ["Tạ Văn Phong", "1975", "Khác"],  # an unknown gender ("Trai" is Nam)
                [None, "1975", "Nam"],  # nobody
                ["Tạ Văn Quang", "2/2/1977", "Nam"],
                ["Tạ Văn Sơn", "không rõ", "Nam"],  # a birth with no year at all
            ],
        )
    )
    plan = import_file(db, path, "people")
    assert counts(plan) == (3, 0, 0, 2)
    reasons = {r.row: r.reason for r in plan.rejected}
    assert "Họ tên" in reasons[4] and 6 in reasons
    warnings = {w.row: w for w in plan.warnings}
    assert set(warnings) == {2, 3}
    assert warnings[2].column == "Ngày sinh" and "không tồn tại" in warnings[2].reason
    assert (warnings[3].column, warnings[3].value) == ("Giới tính", "Khác")
    assert [r[:4] for r in people(db)] == [
        ("Tạ Văn Nghĩa", None, 1980, "M"),
        ("Tạ Văn Phong", None, 1975, None),
        ("Tạ Văn Quang", "1977-02-02", 1977, "M"),
    ]
    assert note_of(db, "Tạ Văn Nghĩa") == "Ngày sinh: 31/02/1980"
    assert note_of(db, "Tạ Văn Phong") == "Giới tính: Khác"


def test_matching_existing_people_updates_or_skips(db: Database, book: Any) -> None:
    hamlet = create_hamlet(db, HamletInput("Thôn Nam"))
    create_household(
        db,
        HouseholdInput(hamlet_id=hamlet),
        [
            PersonInput("Kiều Văn Tâm", birth="1960", relation="Chủ hộ", id_number="001060000001"),
            PersonInput("Kiều Thị Uyên", birth="1962", relation="Vợ"),
        ],
    )
    path = book(
        (
            "Thôn Nam",
            [
                ["Họ và tên", "Năm sinh", "Quan hệ với chủ hộ", "Số CCCD", "Điện thoại"],
                ["Kiều Văn Tâm", 1960, "Chủ hộ", "001060000001", None],  # same: duplicate
                ["Kiều Thị Uyên", 1962, "Vợ", None, "0912000111"],  # phone added: update
                ["Kiều Văn Vinh", 1990, "Con", None, None],  # new: added
            ],
        )
    )
    dry = plan_import(db, path, "households")
    assert counts(dry) == (1, 1, 1, 0)
    assert len(people(db)) == 2  # the dry run wrote nothing
    apply_import(db, dry)
    rows = people(db)
    assert rows[1][6] == "0912000111"
    assert rows[2][0] == "Kiều Văn Vinh" and rows[2][7] == "Kiều Văn Tâm"
    again = plan_import(db, path, "households")
    assert counts(again) == (0, 0, 3, 0)


def test_renaming_a_person_renames_the_linked_member(db: Database, book: Any) -> None:
    hamlet = create_hamlet(db, HamletInput("Thôn Nam"))
    household = create_household(
        db,
        HouseholdInput(hamlet_id=hamlet),
        [PersonInput("Kiều Văn Tâm", birth="1960", relation="Chủ hộ", id_number="001060000001")],
    )
    person_id = get_household_card(db, household).people[0].id
    branch = create_branch(db, BranchInput("Chi hội Thôn Nam", kind="hamlet", hamlet_id=hamlet))
    member = create_member(
        db, MemberInput(branch_id=branch, person_id=person_id, card_number="KH-001")
    )
    before = get_member(db, member)
    path = book(
        (
            "Thôn Nam",
            [
                ["Họ và tên", "Năm sinh", "Giới tính", "Quan hệ với chủ hộ", "Số CCCD"],
                ["Kiều Văn Tâm Anh", 1961, "Nam", "Chủ hộ", "001060000001"],
            ],
        )
    )
    plan = import_file(db, path, "households")
    assert counts(plan) == (0, 1, 0, 0)
    after = get_member(db, member)
    assert (after.full_name, after.birth_year, after.gender) == ("Kiều Văn Tâm Anh", 1961, "M")
    assert after.revision == before.revision + 1
    conn = sqlite3.connect(db.path)
    try:
        sort_key, search_text = conn.execute(
            "SELECT sort_key, search_text FROM member WHERE id = ?", (member,)
        ).fetchone()
    finally:
        conn.close()
    assert sort_key == sort_key_of("Kiều Văn Tâm Anh")
    assert search_text == "kieu van tam anh | kh-001"
    assert get_household_card(db, household).head_name == "Kiều Văn Tâm Anh"


def test_same_id_number_twice_in_the_file_is_a_warning_on_the_second(
    db: Database, book: Any
) -> None:
    path = book(
        (
            "DS",
            [
                ["Họ và tên", "Năm sinh", "Số CCCD"],
                ["Lã Văn An", 1970, "001070000009"],
                ["Lã Văn Bình", 1971, "001070000009"],
            ],
        )
    )
    plan = import_file(db, path, "people")
    assert counts(plan) == (2, 0, 0, 0)  # the second keeps the number in its note only
    [warning] = plan.warnings
    assert warning.row == 3 and "dòng 2" in warning.reason
    assert note_of(db, "Lã Văn Bình") == "Số CCCD: 001070000009"


def test_cancel_leaves_the_database_as_it_was(
    db: Database, book: Any, snapshot: Callable[[Database], Any]
) -> None:
    rows = [["Họ và tên", "Năm sinh"]] + [[f"Người Số {i}", 1950 + i % 50] for i in range(5000)]
    path = book(("DS", rows))
    plan = plan_import(db, path, "people")
    before = snapshot(db)
    calls = iter(range(100))
    with pytest.raises(ImportCancelled):
        apply_import(db, plan, cancel=lambda: next(calls) >= 1)
    assert snapshot(db) == before


def test_a_failure_midway_writes_nothing(
    db: Database, book: Any, snapshot: Callable[[Database], Any], monkeypatch: Any
) -> None:
    path = book(("DS", [["Họ và tên", "Năm sinh"], ["Lò Văn Cường", 1970]]))
    plan = plan_import(db, path, "people")
    before = snapshot(db)
    plan.person_rows.append(dict(plan.person_rows[0]))  # same id twice: the insert fails
    with pytest.raises(Exception):  # noqa: B017 - any error must roll back
        apply_import(db, plan)
    assert snapshot(db) == before


def test_changed_data_since_the_preview_is_refused(db: Database, book: Any) -> None:
    path = book(("DS", [["Họ và tên", "Năm sinh"], ["Lò Văn Dũng", 1970]]))
    plan = plan_import(db, path, "people")
    create_hamlet(db, HamletInput("Thôn Mới"))
    with pytest.raises(UserError, match="xem trước lại"):
        apply_import(db, plan)


def test_progress_is_reported(db: Database, book: Any) -> None:
    rows = [["Họ và tên", "Năm sinh"]] + [[f"Người Số {i}", 1960] for i in range(4500)]
    path = book(("DS", rows))
    seen: list[tuple[int, int]] = []
    import_file(db, path, "people", progress=lambda d, t: seen.append((d, t)))
    assert len(seen) >= 3 and seen[-1][0] == seen[-1][1]


def test_mapping_is_suggested_overridable_and_remembered(db: Database, book: Any) -> None:
    rows = [["Họ và tên", "Năm sinh", "Ghi chu thêm"], ["Đàm Văn Hùng", 1970, "Xóm 3"]]
    path = book(("DS", rows))
    preview = preview_sheets(db, path, "people")[0]
    assert preview.mapping == ["full_name", "birth", None]
    assert not preview.remembered
    mapping: list[str | None] = ["full_name", "birth", "note"]
    import_file(db, path, "people", mappings={"DS": mapping})
    conn = sqlite3.connect(db.path)
    assert conn.execute("SELECT note FROM person").fetchone() == ("Xóm 3",)
    conn.close()
    again = preview_sheets(db, path, "people")[0]
    assert again.remembered and again.mapping == mapping


def test_header_variants_are_recognised_folded_and_fuzzy() -> None:
    rows: list[tuple[Any, ...]] = [
        (
            "T.T",
            "Họ  và  tên (1)",
            "Ngày, tháng, năm sinh",
            "Quan hệ với CH",
            "Số ĐT",
            "Ghi chú",
            "Họ tên chủ hộ",
            "Số CMND/CCCD",
            "Nghề",
            "Trình độ học vấn",
            "Cột lạ",
        )
    ]
    header = find_header(rows, "people")
    assert header is not None
    assert header.suggested == [
        "",
        "full_name",
        "birth",
        "relation",
        "phone",
        "note",
        "head_name",
        "id_number",
        "occupation",
        "school_level",
        None,
    ]


def test_hamlets_import(db: Database, book: Any) -> None:
    create_hamlet(db, HamletInput("Thôn Trung"))
    path = book(
        (
            "DS",
            [
                ["STT", "Tên thôn", "Loại", "Ghi chú"],
                [1, "Thôn Trung", "Thôn", None],
                [2, "Tổ dân phố 3", "Tổ dân phố", "mới lập"],
                [3, "Thôn Cầu", "Làng", None],
            ],
        )
    )
    plan = import_file(db, path, "hamlets")
    assert counts(plan) == (1, 0, 1, 1)


def test_units_import_adds_updates_and_rejects(db: Database, book: Any) -> None:
    from app.core.registry.units import UnitInput, create_unit

    create_unit(db, UnitInput("Trường Tiểu học Đông Hải", kind="school", staff_count=20))
    path = book(
        (
            "Đơn vị",
            [
                ["DANH SÁCH ĐƠN VỊ HỌC TẬP"],
                ["STT", "Tên đơn vị", "Loại", "Thôn", "Thủ trưởng", "Số CB, NV"],
                [1, "Trường Tiểu học Đông Hải", None, None, "Lê Thị Hạnh", 22],  # update
                [2, "Hợp tác xã Nông nghiệp Tây", "Hợp tác xã", "Thôn Tây", None, 7],  # add
                [3, "Trạm Y tế xã", "Bệnh viện", None, None, None],  # unknown kind
                [4, "Hợp tác xã nông nghiệp Tây", "Hợp tác xã", None, None, None],  # repeated
            ],
        )
    )
    plan = import_file(db, path, "units")
    assert counts(plan) == (1, 1, 1, 1)
    assert plan.rejected[0].row == 5 and "Bệnh viện" in plan.rejected[0].reason
    conn = sqlite3.connect(db.path)
    rows = conn.execute(
        "SELECT u.name, u.kind, u.head_name, u.staff_count, h.name FROM unit u"
        " LEFT JOIN hamlet h ON h.id = u.hamlet_id ORDER BY u.id"
    ).fetchall()
    conn.close()
    assert rows == [
        ("Trường Tiểu học Đông Hải", "school", "Lê Thị Hạnh", 22, None),
        ("Hợp tác xã Nông nghiệp Tây", "cooperative", None, 7, "Thôn Tây"),
    ]
    assert counts(plan_import(db, path, "units")) == (0, 0, 3, 1)


def test_clans_import(db: Database, book: Any) -> None:
    path = book(
        (
            "Dòng họ",
            [
                ["Dòng họ", "Chi / nhánh", "Trưởng họ", "Thôn (nhà thờ họ)"],
                ["NGUYỄN", "Chi trưởng", "Nguyễn Văn Lộc", "Thôn Đông"],
                ["Nguyễn", "Chi thứ", "Nguyễn Văn Phúc", "Thôn Đông"],
                [None, "Chi ba", None, None],
            ],
        )
    )
    plan = import_file(db, path, "clans")
    assert counts(plan) == (2, 0, 0, 1)
    assert plan.new_hamlets == ["Thôn Đông"]
    assert counts(plan_import(db, path, "clans")) == (0, 0, 2, 1)


def test_members_import_creates_branches_and_matches_card_numbers(db: Database, book: Any) -> None:
    path = book(
        (
            "Hội viên",
            [
                ["DANH SÁCH HỘI VIÊN HỘI KHUYẾN HỌC"],
                ["STT", "Họ và tên", "Số thẻ", "Năm sinh", "Chi hội", "Chức vụ", "Ngày vào Hội"],
                [1, "Phùng Văn Hậu", 101, 1955, "Chi hội thôn Đông", "Chi hội trưởng", "3/2/2010"],
                [2, "Phùng Thị Hiền", "102", 1958, "Chi hội thôn Đông", None, dt.date(2012, 5, 1)],
                [3, "Lục Văn Khang", None, 1960, "Chi hội thôn Tây", "Trưởng làng", None],
                [4, "Lục Văn Kiên", "102", 1961, "Chi hội thôn Tây", None, None],
            ],
        )
    )
    plan = import_file(db, path, "members")
    assert counts(plan) == (2, 0, 0, 2)
    reasons = {r.row: r.reason for r in plan.rejected}
    assert "Trưởng làng" in reasons[5] and "dòng 4" in reasons[6]
    assert plan.new_hamlets == ["Chi hội thôn Đông"]
    conn = sqlite3.connect(db.path)
    rows = conn.execute(
        "SELECT m.full_name, m.card_number, m.role, m.join_date, b.name FROM member m"
        " JOIN branch b ON b.id = m.branch_id ORDER BY m.id"
    ).fetchall()
    conn.close()
    assert rows == [
        ("Phùng Văn Hậu", "101", "branch_chair", "2010-02-03", "Chi hội thôn Đông"),
        ("Phùng Thị Hiền", "102", "member", "2012-05-01", "Chi hội thôn Đông"),
    ]
    assert counts(plan_import(db, path, "members")) == (0, 0, 2, 2)


def test_one_row_per_household_with_members_in_a_text_cell(db: Database, book: Any) -> None:
    path = book(
        (
            "Thôn Đông",
            [
                ["STT", "Họ tên chủ hộ", "Năm sinh", "Các thành viên"],
                [1, "Mạc Văn Tùng", 1960, "Mạc Thị Hoa (1962, Vợ); Mạc Văn Anh - Con - 1990"],
                [2, "Tôn Thị Mơ", 1950, "Vợ: Tôn Thị Nụ 1975\nTôn Văn Bé (31/02/2000)"],
                [3, "Kha Văn Lực", 1970, None],
            ],
        )
    )
    plan = import_file(db, path, "households")
    assert counts(plan) == (7, 0, 0, 0)
    [warning] = plan.warnings  # no 31 February: the year is kept, with a warning
    assert warning.row == 3 and "Tôn Văn Bé" in warning.value
    assert [(r[0], r[2], r[4], r[7]) for r in people(db)] == [
        ("Mạc Văn Tùng", 1960, "Chủ hộ", "Mạc Văn Tùng"),
        ("Mạc Thị Hoa", 1962, "Vợ", "Mạc Văn Tùng"),
        ("Mạc Văn Anh", 1990, "Con", "Mạc Văn Tùng"),
        ("Tôn Thị Mơ", 1950, "Chủ hộ", "Tôn Thị Mơ"),
        ("Tôn Thị Nụ", 1975, "Vợ", "Tôn Thị Mơ"),
        ("Tôn Văn Bé", 2000, None, "Tôn Thị Mơ"),
        ("Kha Văn Lực", 1970, "Chủ hộ", "Kha Văn Lực"),
    ]
