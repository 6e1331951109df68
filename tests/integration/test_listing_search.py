"""Lists and search: Vietnamese order, diacritic-free search, filters, sorting, display."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.db import Database
from app.core.registry import clans, hamlets, members, units
from app.core.registry import households as hh
from app.core.registry.listing import (
    HOUSEHOLDS,
    LISTINGS,
    MEMBERS,
    PEOPLE,
    ListQuery,
)
from app.core.registry.people import PersonInput
from app.core.registry.search import search
from app.core.registry.stats import registry_stats
from app.core.text import fold, sort_key
from tests.registry_helpers import default_hamlet

THIS_YEAR = dt.date.today().year


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@dataclass
class Commune:
    dong: int
    tay: int
    an: int  # person ids by given name
    binh: int
    cuong: int
    hoa: int
    dung: int
    anh: int
    anh_acute: int
    outsider: int
    h_an: int  # household ids by head
    h_hoa: int
    h_anh: int
    m_an: int  # member ids
    m_hai: int


@pytest.fixture
def commune(db: Database) -> Commune:
    dong = hamlets.create_hamlet(db, hamlets.HamletInput("Thôn Đông"))
    tay = hamlets.create_hamlet(db, hamlets.HamletInput("Thôn Tây"))
    h_an = hh.create_household(
        db,
        hh.HouseholdInput(hamlet_id=dong, address="Xóm Giữa"),
        [
            PersonInput(nfd("NGUYỄN  VĂN AN"), gender="M", birth="1980", relation="Chủ hộ"),
            PersonInput("Lê\u00a0Thị Bình", gender="F", birth="12/3/1980", relation="Vợ"),
            PersonInput(
                "Nguyễn Văn Cường",
                gender="M",
                birth="5/9/2010",
                relation="Con",
                school_level="lower_secondary",
                is_studying=True,
            ),
        ],
    )
    h_hoa = hh.create_household(
        db,
        hh.HouseholdInput(hamlet_id=tay, phone="0987 654 321"),
        [
            PersonInput(
                "Đặng Thị Hoà",
                gender="F",
                birth="1975",
                id_number="001175012345",
                phone="0912 345 678",
            ),
            PersonInput("Đỗ Văn Dũng", gender="M", birth="2001", relation="Chồng"),
        ],
    )
    h_anh = hh.create_household(
        db,
        hh.HouseholdInput(hamlet_id=dong),
        [
            PersonInput("Trần Văn Anh", gender="M", birth="1990"),
            PersonInput("Trần Thị Ánh", gender="F", birth="1992", relation="Em"),
        ],
    )
    outsider = hh.add_person(db, None, PersonInput("Âu Văn Ơn", gender="M", birth="1950"))
    clan = clans.create_clan(db, clans.ClanInput("Nguyễn", branch="Chi hai", hamlet_id=dong))
    hh.assign_households_to_clan(db, [h_an], clan)
    units.create_unit(
        db,
        units.UnitInput("Trường Tiểu học Thôn Đông", kind="school", hamlet_id=dong, staff_count=31),
    )

    people = {
        p.full_name: p.id for h in (h_an, h_hoa, h_anh) for p in hh.get_household_card(db, h).people
    }
    branch = members.create_branch(db, members.BranchInput("Chi hội thôn Đông", hamlet_id=dong))
    m_an = members.create_member(
        db,
        members.MemberInput(
            branch,
            person_id=people["Nguyễn Văn An"],
            card_number="00001",
            join_date="1/9/2010",
            dues_paid_year=THIS_YEAR,
        ),
    )
    m_hai = members.create_member(
        db,
        members.MemberInput(
            branch,
            full_name="Vũ Văn Hải",
            birth_year=1948,
            card_number="00002",
            join_date="1/9/2000",
            leave_date="1/1/2020",
            dues_paid_year=2019,
        ),
    )
    return Commune(
        dong=dong,
        tay=tay,
        an=people["Nguyễn Văn An"],
        binh=people["Lê Thị Bình"],
        cuong=people["Nguyễn Văn Cường"],
        hoa=people["Đặng Thị Hoà"],
        dung=people["Đỗ Văn Dũng"],
        anh=people["Trần Văn Anh"],
        anh_acute=people["Trần Thị Ánh"],
        outsider=outsider,
        h_an=h_an,
        h_hoa=h_hoa,
        h_anh=h_anh,
        m_an=m_an,
        m_hai=m_hai,
    )


def people_ids(db: Database, **query: object) -> list[int]:
    return PEOPLE.ids(db, ListQuery(**query))  # type: ignore[arg-type]


def names(db: Database, ids: list[int]) -> list[str]:
    rows = PEOPLE.rows(db, ids)
    return [rows[i][0] for i in ids]


# --- order ------------------------------------------------------------------------


class TestOrder:
    def test_people_are_listed_in_vietnamese_order(self, db: Database, commune: Commune) -> None:
        listed = names(db, people_ids(db))
        assert listed == sorted(listed, key=sort_key)
        assert listed == [
            "Nguyễn Văn An",
            "Trần Văn Anh",
            "Trần Thị Ánh",
            "Lê Thị Bình",
            "Nguyễn Văn Cường",
            "Đỗ Văn Dũng",
            "Đặng Thị Hoà",
            "Âu Văn Ơn",
        ]

    def test_households_are_listed_by_their_head_in_vietnamese_order(
        self, db: Database, commune: Commune
    ) -> None:
        assert HOUSEHOLDS.ids(db, ListQuery()) == [commune.h_an, commune.h_anh, commune.h_hoa]

    def test_hamlets_are_listed_in_reading_order(self, db: Database, commune: Commune) -> None:
        assert LISTINGS["hamlets"].ids(db, ListQuery()) == [commune.dong, commune.tay]

    def test_sort_by_a_column_ascending_and_descending(
        self, db: Database, commune: Commune
    ) -> None:
        by_birth = people_ids(db, sort="birth")
        assert by_birth[0] == commune.outsider  # born 1950
        assert by_birth[-1] == commune.cuong  # born 2010
        assert by_birth.index(commune.an) < by_birth.index(commune.binh)  # 1980 < 12/3/1980
        assert people_ids(db, sort="birth", descending=True)[0] == commune.cuong
        by_name_desc = names(db, people_ids(db, sort="full_name", descending=True))
        assert by_name_desc == sorted(by_name_desc, key=sort_key, reverse=True)

    def test_sort_by_a_joined_column(self, db: Database, commune: Commune) -> None:
        ids = HOUSEHOLDS.ids(db, ListQuery(sort="hamlet", descending=True))
        assert ids[0] == commune.h_hoa  # Thôn Tây after Thôn Đông
        assert ids[1:] == [commune.h_an, commune.h_anh]  # then the usual order

    @pytest.mark.parametrize("key", list(LISTINGS))
    def test_every_column_of_every_list_can_sort(
        self, db: Database, commune: Commune, key: str
    ) -> None:
        listing = LISTINGS[key]
        everything = sorted(listing.ids(db, ListQuery()))
        for column in listing.columns:
            for descending in (False, True):
                ids = listing.ids(db, ListQuery(sort=column.key, descending=descending))
                assert sorted(ids) == everything


# --- search -----------------------------------------------------------------------


class TestListSearch:
    def test_without_diacritics_finds_a_name_typed_decomposed(
        self, db: Database, commune: Commune
    ) -> None:
        found = people_ids(db, search="nguyen van an")
        assert commune.an in found
        assert commune.anh not in found

    def test_with_diacritics_and_capitals_finds_the_same(
        self, db: Database, commune: Commune
    ) -> None:
        assert people_ids(db, search="NGUYỄN VĂN AN") == people_ids(db, search="nguyen van an")
        assert people_ids(db, search=nfd("Nguyễn Văn An")) == people_ids(db, search="nguyen van an")

    def test_d_finds_names_written_with_đ(self, db: Database, commune: Commune) -> None:
        # Đỗ Văn Dũng lives in Đặng Thị Hoà's household, so "dang" finds him too.
        assert people_ids(db, search="dang") == [commune.dung, commune.hoa]
        assert people_ids(db, search="đặng") == people_ids(db, search="dang")
        assert HOUSEHOLDS.ids(db, ListQuery(search="dang thi hoa")) == [commune.h_hoa]
        assert {commune.hoa, commune.dung} <= set(people_ids(db, search="d"))

    def test_by_id_number_whole_or_part(self, db: Database, commune: Commune) -> None:
        assert people_ids(db, search="001175012345") == [commune.hoa]
        assert people_ids(db, search="1750123") == [commune.hoa]

    def test_by_phone_as_typed_with_spaces(self, db: Database, commune: Commune) -> None:
        assert commune.hoa in people_ids(db, search="0912345678")
        assert HOUSEHOLDS.ids(db, ListQuery(search="0987654321")) == [commune.h_hoa]

    def test_people_are_found_by_their_household_heads_name(
        self, db: Database, commune: Commune
    ) -> None:
        found = people_ids(db, search="nguyen van an")
        assert {commune.an, commune.binh, commune.cuong} <= set(found)

    def test_words_may_come_in_any_order_and_be_partial(
        self, db: Database, commune: Commune
    ) -> None:
        assert people_ids(db, search="anh tran") == [commune.anh, commune.anh_acute]
        assert people_ids(db, search="ánh") == [commune.anh, commune.anh_acute]

    def test_like_wildcards_are_taken_literally(self, db: Database, commune: Commune) -> None:
        assert people_ids(db, search="%") == []
        assert people_ids(db, search="_") == []

    def test_count_matches_ids(self, db: Database, commune: Commune) -> None:
        for key, listing in LISTINGS.items():
            for q in (ListQuery(), ListQuery(search="a"), ListQuery(deleted=True)):
                assert listing.count(db, q) == len(listing.ids(db, q)), key

    def test_nothing_matches_gives_an_empty_list(self, db: Database, commune: Commune) -> None:
        assert people_ids(db, search="xyzzy") == []


# --- filters ----------------------------------------------------------------------


class TestFilters:
    def test_people_by_hamlet_gender_and_schooling(self, db: Database, commune: Commune) -> None:
        in_dong = set(people_ids(db, filters={"hamlet_id": commune.dong}))
        assert in_dong == {commune.an, commune.binh, commune.cuong, commune.anh, commune.anh_acute}
        women = set(people_ids(db, filters={"gender": "F"}))
        assert women == {commune.binh, commune.hoa, commune.anh_acute}
        women_in_dong = set(people_ids(db, filters={"gender": "F", "hamlet_id": commune.dong}))
        assert women_in_dong == {commune.binh, commune.anh_acute}
        assert people_ids(db, filters={"is_studying": True}) == [commune.cuong]
        assert people_ids(db, filters={"school_level": "lower_secondary"}) == [commune.cuong]

    def test_an_empty_filter_value_means_no_filter(self, db: Database, commune: Commune) -> None:
        assert people_ids(db, filters={"gender": "", "hamlet_id": None}) == people_ids(db)

    def test_households_by_hamlet(self, db: Database, commune: Commune) -> None:
        assert HOUSEHOLDS.ids(db, ListQuery(filters={"hamlet_id": commune.tay})) == [commune.h_hoa]

    def test_members_by_status_and_dues(self, db: Database, commune: Commune) -> None:
        assert MEMBERS.ids(db, ListQuery(filters={"status": "active"})) == [commune.m_an]
        assert MEMBERS.ids(db, ListQuery(filters={"status": "left"})) == [commune.m_hai]
        assert MEMBERS.ids(db, ListQuery(filters={"dues": "paid"})) == [commune.m_an]
        assert MEMBERS.ids(db, ListQuery(filters={"dues": "unpaid"})) == [commune.m_hai]

    @pytest.mark.parametrize("key", list(LISTINGS))
    def test_every_filter_offers_labelled_choices(
        self, db: Database, commune: Commune, key: str
    ) -> None:
        for flt in LISTINGS[key].filters:
            choices = flt.choices(db)
            assert choices, flt.key
            assert all(isinstance(label, str) and label for _value, label in choices)
            value = choices[0][0]
            LISTINGS[key].ids(db, ListQuery(filters={flt.key: value}))  # the clause runs


# --- rows and display -------------------------------------------------------------


class TestDisplay:
    def test_people_rows_show_dates_years_and_genders_in_vietnamese(
        self, db: Database, commune: Commune
    ) -> None:
        rows = PEOPLE.rows(db, [commune.an, commune.binh, commune.cuong])
        shown = {
            pid: dict(zip(PEOPLE.column_keys, PEOPLE.display(raw), strict=True))
            for pid, raw in rows.items()
        }
        assert shown[commune.an]["birth"] == "1980"  # a year alone stays a year alone
        assert shown[commune.binh]["birth"] == "12/03/1980"
        assert shown[commune.an]["gender"] == "Nam"
        assert shown[commune.binh]["gender"] == "Nữ"
        assert shown[commune.binh]["head_name"] == "Nguyễn Văn An"
        assert shown[commune.binh]["hamlet"] == "Thôn Đông"
        assert shown[commune.cuong]["school_level"] == "THCS"
        assert shown[commune.cuong]["is_studying"] == "Có"
        assert shown[commune.an]["is_studying"] == ""

    def test_member_rows(self, db: Database, commune: Commune) -> None:
        rows = MEMBERS.rows(db, [commune.m_an, commune.m_hai])
        an = dict(zip(MEMBERS.column_keys, MEMBERS.display(rows[commune.m_an]), strict=True))
        hai = dict(zip(MEMBERS.column_keys, MEMBERS.display(rows[commune.m_hai]), strict=True))
        assert an["join_date"] == "01/09/2010"
        assert an["status"] == "Đang sinh hoạt"
        assert hai["status"] == "Đã ra khỏi Hội"
        assert an["role"] == "Hội viên"
        assert an["birth_year"] == "1980"
        assert an["in_registry"] == "Có"
        assert hai["in_registry"] == ""

    def test_rows_of_no_ids_is_empty(self, db: Database) -> None:
        assert PEOPLE.rows(db, []) == {}

    def test_fetch_all_returns_rows_in_list_order(self, db: Database, commune: Commune) -> None:
        q = ListQuery(sort="birth", descending=True)
        rows = PEOPLE.fetch_all(db, q)
        by_id = PEOPLE.rows(db, PEOPLE.ids(db, q))
        assert rows == [by_id[i] for i in PEOPLE.ids(db, q)]

    @pytest.mark.parametrize("key", list(LISTINGS))
    def test_every_list_displays_every_row(self, db: Database, commune: Commune, key: str) -> None:
        listing = LISTINGS[key]
        assert all(col.title for col in listing.columns)
        ids = listing.ids(db, ListQuery())
        assert ids
        for raw in listing.rows(db, ids).values():
            shown = listing.display(raw)
            assert len(shown) == len(listing.columns)
            assert all(isinstance(cell, str) for cell in shown)

    def test_counts_of_people_per_household_ignore_deleted_people(
        self, db: Database, commune: Commune
    ) -> None:
        hh.delete_person(db, commune.cuong)
        raw = HOUSEHOLDS.rows(db, [commune.h_an])[commune.h_an]
        shown = dict(zip(HOUSEHOLDS.column_keys, HOUSEHOLDS.display(raw), strict=True))
        assert shown["people"] == "2"


class TestDeletedView:
    def test_deleted_rows_leave_the_live_view_for_the_deleted_view(
        self, db: Database, commune: Commune
    ) -> None:
        hh.delete_household(db, commune.h_anh)
        assert commune.anh not in people_ids(db)
        assert set(people_ids(db, deleted=True)) == {commune.anh, commune.anh_acute}
        assert people_ids(db, deleted=True, search="anh") == [commune.anh, commune.anh_acute]
        assert HOUSEHOLDS.ids(db, ListQuery(deleted=True)) == [commune.h_anh]
        assert commune.anh not in [h.id for h in search(db, "tran van anh") if h.kind == "person"]


# --- search anywhere --------------------------------------------------------------


class TestSearchAnywhere:
    def test_the_exact_name_comes_first(self, db: Database, commune: Commune) -> None:
        hits = search(db, "nguyen van an", limit=10)
        assert (hits[0].kind, hits[0].id, hits[0].name) == ("person", commune.an, "Nguyễn Văn An")
        household_hit = next(h for h in hits if h.kind == "household")
        assert household_hit.id == commune.h_an

    def test_a_hit_carries_what_the_result_list_shows(self, db: Database, commune: Commune) -> None:
        hit = search(db, "dang thi hoa", limit=5)[0]
        assert hit.kind == "person"
        assert hit.as_dict() == {
            "kind": "person",
            "id": commune.hoa,
            "uuid": hit.uuid,
            "name": "Đặng Thị Hoà",
            "household_id": commune.h_hoa,
            "head_name": "Đặng Thị Hoà",
            "hamlet": "Thôn Tây",
            "birth": "1975",
            "id_number": "001175012345",
            "phone": "0912345678",
        }

    def test_finds_by_id_number_and_phone(self, db: Database, commune: Commune) -> None:
        assert [h.id for h in search(db, "001175012345") if h.kind == "person"] == [commune.hoa]
        by_household_phone = search(db, "0987654321")
        assert [h.id for h in by_household_phone if h.kind == "household"] == [commune.h_hoa]
        assert {h.id for h in by_household_phone if h.kind == "person"} == {
            commune.hoa,
            commune.dung,
        }

    def test_respects_the_limit_and_ignores_empty_text(
        self, db: Database, commune: Commune
    ) -> None:
        assert len(search(db, "a", limit=2)) == 2
        assert search(db, "   ") == []
        assert search(db, "an", limit=0) == []

    def test_the_exact_name_is_found_even_behind_many_earlier_matches(
        self, db: Database, commune: Commune
    ) -> None:
        # People in a "Nguyễn Văn Bình" household match "nguyen van an" too (the
        # head's name holds every word) and their given names sort before "An".
        hh.create_household(
            db,
            hh.HouseholdInput(hamlet_id=default_hamlet(db)),
            [
                PersonInput("Nguyễn Văn Bình"),
                *(
                    PersonInput(f"{family} Thị {given}")
                    for family in ("Lê", "Hồ", "Vũ")
                    for given in ("Ai", "Ái", "Am")
                ),
            ],
        )
        hits = search(db, "nguyen van an", limit=1)
        assert [(h.kind, h.id) for h in hits] == [("person", commune.an)]


def test_stats_count_live_rows_only(db: Database, commune: Commune) -> None:
    stats = registry_stats(db)
    assert (stats.hamlets, stats.households, stats.people, stats.members) == (2, 3, 8, 2)
    assert (stats.members_active, stats.members_paid_this_year) == (1, 1)
    assert stats.members_share_of_population == pytest.approx(1 / 8)
    hh.delete_household(db, commune.h_anh)
    stats = registry_stats(db)
    assert (stats.households, stats.people) == (2, 6)
    assert set(stats.as_dict()) >= {
        "hamlets",
        "households",
        "people",
        "members",
        "clans",
        "units",
        "branches",
    }


# --- properties over generated names ----------------------------------------------

_FAMILY = ("Nguyễn", "Trần", "Lê", "Đặng", "Đỗ", "Âu", "Ưng", "Hoàng", "Võ", "Vũ")
_MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Ngọc", "Thanh")
_GIVEN = ("An", "Anh", "Ánh", "Ân", "Ăn", "Bình", "Dũng", "Đạt", "Hoà", "Hòa", "Ơn", "Ưng", "Yến")


@st.composite
def typed_names(draw: st.DrawFn) -> str:
    """A generated name as it may be typed: any case, NFD, odd spaces."""
    words = [draw(st.sampled_from(_FAMILY)), draw(st.sampled_from(_MIDDLE))]
    words.append(draw(st.sampled_from(_GIVEN)))
    name = " ".join(words)
    name = draw(st.sampled_from((name, name.upper(), name.lower())))
    if draw(st.booleans()):
        name = nfd(name)
    return name.replace(" ", draw(st.sampled_from((" ", "  ", "\u00a0"))))


@settings(max_examples=30)
@given(typed=typed_names())
def test_a_saved_name_is_found_by_its_plain_spelling(db: Database, typed: str) -> None:
    pid = hh.add_person(db, None, PersonInput(typed))
    stored = hh.get_person(db, pid).full_name
    assert unicodedata.is_normalized("NFC", stored)
    assert pid in people_ids(db, search=fold(typed))
    assert pid in people_ids(db, search=typed)
    assert pid in [h.id for h in search(db, stored, limit=500) if h.kind == "person"]


@settings(max_examples=15)
@given(batch=st.lists(typed_names(), min_size=1, max_size=12))
def test_the_people_list_is_always_in_vietnamese_order(db: Database, batch: list[str]) -> None:
    for typed in batch:
        hh.add_person(db, None, PersonInput(typed))
    listed = names(db, people_ids(db))
    assert [sort_key(n) for n in listed] == sorted(sort_key(n) for n in listed)
