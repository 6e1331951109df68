"""Encrypted backups in the window: the checkbox in "Sao lưu…", the passphrase on restore."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.core import backup
from app.core.registry.listing import HOUSEHOLDS, ListQuery
from app.ui import backup_ui, workers

REAL_OPTIONS = backup_ui.choose_backup_options
PASSPHRASE = "câu mật khẩu dài"


def _when_shown(kind: type, act: Callable[[Any], None]) -> None:
    def attempt() -> None:
        dialog = next(
            (w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()),
            None,
        )
        if dialog is None:
            QTimer.singleShot(10, attempt)
            return
        act(dialog)

    QTimer.singleShot(0, attempt)


def test_the_backup_dialog_encrypts_when_ticked_and_restore_asks_for_the_passphrase(
    qtbot: Any, window: Any, modals: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup_ui, "choose_backup_options", REAL_OPTIONS)
    said: list[str] = []

    def tick(dialog: backup_ui.BackupOptionsDialog) -> None:
        assert not dialog.passphrase.isEnabled()
        dialog.encrypt.setChecked(True)
        dialog.passphrase.setText(PASSPHRASE)
        dialog.again.setText("khác")
        dialog.buttons.accepted.emit()
        said.append(dialog.error_label.text())
        dialog.again.setText(PASSPHRASE)
        dialog.buttons.accepted.emit()

    target = window.ctx.data_dir.parent / "ban-sao.sqlite3"
    modals.files.append(target)
    _when_shown(backup_ui.BackupOptionsDialog, tick)
    window.backup_now()
    qtbot.waitUntil(lambda: not workers.busy(), timeout=60_000)
    assert said == ["Hai lần nhập mật khẩu không giống nhau."]
    sealed = target.with_name("ban-sao.sqlite3.age")
    assert sealed.exists() and not target.exists()
    assert backup.is_encrypted(sealed)

    households = HOUSEHOLDS.count(window.ctx.db, ListQuery())
    db_before = window.ctx.db
    # A wrong passphrase: told in Vietnamese, the data stays open and unchanged.
    monkeypatch.setattr(backup_ui, "ask_passphrase", lambda _p, _n: "sai mật khẩu rồi")
    modals.files.append(sealed)
    window.restore_from_backup()
    qtbot.waitUntil(lambda: not workers.busy(), timeout=60_000)
    assert any("Sai mật khẩu của bản sao lưu" in t for t in modals.texts("error"))
    assert window.ctx.db is db_before
    assert modals.texts("ask") == []

    monkeypatch.setattr(backup_ui, "ask_passphrase", lambda _p, _n: PASSPHRASE)
    modals.files.append(sealed)
    modals.answers.append(True)
    window.restore_from_backup()
    qtbot.waitUntil(lambda: not workers.busy(), timeout=60_000)
    qtbot.waitUntil(lambda: window.ctx.available, timeout=60_000)
    assert "hộ gia đình: 8" in modals.texts("ask")[0]
    assert any("Đã khôi phục" in t for t in modals.texts("inform"))
    assert HOUSEHOLDS.count(window.ctx.db, ListQuery()) == households
