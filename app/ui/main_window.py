"""The main window: navigation on the left, one screen at a time on the right.

Screens are built (and their modules imported) the first time they are shown,
so opening the window costs only the shell and the overview. A write anywhere
is announced on :class:`AppContext.changed`; every screen is then marked stale
and the visible one reloads at once, the others when next shown.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import cast

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QFontMetrics, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from app import APP_NAME, __version__
from app.ui import workers
from app.ui.preferences import (
    TEXT_SIZES,
    apply_text_size,
    remember_text_size,
    stored_text_size,
    ui_settings,
)
from app.ui.screens.base import EVERYTHING, AppContext, Screen, UndoFn
from app.ui.widgets import messages
from app.ui.widgets.global_search import GlobalSearch

log = logging.getLogger("khuyenhoc.ui")

NAVIGATION: tuple[tuple[str, str], ...] = (
    ("overview", "Tổng quan"),
    ("hamlets", "Thôn / Tổ dân phố"),
    ("households", "Hộ gia đình"),
    ("people", "Nhân khẩu"),
    ("clans", "Dòng họ"),
    ("units", "Đơn vị"),
    ("branches", "Chi hội"),
    ("members", "Hội viên"),
    ("cycle", "Chu kỳ năm"),
    ("dashboard", "Chỉ tiêu"),
    ("commune", "Xã học tập"),
    ("fund", "Quỹ khuyến học"),
    ("sync", "Gửi lên tỉnh"),
    ("printing", "In ấn"),
    ("audit", "Nhật ký thay đổi"),
)
# Navigation entries shown only to roles that may do the action (the core's table).
NAVIGATION_ACTIONS: dict[str, str] = {"audit": "audit.view"}
# An upper-level (province/district) data folder holds no registers of its own: only
# the communes' bundles, so its window shows the consolidation screen alone.
UPPER_NAVIGATION: tuple[tuple[str, str], ...] = (("sync", "Tổng hợp các xã"),)
# Screens other than the overview and the registry lists: navigation key →
# "module:Class" of a Screen taking the AppContext, imported when first shown.
SCREEN_CLASSES: dict[str, str] = {
    "cycle": "app.ui.screens.cycle:CycleScreen",
    "dashboard": "app.ui.screens.dashboard:DashboardScreen",
    "commune": "app.ui.screens.commune_community:CommuneCommunityScreen",
    "fund": "app.ui.screens.fund:FundScreen",
    "sync": "app.ui.screens.sync:SyncScreen",
    "printing": "app.ui.screens.printing:PrintingScreen",
    "audit": "app.ui.screens.audit:AuditScreen",
}
AUDIT_CHECK_DELAY_MS = 1_500
NOTICE_MS = 20_000
DEFAULT_SIZE = (1280, 800)


# Ctrl+1 … Ctrl+9 open the first nine screens of the list on the left, Ctrl+0 the tenth.
SCREEN_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0")


class NoticeBar(QWidget):
    """The status bar's "Đã xóa … [Hoàn tác]" line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        self.label = QLabel()
        self.undo_button = QPushButton("Hoàn tác")
        self.undo_button.setObjectName("undo_button")
        self.undo_button.clicked.connect(self.undo)
        layout.addWidget(self.label)
        layout.addWidget(self.undo_button)
        layout.addStretch(1)
        self._undo: UndoFn | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear)
        self.clear()

    def show_notice(self, text: str, undo: UndoFn | None = None) -> None:
        self.label.setText(text)
        self._undo = undo
        self.undo_button.setVisible(undo is not None)
        self._timer.start(NOTICE_MS)

    def clear(self) -> None:
        self.label.clear()
        self._undo = None
        self.undo_button.hide()

    def undo(self) -> None:
        action, self._undo = self._undo, None
        self.undo_button.hide()
        if action is None:
            return
        with messages.guarded(self.window()):
            action()
            self.show_notice("Đã hoàn tác.")


