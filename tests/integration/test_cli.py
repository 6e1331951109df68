"""The command line: JSON shapes are a contract, errors are Vietnamese, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app import __version__, paths
from app.cli import main
from app.core.registry import hamlets
from app.core.registry import households as hh
from app.core.registry.people import PersonInput
from app.core.workspace import open_workspace
from tests.registry_helpers import default_hamlet

ROOT = Path(__file__).resolve().parents[2]
Digest = Callable[[Path], str]


class Run:
    """One in-process run of the CLI: exit code, stdout, stderr."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def json(self) -> Any:
        lines = [line for line in self.out.splitlines() if line.strip()]
        assert len(lines) == 1, f"exactly one JSON object on stdout, got: {self.out!r}"
        return json.loads(lines[0])


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    def _run(*argv: str) -> Run:
        code = main(list(argv))
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return Run(code, out, err)

    return _run


def run_process(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *argv],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "du-lieu"


@pytest.fixture
def initialised(cli: Callable[..., Run], data_dir: Path) -> Path:
    assert cli("init", "--commune-code", "4", "--data-dir", str(data_dir)).code == 0
    ws = open_workspace(data_dir)
    try:
        hamlet = hamlets.create_hamlet(ws.db, hamlets.HamletInput("Thôn Trung"))
        for given in ("An", "Anh", "Bình"):
            hh.create_household(
                ws.db,
                hh.HouseholdInput(hamlet_id=hamlet, phone="0912000111"),
                [
                    PersonInput(f"Nguyễn Văn {given}", birth="1980", id_number=None),
                    PersonInput(f"Lê Thị Hoa {given}", relation="Vợ"),
                ],
            )
    finally:
        ws.close()
    return data_dir


# --- version and init -------------------------------------------------------------


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"Sổ Khuyến Học {__version__}"


def test_init_json_shape(cli: Callable[..., Run], data_dir: Path) -> None:
    run = cli("init", "--commune-code", "4", "--data-dir", str(data_dir), "--json")
    assert run.code == 0
    data = run.json()
    association = data.pop("association_name")
    assert association.startswith("Hội Khuyến học") and association.endswith("Ba Đình")
    assert data == {
        "data_dir": str(data_dir),
        "database": str(paths.database_path(data_dir)),
        "commune_code": "00004",
        "commune_name": "Phường Ba Đình",
        "province_code": "01",
        "province_name": "Thành phố Hà Nội",
    }
    assert paths.database_path(data_dir).exists()


def test_init_human_output_is_vietnamese(cli: Callable[..., Run], data_dir: Path) -> None:
    run = cli(
        "init", "--commune-code", "00004", "--data-dir", str(data_dir), "--chairman", "VŨ VĂN HẢI"
    )
    assert run.code == 0
    assert run.out.startswith("Đã tạo dữ liệu cho Phường Ba Đình, Thành phố Hà Nội")


@pytest.mark.parametrize("code", ["99999", "abc"])
def test_a_wrong_commune_code_is_a_vietnamese_error(
    cli: Callable[..., Run], data_dir: Path, code: str
) -> None:
    run = cli("init", "--commune-code", code, "--data-dir", str(data_dir))
    assert run.code != 0
    assert run.err.startswith("Lỗi: Mã xã")
    assert run.out == ""
    assert not paths.database_path(data_dir).exists()


def test_init_twice_refuses_without_replace(cli: Callable[..., Run], initialised: Path) -> None:
    run = cli("init", "--commune-code", "4", "--data-dir", str(initialised))
    assert run.code == 3
    assert "đã có dữ liệu" in run.err


# --- reports ----------------------------------------------------------------------


def test_stats_json_keys(cli: Callable[..., Run], initialised: Path) -> None:
    data = cli("stats", "--data-dir", str(initialised), "--json").json()
    assert set(data) >= {"hamlets", "households", "people", "members", "clans", "units", "branches"}
    assert (data["hamlets"], data["households"], data["people"]) == (1, 3, 6)
    assert (data["commune_code"], data["commune_name"]) == ("00004", "Phường Ba Đình")


def test_json_flag_may_come_before_the_command(cli: Callable[..., Run], initialised: Path) -> None:
    assert cli("--json", "stats", "--data-dir", str(initialised)).json()["households"] == 3


