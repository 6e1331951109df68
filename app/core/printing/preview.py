"""Pages of a PDF we printed, as images (the preview, printing to a printer) or as a smaller PDF.

PySide6-Essentials has no QtPdf, so PDFium (pypdfium2) does the rendering. PDFium is not
thread-safe: every call into it holds one lock and closes what it opened before letting go,
so the preview's page view and its thumbnails may render from two workers at once.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from PIL import Image

from app.core.errors import UserError
from app.core.printing.common import CancelFn, PrintCancelled, atomic_output, never

POINTS_PER_INCH = 72.0
MIN_DPI = 10
MAX_DPI = 600  # a page at 600 dpi is ≈ 35 Mpx already; more only costs memory

_PDFIUM_LOCK = threading.RLock()


class UnreadablePdfError(UserError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"Không đọc được tệp PDF “{path.name}”: tệp không tồn tại, bị hỏng hoặc không phải PDF."
        )


def _open(path: Path) -> Any:
    """The PDF at ``path`` opened by PDFium (call with the lock held)."""
    try:
        return pdfium.PdfDocument(Path(path))
    except (pdfium.PdfiumError, OSError, ValueError) as exc:
        raise UnreadablePdfError(Path(path)) from exc


@contextlib.contextmanager
def _document(path: Path) -> Iterator[Any]:
    """The open PDF, under the PDFium lock; closed on leaving."""
    with _PDFIUM_LOCK:
        pdf = _open(path)
        try:
            yield pdf
        finally:
            pdf.close()


def page_count(path: Path) -> int:
    """How many pages the PDF at ``path`` has."""
    with _document(path) as pdf:
        return len(pdf)


def page_sizes(path: Path) -> list[tuple[float, float]]:
    """Width and height of every page in points (1/72 inch)."""
    sizes: list[tuple[float, float]] = []
    with _document(path) as pdf:
        for index in range(len(pdf)):
            width, height = pdf.get_page_size(index)  # from the page tree: no page is loaded
            sizes.append((float(width), float(height)))
    return sizes


def _check_index(index: int, total: int) -> None:
    if index < 0:
        raise UserError("Số trang bắt đầu từ 1.")
    if index >= total:
        raise UserError(f"Trang {index + 1} vượt quá số trang ({total}).")


def _render(pdf: Any, index: int, dpi: float) -> Image.Image:
    page = pdf[index]
    try:
        bitmap = page.render(scale=min(max(dpi, MIN_DPI), MAX_DPI) / POINTS_PER_INCH)
        try:
            image: Image.Image = bitmap.to_pil().convert("RGB")  # a copy: the bitmap is freed
        finally:
            bitmap.close()
    finally:
        page.close()
    return image


def render_page(path: Path, index: int, dpi: float = 96) -> Image.Image:
    """Page ``index`` (0-based) as an RGB image at ``dpi`` dots per inch."""
    with _document(path) as pdf:
        _check_index(index, len(pdf))
        return _render(pdf, index, dpi)


def render_pages(
    path: Path, indices: list[int], dpi: float = 96, cancel: CancelFn = never
) -> Iterator[Image.Image]:
    """The pages ``indices`` one by one: a generator, so a long document is streamed.

    The lock is held while opening, while each page renders and while closing, not in
    between, so another worker's page can render meanwhile. ``cancel`` is polled before
    each page and raises :class:`PrintCancelled`.
    """
    with _PDFIUM_LOCK:
        pdf = _open(path)
    try:
        for index in indices:
            if cancel():
                raise PrintCancelled()
            with _PDFIUM_LOCK:
                _check_index(index, len(pdf))
                image = _render(pdf, index, dpi)
            yield image
    finally:
        with _PDFIUM_LOCK:
            pdf.close()


def save_png(path: Path, index: int, out: Path, dpi: float = 96) -> tuple[int, int]:
    """Page ``index`` as a PNG file; returns its pixel size."""
    image = render_page(path, index, dpi)
    with atomic_output(out) as tmp:
        image.save(tmp, format="PNG")
    return image.size


def extract_pages(src: Path, out: Path, indices: list[int]) -> int:
    """A new PDF at ``out`` holding pages ``indices`` (0-based) of ``src``, fonts and all.

    ``out`` must not be ``src`` (Windows cannot replace an open file). Returns the page count.
    """
    with _document(src) as pdf:
        for index in indices:
            _check_index(index, len(pdf))
        part = pdfium.PdfDocument.new()
        try:
            part.import_pages(pdf, list(indices))
            with atomic_output(out) as tmp:
                part.save(tmp)
            return len(part)
        finally:
            part.close()
