"""Writing export bundles at the commune, safely.

Rows are chosen by the change counter (``since < change_seq ≤ upto``), never by
clock. The bundle is first written into the local archive, then to the chosen
folder or USB stick — each time ``.partial``, flush, fsync, rename, re-open and
verify — and only then is the export logged, which advances the "exported up to"
mark. A bundle already complete in the archive but not logged (the program was
killed in between) is adopted at the next export instead of reusing its number.
"""

from __future__ import annotations

import contextlib
import json
import os
import zlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.core.backup import RESTORED_KEY
from app.core.db import Database
from app.core.dbfile import SCHEMA_HEAD
from app.core.errors import StorageError, UserError, reason_of
from app.core.models import LocalState
from app.core.models.base import utcnow
from app.core.models.sync import SyncExport
from app.core.sync import bundle, keys, policy, records, state

Progress = Callable[[int, int], None]
ARCHIVE_DIR = Path("sync") / "archive"


@dataclass(frozen=True)
class ExportResult:
    file: Path
    archived: Path
    seq: int
    sha256: str
    bundle_id: str
    size: int
    counts: dict[str, int]
    kind: str
    after_restore: bool = False  # the first bundle after a restore: a full one

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.file),
            "seq": self.seq,
            "sha256": self.sha256,
            "bundle_id": self.bundle_id,
            "size": self.size,
            "kind": self.kind,
            "counts": self.counts,
            "after_restore": self.after_restore,
        }


def archive_dir(data_dir: Path) -> Path:
    return data_dir / ARCHIVE_DIR


