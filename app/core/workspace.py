"""A data folder in use: its database, opened once, guarded against a second window.

The lock is an OS-level file lock (released by the OS if the program dies), so a
second window on the same folder is told so instead of writing beside the first.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app import paths
from app.core import settings
from app.core.communes import find_commune
from app.core.db import SERVER_DATABASE_FILE, Database, open_database, open_server_database
from app.core.errors import DatabaseError, StorageError


@dataclass
class Workspace:
    data_dir: Path
    db: Database
    _lock: object | None = None

    def __post_init__(self) -> None:
        """Opened or created (migrations done): put the shipped criteria sets in place."""
        from app.core.assessment.sets import install_builtin_sets

        try:
            install_builtin_sets(self.db)
        except BaseException:
            self.close()
            raise

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
            f"Không ghi được vào thư mục dữ liệu {data_dir} ({exc.strerror}). "
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
            f"Không ghi được vào thư mục dữ liệu {data_dir} ({exc.strerror}). "
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
        raise StorageError(f"Không đọc được {SERVER_DATABASE_FILE}: {exc.strerror}.") from exc


def remember_server_database(data_dir: Path, url: str) -> None:
    """Record that this data folder's database is on a PostgreSQL server.

    The address may hold a password, so the file is readable by its owner only.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / SERVER_DATABASE_FILE
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(url.strip() + "\n")


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
) -> Workspace:
    """Create the database for a commune given its official code.

    Refuses to overwrite an existing database unless ``replace`` (then the old file
    is backed up first).
    """
    entry = find_commune(commune_code)
    check_writable(data_dir)
    db_path = paths.database_path(data_dir)
    held = acquire_lock(data_dir) if lock else None
    try:
        if has_database(data_dir):
            if not replace:
                raise DatabaseError(
                    f"Thư mục {data_dir} đã có dữ liệu. Dùng thư mục khác, hoặc --replace "
                    "(dữ liệu cũ sẽ được sao lưu trước)."
                )
            from app.core import backup

            backup.make_backup(db_path, prefix="truoc-tao-moi-")
            for suffix in ("", "-wal", "-shm"):
                Path(str(db_path) + suffix).unlink(missing_ok=True)
        db = open_database(db_path, create=True)
        settings.set_commune(
            db,
            settings.CommuneInfo(
                code=entry.code,
                name=entry.name,
                province_code=entry.province_code,
                province_name=entry.province_name,
                association_name=association_name or default_association_name(entry.name),
                chairman_name=chairman_name,
                secretary_name=secretary_name,
                is_demo=is_demo,
            ),
        )
    except BaseException:
        if held is not None:
            held.release()  # type: ignore[attr-defined]
        raise
    return Workspace(data_dir, db, held)
