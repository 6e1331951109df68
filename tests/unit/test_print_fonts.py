"""Vietnamese type in PDFs: every letter survives render → extract, fonts are embedded,
and fitted text never leaves its box."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from app.core.printing import fonts
from app.paths import resources_dir

BASE = "aăâeêioôơuưy"
TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")  # sắc huyền hỏi ngã nặng


def vietnamese_letters() -> list[str]:
    """All 134 lower + upper Vietnamese vowels with tones, plus đ/Đ, precomposed."""
    out = []
    for vowel in BASE:
        for tone in TONES:
            letter = unicodedata.normalize("NFC", vowel + tone)
            out += [letter, letter.upper()]
    return [*out, "đ", "Đ"]


def test_the_alphabet_is_complete() -> None:
    letters = vietnamese_letters()
    assert len(set(letters)) == 12 * 6 * 2 + 2
    assert {"ỗ", "ặ", "ữ", "Đ", "Ỗ", "Ặ", "Ữ"} <= set(letters)
    assert all(len(x) == 1 for x in letters), "every letter has a precomposed code point"


def test_the_fonts_are_bundled_with_their_licence() -> None:
    folder = resources_dir() / "fonts"
    for name in fonts._FILES.values():
        assert (folder / name).stat().st_size > 100_000
    licence = (folder / "LICENSE-LiberationSerif.txt").read_text("utf-8")
    assert "SIL Open Font License" in licence or "SIL-OFL-1.1" in licence


@pytest.mark.parametrize("font", list(fonts.STYLES.values()))
def test_every_vietnamese_letter_has_a_glyph(font: str) -> None:
    fonts.register_fonts()
    from reportlab.pdfbase import pdfmetrics

    face = pdfmetrics.getFont(font).face
    missing = [ch for ch in vietnamese_letters() if ord(ch) not in face.charToGlyph]
    assert missing == []


def test_every_letter_extracts_back_identically_and_fonts_are_embedded(tmp_path: Path) -> None:
    fonts.register_fonts()
    letters = vietnamese_letters()
    lines = [" ".join(letters[i : i + 24]) for i in range(0, len(letters), 24)]
    words = "Nguyễn Đỗ Thị Hoàng Ngọc Trưởng Ưng Hằng Vững Khoái Châu Yến Nhặt Quỗ"
    out = tmp_path / "alphabet.pdf"
    c = Canvas(str(out), initialFontName=fonts.SERIF)
    y = 800.0
    for font in fonts.STYLES.values():
        c.setFont(font, 14)
        for line in [*lines, words]:
            c.drawString(40, y, line)
            y -= 20
        c.showPage()
        y = 800.0
    c.save()

    reader = PdfReader(out)
    assert len(reader.pages) == 4
    for page in reader.pages:
        text = unicodedata.normalize("NFC", page.extract_text())
        got = [line.strip() for line in text.splitlines() if line.strip()]
        assert got == [*lines, words]
        resources = page["/Resources"]["/Font"]
        for ref in resources.values():
            font = ref.get_object()
            descriptor = (
                font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                if "/DescendantFonts" in font
                else font["/FontDescriptor"]
            ).get_object()
            assert "/FontFile2" in descriptor, "TrueType font program embedded"
            assert "Liberation" in str(font["/BaseFont"])


@given(
    st.lists(
        st.text(alphabet="".join(vietnamese_letters()) + "AĂÂBCDĐ", min_size=1, max_size=30),
        min_size=1,
        max_size=12,
    ),
    st.floats(min_value=60, max_value=700),
)
def test_fitted_lines_never_exceed_the_box(words: list[str], max_width: float) -> None:
    fonts.register_fonts()
    text = " ".join(words)
    size, lines = fonts.fit_lines(text, fonts.SERIF_BOLD, 28, max_width, 16, 2)
    assert 1 <= len(lines) <= 2
    for line in lines:
        assert fonts.width(line, fonts.SERIF_BOLD, size) <= max_width + 1e-6
    assert "".join(text.split()) == "".join("".join(lines).split()), "no letter is lost"


@given(st.text(alphabet="".join(vietnamese_letters()) + " ", max_size=80), st.floats(20, 300))
def test_ellipsized_cells_fit(text: str, max_width: float) -> None:
    fonts.register_fonts()
    cut = fonts.ellipsize(text, fonts.SERIF, 11, max_width)
    assert fonts.width(cut, fonts.SERIF, 11) <= max_width or cut == "…"
    assert cut == text or cut.endswith("…")
