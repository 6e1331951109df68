""" "Nhập từ Excel…": pick a file, check the column mapping, preview, then import.

The dialog is a thin layer over :mod:`app.core.io.importer`: the preview is a dry
run (``plan_import``) and "Nhập" applies that plan in one transaction on a
worker thread, with progress and cancel. Nothing is written before "Nhập".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import UserError
from app.core.io.headers import ALIASES, FIELD_LABELS, IGNORE
from app.core.io.importer import ImportPlan, SheetPreview, apply_import, plan_import, preview_sheets
from app.ui.screens.base import EVERYTHING, AppContext
from app.ui.widgets import messages
from app.ui.workers import run_in_background

KIND_CHOICES = (
    ("households", "Hộ gia đình và nhân khẩu"),
    ("people", "Nhân khẩu"),
    ("hamlets", "Thôn / tổ dân phố"),
    ("units", "Đơn vị"),
    ("clans", "Dòng họ"),
    ("members", "Hội viên"),
)
SKIP = "(bỏ qua)"
HEAD_RULE = (
    "Lưu ý về dòng chủ hộ: nếu dòng chủ hộ bị từ chối (ví dụ thiếu họ tên, hoặc ngày sinh "
    "không có năm), thì cả hộ đó — chủ hộ và những người ghi ngay dưới — đều chưa được "
    "nhập, để không ai bị ghép nhầm vào hộ phía trên. Danh sách dưới đây ghi rõ từng dòng. "
    "Hãy sửa dòng chủ hộ trong tệp rồi nhập lại; các hộ khác vẫn được nhập bình thường."
)
FILTERS = "Bảng tính (*.xlsx *.xlsm *.xls *.ods);;Mọi tệp (*)"


class ImportWizard(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Nhập từ Excel")
        self.resize(860, 560)
        self.previews: list[SheetPreview] = []
        self.combos: dict[str, list[QComboBox]] = {}
        self.use_sheet: dict[str, QCheckBox] = {}
        self.hamlet_edits: dict[str, QLineEdit] = {}
        self.plan: ImportPlan | None = None
        self.imported: ImportPlan | None = None
        self.pages = QStackedWidget()
        self.pages.addWidget(self._file_page())
        self.pages.addWidget(self._mapping_page())
        self.pages.addWidget(self._preview_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        buttons = QHBoxLayout()
        self.back_button = QPushButton("Quay lại")
        self.back_button.clicked.connect(self.go_back)
        self.next_button = QPushButton("Tiếp")
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.go_next)
        self.cancel_button = QPushButton("Đóng")
        self.cancel_button.clicked.connect(self.reject)
        buttons.addStretch(1)
        for button in (self.back_button, self.next_button, self.cancel_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self._update_buttons()

    # --- pages -----------------------------------------------------------------------

    def _file_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(
            QLabel(
                "Chọn tệp Excel của xã (.xlsx, .xls, .ods). Tệp không cần sửa trước: dòng "
                "tiêu đề, dòng đánh số, dòng “Cộng” và chữ ký được tự bỏ qua."
            )
        )
        row = QHBoxLayout()
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("Đường dẫn tệp…")
        self.path_edit.textChanged.connect(lambda _t: self._update_buttons())
        browse = QPushButton("Chọn tệp…")
        browse.clicked.connect(self.choose_file)
        self.browse_button = browse
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        layout.addLayout(row)
        kind_row = QHBoxLayout()
        kind_row.addWidget(QLabel("Loại danh sách:"))
        self.kind_combo = QComboBox()
        for key, label in KIND_CHOICES:
            self.kind_combo.addItem(label, key)
        kind_row.addWidget(self.kind_combo)
        kind_row.addStretch(1)
        layout.addLayout(kind_row)
        layout.addStretch(1)
        return page

    def _mapping_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(
            QLabel("Kiểm tra cột nào là thông tin gì (đã tự đoán; sửa nếu chưa đúng):")
        )
        self.sheet_tabs = QTabWidget()
        layout.addWidget(self.sheet_tabs, 1)
        return page

    def _preview_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.summary_label)
        self.head_rule_label = QLabel(HEAD_RULE)
        self.head_rule_label.setWordWrap(True)
        layout.addWidget(self.head_rule_label)
        self.rejected_title = QLabel("Các dòng bị từ chối (sẽ không nhập):")
        layout.addWidget(self.rejected_title)
        self.rejected_table = QTableWidget(0, 3)
        self.rejected_table.setHorizontalHeaderLabels(["Trang", "Dòng", "Lý do"])
        self.rejected_table.horizontalHeader().setStretchLastSection(True)
        self.rejected_table.verticalHeader().setVisible(False)
        layout.addWidget(self.rejected_table, 1)
        self.warnings_title = QLabel(
            "Cảnh báo — các dòng này VẪN ĐƯỢC NHẬP; chỉ giá trị không hiểu được là chưa "
            "dùng, và được chép nguyên văn vào ô Ghi chú để sửa sau:"
        )
        self.warnings_title.setWordWrap(True)
        layout.addWidget(self.warnings_title)
        self.warnings_table = QTableWidget(0, 5)
        self.warnings_table.setHorizontalHeaderLabels(["Trang", "Dòng", "Cột", "Giá trị", "Lý do"])
        self.warnings_table.horizontalHeader().setStretchLastSection(True)
        self.warnings_table.verticalHeader().setVisible(False)
        layout.addWidget(self.warnings_table, 1)
        self.strict_box = QCheckBox("Không nhập gì nếu có dòng bị từ chối")
        self.strict_box.toggled.connect(lambda _on: self._update_buttons())
        layout.addWidget(self.strict_box)
        return page

    # --- navigation ------------------------------------------------------------------

    @property
    def kind(self) -> str:
        return str(self.kind_combo.currentData())

    def _update_buttons(self) -> None:
        page = self.pages.currentIndex()
        self.back_button.setEnabled(page > 0)
        self.next_button.setText(("Tiếp", "Xem trước", "Nhập")[page])
        enabled = bool(self.path_edit.text().strip()) if page == 0 else True
        if page == 2:
            enabled = self.plan is not None and self.plan.changes > 0
            if self.plan is not None and self.plan.rejected and self.strict_box.isChecked():
                enabled = False
        self.next_button.setEnabled(enabled)

    def go_back(self) -> None:
        self.pages.setCurrentIndex(max(self.pages.currentIndex() - 1, 0))
        self._update_buttons()

    def go_next(self) -> None:
        page = self.pages.currentIndex()
        if page == 0:
            self.load_sheets()
        elif page == 1:
            self.run_preview()
        else:
            self.run_import()

    def choose_file(self) -> None:
        path = messages.choose_open_file(self, "Chọn tệp Excel", Path.home(), FILTERS)
        if path is not None:
            self.path_edit.setText(str(path))

    # --- step 1 → 2 --------------------------------------------------------------------

    def load_sheets(self) -> None:
        """Read the file's sheets off the UI thread (a large file takes seconds)."""
        path, kind, db = Path(self.path_edit.text().strip()), self.kind, self.ctx.db

        def job(progress: Any, cancel: Any) -> list[SheetPreview]:
            return preview_sheets(db, path, kind, progress=progress, cancel=cancel)

        self.next_button.setEnabled(False)
        run_in_background(
            job,
            self._sheets_loaded,
            self._failed,
            parent=self,
            progress_label="Đang đọc các trang của tệp…",
            cancellable=True,
            writes=False,
        )

    def _sheets_loaded(self, previews: list[SheetPreview]) -> None:
        self.previews = previews
        self._fill_mapping()
        self.pages.setCurrentIndex(1)
        self._update_buttons()

    def _fill_mapping(self) -> None:
        self.sheet_tabs.clear()
        self.combos = {}
        self.use_sheet = {}
        self.hamlet_edits = {}
        fields = [key for key in FIELD_LABELS if key in ALIASES[self.kind]]
        for preview in self.previews:
            if preview.header is None:
                continue
            labels = preview.header.labels
            table = QTableWidget(len(labels), 3)
            table.setObjectName(f"mapping_{preview.name}")
            table.setHorizontalHeaderLabels(["Cột trong tệp", "Dữ liệu mẫu", "Là thông tin"])
            table.verticalHeader().setVisible(False)
            table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
            combos = []
            for col, label in enumerate(labels):
                table.setItem(col, 0, QTableWidgetItem(label or f"(cột {col + 1})"))
                sample = ", ".join(r[col] for r in preview.sample[:3] if col < len(r) and r[col])
                table.setItem(col, 1, QTableWidgetItem(sample))
                combo = QComboBox()
                combo.addItem(SKIP, IGNORE)
                for key in fields:
                    combo.addItem(FIELD_LABELS[key], key)
                index = combo.findData(preview.mapping[col] or IGNORE)
                combo.setCurrentIndex(max(index, 0))
                table.setCellWidget(col, 2, combo)
                combos.append(combo)
            table.resizeColumnToContents(0)
            table.setColumnWidth(2, 220)
            self.combos[preview.name] = combos
            use = QCheckBox("Nhập trang này")
            use.setChecked(True)
            self.use_sheet[preview.name] = use
            tab = QWidget()
            tab_layout = QVBoxLayout(tab)
            tab_layout.addWidget(use)
            if self.kind not in ("hamlets", "members"):
                tab_layout.addLayout(self._hamlet_row(preview))
            tab_layout.addWidget(table, 1)
            title = preview.name + (f" — {preview.hamlet}" if preview.hamlet else "")
            self.sheet_tabs.addTab(tab, title)

    def _hamlet_row(self, preview: SheetPreview) -> QVBoxLayout:
        """The hamlet of the sheet's rows that name none: filled in when read clearly from
        the title or sheet name; asked for (left empty, with the guess offered) when not."""
        box = QVBoxLayout()
        row = QHBoxLayout()
        row.addWidget(QLabel("Thôn / tổ dân phố của trang này:"))
        edit = QLineEdit()
        edit.setObjectName(f"hamlet_{preview.name}")
        edit.setPlaceholderText("(không có — các hộ chưa xếp vào thôn nào)")
        row.addWidget(edit, 1)
        box.addLayout(row)
        self.hamlet_edits[preview.name] = edit
        if preview.hamlet is not None and preview.hamlet_sure:
            edit.setText(preview.hamlet)
        elif preview.hamlet is not None:
            ask = QLabel(
                f"Chưa chắc tên thôn: tiêu đề ghi “{preview.hamlet_source}”. Có phải là "
                f"“{preview.hamlet}” không? Hãy gõ đúng tên thôn (hoặc bấm nút bên cạnh); "
                "để trống thì không tạo thôn mới nào."
            )
            ask.setWordWrap(True)
            ask.setStyleSheet("color: #a05a00;")
            ask.setObjectName(f"hamlet_question_{preview.name}")
            use = QPushButton(f"Đúng, là “{preview.hamlet}”")
            use.setObjectName(f"hamlet_accept_{preview.name}")
            guess = preview.hamlet
            use.clicked.connect(lambda _checked=False, e=edit, g=guess: e.setText(g))
            line = QHBoxLayout()
            line.addWidget(ask, 1)
            line.addWidget(use)
            box.addLayout(line)
        return box

    def hamlets(self) -> dict[str, str | None]:
        """The person's answer for each sheet's hamlet ("" = none)."""
        return {
            name: edit.text().strip() or None
            for name, edit in self.hamlet_edits.items()
            if name in self.use_sheet and self.use_sheet[name].isChecked()
        }

    def mappings(self) -> dict[str, list[str | None]]:
        return {
            name: [combo.currentData() or IGNORE for combo in combos]
            for name, combos in self.combos.items()
            if self.use_sheet[name].isChecked()
        }

    # --- step 2 → 3 --------------------------------------------------------------------

    def run_preview(self) -> None:
        path, kind, mappings, db = (
            Path(self.path_edit.text()),
            self.kind,
            self.mappings(),
            self.ctx.db,
        )
        hamlets = self.hamlets() if self.hamlet_edits else None
        sheets = list(mappings)
        if not sheets:
            messages.error(self, "Chưa chọn trang nào để nhập.")
            return

        def job(progress: Any, cancel: Any) -> ImportPlan:
            return plan_import(db, path, kind, mappings, sheets, progress, cancel, hamlets)

        self.next_button.setEnabled(False)
        run_in_background(
            job,
            self._show_plan,
            self._failed,
            parent=self,
            progress_label="Đang đọc tệp và đối chiếu với sổ…",
            cancellable=True,
            writes=False,
        )

    def _show_plan(self, plan: ImportPlan) -> None:
        self.plan = plan
        self.summary_label.setText(plan.summary())
        self.rejected_table.setRowCount(len(plan.rejected))
        for i, rejected in enumerate(plan.rejected):
            self.rejected_table.setItem(i, 0, QTableWidgetItem(rejected.sheet))
            self.rejected_table.setItem(i, 1, QTableWidgetItem(str(rejected.row)))
            self.rejected_table.setItem(i, 2, QTableWidgetItem(rejected.reason))
        self.rejected_table.resizeColumnsToContents()
        self.rejected_title.setText(
            f"Các dòng bị từ chối (sẽ không nhập): {len(plan.rejected)}"
            if plan.rejected
            else "Không có dòng nào bị từ chối."
        )
        self.warnings_table.setRowCount(len(plan.warnings))
        for i, warning in enumerate(plan.warnings):
            for col, value in enumerate(
                (warning.sheet, str(warning.row), warning.column, warning.value, warning.reason)
            ):
                self.warnings_table.setItem(i, col, QTableWidgetItem(value))
        self.warnings_table.resizeColumnsToContents()
        self.warnings_title.setVisible(bool(plan.warnings))
        self.warnings_table.setVisible(bool(plan.warnings))
        self.head_rule_label.setVisible(plan.kind in ("households", "people"))
        self.pages.setCurrentIndex(2)
        self._update_buttons()

    def _failed(self, exc: BaseException) -> None:
        self._update_buttons()
        if isinstance(exc, UserError):
            messages.error(self, exc.message)
        else:
            messages.unexpected(self, exc)

    # --- step 3: import ----------------------------------------------------------------

    def run_import(self) -> None:
        plan, db = self.plan, self.ctx.db
        if plan is None:
            return

        def job(progress: Any, cancel: Any) -> ImportPlan:
            return apply_import(db, plan, progress, cancel)

        self.next_button.setEnabled(False)
        run_in_background(
            job,
            self._imported,
            self._failed,
            parent=self,
            progress_label="Đang nhập…",
            cancellable=True,
        )

    def _imported(self, plan: ImportPlan) -> None:
        self.imported = plan
        self.ctx.announce(EVERYTHING)
        messages.inform(
            self,
            f"Đã nhập: thêm {plan.added} dòng, cập nhật {plan.updated}, bỏ qua "
            f"{plan.duplicates} dòng đã có sẵn không đổi, từ chối {len(plan.rejected)} dòng"
            + (
                f"; {len(plan.warnings)} cảnh báo (giá trị gốc đã ghi vào Ghi chú)."
                if plan.warnings
                else "."
            ),
        )
        self.accept()


def open_import_wizard(ctx: AppContext, parent: QWidget | None = None) -> None:
    ImportWizard(ctx, parent).exec()
