"""Schema migrations: the models and the migrations agree, and opening a file is careful.

An older schema is backed up before it is migrated (and a failed migration
changes nothing); a newer or foreign schema is refused without writing a byte.
To have an "older" schema with a single real revision, a test adds a second
revision in a copy of the migrations folder and points the app at it.
"""

from __future__ import annotations

import shutil
import sqlite3
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from app import paths
from app.core import db as dbmod
from app.core.backup import MIGRATION_PREFIX
from app.core.db import KNOWN_REVISIONS, SCHEMA_HEAD, make_engine, open_database, run_migrations
from app.core.errors import DatabaseError, StorageError
from app.core.models import Base
from app.core.registry import hamlets
from app.core.workspace import init_commune

Digest = Callable[[Path], str]


def alembic_config(url: str | None = None, script_location: Path | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location or paths.migrations_dir()))
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def stored_revision(path: Path) -> str | None:
    conn = sqlite3.connect(path)
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        conn.close()
    return row[0] if row else None


def set_revision(path: Path, revision: str) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
        conn.commit()
    finally:
        conn.close()


@pytest.fixture
def upgraded(tmp_path: Path) -> Iterator[Path]:
    """An empty database upgraded to head by the app's own migration runner."""
    path = tmp_path / "moi.sqlite3"
    engine = make_engine(path)
    try:
        run_migrations(engine)
    finally:
        engine.dispose()
    yield path


@pytest.fixture
def commune_file(tmp_path: Path) -> Path:
    """A closed commune database at the current head with one hamlet in it."""
    ws = init_commune(tmp_path / "xa", "4", lock=False)
    hamlets.create_hamlet(ws.db, hamlets.HamletInput("Thôn Cũ"))
    ws.close()
    return paths.database_path(tmp_path / "xa")


# --- the schema -------------------------------------------------------------------


def test_upgrading_an_empty_database_gives_exactly_the_models(upgraded: Path) -> None:
    engine = create_engine(f"sqlite:///{upgraded}")
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": True}
            )
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == []
    assert stored_revision(upgraded) == SCHEMA_HEAD


def test_alembic_check_reports_no_pending_changes(upgraded: Path) -> None:
    command.check(alembic_config(f"sqlite:///{upgraded}"))  # raises when the models differ


def test_the_schema_has_every_model_table_and_the_partial_unique_indexes(upgraded: Path) -> None:
    engine = create_engine(f"sqlite:///{upgraded}")
    try:
        insp = inspect(engine)
        assert set(insp.get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}
        person_indexes = {i["name"]: i for i in insp.get_indexes("person")}
        member_indexes = {i["name"]: i for i in insp.get_indexes("member")}
    finally:
        engine.dispose()
    assert person_indexes["ux_person_id_number_live"]["unique"]
    assert member_indexes["ux_member_card_live"]["unique"]


def test_downgrade_to_nothing_and_upgrade_again(upgraded: Path) -> None:
    cfg = alembic_config(f"sqlite:///{upgraded}")
    command.downgrade(cfg, "base")
    engine = create_engine(f"sqlite:///{upgraded}")
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    command.upgrade(cfg, "head")
    command.check(cfg)


def test_known_revisions_are_the_revision_chain_of_the_migrations_folder() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    chain = [rev.revision for rev in script.walk_revisions("base", "heads")]
    assert tuple(reversed(chain)) == KNOWN_REVISIONS
    assert script.get_heads() == [SCHEMA_HEAD]
    assert KNOWN_REVISIONS[-1] == SCHEMA_HEAD


# --- an older schema: backed up, then migrated ------------------------------------

NEXT_REVISION = "0002_test_next"


