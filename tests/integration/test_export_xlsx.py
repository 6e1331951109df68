"""Exporting lists to .xlsx: what the table shows, laid out for the district; round trip."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from app.cli import main
from app.core.db import Database
from app.core.errors import UserError
from app.core.io.export import export_list
from app.core.io.importer import plan_import
from app.core.registry.listing import LISTINGS, ListQuery
from app.core.workspace import Workspace, open_workspace


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from app.core.demo import generate_demo

    data_dir = tmp_path_factory.mktemp("demo-io")
    generate_demo(data_dir, households=60, seed=7, lock=False)
    return data_dir


@pytest.fixture
def demo(demo_dir: Path) -> Iterator[Workspace]:
    ws = open_workspace(demo_dir)
    try:
        yield ws
    finally:
        ws.close()


def sheet_rows(path: Path) -> list[tuple[Any, ...]]:
    wb = load_workbook(path)
    try:
        return [tuple(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()


def test_people_export_has_title_header_rows_total_and_signers(
    demo: Workspace, tmp_path: Path
) -> None:
    out = tmp_path / "nhan-khau.xlsx"
    result = export_list(demo.db, "people", out, today=dt.date(2026, 1, 5))
    expected = LISTINGS["people"].fetch_all(demo.db, ListQuery())
    assert result.rows == len(expected)
    rows = sheet_rows(out)
    assert rows[0][0] and "HỘI KHUYẾN HỌC" in rows[0][0].upper()
    assert rows[1][0] == "Xã Khoái Châu"
    assert rows[3][0] == "DANH SÁCH NHÂN KHẨU"
    header = rows[5]
    assert header[:4] == ("STT", "Họ và tên", "Giới tính", "Ngày sinh")
    data = rows[6 : 6 + len(expected)]
    assert [r[1] for r in data] == [e[0] for e in expected]  # the list's own order
    assert data[0][0] == 1
    births = [r[3] for r in data]
    assert any(isinstance(b, dt.datetime) for b in births)  # real dates
    assert all(isinstance(b, dt.datetime | int) or b is None for b in births)
    assert {r[2] for r in data} <= {"Nam", "Nữ", None}
    assert rows[6 + len(expected)][0] == f"Cộng: {len(expected)} người"
    tail = [c for r in rows[7 + len(expected) :] for c in r if c]
    assert any("ngày 5 tháng 1 năm 2026" in str(c) for c in tail)
    assert "CHỦ TỊCH HỘI KHUYẾN HỌC" in tail


def test_header_is_bold_frozen_dates_formatted_widths_fitted(
    demo: Workspace, tmp_path: Path
) -> None:
    out = tmp_path / "nk.xlsx"
    export_list(demo.db, "people", out)
    wb = load_workbook(out)
    ws = wb.worksheets[0]
    assert ws.freeze_panes == "A7"
    assert ws["B6"].font.bold
    date_cells = [c for c in ws["D"][6:] if isinstance(c.value, dt.datetime)]
    assert date_cells and date_cells[0].number_format == "dd/mm/yyyy"
    name_width = ws.column_dimensions["B"].width
    longest = max(len(str(c.value or "")) for c in ws["B"][5:-10])
    assert longest <= name_width <= 52
    wb.close()


def test_export_follows_the_screen_query(demo: Workspace, tmp_path: Path) -> None:
    q = ListQuery(search="nguyen", sort="full_name", descending=True)
    out = tmp_path / "loc.xlsx"
    result = export_list(demo.db, "people", out, q)
    expected = LISTINGS["people"].fetch_all(demo.db, q)
    assert result.rows == len(expected) > 0
    assert [r[1] for r in sheet_rows(out)[6 : 6 + len(expected)]] == [e[0] for e in expected]


@pytest.mark.parametrize("kind", sorted(LISTINGS))
def test_every_list_exports(demo: Workspace, tmp_path: Path, kind: str) -> None:
    out = tmp_path / f"{kind}.xlsx"
    result = export_list(demo.db, kind, out)
    assert result.rows == LISTINGS[kind].count(demo.db, ListQuery())
    assert sheet_rows(out)[5][0] == "STT"


@pytest.mark.parametrize("kind", ["people", "households", "hamlets", "units", "clans", "members"])
def test_round_trip_imports_back_with_no_changes(
    demo: Workspace, tmp_path: Path, kind: str
) -> None:
    out = tmp_path / f"{kind}.xlsx"
    result = export_list(demo.db, kind, out)
    plan = plan_import(demo.db, out, kind)
    assert (plan.added, plan.updated, plan.rejected) == (0, 0, [])
    assert plan.duplicates == result.rows


def test_export_is_atomic_and_keeps_the_old_file_on_failure(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "xuat"
    folder.mkdir()
    out = folder / "ds.xlsx"
    out.write_bytes(b"ban cu")

    def broken(*_a: Any, **_k: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("app.core.printing.xlsx.os.replace", broken)
    with pytest.raises(UserError):
        export_list(db, "people", out)
    assert out.read_bytes() == b"ban cu"
    assert [p.name for p in folder.iterdir()] == ["ds.xlsx"]  # no temp file left


def test_cli_export_and_import(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    out = tmp_path / "ho.xlsx"
    code = main(
        ["export-xlsx", "--kind", "households", "--out", str(out), "--data-dir", str(demo_dir)]
    )
    assert code == 0 and out.exists()
    capsys.readouterr()
    code = main(
        [
            "import-xlsx",
            str(out),
            "--kind",
            "households",
            "--dry-run",
            "--json",
            "--data-dir",
            str(demo_dir),
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {k: data[k] for k in ("added", "updated", "rejected")} == {
        "added": 0,
        "updated": 0,
        "rejected": [],
    }
    assert data["duplicates"] > 0
