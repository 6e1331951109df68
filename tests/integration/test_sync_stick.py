# ruff: noqa: F811  (pytest fixtures imported from test_sync_fixtures)
"""Pull-the-stick: an export killed with SIGKILL at random moments leaves either no
bundle or a complete one that verifies, and the export mark moves only with it."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from app.core.sync import bundle
from app.core.sync.writer import archive_dir, export_mark, history
from tests.integration.test_sync_fixtures import (  # noqa: F401  (fixtures)
    Commune,
    Province,
    make_commune,
    province,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


def _start(commune: Commune, full: bool) -> subprocess.Popen[bytes]:
    args = ["bundle", "export", "--out", str(commune.usb), *(["--full"] if full else [])]
    code = f"from app.cli import main; raise SystemExit(main({args!r}))"
    env = {**os.environ, "KHUYENHOC_DATA_DIR": str(commune.data_dir)}
    return subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _bundles(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.khb")) if folder.is_dir() else []


def test_killing_the_export_never_leaves_a_half_bundle(
    province: Province, make_commune: Callable[..., Commune]
) -> None:
    commune = make_commune(households=400)
    started = time.perf_counter()
    proc = _start(commune, full=True)
    assert proc.wait(60) == 0, proc.stderr.read() if proc.stderr else ""
    duration = time.perf_counter() - started
    rng = random.Random(2026)
    for _round in range(12):
        mark_before = export_mark(commune.db)
        seqs_before = {e.seq for e in history(commune.db)}
        proc = _start(commune, full=True)
        time.sleep(rng.uniform(0.2 * duration, 1.1 * duration))
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        for path in _bundles(commune.usb) + _bundles(archive_dir(commune.data_dir)):
            bundle.parse(path.read_bytes())  # every file named *.khb is complete
        new = {e.seq for e in history(commune.db)} - seqs_before
        if export_mark(commune.db) != mark_before or new:
            for seq in new:
                entry = next(e for e in history(commune.db) if e.seq == seq)
                bundle.parse((archive_dir(commune.data_dir) / entry.file_name).read_bytes())
    # The next export adopts any complete orphan instead of reusing its number, so
    # the province receives one unbroken chain.
    final = _start(commune, full=False)
    assert final.wait(60) == 0
    outcomes = province.import_(archive_dir(commune.data_dir))
    assert outcomes and all(o.status == "applied" for o in outcomes), [
        (o.seq, o.status, o.reason) for o in outcomes
    ]
    assert [o.seq for o in outcomes] == list(range(1, len(outcomes) + 1))
    usb = province.import_(commune.usb)
    assert all(o.status == "replay" for o in usb), [(o.seq, o.status) for o in usb]


def test_killing_the_import_leaves_all_or_nothing(
    province: Province, make_commune: Callable[..., Commune]
) -> None:
    import sqlite3

    from app import paths

    commune = make_commune(households=400)
    result = commune.export()
    expected = sum(result.counts.values())
    province.ws.close()  # the subprocess takes the folder lock
    rng = random.Random(11)
    code = "from app.cli import main; raise SystemExit(main())"
    env = {**os.environ, "KHUYENHOC_DATA_DIR": str(province.data_dir)}
    for delay in [rng.uniform(0.3, 2.5) for _ in range(6)]:
        proc = subprocess.Popen(
            [sys.executable, "-c", code, "bundle", "import", str(result.file)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        conn = sqlite3.connect(paths.database_path(province.data_dir))
        try:
            ledger = conn.execute("SELECT count(*) FROM sync_ledger").fetchone()[0]
            records = conn.execute("SELECT count(*) FROM sync_record").fetchone()[0]
        finally:
            conn.close()
        assert (ledger, records) in ((0, 0), (1, expected))
