"""Clans (dòng họ): name, branch (chi/nhánh), head, hall hamlet, member households."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core import text as vntext
from app.core.db import Database
from app.core.errors import ValidationError
from app.core.models import Clan, Hamlet, Household, Person
from app.core.registry.common import (
    check_length,
    create_row,
    delete_row,
    get_optional,
    get_row,
    name_taken,
    require_text,
    undelete,
    update_row,
)


@dataclass
class ClanInput:
    name: str
    branch: str | None = None
    head_person_id: int | None = None
    head_name: str | None = None
    hamlet_id: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class ClanView:
    id: int
    uuid: str
    revision: int
    name: str
    branch: str | None
    head_person_id: int | None
    head_name: str | None
    hamlet_id: int | None
    hamlet_names: list[str]
    household_ids: list[int] = field(default_factory=list)
    household_count: int = 0
    people_count: int = 0
    note: str | None = None
    deleted: bool = False


def clan_sort_key(name: str, branch: str | None) -> str:
    """Clans in Vietnamese order of their name, then of their branch ("Chi 1" < "Chi 2").

    Not the key of "name — branch": the dash sorts after every letter and put
    "Họ Hoàng — Chi 1" after "Họ Hoàng Danh".
    """
    return f"{vntext.sort_key_plain(name)}\x00{vntext.sort_key_plain(branch or '')}"


def _same_branch(branch: str | None) -> Any:
    """A clan is known by its name and branch: "Họ Nguyễn — Chi 2" may stand beside "Chi 1"."""
    return func.coalesce(func.vn_fold(Clan.branch), "") == vntext.fold(branch)


def _display_name(name: str, branch: str | None) -> str:
    return f"{name} — {branch}" if branch else name


def create_clan(db: Database, data: ClanInput) -> int:
    return create_row(db, Clan, _apply, data)


def update_clan(
    db: Database, clan_id: int, data: ClanInput, expected_revision: int | None = None
) -> None:
    update_row(db, Clan, clan_id, _apply, data, expected_revision)


def _apply(s: Session, obj: Clan, data: ClanInput) -> None:
    name = require_text(
        vntext.normalise_name(data.name), "Tên dòng họ không được để trống.", "name"
    )
    check_length(name, 200, "Tên dòng họ", "name")
    branch = vntext.normalise_optional(data.branch)
    get_optional(s, Hamlet, data.hamlet_id)
    head_name = vntext.normalise_name(data.head_name) or None
    if data.head_person_id is not None:
        head = get_row(s, Person, data.head_person_id)
        head_name = head.full_name
    if name_taken(s, Clan, name, obj.id, _same_branch(branch)):
        raise ValidationError(f"Đã có dòng họ “{_display_name(name, branch)}”.", "name")
    obj.name = name
    obj.branch = branch
    obj.head_person_id = data.head_person_id
    obj.head_name = head_name
    obj.hamlet_id = data.hamlet_id
    obj.note = vntext.normalise_optional(data.note)
    obj.search_text = vntext.search_blob(name, branch, head_name)
    obj.sort_key = clan_sort_key(name, branch)


def delete_clan(db: Database, clan_id: int) -> None:
    """Soft delete; member households keep their link so a restore brings it all back."""
    delete_row(db, Clan, clan_id)


def restore_clan(db: Database, clan_id: int) -> None:
    with db.session() as s:
        obj = get_row(s, Clan, clan_id, live=False)
        if name_taken(s, Clan, obj.name, obj.id, _same_branch(obj.branch)):
            raise ValidationError(
                f"Đã có dòng họ “{_display_name(obj.name, obj.branch)}”; không khôi phục được.",
                "name",
            )
        undelete(obj)


def get_clan(db: Database, clan_id: int) -> ClanView:
    with db.session() as s:
        obj = get_row(s, Clan, clan_id, live=False)
        household_ids = list(
            s.scalars(
                select(Household.id).where(
                    Household.clan_id == clan_id, Household.deleted.is_(False)
                )
            )
        )
        people = s.scalar(
            select(func.count())
            .select_from(Person)
            .join(Household, Household.id == Person.household_id)
            .where(
                Household.clan_id == clan_id,
                Household.deleted.is_(False),
                Person.deleted.is_(False),
            )
        )
        hamlet_ids = set(
            s.scalars(
                select(Household.hamlet_id)
                .where(Household.clan_id == clan_id, Household.deleted.is_(False))
                .distinct()
            )
        )
        if obj.hamlet_id:
            hamlet_ids.add(obj.hamlet_id)
        hamlet_names = list(
            s.scalars(
                select(Hamlet.name)
                .where(Hamlet.id.in_([h for h in hamlet_ids if h is not None]))
                .order_by(Hamlet.sort_key)
            )
        )
        return ClanView(
            id=obj.id,
            uuid=obj.uuid,
            revision=obj.revision,
            name=obj.name,
            branch=obj.branch,
            head_person_id=obj.head_person_id,
            head_name=obj.head_name,
            hamlet_id=obj.hamlet_id,
            hamlet_names=hamlet_names,
            household_ids=household_ids,
            household_count=len(household_ids),
            people_count=int(people or 0),
            note=obj.note,
            deleted=obj.deleted,
        )


def clan_choices(db: Database) -> list[tuple[int, str]]:
    with db.session() as s:
        rows = s.execute(
            select(Clan.id, Clan.name, Clan.branch)
            .where(Clan.deleted.is_(False))
            .order_by(Clan.sort_key)
        ).all()
    return [(r.id, _display_name(r.name, r.branch)) for r in rows]
