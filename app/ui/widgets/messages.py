"""Every modal question the window asks goes through this module.

Screens call ``messages.ask(...)`` / ``messages.error(...)`` (never QMessageBox
directly), so a test can monkeypatch one function to answer a question or
record a message instead of blocking on a modal box. File pickers are here for
the same reason.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

from app.core.errors import UserError

APP_TITLE = "Sổ Khuyến Học"
log = logging.getLogger("khuyenhoc.ui")


def _box(
    parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str, detail: str = ""
) -> QMessageBox:
    box = QMessageBox(icon, title or APP_TITLE, text, QMessageBox.StandardButton.NoButton, parent)
    if detail:
        box.setInformativeText(detail)
    return box


def inform(parent: QWidget | None, text: str, title: str = APP_TITLE, detail: str = "") -> None:
    box = _box(parent, QMessageBox.Icon.Information, title, text, detail)
    box.addButton("Đóng", QMessageBox.ButtonRole.AcceptRole)
    box.exec()


def error(parent: QWidget | None, text: str, title: str = APP_TITLE, detail: str = "") -> None:
    box = _box(parent, QMessageBox.Icon.Warning, title, text, detail)
    box.addButton("Đóng", QMessageBox.ButtonRole.AcceptRole)
    box.exec()


def ask(
    parent: QWidget | None,
    text: str,
    title: str = APP_TITLE,
    yes: str = "Đồng ý",
    no: str = "Hủy",
    detail: str = "",
) -> bool:
    """A yes/no question; the safe answer (``no``) is the default button."""
    box = _box(parent, QMessageBox.Icon.Question, title, text, detail)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    no_button = box.addButton(no, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no_button)
    box.setEscapeButton(no_button)
    box.exec()
    return box.clickedButton() is yes_button


@contextlib.contextmanager
def guarded(parent: QWidget | None, title: str = APP_TITLE) -> Iterator[None]:
    """Run an action; a :class:`UserError` becomes a message box instead of a traceback."""
    try:
        yield
    except UserError as err:
        log.info("user error: %s", err.message)
        error(parent, err.message, title)


def file_dialog(
    parent: QWidget | None, title: str, start: Path, filters: str, mode: str
) -> QFileDialog:
    """A file dialog with Vietnamese labels and buttons (``mode``: save | open | folder).

    Where the system has its own dialog (Windows, macOS) that one is shown, in the
    system's language; elsewhere Qt's dialog, in Vietnamese (labels here, the rest
    through :mod:`app.ui.vietnamese`)."""
    dialog = QFileDialog(parent, title, str(start), filters)
    if mode == "save":
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.selectFile(str(start))
        accept = "Lưu"
    elif mode == "folder":
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly)
        accept = "Chọn"
    else:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        accept = "Mở"
    for label, text in (
        (QFileDialog.DialogLabel.LookIn, "Thư mục:"),
        (QFileDialog.DialogLabel.FileName, "Tên thư mục:" if mode == "folder" else "Tên tệp:"),
        (QFileDialog.DialogLabel.FileType, "Loại tệp:"),
        (QFileDialog.DialogLabel.Accept, accept),
        (QFileDialog.DialogLabel.Reject, "Hủy"),
    ):
        dialog.setLabelText(label, text)
    return dialog


def _chosen(dialog: QFileDialog) -> Path | None:
    if not dialog.exec():
        return None
    files = dialog.selectedFiles()
    return Path(files[0]) if files else None


def choose_save_file(parent: QWidget | None, title: str, start: Path, filters: str) -> Path | None:
    return _chosen(file_dialog(parent, title, start, filters, "save"))


def choose_open_file(parent: QWidget | None, title: str, start: Path, filters: str) -> Path | None:
    return _chosen(file_dialog(parent, title, start, filters, "open"))


def choose_directory(parent: QWidget | None, title: str, start: Path) -> Path | None:
    return _chosen(file_dialog(parent, title, start, "", "folder"))


def input_dialog(parent: QWidget | None, title: str, label: str) -> QInputDialog:
    """A one-line question with Vietnamese buttons (Qt's own say "OK" / "Cancel")."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title or APP_TITLE)
    dialog.setLabelText(label)
    dialog.setOkButtonText("Đồng ý")
    dialog.setCancelButtonText("Hủy")
    return dialog


def ask_text(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
    """A line of text from the user; None if cancelled."""
    dialog = input_dialog(parent, title, label)
    dialog.setTextValue(text)
    return dialog.textValue() if dialog.exec() else None


def ask_choice(
    parent: QWidget | None, title: str, label: str, choices: list[str], current: int = 0
) -> str | None:
    """One of ``choices`` from a drop-down; None if cancelled."""
    dialog = input_dialog(parent, title, label)
    dialog.setComboBoxItems(choices)
    dialog.setComboBoxEditable(False)
    if choices:
        dialog.setTextValue(choices[min(max(current, 0), len(choices) - 1)])
    return dialog.textValue() if dialog.exec() else None


# Set by app.setup_logging(); shown in the "unexpected error" message.
log_file: Path | None = None


def unexpected(parent: QWidget | None, exc: BaseException) -> None:
    """A bug, not a user mistake: log the traceback, show a short Vietnamese message."""
    if isinstance(exc, UserError):
        error(parent, exc.message)
        return
    log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    where = f" Chi tiết đã được ghi vào {log_file}." if log_file else ""
    error(
        parent,
        "Đã xảy ra lỗi không mong muốn; thao tác vừa rồi chưa hoàn tất." + where,
        detail="Dữ liệu đã lưu trước đó không bị ảnh hưởng. Nếu lỗi lặp lại, "
        "hãy gửi tệp nhật ký cho người hỗ trợ.",
    )
