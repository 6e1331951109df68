"""Add or edit a household (hộ gia đình) together with its people, in one window.

A new household is saved in one transaction (``create_household``), and so is an
edit (``save_household``: the household, removed, changed and added people and the
head together). Every row is checked with ``clean_person`` first so the message
can point at the row; whatever the core still refuses (an ID number used in
another household, a row someone else changed meanwhile) saves nothing, and the
dialog stays open with what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.db import Database
from app.core.errors import ValidationError
from app.core.models.households import HEAD_RELATION, Circumstance
from app.core.registry.clans import clan_choices
from app.core.registry.hamlets import hamlet_choices
from app.core.registry.households import (
    NO_HAMLET_MESSAGE,
    HouseholdInput,
    HouseholdMember,
    PersonInput,
    PersonView,
    create_household,
    get_household_card,
    save_household,
)
from app.core.registry.people import CleanPerson, clean_person, clean_phone
from app.ui.dialogs.common import (
    DATE_HINT,
    NONE_LABEL,
    REMOVED_CHOICE,
    EntityDialog,
    chain_tab_order,
    choice_combo,
    combo_value,
    line_edit,
    pointing_at,
    refuse_deleted,
    select_if_offered,
    set_combo_value,
    text_of,
)
from app.ui.dialogs.person import PersonFields, is_head_relation

COLUMNS = (
    ("Chủ hộ", 52),
    ("Họ và tên", 170),
    ("Giới tính", 66),
    ("Ngày / năm sinh", 116),
    ("Quan hệ với chủ hộ", 134),
    ("Số CCCD", 110),
    ("Trình độ", 118),
    ("Nghề nghiệp", 112),
    ("Đang đi học", 84),
)
NO_HAMLET = "— chưa chọn —"

# The hamlet of the last household added in this session: secretaries usually enter
# a whole hamlet at a time, so a new household starts there.
_last_hamlet_id: int | None = None


def _centered(widget: QWidget) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignCenter)
    box.setFocusProxy(widget)
    return box


class PersonRow(PersonFields):
    """One grid row: the person's widgets, the head marker, and what was loaded."""

    def __init__(self, view: PersonView | None = None) -> None:
        super().__init__(with_contact=False)
        self.birth.setPlaceholderText(DATE_HINT)
        self.head = QRadioButton()
        self.head.setToolTip("Chủ hộ")
        self.head.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.studying.setToolTip("Đang đi học")
        self.person_id = view.id if view else None
        self.revision = view.revision if view else None
        if view is not None:
            self.load(view)
        self.baseline: PersonInput | None = None

    def cells(self) -> list[QWidget]:
        return [
            _centered(self.head),
            self.name,
            self.gender,
            self.birth,
            self.relation,
            self.id_number,
            self.school,
            self.occupation,
            _centered(self.studying),
        ]

    def inputs(self) -> list[QWidget]:
        """The widgets Tab visits, left to right."""
        return [
            self.name,
            self.gender,
            self.birth,
            self.relation,
            self.id_number,
            self.school,
            self.occupation,
            self.studying,
        ]

    def snapshot(self) -> PersonInput | None:
        try:
            return self.to_input()
        except ValidationError:
            return None

    def mark_saved(self) -> None:
        self.baseline = self.snapshot()

    def is_changed(self) -> bool:
        return self.person_id is None or self.snapshot() != self.baseline


@dataclass(frozen=True)
class RemovedPerson:
    person_id: int
    name: str


