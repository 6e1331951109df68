"""The hub's HTTP routes (API v1, see ``docs/hub.md``) over :mod:`app.core.sync.hub`.

An upload is streamed to a temporary file under ``<data folder>/sync/incoming/``
while it is hashed, so a 128 MiB bundle is never held in memory while it arrives;
a dropped connection, an over-size body or a stopped hub leaves nothing behind
(the file is removed in ``finally``, and leftovers of a killed process at the next
start). Only then is the request's signature checked against the hash of what
actually arrived, and the bundle imported in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import ClientDisconnect

from app import __version__
from app.core.errors import DatabaseError, StorageError, UserError
from app.core.sync import bundle, keys, registrations, request_auth, state
from app.core.sync import hub as core
from app.core.workspace import Workspace, open_workspace
from app.hub.login import Login

DEFAULT_PORT = 8750
INCOMING_DIR = Path("sync") / "incoming"
PARTIAL_SUFFIX = ".upload"
HUB_LOCK_FILE = "hub.lock"
HTTP_OF_STATUS = {
    "applied": 200,
    "replay": 200,
    "quarantined": 202,
    "gap": 202,
    "fork": 202,
    "rejected": 422,
}
log = logging.getLogger("khuyenhoc.hub")
access_log = logging.getLogger("khuyenhoc.hub.access")
CLOSE = {"Connection": "close"}  # a refused request's connection is not kept


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


@dataclass(frozen=True)
class Limits:
    """What one request and one key may cost the hub (docs/hub.md, "Limits").

    ``body_idle_s``: the longest wait for the next piece of a body; ``body_grace_s`` +
    size / ``min_rate`` bytes per second: the longest a whole body may take. Per key:
    one upload at a time and ``daily_bytes`` a day. Registrations (unknown keys) and
    failed logins are rate-limited per client address and in total.
    """

    max_bytes: int = bundle.MAX_BUNDLE_BYTES
    body_idle_s: float = 30.0
    body_grace_s: float = 60.0
    min_rate: int = 16 * 1024
    daily_bytes: int = 1024 * 1024 * 1024
    registrations_per_client: tuple[int, float] = (5, 600.0)
    registrations_total: tuple[int, float] = (60, 600.0)
    logins_per_client: tuple[int, float] = (10, 60.0)


@dataclass
class Hub:
    """What the routes share: the one open workspace and the import lock.

    Imports are serialised by ``import_lock``: SQLite has a single writer, and on
    PostgreSQL the same in-process lock keeps one import at a time too (the importer
    also locks the ledger table, so a second process — ``province accept-key`` — is
    safe, only slower). They also all run on one dedicated thread (``import_thread``):
    an import allocates a few hundred megabytes of short-lived objects, and spread over
    the shared thread pool each thread would keep its own malloc arena of that size.
    One hub process per data folder (``hub.lock``).
    """

    workspace: Workspace
    identity: Any
    limits: Limits
    import_lock: threading.Lock
    import_thread: ThreadPoolExecutor
    folder_lock: Any
    login: Login
    uploading: set[str] = field(default_factory=set)  # key ids with an upload under way
    sent_today: dict[str, tuple[dt.date, int]] = field(default_factory=dict)
    registered: core.RateLimiter = field(init=False)
    registered_total: core.RateLimiter = field(init=False)
    failed_logins: core.RateLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.registered = core.RateLimiter(*self.limits.registrations_per_client)
        self.registered_total = core.RateLimiter(*self.limits.registrations_total)
        self.failed_logins = core.RateLimiter(*self.limits.logins_per_client)

    @property
    def max_bytes(self) -> int:
        return self.limits.max_bytes

    @property
    def incoming(self) -> Path:
        return self.workspace.data_dir / INCOMING_DIR

    def close(self) -> None:
        self.import_thread.shutdown(wait=True)
        self.workspace.close()
        self.folder_lock.release()


def _error(status: int, message: str, *, close: bool = False, **extra: Any) -> JSONResponse:
    return JSONResponse(
        {"error": message, **extra}, status_code=status, headers=CLOSE if close else None
    )


def _denied(exc: core.AccessDenied, *, close: bool = False) -> JSONResponse:
    return _error(403, exc.message, close=close, code=exc.code)


def _busy(message: str, retry_after: int, *, close: bool = False) -> JSONResponse:
    answer = _error(429, message, close=close)
    answer.headers["Retry-After"] = str(retry_after)
    return answer


def _client(request: Request) -> str:
    return request.client.host if request.client else "-"


def _target(request: Request) -> str:
    """The request target as the client signed it: raw path, then ``?query`` if any."""
    raw = request.scope.get("raw_path") or request.url.path.encode("utf-8")
    query = request.scope.get("query_string") or b""
    target = raw.decode("latin-1")
    return f"{target}?{query.decode('latin-1')}" if query else target


def _clear_partials(folder: Path) -> None:
    """Uploads cut short by a killed hub: never imported, so simply removed."""
    if folder.is_dir():
        for path in folder.glob(f"*{PARTIAL_SUFFIX}"):
            with contextlib.suppress(OSError):
                path.unlink()


def _open_hub(data_dir: Path, limits: Limits) -> Hub:
    from filelock import FileLock, Timeout

    folder_lock = FileLock(str(data_dir / HUB_LOCK_FILE), timeout=0, thread_local=False)
    try:
        folder_lock.acquire()
    except Timeout:
        raise DatabaseError(
            f"Đã có một máy chủ của tỉnh đang chạy trên thư mục dữ liệu {data_dir}."
        ) from None
    try:
        workspace = open_workspace(data_dir)
        try:
            state.require_upper(workspace.db)
            identity = keys.age_identity(data_dir)
            (data_dir / INCOMING_DIR).mkdir(parents=True, exist_ok=True)
        except BaseException:
            workspace.close()
            raise
    except BaseException:
        folder_lock.release()
        raise
    _clear_partials(data_dir / INCOMING_DIR)
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-import")
    return Hub(workspace, identity, limits, threading.Lock(), worker, folder_lock, Login(data_dir))


async def _receive(request: Request, hub: Hub) -> tuple[Path, str]:
    """Stream the body into a temporary file, hashing it; (path, sha256 hex).

    The caller removes the file. Raises :class:`_TooLarge` past ``hub.max_bytes``
    and ``ClientDisconnect`` when the sender goes away (the file is removed then).
    """
    limits = hub.limits
    length = int(request.headers.get("content-length", "0"))
    deadline = time.monotonic() + limits.body_grace_s + length / limits.min_rate
    fd, name = tempfile.mkstemp(suffix=PARTIAL_SUFFIX, dir=hub.incoming)
    path = Path(name)
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as fh:
            pieces = request.stream().__aiter__()
            while True:
                wait = min(limits.body_idle_s, deadline - time.monotonic())
                if wait <= 0:
                    raise _TooSlow
                try:
                    chunk = await asyncio.wait_for(pieces.__anext__(), wait)
                except StopAsyncIteration:
                    break
                except TimeoutError:
                    raise _TooSlow from None
                size += len(chunk)
                if size > hub.max_bytes:
                    raise _TooLarge
                digest.update(chunk)
                fh.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, digest.hexdigest()


def _import_file(hub: Hub, path: Path, sender: core.Sender) -> core.Received:
    """Worker thread: verify the received file, then the core import.

    The whole of it runs under the import lock, reading the file included, so the hub
    holds one bundle in memory at a time however many communes send at once.
    """
    with hub.import_lock:
        parsed = core.parse_upload(path.read_bytes(), sender.public_key)
        return core.receive(hub.workspace.db, parsed, hub.identity, sender)


def _storage_failure(exc: BaseException) -> JSONResponse:
    log.error("Hub storage failure: %s", exc)
    detail = exc.message if isinstance(exc, UserError) else str(exc)
    return _error(
        503,
        f"Máy chủ của tỉnh tạm thời không lưu được dữ liệu ({detail}). Hãy gửi lại sau.",
    )


async def _guard(work: Callable[[], Any], thread: ThreadPoolExecutor | None = None) -> Any:
    """Run blocking core work in a thread (the shared pool unless ``thread``) and map its
    errors to JSON answers."""
    try:
        if thread is not None:
            return await asyncio.get_running_loop().run_in_executor(thread, work)
        return await run_in_threadpool(work)
    except request_auth.RequestAuthError as exc:
        return _error(401, exc.message)
    except core.AccessDenied as exc:
        return _denied(exc)
    except core.QuotaExceeded as exc:
        return _busy(exc.message, exc.retry_after)
    except registrations.RegistrationsFull as exc:
        return _busy(exc.message, 3600)
    except core.ReceiptNotReady as exc:
        return _error(404, exc.message)
    except bundle.BundleRefused as exc:
        return _error(400, exc.message)
    except (StorageError, DatabaseError, SQLAlchemyError, OSError) as exc:
        return _storage_failure(exc)
    except UserError as exc:
        return _error(400, exc.message)


def _verify(request: Request, body_sha256: str) -> str:
    return request_auth.verify_request(
        request.headers, request.method, _target(request), body_sha256
    )


_UPLOAD_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    },
}


def create_app(
    data_dir: Path, *, max_bytes: int | None = None, limits: Limits | None = None
) -> FastAPI:
    """The hub on ``data_dir`` (an upper-level data folder, SQLite or PostgreSQL).

    The workspace is opened here, once, and closed when the server stops.
    ``limits`` (:class:`Limits`); ``max_bytes`` overrides its cap on an upload.
    """
    chosen = limits or Limits()
    if max_bytes is not None:
        from dataclasses import replace

        chosen = replace(chosen, max_bytes=max_bytes)
    hub = _open_hub(data_dir, chosen)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            hub.close()

    app = FastAPI(
        title="Sổ Khuyến Học — máy chủ của tỉnh",
        version=__version__,
        description="Nhận gói dữ liệu của các xã và trả biên nhận có chữ ký (xem docs/hub.md).",
        lifespan=lifespan,
        docs_url=None,  # served behind the login (_add_page)
        redoc_url=None,
        openapi_url=None,
    )
    app.state.hub = hub
    _add_api(app, hub)
    _add_page(app, hub)
    app.add_middleware(AccessLog)
    return app


class AccessLog:
    """One line per request on ``khuyenhoc.hub.access``: client, method, path, status,
    bytes sent, seconds, and the signing key's id when the request carries one."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status, sent = 0, 0

        async def counting(message: MutableMapping[str, Any]) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting)
        finally:
            client = scope.get("client")
            key = "-"
            for name, value in scope.get("headers", []):
                if name == b"x-kh-key":
                    text = value.decode("latin-1").strip().lower()
                    with contextlib.suppress(ValueError):
                        key = keys.key_id_of(text) if len(text) == 64 else "?"
            access_log.info(
                '%s "%s %s" %s %d %.3fs key=%s',
                client[0] if client else "-",
                scope.get("method", ""),
                scope.get("path", ""),
                status or "-",
                sent,
                time.perf_counter() - started,
                key,
            )


