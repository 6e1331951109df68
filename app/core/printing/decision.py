"""Recognition decisions (quyết định công nhận) laid out per NĐ 30/2020, PDF and .docx.

One :class:`DecisionContent` holds the wording (from ``resources/templates/decision.json``)
and the annex rows; two renderers lay it out: ReportLab platypus for the PDF, python-docx
for the editable Word file (Times New Roman, which Word on Windows has).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from app.core.assessment import MODELS, issuers
from app.core.assessment.entities import ENTITY_LABELS
from app.core.db import Database
from app.core.errors import ValidationError
from app.core.printing import data, docx_layout, fonts
from app.core.printing.common import (
    MM,
    CancelFn,
    PrintCancelled,
    PrintResult,
    ProgressFn,
    administrative_pdf,
    atomic_output,
    date_parts,
    never,
    no_progress,
    place_date,
)
from app.core.printing.templates import template_dirs

ANNEX_HEAD = ("STT", "Họ và tên / Tên", "Địa chỉ", "Kết quả")


@dataclass(frozen=True)
class DecisionContent:
    issuer_1: str  # ỦY BAN NHÂN DÂN
    issuer_2: str  # XÃ KHOÁI CHÂU
    number_line: str  # Số: 41/QĐ-UBND
    place_date: str
    title: str  # QUYẾT ĐỊNH
    subject: str  # Về việc công nhận …
    authority: str  # ỦY BAN NHÂN DÂN XÃ KHOÁI CHÂU
    grounds: list[str]
    articles: list[str]
    recipients: list[str]
    signer_block: list[str]
    signer_name: str
    annex_title: str
    annex_subject: str
    annex_note: str
    annex_rows: list[tuple[str, str, str, str]]


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return fonts.nfc(text)


def _wording(db: Database, issuer: str = issuers.COMMITTEE) -> dict[str, list[str]]:
    """The decision's wording for ``issuer``: the file's top-level lists are the
    People's Committee's; an ``"association"`` section overrides them for the association."""
    for folder in template_dirs(db.data_dir):
        path = folder / "decision.json"
        if path.exists():
            try:
                raw = json.loads(path.read_text("utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise ValidationError(f"Mẫu quyết định {path} bị lỗi: {exc}.") from exc
            section = raw.get(issuer) if issuer != issuers.COMMITTEE else None
            merged = {**raw, **section} if isinstance(section, dict) else raw
            return {k: [str(x) for x in v] for k, v in merged.items() if isinstance(v, list)}
    raise ValidationError("Thiếu mẫu quyết định (decision.json).")


def number_line(number: str, suffix: str = "QĐ-UBND") -> str:
    """'41' → 'Số: 41/QĐ-UBND' (or the association's suffix); a full number is kept as typed."""
    return f"Số: {data.full_number(number, suffix)}"


def decision_content(db: Database, decision: data.DecisionInfo) -> DecisionContent:
    head = data.heading(db)
    rows = data.recognised_rows(db, decision)
    issuer = data.decision_issuer(db, decision)
    body = head.body(issuer)
    signer = data.decision_signer(db, decision, issuer)
    wording = _wording(db, issuer)
    commune_lower = head.commune_name[:1].lower() + head.commune_name[1:]
    values = {
        "commune": head.commune_name,
        "commune_lower": commune_lower,
        "association": head.association_name,
        "upper_association": head.upper_association,
        "issuer": body.mid_sentence,
        "model_title": MODELS[decision.model],
        "entity_label": ENTITY_LABELS[decision.model],
        "count": str(len(rows)),
        "year": str(decision.year),
    }
    d = date_parts(decision.decision_date)
    subject = f"Về việc công nhận danh hiệu “{MODELS[decision.model]}” năm {decision.year}"
    lines = issuers.signature_lines(issuer, signer.title)
    template_block = [_fill(s, values) for s in wording.get("signer_block", [])]
    chairman = lines == issuers.signature_lines(issuer, "")
    return DecisionContent(
        issuer_1=body.line_1,
        issuer_2=body.line_2,
        number_line=number_line(decision.number, body.number_suffix),
        place_date=place_date(head.place, decision.decision_date),
        title="QUYẾT ĐỊNH",
        subject=subject,
        authority=body.authority,
        grounds=[_fill(g, values) for g in wording.get("grounds", [])],
        articles=[_fill(a, values) for a in wording.get("articles", [])],
        recipients=[_fill(r, values) for r in wording.get("recipients", [])],
        signer_block=template_block if chairman and template_block else lines,
        signer_name=signer.name,
        annex_title="DANH SÁCH",
        annex_subject=(
            f"{ENTITY_LABELS[decision.model].capitalize()} đạt danh hiệu "
            f"“{MODELS[decision.model]}” năm {decision.year}"
        ),
        annex_note=(
            f"(Kèm theo Quyết định số {data.full_number(decision.number, body.number_suffix)} ngày {d['day']}/{d['month']}/"
            f"{d['year_signed']} của {body.mid_sentence})"
        ),
        annex_rows=[
            (
                str(i),
                fonts.nfc(r.name),
                fonts.nfc(r.short_address),
                fonts.nfc(r.result_label or "Đạt"),
            )
            for i, r in enumerate(rows, start=1)
        ],
    )


# --- PDF ------------------------------------------------------------------------------


def render_decision_pdf(
    out: Path,
    content: DecisionContent,
    *,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never,
) -> int:
    """Lay the decision out on A4 portrait (margins 20/15/20/30 mm); returns the page count."""
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import (
        KeepTogether,
        PageBreak,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )
    from reportlab.platypus.flowables import HRFlowable

    fonts.register_fonts()

    def style(name: str, font: str = fonts.SERIF, size: float = 14, **kw: object) -> ParagraphStyle:
        kw.setdefault("leading", size * 1.25)
        return ParagraphStyle(name, fontName=font, fontSize=size, **kw)  # type: ignore[arg-type]

    center = style("c", size=13, alignment=TA_CENTER)
    center_b = style("cb", fonts.SERIF_BOLD, 13, alignment=TA_CENTER)
    center_b14 = style("cb14", fonts.SERIF_BOLD, 14, alignment=TA_CENTER)
    center_i = style("ci", fonts.SERIF_ITALIC, 14, alignment=TA_CENTER)
    body = style("b", size=14, alignment=TA_JUSTIFY, firstLineIndent=10 * MM, spaceAfter=4)
    ground = style("g", fonts.SERIF_ITALIC, 14, alignment=TA_JUSTIFY, firstLineIndent=10 * MM)
    small_bi = style("sbi", fonts.SERIF_BOLD_ITALIC, 12, alignment=TA_LEFT)
    small = style("s", size=11, alignment=TA_LEFT)
    cell = style("cell", size=12, leading=14)
    cell_c = style("cellc", size=12, leading=14, alignment=TA_CENTER)
    cell_h = style("cellh", fonts.SERIF_BOLD, 12, leading=14, alignment=TA_CENTER)

    def esc(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    line = HRFlowable(width="35%", thickness=0.6, spaceBefore=1, spaceAfter=2, color="black")
    header = Table(
        [
            [
                Paragraph(content.issuer_1, center),
                Paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", center_b),
            ],
            [
                Paragraph(content.issuer_2, center_b),
                Paragraph("Độc lập - Tự do - Hạnh phúc", center_b14),
            ],
            [
                line,
                HRFlowable(width="60%", thickness=0.6, spaceBefore=1, spaceAfter=2, color="black"),
            ],
            [Paragraph(esc(content.number_line), center), Paragraph(content.place_date, center_i)],
        ],
        colWidths=[62 * MM, 103 * MM],
        style=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts.SERIF),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        ),
    )
    story: list[object] = [header, Spacer(1, 8 * MM)]
    story += [Paragraph(content.title, center_b14), Paragraph(esc(content.subject), center_b14)]
    story += [HRFlowable(width="25%", thickness=0.6, spaceBefore=5, spaceAfter=6, color="black")]
    story += [Paragraph(content.authority, center_b14), Spacer(1, 4 * MM)]
    story += [Paragraph(esc(g), ground) for g in content.grounds]
    story += [Spacer(1, 3 * MM), Paragraph("QUYẾT ĐỊNH:", center_b14), Spacer(1, 3 * MM)]
    for i, article in enumerate(content.articles, start=1):
        story.append(Paragraph(f"<b>Điều {i}.</b> {esc(article)}", body))
    recipients = [Paragraph("Nơi nhận:", small_bi)] + [
        Paragraph(f"- {esc(r)}", small) for r in content.recipients
    ]
    signer = [Paragraph(s, center_b) for s in content.signer_block] + [
        Spacer(1, 26 * MM),
        Paragraph(esc(content.signer_name), center_b14),
    ]
    story.append(
        KeepTogether(
            [
                Spacer(1, 6 * MM),
                Table(
                    [[recipients, signer]],
                    colWidths=[80 * MM, 85 * MM],
                    style=TableStyle(
                        [
                            ("FONTNAME", (0, 0), (-1, -1), fonts.SERIF),
                            ("VALIGN", (0, 0), (-1, -1), "TOP"),
                            ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ]
                    ),
                ),
            ]
        )
    )
    story += [
        PageBreak(),
        Paragraph(content.annex_title, center_b14),
        Paragraph(esc(content.annex_subject), center_b14),
        Paragraph(esc(content.annex_note), center_i),
        Spacer(1, 5 * MM),
    ]
    rows: list[list[object]] = [[Paragraph(h, cell_h) for h in ANNEX_HEAD]]
    for i, (no, name, address, result) in enumerate(content.annex_rows):
        if i % 200 == 0 and cancel():
            raise PrintCancelled()
        rows.append(
            [
                Paragraph(no, cell_c),
                Paragraph(esc(name), cell),
                Paragraph(esc(address), cell),
                Paragraph(esc(result), cell_c),
            ]
        )
    story.append(
        Table(
            rows,
            colWidths=[14 * MM, 60 * MM, 66 * MM, 25 * MM],
            repeatRows=1,
            style=TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), fonts.SERIF),
                    ("GRID", (0, 0), (-1, -1), 0.5, "black"),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("BACKGROUND", (0, 0), (-1, 0), "#E6E6E6"),
                ]
            ),
        )
    )
    pages = 0

    def on_page(canvas: object, doc: object) -> None:
        nonlocal pages
        pages += 1
        progress(pages, 0)

    with atomic_output(out) as tmp:
        doc = administrative_pdf(tmp, f"Quyết định {content.number_line}")
        doc.build(story, onFirstPage=on_page, onLaterPages=on_page)  # type: ignore[arg-type]
    return pages


