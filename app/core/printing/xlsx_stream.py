"""A one-sheet .xlsx whose cell XML is written directly: the list writer's fast path.

openpyxl, even in write-only mode, builds a ``Cell`` object per value and serialises it
through lxml: about 30 µs a cell, 6–10 s for a 30,000-row export on a loaded two-core
machine. Here the ~40 styled cells of a list (heading, header row, totals, signers) are
still openpyxl cells, made with ``WriteOnlyCell(sheet, …)`` and styled with the
:class:`~app.core.printing.xlsx.ListStyles` fonts, and ``styles.xml`` is openpyxl's own
stylesheet of those styles; only the sheet's XML and the package's few fixed parts are
written here, a row as one string. Plain values (the list's rows) take the fast path:
texts are inline strings, numbers numbers, dates serial days with the date format.

Every text is a string cell, never a formula: a text that starts like a formula
(= + - @, tab, carriage return) also gets the quote prefix, so editing the cell in Excel
keeps it text.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# Texts starting so are written as text (never formulas): one list for every writer.
from app.core.printing.xlsx import FORMULA_TRIGGERS as FORMULA_START

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = dt.date(1899, 12, 30).toordinal()
_EPOCH_TIME = dt.datetime(1899, 12, 30)

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.spreadsheetml.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.spreadsheetml.'
    'worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.spreadsheetml.styles+xml"/>'
    f'<Override PartName="/xl/theme/theme1.xml" ContentType="{_CT}.theme+xml"/></Types>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" Type="{_REL}/officeDocument"'
    ' Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/theme" Target="theme/theme1.xml"/>'
    "</Relationships>"
)


def _column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_LETTERS = [_column_letter(i) for i in range(1024)]


def _text(ref: str, style: str, text: str) -> str:
    """An inline-string cell; spaces at either end are kept (``xml:space``)."""
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>'


def _escape(text: str) -> str:
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;") if "\r" in text else text


class StreamingSheet:
    """A workbook of one sheet, written row by row; save it with :meth:`save`.

    ``append`` takes a row of plain values (None, str, int, float, bool, date,
    datetime) and openpyxl cells made with ``WriteOnlyCell(sheet, …)`` — the sheet's
    ``parent`` is an openpyxl workbook that holds those cells' styles.
    """

    write_only = True  # like openpyxl's write-only workbooks: nothing to revisit at save

    def __init__(self, title: str, date_format: str) -> None:
        from openpyxl import Workbook  # type: ignore[import-untyped]
        from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]

        self.title = title
        self.parent = Workbook(write_only=True)
        self.widths: list[float] = []  # of columns A, B, …
        self.measured: list[int] = []  # longest value of each column in measured rows
        self.frozen_rows = 0  # rows kept above the scrolling part
        self._rows: list[str] = []
        self._row = 0
        date_cell = WriteOnlyCell(self, value=dt.date(2000, 1, 1))
        date_cell.number_format = date_format
        self._date_style = f' s="{date_cell.style_id}"'
        text_cell = WriteOnlyCell(self, value="")
        text_cell.quotePrefix = True
        self._text_style = f' s="{text_cell.style_id}"'

    @property
    def max_row(self) -> int:
        return self._row

    def append(self, values: Sequence[Any], *, measure: bool = False) -> None:
        """Add a row; ``measure``: its values count towards :attr:`measured` widths."""
        self._row += 1
        row = self._row
        cells: list[str] = []
        add = cells.append
        if measure and len(self.measured) < len(values):
            self.measured.extend([0] * (len(values) - len(self.measured)))
        measured = self.measured
        for column, value in enumerate(values):
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                if not value:
                    continue
                if measure and len(value) > measured[column]:
                    measured[column] = len(value)
                if value.startswith(FORMULA_START) or value[0] <= " " or value[-1] <= " ":
                    add(self._cell(f"{_LETTERS[column]}{row}", value))
                    continue
                if "&" in value or "<" in value or ">" in value:
                    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                add(f'<c r="{_LETTERS[column]}{row}" t="inlineStr"><is><t>{value}</t></is></c>')
            elif kind is int:
                if measure:
                    measured[column] = max(measured[column], len(str(value)))
                add(f'<c r="{_LETTERS[column]}{row}"><v>{value}</v></c>')
            else:
                if measure:
                    width = 10 if isinstance(value, dt.date) else len(str(value))
                    measured[column] = max(measured[column], width)
                add(self._cell(f"{_LETTERS[column]}{row}", value))
        if cells:
            line = "".join(cells)
            if _ILLEGAL.search(line):  # never in the markup: only in a text
                line = _ILLEGAL.sub("", line)
            if "\r" in line:
                line = line.replace("\r", "&#13;")
            self._rows.append(f'<row r="{row}">{line}</row>')

    def _cell(self, ref: str, value: Any) -> str:
        """Every value but a plain text or int: floats, bools, dates, openpyxl cells."""
        style = ""
        if hasattr(value, "style_id") and hasattr(value, "value"):
            cell, value = value, value.value
            if isinstance(value, str) and value.startswith(FORMULA_START):
                cell.quotePrefix = True
            if cell.has_style:
                style = f' s="{cell.style_id}"'
            if value is None or value == "":
                return f'<c r="{ref}"{style}/>'
        elif isinstance(value, dt.date):
            style = self._date_style
        if isinstance(value, bool):
            return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
            return f'<c r="{ref}"{style}><v>{value!r}</v></c>'
        if isinstance(value, dt.datetime):
            days = (value.replace(tzinfo=None) - _EPOCH_TIME).total_seconds() / 86400
            return f'<c r="{ref}"{style}><v>{days!r}</v></c>'
        if isinstance(value, dt.date):
            return f'<c r="{ref}"{style}><v>{value.toordinal() - _EPOCH}</v></c>'
        text = str(value)
        if text.startswith(FORMULA_START) and not style:
            style = self._text_style
        return _text(ref, style, text) if text else f'<c r="{ref}"{style}/>'

    def _head(self) -> str:
        parts = [
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
        ]
        if self._row:
            width = max(len(self.widths), 1)
            parts.append(f'<dimension ref="A1:{_LETTERS[width - 1]}{self._row}"/>')
        if self.frozen_rows:
            top = f"A{self.frozen_rows + 1}"
            parts.append(
                '<sheetViews><sheetView workbookViewId="0">'
                f'<pane ySplit="{self.frozen_rows}" topLeftCell="{top}" activePane="bottomLeft"'
                ' state="frozen"/><selection pane="bottomLeft" activeCell="'
                f'{top}" sqref="{top}"/></sheetView></sheetViews>'
            )
        else:
            parts.append('<sheetViews><sheetView workbookViewId="0"/></sheetViews>')
        parts.append('<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>')
        if self.widths:
            parts.append("<cols>")
            for i, w in enumerate(self.widths, 1):
                parts.append(f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>')
            parts.append("</cols>")
        parts.append("<sheetData>")
        return "".join(parts)

    def _workbook(self) -> str:
        name = _escape(self.title).replace('"', "&quot;")
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><workbookPr/>'
            '<bookViews><workbookView activeTab="0"/></bookViews>'
            f'<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets>'
            '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
        )

    def save(self, path: Path) -> None:
        """Write the whole package to ``path`` (callers write to a temporary name)."""
        from openpyxl.styles.stylesheet import write_stylesheet  # type: ignore[import-untyped]
        from openpyxl.writer.theme import theme_xml  # type: ignore[import-untyped]
        from openpyxl.xml.functions import tostring  # type: ignore[import-untyped]

        styles = tostring(write_stylesheet(self.parent))
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=3) as zf:
            zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
            zf.writestr("_rels/.rels", _ROOT_RELS)
            zf.writestr("xl/workbook.xml", self._workbook())
            zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
            zf.writestr("xl/styles.xml", styles)
            zf.writestr("xl/theme/theme1.xml", theme_xml)
            with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
                fh.write(self._head().encode())
                for start in range(0, len(self._rows), 2000):
                    chunk = "".join(self._rows[start : start + 2000])
                    fh.write(chunk.encode("utf-8", "replace"))
                fh.write(
                    b'</sheetData><pageMargins left="0.75" right="0.75" top="1" bottom="1"'
                    b' header="0.5" footer="0.5"/></worksheet>'
                )
