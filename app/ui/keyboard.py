"""Keyboard-only use, the same in every screen and dialog.

Two rules are applied wherever the focus goes (:func:`install` listens to the
application's ``focusChanged``, so no screen or dialog has to remember them):

* **Tab leaves a table.** Qt's tables move from cell to cell on Tab, which traps a
  keyboard user inside; here Tab goes to the next field or button and the arrows
  move within the table. (The scoring grid moves on with Enter.)
* **Ctrl+S saves a dialog**: it presses the dialog's "Lưu" / accept button, the
  same as a click, so validation and messages are the dialog's own.

Thêm (Ctrl+N), Sửa (Enter), Xóa (Delete) belong to the registry screens, and the
screens' Ctrl+1…9 to the main window's Xem menu. The same hook keeps each dialog
inside its screen (:func:`app.ui.fit.fit_to_screen`).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QMessageBox,
    QWidget,
)

SAVE_KEYS = QKeySequence(QKeySequence.StandardKey.Save)  # Ctrl+S
_SAVE_PROPERTY = "khuyenhoc_save_shortcut"
_ACCEPT_ROLES = (
    QDialogButtonBox.ButtonRole.AcceptRole,
    QDialogButtonBox.ButtonRole.YesRole,
    QDialogButtonBox.ButtonRole.ApplyRole,
)


class _Policy(QObject):
    def focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is None:
            return
        leave_tables_on_tab(new)
        window = new.window()
        if isinstance(window, QDialog) and not window.property(_SAVE_PROPERTY):
            from app.ui.fit import fit_to_screen

            fit_to_screen(window)  # once, the first time the focus enters it
            add_save_shortcut(window)


_policy: _Policy | None = None


def install(app: QApplication | None = None) -> None:
    """Apply the rules above in the whole application (idempotent)."""
    global _policy
    app = app or QApplication.instance()  # type: ignore[assignment]
    if _policy is not None or not isinstance(app, QApplication):
        return
    _policy = _Policy(app)
    app.focusChanged.connect(_policy.focus_changed)


def leave_tables_on_tab(widget: QWidget) -> None:
    if isinstance(widget, QAbstractItemView) and widget.tabKeyNavigation():
        widget.setTabKeyNavigation(False)


def save_button(dialog: QDialog) -> QAbstractButton | None:
    """The button Ctrl+S presses: the first enabled accept ("Lưu", "Công nhận"…) button."""
    for box in dialog.findChildren(QDialogButtonBox):
        if box.window() is not dialog:
            continue
        for role in _ACCEPT_ROLES:
            for button in box.buttons():
                if box.buttonRole(button) == role and button.isEnabled() and button.isVisible():
                    return button
    return None


def add_save_shortcut(dialog: QDialog) -> None:
    """Ctrl+S in ``dialog`` presses its save button (once per dialog; not in message
    boxes or file choosers, whose buttons are not a save)."""
    if dialog.property(_SAVE_PROPERTY) or isinstance(dialog, QMessageBox | QFileDialog):
        return
    dialog.setProperty(_SAVE_PROPERTY, True)
    shortcut = QShortcut(SAVE_KEYS, dialog)
    shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
    shortcut.activated.connect(lambda: _press_save(dialog))
    button = save_button(dialog)
    if button is not None and not button.toolTip():
        button.setToolTip("Lưu (Ctrl+S)")


def _press_save(dialog: QDialog) -> None:
    button = save_button(dialog)
    if button is not None:
        button.setFocus()  # an open cell editor commits its value first
        button.click()
