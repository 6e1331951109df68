"""The province hub under load: KHUYENHOC_BENCH_HUB_COMMUNES communes (100 by default)
each push one full bundle of the demo commune to one hub on this machine (a separate
process, `khuyenhoc hub serve`), through a bounded load generator of
KHUYENHOC_BENCH_HUB_CLIENTS concurrent HTTP clients (8 by default) on loopback.

The bundles: one real full export of the generated demo commune
(KHUYENHOC_BENCH_HOUSEHOLDS households, ≈146,000 records at 10,000), re-signed per
commune with that commune's own key, code and installation. Records carry no commune
code (FORMAT.md), so each is a distinct, valid bundle of realistic size, and the hub
does all of its work for each one: verify, decrypt, inflate, validate, apply. Figures
are reported raw and per 50,000 records (the issue's size of a commune).

The hub stores in SQLite unless KHUYENHOC_BENCH_HUB_POSTGRES_URL names a PostgreSQL
server (a role that may create databases): then a fresh database is created for the run
(`province init --database`) and dropped afterwards.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
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

from app.core.communes import communes_of, provinces
from app.core.models.sync import SyncLedger
from app.core.sync import bundle, keys, upper
from app.core.sync.request_auth import (
    HEADER_BODY,
    HEADER_KEY,
    HEADER_SIGNATURE,
    HEADER_TIME,
    request_message,
)
from app.core.sync.state import load_config_package
from app.core.sync.writer import export_bundle
from app.core.workspace import open_workspace
from tests.benchmarks.conftest import report
from tests.benchmarks.test_bench_sync import _copy_commune

pytestmark = pytest.mark.benchmark

COMMUNES = int(os.environ.get("KHUYENHOC_BENCH_HUB_COMMUNES", "100"))
CLIENTS = int(os.environ.get("KHUYENHOC_BENCH_HUB_CLIENTS", "8"))
POSTGRES = os.environ.get("KHUYENHOC_BENCH_HUB_POSTGRES_URL", "")
TARGET_RECORDS = 50_000
UPLOAD = "/api/v1/bundles"
HUB_COMMAND = (sys.executable, "-m", "app", "hub", "serve")
ROOT = Path(__file__).resolve().parents[2]


def _codes(count: int) -> list[str]:
    found: list[str] = []
    for p in provinces():
        found += [c.code for c in communes_of(p.code)]
        if len(found) >= count:
            break
    return found[:count]


class _Resigner:
    """The base bundle's encrypted parts under a new manifest and key per commune."""

    def __init__(self, data: bytes) -> None:
        base = bundle.parse(data)
        keep = ("format", "format_version", "counts", "parts")
        self.manifest = {k: v for k, v in base.manifest.items() if k not in keep}
        self.parts = [
            (p["entity"], p["records"], p["raw_size"], base.parts[p["name"]])
            for p in base.manifest["parts"]
        ]
        self.records = sum(int(n) for n in base.manifest["counts"].values())

    def build(self, code: str, key: Ed25519PrivateKey) -> bytes:
        public = keys.public_hex(key)
        manifest = {
            **self.manifest,
            "commune_code": code,
            "commune_name": f"Xã mã {code}",
            "installation_id": str(uuid.uuid5(uuid.NAMESPACE_OID, code)),
            "key_id": keys.key_id_of(public),
            "public_key": public,
        }
        data, _bundle_id = bundle.build(manifest, self.parts, key.sign)
        return data


def _signed_headers(key: Ed25519PrivateKey, data: bytes) -> dict[str, str]:
    digest = hashlib.sha256(data).hexdigest()
    stamp = int(time.time())
    signature = key.sign(request_message("POST", UPLOAD, stamp, digest))
    return {
        HEADER_KEY: keys.public_hex(key),
        HEADER_TIME: str(stamp),
        HEADER_BODY: digest,
        HEADER_SIGNATURE: signature.hex(),
        "Content-Type": "application/octet-stream",
    }


