"""The bundled fonts (resources/fonts) registered with ReportLab, and text fitting.

Only the bundled TrueType files are used, never system fonts, so a PDF looks the
same on every laptop; ReportLab embeds a subset of each font in the PDF.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.paths import resources_dir

SERIF = "KH-Serif"
SERIF_BOLD = "KH-Serif-Bold"
SERIF_ITALIC = "KH-Serif-Italic"
SERIF_BOLD_ITALIC = "KH-Serif-BoldItalic"

_FILES = {
    SERIF: "LiberationSerif-Regular.ttf",
    SERIF_BOLD: "LiberationSerif-Bold.ttf",
    SERIF_ITALIC: "LiberationSerif-Italic.ttf",
    SERIF_BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf",
}

# Template files name fonts by style; these map to the registered names.
STYLES = {
    "regular": SERIF,
    "bold": SERIF_BOLD,
    "italic": SERIF_ITALIC,
    "bold_italic": SERIF_BOLD_ITALIC,
}


@cache
def register_fonts() -> None:
    """Register the bundled fonts once per process (cheap: ~5 ms)."""
    # Compressed streams stay binary: ASCII85 on top only costs time (pure Python) and size.
    rl_config.useA85 = 0
    folder = resources_dir() / "fonts"
    for name, filename in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / filename)))
    pdfmetrics.registerFontFamily(
        SERIF, normal=SERIF, bold=SERIF_BOLD, italic=SERIF_ITALIC, boldItalic=SERIF_BOLD_ITALIC
    )


def font_for(style: str) -> str:
    return STYLES.get(style, style)


def nfc(text: str) -> str:
    """Precomposed form: the fonts have a glyph for every precomposed Vietnamese letter."""
    return unicodedata.normalize("NFC", text)


def width(text: str, font: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, font, size))


def fit_size(text: str, font: str, size: float, max_width: float, min_size: float) -> float:
    """The largest size ≤ ``size`` (and ≥ ``min_size``) at which ``text`` fits ``max_width``."""
    natural = width(text, font, size)
    if natural <= max_width:
        return size
    return max(min_size, size * max_width / natural)


def wrap(text: str, font: str, size: float, max_width: float) -> list[str]:
    """Greedy word wrap; a single word wider than the line is cut by characters."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if width(candidate, font, size) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while width(word, font, size) > max_width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and width(word[:cut], font, size) > max_width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


def fit_lines(
    text: str, font: str, size: float, max_width: float, min_size: float, max_lines: int
) -> tuple[float, list[str]]:
    """Shrink first, then wrap at the minimum size (at most ``max_lines``, last one shrunk).

    Whatever comes back is guaranteed to fit ``max_width`` on every line.
    """
    fitted = fit_size(text, font, size, max_width, min_size)
    if width(text, font, fitted) <= max_width:
        return fitted, [text]
    lines = wrap(text, font, min_size, max_width)
    if len(lines) > max_lines:
        head, tail = lines[: max_lines - 1], " ".join(lines[max_lines - 1 :])
        lines = [*head, tail]
    final = min_size
    for line in lines:  # an over-long last line shrinks below min_size rather than overflow
        natural = width(line, font, min_size)
        if natural > max_width:
            final = min(final, min_size * max_width / natural * 0.999)
    return final, lines


def ellipsize(text: str, font: str, size: float, max_width: float) -> str:
    """Cut ``text`` with "…" so it fits ``max_width`` (table cells)."""
    if width(text, font, size) <= max_width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if width(text[:mid] + "…", font, size) <= max_width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo] + "…"
