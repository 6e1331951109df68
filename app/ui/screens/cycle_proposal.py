"""The hamlet's proposal (đề nghị công nhận): tick who the hamlet proposes, save, print.

One hamlet at a time: its assessed entries that passed are listed with a tick box
(ticked = proposed). "Lưu đề nghị" makes the stored proposal exactly the ticked
rows in one save (:func:`app.core.assessment.proposals.save_hamlet_proposal`);
recognised rows cannot be unticked. The printable list is written off the UI thread.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.assessment import MODELS, proposals
from app.core.assessment import cycle as svc
from app.core.db import Database
from app.core.text import file_name
from app.ui.widgets import messages

COLUMNS = ("Đề nghị", "Tên", "Điểm", "Kết quả", "Số đề nghị", "Ngày đề nghị", "Công nhận")


def waiting_by_hamlet(db: Database, year: int, model: str) -> dict[int, int]:
    """Per hamlet: entries that passed and wait for the hamlet's proposal."""
    waiting: dict[int, int] = {}
    for r in svc.cycle_rows(db, year, model):
        if r.passed and not r.proposed and not r.recognised and r.hamlet_id is not None:
            waiting[r.hamlet_id] = waiting.get(r.hamlet_id, 0) + 1
    return waiting


class ProposalDialog(QDialog):
    def __init__(
        self,
        db: Database,
        year: int,
        model: str,
        hamlets: dict[int, str],
        hamlet_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.year, self.model = db, year, model
        self.rows: list[svc.CycleRow] = []
        self.stored: set[int] = set()
        self.changed = False
        self.setWindowTitle(f"Thôn đề nghị công nhận {MODELS[model]} năm {year}")
        self.resize(820, 520)
        self.hamlet_names = dict(hamlets)
        self.hamlet_box = QComboBox()
        waiting = waiting_by_hamlet(db, year, model)
        for hid, name in hamlets.items():
            count = waiting.get(hid, 0)
            self.hamlet_box.addItem(f"{name} — {count} chờ đề nghị" if count else name, hid)
        if hamlet_id is None:  # "Cả xã" on the cycle screen: the first hamlet with work to do
            hamlet_id = next((h for h in hamlets if waiting.get(h)), None)
        if hamlet_id is not None:
            self.hamlet_box.setCurrentIndex(max(0, self.hamlet_box.findData(hamlet_id)))
        self.number = QLineEdit()
        self.number.setPlaceholderText("ví dụ 03/ĐN-TĐ")
        today = dt.date.today()
        self.date = QDateEdit(QDate(today.year, today.month, today.day))
        self.date.setDisplayFormat("dd/MM/yyyy")
        self.date.setCalendarPopup(True)
        self.proposed_by = QLineEdit()
        self.proposed_by.setPlaceholderText("Trưởng thôn ký đề nghị")
        form = QFormLayout()
        form.addRow("Thôn:", self.hamlet_box)
        form.addRow("Số tờ đề nghị:", self.number)
        form.addRow("Ngày đề nghị:", self.date)
        form.addRow("Người đề nghị:", self.proposed_by)
        self.table_model = QStandardItemModel(0, len(COLUMNS))
        self.table_model.setHorizontalHeaderLabels(list(COLUMNS))
        self.table = QTableView()
        self.table.setModel(self.table_model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.summary = QLabel()
        self.all_button = QPushButton("Chọn tất cả đạt")
        self.none_button = QPushButton("Bỏ chọn hết")
        self.print_button = QPushButton("In danh sách đề nghị…")
        self.save_button = QPushButton("&Lưu đề nghị")
        close = QPushButton("Đóng")
        buttons = QHBoxLayout()
        for b in (self.all_button, self.none_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        for b in (self.print_button, self.save_button, close):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        self.hamlet_box.currentIndexChanged.connect(self.reload)
        self.all_button.clicked.connect(lambda: self._tick_all(True))
        self.none_button.clicked.connect(lambda: self._tick_all(False))
        self.save_button.clicked.connect(self.save)
        self.print_button.clicked.connect(self.print_list)
        close.clicked.connect(self.accept)
        self._filling = False
        self.table_model.itemChanged.connect(self._item_changed)
        self.reload()

    @property
    def hamlet_id(self) -> int | None:
        data = self.hamlet_box.currentData()
        return int(data) if data is not None else None

    def reload(self) -> None:
        hamlet = self.hamlet_id
        self.table_model.setRowCount(0)
        if hamlet is None:
            self.summary.setText("Chưa có thôn nào trong sổ.")
            return
        with messages.guarded(self):
            every = svc.cycle_rows(self.db, self.year, self.model, hamlet)
            stored = {
                p.entity_id: p for p in proposals.proposals(self.db, self.year, self.model, hamlet)
            }
        self.rows = [r for r in every if r.assessed and (r.passed or r.entity_id in stored)]
        self.stored = set(stored)
        signer = next((p.proposed_by for p in stored.values() if p.proposed_by), "")
        number = next((p.number for p in stored.values() if p.number), "")
        self.proposed_by.setText(signer)
        self.number.setText(number)
        # Not blockSignals(): the view would never hear of the rows and stay empty while
        # the summary counted them (issue 16); a flag quiets the per-item summary instead.
        self._filling = True
        for r in self.rows:
            p = stored.get(r.entity_id)
            tick = QStandardItem()
            tick.setCheckable(True)
            tick.setCheckState(Qt.CheckState.Checked if p else Qt.CheckState.Unchecked)
            tick.setEnabled(not r.recognised)
            tick.setData(r.entity_id, Qt.ItemDataRole.UserRole)
            cells = [
                r.name,
                "" if r.total is None else f"{r.total:g}",
                r.label,
                p.number if p else "",
                p.proposed_on.strftime("%d/%m/%Y") if p else "",
                "✓" if r.recognised else "",
            ]
            self.table_model.appendRow([tick, *(QStandardItem(c) for c in cells)])
        self._filling = False
        self._summarise()

    def _item_changed(self, _item: QStandardItem) -> None:
        if not self._filling:
            self._summarise()

    def ticked(self) -> list[int]:
        return [
            int(self.table_model.item(k, 0).data(Qt.ItemDataRole.UserRole))
            for k in range(self.table_model.rowCount())
            if self.table_model.item(k, 0).checkState() == Qt.CheckState.Checked
        ]

    @property
    def dirty(self) -> bool:
        return set(self.ticked()) != self.stored

    def _tick_all(self, on: bool) -> None:
        for k in range(self.table_model.rowCount()):
            item = self.table_model.item(k, 0)
            if item.isEnabled():
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _summarise(self) -> None:
        label = "" if not self.dirty else " — chưa lưu"
        self.summary.setText(
            f"{len(self.rows)} đạt · {len(self.ticked())} được đề nghị · "
            f"{len(self.stored)} đã lưu{label}"
        )

    def save(self) -> bool:
        hamlet = self.hamlet_id
        if hamlet is None:
            return False
        with messages.guarded(self):
            d = self.date.date()
            change = proposals.save_hamlet_proposal(
                self.db,
                self.year,
                self.model,
                hamlet,
                self.ticked(),
                proposed_by=self.proposed_by.text(),
                number=self.number.text(),
                on=dt.date(d.year(), d.month(), d.day()),
            )
            self.changed = self.changed or bool(change.proposed or change.withdrawn)
            name = self.hamlet_names.get(hamlet, "")
            messages.inform(
                self, f"{name}: đề nghị thêm {change.proposed}, rút {change.withdrawn}."
            )
            left = waiting_by_hamlet(self.db, self.year, self.model).get(hamlet, 0)
            self.hamlet_box.setItemText(
                self.hamlet_box.currentIndex(), f"{name} — {left} chờ đề nghị" if left else name
            )
            self.reload()
            return True
        return False

    def print_list(self) -> None:
        hamlet = self.hamlet_id
        if hamlet is None or (self.dirty and not self.save()):
            return
        out = messages.choose_save_file(
            self,
            "Lưu danh sách đề nghị",
            Path.home()
            / file_name(
                "Đề nghị công nhận",
                MODELS[self.model],
                self.hamlet_names.get(hamlet, ""),
                self.year,
                ext="pdf",
            ),
            "PDF (*.pdf);;Excel (*.xlsx)",
        )
        if out is None:
            return
        from app.core.assessment.proposal_print import print_proposal_list
        from app.ui.workers import run_in_background

        db, year, model = self.db, self.year, self.model
        run_in_background(
            lambda p, c: print_proposal_list(db, out, year, model, hamlet, progress=p, cancel=c),
            lambda result: messages.inform(self, result.describe()),
            parent=self,
            progress_label="Đang in danh sách đề nghị…",
            cancellable=True,
            writes=False,
        )
