"""Households and their people: one unit of work per save, checked in the core.

A household is saved together with its people (``create_household``) so a
half-entered household never reaches the database. The head's name is kept on
the household (``head_name``) for fast lists; the person service keeps it in
step, and keeps a linked member's name in step too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.core import text as vntext
from app.core.dates import PartialDate
from app.core.db import Database
from app.core.errors import ValidationError
from app.core.models import Clan, Hamlet, Household, Member, Person
from app.core.models.base import utcnow
from app.core.models.households import HEAD_RELATION, Circumstance
from app.core.registry.common import (
    check_length,
    check_revision,
    get_optional,
    get_row,
    soft_delete,
    undelete,
)
from app.core.registry.people import (
    CleanPerson,
    PersonInput,
    apply_person,
    as_head,
    check_unit,
    clean_person,
    clean_phone,
)


@dataclass
class HouseholdInput:
    hamlet_id: int | None = None
    clan_id: int | None = None
    code: str | None = None
    address: str | None = None
    phone: str | None = None
    note: str | None = None
    circumstance: str = Circumstance.NORMAL.value


@dataclass(frozen=True)
class PersonView:
    id: int
    uuid: str
    revision: int
    household_id: int | None
    full_name: str
    gender: str | None
    birth: PartialDate | None
    relation: str | None
    id_number: str | None
    phone: str | None
    school_level: str | None
    occupation: str | None
    is_studying: bool
    note: str | None
    is_head: bool
    member_id: int | None
    deleted: bool
    unit_id: int | None = None  # the learning unit the person works in


@dataclass(frozen=True)
class HouseholdCard:
    """Everything the household card shows, as plain values."""

    id: int
    uuid: str
    revision: int
    code: str | None
    head_person_id: int | None
    head_name: str
    hamlet_id: int | None
    hamlet_name: str | None
    clan_id: int | None
    clan_name: str | None
    address: str | None
    phone: str | None
    note: str | None
    deleted: bool
    circumstance: str = Circumstance.NORMAL.value
    people: list[PersonView] = field(default_factory=list)
    members: list[tuple[int, str, str | None]] = field(default_factory=list)


# Every household belongs to a hamlet: the yearly cycle, the hamlet's proposal and the
# targets per hamlet all count households by hamlet (issue 16).
NO_HAMLET_MESSAGE = "Chọn thôn / tổ dân phố của hộ: mỗi hộ phải thuộc một thôn."


def _clean_household(
    s: Session, data: HouseholdInput, current: Household | None = None
) -> HouseholdInput:
    if data.hamlet_id is None:
        raise ValidationError(NO_HAMLET_MESSAGE, "hamlet_id")
    get_optional(s, Hamlet, data.hamlet_id)
    # A clan deleted after the household joined it stays acceptable while unchanged:
    # editing the phone must not force the secretary to pick a clan again.
    if not (current is not None and data.clan_id is not None and data.clan_id == current.clan_id):
        get_optional(s, Clan, data.clan_id)
    code = vntext.normalise_optional(data.code)
    check_length(code, 40, "Số hộ", "code")
    address = vntext.normalise_optional(data.address)
    check_length(address, 300, "Địa chỉ", "address")
    return HouseholdInput(
        hamlet_id=data.hamlet_id,
        clan_id=data.clan_id,
        code=code,
        address=address,
        phone=clean_phone(data.phone),
        note=vntext.normalise_optional(data.note),
        circumstance=clean_circumstance(data.circumstance),
    )


def clean_circumstance(value: str | None) -> str:
    """A :class:`Circumstance` value; refuses anything else with the known labels."""
    try:
        return Circumstance(value or "").value
    except ValueError:
        known = ", ".join(c.label for c in Circumstance)
        raise ValidationError(
            f"Hoàn cảnh “{value}” không hợp lệ. Chọn một trong: {known}.", "circumstance"
        ) from None


def _refresh_household_search(obj: Household) -> None:
    obj.search_text = vntext.search_blob(obj.head_name, obj.address, obj.phone, obj.code)
    obj.sort_key = vntext.sort_key(obj.head_name)


def _apply_household(obj: Household, data: HouseholdInput) -> None:
    obj.hamlet_id = data.hamlet_id
    obj.clan_id = data.clan_id
    obj.code = data.code
    obj.address = data.address
    obj.phone = data.phone
    obj.note = data.note
    obj.circumstance = data.circumstance
    _refresh_household_search(obj)


def _check_id_number_free(s: Session, person: CleanPerson, except_id: int | None) -> None:
    """A person is in one household only: the same ID number may not appear twice."""
    if not person.id_number:
        return
    clash = s.execute(
        select(Person.id, Person.full_name, Person.household_id, Household.head_name)
        .outerjoin(Household, Household.id == Person.household_id)
        .where(
            Person.id_number == person.id_number,
            Person.deleted.is_(False),
            Person.id != (except_id or 0),
        )
    ).first()
    if clash:
        where = f" (hộ {clash.head_name})" if clash.household_id else ""
        raise ValidationError(
            f"Số CCCD {person.id_number} đã thuộc về {clash.full_name}{where}. "
            "Một người chỉ thuộc một hộ gia đình.",
            "id_number",
        )


def _set_head(s: Session, household: Household, person: Person) -> None:
    household.head_person_id = person.id
    household.head_name = person.full_name
    _refresh_household_search(household)


def create_household(db: Database, data: HouseholdInput, people: list[PersonInput]) -> int:
    """Create a household with its people in one transaction. The head is the person
    whose relation is "Chủ hộ", or the first person listed."""
    cleaned = [clean_person(p) for p in people]
    if not cleaned:
        raise ValidationError("Hộ gia đình phải có ít nhất chủ hộ.", "people")
    numbers = [p.id_number for p in cleaned if p.id_number]
    if len(numbers) != len(set(numbers)):
        raise ValidationError("Hai người trong hộ có cùng số CCCD.", "id_number")
    head_index = next(
        (i for i, p in enumerate(cleaned) if vntext.fold(p.relation) == vntext.fold(HEAD_RELATION)),
        0,
    )
    with db.session() as s:
        clean = _clean_household(s, data)
        for candidate in cleaned:
            _check_id_number_free(s, candidate, None)
        household = Household(head_name=cleaned[head_index].full_name)
        _apply_household(household, clean)
        s.add(household)
        s.flush()
        head: Person | None = None
        for i, person_data in enumerate(cleaned):
            if i == head_index and not person_data.relation:
                person_data = as_head(person_data)
            check_unit(s, person_data)
            row = Person(household_id=household.id)
            apply_person(row, person_data)
            s.add(row)
            if i == head_index:
                head = row
        s.flush()
        assert head is not None
        # Naming the head is part of creating the household, not an edit: a Core
        # UPDATE keeps the new row at revision 1 (an ORM change would make it 2).
        s.execute(
            update(Household)
            .where(Household.id == household.id)
            .values(head_person_id=head.id)
            .execution_options(synchronize_session="fetch")
        )
        return household.id


def update_household(
    db: Database, household_id: int, data: HouseholdInput, expected_revision: int | None = None
) -> None:
    with db.session() as s:
        obj = get_row(s, Household, household_id)
        check_revision(obj, expected_revision)
        _apply_household(obj, _clean_household(s, data, obj))


@dataclass
class HouseholdMember:
    """One row of the household editor: an existing person (``person_id``) or a new one."""

    data: PersonInput
    person_id: int | None = None
    expected_revision: int | None = None
    is_head: bool = False


def save_household(
    db: Database,
    household_id: int,
    data: HouseholdInput,
    people: list[HouseholdMember],
    removed: list[int] | None = None,
    expected_revision: int | None = None,
) -> list[int]:
    """Save an edited household and all its people in ONE transaction.

    ``people`` are the rows the household keeps (existing ones with their revision,
    new ones without an id); ``removed`` the ids taken out (soft-deleted). The head is
    the row marked ``is_head`` (else the one whose relation is "Chủ hộ", else the
    first). Any refusal — a stale row, an ID number used elsewhere — saves nothing.
    Returns the person ids in the order of ``people``.
    """
    if not people:
        raise ValidationError("Hộ gia đình phải có ít nhất chủ hộ.", "people")
    head_index = next((i for i, p in enumerate(people) if p.is_head), None)
    if head_index is None:
        head_index = next(
            (
                i
                for i, p in enumerate(people)
                if vntext.fold(p.data.relation) == vntext.fold(HEAD_RELATION)
            ),
            0,
        )
    cleaned = []
    for i, row in enumerate(people):
        clean = clean_person(row.data)
        if i == head_index:
            clean = as_head(clean)
        elif clean.relation and vntext.fold(clean.relation) == vntext.fold(HEAD_RELATION):
            raise ValidationError(f"Mỗi hộ chỉ có một chủ hộ ({clean.full_name}).", "relation")
        cleaned.append(clean)
    numbers = [c.id_number for c in cleaned if c.id_number]
    if len(numbers) != len(set(numbers)):
        raise ValidationError("Hai người trong hộ có cùng số CCCD.", "id_number")
    with db.session() as s:
        household = get_row(s, Household, household_id)
        check_revision(household, expected_revision)
        _apply_household(household, _clean_household(s, data, household))
        kept = {row.person_id for row in people if row.person_id is not None}
        for person_id in removed or []:
            if person_id in kept:
                continue
            person = get_row(s, Person, person_id)
            _require_member_of(person, household_id)
            soft_delete(person)
        s.flush()  # the removed give up their ID numbers before the checks below
        rows: list[Person] = []
        with s.no_autoflush:  # check against the stored state, then write everything
            for row, clean in zip(people, cleaned, strict=True):
                _check_id_number_free(s, clean, row.person_id)
                if row.person_id is None:
                    person = Person(household_id=household_id)
                else:
                    person = get_row(s, Person, row.person_id)
                    _require_member_of(person, household_id)
                    check_revision(person, row.expected_revision)
                check_unit(s, clean)
                apply_person(person, clean)
                rows.append(person)
        s.add_all(rows)
        s.flush()
        _set_head(s, household, rows[head_index])
        for person in rows:
            _propagate_name(s, person)
        return [person.id for person in rows]


def _require_member_of(person: Person, household_id: int) -> None:
    if person.household_id != household_id:
        raise ValidationError(f"{person.full_name} không thuộc hộ này.")


def delete_household(db: Database, household_id: int) -> int:
    """Soft-delete a household and its people together; returns how many people."""
    with db.session() as s:
        obj = get_row(s, Household, household_id)
        # restore_household finds "the people deleted with it" by an equal deleted_at.
        # Timestamps have whole seconds, so a person deleted on their own in the same
        # second would come back too: make the household's stamp unique among them.
        # (Queried before soft_delete so autoflush does not write the row twice.)
        taken = set(
            s.scalars(
                select(Person.deleted_at).where(
                    Person.household_id == household_id, Person.deleted.is_(True)
                )
            )
        )
        soft_delete(obj)
        stamp = obj.deleted_at or utcnow()
        while stamp in taken:
            stamp += dt.timedelta(microseconds=1)
        obj.deleted_at = stamp
        people = s.scalars(
            select(Person).where(Person.household_id == household_id, Person.deleted.is_(False))
        ).all()
        for person in people:
            soft_delete(person)
            person.deleted_at = obj.deleted_at
        return len(people)


def restore_household(db: Database, household_id: int) -> int:
    """Restore a household and the people deleted with it; returns how many people."""
    with db.session() as s:
        obj = get_row(s, Household, household_id, live=False)
        people = s.scalars(
            select(Person).where(
                Person.household_id == household_id,
                Person.deleted.is_(True),
                Person.deleted_at == obj.deleted_at,
            )
        ).all()
        for person in people:
            _check_id_number_free(s, clean_from_row(person), person.id)
            undelete(person)
        undelete(obj)
        return len(people)


def clean_from_row(person: Person) -> CleanPerson:
    return CleanPerson(
        full_name=person.full_name,
        gender=person.gender,
        birth=PartialDate.from_columns(person.birth_date, person.birth_year),
        relation=person.relation,
        id_number=person.id_number,
        phone=person.phone,
        school_level=person.school_level,
        occupation=person.occupation,
        is_studying=person.is_studying,
        note=person.note,
        unit_id=person.unit_id,
    )


def add_person(db: Database, household_id: int | None, data: PersonInput) -> int:
    """Add a person to a household (or, with ``None``, as an outsider)."""
    clean = clean_person(data)
    with db.session() as s:
        household = get_optional(s, Household, household_id)
        _check_id_number_free(s, clean, None)
        check_unit(s, clean)
        person = Person(household_id=household_id)
        apply_person(person, clean)
        s.add(person)
        s.flush()
        if household is not None and household.head_person_id is None:
            _set_head(s, household, person)
        return person.id


def update_person(
    db: Database, person_id: int, data: PersonInput, expected_revision: int | None = None
) -> None:
    clean = clean_person(data)
    with db.session() as s:
        person = get_row(s, Person, person_id)
        check_revision(person, expected_revision)
        _check_id_number_free(s, clean, person_id)
        check_unit(s, clean)
        apply_person(person, clean)
        _propagate_name(s, person)


def _propagate_name(s: Session, person: Person) -> None:
    """Keep the household's head name and a linked member's name equal to the person's."""
    if person.household_id is not None:
        household = s.get(Household, person.household_id)
        if household is not None and household.head_person_id == person.id:
            _set_head(s, household, person)
    for member in s.scalars(select(Member).where(Member.person_id == person.id)):
        # Gender too: a corrected gender alone used to leave the member list wrong.
        if (member.full_name, member.birth_year, member.gender) != (
            person.full_name,
            person.birth_year,
            person.gender,
        ):
            member.full_name = person.full_name
            member.birth_year = person.birth_year
            member.gender = person.gender
            member.sort_key = person.sort_key
            member.search_text = vntext.search_blob(
                person.full_name, member.card_number, member.phone
            )


