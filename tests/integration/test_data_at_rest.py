"""Data at rest: the database and backups are the owner's alone; backups may be encrypted.

A wrong passphrase on restore is told in Vietnamese and changes nothing.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from app import paths
from app.cli import main
from app.core import backup
from app.core.registry import hamlets
from app.core.workspace import init_commune, open_workspace

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
PASSPHRASE = "một câu dài làm mật khẩu"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    data = tmp_path / "mới" / "xa"
    ws = init_commune(data, "4", lock=False)
    try:
        hamlets.create_hamlet(ws.db, hamlets.HamletInput("Thôn Khuê Trung"))
    finally:
        ws.close()
    return data


@posix_only
def test_a_new_database_and_its_folder_are_readable_by_the_owner_only(folder: Path) -> None:
    db_path = paths.database_path(folder)
    assert _mode(db_path) == 0o600
    assert _mode(folder) == 0o700
    assert _mode(folder.parent) == 0o700  # created for it, so private too
    ws = open_workspace(folder)
    try:
        hamlets.create_hamlet(ws.db, hamlets.HamletInput("Thôn Hòa Mỹ"))
        wal = Path(f"{db_path}-wal")
        assert wal.exists() and _mode(wal) == 0o600
    finally:
        ws.close()


@posix_only
def test_an_existing_database_readable_by_others_is_tightened_on_open(folder: Path) -> None:
    db_path = paths.database_path(folder)
    os.chmod(db_path, 0o644)
    open_workspace(folder).close()
    assert _mode(db_path) == 0o600


@posix_only
def test_backups_are_private_files_in_a_private_folder(folder: Path) -> None:
    made = backup.make_backup(paths.database_path(folder))
    assert _mode(made) == 0o600
    assert _mode(made.parent) == 0o700


def test_an_encrypted_backup_restores_with_its_passphrase_and_refuses_a_wrong_one(
    folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    dump_digest: Callable[[Path], str],
) -> None:
    monkeypatch.setenv("KHUYENHOC_BACKUP_PASSPHRASE", PASSPHRASE)
    target = tmp_path / "usb"
    target.mkdir()
    assert main(["--data-dir", str(folder), "backup", "--encrypt", "--to", str(target)]) == 0
    out = capsys.readouterr().out
    (made,) = list(target.iterdir())
    assert made.name.endswith(".sqlite3.age") and str(made) in out
    sealed = made.read_bytes()
    assert sealed.startswith(b"age-encryption.org/v1")
    assert "Khuê Trung".encode() not in sealed and b"SQLite format 3" not in sealed

    # Changes after the backup, which a restore must undo.
    ws = open_workspace(folder)
    try:
        hamlets.create_hamlet(ws.db, hamlets.HamletInput("Thôn Sau Sao Lưu"))
    finally:
        ws.close()
    db_path = paths.database_path(folder)
    before = dump_digest(db_path)
    files_before = sorted(p.name for p in folder.iterdir())

    monkeypatch.setenv("KHUYENHOC_BACKUP_PASSPHRASE", "không phải mật khẩu này")
    code = main(["--data-dir", str(folder), "restore", str(made), "--yes"])
    err = capsys.readouterr().err
    assert code == backup.WrongPassphrase.exit_code
    assert "Sai mật khẩu của bản sao lưu" in err and "Không có gì bị thay đổi" in err
    assert "Traceback" not in err
    assert dump_digest(db_path) == before
    assert sorted(p.name for p in folder.iterdir()) == files_before  # no decrypted leftovers

    monkeypatch.setenv("KHUYENHOC_BACKUP_PASSPHRASE", PASSPHRASE)
    assert main(["--data-dir", str(folder), "restore", str(made), "--yes", "--json"]) == 0
    capsys.readouterr()
    ws = open_workspace(folder)
    try:
        names = {name for _id, name in hamlets.hamlet_choices(ws.db)}
    finally:
        ws.close()
    assert names == {"Thôn Khuê Trung"}
    leftovers = [p.name for p in folder.iterdir() if p.name.startswith(".giai-ma-")]
    assert leftovers == []


def test_an_encrypted_backup_is_not_opened_without_a_passphrase(
    folder: Path, tmp_path: Path
) -> None:
    made = backup.make_backup(
        paths.database_path(folder), tmp_path / "b.sqlite3", passphrase=PASSPHRASE
    )
    assert made.name == "b.sqlite3.age"
    with pytest.raises(backup.WrongPassphrase, match="cần nhập mật khẩu"):
        backup.inspect_backup(made)
    with pytest.raises(Exception, match="ít nhất"):
        backup.make_backup(paths.database_path(folder), tmp_path / "c.sqlite3", passphrase="ngắn")
    assert not list(tmp_path.glob("c.sqlite3*")) and not list(tmp_path.glob(".c.*"))
