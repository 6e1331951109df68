"""Vietnamese throughout: every screen and every dialog, Qt's own widgets included.

The window is walked screen by screen and every dialog class of ``app.ui`` is opened;
a button, menu entry or context-menu entry in English ("OK", "Cancel", "&Copy"…)
fails the test. Qt's own texts come through :mod:`app.ui.vietnamese` (Qt ships no
Vietnamese translation), calendars through the Vietnamese default locale.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

pytestmark = pytest.mark.gui
YEAR = 2025

# Whole button / menu texts Qt shows in English (after "&", "…" and shortcuts go).
ENGLISH = {
    "ok", "cancel", "yes", "no", "save", "save all", "close", "apply", "open", "discard",
    "don't save", "help", "reset", "restore defaults", "abort", "retry", "ignore", "browse",
    "delete", "undo", "redo", "cut", "copy", "paste", "select all", "back", "next",
    "< back", "next >", "finish", "commit", "done", "quit", "choose", "new folder",
    "show details...", "hide details...", "yes to all", "no to all", "step up", "step down",
    "rename", "show hidden files", "copy link location", "print", "properties", "preview",
    "options >>", "options <<", "print all", "pages from", "current page", "selection",
    "collate", "reverse", "color", "grayscale", "off", "long side binding",
    "short side binding",
}  # fmt: skip


def _plain(text: str) -> str:
    return text.split("\t")[0].replace("&", "").replace("…", "...").strip().lower()


def english_texts(widget: QWidget) -> list[str]:
    """Buttons and menu entries of ``widget`` (and below) that read as Qt's English."""
    found: list[str] = []
    for button in widget.findChildren(QAbstractButton):
        if _plain(button.text()) in ENGLISH:
            found.append(f"{type(widget).__name__}: button “{button.text()}”")
    for action in widget.actions() + [a for m in widget.findChildren(QMenu) for a in m.actions()]:
        if _plain(action.text()) in ENGLISH:
            found.append(f"{type(widget).__name__}: menu “{action.text()}”")
    return found


def context_menu_english(widget: QWidget) -> list[str]:
    """The right-click menu of the first text field of ``widget``, if it has one."""
    field = widget.findChild(QLineEdit) or widget.findChild(QPlainTextEdit)
    if field is None:
        return []
    menu = field.createStandardContextMenu()
    try:
        return [
            f"{type(widget).__name__}: context menu “{a.text()}”"
            for a in menu.actions()
            if _plain(a.text()) in ENGLISH
        ]
    finally:
        menu.deleteLater()


@pytest.fixture(autouse=True)
def vietnamese_qt(qapp: QApplication) -> Iterator[None]:
    """The window's start-up: Qt's texts and the locale in Vietnamese (undone after)."""
    from app.ui import vietnamese

    before = QLocale()
    installed = vietnamese.install(qapp)
    yield
    vietnamese.uninstall(qapp, installed)
    QLocale.setDefault(before)


def test_qt_standard_buttons_menus_and_calendars_speak_vietnamese(qtbot: Any) -> None:
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok
        | QDialogButtonBox.StandardButton.Cancel
        | QDialogButtonBox.StandardButton.Save
        | QDialogButtonBox.StandardButton.Close
        | QDialogButtonBox.StandardButton.Yes
        | QDialogButtonBox.StandardButton.No
    )
    qtbot.addWidget(box)
    assert sorted(b.text() for b in box.buttons()) == sorted(
        ["Đồng ý", "Hủy", "Lưu", "Đóng", "&Có", "&Không"]
    )
    field = QLineEdit("Nguyễn Văn An")
    qtbot.addWidget(field)
    menu = field.createStandardContextMenu()
    texts = [a.text().split("\t")[0] for a in menu.actions() if a.text()]
    assert texts == ["&Hoàn tác", "&Làm lại", "&Cắt", "&Sao chép", "&Dán", "Xóa", "Chọn tất cả"]
    spin = QSpinBox()
    qtbot.addWidget(spin)
    assert english_texts(spin) == []
    message = QMessageBox(QMessageBox.Icon.Warning, "Sổ Khuyến Học", "Có lỗi")
    message.setStandardButtons(QMessageBox.StandardButton.Ok)
    message.setDetailedText("chi tiết")
    qtbot.addWidget(message)
    assert english_texts(message) == []
    date = QDateEdit()
    date.setCalendarPopup(True)
    qtbot.addWidget(date)
    calendar = date.calendarWidget()
    assert calendar.locale().language() == QLocale.Language.Vietnamese
    assert calendar.locale().monthName(3).lower() == "tháng 3"
    assert QLocale().toString(1234567) == "1.234.567"