def set_head(db: Database, household_id: int, person_id: int) -> None:
    with db.session() as s:
        household = get_row(s, Household, household_id)
        person = get_row(s, Person, person_id)
        if person.household_id != household_id:
            raise ValidationError(f"{person.full_name} không thuộc hộ này.")
        if household.head_person_id and household.head_person_id != person_id:
            old = s.get(Person, household.head_person_id)
            if old is not None and old.relation == HEAD_RELATION:
                old.relation = None
        person.relation = HEAD_RELATION
        _set_head(s, household, person)


def delete_person(db: Database, person_id: int) -> None:
    with db.session() as s:
        person = get_row(s, Person, person_id)
        if person.household_id is not None:
            household = s.get(Household, person.household_id)
            if household is not None and household.head_person_id == person_id:
                others = s.scalar(
                    select(Person.id).where(
                        Person.household_id == household.id,
                        Person.deleted.is_(False),
                        Person.id != person_id,
                    )
                )
                if others:
                    raise ValidationError(
                        f"{person.full_name} là chủ hộ. Hãy chọn chủ hộ khác trước khi xóa người này."
                    )
        soft_delete(person)


def restore_person(db: Database, person_id: int) -> None:
    with db.session() as s:
        person = get_row(s, Person, person_id, live=False)
        household = s.get(Household, person.household_id) if person.household_id else None
        if household is not None and household.deleted:
            raise ValidationError(
                f"Hộ {household.head_name} của {person.full_name} đã bị xóa. "
                "Hãy khôi phục hộ trước (người này sẽ được khôi phục cùng hộ nếu bị xóa cùng lúc)."
            )
        _check_id_number_free(s, clean_from_row(person), person_id)
        undelete(person)


