# ruff: noqa: F811  (pytest fixtures imported from the sync integration tests)
"""Province commands for conflicts and new configuration packages, driven headless."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.core.sync import conflicts, state, upper
from tests.integration.test_sync_conflicts import Diverged, diverge, diverged  # noqa: F401
from tests.integration.test_sync_fixtures import (  # noqa: F401  (fixtures)
    Commune,
    Province,
    make_commune,
    province,
)


def _run(capsys: pytest.CaptureFixture[str], province: Province, *args: str) -> tuple[int, Any]:
    code = main([*args, "--data-dir", str(province.data_dir), "--json"])
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if captured.out.strip() else captured.err)


def test_conflicts_are_listed_as_json_with_the_differing_fields(
    diverged: Diverged, capsys: pytest.CaptureFixture[str]
) -> None:
    code, listed = _run(capsys, diverged.province, "province", "conflicts")
    assert code == 0
    [item] = listed["conflicts"]
    assert item["commune_code"] == "12205" and item["entity_label"] == "Thôn / Tổ dân phố"
    assert item["kind"] == "older" and (item["held_revision"], item["incoming_revision"]) == (2, 1)
    assert item["changes"] == [
        {
            "field": "name",
            "label": "Tên",
            "held": "Thôn Đông Sửa",
            "incoming": "Thôn Đông",
            "held_shown": "Thôn Đông Sửa",
            "incoming_shown": "Thôn Đông",
        }
    ]
    code, other = _run(capsys, diverged.province, "province", "conflicts", "--commune", "99999")
    assert code == 0 and other == {"conflicts": []}


def test_resolving_from_the_command_line_records_who_decided(
    diverged: Diverged, capsys: pytest.CaptureFixture[str]
) -> None:
    province = diverged.province
    [conflict] = conflicts.list_conflicts(province.db)
    code, done = _run(
        capsys,
        province,
        "province",
        "resolve",
        str(conflict.id),
        "--incoming",
        "--by",
        "Phạm Thị Lan",
    )
    assert code == 0
    assert done["resolution"] == "incoming" and done["resolved_by"] == "Phạm Thị Lan"
    assert done["conflict_id"] == conflict.id and Path(done["log"]).is_file()
    names = {d["name"] for _r, _x, d in province.records("hamlet").values()}
    assert "Thôn Đông" in names and "Thôn Đông Sửa" not in names
    code, err = _run(capsys, province, "province", "resolve", str(conflict.id), "--keep")
    assert code != 0 and "đã được giải quyết" in err


def test_resolve_needs_exactly_one_choice(
    diverged: Diverged, capsys: pytest.CaptureFixture[str]
) -> None:
    [conflict] = conflicts.list_conflicts(diverged.province.db)
    for choice in ([], ["--keep", "--incoming"]):
        with pytest.raises(SystemExit) as exit_:
            main(["province", "resolve", str(conflict.id), *choice])
        assert exit_.value.code == 2
    assert len(conflicts.list_conflicts(diverged.province.db)) == 1


def test_a_new_package_takes_the_next_version_and_keeps_hub_and_escrow(
    province: Province, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pyrage import x25519

    escrow = str(x25519.Identity.generate().to_public())
    out = tmp_path / "goi-moi"
    code, v2 = _run(
        capsys,
        province,
        "province",
        "package",
        "--out",
        str(out),
        "--escrow",
        escrow,
        "--hub-url",
        "https://khuyenhoc.hungyen.vn",
    )
    assert code == 0 and v2["version"] == 2 and Path(v2["package"]).is_file()
    code, v3 = _run(capsys, province, "province", "package", "--out", str(out))
    assert code == 0 and v3["version"] == 3
    body = json.loads(Path(v3["package"]).read_text("utf-8"))["body"]
    assert body["version"] == 3 and body["escrow_recipient"] == escrow
    assert body["hub_url"] == "https://khuyenhoc.hungyen.vn"
    assert upper.last_package_version(province.db) == 3


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_version_not_above_the_last_one_is_refused(
    province: Province, tmp_path: Path, capsys: pytest.CaptureFixture[str], version: str
) -> None:
    code, _v2 = _run(capsys, province, "province", "package", "--out", str(tmp_path / "a"))
    code, err = _run(
        capsys, province, "province", "package", "--out", str(tmp_path / "b"), "--version", version
    )
    assert code != 0 and "không lớn hơn phiên bản gói cấu hình đã ghi gần nhất (2)" in err
    assert not (tmp_path / "b").exists()
    code, v5 = _run(
        capsys, province, "province", "package", "--out", str(tmp_path / "c"), "--version", "5"
    )
    assert code == 0 and v5["version"] == 5
    assert upper.package_defaults(province.db).version == 6


def test_the_first_package_written_at_init_counts_as_version_one(province: Province) -> None:
    defaults = upper.package_defaults(province.db)
    assert defaults.version == 2 and defaults.escrow_recipient == ""
    assert state.get_setting(province.db, state.PACKAGE_VERSION_KEY) == 1


def test_conflicts_read_as_sentences_without_json(
    diverged: Diverged, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["province", "conflicts", "--data-dir", str(diverged.province.data_dir)]) == 0
    out = capsys.readouterr().out
    assert "Xã 12205 · Thôn / Tổ dân phố · Thôn Đông Sửa" in out
    assert "Bản mới đến cũ hơn bản đang có" in out and "Tên: Thôn Đông Sửa → Thôn Đông" in out
