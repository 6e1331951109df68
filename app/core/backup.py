"""Backups with SQLite's online backup API (never a file copy of a live database).

A backup is written as ``<name>.partial`` on the target, flushed and fsynced,
checked, and only then renamed into place, so a full disk or a pulled USB stick
leaves either the previous state or a complete backup. Restoring shows what the
backup holds first (:func:`inspect_backup`), keeps the current database as a
backup too, and copies the backup *into* the live file with the same API.

Backups are readable by their owner only (0600 files in 0700 folders on POSIX; on
Windows the user profile's ACLs protect them, see README). A backup may be
encrypted with a passphrase (age, scrypt: ``<name>.sqlite3.age``, which the
standard ``age -d`` also opens); restoring one asks for it, and a wrong passphrase
changes nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import errno
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
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

MIN_PASSPHRASE = 8
AUTO_PREFIX = "auto-"
MIGRATION_PREFIX = "truoc-nang-cap-"
RESTORE_PREFIX = "truoc-khoi-phuc-"
MANUAL_PREFIX = "sao-luu-"
SUFFIX = ".sqlite3"
PARTIAL_SUFFIX = ".partial"
UPPER_MODE_KEY = "sync_mode"  # the value "upper": a province's or district's data
RESTORED_KEY = "restored_from_backup"  # setting: {"from": file name, "at": local time}
ENCRYPTED_SUFFIX = ".age"
AGE_MAGIC = b"age-encryption.org/v1"
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
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


class WrongPassphrase(StorageError):
    """The passphrase does not open this encrypted backup; nothing was changed."""

    exit_code = 5


def private_dir(directory: Path) -> None:
    """Create ``directory`` (and parents) readable by the owner only where it is new."""
    missing = [p for p in (directory, *directory.parents) if not p.exists()]
    directory.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        for made in missing:
            with contextlib.suppress(OSError):
                os.chmod(made, PRIVATE_DIR)


def private_file(path: Path) -> None:
    """Make sure ``path`` exists and only its owner may read it (POSIX: 0600).

    SQLite gives the ``-wal`` and ``-shm`` files the main file's permissions, so a
    database created through this stays private with its companions.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE)
    os.close(fd)
    if os.name == "posix":
        os.chmod(path, PRIVATE_FILE)


def tighten(db_path: Path) -> None:
    """An existing database (and -wal/-shm) made readable by others: owner only."""
    if os.name != "posix":
        return
    for suffix in ("", "-wal", "-shm"):
        target = Path(f"{db_path}{suffix}")
        with contextlib.suppress(OSError):
            if target.exists() and target.stat().st_mode & 0o077:
                os.chmod(target, PRIVATE_FILE)


def is_encrypted(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(len(AGE_MAGIC)) == AGE_MAGIC
    except OSError:
        return False


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
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
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
        private_dir(dest.parent)
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
    passphrase: str | None = None,
) -> Path:
    """Back up ``db_path``; ``dest`` may be a file or a folder (default: the backups folder).

    With ``passphrase`` the backup is age-encrypted (``….sqlite3.age``).
    """
    folder = backup_dir or paths.backups_dir(db_path.parent)
    if dest is None:
        dest = folder / f"{prefix}{timestamp()}{SUFFIX}"
    elif dest.is_dir():
        dest = dest / f"{prefix}{timestamp()}{SUFFIX}"
    if passphrase is None:
        return copy_database(db_path, dest, progress)
    if not dest.name.endswith(ENCRYPTED_SUFFIX):
        dest = dest.with_name(dest.name + ENCRYPTED_SUFFIX)
    return _encrypted_copy(db_path, dest, passphrase, progress)


def check_passphrase(passphrase: str) -> None:
    from app.core.errors import ValidationError

    if len(passphrase) < MIN_PASSPHRASE:
        raise ValidationError(
            f"Mật khẩu bản sao lưu cần ít nhất {MIN_PASSPHRASE} ký tự (nên dùng một câu dài)."
        )


