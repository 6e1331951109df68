# ruff: noqa: F811  (pytest fixtures imported from test_sync_fixtures)
"""The commune's outbox against a fake hub: the same core import and receipts, over HTTP.

The fake hub is an ``httpx.MockTransport`` in front of a real province data folder:
it checks the request signature, imports with ``importer.import_bytes`` and answers
with ``upper.bundle_receipt`` — as the contract says — unless a test scripts a
failure first. Network failures use real sockets on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from app.core.errors import UserError
from app.core.models.sync import SyncExport
from app.core.sync import bundle, importer, keys, outbox, request_auth, state, upper
from app.core.workspace import open_workspace
from tests.integration.test_sync_fixtures import (  # noqa: F401  (fixtures)
    Commune,
    Province,
    make_commune,
)

Script = Callable[[httpx.Request], httpx.Response]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


HUB_PORT = _closed_port()  # nothing listens there: "connection refused" unless mocked


@pytest.fixture
def province(tmp_path: Path) -> Iterator[Province]:
    """A province whose configuration package names a hub (overrides the shared one)."""
    data_dir = tmp_path / "tinh"
    result = upper.init_province(
        data_dir,
        "Hội Khuyến học tỉnh Hưng Yên",
        tmp_path / "goi",
        hub_url=f"http://127.0.0.1:{HUB_PORT}",
    )
    ws = open_workspace(data_dir)
    try:
        yield Province(data_dir, ws, result.package)
    finally:
        ws.close()


class FakeHub:
    """The hub contract over a real province database, with scripted failures first."""

    def __init__(self, province: Province) -> None:
        self.province = province
        self.script: deque[Script] = deque()
        self.requests: list[httpx.Request] = []
        self.bodies: list[bytes] = []
        self.tamper_receipt = False
        self.key_status = "accepted"
        self.key_checks = 0

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handle))

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == outbox.KEY_PATH:  # asked once a pass: the key is accepted
            self.key_checks += 1
            return httpx.Response(200, json={"status": self.key_status})
        self.requests.append(request)
        if self.script:
            return self.script.popleft()(request)
        body = request.read()
        self.bodies.append(body)
        digest = hashlib.sha256(body).hexdigest()
        try:
            signer = request_auth.verify_request(
                request.headers, request.method, request.url.path, digest
            )
        except request_auth.RequestAuthError as exc:
            return httpx.Response(401, json={"error": exc.message})
        if request.method == "POST":
            return self._upload(body, signer)
        bundle_id = request.url.path.split("/")[-2]
        receipt = upper.bundle_receipt(self.province.db, bundle_id)
        if receipt is None:
            return httpx.Response(404, json={"error": "Chưa nhận gói này."})
        return httpx.Response(200, content=receipt)

    def _upload(self, body: bytes, signer: str) -> httpx.Response:
        parsed = bundle.parse(body)
        if parsed.manifest["public_key"] != signer:
            return httpx.Response(403, json={"error": "Người ký khác khóa của gói."})
        identity = keys.age_identity(self.province.data_dir)
        [outcome, *_] = importer.import_bytes(self.province.db, body, "tai-len.khb", identity)
        receipt = upper.bundle_receipt(self.province.db, parsed.bundle_id)
        text = receipt.decode("utf-8") if receipt else None
        if text and self.tamper_receipt:
            text = text.replace('"seq":', '"seq": ', 1).replace("12205", "12206", 1)
        code = {"applied": 200, "replay": 200, "rejected": 422}.get(outcome.status, 202)
        return httpx.Response(
            code,
            json={
                "bundle_id": parsed.bundle_id,
                "status": outcome.status,
                "reason": outcome.reason,
                "commune_code": outcome.commune_code,
                "seq": outcome.seq,
                "receipt": text,
            },
        )


def answer(code: int, **doc: Any) -> Script:
    def _reply(request: httpx.Request) -> httpx.Response:
        request.read()
        return httpx.Response(code, json=doc)

    return _reply


class MaxJitter(random.Random):
    """Always draws the top of the range: the backoff's cap, to watch it grow."""

    def uniform(self, a: float, b: float) -> float:
        return b


@pytest.fixture
def hub(province: Province) -> FakeHub:
    return FakeHub(province)


