"""Amounts in Vietnamese words on vouchers (convention: "linh", "nghìn", "mốt", "lăm", "tư")."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.fund.words import amount_in_words, format_money, number_to_words, parse_money

KNOWN = {
    0: "không",
    1: "một",
    4: "bốn",
    5: "năm",
    10: "mười",
    11: "mười một",
    14: "mười bốn",
    15: "mười lăm",
    20: "hai mươi",
    21: "hai mươi mốt",
    24: "hai mươi tư",
    25: "hai mươi lăm",
    55: "năm mươi lăm",
    100: "một trăm",
    101: "một trăm linh một",
    105: "một trăm linh năm",
    110: "một trăm mười",
    115: "một trăm mười lăm",
    121: "một trăm hai mươi mốt",
    1_000: "một nghìn",
    1_001: "một nghìn không trăm linh một",
    10_500: "mười nghìn năm trăm",
    125_000: "một trăm hai mươi lăm nghìn",
    1_000_000: "một triệu",
    1_005_000: "một triệu không trăm linh năm nghìn",
    1_250_000: "một triệu hai trăm năm mươi nghìn",
    21_000_000: "hai mươi mốt triệu",
    2_000_000_000: "hai tỷ",
    1_000_000_001: "một tỷ không trăm linh một",
    1_000_000_000_000: "một nghìn tỷ",
    999_999_999: (
        "chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn chín trăm chín mươi chín"
    ),
}


@pytest.mark.parametrize(("value", "words"), sorted(KNOWN.items()))
def test_known_numbers_read_as_a_voucher_writes_them(value: int, words: str) -> None:
    assert number_to_words(value) == words


def test_a_voucher_amount_is_capitalised_and_ends_in_dong() -> None:
    assert amount_in_words(125_000) == "Một trăm hai mươi lăm nghìn đồng"
    assert amount_in_words(125_000, exact=True) == "Một trăm hai mươi lăm nghìn đồng chẵn"
    assert amount_in_words(1_250_000) == "Một triệu hai trăm năm mươi nghìn đồng"


@pytest.mark.parametrize("bad", [-1, 1.5, True, "100"])
def test_only_whole_non_negative_numbers_have_words(bad: object) -> None:
    with pytest.raises(ValueError):
        number_to_words(bad)  # type: ignore[arg-type]


def test_money_is_shown_with_dots_and_read_back() -> None:
    assert format_money(1_250_000) == "1.250.000 đ"
    assert format_money(0) == "0 đ"
    assert parse_money("1.250.000 đ") == 1_250_000
    assert parse_money(" 500 000 ") == 500_000
    with pytest.raises(ValueError):
        parse_money("12,5 triệu")


amounts = st.integers(min_value=1, max_value=10**15)


@given(amounts)
def test_every_amount_in_words_ends_with_dong(value: int) -> None:
    text = amount_in_words(value)
    assert text.endswith(" đồng")
    assert text[0].isupper()
    assert "  " not in text


@given(amounts)
def test_mot_lam_tu_appear_only_where_the_convention_allows(value: int) -> None:
    words = number_to_words(value).split()
    for before, word in zip(["", *words], words, strict=False):
        if word == "mốt":
            assert before == "mươi"
        if word in ("lăm", "tư"):
            assert before in ("mươi", "mười") if word == "lăm" else before == "mươi"
        if word == "linh":
            assert before == "trăm"
    assert "lẻ" not in words and "ngàn" not in words


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=999))
def test_thousands_are_the_reading_of_the_high_part_then_the_low_part(high: int, low: int) -> None:
    text = number_to_words(high * 1000 + low)
    head = number_to_words(high) + " nghìn"
    assert text.startswith(head)
    if low:
        rest = text[len(head) + 1 :]
        assert rest.startswith("không trăm") or not low < 100
        assert rest.endswith(number_to_words(low % 100)) or low % 100 == 0


def _parse(words: list[str]) -> int:
    """A small reader of the words, to prove the reading is unambiguous (round trip)."""
    digits = {
        "không": 0,
        "một": 1,
        "mốt": 1,
        "hai": 2,
        "ba": 3,
        "bốn": 4,
        "tư": 4,
        "năm": 5,
        "lăm": 5,
        "sáu": 6,
        "bảy": 7,
        "tám": 8,
        "chín": 9,
    }
    total, billions, group, current = 0, 0, 0, 0
    for word in words:
        if word in digits:
            current = digits[word]
        elif word == "mười":
            current = 10
            group += 10
            current = 0
        elif word == "mươi":
            group += current * 10
            current = 0
        elif word == "trăm":
            group += current * 100
            current = 0
        elif word == "linh":
            continue
        elif word in ("nghìn", "triệu"):
            total += (group + current) * (1000 if word == "nghìn" else 1_000_000)
            group = current = 0
        elif word == "tỷ":
            billions = (billions + total + group + current) * 1_000_000_000
            total = group = current = 0
    return billions + total + group + current


@given(st.integers(min_value=0, max_value=10**12))
def test_the_words_read_back_to_the_same_number(value: int) -> None:
    assert _parse(number_to_words(value).split()) == value
