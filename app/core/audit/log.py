"""Recording the audit trail centrally, from SQLAlchemy's flush events.

``before_flush`` checks the signed-in role may write each touched table
(:func:`app.core.accounts.permissions.check_write`); ``after_flush`` writes one audit
row per inserted, changed, deleted or restored syncable row, with the changed fields
as ``{field: [old, new]}`` — the history is still there after the flush, and new
rows have their ids. Who: ``session.info["actor"]`` (set by
:meth:`app.core.db.Database.session`).

Bulk work writes one summary row per operation instead (:func:`record_summary`):
the demo, the spreadsheet import and ``bulk.insert_syncable`` — a row per record
there would double the import's time and tell nobody more. A session may turn the
per-row rows off with ``session.info["audit_off"] = True`` when it records a
summary itself.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.core.accounts.permissions import check_write
from app.core.audit import chain
from app.core.models import SYNCABLE_MODELS
from app.core.models.base import utcnow

#: Columns that change on every write and say nothing about what the user did.
NOISE = frozenset(
    {
        "id",
        "uuid",
        "commune_code",
        "created_at",
        "updated_at",
        "revision",
        "change_seq",
        "search_text",
        "sort_key",
        "name_folded",
        "deleted_at",
    }
)
SYSTEM_ACTOR = "hệ thống"
MAX_VALUE = 2_000

ACTION_LABELS = {
    "insert": "Thêm",
    "update": "Sửa",
    "delete": "Xóa",
    "restore": "Khôi phục",
    "purge": "Xóa hẳn",
    "bulk": "Hàng loạt",
    "account": "Tài khoản",
    "event": "Sự kiện",
}


def jsonable(value: Any) -> Any:
    """A column value as JSON: dates ISO, enums by value, long text cut."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    text = str(value)
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE] + "…"


def _changes(obj: Any, inserted: bool) -> dict[str, list[Any]]:
    state = inspect(obj)
    out: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in NOISE:
            continue
        if inserted:
            value = getattr(obj, key, None)
            if value is not None and value != "" and not (key == "deleted" and not value):
                out[key] = [None, jsonable(value)]
            continue
        history = state.attrs[key].history
        if not history.added and not history.deleted:
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old == new:
            continue
        out[key] = [jsonable(old), jsonable(new)]
    return out


def _row(
    actor: str,
    action: str,
    entity: str,
    *,
    row_uuid: str = "",
    row_id: int | None = None,
    changes: dict[str, list[Any]] | None = None,
    summary: str = "",
) -> dict[str, Any]:
    return {
        "at": utcnow(),
        "actor": actor or SYSTEM_ACTOR,
        "action": action,
        "entity": entity,
        "row_uuid": row_uuid,
        "row_id": row_id,
        "changes": json.dumps(changes, ensure_ascii=False, sort_keys=True) if changes else "",
        "summary": summary,
    }


def _touched(session: Session) -> list[tuple[str, Any]]:
    """(kind, obj) of every syncable row this flush writes: new, dirty or deleted."""
    out: list[tuple[str, Any]] = [
        ("insert", o) for o in session.new if isinstance(o, SYNCABLE_MODELS)
    ]
    out += [
        ("update", o)
        for o in session.dirty
        if isinstance(o, SYNCABLE_MODELS) and session.is_modified(o, include_collections=False)
    ]
    out += [("purge", o) for o in session.deleted if isinstance(o, SYNCABLE_MODELS)]
    return out


@event.listens_for(Session, "before_flush")
def _check_permissions(session: Session, _ctx: Any, _instances: Any) -> None:
    role = session.info.get("role")
    if role is None:
        return
    for kind, obj in _touched(session):
        table = obj.__tablename__
        changed = list(_changes(obj, False)) if kind == "update" else None
        check_write(role, table, changed)


@event.listens_for(Session, "after_flush")
def _record_flush(session: Session, _ctx: Any) -> None:
    if session.info.get("audit_off"):
        return
    actor = str(session.info.get("actor") or "")
    rows: list[dict[str, Any]] = []
    for kind, obj in _touched(session):
        changes = _changes(obj, kind == "insert")
        action = kind
        if kind == "update":
            flag = changes.get("deleted")
            if flag == [False, True] or flag == [None, True]:
                action = "delete"
            elif flag == [True, False]:
                action = "restore"
            if not changes:
                continue
        rows.append(
            _row(
                actor,
                action,
                obj.__tablename__,
                row_uuid=obj.uuid or "",
                row_id=obj.id,
                changes=changes,
            )
        )
    chain.append(session.connection(), rows)


def record_summary(
    conn: Connection | Session, actor: str, entity: str, summary: str, action: str = "bulk"
) -> None:
    """One audit row for a whole operation (bulk inserts, an import, an account event)."""
    connection = conn.connection() if isinstance(conn, Session) else conn
    chain.append(connection, [_row(actor, action, entity, summary=summary)])


def connection_actor(conn: Connection) -> str:
    """Who works on a Core connection (set by :meth:`app.core.db.Database.connect`)."""
    return str(conn.info.get("actor") or SYSTEM_ACTOR)
