"""The upper level's "Xung đột" dialog: records that arrived older than the held ones,
or with the held revision but another content.

Left: the open conflicts (commune, kind, record, revisions). Right: the fields that
differ, held and incoming side by side. Two buttons settle the selected conflict;
the service records who decided and keeps the other version in the resolved log.
"""

from __future__ import annotations

import getpass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.db import Database
from app.core.sync import conflicts
from app.ui.widgets import messages

LIST_HEADERS = (
    "Mã xã",
    "Loại",
    "Bản ghi",
    "Bản đang có",
    "Bản mới đến",
    "Ngày nhận",
    "Xung đột",
)
DIFF_HEADERS = ("Trường", "Bản đang có", "Bản mới đến")
ALL_COMMUNES = ""


def _table(headers: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class ConflictsDialog(QDialog):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.items: list[conflicts.Conflict] = []
        self.resolved_count = 0
        self.setWindowTitle("Xung đột dữ liệu các xã")
        self.resize(1000, 560)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Các bản ghi xã gửi lên cũ hơn bản đang có, hoặc cùng lần sửa nhưng khác nội "
            "dung (ví dụ máy xã được khôi phục từ bản sao lưu cũ rồi sửa tiếp), chưa được "
            "dùng. Xem từng bản ghi và chọn giữ bản nào; bản không chọn vẫn được lưu lại "
            "trong sổ xung đột đã giải quyết."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        top = QHBoxLayout()
        top.addWidget(QLabel("Xã:"))
        self.commune_combo = QComboBox()
        self.commune_combo.currentIndexChanged.connect(lambda _i: self.reload())
        top.addWidget(self.commune_combo)
        top.addStretch(1)
        top.addWidget(QLabel("Người quyết định:"))
        self.who = QLineEdit(getpass.getuser())
        top.addWidget(self.who)
        layout.addLayout(top)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.list_table = _table(LIST_HEADERS)
        self.list_table.itemSelectionChanged.connect(self._show_selected)
        self.diff_table = _table(DIFF_HEADERS)
        splitter.addWidget(self.list_table)
        splitter.addWidget(self.diff_table)
        layout.addWidget(splitter, 1)
        buttons = QHBoxLayout()
        self.status = QLabel()
        buttons.addWidget(self.status, 1)
        self.keep_button = QPushButton(conflicts.CHOICE_LABELS["keep"])
        self.keep_button.clicked.connect(lambda: self.resolve("keep"))
        self.incoming_button = QPushButton(conflicts.CHOICE_LABELS["incoming"])
        self.incoming_button.clicked.connect(lambda: self.resolve("incoming"))
        close = QPushButton("Đóng")
        close.clicked.connect(self.accept)
        for button in (self.keep_button, self.incoming_button, close):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self._fill_communes()
        self.reload()

    def _fill_communes(self) -> None:
        codes = sorted({c.commune_code for c in conflicts.list_conflicts(self.db)})
        self.commune_combo.blockSignals(True)
        self.commune_combo.clear()
        self.commune_combo.addItem("Tất cả các xã", ALL_COMMUNES)
        for code in codes:
            self.commune_combo.addItem(f"Xã mã {code}", code)
        self.commune_combo.blockSignals(False)

    def reload(self) -> None:
        code = self.commune_combo.currentData() or None
        self.items = conflicts.list_conflicts(self.db, code)
        table = self.list_table
        table.setRowCount(len(self.items))
        for r, c in enumerate(self.items):
            values = (
                c.commune_code,
                c.entity_label,
                c.title,
                f"lần sửa {c.held_revision}",
                f"lần sửa {c.incoming_revision}",
                c.recorded_at.strftime("%d/%m/%Y"),
                c.kind_label,
            )
            for col, value in enumerate(values):
                table.setItem(r, col, QTableWidgetItem(value))
        table.resizeColumnsToContents()
        self.status.setText(
            f"Còn {len(self.items)} xung đột"
            + (f" · đã giải quyết {self.resolved_count}" if self.resolved_count else "")
        )
        if self.items:
            table.selectRow(0)
        self._show_selected()

    def selected(self) -> conflicts.Conflict | None:
        rows = self.list_table.selectionModel().selectedRows()
        return self.items[rows[0].row()] if rows else None

    def _show_selected(self) -> None:
        conflict = self.selected()
        changes = conflict.changes() if conflict else []
        self.diff_table.setRowCount(len(changes))
        for r, change in enumerate(changes):
            for col, value in enumerate(
                (change.label, conflict.shown(change.held), conflict.shown(change.incoming))
            ):
                self.diff_table.setItem(r, col, QTableWidgetItem(value))
        self.diff_table.resizeColumnsToContents()
        for button in (self.keep_button, self.incoming_button):
            button.setEnabled(conflict is not None)

    def resolve(self, choice: conflicts.Choice) -> None:
        conflict = self.selected()
        if conflict is None:
            return
        with messages.guarded(self):
            conflicts.resolve(self.db, conflict.id, choice, self.who.text())
            self.resolved_count += 1
            self.reload()
