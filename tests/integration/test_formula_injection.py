"""Texts that Excel would read as formulas are written as text by every workbook writer.

A name such as ``=HYPERLINK("http://…","Nguyễn Văn An")`` arrives from a text cell of
an imported sheet; ``export-xlsx`` wrote it back as a live formula (a link on the
name, or worse). Cells starting with = + - @ must come out as quote-prefixed text.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from app.core.io.export import export_list
from app.core.printing.xlsx import ListWorkbook, save_workbook, write_list_workbook
from app.core.registry.households import HouseholdInput, create_household
from app.core.registry.people import PersonInput
from app.core.workspace import init_commune
from tests.registry_helpers import default_hamlet

HOSTILE = [
    '=HYPERLINK("http://vi-du.invalid/x","Nguyễn Văn An")',
    "+84912345678",
    "-1+2",
    "@SUM(A1:A2)",
]


def formulas_in(path: Path) -> list[str]:
    """The <f> elements of every sheet: a live formula anywhere in the file."""
    with zipfile.ZipFile(path) as zf:
        return [
            name
            for name in zf.namelist()
            if name.startswith("xl/worksheets/") and b"<f>" in zf.read(name)
        ]


def text_cells(path: Path) -> dict[str, tuple[str, bool]]:
    wb = load_workbook(path)
    try:
        return {
            c.value: (c.data_type, bool(c.quotePrefix))
            for ws in wb.worksheets
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, str)
        }
    finally:
        wb.close()


def test_export_xlsx_writes_a_hyperlink_name_as_text(tmp_path: Path) -> None:
    ws = init_commune(tmp_path / "xa", "12205", lock=False)
    try:
        create_household(
            ws.db,
            HouseholdInput(hamlet_id=default_hamlet(ws.db), address=HOSTILE[3], note=HOSTILE[2]),
            [PersonInput(HOSTILE[0], "M", "1970", "Chủ hộ", phone=None, note=HOSTILE[1])],
        )
        out = tmp_path / "nhan-khau.xlsx"
        export_list(ws.db, "people", out, today=dt.date(2026, 1, 5))
        households = tmp_path / "ho.xlsx"
        export_list(ws.db, "households", households, today=dt.date(2026, 1, 5))
    finally:
        ws.close()
    for path in (out, households):
        assert formulas_in(path) == []
    cells = text_cells(out)
    assert cells[HOSTILE[0]] == ("s", True)


@pytest.mark.parametrize("value", HOSTILE)
def test_list_writer_keeps_formula_like_texts_as_text_everywhere(
    tmp_path: Path, value: str
) -> None:
    out = tmp_path / "ds.xlsx"
    spec = ListWorkbook(
        sheet="Danh sách",
        issuer=(value, "Xã Khoái Châu"),
        title="Danh sách",
        subtitle=value,
        columns=["Họ và tên", value],
        place_date=value,
        total_line=value,
        footer=(value,),
        date_line=value,
        signers=[(value, value)],
    )
    write_list_workbook(out, spec, [[value, 3], ["Lê Thị Hoa", value]], total=2)
    assert formulas_in(out) == []
    assert text_cells(out)[value] == ("s", True)


def test_ordinary_workbooks_saved_by_the_app_have_no_live_formula(tmp_path: Path) -> None:
    """The periodic report and other ordinary (not write-only) workbooks go through
    save_workbook, which turns formula-like texts into text."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HOSTILE)
    sheet.append(["Nguyễn Văn An", 12, -3])
    out = tmp_path / "bao-cao.xlsx"
    save_workbook(book, out)
    assert formulas_in(out) == []
    cells = text_cells(out)
    assert all(cells[v] == ("s", True) for v in HOSTILE)
    assert cells["Nguyễn Văn An"] == ("s", False)
