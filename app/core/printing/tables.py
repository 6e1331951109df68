"""Lists as PDF (A4): header block, title, a ruled table repeated across pages, signatures.

Drawn straight onto the canvas with fixed row heights (cells shrink, then are cut with
"…", so no text leaves its cell): 10,000 rows render in about a second, where a platypus
Table would split pages quadratically. Rows are consumed lazily from an iterable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from app.core.errors import ValidationError
from app.core.printing import fonts
from app.core.printing.common import (
    MM,
    CancelFn,
    PrintCancelled,
    ProgressFn,
    atomic_output,
    never,
    no_progress,
    place_date,
)


@dataclass(frozen=True)
class Column:
    title: str
    weight: float  # relative width
    align: str = "left"  # left | center | right


@dataclass(frozen=True)
class SignatureBox:
    title: str  # "NGƯỜI LẬP BIỂU" / "CHỦ TỊCH HỘI KHUYẾN HỌC"
    name: str


@dataclass(frozen=True)
class TableDocument:
    issuer_1: str  # "UBND XÃ KHOÁI CHÂU"
    issuer_2: str  # "HỘI KHUYẾN HỌC XÃ"
    title: str
    subtitle: str
    columns: Sequence[Column]
    place: str
    day: dt.date
    signatures: Sequence[SignatureBox] = field(default_factory=tuple)
    landscape: bool = False
    font_size: float = 11.0
    footer: Sequence[str] = ()  # lines under the table (e.g. the total in words)
    # Height of a body row in points; None = the standard ROW_H. Lists people sign on
    # need room for a signature (≈ 10 mm).
    row_height: float | None = None


ROW_H = 6.4 * MM
HEAD_H = 9.0 * MM
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 25 * MM, 15 * MM, 18 * MM, 18 * MM
SIGN_H = 42 * MM
FOOTER_LINE_H = 7 * MM


class _Writer:
    def __init__(self, c: Canvas, doc: TableDocument, total_rows: int) -> None:
        self.c = c
        self.doc = doc
        self.w, self.h = landscape(A4) if doc.landscape else A4
        usable = self.w - MARGIN_L - MARGIN_R
        # the row number column is as wide as the largest number needs (never cut)
        number = max(9 * MM, fonts.width(str(total_rows), fonts.SERIF, doc.font_size) + 6)
        weights = sum(col.weight for col in doc.columns)
        rest = usable - number
        self.widths = [number] + [rest * c.weight / weights for c in doc.columns]
        self.aligns = ["center", *(col.align for col in doc.columns)]
        self._cells: dict[tuple[str, int], tuple[float, str]] = {}
        self.block_top: float | None = None
        self.page = 0
        self.y = 0.0
        self.row_h = doc.row_height or ROW_H
        self.pages_total = self._count_pages(total_rows)

    def _first_table_top(self) -> float:
        return float(self.h - MARGIN_T - 36 * MM)

    def _rows_fit(self, top: float) -> int:
        return int((top - HEAD_H - MARGIN_B - 6 * MM) // self.row_h)

    def _count_pages(self, rows: int) -> int:
        first = self._rows_fit(self._first_table_top())
        later = self._rows_fit(self.h - MARGIN_T)
        pages = 1
        left_after = first - rows
        if rows > first:
            extra = rows - first
            pages += -(-extra // later)
            left_after = later - (extra - (pages - 2) * later)
        if self.doc.signatures and left_after * self.row_h < SIGN_H + self._footer_h():
            pages += 1
        return pages

    def start_page(self) -> None:
        self.page += 1
        c = self.c
        top = self.h - MARGIN_T
        if self.page == 1:
            self._header(top)
            top = self._first_table_top()
        self._table_head(top)
        self.y = top - HEAD_H
        c.setFont(fonts.SERIF_ITALIC, 9)
        c.drawRightString(
            self.w - MARGIN_R, MARGIN_B - 8 * MM, f"Trang {self.page}/{self.pages_total}"
        )

    def _header(self, top: float) -> None:
        c = self.c
        left_x = MARGIN_L + 40 * MM
        right_x = self.w - MARGIN_R - 55 * MM
        c.setFont(fonts.SERIF, 12)
        c.drawCentredString(left_x, top, self.doc.issuer_1)
        c.setFont(fonts.SERIF_BOLD, 12)
        c.drawCentredString(left_x, top - 5.5 * MM, self.doc.issuer_2)
        c.drawCentredString(right_x, top, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        c.setFont(fonts.SERIF_BOLD, 13)
        c.drawCentredString(right_x, top - 5.5 * MM, "Độc lập - Tự do - Hạnh phúc")
        half = fonts.width("Độc lập - Tự do - Hạnh phúc", fonts.SERIF_BOLD, 13) / 2
        c.setLineWidth(0.6)
        c.line(right_x - half, top - 7 * MM, right_x + half, top - 7 * MM)
        c.line(left_x - 15 * MM, top - 7 * MM, left_x + 15 * MM, top - 7 * MM)
        c.setFont(fonts.SERIF_ITALIC, 12)
        c.drawCentredString(right_x, top - 13 * MM, place_date(self.doc.place, self.doc.day))
        mid = self.w / 2
        title = fonts.nfc(self.doc.title.upper())
        size = fonts.fit_size(title, fonts.SERIF_BOLD, 14, self.w - MARGIN_L - MARGIN_R, 9)
        c.setFont(fonts.SERIF_BOLD, size)
        c.drawCentredString(mid, top - 23 * MM, title)
        if self.doc.subtitle:
            sub = fonts.nfc(self.doc.subtitle)
            size = fonts.fit_size(sub, fonts.SERIF_ITALIC, 12, self.w - MARGIN_L - MARGIN_R, 8)
            c.setFont(fonts.SERIF_ITALIC, size)
            c.drawCentredString(mid, top - 29 * MM, sub)

    def _table_head(self, top: float) -> None:
        c = self.c
        c.setLineWidth(0.5)
        x = MARGIN_L
        c.setFillGray(0.9)
        c.rect(x, top - HEAD_H, sum(self.widths), HEAD_H, stroke=1, fill=1)
        c.setFillGray(0)
        titles = ["STT", *(col.title for col in self.doc.columns)]
        for title, width in zip(titles, self.widths, strict=True):
            size = fonts.fit_size(title, fonts.SERIF_BOLD, self.doc.font_size, width - 4, 6)
            c.setFont(fonts.SERIF_BOLD, size)
            c.drawCentredString(x + width / 2, top - HEAD_H / 2 - size / 3, title)
            c.line(x, top, x, top - HEAD_H)
            x += width
        c.line(x, top, x, top - HEAD_H)

    def _cell(self, value: str, column: int) -> tuple[float, str]:
        """(font size, text) that fits the column; memoised, lists repeat most values."""
        key = (value, column)
        hit = self._cells.get(key)
        if hit is None:
            width = self.widths[column] - 4
            size = self.doc.font_size
            text = fonts.nfc(value)
            fitted = fonts.fit_size(text, fonts.SERIF, size, width, size * 0.8)
            hit = (fitted, fonts.ellipsize(text, fonts.SERIF, fitted, width))
            if len(self._cells) > 50_000:
                self._cells.clear()
            self._cells[key] = hit
        return hit

    def close_block(self) -> None:
        """The table's vertical rules on this page, drawn once from its top to the last row."""
        if self.block_top is None or self.y >= self.block_top:
            return
        x = MARGIN_L
        for width in [0.0, *self.widths]:
            x += width
            self.c.line(x, self.block_top, x, self.y)
        self.block_top = None

    def row(self, number: int, cells: Sequence[str]) -> None:
        if self.y - self.row_h < MARGIN_B + 6 * MM:
            self.close_block()
            self.c.showPage()
            self.start_page()
        c = self.c
        if self.block_top is None:
            self.block_top = self.y
        bottom = self.y - self.row_h
        baseline = bottom + self.row_h / 2 - self.doc.font_size / 3
        x = MARGIN_L
        current = 0.0
        for column, value in enumerate([str(number), *cells]):
            width = self.widths[column]
            size, text = self._cell(value, column)
            if size != current:
                c.setFont(fonts.SERIF, size)
                current = size
            align = self.aligns[column]
            if align == "center":
                c.drawCentredString(x + width / 2, baseline, text)
            elif align == "right":
                c.drawRightString(x + width - 2, baseline, text)
            else:
                c.drawString(x + 2, baseline, text)
            x += width
        c.line(MARGIN_L, bottom, x, bottom)
        self.y = bottom

    def _footer_h(self) -> float:
        return len(self.doc.footer) * FOOTER_LINE_H

    def footer(self) -> None:
        """The footer lines right under the table (kept with the signatures' page)."""
        if not self.doc.footer:
            return
        need = self._footer_h() + (SIGN_H if self.doc.signatures else 0)
        if self.y - need < MARGIN_B:
            self._signature_page()
        for line in self.doc.footer:
            self.y -= FOOTER_LINE_H
            text = fonts.nfc(line)
            usable = self.w - MARGIN_L - MARGIN_R
            size = fonts.fit_size(text, fonts.SERIF, 12, usable, 8)
            self.c.setFont(fonts.SERIF, size)
            self.c.drawString(MARGIN_L, self.y + 1.5 * MM, text)

    def _signature_page(self) -> None:
        self.close_block()
        self.c.showPage()
        self.page += 1
        self.y = self.h - MARGIN_T
        self.c.setFont(fonts.SERIF_ITALIC, 9)
        self.c.drawRightString(
            self.w - MARGIN_R, MARGIN_B - 8 * MM, f"Trang {self.page}/{self.pages_total}"
        )

    def signatures(self) -> None:
        boxes = self.doc.signatures
        if not boxes:
            return
        if self.y - SIGN_H < MARGIN_B:
            self.close_block()
            self.c.showPage()
            self.page += 1
            self.y = self.h - MARGIN_T
            self.c.setFont(fonts.SERIF_ITALIC, 9)
            self.c.drawRightString(
                self.w - MARGIN_R, MARGIN_B - 8 * MM, f"Trang {self.page}/{self.pages_total}"
            )
        c = self.c
        span = (self.w - MARGIN_L - MARGIN_R) / len(boxes)
        for i, box in enumerate(boxes):
            cx = MARGIN_L + span * (i + 0.5)
            c.setFont(fonts.SERIF_BOLD, 12)
            c.drawCentredString(cx, self.y - 9 * MM, fonts.nfc(box.title.upper()))
            c.setFont(fonts.SERIF_ITALIC, 11)
            c.drawCentredString(cx, self.y - 14 * MM, "(Ký, ghi rõ họ tên)")
            c.setFont(fonts.SERIF_BOLD, 12)
            c.drawCentredString(cx, self.y - 38 * MM, fonts.nfc(box.name))


def render_table(
    out: Path,
    doc: TableDocument,
    rows: Iterable[Sequence[str]],
    *,
    total: int,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never,
) -> int:
    """Write the list to ``out``; returns the page count."""
    if total == 0:
        raise ValidationError("Danh sách trống, không có gì để in.")
    fonts.register_fonts()
    with atomic_output(out) as tmp:
        c = Canvas(
            str(tmp),
            pagesize=landscape(A4) if doc.landscape else A4,
            pageCompression=1,
            initialFontName=fonts.SERIF,
        )
        c.setTitle(doc.title)
        c.setAuthor("Sổ Khuyến Học")
        writer = _Writer(c, doc, total)
        writer.start_page()
        for number, cells in enumerate(rows, start=1):
            if number % 200 == 0:
                if cancel():
                    raise PrintCancelled()
                progress(number, total)
            writer.row(number, cells)
        writer.close_block()
        writer.footer()
        writer.signatures()
        c.showPage()
        c.save()
        progress(total, total)
        return writer.page
