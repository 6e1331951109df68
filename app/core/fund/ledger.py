"""The fund ledger: receipts and payments, voucher numbers, balances, cancelling.

Rules (messages in Vietnamese):
- an amount is a positive integer of đồng (never a float);
- the date is not in the future, and not in a closed period (khóa sổ);
- voucher numbers run per year and kind; a number already used is refused and the
  next free one is suggested;
- a payment may not exceed the balance on its date unless the setting
  ``fund.allow_overdraft`` is on;
- an entry is never deleted: cancelling keeps it, with the reason, out of the totals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Integer, case, func, or_, select
from sqlalchemy.orm import Session

from app.core import dates, settings
from app.core import text as vntext
from app.core.db import Database
from app.core.errors import NotFoundError, ValidationError
from app.core.fund.words import amount_in_words, format_money
from app.core.models import (
    Clan,
    DuesPayment,
    FundEntry,
    Household,
    Member,
    Person,
    Unit,
)
from app.core.models.fund import (
    CATEGORY_LABELS,
    ENTRY_KIND_LABELS,
    METHOD_LABELS,
    PAYMENT_CATEGORIES,
    RECEIPT_CATEGORIES,
    VOUCHER_PREFIX,
    EntryKind,
    PaymentMethod,
)

MAX_AMOUNT = 1_000_000_000_000  # a thousand billion đồng: beyond that it is a typing slip
ALLOW_OVERDRAFT_KEY = "fund.allow_overdraft"
CLOSED_THROUGH_KEY = "fund.closed_through"


@dataclass(frozen=True)
class EntryInput:
    kind: str
    entry_date: dt.date
    amount: int
    category: str
    party_name: str = ""
    purpose: str = ""
    method: str = PaymentMethod.CASH.value
    number: int | None = None
    person_id: int | None = None
    member_id: int | None = None
    household_id: int | None = None
    unit_id: int | None = None
    clan_id: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class EntryView:
    id: int
    kind: str
    year: int
    number: int
    voucher_no: str
    entry_date: dt.date
    amount: int
    category: str
    category_label: str
    method: str
    party_name: str
    purpose: str
    note: str | None
    cancelled: bool
    cancel_reason: str | None

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["entry_date"] = self.entry_date.isoformat()
        return data


@dataclass(frozen=True)
class Balance:
    opening: int
    receipts: int
    payments: int
    closing: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class Voucher:
    """Everything a printed phiếu thu / phiếu chi shows."""

    title: str
    voucher_no: str
    entry_date: dt.date
    party_name: str
    purpose: str
    amount: int
    amount_text: str
    amount_words: str
    method_label: str
    category_label: str
    cancelled: bool


def voucher_no(kind: str, year: int, number: int) -> str:
    """ "PT-2026-0007" for receipt 7 of 2026."""
    return f"{VOUCHER_PREFIX[EntryKind(kind)]}-{year}-{number:04d}"


# --- settings -----------------------------------------------------------------------


def set_allow_overdraft(db: Database, allow: bool) -> None:
    with db.session() as s:
        settings.write(s, ALLOW_OVERDRAFT_KEY, bool(allow))


def closed_through(db: Database) -> str | None:
    """The last closed month "YYYY-MM", or None when no period is closed."""
    with db.session() as s:
        value = settings.read(s, CLOSED_THROUGH_KEY)
    return str(value) if value else None


def close_period(db: Database, period: str) -> str:
    """Close every month up to and including ``period`` ("YYYY-MM" or "YYYY")."""
    try:
        if len(period) == 4:
            year, month = int(period), 12
        else:
            year, month = (int(part) for part in period.split("-"))
        if not (1990 <= year <= 2200 and 1 <= month <= 12):
            raise ValueError(period)
    except ValueError as exc:
        raise ValidationError(f"Kỳ “{period}” không hợp lệ (dùng NNNN-TT, vd. 2026-06).") from exc
    if dt.date(year, month, 1) > dt.date.today():
        raise ValidationError("Không khóa sổ được kỳ chưa tới.")
    value = f"{year:04d}-{month:02d}"
    with db.session() as s:
        current = settings.read(s, CLOSED_THROUGH_KEY)
        if current and str(current) >= value:
            raise ValidationError(f"Sổ quỹ đã khóa đến tháng {_month_label(str(current))}.")
        settings.write(s, CLOSED_THROUGH_KEY, value)
    return value


def clan_party_name(name: str) -> str:
    """How a clan stands on a voucher: "Dòng họ Nguyễn", or the clan's own name when it
    already says so ("Họ Nguyễn Đình" stays as it is)."""
    name = vntext.normalise(name)
    return name if vntext.fold(name).startswith(("ho ", "dong ho ")) else f"Dòng họ {name}"


def _month_label(period: str) -> str:
    year, month = period.split("-")
    return f"{month}/{year}"


def month_label(period: str) -> str:
    """ "06/2026" for "2026-06" — how the user sees a period."""
    return _month_label(period)


def is_closed(day: dt.date, through: str | None) -> bool:
    """Whether ``day`` falls in a month closed by ``through`` (see :func:`closed_through`)."""
    return bool(through) and f"{day.year:04d}-{day.month:02d}" <= str(through)


def _check_open(s: Session, day: dt.date) -> None:
    closed = settings.read(s, CLOSED_THROUGH_KEY)
    if is_closed(day, str(closed) if closed else None):
        raise ValidationError(
            f"Sổ quỹ đã khóa đến tháng {_month_label(str(closed))}: không sửa được chứng từ "
            "ngày {0}. Hãy lập bút toán điều chỉnh trong kỳ đang mở.".format(
                day.strftime("%d/%m/%Y")
            ),
            "entry_date",
        )


# --- validation ---------------------------------------------------------------------


def check_amount(amount: object) -> int:
    """A positive whole number of đồng, or a ValidationError."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValidationError("Số tiền phải là số nguyên đồng (không có phần lẻ).", "amount")
    if amount <= 0:
        raise ValidationError("Số tiền phải lớn hơn 0 đồng.", "amount")
    if amount > MAX_AMOUNT:
        raise ValidationError(
            f"Số tiền {format_money(amount)} quá lớn, hãy kiểm tra lại.", "amount"
        )
    return amount


