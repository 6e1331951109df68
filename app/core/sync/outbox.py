"""The commune's outbox: exported bundles go up to the province hub by themselves.

Every bundle the writer logs (:class:`SyncExport`) is an outbox entry; the file sent
is its copy in the local archive (``<data folder>/sync/archive/``), so pulling the
USB stick out changes nothing. All state lives in the database — one short
transaction per step — so a pass interrupted by sleep, a dropped network or a crash
simply resumes: entries found "sending" at the start of a pass go back to
"pending", and uploading a bundle twice is a harmless replay at the hub.

States (``send_state``): ``pending`` → ``sending`` → ``received`` (the hub's receipt
was verified with the pinned province key, which sets ``confirmed_at``), ``held``
(the hub keeps the bundle: quarantine, gap or fork; its receipt is polled later) or
``error`` (a permanent refusal, retried only when the user asks, or once after a new
province package or a new release of the program). Transient failures
(network, DNS, TLS, 5xx, 408/429) leave the entry pending with ``last_error`` and a
``next_attempt_at`` drawn with full jitter. Nothing is deleted because of a sync.

The HTTP contract is in the hub brief (``POST /api/v1/bundles`` and
``GET /api/v1/bundles/{id}/receipt``, requests signed by :mod:`request_auth`).
Proxies come from the system settings (:func:`system_proxy`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import errno
import hashlib
import random
import socket
import ssl
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from sqlalchemy import ColumnElement, select, update

from app.core import settings
from app.core.db import Database
from app.core.errors import UserError
from app.core.models.base import utcnow
from app.core.models.sync import SyncExport
from app.core.sync import request_auth, state
from app.core.sync.upper import check_secure_url

PENDING, SENDING, RECEIVED, HELD, ERROR = "pending", "sending", "received", "held", "error"
LAST_CONTACT_KEY = "sync_hub_last_contact"  # ISO time (UTC) of the hub's last answer
ERRORS_SEEN_KEY = "sync_outbox_errors_seen"  # "package version|app version" of the last pass
BUNDLES_PATH = "/api/v1/bundles"
BASE_DELAY_S = 30.0
MAX_DELAY_S = 6 * 3600.0
MIN_DELAY_S = 5.0
CHUNK = 64 * 1024
TIMEOUT = httpx.Timeout(connect=10.0, read=120.0, write=120.0, pool=10.0)
CLOCK_SKEW_LIMIT_S = request_auth.MAX_SKEW_SECONDS

Cancel = Callable[[], bool]


# --- what the outbox holds ---------------------------------------------------------


@dataclass(frozen=True)
class OutboxItem:
    seq: int
    bundle_id: str
    file_name: str
    size: int
    created_at: dt.datetime
    state: str
    message: str  # the hub's reason (held), the error, or the last transient failure
    attempts: int
    next_attempt_at: dt.datetime | None
    last_attempt_at: dt.datetime | None
    confirmed_at: dt.datetime | None

    @property
    def label(self) -> str:
        """The state as the secretary reads it."""
        return state_label(self.state, self.message)

    def as_dict(self) -> dict[str, Any]:
        def iso(value: dt.datetime | None) -> str:
            return value.isoformat(sep=" ") if value else ""

        return {
            "seq": self.seq,
            "bundle_id": self.bundle_id,
            "file_name": self.file_name,
            "size": self.size,
            "created_at": iso(self.created_at),
            "state": self.state,
            "label": self.label,
            "message": self.message,
            "attempts": self.attempts,
            "next_attempt_at": iso(self.next_attempt_at),
            "last_attempt_at": iso(self.last_attempt_at),
            "confirmed_at": iso(self.confirmed_at),
        }


def state_label(state_: str, message: str = "") -> str:
    if state_ == RECEIVED:
        return "Tỉnh đã nhận"
    if state_ == SENDING:
        return "Đang gửi"
    if state_ == HELD:
        return f"Tỉnh đang giữ: {message}" if message else "Tỉnh đang giữ"
    if state_ == ERROR:
        return f"Lỗi: {message}"
    return "Chờ gửi"


def _effective_state(row: SyncExport) -> str:
    """A verified receipt (by network or USB) wins over whatever the sender recorded."""
    return RECEIVED if row.confirmed_at is not None else row.send_state


def _item(row: SyncExport) -> OutboxItem:
    current = _effective_state(row)
    return OutboxItem(
        seq=row.seq,
        bundle_id=row.bundle_id,
        file_name=row.file_name,
        size=row.size,
        created_at=row.created_at,
        state=current,
        message="" if current == RECEIVED else row.last_error,
        attempts=row.send_attempts,
        next_attempt_at=row.next_attempt_at if current in (PENDING, HELD) else None,
        last_attempt_at=row.last_attempt_at,
        confirmed_at=row.confirmed_at,
    )


def outbox_items(db: Database) -> list[OutboxItem]:
    """Every bundle this installation exported, oldest first, with its send state."""
    with db.session() as s:
        return [_item(r) for r in s.scalars(select(SyncExport).order_by(SyncExport.seq))]


def hub_url(db: Database) -> str:
    """The hub address from the pinned province package ("" when USB only)."""
    if state.is_upper(db):
        return ""
    config = state.province_config(db)
    return config.hub_url.rstrip("/") if config is not None else ""


def last_contact(db: Database) -> dt.datetime | None:
    """When the hub last answered (any answer), UTC; None if never."""
    value = state.get_setting(db, LAST_CONTACT_KEY)
    return dt.datetime.fromisoformat(value) if value else None


def next_due(db: Database) -> dt.datetime | None:
    """When the background sender has work next (None: nothing to do)."""
    due: dt.datetime | None = None
    for item in outbox_items(db):
        if item.state in (PENDING, SENDING, HELD):
            when = item.next_attempt_at or item.created_at
            due = when if due is None else min(due, when)
    return due


def backoff_delay(attempts: int, rng: random.Random | None = None) -> float:
    """Seconds to wait after ``attempts`` failures: full jitter under an exponential cap."""
    cap = min(MAX_DELAY_S, BASE_DELAY_S * 2 ** min(attempts, 20))
    return max(MIN_DELAY_S, (rng or random).uniform(0, cap))


# --- proxies and the HTTP client ---------------------------------------------------


def system_proxy(
    url: str,
    proxies: Mapping[str, str] | None = None,
    bypass: Callable[[str], bool] | None = None,
) -> str | None:
    """The proxy the system settings choose for ``url`` (None: connect directly).

    ``urllib.request.getproxies()`` reads the environment everywhere, the registry
    on Windows and the network settings on macOS; ``proxy_bypass`` applies their
    exception lists. Tests pass ``proxies``/``bypass`` instead of the real ones.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if proxies is None:
        proxies = urllib.request.getproxies()
        bypass = bypass or urllib.request.proxy_bypass
    if not proxies or host in ("localhost", "127.0.0.1", "::1"):
        return None
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if "no" in proxies:
        check = getattr(urllib.request, "proxy_bypass_environment")  # noqa: B009 (untyped)
        if check(netloc, dict(proxies)):
            return None
    elif bypass is not None and bypass(host):
        return None
    chosen = proxies.get(parts.scheme) or proxies.get("all")
    if not chosen:
        return None
    return chosen if "://" in chosen else f"http://{chosen}"