def write_durably(path: Path, data: bytes, verify: Callable[[bytes], None] | None = None) -> None:
    """``path.partial`` → flush → fsync → rename → fsync folder → re-read and verify."""
    tmp = path.with_name(path.name + ".partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        with contextlib.suppress(OSError):  # not possible on Windows; harmless
            fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        again = path.read_bytes()
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if exc.errno == 28:
            raise StorageError(f"Ổ đĩa {path.parent} đã đầy: chưa ghi được gói.") from exc
        raise StorageError(f"Không ghi được tệp {path} ({reason_of(exc)}).") from exc
    if again != data:
        raise StorageError(f"Tệp {path.name} đọc lại khác với dữ liệu đã ghi (ổ đĩa lỗi?).")
    if verify is not None:
        verify(again)


# The key id that signed this installation's last bundle. A restored backup on a new PC
# carries it while the PC has a new key (keys are never in backups): the next bundle
# then opens a new chain — a full snapshot with no predecessor, numbered on — which the
# province applies once it accepted the new key (no fork, FORMAT.md "A new key").
CHAIN_KEY_SETTING = "sync_chain_key_id"


def _signed_by_another_key(db: Database, me: keys.KeyInfo, last: SyncExport) -> bool:
    """Whether ``last`` (the newest bundle logged) was signed by another key than ours.

    Databases from before the setting existed: the archived copy of ``last`` tells;
    without it (a new PC) a new chain is opened — a full bundle is never wrong.
    """
    from app.core import settings

    stored = settings.get_value(db, CHAIN_KEY_SETTING)
    if stored:
        return bool(stored != me.key_id)
    try:
        archived = bundle.parse((archive_dir(db.data_dir) / last.file_name).read_bytes())
    except (OSError, bundle.BundleRefused):
        return True
    return bool(archived.manifest["public_key"] != me.public_key)


def _last_export(db: Database) -> SyncExport | None:
    with db.session() as s:
        return s.scalars(select(SyncExport).order_by(SyncExport.seq.desc()).limit(1)).first()


def _adopt_orphans(db: Database, me: keys.KeyInfo) -> list[Path]:
    """Log complete archived bundles the previous export wrote but did not log."""
    folder = archive_dir(db.data_dir)
    adopted_paths: list[Path] = []
    if not folder.is_dir():
        return adopted_paths
    for stale in folder.glob("*.partial"):
        with contextlib.suppress(OSError):
            stale.unlink()
    installation = db.installation_id()
    while True:
        last = _last_export(db)
        seq = (last.seq if last else 0) + 1
        candidates = sorted(folder.glob(f"KH_*_{seq:06d}_*{bundle.SUFFIX}"))
        adopted = False
        for path in candidates:
            try:
                b = bundle.parse(path.read_bytes())
            except (OSError, bundle.BundleRefused):
                continue
            m = b.manifest
            if (
                m["public_key"] != me.public_key
                or m["installation_id"] != installation
                or m["prev_bundle_id"]
                not in (
                    last.bundle_id if last else "",
                    "",  # the first bundle of a new chain (a new key)
                )
            ):
                continue  # another database's bundle (e.g. before a demo --replace)
            _log_export(db, b, path)
            adopted_paths.append(path)
            adopted = True
            break
        if not adopted:
            return adopted_paths


def _catch_up_after_restore(db: Database) -> tuple[bool, bool]:
    """(restored, rolled back): after either the next bundle must be a full one.

    The restored change counter and export log are the backup's, while bundles
    written after the backup may already be at the province (they are adopted from
    the archive, so the chain goes on from the last one). The counter is raised above
    everything ever exported, so no later edit can hide below the export mark, and
    the bundle carries everything (the edits made since the restore included).
    """
    restored = state.get_setting(db, RESTORED_KEY) is not None
    mark = export_mark(db)
    with db.session() as s:
        local = s.get(LocalState, 1)
        assert local is not None
        rolled_back = local.change_counter < mark  # e.g. a file copied back by hand
        if rolled_back:
            local.change_counter = mark
    return restored, rolled_back


def restore_note(db: Database) -> str:
    """What the user must know about upward sync right after a restore ("" if no sync)."""
    if state.is_upper(db) or state.province_config(db) is None:
        return ""
    return (
        "Gói gửi tỉnh tiếp theo sẽ là gói đầy đủ, để tỉnh nhận lại mọi thay đổi kể cả "
        "những gì sửa sau khi khôi phục. Những bản ghi đã gửi tỉnh sau thời điểm sao lưu "
        "vẫn còn ở tỉnh; tỉnh sẽ thấy chúng khác với dữ liệu của xã."
    )


def _log_export(db: Database, b: bundle.Bundle, path: Path) -> None:
    m = b.manifest
    with db.session() as s:
        s.add(
            SyncExport(
                seq=m["seq"],
                bundle_id=b.bundle_id,
                prev_bundle_id=m["prev_bundle_id"],
                file_name=path.name,
                file_sha256=b.file_sha256,
                size=len(b.data),
                kind=m["kind"],
                since_change_seq=m["since_change_seq"],
                upto_change_seq=m["upto_change_seq"],
                counts=json.dumps(m["counts"]),
                send_state="pending",  # enters the outbox (app.core.sync.outbox)
            )
        )


def export_bundle(
    db: Database,
    out_dir: Path | None,
    *,
    full: bool = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ExportResult:
    """Write the next bundle into the archive and (when given) ``out_dir``."""
    from app.core import settings

    state.require_commune(db)
    config = state.province_config(db)
    if config is None:
        raise UserError(
            "Chưa nạp gói cấu hình của tỉnh: chưa biết gửi cho ai. "
            "Hãy nạp gói cấu hình (tệp do tỉnh gửi) trước khi xuất gói."
        )
    info = settings.get_commune(db)
    if info is None or not info.code:
        raise UserError("Chưa đặt xã cho dữ liệu này.")
    me = keys.my_key(db.data_dir)
    adopted = _adopt_orphans(db, me)
    last = _last_export(db)
    after_restore, rolled_back = _catch_up_after_restore(db)
    new_chain = last is None or _signed_by_another_key(db, me, last)
    # An adopted orphan means this database did not know a bundle it had written:
    # killed before logging it, or rolled back to a copy. Either way only a full
    # bundle is sure to carry everything the province may not have.
    full = full or new_chain or after_restore or rolled_back or bool(adopted)
    since = 0 if full or last is None else last.upto_change_seq
    # The per-field policy (app/core/sync/policy.py): only what the province asked for
    # and the commune agreed to leaves; ID numbers and phones are "personal_fields".
    sent = policy.sent_categories(db)
    withheld = policy.withheld_fields(sent)
    include_personal = bool(sent & {"id_number", "phone"})
    specs = records.entity_specs()
    step, total = 0, len(specs) + 3

    def tick() -> None:
        nonlocal step
        step += 1
        if progress:
            progress(step, total)
        if cancelled and cancelled():
            raise UserError("Đã hủy xuất gói. Chưa có gì thay đổi.")

    import pyrage
    from pyrage import x25519

    recipients = [x25519.Recipient.from_str(r) for r in config.recipients]

    def seal(raw: bytes) -> bytes:  # zlib and age release the GIL: runs beside the next part
        return bytes(pyrage.encrypt(zlib.compress(raw, 6), recipients))

    pending: list[tuple[str, int, int, Future[bytes]]] = []
    with db.connect() as conn, ThreadPoolExecutor(max_workers=2) as pool:
        upto = int(conn.execute(select(LocalState.change_counter)).scalar_one())
        maps = records.uuid_maps(conn, specs)
        for spec in specs.values():
            header, columns = records.export_columns(
                conn,
                spec,
                maps,
                since=since,
                upto=upto,
                include_personal=include_personal,
                withheld=withheld.get(spec.name, frozenset()),
            )
            raw = bundle.encode_part(header, columns)
            count = len(columns[0])
            pending.append((spec.name, count, len(raw), pool.submit(seal, raw)))
            del columns, raw
            tick()
        parts = [(name, n, size, future.result()) for name, n, size, future in pending]
    seq = (last.seq if last else 0) + 1
    manifest = {
        "commune_code": info.code,
        "commune_name": info.name,
        "installation_id": db.installation_id(),
        "key_id": me.key_id,
        "public_key": me.public_key,
        "seq": seq,
        "prev_bundle_id": "" if new_chain or last is None else last.bundle_id,
        "created_at": utcnow().isoformat(),
        "schema_revision": SCHEMA_HEAD,
        "kind": "full" if full else "incremental",
        "since_change_seq": since,
        "upto_change_seq": upto,
        "personal_fields": "included" if include_personal else "omitted",
        "recipients": list(config.recipients),
        "criteria_sets": [],
    }
    key = keys.signing_key(db.data_dir)
    data, bundle_id = bundle.build(manifest, parts, key.sign)
    tick()
    name = bundle.file_name(info.code, seq, bundle_id)

    def check(written: bytes) -> None:
        if bundle.parse(written).bundle_id != bundle_id:
            raise StorageError("Gói vừa ghi không khớp khi kiểm tra lại.")

    archived = archive_dir(db.data_dir) / name
    write_durably(archived, data, check)
    tick()
    target = archived
    if out_dir is not None and out_dir.resolve() != archived.parent.resolve():
        target = out_dir / name
        for stale in out_dir.glob(f"KH_*{bundle.SUFFIX}.partial"):  # a stick pulled earlier
            with contextlib.suppress(OSError):
                stale.unlink()
        for orphan in adopted:  # logged late: it may never have reached the stick
            if not (out_dir / orphan.name).exists():
                write_durably(out_dir / orphan.name, orphan.read_bytes())
        write_durably(target, data, check)
    parsed = bundle.parse(data)
    _log_export(db, parsed, archived)
    if after_restore:
        state.put_setting(db, RESTORED_KEY, None)
    settings.put_value(db, CHAIN_KEY_SETTING, me.key_id)
    tick()
    return ExportResult(
        file=target,
        archived=archived,
        seq=seq,
        sha256=parsed.file_sha256,
        bundle_id=bundle_id,
        size=len(data),
        counts=dict(manifest_counts(parsed)),
        kind=str(manifest["kind"]),
        after_restore=after_restore,
    )


def manifest_counts(b: bundle.Bundle) -> dict[str, int]:
    return {k: int(v) for k, v in b.manifest["counts"].items()}


@dataclass(frozen=True)
class ExportEntry:
    seq: int
    file_name: str
    size: int
    kind: str
    created_at: str
    counts: dict[str, int]
    confirmed: bool
    confirmed_at: str


def history(db: Database) -> list[ExportEntry]:
    """Every bundle this installation wrote, newest first."""
    with db.session() as s:
        rows = s.scalars(select(SyncExport).order_by(SyncExport.seq.desc())).all()
        return [
            ExportEntry(
                seq=r.seq,
                file_name=r.file_name,
                size=r.size,
                kind=r.kind,
                created_at=r.created_at.isoformat(sep=" "),
                counts=json.loads(r.counts),
                confirmed=r.confirmed_at is not None,
                confirmed_at=r.confirmed_at.isoformat(sep=" ") if r.confirmed_at else "",
            )
            for r in rows
        ]


def export_mark(db: Database) -> int:
    """The change counter value up to which everything was exported (0: nothing yet)."""
    with db.session() as s:
        value = s.scalar(select(func.max(SyncExport.upto_change_seq)))
    return int(value or 0)
