"""The cycle and dashboard screens driven like a secretary would: keyboard in the grid."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.core.assessment import cycle as svc
from app.core.assessment import proposals
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


def _fill_rows(screen: CycleScreen, rows: range) -> None:
    """Full marks typed into the grid for ``rows``, then saved."""
    model = screen.grid_model
    assert model is not None
    for row in rows:
        for col in range(1, model.columnCount() - 2):
            index = model.index(row, col)
            if model.editable(index):
                item = model.item_at(col)
                assert item is not None
                model.setData(index, "có" if item.kind == "yesno" else f"{item.max:g}")
    screen.save_assessments()


def _decide(monkeypatch: pytest.MonkeyPatch, override: bool = False) -> list[str]:
    """Answer the decision dialog; returns what it said it would take."""
    seen: list[str] = []

    def fill_and_accept(dialog: RecognitionDialog) -> int:
        seen.append(dialog.counts.text())
        dialog.number.setText("88/QĐ-UBND")
        dialog.signer_name.setText("Trịnh Văn Khánh")
        dialog.without_proposal.setChecked(override)
        dialog.save()
        return int(dialog.result())

    monkeypatch.setattr(RecognitionDialog, "exec", fill_and_accept)
    return seen


def test_recognition_needs_the_hamlets_proposal_or_an_explicit_override(
    qtbot: Any, screen: CycleScreen, modals: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _register_hamlet(screen, modals, "Thôn Đông")
    _fill_rows(screen, range(1))
    said = _decide(monkeypatch)
    screen.open_recognition()
    assert said == [
        "1 trường hợp đạt chưa được công nhận; 0 đã được thôn đề nghị "
        "(quyết định chỉ công nhận những trường hợp được đề nghị)."
    ]
    assert "chưa được thôn đề nghị" in modals.texts("error")[-1]
    assert sum(r.recognised for r in screen.rows) == 0
    _decide(monkeypatch, override=True)
    screen.open_recognition()
    assert sum(r.recognised for r in screen.rows) == 1
    assert len(modals.texts("error")) == 1


def test_the_decision_dialog_takes_the_issuing_bodys_signer_from_settings(
    qtbot: Any, ctx: Any
) -> None:
    from app.core import settings
    from app.core.assessment import issuers

    settings.save_signers(
        ctx.db,
        [
            settings.Signer("association_chair", "Chủ tịch Hội Khuyến học", "Trịnh Văn Khánh"),
            settings.Signer("committee_chair", "Chủ tịch UBND xã", "Đoàn Thị Mỹ"),
        ],
    )
    family = RecognitionDialog(ctx.db, YEAR, "learning_family")
    qtbot.addWidget(family)
    assert family.issuer.currentText() == "Ủy ban nhân dân xã"
    assert (family.signer_title.text(), family.signer_name.text()) == (
        "Chủ tịch UBND xã",
        "Đoàn Thị Mỹ",
    ), "the committee's chairman, never the association's, under 'Chủ tịch UBND xã'"
    citizen = RecognitionDialog(ctx.db, YEAR, "learning_citizen")
    qtbot.addWidget(citizen)
    assert citizen.issuer.currentText() == "Hội Khuyến học xã"
    assert citizen.signer_name.text() == "Trịnh Văn Khánh"
    family.issuer.setCurrentIndex(family.issuer.findData(issuers.ASSOCIATION))
    assert family.signer_name.text() == "Trịnh Văn Khánh"
    family.save()  # refused (no number), but the body is remembered for the model
    assert issuers.issuer_for(ctx.db, "learning_family") == issuers.ASSOCIATION


def test_the_hamlet_proposes_in_the_proposal_dialog_then_the_commune_decides(
    qtbot: Any, screen: CycleScreen, modals: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.ui.screens.cycle_proposal import ProposalDialog

    _register_hamlet(screen, modals, "Thôn Đông")
    _fill_rows(screen, range(2))
    seen: list[list[str]] = []

    def tick_one_and_save(dialog: ProposalDialog) -> int:
        assert dialog.hamlet_box.currentText() == "Thôn Đông — 2 chờ đề nghị"
        assert dialog.table_model.rowCount() == 2  # the two who passed
        seen.append([dialog.table_model.item(r, 1).text() for r in range(2)])
        dialog.all_button.click()
        dialog.table_model.item(1, 0).setCheckState(Qt.CheckState.Unchecked)
        assert dialog.dirty and dialog.summary.text().endswith("chưa lưu")
        dialog.number.setText("03/ĐN-TĐ")
        dialog.proposed_by.setText("Nguyễn Văn Trưởng")
        assert dialog.save()
        assert not dialog.dirty
        assert dialog.table_model.item(0, 4).text() == "03/ĐN-TĐ"
        return 1

    monkeypatch.setattr(ProposalDialog, "exec", tick_one_and_save)
    screen.open_proposal()
    assert modals.texts("inform")[-1] == "Thôn Đông: đề nghị thêm 1, rút 0."
    proposed = [r.name for r in screen.rows if r.proposed]
    assert proposed == [seen[0][0]]
    column = cycle_screen.LIST_COLUMNS.index("Đề nghị")
    marks = [screen.list_model.text(r, column) for r in range(screen.list_model.rowCount())]
    assert marks.count("✓") == 1
    notices: list[str] = []
    screen.ctx.notice.connect(lambda message, _undo: notices.append(message))
    _decide(monkeypatch)
    screen.open_recognition()
    assert [r.name for r in screen.rows if r.recognised] == proposed
    assert notices[-1].endswith("1 đạt nhưng chưa được thôn đề nghị.")


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
    # Five models, then learning citizens among the staff of learning units (QĐ 387/677).
    assert len(dash.chart.bars) == 6
    assert dash.chart.bars[-1].label == "Công dân học tập trong đơn vị học tập"
    assert (
        dash.model_table.item(4, 1)
        .text()
        .endswith("(số người 15–60 tuổi trong gia đình, dòng họ, cộng đồng học tập)")
    )
    dash.grab()  # paints the QPainter chart offscreen
    assert dash.hamlet_table.rowCount() == 3
    dash.profile_box.setCurrentIndex(dash.profile_box.findData("thai-binh-2025"))
    dash.choose_profile()
    assert dash.report is not None and dash.report.profile.code == "thai-binh-2025"


def test_dashboard_opens_on_the_chosen_profile_and_its_fund_target_only(
    qtbot: Any, ctx: Any
) -> None:
    from app.core.assessment import targets

    dash = DashboardScreen(ctx)
    qtbot.addWidget(dash)
    dash.year.setValue(YEAR)
    dash.show()
    qtbot.waitExposed(dash)
    assert dash.profile_box.currentData() == "qd387", "not QĐ 281, which ended in 2020"
    assert "không đặt chỉ tiêu quỹ" in dash.fund_label.text()
    assert "80.000" not in dash.fund_label.text()
    targets.choose_profile(ctx.db, "thai-binh-2025")  # e.g. from the command line
    dash.reload()
    assert dash.profile_box.currentData() == "thai-binh-2025"
    assert dash.report is not None and dash.report.profile.code == "thai-binh-2025"
    assert "Chỉ tiêu 80.000 đ/người" in dash.fund_label.text()


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


def test_browsing_the_criteria_sets_writes_nothing(
    qtbot: Any, ctx: Any, dump_digest: Callable[[Path], str]
) -> None:
    from app.ui.screens.cycle_criteria import CriteriaDialog

    before = dump_digest(ctx.db.path)
    dialog = CriteriaDialog(ctx.db, "learning_unit")
    qtbot.addWidget(dialog)
    shown = [dialog.current]
    for row in range(len(dialog.infos)):
        dialog.reload(dialog.infos[row].id)
        shown.append(dialog.current)
    assert {i.code for i in shown if i is not None} == {
        "dvht-448-xa",
        "dvht-tt22",
        "dvht-tt24",
    }
    assert dump_digest(ctx.db.path) == before


def test_editing_criteria_saves_a_new_version_and_keeps_the_old(
    qtbot: Any, ctx: Any, modals: Any
) -> None:
    from app.core.assessment import sets
    from app.ui.screens.cycle_criteria import MAX, STEP, CriteriaDialog

    dialog = CriteriaDialog(ctx.db, "learning_family")
    qtbot.addWidget(dialog)
    original = dialog.current
    assert original is not None and original.version == 2  # the shipped set's version
    dialog.item_for("3.3", MAX).setText("15")
    # 105 points against the set's declared 100: refused live, with the reason.
    assert "tổng điểm các mục là 105, khác tổng điểm của bộ (100)" in dialog.problems.text()
    assert not dialog.save_button.isEnabled()
    assert dialog.sum_label.text() == "Các mục cộng lại: 105"
    dialog.total.setValue(105)
    dialog.pass_mark.setValue(85)
    assert dialog.save_button.isEnabled()
    dialog.save_copy()
    assert modals.texts("inform") == ["Đã lưu phiên bản 3. Bộ cũ giữ nguyên."]
    versions = {i.version: i for i in sets.list_sets(ctx.db, "learning_family")}
    _info, new = sets.get_set(ctx.db, versions[3].id)
    _info, old = sets.get_set(ctx.db, versions[2].id)
    assert (new.item("3.3").max, new.result.pass_mark, new.max) == (15, 85, 105)
    assert (old.item("3.3").max, old.result.pass_mark) == (10, 80)
    # A bad edit is refused with the validator's message and saves nothing.
    dialog.item_for("3.3", STEP).setText("4")  # max 15 is not a multiple of step 4
    assert "không chia hết cho bước" in dialog.problems.text()
    dialog.save_copy()
    assert "không chia hết cho bước" in modals.texts("error")[-1]
    assert len(sets.list_sets(ctx.db, "learning_family")) == 2


def test_the_criteria_editor_adds_and_removes_groups_and_items(
    qtbot: Any, ctx: Any, modals: Any
) -> None:
    from app.core.assessment import sets
    from app.ui.screens.cycle_criteria import KIND, MAX, MIN, TITLE, CriteriaDialog

    dialog = CriteriaDialog(ctx.db, "learning_family")
    qtbot.addWidget(dialog)
    dialog.add_group()
    assert dialog.selected_path() == (4, 0, 0)
    dialog.item_for("5", TITLE).setText("Sinh hoạt cộng đồng")
    dialog.item_for("5", MIN).setText("4")
    dialog.item_for("5.1", TITLE).setText("Tham gia Tuần lễ học tập suốt đời")
    dialog.item_for("5.1", KIND).setText("có/không")
    assert dialog.item_for("5.1", KIND).text() == "có/không"
    dialog.add_item()  # into the selected row's criterion
    assert dialog.selected_path() == (4, 0, 1)
    dialog.item_for("5.2", MAX).setText("abc")
    assert modals.texts("error")[-1] == "“abc” không phải là số."
    dialog.item_for("5.2", MAX).setText("5")
    dialog.item_for("5.1", MAX).setText("5")
    assert dialog.item_for("5", MAX).text() == "10"  # the group's sum follows
    dialog.item_for("4.1", MAX).setText("5")  # the ten new points taken off 4.1 and 3.3
    dialog.item_for("3.3", MAX).setText("5")
    dialog.title_edit.setText("Gia đình học tập (xã Hòa Bình sửa)")
    assert dialog.problems.text().startswith("Bản sửa hợp lệ"), dialog.problems.text()
    dialog.save_copy()
    saved = dialog.current
    assert saved is not None and saved.version == 3
    _info, doc = sets.get_set(ctx.db, saved.id)
    assert doc.title == "Gia đình học tập (xã Hòa Bình sửa)"
    assert [g.title for g in doc.groups][-1] == "Sinh hoạt cộng đồng" and doc.groups[-1].min == 4
    assert (doc.item("5.1").kind, doc.item("5.1").max, doc.item("5.2").max) == ("yesno", 5, 5)
    assert doc.max == 100
    # Removing: the only item of a criterion cannot go alone; the whole group can.
    dialog.table.setCurrentIndex(dialog.item_for("5.2", 0).index())
    modals.answers.append(True)
    dialog.remove_row()
    dialog.table.setCurrentIndex(dialog.item_for("5.1", 0).index())
    modals.answers.append(True)
    dialog.remove_row()
    assert "mục duy nhất của tiêu chí" in modals.texts("error")[-1]
    dialog.table.setCurrentIndex(dialog.item_for("5", 0).index())
    modals.answers.append(True)
    dialog.remove_row()
    assert dialog.table_model.rowCount() == 4
    assert "khác tổng điểm của bộ" in dialog.problems.text()


def test_the_criteria_editor_switches_a_pass_mark_to_bands(
    qtbot: Any, ctx: Any, modals: Any
) -> None:
    from app.core.assessment import sets
    from app.ui.screens.cycle_criteria import CriteriaDialog

    dialog = CriteriaDialog(ctx.db, "learning_family")
    qtbot.addWidget(dialog)
    dialog.result_kind.setCurrentIndex(dialog.result_kind.findData("bands"))
    assert not dialog.pass_mark.isEnabled() and dialog.bands.isEnabled()
    assert "cần ít nhất một mức xếp loại" in dialog.problems.text()
    dialog.add_band()
    dialog.add_band()
    dialog.bands.item(0, 0).setText("Khá")
    dialog.bands.item(0, 1).setText("80")
    dialog.bands.item(1, 0).setText("Tốt")
    dialog.bands.item(1, 1).setText("90")
    assert "xếp từ cao xuống thấp" in dialog.problems.text()
    dialog.bands.item(0, 1).setText("95")
    dialog.bands.item(0, 0).setText("Tốt")
    dialog.bands.item(1, 0).setText("Khá")
    dialog.bands.item(1, 1).setText("80")
    assert dialog.save_button.isEnabled(), dialog.problems.text()
    dialog.save_copy()
    saved = dialog.current
    assert saved is not None
    result = sets.get_set(ctx.db, saved.id)[1].result
    assert (result.kind, [(b.label, b.min) for b in result.bands]) == (
        "bands",
        [("Tốt", 95), ("Khá", 80)],
    )


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


def test_grid_shows_the_hamlets_proposal_read_only(screen: CycleScreen, modals: Any) -> None:
    import datetime as dt

    _register_hamlet(screen, modals, "Thôn Đông")
    _fill_rows(screen, range(2))
    model = screen.grid_model
    assert model is not None
    chosen = model.sheet.rows[1]
    assert chosen.hamlet_id is not None
    proposals.propose(
        screen.ctx.db,
        YEAR,
        "learning_family",
        chosen.hamlet_id,
        [chosen.entity_id],
        number="03/ĐN-TĐ",
        on=dt.date(YEAR, 11, 30),
    )
    screen.reload()
    model = screen.grid_model
    assert model is not None
    row = next(r for r, e in enumerate(model.sheet.rows) if e.entity_id == chosen.entity_id)
    column = model.proposal_column()
    assert column == model.columnCount() - 3
    headers = [
        model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        for c in range(column, model.columnCount())
    ]
    assert headers == ["Đề nghị", "Tổng", "Kết quả"]
    marks = [model.index(r, column).data() for r in range(model.rowCount())]
    assert marks == ["✓" if r == row else "" for r in range(model.rowCount())]
    tip = model.index(row, column).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == "Thôn đã đề nghị công nhận (số 03/ĐN-TĐ, ngày 30/11/2025)."
    cell = model.index(row, column)
    assert not model.flags(cell) & Qt.ItemFlag.ItemIsEditable
    assert not model.setData(cell, "", Qt.ItemDataRole.EditRole)
    # Enter past the last item skips the proposal, total and result columns.
    following = screen.grid.next_editable(model.index(0, column - 1))
    assert following.row() == 1 and 0 < following.column() < column
    # Typing a failing value warns that saving withdraws the hamlet's proposal.
    first = screen.grid.next_editable(model.index(row, 0))
    zeroed = first
    while model.index(row, model.columnCount() - 1).data() == "Đạt":
        item = model.item_at(zeroed.column())
        assert item is not None and zeroed.row() == row
        model.setData(zeroed, "không" if item.kind == "yesno" else "0", Qt.ItemDataRole.EditRole)
        zeroed = screen.grid.next_editable(zeroed)
    assert model.index(row, column).data() == "sẽ rút"
    assert "sẽ bị rút" in model.index(row, column).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(row, model.columnCount() - 2).data() != "100"
    screen.save_assessments()
    assert screen.grid_model is not None
    assert screen.grid_model.index(row, column).data() == ""


def test_grid_has_no_proposal_column_for_units(screen: CycleScreen) -> None:
    screen.model_box.setCurrentIndex(screen.model_box.findData("learning_unit"))
    model = screen.grid_model
    assert model is not None and model.sheet.model == "learning_unit"
    assert model.proposal_column() is None
    assert model.columnCount() == 1 + len(model.items) + 2
    last = model.columnCount() - 1
    assert model.headerData(last, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) == (
        "Kết quả"
    )


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
    proposals.propose(ctx.db, YEAR - 1, "learning_family", household.hamlet_id or 0)
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
    assert screen.due_model.text(0, 0) == household.name
    assert screen.due_model.text(0, 2) == str(YEAR - 1)


def test_the_communes_own_targets_are_typed_beside_the_provinces(
    qtbot: Any, ctx: Any, modals: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.assessment import targets
    from app.ui.screens.cycle_targets import OwnTargetsDialog

    dash = DashboardScreen(ctx)
    qtbot.addWidget(dash)
    dash.year.setValue(YEAR)
    dash.reload()

    def type_targets(dialog: OwnTargetsDialog) -> int:
        dialog.reference.setCurrentIndex(dialog.reference.findData("thai-binh-2025"))
        assert dialog.reference_cells["members_share"].text() == "40%"
        dialog.copy_reference()
        assert dialog.inputs["learning_clan"].value() == 65
        dialog.inputs["learning_family"].setValue(80)
        dialog.inputs["learning_citizen"].setValue(0)  # the commune sets none for citizens
        dialog.registered_only["learning_clan"].setChecked(True)
        dialog.title.setText("Nghị quyết Đảng ủy xã 2025")
        dialog.save()
        return int(dialog.result())

    monkeypatch.setattr(OwnTargetsDialog, "exec", type_targets)
    dash.edit_own_targets()
    own = targets.chosen_profile(ctx.db)
    assert (own.code, own.title) == (targets.CUSTOM_CODE, "Nghị quyết Đảng ủy xã 2025")
    assert own.targets == {
        "learning_family": 0.8,
        "learning_clan": 0.65,
        "learning_community": 0.65,
        "learning_unit": 0.8,
        "members_share": 0.4,
    }
    assert own.denominators == {"learning_clan": "registered"}
    assert dash.profile_box.currentData() == targets.CUSTOM_CODE
    assert dash.report is not None and dash.report.models["learning_family"].target == 0.8
    # Opening again starts from the commune's own figures.
    again = OwnTargetsDialog(ctx.db, YEAR)
    qtbot.addWidget(again)
    assert again.inputs["learning_family"].value() == 80
    assert again.inputs["learning_citizen"].value() == 0
    assert not modals.texts("error")


def test_citizen_form_shows_minimums_and_subtotals_live(
    qtbot: Any, ctx: Any, screen: CycleScreen
) -> None:
    from app.ui.screens.cycle_form import AssessmentFormDialog

    citizen = svc.cycle_rows(ctx.db, YEAR, "learning_citizen")[0].entity_id
    svc.register(ctx.db, YEAR, "learning_citizen", [citizen])
    sheet = svc.assessment_sheet(ctx.db, YEAR, "learning_citizen")
    dialog = AssessmentFormDialog(ctx.db, sheet, sheet.rows[0])
    qtbot.addWidget(dialog)
    for widget in dialog.inputs.values():
        widget.setValue(8)  # type: ignore[union-attr]
    slider, spin = dialog.sliders["2.3"], dialog.inputs["2.3"]
    assert slider.value() == round(8 / sheet.doc.item("2.3").step)
    slider.setValue(round(4 / sheet.doc.item("2.3").step))  # dragged below the minimum of 5
    assert spin.value() == 4  # type: ignore[union-attr]
    assert "dưới mức tối thiểu 5" in dialog.result_label.text()
    assert "b00020" in dialog.min_labels["2.3"].styleSheet()
    assert "b00020" in dialog.result_label.styleSheet()
    box, group = dialog.group_boxes["2"]
    assert f"— {8 * (len(group.items) - 1) + 4:g}/{group.max:g}" in box.title()
    spin.setValue(9)  # type: ignore[union-attr]
    assert slider.value() == round(9 / sheet.doc.item("2.3").step)
    assert "gray" in dialog.min_labels["2.3"].styleSheet()
    assert dialog.result_label.text().startswith("Tổng: 81/100 — Đạt")


def test_the_proposal_list_is_printed_off_the_ui_thread(
    qtbot: Any, screen: CycleScreen, modals: Any, tmp_path: Any
) -> None:
    from app.ui.screens.cycle_proposal import ProposalDialog

    _register_hamlet(screen, modals, "Thôn Đông")
    _fill_rows(screen, range(2))
    dialog = ProposalDialog(screen.ctx.db, YEAR, "learning_family", screen.hamlets, None)
    qtbot.addWidget(dialog)
    dialog.hamlet_box.setCurrentIndex(
        dialog.hamlet_box.findText("Thôn Đông", Qt.MatchFlag.MatchStartsWith)
    )
    dialog.all_button.click()
    target = tmp_path / "de-nghi.pdf"
    modals.files.append(target)
    dialog.print_button.click()  # unsaved ticks are saved first, then printed
    qtbot.waitUntil(lambda: any("danh sách đề nghị" in t for t in modals.texts("inform")))
    assert modals.texts("inform")[0] == "Thôn Đông: đề nghị thêm 2, rút 0."
    assert target.stat().st_size > 0 and "2 mục, 1 trang" in modals.texts("inform")[-1]


def test_search_as_you_type_narrows_the_cycle_lists_without_diacritics(
    qtbot: Any, screen: CycleScreen, modals: Any
) -> None:
    _register_hamlet(screen, modals, "Thôn Đông")
    everyone = screen.list_model.rowCount()
    qtbot.keyClicks(screen.search_box, "dang van")
    qtbot.waitUntil(lambda: screen.list_model.rowCount() < everyone)
    assert [r.name for r in screen.rows] == ["Đặng Văn Hùng"]
    assert screen.summary.text().startswith("1 trong danh sách")
    grid, model = screen.grid, screen.grid_model
    assert model is not None
    shown = [model.sheet.rows[r].name for r in range(model.rowCount()) if not grid.isRowHidden(r)]
    assert shown == ["Đặng Văn Hùng"]
    # Enter in the grid skips the hidden rows: the next editable cell is on the shown row.
    first = grid.next_editable(model.index(0, 0))
    assert model.sheet.rows[first.row()].name == "Đặng Văn Hùng"
    # Typed decomposed (NFD) it is the same search, within the hamlet chosen above
    # (Nguyễn Văn Minh lives in Thôn Tây); clearing shows every row again.
    screen.search_box.setText(unicodedata.normalize("NFD", "Nguyễn"))
    screen.search_box.emit_now()
    assert [r.name for r in screen.rows] == ["Nguyễn Văn An"]
    screen.search_box.clear()
    screen.search_box.emit_now()
    assert screen.list_model.rowCount() == everyone
    assert not any(grid.isRowHidden(r) for r in range(model.rowCount()))


def test_cycle_list_is_in_the_registry_order_and_the_cli_searches_it(ctx: Any) -> None:
    from app.core.registry.listing import HOUSEHOLDS, ListQuery

    rows = svc.cycle_rows(ctx.db, YEAR, "learning_family")
    assert [r.entity_id for r in rows] == HOUSEHOLDS.ids(ctx.db, ListQuery())
    found = svc.cycle_rows(ctx.db, YEAR, "learning_family", search="hoa")
    assert [r.name for r in found] == ["Hoàng Thị Hoa"]
    assert svc.search_ids(ctx.db, YEAR, "learning_family", "  ") is None
