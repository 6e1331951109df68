"""Add or edit a unit (đơn vị): school, agency, enterprise, cooperative …"""

from __future__ import annotations

from PySide6.QtWidgets import QSpinBox, QWidget

from app.core.db import Database
from app.core.models.units import UNIT_KIND_LABELS, UnitKind
from app.core.registry.hamlets import hamlet_choices
from app.core.registry.units import UnitInput, create_unit, get_unit, update_unit
from app.ui.dialogs.common import (
    NONE_LABEL,
    REMOVED_CHOICE,
    EntityDialog,
    choice_combo,
    combo_value,
    line_edit,
    refuse_deleted,
    set_combo_value,
    text_of,
)

UNKNOWN = "chưa rõ"


class UnitDialog(EntityDialog):
    def __init__(self, db: Database, parent: QWidget | None = None, unit_id: int | None = None):
        super().__init__(db, parent, "Sửa đơn vị" if unit_id else "Thêm đơn vị")
        self.unit_id = unit_id
        self.revision: int | None = None

        self.name = line_edit(placeholder="Ví dụ: Trường Tiểu học Kim Đồng", max_length=300)
        self.kind = choice_combo((k.value, label) for k, label in UNIT_KIND_LABELS.items())
        self.hamlet = choice_combo(hamlet_choices(db), NONE_LABEL, searchable=True)
        self.address = line_edit(max_length=300)
        self.head_name = line_edit(placeholder="Hiệu trưởng, thủ trưởng, giám đốc…", max_length=200)
        self.phone = line_edit(max_length=30)
        self.staff = QSpinBox()
        self.staff.setRange(-1, 100_000)
        self.staff.setSpecialValueText(UNKNOWN)
        self.staff.setValue(-1)
        self.note = line_edit()

        self.form.addRow("&Tên đơn vị:", self.name)
        self.form.addRow("&Loại:", self.kind)
        self.form.addRow("T&hôn / TDP:", self.hamlet)
        self.form.addRow("Đị&a chỉ:", self.address)
        self.form.addRow("&Người đứng đầu:", self.head_name)
        self.form.addRow("Điện th&oại:", self.phone)
        self.form.addRow("Số &CB, NV:", self.staff)
        self.form.addRow("Gh&i chú:", self.note)
        for name, widget in (
            ("name", self.name),
            ("kind", self.kind),
            ("hamlet_id", self.hamlet),
            ("address", self.address),
            ("head_name", self.head_name),
            ("phone", self.phone),
            ("staff_count", self.staff),
        ):
            self.bind_field(name, widget)
        self.finish_layout()
        self.set_first_focus(self.name)
        self.setMinimumWidth(480)

        if unit_id is not None:
            view = get_unit(db, unit_id)
            refuse_deleted(view.deleted, "Đơn vị")
            self.revision = view.revision
            self.name.setText(view.name)
            set_combo_value(self.kind, view.kind)
            set_combo_value(self.hamlet, view.hamlet_id, REMOVED_CHOICE)
            self.address.setText(view.address or "")
            self.head_name.setText(view.head_name or "")
            self.phone.setText(view.phone or "")
            self.staff.setValue(-1 if view.staff_count is None else view.staff_count)
            self.note.setText(view.note or "")
        else:
            set_combo_value(self.kind, UnitKind.SCHOOL.value)
        self.mark_clean()

    def collect(self) -> UnitInput:
        staff = self.staff.value()
        return UnitInput(
            name=self.name.text(),
            kind=combo_value(self.kind),
            hamlet_id=combo_value(self.hamlet),
            address=text_of(self.address),
            head_name=text_of(self.head_name),
            phone=text_of(self.phone),
            staff_count=None if staff < 0 else staff,
            note=text_of(self.note),
        )

    def save(self) -> int:
        data = self.collect()
        if self.unit_id is None:
            return create_unit(self.db, data)
        update_unit(self.db, self.unit_id, data, expected_revision=self.revision)
        return self.unit_id
