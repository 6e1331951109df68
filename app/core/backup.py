"""Backups with SQLite's online backup API (never a file copy of a live database).

A backup is written as ``<name>.partial`` on the target, flushed and fsynced,
checked, and only then renamed into place, so a full disk or a pulled USB stick
leaves either the previous state or a complete backup. Restoring shows what the
backup holds first (:func:`inspect_backup`), keeps the current database as a
backup too, and copies the backup *into* the live file with the same API.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app import paths
from app.core.dbfile import (
    KNOWN_REVISIONS,
    SCHEMA_HEAD,
    check_revision_known,
    connect_readonly,
    read_schema_revision,
    sqlite_uri,
)
from app.core.errors import DatabaseError, StorageError, reason_of
from app.core.text import format_number

AUTO_PREFIX = "auto-"
MIGRATION_PREFIX = "truoc-nang-cap-"
RESTORE_PREFIX = "truoc-khoi-phuc-"
MANUAL_PREFIX = "sao-luu-"
SUFFIX = ".sqlite3"
PARTIAL_SUFFIX = ".partial"
UPPER_MODE_KEY = "sync_mode"  # the value "upper": a province's or district's data
RESTORED_KEY = "restored_from_backup"  # setting: {"from": file name, "at": local time}
ProgressFn = Callable[[int, int], None]

COUNTED_TABLES = {
    "hamlets": "hamlet",
    "households": "household",
    "people": "person",
    "members": "member",
    "clans": "clan",
    "units": "unit",
    "branches": "branch",
}


@dataclass(frozen=True)
class BackupInfo:
    """What a backup file holds, shown before anything is replaced."""

    path: Path
    size_bytes: int
    modified: dt.datetime
    schema_revision: str | None
    commune_code: str
    commune_name: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def is_older_schema(self) -> bool:
        return self.schema_revision != SCHEMA_HEAD

    def describe(self) -> str:
        """Vietnamese summary for a confirmation dialog or the CLI."""
        labels = {
            "hamlets": "thôn/tổ dân phố",
            "households": "hộ gia đình",
            "people": "nhân khẩu",
            "members": "hội viên",
            "clans": "dòng họ",
            "units": "đơn vị",
            "branches": "chi hội",
        }
        lines = [
            f"Tệp: {self.path}",
            f"Xã: {self.commune_name or '(chưa đặt)'} ({self.commune_code or '—'})",
            f"Ngày giờ tệp: {self.modified:%d/%m/%Y %H:%M}",
            f"Dung lượng: {self.size_bytes / 1024 / 1024:.1f} MB",
        ]
        lines += [f"  {labels[k]}: {format_number(v)}" for k, v in self.counts.items()]
        return "\n".join(lines)


def timestamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _storage_error(exc: BaseException, dest: Path) -> StorageError:
    err = getattr(exc, "errno", None)
    text = str(exc).lower()
    if err == errno.ENOSPC or "full" in text:
        return StorageError(f"Ổ đĩa đầy: không ghi được bản sao lưu vào {dest.parent}.")
    if (
        err in (errno.EACCES, errno.EROFS, errno.EPERM)
        or "readonly" in text
        or "unable to open" in text
    ):
        return StorageError(f"Không có quyền ghi vào {dest.parent}: chưa sao lưu được.")
    return StorageError(f"Không ghi được bản sao lưu {dest.name}: {reason_of(exc)}.")


def _claim(path: Path) -> int:
    """Create ``path`` (it must not exist) and hold an exclusive lock on it.

    The lock says "a backup is writing this file": :func:`remove_stale_partials`
    leaves a locked ``.partial`` alone and removes the others (left by a killed
    program). On Windows an open file cannot be deleted anyway, so no lock is needed.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
    if os.name != "posix":
        os.close(fd)  # an open handle would stop the rename at the end
        return -1
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def _in_use(path: Path) -> bool:
    if os.name != "posix":
        return False
    import fcntl

    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing releases the lock taken just now
    return False


