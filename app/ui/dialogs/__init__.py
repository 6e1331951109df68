"""Add/edit dialogs of the registries and the household card.

The window calls two functions:

* :func:`open_editor` — a modal add (``row_id=None``) or edit dialog for one of the
  registry kinds; returns the saved row id, or ``None`` when nothing was saved.
* :func:`open_household_card` — the read-only household card.

Each dialog is a class that can be built without ``exec()`` (tests drive them
directly); its ``accept()`` checks and saves through the core services and keeps
the dialog open with the reason when a save is refused.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QWidget

from app.core.db import Database
from app.core.errors import UserError
from app.ui.dialogs import common

if TYPE_CHECKING:
    from app.ui.dialogs.common import EntityDialog

# kind → (module, class); modules load on first use so the window starts fast.
EDITORS: dict[str, tuple[str, str]] = {
    "hamlets": ("app.ui.dialogs.hamlet", "HamletDialog"),
    "households": ("app.ui.dialogs.household", "HouseholdDialog"),
    "people": ("app.ui.dialogs.person", "PersonDialog"),
    "clans": ("app.ui.dialogs.clan", "ClanDialog"),
    "units": ("app.ui.dialogs.unit", "UnitDialog"),
    "branches": ("app.ui.dialogs.branch", "BranchDialog"),
    "members": ("app.ui.dialogs.member", "MemberDialog"),
}


def build_editor(
    kind: str, db: Database, parent: QWidget | None, row_id: int | None = None
) -> EntityDialog:
    """The dialog for ``kind`` (not shown). Raises UserError if the row cannot be edited."""
    try:
        module_name, class_name = EDITORS[kind]
    except KeyError:
        raise ValueError(f"unknown editor kind {kind!r}") from None
    dialog_class = getattr(importlib.import_module(module_name), class_name)
    dialog: EntityDialog = dialog_class(db, parent, row_id)
    return dialog


def open_editor(
    kind: str, db: Database, parent: QWidget | None, row_id: int | None = None
) -> int | None:
    """Open the add (``row_id`` None) or edit dialog of ``kind`` and wait for it.

    Returns the saved row's id, or ``None`` if nothing was saved. (If the user
    cancels after part of a household edit was saved, the household id is returned
    so the caller refreshes.) A new person first asks which household they join,
    or "Không thuộc hộ nào".
    """
    try:
        if kind == "people" and row_id is None:
            from app.ui.dialogs.person import PersonDialog
            from app.ui.dialogs.pickers import choose_household_for_new_person

            go_on, household_id = choose_household_for_new_person(db, parent)
            if not go_on:
                return None
            dialog: EntityDialog = PersonDialog(db, parent, household_id=household_id)
        else:
            dialog = build_editor(kind, db, parent, row_id)
    except UserError as err:
        common.show_error(parent, err.message)
        return None
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    saved = dialog.saved_id
    dialog.deleteLater()
    return saved if accepted or saved is not None else None


def open_household_card(db: Database, parent: QWidget | None, household_id: int) -> None:
    """Show the household card (read-only, with "Sửa hộ…") and wait until it is closed."""
    from app.ui.dialogs.household_card import HouseholdCardDialog

    try:
        dialog = HouseholdCardDialog(db, parent, household_id)
    except UserError as err:
        common.show_error(parent, err.message)
        return
    dialog.exec()
    dialog.deleteLater()


__all__ = ["EDITORS", "build_editor", "open_editor", "open_household_card"]
