# ruff: noqa: F811  (pytest fixtures imported from test_sync_fixtures)
"""The upper level on PostgreSQL (the province hub's second engine): the same Alembic
chain and the same import code as on SQLite, with the same results."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from app.core.models.sync import SyncLedger, SyncRecord
from app.core.sync import importer, keys, state, upper
from app.core.workspace import has_database, open_workspace, server_database_url
from tests.integration.test_sync_fixtures import (  # noqa: F401  (fixtures)
    Commune,
    Province,
    make_commune,
)


@pytest.fixture
def province(tmp_path: Path, postgres_url: str) -> Iterator[Province]:
    """An upper level whose records live in PostgreSQL (keys and held files on disk)."""
    data_dir = tmp_path / "tinh-pg"
    result = upper.init_province(
        data_dir, "Hội Khuyến học tỉnh Hưng Yên", tmp_path / "goi", database_url=postgres_url
    )
    ws = open_workspace(data_dir)
    try:
        yield Province(data_dir, ws, result.package)
    finally:
        ws.close()


@pytest.fixture
def twin(tmp_path: Path, province: Province) -> Iterator[Province]:
    """The same province (same keys) on SQLite, to compare what both engines store."""
    data_dir = tmp_path / "tinh-sqlite"
    shutil.copytree(province.data_dir / keys.KEYS_DIR, data_dir / keys.KEYS_DIR)
    result = upper.init_province(data_dir, "Hội Khuyến học tỉnh Hưng Yên", tmp_path / "goi2")
    ws = open_workspace(data_dir)
    try:
        yield Province(data_dir, ws, result.package)
    finally:
        ws.close()


def _stored(db: object) -> dict[tuple[str, str], tuple[int, bool, dict[str, object]]]:
    with db.session() as s:  # type: ignore[attr-defined]
        rows = s.execute(
            select(
                SyncRecord.entity,
                SyncRecord.uuid,
                SyncRecord.revision,
                SyncRecord.deleted,
                SyncRecord.data,
            )
        ).all()
    return {(e, u): (rev, bool(d), json.loads(data)) for e, u, rev, d, data in rows}


def test_the_data_folder_remembers_its_postgresql_database(province: Province) -> None:
    assert has_database(province.data_dir)
    assert server_database_url(province.data_dir).startswith("postgresql")
    assert not province.db.is_sqlite and state.is_upper(province.db)
    assert inspect(province.db.engine).has_table("sync_record")


def test_postgresql_schema_matches_the_models(province: Province) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from app.core.models import Base

    with province.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_bundles_apply_on_postgresql_exactly_as_on_sqlite(
    province: Province, twin: Province, make_commune: Callable[..., Commune], tmp_path: Path
) -> None:
    from app.core.models import Hamlet
    from app.core.registry.hamlets import (
        HamletInput,
        create_hamlet,
        delete_hamlet,
        update_hamlet,
    )

    commune = make_commune(households=12)
    upper.accept_key(twin.db, str(tmp_path / "reg-xa.json"))
    create_hamlet(commune.db, HamletInput(name="Thôn Tạm"))
    first = commune.export()
    with commune.db.session() as s:
        ids = {h.name: h.id for h in s.scalars(select(Hamlet))}
    update_hamlet(commune.db, min(ids.values()), HamletInput(name="Thôn Đông Mới"))
    delete_hamlet(commune.db, ids["Thôn Tạm"])
    second = commune.export()

    on_pg = province.import_(first.file, second.file)
    on_sqlite = twin.import_(first.file, second.file)
    assert [o.status for o in on_pg] == ["applied", "applied"]
    assert [o.counts for o in on_pg] == [o.counts for o in on_sqlite]
    assert _stored(province.db) == _stored(twin.db)
    hamlets = {u: v for (e, u), v in _stored(province.db).items() if e == "hamlet"}
    assert any(v[2].get("name") == "Thôn Đông Mới" for v in hamlets.values())
    assert sum(1 for v in hamlets.values() if v[1]) == 1  # the tombstone


def test_replay_dry_run_and_gap_behave_as_on_sqlite(
    province: Province, make_commune: Callable[..., Commune]
) -> None:
    commune = make_commune()
    first = commune.export()
    from app.core.registry.hamlets import HamletInput, create_hamlet

    create_hamlet(commune.db, HamletInput(name="Thôn Bắc"))
    second = commune.export()

    [dry] = province.import_(first.file, dry_run=True)
    assert dry.status == "applied" and dry.dry_run
    with province.db.session() as s:
        assert s.scalar(select(func.count()).select_from(SyncRecord)) == 0
        assert s.scalar(select(func.count()).select_from(SyncLedger)) == 0

    [gap] = province.import_(second.file)
    assert gap.status == "gap"
    outcomes = province.import_(first.file)
    assert [o.status for o in outcomes] == ["applied", "applied"]  # the gap released itself
    [again] = province.import_(first.file)
    assert again.status == "replay"
    [status] = importer.consolidation(province.db)
    from app.core.assessment.criteria import builtin_keys

    # Three hamlets, plus the shipped criteria sets a commune holds from its creation.
    held = 3 + len(builtin_keys())
    assert status.last_seq == 2 and status.gaps == 0 and status.records == held


def test_a_receipt_from_a_postgresql_province_verifies_at_the_commune(
    province: Province, make_commune: Callable[..., Commune]
) -> None:
    commune = make_commune()
    result = commune.export()
    province.import_(result.file)
    receipt = upper.bundle_receipt(province.db, result.bundle_id)
    assert receipt is not None and receipt == upper.bundle_receipt(province.db, result.bundle_id)
    assert upper.load_receipt_bytes(commune.db, receipt) == 1
