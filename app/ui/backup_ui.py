"""Tệp → Sao lưu… and Tệp → Khôi phục…: the core backup functions behind a file
picker, a confirmation and a progress dialog.

Restoring closes the database, copies the backup in (the core keeps the current
data as a backup first), reopens it and tells every screen to reload. If
anything fails, the current database is reopened as it was.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core import backup, settings
from app.core.errors import UserError
from app.ui import workers
from app.ui.screens.base import AppContext
from app.ui.widgets import messages

FILE_FILTER = "Bản sao lưu Sổ Khuyến Học (*.sqlite3 *.sqlite3.age);;Mọi tệp (*)"


def _secret_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class BackupOptionsDialog(QDialog):
    """Before a backup: encrypt it with a passphrase? (checkbox + passphrase twice)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sao lưu dữ liệu")
        layout = QVBoxLayout(self)
        self.encrypt = QCheckBox("Mã hóa bản sao lưu bằng mật khẩu")
        layout.addWidget(self.encrypt)
        form = QFormLayout()
        self.passphrase = _secret_edit()
        self.again = _secret_edit()
        form.addRow("Mật khẩu:", self.passphrase)
        form.addRow("Nhập lại:", self.again)
        layout.addLayout(form)
        note = QLabel(
            "Nên mã hóa khi chép bản sao lưu ra USB hay máy khác. Quên mật khẩu thì không "
            "ai mở được bản sao lưu này: hãy ghi lại và cất giữ mật khẩu."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b00020;")
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout.addWidget(buttons)
        for edit in (self.passphrase, self.again):
            edit.setEnabled(False)
            self.encrypt.toggled.connect(edit.setEnabled)

    def chosen_passphrase(self) -> str | None:
        return self.passphrase.text() if self.encrypt.isChecked() else None

    def _submit(self) -> None:
        if self.encrypt.isChecked():
            if self.passphrase.text() != self.again.text():
                self.error_label.setText("Hai lần nhập mật khẩu không giống nhau.")
                return
            try:
                backup.check_passphrase(self.passphrase.text())
            except UserError as err:
                self.error_label.setText(err.message)
                return
        self.accept()


class PassphraseDialog(QDialog):
    """Restoring an encrypted backup: its passphrase."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Bản sao lưu đã mã hóa")
        layout = QVBoxLayout(self)
        label = QLabel(f"Nhập mật khẩu của bản sao lưu {name}:")
        label.setWordWrap(True)
        layout.addWidget(label)
        self.passphrase = _secret_edit()
        layout.addWidget(self.passphrase)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout.addWidget(buttons)


def choose_backup_options(parent: QWidget | None) -> tuple[bool, str | None]:
    """(went on, passphrase or None). A function of its own so tests can answer it."""
    dialog = BackupOptionsDialog(parent)
    if not dialog.exec():
        return False, None
    return True, dialog.chosen_passphrase()


def ask_passphrase(parent: QWidget | None, name: str) -> str | None:
    dialog = PassphraseDialog(name, parent)
    return dialog.passphrase.text() if dialog.exec() else None


def backup_folder(ctx: AppContext) -> Path:
    options = settings.load(ctx.db)
    return backup.backup_dir_for(ctx.data_dir, options.backup_dir)


def default_backup_name(now: dt.datetime | None = None) -> str:
    return f"{backup.MANUAL_PREFIX}{(now or dt.datetime.now()):%Y%m%d-%H%M}{backup.SUFFIX}"


def backup_now(parent: QWidget, ctx: AppContext) -> workers.Task | None:
    """Ask where to write the backup, then write it in the background."""
    with messages.guarded(parent):
        went_on, passphrase = choose_backup_options(parent)
        if not went_on:
            return None
        folder = backup_folder(ctx)
        name = default_backup_name() + (backup.ENCRYPTED_SUFFIX if passphrase else "")
        dest = messages.choose_save_file(parent, "Sao lưu dữ liệu", folder / name, FILE_FILTER)
        if dest is None:
            return None
        if dest.name.lower().endswith(backup.ENCRYPTED_SUFFIX):
            dest = dest.with_name(dest.name[: -len(backup.ENCRYPTED_SUFFIX)])
        if dest.suffix.lower() != backup.SUFFIX:
            dest = dest.with_name(dest.name + backup.SUFFIX)
        db_path = ctx.db.path

        def job(progress: workers.ProgressFn, _cancel: workers.CancelFn) -> Path:
            return backup.make_backup(db_path, dest, progress=progress, passphrase=passphrase)

        def done(made: Path) -> None:
            messages.inform(parent, f"Đã sao lưu dữ liệu vào:\n{made}", title="Sao lưu")

        return workers.run_in_background(
            job, done, parent=parent, progress_label="Đang sao lưu dữ liệu…"
        )
    return None


def confirm_text(info: backup.BackupInfo, current_code: str | None) -> str:
    lines = ["Khôi phục dữ liệu từ bản sao lưu này?", "", info.describe(), ""]
    if current_code and info.commune_code and info.commune_code != current_code:
        lines.append(
            f"Lưu ý: bản sao lưu này là của {info.commune_name or 'một xã khác'}, "
            "khác với xã đang dùng."
        )
    lines.append("Dữ liệu hiện tại sẽ được sao lưu trước khi thay.")
    return "\n".join(lines)


def restore_from_backup(parent: QWidget, ctx: AppContext) -> workers.Task | None:
    """Pick a backup, show what it holds, and replace the current data with it."""
    with messages.guarded(parent):
        source = messages.choose_open_file(
            parent, "Chọn bản sao lưu để khôi phục", backup_folder(ctx), FILE_FILTER
        )
        if source is None:
            return None
        current = settings.get_commune(ctx.db)
        code = current.code if current else None
        if not backup.is_encrypted(source):
            return _confirm_and_restore(parent, ctx, backup.inspect_backup(source), code, None)
        passphrase = ask_passphrase(parent, source.name)
        if passphrase is None:
            return None
        data_dir = ctx.data_dir

        # Decrypting takes a moment (scrypt): off the UI thread. A wrong passphrase is
        # told by the worker (a UserError) and nothing is touched.
        def inspect(_progress: workers.ProgressFn, _cancel: workers.CancelFn) -> object:
            return backup.inspect_backup(source, passphrase, work_dir=data_dir)

        return workers.run_in_background(
            inspect,
            lambda info: _confirm_and_restore(parent, ctx, info, code, passphrase),  # type: ignore[arg-type]
            parent=parent,
            progress_label="Đang giải mã bản sao lưu…",
            writes=False,
        )
    return None


def _confirm_and_restore(
    parent: QWidget,
    ctx: AppContext,
    info: backup.BackupInfo,
    current_code: str | None,
    passphrase: str | None,
) -> workers.Task | None:
    question = confirm_text(info, current_code)
    if not messages.ask(parent, question, title="Khôi phục", yes="Khôi phục"):
        return None
    return _restore(parent, ctx, info.path, passphrase)


def _reopen(ctx: AppContext) -> Any:
    from app.core.workspace import open_workspace

    return open_workspace(ctx.data_dir).db


def _restore(
    parent: QWidget, ctx: AppContext, source: Path, passphrase: str | None = None
) -> workers.Task:
    db_path = ctx.db.path
    ctx.detach()

    def job(
        progress: workers.ProgressFn, _cancel: workers.CancelFn
    ) -> tuple[Path | None, Any, str]:
        from app.core.sync.writer import restore_note

        safety = backup.restore_backup(db_path, source, progress, passphrase=passphrase)
        db = _reopen(ctx)  # an older backup is migrated here, off the UI thread
        return safety, db, restore_note(db)

    def done(result: tuple[Path | None, Any, str]) -> None:
        safety, db, sync_note = result
        ctx.attach(db)
        kept = f"\n\nDữ liệu trước khi khôi phục được giữ trong:\n{safety}" if safety else ""
        sync = f"\n\n{sync_note}" if sync_note else ""
        messages.inform(
            parent, f"Đã khôi phục dữ liệu từ {source.name}.{kept}{sync}", title="Khôi phục"
        )

    def failed(exc: BaseException) -> None:
        try:
            ctx.attach(_reopen(ctx))
        except UserError as again:
            messages.error(
                parent,
                f"Không mở lại được dữ liệu: {again.message}\nHãy đóng chương trình và mở lại.",
            )
            return
        if isinstance(exc, UserError):
            messages.error(
                parent, f"Không khôi phục được: {exc.message}\n\nDữ liệu hiện tại vẫn giữ nguyên."
            )
        else:
            messages.unexpected(parent, exc)

    return workers.run_in_background(
        job, done, failed, parent=parent, progress_label="Đang khôi phục dữ liệu…"
    )
