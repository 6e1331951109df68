"""Importing commune bundles at the upper level, with the import ledger.

Per bundle: verify everything (:func:`bundle.parse`), then decide by the ledger —
already applied → "replay"; key unknown, retired or of another commune →
"quarantined"; same number as the last applied (or a broken chain) → "fork";
beyond the next number → "gap" (staged); older → "rejected". Only a bundle that is
next in its chain is decrypted, validated and applied, in one transaction whose
ledger row is protected by UNIQUE constraints. Held bundles are files under
``<data folder>/sync/held/<state>/`` — the database holds only what was applied.
Older revisions never overwrite newer ones, and a record arriving with the held
revision but another content does not replace it: both are recorded as conflicts
for a person to settle (:mod:`app.core.sync.conflicts`).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from app.core.db import Database
from app.core.errors import UserError, reason_of
from app.core.models.sync import SyncConflict, SyncLedger, SyncPinnedKey, SyncRecord
from app.core.sync import bundle, keys, state

HELD_DIR = Path("sync") / "held"
STATES = ("gap", "fork", "quarantine")
Progress = Callable[[int, int], None]
_CHUNK = 500  # ids per IN (...) query


@dataclass
class Outcome:
    file: str
    status: str  # applied | replay | fork | gap | quarantined | rejected
    reason: str
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    commune_code: str = ""
    seq: int = 0
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "status": self.status,
            "reason": self.reason,
            "counts": self.counts,
            "commune_code": self.commune_code,
            "seq": self.seq,
            "dry_run": self.dry_run,
        }


@dataclass(frozen=True)
class HeldBundle:
    path: Path
    state: str
    commune_code: str
    installation_id: str
    seq: int
    key_id: str
    public_key: str
    fingerprint: str


def held_dir(data_dir: Path, which: str) -> Path:
    return data_dir / HELD_DIR / which


# What each held file says, by (path) → ((size, mtime), entry): a held file is parsed
# once, not at every look (the hub's status page and quota checks list them often).
_HELD_CACHE: dict[Path, tuple[tuple[int, int], HeldBundle | None]] = {}
_HELD_LOCK = threading.Lock()


def _held_entry(path: Path, which: str) -> HeldBundle | None:
    try:
        st = path.stat()
    except OSError:
        return None
    stamp = (st.st_size, st.st_mtime_ns)
    with _HELD_LOCK:
        cached = _HELD_CACHE.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    entry: HeldBundle | None = None
    try:
        b = bundle.parse(_read(path))
    except (OSError, bundle.BundleRefused):
        pass
    else:
        m = b.manifest
        entry = HeldBundle(
            path,
            which,
            b.commune_code,
            m["installation_id"],
            b.seq,
            m["key_id"],
            m["public_key"],
            b.fingerprint,
        )
    with _HELD_LOCK:
        _HELD_CACHE[path] = (stamp, entry)
    return entry


def held_bundles(db: Database) -> list[HeldBundle]:
    found: list[HeldBundle] = []
    seen: set[Path] = set()
    for which in STATES:
        folder = held_dir(db.data_dir, which)
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob(f"*{bundle.SUFFIX}")):
            seen.add(path)
            entry = _held_entry(path, which)
            if entry is not None:
                found.append(entry)
    root = db.data_dir / HELD_DIR
    with _HELD_LOCK:
        for gone in [p for p in _HELD_CACHE if p.is_relative_to(root) and p not in seen]:
            del _HELD_CACHE[gone]
    return found


def _hold(db: Database, b: bundle.Bundle, which: str, dry_run: bool) -> None:
    if dry_run:
        return
    from app.core.sync.writer import write_durably

    write_durably(held_dir(db.data_dir, which) / b.file_name, b.data)


def _read(path: Path) -> bytes:
    with path.open("rb") as fh:
        data = fh.read(bundle.MAX_BUNDLE_BYTES + 1)
    return data


def _collect(sources: list[Path]) -> list[Path]:
    files: list[Path] = []
    for source in sources:
        if source.is_dir():
            files += sorted(
                p for p in source.iterdir() if p.suffix == bundle.SUFFIX and p.is_file()
            )
        elif source.exists():
            files.append(source)
        else:
            raise UserError(f"Không tìm thấy {source}.")
    return files


def import_paths(
    db: Database, sources: list[Path], *, dry_run: bool = False, progress: Progress | None = None
) -> list[Outcome]:
    """Import every bundle found (files or folders), in chain order per installation."""
    state.require_upper(db)
    files = _collect(sources)
    outcomes: list[Outcome] = []
    ordered: list[tuple[str, int, Path]] = []
    for path in files:
        try:
            b = bundle.parse(_read(path))
        except OSError as exc:
            outcomes.append(
                Outcome(path.name, "rejected", f"Không đọc được tệp: {reason_of(exc)}.")
            )
            continue
        except bundle.BundleRefused as exc:
            outcomes.append(Outcome(path.name, "rejected", exc.message))
            continue
        ordered.append((b.manifest["installation_id"], b.seq, path))
    ordered.sort(key=lambda t: (t[0], t[1]))
    identity = keys.age_identity(db.data_dir)
    for done, (_inst, _seq, path) in enumerate(ordered, start=1):
        try:
            data = _read(path)
        except OSError as exc:
            outcomes.append(
                Outcome(path.name, "rejected", f"Không đọc được tệp: {reason_of(exc)}.")
            )
            continue
        outcomes += import_bytes(db, data, path.name, identity, dry_run=dry_run)
        if progress:
            progress(done, len(ordered))
    return outcomes


@dataclass(frozen=True)
class ChainKey:
    """What a chain of bundles is: (commune, key chain, installation).

    The installation id is self-declared, so it names a chain only together with the
    commune and the accepted key that signs it: another commune reusing it starts a
    chain of its own and cannot fork this one. ``key_chain`` is the signing key's id,
    or the id of the key it took over from (a new PC after a restore, see
    :func:`app.core.sync.upper.accept_key`).
    """

    commune_code: str
    key_chain: str
    installation_id: str


def chain_of_key(pinned: Any) -> str:
    """The chain a pinned key's bundles continue (its own id unless it took one over)."""
    return str(pinned.chain_key_id or pinned.key_id)


