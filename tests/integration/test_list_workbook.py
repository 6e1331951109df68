"""The one styled list writer behind every Excel list (printed lists and registry exports)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from app.core.errors import StorageError
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
