"""Province import of the same full commune bundle twice: the second bundle holds the
same revisions, so every record is compared with the one held (equal revision but a
different content is a conflict) — this measures what that comparison costs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app import paths
from app.core.backup import make_backup
from app.core.sync import importer, upper
from app.core.sync.state import load_config_package
from app.core.sync.writer import export_bundle
from app.core.workspace import open_workspace
from tests.benchmarks.conftest import report

pytestmark = pytest.mark.benchmark


def test_reimporting_an_unchanged_full_bundle(demo_dir: Path, tmp_path: Path) -> None:
    made = upper.init_province(tmp_path / "tinh", "Tỉnh đo tốc độ", tmp_path / "goi")
    commune_dir = tmp_path / "xa"
    commune_dir.mkdir()
    make_backup(paths.database_path(demo_dir), paths.database_path(commune_dir))
    ws = open_workspace(commune_dir)
    try:
        load_config_package(ws.db, made.package)
        first = export_bundle(ws.db, tmp_path / "usb1", full=True).file
        second = export_bundle(ws.db, tmp_path / "usb2", full=True).file
    finally:
        ws.close()
    prov = open_workspace(made.data_dir)
    try:
        upper.accept_key(prov.db, str(first))
        started = time.perf_counter()
        [a] = importer.import_paths(prov.db, [first])
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        [b] = importer.import_paths(prov.db, [second])
        second_seconds = time.perf_counter() - started
    finally:
        prov.close()
    assert (a.status, b.status) == ("applied", "applied"), (a.reason, b.reason)
    unchanged = sum(c["unchanged"] for c in b.counts.values())
    assert sum(c["conflicts"] for c in b.counts.values()) == 0
    report(
        "sync_province_reimport",
        records=unchanged,
        first_seconds=first_seconds,
        second_unchanged_seconds=second_seconds,
    )