class PeopleEditor(QWidget):
    """The household's people as an editable grid with a "Chủ hộ" radio per row."""

    rows_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[PersonRow] = []
        self.removed: list[RemovedPerson] = []
        self._head: PersonRow | None = None
        self._current: PersonRow | None = None

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([title for title, _ in COLUMNS])
        header = self.table.horizontalHeader()
        for i, (_title, width) in enumerate(COLUMNS):
            self.table.setColumnWidth(i, width)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setTabKeyNavigation(False)  # Tab moves between the row's fields
        self.table.setMinimumHeight(190)

        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.add_button = QPushButton("&Thêm người")
        self.remove_button = QPushButton("&Xóa người")
        self.add_button.setAutoDefault(False)
        self.remove_button.setAutoDefault(False)
        self.add_button.clicked.connect(lambda: self.add_row(focus=True))
        self.remove_button.clicked.connect(self.remove_current)
        hint = QLabel(
            "Chọn chủ hộ ở cột đầu (hoặc chọn quan hệ “Chủ hộ”). "
            "Ngày sinh: dd/mm/yyyy, hoặc chỉ năm sinh."
        )
        hint.setStyleSheet("color: #555;")
        hint.setWordWrap(True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(hint, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    # rows

    def add_row(self, view: PersonView | None = None, *, focus: bool = False) -> PersonRow:
        row = PersonRow(view)
        index = len(self.rows)
        self.rows.append(row)
        self.table.insertRow(index)
        for column, cell in enumerate(row.cells()):
            self.table.setCellWidget(index, column, cell)
        self.group.addButton(row.head)
        row.head.toggled.connect(lambda checked, r=row: self._head_toggled(r, checked))
        row.relation.currentTextChanged.connect(lambda text, r=row: self._relation_changed(r, text))
        for widget in row.inputs():
            widget.installEventFilter(self)
        row.mark_saved()
        if focus:
            self._set_current(row)
            row.name.setFocus()
        self.rows_changed.emit()
        return row

    def remove_row(self, row: PersonRow) -> None:
        index = self.rows.index(row)
        if row.person_id is not None:
            self.removed.append(RemovedPerson(row.person_id, row.name.text()))
        self.group.removeButton(row.head)
        if self._head is row:
            self._head = None
        if self._current is row:
            self._current = None
        self.rows.pop(index)
        self.table.removeRow(index)  # deletes the row's widgets
        if self.rows:
            successor = self.rows[min(index, len(self.rows) - 1)]
            self._set_current(successor)
            successor.name.setFocus()
        else:
            self.add_button.setFocus()
        self.rows_changed.emit()

    def remove_current(self) -> None:
        row = self._current or (self.rows[-1] if len(self.rows) == 1 else None)
        if row is not None:
            self.remove_row(row)

    def current_row(self) -> PersonRow | None:
        return self._current

    def _set_current(self, row: PersonRow) -> None:
        self._current = row
        self.table.selectRow(self.rows.index(row))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn:
            for row in self.rows:
                if watched in row.inputs():
                    self._set_current(row)
                    break
        return super().eventFilter(watched, event)

    def entries(self) -> list[PersonRow]:
        """Rows to save: every loaded person, and new rows where something was typed."""
        return [r for r in self.rows if r.person_id is not None or not r.is_blank()]

    def tab_widgets(self) -> list[QWidget]:
        return [w for row in self.rows for w in row.inputs()]

    # the head

    def head_row(self) -> PersonRow | None:
        return self._head

    def mark_head(self, row: PersonRow, *, quiet: bool = False) -> None:
        """Make ``row`` the head. ``quiet`` (when loading) leaves relations as stored."""
        if quiet:
            row.head.blockSignals(True)
            row.head.setChecked(True)
            row.head.blockSignals(False)
            self._head = row
        else:
            row.head.setChecked(True)

    def _head_toggled(self, row: PersonRow, checked: bool) -> None:
        if not checked:
            return
        old, self._head = self._head, row
        if old is not None and old is not row and is_head_relation(old.relation_text()):
            old.relation.setCurrentText("")
        if not is_head_relation(row.relation_text()):
            row.relation.setCurrentText(HEAD_RELATION)

    def _relation_changed(self, row: PersonRow, text: str) -> None:
        if is_head_relation(text) and self._head is not row:
            row.head.setChecked(True)


class HouseholdDialog(EntityDialog):
    """Hộ gia đình: the household's fields above, its people in a grid below."""

    def __init__(
        self, db: Database, parent: QWidget | None = None, household_id: int | None = None
    ) -> None:
        super().__init__(db, parent, "Sửa hộ gia đình" if household_id else "Thêm hộ gia đình")
        self.household_id = household_id
        self.revision: int | None = None
        self.head_id: int | None = None
        self.household_baseline: HouseholdInput | None = None

        self.hamlet = choice_combo(hamlet_choices(db), NO_HAMLET, searchable=True)
        self.clan = choice_combo(clan_choices(db), NONE_LABEL, searchable=True)
        self.code = line_edit(placeholder="Số hộ trong sổ (nếu có)", max_length=40)
        self.phone = line_edit(max_length=30)
        self.address = line_edit(placeholder="Số nhà, xóm, đường…", max_length=300)
        self.circumstance = choice_combo((c.value, c.label) for c in Circumstance)
        self.circumstance.setToolTip(
            "Hộ nghèo, cận nghèo, gia đình chính sách… — dùng khi chọn người nhận học bổng."
        )
        self.note = line_edit()
        self._build_form()

        self.people = PeopleEditor(self)
        box = QGroupBox("Nhân khẩu trong hộ")
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(self.people)
        self.outer.addWidget(box, 1)
        self.finish_layout()

        for name, widget in (
            ("hamlet_id", self.hamlet),
            ("clan_id", self.clan),
            ("code", self.code),
            ("address", self.address),
            ("phone", self.phone),
            ("circumstance", self.circumstance),
            ("note", self.note),
            ("people", self.people.table),
        ):
            self.bind_field(name, widget)

        if household_id is not None:
            self._load(household_id)
        else:
            select_if_offered(self.hamlet, _last_hamlet_id)
            first = self.people.add_row()
            self.people.mark_head(first)
            first.mark_saved()
        self.people.rows_changed.connect(self._chain_tabs)
        self._chain_tabs()
        self.set_first_focus(self.hamlet)
        self.resize(1040, 560)
        self.mark_clean()

    def _build_form(self) -> None:
        grid = QGridLayout()
        pairs = (
            ("Thô&n / TDP:", self.hamlet, 0, 0, 1),
            ("Dòng &họ:", self.clan, 0, 2, 1),
            ("&Số hộ:", self.code, 1, 0, 1),
            ("Điện th&oại:", self.phone, 1, 2, 1),
            ("Đị&a chỉ:", self.address, 2, 0, 3),
            ("Hoàn &cảnh:", self.circumstance, 3, 0, 1),
            ("&Ghi chú:", self.note, 3, 2, 1),
        )
        for text, widget, row, column, span in pairs:
            label = QLabel(text)
            label.setBuddy(widget)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(label, row, column)
            grid.addWidget(widget, row, column + 1, 1, span)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.outer.addLayout(grid)

    def _load(self, household_id: int) -> None:
        card = get_household_card(self.db, household_id)
        refuse_deleted(card.deleted, "Hộ gia đình")
        self.revision = card.revision
        self.head_id = card.head_person_id
        set_combo_value(self.hamlet, card.hamlet_id, REMOVED_CHOICE)
        set_combo_value(self.clan, card.clan_id, REMOVED_CHOICE)
        self.code.setText(card.code or "")
        self.phone.setText(card.phone or "")
        self.address.setText(card.address or "")
        set_combo_value(self.circumstance, card.circumstance)
        self.note.setText(card.note or "")
        for view in card.people:
            row = self.people.add_row(view)
            if view.is_head:
                self.people.mark_head(row, quiet=True)
        self.household_baseline = self.collect_household()

    def _chain_tabs(self) -> None:
        chain_tab_order(
            [
                self.hamlet,
                self.clan,
                self.code,
                self.phone,
                self.address,
                self.circumstance,
                self.note,
                *self.people.tab_widgets(),
                self.people.add_button,
                self.people.remove_button,
                self.save_button,
                self.cancel_button,
            ]
        )

    # collecting and checking

    def collect_household(self) -> HouseholdInput:
        return HouseholdInput(
            hamlet_id=combo_value(self.hamlet),
            clan_id=combo_value(self.clan),
            code=text_of(self.code),
            address=text_of(self.address),
            phone=text_of(self.phone),
            note=text_of(self.note),
            circumstance=combo_value(self.circumstance) or "",
        )

    def _row_error(self, index: int, row: PersonRow, err: ValidationError) -> ValidationError:
        located = ValidationError(f"Dòng {index + 1}: {err.message}", err.field)
        pointing_at(located, row.widget_for(err.field))
        return located

    def check_people(self) -> list[tuple[PersonRow, PersonInput, CleanPerson]]:
        """Every row as a service input, checked the way the services will check it."""
        entries = self.people.entries()
        if not entries:
            raise pointing_at(
                ValidationError("Hộ gia đình phải có ít nhất một người (chủ hộ).", "people"),
                self.people.add_button,
            )
        head = self.people.head_row()
        if head not in entries:
            if len(entries) > 1:
                raise pointing_at(
                    ValidationError("Hãy chọn chủ hộ: bấm vào ô “Chủ hộ” ở đầu dòng của người đó."),
                    self.people.table,
                )
            head = entries[0]
        checked: list[tuple[PersonRow, PersonInput, CleanPerson]] = []
        numbers: dict[str, int] = {}
        for row in entries:
            index = self.people.rows.index(row)
            try:
                data = row.to_input()
                if row is head:
                    data = replace(data, relation=HEAD_RELATION)
                elif is_head_relation(data.relation):
                    raise ValidationError("Mỗi hộ chỉ có một chủ hộ.", "relation")
                clean = clean_person(data)
            except ValidationError as err:
                raise self._row_error(index, row, err) from None
            if clean.id_number:
                if clean.id_number in numbers:
                    twice = ValidationError(
                        f"Số CCCD {clean.id_number} trùng với dòng {numbers[clean.id_number]}.",
                        "id_number",
                    )
                    raise self._row_error(index, row, twice)
                numbers[clean.id_number] = index + 1
            checked.append((row, data, clean))
        return checked

    # saving

    def save(self) -> int:
        household = self.collect_household()
        if household.hamlet_id is None:  # said before any person is checked
            raise pointing_at(ValidationError(NO_HAMLET_MESSAGE, "hamlet_id"), self.hamlet)
        clean_phone(household.phone)  # a bad phone is reported before any person is saved
        people = self.check_people()
        if self.household_id is None:
            return self._save_new(household, people)
        return self._save_existing(household, people)

    def _save_new(
        self, household: HouseholdInput, people: list[tuple[PersonRow, PersonInput, CleanPerson]]
    ) -> int:
        global _last_hamlet_id
        try:
            new_id = create_household(self.db, household, [data for _r, data, _c in people])
        except ValidationError as err:
            raise self._located(err, people) from None
        _last_hamlet_id = household.hamlet_id
        return new_id

    def _save_existing(
        self, household: HouseholdInput, people: list[tuple[PersonRow, PersonInput, CleanPerson]]
    ) -> int:
        """Household, removals, edits, additions and the head: one transaction, all or nothing."""
        assert self.household_id is not None
        head = self.people.head_row() or people[0][0]
        rows = [
            HouseholdMember(
                data=data,
                person_id=row.person_id,
                expected_revision=row.revision if row.person_id is not None else None,
                is_head=row is head,
            )
            for row, data, _clean in people
        ]
        try:
            ids = save_household(
                self.db,
                self.household_id,
                household,
                rows,
                removed=[p.person_id for p in self.people.removed],
                expected_revision=self.revision,
            )
        except ValidationError as err:
            raise self._located(err, people) from None
        for (row, _data, _clean), person_id in zip(people, ids, strict=True):
            row.person_id = person_id
            row.mark_saved()
        self.people.removed.clear()
        self.household_baseline, self.head_id = household, head.person_id
        self.saved_id = self.household_id
        self._refresh_revisions()
        return self.household_id

    def _located(
        self, err: ValidationError, people: list[tuple[PersonRow, PersonInput, CleanPerson]]
    ) -> ValidationError:
        """The core's refusal of an ID number, pointed at the row that holds it."""
        if err.field == "id_number":
            for row, _data, clean in people:
                if clean.id_number and clean.id_number in err.message:
                    return self._row_error(self.people.rows.index(row), row, err)
        return err

    def _refresh_revisions(self) -> None:
        """After writing, take the stored revisions so a second save is not refused."""
        assert self.household_id is not None
        card = get_household_card(self.db, self.household_id)
        self.revision = card.revision
        by_id = {p.id: p.revision for p in card.people}
        for row in self.people.rows:
            if row.person_id in by_id and not row.is_changed():
                row.revision = by_id[row.person_id]
