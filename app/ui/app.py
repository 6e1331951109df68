"""Starting the window: `khuyenhoc gui` lands in :func:`run_gui`.

Order of events: the Qt application (name, icon, Fusion style, a 10 pt font);
the data folder must be writable; the folder's lock is taken (a second window
on the same data is refused, nothing written); the first-run dialog if there
is no database yet; signing in (the first account, the secretary's, is created
if the data has none: app/ui/accounts_ui.py); then the main window. On close the window makes its
automatic backup and the lock is released. A :class:`UserError` never escapes
as a traceback: actions catch it and show its Vietnamese message, and the
exception hook logs anything else to ``<data>/logs/khuyenhoc.log`` and shows a
short message instead.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QTimer
from PySide6.QtWidgets import QApplication

from app import APP_NAME
from app.core.errors import DatabaseError, UserError
from app.ui.widgets import messages

LOCKED_MESSAGE = (
    "Dữ liệu này đang được mở ở một cửa sổ khác của Sổ Khuyến Học.\n\n"
    "Hãy dùng cửa sổ đang mở, hoặc đóng nó rồi mở lại."
)
SMOKE_TIMEOUT_MS = 60_000
ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], Any]
log = logging.getLogger("khuyenhoc.ui")


class _LazyFileHandler(logging.handlers.RotatingFileHandler):
    """Creates the log folder only when the first record is written."""

    def _open(self) -> Any:
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()


def setup_logging(data_dir: Path) -> tuple[Path, Callable[[], None]]:
    """Log to ``<data>/logs/khuyenhoc.log``; returns the path and an undo function."""
    path = data_dir / "logs" / "khuyenhoc.log"
    handler = _LazyFileHandler(
        path, maxBytes=1_000_000, backupCount=3, encoding="utf-8", delay=True
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
    messages.log_file = path

    def undo() -> None:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()

    return path, undo


def make_excepthook(previous: ExceptHook) -> ExceptHook:
    """An exception hook that logs the traceback and shows a short Vietnamese message."""
    showing = False

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        nonlocal showing
        if issubclass(exc_type, KeyboardInterrupt) or showing:
            previous(exc_type, exc, tb)
            return
        showing = True
        try:
            if exc.__traceback__ is None:
                exc = exc.with_traceback(tb)
            messages.unexpected(QApplication.activeWindow(), exc)
        except Exception:  # pragma: no cover - last resort
            previous(exc_type, exc, tb)
        finally:
            showing = False

    return hook


def create_application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    from app.ui.widgets.app_icon import app_icon

    app.setApplicationName(APP_NAME)
    app.setOrganizationName("SoKhuyenHoc")
    app.setStyle("Fusion")
    from app.ui import vietnamese

    vietnamese.install(app)  # Qt's own buttons, menus, dialogs and calendars in Vietnamese
    from app.ui.preferences import apply_text_size, stored_text_size

    apply_text_size(stored_text_size().key, app)  # Nhỏ / Vừa / Lớn / Rất lớn (Cài đặt)
    from app.ui import keyboard

    keyboard.install(app)  # Tab leaves tables, Ctrl+S saves dialogs
    app.setWindowIcon(app_icon())
    if sys.platform == "win32":  # pragma: no cover - Windows taskbar groups by this id
        import ctypes

        ctypes.windll.shell32.SetCurrentProcessExplicitAppUserModelID("SoKhuyenHoc.App")
    return app


Tell = Callable[[str, str], None]  # (message, title)


def tell_in_a_dialog(message: str, title: str) -> None:
    messages.error(None, message, title=title)


def tell_on_stderr(message: str, title: str) -> None:
    """``--smoke-test`` runs unattended: a modal dialog would wait for ever."""
    print(f"smoke-test: {title}: {message}", file=sys.stderr, flush=True)


def take_lock(data_dir: Path, tell: Tell = tell_in_a_dialog) -> object | None:
    """The data folder's single-window lock, or ``None`` after telling the user."""
    from app.core.workspace import acquire_lock

    try:
        return acquire_lock(data_dir)
    except DatabaseError:
        tell(LOCKED_MESSAGE, "Dữ liệu đang được mở")
    except UserError as err:  # the lock file cannot be written
        tell(err.message, "Không dùng được thư mục dữ liệu")
    return None


