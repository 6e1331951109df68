"""The database *file*, checked with the standard library alone (no SQLAlchemy).

Before anything opens a database it must be SQLite, whole, and carry a schema
revision this release knows. These checks — and the quick read-only reports that
need nothing more (``khuyenhoc stats``) — live here so they cost no SQLAlchemy
import (≈0.3 s of a command's start).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from app.core.errors import DatabaseError, reason_of

# Every Alembic revision this release knows, oldest first. A test checks this
# against migrations/versions so the window can check the schema at start-up
# without importing Alembic (which costs ~0.2 s).
KNOWN_REVISIONS: tuple[str, ...] = (
    "0001_initial",
    "0002_yearly_cycle",
    "0003_sync",
    "0004_fund",
    "0005_outbox",
    "0006_activities",
    "0007_proposals",
    "0008_household_circumstance",
    "0009_school_grade",
    "0010_person_unit",
    "0011_hub_chains",
    "0012_accounts_audit",
    "0013_decision_issuer",
)
SCHEMA_HEAD = KNOWN_REVISIONS[-1]
SQLITE_MAGIC = b"SQLite format 3\x00"


def sqlite_uri(path: Path, **params: str) -> str:
    """A ``file:`` URI for ``sqlite3.connect(uri=True)`` with the path percent-encoded.

    "file:{path}?mode=ro" broke on folder names holding "#", "?" or "%": the rest
    was read as URI syntax, "mode=ro" was lost and an empty database was created
    and backed up instead of the real one.
    """
    # Not Path.as_uri(): "file://server/share" (a Windows network folder) names a URI
    # authority, which SQLite refuses; "file:" + the quoted path keeps it a path.
    uri = "file:" + quote(str(path.absolute()), safe="/\\:")
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{uri}?{query}" if query else uri


def connect_readonly(path: Path) -> sqlite3.Connection:
    """Open a database file for reading without writing anything, beside it either.

    A read-only connection to a WAL database leaves ``-wal``/``-shm`` files behind
    (a refused file, a backup on a USB stick). With no ``-wal`` file present no one
    has the file open for writing, so it is opened ``immutable`` and SQLite creates
    nothing; otherwise it is opened read-only in the ordinary way.
    """
    if Path(f"{path}-wal").exists():
        return sqlite3.connect(sqlite_uri(path, mode="ro"), uri=True)
    return sqlite3.connect(sqlite_uri(path, mode="ro", immutable="1"), uri=True)


def _expected_size(header: bytes) -> int | None:
    """The file size the SQLite header promises, when the header vouches for it."""
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count is trusted only when "version-valid-for" equals the change counter.
    if pages and header[92:96] == header[24:28]:
        return page_size * pages
    return None


def check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database, or was cut short, with a clear message."""
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
        size = path.stat().st_size
    except OSError as exc:
        raise DatabaseError(f"Không đọc được tệp dữ liệu {path}: {reason_of(exc)}.") from exc
    if header[: len(SQLITE_MAGIC)] != SQLITE_MAGIC:
        raise DatabaseError(
            f"Tệp {path.name} không phải là cơ sở dữ liệu của Sổ Khuyến Học (không phải SQLite)."
        )
    # A copy interrupted half-way (USB stick pulled, disk full) is shorter than its
    # header says; SQLite may still open it and fail later on the missing pages.
    # With a -wal or hot -journal file beside it the main file may legitimately
    # differ until SQLite replays or rolls back: then SQLite decides.
    expected = _expected_size(header) if len(header) == 100 else None
    pending = any(Path(f"{path}{suffix}").exists() for suffix in ("-wal", "-journal"))
    if len(header) < 100 or (expected is not None and size < expected and not pending):
        raise DatabaseError(
            f"Tệp {path.name} bị cắt cụt (thiếu phần cuối tệp), có thể do chép chưa xong. "
            "Hãy chép lại tệp, hoặc khôi phục từ một bản sao lưu khác."
        )


def read_schema_revision(path: Path) -> str | None:
    """The Alembic revision stored in the file, read without writing anything."""
    check_sqlite_file(path)
    try:
        conn = connect_readonly(path)
    except sqlite3.Error as exc:
        raise DatabaseError(f"Không mở được cơ sở dữ liệu {path.name}: {reason_of(exc)}.") from exc
    try:
        has_table = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).fetchone()
        if not has_table:
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return str(row[0]) if row else None
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(
            f"Tệp {path.name} bị hỏng hoặc không phải cơ sở dữ liệu hợp lệ."
        ) from exc
    finally:
        conn.close()


def check_revision_known(revision: str | None, path: Path) -> None:
    if revision is not None and revision not in KNOWN_REVISIONS:
        raise DatabaseError(
            f"Cơ sở dữ liệu {path.name} được tạo bởi phiên bản mới hơn của Sổ Khuyến Học "
            f"(lược đồ {revision}). Hãy cập nhật phần mềm; dữ liệu không bị thay đổi."
        )
