"""Signing in, the first account, recovery, the accounts list, the idle lock.

The window opens only after someone signs in. A data folder without any account
(a database from before accounts, or a new one) first asks for the secretary's
account; its recovery code is shown once and must be written down or printed.
The core does the work (:mod:`app.core.accounts.service`); these dialogs only ask.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.accounts import permissions, service
from app.core.db import Database
from app.core.errors import UserError, ValidationError
from app.ui.widgets import messages


def _password_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.3)
    font.setBold(True)
    label.setFont(font)
    return label


class RecoveryCodeDialog(QDialog):
    """Shows a recovery code once; OK only after "I have written it down" is ticked."""

    def __init__(
        self,
        username: str,
        code: str,
        parent: QWidget | None = None,
        db: Database | None = None,
        role_label: str = "",
        full_name: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Mã khôi phục — chỉ hiện một lần")
        self.code = code
        self.username = username
        self.db = db
        self.role_label = role_label
        self.full_name = full_name
        layout = QVBoxLayout(self)
        layout.addWidget(_heading(f"Mã khôi phục của tài khoản “{username}”"))
        self.code_label = QLabel(code)
        self.code_label.setObjectName("recovery_code")
        font = self.code_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setFamily("monospace")
        self.code_label.setFont(font)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.code_label)
        note = QLabel(
            "Khi quên mật khẩu, mã này cho phép đặt mật khẩu mới mà không mất dữ liệu. "
            "Hãy in hoặc chép mã ra giấy, cất nơi an toàn. Phần mềm không lưu mã này và "
            "sẽ không hiện lại."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        row = QHBoxLayout()
        self.print_button = QPushButton("In mã…")
        self.print_button.clicked.connect(self.print_sheet)
        row.addWidget(self.print_button)
        copy = QPushButton("Chép mã")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(code))
        row.addWidget(copy)
        row.addStretch(1)
        layout.addLayout(row)
        self.written = QCheckBox("Tôi đã in hoặc chép mã này ra giấy")
        layout.addWidget(self.written)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setEnabled(False)
        self.written.toggled.connect(self.ok_button.setEnabled)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

    def print_sheet(self) -> None:
        """The code on an A4 sheet (PDF), opened in the print preview to print it."""
        from pathlib import Path

        from app.core.printing.recovery_sheet import write_recovery_sheet

        if self.db is None:
            return
        start = Path.home() / f"ma-khoi-phuc-{self.username}.pdf"
        target = messages.choose_save_file(self, "Lưu tờ mã khôi phục để in", start, "PDF (*.pdf)")
        if target is None:
            return
        with messages.guarded(self):
            result = write_recovery_sheet(
                self.db,
                target,
                self.username,
                self.role_label,
                self.code,
                full_name=self.full_name,
            )
            from app.ui.dialogs.print_preview import show_preview

            show_preview(self, result.path, "Mã khôi phục")

    def reject(self) -> None:
        if self.written.isChecked():
            super().reject()


def show_recovery_code(
    parent: QWidget | None, made: service.NewAccount, db: Database | None = None
) -> None:
    a = made.account
    RecoveryCodeDialog(a.username, made.recovery_code, parent, db, a.role_label, a.full_name).exec()


class _FormDialog(QDialog):
    """A small form whose OK button runs :meth:`submit`; a refusal keeps it open."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.layout_ = QVBoxLayout(self)
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)
        self.error_label = QLabel()
        self.error_label.setObjectName("error_label")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        self.layout_.addWidget(self.error_label)
        self.layout_.addWidget(self.buttons)

    def _submit(self) -> None:
        try:
            self.submit()
        except UserError as err:
            self.error_label.setText(err.message)
            return
        self.accept()

    @abstractmethod
    def submit(self) -> None:
        """Do the form's work; a :class:`UserError` is shown and keeps the form open."""


