"""Scholarships and awards (học bổng, khen thưởng) given to people, paid from the fund.

A list of recipients is granted in one go: one payment (phiếu chi) for the total is
posted to the ledger and every award row points to it, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core import text as vntext
from app.core.db import Database
from app.core.errors import ValidationError
from app.core.fund.ledger import EntryInput, add_entry_in, check_amount, voucher_no
from app.core.models import Award, FundEntry, Person
from app.core.models.fund import AWARD_KIND_LABELS, AwardKind, EntryKind


@dataclass(frozen=True)
class Recipient:
    """One recipient: a person of the registry (``person_id``) or a typed name."""

    amount: int
    person_id: int | None = None
    name: str = ""
    school_level: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class GrantResult:
    payment_id: int
    recipients: int
    total: int
    duplicates: list[str]


@dataclass(frozen=True)
class AwardView:
    id: int
    kind: str
    kind_label: str
    programme: str
    year: int
    person_id: int | None
    recipient_name: str
    school_level: str | None
    amount: int
    reason: str
    payment_voucher: str | None
    programme_id: int | None = None
    level: str | None = None
    school_class: str | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def grant_awards(
    db: Database,
    kind: str,
    programme: str,
    year: int,
    recipients: list[Recipient],
    on: dt.date | None = None,
) -> GrantResult:
    """Grant a list of scholarships or awards; posts exactly one payment for the total.

    People who already got something in ``year`` (any programme) are reported in
    ``duplicates`` (flagged, not refused: a pupil may win a prize and a scholarship).
    """
    try:
        award_kind = AwardKind(kind)
    except ValueError as exc:
        raise ValidationError("Loại phải là học bổng hoặc khen thưởng.", "kind") from exc
    programme = vntext.normalise(programme or "")
    if not programme:
        raise ValidationError("Cần tên chương trình (vd. Học bổng năm học 2026–2027).", "programme")
    if not recipients:
        raise ValidationError("Danh sách người nhận đang trống.", "recipients")
    day = on or dt.date.today()
    with db.session() as s:
        rows: list[Award] = []
        for index, r in enumerate(recipients, start=1):
            check_amount(r.amount)
            name = vntext.normalise(r.name or "")
            level = r.school_level
            if r.person_id is not None:
                person = s.get(Person, r.person_id)
                if person is None or person.deleted:
                    raise ValidationError(
                        f"Dòng {index}: không tìm thấy nhân khẩu mã {r.person_id}."
                    )
                name = name or person.full_name
                level = level or person.school_level
            if not name:
                raise ValidationError(f"Dòng {index}: cần tên người nhận.", "recipients")
            rows.append(
                Award(
                    kind=award_kind.value,
                    programme=programme,
                    year=year,
                    person_id=r.person_id,
                    recipient_name=name,
                    school_level=level,
                    amount=r.amount,
                    reason=vntext.normalise(r.reason or ""),
                )
            )
        person_ids = [r.person_id for r in rows if r.person_id is not None]
        earlier = set(
            s.scalars(
                select(Award.person_id).where(
                    Award.year == year, Award.deleted.is_(False), Award.person_id.in_(person_ids)
                )
            )
        )
        seen: set[int] = set()
        duplicates: list[str] = []
        for row in rows:
            if row.person_id is None:
                continue
            if row.person_id in earlier or row.person_id in seen:
                duplicates.append(row.recipient_name)
            seen.add(row.person_id)
        payment = post_award_payment(s, award_kind, programme, rows, day)
        total = payment.amount
        return GrantResult(payment.id, len(rows), total, duplicates)


def post_award_payment(
    s: Session, kind: AwardKind, programme: str, rows: list[Award], day: dt.date
) -> FundEntry:
    """Post one payment (phiếu chi) for the total of ``rows`` and link every row to it."""
    label = AWARD_KIND_LABELS[kind]
    payment = add_entry_in(
        s,
        EntryInput(
            kind=EntryKind.PAYMENT.value,
            entry_date=day,
            amount=sum(r.amount for r in rows),
            category=kind.value,
            party_name=f"{len(rows)} người nhận ({label.lower()})",
            purpose=f"{programme} ({len(rows)} suất)",
        ),
    )
    for row in rows:
        row.payment_id = payment.id
        s.add(row)
    return payment


def list_awards(
    db: Database,
    year: int | None = None,
    kind: str | None = None,
    person_ids: list[int] | None = None,
) -> list[AwardView]:
    """Awards (of a year, a kind, some people), cancelled payments excluded, by
    programme then name order. Listed but not yet paid awards of a programme are
    included, with ``payment_voucher`` None."""
    stmt = (
        select(Award, FundEntry)
        .outerjoin(FundEntry, FundEntry.id == Award.payment_id)
        .where(Award.deleted.is_(False))
        .where((FundEntry.id.is_(None)) | (FundEntry.cancelled.is_(False)))
    )
    if year is not None:
        stmt = stmt.where(Award.year == year)
    if kind:
        stmt = stmt.where(Award.kind == kind)
    if person_ids is not None:
        stmt = stmt.where(Award.person_id.in_(person_ids))
    with db.session() as s:
        out = [
            AwardView(
                id=a.id,
                kind=a.kind,
                kind_label=AWARD_KIND_LABELS.get(AwardKind(a.kind), a.kind),
                programme=a.programme,
                year=a.year,
                person_id=a.person_id,
                recipient_name=a.recipient_name,
                school_level=a.school_level,
                amount=a.amount,
                reason=a.reason,
                payment_voucher=voucher_no(e.kind, e.year, e.number) if e else None,
                programme_id=a.programme_id,
                level=a.level,
                school_class=a.school_class,
            )
            for a, e in s.execute(stmt).all()
        ]
    out.sort(key=lambda v: (v.programme, vntext.sort_key(v.recipient_name)))
    return out


def awards_of_person(db: Database, person_id: int) -> list[AwardView]:
    """What a person received (for the person's card)."""
    return list_awards(db, person_ids=[person_id])


def awards_of_household(db: Database, household_id: int) -> list[AwardView]:
    """What the people of a household received, newest year first (for the household card)."""
    with db.session() as s:
        ids = list(s.scalars(select(Person.id).where(Person.household_id == household_id)))
    found = list_awards(db, person_ids=ids) if ids else []
    found.sort(key=lambda a: (-a.year, vntext.sort_key(a.recipient_name)))
    return found


def award_lines(found: list[AwardView]) -> list[str]:
    """One readable line per award: "2025 — Trần Văn An: Học bổng … (500.000 đ, PC-2025-0003)"."""
    from app.core.fund.words import format_money

    return [
        f"{a.year} — {a.recipient_name}: {a.programme or a.kind_label}"
        f"{f' ({a.level})' if a.level else ''} ({format_money(a.amount)}, "
        f"{a.payment_voucher or 'chưa chi'})"
        for a in found
    ]


def award_totals(db: Database, year: int) -> dict[str, dict[str, int]]:
    """{"scholarship": {"count": n, "amount": đ}, "award": {...}} for a year."""
    stmt = (
        select(Award.kind, func.count(), func.coalesce(func.sum(Award.amount), 0))
        .join(FundEntry, FundEntry.id == Award.payment_id)
        .where(Award.year == year, Award.deleted.is_(False), FundEntry.cancelled.is_(False))
        .group_by(Award.kind)
    )
    totals = {k.value: {"count": 0, "amount": 0} for k in AwardKind}
    with db.session() as s:
        for kind, count, amount in s.execute(stmt).all():
            totals[kind] = {"count": int(count), "amount": int(amount)}
    return totals


@dataclass(frozen=True)
class Candidate:
    """A studying person who could receive a scholarship or award."""

    person_id: int
    full_name: str
    birth_year: int | None
    school_level: str | None
    awarded_this_year: bool


def candidates(db: Database, year: int, search: str | None = None) -> list[Candidate]:
    """Studying people (live), in Vietnamese name order, flagged if already given something."""
    stmt = select(Person.id, Person.full_name, Person.birth_year, Person.school_level).where(
        Person.deleted.is_(False), Person.is_studying.is_(True)
    )
    if search:
        stmt = stmt.where(Person.name_folded.like(f"%{vntext.fold(search)}%"))
    with db.session() as s:
        rows = s.execute(stmt.order_by(Person.sort_key)).all()
        awarded = set(
            s.scalars(select(Award.person_id).where(Award.year == year, Award.deleted.is_(False)))
        )
    return [Candidate(pid, name, born, level, pid in awarded) for pid, name, born, level in rows]
