"""The yearly cycle screen: pick a year and a model; register, assess, recognise.

A thin layer over :mod:`app.core.assessment.cycle`: every button calls one core
service (one transaction) and shows its Vietnamese message on failure.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.accounts.permissions import CYCLE_DECIDE, CYCLE_EDIT
from app.core.assessment import CYCLE_MODELS, MODELS, issuers
from app.core.assessment import cycle as svc
from app.core.assessment.criteria import STATUS_BUILT
from app.core.db import Database
from app.core.text import format_number
from app.ui.screens.base import AppContext, Screen
from app.ui.screens.cycle_grid import AssessmentGrid, AssessmentModel
from app.ui.table_model import SequenceModel
from app.ui.widgets import messages
from app.ui.widgets.flow_layout import FlowLayout, labelled
from app.ui.widgets.search_box import SearchBox

LIST_COLUMNS = ("Tên", "Thôn", "Đăng ký", "Điểm", "Kết quả", "Đề nghị", "Công nhận")
WARM_SEARCH_MS = 50  # after the list is painted: read the search texts before the first key
LIST_SAMPLES = ("", "Tổ dân phố 12", "✓", "100", "Không đạt", "✓", "✓")
DUE_COLUMNS = ("Tên", "Công nhận lần cuối", "Hiệu lực đến")


def ask_reason(parent: QWidget | None, title: str, label: str) -> str | None:
    """A line of text from the user (None if cancelled); tests replace this."""
    return messages.ask_text(parent, title, label)


class RecognitionDialog(QDialog):
    """Decision number, date and signer; recognises everyone who passed and is not yet."""

    def __init__(self, db: Database, year: int, model: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.year, self.model = db, year, model
        self.outcome: svc.RecognitionOutcome | None = None
        self.setWindowTitle(f"Quyết định công nhận {MODELS[model]} năm {year}")
        form = QFormLayout(self)
        self.number = QLineEdit()
        self.number.setPlaceholderText("ví dụ 125/QĐ-UBND")
        self.date = QDateEdit(QDate(year, 12, 15))
        self.date.setDisplayFormat("dd/MM/yyyy")
        self.date.setCalendarPopup(True)
        self.issuer = QComboBox()
        for code in issuers.ISSUERS:
            self.issuer.addItem(issuers.BODY_LABELS[code], code)
        self.issuer.setToolTip(
            "Cơ quan ra quyết định và cấp giấy công nhận danh hiệu này (ghi nhớ cho lần sau)"
        )
        self.signer_title = QLineEdit()
        self.signer_name = QLineEdit()
        self.signer_name.setPlaceholderText("Ghi trong Cài đặt → Người ký để lần sau tự điền")
        self.issuer.currentIndexChanged.connect(self._fill_signer)
        self.issuer.setCurrentIndex(self.issuer.findData(issuers.issuer_for(db, model)))
        self._fill_signer()
        form.addRow("Số quyết định:", self.number)
        form.addRow("Ngày ký:", self.date)
        form.addRow("Cơ quan công nhận:", self.issuer)
        form.addRow("Chức vụ người ký:", self.signer_title)
        form.addRow("Người ký:", self.signer_name)
        self.without_proposal = QCheckBox("Công nhận cả trường hợp thôn chưa đề nghị")
        self.without_proposal.setToolTip(
            "Bình thường chỉ công nhận những trường hợp đạt đã được thôn đề nghị."
        )
        self.without_proposal.setVisible(model in svc.PROPOSED_MODELS)
        self.counts = QLabel(_decision_counts(db, year, model))
        form.addRow(self.counts)
        form.addRow(self.without_proposal)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Công nhận")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _fill_signer(self) -> None:
        """The chosen body's signer from Settings (title and name)."""
        body = str(self.issuer.currentData())
        suffix = "QĐ-HKH" if body == issuers.ASSOCIATION else "QĐ-UBND"
        self.number.setPlaceholderText(f"ví dụ 125/{suffix}")
        signer = issuers.body_signer(self.db, body)
        self.signer_title.setText(signer.title)
        self.signer_name.setText(signer.name)

    def save(self) -> None:
        with messages.guarded(self):
            body = str(self.issuer.currentData())
            if body != issuers.issuer_for(self.db, self.model):
                issuers.save_issuer(self.db, self.model, body)
            d = self.date.date()
            self.outcome = svc.recognise(
                self.db,
                svc.DecisionInput(
                    year=self.year,
                    model=self.model,
                    number=self.number.text(),
                    decision_date=dt.date(d.year(), d.month(), d.day()),
                    signer_title=self.signer_title.text(),
                    signer_name=self.signer_name.text(),
                    issuer=body,
                ),
                allow_unproposed=self.without_proposal.isChecked(),
            )
            self.accept()