class NewAccountDialog(_FormDialog):
    """The first account (the secretary, fixed) or another one chosen by the secretary."""

    def __init__(self, db: Database, first: bool, parent: QWidget | None = None) -> None:
        super().__init__("Tạo tài khoản Thư ký" if first else "Thêm tài khoản", parent)
        self.db = db
        self.first = first
        self.made: service.NewAccount | None = None
        if first:
            intro = QLabel(
                "Sổ có thông tin cá nhân của người dân và trẻ em, nên mỗi người dùng cần "
                "một tài khoản. Tài khoản đầu tiên là của Thư ký Hội: Thư ký tạo tài khoản "
                "cho Chủ tịch, Thủ quỹ, chi hội/thôn và người chỉ xem."
            )
            intro.setWordWrap(True)
            self.layout_.insertWidget(0, intro)
        self.username = QLineEdit()
        self.username.setPlaceholderText("vd. thuky (không dấu, không cách)")
        self.full_name = QLineEdit()
        self.role = QComboBox()
        for key, label in permissions.ROLES.items():
            self.role.addItem(label, key)
        self.role.setEnabled(not first)
        self.password = _password_edit()
        self.again = _password_edit()
        self.form.addRow("Tên đăng nhập:", self.username)
        self.form.addRow("Họ và tên:", self.full_name)
        self.form.addRow("Vai trò:", self.role)
        self.form.addRow(f"Mật khẩu (ít nhất {service.MIN_PASSWORD} ký tự):", self.password)
        self.form.addRow("Nhập lại mật khẩu:", self.again)
        self.finish_layout()

    def submit(self) -> None:
        if self.password.text() != self.again.text():
            raise ValidationError("Hai lần nhập mật khẩu không giống nhau.")
        self.made = service.create_account(
            self.db,
            self.username.text(),
            self.password.text(),
            str(self.role.currentData()),
            self.full_name.text(),
        )
        show_recovery_code(self, self.made, self.db)


class LoginDialog(_FormDialog):
    """Name and password; "Quên mật khẩu…" leads to the recovery code."""

    def __init__(
        self, db: Database, parent: QWidget | None = None, username: str = "", locked: bool = False
    ) -> None:
        super().__init__("Sổ Khuyến Học — Đăng nhập" if not locked else "Đã khóa màn hình", parent)
        self.db = db
        self.account: service.AccountView | None = None
        if locked:
            note = QLabel("Màn hình đã khóa vì lâu không dùng. Nhập mật khẩu để làm tiếp.")
            note.setWordWrap(True)
            self.layout_.insertWidget(0, note)
        self.username = QLineEdit(username)
        self.username.setReadOnly(locked)
        self.password = _password_edit()
        self.form.addRow("Tên đăng nhập:", self.username)
        self.form.addRow("Mật khẩu:", self.password)
        self.forgot = QPushButton("Quên mật khẩu…")
        self.forgot.clicked.connect(self.recover)
        self.layout_.addWidget(self.forgot)
        self.finish_layout()
        (self.password if username else self.username).setFocus()

    def submit(self) -> None:
        self.account = service.sign_in(self.db, self.username.text(), self.password.text())

    def recover(self) -> None:
        dialog = RecoverDialog(self.db, self, self.username.text())
        if dialog.exec():
            self.password.clear()
            self.error_label.setText("Đã đặt mật khẩu mới: hãy đăng nhập bằng mật khẩu đó.")


class RecoverDialog(_FormDialog):
    def __init__(self, db: Database, parent: QWidget | None = None, username: str = "") -> None:
        super().__init__("Đặt lại mật khẩu bằng mã khôi phục", parent)
        self.db = db
        note = QLabel(
            "Nhập mã khôi phục đã in khi tạo tài khoản. Dữ liệu không bị ảnh hưởng; "
            "một mã khôi phục mới sẽ được cấp (mã cũ hết dùng được)."
        )
        note.setWordWrap(True)
        self.layout_.insertWidget(0, note)
        self.username = QLineEdit(username)
        self.code = QLineEdit()
        self.code.setPlaceholderText("mã 20 ký tự: ····-····-····-····-····")
        self.password = _password_edit()
        self.again = _password_edit()
        self.form.addRow("Tên đăng nhập:", self.username)
        self.form.addRow("Mã khôi phục:", self.code)
        self.form.addRow("Mật khẩu mới:", self.password)
        self.form.addRow("Nhập lại:", self.again)
        self.finish_layout()

    def submit(self) -> None:
        if self.password.text() != self.again.text():
            raise ValidationError("Hai lần nhập mật khẩu không giống nhau.")
        made = service.recover(
            self.db, self.username.text(), self.code.text(), self.password.text()
        )
        show_recovery_code(self, made, self.db)


