"""Page ranges as typed by a secretary, and the pages of a printed PDF as images or a smaller PDF."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from app.core.errors import UserError, ValidationError
from app.core.printing import fonts
from app.core.printing.common import PrintCancelled
from app.core.printing.pages import describe_pages, parse_page_range
from app.core.printing.preview import (
    UnreadablePdfError,
    extract_pages,
    page_count,
    page_sizes,
    render_page,
    render_pages,
    save_png,
)

# --- parse_page_range -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "total", "pages"),
    [
        ("", 3, [0, 1, 2]),
        ("   ", 2, [0, 1]),
        ("1-3,5", 7, [0, 1, 2, 4]),
        ("5, 1-3", 7, [0, 1, 2, 4]),
        ("2;4", 5, [1, 3]),
        ("3-3", 5, [2]),
        ("1-3, 2-4", 7, [0, 1, 2, 3]),
        ("5-", 7, [4, 5, 6]),
        ("-2", 7, [0, 1]),
        ("2 – 4", 7, [1, 2, 3]),  # an en dash, as a word processor types it
        ("7", 7, [6]),
        ("1,", 3, [0]),
    ],
)
def test_ranges_name_sorted_distinct_zero_based_pages(
    text: str, total: int, pages: list[int]
) -> None:
    assert parse_page_range(text, total) == pages


@pytest.mark.parametrize(
    ("text", "total", "message"),
    [
        ("9", 7, "Trang 9 vượt quá số trang (7)."),
        ("3-12", 7, "Trang 12 vượt quá số trang (7)."),
        ("0", 7, "Số trang bắt đầu từ 1."),
        ("0-2", 7, "Số trang bắt đầu từ 1."),
        ("5-3", 7, "Khoảng “5-3” bị ngược: trang đầu phải nhỏ hơn trang cuối."),
        ("abc", 7, "Không hiểu “abc”: ghi số trang như 1-3, 5."),
        ("1-2-3", 7, "Không hiểu “1-2-3”: ghi số trang như 1-3, 5."),
        ("-", 7, "Không hiểu “-”: ghi số trang như 1-3, 5."),
        ("1.5", 7, "Không hiểu “1.5”: ghi số trang như 1-3, 5."),
        (",", 7, "Chưa ghi trang nào: viết như 1-3, 5."),
        ("", 0, "Tệp không có trang nào để in."),
    ],
)
def test_bad_ranges_say_in_vietnamese_what_is_wrong(text: str, total: int, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_page_range(text, total)
    assert caught.value.message == message
    assert caught.value.field == "pages"


@pytest.mark.parametrize(
    ("pages", "text"),
    [([0, 1, 2, 4], "1-3, 5"), ([6], "7"), ([3, 1, 2, 2], "2-4"), ([0, 2, 4], "1, 3, 5"), ([], "")],
)
def test_pages_are_written_back_as_the_shortest_ranges(pages: list[int], text: str) -> None:
    assert describe_pages(pages) == text


@given(st.integers(1, 60).flatmap(lambda n: st.tuples(st.just(n), st.sets(st.integers(0, n - 1)))))
def test_describing_then_parsing_gives_the_same_pages(case: tuple[int, set[int]]) -> None:
    total, pages = case
    if pages:
        assert parse_page_range(describe_pages(sorted(pages)), total) == sorted(pages)


# --- rendering and extracting pages -----------------------------------------------------

PORTRAIT = (595.2756, 841.8898)  # A4 in points


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    """Five pages, the third one A4 landscape, each saying its number in Vietnamese."""
    fonts.register_fonts()
    path = tmp_path / "danh-sách.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    for n in range(1, 6):
        c.setPageSize(landscape(A4) if n == 3 else A4)
        c.setFont(fonts.SERIF, 14)
        c.drawString(72, 72, f"Trang số {n} — Đỗ Thị Ngọc Ánh")
        c.showPage()
    c.save()
    return path


def test_page_count_and_sizes(pdf: Path) -> None:
    assert page_count(pdf) == 5
    sizes = page_sizes(pdf)
    assert sizes[0] == pytest.approx(PORTRAIT, abs=0.01)
    assert sizes[2] == pytest.approx(PORTRAIT[::-1], abs=0.01)


@pytest.mark.parametrize(
    ("dpi", "width", "height"), [(72, 595, 842), (96, 794, 1123), (150, 1240, 1754)]
)
def test_a_page_renders_at_the_size_its_dpi_says(
    pdf: Path, dpi: int, width: int, height: int
) -> None:
    image = render_page(pdf, 0, dpi)
    assert image.mode == "RGB"
    assert image.size == pytest.approx((width, height), abs=1)


def test_a_rendered_page_is_white_paper_with_dark_text(pdf: Path) -> None:
    image = render_page(pdf, 1, 72).convert("L")
    assert image.getpixel((5, 5)) == 255  # margin
    text_box = image.crop((72, 842 - 90, 400, 842 - 60))  # the line drawn at y = 72 pt
    assert text_box.getextrema()[0] < 80


def test_landscape_pages_render_wide(pdf: Path) -> None:
    width, height = render_page(pdf, 2, 72).size
    assert width > height


def test_pages_stream_one_by_one_and_stop_when_cancelled(pdf: Path) -> None:
    calls = iter([False, False, True])
    pages = render_pages(pdf, [0, 1, 4], 20, cancel=lambda: next(calls))
    first, second = next(pages), next(pages)
    assert first.size == second.size == (166, 234)
    with pytest.raises(PrintCancelled):
        next(pages)


@pytest.mark.parametrize(
    ("index", "message"), [(5, "Trang 6 vượt quá số trang (5)."), (-1, "Số trang bắt đầu từ 1.")]
)
def test_a_page_outside_the_document_is_refused(pdf: Path, index: int, message: str) -> None:
    with pytest.raises(UserError, match=re.escape(message)):
        render_page(pdf, index)


@pytest.mark.parametrize("content", [b"", b"not a pdf at all", b"%PDF-1.4\n%broken"])
def test_an_unreadable_file_is_a_user_error_naming_it(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / unicodedata.normalize("NFD", "hỏng.pdf")
    path.write_bytes(content)
    with pytest.raises(UnreadablePdfError) as caught:
        page_count(path)
    assert "Không đọc được tệp PDF" in caught.value.message
    assert path.name in caught.value.message


def test_a_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UnreadablePdfError):
        render_page(tmp_path / "không-có.pdf", 0)


def test_a_page_saved_as_png_has_the_reported_size(pdf: Path, tmp_path: Path) -> None:
    from PIL import Image

    out = tmp_path / "ảnh" / "trang-3.png"
    size = save_png(pdf, 2, out, dpi=50)
    with Image.open(out) as image:
        assert image.format == "PNG"
        assert image.size == size
        assert size[0] > size[1]


def test_extracted_pages_keep_their_order_text_and_fonts(pdf: Path, tmp_path: Path) -> None:
    out = tmp_path / "chọn.pdf"
    assert extract_pages(pdf, out, [1, 2, 4]) == 3
    reader = PdfReader(out)
    texts = [unicodedata.normalize("NFC", p.extract_text()) for p in reader.pages]
    assert [t.split("—")[0].strip() for t in texts] == ["Trang số 2", "Trang số 3", "Trang số 5"]
    assert "Đỗ Thị Ngọc Ánh" in texts[0]
    assert float(reader.pages[1].mediabox.width) > float(reader.pages[1].mediabox.height)
    embedded = _descendants(reader.pages[0]["/Resources"]["/Font"])
    assert embedded
    assert all("/FontFile2" in f["/FontDescriptor"] for f in embedded)  # type: ignore[index]


def _descendants(font_dict: object) -> list[object]:
    """The font objects that carry a descriptor (TrueType subsets from ReportLab)."""
    fonts_found = []
    for ref in font_dict.values():  # type: ignore[attr-defined]
        obj = ref.get_object()
        if "/FontDescriptor" in obj:
            fonts_found.append(obj)
    return fonts_found


def test_extracting_a_page_that_is_not_there_writes_nothing(pdf: Path, tmp_path: Path) -> None:
    out = tmp_path / "chọn.pdf"
    with pytest.raises(UserError, match="Trang 9 vượt quá"):
        extract_pages(pdf, out, [0, 8])
    assert not out.exists()
