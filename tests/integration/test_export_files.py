"""Exported files: a missing folder is one clear message; files get ordinary permissions."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from app.core.io.export import export_list
from app.core.printing.xlsx import save_workbook
from app.core.workspace import init_commune

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def commune_dir(tmp_path: Path) -> Path:
    from tests.integration.test_faults import fill_commune

    data_dir = tmp_path / "xa"
    ws = init_commune(data_dir, "12205", lock=False)
    fill_commune(ws.db, 3)
    ws.close()
    return data_dir


def test_export_into_a_missing_folder_is_one_message_without_traceback(
    commune_dir: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "khong-co" / "nhan-khau.xlsx"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "--data-dir",
            str(commune_dir),
            "export-xlsx",
            "--kind",
            "people",
            "--out",
            str(missing),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [f"Lỗi: Thư mục “{missing.parent}” không tồn tại."]
    assert not missing.parent.exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_exported_workbooks_are_readable_like_any_file_the_user_makes(tmp_path: Path) -> None:
    """They were 0600 (a private temporary file renamed into place)."""
    ws = init_commune(tmp_path / "khac", "12205", lock=False)
    try:
        listed = tmp_path / "ds.xlsx"
        export_list(ws.db, "households", listed, today=dt.date(2026, 1, 5))
    finally:
        ws.close()
    book = Workbook()
    report = tmp_path / "bao-cao.xlsx"
    save_workbook(book, report)
    old = os.umask(0o027)
    try:
        shared = tmp_path / "umask-027.xlsx"
        save_workbook(Workbook(), shared)
    finally:
        os.umask(old)
    expected = 0o666 & ~old
    assert oct(listed.stat().st_mode & 0o777) == oct(expected)
    assert oct(report.stat().st_mode & 0o777) == oct(expected)
    assert oct(shared.stat().st_mode & 0o777) == oct(0o640), "the umask decides"
