"""Conflicts at the upper level: revisions that arrived older than (or diverging from)
the one held, listed side by side and settled by a person.

The importer never lets an older revision overwrite a newer one, nor a record with
the held revision but another content (two histories edited the same revision)
replace it; it records a :class:`SyncConflict` row instead. Here a person looks at the two versions and keeps
either. Nothing is lost: before the conflict row is removed, the whole of it (both
versions, who decided, when, what) is appended to a JSON Lines log under
``<data folder>/sync/resolved/`` — the append is flushed to disk before the database
transaction commits, so a resolution is never in the database without its record.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select

from app.core.db import Database
from app.core.errors import UserError
from app.core.models.base import utcnow
from app.core.models.sync import SyncConflict, SyncRecord
from app.core.sync import state

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
RESOLVED_DIR = Path("sync") / "resolved"
RESOLVED_LOG = "conflicts.jsonl"
Choice = Literal["keep", "incoming"]
CHOICE_LABELS: dict[str, str] = {"keep": "Giữ bản đang có", "incoming": "Dùng bản mới đến"}

# Entity (table) → what a secretary calls it.
ENTITY_LABELS: dict[str, str] = {
    "hamlet": "Thôn / Tổ dân phố",
    "clan": "Dòng họ",
    "household": "Hộ gia đình",
    "person": "Nhân khẩu",
    "unit": "Đơn vị",
    "branch": "Chi hội",
    "member": "Hội viên",
    "registration": "Đăng ký danh hiệu",
    "assessment": "Đánh giá",
    "recognition": "Công nhận danh hiệu",
    "recognition_decision": "Quyết định công nhận",
    "criteria_set": "Bộ tiêu chí",
    "cycle_year": "Năm đánh giá",
    "fund_entry": "Thu chi quỹ",
    "fund_programme": "Chương trình học bổng",
    "fund_award": "Học bổng, khen thưởng",
    "fund_dues": "Hội phí",
    "activity": "Hoạt động",
    "activity_participant": "Người tham gia hoạt động",
}
# Record bookkeeping fields: shown neither as a difference nor as a value.
_HIDDEN = frozenset({"uuid", "revision", "commune_code"})
# Field labels the import mapping does not have.
_EXTRA_LABELS: dict[str, str] = {
    "deleted": "Đã xóa",
    "deleted_at": "Ngày xóa",
    "kind": "Loại",
    "code": "Số / mã",
    "hamlet_id": "Thôn / TDP",
    "clan_id": "Dòng họ",
    "household_id": "Hộ gia đình",
    "person_id": "Nhân khẩu",
    "branch_id": "Chi hội",
    "unit_id": "Đơn vị",
    "birth_date": "Ngày sinh",
    "birth_year": "Năm sinh",
    "model": "Danh hiệu",
    "year": "Năm",
}


def field_label(name: str) -> str:
    """The Vietnamese label of a record field (the field name itself when none is known)."""
    from app.core.io.headers import FIELD_LABELS

    return _EXTRA_LABELS.get(name) or FIELD_LABELS.get(name) or name


def entity_label(entity: str) -> str:
    return ENTITY_LABELS.get(entity, entity)


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    held: Any
    incoming: Any


@dataclass(frozen=True)
class Conflict:
    id: int
    commune_code: str
    entity: str
    uuid: str
    held_revision: int
    incoming_revision: int
    bundle_id: str
    recorded_at: dt.datetime
    held: dict[str, Any]  # {} when the held record is gone (should not happen)
    incoming: dict[str, Any]
    names: dict[str, str] = field(default_factory=dict)  # referenced uuid → its name

    def shown(self, value: Any) -> str:
        """A value as a person reads it: a referenced record by its name."""
        if value is None or value == "":
            return "(trống)"
        if isinstance(value, bool):
            return "có" if value else "không"
        return self.names.get(str(value), str(value))

    @property
    def entity_label(self) -> str:
        return entity_label(self.entity)

    @property
    def same_revision(self) -> bool:
        """Both sides carry the same revision: two histories edited it differently."""
        return self.held_revision == self.incoming_revision

    @property
    def kind_label(self) -> str:
        if self.same_revision:
            return "Cùng lần sửa nhưng khác nội dung"
        return "Bản mới đến cũ hơn bản đang có"

    def as_dict(self) -> dict[str, Any]:
        """For ``--json`` output: the conflict and the fields that differ."""
        return {
            "id": self.id,
            "commune_code": self.commune_code,
            "entity": self.entity,
            "entity_label": self.entity_label,
            "uuid": self.uuid,
            "title": self.title,
            "kind": "same_revision" if self.same_revision else "older",
            "held_revision": self.held_revision,
            "incoming_revision": self.incoming_revision,
            "bundle_id": self.bundle_id,
            "recorded_at": self.recorded_at.isoformat(),
            "changes": [
                {
                    "field": c.name,
                    "label": c.label,
                    "held": c.held,
                    "incoming": c.incoming,
                    "held_shown": self.shown(c.held),
                    "incoming_shown": self.shown(c.incoming),
                }
                for c in self.changes()
            ],
        }

    @property
    def title(self) -> str:
        """A short human name for the record (its name, else its code, else its uuid)."""
        return _record_name(self.held) or _record_name(self.incoming) or self.uuid[:8]

    def changes(self) -> list[FieldChange]:
        """The fields whose values differ between the held and the incoming version."""
        names = [n for n in self.held if n not in _HIDDEN]
        names += [n for n in self.incoming if n not in _HIDDEN and n not in self.held]
        return [
            FieldChange(n, field_label(n), self.held.get(n), self.incoming.get(n))
            for n in names
            if self.held.get(n) != self.incoming.get(n)
        ]


@dataclass(frozen=True)
class Resolution:
    conflict_id: int
    commune_code: str
    entity: str
    uuid: str
    choice: str
    resolved_by: str
    resolved_at: str
    log: Path

    def as_dict(self) -> dict[str, Any]:
        return {
            "conflict_id": self.conflict_id,
            "commune_code": self.commune_code,
            "entity": self.entity,
            "uuid": self.uuid,
            "resolution": self.choice,
            "resolved_by": self.resolved_by,
            "resolved_at": self.resolved_at,
            "log": str(self.log),
        }


def _load(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def list_conflicts(db: Database, commune_code: str | None = None) -> list[Conflict]:
    """Open conflicts (oldest first), with the version held now beside the incoming one."""
    state.require_upper(db)
    query = select(SyncConflict, SyncRecord.data).outerjoin(
        SyncRecord,
        (SyncRecord.commune_code == SyncConflict.commune_code)
        & (SyncRecord.entity == SyncConflict.entity)
        & (SyncRecord.uuid == SyncConflict.uuid),
    )
    if commune_code is not None:
        query = query.where(SyncConflict.commune_code == commune_code)
    query = query.order_by(SyncConflict.commune_code, SyncConflict.id)
    with db.session() as s:
        found = [
            Conflict(
                id=c.id,
                commune_code=c.commune_code,
                entity=c.entity,
                uuid=c.uuid,
                held_revision=c.held_revision,
                incoming_revision=c.incoming_revision,
                bundle_id=c.bundle_id,
                recorded_at=c.recorded_at,
                held=_load(held) if held else {},
                incoming=_load(c.data),
            )
            for c, held in s.execute(query).all()
        ]
    return _with_names(db, found)


def _record_name(record: dict[str, Any]) -> str:
    for key in ("full_name", "name", "head_name", "code", "card_number"):
        if record.get(key):
            return str(record[key])
    return ""


def _with_names(db: Database, found: list[Conflict]) -> list[Conflict]:
    """Attach the names of the records the differing fields refer to (by uuid)."""
    wanted: dict[str, set[str]] = {}
    for c in found:
        for change in c.changes():
            for value in (change.held, change.incoming):
                if isinstance(value, str) and _UUID.fullmatch(value):
                    wanted.setdefault(c.commune_code, set()).add(value)
    names: dict[tuple[str, str], str] = {}
    with db.session() as s:
        for code, uuids in wanted.items():
            rows = s.execute(
                select(SyncRecord.uuid, SyncRecord.data).where(
                    SyncRecord.commune_code == code, SyncRecord.uuid.in_(sorted(uuids))
                )
            )
            for uid, data in rows:
                name = _record_name(_load(data))
                if name:
                    names[(code, uid)] = name
    return [
        replace(c, names={u: n for (code, u), n in names.items() if code == c.commune_code})
        for c in found
    ]


def resolved_log_path(data_dir: Path) -> Path:
    return data_dir / RESOLVED_DIR / RESOLVED_LOG


def _append_line(path: Path, entry: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())


def resolve(db: Database, conflict_id: int, choice: Choice, resolved_by: str) -> Resolution:
    """Settle one conflict: keep the held version, or put the incoming one in its place.

    Choosing the incoming version also takes its revision, so later edits made on
    the installation it came from apply normally. Either way the conflict leaves
    the table only after both versions were written to the resolved log.
    """
    state.require_upper(db)
    if choice not in CHOICE_LABELS:
        raise UserError("Hãy chọn giữ bản đang có hoặc dùng bản mới đến.")
    who = resolved_by.strip()
    if not who:
        raise UserError("Hãy ghi tên người quyết định.")
    log = resolved_log_path(db.data_dir)
    with db.session() as s:
        conflict = s.get(SyncConflict, conflict_id)
        if conflict is None:
            raise UserError("Xung đột này đã được giải quyết hoặc không còn.")
        record = s.scalars(
            select(SyncRecord).where(
                SyncRecord.commune_code == conflict.commune_code,
                SyncRecord.entity == conflict.entity,
                SyncRecord.uuid == conflict.uuid,
            )
        ).first()
        if record is None:
            raise UserError("Không còn bản ghi đang có để so sánh; không giải quyết được.")
        incoming = _load(conflict.data)
        if not incoming:
            raise UserError("Bản mới đến bị hỏng, không dùng được. Hãy giữ bản đang có.")
        now = utcnow().isoformat()
        done = Resolution(
            conflict.id,
            conflict.commune_code,
            conflict.entity,
            conflict.uuid,
            choice,
            who,
            now,
            log,
        )
        entry: dict[str, Any] = {
            "conflict_id": conflict.id,
            "commune_code": conflict.commune_code,
            "entity": conflict.entity,
            "uuid": conflict.uuid,
            "bundle_id": conflict.bundle_id,
            "recorded_at": conflict.recorded_at.isoformat(),
            "held_revision": record.revision,
            "held": _load(record.data),
            "incoming_revision": conflict.incoming_revision,
            "incoming": incoming,
            "resolution": choice,
            "resolved_by": who,
            "resolved_at": now,
        }
        if choice == "incoming":
            record.data = conflict.data
            record.revision = conflict.incoming_revision
            record.deleted = bool(incoming.get("deleted", False))
        s.delete(conflict)
        s.flush()  # any database refusal comes before the log line
        try:
            _append_line(log, entry)
        except OSError as exc:
            raise UserError(
                f"Không ghi được sổ các xung đột đã giải quyết ({log}): {exc.strerror}. "
                "Chưa thay đổi gì."
            ) from None
    return done


def resolved(db: Database, commune_code: str | None = None) -> list[dict[str, Any]]:
    """Resolutions recorded so far (newest last), as written to the log.

    A line whose conflict is still open (the commit failed after the append) is skipped.
    """
    path = resolved_log_path(db.data_dir)
    if not path.is_file():
        return []
    with db.session() as s:
        still_open = {
            (i, u, b)
            for i, u, b in s.execute(
                select(SyncConflict.id, SyncConflict.uuid, SyncConflict.bundle_id)
            )
        }
    entries = []
    for line in path.read_text("utf-8").splitlines():
        entry = _load(line)
        key = (entry.get("conflict_id"), entry.get("uuid"), entry.get("bundle_id"))
        if not entry or key in still_open:
            continue
        if commune_code is None or entry.get("commune_code") == commune_code:
            entries.append(entry)
    return entries
