"""The key registration sheet ("Phiếu đăng ký khóa"): one A4 page the commune signs and
hands to the province, so the province can pin the commune's signing key.

It carries the commune, the installation id, the key id, the fingerprint in large
groups (to compare by eye or read over the phone) and a QR code holding the very
registration JSON that ``khuyenhoc keys registration`` writes, which the province can
accept from a photo of the sheet.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from app.core import settings
from app.core.db import Database
from app.core.printing import fonts
from app.core.printing.certificates import qr_modules, qr_operators
from app.core.printing.common import MM, PrintResult, atomic_output, place_date, place_of

PAGE = A4
TITLE = "Phiếu đăng ký khóa"
MARGIN = 20 * MM
QR_SIZE = 62 * MM


def registration_payload(registration: dict[str, Any]) -> str:
    """The QR text: the registration as compact JSON (what accept-key reads back)."""
    return json.dumps(registration, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def fingerprint_lines(fingerprint: str) -> list[str]:
    """'ABCD-EF01-…' (8 groups) → two lines of four groups, spaced for reading aloud."""
    groups = fingerprint.split("-")
    return ["   ".join(groups[i : i + 4]) for i in range(0, len(groups), 4)]


def _text(c: Canvas, x: float, y: float, text: str, font: str, size: float) -> None:
    c.setFont(font, size)
    c.drawString(x, y, fonts.nfc(text))


def _centred(
    c: Canvas, y: float, text: str, font: str, size: float, x: float | None = None
) -> None:
    c.setFont(font, size)
    c.drawCentredString(PAGE[0] / 2 if x is None else x, y, fonts.nfc(text))


def _draw_qr(c: Canvas, payload: str, left: float, top: float, size: float) -> None:
    rows = qr_modules(payload)
    n = len(rows)
    module = size / (n + 8)  # 4-module quiet zone each side, as the standard asks
    x0, y0 = left + 4 * module, top - size + 4 * module
    c.saveState()
    c.setFillColorRGB(0, 0, 0)
    c.addLiteral(f"1 0 0 1 {x0:.2f} {y0:.2f} cm {module:.4f} 0 0 {module:.4f} 0 0 cm")
    c.addLiteral(qr_operators(rows) + "\nf")
    c.restoreState()


def _details(c: Canvas, y: float, rows: list[tuple[str, str]]) -> float:
    for label, value in rows:
        _text(c, MARGIN, y, label, fonts.SERIF, 12)
        value_lines = fonts.wrap(value, fonts.SERIF_BOLD, 12, PAGE[0] - 2 * MARGIN - 48 * MM)
        for line in value_lines or [""]:
            _text(c, MARGIN + 48 * MM, y, line, fonts.SERIF_BOLD, 12)
            y -= 6.5 * MM
    return y


def _header(c: Canvas, top: float, association: str, place: str, day: dt.date) -> None:
    """The association on the left, the national motto on the right (as on every form)."""
    left_x, right_x = MARGIN + 34 * MM, PAGE[0] - MARGIN - 48 * MM
    head, _, rest = fonts.nfc(association).partition("Hội Khuyến học ")
    parts = ["HỘI KHUYẾN HỌC", rest.upper()] if not head and rest else [association.upper()]
    lines = [ln for part in parts for ln in fonts.wrap(part, fonts.SERIF_BOLD, 12, 66 * MM)]
    y = top
    for line in lines[:3]:
        _centred(c, y, line, fonts.SERIF_BOLD, 12, left_x)
        y -= 5.5 * MM
    c.setLineWidth(0.6)
    c.line(left_x - 15 * MM, y + 4 * MM, left_x + 15 * MM, y + 4 * MM)
    nation = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    size = fonts.fit_size(nation, fonts.SERIF_BOLD, 12, 94 * MM, 10)
    _centred(c, top, nation, fonts.SERIF_BOLD, size, right_x)
    motto = "Độc lập - Tự do - Hạnh phúc"
    _centred(c, top - 5.5 * MM, motto, fonts.SERIF_BOLD, 13, right_x)
    half = fonts.width(motto, fonts.SERIF_BOLD, 13) / 2
    c.line(right_x - half, top - 7 * MM, right_x + half, top - 7 * MM)
    if place:
        _centred(c, top - 13 * MM, place_date(place, day), fonts.SERIF_ITALIC, 12, right_x)


def _signatures(c: Canvas, y: float, info: settings.CommuneInfo | None) -> None:
    left_x, right_x = PAGE[0] * 0.28, PAGE[0] * 0.72
    _centred(c, y, "NGƯỜI LẬP PHIẾU", fonts.SERIF_BOLD, 12, left_x)
    _centred(c, y, "CHỦ TỊCH HỘI", fonts.SERIF_BOLD, 12, right_x)
    y -= 5.5 * MM
    _centred(c, y, "(Ký, ghi rõ họ tên)", fonts.SERIF_ITALIC, 11, left_x)
    _centred(c, y, "(Ký, ghi rõ họ tên, đóng dấu)", fonts.SERIF_ITALIC, 11, right_x)
    y -= 24 * MM
    if info:
        _centred(c, y, info.secretary_name, fonts.SERIF_BOLD, 12, left_x)
        _centred(c, y, info.chairman_name, fonts.SERIF_BOLD, 12, right_x)


def _province_part(c: Canvas, y: float) -> None:
    c.setDash(3, 3)
    c.line(MARGIN, y, PAGE[0] - MARGIN, y)
    c.setDash()
    y -= 7 * MM
    _text(c, MARGIN, y, "Phần dành cho tỉnh:", fonts.SERIF_BOLD, 12)
    for line in (
        "Ngày nhận phiếu: ……/……/…………    Người đối chiếu vân tay: ……………………………………",
        "Đã chấp nhận khóa trên phần mềm (khuyenhoc province accept-key): □",
    ):
        y -= 7 * MM
        _text(c, MARGIN, y, line, fonts.SERIF, 12)


@contextlib.contextmanager
def association_sheet(
    db: Database, out: Path, title: str, day: dt.date | None = None
) -> Iterator[tuple[Canvas, float]]:
    """One A4 page under the association's header, written to ``out`` only when complete.

    Yields the canvas and the height below the header; the page is saved on leaving.
    Shared by the key registration sheet and the account recovery sheet.
    """
    fonts.register_fonts()
    info = settings.get_commune(db)
    day = day or dt.date.today()
    with atomic_output(out) as tmp:
        c = Canvas(str(tmp), pagesize=PAGE, pageCompression=1, initialFontName=fonts.SERIF)
        c.setTitle(title)
        c.setAuthor("Sổ Khuyến Học")
        y = PAGE[1] - MARGIN
        association = (info.association_name if info else "") or "Hội Khuyến học"
        _header(c, y, association, place_of(info.name) if info else "", day)
        yield c, y
        c.showPage()
        c.save()


def write_key_sheet(db: Database, out: Path, *, day: dt.date | None = None) -> PrintResult:
    """Write the commune's key registration sheet to ``out`` (one A4 page)."""
    from app.core.sync import state, upper

    state.require_commune(db)
    reg = upper.registration(db)
    info = settings.get_commune(db)
    config = state.province_config(db)
    province = config.province_name if config else "Hội Khuyến học tỉnh"
    with association_sheet(db, out, TITLE, day) as (c, y):
        w = PAGE[0]
        y -= 26 * MM
        _centred(c, y, "PHIẾU ĐĂNG KÝ KHÓA KÝ GÓI DỮ LIỆU", fonts.SERIF_BOLD, 17)
        y -= 7 * MM
        _centred(c, y, f"Nộp cho {province}", fonts.SERIF_ITALIC, 13)
        y -= 11 * MM
        where = f"{info.name}, {info.province_name}" if info else ""
        y = _details(
            c,
            y,
            [
                ("Xã, phường:", where),
                ("Mã xã:", reg["commune_code"]),
                ("Mã cài đặt (máy):", reg["installation_id"]),
                ("Mã khóa:", reg["key_id"]),
            ],
        )
        y -= 4 * MM
        _text(c, MARGIN, y, "Vân tay khóa:", fonts.SERIF, 12)
        y -= 12 * MM
        for line in fingerprint_lines(reg["fingerprint"]):
            _centred(c, y, line, fonts.SERIF_BOLD, 26)
            y -= 12 * MM
        _draw_qr(c, registration_payload(reg), (w - QR_SIZE) / 2, y, QR_SIZE)
        y -= QR_SIZE + 5 * MM
        for line in fonts.wrap(
            "Tỉnh đối chiếu vân tay trên phiếu với vân tay đọc qua điện thoại, rồi chấp "
            "nhận khóa bằng ảnh chụp mã QR hoặc tệp phiếu đăng ký. Từ đó tỉnh chỉ nhận "
            "gói dữ liệu được ký bằng khóa này.",
            fonts.SERIF_ITALIC,
            11,
            w - 2 * MARGIN,
        ):
            _text(c, MARGIN, y, line, fonts.SERIF_ITALIC, 11)
            y -= 5 * MM
        y -= 5 * MM
        _signatures(c, y, info)
        _province_part(c, MARGIN + 24 * MM)
    return PrintResult(out, 1, 1, TITLE.lower())
