"""Criteria sets of a model: see them, load a province's file, edit a copy, pick the one in use.

Editing never touches a stored set: "Lưu thành phiên bản mới" saves the edited
table as the next version of the same code (a set already used for assessments
stays exactly as it was, and so do those assessments).
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.assessment import MODELS, sets
from app.core.assessment.criteria import ITEM_KINDS, STATUSES
from app.core.db import Database
from app.ui.widgets import messages

COLUMNS = ("Mã", "Nội dung", "Loại", "Tối đa", "Bước", "Tối thiểu", "Trạng thái", "Nguồn")
EDITABLE = {1: "title", 3: "max", 4: "step", 5: "min", 6: "status"}


class CriteriaDialog(QDialog):
    def __init__(self, db: Database, model: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.model = db, model
        self.infos: list[sets.CriteriaSetInfo] = []
        self.raw: dict[str, Any] = {}
        self.setWindowTitle(f"Bộ tiêu chí — {MODELS[model]}")
        self.resize(1000, 600)
        self.set_box = QComboBox()
        self.info_label = QLabel()
        self.info_label.setWordWrap(True)
        self.pass_mark = QDoubleSpinBox()
        self.pass_mark.setRange(0, 1000)
        self.pass_mark.setDecimals(1)
        self.table_model = QStandardItemModel(0, len(COLUMNS))
        self.table_model.setHorizontalHeaderLabels(list(COLUMNS))
        self.table = QTableView()
        self.table.setModel(self.table_model)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.use_button = QPushButton("Dùng bộ này")
        self.save_button = QPushButton("Lưu thành phiên bản mới")
        self.import_button = QPushButton("Nạp tệp của tỉnh…")
        close = QPushButton("Đóng")
        top = QHBoxLayout()
        top.addWidget(QLabel("Bộ tiêu chí:"))
        top.addWidget(self.set_box, 1)
        top.addWidget(QLabel("Điểm đạt:"))
        top.addWidget(self.pass_mark)
        buttons = QHBoxLayout()
        for b in (self.import_button, self.save_button, self.use_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.info_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.set_box.currentIndexChanged.connect(self.show_set)
        self.use_button.clicked.connect(self.use_set)
        self.save_button.clicked.connect(self.save_copy)
        self.import_button.clicked.connect(self.import_file)
        close.clicked.connect(self.accept)
        self.reload()

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
        self.table_model.setRowCount(0)
        if info is None:
            return
        _info, doc = sets.get_set(self.db, info.id)
        self.raw = copy.deepcopy(doc.raw)
        self.info_label.setText(
            f"Nguồn: {info.source}. Hiệu lực từ {info.valid_from}"
            f"{'' if info.valid_to is None else f' đến {info.valid_to}'}; công nhận "
            f"{info.recognition_years} năm. Sửa ô Nội dung / Tối đa / Bước / Tối thiểu / "
            f"Trạng thái ({', '.join(STATUSES)}) rồi bấm “Lưu thành phiên bản mới”."
        )
        has_mark = doc.result.pass_mark is not None
        self.pass_mark.setEnabled(has_mark)
        self.pass_mark.setValue(doc.result.pass_mark or 0)
        for item in doc.items:
            cells = [
                item.code,
                item.title,
                ITEM_KINDS.get(item.kind, item.kind),
                f"{item.max:g}",
                f"{item.step:g}",
                "" if item.min is None else f"{item.min:g}",
                item.status,
                item.provenance,
            ]
            row = [QStandardItem(c) for c in cells]
            for col, cell in enumerate(row):
                cell.setEditable(col in EDITABLE)
            self.table_model.appendRow(row)

    def edited_raw(self) -> dict[str, Any]:
        """The shown set with the table's edits applied (validated when saved)."""
        raw = copy.deepcopy(self.raw)
        by_code = {i["code"]: i for g in raw["groups"] for c in g["criteria"] for i in c["items"]}
        for r in range(self.table_model.rowCount()):
            item = by_code[self.table_model.item(r, 0).text()]
            for col, key in EDITABLE.items():
                text = self.table_model.item(r, col).text().strip()
                if key in ("max", "step", "min"):
                    if text == "" and key == "min":
                        item.pop("min", None)
                        continue
                    try:
                        item[key] = float(text.replace(",", "."))
                    except ValueError:
                        item[key] = text  # the validator names the field
                else:
                    item[key] = text
        if self.pass_mark.isEnabled():
            raw["result"]["pass_mark"] = self.pass_mark.value()
        return raw

    def save_copy(self) -> None:
        info = self.current
        if info is None:
            return
        with messages.guarded(self):
            saved = sets.save_edited_copy(self.db, info.id, self.edited_raw())
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