def move_person(db: Database, person_id: int, household_id: int | None) -> None:
    """Move a person to another household (a person is in one household only)."""
    with db.session() as s:
        person = get_row(s, Person, person_id)
        target = get_optional(s, Household, household_id)
        old = get_optional(s, Household, person.household_id) if person.household_id else None
        if old is not None and old.head_person_id == person_id:
            raise ValidationError(
                f"{person.full_name} là chủ hộ; hãy chọn chủ hộ khác trước khi chuyển."
            )
        person.household_id = household_id
        if target is not None and target.head_person_id is None:
            _set_head(s, target, person)


def _person_view(person: Person, head_id: int | None, member_id: int | None) -> PersonView:
    return PersonView(
        id=person.id,
        uuid=person.uuid,
        revision=person.revision,
        household_id=person.household_id,
        full_name=person.full_name,
        gender=person.gender,
        birth=PartialDate.from_columns(person.birth_date, person.birth_year),
        relation=person.relation,
        id_number=person.id_number,
        phone=person.phone,
        school_level=person.school_level,
        occupation=person.occupation,
        is_studying=person.is_studying,
        note=person.note,
        is_head=person.id == head_id,
        member_id=member_id,
        deleted=person.deleted,
        unit_id=person.unit_id,
    )


def get_person(db: Database, person_id: int) -> PersonView:
    with db.session() as s:
        person = get_row(s, Person, person_id, live=False)
        head_id = None
        if person.household_id is not None:
            household = s.get(Household, person.household_id)
            head_id = household.head_person_id if household else None
        member_id = s.scalar(
            select(Member.id).where(Member.person_id == person_id, Member.deleted.is_(False))
        )
        return _person_view(person, head_id, member_id)