def _check_date(day: object) -> dt.date:
    if not isinstance(day, dt.date):
        raise ValidationError("Cần ngày lập chứng từ.", "entry_date")
    if isinstance(day, dt.datetime):
        day = day.date()
    if day > dt.date.today():
        raise ValidationError(
            f"Ngày {day.strftime('%d/%m/%Y')} chưa tới: không ghi sổ trước được.", "entry_date"
        )
    if day.year < 1990:
        raise ValidationError(f"Ngày {day.strftime('%d/%m/%Y')} không hợp lý.", "entry_date")
    return day


def _check_links(s: Session, data: EntryInput) -> str:
    """Check the registry links; returns the party name (typed, or the linked record's)."""
    name = vntext.normalise(data.party_name or "")
    links = (
        (data.person_id, Person, "full_name", "nhân khẩu"),
        (data.member_id, Member, "full_name", "hội viên"),
        (data.household_id, Household, "code", "hộ"),
        (data.unit_id, Unit, "name", "đơn vị"),
        (data.clan_id, Clan, "name", "dòng họ"),
    )
    for row_id, model, attr, what in links:
        if row_id is None:
            continue
        obj: Any = s.get(model, row_id)
        if obj is None or obj.deleted:
            raise ValidationError(f"Không tìm thấy {what} mã {row_id}.", "party_name")
        if not name:
            name = str(getattr(obj, attr) or "")
    return name


def working_year(db: Database, today: dt.date | None = None) -> int:
    """The year the fund screen opens on: the latest year up to this one with entries
    (see :func:`app.core.dates.working_year`)."""
    return dates.working_year(db, FundEntry.year, FundEntry.deleted.is_(False), today=today)


def next_number(db: Database, kind: str, year: int) -> int:
    """The next free voucher number of a kind in a year (1 for the first)."""
    with db.session() as s:
        return _next_number(s, kind, year)


def _next_number(s: Session, kind: str, year: int) -> int:
    top = s.scalar(
        select(func.max(FundEntry.number)).where(FundEntry.kind == kind, FundEntry.year == year)
    )
    return int(top or 0) + 1


