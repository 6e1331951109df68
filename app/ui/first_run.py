"""First start: "Chọn xã sử dụng phần mềm" — pick the commune, name the association.

Shown when the data folder has no database. The province is typed or picked
(without diacritics is fine), then the commune from that province's list. The
second way in is "Mở xã mẫu": a generated demo commune to try the program on; the
third, "Cấp tỉnh/huyện", makes an upper-level data folder (:mod:`app.ui.first_run_upper`).
The window already holds the data folder's lock, so nothing here takes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core import text as vntext
from app.core.communes import (
    CommuneEntry,
    communes_of,
    former_provinces,
    merged_hint,
    provinces,
    rank_communes,
)
from app.core.workspace import default_association_name
from app.ui import workers
from app.ui.widgets import messages
from app.ui.widgets.fold_combo import FoldComboBox

DEMO_HOUSEHOLDS = 10_000
DEMO_SEED = 2025
CODE_ROLE = Qt.ItemDataRole.UserRole


class FirstRunDialog(QDialog):
    def __init__(
        self, data_dir: Path, demo_households: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.demo_households = demo_households or DEMO_HOUSEHOLDS
        self.task: workers.Task | None = None
        self.made_demo = False
        self._association_auto = True
        self._communes: list[CommuneEntry] = []
        self.setWindowTitle("Sổ Khuyến Học — Chọn xã sử dụng phần mềm")
        self.setMinimumSize(620, 640)
        self._build()
        self.province_combo.set_items(
            [(p.code, p.name) for p in provinces()],
            {p.code: " ".join(former_provinces(p.code)) for p in provinces()},
        )

    # --- layout --------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        heading = QLabel("Chọn xã sử dụng phần mềm")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        intro = QLabel(
            "Sổ Khuyến Học lưu sổ sách của Hội Khuyến học một xã, phường hoặc đặc khu "
            "(theo danh mục 34 tỉnh, thành phố và 3.321 xã, phường từ 1/7/2025). "
            "Gõ tên không cần dấu để tìm nhanh."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        form = QFormLayout()
        self.province_combo = FoldComboBox()
        self.province_combo.lineEdit().setPlaceholderText("Gõ tên tỉnh, thành phố…")
        self.province_combo.value_changed.connect(self._province_changed)
        form.addRow("Tỉnh, thành phố:", self.province_combo)
        self.merged_note = QLabel()
        self.merged_note.setWordWrap(True)
        self.merged_note.setVisible(False)
        self.province_combo.lineEdit().textEdited.connect(self._show_merged)
        form.addRow("", self.merged_note)
        self.commune_search = QLineEdit()
        self.commune_search.setPlaceholderText("Gõ tên xã, phường (không cần dấu)…")
        self.commune_search.setClearButtonEnabled(True)
        self.commune_search.textChanged.connect(self._filter_communes)
        form.addRow("Tìm xã, phường:", self.commune_search)
        layout.addLayout(form)
        self.commune_list = QListWidget()
        self.commune_list.currentItemChanged.connect(lambda *_: self._commune_changed())
        self.commune_list.itemDoubleClicked.connect(lambda _item: self.association.setFocus())
        layout.addWidget(self.commune_list, 1)

        details = QFormLayout()
        self.association = QLineEdit()
        self.association.textEdited.connect(self._association_edited)
        details.addRow("Tên Hội:", self.association)
        self.chairman = QLineEdit()
        self.chairman.setPlaceholderText("Họ và tên")
        details.addRow("Chủ tịch Hội:", self.chairman)
        self.secretary = QLineEdit()
        self.secretary.setPlaceholderText("Họ và tên")
        details.addRow("Thư ký Hội:", self.secretary)
        layout.addLayout(details)
        where = QLabel(f"Dữ liệu sẽ được lưu trong thư mục: {self.data_dir}")
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(where)

        buttons = QHBoxLayout()
        self.demo_button = QPushButton("Mở xã mẫu")
        self.demo_button.setToolTip(
            "Tạo một xã mẫu với dữ liệu sinh ngẫu nhiên (không phải người thật) để làm quen"
        )
        self.demo_button.clicked.connect(self.make_demo)
        buttons.addWidget(self.demo_button)
        self.upper_button = QPushButton("Cấp tỉnh/huyện (nhận gói của các xã)")
        self.upper_button.setToolTip(
            "Dùng ở Hội Khuyến học tỉnh hoặc huyện: nhận và tổng hợp gói dữ liệu các xã gửi lên"
        )
        self.upper_button.clicked.connect(self.make_upper)
        buttons.addWidget(self.upper_button)
        buttons.addStretch(1)
        self.quit_button = QPushButton("Thoát")
        self.quit_button.clicked.connect(self.reject)
        buttons.addWidget(self.quit_button)
        self.create_button = QPushButton("Tạo dữ liệu")
        self.create_button.setDefault(True)
        self.create_button.setEnabled(False)
        self.create_button.clicked.connect(self.create_commune)
        buttons.addWidget(self.create_button)
        layout.addLayout(buttons)

    # --- picking -------------------------------------------------------------------

    def _province_changed(self, code: Any) -> None:
        self._communes = communes_of(code) if code else []
        self.commune_list.clear()
        for entry in self._communes:
            item = QListWidgetItem(entry.name)
            item.setData(CODE_ROLE, entry.code)
            self.commune_list.addItem(item)
        self._filter_communes(self.commune_search.text())
        self._commune_changed()

    def _show_merged(self, text: str) -> None:
        """Typing a former province ("thai binh") says which province it is part of now."""
        hint = merged_hint(text)
        self.merged_note.setText(hint)
        self.merged_note.setVisible(bool(hint))

    def _filter_communes(self, text: str) -> None:
        """The province's communes matching ``text``, whole-word matches first
        ("vu thu" puts Xã Vũ Thư before Xã Thư Vũ); the best one is selected."""
        words = vntext.fold_query(text)
        current = self.commune_list.currentItem()
        chosen = current.data(CODE_ROLE) if current is not None else None
        order = [c.code for c in rank_communes(self._communes, text)]
        shown = set(order)
        items = {
            self.commune_list.item(r).data(CODE_ROLE): r for r in range(self.commune_list.count())
        }
        taken = [self.commune_list.takeItem(0) for _ in range(self.commune_list.count())]
        by_code = {item.data(CODE_ROLE): item for item in taken}
        rest = [code for code in items if code not in shown]
        for code in order + rest:
            item = by_code[code]
            self.commune_list.addItem(item)
            item.setHidden(code not in shown)
        if words and order:
            self.commune_list.setCurrentRow(0)  # the best match, as one types
        elif chosen in shown:
            self.commune_list.setCurrentItem(by_code[chosen])
        else:
            self.commune_list.setCurrentRow(-1)

    def selected_commune(self) -> CommuneEntry | None:
        item = self.commune_list.currentItem()
        if item is None or item.isHidden():
            return None
        code = item.data(CODE_ROLE)
        return next((c for c in self._communes if c.code == code), None)

    def _commune_changed(self) -> None:
        entry = self.selected_commune()
        self.create_button.setEnabled(entry is not None)
        if entry is not None and self._association_auto:
            self.association.setText(default_association_name(entry.name))

    def _association_edited(self, text: str) -> None:
        self._association_auto = not text.strip()

    # --- actions -------------------------------------------------------------------

    def create_commune(self) -> None:
        from app.core.workspace import init_commune

        entry = self.selected_commune()
        if entry is None:
            messages.error(self, "Hãy chọn tỉnh và xã, phường trước.")
            return
        with messages.guarded(self):
            workspace = init_commune(
                self.data_dir,
                entry.code,
                association_name=self.association.text(),
                chairman_name=self.chairman.text(),
                secretary_name=self.secretary.text(),
                lock=False,
            )
            workspace.close()
            self.accept()

    def make_upper(self) -> None:
        from app.ui.first_run_upper import UpperLevelDialog

        dialog = UpperLevelDialog(self.data_dir, self)
        if dialog.exec():
            self.accept()

    def make_demo(self) -> None:
        households = self.demo_households
        data_dir = self.data_dir

        def job(progress: workers.ProgressFn, cancel: workers.CancelFn) -> Any:
            from app.core.demo import generate_demo

            return generate_demo(
                data_dir,
                households=households,
                seed=DEMO_SEED,
                replace=False,
                progress=progress,
                cancel=cancel,
                lock=False,
            )

        self._set_busy(True)
        count = vntext.format_number(households)
        self.task = workers.run_in_background(
            job,
            self._demo_done,
            self._demo_failed,
            parent=self,
            progress_label=f"Đang tạo xã mẫu ({count} hộ gia đình)…",
            cancellable=True,
        )

    def _demo_done(self, _summary: Any) -> None:
        self._set_busy(False)
        self.made_demo = True
        self.accept()

    def _demo_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if type(exc).__name__ == "DemoCancelled":
            return
        messages.unexpected(self, exc)

    def _set_busy(self, busy: bool) -> None:
        for button in (self.demo_button, self.upper_button, self.create_button, self.quit_button):
            button.setEnabled(not busy)
        if not busy:
            self._commune_changed()

    def reject(self) -> None:
        if self.task is not None and not self.task.finished:
            self.task.cancel()
            return
        super().reject()
