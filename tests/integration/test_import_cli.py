"""`khuyenhoc import-xlsx` / `export-xlsx`: the JSON contract and the exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from app.cli import main
from app.core.workspace import init_commune


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "xa"
    init_commune(folder, "4", lock=False).close()
    return folder


def _book(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Thôn Đông"
    ws.append(["Họ và tên", "Năm sinh", "Quan hệ với chủ hộ", "Cột lạ"])
    ws.append(["Quách Văn Hòa", 1960, "Chủ hộ", "a"])
    ws.append(["Quách Thị Thủy", 1962, "Vợ", "b"])
    ws.append(["Quách Văn Hà", 2999, "Con", "c"])  # a year in the future: rejected
    wb.save(path)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_dry_run_then_import_json(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _book(tmp_path / "ds.xlsx")
    args = ["import-xlsx", str(path), "--kind", "households", "--json", "--data-dir", str(data_dir)]
    code, out, _ = run(capsys, *args, "--dry-run")
    data = json.loads(out)
    assert code == 0
    assert (data["added"], data["updated"], data["duplicates"]) == (2, 0, 0)
    assert data["rejected"] == [
        {"sheet": "Thôn Đông", "row": 4, "reason": data["rejected"][0]["reason"]}
    ]
    assert "tương lai" in data["rejected"][0]["reason"]
    code, out, _ = run(capsys, *args)
    assert code == 0 and json.loads(out)["added"] == 2
    code, out, _ = run(capsys, *args)
    assert (json.loads(out)["added"], json.loads(out)["duplicates"]) == (0, 2)


def test_mapping_file_overrides_the_suggestion(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _book(tmp_path / "ds.xlsx")
    mapping = tmp_path / "ghep.json"
    mapping.write_text(
        json.dumps({"Thôn Đông": ["full_name", "birth", "relation", "note"]}), encoding="utf-8"
    )
    code, out, _ = run(
        capsys,
        *("import-xlsx", str(path), "--kind", "households", "--mapping", str(mapping)),
        *("--json", "--data-dir", str(data_dir)),
    )
    assert code == 0 and json.loads(out)["added"] == 2
    out_file = tmp_path / "nk.xlsx"
    code, _, _ = run(
        capsys, "export-xlsx", "--kind", "people", "--out", str(out_file), "--data-dir",
        str(data_dir), "--hamlet", "Đông",
    )  # fmt: skip
    assert code == 0
    wb = load_workbook(out_file)
    header = [c.value for c in wb.worksheets[0][6]]
    assert header[:2] == ["STT", "Họ và tên"]
    wb.close()


def test_unreadable_file_fails_in_vietnamese(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "x.xlsx"
    bad.write_text("xin chào", encoding="utf-8")
    code, out, err = run(
        capsys, "import-xlsx", str(bad), "--kind", "people", "--json", "--data-dir", str(data_dir)
    )
    assert code != 0 and out == "" and "không phải là bảng tính" in err


def test_an_unknown_kind_is_a_usage_error(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _book(tmp_path / "ds.xlsx")
    with pytest.raises(SystemExit) as exit_info:
        main(["import-xlsx", str(path), "--kind", "branches", "--data-dir", str(data_dir)])
    assert exit_info.value.code == 2
    assert "Lỗi" in capsys.readouterr().err


def test_export_unknown_hamlet(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "export-xlsx", "--kind", "people", "--out", str(tmp_path / "a.xlsx"),
        "--hamlet", "Không Có", "--data-dir", str(data_dir),
    )  # fmt: skip
    assert code != 0 and "Không có thôn" in err


def test_stop_on_reject_writes_nothing(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _book(tmp_path / "ds.xlsx")
    args = ["import-xlsx", str(path), "--kind", "households", "--json", "--data-dir", str(data_dir)]
    code, out, _ = run(capsys, *args, "--stop-on-reject")
    assert code == 1 and json.loads(out)["applied"] is False
    code, out, _ = run(capsys, *args, "--dry-run")
    assert json.loads(out)["added"] == 2  # still nothing there


def test_an_unclear_hamlet_is_a_warning_and_sheet_hamlet_answers_it(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ds.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["DANH SÁCH KÈM THEO VĂN BẢN SỐ 12"])
    ws.append(["Họ và tên", "Năm sinh", "Trình độ"])
    ws.append(["Quách Văn Hòa", 1960, "9/12"])
    ws.append(["Quách Văn Hà", 1962, "13/12"])
    wb.save(path)
    args = ["import-xlsx", str(path), "--kind", "households", "--json", "--data-dir", str(data_dir)]
    code, out, _ = run(capsys, *args, "--dry-run")
    data = json.loads(out)
    assert code == 0 and data["new_hamlets"] == [] and data["added"] == 2
    assert [(w["row"], w["column"]) for w in data["warnings"]] == [(1, "Tiêu đề"), (4, "Trình độ")]
    code, out, _ = run(capsys, *args, "--sheet-hamlet", "Sheet1=Thôn Cầu")
    data = json.loads(out)
    assert code == 0 and data["new_hamlets"] == ["Thôn Cầu"] and data["applied"] is True
    assert [w["column"] for w in data["warnings"]] == ["Trình độ"]
    code, _, err = run(capsys, *args, "--sheet-hamlet", "Thôn Cầu")
    assert code != 0 and "--sheet-hamlet" in err
