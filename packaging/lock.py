"""Writes packaging/requirements-lock.txt: the exact versions the frozen build carries.

Run in the environment the build was tested with (`make venv`, plus `.[package]`):

    .venv/bin/python packaging/lock.py

It walks the requirements of the program's own dependencies (pyproject.toml
``[project] dependencies``) and of PyInstaller, as installed here, and pins each to the
version installed (what ``pip freeze`` would say, without the development and hub
tools). A requirement whose environment marker does not hold here (e.g. Windows-only
ones) is pinned to the version given in WINDOWS_ONLY below, keeping its marker.
`packaging/build.sh` installs the lock before it builds.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "packaging" / "requirements-lock.txt"
BUILD_TOOLS = ["pyinstaller"]
# Requirements of the closure that only hold on Windows, pinned by hand (checked with
# `pip index versions NAME` when the lock is refreshed).
WINDOWS_ONLY = {"pefile": "2024.8.26", "pywin32-ctypes": "0.2.3"}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main() -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    todo = [Requirement(r) for r in [*project["dependencies"], *BUILD_TOOLS]]
    env = default_environment()
    pinned: dict[str, str] = {}
    foreign: dict[str, str] = {}
    while todo:
        req = todo.pop()
        name = _canonical(req.name)
        if req.marker is not None and not req.marker.evaluate({**env, "extra": ""}):
            if name in WINDOWS_ONLY and "win32" in str(req.marker):
                foreign[name] = f"{name}=={WINDOWS_ONLY[name]} ; sys_platform == 'win32'"
            continue
        if name in pinned:
            continue
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            print(f"{req.name} is not installed here: run make venv and pip install .[package]")
            return 1
        pinned[name] = dist.version
        for extra in req.extras:
            todo += [
                Requirement(r)
                for r in dist.requires or []
                if Requirement(r).marker and Requirement(r).marker.evaluate({**env, "extra": extra})
            ]
        todo += [Requirement(r) for r in dist.requires or [] if "extra ==" not in r]
    lines = [
        "# The frozen build's exact versions (packaging/lock.py wrote this; build.sh installs it).",
        f"# Python {sys.version_info.major}.{sys.version_info.minor}; refresh after changing"
        " pyproject.toml.",
        *(f"{n}=={v}" for n, v in sorted(pinned.items())),
        *sorted(foreign.values()),
    ]
    LOCK.write_text("\n".join(lines) + "\n", "utf-8")
    print(f"{LOCK.relative_to(ROOT)}: {len(pinned) + len(foreign)} packages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
