"""Editing a household saves the household and all its people together, or nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.core.db import Database
from app.core.errors import NotFoundError, ValidationError
from app.core.registry import clans, members
from app.core.registry import households as hh
from app.core.registry.people import PersonInput
from tests.registry_helpers import default_hamlet


@pytest.fixture
def family(db: Database) -> hh.HouseholdCard:
    household_id = hh.create_household(
        db,
        hh.HouseholdInput(hamlet_id=default_hamlet(db), address="Xóm 2"),
        [
            PersonInput("Trần Văn Khải", relation="Chủ hộ", birth="1968", id_number="001068000111"),
            PersonInput("Lê Thị Mơ", relation="Vợ", birth="1970"),
            PersonInput("Trần Thu Hà", relation="Con", birth="2004"),
        ],
    )
    return hh.get_household_card(db, household_id)


def rows_of(card: hh.HouseholdCard) -> list[hh.HouseholdMember]:
    return [
        hh.HouseholdMember(
            data=PersonInput(
                p.full_name, birth=p.birth, relation=p.relation, id_number=p.id_number
            ),
            person_id=p.id,
            expected_revision=p.revision,
            is_head=p.is_head,
        )
        for p in card.people
    ]


def test_one_save_edits_removes_adds_and_changes_the_head(
    db: Database, family: hh.HouseholdCard
) -> None:
    rows = rows_of(family)
    daughter = next(r for r in rows if r.data.full_name == "Trần Thu Hà")
    wife = next(r for r in rows if r.data.full_name == "Lê Thị Mơ")
    husband = next(r for r in rows if r.is_head)
    husband.is_head, husband.data.relation = False, "Chồng"
    wife.is_head = True
    grandson = hh.HouseholdMember(PersonInput("Trần Minh Đức", relation="Cháu", birth="2022"))
    ids = hh.save_household(
        db,
        family.id,
        hh.HouseholdInput(hamlet_id=default_hamlet(db), address="Xóm 3", phone="0912000111"),
        [husband, wife, grandson],
        removed=[daughter.person_id or 0],
        expected_revision=family.revision,
    )

    card = hh.get_household_card(db, family.id)
    assert card.head_name == "Lê Thị Mơ" and card.head_person_id == ids[1]
    assert card.address == "Xóm 3" and card.phone == "0912000111"
    assert sorted(p.full_name for p in card.people) == [
        "Lê Thị Mơ",
        "Trần Minh Đức",
        "Trần Văn Khải",
    ]
    assert next(p for p in card.people if p.is_head).relation == "Chủ hộ"


def test_a_refused_row_saves_nothing_at_all(
    db: Database, family: hh.HouseholdCard, snapshot: Callable[[Database], dict[str, Any]]
) -> None:
    other = hh.create_household(
        db,
        hh.HouseholdInput(hamlet_id=default_hamlet(db)),
        [PersonInput("Phạm Văn Lộc", id_number="001070000222")],
    )
    assert other
    before = snapshot(db)
    rows = rows_of(family)
    rows[1].data.full_name = "Lê Thị Mơ Đã Sửa"
    rows.append(hh.HouseholdMember(PersonInput("Người Mới", id_number="001070000222")))
    with pytest.raises(ValidationError, match="đã thuộc về Phạm Văn Lộc"):
        hh.save_household(
            db,
            family.id,
            hh.HouseholdInput(hamlet_id=default_hamlet(db), address="Xóm 9"),
            rows,
            removed=[],
            expected_revision=family.revision,
        )
    assert snapshot(db) == before


def test_a_person_changed_meanwhile_is_not_overwritten(
    db: Database, family: hh.HouseholdCard, snapshot: Callable[[Database], dict[str, Any]]
) -> None:
    rows = rows_of(family)
    wife = next(p for p in family.people if p.full_name == "Lê Thị Mơ")
    hh.update_person(db, wife.id, PersonInput("Lê Thị Mơ", birth="1971", relation="Vợ"))
    before = snapshot(db)
    with pytest.raises(ValidationError, match="vừa được sửa ở nơi khác"):
        hh.save_household(
            db, family.id, hh.HouseholdInput(hamlet_id=default_hamlet(db), address="Xóm 5"), rows
        )
    assert snapshot(db) == before


def test_a_renamed_member_keeps_the_member_book_in_step(
    db: Database, family: hh.HouseholdCard
) -> None:
    head = next(p for p in family.people if p.is_head)
    member_id = members.create_member(db, members.MemberInput(branch_id=None, person_id=head.id))
    rows = rows_of(family)
    next(r for r in rows if r.is_head).data.full_name = "Trần Văn Khải Hoàn"
    hh.save_household(db, family.id, hh.HouseholdInput(hamlet_id=default_hamlet(db)), rows)
    assert members.get_member(db, member_id).full_name == "Trần Văn Khải Hoàn"
    assert hh.get_household_card(db, family.id).head_name == "Trần Văn Khải Hoàn"


def test_a_deleted_clan_does_not_block_editing_the_household(db: Database) -> None:
    clan_id = clans.create_clan(db, clans.ClanInput("Họ Trần", branch="Chi 2"))
    household_id = hh.create_household(
        db,
        hh.HouseholdInput(hamlet_id=default_hamlet(db), clan_id=clan_id),
        [PersonInput("Trần Văn Tâm")],
    )
    clans.delete_clan(db, clan_id)
    hh.update_household(
        db,
        household_id,
        hh.HouseholdInput(hamlet_id=default_hamlet(db), clan_id=clan_id, phone="0988123456"),
    )
    assert hh.get_household_card(db, household_id).phone == "0988123456"
    other = hh.create_household(
        db, hh.HouseholdInput(hamlet_id=default_hamlet(db)), [PersonInput("Trần Văn Phúc")]
    )
    with pytest.raises(NotFoundError, match="Không tìm thấy dòng họ"):
        hh.update_household(
            db, other, hh.HouseholdInput(hamlet_id=default_hamlet(db), clan_id=clan_id)
        )


def test_a_person_of_a_deleted_household_comes_back_with_the_household(db: Database) -> None:
    household_id = hh.create_household(
        db,
        hh.HouseholdInput(hamlet_id=default_hamlet(db)),
        [PersonInput("Đỗ Văn Hùng"), PersonInput("Đỗ Thị Lan")],
    )
    lan = next(p for p in hh.get_household_card(db, household_id).people if not p.is_head)
    hh.delete_household(db, household_id)
    with pytest.raises(ValidationError, match="Hãy khôi phục hộ trước"):
        hh.restore_person(db, lan.id)
    hh.restore_household(db, household_id)
    assert not hh.get_person(db, lan.id).deleted


def test_a_household_without_a_hamlet_is_refused_and_nothing_is_saved(db: Database) -> None:
    with pytest.raises(ValidationError, match="mỗi hộ phải thuộc một thôn") as err:
        hh.create_household(db, hh.HouseholdInput(address="Xóm 4"), [PersonInput("Vũ Văn Hòa")])
    assert err.value.field == "hamlet_id"
    hamlet = default_hamlet(db)
    hid = hh.create_household(db, hh.HouseholdInput(hamlet_id=hamlet), [PersonInput("Vũ Văn Hòa")])
    with pytest.raises(ValidationError, match="mỗi hộ phải thuộc một thôn"):
        hh.update_household(db, hid, hh.HouseholdInput(address="Xóm 5"))
    card = hh.get_household_card(db, hid)
    assert (card.hamlet_id, card.address) == (hamlet, None)
