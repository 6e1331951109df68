"""What every screen shares: the open data folder and a few window-wide signals.

:class:`AppContext` is handed to each screen instead of a main-window singleton.
It holds the current :class:`~app.core.db.Database` (replaced after a restore)
and carries two signals, in the manner of Anki's ``operation_did_execute``:
``changed(kind)`` after a write, so every screen showing that kind reloads when
next shown, and ``notice(text, undo)`` for the status bar's "Hoàn tác" line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from app.core.db import Database

EVERYTHING = ""
UndoFn = Callable[[], None]


class AppContext(QObject):
    changed = Signal(str)  # a listing key ("people", …), or EVERYTHING
    notice = Signal(str, object)  # message, undo callable or None
    database_replaced = Signal()

    def __init__(self, data_dir: Path, db: Database | None) -> None:
        super().__init__()
        self.data_dir = data_dir
        self._db = db

    @property
    def db(self) -> Database:
        if self._db is None:
            from app.core.errors import DatabaseError

            raise DatabaseError("Dữ liệu đang được thay (khôi phục); hãy chờ một chút.")
        return self._db

    @property
    def available(self) -> bool:
        """False while the database is closed for a restore."""
        return self._db is not None

    def detach(self) -> Database | None:
        """Close the database for a restore; screens show what they have cached."""
        db, self._db = self._db, None
        if db is not None:
            db.close()
        return db

    def attach(self, db: Database) -> None:
        self._db = db
        self.database_replaced.emit()
        self.changed.emit(EVERYTHING)

    @property
    def role(self) -> str | None:
        """The signed-in account's role; None for a database without accounts."""
        return self._db.role if self._db is not None else None

    def allowed(self, action: str) -> bool:
        """Whether the signed-in role may do ``action`` (the core's permission table)."""
        from app.core.accounts.permissions import allowed

        return allowed(self.role, action)

    def gate(self, widget: QWidget, action: str) -> bool:
        """Disable ``widget`` (with the reason as its tooltip) unless ``action`` is allowed."""
        from app.core.accounts.permissions import denial_message

        ok = self.allowed(action)
        if not ok:
            widget.setEnabled(False)
            widget.setToolTip(denial_message(self.role or "", action))
        return ok

    def announce(self, kind: str, message: str = "", undo: UndoFn | None = None) -> None:
        self.changed.emit(kind)
        if message:
            self.notice.emit(message, undo)


class Screen(QWidget):
    """A page of the main window. Reloads itself lazily: only when shown and stale."""

    key = ""
    title = ""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._stale = True

    def reload(self) -> None:
        """Read what the screen shows from the database again."""

    def mark_stale(self) -> None:
        self._stale = True
        if shiboken6.isValid(self) and self.isVisible():  # not a screen replaced meanwhile
            self.reload_if_stale()

    def reload_if_stale(self) -> None:
        if self._stale and self.ctx.available:
            self._stale = False
            self.reload()

    def focus_search(self) -> None:
        """Put the cursor in the screen's search box, if it has one."""