def test_file_and_input_dialogs_have_vietnamese_buttons(qtbot: Any, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QFileDialog

    from app.ui.widgets import messages

    for mode, accept in (("save", "Lưu"), ("open", "Mở"), ("folder", "Chọn")):
        dialog = messages.file_dialog(None, "Lưu", tmp_path / "a.pdf", "PDF (*.pdf)", mode)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)  # Qt's own, as on Linux
        qtbot.addWidget(dialog)
        buttons = {b.text() for b in dialog.findChildren(QAbstractButton) if b.text()}
        assert {accept, "Hủy"} <= buttons, mode
        assert english_texts(dialog) == [] and context_menu_english(dialog) == []
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter()
    printing = QPrintDialog(printer)  # Qt's own where the system has none (Linux)
    qtbot.addWidget(printing)
    printing.show()
    assert english_texts(printing) == []
    assert "&In" in {b.text() for b in printing.findChildren(QAbstractButton)}
    ask = messages.input_dialog(None, "Mở lại năm", "Lý do:")
    qtbot.addWidget(ask)
    ask.show()
    assert {"Đồng ý", "Hủy"} <= {b.text() for b in ask.findChildren(QAbstractButton)}
    assert english_texts(ask) == []


def test_every_screen_of_the_window_is_in_vietnamese(window: Any) -> None:
    found: list[str] = []
    keys = [key for key, _title in window.navigation]
    assert len(keys) >= 8
    for key in keys:
        screen = window.show_screen(key)
        found += english_texts(screen) + context_menu_english(screen)
    found += english_texts(window)
    assert found == []


# --- every dialog class of app.ui ------------------------------------------------------


def _dialog_classes() -> set[type]:
    import app.ui as ui

    for info in pkgutil.walk_packages(ui.__path__, "app.ui."):
        importlib.import_module(info.name)

    def below(cls: type) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    return {c for c in below(QDialog) if c.__module__.startswith("app.")}


ABSTRACT = {"EntityDialog", "_FormDialog"}  # bases of other dialogs, never shown themselves


def _factories(ctx: Any, tmp_path: Path, opened: list[Any]) -> dict[str, Callable[[], QDialog]]:
    """One way to open each dialog on the small commune."""
    from reportlab.pdfgen.canvas import Canvas

    from app.core.assessment import cycle as svc
    from app.core.fund import programmes
    from app.core.registry.hamlets import hamlet_choices
    from app.core.registry.listing import HOUSEHOLDS, PEOPLE, ListQuery
    from app.ui import (
        accounts_ui,
        backup_ui,
        first_run,
        first_run_upper,
        help_browser,
        import_wizard,
        settings_dialog,
    )
    from app.ui.dialogs import (
        branch,
        clan,
        fund_close,
        fund_party,
        hamlet,
        household,
        household_card,
        member,
        person,
        pickers,
        print_preview,
        province_package,
        unit,
    )
    from app.ui.screens import (
        cycle,
        cycle_criteria,
        cycle_form,
        cycle_proposal,
        cycle_targets,
        fund,
        fund_activities,
        fund_programmes,
        sync_conflicts,
        sync_forks,
    )

    db = ctx.db
    households = HOUSEHOLDS.ids(db, ListQuery())
    people = PEOPLE.ids(db, ListQuery())
    hamlets = {int(v): str(label) for v, label in hamlet_choices(db)}
    pdf = tmp_path / "mot-trang.pdf"
    page = Canvas(str(pdf))
    page.drawString(72, 720, "Trang thu")
    page.save()

    def upper_db() -> Any:
        from app.core.sync import upper
        from app.core.workspace import open_workspace

        folder = tmp_path / "tinh-cap-tren"
        if not folder.exists():
            upper.init_province(folder, "Hội Khuyến học tỉnh Thử", tmp_path / "goi")
        ws = open_workspace(folder, lock=False)
        opened.append(ws)
        return ws.db

    def form() -> QDialog:
        svc.register(db, YEAR, "learning_family", list(households[:1]))
        sheet = svc.assessment_sheet(db, YEAR, "learning_family", None)
        return cycle_form.AssessmentFormDialog(db, sheet, sheet.rows[0])

    def recipients() -> QDialog:
        pid = programmes.create_programme(
            db,
            programmes.ProgrammeInput(
                name="Học bổng vượt khó", kind="scholarship", school_year=YEAR
            ),
        )
        return fund_programmes.RecipientsDialog(db, pid)

    return {
        "BranchDialog": lambda: branch.BranchDialog(db),
        "ClanDialog": lambda: clan.ClanDialog(db),
        "ClosePeriodDialog": lambda: fund_close.ClosePeriodDialog(db, today=dt.date(YEAR, 6, 1)),
        "PartyPickerDialog": lambda: fund_party.PartyPickerDialog(db, text="Nguyễn"),
        "HamletDialog": lambda: hamlet.HamletDialog(db),
        "HouseholdDialog": lambda: household.HouseholdDialog(db, None, households[0]),
        "HouseholdCardDialog": lambda: household_card.HouseholdCardDialog(db, None, households[0]),
        "MemberDialog": lambda: member.MemberDialog(db),
        "PersonDialog": lambda: person.PersonDialog(db, None, people[0]),
        "PickerDialog": lambda: pickers.PickerDialog(db, pickers.HOUSEHOLD, title="Chọn hộ"),
        "PrintPreviewDialog": lambda: print_preview.PrintPreviewDialog(pdf, "Trang thử"),
        "ProvincePackageDialog": lambda: province_package.ProvincePackageDialog(upper_db()),
        "UnitDialog": lambda: unit.UnitDialog(db),
        "FirstRunDialog": lambda: first_run.FirstRunDialog(tmp_path / "moi"),
        "UpperLevelDialog": lambda: first_run_upper.UpperLevelDialog(tmp_path / "tinh"),
        "ImportWizard": lambda: import_wizard.ImportWizard(ctx),
        "RecognitionDialog": lambda: cycle.RecognitionDialog(db, YEAR, "learning_family"),
        "CriteriaDialog": lambda: cycle_criteria.CriteriaDialog(db, "learning_family"),
        "AssessmentFormDialog": form,
        "ProposalDialog": lambda: cycle_proposal.ProposalDialog(
            db, YEAR, "learning_family", hamlets
        ),
        "OwnTargetsDialog": lambda: cycle_targets.OwnTargetsDialog(db, YEAR),
        "GrantDialog": lambda: fund.GrantDialog(db, YEAR),
        "EntryDialog": lambda: fund.EntryDialog(db, "receipt"),
        "ActivityDialog": lambda: fund_activities.ActivityDialog(db, YEAR),
        "ProgrammeDialog": lambda: fund_programmes.ProgrammeDialog(db, YEAR),
        "RecipientsDialog": recipients,
        "ConflictsDialog": lambda: sync_conflicts.ConflictsDialog(upper_db()),
        "SettingsDialog": lambda: settings_dialog.SettingsDialog(ctx),
        "BackupOptionsDialog": lambda: backup_ui.BackupOptionsDialog(),
        "PassphraseDialog": lambda: backup_ui.PassphraseDialog("sao-luu.sqlite3.age"),
        "ForksDialog": lambda: sync_forks.ForksDialog(upper_db()),
        "RecoveryCodeDialog": lambda: accounts_ui.RecoveryCodeDialog(
            "thuky", "K7MQ-W2XA-PB9C-D3EF-GH4J"
        ),
        "NewAccountDialog": lambda: accounts_ui.NewAccountDialog(db, first=True),
        "LoginDialog": lambda: accounts_ui.LoginDialog(db),
        "RecoverDialog": lambda: accounts_ui.RecoverDialog(db),
        "ChangePasswordDialog": lambda: accounts_ui.ChangePasswordDialog(db, "thuky"),
        "AccountsDialog": lambda: accounts_ui.AccountsDialog(db),
        "HelpWindow": lambda: help_browser.HelpWindow(),
    }


