# ruff: noqa: F811  (pytest fixtures imported from test_sync_fixtures)
"""Conflicts at the province: an older revision from a restored laptop is shown beside
the held one; a person keeps either, and the other version stays on record."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app import paths
from app.core.db import Database
from app.core.errors import UserError
from app.core.models import Hamlet, LocalState
from app.core.models.sync import SyncConflict, SyncExport
from app.core.sync import conflicts
from app.core.workspace import Workspace, open_workspace
from tests.integration.test_sync_fixtures import (  # noqa: F401  (fixtures)
    Commune,
    Province,
    make_commune,
    province,
)


@dataclass
class Diverged:
    province: Province
    laptop: Workspace


Edit = Callable[[Database], None]


@pytest.fixture
def diverge(
    province: Province, make_commune: Callable[..., Commune], tmp_path: Path
) -> Iterator[Callable[..., Diverged]]:
    """The commune makes ``edit`` (applied at the province); then a laptop restored from
    the copy before the edit, under a new installation and key, sends the old revisions."""
    from app.core.backup import make_backup
    from app.core.sync import upper
    from app.core.sync.writer import export_bundle

    opened: list[Workspace] = []

    def _diverge(edit: Edit, before: Edit | None = None) -> Diverged:
        commune = make_commune()
        if before is not None:
            before(commune.db)
        old_copy = make_backup(commune.db.path, tmp_path / "cu.sqlite3")
        edit(commune.db)
        assert province.import_(commune.export().file)[0].status == "applied"
        laptop_dir = tmp_path / "may-moi"
        laptop_dir.mkdir()
        old_copy.rename(paths.database_path(laptop_dir))
        laptop = open_workspace(laptop_dir)
        opened.append(laptop)
        with laptop.db.session() as s:
            s.execute(
                update(LocalState).values(installation_id="1" * 8 + "-1111-4111-8111-" + "1" * 12)
            )
            s.execute(SyncExport.__table__.delete())
        result = export_bundle(laptop.db, tmp_path / "usb2", full=True)
        upper.accept_key(province.db, str(result.file))
        [outcome] = province.import_(result.file)
        assert outcome.status == "applied", outcome.reason
        return Diverged(province, laptop)

    yield _diverge
    for ws in opened:
        ws.close()


def _hamlet_id(db: Database, name: str) -> int:
    with db.session() as s:
        return int(s.scalars(select(Hamlet.id).where(Hamlet.name == name)).one())


def _rename_dong(db: Database) -> None:
    from app.core.registry.hamlets import HamletInput, update_hamlet

    update_hamlet(db, _hamlet_id(db, "Thôn Đông"), HamletInput(name="Thôn Đông Sửa"))


@pytest.fixture
def diverged(diverge: Callable[..., Diverged]) -> Diverged:
    """The commune renamed "Thôn Đông" (revision 2); the laptop sends revision 1."""
    return diverge(_rename_dong)


def _hamlet_names(province: Province) -> set[str]:
    return {d["name"] for _r, _x, d in province.records("hamlet").values()}


def test_a_conflict_lists_both_versions_with_vietnamese_labels(diverged: Diverged) -> None:
    [conflict] = conflicts.list_conflicts(diverged.province.db)
    assert conflict.commune_code == "12205" and conflict.entity_label == "Thôn / Tổ dân phố"
    assert (conflict.held_revision, conflict.incoming_revision) == (2, 1)
    assert conflict.title == "Thôn Đông Sửa"
    [change] = conflict.changes()
    assert (change.label, change.held, change.incoming) == ("Tên", "Thôn Đông Sửa", "Thôn Đông")
    assert conflicts.list_conflicts(diverged.province.db, "99999") == []


def test_keeping_the_held_version_changes_no_record_and_logs_both(
    diverged: Diverged,
) -> None:
    province = diverged.province
    before = province.records("hamlet")
    [conflict] = conflicts.list_conflicts(province.db)
    done = conflicts.resolve(province.db, conflict.id, "keep", "Trần Thị Hạnh")
    assert province.records("hamlet") == before
    assert conflicts.list_conflicts(province.db) == []
    [entry] = [json.loads(line) for line in done.log.read_text("utf-8").splitlines()]
    assert entry["resolution"] == "keep" and entry["resolved_by"] == "Trần Thị Hạnh"
    assert entry["held"]["name"] == "Thôn Đông Sửa" and entry["incoming"]["name"] == "Thôn Đông"
    assert conflicts.resolved(province.db) == [entry]


def test_using_the_incoming_version_replaces_the_record_and_keeps_the_old_on_record(
    diverged: Diverged,
) -> None:
    province = diverged.province
    [conflict] = conflicts.list_conflicts(province.db)
    conflicts.resolve(province.db, conflict.id, "incoming", "Trần Thị Hạnh")
    assert "Thôn Đông" in _hamlet_names(province)
    assert "Thôn Đông Sửa" not in _hamlet_names(province)
    revision, _deleted, _data = province.records("hamlet")[conflict.uuid]
    assert revision == 1  # the laptop's next edit (revision 2) will apply
    [entry] = conflicts.resolved(province.db, "12205")
    assert entry["held"]["name"] == "Thôn Đông Sửa" and entry["held_revision"] == 2
    with province.db.session() as s:
        assert s.scalars(select(SyncConflict)).all() == []


def test_a_conflict_is_resolved_only_once_and_needs_a_name(diverged: Diverged) -> None:
    province = diverged.province
    [conflict] = conflicts.list_conflicts(province.db)
    with pytest.raises(UserError, match="tên người quyết định"):
        conflicts.resolve(province.db, conflict.id, "keep", "  ")
    digest = province.digest()
    conflicts.resolve(province.db, conflict.id, "keep", "Lê Văn Nam")
    assert province.digest() != digest
    with pytest.raises(UserError, match="đã được giải quyết"):
        conflicts.resolve(province.db, conflict.id, "incoming", "Lê Văn Nam")
    assert len(conflicts.resolved(province.db)) == 1


def test_a_refused_commit_leaves_no_resolution_on_record(
    diverged: Diverged, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The log line is written last before the commit; if writing it fails the conflict
    stays open and the record untouched."""
    province = diverged.province
    [conflict] = conflicts.list_conflicts(province.db)
    digest = province.digest()

    def full_disk(_path: Path, _entry: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(conflicts, "_append_line", full_disk)
    with pytest.raises(UserError, match="Không ghi được"):
        conflicts.resolve(province.db, conflict.id, "incoming", "Lê Văn Nam")
    assert province.digest() == digest
    assert len(conflicts.list_conflicts(province.db)) == 1


def test_a_reference_is_shown_by_the_name_of_the_record_it_points_to(
    diverge: Callable[..., Diverged],
) -> None:
    from app.core.models import Clan
    from app.core.registry.clans import ClanInput, create_clan, update_clan

    def make_clan(db: Database) -> None:
        create_clan(db, ClanInput("Nguyễn Đình", hamlet_id=_hamlet_id(db, "Thôn Đông")))

    def move_clan(db: Database) -> None:
        with db.session() as s:
            clan = s.scalars(select(Clan.id)).one()
        update_clan(db, clan, ClanInput("Nguyễn Đình", hamlet_id=_hamlet_id(db, "Thôn Đoài")))

    province = diverge(move_clan, before=make_clan).province
    [conflict] = conflicts.list_conflicts(province.db)
    assert conflict.entity_label == "Dòng họ" and conflict.title == "Nguyễn Đình"
    [change] = conflict.changes()
    assert change.label == "Thôn / TDP"
    assert (conflict.shown(change.held), conflict.shown(change.incoming)) == (
        "Thôn Đoài",
        "Thôn Đông",
    )
    assert conflict.shown(None) == "(trống)" and conflict.shown(False) == "không"
