"""Vietnamese text: normalisation on the way in, folding for search, list order.

One module, used by Python and (registered as SQLite functions) by SQL alike,
so a list sorted in a query and a list sorted in code always agree.

* :func:`normalise` — NFC, ordinary spaces, single spaces, trimmed; old-font "Ð"
  folded to "Đ", bidirectional control characters removed.
* :func:`normalise_name` — the same, and ALL-CAPS names put into title case.
* :func:`fold` — diacritic-free lower case: "Đặng Thị Hoà" → "dang thi hoa".
* :func:`file_name` — a default file name: "Giay-cong-nhan-Gia-dinh-hoc-tap-2026.pdf".
* :func:`sort_key` — Vietnamese list order: given name (last word) first, then
  family and middle names; letters collate a < ă < â, d < đ, o < ô < ơ, u < ư,
  a given name's tone decides before the family name (all "Anh" before "Ánh");
  tones follow CLDR order (none, huyền, hỏi, ngã, sắc, nặng) and are counted per
  syllable, so "hoà" and "hòa" sort as the same name.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Combining marks that carry the tone (dấu thanh) in NFD.
_TONE_MARKS = {
    "\u0300": 1,  # huyền (grave)
    "\u0309": 2,  # hỏi (hook above)
    "\u0303": 3,  # ngã (tilde)
    "\u0301": 4,  # sắc (acute)
    "\u0323": 5,  # nặng (dot below)
}
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {ch: chr(0x41 + i) for i, ch in enumerate(_ALPHABET)}
_SECTION_SEP = "\x01"
_WORD_SEP = "\x02"
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
# Old 8-bit Vietnamese fonts (TCVN3, VNI) and some converters give Đ/đ as the
# look-alike Icelandic Ð/ð (U+00D0/U+00F0): "Ðỗ Văn Hải" was stored as typed and
# "do van hai" found nothing. Bidirectional controls (U+202E "right-to-left override"
# …) are invisible and make a name display reversed or hide part of it: removed.
_BIDI_CONTROLS = (0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_INPUT_FIXES: dict[int, str | None] = {
    0x00D0: "\u0110",
    0x00F0: "\u0111",
    **dict.fromkeys(_BIDI_CONTROLS),
}


def normalise(value: str | None) -> str:
    """NFC, every kind of space turned into one ordinary space, trimmed.

    Also: the old-font Ð/ð become Đ/đ and bidirectional control characters go.
    """
    if not value:
        return ""
    text = unicodedata.normalize("NFC", value.translate(_INPUT_FIXES))
    return _SPACES.sub(" ", text).strip()


def normalise_optional(value: str | None) -> str | None:
    """Like :func:`normalise` but an empty result becomes ``None``."""
    text = normalise(value)
    return text or None


def normalise_name(value: str | None) -> str:
    """A person's or place's name: normalised, and ALL CAPS turned to title case."""
    text = normalise(value)
    if text and text.isupper():
        text = " ".join(word.capitalize() for word in text.split(" "))
    return text


@lru_cache(maxsize=65536)
def fold(value: str | None) -> str:
    """Diacritic-free, lower-case form for search: "Nguyễn Văn Đạt" → "nguyen van dat"."""
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFD", normalise(value).lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Spaces again: a stray mark typed after a space ("a \u0301 b") leaves a double
    # or trailing space once removed, and fold must be idempotent.
    return _SPACES.sub(" ", stripped.replace("đ", "d")).strip()


def fold_query(value: str | None) -> list[str]:
    """The words of a search box, folded; empty words dropped."""
    return [word for word in fold(value).split(" ") if word]


def _syllable_key(word: str) -> tuple[str, str]:
    """(letters key, tone digit) of one word, lower case NFC in."""
    letters: list[str] = []
    tone = 0
    for ch in word:
        decomposed = unicodedata.normalize("NFD", ch)
        base_marks = []
        for part in decomposed:
            if part in _TONE_MARKS:
                tone = _TONE_MARKS[part]
            else:
                base_marks.append(part)
        base = unicodedata.normalize("NFC", "".join(base_marks))
        for b in base:
            if b in _LETTER_RANK:
                letters.append(_LETTER_RANK[b])
            elif b.isdigit() and b.isascii():
                letters.append(b)
            elif unicodedata.combining(b):
                continue
            else:
                letters.append(_other_rank(b))
    return "".join(letters), str(tone)


def _other_rank(ch: str) -> str:
    """A character outside the alphabet: after every letter, in code point order.

    The shifted code point skips the surrogate block and is clamped at the top of
    Unicode: a key holding a surrogate cannot be stored by SQLite (a Korean name
    such as "김민준" used to make saving the person fail).
    """
    code = ord(ch) + 0x2000
    if code >= 0xD800:
        code = min(code + 0x800, 0x10FFFF)
    return chr(code)


@lru_cache(maxsize=65536)
def sort_key(full_name: str | None) -> str:
    """Key whose plain (binary) order is the Vietnamese order of names.

    Given name (last word) first, then the other words in order; letters before
    tones. Works for place names too (they then sort by their last word, which is
    how Vietnamese lists order people; places use :func:`sort_key_plain`).
    """
    words = normalise(full_name).lower().split(" ")
    words = [w for w in words if w]
    if not words:
        return ""
    ordered = [words[-1], *words[:-1]]
    return _key_of_words(ordered)


@lru_cache(maxsize=16384)
def sort_key_plain(text: str | None) -> str:
    """Vietnamese collation key for text in reading order (place and unit names)."""
    words = [w for w in normalise(text).lower().split(" ") if w]
    if not words:  # like sort_key: empty text sorts first (it raised IndexError)
        return ""
    return _key_of_words(words)


def _key_of_words(words: list[str]) -> str:
    # The first word is compared whole (letters, then tone) before the rest, so
    # every "Anh" comes before every "Ánh" whatever the family names are.
    keys = [_syllable_key(w) for w in words]
    given, given_tone = keys[0]
    rest = _WORD_SEP.join(k[0] for k in keys[1:])
    rest_tones = "".join(k[1] for k in keys[1:])
    return f"{given}{_WORD_SEP}{given_tone}{_SECTION_SEP}{rest}{_SECTION_SEP}{rest_tones}"


def search_blob(*parts: str | None) -> str:
    """One folded string holding every searchable field, separated by ' | '."""
    return " | ".join(fold(p) for p in parts if p)


def digits_only(value: str | None) -> str:
    return "".join(ch for ch in (value or "") if ch.isdigit())


def format_number(value: int) -> str:
    """1234567 → "1.234.567": Vietnamese groups thousands with dots."""
    return f"{value:,}".replace(",", ".")


_NOT_NAME = re.compile(r"[^A-Za-z0-9]+")


def unaccented(value: str | None) -> str:
    """Diacritics off, case kept: "Gia đình học tập" → "Gia dinh hoc tap"."""
    decomposed = unicodedata.normalize("NFD", normalise(value))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("đ", "d").replace("Đ", "D")


def file_name(*parts: str | int, ext: str) -> str:
    """A default file name any computer and USB stick accept, readable by a person:
    file_name("Giấy công nhận", "Gia đình học tập", 2026, ext="pdf") →
    "Giay-cong-nhan-Gia-dinh-hoc-tap-2026.pdf" (no internal codes, no diacritics —
    old Windows zip tools and some USB sticks mangle them)."""
    words = [_NOT_NAME.sub("-", unaccented(str(part))).strip("-") for part in parts]
    stem = "-".join(w for w in words if w) or "tep"
    return f"{stem}.{ext.lstrip('.')}"
