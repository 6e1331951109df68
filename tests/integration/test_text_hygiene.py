"""Names saved with the old-font "Ð" or hidden bidirectional controls are stored clean."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.core.models import Person
from app.core.registry.households import HouseholdInput, create_household
from app.core.registry.people import PersonInput
from app.core.workspace import init_commune
from tests.registry_helpers import default_hamlet

OLD_FONT_NAME = "\u00d0ỗ Văn Hải"  # "Ð" U+00D0, as TCVN3/VNI-era files give it
REVERSED = "Lê Thị \u202eaoH\u202c"  # a right-to-left override hides in the name


def test_old_font_name_is_found_without_diacritics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "xa"
    ws = init_commune(data_dir, "12205", lock=False)
    try:
        create_household(
            ws.db,
            HouseholdInput(hamlet_id=default_hamlet(ws.db), address="Thôn \u00d0ông\u200f"),
            [
                PersonInput(unicodedata.normalize("NFD", OLD_FONT_NAME), "M", "1961", "Chủ hộ"),
                PersonInput(REVERSED, "F", "1965", "Vợ"),
            ],
        )
        with ws.db.session() as s:
            names = set(s.scalars(select(Person.full_name)))
    finally:
        ws.close()
    assert names == {"Đỗ Văn Hải", "Lê Thị aoH"}
    assert main(["--data-dir", str(data_dir), "search", "do van hai", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["results"][0]["name"] == "Đỗ Văn Hải"


def test_an_imported_sheet_is_cleaned_the_same_way(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import Workbook

    data_dir = tmp_path / "xa"
    init_commune(data_dir, "12205", lock=False).close()
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = "Thôn Đông"
    sheet.append(["Họ và tên", "Năm sinh", "Quan hệ với chủ hộ"])
    sheet.append([OLD_FONT_NAME, 1960, "Chủ hộ"])
    sheet.append([REVERSED, 1962, "Vợ"])
    book = tmp_path / "ho.xlsx"
    wb.save(book)
    where = ["--data-dir", str(data_dir)]
    assert main([*where, "import-xlsx", str(book), "--kind", "households", "--json"]) == 0
    capsys.readouterr()
    assert main([*where, "search", "do van hai", "--json"]) == 0
    names = [r["name"] for r in json.loads(capsys.readouterr().out)["results"]]
    assert names[0] == "Đỗ Văn Hải" and "Lê Thị aoH" in names
