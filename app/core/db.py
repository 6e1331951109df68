"""Opening the commune database: engine, pragmas, SQL functions, migrations, units of work.

:class:`Database` is the one handle the services take. It owns the engine and
hands out short sessions (``with db.session() as s: …``) that commit on success
and roll back on any error, so a failed save leaves the file as it was.

Opening a file is careful: it must be SQLite, must carry a schema revision this
release knows (a database from a newer release is refused before anything is
written), and an older schema is backed up before it is migrated.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

from app.core import text as vntext
from app.core.audit import log as _audit_log  # noqa: F401  (registers the audit hooks)
from app.core.dbfile import KNOWN_REVISIONS as KNOWN_REVISIONS  # re-exported
from app.core.dbfile import SCHEMA_HEAD as SCHEMA_HEAD  # re-exported
from app.core.dbfile import check_revision_known, read_schema_revision
from app.core.errors import DatabaseError, StorageError, ValidationError
from app.core.models import SYNCABLE_MODELS, LocalState, Setting, SyncMixin
from app.core.models.base import new_uuid, utcnow


def register_functions(dbapi_conn: sqlite3.Connection) -> None:
    """Make the text module's folding and sort key callable from SQL."""
    dbapi_conn.create_function("vn_fold", 1, vntext.fold, deterministic=True)
    dbapi_conn.create_function("vn_sort_key", 1, vntext.sort_key, deterministic=True)
    dbapi_conn.create_function("vn_sort_key_plain", 1, vntext.sort_key_plain, deterministic=True)


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    register_functions(dbapi_conn)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(path: Path) -> Engine:
    # URL.create, not an f-string URL: a folder named "100%" or "Sao lưu #2" must
    # not be read as URL syntax (it opened another file, or none).
    engine = create_engine(URL.create("sqlite", database=str(path)), future=True)
    event.listen(engine, "connect", _on_connect)
    return engine


def run_migrations(engine: Engine) -> None:
    """Upgrade the schema to head with Alembic (foreign keys off while it runs)."""
    from alembic import command
    from alembic.config import Config

    from app import paths

    cfg = Config()
    cfg.set_main_option("script_location", str(paths.migrations_dir()))
    if engine.dialect.name != "sqlite":
        # PostgreSQL (the province hub): DDL is transactional there too; one
        # transaction for the whole upgrade.
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        return
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside a transaction, or a no-op
        # Python's sqlite3 opens no transaction before DDL, so every CREATE/ALTER would
        # commit on its own and a failure half-way would leave a half-migrated file.
        # An explicit BEGIN makes the whole upgrade one transaction (SQLite DDL is
        # transactional); the context manager commits or rolls it back.
        conn.exec_driver_sql("BEGIN")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")


