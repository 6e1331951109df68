"""The fund headless through the CLI: receipts, payments, balance, dues, awards, report."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.core.registry import hamlets
from app.core.registry import households as hh
from app.core.registry.members import BranchInput, MemberInput, create_branch, create_member
from app.core.registry.people import PersonInput
from app.core.workspace import init_commune


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def json(self) -> Any:
        lines = [line for line in self.out.splitlines() if line.strip()]
        assert len(lines) == 1, self.out
        return json.loads(lines[0])


@pytest.fixture
def commune(tmp_path: Path, make_name: Callable[..., str]) -> Path:
    """Ten people in five households, two members."""
    folder = tmp_path / "xa"
    ws = init_commune(folder, "4", lock=False)
    try:
        hamlet = hamlets.create_hamlet(ws.db, hamlets.HamletInput("Thôn Hạ"))
        for _ in range(5):
            hh.create_household(
                ws.db,
                hh.HouseholdInput(hamlet_id=hamlet),
                [
                    PersonInput(make_name("M"), "M", "1970", "Chủ hộ"),
                    PersonInput(make_name("F"), "F", "2012", "Con", school_level="primary"),
                ],
            )
        branch = create_branch(ws.db, BranchInput("Chi hội thôn Hạ", hamlet_id=hamlet))
        for _ in range(2):
            create_member(ws.db, MemberInput(branch_id=branch, full_name=make_name()))
    finally:
        ws.close()
    return folder


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], commune: Path) -> Callable[..., Run]:
    def _run(*argv: str) -> Run:
        code = main(["--data-dir", str(commune), *argv])
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return Run(code, out, err)

    return _run


def test_a_year_of_the_fund_through_the_cli(cli: Callable[..., Run]) -> None:
    r = cli(
        "fund", "receipt", "--amount", "1.000.000", "--date", "05/01/2025",
        "--category", "donation_business", "--name", "Công ty TNHH Minh Phát", "--json",
    )  # fmt: skip
    assert r.code == 0 and r.json()["voucher_no"] == "PT-2025-0001"
    r = cli("dues", "pay", "--member", "1,2", "--year", "2025", "--amount", "50000",
            "--date", "10/03/2025", "--json")  # fmt: skip
    assert r.json()["total"] == 100_000
    r = cli("award", "grant", "--kind", "scholarship", "--programme", "Học bổng 2025",
            "--year", "2025", "--person", "2,4", "--amount", "300000", "--date", "05/09/2025",
            "--json")  # fmt: skip
    assert r.json()["recipients"] == 2
    r = cli("fund", "payment", "--amount", "150000", "--date", "20/11/2025",
            "--category", "meeting", "--name", "Ban chấp hành Hội")  # fmt: skip
    assert "PC-2025-0002" in r.out

    assert cli("fund", "balance", "--year", "2025", "--json").json() == {
        "opening": 0,
        "receipts": 1_100_000,
        "payments": 750_000,
        "closing": 350_000,
    }
    listed = cli("fund", "list", "--year", "2025", "--json").json()
    assert listed["count"] == 4
    status = cli("dues", "status", "--year", "2025", "--json").json()
    assert (status["members"], status["paid"], status["collected"]) == (2, 2, 100_000)
    report = cli("fund", "report", "--year", "2025", "--json").json()
    assert report["population"] == 10
    assert report["per_head"] == 110_000
    assert report["target_per_head"] is None and report["meets_target"] is None  # QĐ 387
    cli("targets", "choose", "thai-binh-2025")
    report = cli("fund", "report", "--year", "2025", "--json").json()
    assert report["target_per_head"] == 80_000 and report["meets_target"] is True
    assert report["awards"]["scholarship"] == {"count": 2, "amount": 600_000}
    assert report["receipts_by_category"]["dues"] == 100_000
    book = cli("fund", "book", "--year", "2025", "--json").json()["months"]
    assert book[-1]["closing"] == 350_000 and book[0]["receipts"] == 1_000_000
    words = cli("fund", "voucher", "--id", "1").out
    assert "Bằng chữ: Một triệu đồng chẵn." in words


def test_mistakes_come_back_as_vietnamese_messages(cli: Callable[..., Run]) -> None:
    r = cli("fund", "payment", "--amount", "5000", "--name", "Ai đó")
    assert r.code != 0 and "vượt số dư quỹ" in r.err
    assert cli("fund", "overdraft", "--allow", "on", "--json").json() == {"allow_overdraft": True}
    assert cli("fund", "payment", "--amount", "5000", "--name", "Ai đó").code == 0
    assert cli("fund", "overdraft", "--allow", "off").code == 0
    r = cli("fund", "receipt", "--amount", "12,5", "--name", "Ai đó")
    assert r.code != 0 and "không hợp lệ" in r.err
    r = cli("fund", "cancel", "--id", "99", "--reason", "Nhầm")
    assert r.code != 0 and "Không tìm thấy chứng từ" in r.err


def test_cancel_and_close_through_the_cli(cli: Callable[..., Run]) -> None:
    cli("fund", "receipt", "--amount", "200000", "--date", "05/01/2025", "--name", "Phạm Văn An")
    cli("fund", "receipt", "--amount", "300000", "--date", "06/01/2025", "--name", "Phạm Văn An")
    r = cli("fund", "cancel", "--id", "1", "--reason", "Ghi trùng", "--json")
    assert r.json()["cancelled"] is True
    assert cli("fund", "close", "--period", "2025-01").code == 0
    r = cli("fund", "cancel", "--id", "2", "--reason", "Ghi trùng")
    assert r.code != 0 and "đã khóa" in r.err
    r = cli("fund", "reverse", "--id", "2", "--date", "01/02/2025", "--reason", "Ghi trùng")
    assert r.code == 0
    assert cli("fund", "balance", "--json").json()["closing"] == 0


def test_a_voucher_prints_to_a_pdf_with_two_copies(cli: Callable[..., Run], tmp_path: Path) -> None:
    cli("fund", "receipt", "--amount", "125000", "--date", "05/01/2025", "--name", "Vũ Thị Ngọc")
    out = tmp_path / "in" / "phieu-thu.pdf"
    r = cli("fund", "voucher", "--id", "1", "--pdf", str(out), "--json")
    assert r.json()["pdf"] == str(out)
    assert r.json()["amount_words"] == "Một trăm hai mươi lăm nghìn đồng chẵn"
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and b"/Count 1" in data
