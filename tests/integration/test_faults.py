"""When things go wrong: foreign files, read-only folders, full disks, a second window.

Each fault must end in a UserError with a Vietnamese message (never a bare
exception) and leave the user's files as they were. Where a real fault can be
staged (a tiny or read-only tmpfs, when the tests run as root and may mount) it
is; the same faults are also simulated with mocks so every run checks them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import random
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event

from app import paths
from app.core import backup
from app.core.db import Database, open_database
from app.core.errors import DatabaseError, StorageError, UserError
from app.core.registry import hamlets
from app.core.registry import households as hh
from app.core.registry.people import PersonInput
from app.core.registry.stats import registry_stats
from app.core.workspace import acquire_lock, init_commune, open_workspace

Digest = Callable[[Path], str]
ROOT = Path(__file__).resolve().parents[2]
VIETNAMESE_HINTS = ("Tệp", "tệp", "dữ liệu", "Không", "Ổ đĩa", "đang được mở")


def is_vietnamese(message: str) -> bool:
    return any(hint in message for hint in VIETNAMESE_HINTS)


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def fill_commune(db: Database, households: int = 5) -> None:
    hamlet = hamlets.create_hamlet(db, hamlets.HamletInput("Thôn Hạ"))
    for i in range(households):
        hh.create_household(
            db,
            hh.HouseholdInput(hamlet_id=hamlet),
            [PersonInput(f"Nguyễn Văn An {i}"), PersonInput(f"Lê Thị Bình {i}", relation="Vợ")],
        )


@pytest.fixture
def real_db_bytes(tmp_path: Path) -> bytes:
    ws = init_commune(tmp_path / "that", "4", lock=False)
    fill_commune(ws.db, 20)
    ws.close()
    return paths.database_path(tmp_path / "that").read_bytes()


# --- mounting tiny or read-only disks (root only) ---------------------------------


@contextlib.contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A real tmpfs of ``size`` at ``folder``; skips the test where mounting is not allowed."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def remount_read_only(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, capture_output=True)


def fill_disk(folder: Path, leave: int) -> Path:
    """Write a filler file until only about ``leave`` bytes remain free."""
    filler = folder / "filler.bin"
    stat = os.statvfs(folder)
    free = stat.f_bavail * stat.f_frsize
    with filler.open("wb") as fh:
        remaining = max(free - leave, 0)
        chunk = b"\0" * 65536
        try:
            while remaining > 0:
                fh.write(chunk[: min(len(chunk), remaining)])
                remaining -= len(chunk)
        except OSError:
            pass
    return filler


# --- files that are not our database ---------------------------------------------


def _text(_real: bytes) -> bytes:
    return "Họ và tên,Số điện thoại\nNguyễn Văn An,0912345678\n".encode()


def _random(_real: bytes) -> bytes:
    return random.Random(7).randbytes(64 * 1024)


def _empty(_real: bytes) -> bytes:
    return b""


def _sqlite_header_then_garbage(_real: bytes) -> bytes:
    return b"SQLite format 3\x00" + random.Random(8).randbytes(8192)


def _truncated_at(fraction: float) -> Callable[[bytes], bytes]:
    return lambda real: real[: int(len(real) * fraction)]


def _one_byte_short(real: bytes) -> bytes:
    return real[:-1]


def _one_page_short(real: bytes) -> bytes:
    return real[:-4096]


FOREIGN_FILES: dict[str, Callable[[bytes], bytes]] = {
    "text": _text,
    "random-bytes": _random,
    "empty": _empty,
    "sqlite-header-then-garbage": _sqlite_header_then_garbage,
    "truncated-header": lambda real: real[:60],
    "truncated-first-page": _truncated_at(0.01),
    "truncated-half": _truncated_at(0.5),
    "truncated-one-page-short": _one_page_short,
    "truncated-one-byte-short": _one_byte_short,
}


@pytest.mark.parametrize("kind", list(FOREIGN_FILES))
def test_a_file_that_is_not_a_usable_database_is_refused_untouched(
    tmp_path: Path, real_db_bytes: bytes, file_digest: Digest, kind: str
) -> None:
    data_dir = tmp_path / "chon-nham"
    data_dir.mkdir()
    path = paths.database_path(data_dir)
    path.write_bytes(FOREIGN_FILES[kind](real_db_bytes))
    before, files = file_digest(path), listing(data_dir)

    for attempt in (
        lambda: open_database(path),
        lambda: open_workspace(data_dir),
        lambda: backup.inspect_backup(path),
        lambda: backup.restore_backup(tmp_path / "dich.sqlite3", path),
    ):
        with pytest.raises(DatabaseError) as err:
            attempt()
        assert is_vietnamese(err.value.message), err.value.message

    assert file_digest(path) == before
    assert listing(data_dir) == files, "nothing may be written beside a refused file"
    assert not (tmp_path / "dich.sqlite3").exists()


def test_a_truncated_database_says_it_was_cut_short(tmp_path: Path, real_db_bytes: bytes) -> None:
    path = tmp_path / "khuyenhoc.sqlite3"
    path.write_bytes(real_db_bytes[:-1])
    with pytest.raises(DatabaseError, match="bị cắt cụt"):
        open_database(path)


def test_a_folder_in_place_of_the_database_is_refused(tmp_path: Path) -> None:
    path = paths.database_path(tmp_path)
    path.mkdir()
    with pytest.raises(UserError) as err:
        open_database(path)
    assert is_vietnamese(err.value.message)


def test_folder_names_with_uri_characters_work(tmp_path: Path, dump_digest: Digest) -> None:
    # "#", "?" and "%" once cut the path short: the backup was of an empty database.
    data_dir = tmp_path / "Hội KH #2 ? 100%25 ngày 1-7"
    ws = init_commune(data_dir, "4", lock=False)
    fill_commune(ws.db)
    made = backup.make_backup(ws.db.path)
    ws.close()
    assert backup.inspect_backup(made).counts["households"] == 5
    assert dump_digest(made) == dump_digest(paths.database_path(data_dir))
    assert listing(tmp_path) == [data_dir.name], "no stray file made from a cut-short path"


# --- read-only data folder -------------------------------------------------------


def test_a_read_only_data_folder_is_refused_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "chi-doc"
    data_dir.mkdir()

    def read_only(*_args: object, **_kwargs: object) -> tuple[int, str]:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("app.core.workspace.tempfile.mkstemp", read_only)
    with pytest.raises(StorageError) as err:
        init_commune(data_dir, "4")
    assert "Không ghi được vào thư mục dữ liệu" in err.value.message
    assert listing(data_dir) == []


def test_an_unwritable_lock_file_is_a_storage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(self: object, *args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("filelock.FileLock.acquire", read_only)
    with pytest.raises(StorageError, match="Không ghi được"):
        acquire_lock(tmp_path)


def test_saving_into_a_database_that_cannot_be_written_keeps_the_data(
    ws: object, db: Database, snapshot: Callable[[Database], dict[str, object]]
) -> None:
    fill_commune(db)
    before = snapshot(db)
    # The same file through a read-only connection: every write is refused by SQLite.
    ro_engine = create_engine(f"sqlite:///file:{db.path}?mode=ro&uri=true")
    read_only = Database(db.path, ro_engine)
    try:
        with pytest.raises(StorageError) as err:
            hamlets.create_hamlet(read_only, hamlets.HamletInput("Thôn Mới"))
        assert "chỉ cho phép đọc" in err.value.message
    finally:
        read_only.close()
    assert snapshot(db) == before


def test_a_chmod_read_only_folder_is_refused(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes through chmod 0o555; see the mocked and tmpfs tests")
    data_dir = tmp_path / "chi-doc"
    data_dir.mkdir()
    data_dir.chmod(0o555)
    try:
        with pytest.raises(StorageError):
            init_commune(data_dir, "4")
    finally:
        data_dir.chmod(0o755)


def test_a_read_only_disk_refuses_opening_for_writing_with_a_message(
    tmp_path: Path, file_digest: Digest
) -> None:
    with tmpfs(tmp_path / "usb", "4m") as usb:
        data_dir = usb / "du-lieu"
        ws = init_commune(data_dir, "4", lock=False)
        fill_commune(ws.db)
        ws.close()
        before = file_digest(paths.database_path(data_dir))
        remount_read_only(usb)

        for attempt in (
            lambda: open_workspace(data_dir, lock=True),
            lambda: open_workspace(data_dir),
            lambda: init_commune(usb / "xa-moi", "4"),
            lambda: backup.make_backup(paths.database_path(data_dir)),
        ):
            with pytest.raises(UserError) as err:
                attempt()
            assert isinstance(err.value, StorageError | DatabaseError)
            assert is_vietnamese(err.value.message), err.value.message
        assert file_digest(paths.database_path(data_dir)) == before


def test_a_read_only_disk_still_serves_search_export_and_a_dry_run_import(
    tmp_path: Path, file_digest: Digest, capsys: pytest.CaptureFixture[str]
) -> None:
    """They only read, yet were refused because opening wanted to write."""
    import json

    from app.cli import main

    sheet = tmp_path / "ho.xlsx"
    with tmpfs(tmp_path / "usb", "4m") as usb:
        data_dir = usb / "du-lieu"
        ws = init_commune(data_dir, "4", lock=False)
        fill_commune(ws.db)
        ws.close()
        assert main(["--data-dir", str(data_dir), "export-xlsx", "--kind", "people",
                     "--out", str(sheet)]) == 0  # fmt: skip
        before = file_digest(paths.database_path(data_dir))
        files = listing(data_dir)
        remount_read_only(usb)
        capsys.readouterr()
        where = ["--data-dir", str(data_dir)]

        assert main([*where, "search", "nguyen van an", "--json"]) == 0
        found = json.loads(capsys.readouterr().out)["results"]
        assert found and all("Nguyễn Văn An" in (r["name"] + r.get("head_name", "")) for r in found)
        out = tmp_path / "nhan-khau.xlsx"
        assert main([*where, "export-xlsx", "--kind", "people", "--out", str(out)]) == 0
        assert out.is_file()
        capsys.readouterr()
        dry = [*where, "import-xlsx", str(sheet), "--kind", "people", "--dry-run", "--json"]
        assert main(dry) == 0
        assert json.loads(capsys.readouterr().out)["duplicates"] == 10
        # Writing is still refused, in Vietnamese.
        assert main([*where, "import-xlsx", str(sheet), "--kind", "people"]) != 0
        assert "Không ghi được vào thư mục dữ liệu" in capsys.readouterr().err
        assert listing(data_dir) == files
        assert file_digest(paths.database_path(data_dir)) == before


# --- disk full --------------------------------------------------------------------


@pytest.mark.parametrize("fails", ["os.replace", "os.fsync"])
def test_disk_full_during_a_backup_leaves_no_partial_file(
    ws: object,
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    dump_digest: Digest,
    fails: str,
) -> None:
    fill_commune(db)
    db.close()
    before = dump_digest(db.path)
    target = tmp_path / "usb"

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(f"app.core.backup.{fails}", disk_full)
    with pytest.raises(StorageError) as err:
        backup.make_backup(db.path, target)
    assert "Ổ đĩa đầy" in err.value.message
    assert not target.exists()
    assert list(tmp_path.glob("**/*.partial")) == []
    assert dump_digest(db.path) == before


def test_disk_full_during_a_backup_on_a_real_tiny_disk(
    ws: object, db: Database, tmp_path: Path, dump_digest: Digest
) -> None:
    fill_commune(db, 40)
    db.close()
    before = dump_digest(db.path)
    with tmpfs(tmp_path / "usb", "300k") as usb:
        assert db.path.stat().st_size > 100_000
        fill_disk(usb, leave=64 * 1024)
        with pytest.raises(StorageError) as err:
            backup.make_backup(db.path, usb / "sao-luu.sqlite3")
        assert "Ổ đĩa đầy" in err.value.message
        assert listing(usb) == ["filler.bin"], "no partial backup left on the stick"
    assert dump_digest(db.path) == before


def _limit_pages(db: Database, pages: int) -> None:
    """Every new connection may grow the file to ``pages`` pages only ("disk full")."""

    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

    event.listen(db.engine, "connect", _on_connect)
    db.engine.dispose()


def test_disk_full_during_a_save_keeps_earlier_data(
    db: Database, snapshot: Callable[[Database], dict[str, object]]
) -> None:
    fill_commune(db)
    before = snapshot(db)
    with db.connect() as conn:
        pages = int(conn.exec_driver_sql("PRAGMA page_count").scalar_one())
    _limit_pages(db, pages + 2)
    huge_note = "Ghi chú rất dài về buổi họp chi hội. " * 50_000  # ≈ 2 MB
    with pytest.raises(StorageError) as err:
        hamlets.create_hamlet(db, hamlets.HamletInput("Thôn Mới", note=huge_note))
    assert err.value.message == "Ổ đĩa đã đầy: không lưu được. Dữ liệu vẫn giữ nguyên như trước."
    assert snapshot(db) == before
    hamlets.create_hamlet(db, hamlets.HamletInput("Thôn Nhỏ"))  # small saves still work
    assert registry_stats(db).hamlets == 2


def test_disk_full_during_a_save_on_a_real_tiny_disk(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "usb", "2m") as usb:
        ws = init_commune(usb / "du-lieu", "4", lock=False)
        try:
            fill_commune(ws.db)
            filler = fill_disk(usb, leave=16 * 1024)
            with pytest.raises(StorageError) as err:
                hamlets.create_hamlet(ws.db, hamlets.HamletInput("Thôn Mới", note="x" * 500_000))
            assert "Ổ đĩa đã đầy" in err.value.message
            filler.unlink()
            stats = registry_stats(ws.db)
            assert (stats.hamlets, stats.households, stats.people) == (1, 5, 10)
        finally:
            ws.close()


# --- two windows on one folder ----------------------------------------------------

HOLDER = """
import sys
from pathlib import Path
from app.core.workspace import acquire_lock
lock = acquire_lock(Path(sys.argv[1]))
print("giu-khoa", flush=True)
sys.stdin.read()
"""


@contextlib.contextmanager
def lock_held_by_another_process(data_dir: Path) -> Iterator[None]:
    """A second program holding the folder's lock (filelock is per process)."""
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        try:
            line = proc.stdout.readline()
            assert line.strip() == "giu-khoa", line
            yield
        finally:
            proc.stdin.close()  # the holder exits when its input ends
            proc.wait(timeout=30)


