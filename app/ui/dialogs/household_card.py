"""The household card: one read-only window with everything known about a household."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.db import Database
from app.core.fund.awards import award_lines, awards_of_household
from app.core.models.households import SCHOOL_LEVEL_LABELS, Circumstance
from app.core.registry.households import HouseholdCard, PersonView, get_household_card
from app.ui.dialogs.common import APP_TITLE, birth_text, gender_label

# (title, the widest value it must show whole): widths follow the text size, so a date
# "12/03/1972" and a 12-digit CCCD are never cut, whatever the font.
PEOPLE_COLUMNS = (
    ("Họ và tên", "Nguyễn Thị Phương Thảo"),
    ("Giới tính", "Nam"),
    ("Ngày sinh", "00/00/0000"),
    ("Quan hệ với chủ hộ", "Con dâu"),
    ("Số CCCD", "000000000000"),
    ("Trình độ", "Đại học"),
    ("Nghề nghiệp", "Giáo viên"),
    ("Đang đi học", "Có"),
    ("Thẻ hội viên", "00000"),
)
NO_ASSESSMENT = "Chưa có đánh giá"
FIELDS = {
    "head": "Chủ hộ:",
    "code": "Số hộ:",
    "hamlet": "Thôn / TDP:",
    "address": "Địa chỉ:",
    "phone": "Điện thoại:",
    "clan": "Dòng họ:",
    "circumstance": "Hoàn cảnh:",
    "note": "Ghi chú:",
}
_SCHOOL = {k.value: v for k, v in SCHOOL_LEVEL_LABELS.items()}


def _value_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def assessment_history_text(db: Database, household_id: int) -> str:
    """One line per year: score, result and the recognition decision (newest first)."""
    from app.core.assessment.cycle import history

    lines = []
    for h in history(db, "learning_family", household_id):
        score = "chưa đánh giá" if h.total is None else f"{h.total:g} điểm — {h.label}"
        line = f"Năm {h.year}: {score}"
        if h.recognised:
            line += f"; công nhận theo QĐ số {h.decision_number}"
        lines.append(line)
    return "\n".join(lines) or NO_ASSESSMENT


def person_cells(person: PersonView, cards: dict[int, str | None]) -> list[str]:
    card = ""
    if person.member_id is not None:
        card = cards.get(person.member_id) or "Hội viên"
    return [
        person.full_name,
        gender_label(person.gender),
        birth_text(person.birth),
        person.relation or "",
        person.id_number or "",
        _SCHOOL.get(person.school_level or "", person.school_level or ""),
        person.occupation or "",
        "Có" if person.is_studying else "",
        card,
    ]


class HouseholdCardDialog(QDialog):
    """Read-only; "Sửa hộ…" opens the household dialog and the card refreshes after it.
    Double-clicking a person opens that person's dialog."""

    def __init__(self, db: Database, parent: QWidget | None, household_id: int) -> None:
        super().__init__(parent)
        self.db = db
        self.household_id = household_id
        self.changed = False
        self.card: HouseholdCard | None = None
        self.setWindowTitle("Phiếu hộ gia đình")
        self.resize(1000, 620)

        self.title = QLabel()
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        self.status = QLabel()
        self.status.setStyleSheet("color: #c62828; font-weight: bold;")

        self.fields = {key: _value_label() for key in FIELDS}
        info = QFormLayout()
        info.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for key, caption in FIELDS.items():
            info.addRow(caption, self.fields[key])

        self.people_table = QTableWidget(0, len(PEOPLE_COLUMNS))
        self.people_table.setHorizontalHeaderLabels([t for t, _ in PEOPLE_COLUMNS])
        metrics = self.people_table.fontMetrics()
        header = self.people_table.horizontalHeader().fontMetrics()
        for i, (title, widest) in enumerate(PEOPLE_COLUMNS):
            width = max(metrics.horizontalAdvance(widest), header.horizontalAdvance(title))
            self.people_table.setColumnWidth(i, width + 20)
        self.people_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.people_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.people_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.people_table.setAlternatingRowColors(True)
        self.people_table.cellDoubleClicked.connect(self._open_person)
        people_box = QGroupBox("Nhân khẩu")
        QVBoxLayout(people_box).addWidget(self.people_table)

        self.members_label = _value_label()
        members_box = QGroupBox("Hội viên Hội Khuyến học trong hộ")
        QVBoxLayout(members_box).addWidget(self.members_label)

        self.assessment_label = QLabel(NO_ASSESSMENT)
        self.assessment_label.setStyleSheet("color: #555;")
        assessment_box = QGroupBox("Lịch sử đánh giá Gia đình học tập")
        QVBoxLayout(assessment_box).addWidget(self.assessment_label)

        self.awards_label = _value_label()
        awards_box = QGroupBox("Học bổng, khen thưởng")
        QVBoxLayout(awards_box).addWidget(self.awards_label)

        buttons = QDialogButtonBox()
        self.edit_button = QPushButton("&Sửa hộ…")
        self.close_button = QPushButton("Đó&ng")
        self.close_button.setDefault(True)
        buttons.addButton(self.edit_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.edit_button.clicked.connect(self.edit_household)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addLayout(info)
        layout.addWidget(people_box, 1)
        layout.addWidget(members_box)
        layout.addWidget(assessment_box)
        layout.addWidget(awards_box)
        layout.addWidget(buttons)
        self.refresh()
        self.close_button.setFocus()

    def refresh(self) -> None:
        card = get_household_card(self.db, self.household_id)
        self.card = card
        self.title.setText(f"Hộ {card.head_name}" if card.head_name else "Hộ gia đình")
        self.setWindowTitle(f"Phiếu hộ gia đình — {card.head_name} — {APP_TITLE}")
        self.status.setText("Hộ này đã bị xóa (có thể khôi phục)." if card.deleted else "")
        self.status.setVisible(card.deleted)
        self.edit_button.setEnabled(not card.deleted)
        values = {
            "head": card.head_name,
            "code": card.code,
            "hamlet": card.hamlet_name,
            "address": card.address,
            "phone": card.phone,
            "clan": card.clan_name,
            "circumstance": Circumstance(card.circumstance).label,
            "note": card.note,
        }
        for key, value in values.items():
            self.fields[key].setText(value or "—")
        self._fill_people(card)
        self._fill_members(card)
        self.assessment_label.setText(assessment_history_text(self.db, self.household_id))
        found = award_lines(awards_of_household(self.db, self.household_id))
        self.awards_label.setText("\n".join(found) or "Chưa có")

    def _fill_people(self, card: HouseholdCard) -> None:
        cards = {member_id: number for member_id, _name, number in card.members}
        table = self.people_table
        table.setRowCount(len(card.people))
        for row, person in enumerate(card.people):
            for column, text in enumerate(person_cells(person, cards)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, person.id)
                if person.is_head:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                table.setItem(row, column, item)

    def _fill_members(self, card: HouseholdCard) -> None:
        if not card.members:
            self.members_label.setText("Trong hộ chưa có ai là hội viên.")
            return
        lines = [
            f"• {name}" + (f" — thẻ số {number}" if number else " — chưa có số thẻ")
            for _id, name, number in card.members
        ]
        self.members_label.setText("\n".join(lines))

    def people_rows(self) -> list[list[str]]:
        """The people table as text, row by row (what the user sees)."""
        table = self.people_table
        return [
            [
                (item.text() if (item := table.item(r, c)) else "")
                for c in range(table.columnCount())
            ]
            for r in range(table.rowCount())
        ]

    def edit_household(self) -> None:
        from app.ui.dialogs.household import HouseholdDialog

        dialog = HouseholdDialog(self.db, self, self.household_id)
        dialog.exec()
        if dialog.saved_id is not None:
            self.changed = True
        self.refresh()

    def _open_person(self, row: int, _column: int) -> None:
        from app.ui.dialogs.person import PersonDialog

        item = self.people_table.item(row, 0)
        if item is None or self.card is None or self.card.deleted:
            return
        dialog = PersonDialog(self.db, self, item.data(Qt.ItemDataRole.UserRole))
        dialog.exec()
        if dialog.saved_id is not None:
            self.changed = True
        self.refresh()
