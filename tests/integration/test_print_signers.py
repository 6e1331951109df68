"""The right body and signer on every official document of every model.

Each title has its issuing body (Settings: UBND xã or Hội Khuyến học xã); the
certificate, the decision (PDF and Word) and the decision's defaults name that body
and print that body's signer from Settings → Người ký. The PDFs and Word files are
read back (pypdf, python-docx), so what is checked is what a secretary would print.
"""

from __future__ import annotations

import datetime as dt
import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from app.core import settings
from app.core.assessment import CYCLE_MODELS, issuers
from app.core.assessment import cycle as svc
from app.core.errors import ValidationError
from app.core.printing import data
from app.core.printing.decision import print_decision
from app.core.printing.service import print_certificates
from app.core.workspace import Workspace, open_workspace

YEAR = 2025
COMMITTEE_CHAIR = "Trịnh Văn Khải"
ASSOCIATION_CHAIR = "Lương Thị Hòa"


@pytest.fixture(scope="module")
def commune(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from app.core.demo import generate_demo

    folder = tmp_path_factory.mktemp("signers-demo")
    generate_demo(folder, households=400, seed=5, lock=False)
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


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _pdf_lines(path: Path, page: int = 0) -> list[str]:
    text = _nfc(PdfReader(path).pages[page].extract_text())
    return [line.strip() for line in text.splitlines() if line.strip()]


def _docx_signer_cell(path: Path) -> list[str]:
    """The right-hand cell of the closing block ("Nơi nhận" | signer) of the Word file."""
    doc = Document(str(path))
    for table in doc.tables:
        cells = table.rows[0].cells
        if len(cells) == 2 and cells[0].text.startswith("Nơi nhận"):
            return [_nfc(p.text) for p in cells[1].paragraphs if p.text.strip()]
    raise AssertionError("no closing block in the Word file")


def _docx_recipients(path: Path) -> list[str]:
    doc = Document(str(path))
    for table in doc.tables:
        cells = table.rows[0].cells
        if len(cells) == 2 and cells[0].text.startswith("Nơi nhận"):
            return [_nfc(p.text) for p in cells[0].paragraphs if p.text.strip()]
    raise AssertionError("no closing block in the Word file")


def _set_signers(ws: Workspace) -> None:
    settings.save_signers(
        ws.db,
        [
            settings.Signer("association_chair", "Chủ tịch Hội Khuyến học", ASSOCIATION_CHAIR),
            settings.Signer("committee_chair", "Chủ tịch UBND xã", COMMITTEE_CHAIR),
        ],
    )


def _new_decision(ws: Workspace, model: str, number: str) -> data.DecisionInfo:
    """A decision made the way the dialog makes it: signer left to the issuing body."""
    svc.recognise(
        ws.db,
        svc.DecisionInput(YEAR, model, number, dt.date(YEAR, 12, 20), "", ""),
        allow_unproposed=True,
    )
    return data.find_decision(ws.db, YEAR, model, number)


def _undecided(ws: Workspace) -> None:
    """Withdraw the demo's 2025 recognitions so each model can be decided afresh."""
    with ws.db.connect() as conn:
        from sqlalchemy import text

        conn.execute(text("DELETE FROM recognition WHERE year = :y"), {"y": YEAR})
        conn.execute(text("DELETE FROM recognition_decision WHERE year = :y"), {"y": YEAR})
        conn.commit()


def test_the_demo_names_two_different_signers_and_signs_by_the_issuing_body(
    demo: Workspace,
) -> None:
    loaded = {s.role: s for s in settings.load(demo.db).signers}
    committee, association = loaded["committee_chair"], loaded["association_chair"]
    assert committee.name and association.name and committee.name != association.name
    for model in CYCLE_MODELS:
        for d in data.decisions(demo.db, model=model):
            body = issuers.issuer_for(demo.db, model)
            expected = committee if body == issuers.COMMITTEE else association
            assert d.signer_name == expected.name, (model, d.number)


@pytest.mark.parametrize("model", CYCLE_MODELS)
def test_each_model_prints_its_bodys_signer_on_certificate_and_decision(
    demo: Workspace, tmp_path: Path, model: str
) -> None:
    _set_signers(demo)
    _undecided(demo)
    body = issuers.issuer_for(demo.db, model)
    decision = _new_decision(demo, model, "15")
    assert decision.count > 0, "the demo has someone to recognise for every model"
    name = COMMITTEE_CHAIR if body == issuers.COMMITTEE else ASSOCIATION_CHAIR
    other = ASSOCIATION_CHAIR if body == issuers.COMMITTEE else COMMITTEE_CHAIR
    behalf = "TM. ỦY BAN NHÂN DÂN" if body == issuers.COMMITTEE else "TM. BAN CHẤP HÀNH"
    issuer_line = "ỦY BAN NHÂN DÂN" if body == issuers.COMMITTEE else "HỘI KHUYẾN HỌC"
    mid = "Ủy ban nhân dân xã" if body == issuers.COMMITTEE else "Hội Khuyến học xã"
    assert decision.signer_name == name

    first = data.recognised_rows(demo.db, decision)[0]
    cert = tmp_path / "gcn.pdf"
    print_certificates(demo.db, YEAR, model, cert, entity_ids=[first.entity_id])
    lines = _pdf_lines(cert)
    at = lines.index(behalf)
    assert lines[at : at + 3] == [behalf, "CHỦ TỊCH", name], "signer block read back"
    assert other not in "\n".join(lines)
    assert any(issuer_line in line for line in lines[:8])
    assert any("Quyết định số 15/" in ln and mid in ln for ln in lines), "decision's issuer"

    pdf = print_decision(demo.db, YEAR, model, tmp_path / "qd.pdf").path
    page = _pdf_lines(pdf)
    at = page.index(behalf)
    assert page[at : at + 3] == [behalf, "CHỦ TỊCH", name]
    assert other not in "\n".join(page)
    suffix = "QĐ-UBND" if body == issuers.COMMITTEE else "QĐ-HKH"
    assert f"Số: 15/{suffix}" in page

    docx = print_decision(demo.db, YEAR, model, tmp_path / "qd.docx").path
    assert _docx_signer_cell(docx) == [behalf, "CHỦ TỊCH", name]


def test_changing_a_models_body_changes_its_documents_and_signer(
    demo: Workspace, tmp_path: Path
) -> None:
    _set_signers(demo)
    _undecided(demo)
    issuers.save_issuer(demo.db, "learning_family", issuers.ASSOCIATION)
    assert issuers.issuer_for(demo.db, "learning_family") == issuers.ASSOCIATION
    decision = _new_decision(demo, "learning_family", "7")
    assert decision.signer_name == ASSOCIATION_CHAIR
    out = print_decision(demo.db, YEAR, "learning_family", tmp_path / "hoi.pdf").path
    page = "\n".join(_pdf_lines(out))
    assert "BAN CHẤP HÀNH HỘI KHUYẾN HỌC" in page and "Số: 7/QĐ-HKH" in page
    assert "TM. ỦY BAN NHÂN DÂN" not in page and COMMITTEE_CHAIR not in page


def test_a_deputy_signs_for_the_chairman(demo: Workspace, tmp_path: Path) -> None:
    _set_signers(demo)
    _undecided(demo)
    svc.recognise(
        demo.db,
        svc.DecisionInput(
            YEAR, "learning_clan", "9", dt.date(YEAR, 12, 20), "Phó Chủ tịch UBND xã", "Mai Văn Tư"
        ),
        allow_unproposed=True,
    )
    docx = print_decision(demo.db, YEAR, "learning_clan", tmp_path / "kt.docx").path
    assert _docx_signer_cell(docx) == [
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Mai Văn Tư",
    ]


def test_no_committee_signer_is_a_clear_message_not_the_association_chairman(
    demo: Workspace,
) -> None:
    settings.save_signers(
        demo.db, [settings.Signer("association_chair", "Chủ tịch Hội", ASSOCIATION_CHAIR)]
    )
    _undecided(demo)
    with pytest.raises(ValidationError, match="Cài đặt → Người ký"):
        _new_decision(demo, "learning_family", "3")


def test_decisions_report_to_the_province_not_a_district(demo: Workspace, tmp_path: Path) -> None:
    _set_signers(demo)
    docx = print_decision(demo.db, YEAR, "learning_family", tmp_path / "nn.docx").path
    recipients = _docx_recipients(docx)
    info = settings.get_commune(demo.db)
    assert info is not None
    assert f"- Hội Khuyến học tỉnh {info.province_name} (để b/c);" in recipients
    assert not any("huyện" in r for r in recipients)


def test_a_signed_decision_keeps_its_body_when_the_setting_changes_later(
    demo: Workspace, tmp_path: Path
) -> None:
    _set_signers(demo)
    _undecided(demo)
    decision = _new_decision(demo, "learning_unit", "21")
    assert decision.issuer == issuers.COMMITTEE
    issuers.save_issuer(demo.db, "learning_unit", issuers.ASSOCIATION)  # for later decisions
    again = data.find_decision(demo.db, YEAR, "learning_unit", "21")
    docx = print_decision(demo.db, YEAR, "learning_unit", tmp_path / "cu.docx").path
    assert _docx_signer_cell(docx) == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", COMMITTEE_CHAIR]
    assert again.issuer == issuers.COMMITTEE
