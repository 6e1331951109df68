# ruff: noqa: F811  (pytest fixtures imported from test_hub_fixtures)
"""The attacks of the hub review (issue 17), each reproduced on 127.0.0.1 against the
real hub under uvicorn: each is refused with nothing stored, and the hub still answers
a genuine push within 2 s."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from app.core.sync import bundle, importer, keys, registrations, upper
from app.core.sync.request_auth import sign_request
from app.hub.server import Limits
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

GENUINE_WITHIN_S = 2.0


def resign(data: bytes, key: Any, **changes: Any) -> bytes:
    """The bundle's encrypted parts under a manifest changed by ``changes``, signed by
    ``key`` (what a commune holding its own accepted key can forge)."""
    base = bundle.parse(data)
    keep = ("format", "format_version", "counts", "parts")
    manifest = {k: v for k, v in base.manifest.items() if k not in keep}
    public = keys.public_hex(key)
    manifest.update(key_id=keys.key_id_of(public), public_key=public, **changes)
    parts = [
        (p["entity"], p["records"], p["raw_size"], base.parts[p["name"]])
        for p in base.manifest["parts"]
    ]
    out, _bundle_id = bundle.build(manifest, parts, key.sign)
    return out


def assert_genuine_push_answered(hub: Hub, commune: Commune) -> None:
    """A fresh bundle of ``commune`` is applied, answered within 2 s."""
    commune.add_hamlet(f"Thôn {time.monotonic_ns()}")
    data = commune.export()
    started = time.monotonic()
    answer = hub.push(commune, data, timeout=GENUINE_WITHIN_S)
    elapsed = time.monotonic() - started
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "applied"
    assert elapsed < GENUINE_WITHIN_S, f"genuine push took {elapsed:.2f} s"


def nothing_stored(hub: Hub) -> bool:
    return importer.held_bundles(hub.db) == [] and hub.incoming() == []


def _address(hub: Hub) -> tuple[str, int]:
    host, port = hub.url.removeprefix("http://").split(":")
    return host, int(port)


def _head(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def _signed_head(sender: Commune, length: int, body_sha256: str) -> bytes:
    headers = sign_request(sender.data_dir, "POST", UPLOAD, body_sha256)
    lines = [f"POST {UPLOAD} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {length}"]
    return _head(lines + [f"{k}: {v}" for k, v in headers.items()])


def _answer_of(sock: socket.socket, seconds: float = 5) -> bytes:
    """The whole answer: the hub closes a refused request's connection after it."""
    sock.settimeout(seconds)
    got = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except (TimeoutError, ConnectionResetError):
            break
        if not chunk:
            break
        got += chunk
    return got


def _closed_by_server(sock: socket.socket, seconds: float) -> bool:
    sock.settimeout(seconds)
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return True
    except TimeoutError:
        return False
    except OSError:
        return True


@pytest.fixture
def stranger(hub: Hub, make_commune: Callable[..., Commune]) -> Commune:
    """A commune whose key the province never accepted."""
    return make_commune(hub.package, code="12133", name="xa-la")


# --- an unknown key may only register --------------------------------------------------


def test_a_strangers_120_mib_upload_is_refused_before_a_byte_of_it_is_read(
    hub: Hub, commune: Commune, stranger: Commune
) -> None:
    size = 120 * 1024 * 1024
    with socket.create_connection(_address(hub)) as sock:
        sock.sendall(_signed_head(stranger, size, "ab" * 32))
        sock.sendall(b"\0" * 65536)  # the start of the body, the rest never comes
        answer = _answer_of(sock)
        assert answer.startswith(b"HTTP/1.1 403")
        assert b"unknown_key" in answer  # read to the end: the hub closed the connection
    assert nothing_stored(hub) and hub.ledger() == []
    assert_genuine_push_answered(hub, commune)


def test_a_strangers_real_bundle_is_not_kept_in_quarantine(
    hub: Hub, commune: Commune, stranger: Commune
) -> None:
    answer = hub.push(stranger, stranger.export())
    assert answer.status_code == 403 and answer.json()["code"] == "unknown_key"
    assert nothing_stored(hub) and hub.ledger() == []
    assert_genuine_push_answered(hub, commune)


