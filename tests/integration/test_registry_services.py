"""The registry services: what is saved, what is refused, and what a refusal leaves.

Every refusal is a ValidationError with a Vietnamese message, and a refused save
changes nothing at all: rows, revisions, change marks and the change counter are
compared before and after.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from app.core.db import Database
from app.core.errors import NotFoundError, ValidationError
from app.core.models import (
    SYNCABLE_MODELS,
    Branch,
    Clan,
    Hamlet,
    Household,
    LocalState,
    Member,
    Person,
    SyncMixin,
    Unit,
)
from app.core.registry import clans, hamlets, members, units
from app.core.registry import households as hh
from app.core.registry.listing import LISTINGS, ListQuery
from app.core.registry.people import PersonInput
from tests.registry_helpers import default_hamlet

Snapshot = Callable[[Database], dict[str, Any]]
NBSP = "\u00a0"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# --- helpers ----------------------------------------------------------------------


def load(db: Database, model: type[SyncMixin], row_id: int) -> Any:
    with db.session() as s:
        obj = s.get(model, row_id)
        assert obj is not None
        return obj


def counter(db: Database) -> int:
    with db.session() as s:
        state = s.get(LocalState, 1)
        assert state is not None
        return state.change_counter


def live_ids(db: Database, key: str) -> list[int]:
    return LISTINGS[key].ids(db, ListQuery())


def deleted_ids(db: Database, key: str) -> list[int]:
    return LISTINGS[key].ids(db, ListQuery(deleted=True))


def people_of(db: Database, household_id: int) -> dict[str, int]:
    """Live people of a household by name."""
    card = hh.get_household_card(db, household_id)
    return {p.full_name: p.id for p in card.people}


def new_household(db: Database, *people: PersonInput, hamlet_id: int | None = None) -> int:
    return hh.create_household(
        db, hh.HouseholdInput(hamlet_id=hamlet_id or default_hamlet(db)), list(people)
    )


def refused(
    db: Database, snapshot: Snapshot, action: Callable[[], object], *fragments: str
) -> ValidationError:
    """Run ``action``; it must raise ValidationError mentioning ``fragments`` and save nothing.

    The commune gets its hamlet first, so a household refused is refused for the reason
    the test means (every household needs a hamlet)."""
    default_hamlet(db)
    before = snapshot(db)
    with pytest.raises(ValidationError) as err:
        action()
    assert err.value.message, "a refusal must say why"
    for fragment in fragments:
        assert fragment in err.value.message
    assert snapshot(db) == before, "a refused save must change nothing"
    return err.value


@pytest.fixture
def hamlet_id(db: Database) -> int:
    return hamlets.create_hamlet(db, hamlets.HamletInput("Thôn Đông"))


@pytest.fixture
def branch_id(db: Database, hamlet_id: int) -> int:
    return members.create_branch(db, members.BranchInput("Chi hội thôn Đông", hamlet_id=hamlet_id))


# --- hamlets ----------------------------------------------------------------------


class TestHamlets:
    def test_create_stores_a_clean_name(self, db: Database) -> None:
        hid = hamlets.create_hamlet(
            db, hamlets.HamletInput(nfd(f" Thôn{NBSP}Bắc  Sơn "), kind="thon")
        )
        view = hamlets.get_hamlet(db, hid)
        assert view.name == "Thôn Bắc Sơn"
        assert unicodedata.is_normalized("NFC", view.name)
        assert view.revision == 1
        assert view.households == 0
        assert hamlets.hamlet_choices(db) == [(hid, "Thôn Bắc Sơn")]

    def test_update_changes_the_name_and_bumps_the_revision(
        self, db: Database, hamlet_id: int
    ) -> None:
        before = hamlets.get_hamlet(db, hamlet_id)
        hamlets.update_hamlet(
            db, hamlet_id, hamlets.HamletInput("Tổ dân phố 3", kind="to_dan_pho"), 1
        )
        after = hamlets.get_hamlet(db, hamlet_id)
        assert (after.name, after.kind, after.revision) == ("Tổ dân phố 3", "to_dan_pho", 2)
        assert after.uuid == before.uuid

    @pytest.mark.parametrize("name", ["", "   ", NBSP])
    def test_empty_name_is_refused(self, db: Database, snapshot: Snapshot, name: str) -> None:
        err = refused(
            db,
            snapshot,
            lambda: hamlets.create_hamlet(db, hamlets.HamletInput(name)),
            "không được để trống",
        )
        assert err.field == "name"

    def test_same_name_without_diacritics_is_refused(
        self, db: Database, snapshot: Snapshot, hamlet_id: int
    ) -> None:
        refused(
            db,
            snapshot,
            lambda: hamlets.create_hamlet(db, hamlets.HamletInput("THÔN  ĐÔNG")),
            "Đã có thôn",
        )

    def test_unknown_kind_is_refused(self, db: Database, snapshot: Snapshot) -> None:
        refused(
            db,
            snapshot,
            lambda: hamlets.create_hamlet(db, hamlets.HamletInput("Thôn Nam", kind="xom")),
            "không hợp lệ",
        )

    def test_stale_edit_is_refused(self, db: Database, snapshot: Snapshot, hamlet_id: int) -> None:
        hamlets.update_hamlet(db, hamlet_id, hamlets.HamletInput("Thôn Đông Một"), 1)
        refused(
            db,
            snapshot,
            lambda: hamlets.update_hamlet(db, hamlet_id, hamlets.HamletInput("Thôn Đông Hai"), 1),
            "vừa được sửa ở nơi khác",
        )

    def test_delete_hides_and_restore_brings_back(self, db: Database, hamlet_id: int) -> None:
        hamlets.delete_hamlet(db, hamlet_id)
        assert live_ids(db, "hamlets") == []
        assert deleted_ids(db, "hamlets") == [hamlet_id]
        assert hamlets.hamlet_choices(db) == []
        assert hamlets.get_hamlet(db, hamlet_id).deleted
        hamlets.restore_hamlet(db, hamlet_id)
        assert live_ids(db, "hamlets") == [hamlet_id]
        assert deleted_ids(db, "hamlets") == []

    def test_a_hamlet_with_households_cannot_be_deleted(
        self, db: Database, snapshot: Snapshot, hamlet_id: int
    ) -> None:
        new_household(db, PersonInput("Nguyễn Văn An"), hamlet_id=hamlet_id)
        refused(db, snapshot, lambda: hamlets.delete_hamlet(db, hamlet_id), "còn 1 hộ gia đình")

    def test_restore_is_refused_when_the_name_was_taken_meanwhile(
        self, db: Database, snapshot: Snapshot, hamlet_id: int
    ) -> None:
        hamlets.delete_hamlet(db, hamlet_id)
        hamlets.create_hamlet(db, hamlets.HamletInput("Thôn Đông"))
        refused(db, snapshot, lambda: hamlets.restore_hamlet(db, hamlet_id), "Đã có thôn")

    def test_editing_a_deleted_hamlet_is_not_found(self, db: Database, hamlet_id: int) -> None:
        hamlets.delete_hamlet(db, hamlet_id)
        with pytest.raises(NotFoundError) as err:
            hamlets.update_hamlet(db, hamlet_id, hamlets.HamletInput("Thôn Tây"))
        assert "Không tìm thấy" in err.value.message


# --- households and people --------------------------------------------------------


class TestHouseholds:
    def test_create_saves_the_household_with_its_people(self, db: Database, hamlet_id: int) -> None:
        hid = hh.create_household(
            db,
            hh.HouseholdInput(hamlet_id=hamlet_id, code="12", address="Số 5, ngõ 3"),
            [
                PersonInput("Lê Thị Bình", gender="Nữ", birth="1982", relation="Vợ"),
                PersonInput("NGUYỄN VĂN AN", gender="nam", birth="12/3/1980", relation="Chủ hộ"),
                PersonInput("Nguyễn Văn Cường", gender="M", birth="2010", relation="Con"),
            ],
        )
        card = hh.get_household_card(db, hid)
        assert card.head_name == "Nguyễn Văn An"
        assert card.hamlet_name == "Thôn Đông"
        assert card.people[0].full_name == "Nguyễn Văn An"  # the head comes first
        assert [p.is_head for p in card.people] == [True, False, False]
        head = card.people[0]
        assert head.gender == "M"
        assert head.birth is not None
        assert head.birth.display() == "12/03/1980"
        wife = next(p for p in card.people if p.relation == "Vợ")
        assert wife.birth is not None
        assert wife.birth.year_only

    def test_without_a_head_relation_the_first_person_is_head(self, db: Database) -> None:
        hid = new_household(db, PersonInput("Trần Văn Dũng"), PersonInput("Trần Thị Mai"))
        card = hh.get_household_card(db, hid)
        assert card.head_name == "Trần Văn Dũng"
        head = next(p for p in card.people if p.is_head)
        assert head.relation == "Chủ hộ"

    def test_a_household_needs_at_least_one_person(self, db: Database, snapshot: Snapshot) -> None:
        refused(db, snapshot, lambda: new_household(db), "ít nhất chủ hộ")

    @pytest.mark.parametrize(
        ("person", "fragment"),
        [
            (PersonInput(""), "Họ tên không được để trống"),
            (PersonInput(f"{NBSP} "), "Họ tên không được để trống"),
            (PersonInput("Phạm Văn Nam", birth="2999"), "tương lai"),
            (
                PersonInput(
                    "Phạm Văn Nam",
                    birth=(dt.date.today() + dt.timedelta(days=1)).strftime("%d/%m/%Y"),
                ),
                "tương lai",
            ),
            (PersonInput("Phạm Văn Nam", birth="1850"), "không hợp lý"),
            (PersonInput("Phạm Văn Nam", birth="31/02/2000"), "không tồn tại"),
            (PersonInput("Phạm Văn Nam", id_number="12345"), "CCCD"),
            (PersonInput("Phạm Văn Nam", phone="12"), "điện thoại"),
            (PersonInput("Phạm Văn Nam", gender="x"), "Giới tính"),
            (PersonInput("Phạm Văn Nam", school_level="phd"), "Trình độ"),
        ],
    )
    def test_bad_person_data_refuses_the_whole_household(
        self, db: Database, snapshot: Snapshot, person: PersonInput, fragment: str
    ) -> None:
        refused(
            db, snapshot, lambda: new_household(db, PersonInput("Hồ Văn Sơn"), person), fragment
        )

    def test_same_id_number_twice_in_one_household_is_refused(
        self, db: Database, snapshot: Snapshot
    ) -> None:
        refused(
            db,
            snapshot,
            lambda: new_household(
                db,
                PersonInput("Hồ Văn Sơn", id_number="001080012345"),
                PersonInput("Hồ Thị Lan", id_number="001 080 012 345"),
            ),
            "cùng số CCCD",
        )

    def test_a_person_cannot_be_in_two_households(self, db: Database, snapshot: Snapshot) -> None:
        first = new_household(db, PersonInput("Đỗ Văn Hải", id_number="001080012345"))
        other = new_household(db, PersonInput("Vũ Thị Hà"))
        err = refused(
            db,
            snapshot,
            lambda: new_household(db, PersonInput("Đỗ Văn Hải", id_number="001080012345")),
            "001080012345",
            "Một người chỉ thuộc một hộ gia đình",
        )
        assert err.field == "id_number"
        refused(
            db,
            snapshot,
            lambda: hh.add_person(
                db, other, PersonInput("Đỗ Văn Hải", id_number=f"001{NBSP}080 012345")
            ),
            "Đỗ Văn Hải",
        )
        stranger = hh.add_person(db, other, PersonInput("Vũ Văn Tuấn"))
        refused(
            db,
            snapshot,
            lambda: hh.update_person(
                db, stranger, PersonInput("Vũ Văn Tuấn", id_number="001080012345")
            ),
            "đã thuộc về",
        )
        assert len(people_of(db, first)) == 1

    def test_restoring_a_person_whose_id_number_is_now_used_is_refused(
        self, db: Database, snapshot: Snapshot
    ) -> None:
        first = new_household(db, PersonInput("Đỗ Văn Hải"), PersonInput("Đỗ Văn Phúc"))
        phuc = people_of(db, first)["Đỗ Văn Phúc"]
        hh.update_person(db, phuc, PersonInput("Đỗ Văn Phúc", id_number="001090054321"))
        hh.delete_person(db, phuc)
        new_household(db, PersonInput("Đỗ Văn Phúc", id_number="001090054321"))
        refused(db, snapshot, lambda: hh.restore_person(db, phuc), "001090054321")

    def test_restoring_a_household_whose_person_moved_elsewhere_is_refused(
        self, db: Database, snapshot: Snapshot
    ) -> None:
        old = new_household(db, PersonInput("Bùi Văn Khoa", id_number="001075000111"))
        hh.delete_household(db, old)
        new_household(db, PersonInput("Bùi Văn Khoa", id_number="001075000111"))
        refused(db, snapshot, lambda: hh.restore_household(db, old), "Một người chỉ thuộc")

    def test_update_household_is_checked_and_versioned(
        self, db: Database, snapshot: Snapshot, hamlet_id: int
    ) -> None:
        hid = new_household(db, PersonInput("Ngô Văn Lâm"))
        card = hh.get_household_card(db, hid)
        hh.update_household(
            db,
            hid,
            hh.HouseholdInput(hamlet_id=hamlet_id, address="Xóm 2", phone="912 345 678"),
            card.revision,
        )
        after = hh.get_household_card(db, hid)
        assert after.revision == card.revision + 1
        assert after.uuid == card.uuid
        assert after.phone == "0912345678"  # the 0 Excel dropped comes back
        refused(
            db,
            snapshot,
            lambda: hh.update_household(
                db,
                hid,
                hh.HouseholdInput(hamlet_id=default_hamlet(db), address="Xóm 3"),
                card.revision,
            ),
            "vừa được sửa ở nơi khác",
        )
        refused(
            db,
            snapshot,
            lambda: hh.update_household(
                db, hid, hh.HouseholdInput(hamlet_id=default_hamlet(db), phone="1")
            ),
            "hợp lệ",
        )

    def test_stale_person_edit_is_refused(self, db: Database, snapshot: Snapshot) -> None:
        hid = new_household(db, PersonInput("Ngô Văn Lâm"))
        pid = people_of(db, hid)["Ngô Văn Lâm"]
        view = hh.get_person(db, pid)
        hh.update_person(db, pid, PersonInput("Ngô Văn Lâm", phone="0912345678"), view.revision)
        refused(
            db,
            snapshot,
            lambda: hh.update_person(db, pid, PersonInput("Ngô Văn Lăm"), view.revision),
            "Nhân khẩu này vừa được sửa",
        )

    def test_delete_household_deletes_its_people_and_restore_brings_back_exactly_those(
        self, db: Database, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Every deletion in this test happens "in the same second".
        same_second = dt.datetime(2025, 11, 25, 9, 30, 0)
        monkeypatch.setattr("app.core.registry.common.utcnow", lambda: same_second)
        hid = new_household(
            db,
            PersonInput("Phan Văn Quân", relation="Chủ hộ"),
            PersonInput("Phan Thị Hương", relation="Con"),
            PersonInput("Phan Văn Đạt", relation="Con"),
        )
        people = people_of(db, hid)
        gone_earlier = people["Phan Văn Đạt"]
        hh.delete_person(db, gone_earlier)  # deleted on its own, earlier

        revision = hh.get_household_card(db, hid).revision
        assert hh.delete_household(db, hid) == 2
        assert hh.get_household_card(db, hid).revision == revision + 1, "one delete, one edit"
        assert live_ids(db, "households") == []
        assert live_ids(db, "people") == []
        assert set(deleted_ids(db, "people")) == set(people.values())

        assert hh.restore_household(db, hid) == 2
        assert live_ids(db, "households") == [hid]
        assert set(live_ids(db, "people")) == {people["Phan Văn Quân"], people["Phan Thị Hương"]}
        assert deleted_ids(db, "people") == [gone_earlier]

    def test_the_head_cannot_be_deleted_while_others_live_in_the_household(
        self, db: Database, snapshot: Snapshot
    ) -> None:
        hid = new_household(db, PersonInput("Lý Văn Tám"), PersonInput("Lý Thị Yến"))
        head = people_of(db, hid)["Lý Văn Tám"]
        refused(db, snapshot, lambda: hh.delete_person(db, head), "là chủ hộ")
        refused(db, snapshot, lambda: hh.move_person(db, head, None), "là chủ hộ")

    def test_set_head_moves_the_head_role(self, db: Database) -> None:
        hid = new_household(db, PersonInput("Lý Văn Tám"), PersonInput("Lý Thị Yến"))
        people = people_of(db, hid)
        hh.set_head(db, hid, people["Lý Thị Yến"])
        card = hh.get_household_card(db, hid)
        assert card.head_name == "Lý Thị Yến"
        assert card.head_person_id == people["Lý Thị Yến"]
        relations = {p.full_name: p.relation for p in card.people}
        assert relations == {"Lý Thị Yến": "Chủ hộ", "Lý Văn Tám": None}

    def test_set_head_refuses_a_person_of_another_household(
        self, db: Database, snapshot: Snapshot
    ) -> None:
        a = new_household(db, PersonInput("Lý Văn Tám"))
        b = new_household(db, PersonInput("Hồ Thị Thu"))
        refused(
            db,
            snapshot,
            lambda: hh.set_head(db, a, people_of(db, b)["Hồ Thị Thu"]),
            "không thuộc hộ",
        )

    def test_move_person_to_another_household(self, db: Database) -> None:
        a = new_household(db, PersonInput("Lý Văn Tám"), PersonInput("Lý Thị Yến"))
        b = new_household(db, PersonInput("Hồ Văn Nam"))
        yen = people_of(db, a)["Lý Thị Yến"]
        hh.move_person(db, yen, b)
        assert set(people_of(db, b)) == {"Hồ Văn Nam", "Lý Thị Yến"}
        assert set(people_of(db, a)) == {"Lý Văn Tám"}

    def test_renaming_a_person_updates_head_name_and_the_linked_member(
        self, db: Database, branch_id: int
    ) -> None:
        hid = new_household(db, PersonInput("Hoàng Văn Bình", birth="1970"))
        pid = people_of(db, hid)["Hoàng Văn Bình"]
        mid = members.create_member(db, members.MemberInput(branch_id, person_id=pid))
        hh.update_person(db, pid, PersonInput(nfd("HOÀNG  VĂN  BÍNH"), birth="1971", gender="Nam"))
        assert hh.get_household_card(db, hid).head_name == "Hoàng Văn Bính"
        member = members.get_member(db, mid)
        assert (member.full_name, member.birth_year, member.gender) == ("Hoàng Văn Bính", 1971, "M")
        assert LISTINGS["households"].ids(db, ListQuery(search="binh")) == [hid]
        assert LISTINGS["members"].ids(db, ListQuery(search="hoang van binh")) == [mid]

    def test_a_person_may_live_outside_any_household(self, db: Database) -> None:
        pid = hh.add_person(db, None, PersonInput("Âu Thị Ánh"))
        view = hh.get_person(db, pid)
        assert view.household_id is None
        assert not view.is_head

    def test_a_foreign_name_can_be_saved_and_listed(self, db: Database) -> None:
        # A spouse from abroad: names outside the Vietnamese alphabet must save.
        pid = hh.add_person(db, None, PersonInput("김민준"))
        hh.add_person(db, None, PersonInput("Nguyễn Văn An"))
        ids = live_ids(db, "people")
        assert ids[-1] == pid

    def test_assign_households_to_a_clan(self, db: Database) -> None:
        clan = clans.create_clan(db, clans.ClanInput("Họ Nguyễn"))
        a = new_household(db, PersonInput("Nguyễn Văn An"))
        b = new_household(db, PersonInput("Nguyễn Văn Bình"))
        assert hh.assign_households_to_clan(db, [a, b], clan) == 2
        assert hh.assign_households_to_clan(db, [a, b], clan) == 0
        view = clans.get_clan(db, clan)
        assert view.household_count == 2
        assert view.people_count == 2


# --- clans, units, branches, members ----------------------------------------------


class TestClans:
    def test_create_update_delete_restore(self, db: Database, hamlet_id: int) -> None:
        hid = new_household(db, PersonInput("Đặng Văn Giang"))
        head = people_of(db, hid)["Đặng Văn Giang"]
        cid = clans.create_clan(
            db,
            clans.ClanInput("ĐẶNG", branch="Chi trưởng", head_person_id=head, hamlet_id=hamlet_id),
        )
        view = clans.get_clan(db, cid)
        assert (view.name, view.branch, view.head_name) == ("Đặng", "Chi trưởng", "Đặng Văn Giang")
        assert view.hamlet_names == ["Thôn Đông"]
        assert clans.clan_choices(db) == [(cid, "Đặng — Chi trưởng")]
        clans.update_clan(db, cid, clans.ClanInput("Đặng", head_name="Đặng Văn Long"), 1)
        view = clans.get_clan(db, cid)
        assert (view.branch, view.head_name, view.revision) == (None, "Đặng Văn Long", 2)
        clans.delete_clan(db, cid)
        assert live_ids(db, "clans") == []
        assert deleted_ids(db, "clans") == [cid]
        clans.restore_clan(db, cid)
        assert live_ids(db, "clans") == [cid]

    def test_empty_and_duplicate_names_are_refused(self, db: Database, snapshot: Snapshot) -> None:
        clans.create_clan(db, clans.ClanInput("Nguyễn", branch="Chi hai"))
        refused(
            db, snapshot, lambda: clans.create_clan(db, clans.ClanInput(" ")), "không được để trống"
        )
        refused(
            db,
            snapshot,
            lambda: clans.create_clan(db, clans.ClanInput("nguyen", branch="CHI HAI")),
            "Đã có dòng họ",
        )
        clans.create_clan(db, clans.ClanInput("Nguyễn", branch="Chi ba"))  # another branch is fine

    def test_stale_edit_is_refused(self, db: Database, snapshot: Snapshot) -> None:
        cid = clans.create_clan(db, clans.ClanInput("Trần"))
        clans.update_clan(db, cid, clans.ClanInput("Trần", note="Nhà thờ họ ở xóm 1"), 1)
        refused(
            db,
            snapshot,
            lambda: clans.update_clan(db, cid, clans.ClanInput("Trần", note="khác"), 1),
            "Dòng họ này vừa được sửa",
        )


class TestUnits:
    def test_create_update_delete_restore(self, db: Database, hamlet_id: int) -> None:
        uid = units.create_unit(
            db,
            units.UnitInput(
                "Trường Tiểu học Ba Đình", kind="school", hamlet_id=hamlet_id, staff_count=42
            ),
        )
        units.update_unit(
            db, uid, units.UnitInput("Trường Tiểu học Ba Đình", kind="school", staff_count=45), 1
        )
        view = units.get_unit(db, uid)
        assert (view.staff_count, view.revision, view.hamlet_id) == (45, 2, None)
        units.delete_unit(db, uid)
        assert units.unit_choices(db) == []
        assert deleted_ids(db, "units") == [uid]
        units.restore_unit(db, uid)
        assert units.unit_choices(db) == [(uid, "Trường Tiểu học Ba Đình")]

    @pytest.mark.parametrize(
        ("data", "fragment"),
        [
            (units.UnitInput(""), "không được để trống"),
            (units.UnitInput("Trạm Y tế", kind="hospital"), "không hợp lệ"),
            (units.UnitInput("Trạm Y tế", staff_count=-1), "không được âm"),
            (units.UnitInput("Trạm Y tế", phone="abc1"), "điện thoại"),
            (units.UnitInput("UBND phường"), "Đã có đơn vị"),
        ],
    )
    def test_bad_input_is_refused(
        self, db: Database, snapshot: Snapshot, data: units.UnitInput, fragment: str
    ) -> None:
        units.create_unit(db, units.UnitInput("UBND Phường"))
        refused(db, snapshot, lambda: units.create_unit(db, data), fragment)

    def test_stale_edit_is_refused(self, db: Database, snapshot: Snapshot) -> None:
        uid = units.create_unit(db, units.UnitInput("Trạm Y tế"))
        units.update_unit(db, uid, units.UnitInput("Trạm Y tế phường"), 1)
        refused(
            db,
            snapshot,
            lambda: units.update_unit(db, uid, units.UnitInput("Trạm Y tế cũ"), 1),
            "vừa được sửa",
        )


class TestBranches:
    def test_create_update_delete_restore(self, db: Database, hamlet_id: int) -> None:
        unit = units.create_unit(db, units.UnitInput("Trường THCS Ba Đình", kind="school"))
        bid = members.create_branch(
            db,
            members.BranchInput(
                "Chi hội trường THCS", kind="unit", unit_id=unit, hamlet_id=hamlet_id
            ),
        )
        view = members.get_branch(db, bid)
        assert (view.unit_id, view.hamlet_id) == (unit, None)  # a unit branch has no hamlet
        members.update_branch(
            db, bid, members.BranchInput("Chi hội thôn Đông", hamlet_id=hamlet_id), 1
        )
        view = members.get_branch(db, bid)
        assert (view.name, view.kind, view.hamlet_id, view.unit_id, view.revision) == (
            "Chi hội thôn Đông",
            "hamlet",
            hamlet_id,
            None,
            2,
        )
        members.delete_branch(db, bid)
        assert members.branch_choices(db) == []
        members.restore_branch(db, bid)
        assert members.branch_choices(db) == [(bid, "Chi hội thôn Đông")]

    def test_bad_input_is_refused(self, db: Database, snapshot: Snapshot, branch_id: int) -> None:
        refused(db, snapshot, lambda: members.create_branch(db, members.BranchInput("")), "trống")
        refused(
            db,
            snapshot,
            lambda: members.create_branch(db, members.BranchInput("CHI HỘI THÔN ĐÔNG")),
            "Đã có chi hội",
        )
        refused(
            db,
            snapshot,
            lambda: members.create_branch(db, members.BranchInput("Chi hội X", kind="xa")),
            "không hợp lệ",
        )

    def test_a_branch_with_members_cannot_be_deleted(
        self, db: Database, snapshot: Snapshot, branch_id: int
    ) -> None:
        members.create_member(db, members.MemberInput(branch_id, full_name="Vũ Văn Hải"))
        refused(db, snapshot, lambda: members.delete_branch(db, branch_id), "còn 1 hội viên")


class TestMembers:
    def test_an_outsider_member_keeps_their_own_details(self, db: Database, branch_id: int) -> None:
        mid = members.create_member(
            db,
            members.MemberInput(
                branch_id,
                full_name="TRỊNH THỊ THU",
                gender="Nữ",
                birth_year=1965,
                phone="+84 912 345 678",
                card_number="00012",
                join_date="1/9/2010",
                role="branch_chair",
                dues_paid_year=dt.date.today().year,
            ),
        )
        view = members.get_member(db, mid)
        assert view.full_name == "Trịnh Thị Thu"
        assert (view.gender, view.birth_year, view.phone) == ("F", 1965, "0912345678")
        assert view.join_date == dt.date(2010, 9, 1)
        assert view.person_id is None
        assert members.next_card_number(db) == "00013"

    def test_a_linked_member_takes_name_and_birth_from_the_person(
        self, db: Database, branch_id: int
    ) -> None:
        hid = new_household(db, PersonInput("Đinh Văn Phúc", gender="M", birth="5/6/1958"))
        pid = people_of(db, hid)["Đinh Văn Phúc"]
        mid = members.create_member(
            db, members.MemberInput(branch_id, person_id=pid, full_name="x")
        )
        view = members.get_member(db, mid)
        assert (view.full_name, view.gender, view.birth_year) == ("Đinh Văn Phúc", "M", 1958)
        assert hh.get_person(db, pid).member_id == mid
        assert hh.get_household_card(db, hid).members == [(mid, "Đinh Văn Phúc", None)]

    def test_update_delete_restore(self, db: Database, branch_id: int) -> None:
        mid = members.create_member(db, members.MemberInput(branch_id, full_name="Vũ Văn Hải"))
        members.update_member(
            db, mid, members.MemberInput(branch_id, full_name="Vũ Văn Hải", card_number="7"), 1
        )
        view = members.get_member(db, mid)
        assert (view.card_number, view.revision) == ("7", 2)
        members.delete_member(db, mid)
        assert live_ids(db, "members") == []
        assert deleted_ids(db, "members") == [mid]
        members.restore_member(db, mid)
        assert live_ids(db, "members") == [mid]

    def test_a_card_number_is_given_once(
        self, db: Database, snapshot: Snapshot, branch_id: int
    ) -> None:
        members.create_member(
            db, members.MemberInput(branch_id, full_name="Vũ Văn Hải", card_number="00001")
        )
        other = members.create_member(db, members.MemberInput(branch_id, full_name="Lê Thị Lan"))
        err = refused(
            db,
            snapshot,
            lambda: members.create_member(
                db, members.MemberInput(branch_id, full_name="Hồ Văn Sơn", card_number=" 00001 ")
            ),
            "Số thẻ 00001 đã được cấp cho hội viên Vũ Văn Hải",
        )
        assert err.field == "card_number"
        refused(
            db,
            snapshot,
            lambda: members.update_member(
                db,
                other,
                members.MemberInput(branch_id, full_name="Lê Thị Lan", card_number="00001"),
            ),
            "đã được cấp",
        )

    def test_restoring_a_member_whose_card_was_given_again_is_refused(
        self, db: Database, snapshot: Snapshot, branch_id: int
    ) -> None:
        old = members.create_member(
            db, members.MemberInput(branch_id, full_name="Vũ Văn Hải", card_number="00001")
        )
        members.delete_member(db, old)
        members.create_member(
            db, members.MemberInput(branch_id, full_name="Lê Thị Lan", card_number="00001")
        )
        refused(db, snapshot, lambda: members.restore_member(db, old), "Số thẻ 00001", "Lê Thị Lan")

    def test_a_person_is_a_member_once(
        self, db: Database, snapshot: Snapshot, branch_id: int
    ) -> None:
        hid = new_household(db, PersonInput("Đinh Văn Phúc"))
        pid = people_of(db, hid)["Đinh Văn Phúc"]
        members.create_member(db, members.MemberInput(branch_id, person_id=pid))
        err = refused(
            db,
            snapshot,
            lambda: members.create_member(db, members.MemberInput(branch_id, person_id=pid)),
            "Đinh Văn Phúc đã là hội viên",
        )
        assert err.field == "person_id"

    def test_restoring_a_member_whose_person_joined_again_is_refused(
        self, db: Database, snapshot: Snapshot, branch_id: int
    ) -> None:
        hid = new_household(db, PersonInput("Đinh Văn Phúc"))
        pid = people_of(db, hid)["Đinh Văn Phúc"]
        old = members.create_member(db, members.MemberInput(branch_id, person_id=pid))
        members.delete_member(db, old)
        members.create_member(db, members.MemberInput(branch_id, person_id=pid))
        refused(db, snapshot, lambda: members.restore_member(db, old), "đã là hội viên")

    @pytest.mark.parametrize(
        ("data", "fragment"),
        [
            (members.MemberInput(None, full_name=""), "không được để trống"),
            (members.MemberInput(None, full_name="Lê Văn Ba", birth_year=2999), "tương lai"),
            (members.MemberInput(None, full_name="Lê Văn Ba", birth_year=1800), "không hợp lý"),
            (members.MemberInput(None, full_name="Lê Văn Ba", role="boss"), "Chức vụ"),
            (members.MemberInput(None, full_name="Lê Văn Ba", join_date="2999"), "đủ ngày"),
            (members.MemberInput(None, full_name="Lê Văn Ba", join_date="1/1/2999"), "tương lai"),
            (
                members.MemberInput(
                    None, full_name="Lê Văn Ba", join_date="1/1/2020", leave_date="1/1/2019"
                ),
                "trước ngày vào Hội",
            ),
            (members.MemberInput(None, full_name="Lê Văn Ba", dues_paid_year=1900), "hội phí"),
            (members.MemberInput(None, person_id=999_999), "Không tìm thấy"),
            (members.MemberInput(999_999, full_name="Lê Văn Ba"), "Không tìm thấy"),
        ],
    )
    def test_bad_member_data_is_refused(
        self, db: Database, snapshot: Snapshot, data: members.MemberInput, fragment: str
    ) -> None:
        before = snapshot(db)
        with pytest.raises((ValidationError, NotFoundError)) as err:
            members.create_member(db, data)
        assert fragment in err.value.message
        assert snapshot(db) == before

    def test_stale_edit_is_refused(self, db: Database, snapshot: Snapshot, branch_id: int) -> None:
        mid = members.create_member(db, members.MemberInput(branch_id, full_name="Vũ Văn Hải"))
        members.update_member(db, mid, members.MemberInput(branch_id, full_name="Vũ Văn Hai"), 1)
        refused(
            db,
            snapshot,
            lambda: members.update_member(
                db, mid, members.MemberInput(branch_id, full_name="Vũ Văn Hài"), 1
            ),
            "Hội viên này vừa được sửa",
        )


# --- sync marks on every row ------------------------------------------------------


@dataclass(frozen=True)
class Entity:
    """How to create, edit, delete and restore one kind of row, for the generic checks."""

    model: type[SyncMixin]
    create: Callable[[Database, dict[str, int]], int]
    update: Callable[[Database, int, int], None]
    delete: Callable[[Database, int], object]
    restore: Callable[[Database, int], object]


def _person_create(db: Database, ctx: dict[str, int]) -> int:
    return hh.add_person(db, ctx["household"], PersonInput("Mai Thị Trang"))


ENTITIES = {
    "hamlet": Entity(
        Hamlet,
        lambda db, ctx: hamlets.create_hamlet(db, hamlets.HamletInput("Thôn Tây")),
        lambda db, i, rev: hamlets.update_hamlet(
            db, i, hamlets.HamletInput(f"Thôn Tây {rev}"), rev
        ),
        hamlets.delete_hamlet,
        hamlets.restore_hamlet,
    ),
    "household": Entity(
        Household,
        lambda db, ctx: new_household(db, PersonInput("Trương Văn Sơn")),
        lambda db, i, rev: hh.update_household(
            db, i, hh.HouseholdInput(hamlet_id=default_hamlet(db), code=str(rev)), rev
        ),
        hh.delete_household,
        hh.restore_household,
    ),
    "person": Entity(
        Person,
        _person_create,
        lambda db, i, rev: hh.update_person(
            db, i, PersonInput("Mai Thị Trang", note=str(rev)), rev
        ),
        hh.delete_person,
        hh.restore_person,
    ),
    "clan": Entity(
        Clan,
        lambda db, ctx: clans.create_clan(db, clans.ClanInput("Họ Mai")),
        lambda db, i, rev: clans.update_clan(db, i, clans.ClanInput("Họ Mai", note=str(rev)), rev),
        clans.delete_clan,
        clans.restore_clan,
    ),
    "unit": Entity(
        Unit,
        lambda db, ctx: units.create_unit(db, units.UnitInput("Hợp tác xã Đông")),
        lambda db, i, rev: units.update_unit(
            db, i, units.UnitInput("Hợp tác xã Đông", staff_count=rev), rev
        ),
        units.delete_unit,
        units.restore_unit,
    ),
    "branch": Entity(
        Branch,
        lambda db, ctx: members.create_branch(db, members.BranchInput("Chi hội Tây")),
        lambda db, i, rev: members.update_branch(
            db, i, members.BranchInput("Chi hội Tây", note=str(rev)), rev
        ),
        members.delete_branch,
        members.restore_branch,
    ),
    "member": Entity(
        Member,
        lambda db, ctx: members.create_member(
            db, members.MemberInput(ctx["branch"], full_name="Tạ Văn Ưng")
        ),
        lambda db, i, rev: members.update_member(
            db, i, members.MemberInput(None, full_name="Tạ Văn Ưng", note=str(rev)), rev
        ),
        members.delete_member,
        members.restore_member,
    ),
}


@pytest.fixture
def ctx(db: Database, branch_id: int) -> dict[str, int]:
    return {"household": new_household(db, PersonInput("Cao Văn Bảo")), "branch": branch_id}


@pytest.mark.parametrize("kind", list(ENTITIES))
def test_every_write_stamps_a_larger_change_mark_and_the_counter_only_grows(
    db: Database, ctx: dict[str, int], kind: str
) -> None:
    entity = ENTITIES[kind]
    marks: list[int] = []
    counters: list[int] = [counter(db)]

    def record() -> Any:
        obj = load(db, entity.model, row_id)
        marks.append(obj.change_seq)
        counters.append(counter(db))
        assert obj.change_seq <= counters[-1]
        return obj

    row_id = entity.create(db, ctx)
    created = record()
    uuid = created.uuid
    revision = created.revision
    for _ in range(2):
        entity.update(db, row_id, revision)
        obj = record()
        assert obj.revision == revision + 1, "each edit adds one to the revision"
        revision = obj.revision
    entity.delete(db, row_id)
    obj = record()
    assert obj.deleted and obj.deleted_at is not None
    assert obj.revision == revision + 1
    entity.restore(db, row_id)
    obj = record()
    assert not obj.deleted and obj.deleted_at is None

    assert marks == sorted(set(marks)), f"change marks must strictly grow: {marks}"
    assert counters == sorted(counters), f"the counter never goes back: {counters}"
    assert obj.uuid == uuid, "the uuid is permanent"


def test_every_row_names_its_commune(db: Database, ctx: dict[str, int]) -> None:
    for entity in ENTITIES.values():
        entity.create(db, ctx)
    with db.session() as s:
        for model in SYNCABLE_MODELS:
            codes = set(s.scalars(select(model.commune_code)))
            if not codes and model.__module__ in (
                "app.core.models.assessment",
                "app.core.models.fund",
                "app.core.models.activities",
            ):
                continue  # yearly-cycle, fund and activity rows: this test creates none
            assert codes == {"00004"}, model.__name__


def test_every_row_has_its_own_uuid(db: Database, ctx: dict[str, int]) -> None:
    for entity in ENTITIES.values():
        entity.create(db, ctx)
    seen: list[str] = []
    with db.session() as s:
        for model in SYNCABLE_MODELS:
            seen += list(s.scalars(select(model.uuid)))
    assert len(seen) == len(set(seen))
    assert all(len(u) == 36 for u in seen)


def test_a_refused_save_does_not_advance_the_counter(
    db: Database, snapshot: Snapshot, hamlet_id: int
) -> None:
    before = counter(db)
    refused(db, snapshot, lambda: hamlets.update_hamlet(db, hamlet_id, hamlets.HamletInput("")))
    assert counter(db) == before


def test_a_created_household_starts_at_a_low_revision(db: Database) -> None:
    hid = new_household(db, PersonInput("Trương Văn Sơn"))
    assert hh.get_household_card(db, hid).revision == 1


# --- more rules -------------------------------------------------------------------


def test_a_gender_correction_reaches_the_linked_member(db: Database, branch_id: int) -> None:
    hid = new_household(db, PersonInput("Đoàn Thanh Xuân", gender="M", birth="1960"))
    pid = people_of(db, hid)["Đoàn Thanh Xuân"]
    mid = members.create_member(db, members.MemberInput(branch_id, person_id=pid))
    hh.update_person(db, pid, PersonInput("Đoàn Thanh Xuân", gender="Nữ", birth="1960"))
    assert members.get_member(db, mid).gender == "F"


RENAMEABLE = {
    "clan": (
        lambda db: clans.create_clan(db, clans.ClanInput("Họ Lê", branch="Chi cả")),
        clans.delete_clan,
        clans.restore_clan,
        "Đã có dòng họ",
    ),
    "unit": (
        lambda db: units.create_unit(db, units.UnitInput("Trạm Y tế phường")),
        units.delete_unit,
        units.restore_unit,
        "Đã có đơn vị",
    ),
    "branch": (
        lambda db: members.create_branch(db, members.BranchInput("Chi hội Cựu giáo chức")),
        members.delete_branch,
        members.restore_branch,
        "Đã có chi hội",
    ),
}


@pytest.mark.parametrize("kind", list(RENAMEABLE))
def test_restore_is_refused_when_the_name_was_taken_meanwhile(
    db: Database, snapshot: Snapshot, kind: str
) -> None:
    make, delete, restore, fragment = RENAMEABLE[kind]
    old = make(db)
    delete(db, old)
    make(db)  # the same name again, while the old one is deleted
    refused(db, snapshot, lambda: restore(db, old), fragment)


@pytest.mark.parametrize(
    ("person", "fragment"),
    [
        (PersonInput("Nguyễn " + "Văn " * 60 + "An"), "quá dài"),
        (PersonInput("Hà Văn Tư", id_number="00108001234A"), "CCCD"),
    ],
)
def test_more_person_rules(
    db: Database, snapshot: Snapshot, person: PersonInput, fragment: str
) -> None:
    refused(db, snapshot, lambda: new_household(db, person), fragment)


def test_reserved_change_numbers_never_overlap(db: Database) -> None:
    from app.core.db import reserve_change_seqs

    start = counter(db)
    with db.connect() as conn:
        first = reserve_change_seqs(conn, 5)
        second = reserve_change_seqs(conn, 3)
        assert reserve_change_seqs(conn, 0) == 0
    assert (first, second) == (start + 1, start + 6)
    assert counter(db) == start + 8
    hid = hamlets.create_hamlet(db, hamlets.HamletInput("Thôn Sau"))
    assert load(db, Hamlet, hid).change_seq == start + 9


def test_the_installation_id_is_stable(ws: Any, db: Database) -> None:
    from app.core.db import open_database

    first = db.installation_id()
    assert len(first) == 36
    db.close()
    again = open_database(db.path)
    try:
        assert again.installation_id() == first
    finally:
        again.close()


def test_a_save_racing_another_writer_is_refused_not_crashed(db: Database, hamlet_id: int) -> None:
    # Another program (or window) saves the row between our read and our write.
    import sqlite3

    with pytest.raises(ValidationError) as err, db.session() as s:
        hamlet = s.get(Hamlet, hamlet_id)
        assert hamlet is not None
        other = sqlite3.connect(db.path)
        other.execute("UPDATE hamlet SET revision = revision + 1, note = 'khác'")
        other.commit()
        other.close()
        hamlet.note = "của tôi"
    assert "vừa được sửa ở nơi khác" in err.value.message
    assert hamlets.get_hamlet(db, hamlet_id).note == "khác"