def uvicorn_config(app: FastAPI, **options: Any) -> Any:
    """The uvicorn configuration of the hub: our guarded h11 protocol (header deadline,
    connection limit), short keep-alive, a bound on incomplete request heads."""
    import uvicorn

    from app.hub.protocol import HEADER_TIMEOUT_S, MAX_CONNECTIONS, guarded_protocol

    header_timeout = float(options.pop("header_timeout", HEADER_TIMEOUT_S))
    max_connections = int(options.pop("max_connections", MAX_CONNECTIONS))
    settings: dict[str, Any] = {
        "log_level": "warning",
        "access_log": False,  # our own, one line per request (AccessLog)
        "timeout_graceful_shutdown": 10,
        "timeout_keep_alive": 5,
        "h11_max_incomplete_event_size": 16 * 1024,
        "limit_concurrency": None,  # GuardedH11Protocol limits connections itself
        "http": guarded_protocol(header_timeout, max_connections),
    }
    settings.update(options)
    return uvicorn.Config(app, **settings)


def _add_api(app: FastAPI, hub: Hub) -> None:
    db = hub.workspace.db

    @app.get("/api/v1/health", summary="Máy chủ còn chạy không (không cần chữ ký)")
    def health() -> dict[str, Any]:
        me = keys.my_key(hub.workspace.data_dir)
        return {
            "status": "ok",
            "service": "khuyenhoc-hub",
            "version": __version__,
            "province_name": str(state.get_setting(db, state.PROVINCE_NAME_KEY, "")),
            "key_id": me.key_id,
            "fingerprint": me.fingerprint,
        }

    @app.post(
        "/api/v1/bundles",
        summary="Gửi một gói dữ liệu (.khb) của xã; trả kết quả nhập và biên nhận",
        openapi_extra=_UPLOAD_DOC,
    )
    async def upload(request: Request) -> Response:
        length = request.headers.get("content-length")
        if length is None:
            return _error(411, "Yêu cầu thiếu độ dài nội dung (Content-Length).")
        if not length.isdigit():
            return _error(400, "Độ dài nội dung (Content-Length) không hợp lệ.")
        if int(length) > hub.max_bytes:
            return _error(413, "Gói quá lớn: máy chủ không nhận.", close=True)
        claimed = request.headers.get(request_auth.HEADER_BODY, "")
        try:  # a forged request, or a stranger's, is refused before its body is read
            public = _verify(request, claimed.strip().lower())
            sender = await run_in_threadpool(core.accepted_sender, db, public)
        except request_auth.RequestAuthError as exc:
            return _error(401, exc.message, close=True)
        except core.AccessDenied as exc:
            return _denied(exc, close=True)
        except (DatabaseError, SQLAlchemyError) as exc:
            return _storage_failure(exc)
        refused = _quota(hub, sender, int(length))
        if refused is not None:
            return refused
        hub.uploading.add(sender.key_id)
        try:
            return await _upload_from(request, hub, sender)
        finally:
            hub.uploading.discard(sender.key_id)

    @app.get(
        "/api/v1/keys/self",
        summary="Khóa ký yêu cầu này đã được tỉnh chấp nhận chưa (hỏi trước khi gửi gói lớn)",
    )
    async def key_self(request: Request) -> Response:
        def work() -> Response:
            public = _verify(request, request_auth.EMPTY_BODY_SHA256)
            fingerprint = keys.fingerprint_of(public)
            try:
                sender = core.accepted_sender(db, public)
            except core.UnknownKey as exc:
                return JSONResponse(
                    {"status": "unknown", "fingerprint": fingerprint, "reason": exc.message}
                )
            except core.AccessDenied as exc:
                return JSONResponse(
                    {"status": "retired", "fingerprint": fingerprint, "reason": exc.message}
                )
            return JSONResponse(
                {
                    "status": "accepted",
                    "fingerprint": fingerprint,
                    "commune_code": sender.commune_code,
                }
            )

        answer: Response = await _guard(work)
        return answer

    @app.post(
        "/api/v1/registrations",
        summary="Gửi phiếu đăng ký khóa (khóa chưa được tỉnh chấp nhận chỉ được làm việc này)",
        status_code=201,
    )
    async def register(request: Request) -> Response:
        length = request.headers.get("content-length", "")
        if not length.isdigit():
            return _error(411, "Yêu cầu thiếu độ dài nội dung (Content-Length).", close=True)
        if int(length) > registrations.MAX_BYTES:
            return _error(413, "Phiếu đăng ký khóa quá lớn.", close=True)
        client = _client(request)
        if not hub.registered.allow(client) or not hub.registered_total.allow("*"):
            return _busy("Gửi phiếu đăng ký quá nhiều lần: hãy thử lại sau.", 600, close=True)
        try:
            body = await asyncio.wait_for(request.body(), hub.limits.body_idle_s)
        except TimeoutError:
            return _error(408, "Gửi quá chậm: máy chủ ngừng chờ.", close=True)
        except ClientDisconnect:
            return _error(400, "Kết nối bị ngắt khi đang gửi: chưa nhận gì.", close=True)

        def work() -> Response:
            public = _verify(request, hashlib.sha256(body).hexdigest())
            reg = registrations.parse(body, public)
            new = registrations.store(hub.workspace.data_dir, reg)
            log.info("Key registration %s for commune %s", reg.fingerprint, reg.commune_code)
            return JSONResponse(
                {
                    "status": "registered" if new else "already",
                    "fingerprint": reg.fingerprint,
                    "commune_code": reg.commune_code,
                },
                status_code=201 if new else 200,
            )

        answer: Response = await _guard(work)
        return answer

    @app.get(
        "/api/v1/bundles/{bundle_id}/receipt",
        summary="Biên nhận có chữ ký của một gói đã nhập",
    )
    async def receipt(bundle_id: str, request: Request) -> Response:
        def work() -> Response:
            public = _verify(request, request_auth.EMPTY_BODY_SHA256)
            data = core.receipt_for(db, public, bundle_id)
            return Response(content=data, media_type="application/json")

        answer: Response = await _guard(work)
        return answer

    @app.get(
        "/api/v1/communes/{commune_code}/status",
        summary="Máy chủ đang có gì của một xã: gói cuối, gói đang giữ, số gói còn thiếu",
    )
    async def commune_status(commune_code: str, request: Request) -> Response:
        def work() -> Response:
            public = _verify(request, request_auth.EMPTY_BODY_SHA256)
            if not core.may_read_commune(db, public, commune_code):
                raise core.AccessDenied("Khóa này không được xem tình hình của xã này.")
            return JSONResponse(core.commune_status(db, commune_code))

        answer: Response = await _guard(work)
        return answer


