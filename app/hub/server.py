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
import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import ClientDisconnect

from app import __version__
from app.core.errors import DatabaseError, StorageError, UserError
from app.core.sync import bundle, keys, request_auth, state
from app.core.sync import hub as core
from app.core.workspace import Workspace, open_workspace

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


class _TooLarge(Exception):
    pass


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
    max_bytes: int
    import_lock: threading.Lock
    import_thread: ThreadPoolExecutor
    folder_lock: Any

    @property
    def incoming(self) -> Path:
        return self.workspace.data_dir / INCOMING_DIR

    def close(self) -> None:
        self.import_thread.shutdown(wait=True)
        self.workspace.close()
        self.folder_lock.release()


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


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


def _open_hub(data_dir: Path, max_bytes: int) -> Hub:
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
    return Hub(workspace, identity, max_bytes, threading.Lock(), worker, folder_lock)


async def _receive(request: Request, hub: Hub) -> tuple[Path, str]:
    """Stream the body into a temporary file, hashing it; (path, sha256 hex).

    The caller removes the file. Raises :class:`_TooLarge` past ``hub.max_bytes``
    and ``ClientDisconnect`` when the sender goes away (the file is removed then).
    """
    fd, name = tempfile.mkstemp(suffix=PARTIAL_SUFFIX, dir=hub.incoming)
    path = Path(name)
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as fh:
            async for chunk in request.stream():
                size += len(chunk)
                if size > hub.max_bytes:
                    raise _TooLarge
                digest.update(chunk)
                fh.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, digest.hexdigest()


def _import_file(hub: Hub, path: Path, signer: str) -> core.Received:
    """Worker thread: verify the received file, then the core import.

    The whole of it runs under the import lock, reading the file included, so the hub
    holds one bundle in memory at a time however many communes send at once.
    """
    with hub.import_lock:
        parsed = core.parse_upload(path.read_bytes(), signer)
        return core.receive(hub.workspace.db, parsed, hub.identity)


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
        return _error(403, exc.message)
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


def create_app(data_dir: Path, *, max_bytes: int = bundle.MAX_BUNDLE_BYTES) -> FastAPI:
    """The hub on ``data_dir`` (an upper-level data folder, SQLite or PostgreSQL).

    The workspace is opened here, once, and closed when the server stops.
    ``max_bytes`` caps an upload (the bundle reader's own limit by default).
    """
    hub = _open_hub(data_dir, max_bytes)

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
    )
    app.state.hub = hub
    _add_api(app, hub)
    _add_page(app, hub)
    return app


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
            return _error(413, "Gói quá lớn: máy chủ không nhận.")
        claimed = request.headers.get(request_auth.HEADER_BODY, "")
        try:  # a forged request is refused before its body is read
            _verify(request, claimed.strip().lower())
        except request_auth.RequestAuthError as exc:
            return _error(401, exc.message)
        try:
            path, digest = await _receive(request, hub)
        except _TooLarge:
            return _error(413, "Gói quá lớn: máy chủ không nhận.")
        except ClientDisconnect:
            log.info("Upload abandoned by the sender; nothing imported.")
            return _error(400, "Kết nối bị ngắt khi đang gửi: chưa nhận gì.")
        except OSError as exc:
            return _storage_failure(exc)
        try:
            signer = _verify(request, digest)  # what arrived is what was signed
            answer = await _guard(lambda: _import_file(hub, path, signer), hub.import_thread)
        except request_auth.RequestAuthError as exc:
            answer = _error(401, exc.message)
        finally:
            path.unlink(missing_ok=True)
        if isinstance(answer, Response):
            return answer
        return JSONResponse(answer.as_dict(), status_code=HTTP_OF_STATUS[answer.status])

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


def _add_page(app: FastAPI, hub: Hub) -> None:
    from app.hub.page import render_status_page

    db = hub.workspace.db

    @app.get("/", response_class=HTMLResponse, summary="Trang tình hình các xã (chỉ xem)")
    async def status_page() -> Response:
        def work() -> Response:
            me = keys.my_key(hub.workspace.data_dir)
            name = str(state.get_setting(db, state.PROVINCE_NAME_KEY, ""))
            return HTMLResponse(render_status_page(core.overview(db), name, me.fingerprint))

        answer: Response = await _guard(work)
        return answer
