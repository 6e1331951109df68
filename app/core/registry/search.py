"""Search anywhere: people and households by name without diacritics, ID number,
phone or household head. "nguyen van an" finds "Nguyễn Văn An"; "d" finds "Đ"."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import case, func, or_, select

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


def _rank(hit_name: str, words: list[str]) -> tuple[int, int]:
    """Exact name match first, then names starting with the query, then the rest."""
    folded = vntext.fold(hit_name)
    phrase = " ".join(words)
    if folded == phrase:
        return (0, 0)
    if folded.startswith(phrase) or folded.endswith(" " + phrase):
        return (1, 0)
    if phrase in folded:
        return (2, 0)
    return (3, 0)


def _rank_sql(folded_name: Any, phrase: str) -> Any:
    """:func:`_rank` in SQL, so the best matches survive the LIMIT.

    Without it SQLite kept the first matches in list order (given name first) and a
    commune with many "Nguyễn Văn …" households could cut the exact name off.
    """
    escaped = phrase.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return case(
        (folded_name == phrase, 0),
        (
            or_(
                folded_name.like(f"{escaped}%", escape="\\"),
                folded_name.like(f"% {escaped}", escape="\\"),
            ),
            1,
        ),
        (folded_name.like(f"%{escaped}%", escape="\\"), 2),
        else_=3,
    )


def search(db: Database, text: str, limit: int = 50) -> list[SearchHit]:
    """People and households matching every word of ``text``; best matches first."""
    words = vntext.fold_query(text)
    if not words or limit <= 0:
        return []
    q = ListQuery(search=text)
    phrase = " ".join(words)
    person_stmt = (
        PEOPLE.ids_statement(q)
        .order_by(None)
        .order_by(_rank_sql(Person.name_folded, phrase), Person.sort_key, Person.id)
    )
    household_stmt = (
        HOUSEHOLDS.ids_statement(q)
        .order_by(None)
        .order_by(
            _rank_sql(func.vn_fold(Household.head_name), phrase), Household.sort_key, Household.id
        )
    )
    hits: list[SearchHit] = []
    with db.connect() as conn:
        person_ids = list(conn.execute(person_stmt.limit(limit * 4)).scalars())
        household_ids = list(conn.execute(household_stmt.limit(limit * 2)).scalars())
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
    hits.sort(key=lambda x: (_rank(x.name, words), x.kind != "person", order[(x.kind, x.id)]))
    return hits[:limit]
