"""Spreadsheets as secretaries really write them (issue 14, issue 19 points 3 and 4).

The generated workbooks of :mod:`tests.integration.messy_workbooks` and small sheets
built here: every valid person row is imported, every truly bad row is rejected with
its reason, every unusable secondary value is a warning whose text is kept in a note,
a refused head row never moves its members into another household, and exporting
then importing back changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from app.cli import main
from app.core.db import Database
from app.core.io.export import export_list
from app.core.io.importer import import_file, plan_import, preview_sheets
from app.core.registry.hamlets import HamletInput, create_hamlet
from app.core.workspace import init_commune
from tests.integration.messy_workbooks import (
    MemberValues,
    member_values_book,
    messy_households_book,
)


def write_book(path: Path, sheets: list[tuple[str, list[list[Any]]]]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


@pytest.fixture
def book(tmp_path: Path) -> Callable[..., Path]:
    made = iter(range(1000))

    def _make(*sheets: tuple[str, list[list[Any]]]) -> Path:
        return write_book(tmp_path / f"so{next(made)}.xlsx", list(sheets))

    return _make


def query(db: Database, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db.path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def households_of(db: Database) -> dict[str, list[str]]:
    """Each household (head name + id) → the names of its people, in id order."""
    out: dict[str, list[str]] = {}
    for household, head, name in query(
        db,
        "SELECT h.id, h.head_name, p.full_name FROM person p JOIN household h"
        " ON h.id = p.household_id WHERE p.deleted = 0 ORDER BY p.id",
    ):
        out.setdefault(f"{head}#{household}", []).append(name)
    return out


def counts(plan: Any) -> tuple[int, int, int, int]:
    return plan.added, plan.updated, plan.duplicates, len(plan.rejected)


# --- the generated messy workbook, end to end ---------------------------------------------


def test_dry_run_json_adds_every_valid_row_rejects_the_bad_ones_and_lists_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "xa"
    init_commune(folder, "4", lock=False).close()
    path = tmp_path / "so-ho.xlsx"
    expected = messy_households_book(path)
    code = main(
        ["import-xlsx", str(path), "--kind", "households", "--dry-run", "--json",
         "--data-dir", str(folder)]
    )  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    for key in ("added", "updated", "duplicates", "rejected", "new_hamlets", "dry_run"):
        assert key in data  # every field of the contract is still there
    assert data["added"] >= 0.99 * expected.valid_rows
    assert data["duplicates"] == expected.duplicates  # the household written twice
    rejected = {(r["sheet"], r["row"]): r["reason"] for r in data["rejected"]}
    assert set(rejected) == set(expected.rejected)  # the truly bad rows, and only them
    for where, word in expected.rejected.items():
        assert word.lower() in rejected[where].lower(), (where, rejected[where])
    warned = {(w["sheet"], w["row"], w["column"]) for w in data["warnings"]}
    assert expected.warnings <= warned
    for warning in data["warnings"]:
        assert set(warning) == {"sheet", "row", "column", "value", "reason"}
        assert warning["value"] and warning["reason"]
    assert sorted(data["new_hamlets"]) == ["Thôn Đoài", "Thôn Đông", "Tổ dân phố 3"]


def test_every_warned_value_is_kept_in_a_note(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "so-ho.xlsx"
    messy_households_book(path)
    plan = import_file(db, path, "households")
    notes = " | ".join(
        n for (n,) in query(db, "SELECT note FROM person UNION ALL SELECT note FROM household") if n
    )
    assert plan.warnings
    for warning in plan.warnings:
        if warning.column == "Các thành viên":
            continue  # a member's birth: its year is stored, the cell is in the sheet
        assert warning.value.strip() in notes, warning


def test_importing_the_same_file_again_changes_nothing(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "so-ho.xlsx"
    messy_households_book(path)
    first = import_file(db, path, "households")
    again = plan_import(db, path, "households")
    assert (again.added, again.updated) == (0, 0)  # rows with warnings included
    assert again.duplicates == first.added + first.duplicates


@pytest.mark.parametrize(("listing", "kind"), [("people", "people"), ("people", "households"),
                                               ("households", "households")])  # fmt: skip
def test_households_sheet_export_then_import_back_is_a_no_op(
    db: Database, tmp_path: Path, listing: str, kind: str
) -> None:
    path = tmp_path / "so-ho.xlsx"
    messy_households_book(path)
    import_file(db, path, "households")
    before = households_of(db)
    exported = export_list(db, listing, tmp_path / "xuat.xlsx")
    back = import_file(db, exported.path, kind)
    assert (back.added, back.updated, back.rejected, back.warnings) == (0, 0, [], [])
    assert back.duplicates == exported.rows
    assert households_of(db) == before


# --- school levels written freely -----------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "level", "grade", "system"),
    [
        ("9/12", "lower_secondary", 9, 12),
        ("12/12", "upper_secondary", 12, 12),
        ("10/10", "upper_secondary", 10, 10),  # the North's old 10-year school
        ("4/10", "primary", 4, 10),
        ("7/10", "lower_secondary", 7, 10),
        ("Lớp 6", "lower_secondary", 6, None),
        ("LỚP 11", "upper_secondary", 11, None),
        ("lop 3", "primary", 3, None),
        ("hết lớp 9", "lower_secondary", 9, None),
        ("Trung cấp", "vocational", None, None),
        ("Đại học", "university", None, None),
        ("ĐH", "university", None, None),
        ("Đ.H", "university", None, None),
        ("CĐ", "college", None, None),
        ("Cao đẳng nghề", "college", None, None),
        ("Tiến sĩ", "postgraduate", None, None),
        ("thac si", "postgraduate", None, None),
        ("Mù chữ", "none", None, None),
        ("Biết đọc biết viết", "primary", None, None),
        ("12/12 + Trung cấp", "vocational", 12, 12),
    ],
)
def test_school_levels_written_freely_keep_the_level_and_the_grade(
    db: Database, book: Any, written: str, level: str, grade: int | None, system: int | None
) -> None:
    path = book(("DS", [["Họ và tên", "Năm sinh", "Trình độ"], ["Vũ Thị Hà", 1990, written]]))
    plan = import_file(db, path, "people")
    assert (counts(plan), plan.warnings) == ((1, 0, 0, 0), [])
    assert query(db, "SELECT school_level, school_grade, school_system FROM person") == [
        (level, grade, system)
    ]


def test_mixed_school_systems_in_one_sheet_and_levels_in_the_note_column(
    db: Database, book: Any
) -> None:
    path = book(
        (
            "DS",
            [
                ["Họ và tên", "Năm sinh", "Trình độ", "Ghi chú"],
                ["Đỗ Văn Sơn", 1950, "7/10", None],
                ["Đỗ Văn Tú", 1985, "9/12", None],
                ["Đỗ Thị Mai", 2012, None, "Lớp 8"],
                ["Đỗ Văn Nam", 2000, None, "ĐH; con thương binh"],
                ["Đỗ Văn Bình", 1990, "Tiến sĩ vũ trụ", None],  # unreadable: a warning
            ],
        )
    )
    plan = import_file(db, path, "people")
    assert counts(plan) == (5, 0, 0, 0)
    [warning] = plan.warnings
    assert (warning.row, warning.column, warning.value) == (6, "Trình độ", "Tiến sĩ vũ trụ")
    assert query(db, "SELECT school_level, school_grade, school_system, note FROM person") == [
        ("lower_secondary", 7, 10, None),
        ("lower_secondary", 9, 12, None),
        ("lower_secondary", 8, None, "Lớp 8"),
        ("university", None, None, "ĐH; con thương binh"),
        (None, None, None, "Trình độ: Tiến sĩ vũ trụ"),
    ]


# --- a refused head row ----------------------------------------------------------------------


def test_a_refused_head_row_refuses_its_household_and_never_joins_the_previous_one(
    db: Database, book: Any
) -> None:
    path = book(
        (
            "Thôn Bắc",
            [
                ["Họ và tên", "Năm sinh", "Quan hệ với chủ hộ"],
                ["Lý Văn Uy", 1950, "Chủ hộ"],
                ["Lý Thị Vy", 1980, "Con"],
                [None, 1966, "Chủ hộ"],  # row 4: the head's name is missing
                ["Âu Thị Yến", 1990, "Vợ"],
                ["Âu Văn Yên", 2010, "Con"],
                ["Hồ Văn Ánh", 1960, "Chủ hộ"],
                ["Hồ Thị Ân", 1992, "Con"],
            ],
        )
    )
    plan = import_file(db, path, "households")
    assert counts(plan) == (4, 0, 0, 3)
    reasons = {r.row: r.reason for r in plan.rejected}
    assert "Họ tên" in reasons[4] and "cả hộ" in reasons[4]
    assert "dòng 4" in reasons[5] and "dòng 4" in reasons[6]
    assert sorted(households_of(db).values()) == [
        ["Hồ Văn Ánh", "Hồ Thị Ân"],
        ["Lý Văn Uy", "Lý Thị Vy"],
    ]


def test_a_refused_head_in_a_head_name_column_refuses_the_people_naming_it(
    db: Database, book: Any
) -> None:
    path = book(
        (
            "Thôn Nam",
            [
                ["Họ và tên", "Ngày sinh", "Quan hệ với chủ hộ", "Chủ hộ"],
                ["Ngô Văn Phúc", "abc", "Chủ hộ", "Ngô Văn Phúc"],  # no year: refused
                ["Bùi Văn Quân", 1962, "Chủ hộ", "Bùi Văn Quân"],
                ["Ngô Thị Lan", 1965, "Vợ", "Ngô Văn Phúc"],
            ],
        )
    )
    plan = import_file(db, path, "people")
    assert counts(plan) == (1, 0, 0, 2)
    assert "dòng 2" in {r.row: r.reason for r in plan.rejected}[4]
    assert list(households_of(db).values()) == [["Bùi Văn Quân"]]


# --- the hamlet of a sheet --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "hamlet"),
    [
        ("DANH SÁCH HỘ GIA ĐÌNH THÔN ĐOÀI NĂM 2026", "Thôn Đoài"),
        ("DANH SÁCH NHÂN KHẨU THÔN ĐÔNG, XÃ KHOÁI CHÂU", "Thôn Đông"),
        ("THÔN THƯỢNG ĐOÀI - NGÀY 12/3/2026", "Thôn Thượng Đoài"),
        ("Danh sách tổ dân phố 3 (cập nhật 5/2026)", "Tổ dân phố 3"),
        ("1. XÓM 5 NĂM 2025", "Xóm 5"),
        ("DANH SÁCH THÔN HẠ THÁNG 3/2026", "Thôn Hạ"),
    ],
)
def test_the_hamlet_read_from_a_title_row_has_no_year_date_or_list_words(
    db: Database, book: Any, title: str, hamlet: str
) -> None:
    path = book(("Sheet1", [[title], ["Họ và tên", "Năm sinh"], ["Lê Thị Hà", 1980]]))
    plan = import_file(db, path, "households")
    assert (plan.new_hamlets, plan.warnings) == ([hamlet], [])
    assert query(db, "SELECT name FROM hamlet") == [(hamlet,)]


def test_an_unsure_hamlet_is_asked_for_never_created_silently(db: Database, book: Any) -> None:
    title = "DANH SÁCH KÈM THEO VĂN BẢN SỐ 12 CỦA UBND"
    path = book(("Sheet1", [[title], ["Họ và tên", "Năm sinh"], ["Lê Thị Hà", 1980]]))
    [preview] = preview_sheets(db, path, "households")
    assert preview.hamlet is not None and not preview.hamlet_sure
    plan = plan_import(db, path, "households")
    assert plan.new_hamlets == [] and plan.added == 1
    [warning] = plan.warnings
    assert warning.column == "Tiêu đề" and "Không chắc tên thôn" in warning.reason
    answered = import_file(db, path, "households", hamlets={"Sheet1": "Thôn Cầu"})
    assert answered.new_hamlets == ["Thôn Cầu"] and answered.warnings == []


def test_a_known_hamlet_in_an_unclear_title_is_used(db: Database, book: Any) -> None:
    create_hamlet(db, HamletInput("Thôn Đông Hạ Trung Thượng"))
    path = book(
        ("Sheet1", [["THÔN ĐÔNG HẠ TRUNG THƯỢNG"], ["Họ và tên", "Năm sinh"], ["Lê Thị Hà", 1980]])
    )
    plan = import_file(db, path, "households")
    assert (plan.new_hamlets, plan.warnings, plan.added) == ([], [], 1)


# --- members written in one cell ---------------------------------------------------------------


def test_members_written_in_one_cell_become_people(db: Database, book: Any) -> None:
    path = book(
        (
            "Thôn Đông",
            [
                ["STT", "Họ tên chủ hộ", "Năm sinh", "Các thành viên"],
                [1, "Mạc Văn Tùng", 1960, "Vợ: Nguyễn Thị Hoa (1962), Con: Mạc Văn Anh (1990)"],
                [2, "Tôn Văn Mơ", 1950, "Con: Tôn Văn Bé (1975), Tôn Thị Nụ (1978)"],
                [3, "Kha Văn Lực", 1970, "Vợ - Lê Thị Lan - SN 1972\nLê Văn Tú, sinh 2001, con"],
            ],
        )
    )
    plan = import_file(db, path, "households")
    assert (counts(plan), plan.warnings) == ((9, 0, 0, 0), [])
    assert query(db, "SELECT full_name, birth_year, relation FROM person ORDER BY id") == [
        ("Mạc Văn Tùng", 1960, "Chủ hộ"),
        ("Nguyễn Thị Hoa", 1962, "Vợ"),
        ("Mạc Văn Anh", 1990, "Con"),
        ("Tôn Văn Mơ", 1950, "Chủ hộ"),
        ("Tôn Văn Bé", 1975, "Con"),
        ("Tôn Thị Nụ", 1978, "Con"),
        ("Kha Văn Lực", 1970, "Chủ hộ"),
        ("Lê Thị Lan", 1972, "Vợ"),
        ("Lê Văn Tú", 2001, "Con"),
    ]


# --- issue 19.3: namesake heads, counted changes ----------------------------------------------


def _namesakes(book: Any) -> Path:
    return book(
        (
            "Thôn Đông",
            [
                ["Họ và tên", "Năm sinh", "Quan hệ với chủ hộ", "Điện thoại"],
                ["Nguyễn Văn An", 1960, "Chủ hộ", "0912345678"],
                ["Trần Thị Bình", 1962, "Vợ", None],
                ["Nguyễn Văn Cường", 1990, "Con", None],
                ["Nguyễn Văn An", 1970, "Chủ hộ", "0987654321"],
                ["Lê Thị Dung", 1972, "Vợ", None],
                ["Nguyễn Văn Cường", 1995, "Con", None],
            ],
        )
    )


def test_heads_of_the_same_name_in_one_hamlet_stay_two_households(
    db: Database, book: Any, tmp_path: Path
) -> None:
    path = _namesakes(book)
    assert counts(import_file(db, path, "households")) == (6, 0, 0, 0)
    expected = {
        ("Nguyễn Văn An", "0912345678"): ["Nguyễn Văn An", "Trần Thị Bình", "Nguyễn Văn Cường"],
        ("Nguyễn Văn An", "0987654321"): ["Nguyễn Văn An", "Lê Thị Dung", "Nguyễn Văn Cường"],
    }

    def by_phone() -> dict[tuple[str, str], list[str]]:
        out: dict[tuple[str, str], list[str]] = {}
        for head, phone, name in query(
            db,
            "SELECT h.head_name, h.phone, p.full_name FROM person p JOIN household h"
            " ON h.id = p.household_id ORDER BY p.id",
        ):
            out.setdefault((head, phone), []).append(name)
        return out

    assert by_phone() == expected
    assert counts(plan_import(db, path, "households")) == (0, 0, 6, 0)
    for listing, kind in (("people", "people"), ("households", "households")):
        exported = export_list(db, listing, tmp_path / f"{listing}.xlsx").path
        assert counts(import_file(db, exported, kind))[:2] == (0, 0)
        assert by_phone() == expected


def test_a_household_change_on_an_unchanged_head_row_is_counted(
    db: Database, book: Any, tmp_path: Path
) -> None:
    import_file(db, _namesakes(book), "households")
    exported = export_list(db, "households", tmp_path / "ho.xlsx").path
    from openpyxl import load_workbook

    wb = load_workbook(exported)
    ws = wb.worksheets[0]
    phone_col = next(c.column for c in ws[6] if c.value == "Điện thoại")
    for row in ws.iter_rows(min_row=7):
        if row[phone_col - 1].value == "0987654321":
            row[phone_col - 1].value = "0977000111"
    wb.save(exported)
    plan = import_file(db, exported, "households")
    assert counts(plan) == (0, 1, 1, 0)  # never "updated: 0" for a write
    assert sorted(p for (p,) in query(db, "SELECT phone FROM household")) == [
        "0912345678",
        "0977000111",
    ]


# --- issue 19.4: nothing dropped silently -------------------------------------------------------


def test_excel_serial_dates_under_nam_and_nu_columns_are_births(db: Database, book: Any) -> None:
    path = book(
        (
            "DS",
            [
                ["STT", "Họ và tên", "Năm sinh", None],
                [None, None, "Nam", "Nữ"],
                [1, "Vũ Văn Nam", 29292, None],  # 12/03/1980 as a serial number
                [2, "Vũ Thị Oanh", None, dt.datetime(1985, 7, 1)],
                [3, "Vũ Văn Phú", 1950, None],
            ],
        )
    )
    plan = import_file(db, path, "people")
    assert counts(plan) == (3, 0, 0, 0)
    assert query(db, "SELECT full_name, birth_date, birth_year, gender FROM person") == [
        ("Vũ Văn Nam", "1980-03-12", 1980, "M"),
        ("Vũ Thị Oanh", "1985-07-01", 1985, "F"),
        ("Vũ Văn Phú", None, 1950, "M"),
    ]


def test_so_dinh_danh_ca_nhan_is_the_id_number(db: Database, book: Any) -> None:
    path = book(
        (
            "DS",
            [["Họ và tên", "Năm sinh", "Số định danh cá nhân"], ["Lê Văn Hải", 1970, 1070000123]],
        )
    )
    import_file(db, path, "people")
    assert query(db, "SELECT id_number FROM person") == [("001070000123",)]


def test_kind_people_keeps_the_hamlet_of_thon_xom_column(db: Database, book: Any) -> None:
    path = book(
        (
            "DS",
            [
                ["Họ và tên", "Năm sinh", "Thôn/Xóm"],
                ["Phan Văn Tuấn", 1970, "Thôn Đông"],
                ["Phan Văn Tuấn", 1970, "Thôn Tây"],  # another man: not a duplicate
            ],
        )
    )
    plan = import_file(db, path, "people")
    assert counts(plan) == (2, 0, 0, 0)
    [warning] = plan.warnings  # said once for the sheet: each is a household of their own
    assert warning.column == "Thôn/Xóm" and "hộ riêng" in warning.reason
    assert query(
        db,
        "SELECT p.full_name, hm.name FROM person p JOIN household h ON h.id = p.household_id"
        " JOIN hamlet hm ON hm.id = h.hamlet_id ORDER BY p.id",
    ) == [("Phan Văn Tuấn", "Thôn Đông"), ("Phan Văn Tuấn", "Thôn Tây")]
    assert counts(plan_import(db, path, "people")) == (0, 0, 2, 0)


def test_a_household_written_twice_in_a_households_file_is_caught(db: Database, book: Any) -> None:
    block = [["H01", "Đinh Văn Sơn", 1959, "Chủ hộ"], ["H01", "Đinh Thị Hà", 1961, "Vợ"]]
    path = book(
        (
            "Thôn Đoài",
            [
                ["Số hộ", "Họ và tên", "Năm sinh", "Quan hệ với chủ hộ"],
                *block,
                ["H02", "Ngô Văn Phúc", 1960, "Chủ hộ"],
                *block,  # planted: the same household again
                ["H02", "Ngô Văn Phúc", 1960, "Chủ hộ"],
            ],
        )
    )
    plan = import_file(db, path, "households")
    assert counts(plan) == (3, 0, 3, 0)
    assert query(db, "SELECT COUNT(*) FROM household") == [(2,)]


def test_formula_errors_refuse_only_a_name_elsewhere_they_are_warnings(
    db: Database, book: Any
) -> None:
    path = book(
        (
            "DS",
            [
                ["Họ và tên", "Năm sinh", "Điện thoại", "Trình độ"],
                ["#REF!", 1970, None, None],
                ["Cao Văn Minh", 1970, "#N/A", "#VALUE!"],
            ],
        )
    )
    plan = import_file(db, path, "people")
    assert counts(plan) == (1, 0, 0, 1)
    assert "#REF!" in plan.rejected[0].reason
    assert {(w.column, w.value) for w in plan.warnings} == {
        ("Điện thoại", "#N/A"),
        ("Trình độ", "#VALUE!"),
    }
    assert query(db, "SELECT note FROM person") == [("Điện thoại: #N/A; Trình độ: #VALUE!",)]


def test_a_household_uuid_column_names_the_household(db: Database, book: Any) -> None:
    from app.core.registry.households import HouseholdInput, create_household
    from app.core.registry.people import PersonInput

    hamlet = create_hamlet(db, HamletInput("Thôn Đông"))
    for other in ("Lê Thị Hoa", "Mai Văn Lộc"):  # two heads of one name and one year
        create_household(
            db,
            HouseholdInput(hamlet_id=hamlet),
            [PersonInput("Nguyễn Văn An", "M", "1960", "Chủ hộ"), PersonInput(other, birth="1962")],
        )
    [(second,)] = query(db, "SELECT uuid FROM household ORDER BY id DESC LIMIT 1")
    path = book(
        (
            "Thôn Đông",
            [
                ["Họ và tên", "Năm sinh", "Quan hệ với chủ hộ", "uuid hộ"],
                ["Nguyễn Văn An", 1960, "Chủ hộ", second.upper()],
                ["Mai Thị Bé", 2015, "Cháu", second],
            ],
        )
    )
    plan = import_file(db, path, "households")
    assert counts(plan) == (1, 0, 1, 0)
    assert sorted(households_of(db).values()) == [
        ["Nguyễn Văn An", "Lê Thị Hoa"],
        ["Nguyễn Văn An", "Mai Văn Lộc", "Mai Thị Bé"],
    ]


def test_a_head_name_column_filled_on_the_head_row_only(db: Database, book: Any) -> None:
    path = book(
        (
            "Thôn Đông",
            [
                ["Họ và tên", "Năm sinh", "Quan hệ với chủ hộ", "Họ tên chủ hộ"],
                ["Đinh Văn Sơn", 1959, "Chủ hộ", "Đinh Văn Sơn"],
                ["Đinh Thị Hà", 1961, "Vợ", None],
                ["Ngô Văn Phúc", 1960, "Chủ hộ", "Ngô Văn Phúc"],
                ["Ngô Văn Tú", 1990, "Con", None],
            ],
        )
    )
    plan = import_file(db, path, "households")
    assert (counts(plan), plan.warnings) == ((4, 0, 0, 0), [])
    assert sorted(households_of(db).values()) == [
        ["Ngô Văn Phúc", "Ngô Văn Tú"],
        ["Đinh Văn Sơn", "Đinh Thị Hà"],
    ]


# --- issue 19.4: a member's own values are kept -------------------------------------------------


@pytest.fixture
def member_book(tmp_path: Path) -> tuple[Path, MemberValues]:
    path = tmp_path / "nhan-khau.xlsx"
    return path, member_values_book(path)


def _people(db: Database) -> dict[str, tuple[str | None, bool, str]]:
    return {
        name: (gender, bool(studying), note or "")
        for name, gender, studying, note in query(
            db, "SELECT full_name, gender, is_studying, note FROM person"
        )
    }


def test_a_members_own_address_and_circumstance_are_kept_in_their_note(
    db: Database, member_book: tuple[Path, MemberValues]
) -> None:
    path, expected = member_book
    plan = import_file(db, path, "households")
    assert plan.rejected == []
    people = _people(db)
    assert set(people) == set(expected.people)
    for name, (_gender, _studying, kept) in expected.people.items():
        for text in kept:
            assert text in people[name][2], (name, text, people[name][2])
    households = {
        head: (address, circumstance)
        for head, address, circumstance in query(
            db, "SELECT head_name, address, circumstance FROM household"
        )
    }
    assert households == expected.households  # the head's values are the household's


def test_every_value_of_a_member_row_is_stored_or_warned_about(
    db: Database, member_book: tuple[Path, MemberValues]
) -> None:
    path, expected = member_book
    plan = import_file(db, path, "households")
    warned = {(w.sheet, w.row, w.column) for w in plan.warnings}
    assert warned == expected.warnings
    for warning in plan.warnings:
        assert warning.value and warning.reason
        if warning.column in ("Địa chỉ", "Hoàn cảnh"):
            assert "của hộ" in warning.reason and "dòng" in warning.reason  # whose value is kept
    assert any(w.column == "Địa chỉ" for w in plan.warnings)
    assert any(w.column == "Hoàn cảnh" for w in plan.warnings)
    assert any(w.column == "Đang đi học" for w in plan.warnings)


def test_genders_and_studying_written_every_way_are_stored(
    db: Database, member_book: tuple[Path, MemberValues]
) -> None:
    path, expected = member_book
    import_file(db, path, "households")
    people = _people(db)
    for name, (gender, studying, _kept) in expected.people.items():
        assert people[name][:2] == (gender, studying), name


def test_a_member_book_imported_again_or_exported_back_changes_nothing(
    db: Database, member_book: tuple[Path, MemberValues], tmp_path: Path
) -> None:
    path, _expected = member_book
    first = import_file(db, path, "households")
    again = plan_import(db, path, "households")
    assert (again.added, again.updated) == (0, 0)
    assert again.duplicates == first.added
    before = households_of(db)
    for listing in ("people", "households"):
        exported = export_list(db, listing, tmp_path / f"{listing}.xlsx")
        back = import_file(db, exported.path, "households")
        assert (back.added, back.updated, back.rejected, back.warnings) == (0, 0, [], [])
    assert households_of(db) == before


@pytest.mark.parametrize(
    ("label", "written", "stored"),
    [
        ("Giới tính (Nữ)", 1, "F"),
        ("Giới tính (Nữ)", 0, "M"),
        ("Giới tính/Nữ", "1", "F"),
        ("Giới tính (Nữ)", "x", "F"),
        ("Giới tính (Nữ)", "Nam", "M"),
        ("Nữ", 1, "F"),
        ("Nữ", "0", "M"),
        ("Giới tính", "Trai", "M"),
        ("Giới tính", "GÁI", "F"),
        ("Giới tính", "nữ giới", "F"),
        ("Giới tính", "f", "F"),
    ],
)
def test_gender_written_as_a_word_or_a_female_flag(
    db: Database, book: Any, label: str, written: Any, stored: str
) -> None:
    path = book(("DS", [["Họ và tên", "Năm sinh", label], ["Lê Văn Hải", 1970, written]]))
    plan = import_file(db, path, "people")
    assert (counts(plan), plan.warnings) == ((1, 0, 0, 0), [])
    assert query(db, "SELECT gender FROM person") == [(stored,)]


def test_a_one_or_zero_under_a_plain_gender_column_is_a_warning(db: Database, book: Any) -> None:
    path = book(("DS", [["Họ và tên", "Năm sinh", "Giới tính"], ["Lê Văn Hải", 1970, 1]]))
    plan = import_file(db, path, "people")
    [warning] = plan.warnings  # 1 is Nam in some lists, Nữ in others: never guessed
    assert (warning.column, warning.value) == ("Giới tính", "1")
    assert query(db, "SELECT gender, note FROM person") == [(None, "Giới tính: 1")]


def test_the_address_of_a_person_in_no_household_is_kept_in_their_note(
    db: Database, book: Any
) -> None:
    path = book(("DS", [["Họ và tên", "Năm sinh", "Địa chỉ"], ["Lê Văn Hải", 1970, "Xóm 4"]]))
    plan = import_file(db, path, "people")
    [warning] = plan.warnings
    assert (warning.column, warning.value) == ("Địa chỉ", "Xóm 4")
    assert "không thuộc hộ nào" in warning.reason
    assert query(db, "SELECT household_id, note FROM person") == [(None, "Địa chỉ: Xóm 4")]
    assert counts(plan_import(db, path, "people")) == (0, 0, 1, 0)


def test_a_members_own_hamlet_is_kept_in_their_note_and_warned_about(
    db: Database, book: Callable[..., Path]
) -> None:
    path = book(
        (
            "Hộ",
            [
                ["STT", "Họ và tên", "Năm sinh", "Quan hệ với chủ hộ", "Thôn"],
                [1, "Nguyễn Văn Thành", 1968, "Chủ hộ", "Thôn Đông"],
                [2, "Lê Thị Hậu", 1970, "Vợ", "Thôn Đông"],
                [3, "Nguyễn Văn Tùng", 1995, "Con", "Thôn Tây"],  # moved away, still listed here
                [4, "Phạm Văn Lộc", 1972, "Chủ hộ", ""],  # the hamlet given by his wife's row
                [5, "Đỗ Thị Ngân", 1975, "Vợ", "Thôn Tây"],
            ],
        )
    )
    plan = import_file(db, path, "households")
    assert plan.rejected == []
    warned = [(w.row, w.column, w.value) for w in plan.warnings if w.column == "Thôn"]
    assert warned == [(4, "Thôn", "Thôn Tây")]  # sheet row 4: Tùng, not the household's hamlet
    reason = next(w.reason for w in plan.warnings if w.column == "Thôn")
    assert "Thôn Đông" in reason and "dòng 2" in reason
    homes = dict(
        query(
            db,
            "SELECT p.full_name, h.name FROM person p JOIN household hh ON hh.id = p.household_id "
            "JOIN hamlet h ON h.id = hh.hamlet_id",
        )
    )
    assert homes["Nguyễn Văn Tùng"] == "Thôn Đông"  # one household, one hamlet
    assert homes["Phạm Văn Lộc"] == homes["Đỗ Thị Ngân"] == "Thôn Tây"
    note = query(db, "SELECT note FROM person WHERE full_name = 'Nguyễn Văn Tùng'")[0][0]
    assert "Thôn: Thôn Tây" in note
