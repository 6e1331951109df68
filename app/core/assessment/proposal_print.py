"""The hamlet's printable "Danh sách đề nghị công nhận" (PDF, or a workbook for ``.xlsx``).

Issued by the hamlet to the commune and signed by whoever proposed (the hamlet
head), so its header and signatures differ from the association's lists; the
table machinery is the printing package's.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.core.assessment import MODELS
from app.core.assessment.proposals import proposals
from app.core.db import Database
from app.core.errors import ValidationError
from app.core.printing.common import CancelFn, PrintResult, ProgressFn, never, no_progress
from app.core.printing.data import heading
from app.core.printing.tables import Column, SignatureBox, TableDocument, render_table
from app.core.printing.xlsx import render_table_xlsx
from app.core.registry.hamlets import hamlet_choices

COLUMNS = (
    Column("Tên", 22),
    Column("Điểm", 5, "right"),
    Column("Kết quả", 10),
    Column("Ngày đề nghị", 8, "center"),
)


def print_proposal_list(
    db: Database,
    out: Path,
    year: int,
    model: str,
    hamlet_id: int,
    *,
    day: dt.date | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never,
) -> PrintResult:
    """The entries one hamlet proposed for ``model`` in ``year``, for the commune."""
    rows = proposals(db, year, model, hamlet_id)
    hamlet = dict(hamlet_choices(db)).get(hamlet_id)
    if hamlet is None:
        raise ValidationError(f"Không tìm thấy thôn có mã {hamlet_id}.")
    if not rows:
        raise ValidationError(f"{hamlet} chưa đề nghị ai năm {year}, không có gì để in.")
    head = heading(db)
    numbers = sorted({r.number for r in rows if r.number})
    signer = next((r.proposed_by for r in rows if r.proposed_by), "")
    title = f"Danh sách đề nghị công nhận {MODELS[model]} năm {year}"
    doc = TableDocument(
        issuer_1=f"UBND {head.commune_name.upper()}",
        issuer_2=str(hamlet).upper(),
        title=title,
        subtitle=(
            f"(Kèm theo đề nghị số {', '.join(numbers)} — tổng số: {len(rows)})"
            if numbers
            else f"(Tổng số: {len(rows)})"
        ),
        columns=COLUMNS,
        place=head.place,
        day=day or max(r.proposed_on for r in rows),
        signatures=(
            SignatureBox("Chi hội khuyến học thôn", ""),
            SignatureBox("Trưởng thôn", signer),
        ),
    )
    cells = [
        [r.name, f"{r.total:g}", r.label or "Đạt", r.proposed_on.strftime("%d/%m/%Y")] for r in rows
    ]
    if out.suffix.lower() == ".xlsx":
        render_table_xlsx(out, doc, cells, total=len(cells), progress=progress, cancel=cancel)
        pages = 0
    else:
        pages = render_table(out, doc, cells, total=len(cells), progress=progress, cancel=cancel)
    return PrintResult(out, pages, len(cells), f"danh sách đề nghị ({hamlet})")
