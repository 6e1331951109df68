"""Backups and restore: complete files or none, shown before use, and reversible."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from app import paths
from app.core import backup
from app.core.db import SCHEMA_HEAD, Database, open_database
from app.core.errors import DatabaseError, UserError
from app.core.registry import hamlets, members
from app.core.registry import households as hh
from app.core.registry.people import PersonInput
from app.core.registry.stats import registry_stats
from app.core.workspace import Workspace

Digest = Callable[[Path], str]


def without_restore_note(restored: Path, made: Path, dump_digest: Digest) -> str:
    """The restored file is the backup plus one setting saying it was restored (upward
    sync reads it): check the note, then digest the rest."""
    import json

    conn = sqlite3.connect(restored)
    try:
        row = conn.execute(
            "SELECT value FROM setting WHERE key = ?", (backup.RESTORED_KEY,)
        ).fetchone()
        assert row is not None and json.loads(row[0])["from"] == made.name
        with conn:
            conn.execute("DELETE FROM setting WHERE key = ?", (backup.RESTORED_KEY,))
    finally:
        conn.close()
    return dump_digest(restored)


def add_households(db: Database, count: int, start: int = 0) -> None:
    hamlet = hamlets.hamlet_choices(db)[0][0] if hamlets.hamlet_choices(db) else None
    if hamlet is None:
        hamlet = hamlets.create_hamlet(db, hamlets.HamletInput("Thôn Thượng"))
    for i in range(start, start + count):
        hh.create_household(
            db,
            hh.HouseholdInput(hamlet_id=hamlet),
            [
                PersonInput(f"Phạm Văn Tuấn {i}", birth="1970"),
                PersonInput(f"Hồ Thị Lan {i}", relation="Vợ"),
                PersonInput(f"Phạm Thị Mai {i}", relation="Con"),
            ],
        )


def stats_counts(db: Database) -> dict[str, int]:
    data = registry_stats(db).as_dict()
    return {key: data[key] for key in backup.COUNTED_TABLES}


@pytest.fixture
def filled(ws: Workspace) -> Database:
    add_households(ws.db, 5)
    branch = members.create_branch(ws.db, members.BranchInput("Chi hội thôn Thượng"))
    members.create_member(ws.db, members.MemberInput(branch, full_name="Vũ Thị Hà"))
    return ws.db


# --- making backups ---------------------------------------------------------------


class TestMakeBackup:
    def test_a_backup_is_a_valid_database_with_the_same_counts(self, filled: Database) -> None:
        made = backup.make_backup(filled.path)
        info = backup.inspect_backup(made)
        assert info.counts == stats_counts(filled)
        assert info.counts["households"] == 5
        assert info.counts["people"] == 15
        assert info.schema_revision == SCHEMA_HEAD
        assert not info.is_older_schema
        assert (info.commune_code, info.commune_name) == ("00004", "Phường Ba Đình")
        conn = sqlite3.connect(made)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()

    def test_by_default_it_goes_to_the_backups_folder_with_a_readable_name(
        self, filled: Database
    ) -> None:
        made = backup.make_backup(filled.path)
        assert made.parent == paths.backups_dir(filled.data_dir)
        assert made.name.startswith(backup.MANUAL_PREFIX)
        assert made.suffix == ".sqlite3"

    def test_dest_may_be_a_folder_or_a_file(self, filled: Database, tmp_path: Path) -> None:
        folder = tmp_path / "usb"
        folder.mkdir()
        into_folder = backup.make_backup(filled.path, folder)
        assert into_folder.parent == folder
        as_file = backup.make_backup(filled.path, tmp_path / "usb" / "ban-sao.sqlite3")
        assert as_file == tmp_path / "usb" / "ban-sao.sqlite3"
        assert backup.inspect_backup(as_file).counts["households"] == 5

    def test_a_backup_of_the_open_database_holds_the_latest_saves(self, filled: Database) -> None:
        add_households(filled, 2, start=100)  # still in the write-ahead log
        made = backup.make_backup(filled.path)
        assert backup.inspect_backup(made).counts["households"] == 7

    def test_a_backup_is_one_self_contained_file(
        self, filled: Database, tmp_path: Path, dump_digest: Digest
    ) -> None:
        made = backup.make_backup(filled.path, tmp_path / "mot-tep.sqlite3")
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("mot-tep")) == [
            "mot-tep.sqlite3"
        ]
        header = made.read_bytes()[:20]
        assert header[18:20] == b"\x01\x01", "rollback journal, not WAL: no -wal file needed"
        filled.close()
        assert dump_digest(made) == dump_digest(filled.path)

    def test_progress_is_reported_up_to_the_total(self, filled: Database) -> None:
        seen: list[tuple[int, int]] = []
        backup.copy_database(
            filled.path,
            filled.data_dir / "tien-do.sqlite3",
            progress=lambda done, total: seen.append((done, total)),
            pages_per_step=4,
        )
        assert len(seen) > 1
        assert seen[-1][0] == seen[-1][1]
        assert [d for d, _ in seen] == sorted(d for d, _ in seen)

    def test_no_partial_file_remains_after_success(self, filled: Database) -> None:
        backup.make_backup(filled.path)
        assert list(filled.data_dir.rglob("*.partial")) == []

    def test_a_cancelled_backup_leaves_nothing(self, filled: Database, tmp_path: Path) -> None:
        class Cancelled(Exception):
            pass

        def cancel(done: int, total: int) -> None:
            raise Cancelled

        with pytest.raises(Cancelled):
            backup.copy_database(
                filled.path, tmp_path / "huy.sqlite3", progress=cancel, pages_per_step=1
            )
        assert list(tmp_path.glob("huy*")) == [], "neither the backup nor its .partial remain"

    def test_a_stale_partial_file_from_an_earlier_crash_is_replaced(
        self, filled: Database, tmp_path: Path
    ) -> None:
        dest = tmp_path / "sao-luu.sqlite3"
        (tmp_path / "sao-luu.sqlite3.partial").write_bytes(b"half a backup")
        backup.make_backup(filled.path, dest)
        assert backup.inspect_backup(dest).counts["households"] == 5
        assert not (tmp_path / "sao-luu.sqlite3.partial").exists()

    def test_describe_summarises_in_vietnamese(self, filled: Database) -> None:
        text = backup.inspect_backup(backup.make_backup(filled.path)).describe()
        assert "Xã: Phường Ba Đình (00004)" in text
        assert "hộ gia đình: 5" in text
        assert "nhân khẩu: 15" in text
        assert "hội viên: 1" in text


class TestAutoBackup:
    def test_keeps_only_the_newest_automatic_backups(self, filled: Database) -> None:
        manual = backup.make_backup(filled.path)
        made = []
        for _ in range(5):
            made.append(backup.auto_backup(filled.path, keep=3))
            time.sleep(0.002)
        kept = sorted(paths.backups_dir(filled.data_dir).glob(f"{backup.AUTO_PREFIX}*"))
        assert kept == sorted(made[-3:])
        assert manual.exists(), "manual backups are never pruned"

    def test_a_configured_folder_is_used(self, filled: Database, tmp_path: Path) -> None:
        folder = tmp_path / "o-d"
        made = backup.auto_backup(filled.path, keep=2, backup_dir=folder)
        assert made.parent == folder
        assert not paths.backups_dir(filled.data_dir).exists()

    def test_list_backups_shows_the_newest_first(self, filled: Database) -> None:
        first = backup.make_backup(filled.path)
        time.sleep(0.01)
        second = backup.auto_backup(filled.path, keep=5)
        assert backup.list_backups(paths.backups_dir(filled.data_dir)) == [second, first]


# --- restoring --------------------------------------------------------------------


class TestRestore:
    def test_inspect_shows_what_a_restore_would_bring_back(
        self, ws: Workspace, filled: Database
    ) -> None:
        made = backup.make_backup(filled.path)
        add_households(filled, 3, start=50)
        info = backup.inspect_backup(made)
        assert info.counts["households"] == 5
        assert registry_stats(filled).households == 8

    def test_restore_brings_back_the_backup_and_keeps_the_previous_state(
        self, ws: Workspace, filled: Database, dump_digest: Digest
    ) -> None:
        made = backup.make_backup(filled.path)
        add_households(filled, 3, start=50)
        filled.close()
        current = dump_digest(filled.path)

        progress: list[tuple[int, int]] = []
        safety = backup.restore_backup(
            filled.path, made, progress=lambda d, t: progress.append((d, t))
        )

        assert without_restore_note(filled.path, made, dump_digest) == dump_digest(made)
        assert safety is not None
        assert safety.name.startswith(backup.RESTORE_PREFIX)
        assert dump_digest(safety) == current, "the replaced data is kept in a backup"
        assert progress and progress[-1][0] == progress[-1][1]
        reopened = open_database(filled.path)
        try:
            assert registry_stats(reopened).households == 5
        finally:
            reopened.close()

    def test_restoring_into_an_empty_folder_needs_no_safety_copy(
        self, filled: Database, tmp_path: Path, dump_digest: Digest
    ) -> None:
        made = backup.make_backup(filled.path)
        target = tmp_path / "may-moi" / "khuyenhoc.sqlite3"
        assert backup.restore_backup(target, made) is None
        assert without_restore_note(target, made, dump_digest) == dump_digest(made)

    @pytest.mark.parametrize("kind", ["text", "foreign_sqlite", "newer_version", "missing"])
    def test_a_file_that_is_not_a_usable_backup_is_refused_and_nothing_changes(
        self, ws: Workspace, filled: Database, tmp_path: Path, dump_digest: Digest, kind: str
    ) -> None:
        candidate = tmp_path / f"ung-vien-{kind}.sqlite3"
        if kind == "text":
            candidate.write_text("Danh sách hội viên\nVũ Thị Hà\n", encoding="utf-8")
        elif kind == "foreign_sqlite":
            conn = sqlite3.connect(candidate)
            conn.execute("CREATE TABLE note (text TEXT)")
            conn.commit()
            conn.close()
        elif kind == "newer_version":
            backup.make_backup(filled.path, candidate)
            conn = sqlite3.connect(candidate)
            conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
            conn.commit()
            conn.close()
        filled.close()
        before = dump_digest(filled.path)

        with pytest.raises(DatabaseError) as err:
            backup.restore_backup(filled.path, candidate)

        assert isinstance(err.value, UserError)
        assert err.value.message
        if kind == "newer_version":
            assert "phiên bản mới hơn" in err.value.message
        assert dump_digest(filled.path) == before
        assert not list(paths.backups_dir(filled.data_dir).glob(f"{backup.RESTORE_PREFIX}*"))


class TestStalePartialBackups:
    """A backup killed half-way leaves ``*.partial`` (10–54 MB); nothing removed them."""

    def _stale(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        stale = folder / f"{backup.MANUAL_PREFIX}20260101-080000-000001.sqlite3.partial"
        stale.write_bytes(b"SQLite format 3\x00" + bytes(64 * 1024))
        return stale

    def test_removed_at_the_next_start(self, ws: Workspace, tmp_path: Path) -> None:
        from app.core import settings
        from app.core.workspace import open_workspace

        usb = tmp_path / "usb-sao-luu"
        usb.mkdir()
        settings.save_backup_options(ws.db, 5, str(usb))
        kept = backup.make_backup(ws.db.path)
        stale = [self._stale(paths.backups_dir(ws.data_dir)), self._stale(usb)]
        ws.close()
        again = open_workspace(ws.data_dir)
        again.close()
        assert [p for p in stale if p.exists()] == []
        assert kept.exists()

    def test_removed_before_a_backup_into_that_folder(self, ws: Workspace, tmp_path: Path) -> None:
        usb = tmp_path / "usb"
        stale = self._stale(usb)
        made = backup.make_backup(ws.db.path, usb)
        assert not stale.exists()
        assert sorted(p.name for p in usb.iterdir()) == [made.name]

    @pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="POSIX file locks")
    def test_a_partial_another_backup_is_writing_is_kept(self, tmp_path: Path) -> None:
        import fcntl
        import os

        busy = self._stale(tmp_path / "sao-luu")
        fd = os.open(busy, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            assert backup.remove_stale_partials(busy.parent) == []
            assert busy.exists()
        finally:
            os.close(fd)
        assert backup.remove_stale_partials(busy.parent) == [busy]


class TestLevels:
    """A province's backup cannot replace a commune's data, nor the other way round."""

    def _province(self, tmp_path: Path) -> Path:
        from app.core.sync import upper

        data_dir = tmp_path / "tinh"
        upper.init_province(data_dir, "Hội Khuyến học tỉnh Hưng Yên", tmp_path / "goi")
        return paths.database_path(data_dir)

    def test_a_province_backup_is_not_restored_into_a_commune_folder(
        self, filled: Database, tmp_path: Path, dump_digest: Digest
    ) -> None:
        province_copy = backup.make_backup(self._province(tmp_path), tmp_path / "tinh.sqlite3")
        filled.close()
        before = dump_digest(filled.path)
        with pytest.raises(DatabaseError) as err:
            backup.restore_backup(filled.path, province_copy)
        assert "dữ liệu của cấp trên" in err.value.message
        assert dump_digest(filled.path) == before
        assert not list(paths.backups_dir(filled.data_dir).glob(f"{backup.RESTORE_PREFIX}*"))

    def test_a_commune_backup_is_not_restored_into_a_province_folder(
        self, filled: Database, tmp_path: Path, dump_digest: Digest
    ) -> None:
        province = self._province(tmp_path)
        commune_copy = backup.make_backup(filled.path, tmp_path / "xa.sqlite3")
        before = dump_digest(province)
        with pytest.raises(DatabaseError) as err:
            backup.restore_backup(province, commune_copy)
        assert "là dữ liệu của một xã" in err.value.message
        assert dump_digest(province) == before

    def test_either_goes_into_an_empty_folder(self, tmp_path: Path) -> None:
        province_copy = backup.make_backup(self._province(tmp_path), tmp_path / "tinh.sqlite3")
        target = tmp_path / "may-moi" / "khuyenhoc.sqlite3"
        assert backup.restore_backup(target, province_copy) is None
        assert target.is_file()