def remove_stale_partials(folder: Path) -> list[Path]:
    """Remove the ``*.partial`` files a killed backup left in ``folder`` (10–54 MB each).

    Called at start and before every backup; a partial file that another backup is
    writing right now is kept. Never fails: a folder that cannot be read or written
    is left as it is.
    """
    removed: list[Path] = []
    try:
        candidates = sorted(folder.glob(f"*{SUFFIX}{PARTIAL_SUFFIX}"))
    except OSError:
        return removed
    for path in candidates:
        if _in_use(path):
            continue
        try:
            path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed


def copy_database(
    source: Path, dest: Path, progress: ProgressFn | None = None, pages_per_step: int = 256
) -> Path:
    """Copy the database ``source`` to ``dest`` safely (partial, fsync, verify, rename)."""
    partial = dest.with_name(dest.name + PARTIAL_SUFFIX)
    claim: int | None = None
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_partials(dest.parent)
        if partial.exists():
            partial.unlink()
        claim = _claim(partial)
        src = sqlite3.connect(sqlite_uri(source, mode="ro"), uri=True)
        try:
            dst = sqlite3.connect(partial)
            try:

                def _step(_status: int, remaining: int, total: int) -> None:
                    if progress:
                        progress(total - remaining, total)

                src.backup(dst, pages=pages_per_step, progress=_step)
                dst.execute("PRAGMA journal_mode=DELETE")
                check = dst.execute("PRAGMA quick_check").fetchone()
                if not check or check[0] != "ok":
                    raise DatabaseError("Bản sao lưu vừa ghi không đọc lại được.")
            finally:
                dst.close()
        finally:
            src.close()
        with partial.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, dest)
        _fsync_dir(dest.parent)
    except (OSError, sqlite3.Error) as exc:
        _remove_quietly(partial)
        raise _storage_error(exc, dest) from exc
    except BaseException:
        _remove_quietly(partial)
        raise
    finally:
        if claim is not None and claim >= 0:
            os.close(claim)
    return dest


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def backup_dir_for(data_dir: Path, configured: str | None = None) -> Path:
    return Path(configured) if configured else paths.backups_dir(data_dir)


def make_backup(
    db_path: Path,
    dest: Path | None = None,
    *,
    prefix: str = MANUAL_PREFIX,
    backup_dir: Path | None = None,
    progress: ProgressFn | None = None,
) -> Path:
    """Back up ``db_path``; ``dest`` may be a file or a folder (default: the backups folder)."""
    folder = backup_dir or paths.backups_dir(db_path.parent)
    if dest is None:
        dest = folder / f"{prefix}{timestamp()}{SUFFIX}"
    elif dest.is_dir():
        dest = dest / f"{prefix}{timestamp()}{SUFFIX}"
    return copy_database(db_path, dest, progress)


def backup_before_migration(db_path: Path, revision: str) -> Path:
    return make_backup(db_path, prefix=f"{MIGRATION_PREFIX}{revision}-")


def auto_backup(db_path: Path, keep: int, backup_dir: Path | None = None) -> Path:
    """The backup taken on close; keeps only the newest ``keep`` automatic ones."""
    made = make_backup(db_path, prefix=AUTO_PREFIX, backup_dir=backup_dir)
    prune(made.parent, AUTO_PREFIX, keep)
    return made


def prune(folder: Path, prefix: str, keep: int) -> list[Path]:
    files = sorted(folder.glob(f"{prefix}*{SUFFIX}"), key=lambda p: p.name, reverse=True)
    removed = []
    for old in files[keep:]:
        try:
            old.unlink()
            removed.append(old)
        except OSError:
            pass
    return removed


def list_backups(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)


def inspect_backup(path: Path) -> BackupInfo:
    """Read what a backup holds without writing to it. Refuses foreign or newer files."""
    if not path.is_file():
        raise DatabaseError(f"Không tìm thấy tệp sao lưu {path}.")
    revision = read_schema_revision(path)
    if revision is None:
        raise DatabaseError(f"Tệp {path.name} không phải là bản sao lưu của Sổ Khuyến Học.")
    check_revision_known(revision, path)
    conn = connect_readonly(path)
    try:
        counts = {
            key: int(conn.execute(f"SELECT count(*) FROM {table} WHERE deleted = 0").fetchone()[0])
            for key, table in COUNTED_TABLES.items()
        }
        row = conn.execute("SELECT value FROM setting WHERE key = 'commune'").fetchone()
        commune = json.loads(row[0]) if row else {}
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"Tệp sao lưu {path.name} bị hỏng ({reason_of(exc)}).") from exc
    finally:
        conn.close()
    stat = path.stat()
    return BackupInfo(
        path=path,
        size_bytes=stat.st_size,
        modified=dt.datetime.fromtimestamp(stat.st_mtime),
        schema_revision=revision,
        commune_code=str(commune.get("code", "")),
        commune_name=str(commune.get("name", "")),
        counts=counts,
    )


