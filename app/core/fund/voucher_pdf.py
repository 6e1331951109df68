"""A printed phiếu thu / phiếu chi: two copies (liên) on one A4 page, amount in words.

Drawn with ReportLab in the bundled Liberation Serif (metric-compatible with Times
New Roman), so the PDF looks the same on every laptop. ReportLab ships no type
stubs, hence the dynamic imports.
"""

from __future__ import annotations

import importlib
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from app.core import settings
from app.core.db import Database
from app.core.fund.ledger import Voucher, voucher
from app.paths import resources_dir

FONT, FONT_BOLD, FONT_ITALIC = "KHFund-Serif", "KHFund-Serif-Bold", "KHFund-Serif-Italic"
MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM
SIGNERS_RECEIPT = ("Chủ tịch Hội", "Kế toán", "Người nộp tiền", "Thủ quỹ")
SIGNERS_PAYMENT = ("Chủ tịch Hội", "Kế toán", "Thủ quỹ", "Người nhận tiền")


@cache
def _fonts() -> None:
    pdfmetrics = importlib.import_module("reportlab.pdfbase.pdfmetrics")
    ttfonts = importlib.import_module("reportlab.pdfbase.ttfonts")
    folder = resources_dir() / "fonts"
    for name, filename in (
        (FONT, "LiberationSerif-Regular.ttf"),
        (FONT_BOLD, "LiberationSerif-Bold.ttf"),
        (FONT_ITALIC, "LiberationSerif-Italic.ttf"),
    ):
        pdfmetrics.registerFont(ttfonts.TTFont(name, str(folder / filename)))


def _t(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _copy(c: Any, v: Voucher, association: str, top: float, copy_no: int) -> None:
    """One copy of the voucher in the half page whose top edge is ``top``."""
    left, right = 20 * MM, PAGE_W - 20 * MM
    receipt = v.voucher_no.startswith("PT")
    c.setFont(FONT_BOLD, 11)
    c.drawString(left, top - 15 * MM, _t(association.upper()))
    c.setFont(FONT, 10)
    c.drawRightString(right, top - 15 * MM, _t(f"Số: {v.voucher_no}"))
    c.drawRightString(right, top - 20 * MM, _t(f"Liên {copy_no}"))
    c.setFont(FONT_BOLD, 16)
    c.drawCentredString(PAGE_W / 2, top - 30 * MM, _t(v.title))
    c.setFont(FONT_ITALIC, 11)
    day = v.entry_date
    c.drawCentredString(PAGE_W / 2, top - 36 * MM, _t(f"Ngày {day:%d} tháng {day:%m} năm {day:%Y}"))
    who = "Họ và tên người nộp tiền" if receipt else "Họ và tên người nhận tiền"
    why = "Lý do nộp" if receipt else "Lý do chi"
    lines = (
        f"{who}: {v.party_name}",
        f"{why}: {v.purpose}",
        f"Số tiền: {v.amount_text}",
        f"(Viết bằng chữ): {v.amount_words}.",
        f"Hình thức: {v.method_label}",
    )
    c.setFont(FONT, 12)
    y = top - 47 * MM
    for line in lines:
        c.drawString(left, y, _t(line))
        y -= 7 * MM
    signers = SIGNERS_RECEIPT if receipt else SIGNERS_PAYMENT
    width = (right - left) / len(signers)
    y -= 3 * MM
    for index, title in enumerate(signers):
        x = left + width * (index + 0.5)
        c.setFont(FONT_BOLD, 11)
        c.drawCentredString(x, y, _t(title))
        c.setFont(FONT_ITALIC, 9)
        c.drawCentredString(x, y - 5 * MM, _t("(Ký, họ tên)"))
    if v.cancelled:
        c.saveState()
        c.setFont(FONT_BOLD, 40)
        c.setFillGray(0.75)
        c.translate(PAGE_W / 2, top - 70 * MM)
        c.rotate(20)
        c.drawCentredString(0, 0, _t("ĐÃ HỦY"))
        c.restoreState()


def render_voucher(db: Database, entry_id: int, out: Path) -> Path:
    """Write the voucher of one entry to ``out`` (two copies on one A4 page)."""
    _fonts()
    canvas = importlib.import_module("reportlab.pdfgen.canvas")
    v = voucher(db, entry_id)
    commune = settings.get_commune(db)
    association = (commune.association_name if commune else "") or "Hội Khuyến học"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    c = canvas.Canvas(str(tmp), pagesize=(PAGE_W, PAGE_H))
    c.setTitle(_t(f"{v.title} {v.voucher_no}"))
    _copy(c, v, association, PAGE_H, 1)
    c.setDash(3, 3)
    c.line(10 * MM, PAGE_H / 2, PAGE_W - 10 * MM, PAGE_H / 2)
    c.setDash()
    _copy(c, v, association, PAGE_H / 2, 2)
    c.showPage()
    c.save()
    tmp.replace(out)
    return out