class Database:
    """The open commune database. Create with :func:`open_database`."""

    def __init__(self, path: Path, engine: Engine, data_dir: Path | None = None) -> None:
        self.path = path
        self.engine = engine
        self._data_dir = data_dir if data_dir is not None else path.parent
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._commune_code: str | None = None
        # Who works on this database (written into the audit trail) and with which
        # role (None: no account signed in — a database without accounts, where
        # everything is allowed as before). Set by app.core.accounts.service.sign_in.
        self.actor: str = default_actor()
        self.role: str | None = None

    @property
    def data_dir(self) -> Path:
        """The data folder: keys, held bundles and backups live there, whatever the engine."""
        return self._data_dir

    @property
    def is_sqlite(self) -> bool:
        """False for a province hub on PostgreSQL (no file to back up or copy)."""
        return self.engine.dialect.name == "sqlite"

    @property
    def commune_code(self) -> str:
        if self._commune_code is None:
            self._commune_code = _read_commune_code(self.engine)
        return self._commune_code

    def forget_cached_settings(self) -> None:
        self._commune_code = None

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any exception."""
        session = self._sessions()
        try:
            # The property, not the cache: the cache is empty after opening and after
            # set_commune, and rows created then were stamped with an empty commune code.
            session.info["commune_code"] = self.commune_code
            session.info["db"] = self
            session.info["actor"] = self.actor
            session.info["role"] = self.role
            yield session
            session.commit()
        except sqlite3.OperationalError as exc:  # pragma: no cover - mapped below
            session.rollback()
            raise _storage_error(exc) from exc
        except Exception as exc:
            session.rollback()
            mapped = _map_sqlalchemy_error(exc)
            if mapped is not None:
                raise mapped from exc
            raise
        finally:
            session.close()

    @contextlib.contextmanager
    def connect(self) -> Iterator[Connection]:
        """A Core connection in a transaction, for bulk work (demo, import, lists)."""
        try:
            with self.engine.begin() as conn:
                conn.info["actor"] = self.actor
                yield conn
        except Exception as exc:
            mapped = _map_sqlalchemy_error(exc)
            if mapped is not None:
                raise mapped from exc
            raise

    def installation_id(self) -> str:
        with self.session() as s:
            state = s.get(LocalState, 1)
            assert state is not None
            return state.installation_id

    def close(self) -> None:
        self.engine.dispose()


def default_actor() -> str:
    """Who writes when no account is signed in: $KHUYENHOC_USER, else the OS user."""
    import getpass
    import os

    named = os.environ.get("KHUYENHOC_USER", "").strip()
    if named:
        return named
    try:
        return f"máy: {getpass.getuser()}"
    except Exception:  # no user name in the environment (a service account)
        return "máy"


def _read_commune_code(engine: Engine) -> str:
    """The commune code from the settings, read with Core (no session: sessions need it)."""
    from app.core.settings import COMMUNE_KEY

    with engine.connect() as conn:
        raw = conn.execute(select(Setting.value).where(Setting.key == COMMUNE_KEY)).scalar()
    if not raw:
        return ""
    return str(json.loads(raw).get("code") or "")


def _storage_error(exc: BaseException) -> StorageError | DatabaseError:
    message = str(exc).lower()
    if "disk is full" in message or "database or disk is full" in message:
        return StorageError("Ổ đĩa đã đầy: không lưu được. Dữ liệu vẫn giữ nguyên như trước.")
    if "readonly" in message or "read-only" in message:
        return StorageError(
            "Thư mục dữ liệu chỉ cho phép đọc: không lưu được. Dữ liệu vẫn giữ nguyên như trước."
        )
    if "unable to open" in message:
        # SQLite's words for a folder it may not write its -wal/-shm files into
        # (read-only folder or USB stick, no permission); it was shown in English.
        return StorageError(
            "Không mở được cơ sở dữ liệu để ghi: thư mục dữ liệu chỉ cho phép đọc hoặc "
            "không có quyền ghi. Hãy chép dữ liệu sang thư mục khác. Dữ liệu không bị thay đổi."
        )
    if "locked" in message or "busy" in message:
        return DatabaseError(
            "Cơ sở dữ liệu đang bận (một chương trình khác đang ghi). Hãy thử lại."
        )
    if "malformed" in message or "not a database" in message:
        return DatabaseError("Cơ sở dữ liệu bị hỏng. Hãy khôi phục từ một bản sao lưu.")
    return DatabaseError(f"Lỗi cơ sở dữ liệu: {exc}")


def _map_sqlalchemy_error(exc: BaseException) -> Exception | None:
    from sqlalchemy.exc import DatabaseError as SADatabaseError
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm.exc import StaleDataError

    if isinstance(exc, StaleDataError):
        # The revision check at flush: someone saved the row after we read it.
        # (It escaped as a bare SQLAlchemy error, i.e. a traceback.)
        return ValidationError("Bản ghi này vừa được sửa ở nơi khác. Hãy mở lại và sửa lần nữa.")
    if isinstance(exc, SADatabaseError) and type(exc.orig).__module__.startswith("psycopg"):
        # PostgreSQL (the hub): the server went away, refused us, or is full.
        if isinstance(exc, OperationalError):
            return DatabaseError(f"Không làm việc được với máy chủ PostgreSQL: {exc.orig}")
        return None
    if isinstance(exc, OperationalError) or (
        isinstance(exc, SADatabaseError) and isinstance(exc.orig, sqlite3.DatabaseError)
    ):
        orig = exc.orig if isinstance(exc, SADatabaseError) else exc
        if isinstance(orig, sqlite3.IntegrityError):
            return None
        return _storage_error(orig or exc)
    if isinstance(exc, OSError) and exc.errno == 28:  # ENOSPC
        return StorageError("Ổ đĩa đã đầy: không lưu được. Dữ liệu vẫn giữ nguyên như trước.")
    return None


# --- change counter -----------------------------------------------------------------


def reserve_change_seqs(conn: Connection, count: int) -> int:
    """Reserve ``count`` consecutive change-counter values; returns the first.

    The counter lives in ``local_state`` and only ever grows, whatever the clock
    says. Bulk writers (demo, import) call this; ORM flushes get values from the
    ``before_flush`` hook below.
    """
    if count <= 0:
        return 0
    result = conn.execute(
        update(LocalState)
        .where(LocalState.id == 1)
        .values(change_counter=LocalState.change_counter + count)
        .returning(LocalState.change_counter)
    ).scalar_one()
    return int(result) - count + 1


@event.listens_for(Session, "before_flush")
def _stamp_changes(session: Session, _ctx: Any, _instances: Any) -> None:
    """Stamp every new, changed or deleted syncable row with a fresh change number."""
    touched: list[SyncMixin] = [obj for obj in session.new if isinstance(obj, SYNCABLE_MODELS)]
    touched += [
        obj
        for obj in session.dirty
        if isinstance(obj, SYNCABLE_MODELS) and session.is_modified(obj, include_collections=False)
    ]
    if not touched:
        return
    first = reserve_change_seqs(session.connection(), len(touched))
    now = utcnow()
    commune = session.info.get("commune_code") or ""
    for offset, obj in enumerate(touched):
        obj.change_seq = first + offset
        obj.updated_at = now
        if obj.id is None:
            obj.created_at = obj.created_at or now
            if not obj.uuid:
                obj.uuid = new_uuid()
            if not obj.commune_code:
                obj.commune_code = commune


# --- opening ------------------------------------------------------------------------


def _ensure_local_state(engine: Engine) -> None:
    with engine.begin() as conn:
        exists = conn.execute(select(LocalState.id).where(LocalState.id == 1)).first()
        if not exists:
            conn.execute(
                insert(LocalState).values(id=1, installation_id=new_uuid(), change_counter=0)
            )


def open_database(path: Path, *, create: bool = False, migrate: bool = True) -> Database:
    """Open (or with ``create``, make) the database at ``path``.

    Raises :class:`DatabaseError` for a missing, corrupt, foreign or newer file.
    """
    existed = path.exists() and path.stat().st_size > 0
    if not existed and not create:
        raise DatabaseError(
            f"Chưa có dữ liệu ở {path.parent}. Hãy khởi tạo xã (lệnh init) hoặc mở xã mẫu (lệnh demo)."
        )
    revision = read_schema_revision(path) if existed else None
    check_revision_known(revision, path)
    if existed and revision is None:
        raise DatabaseError(f"Tệp {path.name} không phải là cơ sở dữ liệu của Sổ Khuyến Học.")
    from app.core.backup import private_dir, private_file, tighten

    try:
        # Personal data: the folder (when new) and the file are the owner's alone.
        private_dir(path.parent)
        if existed:
            tighten(path)
        else:
            private_file(path)
    except OSError as exc:
        raise StorageError(
            f"Không tạo được thư mục dữ liệu {path.parent}: {exc.strerror}."
        ) from exc
    engine = make_engine(path)
    try:
        if revision != SCHEMA_HEAD:
            if not migrate:
                raise DatabaseError("Cơ sở dữ liệu cần được nâng cấp lược đồ trước khi dùng.")
            saved: Path | None = None
            if existed:
                from app.core import backup

                saved = backup.backup_before_migration(path, revision or "none")
            try:
                run_migrations(engine)
            except Exception as exc:
                storage = _map_sqlalchemy_error(exc)
                if isinstance(storage, StorageError):
                    raise storage from exc
                # A failed upgrade is rolled back whole (see run_migrations); say so in
                # Vietnamese, and where the copy taken just before it is.
                kept = f" Bản sao lưu trước khi nâng cấp: {saved}." if saved else ""
                raise DatabaseError(
                    f"Không nâng cấp được cơ sở dữ liệu {path.name} ({exc}). "
                    f"Dữ liệu vẫn giữ nguyên như trước.{kept}"
                ) from exc
        _ensure_local_state(engine)
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM sqlite_master")).scalar()
    except Exception as exc:
        engine.dispose()
        mapped = _map_sqlalchemy_error(exc)
        if mapped is not None:
            raise mapped from exc
        raise
    return Database(path, engine)


def open_database_read_only(path: Path) -> Database:
    """Open the database for reading only, writing nothing beside it either.

    For a data folder on a read-only stick or share: search, lists, exports and a
    dry-run import only read, and used to be refused because opening wanted to
    write (-wal/-shm files, the journal mode, the local state row). The schema must
    be current: an older one would need a migration, which writes.
    """
    from app.core.dbfile import connect_readonly

    if not (path.exists() and path.stat().st_size > 0):
        raise DatabaseError(
            f"Chưa có dữ liệu ở {path.parent}. Hãy khởi tạo xã (lệnh init) hoặc mở xã mẫu (lệnh demo)."
        )
    revision = read_schema_revision(path)
    check_revision_known(revision, path)
    if revision is None:
        raise DatabaseError(f"Tệp {path.name} không phải là cơ sở dữ liệu của Sổ Khuyến Học.")
    if revision != SCHEMA_HEAD:
        raise StorageError(
            f"Dữ liệu ở {path.parent} cần được nâng cấp lược đồ, nhưng thư mục chỉ cho phép "
            "đọc. Hãy chép dữ liệu sang một thư mục ghi được rồi mở lại."
        )

    def _on_read_only_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        register_functions(dbapi_conn)
        dbapi_conn.execute("PRAGMA busy_timeout=5000")

    engine = create_engine("sqlite://", creator=lambda: connect_readonly(path), future=True)
    event.listen(engine, "connect", _on_read_only_connect)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM sqlite_master")).scalar()
    except Exception as exc:
        engine.dispose()
        mapped = _map_sqlalchemy_error(exc)
        if mapped is not None:
            raise mapped from exc
        raise
    return Database(path, engine)


# --- server databases (the province hub) ----------------------------------------------


def open_server_database(url: str, data_dir: Path) -> Database:
    """Open (creating or upgrading the schema) a PostgreSQL database for the upper level.

    Only the province hub uses this: keys and held bundles stay in ``data_dir``, the
    records in the server. The same Alembic chain runs on both engines.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"Địa chỉ cơ sở dữ liệu không hợp lệ: {url}") from None
    if parsed.get_backend_name() != "postgresql":
        raise DatabaseError(
            "Chỉ hỗ trợ PostgreSQL ngoài SQLite (postgresql+psycopg://người_dùng@máy/tên_csdl)."
        )
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = create_engine(parsed, future=True, pool_pre_ping=True, pool_size=8)
    try:
        with engine.connect() as conn:
            revision = (
                conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                if _has_table(conn, "alembic_version")
                else None
            )
        check_revision_known(revision, Path(parsed.database or "postgresql"))
        if revision != SCHEMA_HEAD:
            run_migrations(engine)
        _ensure_local_state(engine)
    except DatabaseError:
        engine.dispose()
        raise
    except SQLAlchemyError as exc:
        engine.dispose()
        raise DatabaseError(
            f"Không mở được cơ sở dữ liệu PostgreSQL ({exc.__class__.__name__}: "
            f"{getattr(exc, 'orig', exc)})."
        ) from exc
    return Database(data_dir / SERVER_DATABASE_FILE, engine, data_dir=data_dir)


def _has_table(conn: Connection, name: str) -> bool:
    from sqlalchemy import inspect

    return bool(inspect(conn).has_table(name))


SERVER_DATABASE_FILE = "database-url.txt"
