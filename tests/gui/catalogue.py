"""Every screen and dialog of the window, built on a commune's data: for the GUI tests
that check each one fits the screen, and for the screenshots in ``docs/screens``.

A factory takes the main window (its context, as parent) and returns the dialog,
built but not shown. Factories that need data (a household, a registered family)
find it in the commune and skip (return ``None``) when the commune has none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDialog

DialogFactory = Callable[[Any], QDialog | None]


def _first(listing_key: str, window: Any) -> int | None:
    from app.core.registry.listing import LISTINGS, ListQuery

    ids = LISTINGS[listing_key].ids(window.ctx.db, ListQuery())
    return ids[0] if ids else None


def _editor(kind: str, existing: bool) -> DialogFactory:
    def build(window: Any) -> QDialog | None:
        from app.ui.dialogs import build_editor

        row = _first(kind, window) if existing else None
        if existing and row is None:
            return None
        return build_editor(kind, window.ctx.db, window, row)

    return build


def _card(window: Any) -> QDialog | None:
    from app.ui.dialogs.household_card import HouseholdCardDialog

    household = _first("households", window)
    return None if household is None else HouseholdCardDialog(window.ctx.db, window, household)


def _settings(window: Any) -> QDialog:
    from app.ui.settings_dialog import SettingsDialog

    return SettingsDialog(window.ctx, window)


def _year(window: Any) -> int:
    from app.core.assessment.cycle import working_year

    return working_year(window.ctx.db)


def _recognition(window: Any) -> QDialog:
    from app.ui.screens.cycle import RecognitionDialog

    return RecognitionDialog(window.ctx.db, _year(window), "learning_family", window)


def _assessment_form(window: Any) -> QDialog | None:
    from app.core.assessment import cycle as svc
    from app.ui.screens.cycle_form import AssessmentFormDialog

    for model in ("learning_citizen", "learning_family"):
        sheet = svc.assessment_sheet(window.ctx.db, _year(window), model)
        if sheet.rows:
            return AssessmentFormDialog(window.ctx.db, sheet, sheet.rows[0], window)
    return None


def _criteria(window: Any) -> QDialog:
    from app.ui.screens.cycle_criteria import CriteriaDialog

    return CriteriaDialog(window.ctx.db, "learning_family", window)


def _own_targets(window: Any) -> QDialog:
    from app.ui.screens.cycle_targets import OwnTargetsDialog

    return OwnTargetsDialog(window.ctx.db, _year(window), window)


def _proposal(window: Any) -> QDialog:
    from app.core.registry.hamlets import hamlet_choices
    from app.ui.screens.cycle_proposal import ProposalDialog

    hamlets = {int(v): str(label) for v, label in hamlet_choices(window.ctx.db)}
    first = next(iter(hamlets), None)
    return ProposalDialog(window.ctx.db, _year(window), "learning_family", hamlets, first, window)


def _entry(kind: str) -> DialogFactory:
    def build(window: Any) -> QDialog:
        from app.ui.screens.fund import EntryDialog

        return EntryDialog(window.ctx.db, kind, window)

    return build


def _grant(window: Any) -> QDialog:
    from app.ui.screens.fund import GrantDialog

    return GrantDialog(window.ctx.db, _year(window), window)


def _programme(window: Any) -> QDialog:
    from app.ui.screens.fund_programmes import ProgrammeDialog

    return ProgrammeDialog(window.ctx.db, _year(window), window)


def _activity(window: Any) -> QDialog:
    from app.ui.screens.fund_activities import ActivityDialog

    return ActivityDialog(window.ctx.db, _year(window), window)


def _close_period(window: Any) -> QDialog:
    from app.ui.dialogs.fund_close import ClosePeriodDialog

    return ClosePeriodDialog(window.ctx.db, window)


def _import(window: Any) -> QDialog:
    from app.ui.import_wizard import ImportWizard

    return ImportWizard(window.ctx, window)


def _help(window: Any) -> QDialog:
    from app.ui.help_browser import HelpWindow

    return HelpWindow(window)


def _first_run(window: Any) -> QDialog:
    from app.ui.first_run import FirstRunDialog

    return FirstRunDialog(window.ctx.data_dir / "first-run-preview", parent=window)


DIALOGS: dict[str, DialogFactory] = {
    "hamlet": _editor("hamlets", existing=True),
    "household-new": _editor("households", existing=False),
    "person": _editor("people", existing=True),
    "clan": _editor("clans", existing=True),
    "unit": _editor("units", existing=True),
    "branch": _editor("branches", existing=True),
    "member": _editor("members", existing=True),
    "household-card": _card,
    "settings": _settings,
    "recognition": _recognition,
    "assessment-form": _assessment_form,
    "criteria": _criteria,
    "own-targets": _own_targets,
    "proposal": _proposal,
    "fund-receipt": _entry("receipt"),
    "fund-payment": _entry("payment"),
    "fund-grant": _grant,
    "fund-programme": _programme,
    "fund-activity": _activity,
    "fund-close": _close_period,
    "import": _import,
    "help": _help,
    "first-run": _first_run,
}