def make_client(url: str, *, proxy: str | None = None) -> httpx.Client:
    """An HTTP client for the hub: system proxy, certificates, no redirects, timeouts.

    ``proxy`` overrides the system's choice ("" = connect directly). The transport is
    given explicitly, so httpx adds no second proxy choice of its own from the
    environment; ``trust_env`` still lets SSL_CERT_FILE and such apply.
    """
    chosen = (proxy if proxy is not None else system_proxy(url)) or None
    try:
        transport = httpx.HTTPTransport(proxy=chosen, trust_env=True, retries=0)
    except Exception as exc:
        raise UserError(
            f"Không dùng được máy chủ proxy trong cài đặt của máy ({chosen}): {exc}"
        ) from None
    return httpx.Client(
        transport=transport, timeout=TIMEOUT, follow_redirects=False, trust_env=True
    )


# --- answers and failures ----------------------------------------------------------


class _Transient(Exception):
    """A failure worth retrying later: network, DNS, TLS, 5xx, 408/429."""

    def __init__(self, message: str, retry_after: float = 0.0) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class _Permanent(Exception):
    """A refusal that repeating will not change (most 4xx)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Cancelled(Exception):
    pass


class _Unregistered(Exception):
    """The hub does not know this installation's key: register it, send again later."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


REGISTRATIONS_PATH = "/api/v1/registrations"
UNREGISTERED = "unregistered"  # hub_status of an entry refused for an unknown key


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def describe_network_error(exc: httpx.TransportError, host: str) -> str:
    """A Vietnamese sentence for a failed connection, naming the likely cause."""
    if isinstance(exc, httpx.ProxyError):
        return (
            "Máy chủ proxy trong cài đặt mạng của máy không cho đi qua "
            f"({exc}). Hãy kiểm tra cài đặt proxy."
        )
    if isinstance(exc, httpx.ConnectTimeout):
        return (
            f"Không kết nối được tới máy chủ của tỉnh ({host}) sau 10 giây: "
            "mạng chậm hoặc máy chủ chưa bật."
        )
    if isinstance(exc, httpx.TimeoutException):
        return "Máy chủ của tỉnh không trả lời kịp (quá 120 giây)."
    text = " ".join(str(e) for e in _causes(exc)).lower()
    chain = list(_causes(exc))
    if any(isinstance(e, socket.gaierror) for e in chain) or any(
        word in text for word in ("name or service", "getaddrinfo", "nodename", "name resolution")
    ):
        return (
            f"Không tìm thấy địa chỉ {host} (lỗi tên miền/DNS): máy chưa có mạng "
            "hoặc địa chỉ máy chủ trong gói cấu hình bị sai."
        )
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in chain) or "certificate" in text:
        return (
            f"Chứng chỉ bảo mật (TLS) của {host} không hợp lệ hoặc ngày giờ của máy "
            "bị sai: chưa gửi, để giữ an toàn."
        )
    if any(isinstance(e, ssl.SSLError) for e in chain) or "ssl" in text or "tls" in text:
        return f"Không lập được kết nối bảo mật (TLS) với {host}."
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in text:
        return f"Máy chủ của tỉnh ({host}) từ chối kết nối: dịch vụ chưa chạy hoặc sai cổng."
    unreachable = (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN)
    if any(isinstance(e, OSError) and e.errno in unreachable for e in chain) or (
        "unreachable" in text
    ):
        return f"Máy chưa kết nối mạng (không tới được {host})."
    if isinstance(exc, (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)):
        return "Kết nối tới máy chủ của tỉnh bị ngắt giữa chừng."
    return f"Không kết nối được tới máy chủ của tỉnh ({host}): {exc}"


