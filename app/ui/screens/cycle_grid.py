"""The keyboard-only assessment grid: one row per registered entity, items as columns.

Typing in a cell starts editing; Enter and Tab move to the next editable cell
(Enter wraps to the next row). The total and result columns follow every
keystroke-committed value, scored by the pure engine on the values in memory;
nothing is written until "Lưu" (each entity then saved in its own transaction).

For the titles a hamlet proposes, a read-only "Đề nghị" column before the total
shows whether the hamlet has proposed the row, and warns when the value typed
would make it fail (saving a failing result withdraws the proposal).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QHeaderView,
    QTableView,
    QWidget,
)

from app.core.assessment.criteria import Item
from app.core.assessment.cycle import PROPOSED_MODELS, Sheet, SheetRow
from app.core.assessment.scoring import ScoreResult, Value, check_value, score
from app.core.errors import ValidationError

Index = QModelIndex | QPersistentModelIndex
FIXED_LEFT = 1  # the name column
FIXED_RIGHT = 2  # total, result (the proposal column, when shown, comes before them)
PROPOSAL_HEADER = "Đề nghị"
PROPOSED_MARK = "✓"  # as in the list beside the grid
WITHDRAW_MARK = "sẽ rút"  # proposed, but the typed values now fail
PASS_BG = QColor("#e6f4ea")
FAIL_BG = QColor("#fdecea")
COMPUTED_BG = QColor("#eef2f7")


class AssessmentModel(QAbstractTableModel):
    def __init__(self, sheet: Sheet, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sheet = sheet
        self.items: list[Item] = list(sheet.doc.items)
        self.values: list[dict[str, Value]] = [dict(r.values) for r in sheet.rows]
        # Scored when first shown: a grid of 8,000 households would otherwise score
        # every row before the screen appears.
        self._results: list[ScoreResult | None] = [None] * len(sheet.rows)
        self.dirty: set[int] = set()
        self.shows_proposal = sheet.model in PROPOSED_MODELS
        self.last_error = ""
        self.on_error: Callable[[str], None] = lambda _text: None

    # --- structure ---
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.sheet.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        extra = 1 if self.shows_proposal else 0
        return 0 if parent.isValid() else FIXED_LEFT + len(self.items) + extra + FIXED_RIGHT

    def proposal_column(self) -> int | None:
        """The read-only "Đề nghị" column, for the titles a hamlet proposes."""
        return FIXED_LEFT + len(self.items) if self.shows_proposal else None

    def item_at(self, column: int) -> Item | None:
        k = column - FIXED_LEFT
        return self.items[k] if 0 <= k < len(self.items) else None

    def editable(self, index: Index) -> bool:
        item = self.item_at(index.column())
        return (
            item is not None
            and item.kind != "computed"
            and not self.sheet.rows[index.row()].recognised
        )

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return str(section + 1) if role == Qt.ItemDataRole.DisplayRole else None
        item = self.item_at(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if section == 0:
                return "Tên"
            if item is not None:
                return f"{item.code}\n(/{item.max:g})"
            if section == self.proposal_column():
                return PROPOSAL_HEADER
            return "Tổng" if section == self.columnCount() - 2 else "Kết quả"
        if role == Qt.ItemDataRole.ToolTipRole and item is not None:
            note = "" if item.status == "đã xác nhận" else f"\n[{item.status}]"
            return f"{item.title}{note}\n{item.origin_text}"
        if role == Qt.ItemDataRole.ToolTipRole and section == self.proposal_column():
            return "Thôn đã đề nghị công nhận hay chưa (chỉ xem; lập đề nghị ở “Thôn đề nghị…”)."
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsEditable if self.editable(index) else base

    # --- data ---
    def _score(self, row: int) -> ScoreResult:
        return score(self.sheet.doc, self.values[row], self.sheet.rows[row].computed)

    def result(self, row: int) -> ScoreResult:
        """The row's score on the values in memory (computed once per change)."""
        found = self._results[row]
        if found is None:
            found = self._results[row] = self._score(row)
        return found

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        result = self.result(row)
        item = self.item_at(col)
        if col == self.proposal_column():
            return self._proposal_data(row, role)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == 0:
                return self.sheet.rows[row].name
            if item is not None:
                if item.kind == "computed":
                    s = result.items[item.code]
                    return f"{s.points:g} ({s.shown})"
                value = self.values[row].get(item.code)
                if value is None:
                    return ""
                if item.kind == "yesno":
                    return "có" if value in (True, "có", 1) else "không"
                return f"{float(value):g}"  # type: ignore[arg-type]
            if col == self.columnCount() - 2:
                return f"{result.total:g}"
            return result.label + (" ✓" if self.sheet.rows[row].recognised else "")
        if role == Qt.ItemDataRole.BackgroundRole:
            if item is not None and item.kind == "computed":
                return QBrush(COMPUTED_BG)
            if item is None and col > 0:
                return QBrush(PASS_BG if result.passed else FAIL_BG)
        if role == Qt.ItemDataRole.ToolTipRole and item is None and col > 0:
            return "\n".join(result.failures) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _proposal_data(self, row: int, role: int) -> Any:
        """The "Đề nghị" cell: a mark, and in its tooltip the proposal's number and date."""
        entry: SheetRow = self.sheet.rows[row]
        proposed = entry.proposed_on is not None
        withdrawn = proposed and not self.result(row).passed
        if role == Qt.ItemDataRole.DisplayRole:
            return (WITHDRAW_MARK if withdrawn else PROPOSED_MARK) if proposed else ""
        if role == Qt.ItemDataRole.ToolTipRole:
            return _proposal_tip(entry, withdrawn)
        if role == Qt.ItemDataRole.BackgroundRole and withdrawn:
            return QBrush(FAIL_BG)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def setData(self, index: Index, value: Any, role: int = 2) -> bool:
        item = self.item_at(index.column())
        if role != Qt.ItemDataRole.EditRole or item is None or not self.editable(index):
            return False
        text = str(value).strip().replace(",", ".")
        try:
            points = check_value(item, text if item.kind == "yesno" else (text or None))
        except ValidationError as err:
            self.last_error = err.message
            self.on_error(err.message)
            return False
        self.last_error = ""
        self.on_error("")
        row = index.row()
        if points is None:
            self.values[row].pop(item.code, None)
        elif item.kind == "yesno":
            self.values[row][item.code] = points > 0
        else:
            self.values[row][item.code] = points
        self._results[row] = None
        self.dirty.add(row)
        last = self.columnCount() - 1
        self.dataChanged.emit(index, self.index(row, last))
        return True


