"""Pieces every add/edit dialog shares: error reporting, the save/cancel frame, combos.

Errors go through :func:`show_error` and questions through :func:`confirm`, both
looked up on this module at call time, so tests replace them with
``monkeypatch.setattr(common, "show_error", ...)`` and never block on a message box.
They hand over to :mod:`app.ui.widgets.messages`, the window's one place for modal
boxes, so a test that patches that module catches the dialogs' messages too.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from abc import abstractmethod
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.dates import PartialDate, parse_partial_date
from app.core.db import Database
from app.core.errors import UserError, ValidationError
from app.ui.widgets import messages
from app.ui.widgets.fold_combo import FoldComboBox

APP_TITLE = "Sổ Khuyến Học"
UNEXPECTED = (
    "Đã xảy ra lỗi không mong muốn; chưa lưu được. Những gì bạn đã nhập vẫn còn trên màn hình."
)
log = logging.getLogger("khuyenhoc.ui")
NONE_LABEL = "— không —"
DATE_HINT = "dd/mm/yyyy"
BIRTH_HINT = "dd/mm/yyyy hoặc năm"
GENDER_CHOICES: tuple[tuple[str | None, str], ...] = ((None, ""), ("M", "Nam"), ("F", "Nữ"))
INVALID_STYLE = "border: 1px solid #c62828; background: #fff3f3;"


def show_error(parent: QWidget | None, message: str) -> None:
    """Tell the user what went wrong (a modal box). Tests monkeypatch this."""
    messages.error(parent, message, APP_TITLE)


def confirm(parent: QWidget | None, message: str, yes: str = "Đồng ý", no: str = "Không") -> bool:
    """Ask a yes/no question with Vietnamese buttons ("no" is the default). Tests
    monkeypatch this."""
    return messages.ask(parent, message, APP_TITLE, yes=yes, no=no)


# --- small widget helpers --------------------------------------------------------------


def line_edit(text: str | None = None, placeholder: str = "", max_length: int = 0) -> QLineEdit:
    edit = QLineEdit(text or "")
    if placeholder:
        edit.setPlaceholderText(placeholder)
    if max_length:
        edit.setMaxLength(max_length)
    return edit


def choice_combo(
    choices: Iterable[tuple[Any, str]], none_label: str | None = None, *, searchable: bool = False
) -> QComboBox:
    """A combo whose item data are the stored values (``None`` for the none item).

    ``searchable`` (for long lists: hamlets, clans, units, branches) lets the user
    type part of a name without diacritics ("thon dong" finds "Thôn Đông").
    """
    items = ([(None, none_label)] if none_label is not None else []) + list(choices)
    if searchable:
        fold_combo = FoldComboBox()
        fold_combo.set_items(items)
        fold_combo.setCurrentIndex(0 if items else -1)
        return fold_combo
    combo = QComboBox()
    for value, label in items:
        combo.addItem(label, value)
    combo.setMaxVisibleItems(20)
    return combo


def combo_value(combo: QComboBox) -> Any:
    return combo.currentData()


REMOVED_CHOICE = "(đã xóa — hãy chọn lại)"


def set_combo_value(combo: QComboBox, value: Any, missing: str | None = None) -> None:
    """Select the item holding ``value``.

    A stored value the combo does not offer is added rather than silently lost on
    save: shown as itself (an unknown code from an import), or as ``missing`` (a
    row since deleted — pass :data:`REMOVED_CHOICE` for id combos).
    """
    for i in range(combo.count()):
        if combo.itemData(i) == value:
            combo.setCurrentIndex(i)
            return
    if value is not None:
        combo.addItem(missing or str(value), value)
        combo.setCurrentIndex(combo.count() - 1)


def select_if_offered(combo: QComboBox, value: Any) -> None:
    """Select ``value`` when the combo offers it; otherwise leave the combo as it is."""
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


def text_of(edit: QLineEdit) -> str | None:
    value = edit.text().strip()
    return value or None


def gender_label(value: str | None) -> str:
    return {"M": "Nam", "F": "Nữ"}.get(value or "", "")


def birth_text(value: PartialDate | None) -> str:
    return value.display() if value else ""


def parse_year(text: str, what: str, field: str) -> int | None:
    """A four-digit year typed in a line edit, or ``None`` when empty."""
    value = text.strip()
    if not value:
        return None
    if not (value.isdigit() and len(value) == 4):
        raise ValidationError(f"{what} phải là năm có 4 chữ số (ví dụ 1965).", field)
    return int(value)


def parse_full_date(text: str, what: str, field: str) -> dt.date | None:
    """A full date typed as dd/mm/yyyy (a year alone is refused), or ``None`` when empty."""
    try:
        value = parse_partial_date(text)
    except ValidationError as err:
        raise ValidationError(f"{what}: {err.message}", field) from None
    if value is None:
        return None
    if value.date is None:
        raise ValidationError(f"{what} cần đủ ngày/tháng/năm (dd/mm/yyyy).", field)
    return value.date


def date_text(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


class OptionalYearSpin(QSpinBox):
    """A year spin box whose lowest value means "none" (shown as ``none_text``).

    Stepping up from "none" jumps to ``start_year`` instead of crawling up from 1990.
    """

    def __init__(self, low: int, high: int, none_text: str, start_year: int) -> None:
        super().__init__()
        self._start = start_year
        self.setRange(low - 1, high)
        self.setSpecialValueText(none_text)
        self.setValue(low - 1)
        self.setAccelerated(True)

    def year(self) -> int | None:
        return None if self.value() == self.minimum() else self.value()

    def set_year(self, year: int | None) -> None:
        self.setValue(self.minimum() if year is None else year)

    def stepBy(self, steps: int) -> None:
        if self.value() == self.minimum() and steps > 0:
            self.setValue(self._start)
            return
        super().stepBy(steps)


def widget_state(widget: QWidget) -> Any:
    """A comparable value of an input widget (to tell whether anything was changed)."""
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QComboBox):
        return (widget.currentIndex(), widget.currentText())
    if isinstance(widget, QAbstractSpinBox):
        return widget.text()
    if isinstance(widget, QAbstractButton):
        return widget.isChecked()
    return None


# --- the dialog frame ------------------------------------------------------------------


class EntityDialog(QDialog):
    """Modal add/edit dialog: a form, a red error line, "Lưu" (Enter) and "Hủy" (Esc).

    Subclasses build their fields in ``__init__``, register the ones a
    :class:`ValidationError` may name with :meth:`bind_field`, and implement
    :meth:`save`, which calls core services and returns the saved row id.
    ``accept()`` saves; on an error the dialog stays open and says why.
    """

    def __init__(self, db: Database, parent: QWidget | None, title: str) -> None:
        super().__init__(parent)
        self.db = db
        self.saved_id: int | None = None
        self._fields: dict[str, QWidget] = {}
        self._marked: list[QWidget] = []
        self._baseline: list[Any] | None = None
        self._first_focus: QWidget | None = None
        self.setWindowTitle(title)
        self.setModal(True)

        self.outer = QVBoxLayout(self)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.outer.addLayout(self.form)

        self.error_label = QLabel()
        self.error_label.setObjectName("dialogError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c62828; font-weight: bold;")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()

        self.buttons = QDialogButtonBox()
        self.save_button = QPushButton("&Lưu")
        self.cancel_button = QPushButton("Hủy")
        self.save_button.setDefault(True)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        """Put the error line and the buttons under whatever the subclass added."""
        self.outer.addWidget(self.error_label)
        self.outer.addWidget(self.buttons)

    # fields and focus

    def bind_field(self, name: str, widget: QWidget) -> None:
        """Let a ValidationError with ``field == name`` point at ``widget``."""
        self._fields[name] = widget

    def set_first_focus(self, widget: QWidget) -> None:
        self._first_focus = widget

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._baseline is None:
            self.mark_clean()
        if self._first_focus is not None:
            target = self._first_focus
            target.setFocus()
            # Again once the window is up (some platforms move focus while showing);
            # bound to ``target`` so a closed dialog cancels it.
            QTimer.singleShot(0, target, target.setFocus)

    def input_widgets(self) -> list[QWidget]:
        kinds = (QLineEdit, QComboBox, QAbstractSpinBox, QCheckBox, QAbstractButton)
        return [
            w
            for w in self.findChildren(QWidget)
            if isinstance(w, kinds) and not isinstance(w, QPushButton)
        ]

    def _state(self) -> list[Any]:
        return [widget_state(w) for w in self.input_widgets()]

    def mark_clean(self) -> None:
        """Remember the current field values as "unchanged"."""
        self._baseline = self._state()

    def is_dirty(self) -> bool:
        return self._baseline is not None and self._state() != self._baseline

    # saving

    @abstractmethod
    def save(self) -> int:
        """Validate and save through the core services; return the saved row's id.

        Every entity dialog defines it (Qt's metaclass rules out ABCMeta, so this is
        documentation for readers and type checkers rather than an enforced contract).
        """

    def accept(self) -> None:
        self.clear_error()
        try:
            self.saved_id = self.save()
        except UserError as err:
            self.show_failure(err)
            return
        except Exception:  # a bug, not a user mistake: log it and keep what was typed
            log.exception("saving %s failed", type(self).__name__)
            self.show_failure(UserError(UNEXPECTED))
            return
        super().accept()

    def reject(self) -> None:
        """Esc, "Hủy" and the window's close button (QDialog routes it here): ask
        before throwing away typed changes."""
        if (
            self.isVisible()
            and self.is_dirty()
            and not confirm(
                self, "Bỏ những thay đổi chưa lưu?", yes="Bỏ thay đổi", no="Tiếp tục sửa"
            )
        ):
            return
        super().reject()

    # errors

    def show_failure(self, err: UserError, widget: QWidget | None = None) -> None:
        """Show ``err`` inline (red line, field outlined and focused) and via show_error."""
        self.error_label.setText(err.message)
        self.error_label.show()
        target = widget or getattr(err, "widget", None)
        if target is None and isinstance(err, ValidationError) and err.field:
            target = self.field_widget(err.field)
        if target is not None:
            self.mark_invalid(target)
            target.setFocus()
        show_error(self, err.message)

    def field_widget(self, field: str) -> QWidget | None:
        return self._fields.get(field)

    def mark_invalid(self, widget: QWidget) -> None:
        widget.setStyleSheet(INVALID_STYLE)
        widget.setToolTip(self.error_label.text())
        self._marked.append(widget)

    def clear_error(self) -> None:
        self.error_label.clear()
        self.error_label.hide()
        for widget in self._marked:
            widget.setStyleSheet("")
            widget.setToolTip("")
        self._marked.clear()

    @property
    def error_text(self) -> str:
        return self.error_label.text() if not self.error_label.isHidden() else ""


def pointing_at(err: UserError, widget: QWidget | None) -> UserError:
    """Attach the widget to outline and focus when ``err`` is shown."""
    err.widget = widget  # type: ignore[attr-defined]
    return err


def chain_tab_order(widgets: Sequence[QWidget]) -> None:
    """Tab visits ``widgets`` in this order (skipping ones that take no focus)."""
    focusable = [w for w in widgets if w.focusPolicy() != Qt.FocusPolicy.NoFocus]
    for first, second in itertools.pairwise(focusable):
        QWidget.setTabOrder(first, second)


def refuse_deleted(deleted: bool, what: str) -> None:
    if deleted:
        raise UserError(f"{what} này đã bị xóa. Hãy khôi phục trước khi sửa.")
