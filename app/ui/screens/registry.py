"""One registry list (hamlets, households, people, clans, units, branches, members).

The same screen serves every listing key: a search box (searched as you type,
without diacritics), one drop-down per filter of the listing, the "Đã xóa"
view of soft-deleted rows, and Thêm / Sửa / Xóa (or Khôi phục). Deleting says
so in the status bar with a "Hoàn tác" button. Sorting a column asks SQLite.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.accounts.permissions import REGISTRY_EDIT
from app.core.db import Database
from app.core.registry.listing import LISTINGS, ListQuery
from app.core.text import format_number
from app.ui.screens.base import EVERYTHING, AppContext, Screen
from app.ui.table_model import ListingModel
from app.ui.widgets import messages
from app.ui.widgets.flow_layout import FlowLayout, labelled
from app.ui.widgets.search_box import SearchBox

STRETCH_KEYS = ("address", "place", "note", "name")
ALL = "Tất cả"

# What one row is called, for counters and messages ("12.345 nhân khẩu").
KIND_NOUNS = {
    "hamlets": "thôn / tổ dân phố",
    "households": "hộ",
    "people": "nhân khẩu",
    "clans": "dòng họ",
    "units": "đơn vị",
    "branches": "chi hội",
    "members": "hội viên",
}

# kind → (module, delete function, restore function); imported when first used.
SERVICES: dict[str, tuple[str, str, str]] = {
    "hamlets": ("app.core.registry.hamlets", "delete_hamlet", "restore_hamlet"),
    "households": ("app.core.registry.households", "delete_household", "restore_household"),
    "people": ("app.core.registry.households", "delete_person", "restore_person"),
    "clans": ("app.core.registry.clans", "delete_clan", "restore_clan"),
    "units": ("app.core.registry.units", "delete_unit", "restore_unit"),
    "branches": ("app.core.registry.members", "delete_branch", "restore_branch"),
    "members": ("app.core.registry.members", "delete_member", "restore_member"),
}

RowService = Callable[[Database, int], Any]


def service(kind: str, action: str) -> RowService:
    """The core function deleting (``action="delete"``) or restoring a row of ``kind``."""
    module, delete_name, restore_name = SERVICES[kind]
    fn: RowService = getattr(
        importlib.import_module(module), delete_name if action == "delete" else restore_name
    )
    return fn


def load_dialogs(parent: QWidget | None) -> ModuleType | None:
    """The edit dialogs package, or ``None`` (with a message) if this build lacks it."""
    try:
        return importlib.import_module("app.ui.dialogs")
    except ModuleNotFoundError as exc:
        if exc.name not in ("app.ui.dialogs",):
            raise
        messages.inform(parent, "Chức năng nhập và sửa dữ liệu chưa có trong bản này.")
        return None


class RegistryTable(QTableView):
    """The list itself: Enter opens the row, Delete deletes it."""

    open_requested = Signal()
    delete_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_requested.emit()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Delete:
            self.delete_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class RegistryScreen(Screen):
    def __init__(self, ctx: AppContext, key: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.key = key
        self.listing = LISTINGS[key]
        self.title = self.listing.title
        self.noun = KIND_NOUNS[key]
        self.model = ListingModel(self.listing, self._db_or_none, self)
        self.filter_combos: dict[str, QComboBox] = {}
        self._build()

    def _db_or_none(self) -> Database | None:
        return self.ctx.db if self.ctx.available else None

    # --- layout --------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        heading = QLabel(self.listing.title)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        layout.addLayout(self._build_search_row())
        if self.listing.filters:
            layout.addLayout(self._build_filters())
        layout.addWidget(self._build_table(), 1)
        layout.addLayout(self._build_buttons())
        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_search)
        QShortcut(QKeySequence.StandardKey.New, self, self.add_row)  # Ctrl+N (Thêm)

    def _build_search_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.search_box = SearchBox()
        self.search_box.search.connect(lambda _text: self.apply_query())
        row.addWidget(self.search_box, 1)
        row.addStretch(0)
        self.deleted_button = QPushButton("Đã xóa")
        self.deleted_button.setCheckable(True)
        self.deleted_button.setToolTip("Xem các dòng đã xóa để khôi phục")
        self.deleted_button.toggled.connect(self._deleted_toggled)
        row.addWidget(self.deleted_button)
        return row

    def _build_filters(self) -> FlowLayout:
        """One drop-down per filter; the row wraps when the window is narrow (large text)."""
        row = FlowLayout(spacing=10)
        for flt in self.listing.filters:
            combo = QComboBox()
            combo.setObjectName(f"filter_{flt.key}")
            combo.setToolTip(flt.title)
            combo.setMaxVisibleItems(20)
            combo.setMinimumContentsLength(10)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.addItem(ALL, None)
            combo.currentIndexChanged.connect(lambda _i: self.apply_query())
            self.filter_combos[flt.key] = combo
            row.addWidget(labelled(flt.title + ":", combo))
        return row

    def _build_table(self) -> QTableView:
        self.table = RegistryTable()
        self.table.setModel(self.model)
        self.table.setObjectName(f"table_{self.key}")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = self.table.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        scale = max(1.0, self.fontMetrics().averageCharWidth() / 7)
        metrics = header.fontMetrics()
        for i, column in enumerate(self.listing.columns):
            title_width = metrics.horizontalAdvance(column.title) + 28  # room for the arrow
            header.resizeSection(i, max(int(column.width * scale), title_width))
        self._stretch_a_text_column(header)
        header.sortIndicatorChanged.connect(self._sort_changed)
        self.table.doubleClicked.connect(self._open_index)
        self.table.open_requested.connect(self.open_current)
        self.table.delete_requested.connect(self.delete_or_restore)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        return self.table

    def _stretch_a_text_column(self, header: QHeaderView) -> None:
        """Give spare width to a text column; a count stretched last would drift away
        from its title to the far right edge."""
        columns = self.listing.columns
        if not columns[-1].align_right:
            header.setStretchLastSection(True)
            return
        keys = [c.key for c in columns]
        for preferred in STRETCH_KEYS:
            if preferred in keys:
                header.setSectionResizeMode(keys.index(preferred), QHeaderView.ResizeMode.Stretch)
                return

    def _build_buttons(self) -> QHBoxLayout:
        from app.core.accounts.permissions import denial_message

        row = QHBoxLayout()
        self.add_button = QPushButton("Thêm")
        self.add_button.setToolTip("Thêm (Ctrl+N)")
        self.add_button.clicked.connect(self.add_row)
        self.edit_button = QPushButton("Sửa")
        self.edit_button.setToolTip("Sửa dòng đang chọn (Enter)")
        self.edit_button.clicked.connect(self.open_current)
        self.delete_button = QPushButton("Xóa")
        self.delete_button.setToolTip("Xóa dòng đang chọn (Delete)")
        self.delete_button.clicked.connect(self.delete_or_restore)
        for button in (self.add_button, self.edit_button, self.delete_button):
            row.addWidget(button)
            if not self.ctx.allowed(REGISTRY_EDIT):
                button.setToolTip(denial_message(self.ctx.role or "", REGISTRY_EDIT))
        self.card_button: QPushButton | None = None
        if self.key in ("households", "people"):
            self.card_button = QPushButton("Xem thẻ hộ")
            self.card_button.clicked.connect(self.open_card)
            row.addWidget(self.card_button)
        self.export_button = QPushButton("Xuất Excel…")
        self.export_button.setToolTip("Xuất danh sách đang hiện (theo tìm kiếm, lọc, sắp xếp)")
        self.export_button.clicked.connect(self.export_excel)
        row.addWidget(self.export_button)
        row.addStretch(1)
        self.count_label = QLabel()
        self.count_label.setObjectName("count_label")
        row.addWidget(self.count_label)
        return row

    # --- loading -------------------------------------------------------------------

    def reload(self) -> None:
        self._reload_choices()
        self.apply_query()

    def _reload_choices(self) -> None:
        db = self.ctx.db
        for flt in self.listing.filters:
            combo = self.filter_combos[flt.key]
            choices = flt.choices(db)
            current = combo.currentData()
            if [combo.itemData(i) for i in range(1, combo.count())] == [v for v, _ in choices]:
                continue
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(ALL, None)
            for value, label in choices:
                combo.addItem(label, value)
            index = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)
            view = combo.view()
            view.setMinimumWidth(min(view.sizeHintForColumn(0) + 32, 480))

    def export_excel(self) -> None:
        from app.ui.export_action import export_list_to_excel

        export_list_to_excel(self, self.ctx, self.key, self.current_query())

    def current_query(self) -> ListQuery:
        filters = {
            key: combo.currentData()
            for key, combo in self.filter_combos.items()
            if combo.currentData() is not None
        }
        return ListQuery(
            search=self.search_box.text(),
            filters=filters,
            deleted=self.deleted_button.isChecked(),
            sort=self.model.query.sort,
            descending=self.model.query.descending,
        )

    def apply_query(self) -> None:
        """Re-run the list's query from the widgets, keeping the selection if possible."""
        if not self.ctx.available:
            return
        with messages.guarded(self):
            self._keeping_selection(lambda: self.model.refresh(self.current_query()))
        self._update_count()
        self._update_buttons()

    def _keeping_selection(self, action: Callable[[], None]) -> None:
        selected = self.selected_ids()
        current = self.current_id()
        action()
        self.select_ids(selected, current)

    def select_ids(self, ids: Sequence[int], current: int | None = None) -> None:
        rows = [r for r in (self.model.row_of(i) for i in ids) if r is not None]
        if not rows:
            return
        selection = QItemSelection()
        last_column = self.model.columnCount() - 1
        for row in rows:
            selection.select(self.model.index(row, 0), self.model.index(row, last_column))
        model = self.table.selectionModel()
        focus_row = self.model.row_of(current) if current is not None else None
        focus = self.model.index(focus_row if focus_row is not None else rows[0], 0)
        model.setCurrentIndex(focus, QItemSelectionModel.SelectionFlag.NoUpdate)
        model.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.table.scrollTo(focus)

    def _update_count(self) -> None:
        n = self.model.rowCount()
        suffix = " đã xóa" if self.deleted_button.isChecked() else ""
        self.count_label.setText(f"{format_number(n)} {self.noun}{suffix}")

    def _update_buttons(self) -> None:
        deleted = self.deleted_button.isChecked()
        has_rows = bool(self.selected_ids())
        can_edit = self.ctx.allowed(REGISTRY_EDIT)
        self.add_button.setEnabled(not deleted and can_edit)
        # "Sửa" opens the form; without the right to edit it opens read-only work that
        # the core refuses to save, so it stays closed as well.
        self.edit_button.setEnabled(not deleted and has_rows and can_edit)
        self.delete_button.setText("Khôi phục" if deleted else "Xóa")
        self.delete_button.setEnabled(has_rows and can_edit)
        if self.card_button is not None:
            self.card_button.setEnabled(not deleted and has_rows)

    def _deleted_toggled(self, _checked: bool) -> None:
        self.apply_query()

    def _sort_changed(self, column: int, order: Qt.SortOrder) -> None:
        self.model.query.sort = self.listing.columns[column].key if column >= 0 else None
        self.model.query.descending = order == Qt.SortOrder.DescendingOrder
        self.apply_query()

    def focus_search(self) -> None:
        self.search_box.focus_and_select()

    # --- selection -----------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [rid for rid in (self.model.id_at(r) for r in rows) if rid is not None]

    def current_id(self) -> int | None:
        index: QModelIndex = self.table.currentIndex()
        selected = self.selected_ids()
        if index.isValid() and self.model.id_at(index.row()) in selected:
            return self.model.id_at(index.row())
        return selected[0] if selected else None

    def _name_of(self, row_id: int) -> str:
        row = self.model.row_of(row_id)
        return self.model.text(row, 0) if row is not None else ""

    # --- actions -------------------------------------------------------------------

    def add_row(self) -> None:
        if self.deleted_button.isChecked():
            return
        dialogs = load_dialogs(self)
        if dialogs is None:
            return
        with messages.guarded(self):
            new_id = dialogs.open_editor(self.key, self.ctx.db, self, None)
            if new_id is not None:
                self.ctx.announce(self.key)
                self.select_ids([new_id], new_id)

    def _open_index(self, index: QModelIndex) -> None:
        row_id = self.model.id_at(index.row())
        if row_id is not None:
            self.select_ids([row_id], row_id)
            self.open_current()

    def open_current(self) -> None:
        row_id = self.current_id()
        if row_id is None or self.deleted_button.isChecked():
            return
        if self.key == "households":
            self.open_card()
            return
        dialogs = load_dialogs(self)
        if dialogs is None:
            return
        with messages.guarded(self):
            saved = dialogs.open_editor(self.key, self.ctx.db, self, row_id)
            if saved is not None:
                self.ctx.announce(EVERYTHING)
                self.select_ids([saved], saved)

    def open_card(self) -> None:
        row_id = self.current_id()
        if row_id is None or self.deleted_button.isChecked():
            return
        with messages.guarded(self):
            household_id: int | None = row_id
            if self.key == "people":
                from app.core.registry.households import get_person

                household_id = get_person(self.ctx.db, row_id).household_id
                if household_id is None:
                    messages.inform(self, "Người này không thuộc hộ nào trong sổ.")
                    return
            dialogs = load_dialogs(self)
            if dialogs is None or household_id is None:
                return
            dialogs.open_household_card(self.ctx.db, self, household_id)
            self.ctx.announce(EVERYTHING)
            self.select_ids([row_id], row_id)

    def delete_or_restore(self) -> None:
        if self.deleted_button.isChecked():
            self.restore_selected()
        else:
            self.delete_selected()

    def _describe(self, ids: Sequence[int]) -> str:
        if len(ids) == 1:
            name = self._name_of(ids[0])
            return f"{self.noun} “{name}”" if name else self.noun
        return f"{format_number(len(ids))} {self.noun}"

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        what = self._describe(ids)
        extra = " cùng các nhân khẩu trong hộ" if self.key == "households" else ""
        question = (
            f"Xóa {what}{extra}?\n\nCó thể khôi phục lại trong mục “Đã xóa” hoặc bằng "
            "nút “Hoàn tác” ngay sau khi xóa."
        )
        if not messages.ask(self, question, title="Xóa", yes="Xóa"):
            return
        done = self._apply_each(ids, service(self.key, "delete"))
        if done:
            self.ctx.announce(
                EVERYTHING,
                f"Đã xóa {self._describe_done(done, what, ids)}.",
                self._undo(done, service(self.key, "restore")),
            )

    def restore_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        what = self._describe(ids)
        done = self._apply_each(ids, service(self.key, "restore"))
        if done:
            self.ctx.announce(
                EVERYTHING,
                f"Đã khôi phục {self._describe_done(done, what, ids)}.",
                self._undo(done, service(self.key, "delete")),
            )

    def _describe_done(self, done: Sequence[int], what: str, asked: Sequence[int]) -> str:
        return what if len(done) == len(asked) else f"{format_number(len(done))} {self.noun}"

    def _apply_each(self, ids: Sequence[int], fn: RowService) -> list[int]:
        """Apply ``fn`` to each id; stop at the first refusal (shown), keep what was done."""
        done: list[int] = []
        with messages.guarded(self):
            for row_id in ids:
                fn(self.ctx.db, row_id)
                done.append(row_id)
        return done

    def _undo(self, ids: Sequence[int], fn: RowService) -> Callable[[], None]:
        ctx, kind = self.ctx, self.key

        def undo() -> None:
            for row_id in reversed(ids):
                fn(ctx.db, row_id)
            ctx.announce(EVERYTHING)
            self.select_ids(list(ids))

        undo.__doc__ = f"undo on {kind}"
        return undo
