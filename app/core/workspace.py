"""A data folder in use: its database, opened once, guarded against a second window.

The lock is an OS-level file lock (released by the OS if the program dies), so a
second window on the same folder is told so instead of writing beside the first.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import paths
from app.core import settings
from app.core.communes import CommuneEntry, find_commune
from app.core.db import SERVER_DATABASE_FILE, Database, open_database, open_server_database
from app.core.errors import DatabaseError, StorageError, UserError, reason_of


@dataclass
class Workspace:
    data_dir: Path
    db: Database
    _lock: object | None = None
    read_only: bool = False  # opened from a folder that cannot be written: only reads

    def __post_init__(self) -> None:
        """Opened or created (migrations done): put the shipped criteria sets in place."""
        from app.core.assessment.sets import install_builtin_sets

        if self.read_only:
            return
        try:
            install_builtin_sets(self.db)
        except BaseException:
            self.close()
            raise
        self.remove_stale_partials()

    def remove_stale_partials(self) -> None:
        """Backups a killed program left half-written (``*.partial``) go at every start."""
        from app.core import backup

        folders = {paths.backups_dir(self.data_dir)}
        configured = settings.get_value(self.db, settings.BACKUP_DIR_KEY)
        if configured:
            folders.add(Path(str(configured)))
        for folder in folders:
            backup.remove_stale_partials(folder)
        if self._lock is not None and self.db.is_sqlite:
            # A replacement (demo/init --replace) killed before its swap; only the
            # holder of the folder's lock may decide no one is building it.
            with contextlib.suppress(OSError):
                remove_database_files(replacement_path(self.db.path))

    def close(self) -> None:
        self.db.close()
        if self._lock is not None:
            self._lock.release()  # type: ignore[attr-defined]
            self._lock = None


def check_writable(data_dir: Path) -> None:
    """The data folder must exist (or be creatable) and accept writes."""
    try:
        from app.core.backup import private_dir

        private_dir(data_dir)
        fd, probe = tempfile.mkstemp(prefix=".write-test-", dir=data_dir)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise StorageError(
            f"Không ghi được vào thư mục dữ liệu {data_dir} ({reason_of(exc)}). "
            "Hãy chọn thư mục khác bằng --data-dir hoặc kiểm tra quyền ghi."
        ) from exc


def acquire_lock(data_dir: Path) -> object:
    from filelock import FileLock, Timeout

    lock = FileLock(str(data_dir / paths.LOCK_FILENAME), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise DatabaseError(
            f"Dữ liệu ở {data_dir} đang được mở bởi một cửa sổ Sổ Khuyến Học khác. "
            "Hãy dùng cửa sổ đang mở, hoặc đóng nó trước."
        ) from None
    except OSError as exc:
        # The lock file cannot be created (read-only folder or stick): this used to
        # escape as a bare OSError, i.e. a traceback instead of a message.
        raise StorageError(
            f"Không ghi được vào thư mục dữ liệu {data_dir} ({reason_of(exc)}). "
            "Hãy chọn thư mục khác bằng --data-dir hoặc kiểm tra quyền ghi."
        ) from exc
    return lock


def has_database(data_dir: Path) -> bool:
    if server_database_url(data_dir):
        return True
    db_path = paths.database_path(data_dir)
    return db_path.exists() and db_path.stat().st_size > 0


def server_database_url(data_dir: Path) -> str:
    """The PostgreSQL address a province hub's data folder points at ("" for SQLite)."""
    try:
        return (data_dir / SERVER_DATABASE_FILE).read_text("utf-8").strip()
    except FileNotFoundError:
        return ""
    except OSError as exc:
        raise StorageError(f"Không đọc được {SERVER_DATABASE_FILE}: {reason_of(exc)}.") from exc


def remember_server_database(data_dir: Path, url: str) -> None:
    """Record that this data folder's database is on a PostgreSQL server.

    The address may hold a password, so the file is readable by its owner only.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / SERVER_DATABASE_FILE
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(url.strip() + "\n")


def open_workspace_read_only(data_dir: Path) -> Workspace:
    """The data folder's database for reading only (see :func:`open_database_read_only`)."""
    from app.core.db import open_database_read_only

    return Workspace(data_dir, open_database_read_only(paths.database_path(data_dir)), None, True)


def open_workspace_for_reading(data_dir: Path) -> Workspace:
    """Open for a command that only reads: as usual, or read-only when the folder (a
    locked stick, a read-only share) refuses the writes an ordinary opening makes."""
    try:
        return open_workspace(data_dir)
    except StorageError as err:
        if server_database_url(data_dir):
            raise
        try:
            return open_workspace_read_only(data_dir)
        except UserError:
            raise err from None


def open_workspace(data_dir: Path, *, create: bool = False, lock: bool = False) -> Workspace:
    """Open the data folder's database. ``lock`` for a window or a writing command."""
    if create:
        check_writable(data_dir)
    held = acquire_lock(data_dir) if lock and data_dir.exists() else None
    try:
        url = server_database_url(data_dir)
        if url:
            db = open_server_database(url, data_dir)
        else:
            db = open_database(paths.database_path(data_dir), create=create)
    except BaseException:
        if held is not None:
            held.release()  # type: ignore[attr-defined]
        raise
    return Workspace(data_dir, db, held)


