"""Counts per entity and the figures the province asks for (members per population).

One SQL statement, run through SQLAlchemy when a database is open
(:func:`registry_stats`) or straight through ``sqlite3`` on a file
(:func:`registry_stats_of_file`) — the latter lets ``khuyenhoc stats`` answer
without importing SQLAlchemy, in about a tenth of a second.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.dbfile import SCHEMA_HEAD, connect_readonly, read_schema_revision
from app.core.errors import DatabaseError

if TYPE_CHECKING:
    from app.core.db import Database

_LIVE = "(SELECT count(*) FROM {table} WHERE deleted = 0)"
STATS_SQL = "SELECT " + ", ".join(
    [
        *(
            _LIVE.format(table=t)
            for t in ("hamlet", "household", "person", "member", "clan", "unit", "branch")
        ),
        "(SELECT count(*) FROM member WHERE deleted = 0 AND leave_date IS NULL)",
        "(SELECT count(*) FROM member WHERE deleted = 0 AND leave_date IS NULL"
        " AND dues_paid_year >= :year)",
    ]
)


@dataclass(frozen=True)
class RegistryStats:
    hamlets: int
    households: int
    people: int
    members: int
    clans: int
    units: int
    branches: int
    members_active: int
    members_paid_this_year: int
    members_share_of_population: float  # active members / people, 0..1

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["members_share_of_population"] = round(self.members_share_of_population, 4)
        return data


def _from_row(row: tuple[Any, ...]) -> RegistryStats:
    hamlets, households, people, members, clans, units, branches, active, paid = (
        int(v) for v in row
    )
    return RegistryStats(
        hamlets=hamlets,
        households=households,
        people=people,
        members=members,
        clans=clans,
        units=units,
        branches=branches,
        members_active=active,
        members_paid_this_year=paid,
        members_share_of_population=(active / people) if people else 0.0,
    )


def _year(today: dt.date | None) -> int:
    return (today or dt.date.today()).year


def registry_stats(db: Database, today: dt.date | None = None) -> RegistryStats:
    from sqlalchemy import text

    with db.connect() as conn:
        row = conn.execute(text(STATS_SQL), {"year": _year(today)}).one()
    return _from_row(tuple(row))


def registry_stats_of_file(
    path: Path, today: dt.date | None = None
) -> tuple[RegistryStats, dict[str, Any]] | None:
    """Stats and the commune setting read from a database file, writing nothing.

    Returns ``None`` when the file's schema is not the current one (the caller then
    opens it properly, which migrates it with a backup first).
    """
    if read_schema_revision(path) != SCHEMA_HEAD:
        return None
    conn = connect_readonly(path)
    try:
        row = conn.execute(STATS_SQL, {"year": _year(today)}).fetchone()
        setting = conn.execute("SELECT value FROM setting WHERE key = 'commune'").fetchone()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"Tệp {path.name} bị hỏng ({exc}).") from exc
    finally:
        conn.close()
    commune: dict[str, Any] = json.loads(setting[0]) if setting else {}
    return _from_row(tuple(row)), commune
