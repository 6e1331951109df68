"""Search anywhere: people and households by name without diacritics, ID number,
phone or household head. "nguyen van an" finds "Nguyễn Văn An"; "d" finds "Đ"."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select

from app.core import text as vntext
from app.core.dates import PartialDate
from app.core.db import Database
from app.core.models import Hamlet, Household, Person
from app.core.registry.listing import HOUSEHOLDS, PEOPLE, ListQuery


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "person" | "household"
    id: int
    uuid: str
    name: str
    household_id: int | None
    head_name: str | None
    hamlet: str | None
    birth: str | None
    id_number: str | None
    phone: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _rank(folded_name: str, phrase: str) -> int:
    """0 exact name, 1 name starting or ending with the query, 2 containing it, 3 other."""
    if folded_name == phrase:
        return 0
    if folded_name.startswith(phrase) or folded_name.endswith(" " + phrase):
        return 1
    return 2 if phrase in folded_name else 3


def _best(
    pairs: list[tuple[int, str]],
    words: list[str],
    names: dict[int, str],
    exact: set[int],
    phrase: str,
    count: int,
    in_names: bool = True,
) -> list[int]:
    """The ``count`` best matches (every word in the row's text), best rank first
    (see :func:`_rank`); within a rank the list (Vietnamese) order stays.

    Ranking happens before the cut, so the exact name is never lost behind the first
    matches in list order ("nguyen van an" in a commune of many Nguyễn Văn). The list
    is read a chunk at a time, each rank gathered by a plain comprehension over the
    folded ``names``, and reading stops as soon as the answer is known: every exact
    name (``exact``) seen and enough of the next rank found — for the first
    keystroke, when nearly everybody matches, that is within the first chunk.
    ``in_names`` False (the phrase is in nobody's name) leaves only list order.
    """
    suffix = " " + phrase
    ranked: tuple[list[int], list[int], list[int], list[int]] = ([], [], [], [])
    for start in range(0, len(pairs), _CHUNK):
        chunk = pairs[start : start + _CHUNK]
        for word in words:
            chunk = [pair for pair in chunk if word in pair[1]]
        ids = [pair[0] for pair in chunk]
        if not in_names:  # nobody's name holds it (a phone, an ID number): list order
            ranked[3].extend(ids)
            if len(ranked[3]) >= count:
                break
            continue
        if exact:
            ranked[0].extend(i for i in ids if i in exact)
        ranked[1].extend(
            i
            for i in ids
            if i not in exact and ((n := names[i]).startswith(phrase) or n.endswith(suffix))
        )
        if len(ranked[0]) == len(exact) and len(ranked[0]) + len(ranked[1]) >= count:
            break
        if len(ranked[2]) < count:
            ranked[2].extend(
                i
                for i in ids
                if phrase in (n := names[i]) and not (n.startswith(phrase) or n.endswith(suffix))
            )
        if len(ranked[3]) < count:
            ranked[3].extend(i for i in ids if phrase not in names[i])
    return [*ranked[0], *ranked[1], *ranked[2], *ranked[3]][:count]


_CHUNK = 1024


def search(db: Database, text: str, limit: int = 50) -> list[SearchHit]:
    """People and households matching every word of ``text``; best matches first."""
    words = vntext.fold_query(text)
    if not words or limit <= 0:
        return []
    q = ListQuery(search=text)
    phrase = " ".join(words)
    person_ids, household_ids = (
        _best(
            listing.text_pairs(db, q),
            words,
            listing.search_names(db),
            listing.ids_by_name(db).get(phrase, set()),
            phrase,
            limit,
            in_names=phrase in listing.names_blob(db),
        )
        for listing in (PEOPLE, HOUSEHOLDS)
    )
    hits: list[SearchHit] = []
    with db.connect() as conn:
        if person_ids:
            rows = conn.execute(
                select(
                    Person.id,
                    Person.uuid,
                    Person.full_name,
                    Person.household_id,
                    Person.birth_date,
                    Person.birth_year,
                    Person.id_number,
                    Person.phone,
                    Household.head_name,
                    Hamlet.name,
                )
                .outerjoin(Household, Household.id == Person.household_id)
                .outerjoin(Hamlet, Hamlet.id == Household.hamlet_id)
                .where(Person.id.in_(person_ids))
            ).all()
            for r in rows:
                birth = PartialDate.from_columns(r.birth_date, r.birth_year)
                hits.append(
                    SearchHit(
                        "person",
                        r.id,
                        r.uuid,
                        r.full_name,
                        r.household_id,
                        r.head_name,
                        r[9],
                        birth.display() if birth else None,
                        r.id_number,
                        r.phone,
                    )
                )
        if household_ids:
            hh_rows = conn.execute(
                select(
                    Household.id, Household.uuid, Household.head_name, Household.phone, Hamlet.name
                )
                .outerjoin(Hamlet, Hamlet.id == Household.hamlet_id)
                .where(Household.id.in_(household_ids))
            ).all()
            for h in hh_rows:
                hits.append(
                    SearchHit(
                        "household",
                        h.id,
                        h.uuid,
                        h.head_name,
                        h.id,
                        h.head_name,
                        h[4],
                        None,
                        None,
                        h.phone,
                    )
                )
    order = {("person", pid): i for i, pid in enumerate(person_ids)}
    order.update({("household", hid): i for i, hid in enumerate(household_ids)})
    hits.sort(
        key=lambda x: (
            _rank(vntext.fold(x.name), phrase),
            x.kind != "person",
            order[(x.kind, x.id)],
        )
    )
    return hits[:limit]
