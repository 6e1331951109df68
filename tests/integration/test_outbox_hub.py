# ruff: noqa: F811  (pytest fixtures imported from test_hub_fixtures)
"""End to end: a commune's outbox sends to the real hub (uvicorn on 127.0.0.1) and gets
back a receipt it verifies — on SQLite and on PostgreSQL, through the real HTTP client
(system proxy settings, timeouts, streaming), the CLI included."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from app.cli import main
from app.core.assessment.criteria import builtin_keys
from app.core.sync import importer, outbox, state, upper
from tests.integration.test_hub_fixtures import (  # noqa: F401  (fixtures)
    Commune,
    Hub,
    engine,
    hub,
    hub_options,
    make_commune,
    province_dir,
    serve_in_thread,
    stop,
)


def _announce(hub: Hub, url: str, version: int) -> Path:
    """The province publishes a package naming its hub address."""
    return upper.write_config_package(
        hub.db, hub.data_dir.parent / f"goi-v{version}", version=version, hub_url=url
    )


def _online_commune(hub: Hub, make: Callable[..., Commune], accept: bool = True) -> Commune:
    commune = make(hub.package, accept_on=hub.db if accept else None)
    state.load_config_package(commune.db, _announce(hub, hub.url, 2))
    assert outbox.hub_url(commune.db) == hub.url
    return commune


def test_export_then_the_outbox_sends_and_the_receipt_confirms(
    hub: Hub, make_commune: Callable[..., Commune]
) -> None:
    commune = _online_commune(hub, make_commune)
    commune.export()
    commune.add_hamlet("Thôn Bắc")
    commune.export()
    report = outbox.send_pending(commune.db)
    assert report.as_dict()["received"] == 2 and report.sent == 2
    items = outbox.outbox_items(commune.db)
    assert [(i.seq, i.state) for i in items] == [(1, "received"), (2, "received")]
    assert all(i.confirmed_at for i in items)
    assert [seq for _bid, seq in hub.ledger()] == [1, 2]
    # Three records, plus the shipped criteria sets a commune holds from its creation.
    assert hub.record_count() == 3 + len(builtin_keys())
    assert outbox.last_contact(commune.db) is not None
    assert outbox.send_pending(commune.db).items == []  # nothing left to send


def test_sending_the_same_bundle_twice_is_a_replay_with_the_same_receipt(
    hub: Hub, make_commune: Callable[..., Commune]
) -> None:
    from sqlalchemy import update

    from app.core.models.sync import SyncExport

    commune = _online_commune(hub, make_commune)
    commune.export()
    outbox.send_pending(commune.db)
    with commune.db.session() as s:  # the answer was lost: the commune never saw it
        s.execute(update(SyncExport).values(confirmed_at=None, send_state="pending"))
    [again] = outbox.send_pending(commune.db).items
    assert again.state == "received"
    assert len(hub.ledger()) == 1


def test_an_unknown_key_registers_by_itself_and_sends_again_once_accepted(
    hub: Hub, make_commune: Callable[..., Commune], caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from app.core.sync import keys, registrations

    caplog.set_level(logging.INFO, logger="khuyenhoc.hub.access")
    commune = _online_commune(hub, make_commune, accept=False)
    commune.export()
    [held] = outbox.send_pending(commune.db).items
    assert held.state == "held" and "chưa được tỉnh chấp nhận" in held.message
    # It asked first, so the bundle itself was never sent to be refused half-way.
    lines = [r.getMessage() for r in caplog.records if r.name == "khuyenhoc.hub.access"]
    assert any('"GET /api/v1/keys/self" 200' in line for line in lines)
    assert any('"POST /api/v1/registrations" 201' in line for line in lines)
    assert not any("/api/v1/bundles" in line for line in lines)
    assert outbox.outbox_items(commune.db)[0].label.startswith("Tỉnh đang giữ: ")
    # The hub stored no bundle, only the key's registration.
    assert importer.held_bundles(hub.db) == [] and hub.ledger() == []
    fingerprint = keys.my_key(commune.data_dir).fingerprint
    assert [r.fingerprint for r in registrations.pending(hub.data_dir)] == [fingerprint]
    assert outbox.poll_receipts(commune.db).items[0].state == "held"
    upper.accept_key(hub.db, fingerprint)  # read aloud on the phone, or from the sheet
    [received] = outbox.poll_receipts(commune.db).items
    assert received.state == "received"
    assert outbox.outbox_items(commune.db)[0].confirmed_at is not None


def test_a_hub_that_is_down_is_retried_and_reached_at_its_new_address(
    hub: Hub, make_commune: Callable[..., Commune]
) -> None:
    commune = _online_commune(hub, make_commune)
    commune.export()
    stop(hub.server, hub.thread)  # the province's machine is switched off
    [down] = outbox.send_pending(commune.db).items
    assert down.state == "pending" and "từ chối kết nối" in down.message
    due = outbox.outbox_items(commune.db)[0].next_attempt_at
    assert due is not None
    hub.server, hub.thread, url = serve_in_thread(hub.data_dir)  # back, at another port
    state.load_config_package(commune.db, _announce(hub, url, 3))
    [up] = outbox.send_pending(commune.db, now=due).items
    assert up.state == "received"


def test_the_command_line_pushes_and_lists_the_outbox(
    hub: Hub, make_commune: Callable[..., Commune], capsys: pytest.CaptureFixture[str]
) -> None:
    commune = _online_commune(hub, make_commune)
    commune.export()
    data_dir = str(commune.data_dir)
    commune.ws.close()  # the CLI opens the folder itself
    assert main(["sync", "outbox", "--data-dir", data_dir, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["hub_url"] == hub.url and listed["last_contact"] == ""
    assert [(b["seq"], b["state"], b["label"]) for b in listed["bundles"]] == [
        (1, "pending", "Chờ gửi")
    ]
    assert main(["sync", "push", "--data-dir", data_dir, "--json"]) == 0
    pushed = json.loads(capsys.readouterr().out)
    assert {k: pushed[k] for k in ("sent", "received", "held", "errors")} == {
        "sent": 1,
        "received": 1,
        "held": 0,
        "errors": 0,
    }
    assert set(pushed["items"][0]) == {"seq", "bundle_id", "state", "message"}
    assert main(["sync", "outbox", "--data-dir", data_dir]) == 0
    human = capsys.readouterr().out
    assert "Gói số 1" in human and "Tỉnh đã nhận" in human and "chưa lần nào" not in human