def _error_text(response: httpx.Response) -> str:
    try:
        doc = response.json()
    except ValueError:
        return ""
    if isinstance(doc, dict):
        return str(doc.get("error") or doc.get("reason") or doc.get("detail") or "")
    return ""


def _clock_skew(response: httpx.Response, now: float) -> float:
    """Seconds between the hub's clock (Date header) and ours; 0 when unknown."""
    header = response.headers.get("date")
    if not header:
        return 0.0
    try:
        theirs = email.utils.parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError):
        return 0.0
    return now - theirs


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(0.0, float(response.headers.get("retry-after", "0")))
    except ValueError:
        return 0.0


def _check_status(response: httpx.Response, url: str) -> None:
    """Raise the failure an unsuccessful answer means; return for 200 and 202."""
    code = response.status_code
    if code in (200, 202):
        return
    said = _error_text(response)
    if code in (408, 429) or code >= 500:
        raise _transient(code, said, _retry_after(response))
    raise _Permanent(_refusal(code, said, response, url))


def _transient(code: int, said: str, retry_after: float) -> _Transient:
    if code in (408, 429):
        return _Transient(f"Máy chủ của tỉnh đang bận ({code}).", retry_after)
    if code in (502, 504) and not said:
        return _Transient(f"Máy chủ trung gian (proxy) báo lỗi {code} khi gọi máy chủ của tỉnh.")
    detail = f": {said}" if said else "."
    return _Transient(f"Máy chủ của tỉnh đang gặp sự cố ({code}){detail}", retry_after)