# --- DOCX -----------------------------------------------------------------------------


def render_decision_docx(out: Path, content: DecisionContent) -> int:
    """Write the decision as an editable Word file; returns the annex row count."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Mm, Pt

    document = docx_layout.new_document()
    para = docx_layout.para
    docx_layout.heading_block(
        document,
        [
            (content.issuer_1, False, False, 13),
            (content.issuer_2, True, False, 13),
            ("", False, False, 6),
            (content.number_line, False, False, 13),
        ],
        [
            (docx_layout.MOTTO, True, False, 13),
            (docx_layout.MOTTO_SUB, True, False, 14),
            ("", False, False, 6),
            (content.place_date, False, True, 14),
        ],
        (62, 103),
        centre_table=True,
    )
    document.add_paragraph()
    para(document, content.title, bold=True)
    para(document, content.subject, bold=True)
    para(document, content.authority, bold=True)
    for g in content.grounds:
        para(document, g, italic=True, align="justify", indent=True)
    para(document, "QUYẾT ĐỊNH:", bold=True)
    for i, article in enumerate(content.articles, start=1):
        p = document.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        p.paragraph_format.first_line_indent = Mm(10)
        p.add_run(f"Điều {i}. ").bold = True
        p.add_run(article)
    docx_layout.closing_block(
        document, content.recipients, content.signer_block, content.signer_name
    )
    document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    para(document, content.annex_title, bold=True)
    para(document, content.annex_subject, bold=True)
    para(document, content.annex_note, italic=True)
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, ANNEX_HEAD, strict=True):
        cell.paragraphs[0].add_run(title).bold = True
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for row in content.annex_rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.paragraphs[0].add_run(value).font.size = Pt(12)
    widths = (Mm(14), Mm(60), Mm(66), Mm(25))
    for row_obj in table.rows:
        for cell, w in zip(row_obj.cells, widths, strict=True):
            cell.width = w
    with atomic_output(out) as tmp:
        document.save(str(tmp))
    return len(content.annex_rows)


def print_decision(
    db: Database,
    year: int,
    model: str,
    out: Path,
    *,
    decision_number: str | None = None,
    fmt: str | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never,
) -> PrintResult:
    """The decision and its annex as PDF or .docx (by ``fmt`` or the file's extension)."""

    decision = data.find_decision(db, year, model, decision_number)
    content = decision_content(db, decision)
    kind = (fmt or out.suffix.lstrip(".") or "pdf").lower()
    if kind == "docx":
        rows = render_decision_docx(out, content)
        return PrintResult(out, 0, rows, f"quyết định số {decision.number} (Word)")
    if kind != "pdf":
        raise ValidationError("Định dạng phải là pdf hoặc docx.", "format")
    pages = render_decision_pdf(out, content, progress=progress, cancel=cancel)
    return PrintResult(out, pages, len(content.annex_rows), f"quyết định số {decision.number}")
