"""The guide window: search as you type without diacritics, highlighted words, links,
and the first-steps box of a new empty commune."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QUrl

pytestmark = pytest.mark.gui


def test_searching_the_guide_narrows_the_contents_and_marks_the_words(
    qtbot: Any, window: Any
) -> None:
    from app.ui.help_browser import show_help

    guide = show_help(window, "bat-dau")
    qtbot.addWidget(guide)
    every = guide.contents.count()
    qtbot.keyClicks(guide.search_box, "sao luu")
    qtbot.waitUntil(lambda: guide.contents.count() < every)
    assert guide.contents.item(0).text() == "Sao lưu và khôi phục"
    guide.contents.setCurrentRow(0)
    assert guide.current_key == "sao-luu"
    marked = guide.highlighted()
    assert "Sao" in marked and "lưu" in marked
    assert "mục có" in guide.found_label.text()
    guide.search_box.setText("zzzz")
    guide.search_box.emit_now()
    assert guide.contents.count() == 0
    assert "Không thấy" in guide.found_label.text()
    guide.search_box.clear()
    guide.search_box.emit_now()
    assert guide.contents.count() == every
    guide._link(QUrl("phim-tat"))
    assert guide.current_key == "phim-tat"
    assert show_help(window, "quy") is guide  # one guide window, brought to the section


def test_help_menu_opens_the_guide(qtbot: Any, window: Any) -> None:
    from app.ui.help_browser import HelpWindow

    help_menu = next(m for m in window.menuBar().actions() if m.text() == "Trợ &giúp").menu()
    entries = {a.text(): a for a in help_menu.actions()}
    assert entries["Hướng dẫn sử dụng"].shortcut().toString() == "F1"
    entries["Phím tắt"].trigger()
    guide = window.findChild(HelpWindow)
    assert guide is not None and guide.current_key == "phim-tat"


def test_a_new_empty_commune_shows_first_steps(qtbot: Any, tmp_path: Path) -> None:
    from app.core.workspace import init_commune
    from app.ui.help_browser import HelpWindow
    from app.ui.main_window import MainWindow
    from app.ui.screens.base import AppContext

    ws = init_commune(tmp_path / "new", "00004", lock=False)
    ctx = AppContext(tmp_path / "new", ws.db)
    try:
        win = MainWindow(ctx)
        win.backup_on_close = False
        qtbot.addWidget(win)
        win.show()
        overview = win.current_screen()
        assert overview.first_steps.isVisible()
        overview.first_help_button.click()
        assert win.findChild(HelpWindow).current_key == "bat-dau"
    finally:
        ctx.detach()


def test_a_commune_with_households_has_no_first_steps(window: Any) -> None:
    assert not window.current_screen().first_steps.isVisible()
