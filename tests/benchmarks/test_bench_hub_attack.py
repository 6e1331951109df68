"""The hub under a bounded load with an attack beside it, all on 127.0.0.1.

KHUYENHOC_BENCH_HUB_LOAD_COMMUNES communes (50) each push a chain of
KHUYENHOC_BENCH_HUB_LOAD_BUNDLES bundles (5), in order, through 8 concurrent clients,
to one hub process (`khuyenhoc hub serve`), while an attacker keeps
KHUYENHOC_BENCH_HUB_SLOW_CONNECTIONS connections (200) open: half trickle request
headers a byte at a time, half send a stranger's signed upload head and then its body
a byte at a time. Passes with every bundle applied (0 lost) and reports the genuine
uploads' latency, the hub's peak memory, and how the attack fared.

The bundles are five consecutive incremental exports of one small commune (20 hamlets
each), re-signed per commune with its own key, code and installation and chained
(number, predecessor), so the hub does the whole import of each. SQLite always;
PostgreSQL too when KHUYENHOC_BENCH_HUB_POSTGRES_URL or KHUYENHOC_TEST_POSTGRES_URL
names a server (a fresh database per run, dropped afterwards).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from app.core.models.sync import SyncLedger
from app.core.registry.hamlets import HamletInput, create_hamlet
from app.core.sync import bundle, keys, upper
from app.core.sync.state import load_config_package
from app.core.sync.writer import export_bundle
from app.core.workspace import init_commune, open_workspace
from tests.benchmarks.conftest import report
from tests.benchmarks.test_bench_hub import (
    HUB_COMMAND,
    ROOT,
    UPLOAD,
    _codes,
    _peak_rss_mb,
    _signed_headers,
)

pytestmark = pytest.mark.benchmark

COMMUNES = int(os.environ.get("KHUYENHOC_BENCH_HUB_LOAD_COMMUNES", "50"))
BUNDLES = int(os.environ.get("KHUYENHOC_BENCH_HUB_LOAD_BUNDLES", "5"))
SLOW = int(os.environ.get("KHUYENHOC_BENCH_HUB_SLOW_CONNECTIONS", "200"))
CLIENTS = 8
ATTACK_LIMIT_S = 600  # the attacker stops by itself after this, whatever happens
POSTGRES = os.environ.get("KHUYENHOC_BENCH_HUB_POSTGRES_URL") or os.environ.get(
    "KHUYENHOC_TEST_POSTGRES_URL", ""
)


def _chain_parts(tmp_path: Path, package: Path) -> list[tuple[dict[str, object], list[tuple]]]:
    """(manifest fields, parts) of BUNDLES consecutive exports of one small commune."""
    ws = init_commune(tmp_path / "xa-goc", "12205", lock=False)
    out: list[tuple[dict[str, object], list[tuple]]] = []
    try:
        load_config_package(ws.db, package)
        for n in range(BUNDLES):
            for i in range(20):
                create_hamlet(ws.db, HamletInput(name=f"Thôn {n}-{i}"))
            base = bundle.parse(export_bundle(ws.db, None).archived.read_bytes())
            keep = ("format", "format_version", "counts", "parts")
            manifest = {k: v for k, v in base.manifest.items() if k not in keep}
            parts = [
                (p["entity"], p["records"], p["raw_size"], base.parts[p["name"]])
                for p in base.manifest["parts"]
            ]
            out.append((manifest, parts))
    finally:
        ws.close()
    return out


def _chain_for(
    code: str, key: Ed25519PrivateKey, chain: list[tuple[dict[str, object], list[tuple]]]
) -> list[bytes]:
    public = keys.public_hex(key)
    installation = str(uuid.uuid5(uuid.NAMESPACE_OID, code))
    prev, out = "", []
    for seq, (fields, parts) in enumerate(chain, start=1):
        manifest = {
            **fields,
            "commune_code": code,
            "commune_name": f"Xã mã {code}",
            "installation_id": installation,
            "key_id": keys.key_id_of(public),
            "public_key": public,
            "seq": seq,
            "prev_bundle_id": prev,
        }
        data, prev = bundle.build(manifest, parts, key.sign)
        out.append(data)
    return out


class _Attacker:
    """SLOW connections held open, trickling a byte every 0.5 s; reopened when the hub
    closes one. Bounded: stops at ``stop`` or after ATTACK_LIMIT_S."""

    def __init__(self, port: int, stranger: Ed25519PrivateKey) -> None:
        self.port = port
        self.stop = threading.Event()
        self.opened = 0
        self.closed_by_hub = 0
        stamp = int(time.time())
        public = keys.public_hex(stranger)
        self.heads = [
            b"POST /api/v1/bundles HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * 4096,
            (
                f"POST {UPLOAD} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 120000000\r\n"
                f"X-KH-Key: {public}\r\nX-KH-Time: {stamp}\r\nX-KH-Body-SHA256: {'ab' * 32}\r\n"
                f"X-KH-Signature: {'cd' * 64}\r\n\r\n"
            ).encode("ascii")
            + b"\0" * 4096,
        ]
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.started = time.monotonic()

    def _connect(self, kind: int) -> tuple[socket.socket, int, int] | None:
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=2)
        except OSError:
            return None
        sock.setblocking(False)
        self.opened += 1
        return sock, kind, 0

    def _run(self) -> None:
        self.started = time.monotonic()
        deadline = time.monotonic() + ATTACK_LIMIT_S
        conns = [c for c in (self._connect(i % 2) for i in range(SLOW)) if c is not None]
        while not self.stop.is_set() and time.monotonic() < deadline:
            alive = []
            for sock, kind, pos in conns:
                try:
                    sock.send(self.heads[kind][pos : pos + 1])
                    with contextlib.suppress(BlockingIOError):
                        if sock.recv(65536) == b"":
                            raise ConnectionResetError
                    alive.append((sock, kind, (pos + 1) % len(self.heads[kind])))
                except OSError:
                    self.closed_by_hub += 1
                    sock.close()
                    again = self._connect(kind)
                    if again is not None:
                        alive.append(again)
            conns = alive
            self.stop.wait(0.5)
        for sock, _kind, _pos in conns:
            sock.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "sqlite":
        yield ""
        return
    if not POSTGRES:
        pytest.skip("no PostgreSQL server named (KHUYENHOC_BENCH_HUB_POSTGRES_URL)")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"kh_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(POSTGRES), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_communes_push_chains_while_slow_uploads_attack(tmp_path: Path, database_url: str) -> None:
    province = upper.init_province(
        tmp_path / "tinh", "Tỉnh đo tải", tmp_path / "goi", database_url=database_url
    )
    chain = _chain_parts(tmp_path, province.package)
    codes = _codes(COMMUNES)
    signers = [Ed25519PrivateKey.generate() for _ in codes]
    ws = open_workspace(province.data_dir)
    try:
        for code, key in zip(codes, signers, strict=True):
            public = keys.public_hex(key)
            reg = tmp_path / "reg.json"
            reg.write_text(
                json.dumps(
                    {
                        "format": upper.REGISTRATION_FORMAT,
                        "commune_code": code,
                        "installation_id": str(uuid.uuid5(uuid.NAMESPACE_OID, code)),
                        "key_id": keys.key_id_of(public),
                        "public_key": public,
                    }
                ),
                "utf-8",
            )
            upper.accept_key(ws.db, str(reg))
    finally:
        ws.close()
    chains = [_chain_for(code, key, chain) for code, key in zip(codes, signers, strict=True)]

    hub = subprocess.Popen(
        [*HUB_COMMAND, "--data-dir", str(province.data_dir), "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    attacker: _Attacker | None = None
    try:
        assert hub.stdout is not None
        match = re.search(r"http://127\.0\.0\.1:(\d+)", hub.stdout.readline())
        assert match, "the hub did not start"
        port = int(match.group(1))
        attacker = _Attacker(port, Ed25519PrivateKey.generate())
        attacker.thread.start()
        time.sleep(2.0)  # the attack is under way before the communes start
        url = f"http://127.0.0.1:{port}"
        local = threading.local()

        def push_chain(i: int) -> list[tuple[str, float]]:
            if not hasattr(local, "client"):
                local.client = httpx.Client(base_url=url, timeout=120, trust_env=False)
            done = []
            for data in chains[i]:
                started = time.perf_counter()
                answer = local.client.post(
                    UPLOAD, content=data, headers=_signed_headers(signers[i], data)
                )
                status = answer.json().get("status", answer.text)
                done.append((str(status), time.perf_counter() - started))
            return done

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            results = [
                r
                for chain_results in pool.map(push_chain, range(len(codes)))
                for r in chain_results
            ]
        total = time.perf_counter() - started
        # Past the hub's header deadline (10 s), so the attack meets it at least once.
        while time.monotonic() - attacker.started < 15:
            time.sleep(0.5)
        health = httpx.get(f"{url}/api/v1/health", timeout=5, trust_env=False).status_code
        peak_mb = _peak_rss_mb(hub.pid)
    finally:
        if attacker is not None:
            attacker.stop.set()
            attacker.thread.join(30)
        hub.send_signal(signal.SIGINT)
        hub.communicate(timeout=60)

    statuses = [s for s, _t in results]
    lost = len(codes) * BUNDLES - statuses.count("applied")
    ws = open_workspace(province.data_dir)
    try:
        with ws.db.connect() as conn:
            applied = conn.execute(select(func.count()).select_from(SyncLedger)).scalar_one()
    finally:
        ws.close()
    held = list((province.data_dir / "sync" / "held").rglob("*.khb"))
    incoming = list((province.data_dir / "sync" / "incoming").glob("*"))
    durations = sorted(t for _s, t in results)
    report(
        "hub_load_under_attack",
        engine="postgresql" if database_url else "sqlite",
        communes=len(codes),
        bundles_each=BUNDLES,
        clients=CLIENTS,
        slow_connections=SLOW,
        seconds=total,
        requests_per_s=len(results) / total,
        p50_upload_s=durations[len(durations) // 2],
        p95_upload_s=durations[max(0, round(0.95 * len(durations)) - 1)],
        max_upload_s=durations[-1],
        lost=lost,
        hub_peak_rss_mb=peak_mb,
        attack_connections_opened=attacker.opened if attacker else 0,
        attack_connections_closed_by_hub=attacker.closed_by_hub if attacker else 0,
    )
    assert lost == 0, [s for s in statuses if s != "applied"][:5]
    assert applied == len(codes) * BUNDLES
    assert held == [] and incoming == []  # the attacker stored nothing
    assert health == 200
    assert attacker is not None and attacker.closed_by_hub > 0
    assert peak_mb <= 500
