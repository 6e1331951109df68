"""The main window: navigation, lists, search, sorting, delete and undo, the deleted view."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt

from app.core import settings
from app.core.registry.listing import PEOPLE, ListQuery
from tests.gui.conftest import HOUSEHOLDS, PEOPLE_COUNT

pytestmark = pytest.mark.gui


def open_list(qtbot: Any, window: Any, title: str) -> Any:
    """Click the navigation entry called ``title`` and return the screen shown."""
    nav = window.nav
    row = next(i for i in range(nav.count()) if nav.item(i).text() == title)
    rect = nav.visualItemRect(nav.item(row))
    qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    screen = window.current_screen()
    assert screen is not None and screen.title.lower() == title.lower()
    return screen


def names(screen: Any) -> list[str]:
    return [screen.model.text(r, 0) for r in range(screen.model.rowCount())]


def click_header(qtbot: Any, screen: Any, column: int) -> None:
    header = screen.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


def select_row(qtbot: Any, screen: Any, row: int) -> None:
    rect = screen.table.visualRect(screen.model.index(row, 0))
    qtbot.mouseClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_window_title_navigation_and_overview(window: Any) -> None:
    info = settings.get_commune(window.ctx.db)
    assert info is not None and info.association_name.endswith("Ba Đình")
    assert window.windowTitle() == f"Sổ Khuyến Học — {info.association_name}"
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles[:8] == [
        "Tổng quan",
        "Thôn / Tổ dân phố",
        "Hộ gia đình",
        "Nhân khẩu",
        "Dòng họ",
        "Đơn vị",
        "Chi hội",
        "Hội viên",
    ]
    assert {"Chu kỳ năm", "Chỉ tiêu"} <= set(titles[8:])
    overview = window.current_screen()
    assert overview.key == "overview"
    assert overview.tiles["households"].value_label.text() == str(len(HOUSEHOLDS))
    assert overview.tiles["people"].value_label.text() == str(PEOPLE_COUNT)
    # 3 active members of 15 people in the registry.
    assert "bằng <b>20,0%</b> dân số" in overview.share_label.text()
    assert "Phường Ba Đình" in window.status_label.text()
    assert list(window.screens) == ["overview"], "other screens are built only when shown"


def test_people_search_without_diacritics_in_vietnamese_order(qtbot: Any, window: Any) -> None:
    screen = open_list(qtbot, window, "Nhân khẩu")
    assert screen.model.rowCount() == PEOPLE_COUNT
    assert screen.count_label.text() == f"{PEOPLE_COUNT} nhân khẩu"

    qtbot.keyClicks(screen.search_box, "nguyen thi")
    expected = PEOPLE.count(window.ctx.db, ListQuery(search="nguyen thi"))
    qtbot.waitUntil(lambda: screen.model.rowCount() == expected, timeout=2000)
    found = names(screen)
    assert {"Nguyễn Thị Lan", "Nguyễn Thị Oanh", "Nguyễn Thị Tâm"} <= set(found)
    # Sorted by given name: Bình (wife of Nguyễn Văn An) comes before Lan.
    assert found[0] == "Trần Thị Bình"
    assert screen.count_label.text() == f"{expected} nhân khẩu"

    screen.search_box.clear()
    qtbot.keyClicks(screen.search_box, "dang van hung")
    qtbot.waitUntil(lambda: names(screen) == ["Đặng Văn Hùng"], timeout=2000)


def test_filters_narrow_the_list(qtbot: Any, window: Any) -> None:
    screen = open_list(qtbot, window, "Nhân khẩu")
    gender = screen.filter_combos["gender"]
    gender.setCurrentIndex(gender.findText("Nam"))
    assert all(screen.model.text(r, 1) == "Nam" for r in range(screen.model.rowCount()))
    assert screen.model.rowCount() == sum(
        1 for _h, people in HOUSEHOLDS for p in people if p[1] == "M"
    )
    hamlet = screen.filter_combos["hamlet_id"]
    hamlet.setCurrentIndex(hamlet.findText("Tổ dân phố 1"))
    assert names(screen) == ["Ngô Văn Sơn"]
    gender.setCurrentIndex(0)
    assert gender.currentText() == "Tất cả"
    assert set(names(screen)) == {"Đỗ Thị Quỳnh", "Ngô Văn Sơn", "Nguyễn Thị Tâm"}


def test_sorting_by_clicking_a_header(qtbot: Any, window: Any) -> None:
    screen = open_list(qtbot, window, "Nhân khẩu")
    birth_column = screen.listing.column_keys.index("birth")
    click_header(qtbot, screen, birth_column)
    assert screen.model.query.sort == "birth" and not screen.model.query.descending
    years = [screen.model.text(r, birth_column)[-4:] for r in range(screen.model.rowCount())]
    assert years == sorted(years)
    assert names(screen)[0] == "Ngô Văn Sơn"  # born 1955

    click_header(qtbot, screen, birth_column)
    assert screen.model.query.descending
    assert names(screen)[0] == "Nguyễn Thị Lan"  # born 2012


def test_delete_then_undo_from_the_status_bar(qtbot: Any, window: Any, modals: Any) -> None:
    screen = open_list(qtbot, window, "Nhân khẩu")
    row = names(screen).index("Phạm Văn Đức")
    select_row(qtbot, screen, row)
    assert screen.selected_ids()
    modals.answers.append(True)
    qtbot.keyClick(screen.table, Qt.Key.Key_Delete)
    assert "Phạm Văn Đức" in modals.texts("ask")[0]
    assert "Phạm Văn Đức" not in names(screen)
    assert screen.model.rowCount() == PEOPLE_COUNT - 1
    assert window.notice.undo_button.isVisible()
    assert "Đã xóa" in window.notice.label.text()

    qtbot.mouseClick(window.notice.undo_button, Qt.MouseButton.LeftButton)
    assert "Phạm Văn Đức" in names(screen)
    assert screen.selected_ids() == [screen.model.id_at(names(screen).index("Phạm Văn Đức"))]
    assert window.notice.label.text() == "Đã hoàn tác."


def test_cancelled_delete_changes_nothing(qtbot: Any, window: Any, modals: Any) -> None:
    screen = open_list(qtbot, window, "Nhân khẩu")
    select_row(qtbot, screen, 0)
    modals.answers.append(False)
    qtbot.mouseClick(screen.delete_button, Qt.MouseButton.LeftButton)
    assert screen.model.rowCount() == PEOPLE_COUNT


def test_deleted_view_shows_grey_rows_and_restores(qtbot: Any, window: Any, modals: Any) -> None:
    screen = open_list(qtbot, window, "Hộ gia đình")
    row = names(screen).index("Hoàng Thị Hoa")
    select_row(qtbot, screen, row)
    modals.answers.append(True)
    qtbot.mouseClick(screen.delete_button, Qt.MouseButton.LeftButton)
    assert "cùng các nhân khẩu" in modals.texts("ask")[0]
    assert screen.model.rowCount() == len(HOUSEHOLDS) - 1

    qtbot.mouseClick(screen.deleted_button, Qt.MouseButton.LeftButton)
    assert names(screen) == ["Hoàng Thị Hoa"]
    assert screen.delete_button.text() == "Khôi phục"
    assert not screen.add_button.isEnabled()
    colour = screen.model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole)
    assert colour is not None and colour.lightness() > 100
    assert screen.count_label.text() == "1 hộ đã xóa"

    select_row(qtbot, screen, 0)
    qtbot.mouseClick(screen.delete_button, Qt.MouseButton.LeftButton)
    assert screen.model.rowCount() == 0
    qtbot.mouseClick(screen.deleted_button, Qt.MouseButton.LeftButton)
    assert "Hoàng Thị Hoa" in names(screen)
    people = open_list(qtbot, window, "Nhân khẩu")
    assert people.model.rowCount() == PEOPLE_COUNT, "her household's people came back too"


def test_a_refused_delete_shows_the_reason(qtbot: Any, window: Any, modals: Any) -> None:
    screen = open_list(qtbot, window, "Nhân khẩu")
    select_row(qtbot, screen, names(screen).index("Nguyễn Văn An"))  # head with a family
    modals.answers.append(True)
    qtbot.keyClick(screen.table, Qt.Key.Key_Delete)
    assert "chủ hộ" in modals.texts("error")[0]
    assert screen.model.rowCount() == PEOPLE_COUNT


def test_global_search_lists_people_and_households(qtbot: Any, window: Any) -> None:
    box = window.global_search
    qtbot.keyClicks(box, "nguyen van an")
    qtbot.waitUntil(lambda: box.results.rowCount() > 0, timeout=2000)
    first = box.results.item(0).text()
    assert first.startswith("Nguyễn Văn An")
