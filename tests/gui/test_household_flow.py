"""The household dialog end to end: add with people, edit, delete/restore, stale edits,
and the household card — driven through real widgets, checked through core services."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from app.core.dates import PartialDate
from app.core.db import Database
from app.core.registry.hamlets import HamletInput, create_hamlet
from app.core.registry.households import (
    HouseholdInput,
    PersonInput,
    create_household,
    delete_household,
    get_household_card,
    restore_household,
    update_household,
    update_person,
)
from app.core.registry.members import BranchInput, MemberInput, create_branch, create_member
from app.core.registry.stats import registry_stats
from app.core.workspace import init_commune
from app.ui.dialogs import common
from app.ui.dialogs.household import HouseholdDialog
from app.ui.dialogs.household_card import NO_ASSESSMENT, HouseholdCardDialog
from app.ui.dialogs.person import PersonDialog

pytestmark = pytest.mark.gui
STALE = "vừa được sửa ở nơi khác"


@pytest.fixture
def db(tmp_path: Path):
    workspace = init_commune(tmp_path, "4", lock=False)
    yield workspace.db
    workspace.close()


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Messages the dialogs would show in a message box (never blocks a test)."""
    shown: list[str] = []
    monkeypatch.setattr(common, "show_error", lambda _parent, message: shown.append(message))
    monkeypatch.setattr(common, "confirm", lambda *_args, **_kwargs: True)
    return shown


@pytest.fixture(autouse=True)
def _no_pending_quit(qapp: QApplication) -> None:
    """A window closed outside an event loop (here or in an earlier test) posts a Quit
    that would end the next dialog's ``exec()`` at once; drop it."""
    QCoreApplication.removePostedEvents(qapp, QEvent.Type.Quit)


def when_shown(kind: type[QWidget], action: Callable[[QWidget], None], tries: int = 200) -> None:
    """Run ``action`` on the modal window of ``kind`` once ``exec()`` has shown it."""
    QCoreApplication.removePostedEvents(QApplication.instance(), QEvent.Type.Quit)

    def attempt(left: int) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, kind) and widget.isVisible():
                action(widget)
                return
        if left:
            QTimer.singleShot(10, lambda: attempt(left - 1))

    QTimer.singleShot(0, lambda: attempt(tries))


