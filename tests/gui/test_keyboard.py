"""Keyboard-only use, driven with real key presses: screens by Ctrl+digit, Thêm (Ctrl+N),
Sửa (Enter), Xóa (Delete), Ctrl+S in dialogs, Tab out of tables, F1 for the guide."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QTableView

from app.core.registry.listing import HAMLETS, ListQuery
from app.ui.dialogs.hamlet import HamletDialog
from tests.gui.test_dialogs import _no_pending_quit, when_shown

pytestmark = pytest.mark.gui
CTRL = Qt.KeyboardModifier.ControlModifier
__all__ = ["_no_pending_quit"]  # autouse here too: no stray Quit ends a dialog's exec()


def _active(qtbot: Any, window: Any) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def test_ctrl_digits_open_the_screens_listed_in_the_view_menu(qtbot: Any, window: Any) -> None:
    _active(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_4, CTRL)
    assert window.current_key() == "people"
    qtbot.keyClick(window, Qt.Key.Key_9, CTRL)
    assert window.current_key() == "cycle"
    qtbot.keyClick(window, Qt.Key.Key_0, CTRL)
    assert window.current_key() == "dashboard"
    qtbot.keyClick(window, Qt.Key.Key_1, CTRL)
    assert window.current_key() == "overview"
    view = next(m for m in window.menuBar().actions() if m.text() == "&Xem").menu()
    listed = {a.text(): a.shortcut().toString() for a in view.actions() if a.text()}
    assert listed["Nhân khẩu"] == "Ctrl+4"
    assert listed["Chỉ tiêu"] == "Ctrl+0"
    assert "In ấn" in listed  # the screens past the tenth are in the menu too


def test_add_with_ctrl_n_edit_with_enter_delete_with_del(
    qtbot: Any, window: Any, modals: Any
) -> None:
    _active(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_2, CTRL)
    screen = window.current_screen()
    table = screen.table
    table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is table)
    opened: list[str] = []

    def note_and_close(dialog: Any) -> None:
        opened.append(dialog.windowTitle())
        dialog.reject()

    when_shown(HamletDialog, note_and_close)
    qtbot.keyClick(table, Qt.Key.Key_N, CTRL)
    assert len(opened) == 1 and "Thêm" in opened[0]
    qtbot.keyClick(table, Qt.Key.Key_Down)
    when_shown(HamletDialog, note_and_close)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert len(opened) == 2 and "Sửa" in opened[1]
    modals.answers.append(False)
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert modals.texts("ask")[-1].startswith("Xóa thôn / tổ dân phố")
    assert screen.add_button.toolTip() == "Thêm (Ctrl+N)"


def test_ctrl_s_saves_the_open_dialog(qtbot: Any, window: Any) -> None:
    _active(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_2, CTRL)
    screen = window.current_screen()
    before = len(HAMLETS.ids(window.ctx.db, ListQuery()))

    def type_and_save(dialog: Any) -> None:
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow)
        dialog.name.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.name)
        dialog.name.setText("Thôn Bắc")  # (QTest types ASCII only)
        qtbot.keyPress(dialog.name, Qt.Key.Key_S, CTRL)  # the save closes the dialog
        if dialog.isVisible():  # not saved: fail below rather than wait forever
            seen.append(f"still open; focus on {QApplication.focusWidget()}")
            dialog.mark_clean()
            dialog.reject()

    seen: list[str] = []

    when_shown(HamletDialog, type_and_save)
    screen.add_button.click()
    assert seen == []
    assert len(HAMLETS.ids(window.ctx.db, ListQuery())) == before + 1
    assert "Thôn Bắc" in [screen.model.text(r, 0) for r in range(screen.model.rowCount())]


def test_tab_leaves_every_table(qtbot: Any, window: Any) -> None:
    _active(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_4, CTRL)
    table = window.current_screen().table
    table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is table)
    table.setCurrentIndex(table.model().index(0, 0))
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert not isinstance(QApplication.focusWidget(), QTableView)
    # The same for a table in a dialog (the signers in Cài đặt).
    from app.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(window.ctx, window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    dialog.tabs.setCurrentIndex(1)
    dialog.signers.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.signers)
    qtbot.keyClick(dialog.signers, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not dialog.signers
    assert dialog.signers.tabKeyNavigation() is False
    dialog.reject()


def test_f1_opens_the_guide_at_the_screen_s_section(qtbot: Any, window: Any) -> None:
    from app.ui.help_browser import HelpWindow

    _active(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_9, CTRL)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    guide = window.findChild(HelpWindow)
    assert guide is not None and guide.isVisible()
    assert guide.current_key == "chu-ky-nam"
    assert "Bước 2. Chấm điểm" in guide.browser.toPlainText()
    guide.close()
    qtbot.keyClick(window, Qt.Key.Key_1, CTRL)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert guide.current_key == "bat-dau" and guide.isVisible()
    assert isinstance(guide, QDialog) and not guide.isModal()


def test_enter_moves_on_in_the_scoring_grid_and_tab_leaves_it(
    qtbot: Any, window: Any, modals: Any
) -> None:
    _active(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_9, CTRL)
    screen = window.current_screen()
    screen.year.setValue(2025)
    modals.answers.append(True)
    screen.register_shown.click()
    screen.tabs.setCurrentIndex(1)
    grid, model = screen.grid, screen.grid_model
    first = grid.next_editable(model.index(0, 0))
    grid.setCurrentIndex(first)
    grid.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is grid)
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    assert grid.currentIndex() == grid.next_editable(first)
    qtbot.keyClick(grid, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not grid
