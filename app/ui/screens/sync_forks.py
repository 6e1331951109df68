"""The upper level's "Gói rẽ nhánh" dialog: bundles of a second history of one
installation (the same key on two PCs), held until a person settles them.

One row per forked bundle: commune, its number, how far the chain was applied, the key's
fingerprint, when it was made and what it holds. "Bỏ gói rẽ nhánh" keeps the chain as it
is (the file is kept aside); "Theo nhánh này" applies the bundle with the usual rules and
lets the key's next bundles continue it. Both are logged with who decided
(:func:`app.core.sync.importer.resolve_fork`).
"""

from __future__ import annotations

import getpass

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.db import Database
from app.core.sync import importer
from app.ui.widgets import messages

HEADERS = ("Mã xã", "Gói số", "Đã nhập tới số", "Vân tay khóa", "Tạo lúc", "Bản ghi", "Tệp")


class ForksDialog(QDialog):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.items: list[importer.Fork] = []
        self.resolved_count = 0
        self.setWindowTitle("Gói rẽ nhánh của các xã")
        self.resize(1000, 420)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Một máy xã gửi gói có cùng số thứ tự với gói đã nhập nhưng khác nội dung (hai "
            "máy cùng một khóa, ví dụ thư mục dữ liệu được chép sang máy khác). Hỏi xã máy nào "
            "đang dùng, rồi chọn: bỏ gói rẽ nhánh (giữ lịch sử đã nhập), hoặc theo nhánh này "
            "(nhập gói, các gói sau nối tiếp nó). Không tệp nào bị xóa."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(QLabel("Người quyết định:"))
        self.who = QLineEdit(getpass.getuser())
        top.addWidget(self.who)
        layout.addLayout(top)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._enable)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.status = QLabel()
        buttons.addWidget(self.status, 1)
        self.discard_button = QPushButton("Bỏ gói rẽ nhánh")
        self.follow_button = QPushButton("Theo nhánh này")
        close = QPushButton("Đóng")
        for button in (self.discard_button, self.follow_button, close):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.discard_button.clicked.connect(lambda: self.resolve("discard"))
        self.follow_button.clicked.connect(lambda: self.resolve("follow"))
        close.clicked.connect(self.accept)
        self.reload()

    def reload(self) -> None:
        with messages.guarded(self):
            self.items = importer.list_forks(self.db)
        self.table.setRowCount(len(self.items))
        for r, f in enumerate(self.items):
            values = (
                f.commune_code,
                str(f.seq),
                str(f.last_seq),
                f.fingerprint,
                f.created_at[:16].replace("T", " "),
                str(sum(f.counts.values())),
                f.name,
            )
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        if self.items:
            self.table.selectRow(0)
        self._enable()

    def selected(self) -> importer.Fork | None:
        rows = self.table.selectionModel().selectedRows()
        return self.items[rows[0].row()] if rows else None

    def _enable(self) -> None:
        for button in (self.discard_button, self.follow_button):
            button.setEnabled(self.selected() is not None)

    def resolve(self, choice: str) -> None:
        fork = self.selected()
        if fork is None:
            return
        with messages.guarded(self):
            done = importer.resolve_fork(self.db, fork.name, choice, self.who.text())
            self.resolved_count += 1
            self.status.setText(f"{done.reason} (đã giải quyết {self.resolved_count})")
            self.reload()
