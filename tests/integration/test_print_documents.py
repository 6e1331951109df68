"""Printed documents from a small generated commune: certificates, decisions, lists, CLI.

Checks content (extracted text, page counts, the QR payload verifying), not only files.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from app.core.db import Database
from app.core.printing import data, fonts
from app.core.printing.certificates import PAGE, place
from app.core.printing.common import MM, PrintCancelled
from app.core.printing.decision import print_decision
from app.core.printing.lists import print_cycle_list, print_member_list
from app.core.printing.options import PrintOptions, load_options, save_options
from app.core.printing.seal import Signer, known_keys, verify_payload
from app.core.printing.service import print_certificates
from app.core.printing.templates import load_certificate_template
from app.core.workspace import Workspace, open_workspace

YEAR = 2025
MODEL = "learning_family"


@pytest.fixture(scope="module")
def commune(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from app.core.demo import generate_demo

    folder = tmp_path_factory.mktemp("print-demo")
    generate_demo(folder, households=150, seed=11, lock=False)
    return folder


@pytest.fixture()
def demo(commune: Path, tmp_path: Path) -> Iterator[Workspace]:
    target = tmp_path / "data"
    shutil.copytree(commune, target, ignore=shutil.ignore_patterns("*.lock"))
    ws = open_workspace(target)
    try:
        yield ws
    finally:
        ws.close()


def _first(db: Database) -> int:
    return data.recognised_rows(db, data.find_decision(db, YEAR, MODEL, None))[0].entity_id


def _text(path: Path) -> list[str]:
    return [unicodedata.normalize("NFC", p.extract_text()) for p in PdfReader(path).pages]


def test_certificates_one_page_each_with_the_words_that_matter(
    demo: Workspace, tmp_path: Path
) -> None:
    db = demo.db
    decision = data.find_decision(db, YEAR, MODEL, None)
    rows = data.recognised_rows(db, decision)
    out = tmp_path / "gcn.pdf"
    seen: list[tuple[int, int]] = []
    result = print_certificates(db, YEAR, MODEL, out, progress=lambda d, t: seen.append((d, t)))

    assert result.pages == result.items == len(rows) == decision.count > 0
    assert seen[-1] == (len(rows), len(rows))
    pages = _text(out)
    assert len(pages) == len(rows)
    first = pages[0]
    for words in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "GIẤY CÔNG NHẬN",
        "GIA ĐÌNH HỌC TẬP",
        f"Năm {YEAR}",
        f"Quyết định số {decision.number}",
        f"Khoái Châu, ngày {decision.decision_date:%d} tháng {decision.decision_date:%m}",
        "ỦY BAN NHÂN DÂN",
        "XÃ KHOÁI CHÂU",
        "tỉnh Hưng Yên",
        decision.signer_name,
    ):
        assert words in first, words
    for row, page in zip(rows, pages, strict=True):
        assert row.name in page.splitlines(), "each recognised name on its own page, in order"


def test_the_qr_payload_of_each_certificate_verifies(demo: Workspace, tmp_path: Path) -> None:
    db = demo.db
    decision = data.find_decision(db, YEAR, MODEL, None)
    items = data.certificate_items(db, decision)
    signer = Signer(db.data_dir)
    keys = known_keys(db.data_dir)
    for item in items[:20]:
        v = verify_payload(signer.payload(item.record), keys)
        assert v.genuine and v.record is not None
        assert (v.record.name, v.record.year, v.record.decision_number) == (
            item.record.name,
            YEAR,
            decision.number,
        )


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler's pdftoppm")
def test_the_printed_qr_decodes_from_a_60_dpi_scan_and_verifies(
    demo: Workspace, tmp_path: Path
) -> None:
    from app.core.printing.qrread import read_qr_payloads

    out = tmp_path / "one.pdf"
    decision = data.find_decision(demo.db, YEAR, MODEL, None)
    who = data.recognised_rows(demo.db, decision)[0]
    print_certificates(demo.db, YEAR, MODEL, out, entity_ids=[who.entity_id])
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(out), str(tmp_path / "scan")], check=True)
    (scan,) = tmp_path.glob("scan*.png")
    (payload,) = read_qr_payloads(scan)
    v = verify_payload(payload, known_keys(demo.db.data_dir))
    assert v.genuine and v.record is not None and v.record.name == who.name
    tampered = payload.replace(f"|{YEAR}|", f"|{YEAR - 1}|")
    assert not verify_payload(tampered, known_keys(demo.db.data_dir)).genuine


def test_long_names_shrink_then_wrap_inside_the_border(tmp_path: Path) -> None:
    fonts.register_fonts()
    template = load_certificate_template(MODEL)
    name_el = next(e for e in template.elements if e.id == "name")
    inner = float(template.border["inner_mm"]) * MM
    for name in (
        "Lê Văn An",
        "Nguyễn Thị Hoàng Phương Thảo Ngọc Diệp",
        "Tôn Nữ Hoàng Thị Ngọc Quỳnh Hương Nguyễn Phước Bửu Đỗ Đặng Ưng Ữ Yến Thị Khánh Linh Ngọc",
        "Đ" * 120,
    ):
        p = place(name_el, name)
        assert len(p.lines) <= name_el.max_lines
        assert "".join("".join(line for line, _, _ in p.lines).split()) == "".join(name.split())
        for line, x, _ in p.lines:
            w = fonts.width(line, p.font, p.size)
            assert w <= name_el.max_width * MM + 1e-6  # type: ignore[operator]
            assert inner < x - w / 2 and x + w / 2 < PAGE[0] - inner
        if fonts.width(name, fonts.SERIF_BOLD, name_el.size) <= name_el.max_width * MM:  # type: ignore[operator]
            assert p.size == name_el.size and len(p.lines) == 1


def test_preprinted_mode_prints_only_the_variable_text_shifted(
    demo: Workspace, tmp_path: Path
) -> None:
    db = demo.db
    save_options(db, PrintOptions(preprinted=True, offset_x_mm=3, offset_y_mm=-2))
    assert load_options(db).offset_x_mm == 3
    out = tmp_path / "phoi.pdf"
    print_certificates(db, YEAR, MODEL, out, entity_ids=[_first(db)])
    text = _text(out)[0]
    assert "GIẤY CÔNG NHẬN" not in text and "CỘNG HÒA" not in text
    assert f"Năm {YEAR}" in text


def test_a_decision_from_before_bodies_were_kept_follows_its_models_body(
    demo: Workspace, tmp_path: Path
) -> None:
    from sqlalchemy import text

    from app.core.assessment import issuers

    with demo.db.connect() as conn:  # as a decision made by an earlier release
        conn.execute(text("UPDATE recognition_decision SET issuer = ''"))
        conn.commit()
    issuers.save_issuer(demo.db, MODEL, issuers.ASSOCIATION)
    out = tmp_path / "hoi.pdf"
    print_certificates(demo.db, YEAR, MODEL, out, entity_ids=[_first(demo.db)])
    page = _text(out)[0]
    assert "HỘI KHUYẾN HỌC" in page and "TM. BAN CHẤP HÀNH" in page


def test_cancel_leaves_no_file(demo: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "huy.pdf"
    with pytest.raises(PrintCancelled):
        print_certificates(demo.db, YEAR, MODEL, out, cancel=lambda: True)
    assert not out.exists() and not list(tmp_path.glob("*.partial"))


def test_decision_pdf_and_docx_say_the_same(demo: Workspace, tmp_path: Path) -> None:
    db: Database = demo.db
    decision = data.find_decision(db, YEAR, MODEL, None)
    rows = data.recognised_rows(db, decision)
    pdf = print_decision(db, YEAR, MODEL, tmp_path / "qd.pdf")
    pages = _text(pdf.path)
    assert pdf.pages == len(pages) >= 2
    first = pages[0]
    for words in (
        "ỦY BAN NHÂN DÂN",
        f"Số: {decision.number}",
        "QUYẾT ĐỊNH",
        "Về việc công nhận danh hiệu “Gia đình học tập” năm 2025",
        "Căn cứ",
        f"Điều 1. Công nhận {len(rows)} hộ gia đình",
        "Nơi nhận:",
        "TM. ỦY BAN NHÂN DÂN",
        decision.signer_name,
    ):
        assert words in first, words
    annex = "\n".join(pages[1:])
    assert "DANH SÁCH" in annex and f"Kèm theo Quyết định số {decision.number}" in annex
    assert all(r.name in annex for r in rows)

    docx = print_decision(db, YEAR, MODEL, tmp_path / "qd.docx")
    doc = Document(str(docx.path))
    body = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "QUYẾT ĐỊNH" in body and "Điều 1. Công nhận" in body
    assert any(f"Số: {decision.number}" in c for c in cells)
    assert [r.name for r in rows] == [row.cells[1].text for row in doc.tables[-1].rows[1:]], (
        "annex in the same Vietnamese order as the PDF"
    )
    assert doc.styles["Normal"].font.name == "Times New Roman"


def test_member_list_pages_order_and_signatures(demo: Workspace, tmp_path: Path) -> None:
    from app.core import text as vntext
    from app.core.registry.listing import MEMBERS, ListQuery

    result = print_member_list(demo.db, tmp_path / "hv.pdf")
    pages = _text(result.path)
    assert result.pages == len(pages)
    active = MEMBERS.count(demo.db, ListQuery(filters={"status": "active"}))
    assert result.items == active
    assert f"Trang {len(pages)}/{len(pages)}" in pages[-1]
    assert "DANH SÁCH HỘI VIÊN" in pages[0] and "CHỦ TỊCH HỘI KHUYẾN HỌC" in pages[-1]
    assert f"\n{active}\n" in "\n" + pages[-1] + "\n" or f"{active}" in pages[-1]
    del vntext


def test_assessment_results_per_hamlet(demo: Workspace, tmp_path: Path) -> None:
    from app.core.assessment.cycle import cycle_rows

    hamlet = next(r.hamlet_id for r in cycle_rows(demo.db, YEAR, MODEL) if r.assessed)
    result = print_cycle_list(
        demo.db, tmp_path / "kq.pdf", YEAR, MODEL, "results", hamlet_id=hamlet
    )
    expected = [r for r in cycle_rows(demo.db, YEAR, MODEL, hamlet) if r.assessed]
    assert result.items == len(expected) > 0
    text = "\n".join(_text(result.path))
    assert "KẾT QUẢ ĐÁNH GIÁ GIA ĐÌNH HỌC TẬP NĂM 2025" in text
    assert all(r.name in text for r in expected)


def test_cli_prints_and_verifies(
    demo: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    folder = str(demo.data_dir)
    out = tmp_path / "cli.pdf"
    assert (
        main(
            [
                "--data-dir",
                folder,
                "--json",
                "print",
                "certificates",
                "--year",
                str(YEAR),
                "--model",
                MODEL,
                "--out",
                str(out),
            ]
        )
        == 0
    )
    printed = json.loads(capsys.readouterr().out)
    assert printed["pages"] == len(PdfReader(out).pages) > 0
    assert (
        main(
            [
                "--data-dir",
                folder,
                "print",
                "decision",
                "--year",
                str(YEAR),
                "--model",
                MODEL,
                "--out",
                str(tmp_path / "qd.docx"),
            ]
        )
        == 0
    )
    assert (
        main(["--data-dir", folder, "print", "list", "members", "--out", str(tmp_path / "hv.pdf")])
        == 0
    )
    capsys.readouterr()
    decision = data.find_decision(demo.db, YEAR, MODEL, None)
    item = data.certificate_items(demo.db, decision)[0]
    payload = Signer(demo.db.data_dir).payload(item.record)
    assert main(["--data-dir", folder, "verify-certificate", payload]) == 0
    assert "THẬT" in capsys.readouterr().out
    assert main(["--data-dir", folder, "verify-certificate", payload.replace("|GD|", "|CN|")]) == 1
    assert "GIẢ MẠO" in capsys.readouterr().out


def test_lists_as_excel_workbooks(demo: Workspace, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from app.core.assessment.cycle import cycle_rows

    out = tmp_path / "dk.xlsx"
    result = print_cycle_list(demo.db, out, YEAR, MODEL, "registrations")
    registered = [r for r in cycle_rows(demo.db, YEAR, MODEL) if r.registered]
    assert result.items == len(registered) > 0
    sheet = load_workbook(out).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert values[0][3] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    head = next(i for i, row in enumerate(values) if row[0] == "STT")
    body = [row for row in values[head + 1 :] if isinstance(row[0], int)]
    assert len(body) == len(registered)
    assert sorted(row[1] for row in body) == sorted(r.name for r in registered)
    assert sheet.freeze_panes == f"A{head + 2}"

    members = print_member_list(demo.db, tmp_path / "hv.xlsx")
    assert members.pages == 0 and members.items > 0


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler's pdftoppm")
def test_cli_verifies_a_scanned_certificate_image(
    demo: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    who = data.recognised_rows(demo.db, data.find_decision(demo.db, YEAR, MODEL, None))[0]
    out = tmp_path / "mot.pdf"
    print_certificates(demo.db, YEAR, MODEL, out, entity_ids=[who.entity_id])
    subprocess.run(["pdftoppm", "-png", "-r", "90", str(out), str(tmp_path / "anh")], check=True)
    (image,) = tmp_path.glob("anh*.png")
    capsys.readouterr()
    assert main(["--data-dir", str(demo.data_dir), "--json", "verify-certificate", str(image)]) == 0
    (result,) = json.loads(capsys.readouterr().out)["results"]
    assert result["genuine"] and result["name"] == who.name and result["year"] == YEAR


def test_member_list_prints_long_branch_names_whole(demo: Workspace, tmp_path: Path) -> None:
    from app.core.registry.members import BranchInput, MemberInput, create_branch, create_member

    long_name = "Chi hội Trường Trung học cơ sở Nguyễn Thượng Hiền"
    branch = create_branch(demo.db, BranchInput(long_name, "other"))
    create_member(demo.db, MemberInput(branch, full_name="Nguyễn Thị Phương Thảo", gender="F"))
    result = print_member_list(demo.db, tmp_path / "hv.pdf")
    text = " ".join(" ".join(page.split()) for page in _text(result.path))
    assert "Trường Trung học cơ sở Nguyễn Thượng Hiền" in text
    assert "Trường Trung học cơ sở Ng…" not in text
    page = PdfReader(result.path).pages[0].mediabox
    assert page.width > page.height  # on a landscape page, since it is that long
