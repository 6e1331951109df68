"""The periodic report as PDF (ReportLab platypus, the bundled fonts, A4 portrait).

Margins and the header block follow NĐ 30/2020 as the decisions do: association on
the left, the national motto on the right, place and date under it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.core.printing import fonts
from app.core.printing.common import (
    MM,
    CancelFn,
    PrintCancelled,
    ProgressFn,
    administrative_pdf,
    atomic_output,
    never,
    no_progress,
)
from app.core.reports.period import PeriodReport, ReportTable, format_cell

WIDTH = 165 * MM  # A4 minus 30 mm left and 15 mm right
LEFT = 68 * MM  # the issuer column of the header block


def _esc(text: str) -> str:
    return fonts.nfc(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Styles:
    def __init__(self) -> None:
        from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
        from reportlab.lib.styles import ParagraphStyle

        def style(name: str, font: str, size: float, align: int, **kw: Any) -> ParagraphStyle:
            kw.setdefault("leading", size * 1.25)
            return ParagraphStyle(name, fontName=font, fontSize=size, alignment=align, **kw)

        self.center = style("c", fonts.SERIF, 13, TA_CENTER)
        self.center_b = style("cb", fonts.SERIF_BOLD, 13, TA_CENTER)
        self.center_i = style("ci", fonts.SERIF_ITALIC, 13, TA_CENTER)
        self.title = style("t", fonts.SERIF_BOLD, 14, TA_CENTER, spaceBefore=4)
        self.section = style(
            "s", fonts.SERIF_BOLD, 13, TA_LEFT, spaceBefore=8, spaceAfter=3, keepWithNext=1
        )
        self.table_title = style(
            "tt", fonts.SERIF_BOLD_ITALIC, 12, TA_LEFT, spaceBefore=4, keepWithNext=1
        )
        self.body = style("b", fonts.SERIF, 13, TA_JUSTIFY, firstLineIndent=10 * MM, spaceAfter=3)
        self.note = style("n", fonts.SERIF_ITALIC, 10.5, TA_JUSTIFY, spaceBefore=2, spaceAfter=4)
        self.small_bi = style("sbi", fonts.SERIF_BOLD_ITALIC, 12, TA_LEFT)
        self.small = style("sm", fonts.SERIF, 11, TA_LEFT)
        self.cell = {
            align: style(f"cell{align}", fonts.SERIF, 10, code, leading=12)
            for align, code in (("left", TA_LEFT), ("right", TA_RIGHT), ("center", TA_CENTER))
        }
        self.cell_b = {
            align: style(f"cellb{align}", fonts.SERIF_BOLD, 10, code, leading=12)
            for align, code in (("left", TA_LEFT), ("right", TA_RIGHT), ("center", TA_CENTER))
        }


def _header(report: PeriodReport, st: _Styles) -> Any:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table, TableStyle
    from reportlab.platypus.flowables import HRFlowable

    def rule(width: str) -> HRFlowable:
        return HRFlowable(
            width=width, thickness=0.6, spaceBefore=1, spaceAfter=2, color="black", hAlign="CENTER"
        )

    def one_line(text: str, style: Any, width: float = LEFT) -> Paragraph:
        """One line, shrunk to fit its column (long association names, the motto)."""
        size = fonts.fit_size(fonts.nfc(text), style.fontName, style.fontSize, width - 2, 9)
        return Paragraph(
            _esc(text), ParagraphStyle("i", parent=style, fontSize=size, leading=size * 1.25)
        )

    return Table(
        [
            [
                one_line(report.issuer_1, st.center),
                one_line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", st.center_b, WIDTH - LEFT),
            ],
            [
                one_line(report.issuer_2, st.center_b),
                Paragraph("Độc lập - Tự do - Hạnh phúc", st.center_b),
            ],
            [rule("35%"), rule("60%")],
            [
                Paragraph(_esc(report.number_line), st.center),
                Paragraph(_esc(report.place_date), st.center_i),
            ],
        ],
        colWidths=[LEFT, WIDTH - LEFT],
        style=TableStyle(
            [
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        ),
    )


def _table(table: ReportTable, st: _Styles) -> list[Any]:
    from reportlab.platypus import Paragraph, Table, TableStyle

    aligns = ["left" if c.kind == "text" else "right" for c in table.columns]
    head = [Paragraph(_esc(c.title), st.cell_b["center"]) for c in table.columns]

    def line(cells: tuple[object, ...], bold: bool) -> list[Any]:
        styles = st.cell_b if bold else st.cell
        return [
            Paragraph(_esc(format_cell(v, c.kind)), styles[a])  # type: ignore[arg-type]
            for v, c, a in zip(cells, table.columns, aligns, strict=True)
        ]

    rows = [head, *(line(r, False) for r in table.rows)]
    if table.total is not None:
        rows.append(line(table.total, True))
    weights = sum(c.weight for c in table.columns)
    widths = [WIDTH * c.weight / weights for c in table.columns]
    commands: list[Any] = [
        ("GRID", (0, 0), (-1, -1), 0.5, "black"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), "#E6E6E6"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if table.total is not None:
        commands.append(("BACKGROUND", (0, -1), (-1, -1), "#F2F2F2"))
    out: list[Any] = [Paragraph(_esc(table.title), st.table_title)]
    out.append(Table(rows, colWidths=widths, repeatRows=1, style=TableStyle(commands)))
    if table.note:
        out.append(Paragraph(_esc(table.note), st.note))
    return out


def _signature(report: PeriodReport, st: _Styles) -> Any:
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

    recipients = [Paragraph("Nơi nhận:", st.small_bi)] + [
        Paragraph(f"- {_esc(r)}", st.small) for r in report.recipients
    ]
    signer = [Paragraph(_esc(s), st.center_b) for s in report.signer_lines] + [
        Spacer(1, 20 * MM),
        Paragraph(_esc(report.signer_name), st.center_b),
    ]
    return KeepTogether(
        [
            Spacer(1, 6 * MM),
            Table(
                [[recipients, signer]],
                colWidths=[75 * MM, 90 * MM],
                style=TableStyle(
                    [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]
                ),
            ),
        ]
    )


def render_report_pdf(
    out: Path,
    report: PeriodReport,
    *,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never,
) -> int:
    """Write the report to ``out``; returns the page count."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Paragraph, Spacer

    fonts.register_fonts()
    st = _Styles()
    story: list[Any] = [_header(report, st), Spacer(1, 8 * MM)]
    story += [
        Paragraph(_esc(report.title), st.title),
        Paragraph(_esc(report.subtitle), st.center_i),
    ]
    story.append(Spacer(1, 4 * MM))
    total = len(report.sections)
    for done, (number, section) in enumerate(report.numbered()):
        if cancel():
            raise PrintCancelled()
        progress(done, total)
        story.append(Paragraph(_esc(f"{number} {section.title.upper()}"), st.section))
        story += [Paragraph(_esc(p), st.body) for p in section.paragraphs]
        for table in section.tables:
            story += _table(table, st)
    story.append(_signature(report, st))
    pages = 0

    def on_page(canvas: Any, doc: Any) -> None:
        nonlocal pages
        pages += 1
        canvas.setFont(fonts.SERIF_ITALIC, 9)
        canvas.drawRightString(A4[0] - 15 * MM, 10 * MM, f"Trang {pages}")

    with atomic_output(out) as tmp:
        doc = administrative_pdf(tmp, report.title)
        doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    progress(total, total)
    return pages
