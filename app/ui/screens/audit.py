"""Screen "Nhật ký thay đổi": who changed what and when, filtered; check; export.

The rows come from :mod:`app.core.audit.query` (newest first, at most
:data:`~app.core.audit.query.DEFAULT_LIMIT` per filter); "Kiểm tra toàn vẹn" walks
the hash chain and says whether any row was edited or removed outside the program.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.audit import query
from app.core.audit.log import ACTION_LABELS
from app.ui.screens.base import AppContext, Screen
from app.ui.widgets import messages

COLUMNS = ("Thời gian (UTC)", "Người làm", "Việc", "Sổ", "Mã", "Nội dung")
ALL = ""


class AuditScreen(Screen):
    key = "audit"
    title = "Nhật ký thay đổi"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.rows: list[query.AuditView] = []
        self.actor_box = QComboBox()
        self.entity_box = QComboBox()
        self.use_from = QCheckBox("Từ ngày")
        self.date_from = QDateEdit(QDate.currentDate().addDays(-30))
        self.use_to = QCheckBox("đến ngày")
        self.date_to = QDateEdit(QDate.currentDate())
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
        top = QHBoxLayout()
        top.addWidget(QLabel("Người làm:"))
        top.addWidget(self.actor_box)
        top.addWidget(QLabel("Sổ:"))
        top.addWidget(self.entity_box)
        top.addWidget(self.use_from)
        top.addWidget(self.date_from)
        top.addWidget(self.use_to)
        top.addWidget(self.date_to)
        top.addStretch(1)
        self.model = QStandardItemModel(0, len(COLUMNS))
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.count_label = QLabel()
        self.verify_button = QPushButton("Kiểm tra toàn vẹn")
        self.verify_button.clicked.connect(self.verify)
        self.export_button = QPushButton("Xuất Excel…")
        self.export_button.clicked.connect(self.export_excel)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.verify_button)
        bottom.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        for box in (self.actor_box, self.entity_box):
            box.currentIndexChanged.connect(lambda _i: self.load_rows())
        for check in (self.use_from, self.use_to):
            check.toggled.connect(lambda _on: self.load_rows())
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(lambda _d: self.load_rows())

    def reload(self) -> None:
        with messages.guarded(self):
            self._fill_box(self.actor_box, [(a, a) for a in query.actors(self.ctx.db)])
            entities = query.entity_names(self.ctx.db)
            self._fill_box(self.entity_box, [(query.ENTITY_LABELS.get(e, e), e) for e in entities])
            self.load_rows()

    @staticmethod
    def _fill_box(box: QComboBox, items: list[tuple[str, str]]) -> None:
        current = box.currentData()
        box.blockSignals(True)
        box.clear()
        box.addItem("(tất cả)", ALL)
        for label, value in items:
            box.addItem(label, value)
        box.setCurrentIndex(max(0, box.findData(current)))
        box.blockSignals(False)

    def current_filter(self) -> query.AuditFilter:
        def day(edit: QDateEdit) -> dt.date:
            d = edit.date()
            return dt.date(d.year(), d.month(), d.day())

        return query.AuditFilter(
            actor=self.actor_box.currentData() or None,
            entity=self.entity_box.currentData() or None,
            date_from=day(self.date_from) if self.use_from.isChecked() else None,
            date_to=day(self.date_to) if self.use_to.isChecked() else None,
        )

    def load_rows(self) -> None:
        if not self.ctx.available:
            return
        with messages.guarded(self):
            self.rows = query.entries(self.ctx.db, self.current_filter())
        self.model.setRowCount(0)
        for r in self.rows:
            cells = [
                r.at.strftime("%d/%m/%Y %H:%M:%S"),
                r.actor,
                ACTION_LABELS.get(r.action, r.action),
                query.ENTITY_LABELS.get(r.entity, r.entity),
                "" if r.row_id is None else str(r.row_id),
                r.what[:300],
            ]
            self.model.appendRow([QStandardItem(c) for c in cells])
        self.count_label.setText(f"{len(self.rows)} dòng")

    def verify(self) -> None:
        with messages.guarded(self):
            report = query.verify(self.ctx.db)
            if report.ok:
                messages.inform(self, report.message(), title="Nhật ký thay đổi")
            else:
                messages.error(self, report.message(), title="Nhật ký thay đổi bị sửa")

    def export_excel(self) -> None:
        start = Path.home() / f"nhat-ky-thay-doi-{dt.date.today():%Y%m%d}.xlsx"
        target = messages.choose_save_file(self, "Xuất nhật ký ra Excel", start, "Excel (*.xlsx)")
        if target is None:
            return
        with messages.guarded(self):
            count = query.export_xlsx(self.ctx.db, self.rows, target)
            messages.inform(self, f"Đã xuất {count} dòng vào {target}.")
