"""Read QR codes from a photo, a scan, or a PDF we printed (zxing-cpp wheel + Pillow;
PDF pages are rendered by PDFium, :mod:`app.core.printing.preview`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.core.errors import UserError

PHOTO_FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "GIF")
MAX_PIXELS = 40_000_000  # a 40-megapixel photo

PDF_DPI = 200  # a 30 mm QR at 200 dpi has ≈ 5 pixels a module: zxing reads it at once
PDF_MAX_PAGES = 5  # a key sheet is one page; a few more in case it was printed with others


def _zxing() -> Any:
    try:
        import zxingcpp
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise UserError(
            "Thiếu bộ đọc mã QR (zxing-cpp); hãy dán nội dung mã thay cho ảnh."
        ) from exc
    return zxingcpp


def _qr_texts(image: Any) -> list[str]:
    zxingcpp = _zxing()
    found = zxingcpp.read_barcodes(image.convert("L"))
    return [r.text for r in found if r.format == zxingcpp.BarcodeFormat.QRCode and r.text]


def is_pdf(path: Path) -> bool:
    """By content, not only by name: a PDF saved without its ending is still one."""
    try:
        with path.open("rb") as handle:
            return handle.read(5) == b"%PDF-"
    except OSError:
        return False


def read_qr_payloads(path: Path) -> list[str]:
    """Every QR text found in the image or PDF; UserError when none."""
    if is_pdf(path):
        return read_pdf_qr_payloads(path)
    from PIL import Image

    _zxing()
    try:
        # Only the formats a phone or a scanner gives (no TIFF, PSD, …: fewer decoders
        # reachable by a file from outside), and no image larger than a photo.
        with Image.open(path, formats=PHOTO_FORMATS) as image:
            if image.width * image.height > MAX_PIXELS:
                raise UserError(
                    f"Ảnh {path.name} quá lớn ({image.width}×{image.height} điểm): "
                    "hãy chụp hoặc quét lại với độ phân giải thấp hơn."
                )
            texts = _qr_texts(image)
    except (OSError, Image.DecompressionBombError) as exc:
        raise UserError(
            f"Không mở được ảnh {path.name} (chỉ đọc ảnh {', '.join(PHOTO_FORMATS)}): {exc}."
        ) from exc
    if not texts:
        raise UserError(f"Không tìm thấy mã QR trong ảnh {path.name}.")
    return texts


def read_pdf_qr_payloads(path: Path, dpi: float = PDF_DPI) -> list[str]:
    """Every QR text on the first pages of a PDF (the printed key sheet itself)."""
    from app.core.printing import preview

    _zxing()
    pages = min(preview.page_count(path), PDF_MAX_PAGES)
    texts: list[str] = []
    for index in range(pages):
        texts += _qr_texts(preview.render_page(path, index, dpi))
    if not texts:
        raise UserError(f"Không tìm thấy mã QR trong tệp PDF {path.name}.")
    return texts