def test_a_second_window_on_the_same_folder_is_refused(tmp_path: Path, file_digest: Digest) -> None:
    data_dir = tmp_path / "du-lieu"
    init_commune(data_dir, "4", lock=False).close()
    db_file = paths.database_path(data_dir)
    before = file_digest(db_file)
    with lock_held_by_another_process(data_dir):
        for attempt in (
            lambda: acquire_lock(data_dir),
            lambda: open_workspace(data_dir, lock=True),
            lambda: init_commune(data_dir, "4", replace=True),
        ):
            with pytest.raises(DatabaseError) as err:
                attempt()
            assert "đang được mở bởi một cửa sổ Sổ Khuyến Học khác" in err.value.message
        assert file_digest(db_file) == before
        assert not paths.backups_dir(data_dir).exists()
    # Once the other window is closed the folder opens.
    open_workspace(data_dir, lock=True).close()


def test_a_closed_workspace_releases_its_lock(tmp_path: Path) -> None:
    ws = init_commune(tmp_path, "4")  # locked
    with pytest.raises(DatabaseError):
        acquire_lock(tmp_path)
    ws.close()
    acquire_lock(tmp_path).release()  # type: ignore[attr-defined]


# --- creating over existing data --------------------------------------------------


def test_init_refuses_to_overwrite_existing_data(tmp_path: Path, dump_digest: Digest) -> None:
    ws = init_commune(tmp_path, "4", lock=False)
    fill_commune(ws.db)
    ws.close()
    before = dump_digest(paths.database_path(tmp_path))
    with pytest.raises(DatabaseError) as err:
        init_commune(tmp_path, "4", lock=False)
    assert "đã có dữ liệu" in err.value.message
    assert dump_digest(paths.database_path(tmp_path)) == before


