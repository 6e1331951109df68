""" "Hộp thư đi": the commune's bundles on their way to the province hub.

:class:`OutboxPanel` shows each exported bundle with its send state, the next try and
the last contact with the hub, and a "Gửi ngay" button. :class:`BackgroundSender`
runs the core's :func:`app.core.sync.outbox.send_pending` on a thread of its own,
driven by a single-shot QTimer that follows the core's ``next_attempt_at``: it never
blocks the window, sleeps while no hub address is configured, wakes up after an
export (``ctx.changed``) and — when Qt has a reachability backend — as soon as the
network comes back. It is one per open data folder (:func:`background_sender`), so
the main window can start it at launch and stop it on close.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any, Protocol

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import UserError
from app.ui.screens.base import AppContext

log = logging.getLogger("khuyenhoc.ui.outbox")

HEADERS = ("Số", "Tệp", "Ngày xuất", "Trạng thái", "Lần thử tới")
FIRST_TRY_MS = 3_000
AFTER_CHANGE_MS = 2_000
MIN_WAIT_MS = 5_000
IDLE_MS = 15 * 60_000  # nothing due, or no hub: look again now and then
SENDER_PROPERTY = "_outbox_sender"


class OutboxCore(Protocol):
    """What the panel and the sender need of :mod:`app.core.sync.outbox` (tests fake it)."""

    def outbox_items(self, db: Any) -> list[Any]: ...
    def hub_url(self, db: Any) -> str: ...
    def last_contact(self, db: Any) -> dt.datetime | None: ...
    def next_due(self, db: Any) -> dt.datetime | None: ...
    def send_pending(self, db: Any, **kwargs: Any) -> Any: ...


def _core() -> OutboxCore:
    from app.core.sync import outbox

    return outbox  # type: ignore[return-value]


def local_time(value: dt.datetime | None) -> str:
    """A stored UTC time as the secretary's clock shows it."""
    if value is None:
        return ""
    return value.replace(tzinfo=dt.UTC).astimezone().strftime("%H:%M %d/%m/%Y")


# --- the background sender ---------------------------------------------------------


class _Pass(QRunnable):
    def __init__(self, sender: BackgroundSender, db: Any, force: bool) -> None:
        super().__init__()
        self._sender, self._db, self._force = sender, db, force

    def run(self) -> None:
        sender = self._sender
        try:
            report = sender.core.send_pending(
                self._db, cancel=sender._cancel.is_set, force=self._force
            )
        except UserError as exc:
            sender._failed.emit(exc.message)
        except Exception as exc:  # never let a pass kill the thread silently
            log.error("outbox pass failed", exc_info=True)
            sender._failed.emit(f"Lỗi không mong đợi khi gửi: {exc}")
        else:
            sender._passed.emit(report)


class BackgroundSender(QObject):
    """Sends pending bundles off the UI thread, on a timer that follows the backoff."""

    finished = Signal(object)  # the PushReport of a pass
    failed = Signal(str)  # a pass could not run at all (Vietnamese)
    _passed = Signal(object)
    _failed = Signal(str)

    def __init__(
        self, ctx: AppContext, core: OutboxCore | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._core = core
        self.running = False
        self._again: bool | None = None  # a pass asked for while one runs (force?)
        self._cancel = threading.Event()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._tick)
        self._passed.connect(self._on_passed, Qt.ConnectionType.QueuedConnection)
        self._failed.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)
        ctx.changed.connect(lambda _kind: self.schedule(AFTER_CHANGE_MS))
        app = QCoreApplication.instance()
        if app is not None:  # a pass still running at exit saves its state and stops
            app.aboutToQuit.connect(self.stop)

    # --- scheduling ----------------------------------------------------------------

    @property
    def core(self) -> OutboxCore:
        """Loaded on first use, a few seconds after the window is up: the HTTP client
        (httpx, ssl) is not part of the window's start-up."""
        if self._core is None:
            self._core = _core()
        return self._core

    def start(self) -> None:
        self._cancel.clear()
        self.schedule(FIRST_TRY_MS)

    def stop(self, wait_ms: int = 3_000) -> None:
        """Stop the timer and ask a running pass to stop (it saves its state first)."""
        self._timer.stop()
        self._cancel.set()
        self._pool.waitForDone(wait_ms)

    def schedule(self, delay_ms: int) -> None:
        """Run a pass in ``delay_ms`` unless one is already due sooner."""
        if self._cancel.is_set():
            return
        if self._timer.isActive() and self._timer.remainingTime() <= delay_ms:
            return
        self._timer.start(max(0, delay_ms))

    def send_now(self) -> None:
        """The user asked: one pass now, ignoring the backoff and retrying errors."""
        self._cancel.clear()
        if self.running:
            self._again = True
            return
        self._run(force=True)

    def configured(self) -> bool:
        if not self.ctx.available:
            return False
        try:
            return bool(self.core.hub_url(self.ctx.db))
        except UserError:
            return False

    @Slot()
    def _tick(self) -> None:
        if self.running:
            self._again = bool(self._again)
            return
        if not self.configured():
            self._timer.start(IDLE_MS)
            return
        self._run(force=False)

    def _run(self, force: bool) -> None:
        if not self.configured():
            self.failed.emit(
                "Gói cấu hình của tỉnh không có địa chỉ máy chủ: hãy gửi gói bằng USB."
            )
            return
        self.running = True
        self._timer.stop()
        self._pool.start(_Pass(self, self.ctx.db, force))

    def _wait_ms(self) -> int:
        """Until the next entry is due, by the core's backoff."""
        try:
            due = self.core.next_due(self.ctx.db) if self.ctx.available else None
        except UserError:
            due = None
        if due is None:
            return IDLE_MS
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        ms = int((due - now).total_seconds() * 1000)
        return min(IDLE_MS, max(MIN_WAIT_MS, ms))

    def _after_pass(self) -> None:
        self.running = False
        again, self._again = self._again, None
        if self._cancel.is_set():
            return
        if again is not None:
            self._run(force=again)
        else:
            self._timer.start(self._wait_ms())

    @Slot(object)
    def _on_passed(self, report: Any) -> None:
        self._after_pass()
        self.finished.emit(report)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._after_pass()
        self.failed.emit(message)


