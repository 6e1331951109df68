"""The one writer of styled list workbooks (openpyxl), and the pieces other sheets share.

Every list the app writes to Excel — the printed lists (members, registrations,
results, fund books) and the registry exports for the district — has the same
shape: a header block (issuer lines on the left, the national motto on the right),
the title and a subtitle, a bold frozen header row, the rows (numbers and dates kept
as real numbers and dates), an optional "Cộng" line, the place-and-date line and
the signers. :func:`write_list_workbook` writes it in write-only mode (a 10,000-row
list stays fast and small in memory) and :func:`save_workbook` moves it into place
only when complete, with a clear message when Excel holds the file open.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.errors import StorageError, UserError, ValidationError, reason_of
from app.core.printing.common import (
    CancelFn,
    PrintCancelled,
    ProgressFn,
    never,
    no_progress,
    place_date,
)

if TYPE_CHECKING:
    from app.core.printing.tables import TableDocument

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
MOTTO_COLUMN = 4  # D: where the motto block starts, as on the printed forms
FONT_NAME = "Times New Roman"
MAX_WIDTH = 50
DATE_FORMAT = "dd/mm/yyyy"
#: A text starting with one of these is a formula to Excel and LibreOffice (or turns
#: into one when the cell is edited): a name imported as ``=HYPERLINK("http://…","An")``
#: came back out as a live link. Such texts are written as text cells, quote-prefixed.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def as_text(cell: Any) -> Any:
    """Keep a formula-like text a plain text in ``cell`` (string type, quote prefix)."""
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def safe_value(sheet: Any, value: Any) -> Any:
    """``value`` for a write-only row: formula-like texts become text cells."""
    if not is_formula_like(value):
        return value
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]

    return as_text(WriteOnlyCell(sheet, value=value))


def neutralise_formulas(book: Any) -> None:
    """Every formula-like text of an ordinary (not write-only) workbook becomes text.

    The app writes no formulas of its own, so any cell openpyxl typed as a formula
    came from data (a name, a note, a code).
    """
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                as_text(cell)


class ListStyles:
    """Fonts, borders and alignments of the app's workbooks (openpyxl objects)."""

    def __init__(self) -> None:
        from openpyxl.styles import Alignment, Border, Font, Side  # type: ignore[import-untyped]

        thin = Side(style="thin")
        self.grid = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.plain = Font(name=FONT_NAME, size=12)
        self.bold = Font(name=FONT_NAME, size=12, bold=True)
        self.italic = Font(name=FONT_NAME, size=12, italic=True)
        self.bold_italic = Font(name=FONT_NAME, size=12, bold=True, italic=True)
        self.title = Font(name=FONT_NAME, size=14, bold=True)
        self.center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.across = Alignment(horizontal="centerContinuous")


def sheet_name(title: str) -> str:
    """A valid sheet tab name: no \\ / ? * [ ] :, at most 31 characters."""
    return re.sub(r"[\\/?*\[\]:]", "-", title)[:31] or "Trang tính"


def write_heading(
    sheet: Any,
    st: ListStyles,
    *,
    issuer: Sequence[str],
    place_date: str | None,
    title: str,
    subtitle: str,
    width: int,
) -> None:
    """The five rows above a table: issuer | motto, place and date, title, subtitle.

    Works for ordinary and write-only sheets (cells are appended, never merged; the
    title is centred across the table with "center continuous").
    """
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]

    def cell(value: Any, font: Any, align: Any = None) -> Any:
        c = as_text(WriteOnlyCell(sheet, value=value))
        c.font = font
        if align is not None:
            c.alignment = align
        return c

    gap = [None] * (MOTTO_COLUMN - 2)
    lines = list(issuer) + [""] * (2 - len(issuer))
    sheet.append([cell(lines[0], st.bold), *gap, cell(MOTTO[0], st.bold)])
    sheet.append([cell(lines[1], st.bold), *gap, cell(MOTTO[1], st.bold)])
    sheet.append([None, *gap, cell(place_date, st.italic)] if place_date else [])
    for text, font in ((title.upper(), st.title), (subtitle, st.italic)):
        sheet.append(
            [cell(text, font, st.across), *(cell(None, font, st.across) for _ in range(width - 1))]
        )


def write_signers(
    sheet: Any,
    st: ListStyles,
    signers: Sequence[tuple[str, str]],
    width: int,
    date_line: str | None = None,
) -> None:
    """The place-and-date line (if any) and each signer's title, room to sign, name."""
    from openpyxl.cell import WriteOnlyCell

    def cell(value: Any, font: Any) -> Any:
        c = as_text(WriteOnlyCell(sheet, value=value))
        c.font = font
        return c

    sheet.append([])
    if date_line:
        sheet.append([None] * max(width - 3, 1) + [cell(date_line, st.italic)])
    if not signers:
        return
    titles: list[Any] = [None] * width
    names: list[Any] = [None] * width
    for slot, (title, name) in zip(_signer_columns(len(signers), width), signers, strict=False):
        titles[slot] = cell(title.upper(), st.bold)
        names[slot] = cell(name, st.bold)
    sheet.append(titles)
    for _ in range(3):
        sheet.append([])
    sheet.append(names)


def _signer_columns(count: int, width: int) -> list[int]:
    if count == 1:
        return [max(width - 3, 0)]
    last = max(width - 3, count)
    step = max(last // (count - 1), 1)
    return [min(1 + i * step, last) for i in range(count)]


def check_output_folder(out: Path) -> None:
    """The folder a file is exported into must exist (checked before any work is done)."""
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"Thư mục “{folder}” không tồn tại.")


