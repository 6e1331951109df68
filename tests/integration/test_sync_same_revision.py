# ruff: noqa: F811  (pytest fixtures imported from test_sync_fixtures)
"""Two histories that edited the same revision differently: a laptop restored from an
old copy and then edited sends a record with the revision the province already holds,
but another content. The province must not count it "unchanged" (the difference would
be lost): it records a conflict for a person to settle. Same on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app import paths
from app.core.db import Database
from app.core.models import Hamlet, LocalState
from app.core.models.sync import SyncExport, SyncRecord
from app.core.sync import conflicts, upper
from app.core.sync.writer import export_bundle
from app.core.workspace import Workspace, open_workspace
from tests.integration.test_sync_fixtures import (  # noqa: F401  (fixtures)
    Commune,
    Province,
    make_commune,
)

NEW_INSTALLATION = "2" * 8 + "-2222-4222-8222-" + "2" * 12


@pytest.fixture(params=["sqlite", "postgresql"])
def province(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Province]:
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else ""
    data_dir = tmp_path / "tinh"
    made = upper.init_province(
        data_dir, "Hội Khuyến học tỉnh Hưng Yên", tmp_path / "goi", database_url=url
    )
    ws = open_workspace(data_dir)
    try:
        yield Province(data_dir, ws, made.package)
    finally:
        ws.close()


def _rename(db: Database, old: str, new: str) -> None:
    from app.core.registry.hamlets import HamletInput, update_hamlet

    with db.session() as s:
        hamlet_id = s.scalars(select(Hamlet.id).where(Hamlet.name == old)).one()
    update_hamlet(db, hamlet_id, HamletInput(name=new))


@pytest.fixture
def restored_laptop(
    province: Province, make_commune: Callable[..., Commune], tmp_path: Path
) -> Iterator[Callable[[], Workspace]]:
    """The commune's first bundle is applied and a copy kept; the commune then renames
    "Thôn Đông" (revision 2, applied). ``restore()`` opens the copy as a new installation
    (a laptop restored from it), with its key accepted by the province."""
    from app.core.backup import make_backup

    commune = make_commune()
    assert province.import_(commune.export().file)[0].status == "applied"
    copy = make_backup(commune.db.path, tmp_path / "ban-sao.sqlite3")
    _rename(commune.db, "Thôn Đông", "Thôn Đông Sửa")
    assert province.import_(commune.export().file)[0].status == "applied"
    opened: list[Workspace] = []

    def restore() -> Workspace:
        laptop_dir = tmp_path / "may-khoi-phuc"
        laptop_dir.mkdir()
        copy.rename(paths.database_path(laptop_dir))
        laptop = open_workspace(laptop_dir)
        opened.append(laptop)
        with laptop.db.session() as s:
            s.execute(update(LocalState).values(installation_id=NEW_INSTALLATION))
            s.execute(SyncExport.__table__.delete())
        reg = tmp_path / "reg-may.json"
        reg.write_text(json.dumps(upper.registration(laptop.db)), "utf-8")
        upper.accept_key(province.db, str(reg))
        return laptop

    yield restore
    for ws in opened:
        ws.close()


def _hamlets(province: Province) -> dict[str, str]:
    return {u: d["name"] for u, (_r, _x, d) in province.records("hamlet").items()}


def test_same_revision_with_other_content_is_a_conflict_not_unchanged(
    province: Province, restored_laptop: Callable[[], Workspace], tmp_path: Path
) -> None:
    laptop = restored_laptop()
    _rename(laptop.db, "Thôn Đông", "Thôn Đông Mới")  # revision 2 too, other name
    before = _hamlets(province)
    sent = export_bundle(laptop.db, tmp_path / "usb", full=True).file
    [dry] = province.import_(sent, dry_run=True)
    assert dry.status == "applied" and dry.counts["hamlet"]["conflicts"] == 1
    assert conflicts.list_conflicts(province.db) == []  # a dry run records nothing

    [outcome] = province.import_(sent)
    assert outcome.status == "applied", outcome.reason
    assert outcome.counts["hamlet"] == {
        "new": 0,
        "updated": 0,
        "deleted": 0,
        "unchanged": 1,  # "Thôn Đoài", the same on both sides
        "conflicts": 1,
    }
    assert _hamlets(province) == before  # the held version stays until a person decides
    [conflict] = conflicts.list_conflicts(province.db)
    assert (conflict.held_revision, conflict.incoming_revision) == (2, 2)
    assert conflict.same_revision and conflict.kind_label.startswith("Cùng lần sửa")
    [change] = conflict.changes()
    assert (change.held, change.incoming) == ("Thôn Đông Sửa", "Thôn Đông Mới")


def test_choosing_the_incoming_version_of_a_same_revision_conflict(
    province: Province, restored_laptop: Callable[[], Workspace], tmp_path: Path
) -> None:
    laptop = restored_laptop()
    _rename(laptop.db, "Thôn Đông", "Thôn Đông Mới")
    province.import_(export_bundle(laptop.db, tmp_path / "usb", full=True).file)
    [conflict] = conflicts.list_conflicts(province.db)
    conflicts.resolve(province.db, conflict.id, "incoming", "Nguyễn Thị Thu")
    assert _hamlets(province)[conflict.uuid] == "Thôn Đông Mới"
    assert province.records("hamlet")[conflict.uuid][0] == 2
    [entry] = conflicts.resolved(province.db)
    assert entry["held"]["name"] == "Thôn Đông Sửa"


def test_an_identical_full_bundle_again_is_all_unchanged(
    province: Province, make_commune: Callable[..., Commune]
) -> None:
    commune = make_commune()
    _rename(commune.db, "Thôn Đông", "Thôn Đông Sửa")
    province.import_(commune.export(full=True).file)
    [again] = province.import_(commune.export(full=True).file)
    assert again.status == "applied"
    assert again.counts["hamlet"]["unchanged"] == 2 and again.counts["hamlet"]["conflicts"] == 0
    assert conflicts.list_conflicts(province.db) == []


def test_contents_are_compared_as_json_objects_not_as_text(
    province: Province, make_commune: Callable[..., Commune]
) -> None:
    """A held record written with other spacing, key order or escapes (e.g. after a
    resolved conflict) is the same record: no conflict."""
    commune = make_commune()
    _rename(commune.db, "Thôn Đông", "Thôn Đông Sửa")
    province.import_(commune.export(full=True).file)
    with province.db.session() as s:
        for rid, data in s.execute(select(SyncRecord.id, SyncRecord.data)).all():
            respelled = json.dumps(json.loads(data), sort_keys=True, indent=1, ensure_ascii=True)
            assert respelled != data
            s.execute(update(SyncRecord).where(SyncRecord.id == rid).values(data=respelled))
    [again] = province.import_(commune.export(full=True).file)
    assert again.counts["hamlet"]["conflicts"] == 0 and again.counts["hamlet"]["unchanged"] == 2