def type_text(qtbot, widget: QWidget, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type like a keyboard with a Vietnamese input method: one key event per character
    (QTest's keyClicks only knows Latin-1)."""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
            QApplication.sendEvent(widget, event)


def choose(combo, value) -> None:  # type: ignore[no-untyped-def]
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


def test_add_edit_delete_and_restore_a_household(qtbot, db: Database, errors: list[str]) -> None:
    hamlet_id = create_hamlet(db, HamletInput("Thôn Đông"))
    dialog = HouseholdDialog(db, None)
    qtbot.addWidget(dialog)

    choose(dialog.hamlet, hamlet_id)
    type_text(qtbot, dialog.phone, "0912 345 678")
    type_text(qtbot, dialog.address, "Xóm Giữa")
    head = dialog.people.rows[0]
    type_text(qtbot, head.name, "TRẦN VĂN BÌNH")  # typed in capitals
    choose(head.gender, "M")
    type_text(qtbot, head.birth, "12/3/1980")
    type_text(qtbot, head.id_number, "001080012345")
    qtbot.mouseClick(dialog.people.add_button, Qt.MouseButton.LeftButton)
    wife = dialog.people.rows[1]
    type_text(qtbot, wife.name, unicodedata.normalize("NFD", "Nguyễn Thị Hoà"))  # decomposed
    choose(wife.gender, "F")
    type_text(qtbot, wife.birth, "1982")  # a year alone
    type_text(qtbot, wife.relation.lineEdit(), "Vợ")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert errors == []
    assert dialog.result() == QDialog.DialogCode.Accepted
    card = get_household_card(db, dialog.saved_id)
    assert card.head_name == "Trần Văn Bình"
    assert (card.hamlet_name, card.phone, card.address) == ("Thôn Đông", "0912345678", "Xóm Giữa")
    people = {p.full_name: p for p in card.people}
    assert set(people) == {"Trần Văn Bình", unicodedata.normalize("NFC", "Nguyễn Thị Hoà")}
    binh, hoa = people["Trần Văn Bình"], people["Nguyễn Thị Hoà"]
    assert binh.is_head and binh.relation == "Chủ hộ" and card.head_person_id == binh.id
    assert binh.birth == PartialDate(1980, dt.date(1980, 3, 12))
    assert hoa.birth == PartialDate(1982) and hoa.birth.year_only
    assert (hoa.relation, hoa.gender, binh.id_number) == ("Vợ", "F", "001080012345")

    # Edit: a new phone and a corrected name; Enter saves.
    edit = HouseholdDialog(db, None, card.id)
    qtbot.addWidget(edit)
    edit.show()
    qtbot.waitExposed(edit)
    assert edit.people.rows[1].birth.text() == "1982"
    edit.phone.clear()
    type_text(qtbot, edit.phone, "0987654321")
    row = next(r for r in edit.people.rows if r.person_id == hoa.id)
    row.name.clear()
    type_text(qtbot, row.name, "Nguyễn Thị Thu Hoà")
    qtbot.keyClick(edit.phone, Qt.Key.Key_Return)

    assert errors == []
    assert edit.result() == QDialog.DialogCode.Accepted
    card = get_household_card(db, card.id)
    assert card.phone == "0987654321"
    names = {p.id: p.full_name for p in card.people}
    assert names == {binh.id: "Trần Văn Bình", hoa.id: "Nguyễn Thị Thu Hoà"}
    assert next(p for p in card.people if p.id == hoa.id).birth == PartialDate(1982)

    # Delete and restore go through the services; the counts follow.
    assert (registry_stats(db).households, registry_stats(db).people) == (1, 2)
    delete_household(db, card.id)
    assert (registry_stats(db).households, registry_stats(db).people) == (0, 0)
    restore_household(db, card.id)
    assert (registry_stats(db).households, registry_stats(db).people) == (1, 2)


def _family(db: Database) -> int:
    hamlet_id = create_hamlet(db, HamletInput("Thôn Tây"))
    return create_household(
        db,
        HouseholdInput(hamlet_id=hamlet_id, address="Xóm Chùa", phone="0911000111"),
        [
            PersonInput("Lê Văn Tám", "M", "1960", "Chủ hộ"),
            PersonInput("Phạm Thị Mai", "F", "3/4/1962", "Vợ"),
            PersonInput("Lê Minh Khôi", "M", "2012", "Con", is_studying=True),
        ],
    )


def test_marking_another_head_adding_and_removing_people(
    qtbot, db: Database, errors: list[str]
) -> None:
    household_id = _family(db)
    dialog = HouseholdDialog(db, None, household_id)
    qtbot.addWidget(dialog)
    tam, mai, khoi = dialog.people.rows
    assert tam.head.isChecked()

    qtbot.mouseClick(mai.head, Qt.MouseButton.LeftButton)  # Mai becomes the head
    assert mai.relation.currentText() == "Chủ hộ" and tam.relation.currentText() == ""
    tam.relation.setCurrentText("Chồng")
    dialog.people.remove_row(khoi)
    qtbot.mouseClick(dialog.people.add_button, Qt.MouseButton.LeftButton)
    type_text(qtbot, dialog.people.rows[-1].name, "Lê Thị Na")
    type_text(qtbot, dialog.people.rows[-1].birth, "2015")
    dialog.accept()

    assert errors == []
    card = get_household_card(db, household_id)
    assert card.head_name == "Phạm Thị Mai"
    relations = {p.full_name: p.relation for p in card.people}
    assert relations == {"Phạm Thị Mai": "Chủ hộ", "Lê Văn Tám": "Chồng", "Lê Thị Na": None}
    assert registry_stats(db).people == 3


def test_typing_chu_ho_as_relation_moves_the_head_marker(qtbot, db: Database) -> None:
    dialog = HouseholdDialog(db, None)
    qtbot.addWidget(dialog)
    first = dialog.people.rows[0]
    second = dialog.people.add_row()
    second.relation.setCurrentText("Chủ hộ")
    assert second.head.isChecked() and not first.head.isChecked()
    assert first.relation.currentText() == ""


def test_stale_household_edit_is_refused_and_overwrites_nothing(
    qtbot, db: Database, errors: list[str]
) -> None:
    household_id = _family(db)
    dialog = HouseholdDialog(db, None, household_id)
    qtbot.addWidget(dialog)
    # Someone else saves the household while the dialog is open.
    hamlet = get_household_card(db, household_id).hamlet_id
    update_household(
        db,
        household_id,
        HouseholdInput(hamlet_id=hamlet, address="Xóm Mới", phone="0911222333"),
        None,
    )
    dialog.address.clear()
    type_text(qtbot, dialog.address, "Xóm Đình")
    dialog.people.rows[1].name.setText("Phạm Thị Mây")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert len(errors) == 1 and STALE in errors[0]
    assert STALE in dialog.error_text
    assert dialog.result() != QDialog.DialogCode.Accepted
    card = get_household_card(db, household_id)
    assert (card.address, card.phone) == ("Xóm Mới", "0911222333")
    assert "Phạm Thị Mai" in {p.full_name for p in card.people}


def test_stale_person_edit_is_refused(qtbot, db: Database, errors: list[str]) -> None:
    household_id = _family(db)
    person = get_household_card(db, household_id).people[1]
    dialog = PersonDialog(db, None, person.id)
    qtbot.addWidget(dialog)
    update_person(db, person.id, PersonInput("Phạm Thị Mai Anh", "F", "3/4/1962", "Vợ"))
    dialog.fields.occupation.setText("Giáo viên")
    dialog.accept()

    assert errors and STALE in errors[0] and STALE in dialog.error_text
    after = next(p for p in get_household_card(db, household_id).people if p.id == person.id)
    assert (after.full_name, after.occupation) == ("Phạm Thị Mai Anh", None)


def test_household_card_shows_people_members_and_edits(
    qtbot, db: Database, errors: list[str]
) -> None:
    household_id = _family(db)
    people = {p.full_name: p for p in get_household_card(db, household_id).people}
    branch_id = create_branch(db, BranchInput("Chi hội thôn Tây"))
    create_member(
        db, MemberInput(branch_id, person_id=people["Lê Văn Tám"].id, card_number="00007")
    )

    card = HouseholdCardDialog(db, None, household_id)
    qtbot.addWidget(card)
    rows = {r[0]: r for r in card.people_rows()}
    assert set(rows) == {"Lê Văn Tám", "Phạm Thị Mai", "Lê Minh Khôi"}
    assert rows["Lê Văn Tám"][-1] == "00007" and rows["Phạm Thị Mai"][-1] == ""
    assert rows["Phạm Thị Mai"][1:4] == ["Nữ", "03/04/1962", "Vợ"]
    assert rows["Lê Minh Khôi"][2] == "2012" and rows["Lê Minh Khôi"][7] == "Có"
    assert "00007" in card.members_label.text()
    assert card.fields["head"].text() == "Lê Văn Tám"
    assert card.fields["circumstance"].text() == "Bình thường"
    assert card.assessment_label.text() == NO_ASSESSMENT

    def change_phone(widget: QWidget) -> None:
        assert isinstance(widget, HouseholdDialog)
        widget.phone.setText("0977 111 222")
        qtbot.mouseClick(widget.save_button, Qt.MouseButton.LeftButton)

    when_shown(HouseholdDialog, change_phone)
    qtbot.mouseClick(card.edit_button, Qt.MouseButton.LeftButton)  # "Sửa hộ…", then refresh
    assert errors == []
    assert card.changed
    assert card.fields["phone"].text() == "0977111222"
