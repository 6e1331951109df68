"""Speed of the yearly cycle on the 10,000-household demo commune."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.benchmarks.conftest import report

SCORE_BUDGET_S = 2.0
DASHBOARD_BUDGET_S = 0.5


@pytest.mark.benchmark
def test_scoring_every_household_for_a_year(demo_dir: Path) -> None:
    from app.core.assessment import cycle
    from app.core.workspace import open_workspace

    ws = open_workspace(demo_dir)
    try:
        cycle.score_all(ws.db, 2024, "learning_family")  # warm: sets loaded, pages cached
        start = time.perf_counter()
        results = cycle.score_all(ws.db, 2025, "learning_family")
        elapsed = time.perf_counter() - start
    finally:
        ws.close()
    report("cycle_score_households", seconds=elapsed, households=len(results))
    assert len(results) >= 10_000
    assert elapsed <= SCORE_BUDGET_S


@pytest.mark.benchmark
def test_dashboard_figures_for_a_year(demo_dir: Path) -> None:
    from app.core.assessment import targets
    from app.core.workspace import open_workspace

    ws = open_workspace(demo_dir)
    try:
        targets.target_report(ws.db, 2024)
        start = time.perf_counter()
        rep = targets.target_report(ws.db, 2025)
        elapsed = time.perf_counter() - start
    finally:
        ws.close()
    report("cycle_dashboard", seconds=elapsed, hamlets=len(rep.hamlets))
    assert rep.models["learning_family"].recognised > 0
    assert elapsed <= DASHBOARD_BUDGET_S
