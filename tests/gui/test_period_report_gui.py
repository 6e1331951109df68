"""The "Báo cáo định kỳ" box of the In ấn screen: pick a period and a format, get the file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.gui.conftest import PEOPLE_COUNT

pytestmark = pytest.mark.gui


def test_period_pickers_make_the_period_code(window: Any) -> None:
    screen = window.show_screen("printing")
    screen.report_year.setValue(2026)
    assert screen.report_code() == "2026", "the whole year is the default"
    screen.report_period.setCurrentIndex(screen.report_period.findData("Q3"))
    assert screen.report_code() == "2026-Q3"
    screen.report_period.setCurrentIndex(screen.report_period.findData("H1"))
    assert screen.report_code() == "2026-H1"


def test_yearly_report_to_excel_in_a_worker_then_open_folder(
    qtbot: Any, window: Any, modals: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.ui.screens import printing

    opened: list[Path] = []
    monkeypatch.setattr(printing, "open_path", opened.append)
    screen = window.show_screen("printing")
    year = dt.date.today().year
    screen.report_year.setValue(year)
    screen.report_format.setCurrentIndex(screen.report_format.findData("xlsx"))
    out = tmp_path / "bao-cao-nam.xlsx"
    modals.files.append(out)
    screen._print_report()
    qtbot.waitUntil(lambda: screen.open_folder.isEnabled(), timeout=15_000)
    assert f"báo cáo năm {year}" in screen.result.text()
    book = load_workbook(out)
    rows = [list(r) for r in book["Hội viên"].iter_rows(values_only=True)]
    total = next(r for r in rows if r[0] == "Toàn xã")
    assert total[1:3] == [PEOPLE_COUNT, 3], "population and the three members of the commune"
    assert {"Thôn Đông", "Thôn Tây", "Tổ dân phố 1"} <= {r[0] for r in rows}
    screen.open_folder.click()
    assert opened == [tmp_path]
    assert modals.texts("error") == []
