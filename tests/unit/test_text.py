"""Vietnamese text rules: normalising input, folding for search, the list order.

The order is checked against an independent oracle built from the table of
Vietnamese vowels (base letter × tone), not against the implementation's own
decomposition.
"""

from __future__ import annotations

import functools
import random
import sqlite3
import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from app.core.db import register_functions
from app.core.text import (
    digits_only,
    fold,
    fold_query,
    normalise,
    normalise_name,
    normalise_optional,
    search_blob,
    sort_key,
    sort_key_plain,
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


NBSP = "\u00a0"

# --- an oracle for the Vietnamese order -------------------------------------------

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
# Each row: the base vowel, then its forms with the tones in CLDR order
# (none, huyền, hỏi, ngã, sắc, nặng).
VOWEL_ROWS = (
    "aàảãáạ",
    "ăằẳẵắặ",
    "âầẩẫấậ",
    "eèẻẽéẹ",
    "êềểễếệ",
    "iìỉĩíị",
    "oòỏõóọ",
    "ôồổỗốộ",
    "ơờởỡớợ",
    "uùủũúụ",
    "ưừửữứự",
    "yỳỷỹýỵ",
)
TONED = {form: (row[0], tone) for row in VOWEL_ROWS for tone, form in enumerate(row)}


def oracle_word(word: str) -> tuple[tuple[int, ...], int]:
    """(letter ranks, tone) of one lower-case NFC syllable, read from the vowel table."""
    ranks: list[int] = []
    tone = 0
    for ch in word:
        base, ch_tone = TONED.get(ch, (ch, 0))
        tone = tone or ch_tone
        ranks.append(ALPHABET.index(base))
    return tuple(ranks), tone


def oracle_key(name: str) -> tuple[object, ...]:
    words = unicodedata.normalize("NFC", name).lower().split()
    given_letters, given_tone = oracle_word(words[-1])
    rest = [oracle_word(w) for w in words[:-1]]
    return (given_letters, given_tone, [r[0] for r in rest], [r[1] for r in rest])


def oracle_cmp(a: str, b: str) -> int:
    ka, kb = oracle_key(a), oracle_key(b)
    return (ka > kb) - (ka < kb)


# --- generated Vietnamese names ---------------------------------------------------

ONSETS = ("", "b", "c", "ch", "d", "đ", "g", "h", "kh", "l", "m", "n", "ng", "nh", "ph", "qu")
ONSETS += ("s", "t", "th", "tr", "v", "x")
CODAS = ("", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "o", "u", "y")


@st.composite
def syllables(draw: st.DrawFn) -> str:
    onset = draw(st.sampled_from(ONSETS))
    row = draw(st.sampled_from(VOWEL_ROWS))
    tone = draw(st.integers(0, 5))
    coda = draw(st.sampled_from(CODAS))
    return onset + row[tone] + coda


@st.composite
def vn_names(draw: st.DrawFn) -> str:
    """A generated name (2–4 syllables) in any capitalisation."""
    words = draw(st.lists(syllables(), min_size=2, max_size=4))
    style = draw(st.sampled_from(("title", "upper", "lower")))
    if style == "title":
        words = [w.capitalize() for w in words]
    elif style == "upper":
        words = [w.upper() for w in words]
    return " ".join(words)


@st.composite
def messy(draw: st.DrawFn, names: st.SearchStrategy[str]) -> str:
    """The same name as typed or pasted: NFD, non-breaking or doubled spaces."""
    name = draw(names)
    if draw(st.booleans()):
        name = nfd(name)
    sep = draw(st.sampled_from((" ", "  ", NBSP, " " + NBSP)))
    return draw(st.sampled_from(("", " ", NBSP))) + name.replace(" ", sep)


# --- normalise --------------------------------------------------------------------


class TestNormalise:
    def test_turns_non_breaking_and_double_spaces_into_single_spaces(self) -> None:
        assert normalise(f"  Nguyễn{NBSP}Văn   An {NBSP}") == "Nguyễn Văn An"

    def test_old_font_eth_becomes_the_vietnamese_đ(self) -> None:
        """TCVN3/VNI-era files give "Đ" as the look-alike "Ð" (U+00D0)."""
        assert normalise("\u00d0ỗ Văn Hải") == "Đỗ Văn Hải"
        assert normalise("Nguyễn Văn \u00f0ạt") == "Nguyễn Văn đạt"
        assert fold("\u00d0ỗ Văn Hải") == "do van hai"

    @pytest.mark.parametrize(
        "control",
        [
            "\u202e",
            "\u202a",
            "\u202b",
            "\u202c",
            "\u202d",
            "\u2066",
            "\u2067",
            "\u2068",
            "\u2069",
            "\u200e",
            "\u200f",
        ],
    )
    def test_bidirectional_controls_are_removed(self, control: str) -> None:
        assert normalise(f"{control}Lê Thị{control} Hoa{control}") == "Lê Thị Hoa"
        assert normalise_name(f"Trần{control} Văn Nam") == "Trần Văn Nam"

    def test_turns_decomposed_input_into_nfc(self) -> None:
        result = normalise(nfd("Đặng Thị Hoà"))
        assert result == "Đặng Thị Hoà"
        assert unicodedata.is_normalized("NFC", result)

    def test_empty_and_none_give_empty_text(self) -> None:
        assert normalise(None) == ""
        assert normalise(f" {NBSP} ") == ""
        assert normalise_optional(f"{NBSP} ") is None
        assert normalise_optional(" Thôn Đông ") == "Thôn Đông"


class TestNormaliseName:
    @pytest.mark.parametrize(
        ("typed", "stored"),
        [
            ("NGUYỄN VĂN AN", "Nguyễn Văn An"),
            ("ĐẶNG THỊ HOÀ", "Đặng Thị Hoà"),
            (nfd("LÊ  THỊ\u00a0ÁNH"), "Lê Thị Ánh"),
            ("ƯNG   VĂN ƠN", "Ưng Văn Ơn"),
        ],
    )
    def test_puts_names_typed_in_capitals_into_title_case(self, typed: str, stored: str) -> None:
        assert normalise_name(typed) == stored

    def test_keeps_mixed_case_as_typed(self) -> None:
        assert normalise_name("Nguyễn văn An") == "Nguyễn văn An"
        assert normalise_name("Hồ Thị MAI") == "Hồ Thị MAI"

    def test_result_is_nfc_with_single_spaces(self) -> None:
        result = normalise_name(nfd(f"TRẦN{NBSP}{NBSP}QUỐC  TUẤN"))
        assert result == "Trần Quốc Tuấn"
        assert unicodedata.is_normalized("NFC", result)

    @given(messy(vn_names()))
    def test_never_leaves_extra_spaces_or_decomposed_letters(self, typed: str) -> None:
        result = normalise_name(typed)
        assert result == result.strip()
        assert "  " not in result
        assert NBSP not in result
        assert unicodedata.is_normalized("NFC", result)


# --- fold -------------------------------------------------------------------------


class TestFold:
    @pytest.mark.parametrize(
        ("text", "folded"),
        [
            ("Nguyễn Văn An", "nguyen van an"),
            ("Đ", "d"),
            ("đường", "duong"),
            ("ĐẶNG THỊ HOÀ", "dang thi hoa"),
            ("Ưng Ơn Ấp Ê", "ung on ap e"),
            (f"  Lê{NBSP}Văn   Tám ", "le van tam"),
            ("", ""),
            (None, ""),
        ],
    )
    def test_removes_diacritics_and_case(self, text: str | None, folded: str) -> None:
        assert fold(text) == folded

    def test_decomposed_input_folds_like_composed_input(self) -> None:
        assert fold(nfd("Nguyễn Văn An")) == fold("Nguyễn Văn An") == "nguyen van an"

    def test_query_words_are_folded_and_empty_words_dropped(self) -> None:
        assert fold_query(f"  Nguyễn{NBSP} VĂN  ") == ["nguyen", "van"]
        assert fold_query(None) == []

    def test_search_blob_joins_folded_fields_and_skips_empty_ones(self) -> None:
        assert search_blob("Đỗ Thị Lan", None, "0912345678", "") == "do thi lan | 0912345678"

    def test_digits_only(self) -> None:
        assert digits_only("+84 912-345.678") == "84912345678"
        assert digits_only(None) == ""

    @given(st.text())
    @example("a \u0301 b")  # a stray tone mark after a space
    @example("\u0130stanbul")  # "İ".lower() adds a combining dot
    def test_is_idempotent(self, text: str) -> None:
        assert fold(fold(text)) == fold(text)

    @given(st.text())
    def test_ignores_unicode_normal_form(self, text: str) -> None:
        assert fold(nfd(text)) == fold(text)
        assert fold(unicodedata.normalize("NFC", text)) == fold(text)

    @given(vn_names())
    def test_folded_names_are_plain_ascii_lower_case(self, name: str) -> None:
        folded = fold(name)
        assert folded.isascii()
        assert folded == folded.lower()


# --- sort key ---------------------------------------------------------------------


def vn_sorted(names: list[str]) -> list[str]:
    return sorted(names, key=sort_key)


class TestSortKey:
    def test_orders_by_given_name_first(self) -> None:
        # Family-first order would put Nguyễn before Trần.
        assert vn_sorted(["Nguyễn Văn Bình", "Trần Văn An"]) == ["Trần Văn An", "Nguyễn Văn Bình"]

    def test_then_by_family_and_middle_names(self) -> None:
        names = ["Nguyễn Văn An", "Nguyễn Thị An", "Lê Văn An", "Âu Văn An"]
        assert vn_sorted(names) == ["Âu Văn An", "Lê Văn An", "Nguyễn Thị An", "Nguyễn Văn An"]

    @pytest.mark.parametrize(
        ("first", "second"),
        [
            ("Lê Văn An", "Lê Văn Ăn"),
            ("Lê Văn Ăn", "Lê Văn Ân"),
            ("Lê Văn Duy", "Lê Văn Đa"),
            ("Lê Văn Đông", "Lê Văn Em"),
            ("Lê Văn Em", "Lê Văn Êm"),
            ("Lê Văn Oanh", "Lê Văn Ôn"),
            ("Lê Văn Ôn", "Lê Văn Ơn"),
            ("Lê Văn Uyên", "Lê Văn Ưng"),
            ("Lê Văn Ưng", "Lê Văn Vy"),
            ("Lê Văn An", "Lê Văn Anh"),
        ],
    )
    def test_vietnamese_letters_collate_after_their_base_letter(
        self, first: str, second: str
    ) -> None:
        assert sort_key(first) < sort_key(second)

    def test_every_d_comes_before_every_đ(self) -> None:
        names = ["Lê Văn Đạt", "Lê Văn Dũng", "Lê Văn Đông", "Lê Văn Duy", "Lê Văn Em"]
        assert vn_sorted(names) == [
            "Lê Văn Dũng",
            "Lê Văn Duy",
            "Lê Văn Đạt",
            "Lê Văn Đông",
            "Lê Văn Em",
        ]

    def test_every_anh_comes_before_every_ánh_whatever_the_family_name(self) -> None:
        names = ["Âu Thị Ánh", "Vũ Văn Anh", "Bùi Thị Ánh", "Nguyễn Thị Anh"]
        assert vn_sorted(names) == ["Nguyễn Thị Anh", "Vũ Văn Anh", "Âu Thị Ánh", "Bùi Thị Ánh"]

    def test_tones_follow_cldr_order(self) -> None:
        names = ["Lê Thị Mạ", "Lê Thị Má", "Lê Thị Mã", "Lê Thị Mả", "Lê Thị Mà", "Lê Thị Ma"]
        assert vn_sorted(names) == list(reversed(names))

    def test_old_and_new_tone_placement_give_the_same_key(self) -> None:
        assert sort_key("Nguyễn Thị Hoà") == sort_key("Nguyễn Thị Hòa")
        assert sort_key("Lê Thuý") == sort_key("Lê Thúy")

    def test_ignores_case_spacing_and_normal_form(self) -> None:
        key = sort_key("Nguyễn Văn An")
        assert sort_key("NGUYỄN VĂN AN") == key
        assert sort_key(nfd(f" Nguyễn{NBSP}Văn  An ")) == key

    def test_empty_name_sorts_first(self) -> None:
        assert sort_key("") == sort_key(None) == sort_key(f" {NBSP} ") == ""
        assert sort_key("") < sort_key("An")
        assert sort_key_plain("") == sort_key_plain(None) == sort_key_plain(NBSP) == ""
        assert sort_key_plain("") < sort_key_plain("Thôn A")

    def test_plain_key_orders_place_names_in_reading_order(self) -> None:
        places = ["Thôn Đông", "Thôn Bắc", "Tổ dân phố 2", "Thôn Ấp"]
        assert sorted(places, key=sort_key_plain) == [
            "Thôn Ấp",
            "Thôn Bắc",
            "Thôn Đông",
            "Tổ dân phố 2",
        ]

    def test_foreign_letters_give_a_key_sqlite_can_store(self) -> None:
        # A Korean spouse's name, a French one: the key must be valid Unicode text
        # (no surrogates), or SQLite refuses to store it.
        for name in ("김민준", "Kim Min-jun", "François Lefèvre", "Ngô\U0010fffd"):
            sort_key(name).encode("utf-8")
            sort_key_plain(name).encode("utf-8")

    @given(vn_names(), vn_names())
    def test_agrees_with_the_vowel_table_oracle(self, a: str, b: str) -> None:
        expected = oracle_cmp(a, b)
        actual = (sort_key(a) > sort_key(b)) - (sort_key(a) < sort_key(b))
        assert actual == expected

    @given(st.lists(messy(vn_names()), max_size=12), st.randoms(use_true_random=False))
    def test_sorting_does_not_depend_on_input_order(
        self, names: list[str], shuffler: random.Random
    ) -> None:
        shuffled = names[:]
        shuffler.shuffle(shuffled)
        assert [sort_key(n) for n in vn_sorted(names)] == [sort_key(n) for n in vn_sorted(shuffled)]
        expected = sorted(names, key=functools.cmp_to_key(oracle_cmp))
        assert [oracle_key(n) for n in vn_sorted(names)] == [oracle_key(n) for n in expected]

    @given(messy(vn_names()))
    def test_messy_input_sorts_like_the_clean_name(self, typed: str) -> None:
        assert sort_key(typed) == sort_key(normalise_name(typed))


# --- the same order in SQL --------------------------------------------------------


def _sql_order(names: list[str], function: str = "vn_sort_key") -> list[str]:
    conn = sqlite3.connect(":memory:")
    try:
        register_functions(conn)
        conn.execute("CREATE TABLE person (id INTEGER PRIMARY KEY, full_name TEXT)")
        conn.executemany("INSERT INTO person (full_name) VALUES (?)", [(n,) for n in names])
        rows = conn.execute(f"SELECT full_name FROM person ORDER BY {function}(full_name), id")
        return [r[0] for r in rows]
    finally:
        conn.close()


class TestSqlFunctions:
    def test_sql_order_by_vn_sort_key_equals_python_sort(
        self, make_name: Callable[..., str]
    ) -> None:
        names = [make_name() for _ in range(200)] + ["Âu Thị Ánh", nfd("Vũ Văn Anh"), "LÊ VĂN AN"]
        assert _sql_order(names) == vn_sorted(names)

    def test_sql_vn_fold_matches_python_fold(self) -> None:
        conn = sqlite3.connect(":memory:")
        try:
            register_functions(conn)
            folded = conn.execute("SELECT vn_fold(?)", (nfd("Đặng Thị Hoà"),)).fetchone()[0]
        finally:
            conn.close()
        assert folded == "dang thi hoa"

    def test_sql_plain_key_matches_python(self) -> None:
        places = ["Tổ dân phố 2", "Thôn Đông", "Thôn Ấp", "Thôn Bắc"]
        assert _sql_order(places, "vn_sort_key_plain") == sorted(places, key=sort_key_plain)

    @settings(max_examples=40)  # each example builds a database; the oracle tests cover more
    @given(st.lists(messy(vn_names()), max_size=15))
    def test_sql_and_python_agree_on_generated_names(self, names: list[str]) -> None:
        assert [sort_key(n) for n in _sql_order(names)] == [sort_key(n) for n in vn_sorted(names)]

    @settings(max_examples=40)
    @given(st.lists(st.text(max_size=12), max_size=10))
    def test_sql_and_python_agree_on_any_text(self, names: list[str]) -> None:
        assume(all("\x00" not in n for n in names))
        assert [sort_key(n) for n in _sql_order(names)] == [sort_key(n) for n in vn_sorted(names)]


def test_default_file_names_are_readable_without_codes_or_diacritics() -> None:
    from app.core.text import file_name

    assert file_name("Giấy công nhận", "Gia đình học tập", 2026, ext="pdf") == (
        "Giay-cong-nhan-Gia-dinh-hoc-tap-2026.pdf"
    )
    assert file_name("Quyết định", "Cộng đồng học tập (cấp thôn)", 2025, ext=".docx") == (
        "Quyet-dinh-Cong-dong-hoc-tap-cap-thon-2025.docx"
    )
    nfd = unicodedata.normalize("NFD", "Sổ quỹ Đồng Tháp")
    assert file_name(nfd, "", ext="xlsx") == "So-quy-Dong-Thap.xlsx"
    assert file_name("", ext="pdf") == "tep.pdf"
