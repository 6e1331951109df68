"""Khóa sổ quỹ: close every month up to a chosen one.

Only months after the last closed one and not in the future can be picked; the
dialog says what closing means (no more edits or cancellations in those months,
corrections become reversing entries) and asks once more before closing.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.db import Database
from app.core.fund import ledger
from app.ui.widgets import messages

EXPLANATION = (
    "Sau khi khóa sổ, các phiếu thu, phiếu chi có ngày trong những tháng đã khóa "
    "không sửa, không hủy được nữa, và không ghi thêm phiếu vào những tháng đó. "
    "Nếu phát hiện sai sót, hãy lập bút toán đảo (phiếu điều chỉnh) trong kỳ đang mở. "
    "Việc khóa sổ không làm lại được."
)


def first_open_month(through: str | None) -> dt.date:
    """The first day of the month after ``through`` ("YYYY-MM"), or of 01/1990."""
    if not through:
        return dt.date(1990, 1, 1)
    year, month = (int(part) for part in through.split("-"))
    return dt.date(year + month // 12, month % 12 + 1, 1)


def qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _previous_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


class ClosePeriodDialog(QDialog):
    """After ``exec()`` (or :meth:`save`), ``closed`` is the period closed ("YYYY-MM")."""

    def __init__(
        self, db: Database, parent: QWidget | None = None, today: dt.date | None = None
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.closed: str | None = None
        self.today = today or dt.date.today()
        self.setWindowTitle("Khóa sổ quỹ")
        self.setMinimumWidth(460)
        through = ledger.closed_through(db)
        self.status = QLabel(
            f"Đã khóa sổ đến hết tháng {ledger.month_label(through)}."
            if through
            else "Chưa khóa kỳ nào."
        )
        first = first_open_month(through)
        last = self.today.replace(day=1)
        self.month = QDateEdit()
        self.month.setDisplayFormat("MM/yyyy")
        self.month.setCalendarPopup(False)
        self.month.setMinimumDate(qdate(first))
        self.month.setMaximumDate(qdate(last))
        self.month.setDate(qdate(max(first, _previous_month(self.today))))
        explanation = QLabel(EXPLANATION)
        explanation.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.status)
        form.addRow("Khóa đến hết tháng", self.month)
        buttons = QDialogButtonBox()
        self.close_button = QPushButton("Khóa sổ")
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Đóng", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(explanation)
        if first > last:
            self.month.setEnabled(False)
            self.close_button.setEnabled(False)
            note = QLabel("Đã khóa đến tháng hiện tại: chưa có kỳ nào để khóa thêm.")
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addWidget(buttons)

    def period(self) -> str:
        """The chosen month as "YYYY-MM"."""
        chosen = self.month.date()
        return f"{chosen.year():04d}-{chosen.month():02d}"

    def _question(self, period: str) -> str:
        label = ledger.month_label(period)
        text = (
            f"Khóa sổ quỹ đến hết tháng {label}? Các phiếu từ tháng {label} trở về trước "
            "sẽ không sửa, không hủy được nữa."
        )
        if period == f"{self.today.year:04d}-{self.today.month:02d}":
            text += (
                f" Lưu ý: tháng {label} chưa hết, sau khi khóa sẽ không ghi thêm phiếu "
                "nào trong tháng này."
            )
        return text

    def save(self) -> bool:
        """Ask once more, then close; a refusal shows its message and keeps the dialog."""
        if not self.close_button.isEnabled():
            return False
        period = self.period()
        if not messages.ask(self, self._question(period), yes="Khóa sổ", no="Không"):
            return False
        with messages.guarded(self):
            self.closed = ledger.close_period(self.db, period)
            self.accept()
            return True
        return False
