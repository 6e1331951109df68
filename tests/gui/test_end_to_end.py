"""From the main window: add a household with two people, edit it from its card,
delete it, undo, delete again and restore it from the deleted view — checking the
database through core services at each step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from app.core.registry.households import get_household_card
from app.core.registry.listing import HOUSEHOLDS, ListQuery
from app.core.registry.stats import registry_stats
from tests.gui.conftest import HOUSEHOLDS as SEED_HOUSEHOLDS
from tests.gui.conftest import PEOPLE_COUNT
from tests.gui.test_main_window import names, open_list, select_row

pytestmark = pytest.mark.gui
dialogs = pytest.importorskip("app.ui.dialogs")


def when_shown(kind: str, action: Callable[[Any], None], tries: int = 300) -> None:
    """Run ``action`` on the visible modal dialog of class ``kind`` once exec() shows it."""

    def attempt(left: int) -> None:
        for widget in QApplication.topLevelWidgets():
            if type(widget).__name__ == kind and widget.isVisible():
                action(widget)
                return
        if not left:
            raise AssertionError(f"{kind} was never shown")
        QTimer.singleShot(10, lambda: attempt(left - 1))

    QTimer.singleShot(0, lambda: attempt(tries))


def type_text(widget: QWidget, text: str) -> None:
    """One key event per character, as a Vietnamese input method sends them."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
            QApplication.sendEvent(widget, event)


def choose(combo: Any, value: Any) -> None:
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


@pytest.fixture()
def dialog_errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from app.ui.dialogs import common

    shown: list[str] = []
    monkeypatch.setattr(common, "show_error", lambda _parent, message: shown.append(message))
    monkeypatch.setattr(common, "confirm", lambda *_args, **_kwargs: True)
    return shown


def test_household_life_cycle_from_the_main_window(
    qtbot: Any, window: Any, modals: Any, dialog_errors: list[str]
) -> None:
    db = window.ctx.db
    screen = open_list(qtbot, window, "Hộ gia đình")
    hamlet_id = screen.filter_combos["hamlet_id"].itemData(
        screen.filter_combos["hamlet_id"].findText("Thôn Tây")
    )

    # Add: "Thêm" opens the household dialog; two people, the head and his wife.
    def fill_new(dialog: Any) -> None:
        choose(dialog.hamlet, hamlet_id)
        type_text(dialog.address, "Xóm Mới")
        head = dialog.people.rows[0]
        type_text(head.name, "Trương Văn Lộc")
        choose(head.gender, "M")
        type_text(head.birth, "1979")
        qtbot.mouseClick(dialog.people.add_button, Qt.MouseButton.LeftButton)
        wife = dialog.people.rows[1]
        type_text(wife.name, "Mai Thị Hằng")
        choose(wife.gender, "F")
        type_text(wife.birth, "1981")
        type_text(wife.relation.lineEdit(), "Vợ")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    when_shown("HouseholdDialog", fill_new)
    qtbot.mouseClick(screen.add_button, Qt.MouseButton.LeftButton)
    assert dialog_errors == []
    assert screen.model.rowCount() == len(SEED_HOUSEHOLDS) + 1
    new_id = screen.current_id()
    assert new_id is not None and names(screen)[screen.model.row_of(new_id)] == "Trương Văn Lộc"
    card = get_household_card(db, new_id)
    assert {p.full_name for p in card.people} == {"Trương Văn Lộc", "Mai Thị Hằng"}
    assert card.hamlet_name == "Thôn Tây" and card.address == "Xóm Mới"
    assert registry_stats(db).people == PEOPLE_COUNT + 2

    # Edit: Enter on the row opens the card, "Sửa hộ…" the dialog; a new phone.
    def edit_in_card(card_dialog: Any) -> None:
        def change_phone(dialog: Any) -> None:
            type_text(dialog.phone, "0912345678")
            qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

        when_shown("HouseholdDialog", change_phone)
        qtbot.mouseClick(card_dialog.edit_button, Qt.MouseButton.LeftButton)
        assert card_dialog.fields["phone"].text() == "0912345678"
        qtbot.mouseClick(card_dialog.close_button, Qt.MouseButton.LeftButton)

    when_shown("HouseholdCardDialog", edit_in_card)
    qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    assert dialog_errors == []
    assert get_household_card(db, new_id).phone == "0912345678"
    phone_column = screen.listing.column_keys.index("phone")
    assert screen.model.text(screen.model.row_of(new_id), phone_column) == "0912345678"

    # Delete (Delete key, confirmed) takes the people with it; "Hoàn tác" brings all back.
    modals.answers.append(True)
    qtbot.keyClick(screen.table, Qt.Key.Key_Delete)
    assert get_household_card(db, new_id).deleted
    assert registry_stats(db).people == PEOPLE_COUNT
    assert screen.model.row_of(new_id) is None
    qtbot.mouseClick(window.notice.undo_button, Qt.MouseButton.LeftButton)
    assert not get_household_card(db, new_id).deleted
    assert registry_stats(db).people == PEOPLE_COUNT + 2

    # Delete again, then restore from the deleted view.
    modals.answers.append(True)
    qtbot.mouseClick(screen.delete_button, Qt.MouseButton.LeftButton)
    assert HOUSEHOLDS.ids(db, ListQuery(deleted=True)) == [new_id]
    qtbot.mouseClick(screen.deleted_button, Qt.MouseButton.LeftButton)
    select_row(qtbot, screen, 0)
    qtbot.mouseClick(screen.delete_button, Qt.MouseButton.LeftButton)  # "Khôi phục"
    card = get_household_card(db, new_id)
    assert not card.deleted and len(card.people) == 2
    qtbot.mouseClick(screen.deleted_button, Qt.MouseButton.LeftButton)
    assert "Trương Văn Lộc" in names(screen)
    overview = window.show_screen("overview")
    assert overview.tiles["households"].value_label.text() == str(len(SEED_HOUSEHOLDS) + 1)
