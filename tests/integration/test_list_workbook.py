"""The one styled list writer behind every Excel list (printed lists and registry exports)."""

from __future__ import annotations

import datetime as dt
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from app.core.errors import StorageError
from app.core.io.workbook import read_sheets
from app.core.printing.common import PrintCancelled
from app.core.printing.xlsx import ListWorkbook, write_list_workbook

SPEC = ListWorkbook(
    sheet="Danh sách: học bổng/2025",
    issuer=("UBND XÃ KHOÁI CHÂU", "HỘI KHUYẾN HỌC XÃ KHOÁI CHÂU"),
    title="Danh sách nhận học bổng",
    subtitle="(Tổng số: 2 học sinh)",
    columns=["Họ và tên", "Ngày sinh", "Số tiền"],
    place_date="Khoái Châu, ngày 05 tháng 11 năm 2025",
    total_line="Cộng: 2 học sinh",
    footer=["Bằng chữ: Một triệu đồng."],
    signers=[("Người lập biểu", ""), ("Chủ tịch Hội Khuyến học", "Trần Văn Tuấn")],
)
ROWS = [
    ["Nguyễn Thị Ánh", dt.date(2012, 3, 9), 500_000],
    ["Đặng Văn Ưng", dt.date(2011, 12, 1), 500_000],
]


def test_layout_values_and_styles(tmp_path: Path) -> None:
    out = tmp_path / "hb.xlsx"
    assert write_list_workbook(out, SPEC, ROWS, total=2) == 2
    book = load_workbook(out)
    sheet = book.active
    assert sheet.title == "Danh sách- học bổng-2025", "characters Excel refuses are replaced"
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "UBND XÃ KHOÁI CHÂU" and rows[0][3] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert rows[1][3] == "Độc lập - Tự do - Hạnh phúc"
    assert rows[2][3] == SPEC.place_date
    assert rows[3][0] == "DANH SÁCH NHẬN HỌC BỔNG"
    assert rows[5][:4] == ["STT", "Họ và tên", "Ngày sinh", "Số tiền"]
    assert sheet.freeze_panes == "A7" and sheet["B6"].font.bold
    assert rows[6][:4] == [1, "Nguyễn Thị Ánh", dt.datetime(2012, 3, 9), 500_000]
    assert sheet["C7"].number_format == "dd/mm/yyyy"
    assert rows[8][0] == "Cộng: 2 học sinh" and rows[9][0] == "Bằng chữ: Một triệu đồng."
    tail = [c for r in rows[10:] for c in r if c]
    assert "CHỦ TỊCH HỘI KHUYẾN HỌC" in tail and "Trần Văn Tuấn" in tail


def test_cancel_and_a_file_held_open_leave_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "ds.xlsx"
    out.write_bytes(b"ban cu")
    with pytest.raises(PrintCancelled):
        write_list_workbook(out, SPEC, ROWS * 300, total=600, cancel=lambda: True)

    def held(*_a: Any, **_k: Any) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("app.core.printing.xlsx.os.replace", held)
    with pytest.raises(StorageError, match="đang mở trong Excel"):
        write_list_workbook(out, SPEC, ROWS, total=2)
    assert out.read_bytes() == b"ban cu"
    assert [p.name for p in tmp_path.iterdir()] == ["ds.xlsx"]


AWKWARD = [
    "Lê Thị <Hoa> & con",  # XML markup characters
    "  Bùi Văn Nam  ",  # spaces at both ends are kept
    unicodedata.normalize("NFD", "Nguyễn Văn Hoà"),  # decomposed, as typed on some keyboards
    '=HYPERLINK("http://vi-du.invalid/x","Nguyễn Văn An")',
    "+84912345678",
    "-1+2",
    "@SUM(A1:A2)",
    "Dòng 1\r\nDòng 2",
]


def test_values_come_back_exactly_through_both_readers(tmp_path: Path) -> None:
    """What the writer puts in a cell is what Excel-compatible readers (openpyxl, and the
    app's own importer's reader) get back: texts, numbers, booleans, dates."""
    out = tmp_path / "ds.xlsx"
    rows = [[text, index, 2.5, True, dt.date(1950, 1, 31)] for index, text in enumerate(AWKWARD)]
    spec = ListWorkbook(
        sheet="Danh sách",
        issuer=("UBND XÃ KHOÁI CHÂU", ""),
        title="Danh sách",
        subtitle="",
        columns=["Họ và tên", "Số", "Điểm", "Có", "Ngày sinh"],
    )
    write_list_workbook(out, spec, rows, total=len(rows))

    book = load_workbook(out)
    sheet = book.active
    assert sheet is not None
    got = [
        list(r[1:6]) for r in sheet.iter_rows(min_row=7, max_row=6 + len(rows), values_only=True)
    ]
    assert got == [[t, i, 2.5, True, dt.datetime(1950, 1, 31)] for t, i, *_ in rows]
    assert [sheet.cell(7 + i, 1).value for i in range(len(rows))] == list(range(1, len(rows) + 1))

    (read,) = read_sheets(out)
    texts = [r[1] for r in read.rows[6 : 6 + len(rows)]]
    assert texts == AWKWARD


def test_formula_like_texts_are_quote_prefixed_text_never_formulas(tmp_path: Path) -> None:
    out = tmp_path / "ds.xlsx"
    hostile = AWKWARD[3]
    spec = ListWorkbook(
        sheet="Danh sách",
        issuer=(hostile, "Xã Khoái Châu"),
        title="Danh sách",
        subtitle="",
        columns=["Họ và tên"],
        total_line=hostile,
    )
    write_list_workbook(out, spec, [[t] for t in AWKWARD], total=len(AWKWARD))
    with zipfile.ZipFile(out) as zf:
        assert b"<f>" not in zf.read("xl/worksheets/sheet1.xml")
    sheet = load_workbook(out).active
    assert sheet is not None
    cells = {c.value: c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    for text in AWKWARD[3:7]:
        assert (cells[text].data_type, cells[text].quotePrefix) == ("s", True), text
    assert cells[AWKWARD[0]].quotePrefix is False
    assert sheet["A1"].font.bold, "a styled heading cell keeps its font when quote-prefixed"


def test_columns_are_as_wide_as_their_longest_value_at_most_50(tmp_path: Path) -> None:
    out = tmp_path / "ds.xlsx"
    spec = ListWorkbook(
        sheet="Danh sách", issuer=("", ""), title="T", subtitle="", columns=["Tên", "Ghi chú"]
    )
    write_list_workbook(out, spec, [["Nguyễn Văn An", "x" * 80]], total=1)
    sheet = load_workbook(out).active
    assert sheet is not None
    widths = {k: v.width for k, v in sheet.column_dimensions.items()}
    assert widths["B"] == len("Nguyễn Văn An") + 2
    assert widths["C"] == 50
    assert sheet.freeze_panes == "A7"


def test_a_control_character_in_a_text_is_dropped_not_a_broken_file(tmp_path: Path) -> None:
    out = tmp_path / "ds.xlsx"
    spec = ListWorkbook(sheet="Danh sách", issuer=("", ""), title="T", subtitle="", columns=["Tên"])
    write_list_workbook(out, spec, [["Trần\x0bVăn\x00 Bình"]], total=1)
    (read,) = read_sheets(out)
    assert read.rows[6][1] == "TrầnVăn Bình"