def _peak_rss_mb(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", text)
    return int(match.group(1)) / 1024 if match else float("nan")


def _base_bundle(demo_dir: Path, tmp_path: Path, package: Path) -> bytes:
    data_dir = _copy_commune(demo_dir, tmp_path / "xa-goc", "12205")
    ws = open_workspace(data_dir)
    try:
        load_config_package(ws.db, package)
        return export_bundle(ws.db, None, full=True).archived.read_bytes()
    finally:
        ws.close()


@pytest.fixture
def database_url() -> Iterator[str]:
    """ "" for SQLite, or a fresh PostgreSQL database for this run."""
    if not POSTGRES:
        yield ""
        return
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
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def test_hundred_communes_push_to_one_hub(
    demo_dir: Path, tmp_path: Path, database_url: str
) -> None:
    province = upper.init_province(
        tmp_path / "tinh", "Tỉnh đo tải", tmp_path / "goi", database_url=database_url
    )
    resigner = _Resigner(_base_bundle(demo_dir, tmp_path, province.package))
    codes = _codes(COMMUNES)
    signers = [Ed25519PrivateKey.generate() for _ in codes]
    ws = open_workspace(province.data_dir)
    try:
        for code, key in zip(codes, signers, strict=True):
            reg = tmp_path / "reg.json"
            public = keys.public_hex(key)
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

    hub = subprocess.Popen(
        [*HUB_COMMAND, "--data-dir", str(province.data_dir), "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # the access log: a full pipe would stall the hub
        text=True,
    )
    try:
        assert hub.stdout is not None
        match = re.search(r"http://127\.0\.0\.1:(\d+)", hub.stdout.readline())
        assert match, "the hub did not start"
        url = f"http://127.0.0.1:{match.group(1)}"
        local = threading.local()

        def push(i: int) -> tuple[str, float, int]:
            if not hasattr(local, "client"):
                local.client = httpx.Client(base_url=url, timeout=600, trust_env=False)
            data = resigner.build(codes[i], signers[i])
            headers = _signed_headers(signers[i], data)
            started = time.perf_counter()
            answer = local.client.post(UPLOAD, content=data, headers=headers)
            seconds = time.perf_counter() - started
            return answer.json().get("status", answer.text), seconds, len(data)

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            results = list(pool.map(push, range(len(codes))))
        total = time.perf_counter() - started
        peak_mb = _peak_rss_mb(hub.pid)
    finally:
        hub.send_signal(signal.SIGINT)
        hub.communicate(timeout=60)

    statuses = [status for status, _s, _n in results]
    assert statuses == ["applied"] * len(codes), statuses[:5]
    ws = open_workspace(province.data_dir)
    try:
        with ws.db.connect() as conn:
            applied = conn.execute(select(func.count()).select_from(SyncLedger)).scalar_one()
    finally:
        ws.close()
    assert applied == len(codes)
    durations = sorted(s for _st, s, _n in results)
    p95 = durations[max(0, round(0.95 * len(durations)) - 1)]
    # Per 50,000 records: scaled down from the demo's size (never up: a tiny test
    # bundle is all fixed per-request cost).
    scale = min(1.0, TARGET_RECORDS / resigner.records)
    report(
        "hub_push",
        engine="postgresql" if database_url else "sqlite",
        communes=len(codes),
        clients=CLIENTS,
        records_per_bundle=resigner.records,
        bundle_mb=results[0][2] / 1e6,
        seconds=total,
        requests_per_s=len(codes) / total,
        p50_upload_s=durations[len(durations) // 2],
        p95_upload_s=p95,
        hub_peak_rss_mb=peak_mb,
        extrapolated_100=total / len(codes) * 100,
        per_50k_records_100_s=total / len(codes) * 100 * scale,
    )
    assert total / len(codes) * 100 * scale <= 120
    assert peak_mb <= 500