def _row(commune: Commune, seq: int = 1) -> SyncExport:
    with commune.db.session() as s:
        row = s.scalars(select(SyncExport).where(SyncExport.seq == seq)).one()
        s.expunge(row)
        return row


def _item(commune: Commune, seq: int = 1) -> outbox.OutboxItem:
    return next(i for i in outbox.outbox_items(commune.db) if i.seq == seq)


def test_every_export_enters_the_outbox_pending_with_its_archived_copy(
    make_commune: Callable[..., Commune],
) -> None:
    commune = make_commune()
    result = commune.export()
    [item] = outbox.outbox_items(commune.db)
    assert (item.seq, item.bundle_id, item.state, item.label) == (
        1,
        result.bundle_id,
        "pending",
        "Chờ gửi",
    )
    assert result.archived.exists() and result.archived.name == item.file_name
    assert outbox.hub_url(commune.db) == f"http://127.0.0.1:{HUB_PORT}"
    assert outbox.last_contact(commune.db) is None


def test_a_bundle_is_received_only_once_its_receipt_verifies(
    make_commune: Callable[..., Commune], hub: FakeHub
) -> None:
    commune = make_commune()
    result = commune.export()
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    with hub.client() as client:
        report = outbox.send_pending(commune.db, client=client)
    assert report.as_dict() == {
        "sent": 1,
        "received": 1,
        "held": 0,
        "errors": 0,
        "items": [{"seq": 1, "bundle_id": result.bundle_id, "state": "received", "message": ""}],
    }
    [request] = hub.requests
    # Streamed with its length announced (the hub refuses chunked uploads) and signed.
    assert request.headers["content-length"] == str(result.size)
    assert "transfer-encoding" not in request.headers
    assert request.headers["content-type"] == "application/octet-stream"
    assert hub.bodies[0] == result.archived.read_bytes()
    item = _item(commune)
    assert item.state == "received" and item.label == "Tỉnh đã nhận" and item.confirmed_at
    contact = outbox.last_contact(commune.db)
    assert contact is not None and contact >= before
    [outcome] = hub.province.import_(result.archived, dry_run=True)
    assert outcome.status == "replay"  # the hub's ledger has it


def test_a_forged_receipt_leaves_the_bundle_unreceived_and_says_why(
    make_commune: Callable[..., Commune], hub: FakeHub
) -> None:
    commune = make_commune()
    commune.export()
    hub.tamper_receipt = True
    with hub.client() as client:
        report = outbox.send_pending(commune.db, client=client)
    [result] = report.items
    assert result.state == "error" and "Biên nhận" in result.message
    item = _item(commune)
    assert item.confirmed_at is None and item.state == "error"
    assert item.label.startswith("Lỗi: Biên nhận từ máy chủ không dùng được")


def test_a_receipt_signed_by_another_province_is_refused(
    make_commune: Callable[..., Commune], hub: FakeHub, tmp_path: Path
) -> None:
    from app.core.sync.signed import signed_bytes

    commune = make_commune()
    result = commune.export()
    other = upper.init_province(tmp_path / "tinh-khac", "Tỉnh khác", tmp_path / "goi-khac")
    body = {
        "format": upper.RECEIPT_FORMAT,
        "public_key": keys.my_key(other.data_dir).public_key,
        "commune_code": commune.db.commune_code,
        "bundles": [
            {
                "installation_id": commune.db.installation_id(),
                "seq": 1,
                "bundle_id": result.bundle_id,
            }
        ],
    }
    forged = signed_bytes(body, other.data_dir).decode("utf-8")
    hub.script.append(
        answer(200, bundle_id=result.bundle_id, status="applied", reason="", receipt=forged)
    )
    with hub.client() as client:
        [res] = outbox.send_pending(commune.db, client=client).items
    assert res.state == "error" and "khóa của tỉnh" in res.message
    assert _item(commune).confirmed_at is None


