"""Table helpers shared by the fund screen's tabs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


def cell(text: str, right: bool = False, data: object = None) -> QStandardItem:
    """A read-only cell; ``data`` (usually a row id) is kept under ``UserRole``."""
    item = QStandardItem(text)
    item.setEditable(False)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if data is not None:
        item.setData(data, Qt.ItemDataRole.UserRole)
    return item


COLUMN_WIDTHS = {
    "Số phiếu": 110,
    "Ngày": 90,
    "Người nộp / nhận": 220,
    "Nội dung": 240,
    "Thu": 120,
    "Chi": 120,
    "Chi hội": 260,
    "Hội viên": 200,
    "Chương trình": 260,
    "Người nhận": 200,
    "Họ và tên": 220,
    "Loại": 130,
    "Chủ đề / tên lớp": 320,
    "Lớp – Trường": 200,
    "Mức": 140,
    "Nơi": 200,
}


def make_table(columns: tuple[str, ...]) -> tuple[QTableView, QStandardItemModel]:
    model = QStandardItemModel(0, len(columns))
    model.setHorizontalHeaderLabels(list(columns))
    view = QTableView()
    view.setModel(model)
    view.setWordWrap(False)
    # Widths and row height follow the text size (the pixel widths are for "Vừa"), so
    # "PT-2025-0012" and "12.345.000" stay whole in "Lớn" and "Rất lớn".
    metrics = view.fontMetrics()
    scale = max(1.0, metrics.averageCharWidth() / 7)
    view.verticalHeader().setDefaultSectionSize(max(24, metrics.height() + 8))
    for index, title in enumerate(columns):
        width = int(COLUMN_WIDTHS.get(title, 110) * scale)
        view.setColumnWidth(index, max(width, metrics.horizontalAdvance(title) + 24))
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    return view, model
