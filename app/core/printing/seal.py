"""The signed record a certificate's QR code carries, and its offline verification.

Payload (UTF-8 text, ``|``-separated, compact enough for a 3 cm QR code)::

    KH1|<commune code>|<model code>|<year>|<entity id>|<name>|<decision no.>|<key id>|<sig>

``sig`` is the installation's Ed25519 signature (:mod:`app.core.sync.keys`, the key the
upward sync uses) over every byte before the last ``|``, in URL-safe base64 without
padding. Anyone holding the installation's public key (the province has it from
sync registration) can check a certificate without a network.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from pathlib import Path

from app.core.assessment import MODELS
from app.core.sync import keys

PREFIX = "KH1"

MODEL_CODES = {
    "learning_family": "GD",
    "learning_clan": "DH",
    "learning_community": "CD",
    "learning_unit": "DV",
    "learning_citizen": "CN",
    "commune_learning_community": "XA",
}
_MODEL_BY_CODE = {v: k for k, v in MODEL_CODES.items()}


@dataclass(frozen=True)
class CertificateRecord:
    commune_code: str
    model: str
    year: int
    entity_id: int
    name: str
    decision_number: str

    def message(self, key_id: str) -> str:
        parts = [
            PREFIX,
            self.commune_code,
            MODEL_CODES[self.model],
            str(self.year),
            str(self.entity_id),
            _clean(self.name),
            _clean(self.decision_number),
            key_id,
        ]
        return "|".join(parts)


@dataclass(frozen=True)
class Verification:
    genuine: bool
    reason: str  # Vietnamese, for the user
    record: CertificateRecord | None
    key_id: str

    def describe(self) -> str:
        if self.record is None:
            return self.reason
        r = self.record
        what = (
            f"{MODELS[r.model]} năm {r.year}: {r.name} "
            f"(quyết định số {r.decision_number}, mã khóa {self.key_id})"
        )
        return f"{self.reason}\n{what}"


def _clean(text: str) -> str:
    return " ".join(text.replace("|", "/").split())


class Signer:
    """Signs many records with one loaded key (loading the PEM once per print run)."""

    def __init__(self, data_dir: Path) -> None:
        self._key = keys.signing_key(data_dir)
        self.public_key = keys.public_hex(self._key)
        self.key_id = keys.key_id_of(self.public_key)

    def payload(self, record: CertificateRecord) -> str:
        message = record.message(self.key_id)
        signature = self._key.sign(message.encode("utf-8"))
        return f"{message}|{base64.urlsafe_b64encode(signature).decode('ascii').rstrip('=')}"


def parse(payload: str) -> tuple[CertificateRecord, str, bytes, str]:
    """Split a payload into (record, key id, signature, signed message); ValueError if malformed."""
    text = payload.strip()
    message, _, sig_text = text.rpartition("|")
    parts = message.split("|")
    if len(parts) != 8 or parts[0] != PREFIX or parts[2] not in _MODEL_BY_CODE:
        raise ValueError("not a certificate payload")
    try:
        signature = base64.urlsafe_b64decode(sig_text + "=" * (-len(sig_text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("bad signature encoding") from exc
    record = CertificateRecord(
        commune_code=parts[1],
        model=_MODEL_BY_CODE[parts[2]],
        year=int(parts[3]),
        entity_id=int(parts[4]),
        name=parts[5],
        decision_number=parts[6],
    )
    return record, parts[7], signature, message


def verify_payload(payload: str, public_keys: dict[str, str]) -> Verification:
    """Check ``payload`` against known public keys (key id → 64 hex digits)."""
    try:
        record, key_id, signature, message = parse(payload)
    except ValueError:
        return Verification(False, "Đây không phải mã QR của giấy công nhận.", None, "")
    public = public_keys.get(key_id)
    if public is None:
        return Verification(
            False,
            f"Không có khóa công khai mã {key_id} để đối chiếu (giấy do máy khác cấp?).",
            record,
            key_id,
        )
    if not keys.verify(public, signature, message.encode("utf-8")):
        return Verification(
            False, "GIẢ MẠO hoặc đã bị sửa: chữ ký không khớp nội dung.", record, key_id
        )
    return Verification(True, "Giấy công nhận THẬT (chữ ký hợp lệ).", record, key_id)


def known_keys(data_dir: Path, extra: list[str] | None = None) -> dict[str, str]:
    """This installation's public key plus any given public keys (hex)."""
    found = {keys.key_id_of(p): p for p in (extra or []) if len(p) == 64}
    me = keys.my_key(data_dir)
    found[me.key_id] = me.public_key
    return found
