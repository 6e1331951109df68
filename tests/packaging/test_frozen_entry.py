"""The frozen entry point and the smoke test's reading of the migrations."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from app.core.db import KNOWN_REVISIONS

ROOT = Path(__file__).resolve().parents[2]


def test_the_smoke_test_reads_the_same_schema_history_as_the_app(smoke_test: ModuleType) -> None:
    assert smoke_test.revision_chain(ROOT / "migrations" / "versions") == list(KNOWN_REVISIONS)


def test_the_smoke_test_finds_the_household_count_in_either_json_shape(
    smoke_test: ModuleType,
) -> None:
    assert smoke_test.households_of({"counts": {"households": 12}}) == 12
    assert smoke_test.households_of({"households": 7}) == 7


def test_a_windowed_start_without_console_streams_gets_null_streams(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A windowed Windows build starts with sys.stdout/stderr = None; writing must not crash."""
    spec = importlib.util.spec_from_file_location(
        "_khuyenhoc_entry", ROOT / "packaging" / "entry.py"
    )
    assert spec is not None and spec.loader is not None
    entry = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(entry)
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    entry._ensure_streams()
    try:
        print("Sổ Khuyến Học")
        sys.stderr.write("không lỗi\n")
        assert not sys.stderr.isatty()
    finally:
        sys.stdout.close()
        sys.stderr.close()
