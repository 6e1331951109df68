"""Named computations over the registries, in bulk, for one year.

Ages are counted as ``year - birth_year``: a person known by birth year alone
("1980") is aged exactly like one with a full date, so year-only birth dates
never drop out of an age rule. People with no birth year are left out of age
rules; school level "not recorded" is left out of the literacy share.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.engine import Connection

from app.core.assessment.scoring import Ratio

CHILD_AGES = (6, 17)
ADULT_AGES = (19, 60)
WORKING_AGES = (15, 60)

_LIVE_PEOPLE = (
    "FROM person p JOIN household h ON h.id = p.household_id WHERE p.deleted = 0 AND h.deleted = 0"
)


def _pairs(conn: Connection, sql: str, **params: int) -> dict[int, Ratio]:
    return {
        int(key if key is not None else 0): Ratio(int(num or 0), int(den or 0))
        for key, num, den in conn.execute(text(sql), params)
    }


def _children(conn: Connection, year: int, key: str) -> dict[int, Ratio]:
    lo, hi = CHILD_AGES
    return _pairs(
        conn,
        f"SELECT {key}, SUM(p.is_studying), COUNT(*) {_LIVE_PEOPLE} "
        f"AND p.birth_year BETWEEN :y - {hi} AND :y - {lo} GROUP BY {key}",
        y=year,
    )


def _adults_literate(conn: Connection, year: int) -> dict[int, Ratio]:
    lo, hi = ADULT_AGES
    return _pairs(
        conn,
        "SELECT p.household_id, SUM(p.school_level != 'none'), COUNT(*) "
        f"{_LIVE_PEOPLE} AND p.school_level IS NOT NULL "
        f"AND p.birth_year BETWEEN :y - {hi} AND :y - {lo} GROUP BY p.household_id",
        y=year,
    )


def _recognised_share(
    conn: Connection, year: int, model: str, table: str, key: str
) -> dict[int, Ratio]:
    return _pairs(
        conn,
        f"SELECT e.{key}, COUNT(r.id), COUNT(*) FROM {table} e "
        "LEFT JOIN recognition r ON r.entity_id = e.id AND r.deleted = 0 "
        "AND r.year = :y AND r.model = :m "
        f"WHERE e.deleted = 0 GROUP BY e.{key}",
        y=year,
        m=model,  # type: ignore[arg-type]
    )


def _registered_share(conn: Connection, year: int) -> dict[int, Ratio]:
    return _pairs(
        conn,
        "SELECT h.clan_id, COUNT(r.id), COUNT(*) FROM household h "
        "LEFT JOIN registration r ON r.entity_id = h.id AND r.deleted = 0 "
        "AND r.year = :y AND r.model = 'learning_family' "
        "WHERE h.deleted = 0 AND h.clan_id IS NOT NULL GROUP BY h.clan_id",
        y=year,
    )


def _member_share(conn: Connection, year: int, key: str) -> dict[int, Ratio]:
    members = {
        int(k or 0): int(n)
        for k, n in conn.execute(
            text(
                f"SELECT {key.replace('h.', 'hh.')}, COUNT(*) FROM member m "
                "LEFT JOIN person pp ON pp.id = m.person_id "
                "LEFT JOIN household hh ON hh.id = pp.household_id "
                "WHERE m.deleted = 0 AND (m.join_date IS NULL OR "
                "CAST(strftime('%Y', m.join_date) AS INTEGER) <= :y) "
                "AND (m.leave_date IS NULL OR CAST(strftime('%Y', m.leave_date) AS INTEGER) > :y) "
                f"GROUP BY {key.replace('h.', 'hh.')}"
            ),
            {"y": year},
        )
    }
    people = {
        int(k or 0): int(n)
        for k, n in conn.execute(text(f"SELECT {key}, COUNT(*) {_LIVE_PEOPLE} GROUP BY {key}"))
    }
    return {k: Ratio(members.get(k, 0), n) for k, n in people.items()}


def unit_learning_citizens(conn: Connection, year: int) -> dict[int, Ratio]:
    """Per live unit: people linked to it (nơi làm việc) recognised as learning citizens
    with a recognition in force in ``year``, over all live people linked to it."""
    return _pairs(
        conn,
        "SELECT p.unit_id, COUNT(DISTINCT r.entity_id), COUNT(DISTINCT p.id) FROM person p "
        "JOIN unit u ON u.id = p.unit_id AND u.deleted = 0 "
        "LEFT JOIN household h ON h.id = p.household_id "
        "LEFT JOIN recognition r ON r.entity_id = p.id AND r.deleted = 0 "
        "AND r.model = 'learning_citizen' AND r.year <= :y AND r.valid_until >= :y "
        "WHERE p.deleted = 0 AND (h.id IS NULL OR h.deleted = 0) GROUP BY p.unit_id",
        y=year,
    )


def _commune(by_key: dict[int, Ratio]) -> dict[int, Ratio]:
    num = sum(r.numerator for r in by_key.values())
    den = sum(r.denominator for r in by_key.values())
    return {0: Ratio(num, den)}


def compute(conn: Connection, year: int, names: Iterable[str]) -> dict[int, dict[str, Ratio]]:
    """``{entity_id: {computation: Ratio}}`` for every entity the named computations cover."""
    out: dict[int, dict[str, Ratio]] = defaultdict(dict)
    for name in set(names):
        for entity_id, ratio in _one(conn, year, name).items():
            out[entity_id][name] = ratio
    return out


def _one(conn: Connection, year: int, name: str) -> dict[int, Ratio]:
    if name == "children_in_school":
        return _children(conn, year, "p.household_id")
    if name == "adults_literate":
        return _adults_literate(conn, year)
    if name == "clan_learning_families":
        return _recognised_share(conn, year, "learning_family", "household", "clan_id")
    if name == "clan_registered_families":
        return _registered_share(conn, year)
    if name == "clan_children_in_school":
        return _children(conn, year, "h.clan_id")
    if name == "hamlet_learning_families":
        return _recognised_share(conn, year, "learning_family", "household", "hamlet_id")
    if name == "hamlet_learning_clans":
        return _recognised_share(conn, year, "learning_clan", "clan", "hamlet_id")
    if name == "hamlet_member_share":
        return _member_share(conn, year, "h.hamlet_id")
    if name == "hamlet_children_in_school":
        return _children(conn, year, "h.hamlet_id")
    if name == "unit_learning_citizens":
        return unit_learning_citizens(conn, year)
    if name == "commune_learning_families":
        return _commune(_recognised_share(conn, year, "learning_family", "household", "deleted"))
    if name == "commune_learning_clans":
        return _commune(_recognised_share(conn, year, "learning_clan", "clan", "deleted"))
    if name == "commune_learning_communities":
        return _commune(_recognised_share(conn, year, "learning_community", "hamlet", "deleted"))
    if name == "commune_learning_units":
        return _commune(_recognised_share(conn, year, "learning_unit", "unit", "deleted"))
    if name == "commune_member_share":
        return _commune(_member_share(conn, year, "h.deleted"))
    if name == "commune_children_in_school":
        return _commune(_children(conn, year, "h.deleted"))
    raise KeyError(name)
