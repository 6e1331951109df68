"""Keep every dialog inside the screen it opens on (125 % scaling, large text, 1280×720).

:func:`fit_to_screen` shrinks a dialog whose size is more than the screen leaves and,
if even its minimum is too big, puts its content (all but the buttons) in a scroll
area, so "Lưu" and "Hủy" are always on screen. It runs for every dialog the first
time the focus enters it (:mod:`app.ui.keyboard` installs the hook).
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

TITLE_BAR = 32  # what the window manager's title bar takes from the screen's height
_FITTED = "khuyenhoc_fitted"


def usable(available: QRect | QSize) -> QSize:
    size = available.size() if isinstance(available, QRect) else available
    return QSize(size.width(), size.height() - TITLE_BAR)


def needs(widget: QWidget) -> QSize:
    """The smallest size the widget can be laid out in."""
    return widget.minimumSizeHint().expandedTo(widget.minimumSize())


def fit_to_screen(dialog: QDialog, available: QRect | QSize | None = None) -> None:
    if isinstance(dialog, QMessageBox):
        return
    room = usable(available if available is not None else dialog.screen().availableGeometry())
    need = needs(dialog)
    if need.width() > room.width() or need.height() > room.height():
        _scroll_content(dialog)
        dialog.setMinimumSize(needs(dialog).boundedTo(room))
    if dialog.width() > room.width() or dialog.height() > room.height():
        dialog.resize(dialog.size().boundedTo(room))


def _scroll_content(dialog: QDialog) -> None:
    """Move the dialog's layout into a scroll area, its button box below it."""
    if dialog.property(_FITTED) or dialog.layout() is None:
        return
    dialog.setProperty(_FITTED, True)
    content = QWidget()
    content.setLayout(dialog.layout())  # Qt hands a layout over from its old widget
    buttons = [b for b in content.findChildren(QDialogButtonBox) if b.parent() is content]
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(content)
    outer = QVBoxLayout(dialog)
    outer.setContentsMargins(0, 0, 0, 6)
    outer.addWidget(scroll, 1)
    for box in buttons:
        layout = content.layout()
        if layout is not None:
            layout.removeWidget(box)
        box.setParent(dialog)
        outer.addWidget(box)
        outer.setContentsMargins(0, 0, 9, 9)
    if dialog.minimumWidth() or dialog.minimumHeight():
        dialog.setMinimumSize(0, 0)
