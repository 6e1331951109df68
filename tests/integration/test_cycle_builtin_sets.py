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
