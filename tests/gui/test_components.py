"""The pieces under the screens: the lazy table model, background jobs, the toolbar
search and the household card reached from the lists."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt

from app.core.errors import ValidationError
from app.core.registry.listing import PEOPLE, ListQuery
from app.ui import table_model, workers
from app.ui.table_model import ListingModel
from tests.gui.conftest import PEOPLE_COUNT
from tests.gui.test_main_window import names, open_list, select_row

pytestmark = pytest.mark.gui


def test_model_fetches_rows_a_page_at_a_time_into_a_bounded_cache(
    ctx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(table_model, "PAGE", 4)
    monkeypatch.setattr(table_model, "CACHE_LIMIT", 6)
    model = ListingModel(PEOPLE, lambda: ctx.db)
    model.refresh(ListQuery())
    assert model.rowCount() == PEOPLE_COUNT and model.fetches == 0, "ids only at first"

    first = model.index(0, 0).data()
    assert model.fetches == 1
    assert [model.index(r, 0).data() for r in range(1, 4)] and model.fetches == 1
    model.index(12, 0).data()
    assert model.fetches == 2
    assert len(model._rows) <= 6
    model.index(0, 0).data()  # evicted meanwhile: fetched again, same text
    assert model.fetches == 3 and model.index(0, 0).data() == first
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Họ và tên"


def test_model_marks_deleted_rows_and_right_aligns_counts(ctx: Any) -> None:
    from app.core.registry.listing import HOUSEHOLDS

    model = ListingModel(HOUSEHOLDS, lambda: ctx.db)
    model.refresh(ListQuery())
    people_column = HOUSEHOLDS.column_keys.index("people")
    alignment = model.index(0, people_column).data(Qt.ItemDataRole.TextAlignmentRole)
    assert alignment & Qt.AlignmentFlag.AlignRight
    assert model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is None
    model.refresh(ListQuery(deleted=True))
    assert model.rowCount() == 0


def test_model_shows_nothing_new_while_the_database_is_away(ctx: Any) -> None:
    available = {"db": ctx.db}
    model = ListingModel(PEOPLE, lambda: available["db"])
    model.refresh(ListQuery())
    available["db"] = None
    assert model.index(0, 0).data() is None  # no query on a closed database
    model.refresh()
    assert model.rowCount() == 0


def test_background_job_reports_progress_and_delivers_on_the_main_thread(qtbot: Any) -> None:
    main = threading.get_ident()
    seen: dict[str, Any] = {}
    gate = threading.Event()

    def job(progress: workers.ProgressFn, cancel: workers.CancelFn) -> str:
        seen["worker"] = threading.get_ident()
        progress(3, 10)
        gate.wait(5)
        return "xong"

    def done(result: str) -> None:
        seen["result"] = result
        seen["thread"] = threading.get_ident()

    task = workers.run_in_background(job, done, progress_label="Đang làm…")
    assert workers.busy()
    qtbot.waitUntil(lambda: task.dialog is not None and task.dialog.value() == 3, timeout=3000)
    assert task.dialog.maximum() == 10 and task.cancel_button is None
    gate.set()
    qtbot.waitUntil(lambda: task.finished, timeout=5000)
    assert seen["result"] == "xong" and seen["thread"] == main != seen["worker"]
    assert not workers.busy() and task.dialog is None


def test_background_job_can_be_cancelled(qtbot: Any) -> None:
    class Stopped(ValidationError):
        pass

    failures: list[BaseException] = []

    def job(progress: workers.ProgressFn, cancel: workers.CancelFn) -> None:
        for step in range(500):
            if cancel():
                raise Stopped("Đã dừng.")
            progress(step, 500)
            threading.Event().wait(0.01)

    task = workers.run_in_background(
        job, lambda _r: None, failures.append, progress_label="Đang làm…", cancellable=True
    )
    assert task.cancel_button is not None and task.cancel_button.text() == "Hủy"
    task.dialog.show()
    qtbot.mouseClick(task.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: task.finished, timeout=5000)
    assert task.cancelled and isinstance(failures[0], Stopped)


def test_a_failing_job_without_handler_shows_its_message(qtbot: Any, modals: Any) -> None:
    def job(progress: workers.ProgressFn, cancel: workers.CancelFn) -> None:
        raise ValidationError("Không đủ chỗ trên ổ đĩa.")

    task = workers.run_in_background(job, lambda _r: None)
    qtbot.waitUntil(lambda: task.finished, timeout=5000)
    assert modals.texts("error") == ["Không đủ chỗ trên ổ đĩa."]


@pytest.fixture()
def opened_cards(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    dialogs = pytest.importorskip("app.ui.dialogs")
    opened: list[int] = []
    monkeypatch.setattr(
        dialogs, "open_household_card", lambda _db, _parent, hid: opened.append(hid)
    )
    return opened


def test_choosing_a_person_in_the_toolbar_search_opens_the_household_card(
    qtbot: Any, window: Any, opened_cards: list[int]
) -> None:
    box = window.global_search
    qtbot.keyClicks(box, "oanh")
    qtbot.waitUntil(lambda: box.results.rowCount() == 1, timeout=2000)
    hit = box.results.item(0).data(Qt.ItemDataRole.UserRole + 1)
    assert hit.name == "Nguyễn Thị Oanh" and "hộ Nguyễn Văn Minh" in box.results.item(0).text()
    popup = box.completer_.popup()
    assert popup.isVisible()
    popup.setCurrentIndex(box.completer_.completionModel().index(0, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert opened_cards == [hit.household_id]


def test_household_card_button_on_the_people_list(
    qtbot: Any, window: Any, opened_cards: list[int]
) -> None:
    from app.core.registry.households import get_person

    screen = open_list(qtbot, window, "Nhân khẩu")
    select_row(qtbot, screen, names(screen).index("Vũ Thị Ngọc"))
    qtbot.mouseClick(screen.card_button, Qt.MouseButton.LeftButton)
    person = get_person(window.ctx.db, screen.current_id())
    assert opened_cards == [person.household_id]


def test_double_click_edits_with_the_kind_of_the_list(
    qtbot: Any, window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialogs = pytest.importorskip("app.ui.dialogs")
    calls: list[tuple[str, int | None]] = []

    def editor(kind: str, _db: Any, _parent: Any, row_id: int | None = None) -> int | None:
        calls.append((kind, row_id))
        return None

    monkeypatch.setattr(dialogs, "open_editor", editor)
    screen = open_list(qtbot, window, "Dòng họ")
    rect = screen.table.visualRect(screen.model.index(0, 0))
    viewport = screen.table.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())  # a double click
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())  # is both
    assert calls == [("clans", screen.model.id_at(0))]
    qtbot.mouseClick(screen.add_button, Qt.MouseButton.LeftButton)
    assert calls[-1] == ("clans", None)


def test_filters_list_their_choices_after_all(qtbot: Any, window: Any) -> None:
    screen = open_list(qtbot, window, "Hội viên")
    combo = screen.filter_combos["branch_id"]
    assert [combo.itemText(i) for i in range(combo.count())] == ["Tất cả", "Chi hội thôn Đông"]
    assert isinstance(combo.model().index(0, 0), QModelIndex)
