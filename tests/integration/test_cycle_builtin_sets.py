"""The shipped criteria sets are installed when a commune is opened; reading them writes nothing."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from app import paths
from app.cli import main
from app.core.assessment import sets
from app.core.assessment.criteria import builtin_keys, builtin_sets
from app.core.db import Database
from app.core.sync.upper import init_province
from app.core.workspace import init_commune, open_workspace


def _keys_in(db_file: Path) -> set[tuple[str, int]]:
    conn = sqlite3.connect(f"{db_file.absolute().as_uri()}?mode=ro", uri=True)
    try:
        return {(c, v) for c, v in conn.execute("SELECT code, version FROM criteria_set")}
    finally:
        conn.close()


@pytest.fixture
def commune_dir(tmp_path: Path) -> Path:
    """A commune created and closed again: its database file is at rest."""
    folder = tmp_path / "xa"
    init_commune(folder, "4", lock=False).close()
    return folder


@pytest.fixture
def statements() -> Iterator[Callable[[Database], list[str]]]:
    """Start recording the SQL a database runs; the returned list fills as it goes."""
    hooks: list[tuple[Any, Any]] = []

    def _watch(db: Database) -> list[str]:
        seen: list[str] = []

        def hook(*args: Any) -> None:
            seen.append(str(args[2]))

        event.listen(db.engine, "before_cursor_execute", hook)
        hooks.append((db.engine, hook))
        return seen

    yield _watch
    for engine, hook in hooks:
        event.remove(engine, "before_cursor_execute", hook)


def test_a_new_commune_holds_every_shipped_set(commune_dir: Path) -> None:
    keys = _keys_in(paths.database_path(commune_dir))
    assert keys == set(builtin_keys())
    assert keys == {(d.code, d.version) for d in builtin_sets()}


def test_listing_criteria_leaves_the_database_byte_identical(
    commune_dir: Path,
    file_digest: Callable[[Path], str],
    dump_digest: Callable[[Path], str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db_file = paths.database_path(commune_dir)
    before = (file_digest(db_file), dump_digest(db_file))
    ws = open_workspace(commune_dir)
    try:
        listed = sets.list_sets(ws.db)
        assert {(i.code, i.version) for i in listed} == set(builtin_keys())
        assert sets.list_sets(ws.db, "learning_family")
    finally:
        ws.close()
    monkeypatch.setenv("KHUYENHOC_DATA_DIR", str(commune_dir))
    assert main(["criteria", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sets"]
    assert (file_digest(db_file), dump_digest(db_file)) == before


def test_criteria_list_ids_are_stable_and_follow_the_shipped_files(
    commune_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KHUYENHOC_DATA_DIR", str(commune_dir))
    runs = []
    for _ in range(2):
        assert main(["criteria", "list", "--json"]) == 0
        runs.append({s["code"]: s["id"] for s in json.loads(capsys.readouterr().out)["sets"]})
    assert runs[0] == runs[1]
    in_file_order = [d.code for d in builtin_sets()]
    assert sorted(runs[0], key=runs[0].__getitem__) == in_file_order
    assert sorted(runs[0].values()) == list(range(1, len(in_file_order) + 1))


def test_opening_a_complete_commune_costs_one_query_and_writes_nothing(
    commune_dir: Path, statements: Callable[[Database], list[str]]
) -> None:
    ws = open_workspace(commune_dir)
    try:
        seen = statements(ws.db)
        assert sets.install_builtin_sets(ws.db) == 0
        queries = [q for q in seen if "criteria_set" in q]
        assert len(queries) == 1 and queries[0].lstrip().upper().startswith("SELECT")
        assert not [q for q in seen if q.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    finally:
        ws.close()


def test_a_shipped_set_missing_from_an_older_database_is_added_on_open(
    commune_dir: Path,
) -> None:
    db_file = paths.database_path(commune_dir)
    conn = sqlite3.connect(db_file)
    with conn:
        conn.execute("DELETE FROM criteria_set WHERE code = 'gdht-448'")
    conn.close()
    assert ("gdht-448", 1) not in _keys_in(db_file)
    ws = open_workspace(commune_dir)
    try:
        family = [i for i in sets.list_sets(ws.db, "learning_family") if i.code == "gdht-448"]
        assert len(family) == 1 and family[0].origin == "builtin" and not family[0].locked
    finally:
        ws.close()
    assert _keys_in(db_file) == set(builtin_keys())


def test_an_upper_level_folder_gets_no_shipped_sets(tmp_path: Path) -> None:
    folder = tmp_path / "tinh"
    init_province(folder, "Hội Khuyến học tỉnh Hưng Yên", tmp_path / "goi")
    ws = open_workspace(folder)
    try:
        assert sets.list_sets(ws.db) == []
    finally:
        ws.close()
    assert _keys_in(paths.database_path(folder)) == set()


def test_an_older_commune_keeps_its_old_versions_and_moves_to_the_new_ones(
    commune_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database made before the sets were rebuilt holds version 1 of each; opening it
    with this release adds the new versions beside them, assessments made with version 1
    keep it, new ones use the new, and the old TT 22 row (default then) no longer wins."""
    from app.core.assessment import cycle
    from app.core.registry import hamlets
    from app.core.registry import households as hh
    from app.core.registry.people import PersonInput

    # Version 1 as it was shipped then: other content; TT 22 carried no default flag.
    old = {}
    for code in ("gdht-448", "dvht-tt22"):
        raw = json.loads(json.dumps(next(d for d in builtin_sets() if d.code == code).raw))
        raw |= {"version": 1, "title": raw["title"] + " (bản cũ)"}
        raw.pop("default_for_commune", None)
        raw.pop("superseded_by", None)
        old[code] = raw
    gone = ("gdht-448", "dvht-tt22", "dvht-448-xa")
    shipped = builtin_keys()
    # The release before: it shipped none of the new versions.
    monkeypatch.setattr(sets, "builtin_keys", lambda: {k for k in shipped if k[0] not in gone})
    ws = open_workspace(commune_dir)
    try:
        from sqlalchemy import delete

        from app.core.assessment.criteria import content_hash
        from app.core.models import CriteriaSet

        with ws.db.session() as s:
            # As the database was then: version 1 of these sets, nothing newer.
            s.execute(delete(CriteriaSet).where(CriteriaSet.code.in_(gone)))
            for raw in old.values():
                s.add(
                    CriteriaSet(
                        code=raw["code"],
                        version=1,
                        model=raw["model"],
                        title=raw["title"],
                        content=json.dumps(raw, ensure_ascii=False),
                        content_hash=content_hash(raw),
                        origin="builtin",
                    )
                )
        hamlet = hamlets.create_hamlet(ws.db, hamlets.HamletInput("Thôn Bắc"))
        homes = [
            hh.create_household(
                ws.db,
                hh.HouseholdInput(hamlet_id=hamlet),
                [PersonInput(f"Trương Văn {given}", "M", "1972", "Chủ hộ")],
            )
            for given in ("Lộc", "Phát")
        ]
        cycle.register(ws.db, 2025, "learning_family", homes)
        with ws.db.session() as s:  # before the upgrade: only version 1 is there
            first_set = sets.active_set_id(s, "learning_family", 2025)
        values = {"1.2": 10, "1.3": 10}
        first = cycle.record_assessment(
            ws.db, cycle.AssessmentInput(2025, "learning_family", homes[0], values)
        )
        assert first.criteria_set_id == first_set
    finally:
        ws.close()
    monkeypatch.setattr(sets, "builtin_keys", lambda: shipped)
    ws = open_workspace(commune_dir)  # this release opens it: the new versions come in
    try:
        assert sets.install_builtin_sets(ws.db) == 0  # done by open_workspace already
        family = {i.version: i for i in sets.list_sets(ws.db, "learning_family")}
        assert set(family) == {1, 2} and family[1].locked and not family[2].locked
        again = cycle.record_assessment(
            ws.db, cycle.AssessmentInput(2025, "learning_family", homes[0], values)
        )
        assert again.criteria_set_id == first.criteria_set_id == family[1].id
        other = cycle.record_assessment(
            ws.db, cycle.AssessmentInput(2025, "learning_family", homes[1], values)
        )
        assert other.criteria_set_id == family[2].id
        with ws.db.session() as s:
            unit = sets.load_doc(s, sets.active_set_id(s, "learning_unit", 2025))
        assert unit.code == "dvht-448-xa"
    finally:
        ws.close()
