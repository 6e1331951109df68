"""The "Hộp thư đi" panel and its background sender, over a fake outbox core."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

pytestmark = pytest.mark.gui

NOW = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class Item:
    seq: int
    state: str
    message: str = ""
    next_attempt_at: dt.datetime | None = None
    file_name: str = ""
    created_at: dt.datetime = NOW

    @property
    def label(self) -> str:
        from app.core.sync.outbox import state_label

        return state_label(self.state, self.message)


@dataclass
class Report:
    received: int

    def as_dict(self) -> dict[str, Any]:
        return {"received": self.received, "held": 0, "errors": 0, "items": [{}] * self.received}


@dataclass
class FakeCore:
    """Stands for app.core.sync.outbox; ``gate`` holds a pass until the test opens it."""

    url: str = "http://10.0.0.5:8750"
    items: list[Item] = field(default_factory=list)
    contact: dt.datetime | None = None
    due: dt.datetime | None = None
    calls: list[bool] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)
    gate: threading.Event = field(default_factory=threading.Event)

    def outbox_items(self, _db: Any) -> list[Item]:
        return list(self.items)

    def hub_url(self, _db: Any) -> str:
        return self.url

    def last_contact(self, _db: Any) -> dt.datetime | None:
        return self.contact

    def next_due(self, _db: Any) -> dt.datetime | None:
        return self.due

    def send_pending(self, _db: Any, *, cancel: Any, force: bool) -> Report:
        self.calls.append(force)
        self.threads.append(threading.current_thread())
        assert self.gate.wait(10)
        self.items = [replace(i, state="received", message="") for i in self.items]
        self.contact = NOW
        self.due = None
        return Report(len(self.items))


def _items() -> list[Item]:
    return [
        Item(1, "received", file_name="KH_00004_000001_aa.khb"),
        Item(2, "held", "chờ tỉnh chấp nhận khóa của máy này", NOW + dt.timedelta(minutes=5)),
        Item(3, "error", "Tỉnh từ chối gói: gói hỏng."),
        Item(4, "pending", "Máy chủ của tỉnh (10.0.0.5) từ chối kết nối.", NOW),
        Item(5, "pending"),
    ]


@pytest.fixture
def core() -> FakeCore:
    return FakeCore(items=_items())


@pytest.fixture
def panel(qtbot: Any, ctx: Any, core: FakeCore, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from app.ui.screens import sync_outbox

    monkeypatch.setattr(sync_outbox, "FIRST_TRY_MS", 60_000)  # the test decides when
    widget = sync_outbox.OutboxPanel(ctx, core)
    qtbot.addWidget(widget)
    widget.show()
    widget.reload()
    yield widget
    core.gate.set()
    sync_outbox.stop_background_sender(ctx)


def _column(panel: Any, c: int) -> list[str]:
    return [panel.table.item(r, c).text() for r in range(panel.table.rowCount())]


def test_the_panel_shows_each_bundle_state_and_the_last_contact(panel: Any) -> None:
    states = _column(panel, 3)
    assert states == [
        "Chờ gửi",
        "Chờ gửi (lần trước: Máy chủ của tỉnh (10.0.0.5) từ chối kết nối.)",
        "Lỗi: Tỉnh từ chối gói: gói hỏng.",
        "Tỉnh đang giữ: chờ tỉnh chấp nhận khóa của máy này",
        "Tỉnh đã nhận",
    ]
    assert _column(panel, 0) == ["5", "4", "3", "2", "1"]
    assert _column(panel, 4)[3] != "" and _column(panel, 4)[4] == ""  # next try of the held one
    assert panel.contact_label.text() == "Lần cuối liên lạc với tỉnh: chưa lần nào"
    assert "10.0.0.5:8750" in panel.hub_label.text()
    assert panel.send_button.isEnabled()


def test_send_now_runs_off_the_ui_thread_and_refreshes_when_done(
    qtbot: Any, panel: Any, core: FakeCore
) -> None:
    panel.send_button.click()
    assert panel.status_label.text() == "Đang gửi…" and not panel.send_button.isEnabled()
    # The window keeps living while the pass is blocked in the worker.
    ticks: list[int] = []
    from PySide6.QtCore import QTimer

    QTimer.singleShot(10, lambda: ticks.append(1))
    qtbot.waitUntil(lambda: ticks == [1], timeout=2_000)
    assert core.calls == [True]  # forced: ignores the backoff, retries errors
    assert core.threads[0] is not threading.main_thread()
    core.gate.set()
    qtbot.waitUntil(lambda: _column(panel, 3) == ["Tỉnh đã nhận"] * 5, timeout=5_000)
    assert "5 gói tỉnh đã nhận" in panel.status_label.text()
    assert panel.contact_label.text().startswith("Lần cuối liên lạc với tỉnh: ")
    assert "chưa lần nào" not in panel.contact_label.text()
    assert panel.send_button.isEnabled()


def test_the_sender_follows_the_backoff_and_rests_without_a_hub(
    qtbot: Any, panel: Any, core: FakeCore
) -> None:
    from app.ui.screens import sync_outbox

    sender = panel.sender
    core.gate.set()
    # Now, not the module's NOW (taken at import, minutes before a late test runs); due in
    # 9½ minutes, as Qt's coarse timers may report a little more than they were given.
    core.due = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=9.5)
    sender._after_pass()  # as after a pass: wait for the next entry due
    assert 9 * 60_000 < sender._timer.remainingTime() <= 10 * 60_000
    sender.schedule(50)  # an export just happened: sooner wins
    qtbot.waitUntil(lambda: core.calls == [False], timeout=2_000)  # a normal, unforced pass
    qtbot.waitUntil(lambda: not sender.running, timeout=2_000)
    assert sender._timer.remainingTime() > 10 * 60_000 - 5_000  # nothing due: idle check
    core.url = ""
    sender.schedule(0)
    sender._timer.stop()
    sender._tick()
    assert core.calls == [False] and sender._timer.remainingTime() > sync_outbox.MIN_WAIT_MS
    panel.reload()
    assert not panel.send_button.isEnabled() and "USB" in panel.hub_label.text()


def test_the_window_starts_the_sender_and_the_sync_screen_embeds_the_outbox(
    window: Any, ctx: Any
) -> None:
    from app.ui.screens.sync_outbox import SENDER_PROPERTY, stop_background_sender

    sender = getattr(ctx, SENDER_PROPERTY)  # started with the window, not with the screen
    screen = window.show_screen("sync")
    try:
        assert screen.outbox.sender is sender
        assert screen.outbox.isVisible()
        assert "USB" in screen.outbox.hub_label.text()  # no province package yet
        assert screen.outbox.table.rowCount() == 0
    finally:
        stop_background_sender(ctx)
