"""Programmes, printouts and activities headless through the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from app.cli import main
from app.core.registry import hamlets
from app.core.registry import households as hh
from app.core.registry.members import BranchInput, MemberInput, create_branch, create_member
from app.core.registry.people import PersonInput
from app.core.workspace import init_commune


@pytest.fixture
def commune(tmp_path: Path, make_name: Callable[..., str]) -> Path:
    """Four households with a studying child each (person ids 2, 4, 6, 8), three members
    (the first is the chair)."""
    folder = tmp_path / "xa"
    ws = init_commune(folder, "4", lock=False)
    try:
        hamlet = hamlets.create_hamlet(ws.db, hamlets.HamletInput("Thôn Hạ"))
        for _ in range(4):
            hh.create_household(
                ws.db,
                hh.HouseholdInput(hamlet_id=hamlet),
                [
                    PersonInput(make_name("M"), "M", "1970", "Chủ hộ"),
                    PersonInput(make_name("F"), "F", "2012", "Con", "", "", "primary", None, True),
                ],
            )
        branch = create_branch(ws.db, BranchInput("Chi hội thôn Hạ", hamlet_id=hamlet))
        for role in ("chair", "member", "member"):
            create_member(ws.db, MemberInput(branch, full_name=make_name(), role=role))
    finally:
        ws.close()
    return folder


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], commune: Path) -> Callable[..., tuple[int, Any, str]]:
    """Runs ``khuyenhoc`` and returns (exit code, parsed JSON or None, stderr)."""

    def _run(*argv: str) -> tuple[int, Any, str]:
        code = main(["--data-dir", str(commune), *argv])
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return code, json.loads(out) if "--json" in argv and code == 0 else out, err

    return _run


def test_a_programme_from_creation_to_the_signature_list(
    cli: Callable[..., tuple[int, Any, str]], tmp_path: Path
) -> None:
    code, _, _ = cli(
        "fund", "receipt", "--amount", "5000000", "--date", "05/01/2025",
        "--category", "donation_clan", "--name", "Dòng họ Vũ",
    )  # fmt: skip
    assert code == 0
    code, made, _ = cli(
        "fund", "programme", "add", "--name", "Học bổng năm học 2025–2026", "--kind",
        "scholarship", "--year", "2025", "--amount", "400.000", "--budget", "2000000",
        "--criteria", "Học sinh vượt khó", "--json",
    )  # fmt: skip
    assert code == 0 and made["school_year_label"] == "2025–2026"
    assert made["amount_per_recipient"] == 400_000 and made["budget"] == 2_000_000
    code, added, _ = cli(
        "fund", "programme", "recipients", "--programme", "hoc bong", "--person", "2,4,6",
        "--class", "Lớp 7A – THCS xã", "--json",
    )  # fmt: skip
    assert (added["added"], added["total"]) == (3, 1_200_000)
    code, posted, _ = cli("fund", "programme", "post", "--programme", str(made["id"]),
                          "--date", "05/09/2025", "--json")  # fmt: skip
    assert (posted["recipients"], posted["total"]) == (3, 1_200_000)
    code, shown, _ = cli("fund", "programme", "show", "--programme", str(made["id"]), "--json")
    assert len(shown["recipient_list"]) == 3 and shown["paid"] == 1_200_000
    code, listed, _ = cli("fund", "programme", "list", "--json")
    assert listed["count"] == 1

    out = tmp_path / "ky-nhan.pdf"
    code, printed, _ = cli(
        "fund", "signature-list", "--programme", str(made["id"]), "--out", str(out), "--json"
    )
    assert code == 0 and printed["items"] == 3 and out.read_bytes().startswith(b"%PDF")


def test_over_budget_and_missing_arguments_fail_in_vietnamese(
    cli: Callable[..., tuple[int, Any, str]],
) -> None:
    cli("fund", "programme", "add", "--name", "Khen thưởng", "--kind", "award",
        "--year", "2025", "--levels", "Giải nhất=300000; Giải nhì=200000", "--budget", "400000")  # fmt: skip
    code, _, err = cli("fund", "programme", "recipients", "--programme", "Khen thưởng",
                       "--person", "2,4", "--level", "Giải nhất")  # fmt: skip
    assert code != 0 and "Vượt ngân sách" in err
    code, _, err = cli("fund", "programme")
    assert code != 0 and "Cần thao tác" in err
    code, _, err = cli("fund", "signature-list", "--programme", "Khen thưởng")
    assert code != 0 and "--out" in err


def test_fund_book_and_honour_board_files(
    cli: Callable[..., tuple[int, Any, str]], tmp_path: Path
) -> None:
    cli("fund", "receipt", "--amount", "3000000", "--date", "05/03/2025",
        "--category", "donation_business", "--name", "Công ty Phú An")  # fmt: skip
    cli("fund", "payment", "--amount", "500000", "--date", "07/03/2025",
        "--category", "meeting", "--name", "Hội nghị")  # fmt: skip
    code, march, _ = cli("fund", "book", "--year", "2025", "--month", "3", "--json")
    assert (march["opening"], march["closing"], len(march["lines"])) == (0, 2_500_000, 2)
    code, year, _ = cli("fund", "book", "--year", "2025", "--json")
    assert len(year["months"]) == 12 and year["months"][2]["closing"] == 2_500_000
    book = tmp_path / "so-quy.xlsx"
    code, printed, _ = cli("fund", "book", "--year", "2025", "--out", str(book), "--json")
    assert printed["out"] == str(book)
    cells = [c for row in load_workbook(book).active.iter_rows(values_only=True) for c in row]
    assert "2.500.000" in cells
    board = tmp_path / "bang-vang.pdf"
    code, printed, _ = cli("fund", "honour-board", "--year", "2025", "--out", str(board), "--json")
    assert code == 0 and printed["items"] == 1 and board.exists()


def test_activities_through_the_cli(cli: Callable[..., tuple[int, Any, str]]) -> None:
    code, item, _ = cli(
        "activity", "add", "--kind", "training", "--topic", "Tập huấn nghiệp vụ",
        "--date", "10/03/2025", "--hours", "6", "--member", "1,2", "--json",
    )  # fmt: skip
    assert code == 0 and (item["participants"], item["kind_label"]) == (2, "Tập huấn")
    cli("activity", "add", "--kind", "literacy", "--topic", "Lớp xóa mù chữ",
        "--date", "01/02/2025", "--end", "30/04/2025", "--count", "15")  # fmt: skip
    code, listed, _ = cli("activity", "list", "--year", "2025", "--json")
    assert listed["count"] == 2
    code, figures, _ = cli("activity", "figures", "--from", "01/01/2025", "--to", "31/12/2025",
                           "--json")  # fmt: skip
    assert figures["officials_trained"] == 1 and figures["officials_total"] == 1
    assert figures["literacy_learners"] == 15
    code, _, err = cli("activity", "add", "--kind", "training", "--date", "10/03/2025")
    assert code != 0 and "chủ đề" in err
    code, deleted, _ = cli("activity", "delete", "--id", str(item["id"]), "--json")
    assert deleted == {"deleted": item["id"]}
