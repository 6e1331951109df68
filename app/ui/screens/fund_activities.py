"""The fund screen's "Hoạt động" tab: trainings, classes and learning-centre sessions of
the year, with the year's figures (officials trained against all officials)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.activities import service
from app.core.db import Database
from app.core.models.activities import ACTIVITY_KIND_LABELS, ActivityKind
from app.ui.screens.base import AppContext
from app.ui.screens.fund_common import cell, make_table
from app.ui.widgets import messages

ACTIVITY_COLUMNS = ("Loại", "Chủ đề / tên lớp", "Từ ngày", "Đến ngày", "Số giờ", "Số người", "Nơi")
MEMBER_COLUMNS = ("Họ và tên", "Chức vụ", "Chi hội")


def _date_edit(day: dt.date) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd/MM/yyyy")
    return edit


def _day(edit: QDateEdit) -> dt.date:
    d = edit.date()
    return dt.date(d.year(), d.month(), d.day())


class ActivityDialog(QDialog):
    """Ghi hoạt động: kind, topic, dates, hours, and either ticked members (trainings)
    or a head count (classes, sessions). With ``activity_id`` it edits that activity
    (same checks as a new one); people linked to a class are kept as they are."""

    def __init__(
        self,
        db: Database,
        year: int,
        parent: QWidget | None = None,
        activity_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.activity_id: int | None = activity_id
        self.person_ids: tuple[int, ...] = ()  # not edited here; kept as they are
        self.note: str | None = None
        self.setWindowTitle("Sửa hoạt động" if activity_id else "Ghi hoạt động")
        self.resize(700, 600)
        today = min(dt.date.today(), dt.date(year, 12, 31))
        self.kind = QComboBox()
        for code, label in ACTIVITY_KIND_LABELS.items():
            self.kind.addItem(label, code.value)
        self.topic = QLineEdit()
        self.topic.setPlaceholderText("Vd. Tập huấn nghiệp vụ cho cán bộ chi hội")
        self.start = _date_edit(today)
        self.has_end = QCheckBox("Kéo dài đến")
        self.end = _date_edit(today)
        self.end.setEnabled(False)
        self.has_end.toggled.connect(self.end.setEnabled)
        self.hours = QSpinBox()
        self.hours.setRange(0, 2000)
        self.hours.setSpecialValueText("—")
        self.count = QSpinBox()
        self.count.setRange(0, 100_000)
        self.place = QLineEdit()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Tìm hội viên…")
        self.search.textChanged.connect(lambda _t: self.load_members())
        self.members_view, self.members_model = make_table(MEMBER_COLUMNS)
        self._loading = False
        self.members_model.itemChanged.connect(lambda _i: self._loading or self._collect())
        self.chosen: set[int] = set()
        officials = QPushButton("Chọn mọi cán bộ Hội")
        officials.clicked.connect(self.tick_officials)
        self.chosen_label = QLabel()
        dates = QHBoxLayout()
        dates.addWidget(self.start)
        dates.addWidget(self.has_end)
        dates.addWidget(self.end)
        form = QFormLayout()
        form.addRow("Loại", self.kind)
        form.addRow("Chủ đề / tên lớp", self.topic)
        form.addRow("Ngày", dates)
        form.addRow("Số giờ", self.hours)
        form.addRow("Số người (nếu không chọn tên)", self.count)
        form.addRow("Nơi tổ chức", self.place)
        picker = QHBoxLayout()
        picker.addWidget(self.search, 1)
        picker.addWidget(officials)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("Lưu")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Hội viên tham dự (tập huấn):"))
        layout.addLayout(picker)
        layout.addWidget(self.members_view, 1)
        layout.addWidget(self.chosen_label)
        layout.addWidget(buttons)
        self.officials: set[int] = set()
        if activity_id is not None:
            self._load(service.activity_input(db, activity_id))
        self.load_members()

    def _load(self, data: service.ActivityInput) -> None:
        self.kind.setCurrentIndex(max(0, self.kind.findData(data.kind)))
        self.topic.setText(data.topic)
        self.start.setDate(QDate(data.start_date.year, data.start_date.month, data.start_date.day))
        if data.end_date is not None:
            self.has_end.setChecked(True)
            self.end.setDate(QDate(data.end_date.year, data.end_date.month, data.end_date.day))
        self.hours.setValue(data.hours or 0)
        self.count.setValue(data.participants_count)
        self.place.setText(data.place)
        self.chosen = set(data.member_ids)
        self.person_ids, self.note = tuple(data.person_ids), data.note

    def load_members(self) -> None:
        choices = service.member_choices(self.db, self.search.text().strip() or None)
        self.officials |= {c.member_id for c in choices if c.official}
        model = self.members_model
        self._loading = True  # ticks are read back by _collect, not while filling
        model.removeRows(0, model.rowCount())
        for c in choices:
            name = cell(c.full_name, data=c.member_id)
            name.setCheckable(True)
            ticked = c.member_id in self.chosen
            name.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            model.appendRow([name, cell(c.role_label), cell(c.branch)])
        self._loading = False
        self._collect()

    def _collect(self) -> None:
        model = self.members_model
        for row in range(model.rowCount()):
            item = model.item(row, 0)
            member_id = int(item.data(Qt.ItemDataRole.UserRole))
            if item.checkState() == Qt.CheckState.Checked:
                self.chosen.add(member_id)
            else:
                self.chosen.discard(member_id)
        self.chosen_label.setText(f"Đã chọn {len(self.chosen)} hội viên")

    def tick_officials(self) -> None:
        self.search.clear()
        self.chosen |= self.officials
        self.load_members()

    def save(self) -> bool:
        with messages.guarded(self):
            kind = str(self.kind.currentData())
            members = sorted(self.chosen) if kind == ActivityKind.TRAINING.value else []
            data = service.ActivityInput(
                kind=kind,
                topic=self.topic.text(),
                start_date=_day(self.start),
                end_date=_day(self.end) if self.has_end.isChecked() else None,
                hours=self.hours.value() or None,
                participants_count=self.count.value(),
                place=self.place.text(),
                note=self.note,
                member_ids=members,
                person_ids=self.person_ids,
            )
            if self.activity_id is None:
                self.activity_id = service.add_activity(self.db, data)
            else:
                service.update_activity(self.db, self.activity_id, data)
            self.accept()
            return True
        return False


class ActivitiesTab(QWidget):
    """The year's activities and figures."""

    def __init__(self, ctx: AppContext, after_write: Callable[[str], None]) -> None:
        super().__init__()
        self.ctx, self.after_write = ctx, after_write
        self.year = dt.date.today().year
        self.kind_filter = QComboBox()
        self.kind_filter.addItem("Mọi hoạt động", None)
        for code, label in ACTIVITY_KIND_LABELS.items():
            self.kind_filter.addItem(label, code.value)
        self.kind_filter.currentIndexChanged.connect(lambda _i: self.reload(self.year))
        self.view, self.model = make_table(ACTIVITY_COLUMNS)
        self.figures = QLabel()
        self.figures.setWordWrap(True)
        add = QPushButton("Ghi hoạt động…")
        add.clicked.connect(self.new_activity)
        edit = QPushButton("Sửa…")
        edit.clicked.connect(self.edit_selected)
        self.view.doubleClicked.connect(lambda *_a: self.edit_selected())
        delete = QPushButton("Xóa")
        delete.clicked.connect(self.delete_selected)
        for button in (add, edit, delete):
            ctx.gate(button, "activity.edit")
        row = QHBoxLayout()
        row.addWidget(self.kind_filter)
        row.addStretch(1)
        row.addWidget(add)
        row.addWidget(edit)
        row.addWidget(delete)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.figures)
        layout.addLayout(row)

    def reload(self, year: int) -> None:
        self.year = year
        items = service.list_activities(self.ctx.db, year, self.kind_filter.currentData())
        model = self.model
        model.removeRows(0, model.rowCount())
        for a in items:
            model.appendRow(
                [
                    cell(a.kind_label, data=a.id),
                    cell(a.topic),
                    cell(a.start_date.strftime("%d/%m/%Y")),
                    cell(a.end_date.strftime("%d/%m/%Y") if a.end_date else ""),
                    cell(str(a.hours or ""), True),
                    cell(str(a.participants), True),
                    cell(a.place),
                ]
            )
        f = service.activity_figures(self.ctx.db, dt.date(year, 1, 1), dt.date(year, 12, 31))
        self.figures.setText(
            f"Năm {year}: {f['trainings']} lớp tập huấn ({f['training_hours']} giờ); cán bộ "
            f"được tập huấn {f['officials_trained']}/{f['officials_total']} "
            f"({f['officials_trained_percent']:g}%, chỉ tiêu 100%) · xóa mù chữ "
            f"{f['literacy_classes']} lớp, {f['literacy_learners']} học viên · chuyên đề "
            f"{f['continuing_classes']} lớp, {f['continuing_learners']} học viên · TTHTCĐ "
            f"{f['centre_sessions']} buổi, {f['centre_participants']} lượt người"
        )

    def open_activity_dialog(self, activity_id: int | None = None) -> ActivityDialog:
        return ActivityDialog(self.ctx.db, self.year, self, activity_id)

    def selected_activity(self) -> int | None:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        if len(rows) != 1:
            return None
        return int(self.model.item(rows[0], 0).data(Qt.ItemDataRole.UserRole))

    def open_edit_dialog(self) -> ActivityDialog | None:
        activity_id = self.selected_activity()
        if activity_id is None:
            messages.inform(self, "Hãy chọn một hoạt động để sửa.")
            return None
        with messages.guarded(self):
            return self.open_activity_dialog(activity_id)
        return None

    def edit_selected(self) -> None:
        dialog = self.open_edit_dialog()
        if dialog is not None and dialog.exec():
            self.after_write("Đã sửa hoạt động.")

    def new_activity(self) -> None:
        dialog = self.open_activity_dialog()
        if dialog.exec() and dialog.activity_id is not None:
            self.after_write("Đã ghi hoạt động.")

    def delete_selected(self) -> None:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        if len(rows) != 1:
            messages.inform(self, "Hãy chọn một hoạt động để xóa.")
            return
        item = self.model.item(rows[0], 1)
        activity_id = int(self.model.item(rows[0], 0).data(Qt.ItemDataRole.UserRole))
        if not messages.ask(self, f"Xóa hoạt động “{item.text()}”?"):
            return
        with messages.guarded(self):
            service.delete_activity(self.ctx.db, activity_id)
            self.after_write("Đã xóa hoạt động.")
