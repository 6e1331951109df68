# ruff: noqa: F811  (pytest fixtures imported from the sync integration tests)
"""Chains of bundles at the upper level: a backup restored on a new PC continues
without a fork (a new key opens a chain of its own), and a real fork (two copies of one
installation) is listed and settled from the command line."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app import paths
from app.cli import main
from app.core.backup import make_backup, restore_backup
from app.core.models.sync import SyncLedger
from app.core.sync import importer, keys, upper
from app.core.workspace import Workspace, open_workspace
from tests.integration.test_sync_fixtures import (  # noqa: F401  (fixtures)
    Commune,
    Province,
    _hamlets,
    commune,
    make_commune,
    province,
)


def _run(capsys: pytest.CaptureFixture[str], province: Province, *args: str) -> tuple[int, Any]:
    code = main([*args, "--data-dir", str(province.data_dir), "--json"])
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if captured.out.strip() else captured.err)


@pytest.fixture
def copies(tmp_path: Path) -> Iterator[Callable[..., Commune]]:
    """Another PC holding a restored backup of a commune (``with_keys``: the whole
    folder copied, keys included — the same installation twice)."""
    opened: list[Workspace] = []

    def _copy(source: Commune, name: str, backup: Path, with_keys: bool = False) -> Commune:
        data_dir = tmp_path / name
        restore_backup(paths.database_path(data_dir), backup)
        if with_keys:
            shutil.copytree(source.data_dir / keys.KEYS_DIR, data_dir / keys.KEYS_DIR)
        ws = open_workspace(data_dir)
        opened.append(ws)
        return Commune(data_dir, ws, tmp_path / f"usb-{name}")

    yield _copy
    for ws in opened:
        ws.close()


def _ledger(province: Province) -> list[tuple[int, str]]:
    with province.db.connect() as conn:
        rows = conn.execute(select(SyncLedger.seq, SyncLedger.key_id).order_by(SyncLedger.id)).all()
    return [(int(s), str(k)) for s, k in rows]


def _registration(commune: Commune, tmp_path: Path) -> Path:
    path = tmp_path / f"reg-{commune.data_dir.name}.json"
    path.write_text(json.dumps(upper.registration(commune.db)), "utf-8")
    return path


@pytest.mark.parametrize("backup_after", [1, 2])
def test_a_backup_restored_on_a_new_pc_continues_without_a_fork(
    province: Province,
    commune: Commune,
    copies: Callable[..., Commune],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    backup_after: int,
) -> None:
    old_key = keys.my_key(commune.data_dir)
    backup = tmp_path / "sao-luu.sqlite3"
    for n in (1, 2):
        _hamlets(commune.db, [f"Thôn Cũ {n}"])
        assert [o.status for o in province.import_(commune.export().file)] == ["applied"]
        if n == backup_after:
            make_backup(commune.db.path, backup)
    # The old laptop is gone; the backup is restored on a new one (a new key).
    laptop = copies(commune, "may-moi", backup)
    new_key = keys.my_key(laptop.data_dir)
    assert new_key.key_id != old_key.key_id
    first = laptop.export()
    assert (first.kind, first.seq) == ("full", backup_after + 1)
    waiting = province.import_(first.file)
    assert [o.status for o in waiting] == ["quarantined"]  # a new key: a person accepts it
    code, accepted = _run(
        capsys,
        province,
        "province",
        "accept-key",
        str(_registration(laptop, tmp_path)),
        "--replaces",
        old_key.fingerprint,
    )
    assert code == 0 and [b["status"] for b in accepted["bundles"]] == ["applied"]
    _hamlets(laptop.db, ["Thôn Mới"])
    assert [o.status for o in province.import_(laptop.export().file)] == ["applied"]
    assert importer.list_forks(province.db) == []
    assert _ledger(province) == [
        (1, old_key.key_id),
        (2, old_key.key_id),
        (backup_after + 1, new_key.key_id),
        (backup_after + 2, new_key.key_id),
    ]
    retired = {k.key_id: k.retired for k in upper.pinned_keys(province.db)}
    assert retired == {old_key.key_id: True, new_key.key_id: False}
    # Nothing the old laptop sent is lost or rolled back: "Thôn Cũ 2" stays.
    names = {r[2].get("name") for r in province.records("hamlet").values()}
    assert {"Thôn Cũ 1", "Thôn Cũ 2", "Thôn Mới"} <= names


def test_a_fork_is_listed_and_settled_from_the_command_line(
    province: Province,
    commune: Commune,
    copies: Callable[..., Commune],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert [o.status for o in province.import_(commune.export().file)] == ["applied"]
    backup = tmp_path / "ban-sao.sqlite3"
    make_backup(commune.db.path, backup)
    twin = copies(commune, "ban-sao", backup, with_keys=True)  # the same key, twice
    _hamlets(commune.db, ["Thôn Của Máy Một"])
    _hamlets(twin.db, ["Thôn Của Máy Hai"])
    assert [o.status for o in province.import_(commune.export().file)] == ["applied"]
    assert [o.status for o in province.import_(twin.export().file)] == ["fork"]

    code, listed = _run(capsys, province, "province", "forks")
    assert code == 0
    [fork] = listed["forks"]
    assert (fork["commune_code"], fork["seq"], fork["last_seq"]) == ("12205", 2, 2)
    assert fork["applied_bundle_id"] and fork["counts"]["hamlet"] >= 1

    # The twin is the laptop in use: follow it. Its next bundle continues that branch.
    code, done = _run(
        capsys, province, "province", "resolve-fork", fork["name"], "--follow", "--by", "Lê Thị Hoa"
    )
    assert code == 0 and done["status"] == "applied" and done["by"] == "Lê Thị Hoa"
    names = {r[2].get("name") for r in province.records("hamlet").values()}
    assert {"Thôn Của Máy Một", "Thôn Của Máy Hai"} <= names
    _hamlets(twin.db, ["Thôn Sau Đó"])
    assert [o.status for o in province.import_(twin.export().file)] == ["applied"]
    # The other copy's next bundle is now the fork: set it aside (kept, not deleted).
    _hamlets(commune.db, ["Thôn Lạc"])
    assert [o.status for o in province.import_(commune.export().file)] == ["fork"]
    [other] = _run(capsys, province, "province", "forks")[1]["forks"]
    code, done = _run(capsys, province, "province", "resolve-fork", other["name"], "--discard")
    assert code == 0 and done["status"] == "discarded"
    assert _run(capsys, province, "province", "forks")[1] == {"forks": []}
    kept = province.data_dir / "sync" / "resolved" / "forks"
    assert sorted(p.name for p in kept.iterdir()) == sorted([fork["name"], other["name"]])
    log = (province.data_dir / "sync" / "resolved" / "forks.jsonl").read_text("utf-8")
    assert [json.loads(line)["choice"] for line in log.splitlines()] == ["follow", "discard"]
    code, err = _run(capsys, province, "province", "resolve-fork", "KH_khong_co.khb", "--discard")
    assert code != 0 and "Không có gói rẽ nhánh" in err and "Traceback" not in err


def test_losing_a_race_for_a_place_in_the_chain_is_a_fork_not_a_replay(
    province: Province,
    commune: Commune,
    copies: Callable[..., Commune],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two importers decide at once (two hub processes on one PostgreSQL database): the
    one whose insert meets the other's ledger row decides again, it does not answer
    "replay" for a bundle the ledger does not hold."""
    assert [o.status for o in province.import_(commune.export().file)] == ["applied"]
    make_backup(commune.db.path, tmp_path / "b.sqlite3")
    twin = copies(commune, "song-sinh", tmp_path / "b.sqlite3", with_keys=True)
    _hamlets(commune.db, ["Thôn Thắng"])
    _hamlets(twin.db, ["Thôn Thua"])
    winner, loser = commune.export().file, twin.export().file
    with province.db.connect() as conn:  # what the loser read before the winner wrote
        before = importer._ledger_tail(conn, _chain_of(loser))
    assert [o.status for o in province.import_(winner)] == ["applied"]
    real = importer._ledger_tail
    stale = iter([before])
    monkeypatch.setattr(
        importer, "_ledger_tail", lambda conn, chain: next(stale, None) or real(conn, chain)
    )
    [outcome] = province.import_(loser)
    assert outcome.status == "fork"
    assert len(_ledger(province)) == 2


