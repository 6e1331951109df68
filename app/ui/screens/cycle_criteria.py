"""Criteria sets of a model: see them, load a province's file, edit a copy, pick the one in use.

The editor works on a draft copy (:mod:`app.core.assessment.criteria_edit`): groups,
criteria and items can be added, removed, renamed and moved; items get their kind
(chấm điểm / có/không), maximum, step and minimum; the result is a pass mark or
bands; the set declares its total and the items must add up to it. The draft is
checked live (every problem listed in Vietnamese) and "Lưu thành phiên bản mới"
saves it as the next version of the same code — a stored set, and the assessments
made with it, never change.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.core.assessment import MODELS, sets
from app.core.assessment import criteria_edit as ed
from app.core.assessment.criteria import ITEM_KINDS, STATUSES
from app.core.db import Database
from app.core.errors import UserError
from app.ui.widgets import messages

COLUMNS = ("Mã", "Nội dung", "Loại", "Tối đa", "Bước", "Tối thiểu", "Trạng thái", "Nguồn")
CODE, TITLE, KIND, MAX, STEP, MIN, STATUS, SOURCE = range(len(COLUMNS))
ITEM_FIELDS = {TITLE: "title", KIND: "kind", MAX: "max", STEP: "step", MIN: "min"}
ITEM_FIELDS |= {STATUS: "status", SOURCE: "provenance"}
HEAD_FIELDS = {TITLE: "title", MIN: "min"}  # groups and criteria
NUMERIC = {"max", "step", "min"}
KIND_BY_LABEL = {label: kind for kind, label in ITEM_KINDS.items()}
PATH_ROLE = Qt.ItemDataRole.UserRole
Index = QModelIndex | QPersistentModelIndex


class ChoiceDelegate(QStyledItemDelegate):
    """A combo box editor for the item kind and status columns."""

    def __init__(self, choices: dict[int, list[str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choices = choices

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        options = self.choices.get(index.column())
        if not options:
            return super().createEditor(parent, option, index)
        box = QComboBox(parent)
        box.addItems(options)
        return box

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentText(str(index.data() or ""))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText())
        else:
            super().setModelData(editor, model, index)


def _number(text: str) -> float | None:
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError as exc:
        raise UserError(f"“{text}” không phải là số.") from exc


class CriteriaDialog(QDialog):
    def __init__(self, db: Database, model: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.model = db, model
        self.infos: list[sets.CriteriaSetInfo] = []
        self.raw: dict[str, Any] = {}
        self._filling = False
        self.setWindowTitle(f"Bộ tiêu chí — {MODELS[model]}")
        self.resize(1100, 680)
        self.set_box = QComboBox()
        self.info_label = QLabel()
        self.info_label.setWordWrap(True)
        self.title_edit = QLineEdit()
        self.total = QDoubleSpinBox()
        self.total.setRange(0, 10000)
        self.total.setDecimals(1)
        self.sum_label = QLabel()
        self.table_model = QStandardItemModel(0, len(COLUMNS))
        self.table_model.setHorizontalHeaderLabels(list(COLUMNS))
        self.table = QTreeView()
        self.table.setModel(self.table_model)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.header().setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        self.table.setItemDelegate(
            ChoiceDelegate({KIND: list(ITEM_KINDS.values()), STATUS: list(STATUSES)}, self)
        )
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.add_group_button = QPushButton("+ Nhóm")
        self.add_criterion_button = QPushButton("+ Tiêu chí")
        self.add_item_button = QPushButton("+ Mục")
        self.remove_button = QPushButton("Xóa dòng")
        self.up_button = QPushButton("▲")
        self.down_button = QPushButton("▼")
        self._result_widgets()
        self.use_button = QPushButton("Dùng bộ này")
        self.save_button = QPushButton("Lưu thành phiên bản mới")
        self.import_button = QPushButton("Nạp tệp của tỉnh…")
        close = QPushButton("Đóng")
        self._layout(close)
        self.set_box.currentIndexChanged.connect(self.show_set)
        self.use_button.clicked.connect(self.use_set)
        self.save_button.clicked.connect(self.save_copy)
        self.import_button.clicked.connect(self.import_file)
        self.add_group_button.clicked.connect(self.add_group)
        self.add_criterion_button.clicked.connect(self.add_criterion)
        self.add_item_button.clicked.connect(self.add_item)
        self.remove_button.clicked.connect(self.remove_row)
        self.up_button.clicked.connect(lambda: self.move_row(-1))
        self.down_button.clicked.connect(lambda: self.move_row(+1))
        self.table_model.itemChanged.connect(self.cell_changed)
        for spin in (self.total, self.pass_mark):
            spin.valueChanged.connect(lambda _v: self.refresh_check())
        self.result_kind.currentIndexChanged.connect(lambda _i: self._result_kind_changed())
        self.bands.itemChanged.connect(lambda _item: self.refresh_check())
        close.clicked.connect(self.accept)
        self.reload()

    # --- layout ---
    def _result_widgets(self) -> None:
        self.result_kind = QComboBox()
        self.pass_mark = QDoubleSpinBox()
        self.pass_mark.setRange(0, 10000)
        self.pass_mark.setDecimals(1)
        self.bands = QTableWidget(0, 2)
        self.bands.setHorizontalHeaderLabels(["Mức xếp loại", "Từ điểm"])
        self.bands.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.bands.setMaximumHeight(130)
        self.add_band_button = QPushButton("+ Mức")
        self.remove_band_button = QPushButton("− Mức")
        self.add_band_button.clicked.connect(self.add_band)
        self.remove_band_button.clicked.connect(self.remove_band)

    def _layout(self, close: QPushButton) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel("Bộ tiêu chí:"))
        top.addWidget(self.set_box, 1)
        head = QHBoxLayout()
        head.addWidget(QLabel("Tên bộ:"))
        head.addWidget(self.title_edit, 1)
        head.addWidget(QLabel("Tổng điểm của bộ:"))
        head.addWidget(self.total)
        head.addWidget(self.sum_label)
        tools = QHBoxLayout()
        for b in (
            self.add_group_button,
            self.add_criterion_button,
            self.add_item_button,
            self.remove_button,
            self.up_button,
            self.down_button,
        ):
            tools.addWidget(b)
        tools.addStretch(1)
        result = QHBoxLayout()
        result.addWidget(QLabel("Cách xếp loại:"))
        result.addWidget(self.result_kind)
        result.addWidget(QLabel("Điểm đạt:"))
        result.addWidget(self.pass_mark)
        result.addWidget(self.bands, 1)
        band_buttons = QVBoxLayout()
        band_buttons.addWidget(self.add_band_button)
        band_buttons.addWidget(self.remove_band_button)
        result.addLayout(band_buttons)
        buttons = QHBoxLayout()
        for b in (self.import_button, self.save_button, self.use_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.info_label)
        layout.addLayout(head)
        layout.addLayout(tools)
        layout.addWidget(self.table, 1)
        layout.addLayout(result)
        layout.addWidget(self.problems)
        layout.addLayout(buttons)

    # --- sets ---
    def reload(self, select_id: int | None = None) -> None:
        self.infos = sets.list_sets(self.db, self.model)
        self.set_box.blockSignals(True)
        self.set_box.clear()
        for info in self.infos:
            flags = (" · cần đối chiếu" if info.needs_checking else "") + (
                " · đã dùng" if info.locked else ""
            )
            self.set_box.addItem(f"{info.title} — v{info.version}{flags}", info.id)
        if select_id is not None:
            self.set_box.setCurrentIndex(max(0, self.set_box.findData(select_id)))
        self.set_box.blockSignals(False)
        self.show_set()

    @property
    def current(self) -> sets.CriteriaSetInfo | None:
        k = self.set_box.currentIndex()
        return self.infos[k] if 0 <= k < len(self.infos) else None

    def show_set(self) -> None:
        info = self.current
        self.table_model.removeRows(0, self.table_model.rowCount())
        if info is None:
            return
        _info, doc = sets.get_set(self.db, info.id)
        self.raw = ed.start_draft(doc)
        self.info_label.setText(
            f"Nguồn: {info.source}. Hiệu lực từ {info.valid_from}"
            f"{'' if info.valid_to is None else f' đến {info.valid_to}'}; công nhận "
            f"{info.recognition_years} năm. Sửa trực tiếp trong bảng (nhấp đúp), thêm/bớt nhóm, "
            "tiêu chí, mục; bộ đang xem không bị sửa — bấm “Lưu thành phiên bản mới”."
        )
        self._filling = True
        self.title_edit.setText(str(self.raw.get("title", "")))
        self.total.setValue(float(self.raw.get("total") or doc.max))
        result = self.raw.get("result", {})
        self.result_kind.clear()
        for kind, label in ed.RESULT_LABELS.items():
            if kind != "levels" or result.get("kind") == "levels":
                self.result_kind.addItem(label, kind)
        self.result_kind.setCurrentIndex(max(0, self.result_kind.findData(result.get("kind"))))
        self.pass_mark.setValue(float(result.get("pass_mark") or 0))
        self.bands.setRowCount(0)
        for band in result.get("bands", []):
            self._append_band(str(band.get("label", "")), float(band.get("min", 0)))
        self._filling = False
        self._result_kind_changed()
        self.rebuild()

    # --- the tree ---
    def rebuild(self, select: ed.Path | None = None) -> None:
        """Redraw the tree from the draft (after a structural change)."""
        self._filling = True
        self.table_model.removeRows(0, self.table_model.rowCount())
        root = self.table_model.invisibleRootItem()
        for g, group in enumerate(ed.groups(self.raw)):
            g_row = self._head_row(group, (g,), "Nhóm")
            root.appendRow(g_row)
            for c, crit in enumerate(group.get("criteria", [])):
                c_row = self._head_row(crit, (g, c), "Tiêu chí")
                g_row[0].appendRow(c_row)
                for i, item in enumerate(crit.get("items", [])):
                    c_row[0].appendRow(self._item_row(item, (g, c, i)))
        self._filling = False
        self.table.expandAll()
        if select is not None:
            self.table.setCurrentIndex(self._index_of(select))
        self.refresh_check()

    def _cells(self, texts: list[str], path: ed.Path, editable: set[int]) -> list[QStandardItem]:
        cells = [QStandardItem(t) for t in texts]
        for col, cell in enumerate(cells):
            cell.setEditable(col in editable)
        cells[0].setData(path, PATH_ROLE)
        return cells

    def _head_row(self, node: dict[str, Any], path: ed.Path, what: str) -> list[QStandardItem]:
        items = [i for c in node.get("criteria", [node]) for i in c.get("items", [])]
        points = sum(i["max"] for i in items if isinstance(i.get("max"), int | float))
        texts = [str(node.get("code", "")), str(node.get("title", "")), what, _fmt(points)]
        texts += ["", _fmt(node.get("min")), "", ""]
        cells = self._cells(texts, path, set(HEAD_FIELDS))
        font = cells[TITLE].font()
        font.setBold(len(path) == 1)
        cells[TITLE].setFont(font)
        return cells

    def _item_row(self, item: dict[str, Any], path: ed.Path) -> list[QStandardItem]:
        kind = str(item.get("kind", ""))
        texts = [
            str(item.get("code", "")),
            str(item.get("title", "")),
            ITEM_KINDS.get(kind, kind),
            _fmt(item.get("max")),
            "" if kind == "yesno" else _fmt(item.get("step", 1)),
            _fmt(item.get("min")),
            str(item.get("status", "")),
            str(item.get("provenance", "")),
        ]
        editable = set(ITEM_FIELDS)
        if kind == "computed":
            editable.discard(KIND)  # its computation stays; points still editable
        if kind == "yesno":
            editable.discard(STEP)
        return self._cells(texts, path, editable)

    def _index_of(self, path: ed.Path) -> QModelIndex:
        index = QModelIndex()
        for k in path:
            index = self.table_model.index(k, 0, index)
        return index

    def item_for(self, code: str, column: int) -> QStandardItem:
        """The cell of the row whose code is ``code`` (groups, criteria and items alike)."""
        hits = self.table_model.match(
            self.table_model.index(0, CODE),
            Qt.ItemDataRole.DisplayRole,
            code,
            -1,
            Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive,
        )
        if not hits:
            raise KeyError(code)
        index = hits[0]  # a group before its same-coded first criterion
        return self.table_model.itemFromIndex(index.siblingAtColumn(column))

    def selected_path(self) -> ed.Path | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        path = index.siblingAtColumn(0).data(PATH_ROLE)
        return tuple(path) if path is not None else None

    def cell_changed(self, cell: QStandardItem) -> None:
        if self._filling:
            return
        index = cell.index()
        path = tuple(index.siblingAtColumn(0).data(PATH_ROLE))
        fields = ITEM_FIELDS if len(path) == 3 else HEAD_FIELDS
        key = fields.get(index.column())
        if key is None:
            return
        text = cell.text().strip()
        try:
            value: Any = text
            if key in NUMERIC:
                value = _number(text)
            elif key == "kind":
                value = KIND_BY_LABEL.get(text, text)
            ed.set_field(self.raw, path, key, value)
        except UserError as err:
            messages.error(self, err.message)
        # Redrawn in place: the cell being edited must not be deleted inside its own signal.
        self._sync_row(path)
        self.refresh_check()

    def _sync_row(self, path: ed.Path) -> None:
        """Show the draft's values for the row at ``path`` and its parents' point sums."""
        self._filling = True
        try:
            for k in range(1, len(path) + 1):
                p = path[:k]
                node = ed.node(self.raw, p)
                fresh = self._item_row(node, p) if k == 3 else self._head_row(node, p, "")
                start = 0 if p == path else MAX  # parents: only their sum changes
                for col in range(start, len(COLUMNS) if p == path else MAX + 1):
                    if col in (KIND,) and k < 3:
                        continue
                    cell = self._cell(p, col)
                    cell.setText(fresh[col].text())
                    cell.setEditable(fresh[col].isEditable())
        finally:
            self._filling = False

    def _cell(self, path: ed.Path, column: int) -> QStandardItem:
        return self.table_model.itemFromIndex(self._index_of(path).siblingAtColumn(column))

    # --- structure ---
    def _structure(self, change: Any) -> None:
        with messages.guarded(self):
            self.rebuild(change())

    def add_group(self) -> None:
        self._structure(lambda: ed.add_group(self.raw, "Nhóm mới"))

    def add_criterion(self) -> None:
        path = self.selected_path() or (len(ed.groups(self.raw)) - 1,)
        self._structure(lambda: ed.add_criterion(self.raw, path[0], "Tiêu chí mới"))

    def add_item(self) -> None:
        path = self.selected_path()
        if path is None or len(path) == 1:
            messages.inform(self, "Chọn một tiêu chí (hoặc một mục của nó) để thêm mục.")
            return
        self._structure(lambda: ed.add_item(self.raw, path[:2], "Mục mới"))

    def remove_row(self) -> None:
        path = self.selected_path()
        if path is None:
            return
        code = str(ed.node(self.raw, path).get("code", ""))
        if messages.ask(self, f"Xóa dòng “{code}” (cùng mọi mục bên trong) khỏi bản sửa?"):
            with messages.guarded(self):
                ed.remove(self.raw, path)
                self.rebuild()

    def move_row(self, step: int) -> None:
        path = self.selected_path()
        if path is not None:
            self._structure(lambda: ed.move(self.raw, path, step))

    # --- result and checks ---
    def _result_kind_changed(self) -> None:
        kind = self.result_kind.currentData()
        self.pass_mark.setEnabled(kind == "pass_mark")
        for w in (self.bands, self.add_band_button, self.remove_band_button):
            w.setEnabled(kind == "bands")
        self.refresh_check()

    def _append_band(self, label: str, points: float) -> None:
        row = self.bands.rowCount()
        self.bands.insertRow(row)
        self.bands.setItem(row, 0, QTableWidgetItem(label))
        self.bands.setItem(row, 1, QTableWidgetItem(_fmt(points)))

    def add_band(self) -> None:
        self._append_band("Mức mới", 0)

    def remove_band(self) -> None:
        row = self.bands.currentRow()
        if row >= 0:
            self.bands.removeRow(row)
            self.refresh_check()

    def _apply_head(self) -> None:
        """Title, total and result widgets into the draft (raises UserError when wrong)."""
        ed.set_title(self.raw, self.title_edit.text())
        ed.set_total(self.raw, self.total.value())
        kind = str(self.result_kind.currentData() or "pass_mark")
        if kind == "levels":
            return
        bands = []
        for r in range(self.bands.rowCount()):
            label, points = self.bands.item(r, 0), self.bands.item(r, 1)
            value = _number(points.text() if points else "")
            bands.append((label.text() if label else "", value or 0.0))
        ed.set_result(self.raw, kind, self.pass_mark.value(), bands)

    def refresh_check(self) -> None:
        """The items' sum against the declared total, and every problem of the draft."""
        if self._filling or not self.raw:
            return
        points = [
            i.get("max")
            for g in ed.groups(self.raw)
            for c in g.get("criteria", [])
            for i in c.get("items", [])
        ]
        total = sum(p for p in points if isinstance(p, int | float))
        self.sum_label.setText(f"Các mục cộng lại: {total:g}")
        try:
            self._apply_head()
            ed.check(self.raw)
        except UserError as err:
            self.problems.setStyleSheet("color: #b00020;")
            self.problems.setText(err.message)
            self.save_button.setEnabled(False)
            return
        self.problems.setStyleSheet("color: #2b8a3e;")
        self.problems.setText("Bản sửa hợp lệ; lưu sẽ tạo phiên bản mới.")
        self.save_button.setEnabled(True)

    def edited_raw(self) -> dict[str, Any]:
        """The draft with the title, total and result widgets applied (validated on save)."""
        self._apply_head()
        return self.raw

    # --- actions ---
    def save_copy(self) -> None:
        info = self.current
        if info is None:
            return
        with messages.guarded(self):
            saved = ed.save(self.db, info.id, self.edited_raw())
            messages.inform(self, f"Đã lưu phiên bản {saved.version}. Bộ cũ giữ nguyên.")
            self.reload(saved.id)

    def use_set(self) -> None:
        info = self.current
        if info is None:
            return
        with messages.guarded(self):
            sets.choose_active(self.db, self.model, info.code)
            messages.inform(self, f"Từ nay chấm {MODELS[self.model]} theo “{info.title}”.")

    def import_file(self) -> None:
        from pathlib import Path

        path = messages.choose_open_file(self, "Nạp bộ tiêu chí", Path.home(), "JSON (*.json)")
        if path is None:
            return
        with messages.guarded(self):
            info = sets.import_set(self.db, path)
            messages.inform(self, f"Đã nạp “{info.title}” phiên bản {info.version}.")
            self.reload(info.id)


def _fmt(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}"
    return str(value)
