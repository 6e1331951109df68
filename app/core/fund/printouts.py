"""Printed fund documents: the signature list of a programme, the honour boards and the
fund book (sổ quỹ), as A4 PDF or, for a ``.xlsx`` target, an Excel workbook.

All of them go through the shared table renderer (app/core/printing/tables.py):
the commune's header block, a ruled table repeated across pages, footer lines (the
total in words) and the signers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Integer, case, func, select

from app.core import text as vntext
from app.core.db import Database
from app.core.errors import ValidationError
from app.core.fund import programmes
from app.core.fund.ledger import balance, voucher_no
from app.core.fund.words import amount_in_words, format_money
from app.core.models import Award, FundEntry, Hamlet, Household, Person, Recognition
from app.core.models.fund import EntryKind
from app.core.printing.common import MM, CancelFn, PrintResult, ProgressFn, never, no_progress
from app.core.printing.data import heading
from app.core.printing.tables import Column, SignatureBox, TableDocument, render_table
from app.core.printing.xlsx import render_table_xlsx

SIGNATURE_ROW_H = 10 * MM  # room to sign by hand in the "Ký nhận" cell
DONOR_CATEGORIES = ("donation_person", "donation_clan", "donation_business", "member_contribution")


def _money(amount: int) -> str:
    """1.250.000 (the column title says the unit)."""
    return format_money(amount).removesuffix(" đ")


def _document(
    db: Database,
    title: str,
    subtitle: str,
    columns: Sequence[Column],
    *,
    day: dt.date | None = None,
    footer: Sequence[str] = (),
    middle_signer: str = "",
    landscape: bool = False,
    row_height: float | None = None,
) -> TableDocument:
    head = heading(db)
    boxes = [SignatureBox("Người lập biểu", "")]
    if middle_signer:
        boxes.append(SignatureBox(middle_signer, ""))
    boxes.append(SignatureBox(head.association_signer.title, head.association_signer.name))
    return TableDocument(
        issuer_1=f"UBND {head.commune_name.upper()}",
        issuer_2=head.association_name.upper(),
        title=title,
        subtitle=subtitle,
        columns=columns,
        place=head.place,
        day=day or dt.date.today(),
        signatures=boxes,
        footer=footer,
        landscape=landscape,
        row_height=row_height,
    )


def _render(
    out: Path,
    doc: TableDocument,
    rows: Sequence[Sequence[str]],
    progress: ProgressFn,
    cancel: CancelFn,
) -> int:
    """PDF (returns the page count) or, for a ``.xlsx`` target, a workbook (0 pages)."""
    if out.suffix.lower() == ".xlsx":
        render_table_xlsx(out, doc, rows, total=len(rows), progress=progress, cancel=cancel)
        return 0
    if out.suffix.lower() != ".pdf":
        raise ValidationError("Tệp in phải có đuôi .pdf hoặc .xlsx.")
    return render_table(out, doc, rows, total=len(rows), progress=progress, cancel=cancel)


# --- signature list (danh sách ký nhận) --------------------------------------------


def print_signature_list(
    db: Database,
    programme_id: int,
    out: Path,
    *,
    day: dt.date | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never,
) -> PrintResult:
    """The programme's recipients to sign for their money: STT, name, class–school,
    amount, an empty signature cell; the total in numbers and in words underneath."""
    programme = programmes.get_programme(db, programme_id)
    people = programmes.recipients(db, programme_id)
    if not people:
        raise ValidationError(f"Chương trình “{programme.name}” chưa có người nhận.")
    total = sum(r.amount for r in people)
    columns = (
        Column("Họ và tên", 16),
        Column("Lớp – Trường", 14),
        Column("Số tiền (đồng)", 8, "right"),
        Column("Ký nhận", 9),
    )
    rows: list[list[str]] = [
        [r.name, r.school_class or (r.level or ""), _money(r.amount), ""] for r in people
    ]
    doc = _document(
        db,
        "Danh sách ký nhận",
        f"{programme.name} — năm học {programme.school_year_label}",
        columns,
        day=day,
        footer=(
            f"Tổng số: {len(people)} suất; tổng số tiền: {format_money(total)}.",
            f"Số tiền bằng chữ: {amount_in_words(total, exact=True)}.",
        ),
        middle_signer="Thủ quỹ",
        row_height=SIGNATURE_ROW_H,
    )
    pages = _render(out, doc, rows, progress, cancel)
    return PrintResult(out, pages, len(people), f"danh sách ký nhận {programme.name}")


# --- honour boards -----------------------------------------------------------------


@dataclass(frozen=True)
class Donor:
    name: str
    times: int
    amount: int


def donors(db: Database, year: int) -> list[Donor]:
    """Who gave to the fund in ``year`` (live donation receipts), largest gift first."""
    stmt = (
        select(FundEntry.party_name, func.count(), func.sum(FundEntry.amount))
        .where(
            FundEntry.year == year,
            FundEntry.kind == EntryKind.RECEIPT.value,
            FundEntry.category.in_(DONOR_CATEGORIES),
            FundEntry.cancelled.is_(False),
            FundEntry.deleted.is_(False),
            FundEntry.party_name != "",
        )
        .group_by(FundEntry.party_name)
    )
    with db.session() as s:
        rows = [Donor(name, int(n), int(total)) for name, n, total in s.execute(stmt).all()]
    rows.sort(key=lambda d: (-d.amount, vntext.sort_key(d.name)))
    return rows


@dataclass(frozen=True)
class HonouredFamily:
    household_id: int
    head_name: str
    hamlet: str
    achievements: list[str]


def honoured_families(db: Database, year: int) -> list[HonouredFamily]:
    """Households recognised as learning families in ``year`` and households whose
    members received a (paid) scholarship or award of that year, by hamlet then name."""
    found: dict[int, list[str]] = {}
    with db.session() as s:
        for hid, label in s.execute(
            select(Recognition.entity_id, Recognition.result_label).where(
                Recognition.year == year,
                Recognition.model == "learning_family",
                Recognition.deleted.is_(False),
            )
        ):
            found.setdefault(int(hid), []).append(
                f"Gia đình học tập{f' ({label})' if label else ''}"
            )
        for person_household, name, programme in s.execute(
            select(Person.household_id, Award.recipient_name, Award.programme)
            .join(Person, Person.id == Award.person_id)
            .join(FundEntry, FundEntry.id == Award.payment_id)
            .where(
                Award.year == year,
                Award.deleted.is_(False),
                FundEntry.cancelled.is_(False),
                Person.household_id.is_not(None),
            )
        ):
            if person_household is not None:
                found.setdefault(person_household, []).append(f"{name}: {programme}")
        heads = {
            hid: (head, hamlet or "")
            for hid, head, hamlet in s.execute(
                select(Household.id, Household.head_name, Hamlet.name)
                .outerjoin(Hamlet, Hamlet.id == Household.hamlet_id)
                .where(Household.id.in_(list(found)), Household.deleted.is_(False))
            )
        }
    out = [
        HonouredFamily(hid, heads[hid][0], heads[hid][1], items)
        for hid, items in found.items()
        if hid in heads
    ]
    out.sort(key=lambda f: (vntext.sort_key_plain(f.hamlet), vntext.sort_key(f.head_name)))
    return out


def print_honour_board(
    db: Database,
    year: int,
    out: Path,
    board: str = "donors",
    *,
    day: dt.date | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never,
) -> PrintResult:
    """The honour board of ``year``: ``board="donors"`` (bảng vàng nhà hảo tâm) or
    ``"families"`` (gia đình tiêu biểu)."""
    if board == "donors":
        people = donors(db, year)
        rows: list[list[str]] = [[d.name, str(d.times), _money(d.amount)] for d in people]
        total = sum(d.amount for d in people)
        title = f"Bảng vàng ủng hộ quỹ khuyến học năm {year}"
        columns: tuple[Column, ...] = (
            Column("Người, đơn vị ủng hộ", 24),
            Column("Số lần", 5, "center"),
            Column("Số tiền (đồng)", 9, "right"),
        )
        footer: tuple[str, ...] = (
            f"Tổng cộng: {format_money(total)} ({amount_in_words(total, exact=True)}).",
        )
    elif board == "families":
        families = honoured_families(db, year)
        rows = [[f.head_name, f.hamlet, "; ".join(f.achievements)] for f in families]
        title = f"Gia đình có thành tích khuyến học, khuyến tài năm {year}"
        columns = (Column("Chủ hộ", 14), Column("Thôn", 9), Column("Thành tích", 30))
        footer = ()
    else:
        raise ValidationError("Bảng vinh danh phải là “donors” hoặc “families”.")
    if not rows:
        raise ValidationError(f"Năm {year} chưa có ai để ghi vào bảng vinh danh.")
    doc = _document(db, title, f"(Tổng số: {len(rows)})", columns, day=day, footer=footer)
    pages = _render(out, doc, rows, progress, cancel)
    return PrintResult(out, pages, len(rows), title.lower())


# --- fund book (sổ quỹ) ------------------------------------------------------------


@dataclass(frozen=True)
class BookLine:
    entry_date: dt.date
    receipt_no: str
    payment_no: str
    purpose: str
    receipt: int
    payment: int
    running: int


@dataclass(frozen=True)
class FundBookPeriod:
    """The fund book of a month or a year: opening, each live entry with the running
    balance, totals and closing."""

    year: int
    month: int | None
    opening: int
    lines: list[BookLine]
    receipts: int
    payments: int
    closing: int

    @property
    def label(self) -> str:
        return f"tháng {self.month:02d}/{self.year}" if self.month else f"năm {self.year}"

    def as_dict(self) -> dict[str, object]:
        return {
            "year": self.year,
            "month": self.month,
            "opening": self.opening,
            "receipts": self.receipts,
            "payments": self.payments,
            "closing": self.closing,
            "lines": [
                {**line.__dict__, "entry_date": line.entry_date.isoformat()} for line in self.lines
            ],
        }


def book_period(db: Database, year: int, month: int | None = None) -> FundBookPeriod:
    """The fund book of ``year`` (or one month of it); cancelled entries are left out."""
    if month is not None and not 1 <= month <= 12:
        raise ValidationError(f"Tháng {month} không hợp lệ (1–12).")
    opening = balance(db, year).opening
    live = (FundEntry.cancelled.is_(False), FundEntry.deleted.is_(False), FundEntry.year == year)
    month_of = func.cast(func.strftime("%m", FundEntry.entry_date), Integer)
    signed = case(
        (FundEntry.kind == EntryKind.RECEIPT.value, FundEntry.amount), else_=-FundEntry.amount
    )
    with db.session() as s:
        if month is not None:
            opening += int(
                s.scalar(select(func.coalesce(func.sum(signed), 0)).where(*live, month_of < month))
                or 0
            )
        stmt = select(FundEntry).where(*live)
        if month is not None:
            stmt = stmt.where(month_of == month)
        entries = list(
            s.scalars(stmt.order_by(FundEntry.entry_date, FundEntry.kind.desc(), FundEntry.number))
        )
        running = opening
        lines: list[BookLine] = []
        for e in entries:
            receipt = e.kind == EntryKind.RECEIPT.value
            running += e.amount if receipt else -e.amount
            number = voucher_no(e.kind, e.year, e.number)
            lines.append(
                BookLine(
                    entry_date=e.entry_date,
                    receipt_no=number if receipt else "",
                    payment_no="" if receipt else number,
                    purpose=f"{e.party_name} — {e.purpose}" if e.party_name else e.purpose,
                    receipt=e.amount if receipt else 0,
                    payment=0 if receipt else e.amount,
                    running=running,
                )
            )
    receipts = sum(line.receipt for line in lines)
    payments = sum(line.payment for line in lines)
    return FundBookPeriod(
        year, month, opening, lines, receipts, payments, opening + receipts - payments
    )


def _book_rows(book: FundBookPeriod) -> list[list[str]]:
    return [
        [
            line.entry_date.strftime("%d/%m/%Y"),
            line.receipt_no,
            line.payment_no,
            line.purpose,
            _money(line.receipt) if line.receipt else "",
            _money(line.payment) if line.payment else "",
            _money(line.running),
        ]
        for line in book.lines
    ]


def print_fund_book(
    db: Database,
    year: int,
    out: Path,
    month: int | None = None,
    *,
    day: dt.date | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never,
) -> PrintResult:
    """The fund book (sổ quỹ) of a year or a month, landscape A4 or a workbook."""
    book = book_period(db, year, month)
    columns = (
        Column("Ngày", 8, "center"),
        Column("Số phiếu thu", 9, "center"),
        Column("Số phiếu chi", 9, "center"),
        Column("Diễn giải", 30),
        Column("Thu (đồng)", 9, "right"),
        Column("Chi (đồng)", 9, "right"),
        Column("Tồn (đồng)", 10, "right"),
    )
    closing_words = f" ({amount_in_words(book.closing, exact=True)})" if book.closing >= 0 else ""
    doc = _document(
        db,
        "Sổ quỹ khuyến học",
        f"({book.label.capitalize()} — tồn đầu kỳ {format_money(book.opening)})",
        columns,
        day=day,
        footer=(
            f"Cộng phát sinh: thu {format_money(book.receipts)}, "
            f"chi {format_money(book.payments)}.",
            f"Tồn cuối kỳ: {format_money(book.closing)}{closing_words}.",
        ),
        middle_signer="Thủ quỹ",
        landscape=True,
    )
    rows = _book_rows(book)
    if not rows:
        raise ValidationError(f"Sổ quỹ {book.label} chưa có chứng từ nào.")
    pages = _render(out, doc, rows, progress, cancel)
    return PrintResult(out, pages, len(book.lines), f"sổ quỹ {book.label}")
