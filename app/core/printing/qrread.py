"""Read certificate QR codes from a photo or scan (zxing-cpp wheel + Pillow)."""

from __future__ import annotations

from pathlib import Path

from app.core.errors import UserError


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
        with Image.open(path) as image:
            found = zxingcpp.read_barcodes(image.convert("L"))
    except OSError as exc:
        raise UserError(f"Không mở được ảnh {path.name}: {exc}.") from exc
    texts = [r.text for r in found if r.format == zxingcpp.BarcodeFormat.QRCode and r.text]
    if not texts:
        raise UserError(f"Không tìm thấy mã QR trong ảnh {path.name}.")
    return texts
