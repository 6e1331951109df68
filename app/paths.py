"""Where things live, frozen (PyInstaller) or not.

One module answers every "where is …" question so the frozen build and the
source tree find the same files: the bundled resources and Alembic migrations,
and the user's data folder (outside the program folder, so upgrades and
uninstalls never touch it).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DATA_DIR_ENV = "KHUYENHOC_DATA_DIR"
DB_FILENAME = "khuyenhoc.sqlite3"
LOCK_FILENAME = "khuyenhoc.lock"


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def bundle_root() -> Path:
    """The folder holding `resources/` and `migrations/`."""
    if is_frozen():
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return bundle_root() / "resources"


def migrations_dir() -> Path:
    return bundle_root() / "migrations"


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("SoKhuyenHoc", appauthor=False, roaming=False))


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--data-dir` wins, then $KHUYENHOC_DATA_DIR, then the platform's user data folder."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return default_data_dir()


def database_path(data_dir: Path) -> Path:
    return data_dir / DB_FILENAME


def backups_dir(data_dir: Path) -> Path:
    return data_dir / "backups"