def _chain(b: bundle.Bundle, pinned: Any) -> ChainKey:
    return ChainKey(b.commune_code, chain_of_key(pinned), b.manifest["installation_id"])


def _ledger_tail(conn: Connection, chain: ChainKey) -> tuple[int, str]:
    row = conn.execute(
        select(SyncLedger.seq, SyncLedger.bundle_id)
        .where(
            SyncLedger.commune_code == chain.commune_code,
            SyncLedger.chain_key_id == chain.key_chain,
            SyncLedger.installation_id == chain.installation_id,
        )
        .order_by(SyncLedger.seq.desc())
        .limit(1)
    ).first()
    return (int(row[0]), str(row[1])) if row else (0, "")


def starts_new_chain(b: bundle.Bundle) -> bool:
    """A full bundle with no predecessor opens a chain at its own number: what a commune
    writes first with a new key (a new PC restored from a backup continues its numbers
    but not the old key's chain, FORMAT.md)."""
    return b.manifest["kind"] == "full" and not b.manifest["prev_bundle_id"]


def import_bytes(
    db: Database, data: bytes, name: str, identity: Any, *, dry_run: bool = False
) -> list[Outcome]:
    """One bundle (plus any staged bundles it unblocks)."""
    try:
        b = bundle.parse(data)
    except bundle.BundleRefused as exc:
        return [Outcome(name, "rejected", exc.message, dry_run=dry_run)]
    outcome = _decide_and_apply(db, b, name, identity, dry_run)
    results = [outcome]
    if outcome.status == "applied" and not dry_run:
        with db.connect() as conn:
            pinned = conn.execute(
                select(SyncPinnedKey).where(SyncPinnedKey.key_id == b.manifest["key_id"])
            ).first()
        if pinned is not None:
            results += _release_staged(db, _chain(b, pinned), identity)
    return results


def _commune_label(b: bundle.Bundle) -> str:
    return b.manifest["commune_name"] or f"mã {b.commune_code}"


