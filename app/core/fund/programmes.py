"""Scholarship and award programmes (chương trình học bổng / khen thưởng).

A programme has a name, a kind, a school year, criteria, an amount per recipient or
per level, and an optional budget. Its recipients are listed first (awards with no
payment yet: the signature list can be printed before the money is handed out),
then posted: exactly one payment (phiếu chi) for the total of the unpaid
recipients. Someone who is already on another programme of the same school year
is flagged, not refused (a pupil may win a prize and a scholarship).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from app.core import text as vntext
from app.core.db import Database
from app.core.errors import NotFoundError, ValidationError
from app.core.fund.awards import GrantResult, post_award_payment
from app.core.fund.ledger import check_amount, voucher_no
from app.core.fund.words import format_money
from app.core.models import Award, FundEntry, FundProgramme, Hamlet, Household, Person
from app.core.models.fund import AWARD_KIND_LABELS, AwardKind
from app.core.models.households import (
    CIRCUMSTANCE_LABELS,
    SCHOOL_LEVEL_LABELS,
    Circumstance,
    SchoolLevel,
)


def school_year_label(year: int) -> str:
    """2026 → "2026–2027"."""
    return f"{year}–{year + 1}"


@dataclass(frozen=True)
class ProgrammeInput:
    name: str
    kind: str
    school_year: int
    criteria: str = ""
    amount_per_recipient: int | None = None
    level_amounts: dict[str, int] = field(default_factory=dict)
    budget: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class ProgrammeView:
    id: int
    name: str
    kind: str
    kind_label: str
    school_year: int
    school_year_label: str
    criteria: str
    amount_per_recipient: int | None
    level_amounts: dict[str, int]
    budget: int | None
    note: str | None
    recipients: int
    total: int
    paid: int
    vouchers: list[str]

    @property
    def unpaid(self) -> int:
        return self.total - self.paid

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "unpaid": self.unpaid}


@dataclass(frozen=True)
class ProgrammeRecipient:
    """One recipient to add: a person of the registry or a typed name.

    ``amount`` None takes the programme's amount (per recipient, or for ``level``).
    """

    person_id: int | None = None
    name: str = ""
    level: str | None = None
    school_class: str = ""
    amount: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class Duplicate:
    """A recipient already on another programme of the same school year."""

    name: str
    programmes: list[str]


@dataclass(frozen=True)
class AddResult:
    added: int
    total: int
    duplicates: list[Duplicate]

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class RecipientRow:
    """A recipient of a programme, as listed and printed."""

    award_id: int
    person_id: int | None
    name: str
    level: str | None
    school_class: str
    amount: int
    reason: str
    voucher: str | None  # the payment that paid it; None while unpaid
    also_in: list[str]  # other programmes of the same school year

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


# --- programmes --------------------------------------------------------------------


def _check_input(data: ProgrammeInput) -> tuple[AwardKind, str, dict[str, int]]:
    try:
        kind = AwardKind(data.kind)
    except ValueError as exc:
        raise ValidationError("Loại phải là học bổng hoặc khen thưởng.", "kind") from exc
    name = vntext.normalise(data.name or "")
    if not name:
        raise ValidationError("Cần tên chương trình (vd. Học bổng năm học 2026–2027).", "name")
    if not 1990 <= data.school_year <= 2200:
        raise ValidationError(f"Năm học {data.school_year} không hợp lệ.", "school_year")
    levels: dict[str, int] = {}
    for label, amount in data.level_amounts.items():
        key = vntext.normalise(label)
        if not key:
            raise ValidationError("Mức thưởng cần có tên (vd. Giải nhất).", "level_amounts")
        levels[key] = check_amount(amount)
    if data.amount_per_recipient is not None:
        check_amount(data.amount_per_recipient)
    if data.budget is not None:
        check_amount(data.budget)
    return kind, name, levels


def create_programme(db: Database, data: ProgrammeInput) -> int:
    kind, name, levels = _check_input(data)
    with db.session() as s:
        taken = s.scalar(
            select(FundProgramme.id).where(
                FundProgramme.deleted.is_(False),
                FundProgramme.school_year == data.school_year,
                FundProgramme.name == name,
            )
        )
        if taken is not None:
            raise ValidationError(
                f"Năm học {school_year_label(data.school_year)} đã có chương trình “{name}”.",
                "name",
            )
        obj = FundProgramme(
            name=name,
            kind=kind.value,
            school_year=data.school_year,
            criteria=vntext.normalise(data.criteria or ""),
            amount_per_recipient=data.amount_per_recipient,
            level_amounts=json.dumps(levels, ensure_ascii=False) if levels else None,
            budget=data.budget,
            note=vntext.normalise_optional(data.note),
        )
        s.add(obj)
        s.flush()
        return obj.id


def update_programme(db: Database, programme_id: int, data: ProgrammeInput) -> None:
    """Change a programme; its awards follow a new name. The kind cannot change once
    someone has been paid (the payment's category says scholarship or award)."""
    kind, name, levels = _check_input(data)
    with db.session() as s:
        obj = _programme(s, programme_id)
        if kind.value != obj.kind and _paid_total(s, programme_id):
            raise ValidationError("Chương trình đã chi tiền: không đổi loại được.", "kind")
        if name != obj.name or kind.value != obj.kind:
            for award in s.scalars(select(Award).where(Award.programme_id == programme_id)):
                award.programme, award.kind = name, kind.value
        obj.name, obj.kind, obj.school_year = name, kind.value, data.school_year
        obj.criteria = vntext.normalise(data.criteria or "")
        obj.amount_per_recipient = data.amount_per_recipient
        obj.level_amounts = json.dumps(levels, ensure_ascii=False) if levels else None
        obj.budget = data.budget
        obj.note = vntext.normalise_optional(data.note)


def _programme(s: Session, programme_id: int) -> FundProgramme:
    obj = s.get(FundProgramme, programme_id)
    if obj is None or obj.deleted:
        raise NotFoundError(f"Không tìm thấy chương trình mã {programme_id}.")
    return obj


def _levels(obj: FundProgramme) -> dict[str, int]:
    if not obj.level_amounts:
        return {}
    data = json.loads(obj.level_amounts)
    return {str(k): int(v) for k, v in data.items()}


def _paid_filter() -> ColumnElement[bool]:
    return FundEntry.cancelled.is_(False) & FundEntry.deleted.is_(False)


def _paid_total(s: Session, programme_id: int) -> int:
    return int(
        s.scalar(
            select(func.coalesce(func.sum(Award.amount), 0))
            .join(FundEntry, FundEntry.id == Award.payment_id)
            .where(Award.programme_id == programme_id, Award.deleted.is_(False), _paid_filter())
        )
        or 0
    )


def _view(s: Session, obj: FundProgramme) -> ProgrammeView:
    count, total = s.execute(
        select(func.count(), func.coalesce(func.sum(Award.amount), 0)).where(
            Award.programme_id == obj.id, Award.deleted.is_(False)
        )
    ).one()
    vouchers = s.execute(
        select(FundEntry.kind, FundEntry.year, FundEntry.number)
        .join(Award, Award.payment_id == FundEntry.id)
        .where(Award.programme_id == obj.id, Award.deleted.is_(False), _paid_filter())
        .distinct()
        .order_by(FundEntry.year, FundEntry.number)
    ).all()
    return ProgrammeView(
        id=obj.id,
        name=obj.name,
        kind=obj.kind,
        kind_label=AWARD_KIND_LABELS.get(AwardKind(obj.kind), obj.kind),
        school_year=obj.school_year,
        school_year_label=school_year_label(obj.school_year),
        criteria=obj.criteria,
        amount_per_recipient=obj.amount_per_recipient,
        level_amounts=_levels(obj),
        budget=obj.budget,
        note=obj.note,
        recipients=int(count),
        total=int(total),
        paid=_paid_total(s, obj.id),
        vouchers=[voucher_no(k, y, n) for k, y, n in vouchers],
    )


def get_programme(db: Database, programme_id: int) -> ProgrammeView:
    with db.session() as s:
        return _view(s, _programme(s, programme_id))


def find_programme(db: Database, key: str) -> ProgrammeView:
    """A programme by id ("12") or by name (exact, then a unique partial match)."""
    if key.strip().isdigit():
        return get_programme(db, int(key))
    wanted = vntext.fold(key)
    matches = [p for p in list_programmes(db) if vntext.fold(p.name) == wanted]
    matches = matches or [p for p in list_programmes(db) if wanted in vntext.fold(p.name)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFoundError(f"Không tìm thấy chương trình “{key}”.")
    names = "; ".join(f"{p.id}: {p.name} ({p.school_year_label})" for p in matches[:5])
    raise ValidationError(f"Có nhiều chương trình khớp “{key}”: {names}. Hãy ghi mã số.")


def list_programmes(db: Database, school_year: int | None = None) -> list[ProgrammeView]:
    """Programmes, newest school year first, then by name."""
    stmt = select(FundProgramme).where(FundProgramme.deleted.is_(False))
    if school_year is not None:
        stmt = stmt.where(FundProgramme.school_year == school_year)
    with db.session() as s:
        views = [_view(s, p) for p in s.scalars(stmt)]
    views.sort(key=lambda v: (-v.school_year, vntext.sort_key_plain(v.name)))
    return views


# --- recipients --------------------------------------------------------------------


def amount_for(programme: ProgrammeView, level: str | None) -> int:
    """The programme's amount for a recipient of ``level`` (a level label, or a
    school level code whose Vietnamese label is a key of the level map)."""
    levels = programme.level_amounts
    if level:
        label = vntext.normalise(level)
        if label in levels:
            return levels[label]
        try:
            school = SCHOOL_LEVEL_LABELS[SchoolLevel(label)]
        except ValueError:
            school = ""
        if school in levels:
            return levels[school]
    if programme.amount_per_recipient is not None:
        return programme.amount_per_recipient
    if levels:
        known = ", ".join(levels)
        raise ValidationError(f"Cần chọn mức ({known}) để biết số tiền.", "level")
    raise ValidationError("Chương trình chưa có số tiền mỗi suất: hãy ghi số tiền.", "amount")


def _others_same_year(
    s: Session, programme: FundProgramme, person_ids: list[int]
) -> dict[int, list[str]]:
    """person id → names of the other programmes of the same school year they are on."""
    if not person_ids:
        return {}
    rows = s.execute(
        select(Award.person_id, FundProgramme.name)
        .join(FundProgramme, FundProgramme.id == Award.programme_id)
        .where(
            Award.deleted.is_(False),
            Award.person_id.in_(person_ids),
            FundProgramme.deleted.is_(False),
            FundProgramme.school_year == programme.school_year,
            FundProgramme.id != programme.id,
        )
    ).all()
    out: dict[int, list[str]] = {}
    for pid, name in rows:
        if pid is not None and name not in out.setdefault(pid, []):
            out[pid].append(name)
    return out


def _new_award(
    s: Session, programme: FundProgramme, view: ProgrammeView, r: ProgrammeRecipient, index: int
) -> Award:
    name = vntext.normalise_name(r.name or "")
    level = vntext.normalise_optional(r.level)
    school_level: str | None = None
    if r.person_id is not None:
        person = s.get(Person, r.person_id)
        if person is None or person.deleted:
            raise ValidationError(f"Dòng {index}: không tìm thấy nhân khẩu mã {r.person_id}.")
        name = name or person.full_name
        school_level = person.school_level
    if not name:
        raise ValidationError(f"Dòng {index}: cần tên người nhận.", "recipients")
    try:
        amount = r.amount if r.amount is not None else amount_for(view, level or school_level)
        check_amount(amount)
    except ValidationError as exc:
        raise ValidationError(f"Dòng {index} ({name}): {exc}", "amount") from exc
    return Award(
        kind=programme.kind,
        programme=programme.name,
        programme_id=programme.id,
        year=programme.school_year,
        person_id=r.person_id,
        recipient_name=name,
        school_level=school_level,
        level=level,
        school_class=vntext.normalise(r.school_class or "") or None,
        amount=amount,
        reason=vntext.normalise(r.reason or ""),
    )


def add_recipients(
    db: Database, programme_id: int, recipients: Sequence[ProgrammeRecipient]
) -> AddResult:
    """Add recipients (unpaid) to a programme, in one transaction.

    Refused: a person twice in the same programme, a total over the budget.
    Flagged: people already on another programme of the same school year.
    """
    if not recipients:
        raise ValidationError("Danh sách người nhận đang trống.", "recipients")
    with db.session() as s:
        programme = _programme(s, programme_id)
        view = _view(s, programme)
        rows = [_new_award(s, programme, view, r, i) for i, r in enumerate(recipients, start=1)]
        person_ids = [r.person_id for r in rows if r.person_id is not None]
        already = set(
            s.scalars(
                select(Award.person_id).where(
                    Award.programme_id == programme.id,
                    Award.deleted.is_(False),
                    Award.person_id.in_(person_ids),
                )
            )
        )
        seen: set[int] = set()
        for row in rows:
            if row.person_id is None:
                continue
            if row.person_id in already or row.person_id in seen:
                raise ValidationError(
                    f"{row.recipient_name} đã có trong danh sách chương trình này.", "recipients"
                )
            seen.add(row.person_id)
        added = sum(r.amount for r in rows)
        if view.budget is not None and view.total + added > view.budget:
            left = max(0, view.budget - view.total)
            raise ValidationError(
                f"Vượt ngân sách chương trình ({format_money(view.budget)}): còn lại "
                f"{format_money(left)}, danh sách thêm {format_money(added)}.",
                "budget",
            )
        others = _others_same_year(s, programme, person_ids)
        duplicates = [
            Duplicate(r.recipient_name, others[r.person_id])
            for r in rows
            if r.person_id is not None and r.person_id in others
        ]
        s.add_all(rows)
        return AddResult(len(rows), added, duplicates)


def remove_recipient(db: Database, award_id: int) -> None:
    """Take an unpaid recipient off a programme's list (a paid one needs the payment
    cancelled first, so the ledger and the list always agree)."""
    with db.session() as s:
        award = s.get(Award, award_id)
        if award is None or award.deleted or award.programme_id is None:
            raise NotFoundError(f"Không tìm thấy người nhận mã {award_id}.")
        if award.payment_id is not None:
            payment = s.get(FundEntry, award.payment_id)
            if payment is not None and not payment.cancelled:
                raise ValidationError(
                    f"{award.recipient_name} đã được chi tiền "
                    f"({voucher_no(payment.kind, payment.year, payment.number)}): "
                    "hãy hủy phiếu chi trước."
                )
        award.deleted = True
        award.deleted_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def recipients(db: Database, programme_id: int) -> list[RecipientRow]:
    """A programme's recipients in Vietnamese name order, with payment and flags."""
    with db.session() as s:
        programme = _programme(s, programme_id)
        pairs = s.execute(
            select(Award, FundEntry)
            .outerjoin(FundEntry, FundEntry.id == Award.payment_id)
            .where(Award.programme_id == programme_id, Award.deleted.is_(False))
        ).all()
        person_ids = [a.person_id for a, _ in pairs if a.person_id is not None]
        others = _others_same_year(s, programme, person_ids)
        out = [
            RecipientRow(
                award_id=a.id,
                person_id=a.person_id,
                name=a.recipient_name,
                level=a.level,
                school_class=a.school_class or "",
                amount=a.amount,
                reason=a.reason,
                voucher=(
                    voucher_no(e.kind, e.year, e.number)
                    if e is not None and not e.cancelled
                    else None
                ),
                also_in=others.get(a.person_id, []) if a.person_id is not None else [],
            )
            for a, e in pairs
        ]
    out.sort(key=lambda r: vntext.sort_key(r.name))
    return out


def post_programme(db: Database, programme_id: int, on: dt.date | None = None) -> GrantResult:
    """Pay the programme's unpaid recipients: exactly one payment for their total."""
    day = on or dt.date.today()
    with db.session() as s:
        programme = _programme(s, programme_id)
        rows = list(
            s.scalars(
                select(Award)
                .outerjoin(FundEntry, FundEntry.id == Award.payment_id)
                .where(
                    Award.programme_id == programme_id,
                    Award.deleted.is_(False),
                    or_(Award.payment_id.is_(None), FundEntry.cancelled.is_(True)),
                )
                .order_by(Award.id)
            )
        )
        if not rows:
            raise ValidationError("Chương trình không còn ai chưa được chi tiền.")
        for row in rows:
            row.year = day.year  # awards count in the fund report of the year paid
        payment = post_award_payment(s, AwardKind(programme.kind), programme.name, rows, day)
        return GrantResult(payment.id, len(rows), payment.amount, [])


# --- choosing recipients from the registry -----------------------------------------


@dataclass(frozen=True)
class CandidateFilter:
    """Who may be chosen: by default everyone studying; ages are reached in the
    programme's school year (school year 2026 → born 2014 is 12)."""

    studying: bool = True
    min_age: int | None = None
    max_age: int | None = None
    school_levels: tuple[str, ...] = ()
    hamlet_id: int | None = None
    search: str | None = None
    # Household circumstances (Circumstance values), any of them; () = no filter.
    circumstances: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProgrammeCandidate:
    person_id: int
    full_name: str
    birth_year: int | None
    age: int | None
    school_level: str | None
    school_level_label: str
    hamlet: str
    on_this_programme: bool
    other_programmes: list[str]
    circumstance: str = ""
    circumstance_label: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def candidates(
    db: Database, programme_id: int, filt: CandidateFilter | None = None, limit: int = 2000
) -> list[ProgrammeCandidate]:
    """People of the registry matching the filter, in Vietnamese name order, flagged
    when already on this programme or another one of the same school year."""
    f = filt or CandidateFilter()
    with db.session() as s:
        programme = _programme(s, programme_id)
        year = programme.school_year
        stmt = (
            select(
                Person.id,
                Person.full_name,
                Person.birth_year,
                Person.school_level,
                Hamlet.name,
                Household.circumstance,
            )
            .outerjoin(Household, Household.id == Person.household_id)
            .outerjoin(Hamlet, Hamlet.id == Household.hamlet_id)
            .where(Person.deleted.is_(False))
        )
        if f.studying:
            stmt = stmt.where(Person.is_studying.is_(True))
        if f.min_age is not None:
            stmt = stmt.where(Person.birth_year <= year - f.min_age)
        if f.max_age is not None:
            stmt = stmt.where(Person.birth_year >= year - f.max_age)
        if f.school_levels:
            stmt = stmt.where(Person.school_level.in_(f.school_levels))
        if f.hamlet_id is not None:
            stmt = stmt.where(Household.hamlet_id == f.hamlet_id)
        if f.circumstances:
            stmt = stmt.where(Household.circumstance.in_(check_circumstances(f.circumstances)))
        for word in vntext.fold_query(f.search):
            stmt = stmt.where(Person.name_folded.like(f"%{word}%"))
        rows = s.execute(stmt.order_by(Person.sort_key).limit(limit)).all()
        ids = [r[0] for r in rows]
        here = set(
            s.scalars(
                select(Award.person_id).where(
                    Award.programme_id == programme_id,
                    Award.deleted.is_(False),
                    Award.person_id.in_(ids),
                )
            )
        )
        others = _others_same_year(s, programme, ids)
    return [
        ProgrammeCandidate(
            person_id=pid,
            full_name=name,
            birth_year=born,
            age=year - born if born else None,
            school_level=level,
            school_level_label=_level_label(level),
            hamlet=hamlet or "",
            on_this_programme=pid in here,
            other_programmes=others.get(pid, []),
            circumstance=circumstance or "",
            circumstance_label=circumstance_label(circumstance),
        )
        for pid, name, born, level, hamlet, circumstance in rows
    ]


def check_circumstances(values: Sequence[str]) -> list[str]:
    """Circumstance values for a filter; an unknown one is refused with the choices."""
    out = []
    for value in values:
        try:
            out.append(Circumstance(value).value)
        except ValueError:
            known = ", ".join(f"{c.value} ({c.label})" for c in Circumstance if c.value)
            raise ValidationError(
                f"Hoàn cảnh “{value}” không có. Chọn: {known}.", "circumstances"
            ) from None
    return out


def circumstance_label(value: str | None) -> str:
    """The label of a household's circumstances; blank for an ordinary household
    (or a person with no household)."""
    if not value:
        return ""
    try:
        return CIRCUMSTANCE_LABELS[Circumstance(value)]
    except ValueError:
        return value


def _level_label(level: str | None) -> str:
    if not level:
        return ""
    try:
        return SCHOOL_LEVEL_LABELS[SchoolLevel(level)]
    except ValueError:
        return level
