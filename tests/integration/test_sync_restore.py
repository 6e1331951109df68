# ruff: noqa: F811  (pytest fixtures imported from test_sync_fixtures)
"""Restoring a backup must not break upward sync.

The restored file has the backup's change counter and export log, while the
province already holds the bundles written after it. The next incremental bundle
covered an inverted range (since 15384, upto 15383) and was empty: an edit made
after the restore never reached the province.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from app import paths
from app.cli import main
from app.core import backup
from app.core.models import Hamlet
from app.core.registry.hamlets import HamletInput, create_hamlet, update_hamlet
from app.core.sync import bundle
from app.core.workspace import open_workspace
from tests.integration.test_sync_fixtures import (  # noqa: F401  (fixtures)
    Commune,
    Province,
    make_commune,
    province,
)


def _rename(commune: Commune, old: str, new: str) -> None:
    with commune.db.session() as s:
        hamlet_id = s.scalars(select(Hamlet.id).where(Hamlet.name == old)).one()
    update_hamlet(commune.db, hamlet_id, HamletInput(name=new))


def _names_at_province(province: Province) -> set[str]:
    return {
        data["name"] for _r, deleted, data in province.records("hamlet").values() if not deleted
    }


def _restore(commune: Commune, made: Path, via_cli: bool = False) -> str:
    commune.ws.close()
    if via_cli:
        args = ["--data-dir", str(commune.data_dir), "restore", str(made), "--yes"]
        assert main(args) == 0
    else:
        backup.restore_backup(paths.database_path(commune.data_dir), made)
    commune.ws = open_workspace(commune.data_dir)
    return ""


def test_an_edit_after_a_restore_reaches_the_province(
    province: Province, make_commune: Callable[..., Commune]
) -> None:
    commune = make_commune()
    assert province.import_(commune.export().file)[0].status == "applied"
    made = backup.make_backup(commune.db.path)
    create_hamlet(commune.db, HamletInput(name="Thôn Mới Lập"))
    _rename(commune, "Thôn Đông", "Thôn Đông Hạ")
    second = commune.export()
    assert province.import_(second.file)[0].status == "applied"

    _restore(commune, made)
    _rename(commune, "Thôn Đoài", "Thôn Đoài Thượng")  # the edit after the restore
    third = commune.export()

    m = bundle.parse(third.file.read_bytes()).manifest
    assert m["since_change_seq"] <= m["upto_change_seq"], "no inverted range"
    assert third.after_restore and third.kind == "full"
    assert third.seq == second.seq + 1, "the chain goes on after the bundles already sent"
    [outcome] = province.import_(third.file)
    assert outcome.status == "applied", outcome.reason
    assert "Thôn Đoài Thượng" in _names_at_province(province)
    # The hamlet made after the backup is gone at the commune: the province keeps
    # it and says so instead of holding it silently.
    assert outcome.counts["hamlet"]["absent"] == 1
    assert "1 bản ghi tỉnh đang giữ không có trong gói đầy đủ" in outcome.reason
    assert "Thôn Mới Lập" in _names_at_province(province)

    # Afterwards the bundles are incremental again and carry the next edit.
    _rename(commune, "Thôn Đoài Thượng", "Thôn Đoài Trung")
    fourth = commune.export()
    m = bundle.parse(fourth.file.read_bytes()).manifest
    assert fourth.kind == "incremental" and not fourth.after_restore
    assert m["since_change_seq"] < m["upto_change_seq"]
    assert fourth.counts["hamlet"] == 1
    assert province.import_(fourth.file)[0].status == "applied"
    assert "Thôn Đoài Trung" in _names_at_province(province)


def test_restore_on_the_command_line_says_the_next_bundle_is_full(
    province: Province,
    make_commune: Callable[..., Commune],
    capsys: pytest.CaptureFixture[str],
) -> None:
    commune = make_commune()
    province.import_(commune.export().file)
    made = backup.make_backup(commune.db.path)
    commune.ws.close()
    capsys.readouterr()
    args = ["--data-dir", str(commune.data_dir), "restore", str(made), "--yes", "--json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert "gói đầy đủ" in data["sync_note"]
    commune.ws = open_workspace(commune.data_dir)
    result = commune.export()
    assert result.after_restore and result.kind == "full"


def test_a_file_copied_back_by_hand_is_caught_by_the_counter(
    province: Province, make_commune: Callable[..., Commune]
) -> None:
    """No restore note (the file was copied back outside the program): the counter
    below the export mark gives it away, and the next bundle is full too."""
    commune = make_commune()
    province.import_(commune.export().file)
    made = backup.make_backup(commune.db.path)
    create_hamlet(commune.db, HamletInput(name="Thôn Bến"))
    province.import_(commune.export().file)
    commune.ws.close()
    db_path = paths.database_path(commune.data_dir)
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    db_path.write_bytes(made.read_bytes())
    commune.ws = open_workspace(commune.data_dir)
    _rename(commune, "Thôn Đông", "Thôn Đông Mới")
    result = commune.export()
    m = bundle.parse(result.file.read_bytes()).manifest
    assert m["since_change_seq"] <= m["upto_change_seq"]
    assert result.kind == "full"
    assert province.import_(result.file)[0].status == "applied"
    assert "Thôn Đông Mới" in _names_at_province(province)
