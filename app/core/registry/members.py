"""The association: branches (chi hội) and members (hội viên).

A member is a person of the household registry (``person_id``) or an outsider
typed in by name. A card number is given once; a person is a member once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core import text as vntext
from app.core.dates import PartialDate, check_birth, parse_partial_date
from app.core.db import Database
from app.core.errors import ValidationError
from app.core.models import Branch, BranchKind, Hamlet, Member, MemberRole, Person, Unit
from app.core.registry.common import (
    check_length,
    create_row,
    delete_row,
    get_optional,
    get_row,
    name_taken,
    require_text,
    soft_delete,
    undelete,
    update_row,
)
from app.core.registry.people import clean_gender, clean_phone

_CARD_NUMBER = re.compile(r"^(.*?)(\d+)$")

# --- branches -----------------------------------------------------------------------


@dataclass
class BranchInput:
    name: str
    kind: str = BranchKind.HAMLET.value
    hamlet_id: int | None = None
    unit_id: int | None = None
    note: str | None = None


def _apply_branch(s: Session, obj: Branch, data: BranchInput) -> None:
    name = require_text(vntext.normalise(data.name), "Tên chi hội không được để trống.", "name")
    check_length(name, 200, "Tên chi hội", "name")
    try:
        kind = BranchKind(data.kind).value
    except ValueError:
        raise ValidationError(f"Loại chi hội “{data.kind}” không hợp lệ.", "kind") from None
    get_optional(s, Hamlet, data.hamlet_id)
    get_optional(s, Unit, data.unit_id)
    if name_taken(s, Branch, name, obj.id):
        raise ValidationError(f"Đã có chi hội “{name}”.", "name")
    obj.name = name
    obj.kind = kind
    obj.hamlet_id = data.hamlet_id if kind == BranchKind.HAMLET.value else None
    obj.unit_id = data.unit_id if kind == BranchKind.UNIT.value else None
    obj.note = vntext.normalise_optional(data.note)
    obj.sort_key = vntext.sort_key_plain(name)


def create_branch(db: Database, data: BranchInput) -> int:
    return create_row(db, Branch, _apply_branch, data)


def update_branch(
    db: Database, branch_id: int, data: BranchInput, expected_revision: int | None = None
) -> None:
    update_row(db, Branch, branch_id, _apply_branch, data, expected_revision)


def delete_branch(db: Database, branch_id: int) -> None:
    with db.session() as s:
        obj = get_row(s, Branch, branch_id)
        live = s.scalar(
            select(func.count())
            .select_from(Member)
            .where(Member.branch_id == branch_id, Member.deleted.is_(False))
        )
        if live:
            raise ValidationError(
                f"Chi hội “{obj.name}” còn {live} hội viên. Hãy chuyển hội viên sang chi hội khác trước."
            )
        soft_delete(obj)


def restore_branch(db: Database, branch_id: int) -> None:
    with db.session() as s:
        obj = get_row(s, Branch, branch_id, live=False)
        if name_taken(s, Branch, obj.name, obj.id):
            raise ValidationError(f"Đã có chi hội “{obj.name}”; không khôi phục được.", "name")
        undelete(obj)


def branch_choices(db: Database) -> list[tuple[int, str]]:
    with db.session() as s:
        rows = s.execute(
            select(Branch.id, Branch.name)
            .where(Branch.deleted.is_(False))
            .order_by(Branch.sort_key)
        ).all()
    return [(r[0], r[1]) for r in rows]


@dataclass(frozen=True)
class BranchView:
    id: int
    uuid: str
    revision: int
    name: str
    kind: str
    hamlet_id: int | None
    unit_id: int | None
    note: str | None
    member_count: int
    deleted: bool


def get_branch(db: Database, branch_id: int) -> BranchView:
    with db.session() as s:
        o = get_row(s, Branch, branch_id, live=False)
        count = s.scalar(
            select(func.count())
            .select_from(Member)
            .where(Member.branch_id == branch_id, Member.deleted.is_(False))
        )
        return BranchView(
            o.id,
            o.uuid,
            o.revision,
            o.name,
            o.kind,
            o.hamlet_id,
            o.unit_id,
            o.note,
            int(count or 0),
            o.deleted,
        )


# --- members ------------------------------------------------------------------------


@dataclass
class MemberInput:
    """A member: link ``person_id`` to a registry person, or give the outsider's details."""

    branch_id: int | None
    person_id: int | None = None
    full_name: str | None = None
    gender: str | None = None
    birth_year: int | None = None
    phone: str | None = None
    address: str | None = None
    card_number: str | None = None
    join_date: dt.date | str | None = None
    role: str = MemberRole.MEMBER.value
    dues_paid_year: int | None = None
    leave_date: dt.date | str | None = None
    leave_reason: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class MemberView:
    id: int
    uuid: str
    revision: int
    person_id: int | None
    branch_id: int | None
    full_name: str
    gender: str | None
    birth_year: int | None
    phone: str | None
    address: str | None
    card_number: str | None
    join_date: dt.date | None
    role: str
    dues_paid_year: int | None
    leave_date: dt.date | None
    leave_reason: str | None
    note: str | None
    deleted: bool


