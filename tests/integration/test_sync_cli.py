"""The sync commands, driven headless as the issue lists them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main


def _run(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main([*args, "--data-dir", str(data_dir), "--json"])
    out = capsys.readouterr().out.strip()
    return code, (json.loads(out) if out else {})


def test_commune_to_province_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prov, xa, usb, out = tmp_path / "tinh", tmp_path / "xa", tmp_path / "usb", tmp_path / "goi"
    code, init = _run(
        capsys, prov, "province", "init", "--name", "Hội Khuyến học tỉnh Thử", "--out", str(out)
    )
    assert code == 0 and Path(init["package"]).exists()
    assert main(["init", "--commune-code", "4", "--data-dir", str(xa)]) == 0
    capsys.readouterr()
    code, me = _run(capsys, xa, "keys", "show")
    assert code == 0 and set(me) >= {"installation_id", "key_id", "fingerprint"}
    code, loaded = _run(capsys, xa, "config", "load", init["package"])
    assert code == 0 and loaded["fingerprint"] == init["fingerprint"]
    code, exported = _run(capsys, xa, "bundle", "export", "--out", str(usb))
    assert code == 0 and exported["seq"] == 1 and set(exported) >= {"file", "sha256", "counts"}
    code, verified = _run(capsys, xa, "bundle", "verify", exported["file"])
    assert code == 0 and verified["valid"]
    code, imported = _run(capsys, prov, "bundle", "import", str(usb))
    assert code == 0 and imported["bundles"][0]["status"] == "quarantined"
    code, accepted = _run(capsys, prov, "province", "accept-key", me["fingerprint"])
    assert code == 0 and accepted["bundles"][0]["status"] == "applied"
    code, again = _run(capsys, prov, "bundle", "import", str(usb), "--dry-run")
    assert code == 0 and again["bundles"][0]["status"] == "replay"
    code, receipt = _run(capsys, prov, "receipt", "write", "--commune", "00004", "--out", str(usb))
    assert code == 0
    code, confirmed = _run(capsys, xa, "receipt", "load", receipt["file"])
    assert code == 0 and confirmed["confirmed"] == 1
    bad = usb / "KH_00004_000002_00000000.khb"
    bad.write_bytes(b"PK\x03\x04 hong")
    code, result = _run(capsys, prov, "bundle", "import", str(bad))
    assert code == 0 and result["bundles"][0]["status"] == "rejected"
    code, verified = _run(capsys, prov, "bundle", "verify", str(bad))
    assert code == 1 and not verified["valid"]


def test_commune_commands_refuse_at_the_wrong_level(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "--commune-code", "4", "--data-dir", str(tmp_path)]) == 0
    code = main(["bundle", "import", str(tmp_path), "--data-dir", str(tmp_path)])
    assert code != 0 and "cấp trên" in capsys.readouterr().err
