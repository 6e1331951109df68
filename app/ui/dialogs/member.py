"""Add or edit a member (hội viên): a person of the household registry, or an outsider."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.core.db import Database
from app.core.errors import ValidationError
from app.core.models.members import MEMBER_ROLE_LABELS, MemberRole
from app.core.registry.households import get_person
from app.core.registry.members import (
    MemberInput,
    branch_choices,
    create_member,
    get_member,
    next_card_number,
    update_member,
)
from app.ui.dialogs.common import (
    DATE_HINT,
    GENDER_CHOICES,
    REMOVED_CHOICE,
    EntityDialog,
    OptionalYearSpin,
    chain_tab_order,
    choice_combo,
    combo_value,
    date_text,
    gender_label,
    line_edit,
    parse_full_date,
    parse_year,
    refuse_deleted,
    select_if_offered,
    set_combo_value,
    text_of,
)
from app.ui.dialogs.person import household_caption
from app.ui.dialogs.pickers import PERSON, Picked, SearchPicker

NO_BRANCH = "— chưa chọn —"
NOT_PAID = "chưa đóng"
_last_branch_id: int | None = None


def right_aligned_form() -> QFormLayout:
    form = QFormLayout()
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return form


def _read_only(edit: QLineEdit) -> QLineEdit:
    edit.setReadOnly(True)
    edit.setStyleSheet("background: #f0f0f0;")
    return edit


class MemberDialog(EntityDialog):
    """Hội viên. "Người trong sổ hộ" links a registry person (name, gender and birth
    come from the person); "Người ngoài" types them in."""

    def __init__(
        self,
        db: Database,
        parent: QWidget | None = None,
        member_id: int | None = None,
        *,
        person_id: int | None = None,
    ) -> None:
        super().__init__(db, parent, "Sửa hội viên" if member_id else "Thêm hội viên")
        self.member_id = member_id
        self.revision: int | None = None
        self.person_id: int | None = None
        self.person_phone: str | None = None
        year = dt.date.today().year

        self.in_registry = QRadioButton("Người trong &sổ hộ")
        self.outsider = QRadioButton("Người &ngoài (không có trong sổ hộ)")
        self.mode = QButtonGroup(self)
        self.mode.addButton(self.in_registry)
        self.mode.addButton(self.outsider)
        self.in_registry.setChecked(True)
        mode_row = QHBoxLayout()
        mode_row.addWidget(self.in_registry)
        mode_row.addWidget(self.outsider)
        mode_row.addStretch(1)
        self.outer.insertLayout(0, mode_row)

        self._build_person_box()
        self._build_outsider_box()
        self.outer.addWidget(self.person_box)
        self.outer.addWidget(self.outsider_box)

        self.branch = choice_combo(branch_choices(db), NO_BRANCH, searchable=True)
        self.card = line_edit(max_length=40)
        self.join_date = line_edit(placeholder=DATE_HINT, max_length=10)
        self.role = choice_combo((r.value, label) for r, label in MEMBER_ROLE_LABELS.items())
        self.phone = line_edit(max_length=30)
        self.dues = OptionalYearSpin(1990, year + 1, NOT_PAID, year)
        self.leave_date = line_edit(placeholder=DATE_HINT, max_length=10)
        self.leave_reason = line_edit(max_length=300)
        self.note = line_edit()
        self.common = right_aligned_form()
        self.common.addRow("&Chi hội:", self.branch)
        self.common.addRow("Số &thẻ:", self.card)
        self.common.addRow("Ngày &vào Hội:", self.join_date)
        self.common.addRow("Chức vụ:", self.role)
        self.common.addRow("Điện th&oại:", self.phone)
        self.common.addRow("Hội &phí đã đóng đến năm:", self.dues)
        self.common.addRow("Ngày &ra khỏi Hội:", self.leave_date)
        self.common.addRow("Lý &do ra khỏi Hội:", self.leave_reason)
        self.common.addRow("Gh&i chú:", self.note)
        details = QGroupBox("Thông tin hội viên")
        details.setLayout(self.common)
        self.outer.addWidget(details)
        self.finish_layout()

        for name, widget in (
            ("person_id", self.picker.search_edit),
            ("full_name", self.name),
            ("gender", self.gender),
            ("birth_year", self.birth_year),
            ("birth", self.birth_year),
            ("address", self.address),
            ("branch_id", self.branch),
            ("card_number", self.card),
            ("join_date", self.join_date),
            ("role", self.role),
            ("phone", self.phone),
            ("dues_paid_year", self.dues),
            ("leave_date", self.leave_date),
            ("leave_reason", self.leave_reason),
        ):
            self.bind_field(name, widget)

        if member_id is not None:
            self._load(member_id)
        else:
            self.card.setText(next_card_number(db))
            self.join_date.setText(date_text(dt.date.today()))
            set_combo_value(self.role, MemberRole.MEMBER.value)
            select_if_offered(self.branch, _last_branch_id)
            if person_id is not None:
                self.set_person(person_id)
        self.in_registry.toggled.connect(self._mode_changed)
        self._mode_changed()
        self.setMinimumWidth(560)
        self.resize(self.sizeHint().expandedTo(QSize(600, 0)))
        self.mark_clean()

    def _build_person_box(self) -> None:
        self.person_box = QGroupBox("Người trong sổ hộ")
        self.picker = SearchPicker(self.db, PERSON, self.person_box)
        self.picker.list.setMaximumHeight(120)
        self.picker.picked.connect(self._picked)
        self.chosen = QLabel("Chưa chọn ai. Gõ tên vào ô tìm kiếm rồi bấm Enter.")
        self.chosen.setWordWrap(True)
        self.person_name = _read_only(line_edit())
        self.person_gender = _read_only(line_edit())
        self.person_birth = _read_only(line_edit())
        facts = QHBoxLayout()
        facts.addWidget(self.person_name, 3)
        facts.addWidget(self.person_gender, 1)
        facts.addWidget(self.person_birth, 1)
        form = right_aligned_form()
        form.addRow("Tì&m người:", self.picker)
        form.addRow("Đã chọn:", self.chosen)
        form.addRow("Họ tên, giới tính, năm sinh:", facts)
        layout = QVBoxLayout(self.person_box)
        layout.addLayout(form)

    def _build_outsider_box(self) -> None:
        self.outsider_box = QGroupBox("Người ngoài")
        self.name = line_edit(placeholder="Họ và tên", max_length=200)
        self.gender = choice_combo(GENDER_CHOICES[1:], "")
        self.birth_year = line_edit(placeholder="Ví dụ: 1965", max_length=4)
        self.address = line_edit(max_length=300)
        form = right_aligned_form()
        self.outsider_box.setLayout(form)
        form.addRow("&Họ và tên:", self.name)
        form.addRow("&Giới tính:", self.gender)
        form.addRow("Năm sinh:", self.birth_year)
        form.addRow("Đị&a chỉ:", self.address)

    def _load(self, member_id: int) -> None:
        view = get_member(self.db, member_id)
        refuse_deleted(view.deleted, "Hội viên")
        self.revision = view.revision
        if view.person_id is not None:
            self.set_person(view.person_id)
        else:
            self.outsider.setChecked(True)
            self.name.setText(view.full_name)
            set_combo_value(self.gender, view.gender)
            self.birth_year.setText(str(view.birth_year) if view.birth_year else "")
        self.address.setText(view.address or "")
        set_combo_value(self.branch, view.branch_id, REMOVED_CHOICE)
        self.card.setText(view.card_number or "")
        self.join_date.setText(date_text(view.join_date))
        set_combo_value(self.role, view.role)
        self.phone.setText(view.phone or "")
        self.dues.set_year(view.dues_paid_year)
        self.leave_date.setText(date_text(view.leave_date))
        self.leave_reason.setText(view.leave_reason or "")
        self.note.setText(view.note or "")

    def _mode_changed(self) -> None:
        linked = self.in_registry.isChecked()
        self.person_box.setVisible(linked)
        self.outsider_box.setVisible(not linked)
        first = self.picker.search_edit if linked else self.name
        self.set_first_focus(first)
        chain_tab_order(
            [
                self.in_registry,
                self.outsider,
                first,
                *([] if linked else [self.gender, self.birth_year, self.address]),
                self.branch,
                self.card,
                self.join_date,
                self.role,
                self.phone,
                self.dues,
                self.leave_date,
                self.leave_reason,
                self.note,
                self.save_button,
                self.cancel_button,
            ]
        )
        if self.isVisible():
            first.setFocus()
            self.resize(self.width(), self.sizeHint().height())

    # the linked person

    def _picked(self, picked: Picked) -> None:
        self.set_person(picked.id)

    def set_person(self, person_id: int) -> None:
        """Link the member to this registry person (and switch to that mode)."""
        person = get_person(self.db, person_id)
        self.person_id = person.id
        self.person_phone = person.phone
        self.in_registry.setChecked(True)
        self.person_name.setText(person.full_name)
        self.person_gender.setText(gender_label(person.gender))
        self.person_birth.setText(str(person.birth.year) if person.birth else "")
        caption = f"{person.full_name} — {household_caption(self.db, person.household_id)}"
        if person.member_id is not None and person.member_id != self.member_id:
            caption += "  ⚠ người này đã là hội viên"
        self.chosen.setText(caption)
        self.phone.setPlaceholderText(f"theo sổ hộ: {person.phone}" if person.phone else "")

    # saving

    def collect(self) -> MemberInput:
        linked = self.in_registry.isChecked()
        if linked and self.person_id is None:
            raise ValidationError(
                "Hãy chọn người trong sổ hộ: gõ tên vào ô tìm kiếm rồi bấm Enter "
                "(hoặc chọn “Người ngoài”).",
                "person_id",
            )
        return MemberInput(
            branch_id=combo_value(self.branch),
            person_id=self.person_id if linked else None,
            full_name=None if linked else self.name.text(),
            gender=None if linked else combo_value(self.gender),
            birth_year=None
            if linked
            else parse_year(self.birth_year.text(), "Năm sinh", "birth_year"),
            phone=text_of(self.phone),
            address=text_of(self.address),
            card_number=text_of(self.card),
            join_date=parse_full_date(self.join_date.text(), "Ngày vào Hội", "join_date"),
            role=combo_value(self.role),
            dues_paid_year=self.dues.year(),
            leave_date=parse_full_date(self.leave_date.text(), "Ngày ra khỏi Hội", "leave_date"),
            leave_reason=text_of(self.leave_reason),
            note=text_of(self.note),
        )

    def save(self) -> int:
        global _last_branch_id
        data = self.collect()
        if self.member_id is None:
            new_id = create_member(self.db, data)
            _last_branch_id = data.branch_id
            return new_id
        update_member(self.db, self.member_id, data, expected_revision=self.revision)
        return self.member_id