def test_503_backs_off_with_growing_jittered_delays_then_succeeds(
    make_commune: Callable[..., Commune], hub: FakeHub
) -> None:
    commune = make_commune()
    commune.export()
    now = dt.datetime(2026, 11, 25, 8, 0, 0)
    delays = []
    with hub.client() as client:
        for _ in range(3):
            hub.script.append(answer(503, error="Ổ đĩa của máy chủ đầy."))
            report = outbox.send_pending(commune.db, client=client, now=now, rng=MaxJitter())
            [res] = report.items
            assert res.state == "pending" and "đang gặp sự cố (503)" in res.message
            assert "Ổ đĩa của máy chủ đầy" in res.message
            item = _item(commune)
            assert item.label == "Chờ gửi" and item.next_attempt_at is not None
            delays.append((item.next_attempt_at - now).total_seconds())
            # Before it is due, a pass leaves it alone: no request at all.
            calls = len(hub.requests)
            assert outbox.send_pending(commune.db, client=client, now=now).items == []
            assert len(hub.requests) == calls
            now = item.next_attempt_at
        assert delays == [60.0, 120.0, 240.0]
        report = outbox.send_pending(commune.db, client=client, now=now)
    assert [i.state for i in report.items] == ["received"]
    assert _item(commune).attempts == 4


def test_backoff_is_full_jitter_under_a_cap_of_six_hours() -> None:
    rng = random.Random(10)
    draws = [outbox.backoff_delay(3, rng) for _ in range(200)]
    assert all(outbox.MIN_DELAY_S <= d <= 240 for d in draws)
    assert max(draws) - min(draws) > 150  # spread over the range, not a fixed wait
    assert max(outbox.backoff_delay(40, rng) for _ in range(50)) <= 6 * 3600


def test_connection_refused_is_retried_later_and_then_goes_through(
    make_commune: Callable[..., Commune], hub: FakeHub
) -> None:
    commune = make_commune()
    commune.export()
    now = dt.datetime(2026, 11, 25, 8, 0, 0)
    report = outbox.send_pending(commune.db, now=now)  # a real client: nothing listens
    [res] = report.items
    assert res.state == "pending" and "từ chối kết nối" in res.message
    item = _item(commune)
    assert item.next_attempt_at is not None and item.next_attempt_at > now
    assert outbox.last_contact(commune.db) is None
    with hub.client() as client:
        later = outbox.send_pending(commune.db, client=client, now=item.next_attempt_at)
    assert [i.state for i in later.items] == ["received"]


def test_a_permanent_refusal_is_an_error_and_is_not_hammered(
    make_commune: Callable[..., Commune], hub: FakeHub
) -> None:
    commune = make_commune()
    commune.export()
    hub.script.append(
        answer(422, bundle_id="x", status="rejected", reason="Gói hỏng: phần hộ gia đình sai.")
    )
    with hub.client() as client:
        [res] = outbox.send_pending(commune.db, client=client).items
        assert res.state == "error"
        assert _item(commune).label == "Lỗi: Tỉnh từ chối gói: Gói hỏng: phần hộ gia đình sai."
        far = dt.datetime(2030, 1, 1)
        assert outbox.send_pending(commune.db, client=client, now=far).items == []
        assert len(hub.requests) == 1
        assert outbox.next_due(commune.db) is None  # the background sender rests
        # The user presses "Gửi ngay": errors are tried again.
        retried = outbox.send_pending(commune.db, client=client, force=True)
    assert [i.state for i in retried.items] == ["received"]


def test_errors_are_tried_once_more_after_a_new_province_package(
    make_commune: Callable[..., Commune], hub: FakeHub, province: Province, tmp_path: Path
) -> None:
    commune = make_commune()
    commune.export()
    hub.script.append(answer(403, error="Khóa này đã bị thu hồi."))
    with hub.client() as client:
        [res] = outbox.send_pending(commune.db, client=client).items
        assert res.state == "error"
        assert outbox.send_pending(commune.db, client=client).items == []
        package = upper.write_config_package(province.db, tmp_path / "goi-v2", version=2)
        state.load_config_package(commune.db, package)
        [again] = outbox.send_pending(commune.db, client=client).items
    assert again.state == "received"


