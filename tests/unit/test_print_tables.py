"""The list renderer: page count announced = pages written, numbers never cut, cells fit."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.core.printing.common import PrintCancelled
from app.core.printing.tables import Column, SignatureBox, TableDocument, render_table

DOC = TableDocument(
    issuer_1="UBND XÃ KHOÁI CHÂU",
    issuer_2="HỘI KHUYẾN HỌC XÃ KHOÁI CHÂU",
    title="Danh sách hội viên",
    subtitle="(Tổng số: …)",
    columns=[Column("Họ và tên", 18), Column("Năm sinh", 6, "center"), Column("Ghi chú", 20)],
    place="Khoái Châu",
    day=dt.date(2025, 11, 20),
    signatures=(SignatureBox("Người lập biểu", ""), SignatureBox("Chủ tịch Hội", "Đỗ Thị Ngữ")),
)


@pytest.mark.parametrize("rows", [1, 31, 32, 33, 70, 1234])
def test_pages_numbers_and_signatures(tmp_path: Path, rows: int) -> None:
    data = [[f"Nguyễn Văn Đức {i}", "1980", "Ổn định, đã đóng hội phí"] for i in range(rows)]
    out = tmp_path / "ds.pdf"
    pages = render_table(out, DOC, iter(data), total=rows)
    texts = [unicodedata.normalize("NFC", p.extract_text()) for p in PdfReader(out).pages]
    assert pages == len(texts)
    for i, text in enumerate(texts, start=1):
        assert f"Trang {i}/{pages}" in text
    assert "DANH SÁCH HỘI VIÊN" in texts[0] and "Khoái Châu, ngày 20 tháng 11 năm 2025" in texts[0]
    assert "CHỦ TỊCH HỘI" in texts[-1] and "Đỗ Thị Ngữ" in texts[-1]
    lines = "\n".join(texts).splitlines()
    assert str(rows) in lines, "the last row number is printed whole"
    assert f"Nguyễn Văn Đức {rows - 1}" in lines


def test_overlong_cells_are_cut_with_an_ellipsis(tmp_path: Path) -> None:
    long = "Tôn Nữ Hoàng Thị Ngọc Quỳnh Hương Nguyễn Phước Bửu Đỗ Đặng " * 3
    out = tmp_path / "dai.pdf"
    render_table(out, DOC, [[long, "1980", long]], total=1)
    text = PdfReader(out).pages[0].extract_text()
    assert "…" in text and long.strip() not in text


def test_cancel_and_empty(tmp_path: Path) -> None:
    with pytest.raises(PrintCancelled):
        render_table(
            tmp_path / "x.pdf",
            DOC,
            ([str(i), "", ""] for i in range(500)),
            total=500,
            cancel=lambda: True,
        )
    assert not (tmp_path / "x.pdf").exists()
    from app.core.errors import ValidationError

    with pytest.raises(ValidationError):
        render_table(tmp_path / "y.pdf", DOC, [], total=0)
