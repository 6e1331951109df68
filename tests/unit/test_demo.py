"""The demo commune: realistic, deterministic, stored exactly as the services store rows.

Most checks read one 200-household demo built once for the module; tests that
write to a demo (or cancel one) build their own.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import paths
from app.core import settings
from app.core import text as vntext
from app.core.demo import (
    COUNT_KEYS,
    REFERENCE_DATE,
    DemoCancelled,
    DemoSummary,
    generate_demo,
    populate_demo,
)
from app.core.errors import DatabaseError, ValidationError
from app.core.models import SchoolLevel
from app.core.models.households import HEAD_RELATION, RELATIONS
from app.core.registry import search as search_service
from app.core.registry.clans import clan_sort_key
from app.core.registry.households import (
    HouseholdInput,
    PersonInput,
    create_household,
    get_household_card,
    update_person,
)
from app.core.registry.members import MemberInput, create_member
from app.core.registry.stats import registry_stats
from app.core.workspace import Workspace, has_database, init_commune, open_workspace

HOUSEHOLDS = 200
SEED = 7
TABLES = ("hamlet", "household", "person", "clan", "unit", "branch", "member")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoSummary:
    return generate_demo(tmp_path_factory.mktemp("demo"), households=HOUSEHOLDS, seed=SEED)


@pytest.fixture
def sql(demo: DemoSummary) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"file:{paths.database_path(demo.data_dir)}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


@pytest.fixture
def opened(demo: DemoSummary) -> Iterator[Workspace]:
    workspace = open_workspace(demo.data_dir)
    try:
        yield workspace
    finally:
        workspace.close()


def _names_and_uuids(data_dir: Path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(paths.database_path(data_dir))
    try:
        return conn.execute(
            "SELECT 'person', full_name, uuid FROM person "
            "UNION ALL SELECT 'member', full_name, uuid FROM member "
            "UNION ALL SELECT 'hamlet', name, uuid FROM hamlet ORDER BY 1, 3"
        ).fetchall()
    finally:
        conn.close()


# --- size and shape -------------------------------------------------------------------


def test_counts_are_in_range_for_200_households(demo: DemoSummary) -> None:
    counts = demo.counts
    assert tuple(counts) == COUNT_KEYS
    assert counts["households"] == HOUSEHOLDS
    assert 2.6 * HOUSEHOLDS <= counts["people"] <= 3.4 * HOUSEHOLDS
    assert 0.9 * HOUSEHOLDS <= counts["members"] <= 1.1 * HOUSEHOLDS
    assert counts["hamlets"] == 3  # 200 / 110 rounds below the minimum of three
    assert 1 <= counts["clans"] <= 6
    assert 9 <= counts["units"] <= 12
    assert counts["branches"] >= counts["hamlets"] + 1  # one per hamlet, plus unit branches


def test_counts_agree_with_registry_stats(demo: DemoSummary, opened: Workspace) -> None:
    stats = registry_stats(opened.db).as_dict()
    assert {key: stats[key] for key in COUNT_KEYS} == demo.counts


def test_summary_as_dict_is_json_ready_with_counts_flattened(demo: DemoSummary) -> None:
    data = demo.as_dict()
    assert data["data_dir"] == str(demo.data_dir)
    assert data["seed"] == SEED
    assert data["counts"] == demo.counts
    assert {key: data[key] for key in COUNT_KEYS} == demo.counts
    assert data["province_name"] == "Hưng Yên"
    assert data["commune_name"].startswith("Xã ")


def test_the_commune_is_a_real_demo_commune_with_its_officers(
    demo: DemoSummary, opened: Workspace, sql: sqlite3.Connection
) -> None:
    info = settings.get_commune(opened.db)
    assert info is not None and info.is_demo
    assert info.code == demo.commune_code and info.province_code == "33"
    officers = dict(
        sql.execute("SELECT role, full_name FROM member WHERE role IN ('chair', 'secretary')")
    )
    assert officers == {"chair": info.chairman_name, "secretary": info.secretary_name}


# --- determinism ----------------------------------------------------------------------


def test_same_seed_gives_the_same_commune(demo: DemoSummary, tmp_path: Path) -> None:
    again = generate_demo(tmp_path, households=HOUSEHOLDS, seed=SEED)
    assert again.counts == demo.counts
    assert _names_and_uuids(tmp_path) == _names_and_uuids(demo.data_dir)


def test_another_seed_gives_another_commune(demo: DemoSummary, tmp_path: Path) -> None:
    other = _names_and_uuids(generate_demo(tmp_path, households=HOUSEHOLDS, seed=SEED + 1).data_dir)
    mine = _names_and_uuids(demo.data_dir)
    assert {u for _, _, u in other}.isdisjoint({u for _, _, u in mine})
    assert [n for _, n, _ in other] != [n for _, n, _ in mine]


# --- stored as the services store it --------------------------------------------------


def test_every_stored_name_is_nfc_although_some_were_generated_in_nfd(
    demo: DemoSummary, sql: sqlite3.Connection
) -> None:
    assert demo.nfd_source_names > 0
    texts = sql.execute(
        "SELECT full_name FROM person UNION ALL SELECT full_name FROM member "
        "UNION ALL SELECT head_name FROM household UNION ALL SELECT head_name FROM clan "
        "UNION ALL SELECT name FROM clan UNION ALL SELECT name FROM hamlet "
        "UNION ALL SELECT name FROM unit UNION ALL SELECT head_name FROM unit "
        "UNION ALL SELECT name FROM branch UNION ALL SELECT address FROM household"
    ).fetchall()
    assert [t for (t,) in texts if t and unicodedata.normalize("NFC", t) != t] == []
    assert [t for (t,) in texts if t and vntext.normalise(t) != t] == []


def test_derived_search_and_sort_columns_match_the_services(sql: sqlite3.Connection) -> None:
    for name, id_number, phone, folded, blob, key in sql.execute(
        "SELECT full_name, id_number, phone, name_folded, search_text, sort_key FROM person"
    ):
        assert folded == vntext.fold(name)
        assert blob == vntext.search_blob(name, id_number, phone)
        assert key == vntext.sort_key(name)
    for head, address, phone, code, blob, key in sql.execute(
        "SELECT head_name, address, phone, code, search_text, sort_key FROM household"
    ):
        assert blob == vntext.search_blob(head, address, phone, code)
        assert key == vntext.sort_key(head)
    for name, card, phone, blob, key in sql.execute(
        "SELECT full_name, card_number, phone, search_text, sort_key FROM member"
    ):
        assert blob == vntext.search_blob(name, card, phone)
        assert key == vntext.sort_key(name)
    for name, branch, head, blob, key in sql.execute(
        "SELECT name, branch, head_name, search_text, sort_key FROM clan"
    ):
        assert blob == vntext.search_blob(name, branch, head)
        assert key == clan_sort_key(name, branch)
    for name, head, phone, address, blob, key in sql.execute(
        "SELECT name, head_name, phone, address, search_text, sort_key FROM unit"
    ):
        assert blob == vntext.search_blob(name, head, phone, address)
        assert key == vntext.sort_key_plain(name)
    for name, folded, key in sql.execute("SELECT name, name_folded, sort_key FROM hamlet"):
        assert (folded, key) == (vntext.fold(name), vntext.sort_key_plain(name))
    for name, key in sql.execute("SELECT name, sort_key FROM branch"):
        assert key == vntext.sort_key_plain(name)


def test_sync_columns_are_set_and_change_seqs_unique_within_the_counter(
    demo: DemoSummary, sql: sqlite3.Connection
) -> None:
    seqs: list[int] = []
    uuids: list[str] = []
    for table in TABLES:
        rows = sql.execute(
            f"SELECT change_seq, uuid, commune_code, revision, deleted, created_at FROM {table}"
        ).fetchall()
        assert {(r[2], r[3], r[4]) for r in rows} == {(demo.commune_code, 1, 0)}
        assert all(r[5] for r in rows)
        seqs += [r[0] for r in rows]
        uuids += [r[1] for r in rows]
    (counter,) = sql.execute("SELECT change_counter FROM local_state").fetchone()
    assert len(set(seqs)) == len(seqs) == sum(demo.counts.values())
    assert min(seqs) >= 1 and max(seqs) <= counter
    assert len(set(uuids)) == len(uuids)
    assert all(len(u) == 36 and u[14] == "4" for u in uuids)


# --- households and people ------------------------------------------------------------


def test_every_household_has_exactly_one_head_named_on_the_household(
    sql: sqlite3.Connection,
) -> None:
    heads = Counter(
        hid
        for (hid,) in sql.execute(
            "SELECT household_id FROM person WHERE relation = ?", (HEAD_RELATION,)
        )
    )
    rows = sql.execute(
        "SELECT h.id, h.head_name, p.full_name, p.relation, p.household_id FROM household h "
        "JOIN person p ON p.id = h.head_person_id"
    ).fetchall()
    (households,) = sql.execute("SELECT count(*) FROM household").fetchone()
    assert len(rows) == households
    for hid, head_name, person_name, relation, person_household in rows:
        assert heads[hid] == 1
        assert (head_name, relation, person_household) == (person_name, HEAD_RELATION, hid)


def test_household_codes_addresses_and_sizes(sql: sqlite3.Connection) -> None:
    codes = [c for (c,) in sql.execute("SELECT code FROM household ORDER BY id")]
    assert codes[:2] == ["H0001", "H0002"] and len(set(codes)) == len(codes)
    sizes = [n for (n,) in sql.execute("SELECT count(*) FROM person GROUP BY household_id")]
    assert min(sizes) >= 1 and max(sizes) <= 7
    assert 2.6 <= sum(sizes) / len(sizes) <= 3.4
    for address, hamlet in sql.execute(
        "SELECT h.address, m.name FROM household h JOIN hamlet m ON m.id = h.hamlet_id"
    ):
        assert address.endswith(f", {hamlet}")
    (with_phone,) = sql.execute("SELECT avg(phone IS NOT NULL) FROM household").fetchone()
    assert 0.45 <= with_phone <= 0.75


def test_children_carry_their_fathers_family_name(sql: sqlite3.Connection) -> None:
    rows = sql.execute(
        "SELECT c.full_name, h.full_name, h.gender, "
        "(SELECT s.full_name FROM person s WHERE s.household_id = c.household_id "
        " AND s.relation = 'Chồng') "
        "FROM person c JOIN person h ON h.household_id = c.household_id AND h.relation = ? "
        "WHERE c.relation = 'Con'",
        (HEAD_RELATION,),
    ).fetchall()
    assert rows
    for child, head, head_gender, husband in rows:
        father = head if head_gender == "M" or husband is None else husband
        assert child.split(" ")[0] == father.split(" ")[0]


def test_no_two_people_of_a_household_share_a_name(sql: sqlite3.Connection) -> None:
    clashes = sql.execute(
        "SELECT household_id, full_name FROM person GROUP BY 1, 2 HAVING count(*) > 1"
    ).fetchall()
    assert clashes == []


def test_relations_are_the_registry_ones(sql: sqlite3.Connection) -> None:
    relations = {r for (r,) in sql.execute("SELECT DISTINCT relation FROM person")}
    assert relations <= set(RELATIONS)
    assert {HEAD_RELATION, "Vợ", "Con"} <= relations


def test_births_are_mostly_a_year_alone_and_never_in_the_future(sql: sqlite3.Connection) -> None:
    rows = sql.execute("SELECT birth_date, birth_year FROM person").fetchall()
    year_only = [y for d, y in rows if d is None]
    assert all(y is not None for _, y in rows)
    assert 0.5 <= len(year_only) / len(rows) <= 0.7
    for day, year in rows:
        if day is not None:
            assert dt.date.fromisoformat(day).year == year
            assert dt.date.fromisoformat(day) < REFERENCE_DATE
        assert 1900 < year < REFERENCE_DATE.year


def test_id_numbers_are_unique_well_formed_and_held_by_half_the_adults(
    sql: sqlite3.Connection,
) -> None:
    rows = sql.execute(
        "SELECT id_number, gender, birth_year FROM person WHERE birth_year <= ?",
        (REFERENCE_DATE.year - 19,),
    ).fetchall()
    numbers = [n for n, _, _ in rows if n]
    assert len(numbers) == len(set(numbers))
    assert 0.4 <= len(numbers) / len(rows) <= 0.6
    for number, gender, year in rows:
        if number is None:
            continue
        assert len(number) == 12 and number.isdigit()
        century = 0 if year < 2000 else 2
        assert int(number[3]) == century + (1 if gender == "F" else 0)
        assert number[4:6] == f"{year % 100:02d}"
    (children,) = sql.execute(
        "SELECT count(*) FROM person WHERE id_number IS NOT NULL AND birth_year > ?",
        (REFERENCE_DATE.year - 19,),
    ).fetchone()
    assert children == 0


def test_school_level_and_studying_follow_the_age(sql: sqlite3.Connection) -> None:
    by_age = {
        range(0, 3): {None},
        range(6, 11): {SchoolLevel.PRIMARY.value},
        range(11, 15): {SchoolLevel.LOWER_SECONDARY.value},
    }
    for year, level, studying, job in sql.execute(
        "SELECT birth_year, school_level, is_studying, occupation FROM person"
    ):
        age = REFERENCE_DATE.year - 1 - year
        for ages, levels in by_age.items():
            if age in ages:
                assert level in levels
        if 6 <= age <= 14:
            assert studying and job == "Học sinh"
        if age < 3:
            assert not studying and job is None
        if age > 25:
            assert not studying
        if age < 22:
            assert level not in ("college", "university", "postgraduate") or studying


def test_phones_have_ten_digits_and_mobile_prefixes(sql: sqlite3.Connection) -> None:
    phones = [p for (p,) in sql.execute("SELECT phone FROM person WHERE phone IS NOT NULL")]
    assert phones
    assert all(len(p) == 10 and p[:2] in ("03", "05", "07", "08", "09") for p in phones)


# --- clans, units, branches, members --------------------------------------------------


def test_clans_have_a_head_of_their_family_living_in_a_member_household(
    sql: sqlite3.Connection,
) -> None:
    rows = sql.execute(
        "SELECT c.id, c.name, c.head_name, p.full_name, h.clan_id FROM clan c "
        "JOIN person p ON p.id = c.head_person_id JOIN household h ON h.id = p.household_id"
    ).fetchall()
    (clans,) = sql.execute("SELECT count(*) FROM clan").fetchone()
    assert len(rows) == clans
    for clan_id, name, head_name, person_name, household_clan in rows:
        assert name.startswith("Họ ")
        assert head_name == person_name and household_clan == clan_id
        assert person_name.split(" ")[0] == name.split(" ")[1]
    for clan_name, head in sql.execute(
        "SELECT c.name, p.full_name FROM household h JOIN clan c ON c.id = h.clan_id "
        "JOIN person p ON p.id = h.head_person_id"
    ):
        assert head.split(" ")[0] == clan_name.split(" ")[1]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT name FROM hamlet",
        "SELECT name FROM unit",
        "SELECT name FROM branch",
        "SELECT name || ' — ' || coalesce(branch, '') FROM clan",
    ],
)
def test_names_the_services_keep_unique_are_unique(sql: sqlite3.Connection, query: str) -> None:
    """Otherwise the first edit of a demo hamlet, unit, branch or clan would be refused."""
    folded = [vntext.fold(name) for (name,) in sql.execute(query)]
    assert len(set(folded)) == len(folded)


def test_units_and_branches(sql: sqlite3.Connection) -> None:
    units = dict(sql.execute("SELECT name, kind FROM unit"))
    assert units["UBND xã Khoái Châu"] == "agency"
    assert units["Trạm Y tế xã Khoái Châu"] == "health"
    assert units["Ban Chỉ huy quân sự xã Khoái Châu"] == "armed_forces"
    assert {"Trường Mầm non Khoái Châu", "Trường Tiểu học Khoái Châu"} <= set(units)
    assert all(n > 0 for (n,) in sql.execute("SELECT staff_count FROM unit"))
    hamlet_branches = sql.execute(
        "SELECT count(*) FROM branch b JOIN hamlet h ON h.id = b.hamlet_id "
        "WHERE b.kind = 'hamlet' AND b.name = 'Chi hội ' || h.name"
    ).fetchone()[0]
    assert hamlet_branches == sql.execute("SELECT count(*) FROM hamlet").fetchone()[0]
    assert (
        sql.execute(
            "SELECT count(*) FROM branch WHERE kind = 'unit' AND unit_id IS NOT NULL"
        ).fetchone()[0]
        >= 1
    )


def test_members_cards_links_roles_and_dues(sql: sqlite3.Connection) -> None:
    rows = sql.execute(
        "SELECT m.card_number, m.person_id, m.full_name, p.full_name, m.birth_year, p.birth_year, "
        "m.role, m.dues_paid_year, m.join_date, m.leave_date, m.leave_reason "
        "FROM member m LEFT JOIN person p ON p.id = m.person_id"
    ).fetchall()
    cards = [r[0] for r in rows]
    assert len(set(cards)) == len(cards) and min(cards) == "HV00001"
    linked = [r for r in rows if r[1] is not None]
    assert len({r[1] for r in linked}) == len(linked)  # a person is a member once
    assert 0.02 <= 1 - len(linked) / len(rows) <= 0.08  # ≈ 5 % outsiders
    assert all(r[2] == r[3] and r[4] == r[5] for r in linked)
    for *_, role, dues, joined, left, reason in rows:
        assert dt.date.fromisoformat(joined) < REFERENCE_DATE
        if left is not None:
            assert reason and joined <= left and role == "member"
        if dues is not None:
            assert dues <= REFERENCE_DATE.year
    paid = sum(1 for r in rows if r[7] is not None) / len(rows)
    assert 0.55 <= paid <= 0.85
    chairs = Counter(
        b for (b,) in sql.execute("SELECT branch_id FROM member WHERE role = 'branch_chair'")
    )
    (branches,) = sql.execute("SELECT count(*) FROM branch").fetchone()
    assert set(chairs.values()) == {1}
    assert len(chairs) <= branches


# --- cancel, replace, and the services afterwards -------------------------------------


def test_cancel_before_anything_is_written_leaves_no_database(tmp_path: Path) -> None:
    with pytest.raises(DemoCancelled) as caught:
        generate_demo(tmp_path, households=HOUSEHOLDS, seed=SEED, cancel=lambda: True)
    assert caught.value.message == "Đã hủy tạo xã mẫu."
    assert not has_database(tmp_path)
    assert not paths.database_path(tmp_path).exists()


def test_cancel_between_batches_leaves_no_database(tmp_path: Path) -> None:
    calls = 0

    def cancel_on_the_third_call() -> bool:
        nonlocal calls
        calls += 1
        return calls >= 3

    with pytest.raises(DemoCancelled):
        generate_demo(tmp_path, households=HOUSEHOLDS, seed=SEED, cancel=cancel_on_the_third_call)
    assert calls == 3
    assert not has_database(tmp_path)


def test_cancelled_populate_rolls_back_everything(tmp_path: Path) -> None:
    workspace = init_commune(tmp_path, "12205", lock=False)
    try:
        before = registry_stats(workspace.db)
        calls = 0

        def cancel_late() -> bool:
            nonlocal calls
            calls += 1
            return calls >= 5  # after hamlets, units and branches were inserted

        with pytest.raises(DemoCancelled):
            populate_demo(workspace.db, HOUSEHOLDS, SEED, cancel=cancel_late)
        assert registry_stats(workspace.db) == before
        assert populate_demo(workspace.db, HOUSEHOLDS, SEED)["households"] == HOUSEHOLDS
    finally:
        workspace.close()


def test_populate_refuses_a_commune_that_has_data(demo: DemoSummary, opened: Workspace) -> None:
    with pytest.raises(ValidationError):
        populate_demo(opened.db, 10, SEED)


def test_progress_is_reported_up_to_the_end(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    generate_demo(tmp_path, households=50, seed=SEED, progress=lambda d, t: seen.append((d, t)))
    done = [d for d, _ in seen]
    assert done == sorted(done)
    assert seen[-1][0] == seen[-1][1]


def test_an_existing_database_is_kept_unless_replace(tmp_path: Path) -> None:
    generate_demo(tmp_path, households=20, seed=SEED)
    with pytest.raises(DatabaseError):
        generate_demo(tmp_path, households=20, seed=SEED)
    assert has_database(tmp_path), "a refused demo leaves the existing data alone"
    replaced = generate_demo(tmp_path, households=30, seed=SEED, replace=True)
    assert replaced.counts["households"] == 30
    assert list(paths.backups_dir(tmp_path).glob("*")), "the old data was backed up first"


def test_number_of_households_must_be_sensible(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        generate_demo(tmp_path, households=0)
    assert not has_database(tmp_path)


def test_services_keep_their_rules_on_demo_data(tmp_path: Path) -> None:
    summary = generate_demo(tmp_path, households=40, seed=SEED)
    conn = sqlite3.connect(paths.database_path(tmp_path))
    (branch_id,) = conn.execute("SELECT min(id) FROM branch").fetchone()
    (taken_id,) = conn.execute("SELECT id_number FROM person WHERE id_number > ''").fetchone()
    (hamlet_id,) = conn.execute("SELECT min(id) FROM hamlet").fetchone()
    conn.close()
    workspace = open_workspace(summary.data_dir)
    try:
        db = workspace.db
        with pytest.raises(ValidationError, match="HV00001"):
            create_member(
                db, MemberInput(branch_id=branch_id, full_name="Ngô Thị Hảo", card_number="HV00001")
            )
        with pytest.raises(ValidationError, match=taken_id):
            create_household(
                db,
                HouseholdInput(hamlet_id=hamlet_id),
                [PersonInput("Đào Văn Lực", id_number=taken_id)],
            )
        new_id = create_household(
            db, HouseholdInput(hamlet_id=hamlet_id), [PersonInput("Đào Văn Lực", "M")]
        )
        assert new_id == summary.counts["households"] + 1
        card = get_household_card(db, 1)
        head = next(p for p in card.people if p.is_head)
        update_person(
            db,
            head.id,
            PersonInput("Đào Thị Lụa", "F", head.birth, HEAD_RELATION),
            expected_revision=1,
        )
        assert get_household_card(db, 1).head_name == "Đào Thị Lụa"
        conn = sqlite3.connect(paths.database_path(tmp_path))
        demo_seqs = conn.execute(
            "SELECT max(change_seq) FROM person WHERE id != ? AND household_id <= ?",
            (head.id, summary.counts["households"]),
        ).fetchone()[0]
        (new_seq,) = conn.execute(
            "SELECT change_seq FROM household WHERE id = ?", (new_id,)
        ).fetchone()
        conn.close()
        assert new_seq > demo_seqs, "edits after the demo get fresh change numbers"
        assert search_service.search(db, "dao van luc")[0].name == "Đào Văn Lực"
        assert registry_stats(db).households == summary.counts["households"] + 1
    finally:
        workspace.close()
