# ruff: noqa: F811  (pytest fixtures imported from the sync integration tests)
"""The upper level in the window: chosen at first run, a window showing the communes'
consolidation (not registers), conflicts settled side by side, keys accepted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog

from app.core.sync import conflicts, keys, state, upper
from app.core.workspace import has_database, open_workspace
from tests.integration.test_sync_conflicts import Diverged, diverge, diverged  # noqa: F401
from tests.integration.test_sync_fixtures import (  # noqa: F401  (fixtures)
    Commune,
    Province,
    make_commune,
    province,
)

pytestmark = pytest.mark.gui


def _upper_window(qtbot: Any, province: Province) -> Any:
    from app.ui.main_window import MainWindow
    from app.ui.screens.base import AppContext

    win = MainWindow(AppContext(province.data_dir, province.db))
    win.backup_on_close = False
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def wait_idle(qtbot: Any) -> Iterator[Any]:
    from app.ui import workers

    def wait() -> None:
        qtbot.waitUntil(lambda: not workers.busy(), timeout=15_000)

    yield wait
    wait()


def test_first_run_makes_an_upper_level_folder_and_shows_the_fingerprint(
    qtbot: Any, tmp_path: Path
) -> None:
    from app.ui.first_run_upper import UpperLevelDialog

    out = tmp_path / "usb"
    out.mkdir()
    dialog = UpperLevelDialog(tmp_path / "tinh")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.create_button.click()  # no name yet: refused, nothing made
    assert dialog.pages.currentIndex() == 0 and not has_database(tmp_path / "tinh")
    dialog.name.insert("Hội Khuyến học tỉnh Hưng Yên")
    dialog.out_dir.setText(str(out))
    dialog.hub_url.insert("https://khuyenhoc.hungyen.vn/")
    dialog.create_button.click()
    assert dialog.pages.currentIndex() == 1
    [package] = out.glob("*.khcfg")
    assert dialog.package == package and str(package) in dialog.package_label.text()
    groups = dialog.fingerprint.split("-")
    assert dialog.fingerprint_label.text() == " ".join(groups[:4]) + "\n" + " ".join(groups[4:])
    assert dialog.fingerprint == keys.my_key(tmp_path / "tinh").fingerprint
    dialog.continue_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    ws = open_workspace(tmp_path / "tinh")
    try:
        assert state.is_upper(ws.db)
        assert state.get_setting(ws.db, state.HUB_URL_KEY) == "https://khuyenhoc.hungyen.vn"
    finally:
        ws.close()


def test_the_first_run_dialog_offers_the_upper_level(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.ui import first_run_upper
    from app.ui.first_run import FirstRunDialog

    chosen: list[Path] = []

    def fake_exec(self: Any) -> int:
        chosen.append(self.data_dir)
        return 1

    monkeypatch.setattr(first_run_upper.UpperLevelDialog, "exec", fake_exec)
    dialog = FirstRunDialog(tmp_path / "data")
    qtbot.addWidget(dialog)
    assert dialog.upper_button.text() == "Cấp tỉnh/huyện (nhận gói của các xã)"
    dialog.upper_button.click()
    assert chosen == [tmp_path / "data"]
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_the_upper_level_window_shows_the_consolidation_not_registers(
    qtbot: Any, province: Province, make_commune: Any, wait_idle: Any
) -> None:
    commune = make_commune(households=15)
    assert province.import_(commune.export().file)[0].status == "applied"
    win = _upper_window(qtbot, province)
    titles = [win.nav.item(i).text() for i in range(win.nav.count())]
    assert titles == ["Tổng hợp các xã"]
    assert "Hội Khuyến học tỉnh Hưng Yên" in win.windowTitle()
    assert not win.import_action.isVisible()
    screen = win.current_screen()
    assert screen is not None and screen.key == "sync"
    assert screen.upper_box.isVisibleTo(screen) and not screen.commune_box.isVisibleTo(screen)
    assert win.show_screen("households") is screen  # a register asked for: stays here
    wait_idle()
    qtbot.waitUntil(lambda: screen.rates_report is not None, timeout=15_000)
    table = screen.table
    assert table.item(0, 0).text() == "Xã Khoái Châu (12205)", "the commune's name, not a code"
    assert table.item(1, 0).text() == "Toàn tỉnh"
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    family = table.item(0, headers.index("Gia đình HT")).text()
    assert family.endswith("/ 70,0%") and "%" in family.split("/")[0]
    assert str(screen.rates_report.year) in screen.rates_label.text()
    years = [screen.rates_year.itemData(i) for i in range(screen.rates_year.count())]
    assert years == sorted(years, reverse=True) and screen.rates_year.currentData() == years[0]
    assert len(years) >= 2  # the demo holds 2023–2025
    screen.rates_year.setCurrentIndex(len(years) - 1)  # any year held, not only the latest
    qtbot.waitUntil(lambda: screen.rates_report.year == years[-1], timeout=15_000)
    assert f"năm {years[-1]}" in screen.rates_label.text()


def test_conflicts_are_settled_side_by_side(
    qtbot: Any, diverged: Diverged, modals: Any, wait_idle: Any
) -> None:
    from app.ui.screens.sync_conflicts import ConflictsDialog

    province = diverged.province
    win = _upper_window(qtbot, province)
    screen = win.current_screen()
    assert screen.conflicts_button.isEnabled() and "(1)" in screen.conflicts_button.text()
    dialog = ConflictsDialog(province.db, win)
    qtbot.addWidget(dialog)
    assert dialog.list_table.rowCount() == 1
    assert dialog.list_table.item(0, 1).text() == "Thôn / Tổ dân phố"
    assert dialog.diff_table.rowCount() == 1
    row = [dialog.diff_table.item(0, c).text() for c in range(3)]
    assert row == ["Tên", "Thôn Đông Sửa", "Thôn Đông"]
    assert dialog.list_table.item(0, 6).text() == "Bản mới đến cũ hơn bản đang có"
    dialog.who.setText("Phạm Thị Thu")
    dialog.incoming_button.click()
    assert dialog.list_table.rowCount() == 0 and not dialog.keep_button.isEnabled()
    assert "đã giải quyết 1" in dialog.status.text()
    [entry] = conflicts.resolved(province.db)
    assert entry["resolved_by"] == "Phạm Thị Thu" and entry["resolution"] == "incoming"
    wait_idle()


def test_a_commune_key_is_accepted_from_its_registration_file(
    qtbot: Any,
    province: Province,
    make_commune: Any,
    modals: Any,
    tmp_path: Path,
    wait_idle: Any,
) -> None:
    commune = make_commune(pin=False)
    bundle = commune.export().file
    assert province.import_(bundle)[0].status == "quarantined"
    reg = tmp_path / "phieu.json"
    reg.write_text(json.dumps(upper.registration(commune.db)), "utf-8")
    win = _upper_window(qtbot, province)
    screen = win.current_screen()
    modals.files.append(reg)
    screen.accept_key_button.click()
    qtbot.waitUntil(lambda: bool(modals.texts("inform")), timeout=15_000)
    text = modals.texts("inform")[-1]
    assert "xã mã 12205" in text and "1 gói đã nhập" in text
    assert [k.commune_code for k in upper.pinned_keys(province.db)] == ["12205"]
    wait_idle()


def test_a_commune_key_is_accepted_from_the_printed_pdf_key_sheet(
    qtbot: Any,
    province: Province,
    make_commune: Any,
    modals: Any,
    tmp_path: Path,
    wait_idle: Any,
) -> None:
    from app.core.printing.key_sheet import write_key_sheet
    from app.ui.screens.sync import KEY_FILES

    assert "*.pdf" in KEY_FILES
    commune = make_commune(pin=False)
    assert province.import_(commune.export().file)[0].status == "quarantined"
    sheet = tmp_path / "PhieuDangKyKhoa.pdf"
    write_key_sheet(commune.db, sheet)
    win = _upper_window(qtbot, province)
    screen = win.current_screen()
    modals.files.append(sheet)
    screen.accept_key_button.click()
    qtbot.waitUntil(lambda: bool(modals.texts("inform")), timeout=15_000)
    text = modals.texts("inform")[-1]
    assert "xã mã 12205" in text and "1 gói đã nhập" in text
    assert [k.commune_code for k in upper.pinned_keys(province.db)] == ["12205"]
    wait_idle()


def test_a_commune_prints_its_key_sheet(
    qtbot: Any, window: Any, modals: Any, tmp_path: Path
) -> None:
    screen = window.show_screen("sync")
    assert screen.key_sheet_button.isVisibleTo(screen)
    out = tmp_path / "phieu.pdf"
    modals.files.append(out)
    screen.key_sheet_button.click()
    assert out.read_bytes()[:5] == b"%PDF-"
    assert str(out) in modals.texts("inform")[-1]


def _package_body(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text("utf-8"))["body"])


def test_a_new_configuration_package_proposes_the_next_version(
    qtbot: Any,
    province: Province,
    modals: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    wait_idle: Any,
) -> None:
    from pyrage import x25519

    from app.ui.dialogs import province_package

    escrow = str(x25519.Identity.generate().to_public())
    upper.write_new_config_package(
        province.db, tmp_path / "v2", escrow_recipient=escrow, hub_url="https://10.0.0.5:8750"
    )
    opened: list[Any] = []
    monkeypatch.setattr(
        province_package.ProvincePackageDialog, "exec", lambda self: opened.append(self) or 0
    )
    win = _upper_window(qtbot, province)
    screen = win.current_screen()
    assert "phiên bản 2" in screen.province_label.text()
    screen.package_button.click()
    [dialog] = opened
    qtbot.addWidget(dialog)
    assert dialog.version.value() == 3 and dialog.version.minimum() == 3
    assert dialog.hub_url.text() == "https://10.0.0.5:8750"
    assert dialog.escrow.text() == escrow
    out = tmp_path / "usb"
    out.mkdir()
    modals.files.append(out)
    dialog.choose_out_dir()
    assert dialog.out_dir.text() == str(out)
    dialog.hub_url.setText("https://khuyenhoc.hungyen.vn/")
    dialog.write_button.click()
    [written] = out.glob("*.khcfg")
    assert dialog.written == written and dialog.result() == QDialog.DialogCode.Accepted
    body = _package_body(written)
    assert body["version"] == 3 and body["escrow_recipient"] == escrow
    assert body["hub_url"] == "https://khuyenhoc.hungyen.vn"
    assert "phiên bản 3" in modals.texts("inform")[-1]
    assert upper.package_defaults(province.db).version == 4
    wait_idle()


def test_a_package_version_taken_meanwhile_is_refused_in_vietnamese(
    qtbot: Any, province: Province, modals: Any, tmp_path: Path
) -> None:
    from app.ui.dialogs.province_package import ProvincePackageDialog

    dialog = ProvincePackageDialog(province.db)
    qtbot.addWidget(dialog)
    assert dialog.version.value() == 2
    dialog.out_dir.setText(str(tmp_path / "khong-co"))
    dialog.write_button.click()
    assert "Không có thư mục" in modals.texts("error")[-1] and dialog.written is None
    upper.write_new_config_package(province.db, tmp_path / "cli")  # e.g. from the CLI: v2
    dialog.out_dir.setText(str(tmp_path))
    dialog.write_button.click()
    assert "không lớn hơn phiên bản gói cấu hình đã ghi gần nhất (2)" in modals.texts("error")[-1]
    assert dialog.written is None and list(tmp_path.glob("*.khcfg")) == []
    assert dialog.result() != QDialog.DialogCode.Accepted


def test_a_fork_is_settled_in_the_window(
    qtbot: Any, province: Province, make_commune: Any, tmp_path: Path, wait_idle: Any
) -> None:
    """Two PCs with one installation's key: the window lists the forked bundle and the
    person follows it; the key's next bundle then continues that branch."""
    import shutil

    from app import paths
    from app.core.backup import make_backup, restore_backup
    from app.core.sync import importer
    from app.core.workspace import open_workspace
    from app.ui.screens.sync_forks import ForksDialog
    from tests.integration.test_sync_fixtures import _hamlets

    commune = make_commune()
    province.import_(commune.export().file)
    backup = make_backup(commune.db.path, tmp_path / "ban-sao.sqlite3")
    twin_dir = tmp_path / "may-hai"
    restore_backup(paths.database_path(twin_dir), backup)
    shutil.copytree(commune.data_dir / keys.KEYS_DIR, twin_dir / keys.KEYS_DIR)
    twin_ws = open_workspace(twin_dir)
    try:
        twin = Commune(twin_dir, twin_ws, tmp_path / "usb-hai")
        _hamlets(commune.db, ["Thôn Máy Một"])
        _hamlets(twin.db, ["Thôn Máy Hai"])
        province.import_(commune.export().file)
        assert [o.status for o in province.import_(twin.export().file)] == ["fork"]
        win = _upper_window(qtbot, province)
        screen = win.current_screen()
        assert screen.forks_button.isEnabled() and "(1)" in screen.forks_button.text()
        dialog = ForksDialog(province.db, win)
        qtbot.addWidget(dialog)
        assert dialog.table.rowCount() == 1
        assert [dialog.table.item(0, c).text() for c in range(3)] == ["12205", "2", "2"]
        dialog.who.setText("Vũ Thị Lan")
        dialog.follow_button.click()
        assert dialog.table.rowCount() == 0 and not dialog.follow_button.isEnabled()
        assert "đã giải quyết 1" in dialog.status.text()
        assert importer.list_forks(province.db) == []
        _hamlets(twin.db, ["Thôn Sau"])
        assert [o.status for o in province.import_(twin.export().file)] == ["applied"]
        wait_idle()
    finally:
        twin_ws.close()