def default_association_name(commune_name: str) -> str:
    """ "Hội Khuyến học xã Khoái Châu": the division word is lower case mid-sentence."""
    first, _, rest = commune_name.partition(" ")
    if first in ("Xã", "Phường") and rest:
        return f"Hội Khuyến học {first.lower()} {rest}"
    if commune_name.startswith("Đặc khu "):
        return f"Hội Khuyến học đặc khu {commune_name[len('Đặc khu ') :]}"
    return f"Hội Khuyến học {commune_name}"


SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
REPLACEMENT_SUFFIX = ".moi"  # "khuyenhoc.sqlite3.moi": a replacement being built


def replacement_path(db_path: Path) -> Path:
    """Where a replacement database is built, beside the one it replaces."""
    return db_path.with_name(db_path.name + REPLACEMENT_SUFFIX)


def remove_database_files(db_path: Path) -> None:
    """The file and its SQLite side files (-wal, -shm, -journal)."""
    for suffix in ("", *SQLITE_SIDE_FILES):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


def _settle(db_path: Path) -> None:
    """Leave the database as one complete file: WAL checkpointed, no side files."""
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()
    with open(db_path, "rb+") as fh:
        os.fsync(fh.fileno())


def _swap_in(new_path: Path, db_path: Path) -> None:
    """Put the complete ``new_path`` in place of ``db_path`` (a rename, never a copy).

    The old database is checkpointed first so no -wal of it can be replayed onto
    the new file; until the rename the old file is whole and in place.
    """
    _settle(new_path)
    _settle(db_path)
    for suffix in SQLITE_SIDE_FILES:
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    os.replace(new_path, db_path)
    with contextlib.suppress(OSError):  # not possible on Windows; harmless
        fd = os.open(db_path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _build_commune(
    path: Path,
    entry: CommuneEntry,
    info_fields: dict[str, Any],
    fill: Callable[[Database], None] | None,
) -> Database:
    """A new commune database at ``path``, filled; on any failure nothing is left there."""
    try:
        db = open_database(path, create=True)
    except BaseException:
        with contextlib.suppress(OSError):
            remove_database_files(path)
        raise
    try:
        settings.set_commune(
            db,
            settings.CommuneInfo(
                code=entry.code,
                name=entry.name,
                province_code=entry.province_code,
                province_name=entry.province_name,
                **info_fields,
            ),
        )
        if fill is not None:
            fill(db)
    except BaseException:
        db.close()
        with contextlib.suppress(OSError):
            remove_database_files(path)
        raise
    return db


def init_commune(
    data_dir: Path,
    commune_code: str,
    *,
    association_name: str = "",
    chairman_name: str = "",
    secretary_name: str = "",
    is_demo: bool = False,
    replace: bool = False,
    lock: bool = True,
    fill: Callable[[Database], None] | None = None,
) -> Workspace:
    """Create the database for a commune given its official code.

    Refuses to overwrite an existing database unless ``replace``. Then the old file
    is backed up first and the new one is built *beside* it (``fill`` runs on it,
    e.g. the demo's rows) and renamed into place only when complete: a full disk,
    a cancel or an error half-way leave the old database exactly as it was.
    Without ``replace``, a failure removes the half-made new database.
    """
    entry = find_commune(commune_code)
    info_fields: dict[str, Any] = {
        "association_name": association_name or default_association_name(entry.name),
        "chairman_name": chairman_name,
        "secretary_name": secretary_name,
        "is_demo": is_demo,
    }
    check_writable(data_dir)
    db_path = paths.database_path(data_dir)
    held = acquire_lock(data_dir) if lock else None
    try:
        replacing = has_database(data_dir)
        if replacing:
            if not replace:
                raise DatabaseError(
                    f"Thư mục {data_dir} đã có dữ liệu. Dùng thư mục khác, hoặc --replace "
                    "(dữ liệu cũ sẽ được sao lưu trước)."
                )
            if server_database_url(data_dir):
                raise DatabaseError(
                    f"Dữ liệu ở {data_dir} nằm trên máy chủ PostgreSQL: không thay được "
                    "bằng dữ liệu của một xã."
                )
            from app.core import backup

            backup.make_backup(db_path, prefix="truoc-tao-moi-")
        target = replacement_path(db_path) if replacing else db_path
        remove_database_files(replacement_path(db_path))  # a replacement killed earlier
        db = _build_commune(target, entry, info_fields, fill)
        if replacing:
            db.close()
            try:
                _swap_in(target, db_path)
            except (OSError, sqlite3.Error) as exc:
                with contextlib.suppress(OSError):
                    remove_database_files(target)
                full = getattr(exc, "errno", None) == errno.ENOSPC or "full" in str(exc)
                reason = "ổ đĩa đã đầy" if full else "không ghi được vào thư mục dữ liệu"
                raise StorageError(
                    f"Không thay được dữ liệu ở {data_dir}: {reason}. "
                    "Dữ liệu vẫn giữ nguyên như trước."
                ) from exc
            db = open_database(db_path)
    except BaseException:
        if held is not None:
            held.release()  # type: ignore[attr-defined]
        raise
    return Workspace(data_dir, db, held)
