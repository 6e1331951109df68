"""Files that cannot be imported: a clear Vietnamese message, and nothing written."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from app.core.db import Database
from app.core.errors import UserError
from app.core.io import workbook
from app.core.io.importer import import_file

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def expect_refusal(
    db: Database, path: Path, snapshot: Callable[[Database], Any], match: str
) -> None:
    before = snapshot(db)
    with pytest.raises(UserError, match=match):
        import_file(db, path, "people")
    assert snapshot(db) == before


def test_password_protected_workbook(db: Database, tmp_path: Path, snapshot: Any) -> None:
    # An encrypted .xlsx is an OLE container holding an "EncryptedPackage" stream.
    path = tmp_path / "mat-khau.xlsx"
    path.write_bytes(OLE + b"\0" * 512 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 512)
    expect_refusal(db, path, snapshot, "mật khẩu")


@pytest.mark.parametrize(
    ("bof", "record_length"),
    [
        (b"\x09\x08\x10\x00\x00\x06\x05\x00", 16),  # Excel 97–2003 (BIFF8)
        (b"\x09\x08\x08\x00\x00\x05\x05\x00", 8),  # Excel 5/95 (BIFF5)
    ],
)
def test_password_protected_old_xls(
    db: Database, tmp_path: Path, snapshot: Any, bof: bytes, record_length: int
) -> None:
    # An old .xls with a password: its workbook stream opens with the globals' BOF
    # record and then a FILEPASS record (0x002F) holding the encryption header.
    workbook_stream = bof + b"\0" * (record_length - 4) + b"\x2f\x00\x36\x00\x01\x00"
    path = tmp_path / "mat-khau-cu.xls"
    path.write_bytes(OLE + b"\0" * 1016 + workbook_stream + b"\0" * 2048)
    expect_refusal(db, path, snapshot, "được đặt mật khẩu")


def test_old_xls_without_filepass_is_not_called_protected(
    db: Database, tmp_path: Path, snapshot: Any
) -> None:
    bof = b"\x09\x08\x10\x00\x00\x06\x05\x00"
    path = tmp_path / "cu-hong.xls"
    path.write_bytes(OLE + b"\0" * 1016 + bof + b"\0" * 12 + b"\xe1\x00\x02\x00" + b"\0" * 2048)
    expect_refusal(db, path, snapshot, "bị hỏng")


def test_broken_old_xls_file(db: Database, tmp_path: Path, snapshot: Any) -> None:
    path = tmp_path / "cu.xls"
    path.write_bytes(OLE + b"\0" * 2048)
    expect_refusal(db, path, snapshot, "bị hỏng")


def test_not_a_spreadsheet(db: Database, tmp_path: Path, snapshot: Any) -> None:
    path = tmp_path / "ghi-chu.xlsx"
    path.write_text("Đây là một tệp văn bản, không phải bảng tính.", encoding="utf-8")
    expect_refusal(db, path, snapshot, "không phải là bảng tính")


def test_a_zip_that_is_not_a_workbook(db: Database, tmp_path: Path, snapshot: Any) -> None:
    path = tmp_path / "nen.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "xin chào")
    expect_refusal(db, path, snapshot, "không phải là bảng tính")


def test_corrupt_workbook(db: Database, tmp_path: Path, snapshot: Any) -> None:
    good = tmp_path / "tot.xlsx"
    wb = Workbook()
    wb.active.append(["Họ và tên", "Năm sinh"])
    wb.save(good)
    bad = tmp_path / "hong.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]  # truncated XML
            dst.writestr(item, data)
    expect_refusal(db, bad, snapshot, "bị hỏng")


def test_empty_file_and_empty_sheet(db: Database, tmp_path: Path, snapshot: Any) -> None:
    empty = tmp_path / "rong.xlsx"
    empty.write_bytes(b"")
    expect_refusal(db, empty, snapshot, "trống")
    blank = tmp_path / "trang-trong.xlsx"
    Workbook().save(blank)
    expect_refusal(db, blank, snapshot, "không có dữ liệu")


def test_sheet_without_a_recognisable_header(db: Database, tmp_path: Path, snapshot: Any) -> None:
    path = tmp_path / "la.xlsx"
    wb = Workbook()
    for i in range(20):
        wb.active.append([f"a{i}", f"b{i}", i])
    wb.save(path)
    expect_refusal(db, path, snapshot, "tiêu đề cột")


def test_huge_file_is_refused_before_reading(
    db: Database, tmp_path: Path, snapshot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "to.xlsx"
    with path.open("wb") as fh:  # a sparse 100 MB file: refused by its size alone
        fh.truncate(100 * 1024 * 1024)
    expect_refusal(db, path, snapshot, "quá lớn")


def test_missing_file(db: Database, tmp_path: Path, snapshot: Any) -> None:
    expect_refusal(db, tmp_path / "khong-co.xlsx", snapshot, "Không tìm thấy")


def test_row_limit(db: Database, tmp_path: Path, snapshot: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(workbook, "MAX_ROWS", 5)
    path = tmp_path / "dai.xlsx"
    wb = Workbook()
    wb.active.append(["Họ và tên", "Năm sinh"])
    for i in range(10):
        wb.active.append([f"Người {i}", 1970])
    wb.save(path)
    expect_refusal(db, path, snapshot, "dòng")


def test_an_ods_spreadsheet_is_read(db: Database, tmp_path: Path) -> None:
    """LibreOffice's .ods (written here by hand: the smallest valid document)."""
    rows = [["Họ và tên", "Năm sinh"], ["Lạc Văn Tâm", "1970"], ["Lạc Thị Thu", "1972"]]
    cells = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
            for v in row
        )
        + "</table:table-row>"
        for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="DS">'
        f"{cells}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    path = tmp_path / "ds.ods"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content)
        zf.writestr("META-INF/manifest.xml", manifest)
    plan = import_file(db, path, "people")
    assert (plan.added, plan.rejected) == (2, [])
