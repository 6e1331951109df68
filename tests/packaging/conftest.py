"""Loads the build helpers in packaging/ by file path.

packaging/ is not a Python package (its name would shadow the `packaging` library), so
its modules are loaded under private names and handed to tests as fixtures.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"


def _load(name: str) -> ModuleType:
    module_name = f"_khuyenhoc_packaging_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def qt_selection() -> ModuleType:
    return _load("qt_selection")


@pytest.fixture(scope="session")
def version_info() -> ModuleType:
    return _load("version_info")


@pytest.fixture(scope="session")
def smoke_test() -> ModuleType:
    return _load("smoke_test")
