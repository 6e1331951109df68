"""Read certificate QR codes from a photo or scan (zxing-cpp wheel + Pillow)."""

from __future__ import annotations

from pathlib import Path

from app.core.errors import UserError

PHOTO_FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "GIF")
MAX_PIXELS = 40_000_000  # a 40-megapixel photo


def read_qr_payloads(path: Path) -> list[str]:
    """Every QR text found in the image; UserError when none (or the decoder is missing)."""
    try:
        import zxingcpp
        from PIL import Image
    except ImportError as exc:  # pragma: no cover - both are declared dependencies
        raise UserError(
            "Thiếu bộ đọc mã QR (zxing-cpp); hãy dán nội dung mã thay cho ảnh."
        ) from exc
    try:
        # Only the formats a phone or a scanner gives (no TIFF, PSD, …: fewer decoders
        # reachable by a file from outside), and no image larger than a photo.
        with Image.open(path, formats=PHOTO_FORMATS) as image:
            if image.width * image.height > MAX_PIXELS:
                raise UserError(
                    f"Ảnh {path.name} quá lớn ({image.width}×{image.height} điểm): "
                    "hãy chụp hoặc quét lại với độ phân giải thấp hơn."
                )
            found = zxingcpp.read_barcodes(image.convert("L"))
    except (OSError, Image.DecompressionBombError) as exc:
        raise UserError(
            f"Không mở được ảnh {path.name} (chỉ đọc ảnh {', '.join(PHOTO_FORMATS)}): {exc}."
        ) from exc
    texts = [r.text for r in found if r.format == zxingcpp.BarcodeFormat.QRCode and r.text]
    if not texts:
        raise UserError(f"Không tìm thấy mã QR trong ảnh {path.name}.")
    return texts