def _available(s: Session, day: dt.date) -> int:
    """What may be paid on ``day``: the lower of the balance that day and the balance now
    (a back-dated payment must not make any later day negative either). One scan."""
    signed = case((FundEntry.kind == EntryKind.RECEIPT.value, FundEntry.amount), else_=0) - case(
        (FundEntry.kind == EntryKind.PAYMENT.value, FundEntry.amount), else_=0
    )
    until_day = case((FundEntry.entry_date <= day, signed), else_=0)
    row = s.execute(
        select(func.coalesce(func.sum(until_day), 0), func.coalesce(func.sum(signed), 0)).where(
            FundEntry.cancelled.is_(False), FundEntry.deleted.is_(False)
        )
    ).one()
    return min(int(row[0]), int(row[1]))


def _check_entry(s: Session, data: EntryInput) -> tuple[dt.date, int, str]:
    try:
        kind = EntryKind(data.kind)
    except ValueError as exc:
        raise ValidationError("Loại chứng từ phải là phiếu thu hoặc phiếu chi.", "kind") from exc
    day = _check_date(data.entry_date)
    amount = check_amount(data.amount)
    categories = RECEIPT_CATEGORIES if kind is EntryKind.RECEIPT else PAYMENT_CATEGORIES
    if data.category not in categories:
        raise ValidationError(
            f"Nội dung “{data.category}” không dùng được cho {ENTRY_KIND_LABELS[kind].lower()}.",
            "category",
        )
    if data.method not in METHOD_LABELS:
        raise ValidationError("Hình thức phải là tiền mặt hoặc chuyển khoản.", "method")
    _check_open(s, day)
    name = _check_links(s, data)
    if not name:
        who = "người nộp" if kind is EntryKind.RECEIPT else "người nhận"
        raise ValidationError(f"Cần ghi tên {who}.", "party_name")
    return day, amount, name


def _number_for(s: Session, data: EntryInput, year: int) -> int:
    if data.number is None:
        return _next_number(s, data.kind, year)
    if data.number <= 0:
        raise ValidationError("Số chứng từ phải là số dương.", "number")
    taken = s.scalar(
        select(FundEntry.id).where(
            FundEntry.kind == data.kind, FundEntry.year == year, FundEntry.number == data.number
        )
    )
    if taken is not None:
        suggestion = _next_number(s, data.kind, year)
        raise ValidationError(
            f"Số {voucher_no(data.kind, year, data.number)} đã dùng trong năm {year}. "
            f"Số tiếp theo còn trống: {suggestion}.",
            "number",
        )
    return data.number


def add_entry_in(s: Session, data: EntryInput) -> FundEntry:
    """Validate and add one entry inside an open session (other services post through this)."""
    day, amount, name = _check_entry(s, data)
    if data.kind == EntryKind.PAYMENT.value and not settings.read(s, ALLOW_OVERDRAFT_KEY):
        available = _available(s, day)
        if amount > available:
            raise ValidationError(
                f"Số chi {format_money(amount)} vượt số dư quỹ ({format_money(available)}). "
                "Nếu thật sự cần chi vượt, hãy bật “cho phép chi quá số dư” trong cài đặt.",
                "amount",
            )
    obj = FundEntry(
        kind=data.kind,
        year=day.year,
        number=_number_for(s, data, day.year),
        entry_date=day,
        amount=amount,
        category=data.category,
        method=data.method,
        party_name=name,
        person_id=data.person_id,
        member_id=data.member_id,
        household_id=data.household_id,
        unit_id=data.unit_id,
        clan_id=data.clan_id,
        purpose=vntext.normalise(data.purpose or "") or CATEGORY_LABELS[data.category],
        note=vntext.normalise(data.note) if data.note else None,
    )
    s.add(obj)
    s.flush()
    return obj


def add_entry(db: Database, data: EntryInput) -> int:
    """Record a receipt or a payment; returns its id."""
    with db.session() as s:
        return add_entry_in(s, data).id


