"""Recognition certificates (giấy công nhận): A4 landscape, one page each, signed QR.

The static artwork (border, motto, title) is drawn once into a PDF form XObject and
reused on every page, so 1,000 certificates stay small and fast. Pages are handed to
ReportLab one by one; the caller's iterable is consumed lazily.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import segno
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from app.core.printing import fonts
from app.core.printing.common import (
    MM,
    CancelFn,
    PrintCancelled,
    ProgressFn,
    atomic_output,
    never,
    no_progress,
)
from app.core.printing.seal import CertificateRecord, Signer
from app.core.printing.templates import CertificateTemplate, Element

PAGE = landscape(A4)
FORM = "kh-certificate-static"


@dataclass(frozen=True)
class CertificateData:
    record: CertificateRecord
    address: str
    decision_date: str  # dd/mm/yyyy
    decision_issuer: str
    place: str
    day: str
    month: str
    year_signed: str
    signer_title: str
    signer_name: str
    issuer_1: str
    issuer_2: str
    signer_behalf: str = ""  # "TM. ỦY BAN NHÂN DÂN" above the signer's title
    decision_number_shown: str = ""  # "15/QĐ-UBND" where the record holds "15"

    def values(self, key_id: str) -> dict[str, str]:
        r = self.record
        return {
            "name": r.name,
            "year": str(r.year),
            "register_no": f"{r.year}/{r.entity_id}",
            "key_id": key_id,
            **{k: v for k, v in self.__dict__.items() if k != "record"},
            "decision_number": self.decision_number_shown or r.decision_number,
        }


@dataclass(frozen=True)
class Placement:
    """Where one element's lines land: font, size and (x, baseline y) in points."""

    font: str
    size: float
    lines: list[tuple[str, float, float]]
    align: str
    max_width: float | None


def _fill(text: str, values: dict[str, str]) -> str:
    """Placeholders filled, spaces collapsed; a line break in a value is kept."""
    out = text
    for key, value in values.items():
        out = out.replace("{" + key + "}", value)
    lines = [" ".join(line.split()) for line in out.split("\n")]
    return fonts.nfc("\n".join(line for line in lines if line))


def place(element: Element, text: str, dx: float = 0.0, dy: float = 0.0) -> Placement:
    """Fit ``text`` into the element's box: shrink to min_size, then wrap (never overflow)."""
    font = fonts.font_for(element.style)
    max_w = element.max_width * MM if element.max_width else None
    size = element.size
    lines = text.split("\n")
    explicit = len(lines) > 1
    if explicit:  # lines given by the text itself: one size that fits them all
        if max_w is not None:
            low = element.min_size or element.size
            size = min(fonts.fit_size(line, font, element.size, max_w, low) for line in lines)
    elif max_w is not None:
        size, lines = fonts.fit_lines(
            text, font, element.size, max_w, element.min_size or element.size, element.max_lines
        )
    x = (element.x + dx) * MM
    top = PAGE[1] - (element.y + dy) * MM
    step = size * element.line_gap
    # A wrapped block stays centred on y; lines the text gives itself run down from y.
    first = top if explicit else top + step * (len(lines) - 1) / 2
    return Placement(
        font,
        size,
        [(line, x, first - i * step) for i, line in enumerate(lines)],
        element.align,
        max_w,
    )


def _draw(c: Canvas, element: Element, text: str, dx: float = 0.0, dy: float = 0.0) -> None:
    if not text.strip():
        return
    p = place(element, text, dx, dy)
    c.setFillColor(HexColor(element.color))
    c.setFont(p.font, p.size)
    for line, x, y in p.lines:
        if p.align == "center":
            c.drawCentredString(x, y, line)
        elif p.align == "right":
            c.drawRightString(x, y, line)
        else:
            c.drawString(x, y, line)
        if element.underline:
            w = fonts.width(line, p.font, p.size) * 0.45
            start = {"center": x - w, "right": x - 2 * w}.get(p.align, x)
            c.setLineWidth(0.6)
            c.setStrokeColor(HexColor(element.color))
            c.line(start, y - 3.5, start + 2 * w, y - 3.5)


def _border(c: Canvas, spec: dict[str, object]) -> None:
    color = HexColor(str(spec.get("color", "#8B1A1A")))
    accent = HexColor(str(spec.get("accent", "#C8A040")))
    outer = float(str(spec.get("outer_mm", 8))) * MM
    inner = float(str(spec.get("inner_mm", 12))) * MM
    w, h = PAGE
    c.setStrokeColor(color)
    c.setLineWidth(3)
    c.rect(outer, outer, w - 2 * outer, h - 2 * outer)
    c.setLineWidth(0.8)
    c.rect(outer + 4, outer + 4, w - 2 * outer - 8, h - 2 * outer - 8)
    c.setStrokeColor(accent)
    c.setLineWidth(1.5)
    c.rect(inner, inner, w - 2 * inner, h - 2 * inner)
    # corner ornaments: nested diamonds
    c.setFillColor(accent)
    for cx, cy in ((inner, inner), (w - inner, inner), (inner, h - inner), (w - inner, h - inner)):
        for r, fill in ((9, 1), (5, 0)):
            p = c.beginPath()
            p.moveTo(cx, cy - r)
            p.lineTo(cx + r, cy)
            p.lineTo(cx, cy + r)
            p.lineTo(cx - r, cy)
            p.close()
            c.drawPath(p, stroke=1, fill=fill)
    # a dotted ribbon under the title area
    c.setStrokeColor(color)
    c.setDash(1, 3)
    c.setLineWidth(1)
    c.line(w / 2 - 90, h - 88 * MM, w / 2 + 90, h - 88 * MM)
    c.setDash()


