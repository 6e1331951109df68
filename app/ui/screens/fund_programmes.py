"""The fund screen's "Chương trình" tab: programmes of a school year, their recipients,
posting the list as one payment and printing the signature list.

Printing runs off the UI thread (:func:`print_in_background`), with progress and
cancel; every write goes through :mod:`app.core.fund.programmes`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.db import Database
from app.core.errors import ValidationError
from app.core.fund import programmes
from app.core.fund.programmes import CandidateFilter, ProgrammeInput, ProgrammeRecipient
from app.core.fund.words import format_money, parse_money
from app.core.models.fund import AWARD_KIND_LABELS
from app.core.models.households import SCHOOL_LEVEL_LABELS, Circumstance
from app.core.printing.common import CancelFn, PrintResult, ProgressFn
from app.core.registry.hamlets import hamlet_choices
from app.core.text import file_name
from app.ui.screens.base import AppContext
from app.ui.screens.fund_common import cell, make_table
from app.ui.widgets import messages
from app.ui.workers import run_in_background

PROGRAMME_COLUMNS = (
    "Chương trình",
    "Loại",
    "Năm học",
    "Mức",
    "Ngân sách",
    "Số người",
    "Tổng",
    "Đã chi",
)
RECIPIENT_COLUMNS = ("Họ và tên", "Lớp – Trường", "Mức", "Số tiền", "Phiếu chi", "Lưu ý")
CANDIDATE_COLUMNS = ("Họ và tên", "Năm sinh", "Tuổi", "Cấp học", "Thôn", "Lưu ý", "Hoàn cảnh")
# The circumstance filter: one entry per circumstance, and the usual pair together.
CIRCUMSTANCE_FILTERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Mọi hoàn cảnh", ()),
    ("Hộ nghèo hoặc cận nghèo", (Circumstance.POOR.value, Circumstance.NEAR_POOR.value)),
    *((c.label, (c.value,)) for c in Circumstance if c.value),
)
PrintJob = Callable[[Path, ProgressFn, CancelFn], PrintResult]


def _money_or_none(text: str, what: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return parse_money(text)
    except ValueError as exc:
        raise ValidationError(f"{what} “{text}” không hợp lệ: ghi số nguyên đồng.") from exc


def parse_levels(text: str) -> dict[str, int]:
    """ "Giải nhất = 1.000.000; Giải nhì = 700.000" → {"Giải nhất": 1000000, …}."""
    levels: dict[str, int] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        label, sep, amount = part.partition("=")
        value = _money_or_none(amount, f"Mức “{label.strip()}”") if sep else None
        if value is None:
            raise ValidationError(f"Mức “{part.strip()}” phải có dạng Tên mức = số tiền.")
        levels[label.strip()] = value
    return levels


def print_in_background(
    parent: QWidget, ctx: AppContext, title: str, default_name: str, job: PrintJob
) -> bool:
    """Ask where to save (PDF or XLSX), then print off the UI thread with progress
    and cancel; the result is announced on the status line. False when not started."""
    start = ctx.data_dir / default_name
    out = messages.choose_save_file(
        parent, title, start, "Tệp PDF (*.pdf);;Bảng tính Excel (*.xlsx)"
    )
    if out is None:
        return False
    if out.suffix.lower() not in (".pdf", ".xlsx"):
        out = out.with_name(out.name + ".pdf")

    def done(result: Any) -> None:
        ctx.notice.emit(result.describe(), None)

    run_in_background(
        lambda progress, cancel: job(out, progress, cancel),
        done,
        parent=parent,
        progress_label=f"Đang in {title.lower()}…",
        cancellable=True,
        writes=False,
    )
    return True


class ProgrammeDialog(QDialog):
    """A new programme, or an existing one to edit (``programme_id``): name, kind,
    school year, criteria, amount or levels, budget. The same checks either way (the
    core's); a programme that has paid someone keeps its kind."""

    def __init__(
        self,
        db: Database,
        school_year: int,
        parent: QWidget | None = None,
        programme_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.programme_id: int | None = programme_id
        self.note: str | None = None  # not edited here; kept as it is
        self.setWindowTitle(
            "Sửa chương trình" if programme_id else "Chương trình học bổng, khen thưởng mới"
        )
        self.resize(560, 420)
        self.kind = QComboBox()
        for code, label in AWARD_KIND_LABELS.items():
            self.kind.addItem(label, code.value)
        self.school_year = QSpinBox()
        self.school_year.setRange(1990, 2200)
        self.school_year.setValue(school_year)
        self.school_year.setPrefix("Năm học ")
        self.name = QLineEdit(f"Học bổng năm học {programmes.school_year_label(school_year)}")
        self.criteria = QPlainTextEdit()
        self.criteria.setPlaceholderText("Vd. Học sinh nghèo vượt khó, học lực khá trở lên")
        self.amount = QLineEdit()
        self.amount.setPlaceholderText("Vd. 500.000 (để trống nếu theo mức)")
        self.levels = QLineEdit()
        self.levels.setPlaceholderText("Vd. Giải nhất = 1.000.000; Giải nhì = 700.000")
        self.budget = QLineEdit()
        self.budget.setPlaceholderText("Để trống nếu không giới hạn")
        form = QFormLayout(self)
        form.addRow("Tên chương trình", self.name)
        form.addRow("Loại", self.kind)
        form.addRow("Năm học", self.school_year)
        form.addRow("Tiêu chí", self.criteria)
        form.addRow("Mỗi suất (đồng)", self.amount)
        form.addRow("Theo mức", self.levels)
        form.addRow("Ngân sách (đồng)", self.budget)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("Lưu")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        if programme_id is not None:
            self._load(programmes.get_programme(db, programme_id))

    def _load(self, p: programmes.ProgrammeView) -> None:
        self.name.setText(p.name)
        self.kind.setCurrentIndex(max(0, self.kind.findData(p.kind)))
        self.school_year.setValue(p.school_year)
        self.criteria.setPlainText(p.criteria)
        self.amount.setText(format_money(p.amount_per_recipient) if p.amount_per_recipient else "")
        self.levels.setText(
            "; ".join(f"{k} = {format_money(v)}" for k, v in p.level_amounts.items())
        )
        self.budget.setText(format_money(p.budget) if p.budget else "")
        self.note = p.note
        if p.paid:
            self.kind.setEnabled(False)
            self.kind.setToolTip("Chương trình đã chi tiền: không đổi loại được.")

    def collect(self) -> ProgrammeInput:
        return ProgrammeInput(
            name=self.name.text(),
            kind=str(self.kind.currentData()),
            school_year=self.school_year.value(),
            criteria=self.criteria.toPlainText(),
            amount_per_recipient=_money_or_none(self.amount.text(), "Số tiền mỗi suất"),
            level_amounts=parse_levels(self.levels.text()),
            budget=_money_or_none(self.budget.text(), "Ngân sách"),
            note=self.note,
        )

    def save(self) -> bool:
        with messages.guarded(self):
            data = self.collect()
            if self.programme_id is None:
                self.programme_id = programmes.create_programme(self.db, data)
            else:
                programmes.update_programme(self.db, self.programme_id, data)
            self.accept()
            return True
        return False


class RecipientsDialog(QDialog):
    """Thêm người nhận: filter the registry, tick people, or type a name; one save."""

    def __init__(self, db: Database, programme_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.programme = programmes.get_programme(db, programme_id)
        self.result_: programmes.AddResult | None = None
        self.setWindowTitle(f"Thêm người nhận — {self.programme.name}")
        self.resize(820, 620)
        self.studying = QCheckBox("Đang đi học")
        self.studying.setChecked(True)
        self.min_age, self.max_age = QSpinBox(), QSpinBox()
        for box, label in ((self.min_age, "từ "), (self.max_age, "đến ")):
            box.setRange(0, 120)
            box.setSpecialValueText("—")
            box.setPrefix(label)
        self.school_level = QComboBox()
        self.school_level.addItem("Mọi cấp học", None)
        for code, label in SCHOOL_LEVEL_LABELS.items():
            self.school_level.addItem(label, code.value)
        self.hamlet = QComboBox()
        self.hamlet.addItem("Mọi thôn", None)
        for hamlet_id, label in hamlet_choices(db):
            self.hamlet.addItem(label, hamlet_id)
        self.circumstance = QComboBox()
        self.circumstance.setToolTip("Hoàn cảnh của hộ (ghi trong sổ hộ gia đình)")
        for label, values in CIRCUMSTANCE_FILTERS:
            self.circumstance.addItem(label, values)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Tìm tên (không cần dấu)…")
        filters = QHBoxLayout()
        filters.addWidget(self.studying)
        filters.addWidget(QLabel("Tuổi"))
        filters.addWidget(self.min_age)
        filters.addWidget(self.max_age)
        for widget in (self.school_level, self.hamlet, self.circumstance, self.search):
            filters.addWidget(widget)
        self.view, self.model = make_table(CANDIDATE_COLUMNS)
        self.level = QComboBox()
        self.level.addItem("(theo cấp học / mỗi suất)", None)
        for label, amount in self.programme.level_amounts.items():
            self.level.addItem(f"{label} — {format_money(amount)}", label)
        self.school_class = QLineEdit()
        self.school_class.setPlaceholderText("Vd. Lớp 7A – THCS Khoái Châu")
        self.typed_name = QLineEdit()
        self.typed_name.setPlaceholderText("Người không có trong sổ hộ (nếu có)")
        self.typed_amount = QLineEdit()
        self.typed_amount.setPlaceholderText("Số tiền (để trống: theo chương trình)")
        form = QFormLayout()
        form.addRow("Mức", self.level)
        form.addRow("Lớp – Trường", self.school_class)
        form.addRow("Hoặc ghi tên", self.typed_name)
        form.addRow("Số tiền", self.typed_amount)
        self.count = QLabel()
        buttons = QDialogButtonBox()
        buttons.addButton("Thêm vào danh sách", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        criteria = self.programme.criteria or "(chưa ghi tiêu chí)"
        layout.addWidget(QLabel(f"Tiêu chí: {criteria}"))
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.chosen: set[int] = set()
        for signal in (
            self.studying.toggled,
            self.min_age.valueChanged,
            self.max_age.valueChanged,
            self.school_level.currentIndexChanged,
            self.hamlet.currentIndexChanged,
            self.circumstance.currentIndexChanged,
            self.search.textChanged,
        ):
            signal.connect(lambda *_a: self.load())
        self._loading = False
        self.model.itemChanged.connect(lambda _i: self._loading or self._collect())
        self.load()

    def current_filter(self) -> CandidateFilter:
        level = self.school_level.currentData()
        return CandidateFilter(
            studying=self.studying.isChecked(),
            min_age=self.min_age.value() or None,
            max_age=self.max_age.value() or None,
            school_levels=(str(level),) if level else (),
            hamlet_id=self.hamlet.currentData(),
            search=self.search.text().strip() or None,
            circumstances=tuple(self.circumstance.currentData() or ()),
        )

    def load(self) -> None:
        with messages.guarded(self):
            found = programmes.candidates(self.db, self.programme.id, self.current_filter())
            self._loading = True  # ticks are read back by _collect, not while filling
            self.model.removeRows(0, self.model.rowCount())
            for c in found:
                name = cell(c.full_name, data=c.person_id)
                name.setCheckable(not c.on_this_programme)
                ticked = c.person_id in self.chosen
                name.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
                note = "Đã có trong chương trình" if c.on_this_programme else ""
                if c.other_programmes:
                    note = "Đã có trong: " + ", ".join(c.other_programmes)
                self.model.appendRow(
                    [
                        name,
                        cell(str(c.birth_year or "")),
                        cell(str(c.age or "")),
                        cell(c.school_level_label),
                        cell(c.hamlet),
                        cell(note),
                        cell(c.circumstance_label),
                    ]
                )
            self._loading = False
            self._collect()

    def _collect(self) -> None:
        for row in range(self.model.rowCount()):
            item = self.model.item(row, 0)
            person_id = int(item.data(Qt.ItemDataRole.UserRole))
            if item.checkState() == Qt.CheckState.Checked:
                self.chosen.add(person_id)
            else:
                self.chosen.discard(person_id)
        self.count.setText(f"Đã chọn {len(self.chosen)} người ({self.model.rowCount()} phù hợp)")

    def tick(self, rows: list[int]) -> None:
        """Tick the given rows (for keyboard users' "select all" and for tests)."""
        for row in rows:
            self.model.item(row, 0).setCheckState(Qt.CheckState.Checked)

    def save(self) -> bool:
        level = self.level.currentData()
        school_class = self.school_class.text()
        with messages.guarded(self):
            amount = _money_or_none(self.typed_amount.text(), "Số tiền")
            people = [
                ProgrammeRecipient(
                    person_id=p, level=level, school_class=school_class, amount=amount
                )
                for p in sorted(self.chosen)
            ]
            if self.typed_name.text().strip():
                people.append(
                    ProgrammeRecipient(
                        name=self.typed_name.text(),
                        level=level,
                        school_class=school_class,
                        amount=amount,
                    )
                )
            if not people:
                messages.inform(self, "Hãy đánh dấu người nhận hoặc ghi tên.")
                return False
            self.result_ = programmes.add_recipients(self.db, self.programme.id, people)
            if self.result_.duplicates:
                lines = [f"{d.name}: {', '.join(d.programmes)}" for d in self.result_.duplicates]
                messages.inform(
                    self,
                    "Lưu ý: những người sau đã có trong chương trình khác cùng năm học:\n"
                    + "\n".join(lines),
                )
            self.accept()
            return True
        return False


class ProgrammesTab(QWidget):
    """Programmes of the screen's school year and the recipients of the chosen one."""

    def __init__(self, ctx: AppContext, after_write: Callable[[str], None]) -> None:
        super().__init__()
        self.ctx, self.after_write = ctx, after_write
        self.school_year = 0
        self.view, self.model = make_table(PROGRAMME_COLUMNS)
        self.recipient_view, self.recipient_model = make_table(RECIPIENT_COLUMNS)
        self.view.selectionModel().currentRowChanged.connect(lambda *_a: self.load_recipients())
        self.view.doubleClicked.connect(lambda *_a: self.edit_programme())
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in (
            ("new", "Chương trình mới…", self.new_programme),
            ("edit", "Sửa…", self.edit_programme),
            ("add", "Thêm người nhận…", self.add_recipients),
            ("remove", "Bỏ người nhận", self.remove_selected),
            ("post", "Chi tiền (lập một phiếu chi)", self.post_selected),
            ("print", "In danh sách ký nhận…", self.print_signature_list),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
            self.buttons[key] = button
            if key != "print":  # programmes and their payments are the treasurer's
                ctx.gate(button, "fund.post")
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.recipient_view, 2)
        layout.addLayout(buttons)

    # --- loading ----------------------------------------------------------------------

    def reload(self, school_year: int) -> None:
        self.school_year = school_year
        keep = self.selected_programme()
        self.model.removeRows(0, self.model.rowCount())
        for p in programmes.list_programmes(self.ctx.db, school_year):
            amount = (
                format_money(p.amount_per_recipient)
                if p.amount_per_recipient
                else "; ".join(f"{k}: {format_money(v)}" for k, v in p.level_amounts.items())
            )
            self.model.appendRow(
                [
                    cell(p.name, data=p.id),
                    cell(p.kind_label),
                    cell(p.school_year_label),
                    cell(amount),
                    cell(format_money(p.budget) if p.budget else "", True),
                    cell(str(p.recipients), True),
                    cell(format_money(p.total), True),
                    cell(format_money(p.paid), True),
                ]
            )
        row = next((r for r in range(self.model.rowCount()) if self._programme_at(r) == keep), 0)
        if self.model.rowCount():
            self.view.selectRow(row)
        self.load_recipients()

    def _programme_at(self, row: int) -> int:
        return int(self.model.item(row, 0).data(Qt.ItemDataRole.UserRole))

    def selected_programme(self) -> int | None:
        index = self.view.currentIndex()
        if not index.isValid() or self.model.rowCount() == 0:
            return None
        return self._programme_at(index.row())

    def load_recipients(self) -> None:
        model = self.recipient_model
        model.removeRows(0, model.rowCount())
        pid = self.selected_programme()
        if pid is None:
            self.detail.setText(
                f"Năm học {programmes.school_year_label(self.school_year)} chưa có chương trình."
            )
            return
        p = programmes.get_programme(self.ctx.db, pid)
        for r in programmes.recipients(self.ctx.db, pid):
            model.appendRow(
                [
                    cell(r.name, data=r.award_id),
                    cell(r.school_class),
                    cell(r.level or ""),
                    cell(format_money(r.amount), True),
                    cell(r.voucher or "Chưa chi"),
                    cell(f"Cũng có trong: {', '.join(r.also_in)}" if r.also_in else ""),
                ]
            )
        budget = f" / ngân sách {format_money(p.budget)}" if p.budget else ""
        self.detail.setText(
            f"{p.name} — tiêu chí: {p.criteria or '(chưa ghi)'}. {p.recipients} người, "
            f"{format_money(p.total)}{budget}; đã chi {format_money(p.paid)}"
            + (f" ({', '.join(p.vouchers)})" if p.vouchers else "")
            + (f"; chưa chi {format_money(p.unpaid)}" if p.unpaid else "")
        )

    # --- actions ----------------------------------------------------------------------

    def open_programme_dialog(self, programme_id: int | None = None) -> ProgrammeDialog:
        return ProgrammeDialog(self.ctx.db, self.school_year, self, programme_id)

    def new_programme(self) -> None:
        dialog = self.open_programme_dialog()
        if dialog.exec() and dialog.programme_id is not None:
            self.after_write("Đã tạo chương trình.")

    def open_edit_dialog(self) -> ProgrammeDialog | None:
        pid = self.selected_programme()
        if pid is None:
            messages.inform(self, "Hãy chọn chương trình cần sửa.")
            return None
        with messages.guarded(self):
            return self.open_programme_dialog(pid)
        return None

    def edit_programme(self) -> None:
        dialog = self.open_edit_dialog()
        if dialog is not None and dialog.exec():
            self.after_write("Đã sửa chương trình.")

    def open_recipients_dialog(self) -> RecipientsDialog | None:
        pid = self.selected_programme()
        if pid is None:
            messages.inform(self, "Hãy tạo hoặc chọn một chương trình.")
            return None
        return RecipientsDialog(self.ctx.db, pid, self)

    def add_recipients(self) -> None:
        dialog = self.open_recipients_dialog()
        if dialog is not None and dialog.exec() and dialog.result_ is not None:
            r = dialog.result_
            self.after_write(f"Đã thêm {r.added} người nhận, {format_money(r.total)}.")

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.recipient_view.selectionModel().selectedRows()})
        if not rows:
            messages.inform(self, "Hãy chọn người nhận cần bỏ.")
            return
        ids = [int(self.recipient_model.item(r, 0).data(Qt.ItemDataRole.UserRole)) for r in rows]
        if not messages.ask(self, f"Bỏ {len(ids)} người khỏi danh sách?"):
            return
        with messages.guarded(self):
            for award_id in ids:
                programmes.remove_recipient(self.ctx.db, award_id)
            self.after_write(f"Đã bỏ {len(ids)} người khỏi danh sách.")

    def post_selected(self) -> None:
        pid = self.selected_programme()
        if pid is None:
            messages.inform(self, "Hãy chọn một chương trình.")
            return
        p = programmes.get_programme(self.ctx.db, pid)
        if not p.unpaid:
            messages.inform(self, "Chương trình không còn ai chưa được chi tiền.")
            return
        question = (
            f"Lập một phiếu chi {format_money(p.unpaid)} cho những người chưa nhận của “{p.name}”?"
        )
        if not messages.ask(self, question):
            return
        with messages.guarded(self):
            result = programmes.post_programme(self.ctx.db, pid)
            self.after_write(
                f"Đã chi {result.recipients} suất, {format_money(result.total)} (một phiếu chi)."
            )

    def print_signature_list(self) -> bool:
        pid = self.selected_programme()
        if pid is None:
            messages.inform(self, "Hãy chọn một chương trình.")
            return False
        from app.core.fund.printouts import print_signature_list

        db = self.ctx.db
        return print_in_background(
            self,
            self.ctx,
            "Danh sách ký nhận",
            file_name("Danh sách ký nhận", programmes.get_programme(db, pid).name, ext="pdf"),
            lambda out, progress, cancel: print_signature_list(
                db, pid, out, progress=progress, cancel=cancel
            ),
        )