def help_section_of(screen_key: str) -> str:
    """The guide's section for a screen (F1 on it opens there)."""
    from app.ui.help_browser import SCREEN_SECTIONS

    return SCREEN_SECTIONS.get(screen_key, "bat-dau")


class MainWindow(QMainWindow):
    screen_shown = Signal(str)
    text_size_changed = Signal(str)

    def __init__(self, ctx: AppContext, settings_store: QSettings | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.settings_store = settings_store or ui_settings()
        self.backup_on_close = True
        from app.ui import keyboard

        keyboard.install()  # also when the window is built without create_application (tests)
        self.screens: dict[str, Screen] = {}
        # Each screen sits in a scroll area: its own minimum size never grows the window
        # past the screen (125 % scaling, large text); at worst it scrolls.
        self.pages: dict[str, QScrollArea] = {}
        self.upper = self._is_upper()
        self.navigation = tuple(
            (key, title)
            for key, title in (UPPER_NAVIGATION if self.upper else NAVIGATION)
            if key not in NAVIGATION_ACTIONS or ctx.allowed(NAVIGATION_ACTIONS[key])
        )
        self.locked = False
        self.idle_lock: object | None = None
        self._build()
        ctx.changed.connect(self._data_changed)
        ctx.notice.connect(self.notice.show_notice)
        ctx.database_replaced.connect(self.update_title)
        self.update_title()
        self._restore_geometry()
        self.nav.setCurrentRow(0)
        QTimer.singleShot(0, self.update_status)
        self._start_idle_lock()
        # The audit chain is checked off the UI thread once the window is up: reading
        # a long trail must not slow the start.
        QTimer.singleShot(AUDIT_CHECK_DELAY_MS, self.check_audit_chain)
        if not self.upper:  # the outbox sends bundles in the background (issue 10)
            from app.ui.screens.sync_outbox import background_sender

            background_sender(ctx)

    def _is_upper(self) -> bool:
        if not self.ctx.available:
            return False
        from app.core.sync import state

        return state.is_upper(self.ctx.db)

    # --- layout --------------------------------------------------------------------

    def _build(self) -> None:
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setStyleSheet("QListWidget::item { padding: 5px 10px; }")
        self._size_navigation()
        for row, (key, title) in enumerate(self.navigation):
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, key)
            if row < len(SCREEN_KEYS):
                item.setToolTip(f"{title} (Ctrl+{SCREEN_KEYS[row]})")
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self._nav_changed)
        self.stack = QStackedWidget()
        splitter = QSplitter()
        splitter.addWidget(self.nav)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([190, 1090])
        self.setCentralWidget(splitter)
        self._build_menus()
        self._build_toolbar()
        self.notice = NoticeBar()
        self.statusBar().addWidget(self.notice, 1)
        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)

    def _size_navigation(self) -> None:
        """The list on the left, in the application's text size (a little larger)."""
        font = QApplication.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.nav.setFont(font)
        widest = max(QFontMetrics(font).horizontalAdvance(t) for _k, t in self.navigation)
        self.nav.setMinimumWidth(min(widest + 36, 300))
        self.nav.setMaximumWidth(max(260, widest + 60))

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&Tệp")
        self.backup_action = self._action("Sao lưu…", self.backup_now, "Ctrl+B")
        self.restore_action = self._action("Khôi phục…", self.restore_from_backup)
        self.settings_action = self._action("Cài đặt…", self.open_settings, "Ctrl+,")
        quit_action = self._action("Thoát", self.close, QKeySequence.StandardKey.Quit)
        self.import_action = self._action("Nhập từ Excel…", self.import_from_excel)
        self.import_action.setVisible(not self.upper)  # no registers to import into
        file_menu.addAction(self.import_action)
        file_menu.addSeparator()
        file_menu.addAction(self.backup_action)
        file_menu.addAction(self.restore_action)
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        for action, needed in (
            (self.import_action, "registry.import"),
            (self.backup_action, "backup"),
            (self.restore_action, "restore"),
            (self.settings_action, "settings.edit"),
        ):
            if not self.ctx.allowed(needed):
                action.setEnabled(False)
        self._build_view_menu()
        account_menu = self.menuBar().addMenu("Tài &khoản")
        self.lock_action = self._action("Khóa màn hình", self.lock_screen, "Ctrl+L")
        self.password_action = self._action("Đổi mật khẩu…", self.change_password)
        self.accounts_action = self._action("Quản lý tài khoản…", self.manage_accounts)
        signed_in = self.ctx.available and self.ctx.role is not None
        self.lock_action.setEnabled(signed_in)
        self.password_action.setEnabled(signed_in)
        self.accounts_action.setEnabled(self.ctx.allowed("accounts.manage"))
        for action in (self.lock_action, self.password_action, self.accounts_action):
            account_menu.addAction(action)
        help_menu = self.menuBar().addMenu("Trợ &giúp")
        self.help_action = self._action(
            "Hướng dẫn sử dụng", self.open_help, QKeySequence.StandardKey.HelpContents
        )
        self.help_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.keys_action = self._action("Phím tắt", lambda: self.open_help("phim-tat"))
        help_menu.addAction(self.help_action)
        help_menu.addAction(self.keys_action)
        help_menu.addSeparator()
        help_menu.addAction(self._action("Giới thiệu", self.show_about))

    def _build_view_menu(self) -> None:
        """Xem: every screen with its Ctrl+digit, and the text size."""
        view_menu = self.menuBar().addMenu("&Xem")
        self.screen_actions: dict[str, QAction] = {}
        for row, (key, title) in enumerate(self.navigation):
            shortcut = f"Ctrl+{SCREEN_KEYS[row]}" if row < len(SCREEN_KEYS) else None
            action = self._action(title, lambda _c=False, k=key: self.show_screen(k), shortcut)
            view_menu.addAction(action)
            self.screen_actions[key] = action
        view_menu.addSeparator()
        size_menu = view_menu.addMenu("Cỡ chữ")
        self.text_size_group = QActionGroup(self)
        self.text_size_actions: dict[str, QAction] = {}
        current = stored_text_size(self.settings_store).key
        for size in TEXT_SIZES:
            action = self._action(size.label, lambda _c=False, k=size.key: self.set_text_size(k))
            action.setCheckable(True)
            action.setChecked(size.key == current)
            self.text_size_group.addAction(action)
            size_menu.addAction(action)
            self.text_size_actions[size.key] = action
        size_menu.addSeparator()
        size_menu.addAction(self._action("Chữ to hơn", lambda: self.step_text_size(1), "Ctrl++"))
        size_menu.addAction(self._action("Chữ nhỏ hơn", lambda: self.step_text_size(-1), "Ctrl+-"))

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Tìm kiếm")
        toolbar.setObjectName("search_toolbar")
        toolbar.setMovable(False)
        toolbar.setFloatable(False)
        self.global_search = GlobalSearch(lambda: self.ctx.db if self.ctx.available else None)
        self.global_search.chosen.connect(self.open_search_hit)
        toolbar.addWidget(QLabel(" Tìm nhanh: "))
        toolbar.addWidget(self.global_search)
        self.addToolBar(toolbar)
        toolbar.setVisible(not self.upper)  # searches the commune registers
        focus = QAction(self)
        focus.setShortcut(QKeySequence("Ctrl+K"))
        focus.triggered.connect(lambda: self.global_search.setFocus())
        self.addAction(focus)

    # --- screens -------------------------------------------------------------------

    def _nav_changed(self, row: int) -> None:
        if 0 <= row < len(self.navigation):
            self.show_screen(self.navigation[row][0])

    def _create_screen(self, key: str) -> Screen:
        if key == "overview":
            from app.ui.screens.overview import OverviewScreen

            overview = OverviewScreen(self.ctx)
            overview.open_list.connect(self.show_screen)
            overview.import_requested.connect(self.import_from_excel)
            overview.help_requested.connect(self.open_help)
            return overview
        if key in SCREEN_CLASSES:
            module_name, class_name = SCREEN_CLASSES[key].split(":")
            screen_class = getattr(importlib.import_module(module_name), class_name)
            return cast(Screen, screen_class(self.ctx))
        from app.ui.screens.registry import RegistryScreen

        return RegistryScreen(self.ctx, key)

    def show_screen(self, key: str) -> Screen:
        if all(k != key for k, _t in self.navigation):
            key = self.navigation[0][0]  # e.g. a commune list asked for at the upper level
        screen = self.screens.get(key)
        if screen is None:
            screen = self._create_screen(key)
            self.screens[key] = screen
            page = QScrollArea()
            page.setObjectName(f"page_{key}")
            page.setWidgetResizable(True)
            page.setFrameShape(QFrame.Shape.NoFrame)
            page.setWidget(screen)
            self.pages[key] = page
            self.stack.addWidget(page)
        self.stack.setCurrentWidget(self.pages[key])
        row = next(i for i, (k, _t) in enumerate(self.navigation) if k == key)
        if self.nav.currentRow() != row:
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(row)
            self.nav.blockSignals(False)
        with messages.guarded(self):
            screen.reload_if_stale()
        self.screen_shown.emit(key)
        return screen

    def current_screen(self) -> Screen | None:
        page = self.stack.currentWidget()
        widget = page.widget() if isinstance(page, QScrollArea) else page
        return widget if isinstance(widget, Screen) else None

    def current_key(self) -> str:
        screen = self.current_screen()
        return next((k for k, s in self.screens.items() if s is screen), self.navigation[0][0])

    # --- text size -----------------------------------------------------------------

    def set_text_size(self, key: str) -> None:
        """Apply a text size at once and remember it on this computer.

        Screens set some fonts of their own from the application's (headings), so
        they are built again in the new size; the current one is shown again.
        """
        size = apply_text_size(key)
        # The window's own font too: Qt hands an application font change to existing
        # widgets only while its event loop runs, and the screens are built right away.
        self.setFont(QApplication.font())
        remember_text_size(size.key, self.settings_store)
        self.text_size_actions[size.key].setChecked(True)
        self._size_navigation()
        current = self.current_key()
        for screen_key in list(self.screens):
            page = self.pages.pop(screen_key)
            self.stack.removeWidget(page)
            page.deleteLater()
        self.screens.clear()
        self.show_screen(current)
        self.text_size_changed.emit(size.key)

    def step_text_size(self, step: int) -> None:
        keys = [s.key for s in TEXT_SIZES]
        now = keys.index(stored_text_size(self.settings_store).key)
        self.set_text_size(keys[max(0, min(len(keys) - 1, now + step))])

    # --- help ----------------------------------------------------------------------

    def open_help(self, section: str | None = None) -> None:
        """The guide, at ``section`` or else at the current screen's own section (F1)."""
        from app.ui.help_browser import show_help

        show_help(self, section or help_section_of(self.current_key()))

    def _data_changed(self, _kind: str) -> None:
        for screen in self.screens.values():
            with messages.guarded(self):
                screen.mark_stale()
        self.update_status()

    # --- status and title ----------------------------------------------------------

    def update_title(self) -> None:
        from app.core import settings

        name = ""
        if self.ctx.available and self.upper:
            from app.core.sync import state

            name = str(state.get_setting(self.ctx.db, state.PROVINCE_NAME_KEY, ""))
        elif self.ctx.available:
            info = settings.get_commune(self.ctx.db)
            name = info.association_name if info else ""
        self.setWindowTitle(f"{APP_NAME} — {name}" if name else APP_NAME)

    def update_status(self) -> None:
        if not self.ctx.available:
            return
        if self.upper:
            self._update_upper_status()
            return
        from app.core import settings
        from app.core.registry.stats import registry_stats
        from app.core.text import format_number

        with messages.guarded(self):
            info = settings.get_commune(self.ctx.db)
            stats = registry_stats(self.ctx.db)
            where = f"{info.name}, {info.province_name}" if info else "(chưa chọn xã)"
            self.status_label.setText(
                f"{self.user_text()}{where}  ·  {format_number(stats.households)} hộ  ·  "
                f"{format_number(stats.people)} nhân khẩu  ·  "
                f"{format_number(stats.members)} hội viên "
            )

    def user_text(self) -> str:
        """ "Người dùng: thuky (Thư ký)" for the status bar; "" without accounts."""
        from app.core.accounts.permissions import role_label

        if not self.ctx.available or self.ctx.role is None:
            return ""
        return f"Người dùng: {self.ctx.db.actor} ({role_label(self.ctx.role)})  ·  "

    # --- accounts, lock, audit -------------------------------------------------------

    def _start_idle_lock(self) -> None:
        if not self.ctx.available or self.ctx.role is None:
            return
        from app.core.accounts import service
        from app.ui.accounts_ui import IdleLock

        with messages.guarded(self):
            lock = IdleLock(service.idle_lock_minutes(self.ctx.db), self)
            lock.timed_out.connect(self.lock_screen)
            self.idle_lock = lock

    def lock_screen(self) -> bool:
        """Hide the data until the signed-in person types the password again.

        Returns True when unlocked; closing the sign-in box closes the window.
        """
        from app.ui.accounts_ui import LoginDialog

        if self.locked or not self.ctx.available or self.ctx.role is None:
            return False
        self.locked = True
        central = self.centralWidget()
        central.hide()
        self.menuBar().setEnabled(False)
        try:
            dialog = LoginDialog(self.ctx.db, self, username=self.ctx.db.actor, locked=True)
            if not dialog.exec():
                self.backup_on_close = self.backup_on_close and self.ctx.available
                self.close()
                return False
        finally:
            self.locked = False
        central.show()
        self.menuBar().setEnabled(True)
        if self.idle_lock is not None:
            self.idle_lock.set_minutes(self.idle_lock.minutes)  # type: ignore[attr-defined]
        return True

    def change_password(self) -> None:
        from app.ui.accounts_ui import ChangePasswordDialog

        ChangePasswordDialog(self.ctx.db, self.ctx.db.actor, self).exec()

    def manage_accounts(self) -> None:
        from app.ui.accounts_ui import AccountsDialog

        with messages.guarded(self):
            AccountsDialog(self.ctx.db, self).exec()
            if self.idle_lock is not None:
                from app.core.accounts import service

                self.idle_lock.set_minutes(service.idle_lock_minutes(self.ctx.db))  # type: ignore[attr-defined]

    def check_audit_chain(self) -> None:
        """Warn if the audit trail was edited outside the program."""
        if not self.ctx.available or not self.ctx.db.is_sqlite:
            return
        db = self.ctx.db

        def job(_progress: workers.ProgressFn, _cancel: workers.CancelFn) -> object:
            from app.core.audit import query

            return query.verify(db)

        def done(report: object) -> None:
            self.audit_report = report
            if not getattr(report, "ok", True):
                messages.error(self, report.message(), title="Nhật ký thay đổi bị sửa")  # type: ignore[attr-defined]

        workers.run_in_background(job, done, lambda _exc: None, parent=self, writes=False)

    def _update_upper_status(self) -> None:
        from app.core.sync import importer

        with messages.guarded(self):
            communes = importer.consolidation(self.ctx.db)
            self.status_label.setText(f"Cấp trên  ·  {len(communes)} xã đã gửi gói ")

    # --- actions -------------------------------------------------------------------

    def open_search_hit(self, hit: object) -> None:
        from app.core.registry.search import SearchHit
        from app.ui.screens.registry import load_dialogs

        if not isinstance(hit, SearchHit):
            return
        dialogs = load_dialogs(self)
        if dialogs is None:
            return
        with messages.guarded(self):
            if hit.household_id is not None:
                dialogs.open_household_card(self.ctx.db, self, hit.household_id)
            else:
                dialogs.open_editor("people", self.ctx.db, self, hit.id)
            self.ctx.announce(EVERYTHING)

    def backup_now(self) -> None:
        from app.ui import backup_ui

        backup_ui.backup_now(self, self.ctx)

    def import_from_excel(self) -> None:
        from app.ui.import_wizard import open_import_wizard

        open_import_wizard(self.ctx, self)

    def restore_from_backup(self) -> None:
        from app.ui import backup_ui

        backup_ui.restore_from_backup(self, self.ctx)

    def open_settings(self) -> None:
        from app.ui.settings_dialog import SettingsDialog

        with messages.guarded(self):
            dialog = SettingsDialog(self.ctx, self)
            if dialog.exec():
                self.ctx.announce(EVERYTHING)
                self.update_title()

    def show_about(self) -> None:
        messages.inform(
            self,
            f"{APP_NAME} {__version__}\n\n"
            "Sổ sách của Hội Khuyến học cấp xã: hộ gia đình, nhân khẩu, dòng họ, "
            "đơn vị, chi hội và hội viên. Chạy trên máy, không cần Internet.\n\n"
            f"Thư mục dữ liệu: {self.ctx.data_dir}",
            title="Giới thiệu",
        )

    # --- closing -------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if workers.busy():
            messages.inform(
                self, "Đang có một việc chạy nền (sao lưu, tạo dữ liệu…). Hãy chờ xong."
            )
            event.ignore()
            return
        self._save_geometry()
        # A province hub's folder on PostgreSQL has no database file to copy: the
        # server's own backups (pg_dump) cover it.
        if self.backup_on_close and self.ctx.available and self.ctx.db.is_sqlite:
            self.auto_backup()
        if self.idle_lock is not None:
            self.idle_lock.stop()  # type: ignore[attr-defined]
        event.accept()

    def auto_backup(self) -> Path | None:
        """The backup taken on every close; a failure is told but does not keep the window."""
        from app.core import backup, settings

        self.statusBar().showMessage("Đang sao lưu tự động…")
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            options = settings.load(self.ctx.db)
            folder = Path(options.backup_dir) if options.backup_dir else None
            return backup.auto_backup(self.ctx.db.path, keep=options.backup_keep, backup_dir=folder)
        except Exception as exc:
            log.warning("auto backup failed", exc_info=True)
            message = getattr(exc, "message", None) or str(exc)
            QApplication.restoreOverrideCursor()
            messages.error(
                self,
                f"Không sao lưu tự động được khi đóng: {message}\n\n"
                "Dữ liệu đã lưu vẫn còn nguyên; hãy sao lưu bằng tay khi mở lại (Tệp → Sao lưu…).",
            )
            return None
        finally:
            if QApplication.overrideCursor() is not None:
                QApplication.restoreOverrideCursor()

    def _restore_geometry(self) -> None:
        geometry = self.settings_store.value("main_window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            # 1280×800, or less on a small laptop screen (1366×768 less the taskbar).
            available = self.screen().availableGeometry()
            width = min(DEFAULT_SIZE[0], int(available.width() * 0.95))
            height = min(DEFAULT_SIZE[1], int(available.height() * 0.92))
            self.resize(width, height)
        state = self.settings_store.value("main_window/state")
        if state is not None:
            self.restoreState(state)

    def _save_geometry(self) -> None:
        self.settings_store.setValue("main_window/geometry", self.saveGeometry())
        self.settings_store.setValue("main_window/state", self.saveState())
        self.settings_store.sync()