def _proposal_tip(entry: SheetRow, withdrawn: bool) -> str:
    if entry.proposed_on is None:
        return "Thôn chưa đề nghị công nhận."
    parts = [f"số {entry.proposal_number}"] if entry.proposal_number else []
    parts.append(f"ngày {entry.proposed_on:%d/%m/%Y}")
    text = f"Thôn đã đề nghị công nhận ({', '.join(parts)})."
    if withdrawn:
        text += "\nKết quả đang nhập là không đạt: khi lưu, đề nghị này sẽ bị rút."
    return text


class AssessmentGrid(QTableView):
    """A table view where Enter commits and moves to the next editable cell.

    Tab leaves the grid for the buttons below (a keyboard user must be able to get
    out of a table); the name column stays in view when scrolling sideways
    (:class:`FrozenNameColumn`).
    """

    frozen: FrozenNameColumn | None = None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setTabKeyNavigation(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.frozen = FrozenNameColumn(self)

    def setModel(self, model: Any) -> None:
        super().setModel(model)
        if self.frozen is not None:
            self.frozen.follow_model()

    def show_only(self, entity_ids: set[int] | None) -> None:
        """Hide the rows of other entities (the search box); ``None`` shows every row."""
        model = self.model()
        if not isinstance(model, AssessmentModel):
            return
        for row, entry in enumerate(model.sheet.rows):
            hidden = entity_ids is not None and entry.entity_id not in entity_ids
            if self.isRowHidden(row) != hidden:
                self.setRowHidden(row, hidden)
                if self.frozen is not None:
                    self.frozen.setRowHidden(row, hidden)

    def next_editable(self, index: QModelIndex) -> QModelIndex:
        model = self.model()
        if not isinstance(model, AssessmentModel):
            return index
        rows, cols = model.rowCount(), model.columnCount()
        pos = index.row() * cols + index.column()
        for step in range(1, rows * cols + 1):
            p = pos + step
            if p >= rows * cols:
                break
            if self.isRowHidden(p // cols):
                continue
            candidate = model.index(p // cols, p % cols)
            if model.editable(candidate):
                return candidate
        return index

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.setCurrentIndex(self.next_editable(self.currentIndex()))
            return
        super().keyPressEvent(event)

    def closeEditor(self, editor: QWidget, hint: Any) -> None:
        """Enter inside an editor commits the value and moves on, like a spreadsheet;
        Tab commits it and leaves the grid."""
        super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache:
            self.setCurrentIndex(self.next_editable(self.currentIndex()))
        elif hint == QAbstractItemDelegate.EndEditHint.EditNextItem:
            self.focusNextChild()
        elif hint == QAbstractItemDelegate.EndEditHint.EditPreviousItem:
            self.focusPreviousChild()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self.frozen is not None:
            self.frozen.place()

    def updateGeometries(self) -> None:
        super().updateGeometries()
        if self.frozen is not None:
            self.frozen.place()

    def moveCursor(self, action: QAbstractItemView.CursorAction, modifiers: Any) -> QModelIndex:
        """Keep the current cell out from under the frozen name column."""
        current = super().moveCursor(action, modifiers)
        width = self.columnWidth(0)
        if (
            action == QAbstractItemView.CursorAction.MoveLeft
            and current.column() > 0
            and self.visualRect(current).topLeft().x() < width
        ):
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() + self.visualRect(current).topLeft().x() - width)
        return current

    def scrollTo(self, index: Any, hint: Any = QAbstractItemView.ScrollHint.EnsureVisible) -> None:
        if index.column() > 0:
            super().scrollTo(index, hint)


class FrozenNameColumn(QTableView):
    """The grid's first column drawn again on top of it, so the name of the row being
    scored stays visible while the items scroll by (Qt's "frozen column" example)."""

    def __init__(self, grid: AssessmentGrid) -> None:
        super().__init__(grid)
        self.grid = grid
        self.setObjectName("frozen_name_column")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setStyleSheet("QTableView { border: none; border-right: 1px solid #b0b0b0; }")
        self.verticalScrollBar().valueChanged.connect(grid.verticalScrollBar().setValue)
        grid.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        grid.horizontalHeader().sectionResized.connect(self._section_resized)
        grid.verticalHeader().sectionResized.connect(lambda i, _old, new: self.setRowHeight(i, new))

    def follow_model(self) -> None:
        model = self.grid.model()
        self.setModel(model)
        if model is None:
            return
        self.setSelectionModel(self.grid.selectionModel())
        for col in range(1, model.columnCount()):
            self.setColumnHidden(col, True)
        # Room for a long name ("Nguyễn Thị Phương Thảo"), not the header's "Tên".
        wide = self.grid.fontMetrics().horizontalAdvance("Nguyễn Thị Phương Thảo An") + 16
        self.grid.setColumnWidth(0, max(self.grid.columnWidth(0), wide))
        self.setColumnWidth(0, self.grid.columnWidth(0))
        self.verticalHeader().setDefaultSectionSize(self.grid.verticalHeader().defaultSectionSize())
        self.show()
        self.place()

    def _section_resized(self, index: int, _old: int, new: int) -> None:
        if index == 0:
            self.setColumnWidth(0, new)
            self.place()

    def place(self) -> None:
        grid = self.grid
        frame = grid.frameWidth()
        self.horizontalHeader().setFixedHeight(grid.horizontalHeader().height())
        self.setGeometry(
            grid.verticalHeader().width() + frame,
            frame,
            grid.columnWidth(0),
            grid.viewport().height() + grid.horizontalHeader().height(),
        )
