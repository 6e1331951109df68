"""The commune's own targets, typed beside the province's (or the nation's) for comparison.

Each row is one target (the five learning models, members over population): the
reference profile's figure for the year, and the commune's own in percent. Saving
stores the commune's profile and chooses it for the dashboard
(:func:`app.core.assessment.targets.save_custom_profile`, one save).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.assessment import CYCLE_MODELS, targets
from app.core.db import Database
from app.ui.widgets import messages


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:g}%"


class OwnTargetsDialog(QDialog):
    def __init__(self, db: Database, year: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.year = db, year
        self.saved: targets.TargetProfile | None = None
        self.setWindowTitle("Chỉ tiêu riêng của xã")
        own = targets.custom_profile(db)
        self.references = [p for p in targets.profiles(db) if p.code != targets.CUSTOM_CODE]
        self.reference = QComboBox()
        for p in self.references:
            self.reference.addItem(p.title, p.code)
        chosen = targets.chosen_profile(db).code
        start = chosen if chosen != targets.CUSTOM_CODE else targets.DEFAULT_PROFILE
        self.reference.setCurrentIndex(max(0, self.reference.findData(start)))
        self.title = QLineEdit(own.title if own else f"Chỉ tiêu của xã năm {year}")
        self.source_label = QLabel()
        self.source_label.setWordWrap(True)
        self.copy_button = QPushButton("Lấy số theo bộ so sánh")
        self.copy_button.clicked.connect(self.copy_reference)
        form = QFormLayout()
        form.addRow("Tên bộ chỉ tiêu:", self.title)
        form.addRow("So với:", self.reference)
        form.addRow("", self.source_label)
        form.addRow("", self.copy_button)
        grid = QGridLayout()
        for col, text in enumerate(("Chỉ tiêu", "Theo bộ so sánh", "Của xã", "Tính trên")):
            grid.addWidget(QLabel(f"<b>{text}</b>"), 0, col)
        self.reference_cells: dict[str, QLabel] = {}
        self.inputs: dict[str, QDoubleSpinBox] = {}
        self.registered_only: dict[str, QCheckBox] = {}
        for row, (key, label) in enumerate(targets.TARGET_LABELS.items(), start=1):
            grid.addWidget(QLabel(label), row, 0)
            self.reference_cells[key] = QLabel()
            self.reference_cells[key].setAlignment(Qt.AlignmentFlag.AlignRight)
            grid.addWidget(self.reference_cells[key], row, 1)
            spin = QDoubleSpinBox()
            spin.setRange(0, 100)
            spin.setDecimals(1)
            spin.setSuffix(" %")
            spin.setSpecialValueText("không đặt")  # 0 = no target for this row
            self.inputs[key] = spin
            grid.addWidget(spin, row, 2)
            # Learning citizens are always counted over the adults of the learning models.
            if key in CYCLE_MODELS and key != "learning_citizen":
                box = QCheckBox("chỉ số đã đăng ký")
                self.registered_only[key] = box
                grid.addWidget(box, row, 3)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("Lưu và dùng")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(grid)
        layout.addWidget(
            QLabel(
                "Để 0 nếu xã không đặt chỉ tiêu cho dòng đó. Lưu xong, bảng chỉ tiêu dùng bộ này."
            )
        )
        layout.addWidget(buttons)
        self.reference.currentIndexChanged.connect(lambda _i: self.show_reference())
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.show_reference()
        self._fill(own or self.current_reference())

    def current_reference(self) -> targets.TargetProfile:
        return self.references[max(0, self.reference.currentIndex())]

    def show_reference(self) -> None:
        ref = self.current_reference()
        self.source_label.setText(ref.source)
        for key, cell in self.reference_cells.items():
            basis = " (trên số đăng ký)" if ref.denominators.get(key) == "registered" else ""
            cell.setText(_pct(ref.target_for(key, self.year)) + basis)

    def _fill(self, profile: targets.TargetProfile) -> None:
        for key, spin in self.inputs.items():
            value = profile.target_for(key, self.year)
            spin.setValue(0 if value is None else round(value * 100, 1))
        for key, box in self.registered_only.items():
            box.setChecked(profile.denominators.get(key) == "registered")

    def copy_reference(self) -> None:
        """Start from the compared profile's figures (then adjust)."""
        self._fill(self.current_reference())

    def values(self) -> dict[str, float]:
        return {k: round(s.value() / 100, 4) for k, s in self.inputs.items() if s.value() > 0}

    def save(self) -> None:
        with messages.guarded(self):
            bases = {k: "registered" for k, b in self.registered_only.items() if b.isChecked()}
            self.saved = targets.save_custom_profile(
                self.db, self.title.text(), self.values(), bases
            )
            self.accept()
