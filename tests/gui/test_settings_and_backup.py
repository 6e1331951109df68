"""Cài đặt (commune, signers, backup options) and Tệp → Sao lưu / Khôi phục."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app import paths
from app.core import backup, settings
from app.core.registry.households import delete_household
from app.core.registry.listing import HOUSEHOLDS, ListQuery
from app.ui import workers
from app.ui.settings_dialog import SettingsDialog
from tests.gui.conftest import HOUSEHOLDS as SEED_HOUSEHOLDS
from tests.gui.test_main_window import open_list

pytestmark = pytest.mark.gui


def test_settings_dialog_saves_signers(qtbot: Any, ctx: Any) -> None:
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    table = dialog.signers
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == [
        "CHỦ TỊCH HỘI KHUYẾN HỌC",
        "CHỦ TỊCH UBND XÃ",
    ]
    assert table.item(0, 1).text() == "Trịnh Văn Khánh"
    table.item(1, 1).setText("Đoàn Văn Tuấn")
    dialog.add_signer_button.click()
    table.item(2, 0).setText("PHÓ CHỦ TỊCH HỘI")
    table.item(2, 1).setText("NGUYỄN THỊ HẠNH")  # capitals become title case
    dialog.save_button.click()

    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    saved = settings.load(ctx.db).signers
    assert [(s.title, s.name) for s in saved] == [
        ("CHỦ TỊCH HỘI KHUYẾN HỌC", "Trịnh Văn Khánh"),
        ("CHỦ TỊCH UBND XÃ", "Đoàn Văn Tuấn"),
        ("PHÓ CHỦ TỊCH HỘI", "Nguyễn Thị Hạnh"),
    ]
    assert saved[0].role == "association_chair" and saved[2].role == "other_3"


def test_settings_dialog_saves_commune_details_and_backup_options(
    qtbot: Any, window: Any, modals: Any, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    modals.files.append(usb)

    def edit(dialog: Any) -> None:
        assert dialog.tabs.tabText(0) == "Thông tin xã"
        dialog.association.setText("Hội Khuyến học phường Ba Đình")
        dialog.address.setText("Số 1 phố Đội Cấn")
        dialog.tabs.setCurrentIndex(2)
        dialog.choose_backup_button.click()
        dialog.backup_keep.setValue(5)
        dialog.save_button.click()

    when_dialog_shown("SettingsDialog", edit)
    window.open_settings()

    info = settings.get_commune(window.ctx.db)
    assert info is not None
    assert (info.association_name, info.address) == (
        "Hội Khuyến học phường Ba Đình",
        "Số 1 phố Đội Cấn",
    )
    loaded = settings.load(window.ctx.db)
    assert (loaded.backup_keep, loaded.backup_dir) == (5, str(usb))
    assert window.windowTitle() == "Sổ Khuyến Học — Hội Khuyến học phường Ba Đình"


def when_dialog_shown(kind: str, action: Any) -> None:
    def attempt(left: int) -> None:
        for widget in QApplication.topLevelWidgets():
            if type(widget).__name__ == kind and widget.isVisible():
                action(widget)
                return
        if left:
            QTimer.singleShot(10, lambda: attempt(left - 1))

    QTimer.singleShot(0, lambda: attempt(300))


def wait_idle(qtbot: Any) -> None:
    qtbot.waitUntil(lambda: not workers.busy(), timeout=10_000)


def test_backup_writes_the_file_chosen(qtbot: Any, window: Any, modals: Any) -> None:
    target = window.ctx.data_dir.parent / "ban-sao.sqlite3"
    modals.files.append(target.with_suffix(""))  # typed without the extension
    window.backup_now()
    wait_idle(qtbot)
    assert target.exists()
    assert backup.inspect_backup(target).counts["households"] == len(SEED_HOUSEHOLDS)
    assert str(target) in modals.texts("inform")[0]


def test_restore_replaces_the_data_after_confirmation(qtbot: Any, window: Any, modals: Any) -> None:
    db = window.ctx.db
    saved = backup.make_backup(db.path)
    screen = open_list(qtbot, window, "Hộ gia đình")
    delete_household(db, HOUSEHOLDS.ids(db, ListQuery())[0])
    window.ctx.announce("households")
    assert screen.model.rowCount() == len(SEED_HOUSEHOLDS) - 1

    modals.files.append(saved)
    modals.answers.append(True)
    window.restore_from_backup()
    wait_idle(qtbot)

    question = modals.texts("ask")[0]
    assert "Phường Ba Đình" in question and "hộ gia đình: 8" in question
    assert question.endswith("Dữ liệu hiện tại sẽ được sao lưu trước khi thay.")
    assert window.ctx.available and window.ctx.db is not db
    assert screen.model.rowCount() == len(SEED_HOUSEHOLDS)
    assert HOUSEHOLDS.count(window.ctx.db, ListQuery()) == len(SEED_HOUSEHOLDS)
    safety = list(paths.backups_dir(window.ctx.data_dir).glob("truoc-khoi-phuc-*.sqlite3"))
    assert len(safety) == 1
    assert backup.inspect_backup(safety[0]).counts["households"] == len(SEED_HOUSEHOLDS) - 1
    assert "Đã khôi phục" in modals.texts("inform")[0]


def test_restore_declined_changes_nothing(qtbot: Any, window: Any, modals: Any) -> None:
    db = window.ctx.db
    saved = backup.make_backup(db.path)
    modals.files.append(saved)
    modals.answers.append(False)
    assert window.restore_from_backup() is None
    assert window.ctx.db is db
    assert not list(paths.backups_dir(window.ctx.data_dir).glob("truoc-khoi-phuc-*"))


def test_restore_from_a_file_that_is_no_backup_keeps_the_data(
    qtbot: Any, window: Any, modals: Any, tmp_path: Path
) -> None:
    bogus = tmp_path / "ghi-chu.sqlite3"
    bogus.write_text("không phải cơ sở dữ liệu", encoding="utf-8")
    modals.files.append(bogus)
    assert window.restore_from_backup() is None
    assert "không phải" in modals.texts("error")[0]
    assert window.ctx.available
    assert HOUSEHOLDS.count(window.ctx.db, ListQuery()) == len(SEED_HOUSEHOLDS)


def test_restore_tells_a_commune_that_sends_bundles_the_next_one_is_full(
    qtbot: Any, window: Any, modals: Any, tmp_path: Path
) -> None:
    from app.core.sync import state, upper

    province = upper.init_province(tmp_path / "tinh", "Hội Khuyến học tỉnh Thử", tmp_path / "goi")
    state.load_config_package(window.ctx.db, province.package)
    saved = backup.make_backup(window.ctx.db.path)
    modals.files.append(saved)
    modals.answers.append(True)
    window.restore_from_backup()
    wait_idle(qtbot)
    told = modals.texts("inform")[0]
    assert "Đã khôi phục" in told and "Gói gửi tỉnh tiếp theo sẽ là gói đầy đủ" in told
