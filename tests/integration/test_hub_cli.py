# ruff: noqa: F811  (pytest fixtures imported from test_hub_fixtures)
"""`khuyenhoc hub serve`: the real command in a process of its own (killed mid-upload and
started again), and its refusals in Vietnamese."""

from __future__ import annotations

import hashlib
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from app.cli import main
from app.core.errors import DatabaseError
from app.core.models.sync import SyncLedger
from app.core.sync import importer
from app.core.sync.request_auth import sign_request
from app.core.workspace import Workspace, open_workspace
from tests.integration.test_hub_fixtures import (  # noqa: F401  (fixtures)
    UPLOAD,
    Commune,
    engine,
    make_commune,
    make_province,
    province_dir,
)

ROOT = Path(__file__).resolve().parents[2]
HUB_COMMAND = (sys.executable, "-m", "app", "hub", "serve")


class HubProcess:
    def __init__(self, data_dir: Path) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [*HUB_COMMAND, "--data-dir", str(data_dir), "--port", "0"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        assert match, (
            f"no address printed: {line!r} {self.proc.stderr.read() if self.proc.stderr else ''}"
        )
        self.port = int(match.group(1))
        self.url = f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)

    def stop(self) -> str:
        self.proc.send_signal(subprocess.signal.SIGINT)  # type: ignore[attr-defined]
        _out, err = self.proc.communicate(timeout=15)
        return err


@pytest.fixture
def province_ws(province_dir: tuple[Path, Path]) -> Iterator[Workspace]:
    ws = open_workspace(province_dir[0])
    try:
        yield ws
    finally:
        ws.close()


def _partials(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "sync" / "incoming").glob("*.upload"))


def _push(url: str, commune: Commune, data: bytes) -> httpx.Response:
    headers = sign_request(commune.data_dir, "POST", UPLOAD, hashlib.sha256(data).hexdigest())
    with httpx.Client(base_url=url, timeout=30, trust_env=False) as client:
        return client.post(UPLOAD, content=data, headers=headers)


def test_a_hub_killed_mid_upload_restarts_clean_and_the_resend_applies_once(
    province_dir: tuple[Path, Path],
    province_ws: Workspace,
    make_commune: Callable[..., Commune],
) -> None:
    data_dir, package = province_dir
    commune = make_commune(package, accept_on=province_ws.db)
    data = commune.export()
    hub = HubProcess(data_dir)
    headers = sign_request(commune.data_dir, "POST", UPLOAD, hashlib.sha256(data).hexdigest())
    lines = [f"POST {UPLOAD} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(data)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    with socket.create_connection(("127.0.0.1", hub.port)) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + data[: len(data) // 2])
        deadline = time.monotonic() + 10
        while not _partials(data_dir):
            assert time.monotonic() < deadline, "the hub never started writing the upload"
            time.sleep(0.05)
        hub.kill()  # power cut: no `finally` runs
    assert len(_partials(data_dir)) == 1
    with province_ws.db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SyncLedger)).scalar_one() == 0
    hub = HubProcess(data_dir)
    try:
        assert _partials(data_dir) == []  # the cut-short upload is cleared at start
        answer = _push(hub.url, commune, data)
        assert answer.status_code == 200 and answer.json()["status"] == "applied"
        assert _push(hub.url, commune, data).json()["status"] == "replay"
    finally:
        err = hub.stop()
    assert "Đã dừng máy chủ." in err and "Traceback" not in err
    with province_ws.db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SyncLedger)).scalar_one() == 1
    assert importer.held_bundles(province_ws.db) == []


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


def test_serve_refuses_a_folder_without_upper_level_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _run(capsys, "hub", "serve", "--data-dir", str(tmp_path / "trong"))
    assert code == 2 and "chưa có dữ liệu cấp trên" in err and "province init" in err


def test_serve_refuses_a_commune_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make_commune: Callable[..., Commune]
) -> None:
    _data_dir, package = make_province(tmp_path)
    commune = make_commune(package)
    code, err = _run(capsys, "hub", "serve", "--data-dir", str(commune.data_dir))
    assert code == 2 and "chỉ dùng ở cấp trên" in err


def test_serve_refuses_database_on_a_sqlite_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, _package = make_province(tmp_path)
    url = "postgresql+psycopg://kh@127.0.0.1/tinh"
    code, err = _run(capsys, "hub", "serve", "--data-dir", str(data_dir), "--database", url)
    assert code == 2 and "SQLite" in err and "bỏ --database" in err


def test_serve_refuses_another_postgresql_database_than_the_recorded_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.core.workspace import remember_server_database

    data_dir = tmp_path / "tinh"
    remember_server_database(data_dir, "postgresql+psycopg://kh:mk@127.0.0.1/tinh_a")
    url = "postgresql+psycopg://kh@127.0.0.1/tinh_b"
    code, err = _run(capsys, "hub", "serve", "--data-dir", str(data_dir), "--database", url)
    assert code == 2 and "PostgreSQL khác" in err


def test_serve_without_fastapi_says_so_in_vietnamese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as in the commune's desktop build
    code, err = _run(capsys, "hub", "serve", "--data-dir", str(tmp_path))
    assert code == 2 and "không có máy chủ của tỉnh" in err and "Traceback" not in err


def test_one_hub_per_data_folder(tmp_path: Path) -> None:
    from app.hub import create_app

    data_dir, _package = make_province(tmp_path)
    first = create_app(data_dir)
    try:
        with pytest.raises(DatabaseError, match="đang chạy"):
            create_app(data_dir)
    finally:
        first.state.hub.close()


def test_set_password_stores_an_argon2_hash_readable_by_its_owner_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from app.hub.login import Login, login_path

    data_dir, _package = make_province(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO("ngắn\n"))
    code, err = _run(capsys, "hub", "set-password", "--data-dir", str(data_dir), "--password-stdin")
    assert code == 2 and "ít nhất 10 ký tự" in err and not login_path(data_dir).exists()
    monkeypatch.setattr(sys, "stdin", io.StringIO("mật khẩu đủ dài 2026\n"))
    code, _err = _run(
        capsys, "hub", "set-password", "--data-dir", str(data_dir), "--password-stdin"
    )
    assert code == 0
    stored = login_path(data_dir).read_text("utf-8")
    assert stored.startswith("tinh:$argon2id$") and "mật khẩu" not in stored
    if os.name == "posix":
        assert login_path(data_dir).stat().st_mode & 0o077 == 0
    import base64

    good = "Basic " + base64.b64encode("tinh:mật khẩu đủ dài 2026".encode()).decode()
    bad = "Basic " + base64.b64encode(b"tinh:sai").decode()
    login = Login(data_dir)
    assert login.check(good) and not login.check(bad) and not login.check(None)