_DARK = bytes(1 if i < 128 else 0 for i in range(256))  # zxing image: 0 = black module
_RUNS = re.compile(b"\x01+")


def qr_modules(payload: str) -> list[bytes]:
    """The QR code's rows, one byte per module (1 = dark), error correction level M.

    zxing-cpp's C++ encoder is used when present (≈1 ms a code); segno, pure Python
    (≈2.5 ms with its mask search turned off), is the fallback. Both are standard
    QR codes that any phone reads.
    """
    try:
        import zxingcpp
    except ImportError:  # pragma: no cover - zxing-cpp is a declared dependency
        return segno_modules(payload)
    if not hasattr(zxingcpp, "create_barcode"):  # pragma: no cover - zxing-cpp < 2.3
        return segno_modules(payload)
    code = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    view = memoryview(code.to_image(scale=1, add_quiet_zones=False))  # type: ignore[arg-type]
    n = int(view.shape[0]) if view.shape else 0
    raw = bytes(view).translate(_DARK)
    return [raw[i * n : (i + 1) * n] for i in range(n)]


def segno_modules(payload: str) -> list[bytes]:
    code = segno.make(payload, error="m", micro=False, mask=2, boost_error=False)
    return [bytes(bit & 1 for bit in row) for row in code.matrix]


def qr_operators(rows: list[bytes]) -> str:
    """Dark runs as PDF ``re`` operators in module units (row 0 at the top)."""
    n = len(rows)
    return "\n".join(
        f"{m.start()} {n - r - 1} {m.end() - m.start()} 1 re"
        for r, row in enumerate(rows)
        for m in _RUNS.finditer(row)
    )


def _qr(c: Canvas, payload: str, x_mm: float, y_mm: float, size_mm: float) -> None:
    """Draw the QR as filled runs of dark modules, in one literal path (no image)."""
    rows = qr_modules(payload)
    n, ops = len(rows), qr_operators(rows)
    module = size_mm * MM / (n + 2)  # a 1-module quiet zone each side (the page is white)
    left = x_mm * MM + module
    bottom = PAGE[1] - (y_mm + size_mm) * MM + module
    c.saveState()
    c.setFillColorRGB(0, 0, 0)
    c.addLiteral(f"1 0 0 1 {left:.2f} {bottom:.2f} cm {module:.4f} 0 0 {module:.4f} 0 0 cm")
    c.addLiteral(ops + "\nf")
    c.restoreState()


def _static_form(c: Canvas, template: CertificateTemplate) -> None:
    c.beginForm(FORM)
    _border(c, template.border)
    for element in template.elements:
        if element.static:
            _draw(c, element, _fill(element.text, template.vars))
    c.endForm()


def render_certificates(
    out: Path,
    items: Iterable[CertificateData],
    template: CertificateTemplate,
    signer: Signer,
    *,
    total: int,
    preprinted: bool = False,
    offset_mm: tuple[float, float] = (0.0, 0.0),
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never,
) -> int:
    """Write one certificate page per item to ``out``; returns the page count.

    ``preprinted``: bought blanks already carry the border, motto and title — print
    only the variable text, moved by ``offset_mm`` (dx, dy) to match the paper.
    """
    fonts.register_fonts()
    dx, dy = offset_mm if preprinted else (0.0, 0.0)
    pages = 0
    with atomic_output(out) as tmp:
        c = Canvas(str(tmp), pagesize=PAGE, pageCompression=1, initialFontName=fonts.SERIF)
        c.setTitle("Giấy công nhận")
        c.setAuthor("Sổ Khuyến Học")
        if not preprinted:
            _static_form(c, template)
        qr = template.qr
        for item in items:
            if cancel():
                raise PrintCancelled()
            values = {**template.vars, **item.values(signer.key_id)}
            if not preprinted:
                c.doForm(FORM)
            for element in template.elements:
                if element.static:
                    continue
                _draw(c, element, _fill(element.text, values), dx, dy)
            if qr:
                _qr(c, signer.payload(item.record), qr["x"] + dx, qr["y"] + dy, qr["size"])
            c.showPage()
            pages += 1
            if pages % 25 == 0 or pages == total:
                progress(pages, total)
        if pages == 0:
            from app.core.errors import ValidationError

            raise ValidationError("Không có giấy công nhận nào để in.")
        c.save()
    return pages