def _create_beside(out: Path) -> Path:
    """A new empty temporary file beside ``out``, with the ordinary permissions.

    Not ``tempfile.mkstemp``: its files are private (0600), and the exported file
    (renamed from it) is the user's own document, to open, share and copy (the
    umask decides, as for any file the user makes).
    """
    for _ in range(100):
        tmp = out.with_name(f".xuat-{secrets.token_hex(6)}.xlsx")
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return tmp
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(out.parent))


def _discard_write_only(book: Any) -> None:
    """A write-only workbook that failed to save keeps half-run generators, which
    printed two tracebacks ("Exception ignored in …") when collected: close them."""
    for sheet in getattr(book, "worksheets", []):
        for gen in (
            getattr(sheet, "_rows", None),
            getattr(getattr(sheet, "_writer", None), "xf", None),
        ):
            if gen is not None:
                with contextlib.suppress(Exception):
                    gen.close()


def save_workbook(book: Any, out: Path) -> None:
    """Save next to ``out`` and move into place; nothing half-written is ever left."""
    if not getattr(book, "write_only", False):
        neutralise_formulas(book)
    try:
        check_output_folder(out)
        tmp = _create_beside(out)
    except UserError:
        _discard_write_only(book)
        raise
    except OSError as exc:
        _discard_write_only(book)
        raise StorageError(f"Không ghi được “{out.name}”: {reason_of(exc)}.") from exc
    try:
        book.save(tmp)
        os.replace(tmp, out)
    except PermissionError as exc:
        _discard_write_only(book)
        raise StorageError(
            f"Không ghi được “{out.name}”: tệp đang mở trong Excel hoặc thư mục không cho "
            "ghi. Hãy đóng tệp rồi thử lại."
        ) from exc
    except OSError as exc:
        _discard_write_only(book)
        raise StorageError(f"Không ghi được “{out.name}”: {reason_of(exc)}.") from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


@dataclass(frozen=True)
class ListWorkbook:
    """What a list sheet says around its rows."""

    sheet: str
    issuer: tuple[str, str]
    title: str
    subtitle: str
    columns: Sequence[str]  # after "STT", which the writer adds
    place_date: str | None = None  # at the top, under the motto
    total_line: str | None = None  # "Cộng: 120 người"
    footer: Sequence[str] = ()  # lines under the table, e.g. the total in words
    date_line: str | None = None  # above the signers
    signers: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (title, name)


def write_list_workbook(
    out: Path,
    spec: ListWorkbook,
    rows: Iterable[Sequence[Any]],
    *,
    total: int,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never,
) -> int:
    """Write the list as one sheet to ``out``; returns the number of data rows.

    Values are written as they come: ints and floats stay numbers, dates get the
    dd/mm/yyyy format; columns are as wide as their longest value (at most 50).
    """
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]

    from app.core.printing.xlsx_stream import StreamingSheet

    check_output_folder(out)
    body: list[Sequence[Any]] = []
    for count, cells in enumerate(rows, start=1):
        if count % 500 == 0:
            if cancel():
                raise PrintCancelled()
            progress(count, total)
        body.append(cells)
    sheet = StreamingSheet(sheet_name(spec.sheet), DATE_FORMAT)
    st = ListStyles()
    titles = ["STT", *spec.columns]
    width = len(titles)
    heading_rows = 5
    sheet.frozen_rows = heading_rows + 1
    write_heading(
        sheet,
        st,
        issuer=spec.issuer,
        place_date=spec.place_date,
        title=spec.title,
        subtitle=spec.subtitle,
        width=width,
    )
    head = []
    for title in titles:
        c = as_text(WriteOnlyCell(sheet, value=title))
        c.font, c.alignment, c.border = st.bold, st.center, st.grid
        head.append(c)
    sheet.append(head)
    for number, values in enumerate(body, 1):
        sheet.append([number, *values], measure=True)  # dates get DATE_FORMAT
    # Columns as wide as their title or longest value (the sheet's XML is written at save).
    measured = sheet.measured + [0] * (width - len(sheet.measured))
    measured[0] += 2  # the row numbers
    sheet.widths = [
        min(max(len(t) + 2, m) + 2, MAX_WIDTH) for t, m in zip(titles, measured, strict=False)
    ]
    if spec.total_line:
        c = as_text(WriteOnlyCell(sheet, value=spec.total_line))
        c.font = st.bold
        sheet.append([c])
    for text in spec.footer:
        c = as_text(WriteOnlyCell(sheet, value=text))
        c.font = st.plain
        sheet.append([c])
    write_signers(sheet, st, spec.signers, width, spec.date_line)
    save_workbook(sheet, out)
    progress(len(body), total)
    return len(body)


def render_table_xlsx(
    out: Path,
    doc: TableDocument,
    rows: Iterable[Sequence[str]],
    *,
    total: int,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never,
) -> int:
    """A printed list (the same :class:`TableDocument` as its PDF) as a workbook."""
    if total == 0:
        raise ValidationError("Danh sách trống, không có gì để in.")
    spec = ListWorkbook(
        sheet="Danh sách",
        issuer=(doc.issuer_1, doc.issuer_2),
        title=doc.title,
        subtitle=doc.subtitle,
        columns=[c.title for c in doc.columns],
        place_date=place_date(doc.place, doc.day),
        footer=tuple(doc.footer),
        signers=[(box.title, box.name) for box in doc.signatures],
    )
    return write_list_workbook(out, spec, rows, total=total, progress=progress, cancel=cancel)
