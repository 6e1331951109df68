"""The frozen build's lock file (packaging/requirements-lock.txt) pins every runtime
dependency, at versions pyproject.toml allows — past the advisory floors."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]


def _lock() -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in (ROOT / "packaging" / "requirements-lock.txt").read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        req = Requirement(line)
        [spec] = list(req.specifier)
        assert spec.operator == "==", line
        pins[req.name.lower().replace("_", "-")] = Version(spec.version)
    return pins


def test_every_runtime_dependency_is_pinned_within_its_range() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    pins = _lock()
    for text in project["dependencies"]:
        req = Requirement(text)
        name = req.name.lower().replace("_", "-")
        assert name in pins, f"{name} missing from the lock"
        assert pins[name] in req.specifier, f"{name}=={pins[name]} outside {req.specifier}"
    assert "pyinstaller" in pins


def test_the_lock_is_past_the_known_advisories() -> None:
    pins = _lock()
    assert pins["pillow"] >= Version("13.0.0")  # JPEG decoder overflows
    assert pins["h11"] >= Version("0.16.0")  # request smuggling
    assert pins["setuptools"] >= Version("78.1.1")  # path traversal in package_index
