"""Generating the default demo commune (10,000 households) takes at most 15 s."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.core.demo import generate_demo
from tests.benchmarks.conftest import report

pytestmark = pytest.mark.benchmark

TARGET_SECONDS = 15.0


def test_generate_the_default_10k_household_demo(tmp_path: Path) -> None:
    started = time.perf_counter()
    summary = generate_demo(tmp_path, households=10_000, seed=2025, lock=False)
    seconds = time.perf_counter() - started
    counts = summary.counts
    report("demo_generate_10k_households", seconds=seconds, **counts)
    assert counts["households"] == 10_000
    assert 27_000 <= counts["people"] <= 33_000
    assert 9_000 <= counts["members"] <= 11_000
    assert 60 <= counts["hamlets"] <= 120
    assert 120 <= counts["clans"] <= 180
    assert 35 <= counts["units"] <= 45
    assert seconds <= TARGET_SECONDS
