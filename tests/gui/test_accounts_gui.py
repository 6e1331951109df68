"""Accounts in the window: the first account, signing in, each role's limits, the lock.

Each role signs in for real (argon2 with a small cost) and the window offers only
what the role may do; what a role may not do is refused by the core even when a
dialog is reached another way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog

from app import paths
from app.core.accounts import permissions, service
from app.core.registry import hamlets
from app.ui import accounts_ui

PASSWORD = "Mat-khau-2026"
USERS = {
    "secretary": "thuky",
    "chairman": "chutich",
    "treasurer": "thuquy",
    "hamlet_entry": "thondong",
    "viewer": "xem",
}


@pytest.fixture(autouse=True)
def _quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    from argon2 import PasswordHasher

    monkeypatch.setattr(
        service, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def codes_shown(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []

    def record(_parent: Any, made: service.NewAccount, _db: Any = None) -> None:
        shown.append((made.account.username, made.recovery_code))

    monkeypatch.setattr(accounts_ui, "show_recovery_code", record)
    return shown


@pytest.fixture
def with_accounts(commune_dir: Path) -> Path:
    """The small commune with one account per role, made by the secretary."""
    from app.core.workspace import open_workspace

    ws = open_workspace(commune_dir)
    try:
        first = service.create_account(ws.db, USERS["secretary"], PASSWORD, "secretary")
        service.act_as(ws.db, first.account)
        for role, name in USERS.items():
            if role != "secretary":
                service.create_account(ws.db, name, PASSWORD, role)
    finally:
        ws.close()
    return commune_dir


@pytest.fixture
def window_as(qtbot: Any, with_accounts: Path) -> Iterator[Callable[[str], Any]]:
    from app.core.workspace import open_workspace
    from app.ui.main_window import MainWindow
    from app.ui.screens.base import AppContext

    opened: list[Any] = []

    def _open(role: str) -> Any:
        db = open_workspace(with_accounts).db
        service.sign_in(db, USERS[role], PASSWORD)
        ctx = AppContext(with_accounts, db)
        win = MainWindow(ctx)
        win.backup_on_close = False
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        opened.append(win)
        return win

    yield _open
    from app.ui import workers

    qtbot.waitUntil(lambda: not workers.busy(), timeout=10_000)
    for win in opened:
        win.ctx.detach()


def _visible(kind: type[QDialog]) -> Any:
    return next(
        (w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()),
        None,
    )


def _when_shown(kind: type[QDialog], act: Callable[[Any], None]) -> None:
    def attempt() -> None:
        dialog = _visible(kind)
        if dialog is None:
            QTimer.singleShot(10, attempt)
            return
        act(dialog)

    QTimer.singleShot(0, attempt)


def test_a_database_without_accounts_asks_for_the_secretary_first(
    qtbot: Any, commune_dir: Path, codes_shown: list[tuple[str, str]]
) -> None:
    from app.core.workspace import open_workspace

    db = open_workspace(commune_dir).db
    try:
        steps: list[str] = []

        def fill(dialog: accounts_ui.NewAccountDialog) -> None:
            assert not dialog.role.isEnabled()  # the first account is the secretary's
            dialog.username.setText("thuky")
            dialog.full_name.setText("Lê Thị Hoa")
            dialog.password.setText(PASSWORD)
            dialog.again.setText("khác hẳn")
            dialog.buttons.accepted.emit()
            steps.append(dialog.error_label.text())
            dialog.again.setText(PASSWORD)
            dialog.buttons.accepted.emit()

        _when_shown(accounts_ui.NewAccountDialog, fill)
        assert accounts_ui.sign_in_at_start(db) is True
        assert steps == ["Hai lần nhập mật khẩu không giống nhau."]
        assert db.actor == "thuky" and db.role == "secretary"
        assert [name for name, _code in codes_shown] == ["thuky"]
        assert len(codes_shown[0][1]) == 24  # five groups of four, shown once
        assert [a.full_name for a in service.list_accounts(db)] == ["Lê Thị Hoa"]
    finally:
        db.close()


def test_closing_the_first_account_dialog_opens_nothing(qtbot: Any, commune_dir: Path) -> None:
    from app.core.workspace import open_workspace

    db = open_workspace(commune_dir).db
    try:
        _when_shown(accounts_ui.NewAccountDialog, lambda d: d.reject())
        assert accounts_ui.sign_in_at_start(db) is False
        assert not service.has_accounts(db)
    finally:
        db.close()


def test_signing_in_refuses_a_wrong_password_and_keeps_asking(
    qtbot: Any, with_accounts: Path
) -> None:
    from app.core.workspace import open_workspace

    db = open_workspace(with_accounts).db
    try:
        said: list[str] = []

        def fill(dialog: accounts_ui.LoginDialog) -> None:
            dialog.username.setText("thuquy")
            dialog.password.setText("sai-mat-khau")
            dialog.buttons.accepted.emit()
            said.append(dialog.error_label.text())
            assert dialog.isVisible()
            dialog.password.setText(PASSWORD)
            dialog.buttons.accepted.emit()

        _when_shown(accounts_ui.LoginDialog, fill)
        assert accounts_ui.sign_in_at_start(db) is True
        assert said == ["Sai tên đăng nhập hoặc mật khẩu."]
        assert (db.actor, db.role) == ("thuquy", "treasurer")
    finally:
        db.close()


def test_forgotten_password_is_reset_with_the_recovery_code(
    qtbot: Any, commune_dir: Path, codes_shown: list[tuple[str, str]]
) -> None:
    from app.core.workspace import open_workspace

    db = open_workspace(commune_dir).db
    try:
        made = service.create_account(db, "thuky", PASSWORD, "secretary")
        login = accounts_ui.LoginDialog(db, username="thuky")
        qtbot.addWidget(login)

        def fill(dialog: accounts_ui.RecoverDialog) -> None:
            dialog.code.setText("SAI0-SAI0-SAI0-SAI0-SAI0")
            dialog.password.setText("Mat-khau-moi-1")
            dialog.again.setText("Mat-khau-moi-1")
            dialog.buttons.accepted.emit()
            assert "mã khôi phục" in dialog.error_label.text()
            dialog.code.setText(made.recovery_code)
            dialog.buttons.accepted.emit()

        _when_shown(accounts_ui.RecoverDialog, fill)
        login.forgot.click()
        assert "mật khẩu mới" in login.error_label.text()
        assert [name for name, _c in codes_shown] == ["thuky"]  # a fresh code, shown once
        assert service.authenticate(db, "thuky", "Mat-khau-moi-1").username == "thuky"
    finally:
        db.close()


EXPECTED: dict[str, dict[str, bool]] = {
    #                  registry  fund   decide  cycle   import audit  accounts
    "secretary": dict(registry=True, fund=False, decide=False, cycle=True, admin=True, audit=True),
    "chairman": dict(registry=False, fund=False, decide=True, cycle=False, admin=False, audit=True),
    "treasurer": dict(
        registry=False, fund=True, decide=False, cycle=False, admin=False, audit=False
    ),
    "hamlet_entry": dict(
        registry=True, fund=False, decide=False, cycle=False, admin=False, audit=False
    ),
    "viewer": dict(registry=False, fund=False, decide=False, cycle=False, admin=False, audit=False),
}


@pytest.mark.parametrize("role", list(USERS))
def test_each_role_is_offered_only_what_it_may_do(
    window_as: Callable[[str], Any], role: str
) -> None:
    window = window_as(role)
    want = EXPECTED[role]
    assert permissions.role_label(role) in window.status_label.text() or window.user_text()
    assert USERS[role] in window.user_text()

    people = window.show_screen("people")
    assert people.add_button.isEnabled() is want["registry"]
    if not want["registry"]:
        assert "không được sửa các sổ" in people.add_button.toolTip()

    fund = window.show_screen("fund")
    ledger_buttons = {
        b.text(): b.isEnabled() for b in fund.findChildren(type(people.add_button)) if b.text()
    }
    assert ledger_buttons["Lập phiếu thu…"] is want["fund"]
    assert ledger_buttons["Lập phiếu chi…"] is want["fund"]
    assert ledger_buttons["Ghi danh sách…"] is want["fund"]
    assert ledger_buttons["In sổ quỹ…"] is True  # printing is for everyone
    assert fund.programmes_tab.buttons["post"].isEnabled() is want["fund"]
    assert fund.programmes_tab.buttons["print"].isEnabled() is True
    assert ledger_buttons["Ghi hoạt động…"] is want["admin"]  # activities: the secretary

    sync = window.show_screen("sync")
    assert sync.load_config_button.isEnabled() is want["admin"]

    cycle = window.show_screen("cycle")
    assert cycle.recognise_button.isEnabled() is want["decide"]
    assert cycle.save_button.isEnabled() is want["cycle"]
    assert cycle.register_selected.isEnabled() is want["cycle"]

    assert window.import_action.isEnabled() is want["admin"]
    assert window.restore_action.isEnabled() is want["admin"]
    assert window.settings_action.isEnabled() is want["admin"]
    assert window.accounts_action.isEnabled() is want["admin"]
    keys = [window.nav.item(i).data(0x0100) for i in range(window.nav.count())]
    assert ("audit" in keys) is want["audit"]


@pytest.mark.parametrize("role", ["treasurer", "viewer", "chairman"])
def test_a_registry_write_reached_anyway_is_refused_and_nothing_changes(
    window_as: Callable[[str], Any], role: str, modals: Any
) -> None:
    window = window_as(role)
    screen = window.show_screen("units")
    screen.table.selectRow(0)
    modals.answers.extend([True, True])
    screen.delete_or_restore()  # the button is disabled; called as a shortcut would
    assert any("không được sửa các sổ" in t for t in modals.texts("error"))
    conn = sqlite3.connect(paths.database_path(window.ctx.data_dir))
    try:
        assert conn.execute("SELECT count(*) FROM unit WHERE deleted = 1").fetchone()[0] == 0
    finally:
        conn.close()


def test_the_secretary_manages_accounts_in_the_window(
    qtbot: Any, window_as: Callable[[str], Any], codes_shown: list[tuple[str, str]]
) -> None:
    window = window_as("secretary")
    dialog = accounts_ui.AccountsDialog(window.ctx.db, window)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 5

    def fill(add: accounts_ui.NewAccountDialog) -> None:
        add.username.setText("chihoi.tay")
        add.role.setCurrentIndex(add.role.findData("hamlet_entry"))
        add.password.setText(PASSWORD)
        add.again.setText(PASSWORD)
        add.buttons.accepted.emit()

    _when_shown(accounts_ui.NewAccountDialog, fill)
    dialog.add()
    assert dialog.table.rowCount() == 6
    assert codes_shown[-1][0] == "chihoi.tay"
    row = next(i for i, a in enumerate(dialog.accounts) if a.username == "xem")
    dialog.table.selectRow(row)
    dialog.toggle()
    assert next(a for a in dialog.accounts if a.username == "xem").disabled
    with pytest.raises(service.SignInFailed):
        service.authenticate(window.ctx.db, "xem", PASSWORD)


def test_the_window_locks_after_idle_time_and_asks_for_the_password(
    qtbot: Any, window_as: Callable[[str], Any]
) -> None:
    window = window_as("treasurer")
    assert window.idle_lock is not None
    assert window.idle_lock.minutes == service.DEFAULT_IDLE_LOCK_MINUTES
    seen: list[Any] = []

    def unlock(dialog: accounts_ui.LoginDialog) -> None:
        seen.append(window.centralWidget().isVisible())
        assert dialog.username.text() == "thuquy" and dialog.username.isReadOnly()
        dialog.password.setText("sai")
        dialog.buttons.accepted.emit()
        seen.append(dialog.error_label.text())
        dialog.password.setText(PASSWORD)
        dialog.buttons.accepted.emit()

    _when_shown(accounts_ui.LoginDialog, unlock)
    window.idle_lock.timed_out.emit()
    assert seen == [False, "Sai tên đăng nhập hoặc mật khẩu."]
    assert window.centralWidget().isVisible()
    assert window.isVisible()


def test_the_idle_lock_minutes_are_a_setting_of_the_data(window_as: Callable[[str], Any]) -> None:
    window = window_as("secretary")
    service.set_idle_lock_minutes(window.ctx.db, 3)
    assert service.idle_lock_minutes(window.ctx.db) == 3
    service.act_as(window.ctx.db, service.authenticate(window.ctx.db, "thuquy", PASSWORD))
    with pytest.raises(permissions.PermissionDenied):
        service.set_idle_lock_minutes(window.ctx.db, 0)


def test_the_audit_screen_shows_who_changed_what_and_warns_of_tampering(
    qtbot: Any, window_as: Callable[[str], Any], modals: Any
) -> None:
    window = window_as("secretary")
    db = window.ctx.db
    first = hamlets.HamletInput("Thôn Đông Hòa", "thon")
    hamlet_id = next(iter(_hamlet_ids(window.ctx.data_dir)))
    hamlets.update_hamlet(db, hamlet_id, first)
    screen = window.show_screen("audit")
    screen.actor_box.setCurrentIndex(screen.actor_box.findData("thuky"))
    texts = [screen.model.item(r, 5).text() for r in range(screen.model.rowCount())]
    assert any("Thôn Đông → Thôn Đông Hòa" in t for t in texts), texts
    assert {screen.model.item(r, 1).text() for r in range(screen.model.rowCount())} == {"thuky"}
    screen.entity_box.setCurrentIndex(screen.entity_box.findData("account"))
    assert screen.model.rowCount() >= 4  # the accounts the secretary created
    screen.verify()
    assert modals.texts("inform")[-1].startswith("Nhật ký thay đổi nguyên vẹn")
    conn = sqlite3.connect(paths.database_path(window.ctx.data_dir))
    conn.execute("UPDATE audit_log SET actor = 'ai đó' WHERE actor = 'thuky'")
    conn.commit()
    conn.close()
    screen.verify()
    assert "bị sửa hoặc xóa ngoài phần mềm" in modals.texts("error")[-1]


def test_opening_the_window_on_a_tampered_trail_warns(
    qtbot: Any, with_accounts: Path, window_as: Callable[[str], Any], modals: Any
) -> None:
    conn = sqlite3.connect(paths.database_path(with_accounts))
    conn.execute("DELETE FROM audit_log WHERE id = 2")
    conn.commit()
    conn.close()
    window = window_as("viewer")
    qtbot.waitUntil(lambda: hasattr(window, "audit_report"), timeout=10_000)
    assert window.audit_report.ok is False
    assert any("bị sửa hoặc xóa ngoài phần mềm" in t for t in modals.texts("error"))


def _hamlet_ids(data_dir: Path) -> list[int]:
    conn = sqlite3.connect(paths.database_path(data_dir))
    try:
        rows = conn.execute("SELECT id FROM hamlet WHERE name = 'Thôn Đông'").fetchall()
    finally:
        conn.close()
    return [r[0] for r in rows]


def test_the_security_settings_save_the_idle_lock_and_the_personal_data_agreement(
    qtbot: Any, window_as: Callable[[str], Any]
) -> None:
    from app.core.sync import policy
    from app.ui.settings_dialog import SettingsDialog

    window = window_as("secretary")
    dialog = SettingsDialog(window.ctx, window)
    qtbot.addWidget(dialog)
    assert not any(box.isChecked() for box in dialog.personal.values())  # the minimum
    dialog.idle_minutes.setValue(5)
    dialog.personal["phone"].setChecked(True)
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert service.idle_lock_minutes(window.ctx.db) == 5
    assert policy.agreed(window.ctx.db) == {"phone"}
    assert policy.sent_categories(window.ctx.db) == set()  # the province did not ask


def test_the_recovery_code_dialog_closes_only_once_written_down_and_prints_a_sheet(
    qtbot: Any, window_as: Callable[[str], Any], modals: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pypdf import PdfReader

    from app.ui.dialogs import print_preview

    window = window_as("secretary")
    dialog = accounts_ui.RecoveryCodeDialog(
        "thuquy", "ABCD-EFGH-JKMN-PQRS-TUVW", window, window.ctx.db, "Thủ quỹ", "Đỗ Thị Quỳnh"
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.code_label.text() == "ABCD-EFGH-JKMN-PQRS-TUVW"
    assert not dialog.ok_button.isEnabled()
    dialog.reject()  # Esc does not lose the code unseen
    assert dialog.isVisible()
    sheet = window.ctx.data_dir.parent / "ma-khoi-phuc.pdf"
    modals.files.append(sheet)
    previews: list[Path] = []
    monkeypatch.setattr(
        print_preview, "show_preview", lambda _p, path, _t="": previews.append(path)
    )
    dialog.print_button.click()
    assert previews == [sheet]
    text = "".join(page.extract_text() for page in PdfReader(sheet).pages)
    assert "ABCD-EFGH-JKMN-PQRS-TUVW" in text and "thuquy" in text
    dialog.written.setChecked(True)
    assert dialog.ok_button.isEnabled()
