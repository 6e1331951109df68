"""Preferences of this computer, not of the data: window geometry and the text size.

They live in ``QSettings`` (an INI file in the user's config folder), so a backup
of the commune does not carry one laptop's screen into another. The text size
(Nhỏ / Vừa / Lớn / Rất lớn) is the application font's point size; every screen
and dialog is laid out from it, so one setting enlarges everything at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

TEXT_SIZE_KEY = "ui/text_size"


@dataclass(frozen=True)
class TextSize:
    key: str
    label: str
    points: float


TEXT_SIZES: tuple[TextSize, ...] = (
    TextSize("small", "Nhỏ", 9.0),
    TextSize("medium", "Vừa", 10.0),
    TextSize("large", "Lớn", 12.0),
    TextSize("xlarge", "Rất lớn", 14.0),
)
DEFAULT_TEXT_SIZE = "medium"


def ui_settings() -> QSettings:
    """Window geometry and such (not data): an INI file in the user's config folder."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "SoKhuyenHoc", "window")


def text_size(key: str) -> TextSize:
    """The size called ``key``; an unknown key (a hand-edited file) is the default."""
    for size in TEXT_SIZES:
        if size.key == key:
            return size
    return text_size(DEFAULT_TEXT_SIZE)


def stored_text_size(store: QSettings | None = None) -> TextSize:
    value = (store or ui_settings()).value(TEXT_SIZE_KEY, DEFAULT_TEXT_SIZE)
    return text_size(str(value))


def remember_text_size(key: str, store: QSettings | None = None) -> None:
    store = store or ui_settings()
    store.setValue(TEXT_SIZE_KEY, text_size(key).key)
    store.sync()


def apply_text_size(key: str, app: QApplication | None = None) -> TextSize:
    """Set the application font to the size's points; widgets without a font of their
    own follow at once (screens with headings are rebuilt by the main window)."""
    size = text_size(key)
    app = app or QApplication.instance()  # type: ignore[assignment]
    if isinstance(app, QApplication):
        font = app.font()
        font.setPointSizeF(size.points)
        app.setFont(font)
    return size