def get_household_card(db: Database, household_id: int) -> HouseholdCard:
    with db.session() as s:
        h = get_row(s, Household, household_id, live=False)
        hamlet = s.get(Hamlet, h.hamlet_id) if h.hamlet_id else None
        clan = s.get(Clan, h.clan_id) if h.clan_id else None
        people_q = select(Person).where(Person.household_id == household_id)
        if not h.deleted:
            people_q = people_q.where(Person.deleted.is_(False))
        people = sorted(
            s.scalars(people_q).all(),
            key=lambda p: (p.id != h.head_person_id, p.birth_year or 9999, p.sort_key),
        )
        ids = [p.id for p in people]
        member_rows = s.execute(
            select(Member.id, Member.person_id, Member.full_name, Member.card_number).where(
                Member.person_id.in_(ids), Member.deleted.is_(False)
            )
        ).all()
        member_of = {m.person_id: m.id for m in member_rows}
        clan_name = None
        if clan is not None:
            clan_name = clan.name + (f" — {clan.branch}" if clan.branch else "")
        return HouseholdCard(
            id=h.id,
            uuid=h.uuid,
            revision=h.revision,
            code=h.code,
            head_person_id=h.head_person_id,
            head_name=h.head_name,
            hamlet_id=h.hamlet_id,
            hamlet_name=hamlet.name if hamlet else None,
            clan_id=h.clan_id,
            clan_name=clan_name,
            address=h.address,
            phone=h.phone,
            note=h.note,
            deleted=h.deleted,
            circumstance=h.circumstance,
            people=[_person_view(p, h.head_person_id, member_of.get(p.id)) for p in people],
            members=[(m.id, m.full_name, m.card_number) for m in member_rows],
        )


def assign_households_to_clan(db: Database, household_ids: list[int], clan_id: int | None) -> int:
    """Make households members of a clan (or of none). Returns how many changed."""
    with db.session() as s:
        get_optional(s, Clan, clan_id)
        changed = 0
        for household in s.scalars(select(Household).where(Household.id.in_(household_ids))):
            if household.clan_id != clan_id:
                household.clan_id = clan_id
                changed += 1
        return changed


__all__ = [
    "HouseholdCard",
    "HouseholdInput",
    "HouseholdMember",
    "PersonInput",
    "PersonView",
    "add_person",
    "assign_households_to_clan",
    "clean_circumstance",
    "create_household",
    "delete_household",
    "delete_person",
    "get_household_card",
    "get_person",
    "move_person",
    "restore_household",
    "restore_person",
    "save_household",
    "set_head",
    "update_household",
    "update_person",
]