def _decide_and_apply(
    db: Database,
    b: bundle.Bundle,
    name: str,
    identity: Any,
    dry_run: bool,
    *,
    _retried: bool = False,
) -> Outcome:
    m = b.manifest

    def out(status: str, reason: str, counts: dict[str, dict[str, int]] | None = None) -> Outcome:
        return Outcome(name, status, reason, counts or {}, b.commune_code, b.seq, dry_run)

    with db.connect() as conn:
        if conn.execute(select(SyncLedger.id).where(SyncLedger.bundle_id == b.bundle_id)).first():
            return out("replay", "Gói này đã nhập trước đó.")
        pinned = conn.execute(
            select(SyncPinnedKey).where(SyncPinnedKey.key_id == m["key_id"])
        ).first()
    reason = _key_problem(b, pinned)
    if reason:
        _hold(db, b, "quarantine", dry_run)
        return out("quarantined", reason)
    chain = _chain(b, pinned)
    with db.connect() as conn:
        last_seq, last_id = _ledger_tail(conn, chain)
    if last_seq == 0 and starts_new_chain(b):
        last_seq = b.seq - 1  # the first bundle of this chain, whatever its number
    if b.seq <= last_seq:
        if b.seq == last_seq:
            _hold(db, b, "fork", dry_run)
            return out(
                "fork",
                (
                    f"Gói số {b.seq} của {_commune_label(b)} khác với gói số {b.seq} đã nhập "
                    "(hai lịch sử khác nhau): đã cách ly để xem xét."
                ),
            )
        return out(
            "rejected",
            f"Gói số {b.seq} cũ hơn gói số {last_seq} đã nhập của {_commune_label(b)}.",
        )
    if b.seq > last_seq + 1:
        _hold(db, b, "gap", dry_run)
        missing = ", ".join(str(n) for n in range(last_seq + 1, b.seq)[:10])
        return out(
            "gap",
            f"Thiếu gói số {missing} của {_commune_label(b)}: gói này được giữ lại chờ.",
        )
    if m["prev_bundle_id"] != last_id:
        _hold(db, b, "fork", dry_run)
        return out(
            "fork",
            f"Gói số {b.seq} của {_commune_label(b)} không nối tiếp gói đã nhập: đã cách ly.",
        )
    try:
        contents = bundle.open_parts(b, [identity])
    except bundle.BundleRefused as exc:
        return out("rejected", exc.message)
    try:
        counts = _apply(db, b, chain, contents, dry_run)
    except bundle.BundleRefused as exc:
        return out("rejected", exc.message)
    except IntegrityError:
        # Another importer (a second hub process, `province accept-key`) applied a bundle
        # at this place in the chain meanwhile: decide again against what it wrote — the
        # same bundle is a replay (with its receipt), another one a fork. Never a
        # "replay" for a bundle the ledger does not hold.
        if _retried:
            raise
        return _decide_and_apply(db, b, name, identity, dry_run, _retried=True)
    text = "Chạy thử: chưa ghi gì vào dữ liệu." if dry_run else "Đã nhập."
    absent = sum(c.get("absent", 0) for c in counts.values())
    if absent:
        text += (
            f" {absent} bản ghi tỉnh đang giữ không có trong gói đầy đủ này (xã có thể đã "
            "khôi phục dữ liệu từ một bản sao lưu cũ): tỉnh vẫn giữ chúng, hãy hỏi lại xã."
        )
    return out("applied", text, counts)


def _key_problem(b: bundle.Bundle, pinned: Any) -> str:
    fp = b.fingerprint
    if pinned is None:
        return (
            f"Khóa ký {fp} chưa được chấp nhận: gói được cách ly cho đến khi có người "
            "đối chiếu vân tay và chấp nhận khóa."
        )
    if pinned.public_key != b.manifest["public_key"]:
        return f"Khóa ký {fp} trùng mã với một khóa khác: gói được cách ly."
    if pinned.retired:
        return f"Khóa ký {fp} đã bị thu hồi: gói được cách ly."
    if pinned.commune_code != b.commune_code:
        return (
            f"Gói ghi là của xã mã {b.commune_code} nhưng được ký bằng khóa của xã mã "
            f"{pinned.commune_code}: gói được cách ly."
        )
    return ""


class _DryRun(Exception):
    pass


def _apply(
    db: Database, b: bundle.Bundle, chain: ChainKey, contents: bundle.Contents, dry_run: bool
) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    try:
        with db.connect() as conn:
            _take_write_lock(conn)
            _check_references(conn, b.commune_code, contents)
            m = b.manifest
            conn.execute(
                insert(SyncLedger).values(
                    bundle_id=b.bundle_id,
                    commune_code=b.commune_code,
                    installation_id=m["installation_id"],
                    key_id=m["key_id"],
                    chain_key_id=chain.key_chain,
                    seq=b.seq,
                    prev_bundle_id=m["prev_bundle_id"],
                    file_name=b.file_name,
                    created_at=m["created_at"],
                    counts=json.dumps(m["counts"]),
                )
            )
            for entity in contents.rows:
                counts[entity] = _apply_entity(conn, b, contents, entity)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return counts


