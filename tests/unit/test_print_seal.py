"""The certificate QR payload: compact, signed with the installation key, verifiable offline."""

from __future__ import annotations

from pathlib import Path

import segno

from app.core.printing.seal import (
    CertificateRecord,
    Signer,
    known_keys,
    parse,
    verify_payload,
)
from app.core.sync import keys

RECORD = CertificateRecord("12205", "learning_family", 2025, 298, "Đỗ Thị Ngọc Hằng", "41/QĐ-UBND")


def test_a_signed_payload_verifies_with_the_installation_key(tmp_path: Path) -> None:
    signer = Signer(tmp_path)
    payload = signer.payload(RECORD)
    assert signer.key_id == keys.my_key(tmp_path).key_id, "the sync key signs certificates"
    assert (tmp_path / "keys" / keys.SIGNING_FILE).exists()

    result = verify_payload(payload, known_keys(tmp_path))
    assert result.genuine
    assert result.record == RECORD
    assert "Đỗ Thị Ngọc Hằng" in result.describe() and "2025" in result.describe()


def test_the_payload_fits_a_small_qr_code(tmp_path: Path) -> None:
    payload = Signer(tmp_path).payload(RECORD)
    assert len(payload.encode("utf-8")) < 200
    assert segno.make(payload, error="m", micro=False).version <= 10


def test_any_changed_field_fails(tmp_path: Path) -> None:
    payload = Signer(tmp_path).payload(RECORD)
    public = known_keys(tmp_path)
    for old, new in (("Hằng", "Hà"), ("|2025|", "|2024|"), ("|298|", "|299|"), ("41/", "42/")):
        tampered = payload.replace(old, new, 1)
        assert tampered != payload
        result = verify_payload(tampered, public)
        assert not result.genuine
        assert "GIẢ MẠO" in result.reason


def test_another_installation_cannot_vouch(tmp_path: Path) -> None:
    payload = Signer(tmp_path / "a").payload(RECORD)
    other = known_keys(tmp_path / "b")
    result = verify_payload(payload, other)
    assert not result.genuine and "Không có khóa công khai" in result.reason
    forged_ref = parse(payload)[1]
    forged = verify_payload(payload, {forged_ref: other.keys[0].public_key})
    assert not forged.genuine, "a different key under the same reference fails"
    # A key handed to the verifier matches the signature but vouches for nothing.
    handed = verify_payload(
        payload, known_keys(tmp_path / "b", [keys.my_key(tmp_path / "a").public_key])
    )
    assert not handed.genuine and "KHÔNG xác nhận" in handed.reason and "THẬT" not in handed.reason


def test_the_payload_names_the_key_by_its_fingerprint(tmp_path: Path) -> None:
    payload = Signer(tmp_path).payload(RECORD)
    assert payload.startswith("KH2|")
    fingerprint = keys.my_key(tmp_path).fingerprint
    assert parse(payload)[1] == fingerprint.replace("-", "")


def test_certificates_printed_before_still_verify(tmp_path: Path) -> None:
    import base64

    key = keys.signing_key(tmp_path)
    message = RECORD.message(keys.my_key(tmp_path).key_id, prefix="KH1")
    signature = base64.urlsafe_b64encode(key.sign(message.encode("utf-8"))).decode().rstrip("=")
    assert verify_payload(f"{message}|{signature}", known_keys(tmp_path)).genuine


def test_garbage_is_not_a_certificate(tmp_path: Path) -> None:
    for junk in ("", "hello", "KH1|x|ZZ|2025|1|A|B|C|D", "https://example.org"):
        result = verify_payload(junk, known_keys(tmp_path))
        assert not result.genuine and result.record is None


def _decode(rows: list[bytes]) -> str:
    import zxingcpp
    from PIL import Image

    n, scale, quiet = len(rows), 4, 4
    image = Image.new("L", ((n + 2 * quiet) * scale,) * 2, 255)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                x, y = (c + quiet) * scale, (r + quiet) * scale
                image.paste(0, (x, y, x + scale, y + scale))
    (found,) = zxingcpp.read_barcodes(image)
    return str(found.text)


def test_both_qr_encoders_make_codes_that_read_back(tmp_path: Path) -> None:
    from app.core.printing.certificates import qr_modules, segno_modules

    payload = Signer(tmp_path).payload(RECORD)
    for rows in (qr_modules(payload), segno_modules(payload)):
        assert len(rows) == len(rows[0]) <= 57  # version 10 at most: 3 cm stays readable
        assert _decode(rows) == payload
