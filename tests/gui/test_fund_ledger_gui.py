"""The fund ledger's closing dialog (khóa sổ), reversing entries for closed months, and
the "Chọn từ sổ…" picker that links a payer or payee to the registries."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

import pytest
from PySide6.QtCore import QDate, QItemSelectionModel

from app.core.fund import ledger
from app.core.models import FundEntry
from app.ui.dialogs.fund_party import Party, PartyPickerDialog, find_parties
from app.ui.screens import fund as fund_screen
from app.ui.screens.fund import CLOSED_COLOUR, FundScreen

pytestmark = pytest.mark.gui
TODAY = dt.date.today()
THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = (THIS_MONTH - dt.timedelta(days=1)).replace(day=1)


def _period(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _label(day: dt.date) -> str:
    return f"{day.month:02d}/{day.year}"


@pytest.fixture
def screen(qtbot: Any, ctx: Any) -> FundScreen:
    widget = FundScreen(ctx)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.reload_if_stale()
    return widget


def _receipt(db: Any, day: dt.date, amount: int, who: str) -> int:
    return ledger.add_entry(
        db, ledger.EntryInput("receipt", day, amount, "donation_person", party_name=who)
    )


def _show_year(screen: FundScreen, year: int) -> None:
    screen.year.setValue(year)
    screen.reload()


def _select_first(screen: FundScreen) -> None:
    view = screen.ledger_view
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    view.selectionModel().select(view.model().index(0, 0), flags)


def _entry_row(db: Any, entry_id: int) -> FundEntry:
    with db.session() as s:
        row = s.get(FundEntry, entry_id)
        assert row is not None
        s.expunge(row)
        return row


# --- closing a period -------------------------------------------------------------------


def test_the_close_dialog_offers_only_past_and_current_months(
    screen: FundScreen, modals: Any
) -> None:
    dialog = screen.open_close_dialog()
    assert dialog.status.text() == "Chưa khóa kỳ nào."
    assert dialog.period() == _period(LAST_MONTH)
    next_month = (THIS_MONTH + dt.timedelta(days=32)).replace(day=1)
    dialog.month.setDate(QDate(next_month))
    assert dialog.period() == _period(THIS_MONTH)  # a future month cannot be picked
    assert ledger.closed_through(screen.ctx.db) is None


def test_the_core_refuses_a_future_month_with_a_message(screen: FundScreen, modals: Any) -> None:
    dialog = screen.open_close_dialog()
    next_month = (THIS_MONTH + dt.timedelta(days=32)).replace(day=1)
    dialog.period = lambda: _period(next_month)  # type: ignore[method-assign]
    modals.answers.append(True)
    assert not dialog.save()
    assert modals.texts("error") == ["Không khóa sổ được kỳ chưa tới."]
    assert ledger.closed_through(screen.ctx.db) is None


def test_declining_the_confirmation_closes_nothing(screen: FundScreen, modals: Any) -> None:
    dialog = screen.open_close_dialog()
    modals.answers.append(False)
    assert not dialog.save()
    question = modals.texts("ask")[0]
    assert f"Khóa sổ quỹ đến hết tháng {_label(LAST_MONTH)}?" in question
    assert ledger.closed_through(screen.ctx.db) is None


def test_closing_locks_the_months_and_greys_their_entries(screen: FundScreen, modals: Any) -> None:
    db = screen.ctx.db
    _receipt(db, LAST_MONTH, 700_000, "Nguyễn Văn An")
    _receipt(db, TODAY, 300_000, "Lê Thị Dung")
    dialog = screen.open_close_dialog()
    modals.answers.append(True)
    assert dialog.save()
    assert dialog.closed == _period(LAST_MONTH) == ledger.closed_through(db)
    _show_year(screen, LAST_MONTH.year)
    first = screen.ledger_model.item(0, 0)
    assert first.foreground().color() == CLOSED_COLOUR
    assert f"Đã khóa sổ đến hết tháng {_label(LAST_MONTH)}" in screen.balance_label.text()
    if TODAY.year == LAST_MONTH.year:  # the open month's entry keeps its normal colour
        assert screen.ledger_model.item(1, 0).foreground().color() != CLOSED_COLOUR
    again = screen.open_close_dialog()
    assert again.status.text() == f"Đã khóa sổ đến hết tháng {_label(LAST_MONTH)}."
    assert again.period() == _period(THIS_MONTH)  # only months after the closed one


def test_the_entry_dialog_starts_after_the_closed_months(screen: FundScreen) -> None:
    ledger.close_period(screen.ctx.db, _period(LAST_MONTH))
    dialog = screen.open_entry_dialog("receipt")
    assert dialog.date.minimumDate().toPython() == THIS_MONTH


# --- cancelling in a closed month: a reversing entry instead ------------------------------


def _closed_receipt(screen: FundScreen) -> int:
    entry_id = _receipt(screen.ctx.db, LAST_MONTH, 500_000, "Hoàng Thị Hoa")
    ledger.close_period(screen.ctx.db, _period(LAST_MONTH))
    _show_year(screen, LAST_MONTH.year)
    _select_first(screen)
    return entry_id


def test_cancelling_a_closed_entry_explains_and_offers_a_reversing_entry(
    screen: FundScreen, modals: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry_id = _closed_receipt(screen)
    original = ledger.get_entry(screen.ctx.db, entry_id)
    monkeypatch.setattr(fund_screen, "ask_reason", lambda *_a: "Ghi nhầm số tiền")
    modals.answers.append(True)
    screen.cancel_selected()
    question = modals.texts("ask")[0]
    assert f"Sổ quỹ đã khóa đến hết tháng {_label(LAST_MONTH)}" in question
    assert f"{original.voucher_no} ngày {LAST_MONTH.strftime('%d/%m/%Y')} không hủy" in question
    assert "Lập bút toán đảo" in question
    assert not ledger.get_entry(screen.ctx.db, entry_id).cancelled
    payments = ledger.list_entries(screen.ctx.db, TODAY.year, kind="payment")
    assert [(p.amount, p.entry_date) for p in payments] == [(500_000, TODAY)]
    assert payments[0].purpose == f"Điều chỉnh giảm {original.voucher_no}: Ghi nhầm số tiền"
    assert ledger.balance(screen.ctx.db).closing == 0


def test_declining_the_reversal_changes_nothing(
    screen: FundScreen, modals: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _closed_receipt(screen)
    monkeypatch.setattr(
        fund_screen, "ask_reason", lambda *_a: pytest.fail("no reason is asked for")
    )
    modals.answers.append(False)
    screen.cancel_selected()
    assert ledger.list_entries(screen.ctx.db, kind="payment") == []
    assert ledger.balance(screen.ctx.db).closing == 500_000


# --- payer / payee from the registries ---------------------------------------------------


def test_the_search_finds_every_registry_without_diacritics(screen: FundScreen) -> None:
    db = screen.ctx.db
    unit = find_parties(db, "truong tieu hoc dong hoa")
    assert [(p.kind, p.name) for p in unit] == [("unit", "Trường Tiểu học Đông Hòa")]
    member = find_parties(db, "phan van tai")
    assert [(p.kind, p.name) for p in member] == [("member", "Phan Văn Tài")]
    kinds = {p.kind for p in find_parties(db, unicodedata.normalize("NFD", "Nguyễn Văn An"))}
    assert {"person", "household", "member"} <= kinds
    assert "clan" in {p.kind for p in find_parties(db, "nguyen")}
    assert find_parties(db, "   ") == []


def test_typing_in_the_picker_and_pressing_choose_picks_the_first_match(
    screen: FundScreen, qtbot: Any
) -> None:
    dialog = PartyPickerDialog(screen.ctx.db, screen)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.search_edit, "dong hoa")
    dialog.run_search()
    assert dialog.list.count() == 1
    assert dialog.pick_current()
    assert dialog.chosen is not None and dialog.chosen.kind == "unit"


@pytest.mark.parametrize(
    ("text", "kind", "column"),
    [
        ("phan van tai", "member", "member_id"),
        ("dong ho nguyen", "clan", "clan_id"),
        ("truong tieu hoc", "unit", "unit_id"),
    ],
)
def test_a_picked_payer_fills_the_name_and_the_saved_entry_carries_the_link(
    screen: FundScreen,
    modals: Any,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    kind: str,
    column: str,
) -> None:
    db = screen.ctx.db
    party = next(p for p in find_parties(db, text) if p.kind == kind)
    monkeypatch.setattr(fund_screen, "pick_party", lambda *_a: party)
    dialog = screen.open_entry_dialog("receipt")
    dialog.pick_button.click()
    assert dialog.party.text() == party.name
    assert party.name in dialog.link_label.text()
    dialog.amount.setText("200.000")
    assert dialog.save(), modals.texts()
    row = _entry_row(db, dialog.entry_id or 0)
    assert getattr(row, column) == party.id
    assert row.party_name == party.name
    others = {"person_id", "member_id", "household_id", "unit_id", "clan_id"} - {column}
    assert all(getattr(row, other) is None for other in others)


def test_clearing_the_name_drops_the_link(screen: FundScreen, modals: Any) -> None:
    db = screen.ctx.db
    person = next(p for p in find_parties(db, "nguyen van an") if p.kind == "person")
    dialog = screen.open_entry_dialog("receipt")
    dialog.set_party(person)
    dialog.party.setText("Ông Nguyễn Văn An")  # a retyped name keeps the link
    assert dialog.link == person
    dialog.party.setText("")
    assert dialog.link is None and dialog.link_label.text() == ""
    dialog.party.setText("Nhà hảo tâm giấu tên")
    dialog.amount.setText("100.000")
    assert dialog.save()
    row = _entry_row(db, dialog.entry_id or 0)
    assert row.person_id is None and row.party_name == "Nhà hảo tâm giấu tên"


def test_a_cancelled_pick_leaves_the_dialog_as_it_was(
    screen: FundScreen, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fund_screen, "pick_party", lambda *_a: None)
    dialog = screen.open_entry_dialog("payment")
    dialog.party.setText("Nguyễn Thị Lan")
    dialog.pick_button.click()
    assert dialog.party.text() == "Nguyễn Thị Lan" and dialog.link is None


def test_a_household_pick_links_the_household(screen: FundScreen, modals: Any) -> None:
    db = screen.ctx.db
    household = next(p for p in find_parties(db, "hoang thi hoa") if p.kind == "household")
    assert isinstance(household, Party) and household.link() == {"household_id": household.id}
    dialog = screen.open_entry_dialog("receipt")
    dialog.set_party(household)
    dialog.amount.setText("150.000")
    assert dialog.save()
    assert _entry_row(db, dialog.entry_id or 0).household_id == household.id


@pytest.mark.parametrize(
    ("clan", "shown", "listed"),
    [
        ("Nguyễn", "Dòng họ Nguyễn", "Dòng họ Nguyễn"),
        ("Họ Nguyễn Đình", "Họ Nguyễn Đình", "Dòng họ: Họ Nguyễn Đình"),
        (unicodedata.normalize("NFD", "Dòng họ Lê"), "Dòng họ Lê", "Dòng họ Lê"),
    ],
)
def test_a_clan_is_written_once_as_a_clan(clan: str, shown: str, listed: str) -> None:
    assert ledger.clan_party_name(clan) == shown
    assert Party("clan", 1, shown).label == listed
