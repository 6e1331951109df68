"""The fund screen's programme and activity tabs, the printouts off the UI thread, the
fund row of the dashboard and the awards on the household card."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from app.core.activities import service as activities
from app.core.fund import ledger, programmes
from app.core.fund.ledger import EntryInput
from app.ui import workers
from app.ui.screens import fund as fund_screen
from app.ui.screens.fund import FundScreen


@pytest.fixture
def screen(qtbot: Any, ctx: Any) -> FundScreen:
    ledger.add_entry(
        ctx.db,
        EntryInput(
            "receipt",
            dt.date(dt.date.today().year, 1, 1),
            10_000_000,
            "donation_clan",
            party_name="Dòng họ Nguyễn",
        ),
    )
    widget = FundScreen(ctx)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.reload_if_stale()
    return widget


def _new_programme(screen: FundScreen, **fields: str) -> None:
    tab = screen.programmes_tab
    dialog = tab.open_programme_dialog()
    for name, value in fields.items():
        getattr(dialog, name).setText(value)
    assert dialog.save()
    screen.reload()


def _wait_printed(qtbot: Any, path: Path) -> None:
    qtbot.waitUntil(lambda: not workers.busy(), timeout=10_000)
    assert path.read_bytes().startswith(b"%PDF")


def test_a_programme_from_the_dialog_to_one_payment(
    screen: FundScreen, modals: Any, qtbot: Any, tmp_path: Path
) -> None:
    tab = screen.programmes_tab
    assert "chưa có chương trình" in tab.detail.text()
    _new_programme(screen, amount="600.000", budget="2.000.000")
    assert tab.model.rowCount() == 1 and tab.model.item(0, 3).text() == "600.000 đ"

    dialog = tab.open_recipients_dialog()
    assert dialog is not None
    names = {dialog.model.item(r, 0).text() for r in range(dialog.model.rowCount())}
    assert names == {"Nguyễn Văn Cường", "Nguyễn Thị Lan", "Nguyễn Thị Oanh"}
    assert dialog.view.verticalHeader().count() == 3, "the view itself shows the rows"
    dialog.search.setText("oanh")
    dialog.tick([0])
    dialog.search.setText("")
    dialog.typed_name.setText("Trần Văn Khoa")
    dialog.school_class.setText("Lớp 9A – THCS Đông Hòa")
    assert dialog.count.text().startswith("Đã chọn 1 người")
    assert dialog.save()
    screen.reload()
    assert tab.recipient_model.rowCount() == 2
    assert tab.recipient_model.item(0, 4).text() == "Chưa chi"

    modals.answers.append(True)
    tab.post_selected()
    payments = ledger.list_entries(screen.ctx.db, kind="payment")
    assert [p.amount for p in payments] == [1_200_000]
    assert tab.recipient_model.item(0, 4).text() == payments[0].voucher_no
    assert "đã chi 1.200.000 đ" in tab.detail.text()

    modals.files.append(tmp_path / "ky-nhan")
    assert tab.print_signature_list()
    _wait_printed(qtbot, tmp_path / "ky-nhan.pdf")
    assert modals.texts("error") == []


def test_over_budget_keeps_the_recipients_dialog_open_with_the_reason(
    screen: FundScreen, modals: Any
) -> None:
    _new_programme(screen, amount="600.000", budget="1.000.000")
    dialog = screen.programmes_tab.open_recipients_dialog()
    assert dialog is not None
    dialog.tick([0, 1])
    assert not dialog.save()
    assert "Vượt ngân sách" in modals.texts("error")[0]


def test_a_second_programme_of_the_year_flags_the_same_pupil(
    screen: FundScreen, modals: Any
) -> None:
    tab = screen.programmes_tab
    _new_programme(screen, amount="300.000")
    first = tab.open_recipients_dialog()
    assert first is not None
    first.tick([0])
    assert first.save()
    _new_programme(screen, name="Khen thưởng học sinh giỏi", amount="200.000")
    tab.view.selectRow(
        next(r for r in range(tab.model.rowCount()) if "Khen" in tab.model.item(r, 0).text())
    )
    second = tab.open_recipients_dialog()
    assert second is not None
    assert second.model.item(0, 5).text().startswith("Đã có trong: Học bổng")
    second.tick([0])
    assert second.save()
    assert "đã có trong chương trình khác" in modals.texts("inform")[0]


def test_an_activity_with_the_officials_ticked(screen: FundScreen, modals: Any) -> None:
    tab = screen.activities_tab
    dialog = tab.open_activity_dialog()
    dialog.topic.setText("Tập huấn nghiệp vụ khuyến học")
    dialog.hours.setValue(4)
    dialog.search.setText("tai")
    assert dialog.members_model.rowCount() == 1
    dialog.members_model.item(0, 0).setCheckState(Qt.CheckState.Checked)
    dialog.search.setText("")
    assert dialog.chosen_label.text() == "Đã chọn 1 hội viên"
    assert dialog.save()
    screen.reload()
    assert tab.model.rowCount() == 1 and tab.model.item(0, 5).text() == "1"
    assert "1 lớp tập huấn (4 giờ)" in tab.figures.text()

    bad = tab.open_activity_dialog()
    assert not bad.save()
    assert "chủ đề" in modals.texts("error")[0]

    selection = tab.view.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    selection.select(tab.model.index(0, 0), flags)
    modals.answers.append(True)
    tab.delete_selected()
    assert tab.model.rowCount() == 0
    assert activities.list_activities(screen.ctx.db) == []


def test_fund_book_and_honour_board_print_off_the_ui_thread(
    screen: FundScreen, modals: Any, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fund_screen, "ask_month", lambda *_a: 1)
    modals.files.append(tmp_path / "so-quy.pdf")
    assert screen.print_book()
    _wait_printed(qtbot, tmp_path / "so-quy.pdf")
    monkeypatch.setattr(fund_screen, "ask_board", lambda *_a: "donors")
    modals.files.append(tmp_path / "bang-vang.xlsx")
    assert screen.print_honour_board()
    qtbot.waitUntil(lambda: not workers.busy(), timeout=10_000)
    assert (tmp_path / "bang-vang.xlsx").stat().st_size > 0
    monkeypatch.setattr(fund_screen, "ask_month", lambda *_a: None)
    assert not screen.print_book()


def test_the_dashboard_shows_the_fund_per_head(qtbot: Any, ctx: Any) -> None:
    from app.core.assessment import targets
    from app.core.fund.report import fund_per_head
    from app.ui.screens.dashboard import DashboardScreen

    targets.choose_profile(ctx.db, "thai-binh-2025")  # a profile with a fund target
    year = dt.date.today().year
    people = fund_per_head(ctx.db, year).population
    ledger.add_entry(
        ctx.db,
        EntryInput("receipt", dt.date(year, 1, 2), people * 100_000, "transfer", party_name="Xã"),
    )
    dash = DashboardScreen(ctx)
    qtbot.addWidget(dash)
    dash.year.setValue(year)
    dash.reload()
    assert f"bình quân 100.000 đ/người ({people} nhân khẩu)" in dash.fund_label.text()
    assert "Chỉ tiêu 80.000 đ/người: đạt" in dash.fund_label.text()


def test_the_household_card_lists_the_awards_of_its_people(screen: FundScreen, qtbot: Any) -> None:
    from app.ui.dialogs.household_card import HouseholdCardDialog

    db = screen.ctx.db
    year = dt.date.today().year
    pid = programmes.create_programme(
        db,
        programmes.ProgrammeInput(
            "Học bổng vượt khó", "scholarship", year, amount_per_recipient=400_000
        ),
    )
    lan = next(c for c in programmes.candidates(db, pid) if c.full_name == "Nguyễn Thị Lan")
    programmes.add_recipients(db, pid, [programmes.ProgrammeRecipient(person_id=lan.person_id)])
    household = _household_of(db, lan.person_id)
    card = HouseholdCardDialog(db, None, household)
    qtbot.addWidget(card)
    assert "Nguyễn Thị Lan: Học bổng vượt khó (400.000 đ, chưa chi)" in card.awards_label.text()


def _household_of(db: Any, person_id: int) -> int:
    from app.core.models import Person

    with db.session() as s:
        person = s.get(Person, person_id)
        assert person is not None and person.household_id is not None
        return person.household_id