def _quota(hub: Hub, sender: core.Sender, length: int) -> Response | None:
    """429 when this key already uploads, or would pass its bytes for the day."""
    if sender.key_id in hub.uploading:
        return _busy("Máy này đang gửi một gói khác: hãy chờ gói đó xong.", 60, close=True)
    today = dt.datetime.now(dt.UTC).date()
    day, used = hub.sent_today.get(sender.key_id, (today, 0))
    used = used if day == today else 0
    if used + length > hub.limits.daily_bytes:
        return _busy(
            "Máy này đã gửi quá nhiều dữ liệu trong hôm nay: máy chủ sẽ nhận tiếp vào ngày mai.",
            3600,
            close=True,
        )
    hub.sent_today[sender.key_id] = (today, used + length)
    return None


async def _upload_from(request: Request, hub: Hub, sender: core.Sender) -> Response:
    """Receive the body (bounded in size and time), check it, import it."""
    try:
        path, digest = await _receive(request, hub)
    except _TooLarge:
        return _error(413, "Gói quá lớn: máy chủ không nhận.", close=True)
    except _TooSlow:
        log.info("Upload from key %s too slow; dropped, nothing imported.", sender.key_id)
        return _error(408, "Gửi quá chậm: máy chủ ngừng chờ, chưa nhận gì.", close=True)
    except ClientDisconnect:
        log.info("Upload abandoned by the sender; nothing imported.")
        return _error(400, "Kết nối bị ngắt khi đang gửi: chưa nhận gì.", close=True)
    except OSError as exc:
        return _storage_failure(exc)
    try:
        if _verify(request, digest) != sender.public_key:  # what arrived is what was signed
            raise request_auth.RequestAuthError("Chữ ký của yêu cầu không đúng.")
        answer = await _guard(lambda: _import_file(hub, path, sender), hub.import_thread)
    except request_auth.RequestAuthError as exc:
        answer = _error(401, exc.message)
    finally:
        path.unlink(missing_ok=True)
    if isinstance(answer, Response):
        return answer
    return JSONResponse(answer.as_dict(), status_code=HTTP_OF_STATUS[answer.status])