def restore_backup(
    db_path: Path, backup_path: Path, progress: ProgressFn | None = None
) -> Path | None:
    """Replace the database at ``db_path`` with the backup's content.

    The caller must have closed its own connections. Returns the safety backup
    taken of the current database (``None`` when there was none).
    """
    inspect_backup(backup_path)
    _check_same_level(db_path, backup_path)
    safety: Path | None = None
    if db_path.exists() and db_path.stat().st_size > 0:
        safety = make_backup(db_path, prefix=RESTORE_PREFIX)
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        src = connect_readonly(backup_path)
        try:
            dst = sqlite3.connect(db_path)
            try:

                def _step(_status: int, remaining: int, total: int) -> None:
                    if progress:
                        progress(total - remaining, total)

                src.backup(dst, pages=256, progress=_step)
                dst.execute("PRAGMA journal_mode=WAL")
            finally:
                dst.close()
        finally:
            src.close()
        _mark_restored(db_path, backup_path)
    except (OSError, sqlite3.Error) as exc:
        raise StorageError(
            f"Không khôi phục được: {reason_of(exc)}. Cơ sở dữ liệu hiện tại vẫn còn trong "
            f"bản sao {safety}."
        ) from exc
    return safety


def _is_upper_level(path: Path) -> bool:
    """Whether the file is an upper level's (province/district) data, not a commune's."""
    conn = connect_readonly(path)
    try:
        row = conn.execute("SELECT value FROM setting WHERE key = ?", (UPPER_MODE_KEY,)).fetchone()
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()
    return bool(row) and json.loads(row[0]) == "upper"


def _check_same_level(db_path: Path, backup_path: Path) -> None:
    """A province's backup never replaces a commune's data, nor the other way round."""
    if not (db_path.is_file() and db_path.stat().st_size > 0):
        return  # an empty folder takes either
    try:
        current = _is_upper_level(db_path)
    except (OSError, sqlite3.Error):
        return  # an unreadable current file: the restore itself will say so
    incoming = _is_upper_level(backup_path)
    if incoming == current:
        return
    if incoming:
        raise DatabaseError(
            f"Tệp {backup_path.name} là dữ liệu của cấp trên (tỉnh/huyện), còn thư mục này "
            "đang chứa dữ liệu của một xã: không khôi phục vào đây. Hãy khôi phục vào một "
            "thư mục trống hoặc thư mục dữ liệu của cấp trên."
        )
    raise DatabaseError(
        f"Tệp {backup_path.name} là dữ liệu của một xã, còn thư mục này đang chứa dữ liệu "
        "của cấp trên (tỉnh/huyện): không khôi phục vào đây. Hãy khôi phục vào một thư "
        "mục trống hoặc thư mục dữ liệu của xã."
    )


def _mark_restored(db_path: Path, backup_path: Path) -> None:
    """Note in the restored database that it went back in time.

    Its change counter and export log are those of the backup, while the province
    may already hold bundles written after it: the next export reads this note
    (:mod:`app.core.sync.writer`), continues the bundle chain and sends a full bundle.
    """
    note = json.dumps(
        {"from": backup_path.name, "at": dt.datetime.now().isoformat(timespec="seconds")},
        ensure_ascii=False,
    )
    conn = sqlite3.connect(db_path)
    try:
        with conn:
            conn.execute(
                "INSERT INTO setting (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (RESTORED_KEY, note),
            )
    finally:
        conn.close()


__all__ = [
    "KNOWN_REVISIONS",
    "BackupInfo",
    "auto_backup",
    "backup_before_migration",
    "copy_database",
    "inspect_backup",
    "list_backups",
    "make_backup",
    "prune",
    "remove_stale_partials",
    "restore_backup",
]
