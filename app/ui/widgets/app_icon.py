"""The application icon: an open book with "KH", drawn with QPainter.

The shipped files in ``resources/icons/`` are made by this module
(``python -m app.ui.widgets.app_icon``), so the icon has no external source.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QImage, QPainter, QPainterPath, QPen

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
BLUE = QColor("#1f5fa8")
DARK_BLUE = QColor("#163f70")
PAGE = QColor("#fdfaf0")
RED = QColor("#c0392b")


def draw_icon(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size / 64, size / 64)
    # Cover (rounded square).
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(BLUE))
    p.drawRoundedRect(QRectF(2, 2, 60, 60), 12, 12)
    # Two open pages meeting at the spine.
    p.setBrush(QBrush(PAGE))
    p.setPen(QPen(DARK_BLUE, 1.2))
    for sign in (-1, 1):
        path = QPainterPath(QPointF(32, 20))
        path.cubicTo(
            QPointF(32 + sign * 8, 15), QPointF(32 + sign * 18, 15), QPointF(32 + sign * 25, 18)
        )
        path.lineTo(QPointF(32 + sign * 25, 50))
        path.cubicTo(QPointF(32 + sign * 18, 47), QPointF(32 + sign * 8, 47), QPointF(32, 52))
        path.closeSubpath()
        p.drawPath(path)
    p.setPen(QPen(DARK_BLUE, 1.6))
    p.drawLine(QPointF(32, 20), QPointF(32, 52))
    # "KH" across the pages.
    font = QFont("DejaVu Sans")
    font.setBold(True)
    font.setPixelSize(19)
    p.setFont(font)
    p.setPen(RED)
    p.drawText(QRectF(7, 22, 50, 26), Qt.AlignmentFlag.AlignCenter, "KH")
    p.end()
    return image


def icon_dir() -> Path:
    from app import paths

    return paths.resources_dir() / "icons"


def app_icon() -> QIcon:
    """The window icon: the shipped PNGs if present, else drawn now."""
    icon = QIcon()
    folder = icon_dir()
    for size in ICON_SIZES:
        file = folder / f"app-{size}.png"
        if file.exists():
            icon.addFile(str(file))
    if icon.isNull():
        from PySide6.QtGui import QPixmap

        for size in (16, 32, 64):
            icon.addPixmap(QPixmap.fromImage(draw_icon(size)))
    return icon


def png_bytes(image: QImage) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(sizes: tuple[int, ...] = (16, 24, 32, 48, 256)) -> bytes:
    """A Windows .ico holding one PNG per size (the format Vista and later read)."""
    images = [png_bytes(draw_icon(size)) for size in sizes]
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, blobs = b"", b""
    for size, blob in zip(sizes, images, strict=True):
        dim = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
        blobs += blob
    return header + entries + blobs


def write_icon_files(folder: Path) -> list[Path]:
    """Write app-<size>.png for a few sizes and a multi-size app.ico (Windows)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for size in (16, 32, 48, 256):
        path = folder / f"app-{size}.png"
        draw_icon(size).save(str(path), "PNG")
        written.append(path)
    ico = folder / "app.ico"
    ico.write_bytes(ico_bytes())
    written.append(ico)
    return written


if __name__ == "__main__":  # pragma: no cover - a maintenance tool
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication(sys.argv)
    for out in write_icon_files(Path(sys.argv[1]) if len(sys.argv) > 1 else icon_dir()):
        print(out)
