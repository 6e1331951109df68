"""Add or edit a branch (chi hội) of the association: in a hamlet, a unit, or other."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QStackedWidget, QWidget

from app.core.db import Database
from app.core.models.members import BranchKind
from app.core.registry.hamlets import hamlet_choices
from app.core.registry.members import BranchInput, create_branch, get_branch, update_branch
from app.core.registry.units import unit_choices
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

BRANCH_KIND_LABELS = {
    BranchKind.HAMLET.value: "Chi hội thôn / tổ dân phố",
    BranchKind.UNIT.value: "Chi hội đơn vị (trường, cơ quan…)",
    BranchKind.OTHER.value: "Khác",
}
_PLACE_LABELS = {
    BranchKind.HAMLET.value: "T&hôn / TDP:",
    BranchKind.UNIT.value: "Đơn &vị:",
    BranchKind.OTHER.value: "",
}


class BranchDialog(EntityDialog):
    def __init__(self, db: Database, parent: QWidget | None = None, branch_id: int | None = None):
        super().__init__(db, parent, "Sửa chi hội" if branch_id else "Thêm chi hội")
        self.branch_id = branch_id
        self.revision: int | None = None

        self.name = line_edit(placeholder="Ví dụ: Chi hội thôn Đông", max_length=200)
        self.kind = choice_combo(BRANCH_KIND_LABELS.items())
        self.hamlet = choice_combo(hamlet_choices(db), NONE_LABEL, searchable=True)
        self.unit = choice_combo(unit_choices(db), NONE_LABEL, searchable=True)
        self.place = QStackedWidget()
        self.place.addWidget(self.hamlet)
        self.place.addWidget(self.unit)
        self.place.addWidget(QLabel())
        self.place_label = QLabel()
        self.note = line_edit()

        self.form.addRow("&Tên chi hội:", self.name)
        self.form.addRow("&Loại:", self.kind)
        self.form.addRow(self.place_label, self.place)
        self.form.addRow("Gh&i chú:", self.note)
        self.bind_field("name", self.name)
        self.bind_field("kind", self.kind)
        self.bind_field("hamlet_id", self.hamlet)
        self.bind_field("unit_id", self.unit)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._auto_name = ""
        self.hamlet.currentIndexChanged.connect(self._suggest_name)
        self.unit.currentIndexChanged.connect(self._suggest_name)
        self.finish_layout()
        self.set_first_focus(self.name)
        self.setMinimumWidth(460)

        if branch_id is not None:
            view = get_branch(db, branch_id)
            refuse_deleted(view.deleted, "Chi hội")
            self.revision = view.revision
            self.name.setText(view.name)
            set_combo_value(self.kind, view.kind)
            set_combo_value(self.hamlet, view.hamlet_id, REMOVED_CHOICE)
            set_combo_value(self.unit, view.unit_id, REMOVED_CHOICE)
            self.note.setText(view.note or "")
        self._kind_changed()
        self.mark_clean()

    def _kind_changed(self) -> None:
        kind = combo_value(self.kind)
        index = {BranchKind.HAMLET.value: 0, BranchKind.UNIT.value: 1}.get(kind, 2)
        self.place.setCurrentIndex(index)
        self.place_label.setText(_PLACE_LABELS.get(kind, ""))
        current = self.place.currentWidget()
        if current is not None:
            self.place_label.setBuddy(current)

    def _suggest_name(self) -> None:
        """Name a new branch after its hamlet or unit until the user types a name."""
        combo = self.place.currentWidget()
        if self.branch_id is not None or combo not in (self.hamlet, self.unit):
            return
        if self.name.text().strip() not in ("", self._auto_name):
            return
        assert isinstance(combo, QComboBox)
        place = combo.itemText(combo.currentIndex()) if combo_value(combo) is not None else ""
        self._auto_name = f"Chi hội {place}" if place else ""
        self.name.setText(self._auto_name)

    def collect(self) -> BranchInput:
        kind = combo_value(self.kind)
        return BranchInput(
            name=self.name.text(),
            kind=kind,
            hamlet_id=combo_value(self.hamlet) if kind == BranchKind.HAMLET.value else None,
            unit_id=combo_value(self.unit) if kind == BranchKind.UNIT.value else None,
            note=text_of(self.note),
        )

    def save(self) -> int:
        data = self.collect()
        if self.branch_id is None:
            return create_branch(self.db, data)
        update_branch(self.db, self.branch_id, data, expected_revision=self.revision)
        return self.branch_id