def _refusal(code: int, said: str, response: httpx.Response, url: str) -> str:
    """The message of a permanent refusal (retried only when the user asks)."""
    detail = f": {said}" if said else "."
    if 300 <= code < 400:
        where = response.headers.get("location", "")
        return (
            f"Máy chủ chuyển sang địa chỉ khác ({where}): hãy xin tỉnh gói cấu hình có địa chỉ mới."
        )
    if code == 401:
        skew = _clock_skew(response, dt.datetime.now(dt.UTC).timestamp())
        if abs(skew) > CLOCK_SKEW_LIMIT_S:
            return (
                f"Đồng hồ của máy lệch khoảng {abs(skew) / 3600:.0f} giờ so với máy chủ "
                "của tỉnh: hãy chỉnh ngày giờ của máy tính rồi bấm “Gửi ngay”."
            )
        return f"Máy chủ của tỉnh không chấp nhận chữ ký của máy này{detail}"
    fixed = {
        403: f"Máy chủ của tỉnh từ chối{detail}",
        404: f"Địa chỉ {url} không phải máy chủ nhận gói của Sổ Khuyến Học: hãy kiểm tra "
        "địa chỉ trong gói cấu hình của tỉnh.",
        407: "Máy chủ proxy của mạng này đòi đăng nhập: hãy nhờ người quản trị mạng "
        "hoặc gửi gói bằng USB.",
        413: "Gói quá lớn so với giới hạn của máy chủ: hãy gửi gói này bằng USB.",
        422: f"Tỉnh từ chối gói{detail}",
    }
    return fixed.get(code, f"Máy chủ của tỉnh không nhận yêu cầu ({code}){detail}")


def _answer(response: httpx.Response) -> dict[str, Any]:
    try:
        doc = response.json()
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        raise _Transient("Máy chủ trả lời không đúng kiểu (mạng này có thể cần đăng nhập trước).")
    return doc


# --- one pass ----------------------------------------------------------------------


@dataclass(frozen=True)
class ItemResult:
    seq: int
    bundle_id: str
    state: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "bundle_id": self.bundle_id,
            "state": self.state,
            "message": self.message,
        }


@dataclass
class PushReport:
    """What one pass did: uploads the hub answered, and the outcome of each entry touched.

    An entry reported "pending" met a transient failure (its message says which).
    """

    sent: int = 0
    items: list[ItemResult] = field(default_factory=list)

    def count(self, state_: str) -> int:
        return sum(1 for i in self.items if i.state == state_)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "received": self.count(RECEIVED),
            "held": self.count(HELD),
            "errors": sum(1 for i in self.items if i.state == ERROR or i.state == PENDING),
            "items": [i.as_dict() for i in self.items],
        }


