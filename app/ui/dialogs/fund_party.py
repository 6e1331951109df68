"""Chọn người nộp / người nhận từ sổ: people, households, members, clans and units.

One search box over all five registries, without diacritics ("nguyen van an" finds
"Nguyễn Văn An"). People and households come from the registry search (the same as
the other pickers); members, clans and units are a few hundred rows at most and are
matched here on their folded names. The pick fills the name and the one link
:class:`app.core.fund.ledger.EntryInput` carries for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core import text as vntext
from app.core.activities.service import member_choices
from app.core.db import Database
from app.core.fund.ledger import clan_party_name
from app.core.registry.clans import clan_choices
from app.core.registry.search import search
from app.core.registry.units import unit_choices
from app.ui.dialogs.pickers import RESULT_LIMIT, SEARCH_DELAY_MS

PERSON, HOUSEHOLD, MEMBER, CLAN, UNIT = "person", "household", "member", "clan", "unit"
KIND_LABELS = {
    PERSON: "Nhân khẩu",
    HOUSEHOLD: "Hộ",
    MEMBER: "Hội viên",
    CLAN: "Dòng họ",
    UNIT: "Đơn vị",
}
LINK_FIELDS = {
    PERSON: "person_id",
    HOUSEHOLD: "household_id",
    MEMBER: "member_id",
    CLAN: "clan_id",
    UNIT: "unit_id",
}


@dataclass(frozen=True)
class Party:
    """A payer or payee found in a registry: the name written on the voucher and the link."""

    kind: str
    id: int
    name: str
    detail: str = ""

    @property
    def label(self) -> str:
        extra = f" — {self.detail}" if self.detail else ""
        kind = KIND_LABELS[self.kind]
        said = vntext.fold(self.name).startswith(vntext.fold(kind))  # "Dòng họ Nguyễn"
        return f"{self.name}{extra}" if said else f"{kind}: {self.name}{extra}"

    def link(self) -> dict[str, int]:
        """The keyword for :class:`~app.core.fund.ledger.EntryInput`, e.g. ``{"clan_id": 3}``."""
        return {LINK_FIELDS[self.kind]: self.id}


def _matches(words: list[str], name: str) -> bool:
    folded = vntext.fold(name)
    return all(word in folded for word in words)


def find_parties(db: Database, text: str, limit: int = RESULT_LIMIT) -> list[Party]:
    """Registry records matching every word of ``text``: clans and units first (few,
    and usually meant when their name is typed), then members, people, households."""
    words = vntext.fold_query(text)
    if not words:
        return []
    clans = ((cid, clan_party_name(name)) for cid, name in clan_choices(db))
    found = [Party(CLAN, cid, name) for cid, name in clans if _matches(words, name)]
    found += [Party(UNIT, uid, name) for uid, name in unit_choices(db) if _matches(words, name)]
    found += [
        Party(MEMBER, m.member_id, m.full_name, ", ".join(filter(None, (m.role_label, m.branch))))
        for m in member_choices(db, text, limit)
    ]
    for hit in search(db, text, limit):
        if hit.kind == PERSON:
            detail = f"hộ {hit.head_name}" if hit.head_name else ""
            if hit.birth:
                detail = ", ".join(filter(None, (hit.birth, detail)))
            found.append(Party(PERSON, hit.id, hit.name, detail))
        else:
            found.append(Party(HOUSEHOLD, hit.id, hit.name, hit.hamlet or ""))
    return found[:limit]


class PartyPickerDialog(QDialog):
    """Type, then Enter or double-click; ``chosen`` holds the pick after ``exec()``."""

    def __init__(self, db: Database, parent: QWidget | None = None, text: str = "") -> None:
        super().__init__(parent)
        self.db = db
        self.chosen: Party | None = None
        self.results: list[Party] = []
        self.setWindowTitle("Chọn từ sổ")
        self.resize(620, 420)
        self.search_edit = QLineEdit(text)
        self.search_edit.setPlaceholderText(
            "Gõ tên người, hộ, hội viên, dòng họ hoặc đơn vị (không cần dấu)"
        )
        self.search_edit.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.status = QLabel()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        self.search_edit.textChanged.connect(lambda _t: self._timer.start())
        self.search_edit.installEventFilter(self)
        self.list.itemDoubleClicked.connect(lambda _item: self.pick_current())
        buttons = QDialogButtonBox()
        choose = QPushButton("&Chọn")
        buttons.addButton(choose, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QPushButton("Hủy"), QDialogButtonBox.ButtonRole.RejectRole)
        choose.clicked.connect(self.pick_current)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.search_edit.setFocus()
        if text.strip():
            self.run_search()

    def run_search(self) -> None:
        """Search now (normally called by the typing timer)."""
        self._timer.stop()
        text = self.search_edit.text()
        self.results = find_parties(self.db, text)
        self.list.clear()
        for party in self.results:
            item = QListWidgetItem(party.label)
            item.setData(Qt.ItemDataRole.UserRole, party)
            self.list.addItem(item)
        if self.results:
            self.list.setCurrentRow(0)
            self.status.setText(f"{len(self.results)} kết quả — Enter để chọn")
        elif text.strip():
            self.status.setText("Không tìm thấy. Thử gõ ít chữ hơn, hoặc không dấu.")
        else:
            self.status.clear()

    def pick_current(self) -> bool:
        if self._timer.isActive():
            self.run_search()
        item = self.list.currentItem()
        if item is None:
            return False
        self.chosen = item.data(Qt.ItemDataRole.UserRole)
        self.accept()
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search_edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = Qt.Key(event.key())
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.pick_current()
                return True
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                if self._timer.isActive():
                    self.run_search()
                step = -1 if key == Qt.Key.Key_Up else 1
                row = min(max(self.list.currentRow() + step, 0), self.list.count() - 1)
                self.list.setCurrentRow(row)
                return True
        return super().eventFilter(watched, event)


def pick_party(db: Database, parent: QWidget | None, text: str = "") -> Party | None:
    """The registry record the user picks (None if cancelled); tests replace this."""
    dialog = PartyPickerDialog(db, parent, text)
    accepted: Any = dialog.exec() == QDialog.DialogCode.Accepted
    return dialog.chosen if accepted else None