class ChangePasswordDialog(_FormDialog):
    """One's own password (the old one first), or anyone's for the secretary."""

    def __init__(self, db: Database, username: str, parent: QWidget | None = None) -> None:
        super().__init__(f"Đổi mật khẩu — {username}", parent)
        self.db = db
        self.target = username
        self.own = username == db.actor
        self.old = _password_edit()
        self.password = _password_edit()
        self.again = _password_edit()
        if self.own:
            self.form.addRow("Mật khẩu hiện tại:", self.old)
        self.form.addRow("Mật khẩu mới:", self.password)
        self.form.addRow("Nhập lại:", self.again)
        self.finish_layout()

    def submit(self) -> None:
        if self.password.text() != self.again.text():
            raise ValidationError("Hai lần nhập mật khẩu không giống nhau.")
        if self.own:
            service.authenticate(self.db, self.target, self.old.text())
        service.change_password(self.db, self.target, self.password.text())


class AccountsDialog(QDialog):
    """The secretary's list of accounts: add, lock/unlock, set a password."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("Tài khoản người dùng")
        self.resize(640, 360)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(
            ["Tên đăng nhập", "Họ và tên", "Vai trò", "Trạng thái"]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton("Thêm tài khoản…")
        self.add_button.clicked.connect(self.add)
        self.toggle_button = QPushButton("Khóa / mở lại")
        self.toggle_button.clicked.connect(self.toggle)
        self.password_button = QPushButton("Đặt mật khẩu…")
        self.password_button.clicked.connect(self.set_password)
        close = QPushButton("Đóng")
        close.clicked.connect(self.accept)
        for button in (self.add_button, self.toggle_button, self.password_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.reload()

    def reload(self) -> None:
        self.accounts = service.list_accounts(self.db)
        self.table.setRowCount(len(self.accounts))
        for i, a in enumerate(self.accounts):
            state = "đã khóa" if a.disabled else "đang dùng"
            if a.failed_logins:
                state += f" ({a.failed_logins} lần sai mật khẩu)"
            for j, text in enumerate((a.username, a.full_name, a.role_label, state)):
                self.table.setItem(i, j, QTableWidgetItem(text))

    def _current(self) -> service.AccountView | None:
        row = self.table.currentRow()
        return self.accounts[row] if 0 <= row < len(self.accounts) else None

    def add(self) -> None:
        if NewAccountDialog(self.db, first=False, parent=self).exec():
            self.reload()

    def toggle(self) -> None:
        account = self._current()
        if account is None:
            return
        with messages.guarded(self):
            service.set_disabled(self.db, account.username, not account.disabled)
        self.reload()

    def set_password(self) -> None:
        account = self._current()
        if account is not None:
            ChangePasswordDialog(self.db, account.username, self).exec()


def sign_in_at_start(db: Database, parent: QWidget | None = None) -> bool:
    """Before the window: create the first account if there is none, then sign in.

    False if the person closed a dialog instead (the window then does not open).
    """
    if not service.has_accounts(db):
        first = NewAccountDialog(db, first=True, parent=parent)
        if not first.exec() or first.made is None:
            return False
        service.act_as(db, first.made.account)
        return True
    login = LoginDialog(db, parent)
    return bool(login.exec()) and login.account is not None


class IdleLock(QObject):
    """Emits :attr:`timed_out` after the set minutes without a key press or a click."""

    timed_out = Signal()
    ACTIVITY = frozenset(
        {
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseMove,
            QEvent.Type.Wheel,
        }
    )

    def __init__(self, minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.timed_out.emit)
        self.set_minutes(minutes)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_minutes(self, minutes: int) -> None:
        self.minutes = minutes
        if minutes > 0:
            self.timer.start(minutes * 60_000)
        else:
            self.timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.minutes > 0 and event.type() in self.ACTIVITY:
            self.timer.start(self.minutes * 60_000)
        return False

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


__all__: list[Any] = [
    "AccountsDialog",
    "ChangePasswordDialog",
    "IdleLock",
    "LoginDialog",
    "NewAccountDialog",
    "RecoverDialog",
    "RecoveryCodeDialog",
    "sign_in_at_start",
]
