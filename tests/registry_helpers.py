"""Small helpers the registry tests share (imported by test modules, holds no tests)."""

from __future__ import annotations

from app.core.db import Database
from app.core.registry import hamlets


def default_hamlet(db: Database) -> int:
    """The commune's first hamlet, made ("Thôn Giữa") when it has none: every
    household belongs to a hamlet."""
    choices = hamlets.hamlet_choices(db)
    if choices:
        return int(choices[0][0])
    return hamlets.create_hamlet(db, hamlets.HamletInput("Thôn Giữa"))
