# ruff: noqa: F811  (pytest fixtures imported from test_sync_fixtures)
"""Criteria sets and targets travelling in the province configuration package: signed in
at the province, installed at the commune without ever altering what it already has."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app import paths
from app.cli import main
from app.core.assessment import sets, targets
from app.core.errors import UserError
from app.core.sync import package_content, state, upper
from tests.integration.test_sync_fixtures import (  # noqa: F401  (fixtures)
    Commune,
    Province,
    commune,
    make_commune,
    province,
)

PROVINCE_TARGETS = {
    "code": "hung-yen-2026",
    "title": "Tỉnh Hưng Yên – Nghị quyết 2026",
    "source": "Nghị quyết Hội Khuyến học tỉnh",
    "targets": {"learning_family": 0.8, "learning_clan": 0.6, "members_share": 0.3},
}


def _criteria_file(folder: Path, code: str, version: int = 1, title: str = "") -> Path:
    raw = json.loads(
        (paths.resources_dir() / "criteria" / "learning_family_qd448.json").read_text("utf-8")
    )
    raw.update(code=code, version=version, title=title or f"Gia đình học tập tỉnh ({code})")
    path = folder / f"{code}-{version}.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), "utf-8")
    return path


def _targets_file(folder: Path, raw: dict[str, Any] = PROVINCE_TARGETS) -> Path:
    path = folder / "chi-tieu.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), "utf-8")
    return path


def _package(province: Province, tmp_path: Path, version: int, **content: Any) -> Path:
    criteria, profile = package_content.read_content(
        content.get("criteria", []), content.get("targets")
    )
    return upper.write_config_package(
        province.db,
        tmp_path / f"goi-v{version}",
        version=version,
        criteria_sets=criteria,
        targets=profile,
    )


def _rows(db_path: Path, table: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"{db_path.absolute().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
    finally:
        conn.close()


def test_a_package_installs_new_sets_and_the_targets_leaving_assessments_alone(
    province: Province, make_commune: Callable[..., Commune], tmp_path: Path
) -> None:
    commune = make_commune(households=12)
    assessments = _rows(commune.db.path, "assessment")
    held_sets = _rows(commune.db.path, "criteria_set")
    assert assessments, "the demo commune has assessments"
    package = _package(
        province,
        tmp_path,
        2,
        criteria=[_criteria_file(tmp_path, "gdht-hy")],
        targets=_targets_file(tmp_path),
    )
    _config, how = state.load_config_package(commune.db, package)
    assert how == "updated"
    report = package_content.last_report(commune.db)
    assert report is not None and report.version == 2
    assert report.criteria == [{"code": "gdht-hy", "version": 1, "status": "installed", "note": ""}]
    assert report.targets == "installed"
    assert "gdht-hy" in {i.code for i in sets.list_sets(commune.db, "learning_family")}
    chosen = targets.chosen_profile(commune.db)
    assert chosen.title == PROVINCE_TARGETS["title"] and chosen.targets["learning_family"] == 0.8
    assert _rows(commune.db.path, "assessment") == assessments
    assert _rows(commune.db.path, "criteria_set")[: len(held_sets)] == held_sets
    assert not list((commune.data_dir / "sync").glob("bo-tieu-chi-*"))
    # Loading it again changes nothing and says so.
    assert state.load_config_package(commune.db, package)[1] == "same"
    assert len(_rows(commune.db.path, "criteria_set")) == len(held_sets) + 1


def test_targets_the_commune_typed_itself_are_kept(
    province: Province, commune: Commune, tmp_path: Path
) -> None:
    targets.save_custom_profile(commune.db, "Nghị quyết Đại hội xã", {"learning_family": 0.65})
    package = _package(province, tmp_path, 2, targets=_targets_file(tmp_path))
    state.load_config_package(commune.db, package)
    report = package_content.last_report(commune.db)
    assert report is not None and report.targets == "kept_own"
    assert targets.chosen_profile(commune.db).title == "Nghị quyết Đại hội xã"
    assert "Giữ bộ chỉ tiêu xã đã tự nhập" in report.summary()


def test_a_newer_province_profile_replaces_the_one_it_installed_before(
    province: Province, commune: Commune, tmp_path: Path
) -> None:
    state.load_config_package(
        commune.db, _package(province, tmp_path, 2, targets=_targets_file(tmp_path))
    )
    newer = {**PROVINCE_TARGETS, "title": "Tỉnh Hưng Yên – điều chỉnh 2027"}
    (tmp_path / "moi").mkdir()
    state.load_config_package(
        commune.db, _package(province, tmp_path, 3, targets=_targets_file(tmp_path / "moi", newer))
    )
    assert targets.chosen_profile(commune.db).title == newer["title"]


def test_a_set_clashing_with_one_held_is_refused_but_the_package_loads(
    province: Province, commune: Commune, tmp_path: Path
) -> None:
    first = _criteria_file(tmp_path, "gdht-hy", title="Bản đầu")
    sets.import_set(commune.db, first)
    (tmp_path / "khac").mkdir()
    clash = _criteria_file(tmp_path / "khac", "gdht-hy", title="Bản khác, cùng phiên bản")
    config, _how = state.load_config_package(
        commune.db, _package(province, tmp_path, 2, criteria=[clash])
    )
    assert config.version == 2
    report = package_content.last_report(commune.db)
    assert report is not None
    [entry] = report.criteria
    assert entry["status"] == "refused" and "tăng số phiên bản" in entry["note"]
    titles = [i.title for i in sets.list_sets(commune.db) if i.code == "gdht-hy"]
    assert titles == ["Bản đầu"]


def test_the_province_refuses_bad_content_before_signing(tmp_path: Path) -> None:
    bad_targets = _targets_file(tmp_path, {"title": "X", "targets": {"learning_family": 70}})
    with pytest.raises(UserError, match="tỷ lệ từ 0 đến 1"):
        package_content.read_content([], bad_targets)
    broken = tmp_path / "hong.json"
    broken.write_text("{ không phải json", "utf-8")
    with pytest.raises(UserError, match=r"hong\.json"):
        package_content.read_content([broken], None)
    twice = _criteria_file(tmp_path, "gdht-hy")
    with pytest.raises(UserError, match="hai lần"):
        package_content.read_content([twice, twice], None)


def test_province_package_from_the_command_line(
    province: Province, commune: Commune, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    province.ws.close()  # the CLI opens the province's folder itself
    out = tmp_path / "goi-cli"
    code = main(
        [
            "province",
            "package",
            "--version",
            "2",
            "--out",
            str(out),
            "--criteria",
            str(_criteria_file(tmp_path, "gdht-hy")),
            "--targets",
            str(_targets_file(tmp_path)),
            "--data-dir",
            str(province.data_dir),
            "--json",
        ]
    )
    written = json.loads(capsys.readouterr().out)
    assert code == 0 and written["criteria_sets"] == ["gdht-hy@1"]
    assert written["targets"] == PROVINCE_TARGETS["title"]
    commune.ws.close()
    code = main(
        ["config", "load", written["package"], "--data-dir", str(commune.data_dir), "--json"]
    )
    loaded = json.loads(capsys.readouterr().out)
    assert code == 0 and loaded["result"] == "updated"
    assert loaded["content"]["criteria"][0]["status"] == "installed"
    assert loaded["content"]["targets"] == "installed"
