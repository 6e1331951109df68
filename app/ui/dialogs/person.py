"""A person's fields (shared by the household grid) and the single-person dialog."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.core import text as vntext
from app.core.dates import PartialDate, parse_partial_date
from app.core.db import Database
from app.core.errors import ValidationError
from app.core.models.households import HEAD_RELATION, RELATIONS, SCHOOL_LEVEL_LABELS
from app.core.registry.households import (
    PersonInput,
    PersonView,
    add_person,
    get_household_card,
    get_person,
    move_person,
    update_person,
)
from app.core.registry.units import unit_choices
from app.ui.dialogs import pickers
from app.ui.dialogs.common import (
    BIRTH_HINT,
    GENDER_CHOICES,
    REMOVED_CHOICE,
    EntityDialog,
    birth_text,
    choice_combo,
    combo_value,
    line_edit,
    refuse_deleted,
    set_combo_value,
    text_of,
)

OUTSIDER_TEXT = "Không thuộc hộ nào"


def parse_birth(text: str) -> PartialDate | None:
    """The birth cell as typed: a full date or a year alone; errors name the field."""
    try:
        return parse_partial_date(text)
    except ValidationError as err:
        raise ValidationError(err.message, "birth") from None


def is_head_relation(text: str | None) -> bool:
    return vntext.fold(text) == vntext.fold(HEAD_RELATION)


def relation_combo() -> QComboBox:
    """Editable: the usual relations to pick from, anything else may be typed."""
    combo = QComboBox()
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.addItem("")
    combo.addItems(list(RELATIONS))
    combo.setMaxVisibleItems(len(RELATIONS) + 1)
    return combo


def school_combo() -> QComboBox:
    return choice_combo(((k.value, label) for k, label in SCHOOL_LEVEL_LABELS.items()), "")


def gender_combo() -> QComboBox:
    return choice_combo(GENDER_CHOICES[1:], "")


class PersonFields:
    """The input widgets of one person. The household grid shows them as a table row;
    :class:`PersonDialog` lays them out as a form (with phone and note too).

    Values the widgets do not show (``phone``/``note`` in the grid) are kept from the
    loaded person so an edit never blanks them.
    """

    def __init__(self, with_contact: bool) -> None:
        self.name = line_edit(placeholder="Họ và tên", max_length=200)
        self.gender = gender_combo()
        self.birth = line_edit(placeholder=BIRTH_HINT, max_length=10)
        self.relation = relation_combo()
        self.id_number = line_edit(placeholder="12 chữ số", max_length=20)
        self.school = school_combo()
        self.occupation = line_edit(max_length=200)
        self.studying = QCheckBox("Đang đi học" if with_contact else "")
        self.phone: QLineEdit | None = line_edit(max_length=30) if with_contact else None
        self.note: QLineEdit | None = line_edit() if with_contact else None
        self.kept_phone: str | None = None
        self.kept_note: str | None = None

    def load(self, view: PersonView) -> None:
        self.name.setText(view.full_name)
        set_combo_value(self.gender, view.gender)
        self.birth.setText(birth_text(view.birth))
        self.relation.setCurrentText(view.relation or "")
        self.id_number.setText(view.id_number or "")
        set_combo_value(self.school, view.school_level)
        self.occupation.setText(view.occupation or "")
        self.studying.setChecked(view.is_studying)
        self.kept_phone, self.kept_note = view.phone, view.note
        if self.phone is not None:
            self.phone.setText(view.phone or "")
        if self.note is not None:
            self.note.setText(view.note or "")

    def relation_text(self) -> str | None:
        return vntext.normalise_optional(self.relation.currentText())

    def to_input(self) -> PersonInput:
        """What is typed, as a service input. Raises ValidationError for a bad birth."""
        return PersonInput(
            full_name=self.name.text(),
            gender=combo_value(self.gender),
            birth=parse_birth(self.birth.text()),
            relation=self.relation_text(),
            id_number=text_of(self.id_number),
            phone=text_of(self.phone) if self.phone is not None else self.kept_phone,
            school_level=combo_value(self.school),
            occupation=text_of(self.occupation),
            is_studying=self.studying.isChecked(),
            note=text_of(self.note) if self.note is not None else self.kept_note,
        )

    def is_blank(self) -> bool:
        """Nothing typed at all (an empty grid row is skipped, not an error)."""
        texts = [self.name, self.birth, self.id_number, self.occupation]
        return (
            not any(w.text().strip() for w in texts)
            and combo_value(self.gender) is None
            and combo_value(self.school) is None
            and not self.studying.isChecked()
        )

    def widget_for(self, field: str | None) -> QWidget:
        widgets: dict[str, QWidget | None] = {
            "full_name": self.name,
            "gender": self.gender,
            "birth": self.birth,
            "relation": self.relation,
            "id_number": self.id_number,
            "school_level": self.school,
            "occupation": self.occupation,
            "phone": self.phone,
            "note": self.note,
        }
        return widgets.get(field or "") or self.name


def household_caption(db: Database, household_id: int | None) -> str:
    if household_id is None:
        return OUTSIDER_TEXT
    card = get_household_card(db, household_id)
    parts = [f"Hộ {card.head_name}" if card.head_name else f"Hộ mã {card.id}"]
    if card.hamlet_name:
        parts.append(card.hamlet_name)
    return " — ".join(parts)


class PersonDialog(EntityDialog):
    """One person (nhân khẩu): add to a household (or as an outsider), or edit."""

    def __init__(
        self,
        db: Database,
        parent: QWidget | None = None,
        person_id: int | None = None,
        household_id: int | None = None,
    ) -> None:
        super().__init__(db, parent, "Sửa nhân khẩu" if person_id else "Thêm nhân khẩu")
        self.person_id = person_id
        self.revision: int | None = None
        self.household_id = household_id
        self.target_household_id = household_id
        self.fields = PersonFields(with_contact=True)
        view: PersonView | None = None
        if person_id is not None:
            view = get_person(db, person_id)
            refuse_deleted(view.deleted, "Nhân khẩu")
            self.revision = view.revision
            self.household_id = self.target_household_id = view.household_id

        self.household_label = QLabel()
        self.household_label.setWordWrap(True)
        household_row = QHBoxLayout()
        household_row.addWidget(self.household_label, 1)
        self.move_button: QPushButton | None = None
        if person_id is not None and not (view and view.is_head):
            self.move_button = QPushButton("Chuyển sang hộ khác…")
            self.move_button.setAutoDefault(False)
            self.move_button.clicked.connect(self.choose_household)
            household_row.addWidget(self.move_button)

        f = self.fields
        assert f.phone is not None and f.note is not None
        self.form.addRow("Thuộc hộ:", household_row)
        self.form.addRow("&Họ và tên:", f.name)
        self.form.addRow("&Giới tính:", f.gender)
        self.form.addRow("Ngày sinh / &năm sinh:", f.birth)
        self.form.addRow("&Quan hệ với chủ hộ:", f.relation)
        self.form.addRow("Số &CCCD:", f.id_number)
        self.form.addRow("Điện &thoại:", f.phone)
        self.form.addRow("T&rình độ:", f.school)
        self.form.addRow("Nghề nghiệ&p:", f.occupation)
        # Where the person works: the unit criteria (TT 24/2023, QĐ 448 mục D) count
        # the share of a unit's people who are recognised learning citizens.
        self.unit = choice_combo(unit_choices(db), "Không gắn đơn vị nào", searchable=True)
        self.unit.setAccessibleName("Nơi làm việc (đơn vị)")
        self.form.addRow("Nơi làm &việc (đơn vị):", self.unit)
        self.form.addRow("", f.studying)
        self.form.addRow("Gh&i chú:", f.note)
        for name in ("full_name", "gender", "birth", "relation", "id_number", "phone"):
            self.bind_field(name, f.widget_for(name))
        self.bind_field("school_level", f.school)
        self.finish_layout()
        self.set_first_focus(f.name)
        self.setMinimumWidth(460)

        if view is not None:
            f.load(view)
            set_combo_value(self.unit, view.unit_id, REMOVED_CHOICE)
        self._show_household()
        self.mark_clean()

    def _show_household(self) -> None:
        caption = household_caption(self.db, self.target_household_id)
        if self.target_household_id != self.household_id:
            caption += "  (sẽ chuyển khi bấm Lưu)"
        self.household_label.setText(caption)

    def choose_household(self) -> None:
        go_on, household_id = pickers.choose_household_for_new_person(
            self.db, self, "Chuyển sang hộ nào?"
        )
        if go_on:
            self.target_household_id = household_id
            self._show_household()

    def save(self) -> int:
        data = replace(self.fields.to_input(), unit_id=combo_value(self.unit))
        if self.person_id is None:
            return add_person(self.db, self.household_id, data)
        update_person(self.db, self.person_id, data, expected_revision=self.revision)
        self.revision = get_person(self.db, self.person_id).revision
        if self.target_household_id != self.household_id:
            move_person(self.db, self.person_id, self.target_household_id)
            self.household_id = self.target_household_id
        return self.person_id