@dataclass
class _Pass:
    db: Database
    client: httpx.Client | None  # None: made from the system settings when the pass starts
    base: str
    now: dt.datetime
    cancel: Cancel
    force: bool
    rng: random.Random | None
    report: PushReport = field(default_factory=PushReport)
    key_accepted: bool = False  # asked the hub once this pass (_check_key)

    @property
    def host(self) -> str:
        return urlsplit(self.base).netloc

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request; any answer counts as contact with the hub."""
        assert self.client is not None
        try:
            response = self.client.request(method, self.base + path, **kwargs)
        except _Cancelled:
            raise
        except httpx.TransportError as exc:
            raise _Transient(describe_network_error(exc, self.host)) from None
        except httpx.HTTPError as exc:
            raise _Transient(f"Lỗi khi gọi máy chủ của tỉnh: {exc}") from None
        if response.status_code not in (407, 502, 504):  # those come from a proxy
            state.put_setting(self.db, LAST_CONTACT_KEY, utcnow().isoformat())
        return response


def _set(db: Database, seq: int, **values: Any) -> None:
    with db.session() as s:
        s.execute(update(SyncExport).where(SyncExport.seq == seq).values(**values))


def _retry_errors_after_an_update(db: Database) -> None:
    """A new province package or a new release may cure a refusal: try errors once more."""
    from app import __version__

    config = state.province_config(db)
    marker = f"{config.version if config else 0}|{__version__}"
    seen = state.get_setting(db, ERRORS_SEEN_KEY)
    if seen == marker:
        return
    with db.session() as s:
        if seen is not None:
            s.execute(
                update(SyncExport)
                .where(SyncExport.send_state == ERROR)
                .values(send_state=PENDING, next_attempt_at=None)
            )
        settings.write(s, ERRORS_SEEN_KEY, marker)


def reset_interrupted(db: Database) -> int:
    """Entries left "sending" by a pass that never finished go back to pending."""
    with db.session() as s:
        result = s.execute(
            update(SyncExport).where(SyncExport.send_state == SENDING).values(send_state=PENDING)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def _file_of(db: Database, row: SyncExport) -> Path:
    from app.core.sync.writer import archive_dir

    return archive_dir(db.data_dir) / row.file_name


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _chunks(path: Path, cancel: Cancel) -> Iterator[bytes]:
    """The file in pieces, so a large bundle is never held in memory whole."""
    with path.open("rb") as fh:
        while True:
            if cancel():  # also after the last piece: the answer is not awaited then
                raise _Cancelled
            chunk = fh.read(CHUNK)
            if not chunk:
                return
            yield chunk


def _upload(p: _Pass, row: SyncExport) -> dict[str, Any]:
    path = _file_of(p.db, row)
    try:
        size = path.stat().st_size
        body_hash = _hash_file(path)
    except OSError:
        raise _Permanent(
            f"Không còn tệp gói {row.file_name} trong kho lưu của máy (thư mục "
            "sync/archive): nếu còn bản trên USB, hãy chép lại vào đó hoặc gửi bằng USB."
        ) from None
    if body_hash != row.file_sha256:
        raise _Permanent(
            f"Tệp gói {row.file_name} trong kho lưu đã bị hỏng hoặc bị sửa: nếu còn bản "
            "trên USB, hãy chép lại vào thư mục sync/archive hoặc gửi bằng USB."
        )
    target = _target(p.base, BUNDLES_PATH)
    headers = request_auth.sign_request(p.db.data_dir, "POST", target, body_hash)
    headers.update({"Content-Type": "application/octet-stream", "Content-Length": str(size)})
    response = p.call("POST", BUNDLES_PATH, content=_chunks(path, p.cancel), headers=headers)
    p.report.sent += 1
    if response.status_code == 403 and _error_code(response) == "unknown_key":
        raise _Unregistered(_error_text(response) or _held_words("quarantined"))
    _check_status(response, p.base)
    return _answer(response)


def _error_code(response: httpx.Response) -> str:
    try:
        doc = response.json()
    except ValueError:
        return ""
    return str(doc.get("code", "")) if isinstance(doc, dict) else ""


def _register(p: _Pass) -> None:
    """Leave this installation's key registration at the hub (small, idempotent)."""
    import json

    from app.core.sync import upper

    body = json.dumps(upper.registration(p.db), ensure_ascii=False).encode("utf-8")
    target = _target(p.base, REGISTRATIONS_PATH)
    headers = request_auth.sign_request(
        p.db.data_dir, "POST", target, hashlib.sha256(body).hexdigest()
    )
    headers["Content-Type"] = "application/json"
    response = p.call("POST", REGISTRATIONS_PATH, content=body, headers=headers)
    if response.status_code not in (200, 201):
        _check_status(response, p.base)


def _target(base: str, path: str) -> str:
    """The request target the hub verifies: the URL path (any prefix of the hub address)."""
    prefix = urlsplit(base).path.rstrip("/")
    return prefix + path


def _accept_receipt(p: _Pass, row: SyncExport, receipt: str) -> None:
    """Verify the receipt with the pinned province key; only then is the bundle received."""
    from app.core.sync import upper

    if not receipt:
        raise _Permanent("Máy chủ báo đã nhận nhưng không gửi kèm biên nhận.")
    try:
        upper.load_receipt_bytes(p.db, receipt.encode("utf-8"))
    except UserError as exc:
        raise _Permanent(f"Biên nhận từ máy chủ không dùng được: {exc.message}") from None
    with p.db.session() as s:
        confirmed = s.scalar(select(SyncExport.confirmed_at).where(SyncExport.seq == row.seq))
        if confirmed is None:
            raise _Permanent("Biên nhận từ máy chủ không ghi gói này.")
        # The receipt lists every earlier bundle too: they are received as well.
        s.execute(
            update(SyncExport)
            .where(SyncExport.confirmed_at.is_not(None), SyncExport.send_state != RECEIVED)
            .values(send_state=RECEIVED, next_attempt_at=None)
        )


