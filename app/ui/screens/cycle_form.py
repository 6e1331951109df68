"""One entity's assessment as a form: every item with its title, value and evidence note.

The learning-citizen self-assessment is filled here (form variant, ten indicators);
any model can use it when evidence notes matter. Each scored item has a slider and
an exact box side by side, its minimum shown beside it (red while below); each group
shows its running subtotal against its minimum, and the total and result follow
every change. "Lưu" records it through the core in one transaction.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from app.core.assessment import MODELS
from app.core.assessment import cycle as svc
from app.core.assessment.criteria import Group, Item
from app.core.assessment.scoring import Ratio, Value, score
from app.core.db import Database
from app.core.errors import ValidationError
from app.ui.widgets import messages


class AssessmentFormDialog(QDialog):
    def __init__(
        self, db: Database, sheet: svc.Sheet, row: svc.SheetRow, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.db, self.sheet, self.row = db, sheet, row
        self.doc = sheet.doc
        self.inputs: dict[str, QDoubleSpinBox | QCheckBox] = {}
        self.notes: dict[str, QLineEdit] = {}
        self.overrides: dict[str, QLineEdit] = {}  # computed items replaced by hand
        self.sliders: dict[str, QSlider] = {}
        self.min_labels: dict[str, QLabel] = {}
        self.group_boxes: dict[str, tuple[QGroupBox, Group]] = {}
        self.computed: dict[str, Ratio] = dict(row.computed)
        stored = _stored(db, sheet.year, sheet.model, row.entity_id)
        self.setWindowTitle(f"Phiếu đánh giá {MODELS[sheet.model]} {sheet.year} — {row.name}")
        self.resize(820, 640)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{row.name}</b> — {self.doc.title}"))
        self.variant = QComboBox()
        if self.doc.variants:
            for code, title in self.doc.variants:
                self.variant.addItem(title, code)
            current = stored.get("variant")
            if current:
                self.variant.setCurrentIndex(max(0, self.variant.findData(current)))
            layout.addWidget(QLabel("Mẫu phiếu:"))
            layout.addWidget(self.variant)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        evidence = stored.get("evidence", {})
        for group in self.doc.groups:
            box = QGroupBox(f"{group.code}. {group.title} (tối đa {group.max:g})")
            self.group_boxes[group.code] = (box, group)
            grid = QGridLayout(box)
            for r, item in enumerate(group.items):
                grid.addWidget(QLabel(f"{item.code}"), r, 0)
                title = QLabel(item.title)
                title.setWordWrap(True)
                grid.addWidget(title, r, 1)
                grid.addWidget(self._input(item, row.values.get(item.code)), r, 2)
                if item.min is not None:
                    floor = QLabel(f"tối thiểu {item.min:g}")
                    self.min_labels[item.code] = floor
                    grid.addWidget(floor, r, 4)
                note = QLineEdit(str(evidence.get(item.code, "")))
                note.setPlaceholderText("minh chứng")
                self.notes[item.code] = note
                grid.addWidget(note, r, 3)
            grid.setColumnStretch(1, 3)
            grid.setColumnStretch(3, 2)
            body_layout.addWidget(box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout.addWidget(scroll, 1)
        self.result_label = QLabel()
        layout.addWidget(self.result_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("&Lưu")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.update_total()

    def _input(self, item: Item, value: Value) -> QWidget:
        if item.kind == "computed":
            return self._computed_input(item, value)
        if item.kind == "yesno":
            box = QCheckBox("có")
            box.setChecked(bool(value) and value not in ("không", "k"))
            box.toggled.connect(self.update_total)
            self.inputs[item.code] = box
            return box
        spin = QDoubleSpinBox()
        spin.setRange(0, item.max)
        spin.setSingleStep(item.step)
        spin.setDecimals(0 if float(item.step).is_integer() else 2)
        spin.setValue(float(value) if isinstance(value, int | float) else 0.0)
        spin.setSuffix(f" / {item.max:g}")
        self.inputs[item.code] = spin
        # The slider moves by the item's step; both widgets always show the same value.
        slider = QSlider(Qt.Orientation.Horizontal)
        slider.setRange(0, round(item.max / item.step))
        slider.setPageStep(1)
        slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        slider.setValue(round(spin.value() / item.step))
        slider.setMinimumWidth(120)
        slider.setAccessibleName(f"{item.code} {item.title}")
        self.sliders[item.code] = slider
        slider.valueChanged.connect(lambda k: spin.setValue(k * item.step))
        spin.valueChanged.connect(lambda v: _quiet_set(slider, round(v / item.step)))
        spin.valueChanged.connect(self.update_total)
        pair = QWidget()
        line = QHBoxLayout(pair)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(slider, 1)
        line.addWidget(spin)
        return pair

    def _computed_input(self, item: Item, value: Value) -> QWidget:
        """The registries' figure, and a box to replace it by hand (an exempted child:
        ill, disabled, unable to study — QĐ 448), the reason going in the evidence."""
        shown = self.computed.get(item.computation or "")
        figure = QLabel(shown.display() if shown else "không áp dụng")
        override = QLineEdit("" if value is None else _override_text(value))
        override.setPlaceholderText("sửa tay")
        override.setToolTip(
            "Để trống: dùng số tính từ sổ. Sửa: nhập điểm, “có”/“không” hoặc "
            "“không áp dụng”, và ghi lý do vào ô minh chứng."
        )
        override.setAccessibleName(f"Sửa tay {item.code}")
        override.setMaximumWidth(110)
        override.textChanged.connect(self.update_total)
        self.overrides[item.code] = override
        pair = QWidget()
        line = QHBoxLayout(pair)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(figure, 1)
        line.addWidget(override)
        return pair

    def values(self) -> dict[str, Value]:
        out: dict[str, Value] = {}
        for code, widget in self.inputs.items():
            out[code] = widget.isChecked() if isinstance(widget, QCheckBox) else widget.value()
        for code, box in self.overrides.items():
            typed = box.text().strip()
            if typed:
                out[code] = _override_value(typed)
        return out

    def update_total(self) -> None:
        try:
            result = score(self.doc, self.values(), self.computed)
        except ValidationError as err:  # a value off the step while typing
            self.result_label.setText(err.message)
            return
        failures = ("; " + "; ".join(result.failures)) if result.failures else ""
        self.result_label.setText(
            f"Tổng: {result.total:g}/{result.max:g} — {result.label}{failures}"
        )
        colour = "#2b8a3e" if result.passed else "#b00020"
        self.result_label.setStyleSheet(f"color: {colour}; font-weight: bold;")
        for code, label in self.min_labels.items():
            low = result.items[code].below_min if code in result.items else False
            label.setStyleSheet("color: #b00020; font-weight: bold;" if low else "color: gray;")
        for code, (box, group) in self.group_boxes.items():
            got = result.group_totals.get(code, 0.0)
            floor = f", tối thiểu {group.min:g}" if group.min is not None else ""
            box.setTitle(f"{group.code}. {group.title} — {got:g}/{group.max:g}{floor}")

    def save(self) -> None:
        evidence = {c: n.text().strip() for c, n in self.notes.items() if n.text().strip()}
        variant = self.variant.currentData() if self.doc.variants else None
        with messages.guarded(self):
            svc.record_assessment(
                self.db,
                svc.AssessmentInput(
                    self.sheet.year,
                    self.sheet.model,
                    self.row.entity_id,
                    self.values(),
                    evidence=evidence,
                    variant=variant,
                ),
            )
            self.accept()


def _override_text(value: Value) -> str:
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)


def _override_value(typed: str) -> Value:
    """What was typed over a computed item: a number when it reads as one (8 or 8,5)."""
    try:
        return float(typed.replace(",", "."))
    except ValueError:
        return typed


def _quiet_set(slider: QSlider, position: int) -> None:
    """Move the slider to follow the box without echoing the change back."""
    slider.blockSignals(True)
    slider.setValue(position)
    slider.blockSignals(False)


def _stored(db: Database, year: int, model: str, entity_id: int) -> dict[str, Any]:
    """The saved variant and evidence notes of this entity's assessment, if any."""
    from sqlalchemy import text

    with db.connect() as conn:
        row = conn.execute(
            text(
                "SELECT variant, evidence FROM assessment WHERE deleted = 0 AND year = :y "
                "AND model = :m AND entity_id = :e"
            ),
            {"y": year, "m": model, "e": entity_id},
        ).first()
    if row is None:
        return {}
    return {"variant": row[0], "evidence": json.loads(row[1] or "{}")}