def test_an_unknown_key_is_held_at_the_hub_then_received_after_the_province_accepts_it(
    make_commune: Callable[..., Commune], hub: FakeHub, tmp_path: Path
) -> None:
    commune = make_commune(pin=False)
    commune.export()
    now = dt.datetime(2026, 11, 25, 8, 0, 0)
    with hub.client() as client:
        [res] = outbox.send_pending(commune.db, client=client, now=now).items
        assert res.state == "held"
        item = _item(commune)
        assert item.label.startswith("Tỉnh đang giữ: ") and item.next_attempt_at
        # Still held: the next due pass polls the receipt (GET), no upload again.
        [res] = outbox.send_pending(commune.db, client=client, now=item.next_attempt_at).items
        assert res.state == "held" and hub.requests[-1].method == "GET"
        # A poll that fails on the way keeps the hub's reason on show.
        hub.script.append(answer(503, error="Bảo trì."))
        due = _item(commune).next_attempt_at
        [res] = outbox.send_pending(commune.db, client=client, now=due).items
        assert res.state == "held" and _item(commune).label == item.label
        reg = tmp_path / "reg.json"
        reg.write_text(json.dumps(upper.registration(commune.db)), "utf-8")
        upper.accept_key(hub.province.db, str(reg))
        importer.retry_quarantined(hub.province.db)
        due = _item(commune).next_attempt_at
        report = outbox.poll_receipts(commune.db, client=client, now=due)
    assert [i.state for i in report.items] == ["received"]
    assert [r.method for r in hub.requests] == ["POST", "GET", "GET", "GET"]


def test_a_pass_cut_short_by_a_crash_resumes(
    make_commune: Callable[..., Commune], hub: FakeHub
) -> None:
    commune = make_commune()
    commune.export()
    commune.export(full=True)
    with commune.db.session() as s:  # the program died while uploading bundle 1
        s.execute(update(SyncExport).where(SyncExport.seq == 1).values(send_state="sending"))
    assert _item(commune).label == "Đang gửi"
    assert outbox.reset_interrupted(commune.db) == 1
    with commune.db.session() as s:
        s.execute(update(SyncExport).where(SyncExport.seq == 1).values(send_state="sending"))
    with hub.client() as client:
        report = outbox.send_pending(commune.db, client=client)
    assert [(i.seq, i.state) for i in report.items] == [(1, "received"), (2, "received")]


def test_cancelling_stops_between_bundles_and_mid_upload(
    make_commune: Callable[..., Commune], hub: FakeHub
) -> None:
    commune = make_commune()
    commune.export()
    with hub.client() as client:
        assert outbox.send_pending(commune.db, client=client, cancel=lambda: True).items == []
    assert hub.requests == [] and _item(commune).state == "pending"
    asked = iter(range(100))

    def after_the_first_piece() -> bool:  # 0: between bundles, 1: before piece 1, 2: after it
        return next(asked) >= 2

    with hub.client() as client:
        assert (
            outbox.send_pending(commune.db, client=client, cancel=after_the_first_piece).items == []
        )
    assert len(hub.requests) == 0  # the transport never got a whole request to pass on
    item = _item(commune)
    assert item.state == "pending" and item.attempts == 0


def test_later_bundles_are_confirmed_by_the_receipt_of_a_later_one(
    make_commune: Callable[..., Commune], hub: FakeHub
) -> None:
    commune = make_commune()
    first = commune.export()
    commune.export(full=True)
    hub.province.import_(first.archived)  # bundle 1 went up by USB, no receipt came back
    with hub.client() as client:
        report = outbox.send_pending(commune.db, client=client)
    assert [(i.seq, i.state) for i in report.items] == [(1, "received"), (2, "received")]
    assert [i.state for i in outbox.outbox_items(commune.db)] == ["received", "received"]


def test_nothing_is_deleted_because_of_a_sync(
    make_commune: Callable[..., Commune], hub: FakeHub
) -> None:
    commune = make_commune()
    results = [commune.export(), commune.export(full=True)]
    hub.script.append(answer(422, status="rejected", reason="Không nhận."))
    with hub.client() as client:
        outbox.send_pending(commune.db, client=client)
        outbox.send_pending(commune.db, client=client, force=True)
    with commune.db.session() as s:
        assert s.scalar(select(func.count()).select_from(SyncExport)) == 2
    for r in results:
        assert r.archived.exists() and r.file.exists()