def _full_date(value: dt.date | str | None, what: str, field: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    parsed = parse_partial_date(value)
    if parsed is None:
        return None
    if parsed.date is None:
        raise ValidationError(f"{what} cần đủ ngày/tháng/năm.", field)
    return parsed.date


def _apply_member(s: Session, obj: Member, data: MemberInput) -> None:
    today = dt.date.today()
    get_optional(s, Branch, data.branch_id)
    try:
        role = MemberRole(data.role).value
    except ValueError:
        raise ValidationError(f"Chức vụ “{data.role}” không hợp lệ.", "role") from None
    card = vntext.normalise_optional(data.card_number)
    check_length(card, 40, "Số thẻ hội viên", "card_number")
    join_date = _full_date(data.join_date, "Ngày vào Hội", "join_date")
    leave_date = _full_date(data.leave_date, "Ngày ra khỏi Hội", "leave_date")
    if join_date and join_date > today:
        raise ValidationError("Ngày vào Hội nằm trong tương lai.", "join_date")
    if join_date and leave_date and leave_date < join_date:
        raise ValidationError("Ngày ra khỏi Hội trước ngày vào Hội.", "leave_date")
    if data.dues_paid_year is not None and not 1990 <= data.dues_paid_year <= today.year + 1:
        raise ValidationError(
            f"Năm đóng hội phí {data.dues_paid_year} không hợp lý.", "dues_paid_year"
        )
    if card:
        clash = s.execute(
            select(Member.id, Member.full_name).where(
                Member.card_number == card, Member.deleted.is_(False), Member.id != (obj.id or 0)
            )
        ).first()
        if clash:
            raise ValidationError(
                f"Số thẻ {card} đã được cấp cho hội viên {clash.full_name}.", "card_number"
            )
    if data.person_id is not None:
        person = get_row(s, Person, data.person_id)
        already = s.scalar(
            select(Member.id).where(
                Member.person_id == person.id, Member.deleted.is_(False), Member.id != (obj.id or 0)
            )
        )
        if already:
            raise ValidationError(f"{person.full_name} đã là hội viên.", "person_id")
        name, gender, birth_year = person.full_name, person.gender, person.birth_year
        phone = clean_phone(data.phone) or person.phone
    else:
        name = require_text(
            vntext.normalise_name(data.full_name),
            "Họ tên hội viên không được để trống.",
            "full_name",
        )
        gender = clean_gender(data.gender)
        birth_year = data.birth_year
        if birth_year is not None:
            check_birth(PartialDate(birth_year), today)
        phone = clean_phone(data.phone)
    obj.person_id = data.person_id
    obj.branch_id = data.branch_id
    obj.full_name = name
    obj.gender = gender
    obj.birth_year = birth_year
    obj.phone = phone
    obj.address = vntext.normalise_optional(data.address)
    obj.card_number = card
    obj.join_date = join_date
    obj.role = role
    obj.dues_paid_year = data.dues_paid_year
    obj.leave_date = leave_date
    obj.leave_reason = vntext.normalise_optional(data.leave_reason)
    obj.note = vntext.normalise_optional(data.note)
    obj.search_text = vntext.search_blob(name, card, phone)
    obj.sort_key = vntext.sort_key(name)


def create_member(db: Database, data: MemberInput) -> int:
    return create_row(db, Member, _apply_member, data)


def update_member(
    db: Database, member_id: int, data: MemberInput, expected_revision: int | None = None
) -> None:
    update_row(db, Member, member_id, _apply_member, data, expected_revision)


def delete_member(db: Database, member_id: int) -> None:
    delete_row(db, Member, member_id)


def restore_member(db: Database, member_id: int) -> None:
    with db.session() as s:
        obj = get_row(s, Member, member_id, live=False)
        if obj.card_number:
            clash = s.scalar(
                select(Member.full_name).where(
                    Member.card_number == obj.card_number,
                    Member.deleted.is_(False),
                    Member.id != obj.id,
                )
            )
            if clash:
                raise ValidationError(
                    f"Số thẻ {obj.card_number} hiện đã cấp cho {clash}; không khôi phục được."
                )
        # A person is a member once: they may have joined again after this row was deleted.
        if obj.person_id is not None:
            again = s.scalar(
                select(Member.id).where(
                    Member.person_id == obj.person_id,
                    Member.deleted.is_(False),
                    Member.id != obj.id,
                )
            )
            if again:
                raise ValidationError(
                    f"{obj.full_name} đã là hội viên (hồ sơ khác); không khôi phục được.",
                    "person_id",
                )
        undelete(obj)


def get_member(db: Database, member_id: int) -> MemberView:
    with db.session() as s:
        o = get_row(s, Member, member_id, live=False)
        return MemberView(
            id=o.id,
            uuid=o.uuid,
            revision=o.revision,
            person_id=o.person_id,
            branch_id=o.branch_id,
            full_name=o.full_name,
            gender=o.gender,
            birth_year=o.birth_year,
            phone=o.phone,
            address=o.address,
            card_number=o.card_number,
            join_date=o.join_date,
            role=o.role,
            dues_paid_year=o.dues_paid_year,
            leave_date=o.leave_date,
            leave_reason=o.leave_reason,
            note=o.note,
            deleted=o.deleted,
        )


def next_card_number(db: Database) -> str:
    """A suggestion for a new card: the commonest numbering ("HV00123") plus one.

    Cards are split into a prefix and a trailing number; the prefix most cards
    share wins, and the suggestion keeps its width ("HV00124").
    """
    with db.session() as s:
        cards = list(s.scalars(select(Member.card_number).where(Member.card_number.is_not(None))))
    numbered: dict[str, list[tuple[int, int]]] = {}
    for card in cards:
        match = _CARD_NUMBER.match(card or "")
        if match:
            numbered.setdefault(match.group(1), []).append(
                (int(match.group(2)), len(match.group(2)))
            )
    if not numbered:
        return "00001"
    prefix = max(numbered, key=lambda p: len(numbered[p]))
    highest, width = max(numbered[prefix])
    return f"{prefix}{highest + 1:0{width}d}"
