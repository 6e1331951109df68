"""Long work off the UI thread, in the manner of Anki's ``CollectionOp``/``QueryOp``.

A job is a plain function ``fn(progress, cancel) -> result`` from the core: it
reports ``progress(done, total)`` and polls ``cancel()`` between batches, and
knows nothing of Qt. :func:`run_in_background` runs it on a thread pool and
delivers the result (or the exception) to ``on_done``/``on_error`` on the main
thread through queued signals. Widgets are never touched from the worker: the
progress dialog is updated by a main-thread timer that reads the last reported
figures (like Anki's progress manager), so a chatty job cannot flood the UI.

Jobs that write to the database run on a pool of one thread, so two writers
never race; read-only jobs use Qt's global pool.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

from app.core.errors import UserError

ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]
Job = Callable[[ProgressFn, CancelFn], Any]

log = logging.getLogger("khuyenhoc.ui.workers")
_write_pool: QThreadPool | None = None
_active: set[Task] = set()
POLL_MS = 100
SHOW_AFTER_MS = 250


def _pool(writes: bool) -> QThreadPool:
    global _write_pool
    if not writes:
        return QThreadPool.globalInstance()
    if _write_pool is None:
        _write_pool = QThreadPool()
        _write_pool.setMaxThreadCount(1)
    return _write_pool


def busy() -> bool:
    """Whether any background job is still running (the window refuses to close then)."""
    return bool(_active)


class _Runnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self._task = task

    def run(self) -> None:
        self._task._execute()


class Task(QObject):
    """One background job: its progress, its cancel flag and its optional dialog."""

    _succeeded = Signal(object)
    _failed = Signal(object)

    def __init__(
        self,
        fn: Job,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None,
        parent: QWidget | None,
        label: str | None,
        cancellable: bool,
    ) -> None:
        super().__init__()
        self._fn = fn
        self._on_done = on_done
        self._on_error = on_error
        self._parent = parent
        self._lock = threading.Lock()
        self._progress: tuple[int, int] = (0, 0)
        self._cancel = threading.Event()
        self._runnable = _Runnable(self)
        self.finished = False
        self.cancel_button: QPushButton | None = None
        self.dialog = self._make_dialog(label, cancellable) if label else None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._succeeded.connect(self._deliver_result, Qt.ConnectionType.QueuedConnection)
        self._failed.connect(self._deliver_error, Qt.ConnectionType.QueuedConnection)

    # --- main thread ---------------------------------------------------------------

    def _make_dialog(self, label: str, cancellable: bool) -> QProgressDialog:
        dialog = QProgressDialog(label, "Hủy", 0, 0, self._parent)
        dialog.setWindowTitle("Sổ Khuyến Học")
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumDuration(SHOW_AFTER_MS)
        dialog.setMinimumWidth(380)
        if cancellable:
            self.cancel_button = QPushButton("Hủy")
            dialog.setCancelButton(self.cancel_button)
            dialog.canceled.connect(self.cancel)
        else:
            dialog.setCancelButton(None)  # type: ignore[arg-type]
        return dialog

    def start(self, writes: bool) -> None:
        _active.add(self)
        if self.dialog is not None:
            self.dialog.setValue(0)
            self._timer.start()
        _pool(writes).start(self._runnable)

    @Slot()
    def cancel(self) -> None:
        """Ask the job to stop at its next check; it then raises its cancelled error."""
        self._cancel.set()
        if self.dialog is not None:
            self.dialog.setLabelText("Đang dừng…")
            if self.cancel_button is not None:
                self.cancel_button.setEnabled(False)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _poll(self) -> None:
        with self._lock:
            done, total = self._progress
        if self.dialog is None or self.finished:
            return
        if total > 0:
            if self.dialog.maximum() != total:
                self.dialog.setMaximum(total)
            self.dialog.setValue(min(done, total))

    def _finish(self) -> None:
        self.finished = True
        self._timer.stop()
        if self.dialog is not None:
            self.dialog.reset()
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None
        _active.discard(self)

    @Slot(object)
    def _deliver_result(self, result: Any) -> None:
        self._finish()
        self._on_done(result)

    @Slot(object)
    def _deliver_error(self, exc: BaseException) -> None:
        self._finish()
        if self._on_error is not None:
            self._on_error(exc)
        else:
            from app.ui.widgets import messages

            messages.unexpected(self._parent, exc)

    # --- worker thread -------------------------------------------------------------

    def _report(self, done: int, total: int) -> None:
        with self._lock:
            self._progress = (done, total)

    def _execute(self) -> None:
        try:
            result = self._fn(self._report, self._cancel.is_set)
        except UserError as exc:
            self._failed.emit(exc)
        except BaseException as exc:
            log.error("background job failed", exc_info=True)
            self._failed.emit(exc)
        else:
            self._succeeded.emit(result)


def run_in_background(
    fn: Job,
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None] | None = None,
    *,
    parent: QWidget | None = None,
    progress_label: str | None = None,
    cancellable: bool = False,
    writes: bool = True,
) -> Task:
    """Run ``fn(progress, cancel)`` off the UI thread; callbacks run on the main thread.

    ``progress_label`` shows a modal progress dialog (after a short delay, so quick
    jobs do not flash one); ``cancellable`` adds its "Hủy" button. Without
    ``on_error`` a :class:`UserError` is shown as a message and anything else is
    logged and reported as an unexpected error.
    """
    task = Task(fn, on_done, on_error, parent, progress_label, cancellable)
    task.start(writes)
    return task