def _decision_counts(db: Database, year: int, model: str) -> str:
    """What the decision will take: who passed, and (where hamlets propose) who was proposed."""
    rows = [r for r in svc.cycle_rows(db, year, model) if r.passed and not r.recognised]
    if model not in svc.PROPOSED_MODELS:
        return f"{format_number(len(rows))} trường hợp đạt chưa được công nhận."
    proposed = sum(r.proposed for r in rows)
    return (
        f"{format_number(len(rows))} trường hợp đạt chưa được công nhận; "
        f"{format_number(proposed)} đã được thôn đề nghị "
        "(quyết định chỉ công nhận những trường hợp được đề nghị)."
    )


class CycleScreen(Screen):
    key = "cycle"
    title = "Chu kỳ năm"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.rows: list[svc.CycleRow] = []  # the list as shown (after the search box)
        self.all_rows: list[svc.CycleRow] = []
        self.all_due: list[svc.DueEntry] = []
        self.hamlets: dict[int, str] = {}
        self.grid_model: AssessmentModel | None = None

        self.year = QSpinBox()
        self.year.setRange(svc.MIN_YEAR, svc.MAX_YEAR)
        self.year.setValue(svc.working_year(ctx.db) if ctx.available else dt.date.today().year)
        self.model_box = QComboBox()
        for code in CYCLE_MODELS:
            self.model_box.addItem(MODELS[code], code)
        self.hamlet_box = QComboBox()
        self.year_state = QLabel()
        # One row that folds onto a second line when the window is narrow (large text).
        top = FlowLayout(spacing=10)
        for label, widget in (
            ("Năm:", self.year),
            ("Mô hình:", self.model_box),
            ("Thôn:", self.hamlet_box),
        ):
            top.addWidget(labelled(label, widget))
        top.addWidget(self.year_state)
        self.close_button = QPushButton("Khóa sổ năm")
        self.reopen_button = QPushButton("Mở lại năm…")
        self.criteria_button = QPushButton("Bộ tiêu chí…")
        top.addWidget(self.criteria_button)
        top.addWidget(self.close_button)
        top.addWidget(self.reopen_button)
        # The registries' search box: as you type, without diacritics; it narrows the
        # list, the grid and the "due again" list alike.
        self.search_box = SearchBox("Tìm theo tên (không cần dấu)…")
        self.search_box.setObjectName("cycle_search")
        self.search_box.search.connect(lambda _text: self.apply_search())
        search_row = QHBoxLayout()
        search_row.addWidget(labelled("Tìm:", self.search_box), 1)
        search_row.addStretch(1)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._registration_tab(), "1. Đăng ký")
        self.tabs.addTab(self._assessment_tab(), "2. Chấm điểm")
        self.due_model = SequenceModel(
            DUE_COLUMNS, lambda d: (d.name, str(d.last_year), str(d.valid_until)), self
        )
        self.due_view = QTableView()
        self.due_view.setModel(self.due_model)
        self.due_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.due_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tabs.addTab(self.due_view, "3. Đến hạn công nhận lại")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(search_row)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.summary)

        self.year.valueChanged.connect(self.reload)
        self.model_box.currentIndexChanged.connect(self.reload)
        self.hamlet_box.currentIndexChanged.connect(self.reload)
        for widget, action in (
            (self.register_selected, CYCLE_EDIT),
            (self.register_shown, CYCLE_EDIT),
            (self.save_button, CYCLE_EDIT),
            (self.propose_button, CYCLE_EDIT),
            (self.recognise_button, CYCLE_DECIDE),
        ):
            ctx.gate(widget, action)
        self.close_button.clicked.connect(self.close_year)
        self.reopen_button.clicked.connect(self.reopen_year)
        self.criteria_button.clicked.connect(self.open_criteria)
        ctx.changed.connect(lambda _kind: self.mark_stale())

    # --- layout ---
    def _registration_tab(self) -> QWidget:
        page = QWidget()
        self.list_model = SequenceModel(LIST_COLUMNS, self._list_cells, self, right_aligned=(3,))
        self.list_view = QTableView()
        self.list_view.setModel(self.list_model)
        self.list_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.list_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Widths from the text size: "Tổ dân phố 12" and "Không đạt" whole at "Rất lớn".
        metrics = self.list_view.fontMetrics()
        for column, sample in enumerate(LIST_SAMPLES):
            if column:
                title = metrics.horizontalAdvance(LIST_COLUMNS[column]) + 24
                header.resizeSection(column, max(title, metrics.horizontalAdvance(sample) + 16))
        self.register_selected = QPushButton("Đăng ký các dòng đã chọn")
        self.register_shown = QPushButton("Đăng ký tất cả đang hiện")
        buttons = QHBoxLayout()
        buttons.addWidget(self.register_selected)
        buttons.addWidget(self.register_shown)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.list_view, 1)
        layout.addLayout(buttons)
        self.register_selected.clicked.connect(self.register_selection)
        self.register_shown.clicked.connect(self.register_all_shown)
        return page

    def _assessment_tab(self) -> QWidget:
        page = QWidget()
        self.set_label = QLabel()
        self.set_label.setWordWrap(True)
        # Clans and hamlets count that year's learning families: warn before the decision.
        self.family_warning = QLabel()
        self.family_warning.setWordWrap(True)
        self.family_warning.setStyleSheet("color: #a35200; font-weight: bold;")
        self.family_warning.hide()
        self.grid = AssessmentGrid()
        self.grid_error = QLabel()
        self.grid_error.setStyleSheet("color: #b00020;")
        self.save_button = QPushButton("&Lưu kết quả chấm")
        self.propose_button = QPushButton("Thôn đề nghị…")
        self.propose_button.setToolTip(
            "Thôn chọn những trường hợp đạt để đề nghị xã công nhận; in danh sách đề nghị"
        )
        self.recognise_button = QPushButton("Quyết định công nhận…")
        self.form_button = QPushButton("&Phiếu chi tiết…")
        self.form_button.setToolTip(
            "Chấm từng mục kèm minh chứng, chọn mẫu phiếu (công dân học tập)"
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.grid_error, 1)
        buttons.addWidget(self.form_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.propose_button)
        buttons.addWidget(self.recognise_button)
        layout = QVBoxLayout(page)
        layout.addWidget(self.set_label)
        layout.addWidget(self.family_warning)
        layout.addWidget(self.grid, 1)
        layout.addLayout(buttons)
        self.save_button.clicked.connect(self.save_assessments)
        self.recognise_button.clicked.connect(self.open_recognition)
        self.propose_button.clicked.connect(self.open_proposal)
        self.form_button.clicked.connect(self.open_form)
        return page

    # --- state ---
    @property
    def model_code(self) -> str:
        return str(self.model_box.currentData())

    @property
    def hamlet_id(self) -> int | None:
        data = self.hamlet_box.currentData()
        return int(data) if data is not None else None

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        self.reload_if_stale()

    def _fill_hamlets(self) -> None:
        from app.core.registry.hamlets import hamlet_choices

        current = self.hamlet_id
        self.hamlet_box.blockSignals(True)
        self.hamlet_box.clear()
        self.hamlet_box.addItem("Cả xã", None)
        choices = hamlet_choices(self.ctx.db)
        self.hamlets = {int(v): str(label) for v, label in choices}
        for value, label in choices:
            self.hamlet_box.addItem(str(label), int(value))
        if current is not None:
            self.hamlet_box.setCurrentIndex(max(0, self.hamlet_box.findData(current)))
        self.hamlet_box.blockSignals(False)

    def reload(self) -> None:
        with messages.guarded(self):
            if self.hamlet_box.count() == 0:
                self._fill_hamlets()
            year, model = self.year.value(), self.model_code
            self.propose_button.setEnabled(
                model in svc.PROPOSED_MODELS and self.ctx.allowed(CYCLE_EDIT)
            )
            state = svc.year_state(self.ctx.db, year)
            self.year_state.setText("  Đã khóa sổ" if state.closed else "")
            self.close_button.setEnabled(not state.closed and self.ctx.allowed(CYCLE_EDIT))
            self.reopen_button.setEnabled(state.closed and self.ctx.allowed(CYCLE_DECIDE))
            self.all_rows = svc.cycle_rows(self.ctx.db, year, model, self.hamlet_id)
            self.all_due = svc.due_again(self.ctx.db, year, model)
            sheet = svc.assessment_sheet(self.ctx.db, year, model, self.hamlet_id)
            self.grid_model = AssessmentModel(sheet, self)
            self.grid_model.on_error = self.grid_error.setText
            self.grid_error.setText("")
            self.grid.setModel(self.grid_model)
            warning = svc.family_decision_warning(self.ctx.db, year, model)
            self.family_warning.setText(warning or "")
            self.family_warning.setVisible(bool(warning))
            doc = sheet.doc
            warn = " — có mục “cần đối chiếu”" if doc.needs_checking else ""
            if doc.status == STATUS_BUILT:
                warn = " — bộ tham khảo do phần mềm xây dựng (tự xây dựng), sửa theo hướng dẫn"
            self.set_label.setText(
                f"Bộ tiêu chí: {doc.title} (phiên bản {doc.version}; nguồn {doc.source.number}, "
                f"{doc.source.issuer}){warn}. Gõ điểm, Enter sang ô kế tiếp; "
                "có/không: gõ “có” hoặc “k”; Tab ra khỏi bảng."
            )
            self.apply_search()
        QTimer.singleShot(WARM_SEARCH_MS, self, self._prepare_search)

    def _prepare_search(self) -> None:
        if self.ctx.available:
            with messages.guarded(self):
                svc.prepare_search(self.ctx.db, self.model_code)

    def apply_search(self) -> None:
        """Narrow the list, the grid and the "due again" list to the search box's words
        (the registry's search: each keystroke filters what :meth:`reload` read)."""
        if not self.ctx.available:
            return
        with messages.guarded(self):
            year, model = self.year.value(), self.model_code
            wanted = svc.search_ids(self.ctx.db, year, model, self.search_box.text())
            if wanted is None:
                self.rows = list(self.all_rows)
                self.due_model.set_rows(self.all_due)
            else:
                self.rows = [r for r in self.all_rows if r.entity_id in wanted]
                self.due_model.set_rows([d for d in self.all_due if d.entity_id in wanted])
            self.list_model.set_rows(self.rows)
            if self.grid_model is not None:
                self.grid.show_only(wanted)
            registered = sum(r.registered for r in self.rows)
            assessed = sum(r.assessed for r in self.rows)
            recognised = sum(r.recognised for r in self.rows)
            self.summary.setText(
                f"{format_number(len(self.rows))} trong danh sách · "
                f"{format_number(registered)} đăng ký · {format_number(assessed)} đã chấm · "
                f"{format_number(recognised)} được công nhận"
            )

    def _list_cells(self, r: svc.CycleRow) -> tuple[str, ...]:
        return (
            r.name,
            self.hamlets.get(r.hamlet_id or 0, ""),
            "✓" if r.registered else "",
            "" if r.total is None else f"{r.total:g}",
            r.label,
            "✓" if r.proposed else "",
            "✓" if r.recognised else "",
        )

    # --- actions ---
    def _register(self, ids: list[int]) -> None:
        with messages.guarded(self):
            res = svc.register(self.ctx.db, self.year.value(), self.model_code, ids)
            self.ctx.announce("cycle", f"Đã đăng ký {res.added}; {res.already} đã có từ trước.")
            self.reload()

    def register_selection(self) -> None:
        rows = {i.row() for i in self.list_view.selectionModel().selectedRows()}
        self._register([self.rows[r].entity_id for r in sorted(rows)])

    def register_all_shown(self) -> None:
        ids = [r.entity_id for r in self.rows if not r.registered]
        if not ids:
            messages.inform(self, "Tất cả trong danh sách đã đăng ký.")
            return
        place = self.hamlet_box.currentText()
        if messages.ask(self, f"Đăng ký {len(ids)} {MODELS[self.model_code]} ({place})?"):
            self._register(ids)

    def save_assessments(self) -> int:
        model = self.grid_model
        if model is None or not model.dirty:
            return 0
        saved = 0
        with messages.guarded(self):
            for row in sorted(model.dirty):
                entity = model.sheet.rows[row]
                svc.record_assessment(
                    self.ctx.db,
                    svc.AssessmentInput(
                        self.year.value(), self.model_code, entity.entity_id, model.values[row]
                    ),
                )
                saved += 1
        self.ctx.announce("cycle", f"Đã lưu {saved} kết quả chấm.")
        self.reload()
        return saved

    def open_recognition(self) -> None:
        if self.grid_model is not None and self.grid_model.dirty:
            self.save_assessments()
        dialog = RecognitionDialog(self.ctx.db, self.year.value(), self.model_code, self)
        if dialog.exec() and dialog.outcome is not None:
            out = dialog.outcome
            waiting = (
                f" {out.not_proposed} đạt nhưng chưa được thôn đề nghị." if out.not_proposed else ""
            )
            self.ctx.announce("cycle", f"Đã công nhận {out.recognised} theo quyết định.{waiting}")
            self.reload()

    def open_proposal(self) -> None:
        """The hamlet's proposal to the commune (the hamlet chosen above, else the first)."""
        from app.ui.screens.cycle_proposal import ProposalDialog

        if self.grid_model is not None and self.grid_model.dirty:
            self.save_assessments()
        dialog = ProposalDialog(
            self.ctx.db, self.year.value(), self.model_code, self.hamlets, self.hamlet_id, self
        )
        dialog.exec()
        if dialog.changed:
            self.ctx.announce("cycle", "Đã lưu đề nghị của thôn.")
            self.reload()

    def close_year(self) -> None:
        year = self.year.value()
        if messages.ask(self, f"Khóa sổ năm {year}? Sau khi khóa, muốn sửa phải mở lại có lý do."):
            with messages.guarded(self):
                svc.close_year(self.ctx.db, year, "Khóa sổ")
                self.reload()

    def reopen_year(self) -> None:
        year = self.year.value()
        reason = ask_reason(self, f"Mở lại năm {year}", "Lý do mở lại (sẽ được ghi lại):")
        if reason is None:
            return
        with messages.guarded(self):
            svc.reopen_year(self.ctx.db, year, reason)
            self.ctx.announce("cycle", f"Đã mở lại năm {year}.")
            self.reload()

    def open_criteria(self) -> None:
        from app.ui.screens.cycle_criteria import CriteriaDialog

        CriteriaDialog(self.ctx.db, self.model_code, self).exec()
        self.reload()

    def open_form(self) -> None:
        """The current grid row as a form (evidence notes, form variant)."""
        from app.ui.screens.cycle_form import AssessmentFormDialog

        model = self.grid_model
        index = self.grid.currentIndex()
        if model is None or not index.isValid():
            messages.inform(self, "Chọn một dòng trong bảng chấm điểm trước.")
            return
        if model.dirty:
            self.save_assessments()
            model = self.grid_model
            assert model is not None
        row = model.sheet.rows[min(index.row(), len(model.sheet.rows) - 1)]
        if AssessmentFormDialog(self.ctx.db, model.sheet, row, self).exec():
            self.ctx.announce("cycle", f"Đã lưu phiếu của {row.name}.")
            self.reload()
