"""The in-memory search of the lists agrees with SQL, and forgets nothing when data changes.

`Listing.ids` filters search words in memory (remembered until the change counter
moves) so typing stays within a keystroke; these tests pin it to the SQL ``LIKE`` of
`Listing.ids_statement`, which exports and the CLI use.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.db import Database
from app.core.demo import generate_demo
from app.core.registry import households as hh
from app.core.registry.listing import HOUSEHOLDS, MEMBERS, PEOPLE, Listing, ListQuery
from app.core.registry.people import PersonInput
from app.core.workspace import Workspace, open_workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("memo-demo")
    generate_demo(folder, households=120, seed=11, lock=False)
    return folder


@pytest.fixture
def demo_ws(demo: Path) -> Iterator[Workspace]:
    ws = open_workspace(demo)
    yield ws
    ws.close()


def sql_ids(db: Database, listing: Listing, q: ListQuery) -> list[int]:
    with db.connect() as conn:
        return list(conn.execute(listing.ids_statement(q)).scalars())


QUERIES = ["n", "ng", "nguyen", "nguyen van", "nguyen van a", "thi", "d", "0", "09", "xom", "h0"]


@pytest.mark.parametrize("listing", [PEOPLE, HOUSEHOLDS, MEMBERS], ids=lambda x: x.key)
def test_memory_search_equals_sql_like_while_typing_and_deleting(
    demo_ws: Workspace, listing: Listing
) -> None:
    typed = [*QUERIES, *reversed(QUERIES)]  # type forward, then backspace
    for text in typed:
        for sort in (None, listing.columns[1].key):
            q = ListQuery(search=text, sort=sort, descending=sort is not None)
            assert listing.ids(demo_ws.db, q) == sql_ids(demo_ws.db, listing, q), text


def test_random_queries_agree_with_sql(demo_ws: Workspace) -> None:
    rng = random.Random(3)
    alphabet = "aeinhtguvd 0"
    for _ in range(60):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6)))
        q = ListQuery(search=text)
        assert PEOPLE.ids(demo_ws.db, q) == sql_ids(demo_ws.db, PEOPLE, q), text


def test_an_edit_is_seen_by_the_next_search(demo_ws: Workspace) -> None:
    db = demo_ws.db
    before = PEOPLE.ids(db, ListQuery(search="xuan quynh"))
    household_id = HOUSEHOLDS.ids(db, ListQuery())[0]
    new_id = hh.add_person(db, household_id, PersonInput("Ông Xuân Quỳnh", birth="1990"))
    after = PEOPLE.ids(db, ListQuery(search="xuan quynh"))
    assert sorted(after) == sorted([*before, new_id])
    hh.delete_person(db, new_id)
    assert new_id not in PEOPLE.ids(db, ListQuery(search="xuan quynh"))
    assert new_id in PEOPLE.ids(db, ListQuery(search="xuan quynh", deleted=True))
    hh.restore_person(db, new_id)
    hh.update_person(db, new_id, PersonInput("Ông Xuân Quý", birth="1990"))
    assert new_id not in PEOPLE.ids(db, ListQuery(search="xuan quynh"))
    assert new_id in PEOPLE.ids(db, ListQuery(search="xuan quy"))


@pytest.mark.parametrize(
    "text", ["n", "an", "nguyen van", "nguyen van an", "thi", "van a", "0", "09", "h0", "xom"]
)
def test_global_search_ranks_like_a_full_sort(demo_ws: Workspace, text: str) -> None:
    """The chunked, early-stopping ranking gives what sorting every match would."""
    from app.core import text as vntext
    from app.core.registry import search as search_module

    db = demo_ws.db
    phrase = " ".join(vntext.fold_query(text))
    for listing in (PEOPLE, HOUSEHOLDS):
        names = listing.search_names(db)
        ids = listing.ids(db, ListQuery(search=text))
        expected = sorted(ids, key=lambda i: (search_module._rank(names[i], phrase), ids.index(i)))
        got = search_module._best(
            listing.text_pairs(db, ListQuery()),
            vntext.fold_query(text),
            names,
            listing.ids_by_name(db).get(phrase, set()),
            phrase,
            7,
            in_names=phrase in listing.names_blob(db),
        )
        assert got == expected[:7], (listing.key, text)
