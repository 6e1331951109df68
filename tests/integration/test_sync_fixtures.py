"""Shared fixtures of the sync tests: a province, communes that loaded its package, forging.

Imported by the other ``test_sync_*`` modules; it holds no tests of its own.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app import paths
from app.core.db import Database
from app.core.models.base import utcnow
from app.core.sync import bundle, keys, state, upper
from app.core.sync.importer import Outcome, import_paths
from app.core.sync.writer import ExportResult, export_bundle
from app.core.workspace import Workspace, init_commune, open_workspace


@dataclass
class Province:
    data_dir: Path
    ws: Workspace
    package: Path

    @property
    def db(self) -> Database:
        return self.ws.db

    def import_(self, *sources: Path, dry_run: bool = False) -> list[Outcome]:
        return import_paths(self.db, list(sources), dry_run=dry_run)

    def digest(self) -> str:
        conn = sqlite3.connect(f"{self.db.path.absolute().as_uri()}?mode=ro", uri=True)
        try:
            text = "\n".join(conn.iterdump())
        finally:
            conn.close()
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def records(self, entity: str) -> dict[str, tuple[int, bool, str]]:
        import json

        from sqlalchemy import select

        from app.core.models.sync import SyncRecord

        with self.db.session() as s:
            rows = s.execute(
                select(
                    SyncRecord.uuid, SyncRecord.revision, SyncRecord.deleted, SyncRecord.data
                ).where(SyncRecord.entity == entity)
            ).all()
        return {u: (r, d, json.loads(data)) for u, r, d, data in rows}


@dataclass
class Commune:
    data_dir: Path
    ws: Workspace
    usb: Path

    @property
    def db(self) -> Database:
        return self.ws.db

    def export(self, full: bool = False) -> ExportResult:
        return export_bundle(self.db, self.usb, full=full)


def _hamlets(db: Database, names: list[str]) -> None:
    from app.core.registry.hamlets import HamletInput, create_hamlet

    for name in names:
        create_hamlet(db, HamletInput(name=name))


@pytest.fixture
def province(tmp_path: Path) -> Iterator[Province]:
    data_dir = tmp_path / "tinh"
    result = upper.init_province(data_dir, "Hội Khuyến học tỉnh Hưng Yên", tmp_path / "goi")
    ws = open_workspace(data_dir)
    try:
        yield Province(data_dir, ws, result.package)
    finally:
        ws.close()


@pytest.fixture
def make_commune(tmp_path: Path, province: Province) -> Iterator[Callable[..., Commune]]:
    opened: list[Workspace] = []

    def _make(
        code: str = "12205",
        name: str = "xa",
        households: int = 0,
        keys_from: Commune | None = None,
        pin: bool = True,
    ) -> Commune:
        data_dir = tmp_path / name
        if households:
            from app.core.demo import generate_demo

            generate_demo(data_dir, households=households, seed=7, lock=False)
            ws = open_workspace(data_dir)
        else:
            ws = init_commune(data_dir, code, lock=False)
            _hamlets(ws.db, ["Thôn Đông", "Thôn Đoài"])
        opened.append(ws)
        if keys_from is not None:
            shutil.copytree(keys_from.data_dir / keys.KEYS_DIR, data_dir / keys.KEYS_DIR)
        state.load_config_package(ws.db, province.package)
        commune = Commune(data_dir, ws, tmp_path / f"usb-{name}")
        if pin and keys_from is None:
            reg_file = tmp_path / f"reg-{name}.json"
            import json

            reg_file.write_text(json.dumps(upper.registration(ws.db)), "utf-8")
            upper.accept_key(province.db, str(reg_file))
        return commune

    yield _make
    for ws in opened:
        ws.close()


@pytest.fixture
def commune(make_commune: Callable[..., Commune]) -> Commune:
    return make_commune()


def forge(
    commune: Commune,
    raw_parts: dict[str, bytes],
    *,
    records: dict[str, int] | None = None,
    raw_sizes: dict[str, int] | None = None,
    overrides: dict[str, Any] | None = None,
    signer: Any = None,
    seq: int = 1,
    prev: str = "",
) -> bytes:
    """A bundle signed by the commune's real key (unless ``signer``), with chosen payload."""
    import pyrage
    from pyrage import x25519

    config = state.province_config(commune.db)
    assert config is not None
    recipients = [x25519.Recipient.from_str(r) for r in config.recipients]
    key = signer or keys.signing_key(commune.data_dir)
    public = keys.public_hex(key)
    parts = []
    for entity, raw in raw_parts.items():
        count = (records or {}).get(entity, raw.count(b"\n"))
        size = (raw_sizes or {}).get(entity, len(raw))
        parts.append((entity, count, size, pyrage.encrypt(zlib.compress(raw), recipients)))
    manifest = {
        "commune_code": commune.db.commune_code,
        "commune_name": "Xã thử",
        "installation_id": commune.db.installation_id(),
        "key_id": keys.key_id_of(public),
        "public_key": public,
        "seq": seq,
        "prev_bundle_id": prev,
        "created_at": utcnow().isoformat(),
        "schema_revision": "x",
        "kind": "full",
        "since_change_seq": 0,
        "upto_change_seq": 0,
        "personal_fields": "omitted",
        "recipients": list(config.recipients),
        "criteria_sets": [],
        **(overrides or {}),
    }
    data, _bundle_id = bundle.build(manifest, parts, key.sign)
    return data


def database_path(data_dir: Path) -> Path:
    return paths.database_path(data_dir)
