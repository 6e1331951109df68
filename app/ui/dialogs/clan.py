"""Add or edit a clan (dòng họ) and choose its member households."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.db import Database
from app.core.registry.clans import ClanInput, create_clan, get_clan, update_clan
from app.core.registry.hamlets import hamlet_choices
from app.core.registry.households import assign_households_to_clan, get_person
from app.core.registry.listing import HOUSEHOLDS
from app.ui.dialogs import pickers
from app.ui.dialogs.common import (
    NONE_LABEL,
    REMOVED_CHOICE,
    EntityDialog,
    chain_tab_order,
    choice_combo,
    combo_value,
    line_edit,
    refuse_deleted,
    set_combo_value,
    text_of,
)

_HH_COLUMNS = HOUSEHOLDS.column_keys


def household_labels(db: Database, ids: list[int], show_clan: bool = False) -> dict[int, str]:
    """One line per household: head, hamlet, people — with ``show_clan``, also the clan
    it belongs to now (a household is in one clan; adding it here moves it)."""
    rows = HOUSEHOLDS.rows(db, ids)
    labels: dict[int, str] = {}
    for hid in ids:
        raw = rows.get(hid)
        if raw is None:
            continue
        value = dict(zip(_HH_COLUMNS, raw, strict=True))
        parts = [f"Hộ {value['head_name'] or '?'}"]
        if value["hamlet"]:
            parts.append(str(value["hamlet"]))
        parts.append(f"{value['people']} nhân khẩu")
        label = " — ".join(parts)
        if show_clan and value["clan"]:
            label += f"  (đang thuộc {value['clan']})"
        labels[hid] = label
    return labels


class ClanDialog(EntityDialog):
    """Dòng họ: name, branch, head (a registry person or a typed name), hall, households."""

    def __init__(self, db: Database, parent: QWidget | None = None, clan_id: int | None = None):
        super().__init__(db, parent, "Sửa dòng họ" if clan_id else "Thêm dòng họ")
        self.clan_id = clan_id
        self.revision: int | None = None
        self.head_person_id: int | None = None
        self._linked_name = ""
        self.original_households: set[int] = set()
        self.households: dict[int, str] = {}

        self.name = line_edit(placeholder="Ví dụ: Họ Nguyễn", max_length=200)
        self.branch = line_edit(placeholder="Ví dụ: Chi trưởng, Nhánh 2 (nếu có)", max_length=200)
        self.head_name = line_edit(placeholder="Gõ tên, hoặc chọn trong sổ hộ", max_length=200)
        self.head_button = QPushButton("Chọn trong &sổ hộ…")
        self.head_button.setAutoDefault(False)
        self.head_button.clicked.connect(self.choose_head)
        self.head_link = QLabel()
        self.head_link.setStyleSheet("color: #2e7d32;")
        self.hamlet = choice_combo(hamlet_choices(db), NONE_LABEL, searchable=True)
        self.note = line_edit()

        head_row = QHBoxLayout()
        head_row.addWidget(self.head_name, 1)
        head_row.addWidget(self.head_link)
        head_row.addWidget(self.head_button)
        head_label = QLabel("T&rưởng họ:")
        head_label.setBuddy(self.head_name)
        self.form.addRow("Tên &dòng họ:", self.name)
        self.form.addRow("&Chi / nhánh:", self.branch)
        self.form.addRow(head_label, head_row)
        self.form.addRow("Thôn (nhà thờ &họ):", self.hamlet)
        self.form.addRow("Gh&i chú:", self.note)
        self.head_name.textEdited.connect(self._head_typed)

        self.household_list = QListWidget()
        self.household_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.household_list.setMinimumHeight(150)
        self.add_button = QPushButton("&Thêm hộ…")
        self.remove_button = QPushButton("&Bỏ khỏi dòng họ")
        for button in (self.add_button, self.remove_button):
            button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_households)
        self.remove_button.clicked.connect(self.remove_selected)
        self.count_label = QLabel()
        box = QGroupBox("Hộ thành viên")
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(self.household_list, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)
        box_layout.addLayout(buttons)
        self.outer.addWidget(box, 1)
        self.finish_layout()

        self.bind_field("name", self.name)
        self.bind_field("branch", self.branch)
        self.bind_field("head_name", self.head_name)
        self.bind_field("hamlet_id", self.hamlet)
        if clan_id is not None:
            self._load(clan_id)
        self._show_households()
        chain_tab_order(
            [
                self.name,
                self.branch,
                self.head_name,
                self.head_button,
                self.hamlet,
                self.note,
                self.household_list,
                self.add_button,
                self.remove_button,
                self.save_button,
                self.cancel_button,
            ]
        )
        self.set_first_focus(self.name)
        self.resize(600, 560)
        self.mark_clean()

    def _load(self, clan_id: int) -> None:
        view = get_clan(self.db, clan_id)
        refuse_deleted(view.deleted, "Dòng họ")
        self.revision = view.revision
        self.name.setText(view.name)
        self.branch.setText(view.branch or "")
        self.head_name.setText(view.head_name or "")
        self._link_head(view.head_person_id, view.head_name or "")
        set_combo_value(self.hamlet, view.hamlet_id, REMOVED_CHOICE)
        self.note.setText(view.note or "")
        self.original_households = set(view.household_ids)
        self.households = household_labels(self.db, view.household_ids)

    # head of the clan

    def _link_head(self, person_id: int | None, name: str) -> None:
        self.head_person_id = person_id
        self._linked_name = name if person_id is not None else ""
        self.head_link.setText("✓ trong sổ hộ" if person_id else "")
        self.head_link.setToolTip("Trưởng họ là người trong sổ hộ" if person_id else "")

    def _head_typed(self, text: str) -> None:
        if self.head_person_id is not None and text != self._linked_name:
            self._link_head(None, "")

    def choose_head(self) -> None:
        chosen = pickers.pick_person(self.db, self, "Chọn trưởng họ")
        if chosen is not None:
            self.set_head_person(chosen.id)

    def set_head_person(self, person_id: int) -> None:
        name = get_person(self.db, person_id).full_name
        self.head_name.setText(name)
        self._link_head(person_id, name)

    # member households

    def _show_households(self) -> None:
        self.household_list.clear()
        for hid, label in self.households.items():
            pending = "" if hid in self.original_households else "  (mới thêm)"
            item = QListWidgetItem(label + pending)
            item.setData(Qt.ItemDataRole.UserRole, hid)
            self.household_list.addItem(item)
        self.count_label.setText(f"{len(self.households)} hộ")

    def add_households(self) -> None:
        chosen = pickers.pick_households(self.db, self, exclude=set(self.households))
        self.include_households([p.id for p in chosen])

    def include_households(self, ids: list[int]) -> None:
        new = [hid for hid in ids if hid not in self.households]
        self.households.update(household_labels(self.db, new, show_clan=True))
        self._show_households()

    def remove_selected(self) -> None:
        for item in self.household_list.selectedItems():
            self.households.pop(item.data(Qt.ItemDataRole.UserRole), None)
        self._show_households()

    # saving

    def collect(self) -> ClanInput:
        return ClanInput(
            name=self.name.text(),
            branch=text_of(self.branch),
            head_person_id=self.head_person_id,
            head_name=text_of(self.head_name),
            hamlet_id=combo_value(self.hamlet),
            note=text_of(self.note),
        )

    def save(self) -> int:
        data = self.collect()
        if self.clan_id is None:
            self.clan_id = create_clan(self.db, data)
            self.saved_id = self.clan_id
        else:
            update_clan(self.db, self.clan_id, data, expected_revision=self.revision)
        # Remember the saved state first, so a failure below can be retried as an edit.
        self.revision = get_clan(self.db, self.clan_id).revision
        added = sorted(set(self.households) - self.original_households)
        removed = sorted(self.original_households - set(self.households))
        if added:
            assign_households_to_clan(self.db, added, self.clan_id)
        if removed:
            assign_households_to_clan(self.db, removed, None)
        self.original_households = set(self.households)
        return self.clan_id
