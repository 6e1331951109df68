"""Membership dues (hội phí): who paid which year, posted to the fund as one receipt.

Recording dues for members in one go writes one receipt (phiếu thu) for the total,
one ``DuesPayment`` per member linked to it, and moves each member's
``dues_paid_year`` forward to the year paid — all in one transaction.
Cancelling that receipt (``ledger.cancel_entry``) moves it back to the latest year
still paid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.db import Database
from app.core.errors import ValidationError
from app.core.fund.ledger import EntryInput, add_entry_in, check_amount
from app.core.models import Branch, DuesPayment, FundEntry, Member
from app.core.models.fund import EntryKind

NO_BRANCH = "(Chưa có chi hội)"


@dataclass(frozen=True)
class DuesResult:
    receipt_id: int
    members: int
    total: int


@dataclass(frozen=True)
class MemberDues:
    member_id: int
    full_name: str
    branch_id: int | None
    paid: bool
    amount: int


@dataclass
class BranchDues:
    branch_id: int | None
    branch_name: str
    members: int = 0
    paid: int = 0
    collected: int = 0
    people: list[MemberDues] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("people")
        return data


def _paid_ids(session: Session, year: int, member_ids: list[int] | None = None) -> set[int]:
    stmt = (
        select(DuesPayment.member_id)
        .join(FundEntry, FundEntry.id == DuesPayment.receipt_id)
        .where(
            DuesPayment.year == year,
            DuesPayment.deleted.is_(False),
            FundEntry.cancelled.is_(False),
        )
    )
    if member_ids is not None:
        stmt = stmt.where(DuesPayment.member_id.in_(member_ids))
    return set(session.scalars(stmt))


def pay_dues(
    db: Database,
    member_ids: list[int],
    year: int,
    amount_each: int,
    on: dt.date | None = None,
    collector: str = "",
) -> DuesResult:
    """Record ``year``'s dues for the members; refuses a member who already paid that year."""
    ids = sorted(set(member_ids))
    if not ids:
        raise ValidationError("Chưa chọn hội viên nào.", "member_ids")
    check_amount(amount_each)
    day = on or dt.date.today()
    if not 1990 <= year <= day.year + 1:
        raise ValidationError(f"Năm hội phí {year} không hợp lý.", "year")
    with db.session() as s:
        members = {m.id: m for m in s.scalars(select(Member).where(Member.id.in_(ids)))}
        missing = [i for i in ids if i not in members or members[i].deleted]
        if missing:
            raise ValidationError(f"Không tìm thấy hội viên mã {missing[0]}.", "member_ids")
        already = _paid_ids(s, year, ids)
        if already:
            names = ", ".join(members[i].full_name for i in sorted(already)[:3])
            raise ValidationError(
                f"{len(already)} hội viên đã đóng hội phí năm {year} ({names}…).", "member_ids"
            )
        first = members[ids[0]]
        total = amount_each * len(ids)
        who = first.full_name if len(ids) == 1 else (collector or f"{len(ids)} hội viên")
        receipt = add_entry_in(
            s,
            EntryInput(
                kind=EntryKind.RECEIPT.value,
                entry_date=day,
                amount=total,
                category="dues",
                party_name=who,
                member_id=first.id if len(ids) == 1 else None,
                purpose=f"Thu hội phí năm {year} ({len(ids)} hội viên)",
            ),
        )
        for member_id in ids:
            s.add(
                DuesPayment(
                    member_id=member_id, year=year, amount=amount_each, receipt_id=receipt.id
                )
            )
            member = members[member_id]
            member.dues_paid_year = max(member.dues_paid_year or 0, year)
        return DuesResult(receipt.id, len(ids), total)


def dues_status(db: Database, year: int, branch_id: int | None = None) -> list[BranchDues]:
    """Per branch: active members, how many paid ``year``, the sum collected, and who."""
    with db.session() as s:
        branches = {
            b.id: b.name for b in s.scalars(select(Branch).where(Branch.deleted.is_(False)))
        }
        stmt = select(Member.id, Member.full_name, Member.branch_id, Member.sort_key).where(
            Member.deleted.is_(False), Member.leave_date.is_(None)
        )
        if branch_id is not None:
            stmt = stmt.where(Member.branch_id == branch_id)
        rows = s.execute(stmt.order_by(Member.sort_key)).all()
        amounts = dict(
            s.execute(
                select(DuesPayment.member_id, DuesPayment.amount)
                .join(FundEntry, FundEntry.id == DuesPayment.receipt_id)
                .where(
                    DuesPayment.year == year,
                    DuesPayment.deleted.is_(False),
                    FundEntry.cancelled.is_(False),
                )
            ).all()
        )
    out: dict[int | None, BranchDues] = {}
    for member_id, name, b_id, _key in rows:
        group = out.get(b_id)
        if group is None:
            label = branches.get(b_id, NO_BRANCH) if b_id else NO_BRANCH
            group = out[b_id] = BranchDues(b_id, label)
        paid = member_id in amounts
        group.members += 1
        group.paid += int(paid)
        group.collected += int(amounts.get(member_id, 0))
        group.people.append(MemberDues(member_id, name, b_id, paid, int(amounts.get(member_id, 0))))
    return sorted(out.values(), key=lambda g: g.branch_name)
