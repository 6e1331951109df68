"""Fast bulk inserts of syncable rows, for generated data (the demo's cycles and fund).

SQLAlchemy's per-row parameter processing doubled the demo's time, so these rows go
straight through the driver with one ``executemany``. Each row is stamped with what
every syncable row carries (:class:`app.core.models.base.SyncMixin`): a uuid drawn
from the caller's seeded random generator (so a seed gives the same data), the
commune, timestamps, revision 1, not deleted, and a fresh change number. Each call
leaves one summary row in the audit trail (not one per record).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid as uuidlib
from typing import Any

from sqlalchemy.engine import Connection

from app.core.audit.log import connection_actor, record_summary
from app.core.db import reserve_change_seqs
from app.core.models.base import utcnow


def sql_value(value: Any) -> Any:
    """A value as SQLAlchemy stores it in SQLite (timestamps with µs, dates ISO, bools 0/1)."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def insert_syncable(
    conn: Connection, table: str, rows: list[dict[str, Any]], rng: random.Random, commune: str
) -> None:
    """Stamp ``rows`` (dicts of column values, all with the same keys) and insert them."""
    if not rows:
        return
    seq = reserve_change_seqs(conn, len(rows))
    now = sql_value(utcnow())
    for offset, row in enumerate(rows):
        row.update(
            uuid=str(uuidlib.UUID(int=rng.getrandbits(128), version=4)),
            commune_code=commune,
            created_at=now,
            updated_at=now,
            revision=1,
            deleted=0,
            deleted_at=None,
            change_seq=seq + offset,
        )
    columns = list(rows[0])
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    conn.exec_driver_sql(sql, [tuple(sql_value(row[c]) for c in columns) for row in rows])
    record_summary(conn, connection_actor(conn), table, f"Thêm hàng loạt {len(rows)} bản ghi")
