# ruff: noqa: F811  (pytest fixtures imported from test_hub_fixtures)
"""The province hub over real HTTP (uvicorn on 127.0.0.1), on SQLite and PostgreSQL:
uploads, receipts, quarantine, refusals, dropped connections, the commune's status."""

from __future__ import annotations

import hashlib
import json
import socket
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from app.core.models.sync import SyncExport
from app.core.sync import bundle, importer, registrations, upper
from app.core.sync.request_auth import sign_request
from tests.integration.test_hub_fixtures import (  # noqa: F401  (fixtures)
    UPLOAD,
    Commune,
    Hub,
    commune,
    engine,
    hub,
    hub_options,
    make_commune,
    province_dir,
)


def _confirmed(commune: Commune) -> set[str]:
    with commune.db.session() as s:
        rows = s.scalars(select(SyncExport).where(SyncExport.confirmed_at.is_not(None))).all()
        return {r.bundle_id for r in rows}


def test_health_needs_no_signature_and_names_the_province(hub: Hub) -> None:
    answer = hub.client().get("/api/v1/health")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok" and body["service"] == "khuyenhoc-hub"
    assert body["province_name"] == "Hội Khuyến học tỉnh Hưng Yên"
    assert body["key_id"] and body["fingerprint"]


def test_a_bundle_is_applied_and_its_receipt_verifies_at_the_commune(
    hub: Hub, commune: Commune
) -> None:
    data = commune.export()
    answer = hub.push(commune, data)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    bundle_id = body["bundle_id"]
    assert (body["status"], body["commune_code"], body["seq"]) == ("applied", "12205", 1)
    assert hub.ledger() == [(bundle_id, 1)]
    assert hub.record_count() > 0
    assert upper.load_receipt_bytes(commune.db, body["receipt"].encode("utf-8")) == 1
    assert _confirmed(commune) == {bundle_id}
    fetched = hub.get(commune, f"/api/v1/bundles/{bundle_id}/receipt")
    assert fetched.status_code == 200
    assert fetched.headers["content-type"].startswith("application/json")
    assert fetched.content == body["receipt"].encode("utf-8")
    assert hub.incoming() == []


def test_the_same_bundle_twice_is_a_replay_with_the_same_receipt(
    hub: Hub, commune: Commune
) -> None:
    data = commune.export()
    first = hub.push(commune, data).json()
    records = hub.record_count()
    again = hub.push(commune, data)
    assert again.status_code == 200
    assert again.json()["status"] == "replay"
    assert again.json()["receipt"] == first["receipt"]
    assert hub.ledger() == [(first["bundle_id"], 1)] and hub.record_count() == records


def test_an_unknown_key_may_only_register_and_its_bundle_is_never_stored(
    hub: Hub, make_commune: Callable[..., Commune]
) -> None:
    stranger = make_commune(hub.package, code="12133", name="xa-moi")
    data = stranger.export()
    answer = hub.push(stranger, data)
    assert answer.status_code == 403
    assert answer.json()["code"] == "unknown_key"
    assert "chưa được tỉnh chấp nhận" in answer.json()["error"]
    assert hub.ledger() == [] and importer.held_bundles(hub.db) == [] and hub.incoming() == []
    # It leaves its registration; the province compares the fingerprint and accepts it.
    registered = hub.register(stranger)
    assert registered.status_code == 201 and registered.json()["status"] == "registered"
    fingerprint = registered.json()["fingerprint"]
    assert [r.fingerprint for r in registrations.pending(hub.data_dir)] == [fingerprint]
    assert hub.register(stranger).json()["status"] == "already"
    pinned = upper.accept_key(hub.db, fingerprint)
    assert (pinned.commune_code, pinned.installation_id) == (
        "12133",
        stranger.db.installation_id(),
    )
    assert registrations.pending(hub.data_dir) == []
    # Sent again (the outbox does so by itself), it is applied with a receipt.
    again = hub.push(stranger, data)
    assert again.status_code == 200 and again.json()["status"] == "applied"
    assert upper.load_receipt_bytes(stranger.db, again.json()["receipt"].encode("utf-8")) == 1


