"""Add or edit a hamlet (thôn, ấp, bản, tổ dân phố …)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.core.db import Database
from app.core.models.hamlets import HAMLET_KIND_LABELS, HamletKind
from app.core.registry.hamlets import HamletInput, create_hamlet, get_hamlet, update_hamlet
from app.ui.dialogs.common import (
    EntityDialog,
    choice_combo,
    combo_value,
    line_edit,
    refuse_deleted,
    set_combo_value,
    text_of,
)


class HamletDialog(EntityDialog):
    def __init__(
        self, db: Database, parent: QWidget | None = None, hamlet_id: int | None = None
    ) -> None:
        title = "Sửa thôn / tổ dân phố" if hamlet_id else "Thêm thôn / tổ dân phố"
        super().__init__(db, parent, title)
        self.hamlet_id = hamlet_id
        self.revision: int | None = None

        self.name = line_edit(placeholder="Ví dụ: Thôn Đông, Tổ dân phố 5", max_length=200)
        self.kind = choice_combo((k.value, label) for k, label in HAMLET_KIND_LABELS.items())
        self.note = line_edit()
        self.form.addRow("&Tên:", self.name)
        self.form.addRow("&Loại:", self.kind)
        self.form.addRow("&Ghi chú:", self.note)
        self.bind_field("name", self.name)
        self.bind_field("kind", self.kind)
        self.finish_layout()
        self.set_first_focus(self.name)
        self.setMinimumWidth(420)

        if hamlet_id is not None:
            view = get_hamlet(db, hamlet_id)
            refuse_deleted(view.deleted, "Thôn / tổ dân phố")
            self.revision = view.revision
            self.name.setText(view.name)
            set_combo_value(self.kind, view.kind)
            self.note.setText(view.note or "")
        else:
            set_combo_value(self.kind, HamletKind.THON.value)
        self.mark_clean()

    def collect(self) -> HamletInput:
        return HamletInput(
            name=self.name.text(), kind=combo_value(self.kind), note=text_of(self.note)
        )

    def save(self) -> int:
        data = self.collect()
        if self.hamlet_id is None:
            return create_hamlet(self.db, data)
        update_hamlet(self.db, self.hamlet_id, data, expected_revision=self.revision)
        return self.hamlet_id
