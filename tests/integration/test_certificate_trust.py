# ruff: noqa: F811  (pytest fixtures imported from the sync integration tests)
"""Certificates verify only against keys the app already trusts: the commune's own,
or those the province accepted (each for its own commune); the province verifies
too; a revocation list travels in the province's configuration package."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.core.printing.seal import CertificateRecord, Signer, key_ring, verify_payload
from app.core.sync import keys, state, upper
from tests.integration.test_sync_fixtures import (  # noqa: F401  (fixtures)
    Commune,
    Province,
    commune,
    make_commune,
    province,
)


def _record(code: str, name: str = "Nguyễn Thị Thu Trang", entity: int = 17) -> CertificateRecord:
    return CertificateRecord(code, "learning_family", 2025, entity, name, "12/QĐ-UBND")


def _verify(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, Any]:
    code = main(["--data-dir", str(data_dir), "--json", "verify-certificate", *args])
    return code, json.loads(capsys.readouterr().out)["results"][0]


def _new_package(province: Province, tmp_path: Path, *communes: Commune) -> None:
    """The province writes its next configuration package; ``communes`` load it."""
    out = tmp_path / f"goi-{upper.last_package_version(province.db) + 1}"
    path, _version = upper.write_new_config_package(province.db, out)
    for c in communes:
        state.load_config_package(c.db, path)


@pytest.fixture
def two_communes(
    province: Province, make_commune: Callable[..., Commune], tmp_path: Path
) -> tuple[Commune, Commune]:
    a = make_commune(code="12205", name="xa-a")
    b = make_commune(code="12133", name="xa-b")
    _new_package(province, tmp_path, a, b)  # version 2: both keys accepted
    return a, b


def test_a_neighbour_communes_certificate_verifies_through_the_province_package(
    two_communes: tuple[Commune, Commune], capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = two_communes
    payload = Signer(a.data_dir).payload(_record("12205"))
    code, result = _verify(capsys, b.data_dir, payload)
    assert code == 0 and result["genuine"] and "tỉnh đã chấp nhận" in result["reason"]
    assert result["key_id"] == keys.my_key(a.data_dir).fingerprint.replace("-", "")


def test_a_key_handed_on_the_command_line_is_not_enough(
    two_communes: tuple[Commune, Commune], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _a, b = two_communes
    forger = tmp_path / "may-gia"
    payload = Signer(forger).payload(_record("12133"))
    public = keys.my_key(forger).public_key
    code, result = _verify(capsys, b.data_dir, payload, "--public-key", public)
    assert code == 1 and not result["genuine"] and "KHÔNG xác nhận" in result["reason"]
    code, result = _verify(capsys, b.data_dir, payload)
    assert code == 1 and not result["genuine"]


def test_an_accepted_key_cannot_vouch_for_another_commune(
    two_communes: tuple[Commune, Commune], capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = two_communes
    payload = Signer(a.data_dir).payload(_record("12133"))  # A signs "a certificate of B"
    code, result = _verify(capsys, b.data_dir, payload)
    assert code == 1 and "GIẢ MẠO" in result["reason"] and "12205" in result["reason"]


def test_the_province_verifies_with_its_pinned_keys(
    province: Province,
    two_communes: tuple[Commune, Commune],
    capsys: pytest.CaptureFixture[str],
) -> None:
    a, _b = two_communes
    payload = Signer(a.data_dir).payload(_record("12205"))
    code, result = _verify(capsys, province.data_dir, payload)
    assert code == 0 and result["genuine"]
    tampered = payload.replace("Thu Trang", "Thu Hà")
    code, result = _verify(capsys, province.data_dir, tampered)
    assert code == 1 and "GIẢ MẠO" in result["reason"]


def test_revocations_travel_in_the_next_package(
    province: Province,
    two_communes: tuple[Commune, Commune],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    a, b = two_communes
    signer = Signer(a.data_dir)
    revoked = signer.payload(_record("12205", "Trần Văn Bình", entity=18))
    kept = signer.payload(_record("12205"))
    assert (
        main(["--data-dir", str(province.data_dir), "province", "revoke-certificate", revoked]) == 0
    )
    capsys.readouterr()
    assert verify_payload(revoked, key_ring(province.db)).reason.startswith("ĐÃ BỊ THU HỒI")
    assert verify_payload(revoked, key_ring(b.db)).genuine  # B has not the new package yet
    _new_package(province, tmp_path, b)
    assert "ĐÃ BỊ THU HỒI" in verify_payload(revoked, key_ring(b.db)).reason
    assert verify_payload(kept, key_ring(b.db)).genuine
    # A stolen laptop: every certificate its key signed.
    fingerprint = keys.my_key(a.data_dir).fingerprint
    code = main(
        [
            "--data-dir",
            str(province.data_dir),
            "province",
            "revoke-certificate",
            "--key",
            fingerprint,
        ]
    )
    assert code == 0
    _new_package(province, tmp_path, b)
    assert "ĐÃ BỊ THU HỒI" in verify_payload(kept, key_ring(b.db)).reason


@pytest.mark.parametrize("fmt", ["TIFF", "PPM", "ICO"])
def test_photos_are_decoded_only_in_the_formats_a_phone_or_scanner_gives(
    tmp_path: Path, fmt: str
) -> None:
    from PIL import Image

    from app.core.errors import UserError
    from app.core.printing.qrread import read_qr_payloads

    path = tmp_path / "anh.png"  # the name says PNG, the content is another format
    Image.new("L", (64, 64), 255).save(path, format=fmt)
    with pytest.raises(UserError) as err:
        read_qr_payloads(path)
    assert "JPEG, PNG" in err.value.message