def test_stats_human_output(cli: Callable[..., Run], initialised: Path) -> None:
    run = cli("stats", "--data-dir", str(initialised))
    assert "Hộ gia đình: 3" in run.out
    assert "Nhân khẩu: 6" in run.out


def test_search_json_shape(cli: Callable[..., Run], initialised: Path) -> None:
    data = cli(
        "search", "nguyen van an", "--limit", "2", "--data-dir", str(initialised), "--json"
    ).json()
    assert set(data) == {"query", "count", "results"}
    assert data["query"] == "nguyen van an"
    assert data["count"] == len(data["results"]) == 2
    first = data["results"][0]
    assert set(first) == {
        "kind",
        "id",
        "uuid",
        "name",
        "household_id",
        "head_name",
        "hamlet",
        "birth",
        "id_number",
        "phone",
    }
    assert (first["kind"], first["name"], first["birth"], first["hamlet"]) == (
        "person",
        "Nguyễn Văn An",
        "1980",
        "Thôn Trung",
    )


def test_search_with_no_match(cli: Callable[..., Run], initialised: Path) -> None:
    assert cli("search", "xyzzy", "--data-dir", str(initialised)).out.strip() == "Không tìm thấy."
    assert cli("search", "xyzzy", "--data-dir", str(initialised), "--json").json()["count"] == 0


def test_communes_and_provinces(cli: Callable[..., Run]) -> None:
    provinces = cli("provinces", "--json").json()
    assert provinces["count"] == 34
    found = cli("communes", "--search", "ba dinh", "--json").json()
    assert "00004" in [c["code"] for c in found["communes"]]
    in_hanoi = cli("communes", "--province", "1", "--json").json()
    assert in_hanoi["count"] == len(in_hanoi["communes"]) > 50
    assert {c["province_code"] for c in in_hanoi["communes"]} == {"01"}


# --- data folder ------------------------------------------------------------------


def test_a_missing_data_folder_is_a_vietnamese_error(
    cli: Callable[..., Run], tmp_path: Path
) -> None:
    for command in ("stats", "backup"):
        run = cli(command, "--data-dir", str(tmp_path / "khong-co"))
        assert run.code != 0
        assert "Chưa có dữ liệu" in run.err
    assert not (tmp_path / "khong-co").exists()


def test_the_environment_variable_chooses_the_folder_and_the_flag_wins(
    cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_env, from_flag = tmp_path / "tu-bien", tmp_path / "tu-co"
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(from_env))
    assert cli("init", "--commune-code", "4", "--json").json()["data_dir"] == str(from_env)
    run = cli("init", "--commune-code", "4", "--data-dir", str(from_flag), "--json")
    assert run.json()["data_dir"] == str(from_flag)
    assert paths.database_path(from_env).exists()
    assert paths.database_path(from_flag).exists()


# --- backup and restore -----------------------------------------------------------


def test_backup_to_a_file_and_restore_it(
    cli: Callable[..., Run], initialised: Path, tmp_path: Path
) -> None:
    target = tmp_path / "usb" / "ban-sao.sqlite3"
    made = cli("backup", "--to", str(target), "--data-dir", str(initialised), "--json").json()
    assert made == {
        "file": str(target),
        "size_bytes": target.stat().st_size,
        "counts": {
            "hamlets": 1,
            "households": 3,
            "people": 6,
            "members": 0,
            "clans": 0,
            "units": 0,
            "branches": 0,
        },
    }
    ws = open_workspace(initialised)
    try:
        hh.create_household(
            ws.db, hh.HouseholdInput(hamlet_id=default_hamlet(ws.db)), [PersonInput("Trần Văn Sau")]
        )
    finally:
        ws.close()
    assert cli("stats", "--data-dir", str(initialised), "--json").json()["households"] == 4

    restored = cli("restore", str(target), "--yes", "--data-dir", str(initialised), "--json").json()
    assert set(restored) >= {"restored_from", "safety_backup", "counts"}  # fields may be added
    assert restored["sync_note"] == "", "no upward sync set up: nothing to say"
    assert restored["restored_from"] == str(target)
    assert Path(restored["safety_backup"]).name.startswith("truoc-khoi-phuc-")
    assert restored["counts"]["households"] == 3
    assert cli("stats", "--data-dir", str(initialised), "--json").json()["households"] == 3


