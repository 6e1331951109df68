"""Large text and display scaling: at every text size (Nhỏ … Rất lớn) no screen and no
dialog needs more room than a 1366×768 screen at 100 % and 125 %, or 1280×720 at 100 %,
leaves; the text size applies at once and is remembered.

At 125 % scaling Qt lays out in logical pixels: a 1366×768 screen is 1093×614 logical
pixels, and the taskbar takes 40 physical pixels, so that is the room checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication, QDialog, QVBoxLayout, QWidget

from app.ui.fit import TITLE_BAR, fit_to_screen, needs
from app.ui.preferences import TEXT_SIZES, apply_text_size, remember_text_size, stored_text_size
from tests.gui.catalogue import DIALOGS

pytestmark = pytest.mark.gui
TASKBAR = 40
SCREENS = {  # name → (width, height, scale)
    "1366×768 100 %": (1366, 768, 1.0),
    "1366×768 125 %": (1366, 768, 1.25),
    "1280×720 100 %": (1280, 720, 1.0),
}


def room(width: int, height: int, scale: float) -> QSize:
    """The logical pixels a maximised window gets (less the taskbar)."""
    return QSize(int(width / scale), int((height - TASKBAR) / scale))


@pytest.fixture
def text_size(request: pytest.FixtureRequest) -> Iterator[str]:
    key = request.param
    apply_text_size(key)
    yield key
    apply_text_size("medium")
    remember_text_size("medium")  # the QSettings folder is shared by the session


@pytest.mark.parametrize("text_size", [s.key for s in TEXT_SIZES], indirect=True)
def test_no_screen_makes_the_window_bigger_than_the_screen(
    qtbot: Any, window: Any, text_size: str
) -> None:
    window.set_text_size(text_size)
    for key, _title in window.navigation:  # every screen, one after another
        window.show_screen(key)
        QApplication.processEvents()
        need = window.minimumSizeHint().expandedTo(window.minimumSize())
        for name, (w, h, scale) in SCREENS.items():
            space = room(w, h, scale) - QSize(0, TITLE_BAR)
            assert need.width() <= space.width() and need.height() <= space.height(), (
                f"{key} at {text_size}, {name}: the window needs {need.width()}×{need.height()}"
            )


@pytest.mark.parametrize("text_size", ["small", "medium"], indirect=True)
def test_at_normal_text_each_screen_fits_1280_wide_without_scrolling_sideways(
    qtbot: Any, window: Any, text_size: str
) -> None:
    window.set_text_size(text_size)
    window.resize(1280, 680 - TITLE_BAR)
    too_wide = []
    for key, _title in window.navigation:
        if key == "sync":  # the province screen: laid out by its own issue (scrolls)
            continue
        screen = window.show_screen(key)
        QApplication.processEvents()
        page = window.pages[key]
        if needs(screen).width() > page.viewport().width():
            too_wide.append((key, needs(screen).width(), page.viewport().width()))
    assert too_wide == []


@pytest.mark.parametrize("text_size", [s.key for s in TEXT_SIZES], indirect=True)
def test_no_dialog_needs_more_than_the_screen(qtbot: Any, window: Any, text_size: str) -> None:
    window.set_text_size(text_size)
    for name, build in DIALOGS.items():
        for label, (w, h, scale) in SCREENS.items():
            dialog = build(window)
            if dialog is None:
                continue
            qtbot.addWidget(dialog)
            fit_to_screen(dialog, room(w, h, scale))  # what opening it on that screen does
            space = room(w, h, scale) - QSize(0, TITLE_BAR)
            need = needs(dialog)
            size = dialog.size()
            assert need.width() <= space.width() and need.height() <= space.height(), (
                f"{name} at {text_size}, {label}: needs {need.width()}×{need.height()}"
            )
            assert size.width() <= space.width() and size.height() <= space.height(), name
            dialog.deleteLater()


def test_a_tall_dialog_scrolls_with_its_buttons_in_view(qtbot: Any) -> None:
    """Opened on the (offscreen) screen: the focus hook fits it there."""
    from PySide6.QtWidgets import QDialogButtonBox, QLabel, QScrollArea

    from app.ui import keyboard

    keyboard.install()
    dialog = QDialog()
    layout = QVBoxLayout(dialog)
    for k in range(60):
        layout.addWidget(QLabel(f"Dòng {k + 1}"))
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save)
    layout.addWidget(buttons)
    qtbot.addWidget(dialog)
    available = dialog.screen().availableGeometry().size()
    assert needs(dialog).height() > available.height() - TITLE_BAR
    dialog.show()
    dialog.activateWindow()
    buttons.button(QDialogButtonBox.StandardButton.Save).setFocus()
    qtbot.waitUntil(lambda: dialog.findChild(QScrollArea) is not None)
    assert needs(dialog).height() <= available.height() - TITLE_BAR
    assert buttons.parent() is dialog  # not inside the scrolled part
    assert isinstance(dialog.findChild(QScrollArea).widget(), QWidget)


def test_text_size_applies_at_once_and_is_remembered(qtbot: Any, window: Any) -> None:
    from app.ui.main_window import MainWindow
    from app.ui.settings_dialog import SettingsDialog

    window.set_text_size("medium")
    window.show_screen("people")
    before = window.current_screen()
    dialog = SettingsDialog(window.ctx, window)
    qtbot.addWidget(dialog)
    dialog.text_size.setCurrentIndex(dialog.text_size.findData("xlarge"))
    try:
        assert QApplication.font().pointSizeF() == 14.0
        rebuilt = window.current_screen()
        assert rebuilt is not before and window.current_key() == "people"
        assert rebuilt.font().pointSizeF() == 14.0
        assert window.text_size_actions["xlarge"].isChecked()
        dialog.accept()
        again = MainWindow(window.ctx, window.settings_store)
        qtbot.addWidget(again)
        again.backup_on_close = False
        assert stored_text_size(window.settings_store).key == "xlarge"
        assert again.text_size_actions["xlarge"].isChecked()
        # "Hủy" goes back to the size the dialog opened with.
        second = SettingsDialog(window.ctx, window)
        qtbot.addWidget(second)
        second.text_size.setCurrentIndex(second.text_size.findData("small"))
        assert QApplication.font().pointSizeF() == 9.0
        second.reject()
        assert QApplication.font().pointSizeF() == 14.0
        assert stored_text_size(window.settings_store).key == "xlarge"
    finally:
        window.set_text_size("medium")
    assert QApplication.font().pointSizeF() == 10.0
