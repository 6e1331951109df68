"""Starting the window: the single-window lock, an unusable folder, the smoke test,
the first-run path, and what an unexpected error looks like to the user."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app import paths
from app.core.workspace import acquire_lock, has_database
from app.ui import app as gui_app
from app.ui.widgets import messages

pytestmark = pytest.mark.gui


def test_a_second_window_on_the_same_data_is_refused(commune_dir: Path, modals: Any) -> None:
    held = acquire_lock(commune_dir)  # the "other window"
    before = {p.name: p.stat().st_mtime_ns for p in commune_dir.iterdir()}
    try:
        assert gui_app.run_gui(commune_dir) == 1
    finally:
        held.release()  # type: ignore[attr-defined]
    assert modals.texts("error") == [gui_app.LOCKED_MESSAGE]
    assert "đang được mở ở một cửa sổ khác" in gui_app.LOCKED_MESSAGE
    after = {p.name: p.stat().st_mtime_ns for p in commune_dir.iterdir()}
    assert after == before, "nothing written"


def test_take_lock_is_exclusive_and_released(commune_dir: Path, modals: Any) -> None:
    lock = gui_app.take_lock(commune_dir)
    assert lock is not None
    assert gui_app.take_lock(commune_dir) is None
    lock.release()  # type: ignore[attr-defined]
    again = gui_app.take_lock(commune_dir)
    assert again is not None
    again.release()  # type: ignore[attr-defined]


def test_an_unwritable_data_folder_is_explained(tmp_path: Path, modals: Any) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    code = gui_app.run_gui(blocker / "data")
    assert code == 4
    assert "Không ghi được vào thư mục dữ liệu" in modals.texts("error")[0]


def test_smoke_test_opens_the_window_and_quits_with_zero(
    commune_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hook = sys.excepthook
    assert gui_app.run_gui(commune_dir, smoke_test=True) == 0
    assert "smoke-test ok: 8 hộ gia đình" in capsys.readouterr().out
    assert sys.excepthook is hook, "the exception hook is put back"
    assert gui_app.take_lock(commune_dir) is not None, "the lock was released"


def test_smoke_test_without_data_fails_instead_of_waiting(tmp_path: Path) -> None:
    assert gui_app.run_gui(tmp_path / "empty", smoke_test=True) == 1


def test_smoke_test_on_a_newer_schema_database_exits_with_the_message(
    commune_dir: Path, tmp_path: Path
) -> None:
    """It waited for ever: the refusal was a modal dialog no one would close."""
    import os
    import shutil
    import sqlite3
    import subprocess

    newer = tmp_path / "moi-hon"
    shutil.copytree(commune_dir, newer)
    conn = sqlite3.connect(paths.database_path(newer))
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_tuong_lai'")
    conn.close()
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(newer), "gui", "--smoke-test"],
        capture_output=True,
        text=True,
        timeout=60,  # it used to wait for ever
        cwd=root,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(root)},
    )
    assert done.returncode != 0, done.stderr
    assert "phiên bản mới hơn" in done.stderr
    assert "Traceback" not in done.stderr


def test_closing_the_first_run_dialog_exits_cleanly(tmp_path: Path) -> None:
    data_dir = tmp_path / "new"

    def close_dialog() -> None:
        for widget in QApplication.topLevelWidgets():
            if type(widget).__name__ == "FirstRunDialog" and widget.isVisible():
                widget.quit_button.click()
                return
        QTimer.singleShot(10, close_dialog)

    QTimer.singleShot(0, close_dialog)
    assert gui_app.run_gui(data_dir) == 0
    assert not has_database(data_dir)


def test_first_run_leads_to_the_main_window_which_stays_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.ui import accounts_ui

    data_dir = tmp_path / "new"
    seen: list[str] = []
    codes: list[str] = []
    monkeypatch.setattr(
        accounts_ui,
        "show_recovery_code",
        lambda _p, made, _db=None: codes.append(made.recovery_code),
    )

    def find(kind: str) -> Any:
        return next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if type(w).__name__ == kind and w.isVisible()
            ),
            None,
        )

    def create_commune() -> None:
        dialog = find("FirstRunDialog")
        if dialog is None:
            QTimer.singleShot(10, create_commune)
            return
        dialog.province_combo.select_value("01")
        dialog.commune_search.setText("ba dinh")
        dialog.create_button.click()
        QTimer.singleShot(0, first_account)

    def first_account() -> None:
        # The new commune has no account yet: the secretary's is created first.
        dialog = find("NewAccountDialog")
        if dialog is None:
            QTimer.singleShot(10, first_account)
            return
        dialog.username.setText("thuky")
        dialog.password.setText("Mat-khau-2026")
        dialog.again.setText("Mat-khau-2026")
        dialog.buttons.accepted.emit()
        QTimer.singleShot(300, check_window)  # long enough for a stray quit to end exec()

    def check_window() -> None:
        window = find("MainWindow")
        if window is not None:
            seen.append(window.windowTitle())
            window.close()

    QTimer.singleShot(0, create_commune)
    assert gui_app.run_gui(data_dir) == 0
    assert seen == ["Sổ Khuyến Học — Hội Khuyến học phường Ba Đình"]
    assert len(codes) == 1, "the secretary's recovery code was shown once"
    assert list(paths.backups_dir(data_dir).glob("auto-*.sqlite3")), "backed up on close"


def test_closing_the_window_makes_the_automatic_backup(qtbot: Any, window: Any) -> None:
    window.backup_on_close = True
    window.close()
    made = list(paths.backups_dir(window.ctx.data_dir).glob("auto-*.sqlite3"))
    assert len(made) == 1


def test_a_failed_automatic_backup_is_told_but_the_window_closes(
    qtbot: Any, window: Any, modals: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core import backup
    from app.core.errors import StorageError

    def full_disk(*_args: Any, **_kwargs: Any) -> Path:
        raise StorageError("Ổ đĩa đầy: không ghi được bản sao lưu.")

    monkeypatch.setattr(backup, "auto_backup", full_disk)
    window.backup_on_close = True
    window.close()
    assert not window.isVisible()
    assert "Ổ đĩa đầy" in modals.texts("error")[0]


def test_unexpected_errors_are_logged_and_told_in_vietnamese(tmp_path: Path, modals: Any) -> None:
    log_path, undo = gui_app.setup_logging(tmp_path)
    hook = gui_app.make_excepthook(lambda *_args: None)
    try:
        try:
            raise ZeroDivisionError("boom")
        except ZeroDivisionError as exc:
            hook(type(exc), exc, exc.__traceback__)
    finally:
        undo()
    shown = modals.texts("error")[0]
    assert "lỗi không mong muốn" in shown and str(log_path) in shown
    assert "ZeroDivisionError: boom" in log_path.read_text(encoding="utf-8")


def test_user_errors_reaching_the_hook_show_their_own_message(modals: Any) -> None:
    from app.core.errors import ValidationError

    hook = gui_app.make_excepthook(lambda *_args: None)
    err = ValidationError("Họ tên không được để trống.")
    hook(type(err), err, None)
    assert modals.texts("error") == ["Họ tên không được để trống."]


def test_guarded_shows_a_user_error_instead_of_raising(modals: Any) -> None:
    from app.core.errors import NotFoundError

    with messages.guarded(None):
        raise NotFoundError("Không tìm thấy hộ này.")
    assert modals.texts("error") == ["Không tìm thấy hộ này."]


def test_window_size_is_remembered_between_sessions(qtbot: Any, ctx: Any) -> None:
    from app.ui.main_window import MainWindow

    first = MainWindow(ctx)
    first.backup_on_close = False
    qtbot.addWidget(first)
    first.show()
    first.resize(760, 540)  # within the 800×600 offscreen screen
    first.close()

    second = MainWindow(ctx)
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (760, 540)