def _take_write_lock(conn: Connection) -> None:
    """Serialise importers: a second import of the same bundle waits here, then meets
    the UNIQUE ledger row (instead of "database is locked" or a half-checked chain)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        # PostgreSQL (the hub): readers go on; a second importer waits for this one.
        conn.exec_driver_sql("LOCK TABLE sync_ledger IN SHARE ROW EXCLUSIVE MODE")


def _check_references(conn: Connection, commune: str, contents: bundle.Contents) -> None:
    """Every reference must name a record in this bundle or one already held."""
    for target, uids in contents.refs.items():
        present = {row[0] for row in contents.rows.get(target, ())}
        missing = sorted(uids - present)
        found: set[str] = set()
        for i in range(0, len(missing), 500):
            chunk = missing[i : i + 500]
            found |= set(
                conn.execute(
                    select(SyncRecord.uuid).where(
                        SyncRecord.commune_code == commune,
                        SyncRecord.entity == target,
                        SyncRecord.uuid.in_(chunk),
                    )
                ).scalars()
            )
        if len(found) != len(missing):
            raise bundle.BundleRefused(
                f"Gói tham chiếu tới {len(missing) - len(found)} bản ghi '{target}' không có "
                "(thiếu gói trước?)."
            )


def _record_sql(fields: list[tuple[str, str]]) -> str:
    """SQL building a record's JSON text inside SQLite (no Python work per record).

    Parameters: ?1 commune, ?2 entity, ?3 uuid, ?4 revision, ?5 deleted, ?6 bundle
    seq, then ?7… the fields' values (see :data:`bundle.Row`). Field names come from
    our own mapped columns (checked against them when the bundle was opened).
    """

    def value(index: int, kind: str) -> str:
        if kind == "bool":
            return f"CASE ?{index} WHEN 1 THEN json('true') WHEN 0 THEN json('false') END"
        return f"?{index}"

    head = "'uuid', ?3, 'revision', ?4, 'deleted', json('{flag}'), 'commune_code', ?1"
    live = "".join(
        f", '{name}', {value(i, kind)}" for i, (name, kind) in enumerate(fields, start=7)
    )
    gone = "".join(
        f", 'deleted_at', ?{i}"
        for i, (name, _k) in enumerate(fields, start=7)
        if name == "deleted_at"
    )
    return (
        f"CASE WHEN ?5 THEN json_object({head.format(flag='true')}{gone}) "
        f"ELSE json_object({head.format(flag='false')}{live}) END"
    )


def _apply_entity(
    conn: Connection, b: bundle.Bundle, contents: bundle.Contents, entity: str
) -> dict[str, int]:
    stats = {"new": 0, "updated": 0, "deleted": 0, "unchanged": 0, "conflicts": 0}
    rows = contents.rows[entity]
    fields = contents.fields[entity]
    commune, seq = b.commune_code, b.seq
    existing: dict[str, tuple[int, int]] = {}
    live: set[str] = set()
    for rid, uid, rev, gone in conn.execute(
        select(SyncRecord.id, SyncRecord.uuid, SyncRecord.revision, SyncRecord.deleted).where(
            SyncRecord.commune_code == commune, SyncRecord.entity == entity
        )
    ):
        existing[uid] = (rid, rev)
        if not gone:
            live.add(uid)
    new_rows: list[tuple[Any, ...]] = []
    upd_rows: list[tuple[Any, ...]] = []
    conflicts: list[dict[str, Any]] = []
    same: list[tuple[int, bundle.Row]] = []  # (held record id, row) at the held revision
    for row in rows:
        uid, revision, deleted = row[0], row[1], row[2]
        held = existing.get(uid)
        if held is None:
            new_rows.append((commune, entity, uid, revision, deleted, seq, *row[3:]))
            stats["deleted" if deleted else "new"] += 1
        elif revision > held[1]:
            upd_rows.append((commune, entity, uid, revision, deleted, seq, *row[3:], held[0]))
            stats["deleted" if deleted else "updated"] += 1
        elif revision == held[1]:
            same.append((held[0], row))
        else:
            conflicts.append(_conflict(b, contents, entity, row, held[1]))
    for row in _diverging(conn, fields, commune, entity, same):
        conflicts.append(_conflict(b, contents, entity, row, row[1]))
    stats["conflicts"] = len(conflicts)
    stats["unchanged"] = len(rows) - len(new_rows) - len(upd_rows) - len(conflicts)
    if b.manifest["kind"] == "full":
        # A full bundle is everything the commune has. Records held here but not in
        # it were removed at the commune without a tombstone (a restored backup):
        # they are kept (nothing is deleted because of a sync) and counted, so a
        # person can ask the commune about them.
        absent = len(live - {row[0] for row in rows})
        if absent:
            stats["absent"] = absent
    if conn.dialect.name != "sqlite":
        _write_postgresql(conn, fields, new_rows, upd_rows)
    else:
        _write_sqlite(conn, fields, new_rows, upd_rows)
    if conflicts:
        conn.execute(insert(SyncConflict), conflicts)
    return stats


def _conflict(
    b: bundle.Bundle, contents: bundle.Contents, entity: str, row: bundle.Row, held_revision: int
) -> dict[str, Any]:
    """The :class:`SyncConflict` row for an incoming record that is not applied."""
    return {
        "commune_code": b.commune_code,
        "entity": entity,
        "uuid": row[0],
        "held_revision": held_revision,
        "incoming_revision": row[1],
        "bundle_id": b.bundle_id,
        "data": _encode(contents.record(entity, row, b.commune_code)),
    }


def _diverging(
    conn: Connection,
    fields: list[tuple[str, str]],
    commune: str,
    entity: str,
    same: list[tuple[int, bundle.Row]],
) -> list[bundle.Row]:
    """The rows carrying the held revision but another content (two histories edited
    the same revision, e.g. a laptop restored from a copy then edited).

    Compared as parsed JSON objects. The texts are compared first: both sides are
    built by this module with the same keys in the same order, so equal texts (nearly
    every row) need no parsing; only differing texts are parsed (escapes or numbers
    may be spelled otherwise, e.g. after a resolved conflict).
    """
    if not same:
        return []
    by_id = {rid: row for rid, row in same}
    if conn.dialect.name == "sqlite":
        pairs = _differing_texts_sqlite(conn, fields, commune, entity, same)
    else:
        pairs = _differing_texts(conn, fields, commune, entity, same)
    return [
        by_id[rid]
        for rid, incoming, held in pairs
        if held is None or json.loads(held) != json.loads(incoming)
    ]


def _differing_texts_sqlite(
    conn: Connection,
    fields: list[tuple[str, str]],
    commune: str,
    entity: str,
    same: list[tuple[int, bundle.Row]],
) -> list[tuple[int, str, str | None]]:
    """(record id, incoming text, held text) whose texts differ; the incoming JSON is
    built by SQLite as when storing (:func:`_record_sql`), in a temporary table, so
    an unchanged full bundle costs no Python work per record."""
    conn.exec_driver_sql(
        "CREATE TEMP TABLE IF NOT EXISTS sync_incoming (id INTEGER PRIMARY KEY, data TEXT)"
    )
    conn.exec_driver_sql("DELETE FROM temp.sync_incoming")
    conn.exec_driver_sql(
        f"INSERT INTO temp.sync_incoming (id, data) "
        f"VALUES (?{7 + len(fields)}, {_record_sql(fields)})",
        [(commune, entity, row[0], row[1], row[2], 0, *row[3:], rid) for rid, row in same],
    )
    found = conn.exec_driver_sql(
        "SELECT i.id, i.data, r.data FROM temp.sync_incoming i "
        "LEFT JOIN sync_record r ON r.id = i.id WHERE r.data IS NOT i.data"
    ).all()
    conn.exec_driver_sql("DELETE FROM temp.sync_incoming")
    return [(int(rid), str(incoming), held) for rid, incoming, held in found]


def _differing_texts(
    conn: Connection,
    fields: list[tuple[str, str]],
    commune: str,
    entity: str,
    same: list[tuple[int, bundle.Row]],
) -> list[tuple[int, str, str | None]]:
    """As :func:`_differing_texts_sqlite`, with the JSON built in Python (PostgreSQL)."""
    found: list[tuple[int, str, str | None]] = []
    for start in range(0, len(same), _CHUNK):
        chunk = same[start : start + _CHUNK]
        query = select(SyncRecord.id, SyncRecord.data).where(
            SyncRecord.id.in_([rid for rid, _row in chunk])
        )
        held: dict[int, str] = {rid: data for rid, data in conn.execute(query)}
        for rid, row in chunk:
            text = _record_json(fields, (commune, entity, row[0], row[1], row[2], 0, *row[3:]))
            if held.get(rid) != text:
                found.append((rid, text, held.get(rid)))
    return found


def _write_sqlite(
    conn: Connection,
    fields: list[tuple[str, str]],
    new_rows: list[tuple[Any, ...]],
    upd_rows: list[tuple[Any, ...]],
) -> None:
    """SQLite: the record's JSON is built by SQLite itself (no Python work per record)."""
    data_sql = _record_sql(fields)
    if new_rows:
        conn.exec_driver_sql(
            "INSERT INTO sync_record "
            "(commune_code, entity, uuid, revision, deleted, data, bundle_seq) "
            f"VALUES (?1, ?2, ?3, ?4, ?5, {data_sql}, ?6)",
            new_rows,
        )
    if upd_rows:
        conn.exec_driver_sql(
            f"UPDATE sync_record SET revision = ?4, deleted = ?5, data = {data_sql}, "
            f"bundle_seq = ?6 WHERE id = ?{7 + len(fields)} AND uuid = ?3 AND entity = ?2",
            upd_rows,
        )


