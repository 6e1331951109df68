"""Editing programmes and activities from the fund screen, the recipients' circumstance
filter, and the household dialog's "Hoàn cảnh" combo — through real widgets, checked
through the core services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QDialog

from app.core.activities import service as activities
from app.core.fund import ledger, programmes
from app.core.fund.ledger import EntryInput
from app.core.fund.programmes import ProgrammeInput, ProgrammeRecipient
from app.core.registry.households import HouseholdInput, create_household, get_household_card
from app.core.registry.people import PersonInput
from app.ui.dialogs.household import HouseholdDialog
from app.ui.screens.fund import FundScreen
from tests.registry_helpers import default_hamlet

pytestmark = pytest.mark.gui
YEAR = dt.date.today().year


@pytest.fixture
def screen(qtbot: Any, ctx: Any) -> FundScreen:
    ledger.add_entry(
        ctx.db,
        EntryInput("receipt", dt.date(YEAR, 1, 1), 10_000_000, "donation_clan", party_name="Họ Vũ"),
    )
    widget = FundScreen(ctx)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.reload_if_stale()
    return widget


def _select(view: Any, row: int) -> None:
    flags = (
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )
    view.selectionModel().setCurrentIndex(view.model().index(row, 0), flags)


def _programme(screen: FundScreen, **kw: Any) -> int:
    data: dict[str, Any] = {
        "name": "Học bổng vượt khó",
        "kind": "scholarship",
        "school_year": screen.programmes_tab.school_year,
        "criteria": "Học sinh nghèo",
        "amount_per_recipient": 500_000,
    }
    data.update(kw)
    pid = programmes.create_programme(screen.ctx.db, ProgrammeInput(**data))
    screen.reload()
    return pid


# --- programmes -----------------------------------------------------------------------


def test_editing_a_programme_shows_its_values_and_saves_the_changes(
    screen: FundScreen, modals: Any
) -> None:
    pid = _programme(screen, level_amounts={}, budget=3_000_000)
    tab = screen.programmes_tab
    _select(tab.view, 0)
    dialog = tab.open_edit_dialog()
    assert dialog is not None and dialog.windowTitle() == "Sửa chương trình"
    assert (dialog.name.text(), dialog.amount.text()) == ("Học bổng vượt khó", "500.000 đ")
    assert dialog.budget.text() == "3.000.000 đ" and dialog.kind.isEnabled()
    dialog.name.setText("Học bổng  Nguyễn Văn Trỗi")
    dialog.amount.setText("700.000")
    assert dialog.save()
    saved = programmes.get_programme(screen.ctx.db, pid)
    assert (saved.name, saved.amount_per_recipient, saved.budget) == (
        "Học bổng Nguyễn Văn Trỗi",
        700_000,
        3_000_000,
    )
    assert saved.criteria == "Học sinh nghèo"
    assert modals.texts("error") == []


def test_an_edit_is_checked_like_a_new_programme(screen: FundScreen, modals: Any) -> None:
    pid = _programme(screen)
    dialog = screen.programmes_tab.open_programme_dialog(pid)
    dialog.name.setText("   ")
    assert not dialog.save()
    assert "Cần tên chương trình" in modals.texts("error")[0]
    dialog.name.setText("Học bổng")
    dialog.amount.setText("12,5")
    assert not dialog.save()
    assert "không hợp lệ" in modals.texts("error")[1]
    assert programmes.get_programme(screen.ctx.db, pid).name == "Học bổng vượt khó"


def test_a_programme_with_money_paid_keeps_its_kind(screen: FundScreen, modals: Any) -> None:
    db = screen.ctx.db
    pid = _programme(screen)
    pupil = programmes.candidates(db, pid)[0].person_id
    programmes.add_recipients(db, pid, [ProgrammeRecipient(person_id=pupil)])
    programmes.post_programme(db, pid, dt.date(YEAR, 1, 5))
    dialog = screen.programmes_tab.open_programme_dialog(pid)
    assert not dialog.kind.isEnabled()
    assert "đã chi tiền" in dialog.kind.toolTip()
    dialog.name.setText("Học bổng vượt khó (đợt 1)")
    assert dialog.save()
    saved = programmes.get_programme(db, pid)
    assert (saved.name, saved.kind) == ("Học bổng vượt khó (đợt 1)", "scholarship")


def test_edit_without_a_programme_says_what_to_do(screen: FundScreen, modals: Any) -> None:
    assert screen.programmes_tab.open_edit_dialog() is None
    assert modals.texts("inform") == ["Hãy chọn chương trình cần sửa."]


def test_the_recipients_dialog_filters_by_household_circumstances(
    screen: FundScreen, modals: Any
) -> None:
    db = screen.ctx.db
    for circumstance, child in (("poor", "Đinh Thị Ánh"), ("near_poor", "Âu Văn Đông")):
        create_household(
            db,
            HouseholdInput(hamlet_id=default_hamlet(db), circumstance=circumstance),
            [
                PersonInput("Đinh Văn Hải", "M", "1980", "Chủ hộ"),
                PersonInput(child, "F", f"{YEAR - 12}", "Con", is_studying=True),
            ],
        )
    _programme(screen)
    dialog = screen.programmes_tab.open_recipients_dialog()
    assert dialog is not None
    everyone = dialog.model.rowCount()
    assert everyone > 2

    def shown() -> list[tuple[str, str]]:
        model = dialog.model
        return [(model.item(r, 0).text(), model.item(r, 6).text()) for r in range(model.rowCount())]

    dialog.circumstance.setCurrentIndex(dialog.circumstance.findText("Hộ nghèo"))
    assert shown() == [("Đinh Thị Ánh", "Hộ nghèo")]
    dialog.circumstance.setCurrentIndex(dialog.circumstance.findText("Hộ nghèo hoặc cận nghèo"))
    assert sorted(shown()) == [("Âu Văn Đông", "Hộ cận nghèo"), ("Đinh Thị Ánh", "Hộ nghèo")]
    dialog.tick([0, 1])
    assert dialog.save()
    dialog.circumstance.setCurrentIndex(0)
    assert dialog.model.rowCount() == everyone


# --- activities ------------------------------------------------------------------------


def test_editing_an_activity_keeps_its_ticks_and_saves_the_changes(
    screen: FundScreen, modals: Any
) -> None:
    db = screen.ctx.db
    member = activities.member_choices(db)[0].member_id
    aid = activities.add_activity(
        db,
        activities.ActivityInput(
            "training", "Tập huấn nghiệp vụ", dt.date(YEAR, 1, 8), hours=4, member_ids=[member]
        ),
    )
    tab = screen.activities_tab
    screen.reload()
    _select(tab.view, 0)
    dialog = tab.open_edit_dialog()
    assert dialog is not None and dialog.windowTitle() == "Sửa hoạt động"
    assert (dialog.topic.text(), dialog.hours.value()) == ("Tập huấn nghiệp vụ", 4)
    assert dialog.chosen == {member} and dialog.chosen_label.text() == "Đã chọn 1 hội viên"
    ticked = [
        r
        for r in range(dialog.members_model.rowCount())
        if dialog.members_model.item(r, 0).checkState() == Qt.CheckState.Checked
    ]
    assert len(ticked) == 1
    dialog.topic.setText("Tập huấn công tác khuyến học")
    dialog.has_end.setChecked(True)
    dialog.end.setDate(dialog.start.date().addDays(1))
    assert dialog.save()
    saved = activities.activity_input(db, aid)
    assert saved.topic == "Tập huấn công tác khuyến học"
    assert saved.end_date == dt.date(YEAR, 1, 9) and list(saved.member_ids) == [member]
    screen.reload()
    assert tab.model.rowCount() == 1 and tab.model.item(0, 1).text() == saved.topic


def test_a_refused_activity_edit_keeps_the_dialog_open_and_the_activity_as_it_was(
    screen: FundScreen, modals: Any
) -> None:
    db = screen.ctx.db
    aid = activities.add_activity(
        db, activities.ActivityInput("literacy", "Lớp xóa mù chữ", dt.date(YEAR, 2, 1))
    )
    dialog = screen.activities_tab.open_activity_dialog(aid)
    dialog.has_end.setChecked(True)
    dialog.end.setDate(dialog.start.date().addDays(-3))
    assert not dialog.save()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "Ngày kết thúc trước ngày bắt đầu" in modals.texts("error")[0]
    assert activities.activity_input(db, aid).end_date is None


# --- the household dialog --------------------------------------------------------------


def test_the_household_dialog_sets_and_edits_the_circumstances(qtbot: Any, ctx: Any) -> None:
    db = ctx.db
    new = HouseholdDialog(db, None)
    qtbot.addWidget(new)
    assert new.circumstance.currentText() == "Bình thường"
    new.hamlet.setCurrentIndex(1)
    new.people.rows[0].name.setText("Vũ Văn Khoa")
    new.circumstance.setCurrentIndex(new.circumstance.findData("near_poor"))
    hid = new.save()
    assert get_household_card(db, hid).circumstance == "near_poor"

    edit = HouseholdDialog(db, None, hid)
    qtbot.addWidget(edit)
    assert edit.circumstance.currentText() == "Hộ cận nghèo" and not edit.is_dirty()
    edit.circumstance.setCurrentIndex(edit.circumstance.findData("policy"))
    assert edit.is_dirty()
    assert edit.save() == hid
    assert get_household_card(db, hid).circumstance == "policy"
