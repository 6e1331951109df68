"""Benchmarks share one generated 10,000-household demo commune (built once per run)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

BENCH_HOUSEHOLDS = int(os.environ.get("KHUYENHOC_BENCH_HOUSEHOLDS", "10000"))


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from app.core.demo import generate_demo

    data_dir = tmp_path_factory.mktemp("bench-demo")
    generate_demo(data_dir, households=BENCH_HOUSEHOLDS, seed=2025, lock=False)
    return data_dir


@pytest.fixture()
def demo_db(demo_dir: Path) -> Iterator[object]:
    from app.core.workspace import open_workspace

    ws = open_workspace(demo_dir)
    try:
        yield ws.db
    finally:
        ws.close()


def report(name: str, **figures: float | int | str) -> None:
    """One greppable line per figure set: `BENCH <name> key=value … cores=N`."""
    parts = " ".join(
        f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()
    )
    print(f"\nBENCH {name} {parts} cores={os.cpu_count()}")