def _record_json(fields: list[tuple[str, str]], row: tuple[Any, ...]) -> str:
    """The JSON text :func:`_record_sql` builds, built in Python (same keys, same order).

    ``row`` is (commune, entity, uuid, revision, deleted, bundle seq, *field values).
    """
    commune, _entity, uid, revision, deleted = row[:5]
    record: dict[str, Any] = {
        "uuid": uid,
        "revision": revision,
        "deleted": bool(deleted),
        "commune_code": commune,
    }
    for (name, kind), value in zip(fields, row[6 : 6 + len(fields)], strict=True):
        if deleted and name != "deleted_at":
            continue
        record[name] = bool(value) if kind == "bool" and value is not None else value
    return _encode(record)


def _copy_new_records(
    conn: Connection, fields: list[tuple[str, str]], new_rows: list[tuple[Any, ...]]
) -> None:
    """PostgreSQL: new records through COPY, in this transaction (an executemany of a
    full bundle's ≈ 150,000 rows spent most of a hub's import time in round trips)."""
    driver = conn.connection.driver_connection
    assert driver is not None
    with (
        driver.cursor() as cur,  # type: ignore[attr-defined]
        cur.copy(
            "COPY sync_record (commune_code, entity, uuid, revision, deleted, data, bundle_seq)"
            " FROM STDIN"
        ) as copy,
    ):
        for r in new_rows:
            copy.write_row((r[0], r[1], r[2], r[3], bool(r[4]), _record_json(fields, r), r[5]))