@pytest.mark.parametrize(
    ("code", "doc", "headers", "expected"),
    [
        (401, {"error": "Chữ ký của yêu cầu không đúng."}, {}, "không chấp nhận chữ ký"),
        (401, {"error": "x"}, {"date": "Mon, 01 Jan 2024 00:00:00 GMT"}, "Đồng hồ của máy lệch"),
        (403, {"error": "Khóa không khớp."}, {}, "từ chối: Khóa không khớp."),
        (413, {"error": "Quá lớn."}, {}, "gửi gói này bằng USB"),
        (404, {"detail": "Not Found"}, {}, "không phải máy chủ nhận gói"),
        (407, {}, {}, "proxy"),
        (301, {}, {"location": "https://moi.example"}, "https://moi.example"),
    ],
)
def test_permanent_answers_have_clear_vietnamese_messages(
    make_commune: Callable[..., Commune],
    hub: FakeHub,
    code: int,
    doc: dict[str, str],
    headers: dict[str, str],
    expected: str,
) -> None:
    commune = make_commune()
    commune.export()
    hub.script.append(lambda _r: httpx.Response(code, json=doc, headers=headers))
    with hub.client() as client:
        [res] = outbox.send_pending(commune.db, client=client).items
    assert res.state == "error" and expected in res.message


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (lambda _r: httpx.Response(502, text="Bad gateway"), "trung gian"),
        (lambda _r: httpx.Response(429, headers={"retry-after": "3600"}), "đang bận"),
        (lambda _r: httpx.Response(200, text="<html>Đăng nhập Wi-Fi</html>"), "cần đăng nhập"),
    ],
)
def test_transient_answers_are_retried(
    make_commune: Callable[..., Commune], hub: FakeHub, reply: Script, expected: str
) -> None:
    commune = make_commune()
    commune.export()
    hub.script.append(reply)
    now = dt.datetime(2026, 11, 25, 8, 0, 0)
    with hub.client() as client:
        [res] = outbox.send_pending(commune.db, client=client, now=now).items
    assert res.state == "pending" and expected in res.message
    assert _item(commune).next_attempt_at is not None


def test_retry_after_is_honoured(make_commune: Callable[..., Commune], hub: FakeHub) -> None:
    commune = make_commune()
    commune.export()
    hub.script.append(lambda _r: httpx.Response(503, headers={"retry-after": "3600"}))
    now = dt.datetime(2026, 11, 25, 8, 0, 0)
    with hub.client() as client:
        outbox.send_pending(commune.db, client=client, now=now, rng=random.Random(1))
    due = _item(commune).next_attempt_at
    assert due is not None and due >= now + dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (httpx.ConnectError("[Errno -2] Name or service not known"), "DNS"),
        (httpx.ConnectError("[Errno 11001] getaddrinfo failed"), "DNS"),
        (httpx.ConnectError("[Errno 111] Connection refused"), "từ chối kết nối"),
        (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate"), "Chứng chỉ"),
        (httpx.ConnectError("[SSL: WRONG_VERSION_NUMBER] wrong version"), "TLS"),
        (httpx.ConnectError("[Errno 101] Network is unreachable"), "chưa kết nối mạng"),
        (httpx.ConnectTimeout("timed out"), "sau 10 giây"),
        (httpx.ReadTimeout("timed out"), "không trả lời kịp"),
        (httpx.RemoteProtocolError("Server disconnected"), "ngắt giữa chừng"),
        (httpx.ProxyError("407"), "proxy"),
    ],
)
def test_network_failures_are_named(exc: httpx.TransportError, expected: str) -> None:
    assert expected in outbox.describe_network_error(exc, "tinh.example:8750")


def test_dns_failure_from_a_real_lookup_is_named() -> None:
    url = "https://khong-co-may-nay.invalid"
    with outbox.make_client(url, proxy="") as client, pytest.raises(httpx.TransportError) as info:
        client.get(f"{url}/api/v1/health")
    message = outbox.describe_network_error(info.value, "khong-co-may-nay.invalid")
    assert "DNS" in message or "chưa kết nối mạng" in message


# --- proxies from the system settings -----------------------------------------------


