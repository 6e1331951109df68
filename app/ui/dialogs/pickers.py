"""Searchable pickers: type a name without diacritics (or an ID/phone), Enter picks.

:class:`SearchPicker` is the embeddable widget (search box over a result list);
:class:`PickerDialog` wraps it in a small modal window. Results come from
:func:`app.core.registry.search.search`, so "nguyen van an" finds "Nguyễn Văn An".
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
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

from app.core.db import Database
from app.core.registry.search import SearchHit, search

PERSON = "person"
HOUSEHOLD = "household"
SEARCH_DELAY_MS = 150
RESULT_LIMIT = 40
_HINTS = {
    PERSON: "Gõ họ tên (không cần dấu), số CCCD hoặc số điện thoại",
    HOUSEHOLD: "Gõ tên chủ hộ hoặc người trong hộ (không cần dấu), số hộ, số điện thoại",
}


@dataclass(frozen=True)
class Picked:
    """One search result: a person or a household, with the line shown for it."""

    kind: str
    id: int
    label: str
    household_id: int | None = None


def _person_label(hit: SearchHit) -> str:
    parts = [hit.name + (f" ({hit.birth})" if hit.birth else "")]
    if hit.household_id is not None:
        parts.append(f"hộ {hit.head_name or '?'}" + (f", {hit.hamlet}" if hit.hamlet else ""))
    else:
        parts.append("không thuộc hộ nào")
    if hit.id_number:
        parts.append(f"CCCD {hit.id_number}")
    return " — ".join(parts)


def _household_label(hit: SearchHit, via: str | None = None) -> str:
    parts = [f"Hộ {hit.head_name or hit.name}"]
    if hit.hamlet:
        parts.append(hit.hamlet)
    if hit.phone and via is None:
        parts.append(hit.phone)
    label = " — ".join(parts)
    return f"{label} (có {via})" if via else label


def find_people(db: Database, text: str, limit: int = RESULT_LIMIT) -> list[Picked]:
    return [
        Picked(PERSON, h.id, _person_label(h), h.household_id)
        for h in search(db, text, limit * 2)
        if h.kind == PERSON
    ][:limit]


def find_households(db: Database, text: str, limit: int = RESULT_LIMIT) -> list[Picked]:
    """Households matching by head, address, phone, code — or by any of their people."""
    found: dict[int, Picked] = {}
    via_member: set[int] = set()
    for hit in search(db, text, limit * 3):
        hid = hit.household_id
        if hid is None:
            continue
        direct = hit.kind == HOUSEHOLD or hit.name == hit.head_name
        if hid in found and (direct is False or hid not in via_member):
            continue
        if direct:
            found[hid] = Picked(HOUSEHOLD, hid, _household_label(hit), hid)
            via_member.discard(hid)
        else:
            found[hid] = Picked(HOUSEHOLD, hid, _household_label(hit, via=hit.name), hid)
            via_member.add(hid)
    return list(found.values())[:limit]


class SearchPicker(QWidget):
    """A search box over a result list. ``picked`` fires with the chosen :class:`Picked`
    (Enter or double-click); ``picked_many`` with every selected row in multi mode."""

    picked = Signal(object)
    picked_many = Signal(list)

    def __init__(
        self,
        db: Database,
        kind: str,
        parent: QWidget | None = None,
        *,
        multi: bool = False,
        exclude: set[int] | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.kind = kind
        self.multi = multi
        self.exclude = set(exclude or ())
        self.results: list[Picked] = []

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(_HINTS[kind])
        self.search_edit.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setSelectionMode(
            QAbstractItemView.SelectionMode.ExtendedSelection
            if multi
            else QAbstractItemView.SelectionMode.SingleSelection
        )
        self.list.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.status = QLabel()
        self.status.setStyleSheet("color: #555;")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.status)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        self.search_edit.textChanged.connect(lambda _text: self._timer.start())
        self.search_edit.installEventFilter(self)
        self.list.itemDoubleClicked.connect(lambda _item: self.pick_current())
        self.setFocusProxy(self.search_edit)

    def run_search(self) -> None:
        """Search now (normally called by the typing timer)."""
        self._timer.stop()
        text = self.search_edit.text()
        finder = find_people if self.kind == PERSON else find_households
        self.results = [p for p in finder(self.db, text) if p.id not in self.exclude]
        self.list.clear()
        for result in self.results:
            item = QListWidgetItem(result.label)
            item.setData(Qt.ItemDataRole.UserRole, result)
            self.list.addItem(item)
        if self.results:
            self.list.setCurrentRow(0)
            self.status.setText(f"{len(self.results)} kết quả — Enter để chọn")
        elif text.strip():
            self.status.setText("Không tìm thấy. Thử gõ ít chữ hơn, hoặc không dấu.")
        else:
            self.status.clear()

    def selected(self) -> list[Picked]:
        items = self.list.selectedItems() or (
            [self.list.currentItem()] if self.list.currentItem() else []
        )
        return [item.data(Qt.ItemDataRole.UserRole) for item in items]

    def pick_current(self) -> bool:
        """Pick the highlighted result(s); False when there is nothing to pick."""
        if self._timer.isActive():
            self.run_search()
        chosen = self.selected()
        if not chosen:
            return False
        if self.multi:
            self.picked_many.emit(chosen)
        else:
            self.picked.emit(chosen[0])
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search_edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = Qt.Key(event.key())
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.pick_current()
                return True  # Enter picks; it must not also press the dialog's default button
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
                self._move(key)
                return True
        return super().eventFilter(watched, event)

    def _move(self, key: Qt.Key) -> None:
        if self._timer.isActive():
            self.run_search()
        count = self.list.count()
        if not count:
            return
        steps = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1, Qt.Key.Key_PageUp: -8}
        step = steps.get(key, 8)
        row = min(max(self.list.currentRow() + step, 0), count - 1)
        self.list.setCurrentRow(row)


class PickerDialog(QDialog):
    """A modal search window. After ``exec()``: ``chosen`` holds the picks, and
    ``none_chosen`` is True when the extra "none" button was pressed."""

    def __init__(
        self,
        db: Database,
        kind: str,
        parent: QWidget | None = None,
        *,
        title: str,
        multi: bool = False,
        none_label: str | None = None,
        exclude: set[int] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.resize(620, 420)
        self.chosen: list[Picked] = []
        self.none_chosen = False

        self.picker = SearchPicker(db, kind, self, multi=multi, exclude=exclude)
        self.picker.picked.connect(lambda p: self._finish([p]))
        self.picker.picked_many.connect(self._finish)

        buttons = QDialogButtonBox()
        self.choose_button = QPushButton("&Chọn")
        self.choose_button.setDefault(True)
        buttons.addButton(self.choose_button, QDialogButtonBox.ButtonRole.AcceptRole)
        if none_label:
            self.none_button = QPushButton(none_label)
            buttons.addButton(self.none_button, QDialogButtonBox.ButtonRole.ActionRole)
            self.none_button.clicked.connect(self._choose_none)
        buttons.addButton(QPushButton("Hủy"), QDialogButtonBox.ButtonRole.RejectRole)
        self.choose_button.clicked.connect(self.picker.pick_current)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        if multi:
            layout.addWidget(QLabel("Giữ Ctrl hoặc Shift để chọn nhiều dòng."))
        layout.addWidget(self.picker, 1)
        layout.addWidget(buttons)
        self.picker.setFocus()

    def _finish(self, chosen: list[Picked]) -> None:
        self.chosen = list(chosen)
        self.accept()

    def _choose_none(self) -> None:
        self.none_chosen = True
        self.chosen = []
        self.accept()


def pick_person(
    db: Database, parent: QWidget | None, title: str = "Chọn người trong sổ hộ"
) -> Picked | None:
    dialog = PickerDialog(db, PERSON, parent, title=title)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    return dialog.chosen[0] if accepted and dialog.chosen else None


def pick_households(
    db: Database, parent: QWidget | None, exclude: set[int] | None = None
) -> list[Picked]:
    dialog = PickerDialog(
        db, HOUSEHOLD, parent, title="Chọn hộ gia đình", multi=True, exclude=exclude
    )
    return dialog.chosen if dialog.exec() == QDialog.DialogCode.Accepted else []


def choose_household_for_new_person(
    db: Database, parent: QWidget | None, title: str = "Thêm nhân khẩu vào hộ nào?"
) -> tuple[bool, int | None]:
    """Ask which household a person joins. Returns (go on?, household id or None)."""
    dialog = PickerDialog(
        db,
        HOUSEHOLD,
        parent,
        title=title,
        none_label="Không thuộc hộ nào",
    )
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False, None
    if dialog.none_chosen or not dialog.chosen:
        return True, None
    return True, dialog.chosen[0].id