def _write_postgresql(
    conn: Connection,
    fields: list[tuple[str, str]],
    new_rows: list[tuple[Any, ...]],
    upd_rows: list[tuple[Any, ...]],
) -> None:
    """PostgreSQL (the hub; the only other engine we open, always through psycopg):
    new records by COPY, changed ones by an UPDATE per record."""
    from sqlalchemy import bindparam, update

    if new_rows:
        _copy_new_records(conn, fields, new_rows)
    if upd_rows:
        conn.execute(
            update(SyncRecord)
            .where(SyncRecord.id == bindparam("rid"))
            .values(
                revision=bindparam("rev"),
                deleted=bindparam("gone"),
                data=bindparam("body"),
                bundle_seq=bindparam("bseq"),
            ),
            [
                {
                    "rid": r[-1],
                    "rev": r[3],
                    "gone": bool(r[4]),
                    "body": _record_json(fields, r[:-1]),
                    "bseq": r[5],
                }
                for r in upd_rows
            ],
        )


def _encode(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _release_staged(db: Database, chain: ChainKey, identity: Any) -> list[Outcome]:
    """Apply staged bundles of ``chain`` that are now next in line."""
    results: list[Outcome] = []
    folder = held_dir(db.data_dir, "gap")
    while folder.is_dir():
        with db.connect() as conn:
            last_seq, _ = _ledger_tail(conn, chain)
            chains = {
                str(k): str(c or k)
                for k, c in conn.execute(
                    select(SyncPinnedKey.key_id, SyncPinnedKey.chain_key_id).where(
                        SyncPinnedKey.commune_code == chain.commune_code
                    )
                )
            }
        nxt = None
        for held in held_bundles(db):
            if (
                held.state == "gap"
                and held.commune_code == chain.commune_code
                and held.installation_id == chain.installation_id
                and chains.get(held.key_id) == chain.key_chain
                and held.seq == last_seq + 1
            ):
                nxt = held
                break
        if nxt is None:
            break
        data = nxt.path.read_bytes()
        with contextlib.suppress(OSError):
            nxt.path.unlink()
        outcome = _decide_and_apply(db, bundle.parse(data), nxt.path.name, identity, False)
        results.append(outcome)
        if outcome.status != "applied":
            break
    return results


def retry_quarantined(db: Database) -> list[Outcome]:
    """Re-run quarantined bundles (after a key was accepted)."""
    identity = keys.age_identity(db.data_dir)
    results: list[Outcome] = []
    held = sorted(
        (h for h in held_bundles(db) if h.state == "quarantine"),
        key=lambda h: (h.installation_id, h.seq),
    )
    for h in held:
        data = h.path.read_bytes()
        b = bundle.parse(data)
        with db.connect() as conn:
            pinned = conn.execute(
                select(SyncPinnedKey).where(SyncPinnedKey.key_id == h.key_id)
            ).first()
        if (
            pinned is not None
            and pinned.public_key == b.manifest["public_key"]
            and not pinned.retired
            and pinned.commune_code != b.commune_code
        ):
            # The key is accepted, for another commune: this bundle will never be
            # applied (it stays held so a person can look at it).
            results.append(
                Outcome(
                    h.path.name,
                    "rejected",
                    f"Gói ghi là của xã mã {b.commune_code} nhưng được ký bằng khóa đã đăng ký "
                    f"cho xã mã {pinned.commune_code}: không nhập.",
                    commune_code=b.commune_code,
                    seq=b.seq,
                )
            )
            continue
        if _key_problem(b, pinned):
            continue
        with contextlib.suppress(OSError):
            h.path.unlink()
        results += import_bytes(db, data, h.path.name, identity)
    return results


@dataclass(frozen=True)
class CommuneStatus:
    commune_code: str
    last_seq: int
    last_created_at: str
    last_imported_at: str
    records: int
    gaps: int
    quarantined: int
    forks: int
    conflicts: int


def consolidation(db: Database) -> list[CommuneStatus]:
    """Per commune: last bundle, records held, bundles waiting, conflicts."""
    state.require_upper(db)
    held = held_bundles(db)
    with db.connect() as conn:
        ledger = conn.execute(
            select(
                SyncLedger.commune_code,
                func.max(SyncLedger.seq),
                func.max(SyncLedger.created_at),
                func.max(SyncLedger.imported_at),
            ).group_by(SyncLedger.commune_code)
        ).all()
        recs = dict(
            conn.execute(
                select(SyncRecord.commune_code, func.count())
                .where(SyncRecord.deleted.is_(False))
                .group_by(SyncRecord.commune_code)
            ).all()
        )
        confl = dict(
            conn.execute(
                select(SyncConflict.commune_code, func.count()).group_by(SyncConflict.commune_code)
            ).all()
        )
    codes = sorted({r[0] for r in ledger} | {h.commune_code for h in held})
    by_code = {r[0]: r for r in ledger}
    result = []
    for code in codes:
        row = by_code.get(code)
        result.append(
            CommuneStatus(
                commune_code=code,
                last_seq=int(row[1]) if row else 0,
                last_created_at=str(row[2]) if row else "",
                last_imported_at=str(row[3]) if row else "",
                records=int(recs.get(code, 0)),
                gaps=sum(1 for h in held if h.commune_code == code and h.state == "gap"),
                quarantined=sum(
                    1 for h in held if h.commune_code == code and h.state == "quarantine"
                ),
                forks=sum(1 for h in held if h.commune_code == code and h.state == "fork"),
                conflicts=int(confl.get(code, 0)),
            )
        )
    return result


def entity_totals(db: Database) -> dict[str, dict[str, int]]:
    """Live records held per commune and entity: {commune: {entity: n}}."""
    state.require_upper(db)
    with db.connect() as conn:
        rows = conn.execute(
            select(SyncRecord.commune_code, SyncRecord.entity, func.count())
            .where(SyncRecord.deleted.is_(False))
            .group_by(SyncRecord.commune_code, SyncRecord.entity)
        ).all()
    totals: dict[str, dict[str, int]] = {}
    for code, entity, count in rows:
        totals.setdefault(code, {})[entity] = int(count)
    return totals


# --- forks -------------------------------------------------------------------------------

FORK_CHOICES = ("discard", "follow")
FORKS_LOG = Path("sync") / "resolved" / "forks.jsonl"


@dataclass(frozen=True)
class Fork:
    """A held bundle that does not continue its chain: same number as one applied but
    other content, or a predecessor the province never applied."""

    name: str  # the held file's name: what ``province resolve-fork`` takes
    commune_code: str
    installation_id: str
    seq: int
    fingerprint: str
    applied_bundle_id: str  # the bundle applied at that number in the chain ("" if none)
    last_seq: int  # the chain's last applied number
    created_at: str
    counts: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "commune_code": self.commune_code,
            "installation_id": self.installation_id,
            "seq": self.seq,
            "fingerprint": self.fingerprint,
            "applied_bundle_id": self.applied_bundle_id,
            "last_seq": self.last_seq,
            "created_at": self.created_at,
            "counts": self.counts,
        }


