"""Amounts in Vietnamese words, as written on vouchers ("Bằng chữ: …").

Convention (the one accounting software and the State Treasury forms use):
- "linh" (not "lẻ") for a zero tens digit: 105 → "một trăm linh năm";
- "mười" for 10–19, "mươi" from 20; "mốt" for a final 1 after 20 ("hai mươi mốt"),
  "một" otherwise ("mười một", "một trăm linh một");
- "lăm" for a final 5 after a tens digit ("mười lăm", "hai mươi lăm"), "năm"
  otherwise ("một trăm linh năm");
- "tư" for a final 4 after 20 ("hai mươi tư"), "bốn" otherwise ("mười bốn");
- "nghìn" (not "ngàn"), "triệu", "tỷ"; a group after a higher one is read in full
  with "không trăm": 1.005.000 → "một triệu không trăm linh năm nghìn";
- empty groups are skipped: 2.000.000.000 → "hai tỷ",
  1.000.000.001 → "một tỷ không trăm linh một".
"""

from __future__ import annotations

import re

from app.core.text import format_number

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
GROUP_NAMES = ("", "nghìn", "triệu")
BILLION = 1_000_000_000


def _units_word(units: int, tens: int) -> str:
    if units == 1 and tens >= 2:
        return "mốt"
    if units == 5 and tens >= 1:
        return "lăm"
    if units == 4 and tens >= 2:
        return "tư"
    return DIGITS[units]


def _group(value: int, full: bool) -> list[str]:
    """Words of a group 0–999; ``full`` reads the hundreds even when zero."""
    hundreds, rest = divmod(value, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append("linh")
            words.append(_units_word(units, 0))
    elif tens == 1:
        words.append("mười")
        if units:
            words.append(_units_word(units, 1))
    else:
        words += [DIGITS[tens], "mươi"]
        if units:
            words.append(_units_word(units, tens))
    return words


def _below_billion(value: int, full: bool) -> list[str]:
    groups = [(value // 1_000_000) % 1000, (value // 1000) % 1000, value % 1000]
    words: list[str] = []
    for index, group in enumerate(groups):
        if not group:
            continue
        words += _group(group, full or bool(words))
        name = GROUP_NAMES[2 - index]
        if name:
            words.append(name)
    return words


def _words(value: int, full: bool) -> list[str]:
    if value >= BILLION:
        high, low = divmod(value, BILLION)
        words = [*_words(high, full), "tỷ"]
        return words + (_below_billion(low, True) if low else [])
    return _below_billion(value, full)


def number_to_words(value: int) -> str:
    """A non-negative integer in Vietnamese words, lower case: 125000 → "một trăm hai mươi lăm
    nghìn"."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"not a non-negative integer: {value!r}")
    if value == 0:
        return "không"
    return " ".join(_words(value, False))


def amount_in_words(amount: int, exact: bool = False) -> str:
    """An amount of đồng for a voucher: "Một trăm hai mươi lăm nghìn đồng" (capitalised).

    ``exact`` adds "chẵn" ("… đồng chẵn"), as written on vouchers for round sums.
    """
    text = number_to_words(amount)
    text = text[0].upper() + text[1:] + " đồng"
    return text + " chẵn" if exact else text


def format_money(amount: int) -> str:
    """1250000 → "1.250.000 đ" (dots between thousands, as Vietnamese forms write)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}{format_number(abs(amount))} đ"


def parse_money(text: str) -> int:
    """ "1.250.000", "1 250 000 đ", "1250000" → 1250000; raises ValueError otherwise.

    Separators must group thousands: "12,5" (a decimal comma) is refused, not read as 125.
    """
    cleaned = text.strip().lower().removesuffix("đồng").removesuffix("đ").strip()
    if not re.fullmatch(r"\d+|\d{1,3}([., ]\d{3})+", cleaned):
        raise ValueError(text)
    return int(re.sub(r"[., ]", "", cleaned))
