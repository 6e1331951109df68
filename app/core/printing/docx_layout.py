"""The Word layout our editable documents share (python-docx): an A4 page set up for an
administrative document (margins 20/15/20/30 mm, Times New Roman 14 pt), paragraphs,
the two-column heading block (issuer | national motto) and the closing block
("Nơi nhận" | signer). The recognition decision and the periodic report use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: (text, bold, italic, size in points) — one line of the heading block.
HeadingLine = tuple[str, bool, bool, float]
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_SUB = "Độc lập - Tự do - Hạnh phúc"


def new_document() -> Any:
    """An empty A4 document with the administrative margins and font."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
    normal.paragraph_format.space_after = Pt(0)
    return document


def para(
    where: Any,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float = 14,
    align: str = "center",
    indent: bool = False,
    first: bool = False,
) -> Any:
    """Add one paragraph of a single run to a document or table cell.

    ``first`` writes into the cell's existing empty paragraph instead of adding one.
    """
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    p = where.paragraphs[0] if first else where.add_paragraph()
    p.alignment = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    if indent:
        p.paragraph_format.first_line_indent = Mm(10)
    run = p.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    return p


def heading_block(
    document: Any,
    left: Sequence[HeadingLine],
    right: Sequence[HeadingLine],
    widths_mm: tuple[float, float],
    *,
    centre_table: bool = False,
) -> None:
    """The issuer (left) and the national motto with place and date (right)."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Mm

    head = document.add_table(rows=1, cols=2)
    if centre_table:
        head.alignment = WD_TABLE_ALIGNMENT.CENTER
    left_cell, right_cell = head.rows[0].cells
    left_cell.width, right_cell.width = Mm(widths_mm[0]), Mm(widths_mm[1])
    for cell, lines in ((left_cell, left), (right_cell, right)):
        for i, (text, bold, italic, size) in enumerate(lines):
            para(cell, text, bold=bold, italic=italic, size=size, first=i == 0)


def closing_block(
    document: Any, recipients: Sequence[str], signer_lines: Sequence[str], signer_name: str
) -> None:
    """ "Nơi nhận" with its list (left) and the signer's title, room to sign, name (right)."""
    sign = document.add_table(rows=1, cols=2)
    rec, sig = sign.rows[0].cells
    para(rec, "Nơi nhận:", bold=True, italic=True, size=12, align="left", first=True)
    for line in recipients:
        para(rec, f"- {line}", size=11, align="left")
    for i, line in enumerate(signer_lines):
        para(sig, line, bold=True, size=13, first=i == 0)
    for _ in range(4):
        sig.add_paragraph()
    para(sig, signer_name, bold=True)