def check_data_dir(data_dir: Path, tell: Tell = tell_in_a_dialog) -> int:
    """0 if the data folder is usable, else the exit code (after telling the user)."""
    from app.core.workspace import check_writable

    try:
        check_writable(data_dir)
    except UserError as err:
        tell(err.message, "Không dùng được thư mục dữ liệu")
        return err.exit_code
    return 0


def run_gui(data_dir: Path, demo_households: int | None = None, smoke_test: bool = False) -> int:
    """Run the window on ``data_dir``; returns the process exit code."""
    started = time.perf_counter()
    app = create_application()
    log_path, undo_logging = setup_logging(data_dir)
    previous_hook = sys.excepthook
    sys.excepthook = make_excepthook(previous_hook)
    tell = tell_on_stderr if smoke_test else tell_in_a_dialog
    try:
        code = check_data_dir(data_dir, tell)
        if code:
            return code
        lock = take_lock(data_dir, tell)
        if lock is None:
            return 1
        try:
            return _run_locked(app, data_dir, demo_households, smoke_test, started)
        finally:
            lock.release()  # type: ignore[attr-defined]
    finally:
        sys.excepthook = previous_hook
        undo_logging()
        log.debug("log file was %s", log_path)


def _run_locked(
    app: QApplication,
    data_dir: Path,
    demo_households: int | None,
    smoke_test: bool,
    started: float,
) -> int:
    from app.core.workspace import has_database, open_workspace

    if not has_database(data_dir):
        if smoke_test:
            print(f"smoke-test: không có dữ liệu trong {data_dir}", file=sys.stderr)
            return 1
        from app.ui.first_run import FirstRunDialog

        dialog = FirstRunDialog(data_dir, demo_households)
        if not dialog.exec():
            return 0
    try:
        workspace = open_workspace(data_dir)
    except UserError as err:  # e.g. a database from a newer release
        (tell_on_stderr if smoke_test else tell_in_a_dialog)(err.message, "Không mở được dữ liệu")
        return err.exit_code

    from app.ui.main_window import MainWindow
    from app.ui.screens.base import AppContext

    if not smoke_test:
        from app.ui.accounts_ui import sign_in_at_start

        try:
            signed_in = sign_in_at_start(workspace.db)
        except UserError as err:
            messages.error(None, err.message, title="Không mở được dữ liệu")
            signed_in = False
        if not signed_in:
            workspace.close()
            return 0
    ctx = AppContext(data_dir, workspace.db)
    try:
        window = MainWindow(ctx)
        window.show()
        if smoke_test:
            _schedule_smoke_test(app, window, started)
        _drop_pending_quit(app)  # e.g. posted when the first-run dialog closed
        return app.exec()
    finally:
        _drop_pending_quit(app)
        ctx.detach()


def _drop_pending_quit(app: QApplication) -> None:
    """Forget an automatic quit posted when a last window closed outside ``exec()``.

    Left in the queue it would end the next event loop to run: the main window's,
    or (in tests) a dialog's.
    """
    QCoreApplication.removePostedEvents(app, QEvent.Type.Quit)


def _schedule_smoke_test(app: QApplication, window: Any, started: float) -> None:
    """Open the households list once the window is up, report, and quit with 0."""

    watchdog = QTimer(window)
    watchdog.setSingleShot(True)
    watchdog.timeout.connect(lambda: app.exit(3))

    def finish() -> None:
        watchdog.stop()
        screen = window.show_screen("households")
        rows = screen.model.rowCount()
        app.processEvents()
        seconds = time.perf_counter() - started
        print(f"smoke-test ok: {rows} hộ gia đình, {seconds:.2f} s", flush=True)
        window.backup_on_close = False
        window.close()  # the last window: the application quits with 0
        if window.isVisible():
            app.exit(0)

    watchdog.start(SMOKE_TIMEOUT_MS)
    QTimer.singleShot(0, finish)
