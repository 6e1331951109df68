# ruff: noqa: F811  (pytest fixtures imported from test_hub_fixtures)
"""Online sending as a secretary sees it: export a bundle, and it reaches the province
hub by itself within seconds (no "Gửi ngay"); then the two tables of the sync screen —
the bundles exported and the outbox — agree on what the province has received.

A real hub (uvicorn on 127.0.0.1, SQLite) and the real outbox core: nothing is faked.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.sync import outbox, state, upper
from tests.integration.test_hub_fixtures import (  # noqa: F401  (fixtures)
    Commune,
    Hub,
    hub,
    hub_options,
    make_commune,
    province_dir,
)

pytestmark = pytest.mark.gui


@pytest.fixture
def engine() -> str:
    return "sqlite"


@pytest.fixture
def online(hub: Hub, make_commune: Callable[..., Commune]) -> Commune:
    commune = make_commune(hub.package, accept_on=hub.db)
    package = upper.write_config_package(
        hub.db, hub.data_dir.parent / "goi-v2", version=2, hub_url=hub.url
    )
    state.load_config_package(commune.db, package)
    assert outbox.hub_url(commune.db) == hub.url
    return commune


@pytest.fixture
def window(qtbot: Any, online: Commune) -> Iterator[Any]:
    from app.ui import workers
    from app.ui.main_window import MainWindow
    from app.ui.screens.base import AppContext
    from app.ui.screens.sync_outbox import stop_background_sender

    ctx = AppContext(online.data_dir, online.db)
    win = MainWindow(ctx)
    win.backup_on_close = False
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    stop_background_sender(ctx)
    qtbot.waitUntil(lambda: not workers.busy(), timeout=10_000)


def _column(table: Any, title: str) -> list[str]:
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    c = headers.index(title)
    return [table.item(r, c).text() for r in range(table.rowCount())]


def test_an_exported_bundle_goes_up_by_itself_and_both_tables_agree(
    qtbot: Any, window: Any, online: Commune, hub: Hub, modals: Any, tmp_path: Path
) -> None:
    screen = window.show_screen("sync")
    assert screen.outbox.send_button.isEnabled()
    sender = screen.outbox.sender
    # The window's first pass found nothing to send: the sender rests for minutes.
    qtbot.waitUntil(
        lambda: not sender.running and sender._timer.remainingTime() > 60_000, timeout=15_000
    )
    modals.files.append(tmp_path / "usb")
    (tmp_path / "usb").mkdir()
    started = time.monotonic()
    screen.export_button.click()
    qtbot.waitUntil(lambda: bool(modals.texts("inform")), timeout=15_000)
    assert "Đã xuất gói số 1" in modals.texts("inform")[-1]

    # Nobody presses "Gửi ngay": the background sender takes the new bundle.
    qtbot.waitUntil(lambda: [s for _b, s in hub.ledger()] == [1], timeout=20_000)
    took = time.monotonic() - started
    qtbot.waitUntil(
        lambda: _column(screen.outbox.table, "Trạng thái") == ["Tỉnh đã nhận"], timeout=10_000
    )
    assert _column(screen.table, "Tỉnh đã nhận") == ["đã được tỉnh nhận"]
    assert took < 15, f"sent {took:.1f} s after the export"
