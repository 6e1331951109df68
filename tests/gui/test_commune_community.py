"""The commune's own title (TT 25/2023) in the window: figures from the registries, ticks
with evidence, the level, saved through the core."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.core.activities.service import ActivityInput, add_activity
from app.core.assessment import commune_figures as cf
from app.ui.screens.commune_community import CommuneCommunityScreen

pytestmark = pytest.mark.gui
YEAR = 2025


@pytest.fixture
def screen(qtbot: Any, ctx: Any) -> CommuneCommunityScreen:
    db = ctx.db
    add_activity(db, ActivityInput("centre", "Kỹ thuật nuôi ong", dt.date(YEAR, 3, 8), None, 3, 25))
    add_activity(db, ActivityInput("centre", "Tin học cơ bản", dt.date(YEAR, 10, 3), None, 2, 18))
    add_activity(db, ActivityInput("training", "Tập huấn chi hội", dt.date(YEAR - 1, 10, 2)))
    widget = CommuneCommunityScreen(ctx)
    qtbot.addWidget(widget)
    widget.year.setValue(YEAR)
    widget.show()
    qtbot.waitExposed(widget)
    widget.reload()
    return widget


def test_the_window_offers_the_commune_screen(window: Any) -> None:
    keys = [window.nav.item(i).data(0x0100) for i in range(window.nav.count())]
    window.nav.setCurrentRow(keys.index("commune"))
    assert isinstance(window.current_screen(), CommuneCommunityScreen)


def test_registry_figures_fill_the_evidence_of_their_items(screen: CommuneCommunityScreen) -> None:
    shown = screen.figures_label.text()
    assert "Biết chữ 15–60 tuổi:" in shown and "Biết chữ 15–35 tuổi:" in shown
    assert "Đi học 6–10 tuổi (tiểu học):" in shown
    # Two centre sessions in 2025 (25 + 18 people); one of them in the Week (1–7 October).
    assert screen.notes["3.1"].text() == "TTHTCĐ năm 2025: 2 buổi, 43 lượt người"
    assert screen.notes["1.3"].text() == (
        "Tuần lễ hưởng ứng học tập suốt đời (01/10–07/10/2025): 1 hoạt động, 18 lượt người"
    )
    assert screen.notes["4.1"].text().startswith("Biết chữ 15–60 tuổi:")
    assert screen.notes["2.1"].text() == ""  # typed by the commune


def test_ticks_give_the_level_and_saving_keeps_them(
    qtbot: Any, ctx: Any, screen: CommuneCommunityScreen
) -> None:
    doc = screen.current.doc if screen.current else None
    assert doc is not None
    assert screen.result_label.text().startswith("Kết quả: Không đạt")
    for item in doc.items:
        if item.level == 1:
            screen.checks[item.code].setChecked(True)
    assert screen.result_label.text().startswith("Kết quả: Mức độ 1")
    for box in screen.checks.values():
        box.setChecked(True)
    assert (
        screen.result_label.text()
        == f"Kết quả: Mức độ 2 — {len(doc.items)}/{len(doc.items)} chỉ số đạt"
    )
    screen.notes["2.1"].setText("Nghị quyết HĐND xã số 05/NQ-HĐND, dự toán 30 triệu đồng")
    qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)
    stored = cf.commune_assessment(ctx.db, YEAR)
    assert all(stored.values[i.code] is True for i in doc.items)
    assert stored.evidence["2.1"].startswith("Nghị quyết HĐND xã số 05/NQ-HĐND")
    assert stored.evidence["3.1"] == "TTHTCĐ năm 2025: 2 buổi, 43 lượt người"
    screen.reload()
    assert all(box.isChecked() for box in screen.checks.values())