def test_registrations_are_small_signed_by_their_key_and_rate_limited(
    hub: Hub, commune: Commune, stranger: Commune
) -> None:
    path = "/api/v1/registrations"
    big = b"{" + b" " * (registrations.MAX_BYTES + 1) + b"}"
    headers = sign_request(stranger.data_dir, "POST", path, hashlib.sha256(big).hexdigest())
    assert hub.client().post(path, content=big, headers=headers).status_code == 413
    # A registration for another key than the one signing it.
    other = json.dumps(upper.registration(commune.db)).encode("utf-8")
    headers = sign_request(stranger.data_dir, "POST", path, hashlib.sha256(other).hexdigest())
    refused = hub.client().post(path, content=other, headers=headers)
    assert refused.status_code == 400 and "chính khóa đó" in refused.json()["error"]
    assert registrations.pending(hub.data_dir) == []
    # Five tries per client in ten minutes (the refused one above counted; the
    # oversized one was turned away before), then 429.
    answers = [hub.register(stranger).status_code for _ in range(5)]
    assert answers == [201, 200, 200, 200, 429]
    assert len(registrations.pending(hub.data_dir)) == 1
    assert_genuine_push_answered(hub, commune)


def test_registrations_expire_and_their_number_is_capped(
    hub: Hub, stranger: Commune, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    reg = registrations.parse(
        json.dumps(upper.registration(stranger.db)).encode("utf-8"),
        keys.my_key(stranger.data_dir).public_key,
    )
    registrations.store(hub.data_dir, reg)
    later = reg.received_at + registrations.EXPIRES_AFTER + dt.timedelta(minutes=1)
    assert registrations.pending(hub.data_dir, later) == []
    assert list(registrations.folder(hub.data_dir).glob("*.json")) == []
    monkeypatch.setattr(registrations, "MAX_PENDING", 0)
    with pytest.raises(registrations.RegistrationsFull):
        registrations.store(hub.data_dir, reg)


# --- slow clients, many connections ----------------------------------------------------


@pytest.mark.parametrize("hub_options", [{"header_timeout": 1.0}])
def test_headers_sent_one_byte_at_a_time_are_cut_off(hub: Hub, commune: Commune) -> None:
    slow = [socket.create_connection(_address(hub)) for _ in range(40)]
    try:
        for sock in slow:
            sock.sendall(b"POST /api/v1/bundles HTTP/1.1\r\nHost: x\r\nX-A: ")
        assert_genuine_push_answered(hub, commune)
        time.sleep(0.6)
        for sock in slow:
            with pytest.raises(OSError):  # still trickling in: the hub closed it
                for _ in range(5):
                    sock.sendall(b"a")
                    time.sleep(0.1)
        assert all(_closed_by_server(sock, 3) for sock in slow)
    finally:
        for sock in slow:
            sock.close()
    assert nothing_stored(hub)


@pytest.mark.parametrize("hub_options", [{"max_connections": 20}])
def test_past_the_connection_limit_idle_connections_make_room(hub: Hub, commune: Commune) -> None:
    idle = [socket.create_connection(_address(hub)) for _ in range(60)]
    try:
        time.sleep(0.3)
        assert_genuine_push_answered(hub, commune)
        closed = sum(_closed_by_server(sock, 0.2) for sock in idle)
        assert closed >= 40  # at most 20 open at once
    finally:
        for sock in idle:
            sock.close()


@pytest.mark.parametrize("hub_options", [{"limits": Limits(body_idle_s=0.5)}])
def test_a_slow_body_from_an_accepted_key_is_dropped_and_a_second_upload_waits(
    hub: Hub, commune: Commune, make_commune: Callable[..., Commune]
) -> None:
    data = commune.export()
    with socket.create_connection(_address(hub)) as sock:
        sock.sendall(_signed_head(commune, len(data), hashlib.sha256(data).hexdigest()))
        sock.sendall(data[:100])
        time.sleep(0.2)
        # One upload per key at a time: the same commune meanwhile is told to wait.
        busy = hub.push(commune, data)
        assert busy.status_code == 429 and busy.headers["retry-after"]
        answer = _answer_of(sock)
        assert answer.startswith(b"HTTP/1.1 408")
        assert _closed_by_server(sock, 3)
    assert nothing_stored(hub) and hub.ledger() == []
    other = make_commune(hub.package, code="12133", name="xa-ben", accept_on=hub.db)
    assert_genuine_push_answered(hub, other)


def test_slow_uploads_beside_genuine_pushes(hub: Hub, commune: Commune, stranger: Commune) -> None:
    """Two hundred connections trickling a stranger's upload (a byte every 0.2 s)."""
    stop = threading.Event()
    opened: list[socket.socket] = []

    def trickle() -> None:
        head = _signed_head(stranger, 10_000_000, "ab" * 32)
        for _ in range(200):
            try:
                sock = socket.create_connection(_address(hub), timeout=5)
            except OSError:
                continue
            opened.append(sock)
        deadline = time.monotonic() + 20
        position = 0
        while not stop.is_set() and time.monotonic() < deadline and position < len(head):
            for sock in opened:
                with contextlib.suppress(OSError):
                    sock.send(head[position : position + 1])
            position += 1
            time.sleep(0.2)

    attacker = threading.Thread(target=trickle, daemon=True)
    attacker.start()
    try:
        time.sleep(1.0)
        for _ in range(3):
            assert_genuine_push_answered(hub, commune)
        health = hub.client().get("/api/v1/health", timeout=GENUINE_WITHIN_S)
        assert health.status_code == 200
    finally:
        stop.set()
        attacker.join(30)
        for sock in opened:
            sock.close()
    assert nothing_stored(hub)


# --- quotas ----------------------------------------------------------------------------


def test_a_key_holding_too_many_bundles_is_refused_unstored(
    hub: Hub, commune: Commune, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.sync import hub as core

    monkeypatch.setattr(core, "MAX_HELD_PER_KEY", 2)
    assert hub.push(commune, commune.export()).json()["status"] == "applied"
    commune.export()  # number 2 never reaches the hub
    later = []
    for name in ("Thôn Ba", "Thôn Bốn", "Thôn Năm"):
        commune.add_hamlet(name)
        later.append(commune.export())
    assert [hub.push(commune, d).json()["status"] for d in later[:2]] == ["gap", "gap"]
    refused = hub.push(commune, later[2])
    assert refused.status_code == 429 and "tối đa 2" in refused.json()["error"]
    assert len(importer.held_bundles(hub.db)) == 2 and hub.incoming() == []


@pytest.mark.parametrize("hub_options", [{"limits": Limits(daily_bytes=200_000)}])
def test_a_key_past_its_bytes_for_the_day_is_told_to_come_back(hub: Hub, commune: Commune) -> None:
    first = commune.export()
    assert len(first) < 200_000
    assert hub.push(commune, first).status_code == 200
    sent = len(first)
    while sent + len(first) <= 200_000:
        commune.add_hamlet(f"Thôn {sent}")
        data = commune.export()
        assert hub.push(commune, data).status_code == 200
        sent += len(data)
    commune.add_hamlet("Thôn cuối")
    last = commune.export(full=True)  # at least as large as the first: past the day's bytes
    assert sent + len(last) > 200_000
    refused = hub.push(commune, last)
    assert refused.status_code == 429 and "hôm nay" in refused.json()["error"]
    assert hub.incoming() == []


# --- chains are (commune, key, installation) ------------------------------------------


def test_another_commune_reusing_an_installation_id_cannot_fork_it(
    hub: Hub, commune: Commune, make_commune: Callable[..., Commune]
) -> None:
    first = commune.export()
    assert hub.push(commune, first).json()["status"] == "applied"
    intruder = make_commune(hub.package, code="12133", name="xa-b", accept_on=hub.db)
    key_b = keys.signing_key(intruder.data_dir)
    stolen = {"installation_id": commune.db.installation_id()}
    # Its own commune, A's installation id, A's next number and predecessor.
    forged = resign(
        intruder.export(), key_b, **stolen, seq=2, prev_bundle_id=bundle.parse(first).bundle_id
    )
    answer = hub.push(intruder, forged)
    assert answer.json()["status"] == "gap"  # a chain of B's own, waiting for B's number 1
    # Claiming commune A outright is refused, unstored.
    claimed = resign(intruder.export(), key_b, **stolen, commune_code="12205")
    refused = hub.push(intruder, claimed)
    assert refused.status_code == 403 and "12205" in refused.json()["error"]
    # A's next genuine bundle continues A's chain.
    commune.add_hamlet("Thôn Mới")
    answer = hub.push(commune, commune.export())
    assert answer.status_code == 200 and answer.json()["status"] == "applied"
    assert importer.list_forks(hub.db) == []
    status = hub.get(commune, "/api/v1/communes/12205/status").json()
    assert [i["last_seq"] for i in status["installations"]] == [2]


# --- the pages for people need a login ------------------------------------------------


@pytest.mark.parametrize("target", ["/", "/docs", "/openapi.json"])
def test_the_pages_for_people_need_the_login(hub: Hub, target: str) -> None:
    closed = hub.client().get(target)
    assert closed.status_code == 403 and "hub set-password" in closed.text
    hub.set_password()
    anonymous = hub.client().get(target)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Basic")
    assert hub.page(target, password="sai mật khẩu rồi").status_code == 401
    assert hub.page(target).status_code == 200


def test_failed_logins_are_rate_limited(hub: Hub, commune: Commune) -> None:
    hub.set_password()
    codes = [hub.page("/", password=f"đoán thử {i}").status_code for i in range(12)]
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
    assert_genuine_push_answered(hub, commune)


def test_the_status_page_does_not_reread_held_files(
    hub: Hub, commune: Commune, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub.set_password()
    commune.export()  # number 1 never reaches the hub: 2 and 3 are held
    for name in ("Thôn Hai", "Thôn Ba"):
        commune.add_hamlet(name)
        assert hub.push(commune, commune.export()).json()["status"] == "gap"
    assert hub.page("/").status_code == 200
    reads: list[int] = []
    real = importer._read
    monkeypatch.setattr(importer, "_read", lambda path: reads.append(1) or real(path))
    pages = [hub.page("/") for _ in range(20)]
    assert all(p.status_code == 200 and "12205" in p.text for p in pages)
    assert reads == []


# --- the access log --------------------------------------------------------------------


def test_the_access_log_has_one_line_per_request_and_no_traceback(
    hub: Hub, commune: Commune, stranger: Commune, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="khuyenhoc.hub")
    hub.push(commune, commune.export())
    hub.push(stranger, stranger.export())
    hub.client().get("/api/v1/health")
    hub.client().post(UPLOAD, content=b"xx")
    time.sleep(0.2)
    lines = [r.getMessage() for r in caplog.records if r.name == "khuyenhoc.hub.access"]
    assert len(lines) == 4
    assert '"POST /api/v1/bundles" 200' in lines[0]
    assert f"key={keys.my_key(commune.data_dir).key_id}" in lines[0]
    assert '"POST /api/v1/bundles" 403' in lines[1] and '"GET /api/v1/health" 200' in lines[2]
    assert '"POST /api/v1/bundles" 401' in lines[3]
    assert not any(r.exc_info for r in caplog.records)
    assert "Traceback" not in caplog.text


# --- communes send only over HTTPS -----------------------------------------------------


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://khuyenhoc.hungyen.gov.vn", True),
        ("https://10.0.0.5:8443", True),
        ("http://127.0.0.1:8750", True),
        ("http://localhost:8750", True),
        ("http://10.0.0.5:8750", False),
        ("http://khuyenhoc.hungyen.gov.vn", False),
    ],
)
def test_hub_addresses_must_be_https_except_this_machine(url: str, allowed: bool) -> None:
    from app.core.errors import UserError

    if allowed:
        assert upper.check_hub_url(url) == url
    else:
        with pytest.raises(UserError) as err:
            upper.check_hub_url(url)
        assert "https://" in err.value.message


def test_a_commune_refuses_to_send_to_a_plain_http_hub(
    make_commune: Callable[..., Commune], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.errors import UserError
    from app.core.sync import outbox
    from tests.integration.test_hub_fixtures import make_province

    _data_dir, package = make_province(tmp_path)
    commune = make_commune(package)
    commune.export()
    monkeypatch.setattr(outbox, "hub_url", lambda _db: "http://10.0.0.5:8750")  # an old package
    with pytest.raises(UserError) as err:
        outbox.send_pending(commune.db)
    assert "không mã hóa" in err.value.message
    assert [i.state for i in outbox.outbox_items(commune.db)] == ["pending"]
