"""Shared fixtures: a fresh commune per test, generated Vietnamese people, snapshots.

Every name here is generated from common Vietnamese family, middle and given
names; none belongs to a real person. Helpers are handed out as fixtures that
return functions, so test modules never import from this file.
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from app import paths
from app.core.db import Database
from app.core.workspace import Workspace, init_commune

# Property tests: no wall-clock deadline (CI machines are slow and shared) and no
# example database left in the working tree.
settings.register_profile(
    "khuyenhoc",
    deadline=None,
    database=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
settings.load_profile("khuyenhoc")

COMMUNE_CODE = "00004"  # Phường Ba Đình, Hà Nội — any official code would do

FAMILY_NAMES = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Âu",
    "Ưng",
)
MIDDLE_NAMES = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Xuân", "Quốc", "Thu")
GIVEN_NAMES = (
    "An",
    "Anh",
    "Ánh",
    "Ân",
    "Bình",
    "Cường",
    "Dũng",
    "Duy",
    "Đạt",
    "Đông",
    "Giang",
    "Hà",
    "Hải",
    "Hoà",
    "Hòa",
    "Hương",
    "Khoa",
    "Lan",
    "Linh",
    "Mai",
    "Nam",
    "Ngân",
    "Oanh",
    "Ơn",
    "Phúc",
    "Quân",
    "Sơn",
    "Thảo",
    "Trang",
    "Tuấn",
    "Uyên",
    "Ưng",
    "Vy",
    "Yến",
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.fixture(autouse=True)
def _no_real_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test may fall back to the real user data folder: point the default elsewhere."""
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path / "thu-muc-mac-dinh"))


@pytest.fixture
def rng() -> random.Random:
    return random.Random(20250701)


@pytest.fixture
def make_name(rng: random.Random) -> Callable[..., str]:
    """A generated full name: family, one middle name, given name."""

    def _make(gender: str | None = None) -> str:
        middle = "Thị" if gender == "F" else rng.choice(MIDDLE_NAMES)
        return f"{rng.choice(FAMILY_NAMES)} {middle} {rng.choice(GIVEN_NAMES)}"

    return _make


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    """A fresh, empty commune (code 4) in its own folder, unlocked."""
    workspace = init_commune(tmp_path, "4", lock=False)
    try:
        yield workspace
    finally:
        workspace.close()


@pytest.fixture
def db(ws: Workspace) -> Database:
    return ws.db


@pytest.fixture
def snapshot() -> Callable[[Database], dict[str, Any]]:
    """Everything a failed save must leave untouched: rows, revisions, change marks.

    Returns, per syncable table, the sorted (id, revision, change_seq, deleted) of
    every row, plus the change counter and the settings.
    """

    def _take(db: Database) -> dict[str, Any]:
        tables = ("hamlet", "household", "person", "clan", "unit", "branch", "member")
        out: dict[str, Any] = {}
        conn = sqlite3.connect(db.path)
        try:
            for table in tables:
                out[table] = conn.execute(
                    f"SELECT id, revision, change_seq, deleted, uuid FROM {table} ORDER BY id"
                ).fetchall()
            out["counter"] = conn.execute(
                "SELECT change_counter FROM local_state WHERE id = 1"
            ).fetchone()
            out["setting"] = conn.execute("SELECT key, value FROM setting ORDER BY key").fetchall()
        finally:
            conn.close()
        return out

    return _take


@pytest.fixture
def dump_digest() -> Callable[[Path], str]:
    """SHA-256 of a database's SQL dump: equal digests mean equal content."""

    def _digest(path: Path) -> str:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        try:
            text = "\n".join(conn.iterdump())
        finally:
            conn.close()
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    return _digest


@pytest.fixture
def file_digest() -> Callable[[Path], str]:
    """SHA-256 of a file's bytes."""

    def _digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    return _digest


POSTGRES_ENV = "KHUYENHOC_TEST_POSTGRES_URL"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test; dropped afterwards.

    The server comes from ``KHUYENHOC_TEST_POSTGRES_URL`` (a role that may CREATE
    DATABASE). `.ci/run` installs and starts one; without it the test is skipped on a
    developer's machine, and fails under CI, where skipping would hide the hub's
    second engine.
    """
    import os
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = os.environ.get(POSTGRES_ENV, "")
    if not base:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_ENV} is not set: CI must run the PostgreSQL tests")
        pytest.skip(f"{POSTGRES_ENV} not set (no PostgreSQL server for this test)")
    name = f"kh_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(base), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
