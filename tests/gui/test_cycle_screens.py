"""The cycle and dashboard screens driven like a secretary would: keyboard in the grid."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.core.assessment import cycle as svc
from app.ui.screens import cycle as cycle_screen
from app.ui.screens.cycle import CycleScreen, RecognitionDialog
from app.ui.screens.dashboard import DashboardScreen

pytestmark = pytest.mark.gui
YEAR = 2025


@pytest.fixture
def screen(qtbot: Any, ctx: Any) -> CycleScreen:
    widget = CycleScreen(ctx)
    qtbot.addWidget(widget)
    widget.year.setValue(YEAR)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _register_hamlet(screen: CycleScreen, modals: Any, name: str) -> None:
    screen.hamlet_box.setCurrentIndex(screen.hamlet_box.findText(name))
    modals.answers.append(True)
    screen.register_shown.click()


def test_bulk_registration_of_a_hamlet(screen: CycleScreen, modals: Any) -> None:
    _register_hamlet(screen, modals, "Thôn Đông")
    assert modals.texts("ask") == ["Đăng ký 3 Gia đình học tập (Thôn Đông)?"]
    assert all(r.registered for r in screen.rows) and len(screen.rows) == 3
    assert screen.grid_model is not None and screen.grid_model.rowCount() == 3


def test_keyboard_entry_scores_live_and_saves(qtbot: Any, screen: CycleScreen, modals: Any) -> None:
    _register_hamlet(screen, modals, "Thôn Đông")
    grid, model = screen.grid, screen.grid_model
    assert model is not None
    first = grid.next_editable(model.index(0, 0))
    grid.setCurrentIndex(first)
    grid.setFocus()
    # Nine typed items for the family set: points, points, points, points, yes, yes, points,
    # points, yes — Enter after each moves to the next editable cell (computed ones skipped).
    screen.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is grid)
    for text in ("10", "10", "10", "10", "co", "co", "10", "10", "co"):
        for char in text:
            qtbot.keyClicks(QApplication.focusWidget(), char)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    total_col = model.columnCount() - 2
    row = first.row()
    assert model.index(row, total_col).data() == "100"
    assert model.index(row, total_col + 1).data() == "Đạt"
    assert screen.save_assessments() == 1
    rows = {r.entity_id: r for r in svc.cycle_rows(screen.ctx.db, YEAR, "learning_family")}
    assert sum(r.assessed for r in rows.values()) == 1


def test_a_bad_value_is_refused_with_the_reason(screen: CycleScreen, modals: Any) -> None:
    _register_hamlet(screen, modals, "Thôn Đông")
    model = screen.grid_model
    assert model is not None
    cell = screen.grid.next_editable(model.index(0, 0))
    assert not model.setData(cell, "12", Qt.ItemDataRole.EditRole)
    assert "vượt quá điểm tối đa 10" in model.last_error
    assert model.setData(cell, "7", Qt.ItemDataRole.EditRole)
    assert model.index(0, model.columnCount() - 1).data() == "Không đạt"


def test_recognition_dialog_records_the_decision(
    qtbot: Any, screen: CycleScreen, modals: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _register_hamlet(screen, modals, "Thôn Đông")
    model = screen.grid_model
    assert model is not None
    for col in range(1, model.columnCount() - 2):
        index = model.index(0, col)
        if model.editable(index):
            item = model.item_at(col)
            assert item is not None
            model.setData(index, "có" if item.kind == "yesno" else f"{item.max:g}")
    screen.save_assessments()

    def fill_and_accept(dialog: RecognitionDialog) -> int:
        dialog.number.setText("88/QĐ-UBND")
        dialog.signer_name.setText("Trịnh Văn Khánh")
        dialog.save()
        return int(dialog.result())

    monkeypatch.setattr(RecognitionDialog, "exec", fill_and_accept)
    screen.open_recognition()
    assert sum(r.recognised for r in screen.rows) == 1
    assert not modals.texts("error")


def test_reopening_a_closed_year_asks_for_a_reason(
    screen: CycleScreen, modals: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    modals.answers.append(True)
    screen.close_year()
    assert screen.year_state.text().strip() == "Đã khóa sổ"
    monkeypatch.setattr(cycle_screen, "ask_reason", lambda *_a: "Bổ sung hộ bị sót")
    screen.reopen_year()
    state = svc.year_state(screen.ctx.db, YEAR)
    assert not state.closed and state.log[-1]["reason"] == "Bổ sung hộ bị sót"


def test_dashboard_shows_each_model_with_its_denominator(
    qtbot: Any, ctx: Any, screen: CycleScreen, modals: Any
) -> None:
    _register_hamlet(screen, modals, "Thôn Đông")
    dash = DashboardScreen(ctx)
    qtbot.addWidget(dash)
    dash.year.setValue(YEAR)
    dash.show()
    qtbot.waitExposed(dash)
    dash.reload()
    first = [dash.model_table.item(0, c).text() for c in range(4)]
    assert first[0] == "Gia đình học tập"
    assert first[1].endswith("(tổng số hộ gia đình)") and first[2] == "3"
    assert len(dash.chart.bars) == 5
    dash.grab()  # paints the QPainter chart offscreen
    assert dash.hamlet_table.rowCount() == 3
    dash.profile_box.setCurrentIndex(dash.profile_box.findData("thai-binh-2025"))
    dash.choose_profile()
    assert dash.report is not None and dash.report.profile.code == "thai-binh-2025"


def test_dashboard_trend_lists_the_years_with_data(
    qtbot: Any, ctx: Any, screen: CycleScreen, modals: Any
) -> None:
    _register_hamlet(screen, modals, "Thôn Đông")
    screen.year.setValue(YEAR - 1)
    _register_hamlet(screen, modals, "Thôn Tây")
    dash = DashboardScreen(ctx)
    qtbot.addWidget(dash)
    dash.year.setValue(YEAR)
    dash.reload()
    years = [dash.trend_table.item(r, 0).text() for r in range(dash.trend_table.rowCount())]
    assert years == [str(YEAR - 1), str(YEAR)]
    assert dash.trend_table.columnCount() == 6


def test_the_window_opens_the_cycle_and_dashboard_screens(window: Any) -> None:
    window.show_screen("cycle")
    assert window.current_screen().key == "cycle"
    window.show_screen("dashboard")
    assert window.current_screen().key == "dashboard"
    assert window.current_screen().report is not None


def test_household_card_shows_the_assessment_history(qtbot: Any, ctx: Any) -> None:
    from app.ui.dialogs.household_card import NO_ASSESSMENT, HouseholdCardDialog

    household = svc.cycle_rows(ctx.db, YEAR, "learning_family")[0].entity_id
    card = HouseholdCardDialog(ctx.db, None, household)
    qtbot.addWidget(card)
    assert card.assessment_label.text() == NO_ASSESSMENT
    svc.register(ctx.db, YEAR, "learning_family", [household])
    full = {
        "1.2": 10,
        "1.3": 10,
        "2.2": 10,
        "2.3": 10,
        "3.1": True,
        "3.2": True,
        "3.3": 10,
        "4.1": 10,
        "4.2": True,
    }
    svc.record_assessment(ctx.db, svc.AssessmentInput(YEAR, "learning_family", household, full))
    card.refresh()
    assert card.assessment_label.text() == "Năm 2025: 100 điểm — Đạt"


def test_editing_criteria_saves_a_new_version_and_keeps_the_old(
    qtbot: Any, ctx: Any, modals: Any
) -> None:
    from app.core.assessment import sets
    from app.ui.screens.cycle_criteria import CriteriaDialog

    dialog = CriteriaDialog(ctx.db, "learning_family")
    qtbot.addWidget(dialog)
    original = dialog.current
    assert original is not None and original.version == 1
    row = next(
        r
        for r in range(dialog.table_model.rowCount())
        if dialog.table_model.item(r, 0).text() == "3.3"
    )
    dialog.table_model.item(row, 3).setText("15")
    dialog.pass_mark.setValue(85)
    dialog.save_copy()
    assert modals.texts("inform") == ["Đã lưu phiên bản 2. Bộ cũ giữ nguyên."]
    versions = {i.version: i for i in sets.list_sets(ctx.db, "learning_family")}
    _info, new = sets.get_set(ctx.db, versions[2].id)
    _info, old = sets.get_set(ctx.db, versions[1].id)
    assert (new.item("3.3").max, new.result.pass_mark) == (15, 85)
    assert (old.item("3.3").max, old.result.pass_mark) == (10, 80)
    # A bad edit is refused with the validator's message and saves nothing.
    dialog.table_model.item(row, 4).setText("4")  # max 15 is not a multiple of step 4
    dialog.save_copy()
    assert "không chia hết cho bước" in modals.texts("error")[-1]
    assert len(sets.list_sets(ctx.db, "learning_family")) == 2


def test_citizen_form_records_variant_and_evidence(
    qtbot: Any, ctx: Any, screen: CycleScreen, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from sqlalchemy import text

    from app.ui.screens.cycle_form import AssessmentFormDialog

    citizen = svc.cycle_rows(ctx.db, YEAR, "learning_citizen")[0].entity_id
    svc.register(ctx.db, YEAR, "learning_citizen", [citizen])
    screen.model_box.setCurrentIndex(screen.model_box.findData("learning_citizen"))
    model = screen.grid_model
    assert model is not None and model.rowCount() == 1
    screen.grid.setCurrentIndex(model.index(0, 0))

    def fill(dialog: AssessmentFormDialog) -> int:
        dialog.variant.setCurrentIndex(dialog.variant.findData("nong_dan"))
        for widget in dialog.inputs.values():
            widget.setValue(8)  # type: ignore[union-attr]
        assert dialog.result_label.text().startswith("Tổng: 80/100 — Đạt")
        dialog.inputs["2.3"].setValue(4)  # type: ignore[union-attr]
        assert "dưới mức tối thiểu 5" in dialog.result_label.text()
        dialog.inputs["2.3"].setValue(9)  # type: ignore[union-attr]
        dialog.notes["2.3"].setText("Đã cài VNeID, nộp hồ sơ trực tuyến")
        dialog.save()
        return int(dialog.result())

    monkeypatch.setattr(AssessmentFormDialog, "exec", fill)
    screen.open_form()
    with ctx.db.connect() as conn:
        variant, evidence, total = conn.execute(
            text("SELECT variant, evidence, total FROM assessment WHERE model='learning_citizen'")
        ).one()
    assert (variant, total) == ("nong_dan", 81)
    assert json.loads(evidence) == {"2.3": "Đã cài VNeID, nộp hồ sơ trực tuyến"}


def test_grid_shows_why_a_value_was_refused(screen: CycleScreen, modals: Any) -> None:
    _register_hamlet(screen, modals, "Thôn Đông")
    model = screen.grid_model
    assert model is not None
    model.setData(screen.grid.next_editable(model.index(0, 0)), "abc")
    assert "không phải là số" in screen.grid_error.text()


def test_last_years_recognised_are_listed_as_due_again(
    ctx: Any, screen: CycleScreen, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    household = svc.cycle_rows(ctx.db, YEAR - 1, "learning_family")[0]
    svc.register(ctx.db, YEAR - 1, "learning_family", [household.entity_id])
    full = {
        "1.2": 10,
        "1.3": 10,
        "2.2": 10,
        "2.3": 10,
        "3.1": True,
        "3.2": True,
        "3.3": 10,
        "4.1": 10,
        "4.2": True,
    }
    svc.record_assessment(
        ctx.db, svc.AssessmentInput(YEAR - 1, "learning_family", household.entity_id, full)
    )
    svc.recognise(
        ctx.db,
        svc.DecisionInput(
            YEAR - 1,
            "learning_family",
            "9/QĐ-UBND",
            dt.date(YEAR - 1, 12, 20),
            "Chủ tịch",
            "Trịnh Văn Khánh",
        ),
    )
    screen.reload()
    assert screen.due_model.rowCount() == 1
    assert screen.due_model.item(0, 0).text() == household.name
    assert screen.due_model.item(0, 2).text() == str(YEAR - 1)