def test_every_dialog_is_in_vietnamese(qtbot: Any, ctx: Any, tmp_path: Path) -> None:
    opened: list[Any] = []
    factories = _factories(ctx, tmp_path, opened)
    classes = {c.__name__ for c in _dialog_classes()} - ABSTRACT
    assert classes <= set(factories), f"a new dialog to walk: {sorted(classes - set(factories))}"
    found: list[str] = []
    for name in sorted(classes):
        dialog = factories[name]()
        qtbot.addWidget(dialog)
        dialog.show()
        found += english_texts(dialog) + context_menu_english(dialog)
        dialog.close()
    for ws in opened:
        ws.close()
    assert found == []


def test_default_file_names_name_the_title_not_its_code(
    window: Any, ctx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.assessment import cycle as svc
    from app.core.registry.listing import HOUSEHOLDS, ListQuery
    from app.ui.widgets import messages

    household = HOUSEHOLDS.ids(ctx.db, ListQuery())[0]
    svc.register(ctx.db, YEAR, "learning_family", [household])
    sheet = svc.assessment_sheet(ctx.db, YEAR, "learning_family", None)
    full = {
        i.code: (True if i.kind == "yesno" else i.max)
        for i in sheet.doc.items
        if i.kind != "computed"
    }
    svc.record_assessment(ctx.db, svc.AssessmentInput(YEAR, "learning_family", household, full))
    svc.recognise(
        ctx.db,
        svc.DecisionInput(YEAR, "learning_family", "12", dt.date(YEAR, 12, 1), "", "Lê Văn Tư"),
        allow_unproposed=True,
    )
    offered: list[str] = []

    def cancel(_parent: Any, _title: str, start: Path, _filters: str) -> None:
        offered.append(start.name)

    monkeypatch.setattr(messages, "choose_save_file", cancel)
    screen = window.show_screen("printing")
    screen.reload()
    screen._print_certificates()
    screen._print_decision("docx")
    assert offered == [
        "Giay-cong-nhan-Gia-dinh-hoc-tap-2025.pdf",
        "Quyet-dinh-Gia-dinh-hoc-tap-2025.docx",
    ]
