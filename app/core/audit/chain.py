"""The hash chain of the audit trail.

Each row stores the previous row's hash and ``hash = SHA-256(prev_hash ‖ content)``
where content is the row's canonical JSON (id, time, actor, action, entity, row,
changes, summary). Editing a row changes its hash; deleting or inserting one breaks
the link of the next; ``local_state`` keeps the last hash and the number of rows, so
cutting off the newest rows shows too. This detects an edit made with any SQLite
tool; it is not a signature: someone who rewrites the whole chain and the head
consistently is not detected (README, "Audit trail").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from app.core.models import AuditEntry, LocalState

GENESIS = "0" * 64
CONTENT_FIELDS = (
    "id",
    "at",
    "actor",
    "action",
    "entity",
    "row_uuid",
    "row_id",
    "changes",
    "summary",
)


def _at_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    return str(value)


def entry_hash(prev_hash: str, row: dict[str, Any]) -> str:
    """The hash of one row given the previous row's hash."""
    content = [row["id"], _at_text(row["at"]), *(row[k] for k in CONTENT_FIELDS[2:])]
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{text}".encode()).hexdigest()


def append(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Append rows (dicts without id/hashes) to the chain, in this transaction.

    The head is read with an UPDATE first, so the write lock is held and two writers
    cannot chain from the same head.
    """
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        _append_sqlite(conn, rows)
        return
    head = conn.execute(
        update(LocalState)
        .where(LocalState.id == 1)
        .values(audit_count=LocalState.audit_count + len(rows))
        .returning(LocalState.audit_head)
    ).scalar_one()
    last_id = conn.execute(select(func.max(AuditEntry.id))).scalar() or 0
    prev = _link(rows, head or GENESIS, int(last_id))
    conn.execute(insert(AuditEntry), rows)
    conn.execute(update(LocalState).where(LocalState.id == 1).values(audit_head=prev))


def _link(rows: list[dict[str, Any]], prev: str, last_id: int) -> str:
    """Number and chain ``rows`` after ``prev``; returns the new head."""
    for offset, row in enumerate(rows, start=1):
        row["id"] = last_id + offset
        row["prev_hash"] = prev
        row["hash"] = prev = entry_hash(prev, row)
    return prev


_SQLITE_HEAD = (
    "UPDATE local_state SET audit_count = audit_count + ? WHERE id = 1 "
    "RETURNING audit_head, (SELECT coalesce(max(id), 0) FROM audit_log)"
)
_SQLITE_INSERT = (
    "INSERT INTO audit_log (id, at, actor, action, entity, row_uuid, row_id, changes, "
    "summary, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _append_sqlite(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """The same as the Core statements, straight through the driver: every save in the
    window appends here, and compiling four statements each time doubled a save's cost."""
    head, last_id = conn.exec_driver_sql(_SQLITE_HEAD, (len(rows),)).one()
    prev = _link(rows, head or GENESIS, int(last_id))
    conn.exec_driver_sql(
        _SQLITE_INSERT,
        [
            (
                r["id"],
                r["at"].strftime("%Y-%m-%d %H:%M:%S.%f"),
                r["actor"],
                r["action"],
                r["entity"],
                r["row_uuid"],
                r["row_id"],
                r["changes"],
                r["summary"],
                r["prev_hash"],
                r["hash"],
            )
            for r in rows
        ],
    )
    conn.exec_driver_sql("UPDATE local_state SET audit_head = ? WHERE id = 1", (prev,))


@dataclass(frozen=True)
class ChainReport:
    """The result of checking the whole chain."""

    ok: bool
    rows: int
    expected_rows: int
    first_bad_id: int | None = None
    problem: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "expected_rows": self.expected_rows,
            "first_bad_id": self.first_bad_id,
            "problem": self.problem,
        }

    def message(self) -> str:
        if self.ok:
            return f"Nhật ký thay đổi nguyên vẹn ({self.rows} dòng)."
        where = f" từ dòng {self.first_bad_id}" if self.first_bad_id is not None else ""
        return (
            f"Nhật ký thay đổi đã bị sửa hoặc xóa ngoài phần mềm{where}: {self.problem}. "
            "Hãy báo cho Thư ký và giữ lại bản sao lưu cũ để đối chiếu."
        )


def _rows(conn: Connection) -> Iterator[dict[str, Any]]:
    table = AuditEntry.__table__
    result = conn.execute(select(table).order_by(table.c.id)).mappings()  # type: ignore[arg-type]
    for row in result:
        yield dict(row)


def verify(conn: Connection) -> ChainReport:
    """Walk the whole chain; the first broken link names the first suspect row."""
    head, expected = conn.execute(
        select(LocalState.audit_head, LocalState.audit_count).where(LocalState.id == 1)
    ).one()
    return verify_rows(_rows(conn), head or GENESIS, int(expected or 0))


def verify_rows(rows: Iterable[dict[str, Any]], head: str, expected: int) -> ChainReport:
    prev = GENESIS
    count = 0
    previous_id = 0
    for row in rows:
        count += 1
        if row["prev_hash"] != prev:
            problem = (
                "có dòng bị xóa hoặc chèn thêm"
                if row["id"] != previous_id + 1 or row["prev_hash"] != prev
                else "liên kết bị hỏng"
            )
            return ChainReport(False, count, expected, row["id"], problem)
        if entry_hash(prev, row) != row["hash"]:
            return ChainReport(False, count, expected, row["id"], "nội dung dòng đã bị sửa")
        prev = row["hash"]
        previous_id = row["id"]
    if count != expected or prev != (head if expected else GENESIS):
        return ChainReport(
            False,
            count,
            expected,
            previous_id + 1 if count < expected else None,
            f"nhật ký có {count} dòng, lẽ ra phải có {expected} (các dòng mới nhất bị xóa?)",
        )
    return ChainReport(True, count, expected)
