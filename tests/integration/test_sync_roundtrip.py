# ruff: noqa: F811  (pytest fixtures imported from test_sync_fixtures)
"""Upward sync, commune to province: round trip, increments, ledger decisions, receipts."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.core.errors import UserError
from app.core.models import Hamlet, LocalState
from app.core.models.sync import SyncConflict, SyncExport
from app.core.sync import bundle, keys, state, upper
from app.core.sync.writer import export_mark, history
from tests.integration.test_sync_fixtures import (  # noqa: F401  (fixtures)
    Commune,
    Province,
    commune,
    make_commune,
    province,
)


def _hamlet_ids(db) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with db.session() as s:
        return {h.name: h.id for h in s.scalars(select(Hamlet))}


def test_a_full_bundle_round_trips_with_references_as_uuids(
    province: Province, make_commune: Callable[..., Commune]
) -> None:
    commune = make_commune(households=20)
    result = commune.export()
    assert result.file.name.startswith("KH_12205_000001_") and result.file.suffix == ".khb"
    assert result.counts["household"] == 20
    [outcome] = province.import_(result.file)
    assert outcome.status == "applied", outcome.reason
    households = province.records("household")
    hamlets = province.records("hamlet")
    people = province.records("person")
    assert len(households) == 20 and len(people) == result.counts["person"]
    for _rev, _deleted, data in households.values():
        assert data["hamlet_id"] in hamlets  # a uuid, not a local integer id
        assert data["commune_code"] == "12205"
    # Personal fields stay home unless a setting says otherwise.
    assert all("id_number" not in d and "phone" not in d for _r, _x, d in people.values())


def test_personal_fields_travel_only_when_the_province_asks_and_the_setting_allows(
    province: Province, commune: Commune, tmp_path: Path
) -> None:
    state.put_setting(commune.db, state.INCLUDE_PERSONAL_KEY, True)
    alone = commune.export()  # the commune agrees, the province did not ask
    assert bundle.parse(alone.file.read_bytes()).manifest["personal_fields"] == "omitted"
    asked, _version = upper.write_new_config_package(
        province.db, tmp_path / "goi-2", personal_fields=["id_number", "phone"]
    )
    state.load_config_package(commune.db, asked)
    result = commune.export()
    assert bundle.parse(result.file.read_bytes()).manifest["personal_fields"] == "included"


def test_incremental_bundle_carries_edits_and_tombstones(
    province: Province, commune: Commune
) -> None:
    from app.core.registry.hamlets import HamletInput, create_hamlet, delete_hamlet, update_hamlet

    first = commune.export()
    ids = _hamlet_ids(commune.db)
    update_hamlet(commune.db, ids["Thôn Đông"], HamletInput(name="Thôn Đông Mới"))
    delete_hamlet(commune.db, ids["Thôn Đoài"])
    create_hamlet(commune.db, HamletInput(name="Thôn Bắc"))
    second = commune.export()
    assert second.kind == "incremental" and second.counts["hamlet"] == 3
    assert sum(second.counts.values()) == 3
    outcomes = province.import_(first.file, second.file)
    assert [o.status for o in outcomes] == ["applied", "applied"]
    assert outcomes[1].counts["hamlet"] == {
        "new": 1,
        "updated": 1,
        "deleted": 1,
        "unchanged": 0,
        "conflicts": 0,
    }
    names = {
        d.get("name"): (rev, deleted) for rev, deleted, d in province.records("hamlet").values()
    }
    assert names["Thôn Đông Mới"] == (2, False) and names["Thôn Bắc"] == (1, False)
    assert any(deleted for _n, (_r, deleted) in names.items())
    # Nothing changed since: the next bundle is empty but still chained.
    third = commune.export()
    assert sum(third.counts.values()) == 0
    assert province.import_(third.file)[0].status == "applied"


def test_replay_is_applied_once(province: Province, commune: Commune) -> None:
    result = commune.export()
    assert province.import_(result.file)[0].status == "applied"
    digest = province.digest()
    again = province.import_(result.file, result.file)
    assert [o.status for o in again] == ["replay", "replay"]
    assert again[0].reason == "Gói này đã nhập trước đó."
    assert province.digest() == digest


def test_out_of_order_bundle_waits_for_the_missing_one(
    province: Province, commune: Commune
) -> None:
    from app.core.registry.hamlets import HamletInput, create_hamlet

    files = []
    for name in ("Thôn Một", "Thôn Hai", "Thôn Ba"):
        create_hamlet(commune.db, HamletInput(name=name))
        files.append(commune.export().file)
    assert province.import_(files[0])[0].status == "applied"
    [gap] = province.import_(files[2])
    assert gap.status == "gap" and "thiếu gói số 2" in gap.reason.lower()
    outcomes = province.import_(files[1])
    assert [(o.seq, o.status) for o in outcomes] == [(2, "applied"), (3, "applied")]
    assert {d["name"] for _r, _x, d in province.records("hamlet").values()} >= {"Thôn Ba"}


def test_a_folder_of_bundles_is_imported_in_chain_order(
    province: Province, commune: Commune
) -> None:
    from app.core.registry.hamlets import HamletInput, create_hamlet

    for name in ("Thôn Một", "Thôn Hai", "Thôn Ba"):
        create_hamlet(commune.db, HamletInput(name=name))
        commune.export()
    outcomes = province.import_(commune.usb)
    assert [(o.seq, o.status) for o in outcomes] == [(1, "applied"), (2, "applied"), (3, "applied")]


def test_a_second_history_with_the_same_number_is_a_fork(
    province: Province, commune: Commune
) -> None:
    from app.core.registry.hamlets import HamletInput, create_hamlet

    first = commune.export()
    create_hamlet(commune.db, HamletInput(name="Thôn Rẽ Nhánh"))
    other = commune.export()
    province.import_(first.file, other.file)
    # Forget bundle 2 at the commune (as if restored from an old backup) and diverge.
    with commune.db.session() as s:
        s.execute(SyncExport.__table__.delete().where(SyncExport.seq == 2))
    shutil.rmtree(commune.data_dir / "sync" / "archive")
    create_hamlet(commune.db, HamletInput(name="Thôn Khác Hẳn"))
    forked = commune.export()
    assert forked.seq == 2 and forked.bundle_id != other.bundle_id
    digest = province.digest()
    [outcome] = province.import_(forked.file)
    assert outcome.status == "fork" and "khác với gói số 2" in outcome.reason
    assert province.digest() == digest
    # An older number than the last applied, with unknown content, is refused.
    with commune.db.session() as s:
        s.execute(SyncExport.__table__.delete())
    shutil.rmtree(commune.data_dir / "sync" / "archive")
    older = commune.export()
    assert older.seq == 1
    [refused] = province.import_(older.file)
    assert refused.status == "rejected" and "cũ hơn" in refused.reason


def test_an_older_revision_never_overwrites_a_newer_one(
    province: Province, make_commune: Callable[..., Commune], tmp_path: Path
) -> None:
    from app.core.backup import make_backup
    from app.core.registry.hamlets import HamletInput, update_hamlet

    commune = make_commune()
    old_copy = make_backup(commune.db.path, tmp_path / "cu.sqlite3")
    hamlet_id = _hamlet_ids(commune.db)["Thôn Đông"]
    update_hamlet(commune.db, hamlet_id, HamletInput(name="Thôn Đông Sửa"))
    assert province.import_(commune.export().file)[0].status == "applied"
    # A new laptop restored from the old copy: new key, new installation, revision 1 again.
    laptop = tmp_path / "may-moi"
    laptop.mkdir()
    shutil.copy(old_copy, laptop / "khuyenhoc.sqlite3")
    from app import paths
    from app.core.workspace import open_workspace

    (laptop / "khuyenhoc.sqlite3").rename(paths.database_path(laptop))
    ws = open_workspace(laptop)
    try:
        with ws.db.session() as s:
            s.execute(
                update(LocalState).values(installation_id="0" * 8 + "-0000-4000-8000-" + "0" * 12)
            )
            s.execute(SyncExport.__table__.delete())
        result = __import__("app.core.sync.writer", fromlist=["x"]).export_bundle(
            ws.db, tmp_path / "usb2", full=True
        )
        assert province.import_(result.file)[0].status == "quarantined"  # new key
        upper.accept_key(province.db, str(result.file))
        [outcome] = province.import_(result.file)
    finally:
        ws.close()
    assert outcome.status == "applied"
    assert outcome.counts["hamlet"]["conflicts"] == 1
    names = {d["name"] for _r, _x, d in province.records("hamlet").values()}
    assert "Thôn Đông Sửa" in names and "Thôn Đông" not in names
    with province.db.session() as s:
        conflict = s.scalars(select(SyncConflict)).one()
    assert (conflict.held_revision, conflict.incoming_revision) == (2, 1)


def test_unknown_key_is_quarantined_until_accepted(
    province: Province, make_commune: Callable[..., Commune]
) -> None:
    from app.core.sync.importer import held_bundles, retry_quarantined

    commune = make_commune(pin=False)
    result = commune.export()
    digest = province.digest()
    [outcome] = province.import_(result.file)
    assert outcome.status == "quarantined" and "chưa được chấp nhận" in outcome.reason
    assert province.digest() == digest
    [held] = held_bundles(province.db)
    assert held.fingerprint == keys.my_key(commune.data_dir).fingerprint
    upper.accept_key(province.db, held.fingerprint.lower().replace("-", " "))
    [released] = retry_quarantined(province.db)
    assert released.status == "applied"
    assert held_bundles(province.db) == []


def test_other_communes_key_and_retired_key_are_quarantined(
    province: Province, make_commune: Callable[..., Commune]
) -> None:
    commune = make_commune()
    impostor = make_commune(code="00004", name="xa-khac", keys_from=commune)
    [outcome] = province.import_(impostor.export().file)
    assert outcome.status == "quarantined" and "khóa của xã mã 12205" in outcome.reason
    upper.retire_key(province.db, keys.my_key(commune.data_dir).key_id)
    [outcome] = province.import_(commune.export().file)
    assert outcome.status == "quarantined" and "thu hồi" in outcome.reason


def test_a_bundle_re_signed_by_an_unknown_key_is_quarantined(
    province: Province, commune: Commune
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from tests.integration.test_sync_fixtures import forge

    data = forge(commune, {"hamlet": b""}, signer=Ed25519PrivateKey.generate())
    path = commune.usb / "KH_12205_000001_abcdef12.khb"
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    assert province.import_(path)[0].status == "quarantined"


def test_dry_run_reports_and_writes_nothing(province: Province, commune: Commune) -> None:
    result = commune.export()
    digest = province.digest()
    [outcome] = province.import_(result.file, dry_run=True)
    assert outcome.status == "applied" and outcome.dry_run
    assert outcome.counts["hamlet"]["new"] == 2
    assert province.digest() == digest
    assert province.import_(result.file)[0].status == "applied"


def test_receipt_marks_bundles_as_received(
    province: Province, commune: Commune, tmp_path: Path
) -> None:
    first = commune.export()
    commune.export()
    province.import_(first.file)
    path, count = upper.write_receipt(province.db, "12205", tmp_path)
    assert count == 1
    assert upper.load_receipt(commune.db, path) == 1
    assert [e.confirmed for e in history(commune.db)] == [False, True]
    # A receipt whose body was altered does not verify.
    doc = json.loads(path.read_text("utf-8"))
    doc["body"]["bundles"].append({"installation_id": "x", "seq": 9, "bundle_id": "y"})
    forged = tmp_path / "gia.khr"
    forged.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(UserError, match="Chữ ký"):
        upper.load_receipt(commune.db, forged)


def test_config_package_is_pinned_and_never_downgraded(
    province: Province, commune: Commune, tmp_path: Path
) -> None:
    v3 = upper.write_config_package(province.db, tmp_path / "v3", version=3)
    v2 = upper.write_config_package(province.db, tmp_path / "v2", version=2)
    assert state.load_config_package(commune.db, v3)[1] == "updated"
    with pytest.raises(UserError, match="cũ hơn"):
        state.load_config_package(commune.db, v2)
    assert state.load_config_package(commune.db, v3)[1] == "same"
    other = upper.init_province(tmp_path / "tinh-gia", "Tỉnh giả", tmp_path / "gia")
    with pytest.raises(UserError, match="khóa khác"):
        state.load_config_package(commune.db, other.package)


def test_first_load_checks_the_fingerprint_read_aloud(province: Province, tmp_path: Path) -> None:
    from app.core.workspace import init_commune

    ws = init_commune(tmp_path / "xa-moi", "4", lock=False)
    try:
        with pytest.raises(UserError, match="Vân tay"):
            state.load_config_package(ws.db, province.package, "0000-1111-2222-3333")
        fp = keys.my_key(province.data_dir).fingerprint
        config, how = state.load_config_package(ws.db, province.package, fp.lower())
        assert how == "pinned" and config.fingerprint == fp
    finally:
        ws.close()


def test_export_needs_the_province_package(tmp_path: Path) -> None:
    from app.core.sync.writer import export_bundle
    from app.core.workspace import init_commune

    ws = init_commune(tmp_path / "xa", "4", lock=False)
    try:
        with pytest.raises(UserError, match="gói cấu hình"):
            export_bundle(ws.db, tmp_path / "usb")
        assert export_mark(ws.db) == 0
    finally:
        ws.close()


@pytest.mark.parametrize("year", [2010, 2040])
def test_the_pc_clock_does_not_matter(
    province: Province, commune: Commune, monkeypatch: pytest.MonkeyPatch, year: int
) -> None:
    import datetime as dt

    from app.core.registry.hamlets import HamletInput, create_hamlet
    from app.core.sync import writer

    first = commune.export()
    monkeypatch.setattr(writer, "utcnow", lambda: dt.datetime(year, 1, 1))
    monkeypatch.setattr("app.core.db.utcnow", lambda: dt.datetime(year, 1, 1))
    create_hamlet(commune.db, HamletInput(name="Thôn Thời Gian"))
    second = commune.export()
    assert second.counts["hamlet"] == 1
    assert [o.status for o in province.import_(first.file, second.file)] == ["applied", "applied"]


def test_consolidation_view_and_its_workbook(
    province: Province, commune: Commune, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    from app.core.assessment.criteria import builtin_keys
    from app.core.registry.hamlets import HamletInput, create_hamlet
    from app.core.sync.importer import consolidation
    from app.core.sync.rates import export_consolidation_xlsx

    first = commune.export()
    create_hamlet(commune.db, HamletInput(name="Thôn Mới"))
    commune.export()
    create_hamlet(commune.db, HamletInput(name="Thôn Mới Hơn"))
    third = commune.export()
    province.import_(first.file, third.file)
    [row] = consolidation(province.db)
    # Two records, plus the shipped criteria sets a commune holds from its creation.
    held = 2 + len(builtin_keys())
    assert (row.commune_code, row.last_seq, row.records, row.gaps) == ("12205", 1, held, 1)
    path = export_consolidation_xlsx(province.db, tmp_path / "tong-hop.xlsx")
    sheet = load_workbook(path).active
    assert sheet is not None
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0][0].startswith("Năm ")  # the title row: year and target profile
    assert values[1][0] == "Mã xã" and values[2][:2] == ["12205", 1]
    assert values[-1][0] == "Toàn tỉnh"


def test_the_same_bundle_imported_twice_at_the_same_time_is_applied_once(
    province: Province, make_commune: Callable[..., Commune]
) -> None:
    import threading

    from app.core.sync.importer import import_bytes

    commune = make_commune(households=30)
    data = commune.export().file.read_bytes()
    identity = keys.age_identity(province.data_dir)
    statuses: list[str] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        statuses.extend(o.status for o in import_bytes(province.db, data, "a.khb", identity))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses) == ["applied", "replay"]


def test_a_bundle_encrypted_for_another_province_is_rejected(
    commune: Commune, tmp_path: Path
) -> None:
    from app.core.sync.importer import import_paths
    from app.core.workspace import open_workspace

    result = commune.export()
    other = upper.init_province(tmp_path / "tinh-khac", "Tỉnh khác", tmp_path / "goi-khac")
    ws = open_workspace(other.data_dir)
    try:
        upper.accept_key(ws.db, str(result.file))
        [outcome] = import_paths(ws.db, [result.file])
    finally:
        ws.close()
    assert outcome.status == "rejected" and "Không giải mã được" in outcome.reason


def test_yearly_cycle_records_name_their_entities_by_uuid(
    province: Province, make_commune: Callable[..., Commune]
) -> None:
    """Registrations, assessments and recognitions refer to a household, clan, hamlet,
    unit or person by ``model`` + local integer id; at the province that must be the
    referenced row's uuid (of the right kind), and ``hamlet_id`` the hamlet's uuid."""
    from sqlalchemy import text

    from app.core.sync.records import LEARNING_MODEL_ENTITIES

    commune = make_commune(households=20)
    [outcome] = province.import_(commune.export().file)
    assert outcome.status == "applied", outcome.reason
    with commune.db.connect() as conn:
        uuids = {
            table: dict(conn.execute(text(f"SELECT id, uuid FROM {table}")).all())
            for table in {t for t in LEARNING_MODEL_ENTITIES.values() if t}
        }
        checked = 0
        for table in ("registration", "assessment", "recognition"):
            held = province.records(table)
            local = conn.execute(
                text(f"SELECT uuid, model, entity_id, hamlet_id FROM {table}")
            ).all()
            assert len(held) == len(local)
            for uid, model, entity_id, hamlet_id in local:
                data = held[uid][2]
                target = LEARNING_MODEL_ENTITIES[model]
                expected = uuids[target][entity_id] if target else None
                assert data["entity_id"] == expected
                assert data["hamlet_id"] == (uuids["hamlet"][hamlet_id] if hamlet_id else None)
                if target == "household":
                    assert data["entity_id"] in province.records("household")
                checked += 1
    assert checked > 0
    households = [d for t in ("registration",) for d in province.records(t).values()]
    assert any(d[2]["model"] == "learning_family" for d in households)
