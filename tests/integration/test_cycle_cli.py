"""The whole cycle headless through the CLI: register → assess from JSON → recognise → report."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.core.registry import hamlets
from app.core.registry import households as hh
from app.core.registry.people import PersonInput
from app.core.workspace import init_commune, open_workspace


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def json(self) -> Any:
        lines = [line for line in self.out.splitlines() if line.strip()]
        assert len(lines) == 1, self.out
        return json.loads(lines[0])


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    def _run(*argv: str) -> Run:
        code = main(list(argv))
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return Run(code, out, err)

    return _run


@pytest.fixture
def commune(tmp_path: Path, make_name: Any) -> tuple[Path, int, list[int]]:
    ws = init_commune(tmp_path / "xa", "4", lock=False)
    try:
        hamlet = hamlets.create_hamlet(ws.db, hamlets.HamletInput("Thôn Thượng"))
        ids = [
            hh.create_household(
                ws.db,
                hh.HouseholdInput(hamlet_id=hamlet),
                [PersonInput(make_name("M"), "M", "1970", "Chủ hộ", school_level="primary")],
            )
            for _ in range(4)
        ]
    finally:
        ws.close()
    return tmp_path / "xa", hamlet, ids


def test_cycle_end_to_end(
    cli: Callable[..., Run],
    commune: tuple[Path, int, list[int]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, hamlet, ids = commune
    monkeypatch.setenv("KHUYENHOC_DATA_DIR", str(folder))
    run = cli("cycle", "register", "--year", "2025", "--hamlet", str(hamlet), "--json")
    assert run.code == 0 and run.json() == {"added": 4, "already": 0}
    full = {
        "1.2": 10,
        "1.3": 10,
        "2.2": 10,
        "2.3": 10,
        "3.1": True,
        "3.2": True,
        "3.3": 10,
        "4.1": 10,
        "4.2": True,
    }
    sheet = tmp_path / "danh-gia.json"
    sheet.write_text(
        json.dumps(
            {
                "assessments": [
                    {
                        "entity_id": ids[0],
                        "values": full,
                        "evidence": {"4.2": "Giấy công nhận GĐVH"},
                    },
                    {"entity_id": ids[1], "values": full | {"3.3": 0, "4.1": 0, "2.3": 5}},
                    {"entity_id": ids[2], "values": full},
                ]
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    run = cli("cycle", "assess", "--year", "2025", "--file", str(sheet), "--json")
    assert run.code == 0
    assert [r["passed"] for r in run.json()["results"]] == [True, False, True]
    run = cli(
        "cycle",
        "propose",
        "--year",
        "2025",
        "--hamlet",
        str(hamlet),
        "--all-passed",
        "--number",
        "05/ĐN-TT",
        "--proposed-by",
        "Đặng Văn Thôn",
        "--json",
    )
    assert run.code == 0 and run.json() == {"hamlet": "Thôn Thượng", "proposed": 2, "already": 0}
    listed = cli("cycle", "proposals", "--year", "2025", "--json").json()["proposals"]
    assert sorted(p["entity_id"] for p in listed) == sorted([ids[0], ids[2]])
    assert {(p["number"], p["proposed_by"]) for p in listed} == {("05/ĐN-TT", "Đặng Văn Thôn")}
    pdf = tmp_path / "de-nghi.pdf"
    printed = cli(
        "cycle", "proposals", "--year", "2025", "--hamlet", str(hamlet), "--out", str(pdf), "--json"
    ).json()
    assert printed == {"path": str(pdf), "pages": 1, "items": 2} and pdf.stat().st_size > 0
    run = cli(
        "cycle",
        "recognise",
        "--year",
        "2025",
        "--number",
        "12/QĐ-UBND",
        "--date",
        "15/12/2025",
        "--signer-name",
        "Lê Văn Hòa",
        "--json",
    )
    assert run.json() == {
        "decision_id": 1,
        "recognised": 2,
        "valid_until": 2025,
        "not_proposed": 0,
    }
    report = cli("report", "targets", "--year", "2025", "--json").json()
    assert report["year"] == 2025
    family = report["models"]["learning_family"]
    assert {
        k: family[k]
        for k in ("denominator", "registered", "assessed", "recognised", "rate", "target")
    } == {
        "denominator": 4,
        "registered": 4,
        "assessed": 3,
        "recognised": 2,
        "rate": 0.5,
        "target": 0.7,
    }
    assert set(report["models"]) == {
        "learning_family",
        "learning_clan",
        "learning_community",
        "learning_unit",
        "learning_citizen",
    }
    due = cli("cycle", "due", "--year", "2026", "--json").json()["due"]
    assert sorted(d["entity_id"] for d in due) == sorted([ids[0], ids[2]])


def test_criteria_commands(
    cli: Callable[..., Run], commune: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KHUYENHOC_DATA_DIR", str(commune[0]))
    listed = cli("criteria", "list", "--json").json()["sets"]
    assert {s["model"] for s in listed} >= {"learning_family", "learning_citizen"}
    from app.core.assessment.criteria import criteria_dir

    ok = cli("criteria", "validate", str(criteria_dir() / "learning_citizen_qd244_2022.json"))
    assert ok.code == 0 and "Hợp lệ" in ok.out
    bad = tmp_path / "sai.json"
    bad.write_text('{"code": "x", "version": 1}', encoding="utf-8")
    run = cli("criteria", "validate", str(bad))
    assert run.code != 0 and "sai.json" in run.err and "thiếu" in run.err


def test_a_closed_year_is_refused_in_vietnamese(
    cli: Callable[..., Run], commune: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KHUYENHOC_DATA_DIR", str(commune[0]))
    assert cli("cycle", "close", "--year", "2024").code == 0
    run = cli("cycle", "register", "--year", "2024", "--all")
    assert run.code != 0 and "đã khóa sổ" in run.err
    assert cli("cycle", "reopen", "--year", "2024", "--reason", "Sửa sai sót").code == 0


def test_the_commune_types_its_own_targets(
    cli: Callable[..., Run], commune: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KHUYENHOC_DATA_DIR", str(commune[0]))
    run = cli(
        "targets",
        "own",
        "Nghị quyết Đảng bộ xã 2025",
        "--set",
        "learning_family=75%",
        "--set",
        "members_share=0.3",
        "--json",
    )
    assert run.json()["targets"] == {"learning_family": 0.75, "members_share": 0.3}
    report = cli("report", "targets", "--year", "2025", "--json").json()
    assert report["profile"]["title"] == "Nghị quyết Đảng bộ xã 2025"
    assert report["models"]["learning_family"]["target"] == 0.75
    assert report["members"]["target"] == 0.3
    bad = cli("targets", "own", "X", "--set", "learning_family=nhiều")
    assert bad.code != 0 and "mô_hình=0.7" in bad.err


def test_propose_withdraw_and_the_override_through_the_cli(
    cli: Callable[..., Run],
    commune: tuple[Path, int, list[int]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, hamlet, ids = commune
    monkeypatch.setenv("KHUYENHOC_DATA_DIR", str(folder))
    cli("cycle", "register", "--year", "2025", "--hamlet", str(hamlet))
    values = {k: 10 for k in ("1.2", "1.3", "2.2", "2.3", "3.3", "4.1")}
    values |= {"3.1": True, "3.2": True, "4.2": True}
    sheet = tmp_path / "dg.json"
    sheet.write_text(
        json.dumps({"assessments": [{"entity_id": i, "values": values} for i in ids[:2]]}),
        encoding="utf-8",
    )
    cli("cycle", "assess", "--year", "2025", "--file", str(sheet))
    run = cli("cycle", "propose", "--year", "2025", "--hamlet", str(hamlet), "--json")
    assert run.code != 0 and "--all-passed" in run.err
    run = cli("cycle", "propose", "--year", "2025", "--hamlet", str(hamlet), "--ids", str(ids[3]))
    assert run.code != 0 and "chưa được đánh giá" in run.err
    ok = cli("cycle", "propose", "--year", "2025", "--hamlet", str(hamlet), "--ids", str(ids[0]))
    assert ok.code == 0 and "đã đề nghị 1" in ok.out
    assert cli("cycle", "withdraw", "--year", "2025", "--ids", str(ids[0]), "--json").json() == {
        "withdrawn": 1
    }
    decide = ("cycle", "recognise", "--year", "2025", "--number", "7/QĐ", "--signer-name", "Hòa")
    refused = cli(*decide)
    assert refused.code != 0 and "chưa được thôn đề nghị" in refused.err
    forced = cli(*decide, "--without-proposal", "--json").json()
    assert (forced["recognised"], forced["not_proposed"]) == (2, 0)


def test_assess_with_evidence_as_plain_text_is_a_message_not_a_traceback(
    cli: Callable[..., Run],
    commune: tuple[Path, int, list[int]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, hamlet, ids = commune
    monkeypatch.setenv("KHUYENHOC_DATA_DIR", str(folder))
    assert cli("cycle", "register", "--year", "2025", "--hamlet", str(hamlet)).code == 0
    sheet = tmp_path / "danh-gia.json"
    entries = [
        {"entity_id": ids[0], "values": {"1.2": 10}},
        {"entity_id": ids[1], "values": {"1.2": 10}, "evidence": "Sổ theo dõi của thôn"},
    ]
    sheet.write_text(json.dumps({"assessments": entries}, ensure_ascii=False), encoding="utf-8")
    run = cli("cycle", "assess", "--year", "2025", "--file", str(sheet))
    assert run.code != 0
    assert "“evidence” (minh chứng) phải là một bảng" in run.err
    assert "ValidationError" not in run.err and "dict" not in run.err
    # Checked before anything was written: the first, good entry was not saved either.
    listed = cli("cycle", "list", "--year", "2025", "--json").json()["rows"]
    assert not any(r["assessed"] for r in listed)


def test_scoring_clans_before_the_family_decision_warns(
    cli: Callable[..., Run],
    commune: tuple[Path, int, list[int]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, hamlet, _ids = commune
    ws = open_workspace(folder, lock=False)
    try:
        from app.core.registry import clans

        clan = clans.create_clan(ws.db, clans.ClanInput("Họ Đỗ", hamlet_id=hamlet))
    finally:
        ws.close()
    monkeypatch.setenv("KHUYENHOC_DATA_DIR", str(folder))
    args = ("--year", "2025", "--model", "learning_clan")
    assert cli("cycle", "register", *args, "--ids", str(clan)).code == 0
    sheet = tmp_path / "ho.json"
    sheet.write_text(json.dumps({"entity_id": clan, "values": {"2.1": True}}), encoding="utf-8")
    run = cli("cycle", "assess", *args, "--file", str(sheet))
    assert run.code == 0
    assert "Lưu ý: Chưa có quyết định công nhận Gia đình học tập năm 2025" in run.err
    data = cli("cycle", "assess", *args, "--file", str(sheet), "--json").json()
    assert data["warning"].startswith("Chưa có quyết định công nhận Gia đình học tập năm 2025")


def test_activity_figures_for_a_whole_year(
    cli: Callable[..., Run], commune: tuple[Path, int, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, _hamlet, _ids = commune
    monkeypatch.setenv("KHUYENHOC_DATA_DIR", str(folder))
    for day in ("05/03/2025", "02/10/2025", "10/01/2026"):
        added = cli(
            "activity",
            "add",
            "--kind",
            "centre",
            "--topic",
            "Kỹ thuật trồng lúa",
            "--date",
            day,
            "--count",
            "30",
        )
        assert added.code == 0
    run = cli("activity", "figures", "--year", "2025", "--json")
    assert run.code == 0
    data = run.json()
    assert (data["from"], data["to"]) == ("2025-01-01", "2025-12-31")
    assert (data["centre_sessions"], data["centre_participants"]) == (2, 60)
    refused = cli("activity", "figures", "--from", "01/01/2025")
    assert refused.code != 0 and "Cần cả --from và --to" in refused.err


def test_cycle_figures_gives_the_communes_tt25_evidence(
    cli: Callable[..., Run], commune: tuple[Path, int, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, _hamlet, _ids = commune
    monkeypatch.setenv("KHUYENHOC_DATA_DIR", str(folder))
    added = cli(
        "activity",
        "add",
        "--kind",
        "centre",
        "--topic",
        "Tuần lễ học tập",
        "--date",
        "03/10/2025",
        "--count",
        "40",
    )
    assert added.code == 0
    figures = cli("cycle", "figures", "--year", "2025", "--json").json()["figures"]
    # Four heads born 1970 (55 in 2025), primary school: all literate.
    assert figures["literacy_15_60"] == ["Biết chữ 15–60 tuổi: 4/4 (100,0%)"]
    assert figures["literacy_15_35"] == ["Biết chữ 15–35 tuổi: chưa có số liệu"]
    assert figures["centre_sessions"] == ["TTHTCĐ năm 2025: 1 buổi, 40 lượt người"]
    assert figures["week_activities"][0].endswith(": 1 hoạt động, 40 lượt người")
    listed = cli("criteria", "list").out
    assert "dvht-tt22 v2" in listed and "(đã được dvht-tt24 thay thế)" in listed
    clan = next(line for line in listed.splitlines() if "dhht-448" in line)
    assert clan.endswith("(tự xây dựng, tham khảo)")