def _pinned_row(conn: Connection, key_id: str) -> Any:
    return conn.execute(select(SyncPinnedKey).where(SyncPinnedKey.key_id == key_id)).first()


def list_forks(db: Database) -> list[Fork]:
    """Every forked bundle held, by commune and number."""
    state.require_upper(db)
    found: list[Fork] = []
    for held in held_bundles(db):
        if held.state != "fork":
            continue
        b = bundle.parse(_read(held.path))
        with db.connect() as conn:
            pinned = _pinned_row(conn, held.key_id)
            chain = (
                _chain(b, pinned)
                if pinned is not None
                else ChainKey(b.commune_code, held.key_id, held.installation_id)
            )
            last_seq, _ = _ledger_tail(conn, chain)
            at = conn.execute(
                select(SyncLedger.bundle_id).where(
                    SyncLedger.commune_code == chain.commune_code,
                    SyncLedger.chain_key_id == chain.key_chain,
                    SyncLedger.installation_id == chain.installation_id,
                    SyncLedger.seq == b.seq,
                )
            ).scalar()
        found.append(
            Fork(
                held.path.name,
                b.commune_code,
                held.installation_id,
                b.seq,
                held.fingerprint,
                str(at or ""),
                last_seq,
                str(b.manifest["created_at"]),
                {str(k): int(v) for k, v in b.manifest["counts"].items()},
            )
        )
    return sorted(found, key=lambda f: (f.commune_code, f.installation_id, f.seq))