def test_init_with_replace_backs_up_the_old_data_first(tmp_path: Path) -> None:
    ws = init_commune(tmp_path, "4", lock=False)
    fill_commune(ws.db)
    ws.close()
    ws = init_commune(tmp_path, "00008", lock=False, replace=True)
    try:
        assert registry_stats(ws.db).households == 0
        assert ws.db.commune_code == "00008"
    finally:
        ws.close()
    (saved,) = paths.backups_dir(tmp_path).glob("truoc-tao-moi-*")
    assert backup.inspect_backup(saved).counts["households"] == 5


def test_init_with_an_unknown_commune_creates_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "moi"
    with pytest.raises(UserError, match="Mã xã"):
        init_commune(data_dir, "99999")
    assert not data_dir.exists()


# --- kill -9 during a backup --------------------------------------------------------

_SLOW_BACKUP = """
import sys, time
from pathlib import Path
from app.core import backup

def slow(done: int, total: int) -> None:  # a big database on a slow USB stick
    time.sleep(0.03)

print("ready", flush=True)
backup.make_backup(Path(sys.argv[1]), progress=slow)
print("done", flush=True)
"""


def test_backups_killed_at_random_points_leave_no_partial_after_the_next_start(
    tmp_path: Path, dump_digest: Digest, file_digest: Digest
) -> None:
    """kill -9 at ten random moments of a backup; the next start cleans up, nothing else moves."""
    import signal
    import time

    from app.core.demo import generate_demo

    data_dir = tmp_path / "xa"
    generate_demo(data_dir, households=300, seed=3, lock=False)
    db_path = paths.database_path(data_dir)
    folder = paths.backups_dir(data_dir)
    existing = backup.make_backup(db_path)
    kept = {existing: file_digest(existing)}
    before = dump_digest(db_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run(kill_after: float | None) -> str:
        proc = subprocess.Popen(
            [sys.executable, "-c", _SLOW_BACKUP, str(db_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=ROOT,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == b"ready"
        started = time.monotonic()
        if kill_after is None:
            _out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err.decode()
            return f"{time.monotonic() - started}"
        time.sleep(kill_after)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        return "killed" if proc.returncode == -signal.SIGKILL else "finished"

    duration = float(run(None))
    made = set(folder.glob(f"*{backup.SUFFIX}")) - set(kept)
    kept.update({p: file_digest(p) for p in made})
    rng = random.Random(19)
    left_partial = 0
    for _ in range(10):
        outcome = run(rng.uniform(0, duration * 1.1))
        left_partial += bool(list(folder.glob("*.partial")))
        for complete in set(folder.glob(f"*{backup.SUFFIX}")) - set(kept):
            # A backup the kill did not stop in time is whole: it opens and checks.
            conn = sqlite3.connect(complete)
            assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok", outcome
            conn.close()
            kept[complete] = file_digest(complete)
        ws = open_workspace(data_dir)  # the next start
        ws.close()
        assert list(folder.glob("*.partial")) == [], outcome
        assert all(file_digest(p) == digest for p, digest in kept.items())
        assert dump_digest(db_path) == before
    assert left_partial >= 3, f"the kills must land inside the backup ({duration:.2f} s)"


# --- replacing the database on a nearly full disk --------------------------------------


def _old_commune(data_dir: Path) -> None:
    ws = init_commune(data_dir, "4", lock=False)
    fill_commune(ws.db, 12)
    ws.close()


def _assert_old_commune_intact(
    data_dir: Path, before: str, dump_digest: Digest, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    db_path = paths.database_path(data_dir)
    assert dump_digest(db_path) == before
    assert list(data_dir.glob("*.moi*")) == [], "nothing of the new database is left"
    assert main(["--data-dir", str(data_dir), "stats", "--json"]) == 0, "no 'init' needed"
    assert '"households": 12' in capsys.readouterr().out


def test_demo_replace_that_fills_the_disk_keeps_the_old_database(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    dump_digest: Digest,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """SQLite reports SQLITE_FULL while the demo rows are written (max_page_count)."""
    from app.cli import main
    from app.core import workspace

    data_dir = tmp_path / "xa"
    _old_commune(data_dir)
    before = dump_digest(paths.database_path(data_dir))
    real_open = workspace.open_database

    def open_on_a_full_disk(path: Path, **kwargs: object) -> Database:
        opened = real_open(path, **kwargs)  # type: ignore[arg-type]
        if kwargs.get("create"):
            _limit_pages(opened, 400)  # room for the schema, not for 2,000 households
        return opened

    monkeypatch.setattr(workspace, "open_database", open_on_a_full_disk)
    code = main(["--data-dir", str(data_dir), "demo", "--replace", "--households", "2000"])
    err = capsys.readouterr().err
    assert code != 0
    assert "Ổ đĩa đã đầy" in err and "Dữ liệu vẫn giữ nguyên như trước" in err
    assert "Traceback" not in err
    monkeypatch.undo()
    _assert_old_commune_intact(data_dir, before, dump_digest, capsys)


def test_demo_replace_on_a_real_nearly_full_disk_keeps_the_old_database(
    tmp_path: Path, dump_digest: Digest, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    with tmpfs(tmp_path / "dia-nho", "4m") as disk:
        data_dir = disk / "xa"
        _old_commune(data_dir)
        before = dump_digest(paths.database_path(data_dir))
        code = main(["--data-dir", str(data_dir), "demo", "--replace", "--households", "3000"])
        err = capsys.readouterr().err
        assert code != 0
        assert "Ổ đĩa đã đầy" in err and "Dữ liệu vẫn giữ nguyên như trước" in err
        _assert_old_commune_intact(data_dir, before, dump_digest, capsys)


def test_a_replacement_killed_before_its_swap_is_removed_at_the_next_start(
    tmp_path: Path, dump_digest: Digest
) -> None:
    from app.core.workspace import replacement_path

    _old_commune(tmp_path)
    db_path = paths.database_path(tmp_path)
    before = dump_digest(db_path)
    half = replacement_path(db_path)
    half.write_bytes(b"SQLite format 3\x00" + bytes(8192))
    Path(f"{half}-journal").write_bytes(bytes(512))
    ws = open_workspace(tmp_path, lock=True)
    ws.close()
    assert list(tmp_path.glob("*.moi*")) == []
    assert dump_digest(db_path) == before