def _login_required(hub: Hub, message: str) -> Response:
    return HTMLResponse(
        f'<!DOCTYPE html><html lang="vi"><meta charset="utf-8"><p>{message}</p></html>',
        status_code=401,
        headers={"WWW-Authenticate": 'Basic realm="khuyenhoc-hub", charset="UTF-8"'},
    )


async def _logged_in(hub: Hub, request: Request) -> Response | None:
    """None when the request carries the hub's login; else the answer to send."""
    if not hub.login.configured():
        return HTMLResponse(
            '<!DOCTYPE html><html lang="vi"><meta charset="utf-8"><p>Trang này cần đăng '
            "nhập nhưng máy chủ chưa có mật khẩu. Trên máy chủ hãy chạy: "
            "<code>khuyenhoc hub set-password --data-dir …</code></p></html>",
            status_code=403,
        )
    header = request.headers.get("authorization")
    if header is None:
        return _login_required(hub, "Hãy đăng nhập để xem trang của máy chủ tỉnh.")
    if await run_in_threadpool(hub.login.check, header):
        return None
    if not hub.failed_logins.allow(_client(request)):
        return _busy("Đăng nhập sai quá nhiều lần: hãy thử lại sau một phút.", 60)
    return _login_required(hub, "Tên đăng nhập hoặc mật khẩu không đúng.")


def _add_page(app: FastAPI, hub: Hub) -> None:
    from fastapi.openapi.docs import get_swagger_ui_html

    from app.hub.page import render_status_page

    db = hub.workspace.db

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def status_page(request: Request) -> Response:
        refused = await _logged_in(hub, request)
        if refused is not None:
            return refused

        def work() -> Response:
            me = keys.my_key(hub.workspace.data_dir)
            name = str(state.get_setting(db, state.PROVINCE_NAME_KEY, ""))
            return HTMLResponse(render_status_page(core.overview(db), name, me.fingerprint))

        answer: Response = await _guard(work)
        return answer

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi(request: Request) -> Response:
        refused = await _logged_in(hub, request)
        return refused or JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> Response:
        refused = await _logged_in(hub, request)
        return refused or get_swagger_ui_html(openapi_url="/openapi.json", title=app.title)