def test_restore_onto_a_new_computer(
    cli: Callable[..., Run], initialised: Path, tmp_path: Path
) -> None:
    target = tmp_path / "ban-sao.sqlite3"
    cli("backup", "--to", str(target), "--data-dir", str(initialised))
    new_pc = tmp_path / "may-moi"
    restored = cli("restore", str(target), "--yes", "--data-dir", str(new_pc), "--json").json()
    assert restored["safety_backup"] is None
    assert cli("stats", "--data-dir", str(new_pc), "--json").json()["households"] == 3


def test_backup_to_the_default_folder(cli: Callable[..., Run], initialised: Path) -> None:
    made = cli("backup", "--data-dir", str(initialised), "--json").json()
    assert Path(made["file"]).parent == paths.backups_dir(initialised)
    assert cli("backup", "--data-dir", str(initialised)).out.startswith("Đã sao lưu vào ")


def test_restore_without_yes_and_without_a_terminal_refuses(
    cli: Callable[..., Run], initialised: Path, tmp_path: Path, dump_digest: Digest
) -> None:
    target = tmp_path / "ban-sao.sqlite3"
    cli("backup", "--to", str(target), "--data-dir", str(initialised))
    before = dump_digest(paths.database_path(initialised))
    run = cli("restore", str(target), "--data-dir", str(initialised))
    assert run.code != 0
    assert "hộ gia đình: 3" in run.err  # it says what the backup holds
    assert "--yes" in run.err
    assert dump_digest(paths.database_path(initialised)) == before
    assert not list(paths.backups_dir(initialised).glob("truoc-khoi-phuc-*"))


def test_restore_of_a_file_that_is_not_a_backup(
    cli: Callable[..., Run], initialised: Path, tmp_path: Path, dump_digest: Digest
) -> None:
    junk = tmp_path / "danh-sach.sqlite3"
    junk.write_text("Nguyễn Văn An; Lê Thị Hoa\n", encoding="utf-8")
    before = dump_digest(paths.database_path(initialised))
    run = cli("restore", str(junk), "--yes", "--data-dir", str(initialised))
    assert run.code == 3
    assert run.err.startswith("Lỗi: Tệp danh-sach.sqlite3 không phải")
    assert dump_digest(paths.database_path(initialised)) == before
    missing = cli(
        "restore", str(tmp_path / "khong-co.sqlite3"), "--yes", "--data-dir", str(initialised)
    )
    assert missing.code != 0
    assert "Không tìm thấy tệp sao lưu" in missing.err


# --- as a real process ------------------------------------------------------------


def test_process_version() -> None:
    done = run_process("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"Sổ Khuyến Học {__version__}"


def test_process_init_and_stats_through_the_environment(tmp_path: Path) -> None:
    env = {paths.DATA_DIR_ENV: str(tmp_path / "xa")}
    init = run_process("init", "--commune-code", "4", "--json", env=env)
    assert init.returncode == 0, init.stderr
    assert json.loads(init.stdout)["commune_code"] == "00004"
    stats = run_process("stats", "--json", env=env)
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["households"] == 0


def test_process_errors_are_vietnamese_without_a_traceback(tmp_path: Path) -> None:
    env = {paths.DATA_DIR_ENV: str(tmp_path / "xa")}
    wrong = run_process("init", "--commune-code", "99999", env=env)
    assert wrong.returncode == 2
    assert wrong.stderr.startswith("Lỗi: Mã xã “99999”")
    assert "Traceback" not in wrong.stderr
    missing = run_process("stats", env=env)
    assert missing.returncode != 0
    assert "Chưa có dữ liệu" in missing.stderr
    assert "Traceback" not in missing.stderr


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["init"], "thiếu tham số bắt buộc: --commune-code"),
        (["stats", "--bogus"], "tham số không hiểu được: --bogus"),
        (["demo", "--households", "x"], "--households: “x” không phải là số nguyên"),
        (["khong-co-lenh"], "không có lựa chọn"),
    ],
)
def test_usage_mistakes_are_explained_in_vietnamese(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err and "error:" not in err