def _handle(p: _Pass, row: SyncExport) -> ItemResult:
    """Send (or poll) one entry and record what happened, in its own transactions."""
    attempts = row.send_attempts + 1
    _set(p.db, row.seq, send_state=SENDING, last_attempt_at=p.now)
    try:
        if row.send_state == HELD and row.hub_status != UNREGISTERED and not p.force:
            return _poll_held(p, row, attempts)
        return _send(p, row, attempts)
    except _Cancelled:
        _set(p.db, row.seq, send_state=row.send_state)
        raise
    except _Unregistered as exc:
        # The hub keeps nothing of an unknown key: register, and send it again later.
        with contextlib.suppress(_Transient, _Permanent):
            _register(p)
        _hold(p, row, attempts, exc.message, UNREGISTERED)
        raise _Stop(ItemResult(row.seq, row.bundle_id, HELD, exc.message)) from None
    except _Permanent as exc:
        _set(
            p.db,
            row.seq,
            send_state=ERROR,
            send_attempts=attempts,
            last_error=exc.message,
            next_attempt_at=None,
        )
        return ItemResult(row.seq, row.bundle_id, ERROR, exc.message)
    except _Transient as exc:
        delay = min(MAX_DELAY_S, max(backoff_delay(attempts, p.rng), exc.retry_after))
        held = row.send_state == HELD  # a held entry keeps the hub's reason
        values: dict[str, Any] = {
            "send_state": HELD if held else PENDING,
            "send_attempts": attempts,
            "next_attempt_at": p.now + dt.timedelta(seconds=delay),
        }
        if not held:
            values["last_error"] = exc.message
        _set(p.db, row.seq, **values)
        kept = HELD if held else PENDING
        raise _Stop(ItemResult(row.seq, row.bundle_id, kept, exc.message)) from None


KEY_PATH = "/api/v1/keys/self"


def _check_key(p: _Pass) -> None:
    """Ask once a pass whether the hub accepts this installation's key, before sending a
    bundle: the hub refuses a stranger's upload before reading it and closes the
    connection, which a large upload would only see as a broken connection."""
    if p.key_accepted:
        return
    headers = request_auth.sign_request(p.db.data_dir, "GET", _target(p.base, KEY_PATH))
    response = p.call("GET", KEY_PATH, headers=headers)
    if response.status_code == 404:  # a hub from before this endpoint: just send
        p.key_accepted = True
        return
    _check_status(response, p.base)
    answer = _answer(response)
    status = str(answer.get("status", ""))
    if status == "unknown":
        raise _Unregistered(str(answer.get("reason") or _held_words("quarantined")))
    if status == "retired":
        raise _Permanent(str(answer.get("reason") or "Khóa của máy này đã bị tỉnh thu hồi."))
    p.key_accepted = True


def _send(p: _Pass, row: SyncExport, attempts: int) -> ItemResult:
    _check_key(p)
    answer = _upload(p, row)
    status = str(answer.get("status", ""))
    reason = str(answer.get("reason", ""))
    if status in ("applied", "replay"):
        _accept_receipt(p, row, str(answer.get("receipt") or ""))
        _set(p.db, row.seq, send_attempts=attempts, last_error="", hub_status=status)
        return ItemResult(row.seq, row.bundle_id, RECEIVED, "")
    if status in ("quarantined", "gap", "fork"):
        return _hold(p, row, attempts, reason or _held_words(status), status)
    raise _Permanent(f"Máy chủ trả lời trạng thái lạ: {status or '(trống)'}.")


def _poll_held(p: _Pass, row: SyncExport, attempts: int) -> ItemResult:
    receipt = _poll_receipt(p, row)
    if receipt is None:
        return _hold(p, row, attempts, row.last_error, row.hub_status)
    _accept_receipt(p, row, receipt)
    _set(p.db, row.seq, send_attempts=attempts, last_error="")
    return ItemResult(row.seq, row.bundle_id, RECEIVED, "")


def _hold(p: _Pass, row: SyncExport, attempts: int, reason: str, status: str) -> ItemResult:
    """The hub keeps the bundle: ask for its receipt again after a backoff."""
    delay = backoff_delay(attempts, p.rng)
    _set(
        p.db,
        row.seq,
        send_state=HELD,
        send_attempts=attempts,
        last_error=reason,
        hub_status=status,
        next_attempt_at=p.now + dt.timedelta(seconds=delay),
    )
    return ItemResult(row.seq, row.bundle_id, HELD, reason)


