"""A lazy table model over a registry :class:`~app.core.registry.listing.Listing`.

It holds only the ordered list of ids (SQLite filters and sorts them); the
text of a row is fetched when the view first asks for it, a page of rows
around it at a time, into a small LRU cache. A 30 000-row list therefore costs
one id query plus the ~40 rows on screen, and scrolling fetches 200 rows per
database round-trip. No widget is ever built per row.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.core.db import Database
from app.core.registry.listing import Listing, ListQuery

PAGE = 200
CACHE_LIMIT = 3000
DELETED_COLOUR = QColor(130, 130, 130)
AnyIndex = QModelIndex | QPersistentModelIndex
DbSource = Callable[[], Database | None]


class ListingModel(QAbstractTableModel):
    """Rows of one listing for one :class:`ListQuery`, fetched on demand."""

    def __init__(self, listing: Listing, db_source: DbSource, parent: Any = None) -> None:
        super().__init__(parent)
        self.listing = listing
        self._db_source = db_source
        self.query = ListQuery()
        self._ids: list[int] = []
        self._rows: OrderedDict[int, list[str]] = OrderedDict()
        self._row_of: dict[int, int] | None = None
        self._align_right = [c.align_right for c in listing.columns]
        self.fetches = 0  # page fetches since the last refresh (tests, benchmarks)

    # --- loading -------------------------------------------------------------------

    def refresh(self, query: ListQuery | None = None) -> None:
        """Run the id query again (new search, filter, sort or after a change)."""
        if query is not None:
            self.query = query
        db = self._db_source()
        ids = self.listing.ids(db, self.query) if db is not None else []
        self.beginResetModel()
        self._ids = ids
        self._rows.clear()
        self._row_of = None
        self.fetches = 0
        self.endResetModel()

    def invalidate_rows(self) -> None:
        """Forget the cached text (rows edited) but keep the id order."""
        self._rows.clear()
        if self._ids:
            last = self.index(len(self._ids) - 1, len(self.listing.columns) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def _display_row(self, row: int) -> list[str] | None:
        row_id = self._ids[row]
        cached = self._rows.get(row_id)
        if cached is not None:
            self._rows.move_to_end(row_id)
            return cached
        db = self._db_source()
        if db is None:
            return None
        start = max(0, row - PAGE // 4)
        wanted = [i for i in self._ids[start : start + PAGE] if i not in self._rows]
        fetched = self.listing.rows(db, wanted)
        self.fetches += 1
        for fid in wanted:
            raw = fetched.get(fid)
            # A row deleted meanwhile by another screen shows empty until the next refresh.
            self._rows[fid] = self.listing.display(raw) if raw is not None else []
        while len(self._rows) > CACHE_LIMIT:
            self._rows.popitem(last=False)
        return self._rows.get(row_id)

    # --- lookups used by the screen ------------------------------------------------

    @property
    def ids(self) -> Sequence[int]:
        return self._ids

    def id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, row_id: int) -> int | None:
        if self._row_of is None:
            self._row_of = {rid: i for i, rid in enumerate(self._ids)}
        return self._row_of.get(row_id)

    def text(self, row: int, column: int = 0) -> str:
        values = self._display_row(row) if 0 <= row < len(self._ids) else None
        return values[column] if values and column < len(values) else ""

    # --- Qt model interface --------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.listing.columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = self._display_row(index.row())
            return values[index.column()] if values else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if self._align_right[index.column()]:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and self.query.deleted:
            return DELETED_COLOUR
        if role == Qt.ItemDataRole.UserRole:
            return self._ids[index.row()]
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        column = self.listing.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column in SQLite; ``column < 0`` returns to the list's own order."""
        key = self.listing.columns[column].key if column >= 0 else None
        self.query.sort = key
        self.query.descending = order == Qt.SortOrder.DescendingOrder
        self.refresh()


class SequenceModel(QAbstractTableModel):
    """A list already in memory (say 20,000 cycle rows), shown through a cell function.

    Nothing is built per cell or per row: the view asks only for the rows on
    screen, so filling a table costs one list assignment instead of building an
    item per cell (a ``QStandardItemModel`` of 20,000 × 7 items took seconds).
    """

    def __init__(
        self,
        headers: Sequence[str],
        cells: Callable[[Any], Sequence[str]],
        parent: Any = None,
        right_aligned: Sequence[int] = (),
    ) -> None:
        super().__init__(parent)
        self.headers = list(headers)
        self._cells = cells
        self._rows: list[Any] = []
        self._right = set(right_aligned)

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    @property
    def rows(self) -> Sequence[Any]:
        return self._rows

    def text(self, row: int, column: int) -> str:
        return str(self._cells(self._rows[row])[column])

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.text(index.row(), index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in self._right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.headers[section] if section < len(self.headers) else None
        return str(section + 1)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
