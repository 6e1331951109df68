"""In ấn: certificates, decisions (PDF / Word), lists and the periodic report, in a worker.

The file is written off the UI thread (progress + "Hủy"), then its page count is shown
with "Xem trước" (our own preview of a PDF: pages rendered by PDFium, since
PySide6-Essentials has no QtPdf; page range, "In…" to a printer, "Lưu PDF…"),
"Mở tệp" (the system's program for it) and "Mở thư mục".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.assessment import MODELS, issuers
from app.core.text import file_name
from app.ui.screens.base import AppContext, Screen
from app.ui.widgets import messages
from app.ui.workers import run_in_background

LIST_CHOICES = (
    ("members", "Danh sách hội viên"),
    ("registrations", "Danh sách đăng ký (theo thôn)"),
    ("results", "Kết quả đánh giá (theo thôn)"),
)


PERIOD_CHOICES = (
    ("Q1", "Quý I"),
    ("Q2", "Quý II"),
    ("Q3", "Quý III"),
    ("Q4", "Quý IV"),
    ("H1", "6 tháng đầu năm"),
    ("H2", "6 tháng cuối năm"),
    ("", "Cả năm"),
)
REPORT_FORMATS = (
    ("pdf", "PDF", "PDF (*.pdf)"),
    ("docx", "Word (.docx)", "Word (*.docx)"),
    ("xlsx", "Excel (.xlsx)", "Excel (*.xlsx)"),
)


def open_path(path: Path) -> None:
    """Hand a file or folder to the system (tests replace this)."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class PrintingScreen(Screen):
    key = "printing"
    title = "In ấn"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.last: Path | None = None
        self.last_title = ""  # what the last file holds, e.g. "giấy công nhận (QĐ số 12)"
        self.decision = QComboBox()
        self.decision.setMinimumWidth(420)
        self.issuer = QComboBox()  # the chosen decision's model: who recognises that title
        for code in issuers.ISSUERS:
            self.issuer.addItem(issuers.BODY_LABELS[code], code)
        self.issuer.setToolTip(
            "Cơ quan đã ra quyết định đang chọn: tên cơ quan in ở đầu quyết định và giấy "
            "công nhận. Cơ quan công nhận từng danh hiệu cho các quyết định sau: "
            "Cài đặt → Người ký."
        )
        self.issuer.setEnabled(False)  # the decision's own body: what was signed stays
        self.decision.currentIndexChanged.connect(self._show_issuer)
        self.preprinted = QCheckBox("In trên phôi in sẵn (chỉ in chữ)")
        self.offset_x = self._offset()
        self.offset_y = self._offset()
        save = QPushButton("Lưu cách in")
        save.clicked.connect(self._save_options)
        certs = QPushButton("In giấy công nhận (PDF)…")
        certs.clicked.connect(self._print_certificates)
        decision_pdf = QPushButton("In quyết định (PDF)…")
        decision_pdf.clicked.connect(lambda: self._print_decision("pdf"))
        decision_docx = QPushButton("Quyết định (Word)…")
        decision_docx.clicked.connect(lambda: self._print_decision("docx"))

        form = QFormLayout()
        form.addRow("Quyết định công nhận:", self.decision)
        form.addRow("Cơ quan ban hành:", self.issuer)
        offsets = QHBoxLayout()
        offsets.addWidget(self.preprinted)
        offsets.addWidget(QLabel("lệch ngang (mm):"))
        offsets.addWidget(self.offset_x)
        offsets.addWidget(QLabel("lệch dọc (mm):"))
        offsets.addWidget(self.offset_y)
        offsets.addWidget(save)
        offsets.addStretch(1)
        form.addRow("Phôi:", offsets)
        buttons = QHBoxLayout()
        for b in (certs, decision_pdf, decision_docx):
            buttons.addWidget(b)
        buttons.addStretch(1)
        form.addRow("", buttons)
        recognition = QGroupBox("Giấy công nhận và quyết định")
        recognition.setLayout(form)

        self.list_kind = QComboBox()
        for key, label in LIST_CHOICES:
            self.list_kind.addItem(label, key)
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(dt.date.today().year)
        self.model = QComboBox()
        for key, label in MODELS.items():
            self.model.addItem(label, key)
        print_list = QPushButton("In danh sách (PDF / Excel)…")
        print_list.clicked.connect(self._print_list)
        lists_form = QFormLayout()
        lists_form.addRow("Loại danh sách:", self.list_kind)
        lists_form.addRow("Năm:", self.year)
        lists_form.addRow("Mô hình:", self.model)
        lists_form.addRow("", print_list)
        lists = QGroupBox("Danh sách")
        lists.setLayout(lists_form)
        reports = self._report_box()

        self.result = QLabel("Chưa in tệp nào.")
        self.result.setWordWrap(True)
        self.preview = QPushButton("Xem trước")
        self.preview.clicked.connect(self._preview)
        self.open_file = QPushButton("Mở tệp")
        self.open_file.clicked.connect(lambda: self.last and open_path(self.last))
        self.open_folder = QPushButton("Mở thư mục")
        self.open_folder.clicked.connect(lambda: self.last and open_path(self.last.parent))
        for b in (self.preview, self.open_file, self.open_folder):
            b.setEnabled(False)
        done = QHBoxLayout()
        done.addWidget(self.result, 1)
        done.addWidget(self.preview)
        done.addWidget(self.open_file)
        done.addWidget(self.open_folder)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>In ấn</h2>"))
        layout.addWidget(recognition)
        layout.addWidget(lists)
        layout.addWidget(reports)
        layout.addLayout(done)
        layout.addStretch(1)

    def _report_box(self) -> QGroupBox:
        """Báo cáo định kỳ: which period (quarter, six months, year) and which format."""
        self.report_period = QComboBox()
        for code, label in PERIOD_CHOICES:
            self.report_period.addItem(label, code)
        self.report_period.setCurrentIndex(len(PERIOD_CHOICES) - 1)
        self.report_year = QSpinBox()
        self.report_year.setRange(2000, 2100)
        self.report_year.setValue(dt.date.today().year)
        self.report_format = QComboBox()
        for code, label, _filters in REPORT_FORMATS:
            self.report_format.addItem(label, code)
        make = QPushButton("Lập báo cáo…")
        make.clicked.connect(self._print_report)
        row = QHBoxLayout()
        row.addWidget(self.report_period)
        row.addWidget(QLabel("năm"))
        row.addWidget(self.report_year)
        row.addStretch(1)
        form = QFormLayout()
        form.addRow("Kỳ báo cáo:", row)
        form.addRow("Định dạng:", self.report_format)
        form.addRow("", make)
        box = QGroupBox("Báo cáo định kỳ (hội viên, mô hình học tập, quỹ, khen thưởng)")
        box.setLayout(form)
        return box

    def report_code(self) -> str:
        """'2026-Q3', '2026-H1' or '2026' from the pickers."""
        suffix = str(self.report_period.currentData())
        year = self.report_year.value()
        return f"{year}-{suffix}" if suffix else str(year)

    def _print_report(self) -> None:
        from app.core.reports.periods import period_bounds
        from app.core.reports.service import write_period_report

        fmt = str(self.report_format.currentData())
        filters = next(f for code, _label, f in REPORT_FORMATS if code == fmt)
        code = self.report_code()
        period = self.report_period.currentText()
        name = file_name("Báo cáo", period, self.report_year.value(), ext=fmt)
        out = self._target("Lưu báo cáo định kỳ", name, filters)
        if out is None:
            return
        with messages.guarded(self):
            period = period_bounds(code)
            db = self.ctx.db
            self._run(
                lambda p, c: write_period_report(db, period, out, fmt=fmt, progress=p, cancel=c),
                "Đang lập báo cáo…",
            )

    @staticmethod
    def _offset() -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(-50, 50)
        box.setDecimals(1)
        box.setSingleStep(0.5)
        return box

    def reload(self) -> None:
        from app.core.printing import data
        from app.core.printing.options import load_options

        db = self.ctx.db
        current = self.decision.currentData()
        self.decision.clear()
        for d in data.decisions(db):
            self.decision.addItem(d.label(), d)
        if current is not None:
            for i in range(self.decision.count()):
                if self.decision.itemData(i).id == current.id:
                    self.decision.setCurrentIndex(i)
        opts = load_options(db)
        self._show_issuer()
        self.preprinted.setChecked(opts.preprinted)
        self.offset_x.setValue(opts.offset_x_mm)
        self.offset_y.setValue(opts.offset_y_mm)

    def _show_issuer(self) -> None:
        from app.core.printing import data

        d = self.decision.currentData()
        if d is not None:
            body = data.decision_issuer(self.ctx.db, d)
            self.issuer.setCurrentIndex(max(0, self.issuer.findData(body)))

    def _save_options(self) -> None:
        from app.core.printing.options import load_options, save_options

        with messages.guarded(self):
            db = self.ctx.db
            save_options(
                db,
                replace(
                    load_options(db),
                    preprinted=self.preprinted.isChecked(),
                    offset_x_mm=self.offset_x.value(),
                    offset_y_mm=self.offset_y.value(),
                ),
            )
            self.ctx.notice.emit("Đã lưu cách in giấy công nhận.", None)

    def _target(self, title: str, name: str, filters: str) -> Path | None:
        start = (self.last.parent if self.last else Path.home()) / name
        return messages.choose_save_file(self, title, start, filters)

    def _chosen_decision(self) -> Any:
        d = self.decision.currentData()
        if d is None:
            messages.inform(self, "Chưa có quyết định công nhận nào (xem màn hình Chu kỳ năm).")
        return d

    def _print_certificates(self) -> None:
        d = self._chosen_decision()
        if d is None:
            return
        self._save_options()
        out = self._target(
            "Lưu giấy công nhận",
            file_name("Giấy công nhận", MODELS[d.model], d.year, ext="pdf"),
            "PDF (*.pdf)",
        )
        if out is None:
            return
        from app.core.printing.service import print_certificates

        db = self.ctx.db
        self._run(
            lambda p, c: print_certificates(
                db, d.year, d.model, out, decision_number=d.number, progress=p, cancel=c
            ),
            "Đang in giấy công nhận…",
        )

    def _print_decision(self, fmt: str) -> None:
        d = self._chosen_decision()
        if d is None:
            return
        ext = "docx" if fmt == "docx" else "pdf"
        filters = "Word (*.docx)" if fmt == "docx" else "PDF (*.pdf)"
        name = file_name("Quyết định", MODELS[d.model], d.year, ext=ext)
        out = self._target("Lưu quyết định", name, filters)
        if out is None:
            return
        from app.core.printing.decision import print_decision

        db = self.ctx.db
        self._run(
            lambda p, c: print_decision(
                db, d.year, d.model, out, decision_number=d.number, fmt=fmt, progress=p, cancel=c
            ),
            "Đang in quyết định…",
        )

    def _print_list(self) -> None:
        kind = str(self.list_kind.currentData())
        name = file_name(self.list_kind.currentText(), ext="pdf")
        out = self._target("Lưu danh sách", name, "PDF (*.pdf);;Excel (*.xlsx)")
        if out is None:
            return
        from app.core.printing.lists import print_cycle_list, print_member_list

        db = self.ctx.db
        year, model = self.year.value(), str(self.model.currentData())
        if kind == "members":
            self._run(
                lambda p, c: print_member_list(db, out, progress=p, cancel=c),
                "Đang in danh sách…",
            )
        else:
            self._run(
                lambda p, c: print_cycle_list(db, out, year, model, kind, progress=p, cancel=c),
                "Đang in danh sách…",
            )

    def _run(self, job: Any, label: str) -> None:
        run_in_background(
            job, self._done, parent=self, progress_label=label, cancellable=True, writes=False
        )

    def _done(self, result: Any) -> None:
        self.last = Path(result.path)
        self.last_title = str(result.title)
        pages = f"{result.pages} trang, " if result.pages else ""
        self.result.setText(f"Đã in {result.title}: {pages}{result.items} mục → {result.path}")
        for b in (self.open_file, self.open_folder):
            b.setEnabled(True)
        self.preview.setEnabled(self.last.suffix.lower() == ".pdf")

    def _preview(self) -> Any:
        """The last PDF in the preview dialog (pages, range, print, save)."""
        from app.ui.dialogs.print_preview import show_preview

        if self.last is None or self.last.suffix.lower() != ".pdf":
            return None
        return show_preview(self, self.last, self.last_title)