def cancel_entry(db: Database, entry_id: int, reason: str, on: dt.date | None = None) -> None:
    """Cancel an entry: it stays in the ledger, marked, with the reason; totals skip it."""
    reason = vntext.normalise(reason or "")
    if len(reason) < 3:
        raise ValidationError("Cần ghi lý do hủy chứng từ.", "reason")
    with db.session() as s:
        obj = s.get(FundEntry, entry_id)
        if obj is None or obj.deleted:
            raise NotFoundError(f"Không tìm thấy chứng từ mã {entry_id}.")
        if obj.cancelled:
            raise ValidationError(
                f"Chứng từ {voucher_no(obj.kind, obj.year, obj.number)} đã hủy trước đó."
            )
        _check_open(s, obj.entry_date)
        receipt = obj.kind == EntryKind.RECEIPT.value
        overdraft = _available(s, dt.date.max) - obj.amount < 0
        if receipt and overdraft and not settings.read(s, ALLOW_OVERDRAFT_KEY):
            raise ValidationError(
                "Hủy phiếu thu này thì quỹ bị âm: hãy hủy các phiếu chi liên quan trước."
            )
        obj.cancelled = True
        obj.cancel_reason = reason
        obj.cancelled_on = on or dt.date.today()
        if obj.category == "dues":
            s.flush()
            _rewind_dues_year(s, obj.id)


def _rewind_dues_year(s: Session, receipt_id: int) -> None:
    """After a dues receipt is cancelled, each member's ``dues_paid_year`` becomes the
    latest year still covered by a live dues payment (None when there is none)."""
    member_ids = list(
        s.scalars(select(DuesPayment.member_id).where(DuesPayment.receipt_id == receipt_id))
    )
    if not member_ids:
        return
    live = dict(
        s.execute(
            select(DuesPayment.member_id, func.max(DuesPayment.year))
            .join(FundEntry, FundEntry.id == DuesPayment.receipt_id)
            .where(
                DuesPayment.member_id.in_(member_ids),
                DuesPayment.deleted.is_(False),
                FundEntry.cancelled.is_(False),
            )
            .group_by(DuesPayment.member_id)
        ).all()
    )
    for member in s.scalars(select(Member).where(Member.id.in_(member_ids))):
        latest = live.get(member.id)
        if member.dues_paid_year is not None and (latest is None or member.dues_paid_year > latest):
            member.dues_paid_year = latest


def reverse_entry(db: Database, entry_id: int, on: dt.date, reason: str) -> int:
    """A correcting entry for a closed period: the opposite kind, same amount, dated ``on``."""
    with db.session() as s:
        obj = s.get(FundEntry, entry_id)
        if obj is None or obj.deleted or obj.cancelled:
            raise NotFoundError(f"Không tìm thấy chứng từ mã {entry_id}.")
        receipt = obj.kind == EntryKind.RECEIPT.value
        original = voucher_no(obj.kind, obj.year, obj.number)
        data = EntryInput(
            kind=EntryKind.PAYMENT.value if receipt else EntryKind.RECEIPT.value,
            entry_date=on,
            amount=obj.amount,
            category="other_payment" if receipt else "other_receipt",
            party_name=obj.party_name,
            purpose=f"Điều chỉnh giảm {original}: {vntext.normalise(reason)}",
        )
        return add_entry_in(s, data).id


# --- reading ------------------------------------------------------------------------


def _view(o: FundEntry) -> EntryView:
    return EntryView(
        id=o.id,
        kind=o.kind,
        year=o.year,
        number=o.number,
        voucher_no=voucher_no(o.kind, o.year, o.number),
        entry_date=o.entry_date,
        amount=o.amount,
        category=o.category,
        category_label=CATEGORY_LABELS.get(o.category, o.category),
        method=o.method,
        party_name=o.party_name,
        purpose=o.purpose,
        note=o.note,
        cancelled=o.cancelled,
        cancel_reason=o.cancel_reason,
    )


def get_entry(db: Database, entry_id: int) -> EntryView:
    with db.session() as s:
        obj = s.get(FundEntry, entry_id)
        if obj is None:
            raise NotFoundError(f"Không tìm thấy chứng từ mã {entry_id}.")
        return _view(obj)


