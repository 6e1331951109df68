"""An editable drop-down whose typing matches without diacritics ("ha noi" → "Hà Nội")."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from app.core import text as vntext

FOLD_ROLE = Qt.ItemDataRole.UserRole + 7


class _FoldFilter(QSortFilterProxyModel):
    """Keeps the items whose folded label contains every folded word typed."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.words: list[str] = []

    def set_text(self, text: str) -> None:
        words = vntext.fold_query(text)
        if words == self.words:
            return
        self.beginFilterChange()
        self.words = words
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        folded = self.sourceModel().index(source_row, 0, source_parent).data(FOLD_ROLE) or ""
        return all(word in folded for word in self.words)


class FoldComboBox(QComboBox):
    """Pick one of ``(value, label)`` items by typing part of the label, with or without
    diacritics; :attr:`value_changed` carries the value of the item chosen."""

    value_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(20)
        self._filter = _FoldFilter(self)
        self._filter.setSourceModel(self.model())
        completer = QCompleter(self._filter, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.activated[QModelIndex].connect(self._completer_chosen)  # type: ignore[index]
        self.setCompleter(completer)
        line = self.lineEdit()
        line.textEdited.connect(self._typed)
        line.editingFinished.connect(self._settle)
        self.currentIndexChanged.connect(self._index_changed)

    def set_items(
        self, items: list[tuple[Any, str]], also_found_by: dict[Any, str] | None = None
    ) -> None:
        """``also_found_by``: more words an item is found by (a province's former names)."""
        self.blockSignals(True)
        self.clear()
        extra = also_found_by or {}
        for value, label in items:
            self.addItem(label, value)
            self.setItemData(
                self.count() - 1, vntext.fold(f"{label} {extra.get(value, '')}"), FOLD_ROLE
            )
        self.setCurrentIndex(-1)
        self.blockSignals(False)

    def current_value(self) -> Any:
        return self.currentData() if self.currentIndex() >= 0 else None

    def select_value(self, value: Any) -> None:
        self.setCurrentIndex(self.findData(value))

    def matches(self, text: str) -> list[int]:
        """Rows whose label matches ``text`` (all words, diacritic-insensitive)."""
        self._filter.set_text(text)
        return [
            self._filter.mapToSource(self._filter.index(r, 0)).row()
            for r in range(self._filter.rowCount())
        ]

    def _typed(self, text: str) -> None:
        self._filter.set_text(text)
        completer = self.completer()
        completer.setCompletionPrefix("")
        if self._filter.rowCount():
            completer.complete()
        else:
            completer.popup().hide()

    def _completer_chosen(self, index: QModelIndex | QPersistentModelIndex) -> None:
        source = self._filter.mapToSource(self._filter.index(index.row(), 0))
        self.setCurrentIndex(source.row())
        self.completer().popup().hide()

    def _settle(self) -> None:
        """Enter or leaving the box: take the first match, or go back to the last choice."""
        text = self.lineEdit().text()
        current = self.currentIndex()
        if current >= 0 and self.itemText(current) == text:
            return
        rows = self.matches(text) if text.strip() else []
        if rows:
            self.setCurrentIndex(rows[0])
        elif current >= 0:
            self.lineEdit().setText(self.itemText(current))
        self.completer().popup().hide()

    def _index_changed(self, index: int) -> None:
        if index >= 0:
            self.lineEdit().setText(self.itemText(index))
        self.value_changed.emit(self.current_value())
