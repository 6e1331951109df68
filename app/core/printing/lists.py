"""The printable lists: members, registrations and assessment results per hamlet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from app.core import text as vntext
from app.core.assessment import MODELS
from app.core.assessment.cycle import cycle_rows
from app.core.assessment.entities import check_model, hamlet_names
from app.core.db import Database
from app.core.printing.common import MM, CancelFn, PrintResult, ProgressFn, never, no_progress
from app.core.printing.data import heading
from app.core.printing.tables import Column, SignatureBox, TableDocument, render_table
from app.core.printing.xlsx import render_table_xlsx
from app.core.registry.listing import MEMBERS, ListQuery

LIST_KINDS = {
    "members": "Danh sách hội viên",
    "registrations": "Danh sách đăng ký",
    "results": "Kết quả đánh giá",
}

# The branch column is the widest after the name: "Chi hội thôn Đông Hòa Thượng" was cut
# to "Chi hội thôn Đô…"; the column's title says "Chi hội", so the cells drop that word.
MEMBER_COLUMNS = (
    ("full_name", Column("Họ và tên", 17)),
    ("birth_year", Column("Năm sinh", 5, "center")),
    ("gender", Column("Giới tính", 5, "center")),
    ("branch", Column("Chi hội", 18)),
    ("role", Column("Chức vụ", 9)),
    ("join_date", Column("Ngày vào Hội", 8, "center")),
    ("dues_paid_year", Column("Hội phí", 5, "center")),
)
BRANCH_PREFIX = "chi hoi "


def branch_cell(name: str) -> str:
    """ "Chi hội thôn Đông" → "Thôn Đông" (under the column "Chi hội")."""
    if vntext.fold(name[: len(BRANCH_PREFIX)]) + " " == BRANCH_PREFIX and len(name) > 8:
        rest = name[len(BRANCH_PREFIX) :].strip()
        return rest[:1].upper() + rest[1:]
    return name


def _render(
    out: Path,
    doc: TableDocument,
    rows: Iterable[Sequence[str]],
    total: int,
    progress: ProgressFn,
    cancel: CancelFn,
) -> int:
    """PDF (page count) or, for a ``.xlsx`` target, a workbook (0 pages)."""
    if out.suffix.lower() == ".xlsx":
        render_table_xlsx(out, doc, rows, total=total, progress=progress, cancel=cancel)
        return 0
    return render_table(out, doc, rows, total=total, progress=progress, cancel=cancel)


def _document(
    db: Database, title: str, subtitle: str, columns: Sequence[Column], day: dt.date | None
) -> TableDocument:
    head = heading(db)
    return TableDocument(
        issuer_1=f"UBND {head.commune_name.upper()}",
        issuer_2=head.association_name.upper(),
        title=title,
        subtitle=subtitle,
        columns=columns,
        place=head.place,
        day=day or dt.date.today(),
        signatures=(
            SignatureBox("Người lập biểu", ""),
            SignatureBox(head.association_signer.title, head.association_signer.name),
        ),
    )


def _fits_portrait(texts: Iterable[str], doc: TableDocument, column: int) -> bool:
    """Whether every text fits its column on a portrait page at the smallest size a
    cell may shrink to (the table writer's 80 %)."""
    from reportlab.lib.pagesizes import A4

    from app.core.printing import fonts
    from app.core.printing.tables import MARGIN_L, MARGIN_R

    fonts.register_fonts()
    usable = A4[0] - MARGIN_L - MARGIN_R - 9 * MM
    weights = sum(c.weight for c in doc.columns)
    room = usable * doc.columns[column].weight / weights - 4
    small = doc.font_size * 0.8
    return all(fonts.width(fonts.nfc(t), fonts.SERIF, small) <= room for t in texts)


def print_member_list(
    db: Database,
    out: Path,
    *,
    query: ListQuery | None = None,
    day: dt.date | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never,
) -> PrintResult:
    """Members (the registry's member list with its filters) by branch, then Vietnamese name order."""
    q = query or ListQuery(filters={"status": "active"})
    keys = [c.key for c in MEMBERS.columns]
    picks = [keys.index(k) for k, _ in MEMBER_COLUMNS]
    name_at, branch_at = keys.index("full_name"), keys.index("branch")
    raw = MEMBERS.fetch_all(db, q)
    raw.sort(
        key=lambda r: (
            vntext.sort_key_plain(str(r[branch_at] or "")),
            vntext.sort_key(str(r[name_at] or "")),
        )
    )
    doc = _document(
        db,
        "Danh sách hội viên",
        f"(Tổng số: {len(raw)} hội viên)",
        [c for _, c in MEMBER_COLUMNS],
        day,
    )

    branch_cell_at = [k for k, _ in MEMBER_COLUMNS].index("branch")
    branches = {branch_cell(str(r[branch_at] or "")) for r in raw}
    if not _fits_portrait(branches, doc, branch_cell_at):
        doc = replace(doc, landscape=True)  # a long branch name is printed whole

    def rows() -> Iterator[list[str]]:
        for r in raw:
            shown = MEMBERS.display(r)
            cells = [shown[i] for i in picks]
            cells[branch_cell_at] = branch_cell(cells[branch_cell_at])
            yield cells

    pages = _render(out, doc, rows(), len(raw), progress, cancel)
    return PrintResult(out, pages, len(raw), "danh sách hội viên")


def print_cycle_list(
    db: Database,
    out: Path,
    year: int,
    model: str,
    kind: str,
    *,
    hamlet_id: int | None = None,
    day: dt.date | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never,
) -> PrintResult:
    """Registrations (``kind="registrations"``) or assessment results (``"results"``), by hamlet."""
    check_model(model)
    rows = cycle_rows(db, year, model, hamlet_id)
    with db.connect() as conn:
        hamlets = hamlet_names(conn)
    if kind == "registrations":
        rows = [r for r in rows if r.registered]
        columns = [Column("Tên", 22), Column("Thôn", 12), Column("Đăng ký", 7, "center")]
    else:
        rows = [r for r in rows if r.assessed]
        columns = [
            Column("Tên", 20),
            Column("Thôn", 12),
            Column("Điểm", 5, "right"),
            Column("Kết quả", 10),
            Column("Công nhận", 7, "center"),
        ]
    rows.sort(
        key=lambda r: (
            vntext.sort_key_plain(hamlets.get(r.hamlet_id or -1, "")),
            vntext.sort_key(r.name),
        )
    )
    where = f" — {hamlets.get(hamlet_id, '')}" if hamlet_id is not None else ""
    title = f"{LIST_KINDS[kind]} {MODELS[model]} năm {year}"
    doc = _document(db, title, f"(Tổng số: {len(rows)}{where})", columns, day)

    def cells(r: object) -> list[str]:
        from app.core.assessment.cycle import CycleRow

        assert isinstance(r, CycleRow)
        hamlet = hamlets.get(r.hamlet_id or -1, "")
        if kind == "registrations":
            return [r.name, hamlet, "x"]
        total = f"{r.total:g}" if r.total is not None else ""
        return [
            r.name,
            hamlet,
            total,
            r.label or ("Đạt" if r.passed else "Chưa đạt"),
            "x" if r.recognised else "",
        ]

    pages = _render(out, doc, (cells(r) for r in rows), len(rows), progress, cancel)
    return PrintResult(out, pages, len(rows), title.lower())
