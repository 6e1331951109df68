"""The toolbar's search box: people and households by name without diacritics,
ID number or phone, shown in a drop-down as you type."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from app.core.db import Database
from app.core.registry.search import SearchHit, search

DEBOUNCE_MS = 150
LIMIT = 20
HIT_ROLE = Qt.ItemDataRole.UserRole + 1


def describe_hit(hit: SearchHit) -> str:
    """One line of the drop-down: "Nguyễn Văn An (1980) — hộ Nguyễn Văn Bình — Thôn 1"."""
    if hit.kind == "household":
        parts = [f"Hộ {hit.name}"]
    else:
        parts = [hit.name + (f" ({hit.birth})" if hit.birth else "")]
        if hit.head_name and hit.head_name != hit.name:
            parts.append(f"hộ {hit.head_name}")
        elif hit.head_name:
            parts.append("chủ hộ")
    if hit.hamlet:
        parts.append(hit.hamlet)
    if hit.id_number:
        parts.append(f"CCCD {hit.id_number}")
    return " — ".join(parts)


class GlobalSearch(QLineEdit):
    """Emits :attr:`chosen` with the :class:`SearchHit` the user picks."""

    chosen = Signal(object)

    def __init__(self, db_source: Callable[[], Database | None], parent: QWidget | None = None):
        super().__init__(parent)
        self._db_source = db_source
        self.setPlaceholderText("Tìm người, hộ… (không cần dấu)")
        self.setClearButtonEnabled(True)
        self.setMinimumWidth(320)
        self.setMaximumWidth(560)
        self.results = QStandardItemModel(self)
        self.completer_ = QCompleter(self.results, self)
        self.completer_.setWidget(self)
        self.completer_.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer_.setMaxVisibleItems(14)
        self.completer_.activated[QModelIndex].connect(self._activated)  # type: ignore[index]
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.run_search)
        self.textEdited.connect(lambda _t: self._timer.start())
        self.returnPressed.connect(self._return_pressed)

    def run_search(self) -> list[SearchHit]:
        self._timer.stop()
        db = self._db_source()
        text = self.text().strip()
        hits = search(db, text, limit=LIMIT) if db is not None and text else []
        self.results.clear()
        for hit in hits:
            item = QStandardItem(describe_hit(hit))
            item.setData(hit, HIT_ROLE)
            item.setEditable(False)
            self.results.appendRow(item)
        if not hits and text:
            empty = QStandardItem("Không tìm thấy.")
            empty.setEnabled(False)
            self.results.appendRow(empty)
        popup = self.completer_.popup()
        if self.results.rowCount():
            self.completer_.setCompletionPrefix("")
            popup.setMinimumWidth(max(self.width(), 460))
            self.completer_.complete(self.rect())
            if hits:
                popup.setCurrentIndex(self.completer_.completionModel().index(0, 0))
        else:
            popup.hide()
        return hits

    def _return_pressed(self) -> None:
        if self._timer.isActive() or not self.results.rowCount():
            self.run_search()

    def _activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        hit = index.data(HIT_ROLE)
        if isinstance(hit, SearchHit):
            self.completer_.popup().hide()
            self.chosen.emit(hit)
