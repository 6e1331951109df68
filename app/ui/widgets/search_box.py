"""The search box of every list: searched as you type, without diacritics.

One widget for the registries and the yearly-cycle lists, so both answer the
same way: a short pause after the last keystroke (or Enter) emits
:attr:`SearchBox.search` with the text; the folding and matching are the
core's (:mod:`app.core.registry.listing`).
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QWidget

SEARCH_DEBOUNCE_MS = 150
PLACEHOLDER = "Tìm trong danh sách (không cần dấu)…"


class SearchBox(QLineEdit):
    search = Signal(str)

    def __init__(self, placeholder: str = PLACEHOLDER, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        self.setMinimumWidth(200)
        self.setMaximumWidth(520)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.emit_now)
        self.textChanged.connect(lambda _text: self._debounce.start())
        self.returnPressed.connect(self.emit_now)

    def emit_now(self) -> None:
        """Search at once (Enter, or a test that does not want to wait)."""
        self._debounce.stop()
        self.search.emit(self.text())

    def pending(self) -> bool:
        return self._debounce.isActive()

    def focus_and_select(self) -> None:
        self.setFocus()
        self.selectAll()
