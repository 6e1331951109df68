"""Add/edit dialogs: refusals shown inline with nothing saved, members linked to people,
clans gathering households, the searchable pickers, and the keyboard."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from app.core.db import Database
from app.core.registry.clans import get_clan
from app.core.registry.hamlets import HamletInput, create_hamlet, get_hamlet, update_hamlet
from app.core.registry.households import (
    HouseholdInput,
    PersonInput,
    create_household,
    get_household_card,
    get_person,
)
from app.core.registry.members import (
    BranchInput,
    MemberInput,
    create_branch,
    create_member,
    get_branch,
    get_member,
)
from app.core.registry.stats import registry_stats
from app.core.registry.units import UnitInput, create_unit, get_unit
from app.core.workspace import init_commune
from app.ui.dialogs import build_editor, common, open_editor
from app.ui.dialogs.branch import BranchDialog
from app.ui.dialogs.clan import ClanDialog
from app.ui.dialogs.common import INVALID_STYLE
from app.ui.dialogs.hamlet import HamletDialog
from app.ui.dialogs.household import HouseholdDialog
from app.ui.dialogs.member import MemberDialog
from app.ui.dialogs.person import PersonDialog
from app.ui.dialogs.pickers import PickerDialog, SearchPicker, find_households
from app.ui.dialogs.unit import UnitDialog

pytestmark = pytest.mark.gui


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


def type_text(qtbot, widget: QWidget, text: str) -> None:  # type: ignore[no-untyped-def]
    """One key event per character, as a Vietnamese input method sends them."""
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


@pytest.fixture
def village(db: Database) -> dict[str, int]:
    """Two households of Thôn Đông and a branch, with a member card 00001 given out."""
    hamlet = create_hamlet(db, HamletInput("Thôn Đông"))
    an = create_household(
        db,
        HouseholdInput(hamlet_id=hamlet, phone="0912000111"),
        [
            PersonInput("Nguyễn Văn An", "M", "1970", "Chủ hộ", id_number="001070000001"),
            PersonInput("Đỗ Thị Hạnh", "F", "2/2/1972", "Vợ"),
        ],
    )
    binh = create_household(
        db,
        HouseholdInput(hamlet_id=hamlet),
        [PersonInput("Nguyễn Văn Bình", "M", "1980", "Chủ hộ")],
    )
    cuong = create_household(
        db, HouseholdInput(hamlet_id=hamlet), [PersonInput("Trần Quốc Cường", "M", "1975")]
    )
    branch = create_branch(db, BranchInput("Chi hội thôn Đông", "hamlet", hamlet))
    member = create_member(db, MemberInput(branch, full_name="Lý Văn Tư", card_number="00001"))
    return {
        "hamlet": hamlet,
        "an": an,
        "binh": binh,
        "cuong": cuong,
        "branch": branch,
        "member": member,
    }


def counts(db: Database) -> tuple[int, int, int]:
    stats = registry_stats(db)
    return stats.households, stats.people, stats.members


# --- refusals: the dialog stays open, says why inline, saves nothing -------------------


def _new_household_with(qtbot, db: Database, **fields: str) -> HouseholdDialog:  # type: ignore[no-untyped-def]
    dialog = HouseholdDialog(db, None)
    qtbot.addWidget(dialog)
    if dialog.hamlet.currentIndex() <= 0 and dialog.hamlet.count() > 1:
        dialog.hamlet.setCurrentIndex(1)  # every household belongs to a hamlet
    row = dialog.people.rows[0]
    for name, text in fields.items():
        type_text(qtbot, getattr(row, name), text)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    return dialog


def test_empty_name_is_refused(qtbot, db: Database, village, errors: list[str]) -> None:
    before = counts(db)
    dialog = _new_household_with(qtbot, db, birth="1990")
    assert errors == ["Dòng 1: Họ tên không được để trống."]
    assert dialog.error_text == errors[0] and dialog.error_label.isVisible() is False
    assert not dialog.error_label.isHidden()
    assert dialog.people.rows[0].name.styleSheet() == INVALID_STYLE
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert counts(db) == before


def test_future_birth_date_is_refused(qtbot, db: Database, village, errors: list[str]) -> None:
    before = counts(db)
    future = (dt.date.today() + dt.timedelta(days=400)).strftime("%d/%m/%Y")
    dialog = _new_household_with(qtbot, db, name="Hoàng Văn Em", birth=future)
    assert len(errors) == 1 and "nằm trong tương lai" in dialog.error_text
    assert dialog.people.rows[0].birth.styleSheet() == INVALID_STYLE
    assert counts(db) == before


def test_bad_birth_text_is_refused(qtbot, db: Database, village, errors: list[str]) -> None:
    before = registry_stats(db).households
    dialog = _new_household_with(qtbot, db, name="Hoàng Văn Em", birth="31/2/1990")
    assert "không tồn tại" in dialog.error_text
    assert dialog.people.rows[0].birth.styleSheet() == INVALID_STYLE
    assert registry_stats(db).households == before


def test_a_household_without_a_hamlet_is_refused_pointing_at_the_hamlet(
    qtbot, db: Database, village, errors: list[str]
) -> None:
    before = counts(db)
    dialog = HouseholdDialog(db, None)
    qtbot.addWidget(dialog)
    dialog.hamlet.setCurrentIndex(0)  # "— chưa chọn —"
    type_text(qtbot, dialog.people.rows[0].name, "Hoàng Văn Em")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert errors == ["Chọn thôn / tổ dân phố của hộ: mỗi hộ phải thuộc một thôn."]
    assert dialog.hamlet.styleSheet() == INVALID_STYLE
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert counts(db) == before


def test_id_number_of_another_household_is_refused(
    qtbot, db: Database, village, errors: list[str]
) -> None:
    before = counts(db)
    dialog = _new_household_with(qtbot, db, name="Nguyễn An", id_number="001070000001")
    assert "đã thuộc về Nguyễn Văn An" in dialog.error_text
    assert "Một người chỉ thuộc một hộ gia đình" in errors[0]
    assert dialog.people.rows[0].id_number.styleSheet() == INVALID_STYLE
    assert counts(db) == before


def test_editing_a_household_checks_every_person_before_saving_anything(
    qtbot, db: Database, village, errors: list[str]
) -> None:
    dialog = HouseholdDialog(db, None, village["binh"])
    qtbot.addWidget(dialog)
    dialog.phone.setText("0988777666")  # would be saved first, if anything were
    qtbot.mouseClick(dialog.people.add_button, Qt.MouseButton.LeftButton)
    new = dialog.people.rows[-1]
    type_text(qtbot, new.name, "Nguyễn Văn Bảo")
    type_text(qtbot, new.id_number, "001070000001")
    dialog.accept()

    assert "Dòng 2" in dialog.error_text and "đã thuộc về" in dialog.error_text
    card = get_household_card(db, village["binh"])
    assert card.phone is None and len(card.people) == 1


def test_member_card_number_already_given_is_refused(
    qtbot, db: Database, village, errors: list[str]
) -> None:
    before = counts(db)
    dialog = MemberDialog(db, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(dialog.outsider, Qt.MouseButton.LeftButton)
    assert dialog.outsider_box.isVisible() and not dialog.person_box.isVisible()
    type_text(qtbot, dialog.name, "Mai Thị Xuân")
    dialog.card.clear()
    type_text(qtbot, dialog.card, "00001")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.error_text == "Số thẻ 00001 đã được cấp cho hội viên Lý Văn Tư."
    assert errors == [dialog.error_text]
    assert dialog.card.styleSheet() == INVALID_STYLE
    assert counts(db) == before


def test_member_join_date_needs_a_full_date(qtbot, db: Database, errors: list[str]) -> None:
    dialog = MemberDialog(db, None)
    qtbot.addWidget(dialog)
    dialog.outsider.setChecked(True)
    dialog.name.setText("Mai Thị Xuân")
    dialog.join_date.setText("2020")
    dialog.accept()
    assert "Ngày vào Hội cần đủ ngày/tháng/năm" in dialog.error_text
    assert dialog.join_date.styleSheet() == INVALID_STYLE
    assert registry_stats(db).members == 0


def test_fixing_the_field_and_saving_again_clears_the_error(
    qtbot, db: Database, errors: list[str]
) -> None:
    dialog = HamletDialog(db, None)
    qtbot.addWidget(dialog)
    dialog.accept()
    assert dialog.error_text == "Tên thôn/tổ dân phố không được để trống."
    assert dialog.name.styleSheet() == INVALID_STYLE
    type_text(qtbot, dialog.name, "Thôn Bắc")
    dialog.accept()
    assert dialog.error_text == "" and dialog.name.styleSheet() == ""
    assert get_hamlet(db, dialog.saved_id).name == "Thôn Bắc"


# --- members --------------------------------------------------------------------------


def test_member_dialog_links_a_registry_person(
    qtbot, db: Database, village, errors: list[str]
) -> None:
    dialog = MemberDialog(db, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.card.text() == "00002"  # the next free card number
    choose(dialog.branch, village["branch"])
    type_text(qtbot, dialog.picker.search_edit, "do thi hanh")  # no diacritics
    qtbot.keyClick(dialog.picker.search_edit, Qt.Key.Key_Return)  # picks; does not save

    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.isVisible()
    assert dialog.person_name.text() == "Đỗ Thị Hạnh" and dialog.person_name.isReadOnly()
    assert (dialog.person_gender.text(), dialog.person_birth.text()) == ("Nữ", "1972")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert errors == []
    member = get_member(db, dialog.saved_id)
    hanh = get_person(db, member.person_id)
    assert (hanh.full_name, hanh.household_id) == ("Đỗ Thị Hạnh", village["an"])
    assert (member.full_name, member.gender, member.birth_year) == ("Đỗ Thị Hạnh", "F", 1972)
    assert (member.card_number, member.branch_id) == ("00002", village["branch"])
    assert member.join_date == dt.date.today()
    assert get_person(db, hanh.id).member_id == member.id


def test_member_dialog_requires_a_person_in_registry_mode(
    qtbot, db: Database, village, errors: list[str]
) -> None:
    dialog = MemberDialog(db, None)
    qtbot.addWidget(dialog)
    dialog.accept()
    assert "Hãy chọn người trong sổ hộ" in dialog.error_text
    assert dialog.picker.search_edit.styleSheet() == INVALID_STYLE


def test_member_dialog_edits_an_outsider_with_dues(
    qtbot, db: Database, village, errors: list[str]
) -> None:
    dialog = MemberDialog(db, None, village["member"])
    qtbot.addWidget(dialog)
    assert dialog.outsider.isChecked() and dialog.name.text() == "Lý Văn Tư"
    assert dialog.dues.year() is None and dialog.dues.text() == "chưa đóng"
    dialog.dues.stepUp()  # from "chưa đóng" straight to this year
    dialog.birth_year.setText("1958")
    dialog.leave_date.setText("1/6/2025")
    dialog.leave_reason.setText("Chuyển nơi ở")
    dialog.accept()
    member = get_member(db, village["member"])
    assert member.dues_paid_year == dt.date.today().year
    assert (member.birth_year, member.leave_date) == (1958, dt.date(2025, 6, 1))
    assert member.leave_reason == "Chuyển nơi ở"


# --- clans ----------------------------------------------------------------------------


def test_clan_dialog_adds_and_removes_member_households(
    qtbot, db: Database, village, errors: list[str]
) -> None:
    dialog = ClanDialog(db, None)
    qtbot.addWidget(dialog)
    type_text(qtbot, dialog.name, "Họ Nguyễn")
    type_text(qtbot, dialog.branch, "Chi hai")

    def pick_nguyen_households(widget: QWidget) -> None:
        assert isinstance(widget, PickerDialog)
        type_text(qtbot, widget.picker.search_edit, "nguyen van")
        widget.picker.run_search()
        widget.picker.list.selectAll()
        qtbot.mouseClick(widget.choose_button, Qt.MouseButton.LeftButton)

    when_shown(PickerDialog, pick_nguyen_households)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)  # "Thêm hộ…"
    assert set(dialog.households) == {village["an"], village["binh"]}
    dialog.set_head_person(get_household_card(db, village["an"]).head_person_id)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert errors == []
    clan = get_clan(db, dialog.saved_id)
    assert (clan.name, clan.branch, clan.head_name) == ("Họ Nguyễn", "Chi hai", "Nguyễn Văn An")
    assert set(clan.household_ids) == {village["an"], village["binh"]}
    assert get_household_card(db, village["binh"]).clan_name == "Họ Nguyễn — Chi hai"

    edit = ClanDialog(db, None, clan.id)
    qtbot.addWidget(edit)
    for i in range(edit.household_list.count()):
        item = edit.household_list.item(i)
        item.setSelected(item.data(Qt.ItemDataRole.UserRole) == village["binh"])
    qtbot.mouseClick(edit.remove_button, Qt.MouseButton.LeftButton)  # "Bỏ khỏi dòng họ"
    type_text(qtbot, edit.head_name, " (cũ)")  # typing unlinks the registry person
    edit.accept()
    clan = get_clan(db, clan.id)
    assert clan.household_ids == [village["an"]]
    assert (clan.head_person_id, clan.head_name) == (None, "Nguyễn Văn An (cũ)")
    assert get_household_card(db, village["binh"]).clan_id is None


# --- pickers, other dialogs, open_editor ----------------------------------------------


def test_household_search_finds_households_by_any_of_their_people(db: Database, village) -> None:
    found = find_households(db, "hanh")
    assert [p.id for p in found] == [village["an"]]
    assert found[0].label.startswith("Hộ Nguyễn Văn An") and "Đỗ Thị Hạnh" in found[0].label


def test_search_picker_keyboard(qtbot, db: Database, village) -> None:
    picker = SearchPicker(db, "person")
    qtbot.addWidget(picker)
    picked: list[object] = []
    picker.picked.connect(picked.append)
    type_text(qtbot, picker.search_edit, "nguyen van")
    qtbot.waitUntil(lambda: picker.list.count() >= 2)  # typing pauses, then it searches
    assert picker.results[0].label.startswith("Nguyễn Văn")
    qtbot.keyClick(picker.search_edit, Qt.Key.Key_Down)
    qtbot.keyClick(picker.search_edit, Qt.Key.Key_Return)
    assert len(picked) == 1 and picked[0] == picker.results[1]


def test_new_person_outside_any_household_via_open_editor(
    qtbot, db: Database, village, errors: list[str]
) -> None:
    def fill_person(widget: QWidget) -> None:
        assert isinstance(widget, PersonDialog)
        type_text(qtbot, widget.fields.name, "Vũ Thị Lan")
        type_text(qtbot, widget.fields.birth, "1990")
        qtbot.mouseClick(widget.save_button, Qt.MouseButton.LeftButton)

    def no_household(widget: QWidget) -> None:
        assert isinstance(widget, PickerDialog)
        when_shown(PersonDialog, fill_person)
        qtbot.mouseClick(widget.none_button, Qt.MouseButton.LeftButton)

    when_shown(PickerDialog, no_household)
    person_id = open_editor("people", db, None)
    assert errors == [] and person_id is not None
    lan = get_person(db, person_id)
    assert (lan.full_name, lan.household_id, lan.birth.display()) == ("Vũ Thị Lan", None, "1990")


def test_person_dialog_keeps_fields_it_does_not_change(
    qtbot, db: Database, village, errors: list[str]
) -> None:
    hanh = next(p for p in get_household_card(db, village["an"]).people if not p.is_head)
    dialog = build_editor("people", db, None, hanh.id)
    qtbot.addWidget(dialog)
    assert isinstance(dialog, PersonDialog)
    assert dialog.fields.birth.text() == "02/02/1972"
    type_text(qtbot, dialog.fields.phone, "0904 555 666")
    dialog.accept()
    after = get_person(db, hanh.id)
    assert (after.phone, after.relation, after.birth) == ("0904555666", "Vợ", hanh.birth)


def test_unit_and_branch_dialogs(qtbot, db: Database, village, errors: list[str]) -> None:
    unit_dialog = UnitDialog(db, None)
    qtbot.addWidget(unit_dialog)
    type_text(qtbot, unit_dialog.name, "Trường Tiểu học Kim Đồng")
    choose(unit_dialog.hamlet, village["hamlet"])
    unit_dialog.staff.setValue(42)
    unit_dialog.accept()
    unit = get_unit(db, unit_dialog.saved_id)
    assert (unit.name, unit.kind, unit.staff_count) == ("Trường Tiểu học Kim Đồng", "school", 42)

    branch_dialog = BranchDialog(db, None)
    qtbot.addWidget(branch_dialog)
    choose(branch_dialog.kind, "unit")
    assert branch_dialog.place.currentWidget() is branch_dialog.unit
    choose(branch_dialog.unit, unit.id)
    assert branch_dialog.name.text() == "Chi hội Trường Tiểu học Kim Đồng"
    branch_dialog.accept()
    branch = get_branch(db, branch_dialog.saved_id)
    assert (branch.kind, branch.unit_id, branch.hamlet_id) == ("unit", unit.id, None)
    assert errors == []


def test_stale_hamlet_edit_is_refused(qtbot, db: Database, village, errors: list[str]) -> None:
    dialog = HamletDialog(db, None, village["hamlet"])
    qtbot.addWidget(dialog)
    update_hamlet(db, village["hamlet"], HamletInput("Thôn Đông Một"))
    dialog.name.setText("Thôn Đông Hai")
    dialog.accept()
    assert "vừa được sửa ở nơi khác" in dialog.error_text
    assert get_hamlet(db, village["hamlet"]).name == "Thôn Đông Một"


def test_editing_a_deleted_row_is_refused_with_a_message(
    qtbot, db: Database, village, errors: list[str]
) -> None:
    unit_id = create_unit(db, UnitInput("Trạm Y tế", "health"))
    from app.core.registry.units import delete_unit

    delete_unit(db, unit_id)
    assert open_editor("units", db, None, unit_id) is None
    assert errors == ["Đơn vị này đã bị xóa. Hãy khôi phục trước khi sửa."]


# --- keyboard -------------------------------------------------------------------------


def test_keyboard_first_field_enter_saves_escape_cancels(
    qtbot, db: Database, village, errors: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = HamletDialog(db, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.name)
    type_text(qtbot, dialog.name, "Tổ dân phố 7")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.kind
    qtbot.keyClick(dialog.kind, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert get_hamlet(db, dialog.saved_id).name == "Tổ dân phố 7"

    household = HouseholdDialog(db, None)
    qtbot.addWidget(household)
    household.show()
    qtbot.waitExposed(household)
    qtbot.waitUntil(lambda: household.focusWidget() is household.hamlet)
    type_text(qtbot, household.people.rows[0].name, "Phan Văn Sáu")
    answers = [False, True]  # "Tiếp tục sửa", then "Bỏ thay đổi"
    monkeypatch.setattr(common, "confirm", lambda *_args, **_kwargs: answers.pop(0))
    qtbot.keyClick(household.people.rows[0].name, Qt.Key.Key_Escape)
    assert household.isVisible() and household.people.rows[0].name.text() == "Phan Văn Sáu"
    qtbot.keyClick(household.people.rows[0].name, Qt.Key.Key_Escape)
    assert household.result() == QDialog.DialogCode.Rejected and not household.isVisible()
    assert registry_stats(db).households == 3


def test_tab_runs_along_a_person_row(qtbot, db: Database) -> None:
    dialog = HouseholdDialog(db, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    row = dialog.people.rows[0]
    row.name.setFocus()
    qtbot.waitUntil(lambda: dialog.focusWidget() is row.name)
    qtbot.keyClick(row.name, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is row.gender
    qtbot.keyClick(row.gender, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is row.birth


def test_hamlet_combo_finds_a_hamlet_typed_without_diacritics(
    qtbot, db: Database, village, errors: list[str]
) -> None:
    other = create_hamlet(db, HamletInput("Tổ dân phố Bắc Sơn", "to_dan_pho"))
    dialog = HouseholdDialog(db, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.hamlet.setFocus()
    type_text(qtbot, dialog.hamlet.lineEdit(), "bac son")
    popup = dialog.hamlet.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Return)  # Enter takes the match; it does not save
    assert dialog.hamlet.currentData() == other
    assert dialog.result() != QDialog.DialogCode.Accepted


def test_an_unexpected_failure_keeps_the_dialog_open(
    qtbot, db: Database, errors: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.ui.dialogs import hamlet as hamlet_module

    def broken(*_args: object) -> int:
        raise RuntimeError("bug")

    monkeypatch.setattr(hamlet_module, "create_hamlet", broken)
    dialog = HamletDialog(db, None)
    qtbot.addWidget(dialog)
    dialog.name.setText("Thôn Nam")
    dialog.accept()
    assert errors == [common.UNEXPECTED] and dialog.name.text() == "Thôn Nam"
    assert dialog.result() != QDialog.DialogCode.Accepted