@pytest.fixture
def next_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Pretend a newer release: the migrations plus one revision with the given body."""

    def _install(upgrade_body: str) -> None:
        folder = tmp_path / "migrations-next"
        shutil.copytree(
            paths.migrations_dir(), folder, ignore=shutil.ignore_patterns("__pycache__")
        )
        body = textwrap.indent(textwrap.dedent(upgrade_body).strip(), "    ")
        source = (
            '"""A test-only revision."""\n'
            "import sqlalchemy as sa\n"
            "from alembic import op\n\n"
            f"revision = {NEXT_REVISION!r}\n"
            f"down_revision = {SCHEMA_HEAD!r}\n"
            "branch_labels = None\n"
            "depends_on = None\n\n\n"
            f"def upgrade() -> None:\n{body}\n\n\n"
            "def downgrade() -> None:\n    pass\n"
        )
        (folder / "versions" / f"{NEXT_REVISION}.py").write_text(source, encoding="utf-8")
        monkeypatch.setattr(paths, "migrations_dir", lambda: folder)
        monkeypatch.setattr(dbmod, "KNOWN_REVISIONS", (*KNOWN_REVISIONS, NEXT_REVISION))
        monkeypatch.setattr(dbmod, "SCHEMA_HEAD", NEXT_REVISION)

    return _install


def migration_backups(db_path: Path) -> list[Path]:
    return sorted(paths.backups_dir(db_path.parent).glob(f"{MIGRATION_PREFIX}*"))


def test_an_older_schema_is_backed_up_before_it_is_migrated(
    commune_file: Path, next_release: Callable[[str], None], dump_digest: Digest
) -> None:
    before = dump_digest(commune_file)
    next_release(
        """
        with op.batch_alter_table("hamlet") as batch:
            batch.add_column(sa.Column("area_km2", sa.Integer(), nullable=True))
        """
    )
    db = open_database(commune_file)
    try:
        assert hamlets.hamlet_choices(db)[0][1] == "Thôn Cũ"  # the data came along
    finally:
        db.close()

    assert stored_revision(commune_file) == NEXT_REVISION
    conn = sqlite3.connect(commune_file)
    try:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(hamlet)")]
    finally:
        conn.close()
    assert "area_km2" in columns

    (saved,) = migration_backups(commune_file)
    assert saved.name.startswith(f"{MIGRATION_PREFIX}{SCHEMA_HEAD}-")
    assert stored_revision(saved) == SCHEMA_HEAD
    assert dump_digest(saved) == before, "the backup holds the database as it was"


def test_a_failed_migration_changes_nothing_and_says_where_the_backup_is(
    commune_file: Path, next_release: Callable[[str], None], dump_digest: Digest
) -> None:
    before = dump_digest(commune_file)
    next_release(
        """
        op.add_column("setting", sa.Column("half_done", sa.Integer(), nullable=True))
        raise RuntimeError("simulated failure half-way through a migration")
        """
    )
    with pytest.raises(DatabaseError) as err:
        open_database(commune_file)
    (saved,) = migration_backups(commune_file)
    assert "nâng cấp" in err.value.message
    assert str(saved) in err.value.message
    assert dump_digest(commune_file) == before, "a failed migration is rolled back whole"
    assert stored_revision(commune_file) == SCHEMA_HEAD


def test_no_migration_without_a_backup(
    commune_file: Path,
    next_release: Callable[[str], None],
    dump_digest: Digest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = dump_digest(commune_file)
    next_release('op.add_column("setting", sa.Column("x", sa.Integer(), nullable=True))')

    def disk_full(*_args: object, **_kwargs: object) -> Path:
        raise StorageError("Ổ đĩa đầy: không ghi được bản sao lưu.")

    monkeypatch.setattr("app.core.backup.make_backup", disk_full)
    with pytest.raises(StorageError):
        open_database(commune_file)
    assert dump_digest(commune_file) == before
    assert stored_revision(commune_file) == SCHEMA_HEAD


def test_a_current_schema_is_opened_without_a_backup(commune_file: Path) -> None:
    open_database(commune_file).close()
    assert migration_backups(commune_file) == []


# --- newer and foreign files are refused without writing --------------------------


def test_a_database_from_a_newer_release_is_refused_untouched(
    commune_file: Path, file_digest: Digest
) -> None:
    set_revision(commune_file, "9999_future")
    before = file_digest(commune_file)
    with pytest.raises(DatabaseError) as err:
        open_database(commune_file)
    assert "phiên bản mới hơn" in err.value.message
    assert "9999_future" in err.value.message
    assert file_digest(commune_file) == before
    assert migration_backups(commune_file) == []


def test_a_newer_database_is_refused_by_the_workspace_too(
    commune_file: Path, file_digest: Digest
) -> None:
    from app.core.workspace import open_workspace

    set_revision(commune_file, "9999_future")
    before = file_digest(commune_file)
    with pytest.raises(DatabaseError, match="phiên bản mới hơn"):
        open_workspace(commune_file.parent, lock=True)
    assert file_digest(commune_file) == before


@pytest.mark.parametrize("how", ["no_version_table", "empty_version_table"])
def test_an_sqlite_file_without_our_schema_is_refused_untouched(
    tmp_path: Path, file_digest: Digest, how: str
) -> None:
    path = tmp_path / "khac.sqlite3"
    conn = sqlite3.connect(path)
    try:
        conn.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
        conn.execute("INSERT INTO contacts VALUES ('Nguyễn Văn An', '0912345678')")
        if how == "empty_version_table":
            conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.commit()
    finally:
        conn.close()
    before = file_digest(path)
    with pytest.raises(DatabaseError) as err:
        open_database(path)
    assert "không phải là cơ sở dữ liệu của Sổ Khuyến Học" in err.value.message
    assert file_digest(path) == before
    assert not paths.backups_dir(tmp_path).exists()