def background_sender(ctx: AppContext, core: OutboxCore | None = None) -> BackgroundSender:
    """The one sender of this data folder (created and started on first use)."""
    sender = getattr(ctx, SENDER_PROPERTY, None)
    if not isinstance(sender, BackgroundSender):
        sender = BackgroundSender(ctx, core, parent=ctx)
        setattr(ctx, SENDER_PROPERTY, sender)
        sender.start()
    return sender


def stop_background_sender(ctx: AppContext) -> None:
    """For the window's close: stop the sender if one was started."""
    sender = getattr(ctx, SENDER_PROPERTY, None)
    if isinstance(sender, BackgroundSender):
        sender.stop()


# --- the panel ---------------------------------------------------------------------


class OutboxPanel(QGroupBox):
    """The "Hộp thư đi" section of the sync screen."""

    def __init__(
        self, ctx: AppContext, core: OutboxCore | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__("Hộp thư đi (gửi lên máy chủ của tỉnh qua mạng)", parent)
        self.ctx = ctx
        self.sender = background_sender(ctx, core)
        self.core = self.sender.core
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.hub_label = QLabel()
        self.hub_label.setWordWrap(True)
        self.contact_label = QLabel()
        self.send_button = QPushButton("Gửi ngay")
        top.addWidget(self.hub_label, 1)
        top.addWidget(self.contact_label)
        top.addWidget(self.send_button)
        layout.addLayout(top)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        layout.addWidget(self.table)
        self.send_button.clicked.connect(self.send_now)
        self.sender.finished.connect(self._pass_done)
        self.sender.failed.connect(self._pass_failed)

    def reload(self) -> None:
        db = self.ctx.db
        url = self.core.hub_url(db)
        self.hub_label.setText(
            f"Máy chủ của tỉnh: {url}"
            if url
            else "Tỉnh chưa có máy chủ nhận gói qua mạng: hãy gửi gói bằng USB."
        )
        contact = self.core.last_contact(db)
        self.contact_label.setText(
            f"Lần cuối liên lạc với tỉnh: {local_time(contact) or 'chưa lần nào'}"
        )
        self.send_button.setEnabled(bool(url) and not self.sender.running)
        if self.sender.running:
            self.status_label.setText("Đang gửi…")
        items = list(reversed(self.core.outbox_items(db)))  # newest first, as the history
        self.table.setRowCount(len(items))
        for r, item in enumerate(items):
            label = "Đang gửi" if self.sender.running and item.state == "sending" else item.label
            note = item.message if item.state == "pending" and item.message else ""
            values = [
                str(item.seq),
                item.file_name,
                local_time(item.created_at),
                f"{label} (lần trước: {note})" if note else label,
                local_time(item.next_attempt_at),
            ]
            for c, value in enumerate(values):
                cell = QTableWidgetItem(value)
                cell.setToolTip(value)
                self.table.setItem(r, c, cell)
        self.table.resizeColumnsToContents()

    def send_now(self) -> None:
        self.status_label.setText("Đang gửi…")
        self.send_button.setEnabled(False)
        self.sender.send_now()

    def _pass_done(self, report: Any) -> None:
        data = report.as_dict() if hasattr(report, "as_dict") else {}
        if data.get("items"):
            self.status_label.setText(
                f"Lượt gửi vừa xong: {data.get('received', 0)} gói tỉnh đã nhận, "
                f"{data.get('held', 0)} gói tỉnh đang giữ, {data.get('errors', 0)} gói chưa gửi được."
            )
        else:
            self.status_label.setText("Không có gói nào cần gửi lúc này.")
        self._refresh()

    def _pass_failed(self, message: str) -> None:
        self.status_label.setText(message)
        self._refresh()

    def _refresh(self) -> None:
        if self.ctx.available:
            self.reload()
