"""Text that used to be cut: the amount in words on a receipt, dates and CCCD on the
household card, names in a wide scoring grid, the dashboard's labels and short tables."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

pytestmark = pytest.mark.gui


def test_the_amount_in_words_is_shown_whole(qtbot: Any, ctx: Any) -> None:
    from app.ui.screens.fund import EntryDialog

    dialog = EntryDialog(ctx.db, "receipt")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.amount.setText("987.654.321")
    QApplication.processEvents()
    words = dialog.words
    assert words.text().startswith("Chín trăm tám mươi bảy triệu")
    assert words.heightForWidth(words.width()) <= words.height()
    assert words.width() >= words.fontMetrics().averageCharWidth() * 40


def test_household_card_shows_dates_and_cccd_whole(qtbot: Any, ctx: Any) -> None:
    from app.core.registry.listing import HOUSEHOLDS, ListQuery
    from app.ui.dialogs.household_card import HouseholdCardDialog

    household = HOUSEHOLDS.ids(ctx.db, ListQuery(search="nguyen van an"))[0]
    card = HouseholdCardDialog(ctx.db, None, household)
    qtbot.addWidget(card)
    card.show()
    table = card.people_table
    metrics = table.fontMetrics()
    titles = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    for title, sample in (("Ngày sinh", "12/03/1972"), ("Số CCCD", "001072000123")):
        column = titles.index(title)
        assert table.columnWidth(column) >= metrics.horizontalAdvance(sample) + 8, title
    birth = titles.index("Ngày sinh")
    shown = [table.item(r, birth).text() for r in range(table.rowCount())]
    assert "12/03/1972" in shown
    assert all(metrics.horizontalAdvance(text) < table.columnWidth(birth) for text in shown)


def test_the_name_column_of_the_scoring_grid_stays_in_view(
    qtbot: Any, ctx: Any, modals: Any
) -> None:
    from app.ui.screens.cycle import CycleScreen

    screen = CycleScreen(ctx)
    qtbot.addWidget(screen)
    screen.year.setValue(2025)
    screen.resize(700, 500)
    screen.show()
    qtbot.waitExposed(screen)
    modals.answers.append(True)
    screen.register_shown.click()
    screen.tabs.setCurrentIndex(1)
    grid = screen.grid
    QApplication.processEvents()
    bar = grid.horizontalScrollBar()
    assert bar.maximum() > 0  # the items do not fit: the grid scrolls sideways
    bar.setValue(bar.maximum())
    QApplication.processEvents()
    frozen = grid.frozen
    assert frozen is not None and frozen.isVisible()
    assert frozen.geometry().left() <= grid.verticalHeader().width() + grid.frameWidth()
    assert frozen.columnWidth(0) == grid.columnWidth(0)
    names = {frozen.model().index(r, 0).data() for r in range(frozen.model().rowCount())}
    assert "Nguyễn Văn An" in names
    assert frozen.columnWidth(0) >= grid.fontMetrics().horizontalAdvance("Nguyễn Văn Cường")


def test_dashboard_shows_every_model_row_and_wraps_its_long_lines(qtbot: Any, ctx: Any) -> None:
    from app.core.assessment import CYCLE_MODELS, MODELS
    from app.ui.screens.dashboard import DashboardScreen

    screen = DashboardScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(900, 600)
    screen.show()
    qtbot.waitExposed(screen)
    view = screen.model_view
    rows = view.model().rowCount()
    labels = " ".join(str(view.model().index(r, 0).data()) for r in range(rows))
    # The five models, and learning citizens counted a second way (among unit staff).
    assert rows == 6 and all(MODELS[m] in labels for m in CYCLE_MODELS)
    needed = sum(view.rowHeight(r) for r in range(rows)) + view.horizontalHeader().height()
    assert view.height() >= needed
    assert screen.fund_label.wordWrap() and screen.members_label.wordWrap()
    assert [screen.tabs.tabText(i) for i in range(screen.tabs.count())] == [
        "Theo mô hình",
        "Theo thôn / TDP",
        "Qua các năm",
    ]