def resolve_fork(db: Database, name: str, choice: str, by: str) -> Outcome:
    """Settle a fork; nothing is ever deleted.

    - ``discard``: the chain stays as it is; the held file moves to
      ``sync/resolved/forks/`` (the commune re-sends from the province's state).
    - ``follow``: the commune's history now continues from the forked bundle (e.g. the
      laptop that was restored is the one in use): its records are applied with the
      usual rules (never backwards; the same revision with other content is a
      conflict to settle), it opens a branch of the chain, and the key's next bundles
      continue that branch. The bundles applied before stay applied.
    """
    from app.core.models.base import utcnow
    from app.core.sync.writer import write_durably

    state.require_upper(db)
    if choice not in FORK_CHOICES:
        raise UserError("Chọn cách giải quyết: --discard (bỏ gói rẽ nhánh) hoặc --follow.")
    held = next((h for h in held_bundles(db) if h.state == "fork" and h.path.name == name), None)
    if held is None:
        raise UserError(f"Không có gói rẽ nhánh tên {name} (xem: khuyenhoc province forks).")
    data = _read(held.path)
    b = bundle.parse(data)
    outcome = Outcome(name, "discarded", "Đã bỏ gói rẽ nhánh (vẫn giữ tệp).", {}, b.commune_code)
    outcome.seq = b.seq
    if choice == "follow":
        with db.connect() as conn:
            pinned = _pinned_row(conn, held.key_id)
        if pinned is None or _key_problem(b, pinned):
            raise UserError("Khóa của gói này không còn được chấp nhận: không theo nhánh này.")
        branch = ChainKey(b.commune_code, "f" + b.bundle_id[:15], held.installation_id)
        identity = keys.age_identity(db.data_dir)
        try:
            contents = bundle.open_parts(b, [identity])
            counts = _apply(db, b, branch, contents, False)
        except bundle.BundleRefused as exc:
            raise UserError(exc.message) from None
        with db.session() as s:
            row = s.scalars(select(SyncPinnedKey).where(SyncPinnedKey.key_id == held.key_id)).one()
            row.chain_key_id = branch.key_chain
        outcome = Outcome(
            name, "applied", "Đã nhập gói rẽ nhánh; các gói sau nối tiếp nhánh này.", counts
        )
        outcome.commune_code, outcome.seq = b.commune_code, b.seq
    target = db.data_dir / "sync" / "resolved" / "forks" / name
    write_durably(target, data)
    held.path.unlink()
    log = db.data_dir / FORKS_LOG
    line = {
        "file": name,
        "bundle_id": b.bundle_id,
        "commune_code": b.commune_code,
        "seq": b.seq,
        "choice": choice,
        "by": by,
        "at": utcnow().isoformat(),
    }
    with log.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    return outcome