def _chain_of(path: Path) -> importer.ChainKey:
    from app.core.sync import bundle

    b = bundle.parse(path.read_bytes())
    return importer.ChainKey(b.commune_code, b.manifest["key_id"], b.manifest["installation_id"])


def test_a_backup_from_before_the_chain_setting_also_opens_a_new_chain_on_a_new_pc(
    province: Province, commune: Commune, copies: Callable[..., Commune], tmp_path: Path
) -> None:
    from app.core import settings
    from app.core.sync.writer import CHAIN_KEY_SETTING

    assert [o.status for o in province.import_(commune.export().file)] == ["applied"]
    settings.put_value(commune.db, CHAIN_KEY_SETTING, "")  # as the release before left it
    make_backup(commune.db.path, tmp_path / "cu.sqlite3")
    laptop = copies(commune, "may-moi", tmp_path / "cu.sqlite3")  # no archive, a new key
    first = laptop.export()
    assert (first.kind, first.seq) == ("full", 2)
    upper.accept_key(province.db, str(_registration(laptop, tmp_path)))
    assert [o.status for o in province.import_(first.file)] == ["applied"]
    # On the same PC (its archive and key are there) the chain simply goes on.
    settings.put_value(commune.db, CHAIN_KEY_SETTING, "")
    _hamlets(commune.db, ["Thôn Tiếp"])
    assert commune.export().kind == "incremental"