@pytest.mark.parametrize(
    ("url", "proxies", "expected"),
    [
        ("http://10.0.0.5:8750", {"http": "http://proxy.so:3128"}, "http://proxy.so:3128"),
        ("https://hub.tinh.vn", {"http": "http://proxy.so:3128"}, None),
        ("https://hub.tinh.vn", {"https": "proxy.so:8080"}, "http://proxy.so:8080"),
        ("https://hub.tinh.vn", {"all": "socks5://proxy.so:1080"}, "socks5://proxy.so:1080"),
        ("http://hub.tinh.lan:8750", {"http": "http://p:3128", "no": ".lan,localhost"}, None),
        ("http://10.0.0.5:8750", {"http": "http://p:3128", "no": "10.0.0.5"}, None),
        ("http://127.0.0.1:8750", {"http": "http://p:3128"}, None),
        ("http://10.0.0.5", {}, None),
    ],
)
def test_the_proxy_comes_from_the_system_settings(
    url: str, proxies: dict[str, str], expected: str | None
) -> None:
    assert outbox.system_proxy(url, proxies) == expected


def test_the_system_bypass_list_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.request

    monkeypatch.setattr(urllib.request, "getproxies", lambda: {"http": "http://p:3128"})
    monkeypatch.setattr(urllib.request, "proxy_bypass", lambda host: host == "hub.noi-bo")
    assert outbox.system_proxy("http://hub.noi-bo:8750") is None
    assert outbox.system_proxy("http://hub.tinh.vn:8750") == "http://p:3128"


class _OneShotProxy:
    """A listening socket that records one request and answers 503 like a proxy would."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = int(self.sock.getsockname()[1])
        self.head = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _addr = self.sock.accept()
        with conn:
            conn.settimeout(5)
            while b"\r\n\r\n" not in self.head:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                self.head += chunk
            conn.sendall(
                b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                b"Connection: close\r\n\r\n"
            )
        self.sock.close()


def test_uploads_go_through_the_proxy_of_the_system(
    make_commune: Callable[..., Commune], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import urllib.request

    commune = make_commune()
    commune.export()
    config = state.province_config(commune.db)
    assert config is not None
    proxy = _OneShotProxy()
    monkeypatch.setattr(
        urllib.request, "getproxies", lambda: {"https": f"http://127.0.0.1:{proxy.port}"}
    )
    monkeypatch.setattr(outbox, "hub_url", lambda _db: "https://hub.tinh.invalid:8750")
    [res] = outbox.send_pending(commune.db).items
    proxy.thread.join(5)
    # HTTPS through the proxy: a tunnel is asked for, the bundle never crosses in clear.
    assert proxy.head.startswith(b"CONNECT hub.tinh.invalid:8750 HTTP/1.1")
    assert res.state == "pending" and "proxy" in res.message


def test_without_a_hub_address_pushing_says_to_use_usb(
    make_commune: Callable[..., Commune], province: Province, tmp_path: Path
) -> None:
    commune = make_commune()
    package = upper.write_config_package(
        province.db, tmp_path / "goi2", version=2, escrow_recipient="", hub_url=""
    )
    state.load_config_package(commune.db, package)
    assert outbox.hub_url(commune.db) == ""
    with pytest.raises(UserError, match="USB"):
        outbox.send_pending(commune.db)


class _DropsMidUpload:
    """A server that reads the headers and a little of the body, then hangs up."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _addr = self.sock.accept()
        conn.settimeout(5)
        received = b""
        while b"\r\n\r\n" not in received:
            received += conn.recv(1024)
        conn.close()
        self.sock.close()


def test_a_connection_dropped_mid_upload_is_retried(
    make_commune: Callable[..., Commune], hub: FakeHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    commune = make_commune()
    commune.export()
    server = _DropsMidUpload()
    monkeypatch.setattr(outbox, "hub_url", lambda _db: server.url)
    now = dt.datetime(2026, 11, 25, 8, 0, 0)
    [res] = outbox.send_pending(commune.db, now=now).items
    server.thread.join(5)
    assert res.state == "pending" and "ngắt giữa chừng" in res.message
    item = _item(commune)
    assert item.state == "pending" and item.next_attempt_at and item.attempts == 1
    with hub.client() as client:
        [later] = outbox.send_pending(commune.db, client=client, now=item.next_attempt_at).items
    assert later.state == "received"
