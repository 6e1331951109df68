"""The printed key registration sheet, and the province accepting a key from its QR."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import segno
from pypdf import PdfReader

from app.cli import main
from app.core.errors import UserError
from app.core.printing.key_sheet import registration_payload, write_key_sheet
from app.core.sync import upper
from app.core.workspace import open_workspace


def _sheet_text(path: Path) -> str:
    reader = PdfReader(str(path))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    return reader.pages[0].extract_text()


def test_the_sheet_names_the_commune_and_shows_the_fingerprint_in_groups(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    xa = tmp_path / "xa"
    assert (
        main(
            [
                "init",
                "--commune-code",
                "4",
                "--chairman",
                "Lê Văn Hải",
                "--data-dir",
                str(xa),
            ]
        )
        == 0
    )
    capsys.readouterr()
    out = tmp_path / "in" / "phieu khoa.pdf"
    assert main(["keys", "sheet", "--out", str(out), "--data-dir", str(xa), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == {"file": str(out), "pages": 1}
    ws = open_workspace(xa)
    try:
        reg = upper.registration(ws.db)
    finally:
        ws.close()
    text = _sheet_text(out)
    assert "PHIẾU ĐĂNG KÝ KHÓA" in text and "Phường Ba Đình" in text
    assert reg["installation_id"] in text and reg["key_id"] in text
    groups = reg["fingerprint"].split("-")
    assert "   ".join(groups[:4]) in text and "   ".join(groups[4:]) in text
    assert "Nộp cho Hội Khuyến học tỉnh" in text and "CHỦ TỊCH HỘI" in text
    assert "Lê Văn Hải" in text
    assert not list(out.parent.glob("*.partial"))


def test_the_sheet_is_for_communes_only(tmp_path: Path) -> None:
    upper.init_province(tmp_path / "tinh", "Hội Khuyến học tỉnh Thử", tmp_path / "goi")
    ws = open_workspace(tmp_path / "tinh")
    try:
        with pytest.raises(UserError, match="chỉ dùng ở xã"):
            write_key_sheet(ws.db, tmp_path / "phieu.pdf")
    finally:
        ws.close()
    assert not (tmp_path / "phieu.pdf").exists()


def test_the_province_accepts_a_key_from_a_photo_of_the_qr(tmp_path: Path) -> None:
    from app.core.workspace import init_commune

    upper.init_province(tmp_path / "tinh", "Hội Khuyến học tỉnh Thử", tmp_path / "goi")
    commune = init_commune(tmp_path / "xa", "4", lock=False)
    try:
        reg = upper.registration(commune.db)
    finally:
        commune.close()
    photo = tmp_path / "anh-phieu.png"
    segno.make(registration_payload(reg), error="m").save(str(photo), scale=6, border=4)
    other = tmp_path / "anh-khac.png"
    segno.make("https://example.vn/khong-phai-phieu", error="m").save(str(other), scale=6)
    province = open_workspace(tmp_path / "tinh")
    try:
        with pytest.raises(UserError, match="không phải mã của phiếu đăng ký khóa"):
            upper.accept_key(province.db, str(other))
        assert upper.pinned_keys(province.db) == []
        pinned = upper.accept_key(province.db, str(photo))
        assert (pinned.key_id, pinned.fingerprint) == (reg["key_id"], reg["fingerprint"])
        assert pinned.commune_code == reg["commune_code"]
        assert [k.key_id for k in upper.pinned_keys(province.db)] == [reg["key_id"]]
    finally:
        province.close()


def test_the_province_accepts_a_key_from_the_printed_pdf_sheet_itself(tmp_path: Path) -> None:
    from app.core.workspace import init_commune

    upper.init_province(tmp_path / "tinh", "Hội Khuyến học tỉnh Thử", tmp_path / "goi")
    commune = init_commune(tmp_path / "xa", "4", chairman_name="Lê Văn Hải", lock=False)
    try:
        reg = upper.registration(commune.db)
        sheet = tmp_path / "Phieu dang ky khoa.pdf"
        write_key_sheet(commune.db, sheet)
    finally:
        commune.close()
    from reportlab.pdfgen.canvas import Canvas

    no_qr = tmp_path / "danh-sach.pdf"
    page = Canvas(str(no_qr))
    page.drawString(72, 720, "Danh sach hoi vien")
    page.save()
    province = open_workspace(tmp_path / "tinh")
    try:
        with pytest.raises(UserError, match=r"Không tìm thấy mã QR trong tệp PDF danh-sach\.pdf"):
            upper.accept_key(province.db, str(no_qr))
        pinned = upper.accept_key(province.db, str(sheet))
        assert (pinned.key_id, pinned.fingerprint) == (reg["key_id"], reg["fingerprint"])
        assert pinned.commune_code == reg["commune_code"]
        renamed = tmp_path / "phieu-khong-duoi"
        renamed.write_bytes(sheet.read_bytes())
        assert upper.accept_key(province.db, str(renamed)).key_id == reg["key_id"]
    finally:
        province.close()