def list_entries(
    db: Database,
    year: int | None = None,
    kind: str | None = None,
    category: str | None = None,
    search: str | None = None,
    include_cancelled: bool = True,
    limit: int | None = None,
) -> list[EntryView]:
    """Ledger entries in date order (then kind, number), filtered."""
    stmt = select(FundEntry).where(FundEntry.deleted.is_(False))
    if year is not None:
        stmt = stmt.where(FundEntry.year == year)
    if kind:
        stmt = stmt.where(FundEntry.kind == kind)
    if category:
        stmt = stmt.where(FundEntry.category == category)
    if not include_cancelled:
        stmt = stmt.where(FundEntry.cancelled.is_(False))
    if search:
        pattern = f"%{vntext.normalise(search)}%"
        stmt = stmt.where(or_(FundEntry.party_name.like(pattern), FundEntry.purpose.like(pattern)))
    stmt = stmt.order_by(FundEntry.entry_date, FundEntry.kind.desc(), FundEntry.number)
    if limit:
        stmt = stmt.limit(limit)
    with db.session() as s:
        return [_view(o) for o in s.scalars(stmt)]


def balance(db: Database, year: int | None = None) -> Balance:
    """Opening, receipts, payments and closing of a year (all time when ``year`` is None)."""
    receipt = case((FundEntry.kind == EntryKind.RECEIPT.value, FundEntry.amount), else_=0)
    payment = case((FundEntry.kind == EntryKind.PAYMENT.value, FundEntry.amount), else_=0)
    live = (FundEntry.cancelled.is_(False), FundEntry.deleted.is_(False))
    with db.session() as s:
        opening = 0
        if year is not None:
            opening = int(
                s.scalar(
                    select(func.coalesce(func.sum(receipt - payment), 0)).where(
                        *live, FundEntry.year < year
                    )
                )
                or 0
            )
        stmt = select(func.coalesce(func.sum(receipt), 0), func.coalesce(func.sum(payment), 0))
        stmt = stmt.where(*live)
        if year is not None:
            stmt = stmt.where(FundEntry.year == year)
        receipts, payments = s.execute(stmt).one()
    receipts, payments = int(receipts), int(payments)
    return Balance(opening, receipts, payments, opening + receipts - payments)


def voucher(db: Database, entry_id: int) -> Voucher:
    """The data of a printed voucher, with the amount in words."""
    e = get_entry(db, entry_id)
    kind = EntryKind(e.kind)
    return Voucher(
        title=ENTRY_KIND_LABELS[kind].upper(),
        voucher_no=e.voucher_no,
        entry_date=e.entry_date,
        party_name=e.party_name,
        purpose=e.purpose,
        amount=e.amount,
        amount_text=format_money(e.amount),
        amount_words=amount_in_words(e.amount, exact=True),
        method_label=METHOD_LABELS[PaymentMethod(e.method)],
        category_label=e.category_label,
        cancelled=e.cancelled,
    )


@dataclass(frozen=True)
class BookMonth:
    """One month of the fund book (sổ quỹ): opening, receipts, payments, closing."""

    month: int
    balance: Balance

    def as_dict(self) -> dict[str, int]:
        return {"month": self.month, **self.balance.as_dict()}


def fund_book(db: Database, year: int) -> list[BookMonth]:
    """The twelve months of a year, each opening where the previous closed."""
    month = func.cast(func.strftime("%m", FundEntry.entry_date), Integer)
    stmt = (
        select(
            month,
            func.sum(case((FundEntry.kind == EntryKind.RECEIPT.value, FundEntry.amount), else_=0)),
            func.sum(case((FundEntry.kind == EntryKind.PAYMENT.value, FundEntry.amount), else_=0)),
        )
        .where(FundEntry.year == year, FundEntry.cancelled.is_(False), FundEntry.deleted.is_(False))
        .group_by(month)
    )
    opening = balance(db, year).opening
    with db.session() as s:
        sums = {int(m): (int(r), int(p)) for m, r, p in s.execute(stmt).all()}
    book: list[BookMonth] = []
    for number in range(1, 13):
        receipts, payments = sums.get(number, (0, 0))
        closing = opening + receipts - payments
        book.append(BookMonth(number, Balance(opening, receipts, payments, closing)))
        opening = closing
    return book
