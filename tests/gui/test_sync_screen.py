"""The "Gửi lên tỉnh" screen: load the province package, export a bundle, see it in history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.gui


def test_load_package_export_and_history(
    qtbot: Any, window: Any, modals: Any, tmp_path: Path
) -> None:
    from app.core.sync import upper

    result = upper.init_province(tmp_path / "tinh", "Hội Khuyến học tỉnh Thử", tmp_path / "goi")
    screen = window.show_screen("sync")
    assert "Chưa nạp gói cấu hình" in screen.province_label.text()
    assert not screen.export_button.isEnabled()
    modals.files.append(result.package)
    modals.answers.append(False)  # the fingerprint does not match: nothing is pinned
    screen.load_config_button.click()
    assert result.fingerprint in modals.texts("ask")[-1]
    assert not screen.export_button.isEnabled()
    modals.files.append(result.package)
    modals.answers.append(True)
    screen.load_config_button.click()
    assert result.fingerprint in modals.texts("inform")[-1]
    assert screen.export_button.isEnabled()
    usb = tmp_path / "usb"
    usb.mkdir()
    modals.files.append(usb)
    screen.export_button.click()
    qtbot.waitUntil(
        lambda: any("Đã xuất gói số 1" in t for t in modals.texts("inform")), timeout=10_000
    )
    assert len(list(usb.glob("KH_*.khb"))) == 1
    assert screen.table.rowCount() == 1
    assert screen.table.item(0, 5).text() == "chưa"
