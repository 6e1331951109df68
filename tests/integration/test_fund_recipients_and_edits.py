"""Choosing recipients by household circumstances (core and CLI), editing activities,
and the signature list's rows tall enough to sign in."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.cli import main
from app.core.activities import service as activities
from app.core.db import Database
from app.core.errors import NotFoundError, ValidationError
from app.core.fund import printouts, programmes
from app.core.fund.programmes import CandidateFilter, ProgrammeInput, ProgrammeRecipient
from app.core.models import ActivityParticipant
from app.core.printing.common import MM
from app.core.printing.tables import ROW_H, Column, TableDocument, render_table
from app.core.registry.hamlets import HamletInput, create_hamlet
from app.core.registry.households import HouseholdInput, create_household
from app.core.registry.members import BranchInput, MemberInput, create_branch, create_member
from app.core.registry.people import PersonInput
from app.core.workspace import init_commune

YEAR = 2026
# One studying child per household, by the household's circumstances.
HOUSEHOLDS = (("poor", "Nguyễn Thị Ánh"), ("near_poor", "Trần Văn Đức"), ("", "Lê Thị Hoà"))


def _fill(db: Database, make_name: Callable[..., str]) -> dict[str, int]:
    """Three households with a pupil each; returns {circumstance: pupil id}."""
    hamlet = create_hamlet(db, HamletInput("Thôn Đoài"))
    pupils = {}
    for circumstance, child in HOUSEHOLDS:
        create_household(
            db,
            HouseholdInput(hamlet_id=hamlet, circumstance=circumstance),
            [
                PersonInput(make_name("M"), "M", "1978", "Chủ hộ"),
                PersonInput(child, "F", "2014", "Con", school_level="primary", is_studying=True),
            ],
        )
    for candidate in programmes.candidates(db, _programme(db)):
        pupils[candidate.circumstance] = candidate.person_id
    return pupils


def _programme(db: Database) -> int:
    found = programmes.list_programmes(db, YEAR)
    if found:
        return found[0].id
    return programmes.create_programme(
        db,
        ProgrammeInput("Học bổng hộ nghèo", "scholarship", YEAR, amount_per_recipient=500_000),
    )


# --- the core filter ---------------------------------------------------------------------


def test_candidates_are_filtered_by_their_household_circumstances(
    db: Database, make_name: Callable[..., str]
) -> None:
    pupils = _fill(db, make_name)
    pid = _programme(db)

    def names(*values: str) -> list[str]:
        found = programmes.candidates(db, pid, CandidateFilter(circumstances=values))
        return [c.full_name for c in found]

    assert names("poor") == ["Nguyễn Thị Ánh"]
    assert sorted(names("poor", "near_poor")) == sorted(["Nguyễn Thị Ánh", "Trần Văn Đức"])
    assert len(names()) == 3  # no filter: everyone studying
    assert names("policy") == []
    poor = programmes.candidates(db, pid, CandidateFilter(circumstances=("poor",)))[0]
    assert (poor.person_id, poor.circumstance_label) == (pupils["poor"], "Hộ nghèo")


def test_an_unknown_circumstance_in_the_filter_is_refused(
    db: Database, make_name: Callable[..., str]
) -> None:
    _fill(db, make_name)
    with pytest.raises(ValidationError) as err:
        programmes.candidates(db, _programme(db), CandidateFilter(circumstances=("rich",)))
    assert "“rich”" in err.value.message and "near_poor" in err.value.message


# --- the CLI -----------------------------------------------------------------------------


@pytest.fixture
def cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make_name: Callable[..., str]
) -> Callable[..., tuple[int, Any, str]]:
    folder = tmp_path / "xa"
    ws = init_commune(folder, "4", lock=False)
    try:
        _fill(ws.db, make_name)
    finally:
        ws.close()

    def run(*argv: str) -> tuple[int, Any, str]:
        code = main(["--data-dir", str(folder), *argv])
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return code, json.loads(out) if "--json" in argv and code == 0 else out, err

    return run


def test_cli_lists_candidates_by_circumstance_then_adds_them(
    cli: Callable[..., tuple[int, Any, str]],
) -> None:
    base = ("fund", "programme", "recipients", "--programme", "hoc bong ho ngheo")
    code, found, _ = cli(*base, "--circumstance", "poor", "--json")
    assert code == 0
    assert [c["full_name"] for c in found["candidates"]] == ["Nguyễn Thị Ánh"]
    assert found["candidates"][0]["circumstance"] == "poor" and found["count"] == 1
    code, both, _ = cli(*base, "--circumstance", "hộ nghèo; cận nghèo", "--json")
    assert code == 0 and both["count"] == 2
    code, text, _ = cli(*base, "--circumstance", "poor")
    assert code == 0 and "[Hộ nghèo]" in text and "Có 1 người phù hợp" in text
    ids = ",".join(str(c["person_id"]) for c in both["candidates"])
    code, added, _ = cli(*base, "--person", ids, "--json")
    assert code == 0 and added["added"] == 2
    code, again, _ = cli(*base, "--circumstance", "poor", "--json")
    assert again["candidates"][0]["on_this_programme"] is True


def test_cli_refuses_an_unknown_circumstance_in_vietnamese(
    cli: Callable[..., tuple[int, Any, str]],
) -> None:
    code, _, err = cli(
        "fund", "programme", "recipients", "--programme", "hoc bong", "--circumstance", "giàu"
    )
    assert code != 0 and "Hoàn cảnh “giàu” không rõ" in err


# --- editing an activity ------------------------------------------------------------------


@pytest.fixture
def members(db: Database, make_name: Callable[..., str]) -> list[int]:
    branch = create_branch(db, BranchInput("Chi hội thôn Đoài"))
    return [create_member(db, MemberInput(branch, full_name=make_name())) for _ in range(3)]


def _training(member_ids: list[int], **kw: Any) -> activities.ActivityInput:
    data: dict[str, Any] = {
        "kind": "training",
        "topic": "Tập huấn nghiệp vụ",
        "start_date": dt.date(YEAR, 3, 2),
        "hours": 4,
        "member_ids": member_ids,
    }
    data.update(kw)
    return activities.ActivityInput(**data)


def test_editing_an_activity_changes_it_and_its_participants(
    db: Database, members: list[int]
) -> None:
    aid = activities.add_activity(db, _training(members[:2]))
    activities.update_activity(
        db,
        aid,
        _training(
            members[1:],
            topic="Tập huấn  công tác  khuyến học",
            end_date=dt.date(YEAR, 3, 3),
            hours=8,
            place="Nhà văn hóa",
        ),
    )
    saved = activities.activity_input(db, aid)
    assert saved.topic == "Tập huấn công tác khuyến học"
    assert (saved.end_date, saved.hours, saved.place) == (dt.date(YEAR, 3, 3), 8, "Nhà văn hóa")
    assert sorted(saved.member_ids) == members[1:]
    with db.session() as s:
        links = s.execute(
            select(ActivityParticipant.member_id, ActivityParticipant.deleted).where(
                ActivityParticipant.activity_id == aid
            )
        ).all()
    # The one kept is the same row; the one dropped is soft-deleted (it travels upward).
    assert sorted(links) == sorted([(members[0], True), (members[1], False), (members[2], False)])
    figures = activities.activity_figures(db, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    assert (figures["training_hours"], figures["members_trained"]) == (8, 2)


def test_an_edit_is_checked_like_a_new_activity_and_saves_nothing_when_refused(
    db: Database, members: list[int]
) -> None:
    aid = activities.add_activity(db, _training(members))
    before = activities.activity_input(db, aid)
    with pytest.raises(ValidationError, match="Ngày kết thúc trước ngày bắt đầu"):
        activities.update_activity(db, aid, _training([], end_date=dt.date(YEAR, 3, 1)))
    with pytest.raises(ValidationError, match="hội viên mã 999"):
        activities.update_activity(db, aid, _training([999], topic="Khác"))
    assert activities.activity_input(db, aid) == before
    activities.delete_activity(db, aid)
    with pytest.raises(NotFoundError):
        activities.update_activity(db, aid, _training(members))


def test_cli_edits_only_what_it_is_told(cli: Callable[..., tuple[int, Any, str]]) -> None:
    code, made, _ = cli(
        "activity", "add", "--kind", "literacy", "--topic", "Lớp xóa mù chữ",
        "--date", "01/02/2026", "--count", "12", "--place", "Nhà văn hóa", "--json",
    )  # fmt: skip
    assert code == 0
    code, edited, _ = cli(
        "activity", "edit", "--id", str(made["id"]), "--end", "30/04/2026", "--count", "15",
        "--json",
    )  # fmt: skip
    assert code == 0
    assert (edited["end_date"], edited["participants"]) == ("2026-04-30", 15)
    assert (edited["topic"], edited["place"]) == ("Lớp xóa mù chữ", "Nhà văn hóa")
    code, _, err = cli("activity", "edit", "--id", str(made["id"]), "--end", "01/01/2026")
    assert code != 0 and "Ngày kết thúc trước ngày bắt đầu" in err
    code, cleared, _ = cli("activity", "edit", "--id", str(made["id"]), "--end", "", "--json")
    assert code == 0 and cleared["end_date"] is None


# --- the signature list -------------------------------------------------------------------


def _pages(tmp_path: Path, rows: int, row_height: float | None) -> int:
    doc = TableDocument(
        "UBND XÃ ĐOÀI",
        "HỘI KHUYẾN HỌC XÃ",
        "Danh sách ký nhận",
        "",
        [Column("Họ và tên", 16), Column("Ký nhận", 9)],
        "Đoài",
        dt.date(YEAR, 9, 5),
        row_height=row_height,
    )
    out = tmp_path / f"ds-{row_height}.pdf"
    pages = render_table(out, doc, [[f"Nguyễn Văn An {i}", ""] for i in range(rows)], total=rows)
    assert pages == len(PdfReader(out).pages)
    return pages


def test_taller_rows_take_more_pages_and_the_default_is_unchanged(tmp_path: Path) -> None:
    assert _pages(tmp_path, 60, None) == _pages(tmp_path, 60, ROW_H) == 2
    assert _pages(tmp_path, 60, 10 * MM) == 3


def test_the_signature_list_is_printed_with_rows_to_sign_in(
    db: Database, make_name: Callable[..., str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pupils = _fill(db, make_name)
    pid = _programme(db)
    programmes.add_recipients(db, pid, [ProgrammeRecipient(person_id=p) for p in pupils.values()])
    heights: list[float | None] = []
    real = printouts.render_table

    def spy(out: Path, doc: TableDocument, *args: Any, **kwargs: Any) -> int:
        heights.append(doc.row_height)
        return real(out, doc, *args, **kwargs)

    monkeypatch.setattr(printouts, "render_table", spy)
    printouts.print_signature_list(db, pid, tmp_path / "ky.pdf")
    assert heights == [pytest.approx(10 * MM)]
