"""A computed item replaced by hand in the assessment form: an exempted child (QĐ 448:
ill, disabled, unable to study) needs its reason; a household with no school-age child
shows "không áp dụng"."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.assessment import cycle as svc
from app.core.registry import households as hh
from app.core.registry.people import PersonInput
from app.ui.screens.cycle_form import AssessmentFormDialog

pytestmark = pytest.mark.gui
YEAR = 2025
TYPED = {"1.2": 8, "1.3": 8, "2.2": 8, "2.3": 8, "3.3": 8, "4.1": 8}


def _household(ctx: Any, head: str) -> int:
    rows = svc.cycle_rows(ctx.db, YEAR, "learning_family")
    return next(r.entity_id for r in rows if r.name == head)


def _form(qtbot: Any, ctx: Any, household: int) -> AssessmentFormDialog:
    svc.register(ctx.db, YEAR, "learning_family", [household])
    sheet = svc.assessment_sheet(ctx.db, YEAR, "learning_family")
    row = next(r for r in sheet.rows if r.entity_id == household)
    dialog = AssessmentFormDialog(ctx.db, sheet, row)
    qtbot.addWidget(dialog)
    for code, points in TYPED.items():
        dialog.inputs[code].setValue(points)  # type: ignore[union-attr]
    for code in ("3.1", "3.2", "4.2"):
        dialog.inputs[code].setChecked(True)  # type: ignore[union-attr]
    return dialog


def test_an_exempted_child_is_entered_by_hand_with_its_reason(
    qtbot: Any, ctx: Any, modals: Any
) -> None:
    household = _household(ctx, "Đặng Văn Hùng")
    hh.add_person(ctx.db, household, PersonInput("Đặng Minh Khôi", "M", "2016", "Cháu"))
    dialog = _form(qtbot, ctx, household)
    # 8·6 + 5 + 5 + 10 = 68, + 1.1 = 0 (the grandchild is not at school), + 2.1 = 10 → 78.
    assert dialog.result_label.text().startswith("Tổng: 78/100 — Không đạt")
    dialog.overrides["1.1"].setText("10")
    assert dialog.result_label.text().startswith("Tổng: 88/100 — Đạt")
    dialog.save()
    assert "ghi lý do vào minh chứng" in modals.texts("error")[-1]
    assert svc.cycle_rows(ctx.db, YEAR, "learning_family") and not any(
        r.assessed for r in svc.cycle_rows(ctx.db, YEAR, "learning_family")
    )
    dialog.notes["1.1"].setText("Cháu Khôi khuyết tật trí tuệ, không có khả năng học")
    dialog.save()
    row = next(
        r for r in svc.cycle_rows(ctx.db, YEAR, "learning_family") if r.entity_id == household
    )
    assert row.assessed and row.total == 88 and row.passed


def test_a_household_without_school_age_children_shows_not_applicable(qtbot: Any, ctx: Any) -> None:
    dialog = _form(qtbot, ctx, _household(ctx, "Bùi Văn Phúc"))
    figure = dialog.overrides["1.1"].parent().findChildren(type(dialog.result_label))[0]
    assert figure.text() == "không áp dụng"
    assert dialog.result_label.text().startswith("Tổng: 88/100 — Đạt")


def test_the_cycle_screen_warns_when_clans_are_scored_before_the_family_decision(
    qtbot: Any, ctx: Any
) -> None:
    from app.ui.screens.cycle import CycleScreen

    screen = CycleScreen(ctx)
    qtbot.addWidget(screen)
    screen.year.setValue(YEAR)
    screen.show()
    qtbot.waitExposed(screen)
    screen.reload()
    assert screen.family_warning.isHidden()  # families themselves: nothing to wait for
    screen.model_box.setCurrentIndex(screen.model_box.findData("learning_clan"))
    assert not screen.family_warning.isHidden()
    assert screen.family_warning.text().startswith(
        "Chưa có quyết định công nhận Gia đình học tập năm 2025"
    )
    screen.model_box.setCurrentIndex(screen.model_box.findData("learning_unit"))
    assert screen.family_warning.isHidden()


def test_the_person_dialog_links_a_person_to_the_unit_they_work_in(qtbot: Any, ctx: Any) -> None:
    from app.core.registry.units import unit_choices
    from app.ui.dialogs.person import PersonDialog

    household = _household(ctx, "Hoàng Thị Hoa")
    person = hh.get_household_card(ctx.db, household).people[0].id
    school = next(uid for uid, name in unit_choices(ctx.db) if name == "Trường Tiểu học Đông Hòa")
    dialog = PersonDialog(ctx.db, None, person_id=person)
    qtbot.addWidget(dialog)
    assert dialog.unit.currentData() is None
    dialog.unit.setCurrentIndex(dialog.unit.findData(school))
    dialog.save()
    assert hh.get_person(ctx.db, person).unit_id == school
    again = PersonDialog(ctx.db, None, person_id=person)
    qtbot.addWidget(again)
    assert again.unit.currentData() == school
