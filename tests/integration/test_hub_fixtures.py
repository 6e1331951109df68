"""Shared fixtures of the hub tests: a province hub served on 127.0.0.1 (a random port)
on SQLite or PostgreSQL, communes that loaded its package, signed uploads.

Imported by the other ``test_hub_*`` modules; it holds no tests of its own.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.core.db import Database
from app.core.models.sync import SyncLedger, SyncRecord
from app.core.sync import state, upper
from app.core.sync.request_auth import sign_request
from app.core.workspace import Workspace, init_commune, open_workspace

PROVINCE_NAME = "Hội Khuyến học tỉnh Hưng Yên"
UPLOAD = "/api/v1/bundles"
PASSWORD = "mật khẩu của tỉnh 2026"


@dataclass
class Commune:
    data_dir: Path
    ws: Workspace
    usb: Path

    @property
    def db(self) -> Database:
        return self.ws.db

    def export(self, full: bool = False) -> bytes:
        from app.core.sync.writer import export_bundle

        return export_bundle(self.db, self.usb, full=full).file.read_bytes()

    def add_hamlet(self, name: str) -> None:
        from app.core.registry.hamlets import HamletInput, create_hamlet

        create_hamlet(self.db, HamletInput(name=name))

    def registration_file(self) -> Path:
        path = self.data_dir.parent / f"reg-{self.data_dir.name}.json"
        path.write_text(json.dumps(upper.registration(self.db)), "utf-8")
        return path


@dataclass
class Hub:
    """A running hub and a second handle on its database (what the province's people
    would use beside it: accept-key, the status command)."""

    url: str
    data_dir: Path
    ws: Workspace
    package: Path
    server: Any = None
    thread: threading.Thread | None = None
    clients: list[httpx.Client] = field(default_factory=list)

    @property
    def db(self) -> Database:
        return self.ws.db

    def client(self) -> httpx.Client:
        c = httpx.Client(base_url=self.url, timeout=30, trust_env=False)
        self.clients.append(c)
        return c

    def push(self, sender: Commune, data: bytes, **kw: Any) -> httpx.Response:
        headers = sign_request(sender.data_dir, "POST", UPLOAD, hashlib.sha256(data).hexdigest())
        headers["Content-Type"] = "application/octet-stream"
        return self.client().post(UPLOAD, content=data, headers=headers, **kw)

    def register(self, sender: Commune) -> httpx.Response:
        body = json.dumps(upper.registration(sender.db)).encode("utf-8")
        path = "/api/v1/registrations"
        headers = sign_request(sender.data_dir, "POST", path, hashlib.sha256(body).hexdigest())
        return self.client().post(path, content=body, headers=headers)

    def set_password(self, password: str = PASSWORD) -> None:
        from app.hub.login import set_password

        set_password(self.data_dir, password)

    def page(self, target: str, password: str = PASSWORD) -> httpx.Response:
        """A page for people (``/``, ``/docs``, ``/openapi.json``), logged in."""
        return self.client().get(target, auth=("tinh", password))

    def get(self, sender: Commune, target: str) -> httpx.Response:
        return self.client().get(target, headers=sign_request(sender.data_dir, "GET", target))

    def ledger(self) -> list[tuple[str, int]]:
        with self.db.connect() as conn:
            rows = conn.execute(
                select(SyncLedger.bundle_id, SyncLedger.seq).order_by(SyncLedger.id)
            ).all()
        return [(str(b), int(s)) for b, s in rows]

    def record_count(self) -> int:
        with self.db.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(SyncRecord)).scalar_one())

    def incoming(self) -> list[Path]:
        folder = self.data_dir / "sync" / "incoming"
        return sorted(folder.iterdir()) if folder.is_dir() else []


def make_province(tmp_path: Path, database_url: str = "") -> tuple[Path, Path]:
    data_dir = tmp_path / "tinh"
    result = upper.init_province(
        data_dir, PROVINCE_NAME, tmp_path / "goi", database_url=database_url
    )
    return data_dir, result.package


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


def serve_in_thread(data_dir: Path, **options: Any) -> tuple[Any, threading.Thread, str]:
    """The real app under a real uvicorn, on a background thread; (server, thread, url)."""
    import uvicorn

    from app.hub import create_app
    from app.hub.server import uvicorn_config

    served = {k: options.pop(k) for k in ("header_timeout", "max_connections") if k in options}
    app = create_app(data_dir, **options)
    sock = free_socket()
    server = uvicorn.Server(uvicorn_config(app, **served))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the hub did not start"
        time.sleep(0.02)
    return server, thread, f"http://127.0.0.1:{sock.getsockname()[1]}"


def stop(server: Any, thread: threading.Thread) -> None:
    server.should_exit = True
    thread.join(timeout=30)
    assert not thread.is_alive(), "the hub did not stop"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def province_dir(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Path, Path]:
    """(data folder, configuration package) of a fresh upper level on ``engine``."""
    url = str(request.getfixturevalue("postgres_url")) if engine == "postgresql" else ""
    return make_province(tmp_path, url)


@pytest.fixture
def hub_options() -> dict[str, Any]:
    """``create_app`` keyword arguments; a test overrides it (e.g. a small size limit)."""
    return {}


@pytest.fixture
def hub(province_dir: tuple[Path, Path], hub_options: dict[str, Any]) -> Iterator[Hub]:
    data_dir, package = province_dir
    server, thread, url = serve_in_thread(data_dir, **hub_options)
    ws = open_workspace(data_dir)
    running = Hub(url, data_dir, ws, package, server, thread)
    try:
        yield running
    finally:
        for c in running.clients:
            c.close()
        stop(server, thread)
        ws.close()


@pytest.fixture
def make_commune(tmp_path: Path) -> Iterator[Callable[..., Commune]]:
    """A commune (two hamlets) that loaded the hub's package; ``accept_on`` pins its key."""
    opened: list[Workspace] = []

    def _make(
        package: Path, code: str = "12205", name: str = "xa", accept_on: Database | None = None
    ) -> Commune:
        data_dir = tmp_path / name
        ws = init_commune(data_dir, code, lock=False)
        opened.append(ws)
        commune = Commune(data_dir, ws, tmp_path / f"usb-{name}")
        commune.add_hamlet("Thôn Đông")
        commune.add_hamlet("Thôn Đoài")
        state.load_config_package(ws.db, package)
        if accept_on is not None:
            upper.accept_key(accept_on, str(commune.registration_file()))
        return commune

    yield _make
    for ws in opened:
        ws.close()


@pytest.fixture
def commune(hub: Hub, make_commune: Callable[..., Commune]) -> Commune:
    """Commune 12205, its key accepted by the hub."""
    return make_commune(hub.package, accept_on=hub.db)
