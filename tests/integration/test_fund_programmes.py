"""Scholarship and award programmes: recipients, flags, budget, one payment, printouts."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from app.core.db import Database
from app.core.errors import NotFoundError, ValidationError
from app.core.fund import awards, ledger, printouts, programmes
from app.core.fund.ledger import EntryInput
from app.core.fund.programmes import CandidateFilter, ProgrammeInput, ProgrammeRecipient
from app.core.models import FundEntry, Person
from app.core.registry.hamlets import HamletInput, create_hamlet
from app.core.registry.households import HouseholdInput, create_household
from app.core.registry.people import PersonInput
from tests.conftest import nfd

D = dt.date
YEAR = 2025


@dataclass
class Village:
    hamlets: list[int]
    pupils: list[int]  # studying, born 2010 and 2013 alternately
    adults: list[int]


@pytest.fixture
def village(db: Database, make_name: Callable[..., str]) -> Village:
    """Two hamlets of three households: two parents and two pupils each; 50 M đ in the fund."""
    hamlet_ids = [create_hamlet(db, HamletInput(n)) for n in ("Thôn Thượng", "Thôn Hạ")]
    for hamlet in hamlet_ids:
        for _ in range(3):
            create_household(
                db,
                HouseholdInput(hamlet_id=hamlet),
                [
                    PersonInput(make_name("M"), "M", "1978", "Chủ hộ"),
                    PersonInput(make_name("F"), "F", "1980", "Vợ"),
                    PersonInput(
                        make_name(),
                        "M",
                        "2010",
                        "Con",
                        school_level="upper_secondary",
                        is_studying=True,
                    ),
                    PersonInput(
                        make_name("F"),
                        "F",
                        "2013",
                        "Con",
                        school_level="lower_secondary",
                        is_studying=True,
                    ),
                ],
            )
    ledger.add_entry(
        db,
        EntryInput(
            "receipt",
            D(YEAR, 1, 10),
            50_000_000,
            "donation_business",
            party_name="Công ty Hưng Thịnh",
        ),
    )
    with db.session() as s:
        rows = s.execute(select(Person.id, Person.is_studying).order_by(Person.id)).all()
    return Village(hamlet_ids, [pid for pid, st in rows if st], [pid for pid, st in rows if not st])


def _programme(db: Database, **kw: object) -> int:
    data = {
        "name": "Học bổng năm học 2025–2026",
        "kind": "scholarship",
        "school_year": YEAR,
        "criteria": "Học sinh nghèo vượt khó, học lực khá trở lên",
        "amount_per_recipient": 500_000,
    }
    data.update(kw)
    return programmes.create_programme(db, ProgrammeInput(**data))  # type: ignore[arg-type]


def _payments(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).where(FundEntry.kind == "payment")) or 0)


def test_posting_a_programme_posts_exactly_one_payment_for_its_list(
    db: Database, village: Village
) -> None:
    pid = _programme(db)
    added = programmes.add_recipients(
        db,
        pid,
        [
            ProgrammeRecipient(person_id=p, school_class="10A – THPT Trần Phú")
            for p in village.pupils[:4]
        ]
        + [ProgrammeRecipient(name=nfd("Nguyễn Thị  Hoa "), amount=700_000, school_class="Lớp 6B")],
    )
    assert (added.added, added.total) == (5, 2_700_000)
    assert _payments(db) == 0, "listing recipients posts nothing yet"

    result = programmes.post_programme(db, pid, D(YEAR, 9, 5))

    assert (result.recipients, result.total) == (5, 2_700_000)
    assert _payments(db) == 1
    entry = ledger.get_entry(db, result.payment_id)
    assert (entry.kind, entry.category, entry.amount) == ("payment", "scholarship", 2_700_000)
    view = programmes.get_programme(db, pid)
    assert (view.recipients, view.total, view.paid, view.unpaid) == (5, 2_700_000, 2_700_000, 0)
    assert view.vouchers == [entry.voucher_no]
    rows = programmes.recipients(db, pid)
    assert {r.voucher for r in rows} == {entry.voucher_no}
    assert "Nguyễn Thị Hoa" in {r.name for r in rows}
    with pytest.raises(ValidationError, match="không còn ai chưa được chi"):
        programmes.post_programme(db, pid, D(YEAR, 9, 6))


def test_recipients_added_after_posting_are_paid_by_a_second_single_payment(
    db: Database, village: Village
) -> None:
    pid = _programme(db)
    programmes.add_recipients(db, pid, [ProgrammeRecipient(person_id=village.pupils[0])])
    first = programmes.post_programme(db, pid, D(YEAR, 9, 5))
    programmes.add_recipients(
        db, pid, [ProgrammeRecipient(person_id=p) for p in village.pupils[1:3]]
    )
    second = programmes.post_programme(db, pid, D(YEAR, 9, 20))
    assert (first.total, second.total, second.recipients) == (500_000, 1_000_000, 2)
    assert _payments(db) == 2


def test_a_cancelled_payment_puts_its_recipients_back_to_unpaid(
    db: Database, village: Village
) -> None:
    pid = _programme(db)
    programmes.add_recipients(db, pid, [ProgrammeRecipient(person_id=village.pupils[0])])
    paid = programmes.post_programme(db, pid, D(YEAR, 9, 5))
    with pytest.raises(ValidationError, match="hủy phiếu chi trước"):
        programmes.remove_recipient(db, programmes.recipients(db, pid)[0].award_id)
    ledger.cancel_entry(db, paid.payment_id, "Chi nhầm ngày")
    assert programmes.get_programme(db, pid).unpaid == 500_000
    again = programmes.post_programme(db, pid, D(YEAR, 9, 8))
    assert again.payment_id != paid.payment_id


def test_amount_per_level_and_a_missing_level_is_explained(db: Database, village: Village) -> None:
    pid = _programme(
        db,
        name="Khen thưởng học sinh giỏi cấp tỉnh",
        kind="award",
        amount_per_recipient=None,
        level_amounts={"Giải nhất": 1_000_000, "Giải nhì": 700_000, "THCS": 300_000},
    )
    result = programmes.add_recipients(
        db,
        pid,
        [
            ProgrammeRecipient(person_id=village.pupils[0], level="Giải nhất"),
            ProgrammeRecipient(person_id=village.pupils[1], level="giải nhì".capitalize()),
            ProgrammeRecipient(person_id=village.pupils[3]),  # lower secondary → "THCS"
        ],
    )
    assert result.total == 2_000_000
    with pytest.raises(ValidationError, match="Cần chọn mức"):
        programmes.add_recipients(db, pid, [ProgrammeRecipient(name="Lê Văn Tám")])


def test_budget_is_never_exceeded_and_nothing_is_written(db: Database, village: Village) -> None:
    pid = _programme(db, budget=1_200_000)
    programmes.add_recipients(db, pid, [ProgrammeRecipient(person_id=village.pupils[0])])
    with pytest.raises(ValidationError, match=r"Vượt ngân sách.*còn lại 700\.000 đ"):
        programmes.add_recipients(
            db, pid, [ProgrammeRecipient(person_id=p) for p in village.pupils[1:3]]
        )
    assert programmes.get_programme(db, pid).recipients == 1


def test_the_same_person_twice_in_one_programme_is_refused(db: Database, village: Village) -> None:
    pid = _programme(db)
    programmes.add_recipients(db, pid, [ProgrammeRecipient(person_id=village.pupils[0])])
    with pytest.raises(ValidationError, match="đã có trong danh sách"):
        programmes.add_recipients(db, pid, [ProgrammeRecipient(person_id=village.pupils[0])])


def test_duplicates_across_programmes_of_the_same_school_year_are_flagged(
    db: Database, village: Village
) -> None:
    scholarship = _programme(db)
    prize = _programme(db, name="Khen thưởng học sinh giỏi", kind="award")
    next_year = _programme(db, name="Học bổng năm học 2026–2027", school_year=YEAR + 1)
    pupil = village.pupils[0]
    programmes.add_recipients(db, scholarship, [ProgrammeRecipient(person_id=pupil)])

    flagged = programmes.add_recipients(db, prize, [ProgrammeRecipient(person_id=pupil)])
    elsewhere = programmes.add_recipients(db, next_year, [ProgrammeRecipient(person_id=pupil)])

    assert [(d.programmes) for d in flagged.duplicates] == [["Học bổng năm học 2025–2026"]]
    assert elsewhere.duplicates == []
    assert programmes.recipients(db, scholarship)[0].also_in == ["Khen thưởng học sinh giỏi"]


def test_candidates_filter_by_age_level_and_hamlet(db: Database, village: Village) -> None:
    pid = _programme(db)
    everyone = programmes.candidates(db, pid)
    assert {c.person_id for c in everyone} == set(village.pupils)
    teens = programmes.candidates(db, pid, CandidateFilter(min_age=14, max_age=15))
    assert {c.birth_year for c in teens} == {2010}
    lower = programmes.candidates(db, pid, CandidateFilter(school_levels=("lower_secondary",)))
    assert {c.school_level_label for c in lower} == {"THCS"}
    hamlet = programmes.candidates(db, pid, CandidateFilter(hamlet_id=village.hamlets[1]))
    assert len(hamlet) == 6 and {c.hamlet for c in hamlet} == {"Thôn Hạ"}
    adults = programmes.candidates(db, pid, CandidateFilter(studying=False, min_age=40))
    assert {c.person_id for c in adults} == set(village.adults)
    programmes.add_recipients(db, pid, [ProgrammeRecipient(person_id=village.pupils[0])])
    marked = {c.person_id: c.on_this_programme for c in programmes.candidates(db, pid)}
    assert marked[village.pupils[0]] and not marked[village.pupils[1]]


def test_programme_input_is_checked(db: Database) -> None:
    with pytest.raises(ValidationError, match="tên chương trình"):
        _programme(db, name="  ")
    with pytest.raises(ValidationError, match="Số tiền phải lớn hơn 0"):
        _programme(db, amount_per_recipient=0)
    _programme(db)
    with pytest.raises(ValidationError, match="đã có chương trình"):
        _programme(db)
    with pytest.raises(NotFoundError):
        programmes.get_programme(db, 999)


def test_find_programme_by_id_or_folded_name(db: Database) -> None:
    pid = _programme(db)
    assert programmes.find_programme(db, str(pid)).id == pid
    assert programmes.find_programme(db, "hoc bong nam hoc 2025").id == pid
    with pytest.raises(NotFoundError):
        programmes.find_programme(db, "Khen thưởng")


def test_person_card_awards_come_from_programmes_too(db: Database, village: Village) -> None:
    pid = _programme(db)
    programmes.add_recipients(
        db, pid, [ProgrammeRecipient(person_id=village.pupils[2], school_class="Lớp 9A")]
    )
    programmes.post_programme(db, pid, D(YEAR, 9, 5))
    (card,) = awards.awards_of_person(db, village.pupils[2])
    assert (card.programme, card.programme_id, card.school_class) == (
        "Học bổng năm học 2025–2026",
        pid,
        "Lớp 9A",
    )
    assert card.payment_voucher is not None


def _pdf_text(path: Path) -> str:
    return "\n".join(unicodedata.normalize("NFC", p.extract_text()) for p in PdfReader(path).pages)


def test_signature_list_pdf_has_every_recipient_the_total_and_the_words(
    db: Database, village: Village, tmp_path: Path
) -> None:
    pid = _programme(db)
    programmes.add_recipients(
        db,
        pid,
        [ProgrammeRecipient(person_id=p, school_class="THCS Trần Phú") for p in village.pupils[:3]]
        + [ProgrammeRecipient(name=unicodedata.normalize("NFD", "Đỗ Thị Ngọc"), amount=1_005_000)],
    )
    out = printouts.print_signature_list(db, pid, tmp_path / "ky-nhan.pdf")
    text = _pdf_text(out.path)
    assert out.items == 4 and out.pages == 1
    assert "DANH SÁCH KÝ NHẬN" in text and "Học bổng năm học 2025–2026" in text
    assert "Ký nhận" in text and "Đỗ Thị Ngọc" in text
    assert "2.505.000" in text and "Tổng số: 4 suất" in text
    assert "Hai triệu năm trăm linh năm nghìn đồng" in text
    with db.session() as s:
        names = [s.get(Person, p).full_name for p in village.pupils[:3]]  # type: ignore[union-attr]
    assert all(name in text for name in names)


def test_signature_list_of_an_empty_programme_is_refused(db: Database, tmp_path: Path) -> None:
    pid = _programme(db)
    with pytest.raises(ValidationError, match="chưa có người nhận"):
        printouts.print_signature_list(db, pid, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_honour_boards_list_donors_and_families(
    db: Database, village: Village, tmp_path: Path
) -> None:
    for name, amount in (("Dòng họ Phạm", 3_000_000), ("Công ty Hưng Thịnh", 2_000_000)):
        ledger.add_entry(
            db, EntryInput("receipt", D(YEAR, 2, 1), amount, "donation_clan", party_name=name)
        )
    ledger.add_entry(db, EntryInput("receipt", D(YEAR, 2, 2), 90_000, "dues", party_name="Chi hội"))
    top = printouts.donors(db, YEAR)
    assert [(d.name, d.times, d.amount) for d in top] == [
        ("Công ty Hưng Thịnh", 2, 52_000_000),
        ("Dòng họ Phạm", 1, 3_000_000),
    ]
    pid = _programme(db)
    programmes.add_recipients(db, pid, [ProgrammeRecipient(person_id=village.pupils[0])])
    programmes.post_programme(db, pid, D(YEAR, 9, 5))
    (family,) = printouts.honoured_families(db, YEAR)
    assert family.hamlet == "Thôn Thượng" and "Học bổng năm học 2025–2026" in family.achievements[0]

    pdf = printouts.print_honour_board(db, YEAR, tmp_path / "vang.pdf")
    assert "Dòng họ Phạm" in _pdf_text(pdf.path)
    xlsx = printouts.print_honour_board(db, YEAR, tmp_path / "gd.xlsx", "families")
    values = [c for row in load_workbook(xlsx.path).active.iter_rows(values_only=True) for c in row]
    assert family.head_name in values
    with pytest.raises(ValidationError, match="chưa có ai"):
        printouts.print_honour_board(db, YEAR - 3, tmp_path / "trong.pdf")


def test_fund_book_runs_the_balance_through_a_month_and_a_year(
    db: Database, village: Village, tmp_path: Path
) -> None:
    ledger.add_entry(
        db, EntryInput("receipt", D(YEAR - 1, 6, 1), 4_000_000, "transfer", party_name="Hội huyện")
    )
    ledger.add_entry(
        db, EntryInput("payment", D(YEAR, 1, 20), 1_500_000, "meeting", party_name="Hội nghị")
    )
    ledger.add_entry(db, EntryInput("payment", D(YEAR, 2, 3), 250_000, "gift", party_name="Em Tâm"))
    cancelled = ledger.add_entry(
        db, EntryInput("receipt", D(YEAR, 2, 5), 999_000, "other_receipt", party_name="Nhầm")
    )
    ledger.cancel_entry(db, cancelled, "Ghi nhầm")

    january = printouts.book_period(db, YEAR, 1)
    february = printouts.book_period(db, YEAR, 2)
    year = printouts.book_period(db, YEAR)

    assert (january.opening, january.receipts, january.payments) == (
        4_000_000,
        50_000_000,
        1_500_000,
    )
    assert [line.running for line in january.lines] == [54_000_000, 52_500_000]
    assert february.opening == january.closing == 52_500_000
    assert (february.closing, len(february.lines)) == (52_250_000, 1)
    assert year.closing == february.closing == ledger.balance(db, YEAR).closing
    with pytest.raises(ValidationError, match="Tháng 13"):
        printouts.book_period(db, YEAR, 13)

    pdf = printouts.print_fund_book(db, YEAR, tmp_path / "so-quy.pdf", 1)
    text = _pdf_text(pdf.path)
    assert "SỔ QUỸ KHUYẾN HỌC" in text and "Tháng 01/2025" in text
    assert "tồn đầu kỳ 4.000.000 đ" in text and "52.500.000" in text
    assert "Tồn cuối kỳ: 52.500.000 đ (Năm mươi hai triệu năm trăm nghìn đồng chẵn)" in text
    book = printouts.print_fund_book(db, YEAR, tmp_path / "so-quy.xlsx")
    cells = [c for row in load_workbook(book.path).active.iter_rows(values_only=True) for c in row]
    assert "52.250.000" in cells
    assert any(str(c).startswith("Tồn cuối kỳ: 52.250.000 đ") for c in cells)
    with pytest.raises(ValidationError, match="chưa có chứng từ"):
        printouts.print_fund_book(db, YEAR, tmp_path / "trong.pdf", 7)
    with pytest.raises(ValidationError, match=r"\.pdf hoặc \.xlsx"):
        printouts.print_fund_book(db, YEAR, tmp_path / "so-quy.doc")


def test_renaming_a_programme_renames_its_awards_and_paid_kind_is_fixed(
    db: Database, village: Village
) -> None:
    pid = _programme(db)
    programmes.add_recipients(db, pid, [ProgrammeRecipient(person_id=village.pupils[0])])
    programmes.update_programme(
        db,
        pid,
        ProgrammeInput("Học bổng Nguyễn Văn Trỗi", "scholarship", YEAR, amount_per_recipient=1),
    )
    assert [a.programme for a in awards.list_awards(db)] == ["Học bổng Nguyễn Văn Trỗi"]
    programmes.post_programme(db, pid, D(YEAR, 9, 5))
    with pytest.raises(ValidationError, match="không đổi loại"):
        programmes.update_programme(
            db, pid, ProgrammeInput("Học bổng Nguyễn Văn Trỗi", "award", YEAR)
        )


def test_household_awards_read_as_lines_for_the_card(db: Database, village: Village) -> None:
    pid = _programme(db)
    programmes.add_recipients(
        db, pid, [ProgrammeRecipient(person_id=p) for p in village.pupils[:2]]
    )
    with db.session() as s:
        household = s.get(Person, village.pupils[0]).household_id  # type: ignore[union-attr]
    assert household is not None
    lines = awards.award_lines(awards.awards_of_household(db, household))
    assert len(lines) == 2
    assert all(line.startswith(f"{YEAR} — ") and "(500.000 đ, chưa chi)" in line for line in lines)
    assert awards.awards_of_household(db, 9999) == []