class _Stop(Exception):
    """The hub cannot be reached now: the pass ends, later entries wait their turn."""

    def __init__(self, result: ItemResult) -> None:
        super().__init__(result.message)
        self.result = result


def _held_words(status: str) -> str:
    return {
        "quarantined": "chờ tỉnh chấp nhận khóa của máy này",
        "gap": "chờ các gói trước đó",
        "fork": "lịch sử gói khác với gói tỉnh đã có, chờ tỉnh xem xét",
    }.get(status, status)


def _poll_receipt(p: _Pass, row: SyncExport) -> str | None:
    """The receipt of a held bundle if the hub has applied it since (None: still held)."""
    path = f"{BUNDLES_PATH}/{quote(row.bundle_id, safe='')}/receipt"
    headers = request_auth.sign_request(p.db.data_dir, "GET", _target(p.base, path))
    response = p.call("GET", path, headers=headers)
    if response.status_code == 404:
        return None
    _check_status(response, p.base)
    return response.text


def _due(row: SyncExport, p: _Pass) -> bool:
    if row.confirmed_at is not None:
        return False
    if row.send_state == ERROR:
        return p.force
    if p.force or row.next_attempt_at is None:
        return True
    return row.next_attempt_at <= p.now


def send_pending(
    db: Database,
    *,
    client: httpx.Client | None = None,
    now: dt.datetime | None = None,
    cancel: Cancel | None = None,
    force: bool = False,
    rng: random.Random | None = None,
) -> PushReport:
    """One pass over the outbox, oldest bundle first.

    Skips entries whose ``next_attempt_at`` is still ahead (unless ``force``: the user
    pressed "Gửi ngay", which also retries entries in error). Held entries have their
    receipt polled. A transient failure ends the pass: the hub is unreachable now.
    """
    state.require_commune(db)
    base = hub_url(db)
    if not base:
        raise UserError(
            "Gói cấu hình của tỉnh không có địa chỉ máy chủ: tỉnh chưa nhận gói qua mạng. "
            "Hãy gửi gói bằng USB."
        )
    check_secure_url(base)
    reset_interrupted(db)
    _retry_errors_after_an_update(db)
    p = _Pass(db, client, base, now or utcnow(), cancel or (lambda: False), force, rng)
    return _run(p, SyncExport.confirmed_at.is_(None), lambda row: _due(row, p))


def poll_receipts(
    db: Database, *, client: httpx.Client | None = None, now: dt.datetime | None = None
) -> PushReport:
    """Ask the hub for the receipts of held bundles (all of them, due or not)."""
    state.require_commune(db)
    base = hub_url(db)
    if not base:
        return PushReport()
    check_secure_url(base)
    p = _Pass(db, client, base, now or utcnow(), lambda: False, False, None)
    held = (SyncExport.confirmed_at.is_(None)) & (SyncExport.send_state == HELD)
    return _run(p, held, lambda _row: True)


def _run(p: _Pass, which: ColumnElement[bool], due: Callable[[SyncExport], bool]) -> PushReport:
    """Handle the entries ``which`` selects, in seq order, until done, cut or cancelled."""
    with p.db.session() as s:
        rows = list(s.scalars(select(SyncExport).where(which).order_by(SyncExport.seq)))
    own = p.client is None
    if p.client is None:
        p.client = make_client(p.base)
    try:
        for row in rows:
            if p.cancel():
                break
            if not due(row) or _confirmed_meanwhile(p.db, row.seq):
                continue
            try:
                p.report.items.append(_handle(p, row))
            except _Stop as stop:
                p.report.items.append(stop.result)
                break
            except _Cancelled:
                break
    finally:
        if own:
            p.client.close()
    return p.report


def _confirmed_meanwhile(db: Database, seq: int) -> bool:
    """A receipt for a later bundle lists the earlier ones: no need to send those."""
    with db.session() as s:
        return s.scalar(select(SyncExport.confirmed_at).where(SyncExport.seq == seq)) is not None


def describe(report: PushReport) -> str:
    """One line per entry touched, for the command line and the window."""
    lines = [f"Gói số {i.seq}: {state_label(i.state, i.message)}" for i in report.items]
    if not lines:
        return "Không có gói nào cần gửi."
    return "\n".join(lines)