def test_a_tampered_bundle_is_refused_and_nothing_changes(hub: Hub, commune: Commune) -> None:
    data = bytearray(commune.export())
    part = next(iter(bundle.parse(bytes(data)).parts.values()))
    data[data.find(part) + len(part) // 2] ^= 0x01  # one bit inside an encrypted part
    answer = hub.push(commune, bytes(data))
    assert answer.status_code == 400
    assert "hỏng" in answer.json()["error"]
    assert hub.ledger() == [] and hub.record_count() == 0
    assert importer.held_bundles(hub.db) == []
    assert hub.incoming() == []


def test_a_signed_bundle_with_unreadable_records_is_rejected_with_422(
    hub: Hub, commune: Commune
) -> None:
    from tests.integration.test_sync_fixtures import forge

    data = forge(commune, {"hamlet": b"not json\n"}, records={"hamlet": 1})  # type: ignore[arg-type]
    answer = hub.push(commune, data)
    assert answer.status_code == 422
    body = answer.json()
    assert body["status"] == "rejected" and body["receipt"] is None and body["reason"]
    assert hub.ledger() == [] and hub.record_count() == 0


def test_a_storage_failure_is_a_503_to_retry_later(
    hub: Hub, commune: Commune, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.errors import StorageError

    def disk_full(*_args: Any, **_kw: Any) -> Any:
        raise StorageError("Ổ đĩa đã đầy.")

    monkeypatch.setattr(importer, "import_bytes", disk_full)
    answer = hub.push(commune, commune.export())
    assert answer.status_code == 503
    assert "gửi lại sau" in answer.json()["error"]
    assert hub.incoming() == []


def test_a_commune_cannot_upload_another_communes_bundle(
    hub: Hub, commune: Commune, make_commune: Callable[..., Commune]
) -> None:
    other = make_commune(hub.package, code="12133", name="xa-khac", accept_on=hub.db)
    answer = hub.push(other, commune.export())
    assert answer.status_code == 403
    assert "khóa khác" in answer.json()["error"]
    assert hub.ledger() == []


def test_a_bad_or_missing_signature_is_refused(hub: Hub, commune: Commune) -> None:
    data = commune.export()
    headers = sign_request(commune.data_dir, "POST", UPLOAD, hashlib.sha256(data).hexdigest())
    forged = {**headers, "X-KH-Signature": "0" * 128}
    answer = hub.client().post(UPLOAD, content=data, headers=forged)
    assert answer.status_code == 401 and "Chữ ký" in answer.json()["error"]
    assert hub.client().post(UPLOAD, content=data).status_code == 401
    # Signed for another body (a changed file in transit).
    other = {**headers}
    answer = hub.client().post(UPLOAD, content=data + b"x", headers=other)
    assert answer.status_code == 401
    # Signed for another target.
    wrong = sign_request(commune.data_dir, "POST", "/khac", hashlib.sha256(data).hexdigest())
    assert hub.client().post(UPLOAD, content=data, headers=wrong).status_code == 401
    assert hub.ledger() == [] and hub.incoming() == []


@pytest.mark.parametrize("hub_options", [{"max_bytes": 4096}])
def test_an_oversized_upload_is_refused_before_it_is_read(hub: Hub, commune: Commune) -> None:
    data = commune.export()
    assert len(data) > 4096
    answer = hub.push(commune, data)
    assert answer.status_code == 413 and "quá lớn" in answer.json()["error"]
    # Without a length the hub cannot tell: 411.
    headers = sign_request(commune.data_dir, "POST", UPLOAD, hashlib.sha256(data).hexdigest())
    chunked = hub.client().post(UPLOAD, content=iter([data[:100], data[100:]]), headers=headers)
    assert chunked.status_code == 411
    assert hub.ledger() == [] and hub.incoming() == []


def _send_half_and_drop(hub: Hub, commune: Commune, data: bytes) -> None:
    headers = sign_request(commune.data_dir, "POST", UPLOAD, hashlib.sha256(data).hexdigest())
    host, port = hub.url.removeprefix("http://").split(":")
    lines = [f"POST {UPLOAD} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(data)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("ascii"))
        sock.sendall(data[: len(data) // 2])
        time.sleep(0.3)  # the hub is now writing the temporary file


def _wait_until(check: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_a_connection_dropped_mid_upload_imports_nothing_and_leaves_no_file(
    hub: Hub, commune: Commune
) -> None:
    data = commune.export()
    _send_half_and_drop(hub, commune, data)
    _wait_until(lambda: hub.incoming() == [])
    assert hub.ledger() == [] and importer.held_bundles(hub.db) == []
    # The outbox sends it again later: applied once.
    answer = hub.push(commune, data)
    assert answer.json()["status"] == "applied"
    assert len(hub.ledger()) == 1


def test_the_status_lists_the_last_bundle_and_the_missing_ones_after_a_gap(
    hub: Hub, commune: Commune
) -> None:
    files = []
    for name in ("Thôn Một", "Thôn Hai", "Thôn Ba", "Thôn Bốn"):
        commune.add_hamlet(name)
        files.append(commune.export())
    assert hub.push(commune, files[0]).json()["status"] == "applied"
    gap = hub.push(commune, files[3])
    assert gap.status_code == 202 and gap.json()["status"] == "gap"
    status = hub.get(commune, "/api/v1/communes/12205/status").json()
    installation = commune.db.installation_id()
    assert status["installations"][0]["installation_id"] == installation
    assert status["installations"][0]["last_seq"] == 1
    assert status["held"] == [{"seq": 4, "state": "gap", "installation_id": installation}]
    assert status["missing"] == [2, 3]
    assert hub.push(commune, files[1]).json()["status"] == "applied"
    third = hub.push(commune, files[2])
    assert third.json()["status"] == "applied"  # and the held bundle 4 follows it
    status = hub.get(commune, "/api/v1/communes/12205/status").json()
    assert status["installations"][0]["last_seq"] == 4
    assert status["held"] == [] and status["missing"] == []
    assert [seq for _b, seq in hub.ledger()] == [1, 2, 3, 4]


def test_another_communes_key_reads_neither_status_nor_receipts(
    hub: Hub, commune: Commune, make_commune: Callable[..., Commune]
) -> None:
    body: dict[str, Any] = hub.push(commune, commune.export()).json()
    other = make_commune(hub.package, code="12133", name="xa-khac", accept_on=hub.db)
    assert hub.get(other, "/api/v1/communes/12205/status").status_code == 403
    denied = hub.get(other, f"/api/v1/bundles/{body['bundle_id']}/receipt")
    assert denied.status_code == 403 and "error" in denied.json()
    assert hub.get(commune, f"/api/v1/bundles/{'0' * 64}/receipt").status_code == 404
    unsigned = hub.client().get("/api/v1/communes/12205/status")
    assert unsigned.status_code == 401


def test_the_status_page_lists_communes_freshness_and_totals(hub: Hub, commune: Commune) -> None:
    hub.set_password()
    assert "Chưa nhận gói nào" in hub.page("/").text
    hub.push(commune, commune.export())
    page = hub.page("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "<script" not in html
    assert "12205" in html and "hôm nay" in html and "Cộng (1 xã)" in html
    assert "Thôn / Tổ dân phố" in html
    assert 'class="overdue"' not in html


def test_openapi_documents_the_endpoints(hub: Hub) -> None:
    hub.set_password()
    spec = json.loads(hub.page("/openapi.json").text)
    assert {
        "/api/v1/health",
        "/api/v1/registrations",
        "/api/v1/keys/self",
        "/api/v1/bundles",
        "/api/v1/bundles/{bundle_id}/receipt",
        "/api/v1/communes/{commune_code}/status",
    } <= set(spec["paths"])
    body = spec["paths"]["/api/v1/bundles"]["post"]["requestBody"]
    assert "application/octet-stream" in body["content"]
