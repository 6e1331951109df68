"""Errors a person can act on. Their message is Vietnamese and shown as is."""

from __future__ import annotations


class UserError(Exception):
    """A mistake or condition the user can fix; `str(err)` is the Vietnamese message."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(UserError):
    """Input that breaks a rule of the registry; nothing was saved."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(UserError):
    pass


class DatabaseError(UserError):
    """The database file cannot be used (corrupt, newer version, locked, read-only)."""

    exit_code = 3


class StorageError(UserError):
    """Writing to disk failed (disk full, read-only folder); nothing was changed."""

    exit_code = 4
