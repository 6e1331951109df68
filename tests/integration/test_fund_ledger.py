"""The fund ledger: receipts, payments, voucher numbers, balances, cancelling, closing."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.db import Database
from app.core.errors import ValidationError
from app.core.fund import ledger
from app.core.fund.ledger import EntryInput
from app.core.models.fund import EntryKind

D = dt.date
MARCH_2 = D(2025, 3, 2)
MARCH_5 = D(2025, 3, 5)


def receipt(amount: int, day: D = MARCH_2, **kw: object) -> EntryInput:
    return EntryInput(
        kind="receipt",
        entry_date=day,
        amount=amount,
        category=str(kw.pop("category", "donation_person")),
        party_name=str(kw.pop("party_name", "Nguyễn Văn Hùng")),
        **kw,  # type: ignore[arg-type]
    )


def payment(amount: int, day: D = MARCH_5, **kw: object) -> EntryInput:
    return EntryInput(
        kind="payment",
        entry_date=day,
        amount=amount,
        category=str(kw.pop("category", "scholarship")),
        party_name=str(kw.pop("party_name", "Trần Thị Lan")),
        **kw,  # type: ignore[arg-type]
    )


def test_a_receipt_gets_the_first_voucher_number_of_its_year(db: Database) -> None:
    entry_id = ledger.add_entry(db, receipt(500_000))
    view = ledger.get_entry(db, entry_id)
    assert (view.number, view.voucher_no, view.year) == (1, "PT-2025-0001", 2025)
    assert view.purpose == "Ủng hộ của cá nhân, gia đình"


def test_numbers_run_per_year_and_kind(db: Database) -> None:
    ledger.add_entry(db, receipt(900_000))
    ledger.add_entry(db, receipt(100_000))
    ledger.add_entry(db, payment(200_000))
    ledger.add_entry(db, receipt(300_000, D(2026, 1, 3)))
    numbers = [(e.voucher_no) for e in ledger.list_entries(db)]
    assert numbers == ["PT-2025-0001", "PT-2025-0002", "PC-2025-0001", "PT-2026-0001"]
    assert ledger.next_number(db, "receipt", 2025) == 3
    assert ledger.next_number(db, "payment", 2026) == 1


def test_the_fund_screen_opens_on_the_latest_year_with_entries(db: Database) -> None:
    assert ledger.working_year(db, today=D(2026, 11, 25)) == 2026  # nothing yet: this year
    ledger.add_entry(db, receipt(500_000))
    assert ledger.working_year(db, today=D(2026, 11, 25)) == 2025  # a demo, a late start
    ledger.add_entry(db, receipt(300_000, D(2026, 1, 3)))
    assert ledger.working_year(db, today=D(2026, 11, 25)) == 2026
    assert ledger.working_year(db, today=D(2025, 12, 31)) == 2025  # never a later year


def test_a_used_number_is_refused_and_the_next_one_suggested(db: Database) -> None:
    ledger.add_entry(db, receipt(100_000, number=7))
    with pytest.raises(ValidationError) as err:
        ledger.add_entry(db, receipt(100_000, number=7))
    assert "PT-2025-0007 đã dùng" in err.value.message
    assert "Số tiếp theo còn trống: 8" in err.value.message


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (0, "lớn hơn 0"),
        (-5_000, "lớn hơn 0"),
        (1500.5, "số nguyên đồng"),
        (True, "số nguyên đồng"),
        (10**13, "quá lớn"),
    ],
)
def test_an_amount_is_a_positive_whole_number_of_dong(
    db: Database, amount: object, message: str
) -> None:
    with pytest.raises(ValidationError) as err:
        ledger.add_entry(db, receipt(amount))  # type: ignore[arg-type]
    assert message in err.value.message
    assert err.value.field == "amount"


def test_a_future_date_is_refused(db: Database) -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="chưa tới"):
        ledger.add_entry(db, receipt(100_000, tomorrow))


def test_a_receipt_needs_a_payer_and_a_fitting_category(db: Database) -> None:
    with pytest.raises(ValidationError, match="người nộp"):
        ledger.add_entry(db, receipt(100_000, party_name=""))
    with pytest.raises(ValidationError, match="không dùng được cho phiếu thu"):
        ledger.add_entry(db, receipt(100_000, category="scholarship"))


def test_a_payment_may_not_exceed_the_balance_unless_allowed(db: Database) -> None:
    ledger.add_entry(db, receipt(1_000_000))
    with pytest.raises(ValidationError) as err:
        ledger.add_entry(db, payment(1_200_000))
    assert "vượt số dư quỹ (1.000.000 đ)" in err.value.message
    ledger.set_allow_overdraft(db, True)
    ledger.add_entry(db, payment(1_200_000))
    assert ledger.balance(db).closing == -200_000


def test_a_payment_before_the_money_arrived_is_refused(db: Database) -> None:
    ledger.add_entry(db, receipt(1_000_000, D(2025, 6, 1)))
    with pytest.raises(ValidationError, match="vượt số dư"):
        ledger.add_entry(db, payment(500_000, D(2025, 5, 1)))


def test_cancelling_keeps_the_entry_with_its_reason_and_drops_it_from_totals(
    db: Database,
) -> None:
    first = ledger.add_entry(db, receipt(1_000_000))
    ledger.add_entry(db, receipt(250_000))
    with pytest.raises(ValidationError, match="lý do"):
        ledger.cancel_entry(db, first, "  ")
    ledger.cancel_entry(db, first, "Ghi nhầm số tiền")
    view = ledger.get_entry(db, first)
    assert view.cancelled and view.cancel_reason == "Ghi nhầm số tiền"
    assert ledger.balance(db, 2025).receipts == 250_000
    assert len(ledger.list_entries(db, 2025)) == 2
    assert len(ledger.list_entries(db, 2025, include_cancelled=False)) == 1
    assert ledger.next_number(db, "receipt", 2025) == 3, "a cancelled number is not reused"
    with pytest.raises(ValidationError, match="đã hủy"):
        ledger.cancel_entry(db, first, "Lần nữa")


def test_cancelling_a_receipt_the_payments_rely_on_is_refused(db: Database) -> None:
    money = ledger.add_entry(db, receipt(1_000_000))
    ledger.add_entry(db, payment(800_000))
    with pytest.raises(ValidationError, match="quỹ bị âm"):
        ledger.cancel_entry(db, money, "Nhầm")


def test_balances_add_up_across_years(db: Database) -> None:
    ledger.add_entry(db, receipt(3_000_000, D(2024, 2, 1)))
    ledger.add_entry(db, payment(1_000_000, D(2024, 9, 5)))
    ledger.add_entry(db, receipt(500_000, D(2025, 1, 10)))
    ledger.add_entry(db, payment(700_000, D(2025, 8, 20)))
    y2024, y2025 = ledger.balance(db, 2024), ledger.balance(db, 2025)
    assert y2024.as_dict() == {
        "opening": 0,
        "receipts": 3_000_000,
        "payments": 1_000_000,
        "closing": 2_000_000,
    }
    assert y2025.opening == y2024.closing
    assert y2025.closing == 1_800_000 == ledger.balance(db).closing


def test_a_closed_period_refuses_new_entries_and_cancelling(db: Database) -> None:
    entry = ledger.add_entry(db, receipt(2_000_000, D(2025, 3, 2)))
    assert ledger.close_period(db, "2025-06") == "2025-06"
    assert ledger.closed_through(db) == "2025-06"
    with pytest.raises(ValidationError) as err:
        ledger.add_entry(db, receipt(100_000, D(2025, 6, 30)))
    assert "đã khóa đến tháng 06/2025" in err.value.message
    with pytest.raises(ValidationError, match="đã khóa"):
        ledger.cancel_entry(db, entry, "Ghi nhầm")
    ledger.add_entry(db, receipt(100_000, D(2025, 7, 1)))
    with pytest.raises(ValidationError, match="đã khóa đến"):
        ledger.close_period(db, "2025-05")
    with pytest.raises(ValidationError, match="không hợp lệ"):
        ledger.close_period(db, "2025-13")


def test_a_closed_entry_is_corrected_by_a_reversing_entry(db: Database) -> None:
    entry = ledger.add_entry(db, receipt(2_000_000, D(2025, 3, 2)))
    ledger.close_period(db, "2025-03")
    fix = ledger.reverse_entry(db, entry, D(2025, 4, 1), "Thu trùng")
    view = ledger.get_entry(db, fix)
    assert view.kind == "payment" and view.amount == 2_000_000
    assert "PT-2025-0001" in view.purpose
    assert ledger.balance(db, 2025).closing == 0


def test_a_voucher_carries_the_amount_in_words(db: Database) -> None:
    entry = ledger.add_entry(db, receipt(1_250_000, purpose="Ủng hộ quỹ khuyến học"))
    v = ledger.voucher(db, entry)
    assert v.title == "PHIẾU THU"
    assert v.amount_text == "1.250.000 đ"
    assert v.amount_words == "Một triệu hai trăm năm mươi nghìn đồng chẵn"
    assert v.method_label == "Tiền mặt"


def test_the_list_filters_by_kind_category_and_name(
    db: Database, make_name: Callable[..., str]
) -> None:
    names = [make_name() for _ in range(5)]
    for index, name in enumerate(names):
        ledger.add_entry(db, receipt(100_000 * (index + 1), party_name=name))
    ledger.add_entry(db, receipt(50_000, category="dues", party_name="Chi hội thôn Đông"))
    ledger.add_entry(db, payment(60_000, category="meeting"))
    assert len(ledger.list_entries(db, 2025, kind="receipt")) == 6
    assert [e.amount for e in ledger.list_entries(db, 2025, category="dues")] == [50_000]
    found = ledger.list_entries(db, 2025, search=names[2])
    assert names[2] in [e.party_name for e in found]


entries = st.lists(
    st.tuples(
        st.sampled_from([EntryKind.RECEIPT.value, EntryKind.PAYMENT.value]),
        st.integers(min_value=1, max_value=5_000_000),
        st.integers(min_value=0, max_value=700),
        st.booleans(),
    ),
    max_size=25,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(entries)
def test_any_sequence_keeps_closing_equal_opening_plus_receipts_minus_payments(
    db: Database, items: list[tuple[str, int, int, bool]]
) -> None:
    ledger.set_allow_overdraft(db, True)
    base = D(2024, 1, 1)
    for kind, amount, offset, cancel in items:
        data = (receipt if kind == "receipt" else payment)(amount, base + dt.timedelta(offset))
        entry = ledger.add_entry(db, data)
        if cancel:
            ledger.cancel_entry(db, entry, "Hủy thử")
    previous = 0
    for year in (2024, 2025, 2026):
        b = ledger.balance(db, year)
        assert b.opening == previous
        assert b.closing == b.opening + b.receipts - b.payments
        previous = b.closing
    assert previous == ledger.balance(db).closing


def test_the_fund_book_carries_each_month_into_the_next(db: Database) -> None:
    ledger.add_entry(db, receipt(1_000_000, D(2024, 12, 1)))
    ledger.add_entry(db, receipt(500_000, D(2025, 2, 10)))
    ledger.add_entry(db, payment(300_000, D(2025, 2, 20)))
    cancelled = ledger.add_entry(db, receipt(900_000, D(2025, 5, 1)))
    ledger.cancel_entry(db, cancelled, "Ghi nhầm")
    ledger.add_entry(db, payment(200_000, D(2025, 11, 3)))
    book = ledger.fund_book(db, 2025)
    assert [m.month for m in book] == list(range(1, 13))
    assert book[0].balance.opening == 1_000_000
    assert book[1].as_dict() == {
        "month": 2,
        "opening": 1_000_000,
        "receipts": 500_000,
        "payments": 300_000,
        "closing": 1_200_000,
    }
    assert book[4].balance.receipts == 0, "a cancelled entry is not in the book"
    for before, after in itertools.pairwise(book):
        assert after.balance.opening == before.balance.closing
    assert book[-1].balance.closing == ledger.balance(db, 2025).closing == 1_000_000
