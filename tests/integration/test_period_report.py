"""The periodic report: periods, figures that add up against the registries, three formats, CLI.

A small generated commune (150 households, members, a year's cycle and fund) is
reported on; every figure is recomputed here from the registries and ledger by an
independent route (ORM objects filtered in Python, the fund and targets services).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from app.cli import main
from app.core.activities.service import ActivityInput, activity_figures, add_activity
from app.core.assessment.targets import target_report
from app.core.db import Database
from app.core.errors import ValidationError
from app.core.fund.awards import award_totals
from app.core.fund.ledger import balance
from app.core.models import Household, Member, Person
from app.core.printing.common import PrintCancelled
from app.core.reports.figures import period_figures
from app.core.reports.period import build_report, format_rate
from app.core.reports.periods import parse_day, period_between, period_bounds
from app.core.reports.service import write_period_report
from app.core.workspace import Workspace, open_workspace

YEAR = 2025
DAY = dt.date(2025, 11, 15)


@pytest.fixture(scope="module")
def commune(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from app.core.demo import generate_demo

    folder = tmp_path_factory.mktemp("report-demo")
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


def _pdf_text(path: Path) -> str:
    return "\n".join(
        unicodedata.normalize("NFC", p.extract_text() or "") for p in PdfReader(path).pages
    )


# --- periods ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "start", "end", "label"),
    [
        ("2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31), "quý I năm 2026"),
        ("2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30), "quý III năm 2026"),
        ("2026-q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31), "quý IV năm 2026"),
        ("2026-H1", dt.date(2026, 1, 1), dt.date(2026, 6, 30), "6 tháng đầu năm 2026"),
        ("2026-H2", dt.date(2026, 7, 1), dt.date(2026, 12, 31), "6 tháng cuối năm 2026"),
        ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "năm 2026"),
    ],
)
def test_period_codes_give_first_and_last_day(
    code: str, start: dt.date, end: dt.date, label: str
) -> None:
    period = period_bounds(code)
    assert (period.start, period.end, period.label()) == (start, end, label)
    assert period_between(start, end) == period, "the same days name the same period"


def test_a_range_that_is_no_quarter_half_or_year_is_named_by_its_days() -> None:
    period = period_between(dt.date(2026, 2, 1), dt.date(2026, 4, 30))
    assert period.kind == "custom"
    assert period.label() == "từ ngày 01/02/2026 đến ngày 30/04/2026"


@pytest.mark.parametrize("code", ["2026-Q5", "2026-H3", "Q3-2026", "", "quý 3"])
def test_bad_period_codes_are_refused_in_vietnamese(code: str) -> None:
    with pytest.raises(ValidationError) as err:
        period_bounds(code)
    assert "không hợp lệ" in err.value.message or "H1 hoặc H2" in err.value.message


def test_bad_days_and_reversed_ranges_are_refused() -> None:
    assert (
        parse_day("01/07/2026", "bắt đầu")
        == parse_day("2026-07-01", "bắt đầu")
        == dt.date(2026, 7, 1)
    )
    with pytest.raises(ValidationError, match="không hợp lệ"):
        parse_day("31/02/2026", "kết thúc")
    with pytest.raises(ValidationError, match="sau ngày kết thúc"):
        period_between(dt.date(2026, 5, 1), dt.date(2026, 4, 1))


# --- figures ------------------------------------------------------------------------------


def _members_on(db: Database, day: dt.date) -> list[Member]:
    with db.session() as s:
        return [
            m
            for m in s.scalars(select(Member).where(Member.deleted.is_(False)))
            if (m.join_date is None or m.join_date <= day)
            and (m.leave_date is None or m.leave_date > day)
        ]


def _population(db: Database) -> int:
    with db.session() as s:
        live = {h.id for h in s.scalars(select(Household).where(Household.deleted.is_(False)))}
        people = s.scalars(select(Person).where(Person.deleted.is_(False)))
        return sum(1 for p in people if p.household_id in live)


def test_member_figures_add_up_against_the_member_book(demo: Workspace) -> None:
    db = demo.db
    period = period_bounds(f"{YEAR}-H2")
    f = period_figures(db, period)
    on_end = _members_on(db, period.end)
    with db.session() as s:
        joined = [
            m
            for m in s.scalars(select(Member).where(Member.deleted.is_(False)))
            if m.join_date is not None and period.start <= m.join_date <= period.end
        ]
    total = f.members_total
    assert total.members == len(on_end) > 0
    assert total.joined == len(joined) > 0
    assert total.population == _population(db) > 0
    assert sum(r.members for r in f.members) == total.members
    assert sum(r.population for r in f.members) == total.population
    assert sum(r.joined for r in f.members) == total.joined
    assert total.share == pytest.approx(len(on_end) / _population(db))


def test_fund_and_awards_of_a_year_match_the_ledger_and_the_award_book(demo: Workspace) -> None:
    db = demo.db
    f = period_figures(db, period_bounds(str(YEAR)))
    ledger = balance(db, YEAR)
    assert (f.fund.opening, f.fund.receipts, f.fund.payments, f.fund.closing) == (
        ledger.opening,
        ledger.receipts,
        ledger.payments,
        ledger.closing,
    )
    assert f.fund.receipts > 0 and f.fund.payments > 0
    assert sum(f.fund.receipts_by_category.values()) == f.fund.receipts
    assert f.fund.per_head == f.fund.receipts // f.members_total.population
    books = award_totals(db, YEAR)
    t = f.money_total
    assert (t.scholarships, t.scholarship_amount) == (
        books["scholarship"]["count"],
        books["scholarship"]["amount"],
    )
    assert (t.awards, t.award_amount) == (books["award"]["count"], books["award"]["amount"])
    assert sum(m.scholarships for m in f.money) == t.scholarships > 0
    assert sum(m.receipts for m in f.money) == t.receipts == f.fund.receipts


def test_four_quarters_make_the_year(demo: Workspace) -> None:
    db = demo.db
    year = period_figures(db, period_bounds(str(YEAR)))
    quarters = [period_figures(db, period_bounds(f"{YEAR}-Q{q}")) for q in range(1, 5)]
    assert sum(q.fund.receipts for q in quarters) == year.fund.receipts
    assert sum(q.fund.payments for q in quarters) == year.fund.payments
    assert sum(q.members_total.joined for q in quarters) == year.members_total.joined
    assert sum(q.money_total.award_amount for q in quarters) == year.money_total.award_amount
    for before, after in itertools.pairwise(quarters):
        assert after.fund.opening == before.fund.closing
    assert quarters[-1].fund.closing == year.fund.closing
    assert quarters[-1].members_total.members == year.members_total.members


def test_the_models_section_is_the_targets_dashboard_with_its_denominators(
    demo: Workspace,
) -> None:
    db = demo.db
    report = build_report(db, period_bounds(f"{YEAR}-Q4"), day=DAY)
    dashboard = target_report(db, YEAR)
    models = next(s for s in report.sections if s.title == "Xây dựng các mô hình học tập")
    commune = models.tables[0]
    family = next(r for r in commune.rows if r[0] == "Gia đình học tập")
    want = dashboard.models["learning_family"]
    assert family[1:] == (
        want.registered,
        want.assessed,
        want.recognised,
        want.denominator,
        want.denominator_label,
        want.rate,
        want.target,
    )
    assert want.recognised > 0
    per_hamlet = models.tables[1]
    assert [r[0] for r in per_hamlet.rows] == [h.name for h in dashboard.hamlets]
    assert sum(int(r[1] or 0) for r in per_hamlet.rows) == want.recognised
    assert "mẫu số: tổng số hộ gia đình" in per_hamlet.note


# --- the three formats --------------------------------------------------------------------


def test_pdf_holds_the_report_in_vietnamese(demo: Workspace, tmp_path: Path) -> None:
    db = demo.db
    period = period_bounds(f"{YEAR}-Q3")
    out = tmp_path / "bao-cao.pdf"
    seen: list[tuple[int, int]] = []
    result = write_period_report(
        db, period, out, day=DAY, progress=lambda d, t: seen.append((d, t))
    )
    f = period_figures(db, period)
    text = _pdf_text(out)
    assert result.pages == len(PdfReader(out).pages) >= 2
    assert seen[-1][0] == seen[-1][1] == result.items
    flat = " ".join(text.split())
    for words in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "HỘI KHUYẾN HỌC XÃ KHOÁI CHÂU",
        "BÁO CÁO KẾT QUẢ CÔNG TÁC KHUYẾN HỌC, KHUYẾN TÀI, XÂY DỰNG XÃ HỘI HỌC TẬP QUÝ III",
        "Khoái Châu, ngày 15 tháng 11 năm 2025",
        "I. CÔNG TÁC PHÁT TRIỂN HỘI VIÊN",
        "II. XÂY DỰNG CÁC MÔ HÌNH HỌC TẬP",
        "III. QUỸ KHUYẾN HỌC",
        "IV. HỌC BỔNG, KHEN THƯỞNG",
        "TM. BAN CHẤP HÀNH",
        "Trần Văn Tuấn",
        f.members[0].name,
    ):
        assert words in flat, words
    t = f.members_total
    ratio = f"{t.members}/{t.population} = {format_rate(t.share)}"
    assert ratio in flat, "the member share states its numerator and denominator"


def test_docx_opens_with_the_same_sections_and_tables(demo: Workspace, tmp_path: Path) -> None:
    db = demo.db
    period = period_bounds(f"{YEAR}-H1")
    report = build_report(db, period, day=DAY)
    result = write_period_report(db, period, tmp_path / "bao-cao.docx", day=DAY)
    assert result.pages == 0
    document = Document(str(result.path))
    paragraphs = [p.text for p in document.paragraphs]
    assert report.title in paragraphs and "6 THÁNG ĐẦU NĂM 2025" in report.title
    for number, section in report.numbered():
        assert f"{number} {section.title.upper()}" in paragraphs
    tables = document.tables[1:-1]  # the header block and the signer block around them
    assert len(tables) == sum(len(s.tables) for s in report.sections)
    members = tables[0]
    total = [c.text for c in members.rows[-1].cells]
    t = report.figures.members_total
    assert total[:3] == ["Toàn xã", f"{t.population:,}".replace(",", "."), str(t.members)]
    assert "Độc lập - Tự do - Hạnh phúc" in [
        p.text for p in document.tables[0].cell(0, 1).paragraphs
    ]


def test_xlsx_has_a_sheet_per_section_and_real_numbers(demo: Workspace, tmp_path: Path) -> None:
    db = demo.db
    period = period_bounds(str(YEAR))
    report = build_report(db, period, day=DAY)
    result = write_period_report(db, period, tmp_path / "bao-cao", fmt="xlsx", day=DAY)
    assert result.path.suffix == ".xlsx"
    book = load_workbook(result.path)
    assert book.sheetnames == [s.sheet for s in report.sections]
    sheet = book["Hội viên"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][3] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    total = next(r for r in rows if r[0] == "Toàn xã")
    t = report.figures.members_total
    assert total[1:5] == [t.population, t.members, t.joined, t.left]
    assert all(isinstance(v, int) for v in total[1:5])
    assert total[5] == pytest.approx(t.share)
    rate_cell = next(c for c in sheet["F"] if c.value == total[5])
    assert rate_cell.number_format == "0.0%"
    fund = [list(r) for r in book["Quỹ khuyến học"].iter_rows(values_only=True)]
    closing = next(r for r in fund if r[0] == "Tồn quỹ cuối kỳ")
    assert closing[1] == report.figures.fund.closing


def test_a_cancelled_report_leaves_no_file(demo: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "huy.pdf"
    with pytest.raises(PrintCancelled):
        write_period_report(demo.db, period_bounds(str(YEAR)), out, cancel=lambda: True)
    assert list(tmp_path.glob("huy*")) == []


def test_an_unknown_format_is_refused(demo: Workspace, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="pdf, docx hoặc xlsx"):
        write_period_report(demo.db, period_bounds(str(YEAR)), tmp_path / "a.odt")


def test_activities_of_the_period_get_their_own_section(demo: Workspace) -> None:
    db = demo.db
    q3 = period_bounds(f"{YEAR}-Q3")
    before = activity_figures(db, q3.start, q3.end)
    add_activity(
        db,
        ActivityInput(
            kind="training",
            topic="Tập huấn nghiệp vụ khuyến học",
            start_date=dt.date(YEAR, 8, 12),
            hours=8,
            participants_count=35,
        ),
    )
    add_activity(
        db,
        ActivityInput(
            kind="centre",
            topic="Chuyên đề chăn nuôi",
            start_date=dt.date(YEAR, 9, 3),
            participants_count=60,
        ),
    )
    section = build_report(db, q3).sections[-1]
    assert section.title.startswith("Hoạt động học tập")
    rows = {r[0]: r for r in section.tables[0].rows}
    assert rows["Tập huấn"][1:4] == (
        int(before["trainings"]) + 1,
        "lớp",
        int(before["training_participants"]) + 35,
    )
    assert rows["Sinh hoạt Trung tâm học tập cộng đồng"][1:4] == (
        int(before["centre_sessions"]) + 1,
        "buổi",
        int(before["centre_participants"]) + 60,
    )
    quiet = build_report(db, period_bounds("2031-Q1"))
    assert not any(s.title.startswith("Hoạt động") for s in quiet.sections), "no table of zeros"


# --- CLI ----------------------------------------------------------------------------------


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_writes_each_format_and_answers_json(
    demo: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = str(demo.db.data_dir)
    demo.close()
    out = tmp_path / "q3.pdf"
    code, stdout, _ = _cli(
        capsys, "report", "period", "--data-dir", folder, "--period", f"{YEAR}-Q3",
        "--out", str(out), "--json",
    )  # fmt: skip
    data = json.loads(stdout)
    assert code == 0
    assert data == {
        "path": str(out),
        "format": "pdf",
        "from": f"{YEAR}-07-01",
        "to": f"{YEAR}-09-30",
        "pages": len(PdfReader(out).pages),
    }
    for fmt in ("docx", "xlsx"):
        target = tmp_path / f"nam.{fmt}"
        code, stdout, _ = _cli(
            capsys, "report", "period", "--data-dir", folder, "--from", f"{YEAR}-01-01",
            "--to", f"{YEAR}-12-31", "--format", fmt, "--out", str(target), "--json",
        )  # fmt: skip
        assert code == 0 and target.exists()
        assert json.loads(stdout) == {
            "path": str(target),
            "format": fmt,
            "from": f"{YEAR}-01-01",
            "to": f"{YEAR}-12-31",
        }
    code, stdout, _ = _cli(
        capsys, "report", "targets", "--data-dir", folder, "--year", str(YEAR), "--json"
    )
    assert code == 0 and json.loads(stdout)["year"] == YEAR, "report targets still works"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2025-Q7"], "Kỳ báo cáo “2025-Q7” không hợp lệ"),
        (["--from", "2025-13-01", "--to", "2025-12-31"], "Ngày bắt đầu “2025-13-01” không hợp lệ"),
        (["--from", "2025-07-01", "--to", "2025-03-31"], "sau ngày kết thúc"),
        (["--from", "2025-07-01"], "Thiếu kỳ báo cáo"),
        (["--period", "2025", "--from", "2025-01-01"], "không dùng cả hai"),
        (["--period", "2025"], "Thiếu --out"),
    ],
)
def test_cli_bad_input_gets_a_vietnamese_message(
    demo: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    folder = str(demo.db.data_dir)
    demo.close()
    out = [] if "Thiếu --out" in message else ["--out", str(tmp_path / "x.pdf")]
    code, stdout, stderr = _cli(capsys, "report", "period", "--data-dir", folder, *args, *out)
    assert code != 0 and stdout == ""
    assert message in stderr and "Traceback" not in stderr
    assert list(tmp_path.glob("x*")) == []
