"""The fund screen: write receipts and payments, cancel with a reason, mark dues paid."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from app.core.fund import awards, dues, ledger
from app.ui.screens import fund as fund_screen
from app.ui.screens.fund import FundScreen


@pytest.fixture
def screen(qtbot: Any, ctx: Any) -> FundScreen:
    widget = FundScreen(ctx)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.reload_if_stale()
    return widget


def _write(screen: FundScreen, kind: str, amount: str, who: str, category: int = 0) -> bool:
    dialog = screen.open_entry_dialog(kind)
    dialog.category.setCurrentIndex(category)
    dialog.party.setText(who)
    dialog.amount.setText(amount)
    ok = dialog.save()
    screen.reload()
    return ok


def _select_rows(view: Any, rows: list[int]) -> None:
    model, selection = view.model(), view.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in rows:
        selection.select(model.index(row, 0), flags)


def test_a_receipt_dialog_shows_the_words_and_records_the_entry(
    screen: FundScreen, modals: Any
) -> None:
    dialog = screen.open_entry_dialog("receipt")
    assert dialog.number.value() == 1
    dialog.amount.setText("1.250.000")
    assert dialog.words.text() == "Một triệu hai trăm năm mươi nghìn đồng"
    dialog.party.setText("Nguyễn Văn An")
    assert dialog.save()
    screen.reload()
    assert screen.ledger_model.rowCount() == 1
    assert screen.ledger_model.item(0, 4).text() == "1.250.000 đ"
    assert "Tồn cuối 1.250.000 đ" in screen.balance_label.text()
    assert modals.texts() == []


def test_a_payment_beyond_the_balance_is_refused_and_the_dialog_stays(
    screen: FundScreen, modals: Any
) -> None:
    assert _write(screen, "receipt", "100.000", "Lê Thị Dung")
    assert not _write(screen, "payment", "300.000", "Nguyễn Văn Cường")
    assert "vượt số dư quỹ" in modals.texts("error")[0]
    assert screen.ledger_model.rowCount() == 1


def test_cancelling_keeps_the_row_marked_with_the_reason(
    screen: FundScreen, modals: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(screen, "receipt", "500.000", "Hoàng Thị Hoa")
    _select_rows(screen.ledger_view, [0])
    monkeypatch.setattr(fund_screen, "ask_reason", lambda *_a: "Ghi nhầm người nộp")
    screen.cancel_selected()
    assert screen.ledger_model.item(0, 6).text() == "ĐÃ HỦY: Ghi nhầm người nộp"
    assert "Tồn cuối 0 đ" in screen.balance_label.text()
    screen.show_cancelled.setChecked(False)
    assert screen.ledger_model.rowCount() == 0


def test_marking_members_paid_posts_one_receipt(screen: FundScreen, modals: Any) -> None:
    assert screen.dues_model.rowCount() == 3
    _select_rows(screen.dues_view, [0, 2])
    modals.answers.append(True)
    screen.mark_selected_paid()
    assert "Ghi 2 hội viên đã đóng hội phí" in modals.texts("ask")[0]
    year = screen.year.value()
    status = dues.dues_status(screen.ctx.db, year)
    assert sum(g.paid for g in status) == 2
    receipts = ledger.list_entries(screen.ctx.db, year, kind="receipt")
    assert [e.amount for e in receipts] == [48_000]
    assert "Chi hội thôn Đông: 2/3" in screen.dues_label.text()


def test_the_awards_tab_lists_the_recipients(screen: FundScreen, modals: Any) -> None:
    db = screen.ctx.db
    _write(screen, "receipt", "2.000.000", "Dòng họ Nguyễn", category=1)
    awards.grant_awards(
        db,
        "award",
        "Khen thưởng học sinh giỏi",
        screen.year.value(),
        [
            awards.Recipient(200_000, name="Nguyễn Thị Lan"),
            awards.Recipient(200_000, name="Nguyễn Thị Oanh"),
        ],
    )
    screen.reload()
    assert screen.awards_model.rowCount() == 2
    assert screen.awards_label.text() == "2 suất, tổng 400.000 đ"
    assert "Bình quân" in screen.summary.text()


def test_the_main_window_opens_the_fund_screen(window: Any) -> None:
    keys = [window.nav.item(i).data(0x0100) for i in range(window.nav.count())]
    assert "fund" in keys
    window.nav.setCurrentRow(keys.index("fund"))
    assert isinstance(window.current_screen(), FundScreen)


def test_a_selected_voucher_prints_to_the_chosen_file(
    screen: FundScreen, modals: Any, tmp_path: Any
) -> None:
    _write(screen, "receipt", "300.000", "Ngô Văn Sơn")
    _select_rows(screen.ledger_view, [0])
    modals.files.append(tmp_path / "phieu.pdf")
    screen.print_selected()
    assert (tmp_path / "phieu.pdf").read_bytes().startswith(b"%PDF")
    assert modals.texts("error") == []


def test_a_ticked_list_of_pupils_becomes_one_payment(screen: FundScreen, modals: Any) -> None:
    _write(screen, "receipt", "5.000.000", "Dòng họ Nguyễn", category=1)
    dialog = screen.open_grant_dialog()
    names = [dialog.model.item(r, 0).text() for r in range(dialog.model.rowCount())]
    assert set(names) == {"Nguyễn Văn Cường", "Nguyễn Thị Lan", "Nguyễn Thị Oanh"}
    dialog.search.setText("lan")
    assert dialog.model.rowCount() == 1
    dialog.model.item(0, 0).setCheckState(Qt.CheckState.Checked)
    dialog.search.setText("")
    assert dialog.total.text() == "1 suất, tổng 500.000 đ"
    for row in range(dialog.model.rowCount()):
        if dialog.model.item(row, 0).text() == "Nguyễn Văn Cường":
            dialog.model.item(row, 0).setCheckState(Qt.CheckState.Checked)
    assert dialog.save()
    screen.reload()
    assert screen.awards_model.rowCount() == 2
    payments = ledger.list_entries(screen.ctx.db, screen.year.value(), kind="payment")
    assert [p.amount for p in payments] == [1_000_000]
