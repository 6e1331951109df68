# ruff: noqa: F811  (pytest fixtures imported from test_sync_fixtures)
"""Messages name causes in Vietnamese: no Python class names, no internal entity names.

Seen in the bad-input campaign: "gói bị hỏng (BadZipFile)", "JSON hỏng
(UnicodeDecodeError)", "Phần dữ liệu person …"; and an unknown field in a
``--mapping`` file was accepted and its column silently dropped.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from openpyxl import Workbook

from app.cli import main
from app.core.sync import bundle, canonical, state
from app.core.workspace import init_commune
from tests.integration.test_sync_fixtures import (  # noqa: F401  (fixtures)
    Commune,
    Province,
    commune,
    forge,
    make_commune,
    province,
)

PYTHON_NAMES = re.compile(
    r"BadZipFile|UnicodeDecodeError|JSONDecodeError|ValueError|OSError|Errno|codec|"
    r"\b(person|household|hamlet|member)\b"
)


def assert_plain(message: str) -> None:
    assert message and not PYTHON_NAMES.search(message), message


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04" + bytes(40), b"PK\x05\x06" + bytes(18), b"PK" + b"\xff" * 200],
    ids=["local-header-only", "empty-directory", "garbage"],
)
def test_a_broken_bundle_is_described_in_words(data: bytes) -> None:
    with pytest.raises(bundle.BundleRefused) as err:
        bundle.parse(data)
    assert_plain(err.value.message)


def test_json_that_is_not_utf8_is_described_in_words() -> None:
    with pytest.raises(canonical.JsonRefused) as err:
        canonical.loads(b'{"a": "\xff\xfe"}')
    assert "UTF-8" in str(err.value)
    assert_plain(str(err.value))


def test_a_config_package_that_is_not_utf8_is_described_in_words(
    commune: Commune, tmp_path: Path
) -> None:
    bad = tmp_path / "goi.khcfg"
    bad.write_bytes(b'{"body": "\xc3\x28"}')
    with pytest.raises(Exception) as err:
        state.load_config_package(commune.db, bad)
    assert_plain(getattr(err.value, "message", str(err.value)))


def test_a_bad_part_of_a_bundle_is_named_in_vietnamese(
    province: Province, commune: Commune
) -> None:
    data = forge(commune, {"person": b'["uuid","revision"]\n'})
    path = commune.usb / "KH_12205_000001_abcdef12.khb"
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    [outcome] = province.import_(path)
    assert outcome.status == "rejected"
    assert "“Nhân khẩu”" in outcome.reason
    assert_plain(outcome.reason)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    ws = init_commune(tmp_path / "xa", "12205", lock=False)
    ws.close()
    return tmp_path / "xa"


def _sheet(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Thôn Đông"
    ws.append(["Họ và tên", "Năm sinh", "Quan hệ"])
    ws.append(["Nguyễn Văn An", 1960, "Chủ hộ"])
    wb.save(path)
    return path


def test_an_unknown_field_in_a_mapping_file_is_refused(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = _sheet(tmp_path / "ds.xlsx")
    mapping = tmp_path / "ghep.json"
    mapping.write_text(json.dumps({"Thôn Đông": ["full_name", "birht", ""]}), "utf-8")
    args = ["--data-dir", str(data_dir), "import-xlsx", str(sheet), "--kind", "households"]
    assert main([*args, "--mapping", str(mapping)]) != 0
    err = capsys.readouterr().err
    assert "cột 2" in err and "“birht”" in err and "birth (" in err
    assert "Traceback" not in err
    capsys.readouterr()
    assert main(["--data-dir", str(data_dir), "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["people"] == 0, "nothing imported"


def test_a_mapping_file_that_is_not_utf8_is_described_in_words(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = _sheet(tmp_path / "ds.xlsx")
    mapping = tmp_path / "ghep.json"
    mapping.write_bytes('{"Thôn Đông": ["full_name"]}'.encode("cp1258"))
    args = ["--data-dir", str(data_dir), "import-xlsx", str(sheet), "--kind", "households"]
    assert main([*args, "--mapping", str(mapping)]) != 0
    err = capsys.readouterr().err
    assert "không phải văn bản mã UTF-8" in err
    assert_plain(err)