def _encrypted_copy(
    db_path: Path, dest: Path, passphrase: str, progress: ProgressFn | None
) -> Path:
    """A consistent copy (online backup API) encrypted with age; the plain copy, written
    next to it with 0600, is removed whatever happens."""
    import pyrage

    check_passphrase(passphrase)
    plain = dest.with_name(f".{dest.name}.{os.getpid()}.plain")
    partial = dest.with_name(dest.name + ".partial")
    try:
        copy_database(db_path, plain, progress)
        sealed = pyrage.passphrase.encrypt(plain.read_bytes(), passphrase)
        private_file(partial)
        with partial.open("wb") as fh:
            fh.write(sealed)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, dest)
        _fsync_dir(dest.parent)
        if dest.read_bytes() != sealed:
            raise StorageError(f"Bản sao lưu {dest.name} đọc lại khác với dữ liệu đã ghi.")
    except OSError as exc:
        raise _storage_error(exc, dest) from exc
    finally:
        _remove_quietly(plain)
        _remove_quietly(partial)
    return dest


@contextlib.contextmanager
def opened_backup(path: Path, passphrase: str | None, work_dir: Path) -> Iterator[Path]:
    """The backup as a plain SQLite file: itself, or (encrypted) a private temporary
    decrypted copy in ``work_dir``, removed afterwards."""
    if not is_encrypted(path):
        yield path
        return
    import pyrage

    if not passphrase:
        raise WrongPassphrase(
            f"Bản sao lưu {path.name} đã được mã hóa: cần nhập mật khẩu của bản sao lưu."
        )
    try:
        plain_bytes = pyrage.passphrase.decrypt(path.read_bytes(), passphrase)
    except pyrage.DecryptError:
        raise WrongPassphrase(
            f"Sai mật khẩu của bản sao lưu {path.name} (hoặc tệp bị hỏng). Không có gì bị thay đổi."
        ) from None
    except OSError as exc:
        raise DatabaseError(f"Không đọc được tệp sao lưu {path}: {exc.strerror}.") from exc
    private_dir(work_dir)
    plain = work_dir / f".giai-ma-{timestamp()}{SUFFIX}"
    try:
        private_file(plain)
        plain.write_bytes(plain_bytes)
        del plain_bytes
        yield plain
    finally:
        _remove_quietly(plain)


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
    found = [*folder.glob(f"*{SUFFIX}"), *folder.glob(f"*{SUFFIX}{ENCRYPTED_SUFFIX}")]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def inspect_backup(
    path: Path, passphrase: str | None = None, work_dir: Path | None = None
) -> BackupInfo:
    """Read what a backup holds without writing to it. Refuses foreign or newer files.

    An encrypted backup needs its ``passphrase`` (decrypted into ``work_dir``, by
    default the backup's folder, and removed at once).
    """
    if not path.is_file():
        raise DatabaseError(f"Không tìm thấy tệp sao lưu {path}.")
    if is_encrypted(path):
        with opened_backup(path, passphrase, work_dir or path.parent) as plain:
            info = _inspect_plain(plain)
        stat = path.stat()
        return dataclasses.replace(
            info,
            path=path,
            size_bytes=stat.st_size,
            modified=dt.datetime.fromtimestamp(stat.st_mtime),
        )
    return _inspect_plain(path)


def _inspect_plain(path: Path) -> BackupInfo:
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
    db_path: Path,
    backup_path: Path,
    progress: ProgressFn | None = None,
    passphrase: str | None = None,
) -> Path | None:
    """Replace the database at ``db_path`` with the backup's content.

    The caller must have closed its own connections. Returns the safety backup
    taken of the current database (``None`` when there was none). An encrypted
    backup is decrypted first (a wrong ``passphrase`` changes nothing).
    """
    with opened_backup(backup_path, passphrase, db_path.parent) as plain:
        return _restore_plain(db_path, plain, progress)


def _restore_plain(db_path: Path, backup_path: Path, progress: ProgressFn | None) -> Path | None:
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
    "WrongPassphrase",
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
