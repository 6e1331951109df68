"""The signed record a certificate's QR code carries, and its offline verification.

Payload (UTF-8 text, ``|``-separated, compact enough for a 3 cm QR code)::

    KH2|<commune code>|<model code>|<year>|<entity id>|<name>|<decision no.>|<fingerprint>|<sig>

``fingerprint`` names the installation's key (:mod:`app.core.sync.keys`, the key the
upward sync uses): 32 hex digits, the key's fingerprint without its dashes. ``sig`` is
that key's Ed25519 signature over every byte before the last ``|``, in URL-safe base64
without padding. Certificates printed before carry ``KH1`` and the 16-digit key id.

A certificate is genuine only when its key is one this installation already trusts
(:class:`KeyRing`): its own key, or a key the province accepted for *that* commune — at
a commune from the province's configuration package, at the province from its own
pinned keys — and neither the key nor the certificate is on the province's revocation
list. A key merely handed to the verifier (``verify-certificate --public-key``) can say
the signature matches, never that the certificate is genuine.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.assessment import MODELS
from app.core.sync import keys

if TYPE_CHECKING:
    from app.core.db import Database

PREFIX = "KH2"
OLD_PREFIX = "KH1"  # printed before: the 16-digit key id instead of the fingerprint

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

    @property
    def certificate_id(self) -> str:
        """What a revocation names: commune, model, year, entity and decision."""
        return "|".join(
            (
                self.commune_code,
                MODEL_CODES[self.model],
                str(self.year),
                str(self.entity_id),
                _clean(self.decision_number),
            )
        )

    def message(self, key_ref: str, prefix: str = PREFIX) -> str:
        parts = [
            prefix,
            self.commune_code,
            MODEL_CODES[self.model],
            str(self.year),
            str(self.entity_id),
            _clean(self.name),
            _clean(self.decision_number),
            key_ref,
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


def key_ref(public_key: str) -> str:
    """How a KH2 payload names a key: its fingerprint without dashes (32 hex digits)."""
    return keys.fingerprint_of(public_key).replace("-", "")


class Signer:
    """Signs many records with one loaded key (loading the PEM once per print run)."""

    def __init__(self, data_dir: Path) -> None:
        self._key = keys.signing_key(data_dir)
        self.public_key = keys.public_hex(self._key)
        self.key_id = keys.key_id_of(self.public_key)
        self.fingerprint = keys.fingerprint_of(self.public_key)

    def payload(self, record: CertificateRecord) -> str:
        message = record.message(key_ref(self.public_key))
        signature = self._key.sign(message.encode("utf-8"))
        return f"{message}|{base64.urlsafe_b64encode(signature).decode('ascii').rstrip('=')}"


_HEX = frozenset("0123456789abcdefABCDEF")


def parse(payload: str) -> tuple[CertificateRecord, str, bytes, str]:
    """Split a payload into (record, key reference, signature, signed message);
    ValueError if malformed. The key reference is a fingerprint (KH2) or key id (KH1)."""
    text = payload.strip()
    message, _, sig_text = text.rpartition("|")
    parts = message.split("|")
    if len(parts) != 8 or parts[0] not in (PREFIX, OLD_PREFIX) or parts[2] not in _MODEL_BY_CODE:
        raise ValueError("not a certificate payload")
    ref = parts[7]
    if len(ref) != (32 if parts[0] == PREFIX else 16) or not set(ref) <= _HEX:
        raise ValueError("bad key reference")
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
    return record, ref, signature, message


@dataclass(frozen=True)
class KnownKey:
    public_key: str
    commune_code: str  # "" = this installation's own key (any commune it printed for)
    source: str  # Vietnamese: where the trust comes from
    trusted: bool = True

    def matches(self, ref: str) -> bool:
        return hashlib.sha256(bytes.fromhex(self.public_key)).hexdigest().startswith(ref.lower())


@dataclass(frozen=True)
class KeyRing:
    """The keys a verifier knows, and the province's revocation list."""

    keys: tuple[KnownKey, ...]
    revoked_keys: frozenset[str] = frozenset()  # fingerprints, without dashes, upper case
    revoked_certificates: frozenset[str] = frozenset()  # CertificateRecord.certificate_id

    def find(self, ref: str) -> KnownKey | None:
        """The trusted key ``ref`` names, else an untrusted one that matches."""
        found = [k for k in self.keys if k.matches(ref)]
        return next((k for k in found if k.trusted), found[0] if found else None)


def _revocations(body: dict[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    def clean(values: Any) -> frozenset[str]:
        return frozenset(str(v) for v in values) if isinstance(values, list) else frozenset()

    revoked_keys = frozenset(
        keys.normalise_fingerprint(k).replace("-", "") for k in clean(body.get("revoked_keys"))
    )
    return revoked_keys, clean(body.get("revoked_certificates"))


def key_ring(db: Database, extra: list[str] | None = None) -> KeyRing:
    """What this installation trusts: at a commune its own key and the keys the
    province's package lists as accepted (each for its commune), with the package's
    revocations; at the province its pinned commune keys and its own revocations.
    ``extra`` public keys are known but not trusted."""
    from sqlalchemy import select

    from app.core.models.sync import SyncPinnedKey
    from app.core.sync import state

    found: list[KnownKey] = []
    if state.is_upper(db):
        with db.session() as s:
            for k in s.scalars(select(SyncPinnedKey)):
                found.append(KnownKey(k.public_key, k.commune_code, "khóa tỉnh đã chấp nhận"))
        revoked = _revocations(revocation_list(db))
    else:
        me = keys.my_key(db.data_dir)
        found.append(KnownKey(me.public_key, db.commune_code, "khóa của máy này"))
        config = state.province_config(db)
        body = config.body if config is not None else {}
        for entry in body.get("accepted_keys", []):
            public = str(entry.get("public_key", "")) if isinstance(entry, dict) else ""
            if len(public) == 64 and keys.key_id_of(public) == entry.get("key_id"):
                code = str(entry.get("commune_code", ""))
                found.append(KnownKey(public, code, "khóa tỉnh đã chấp nhận"))
        revoked = _revocations(body)
    found += _untrusted(extra)
    return KeyRing(tuple(found), *revoked)


def _untrusted(extra: list[str] | None) -> list[KnownKey]:
    return [
        KnownKey(p.lower(), "", "khóa đưa vào lệnh", trusted=False)
        for p in extra or []
        if len(p) == 64 and set(p) <= _HEX
    ]


REVOCATIONS_KEY = "sync_revocations"  # upper level: {"keys": [...], "certificates": [...]}


def revocation_list(db: Database) -> dict[str, list[str]]:
    """The province's revocation list, as its configuration packages carry it."""
    from app.core import settings

    stored = settings.get_value(db, REVOCATIONS_KEY)
    stored = stored if isinstance(stored, dict) else {}
    return {
        "revoked_keys": [str(v) for v in stored.get("revoked_keys", [])],
        "revoked_certificates": [str(v) for v in stored.get("revoked_certificates", [])],
    }


def revoke(db: Database, *, payload: str = "", fingerprint: str = "") -> dict[str, list[str]]:
    """Add one certificate (from its QR text) or every certificate of a key (a stolen
    laptop) to the province's revocation list; the next configuration package carries it."""
    from app.core import settings
    from app.core.errors import UserError
    from app.core.sync import state

    state.require_upper(db)
    current = revocation_list(db)
    if payload:
        try:
            record = parse(payload)[0]
        except ValueError:
            raise UserError("Đây không phải mã QR của giấy công nhận.") from None
        if record.certificate_id not in current["revoked_certificates"]:
            current["revoked_certificates"].append(record.certificate_id)
    if fingerprint:
        clean = keys.normalise_fingerprint(fingerprint)
        if len(clean.replace("-", "")) != 32:
            raise UserError("Vân tay khóa phải có 32 chữ số hệ 16 (ví dụ 3FA2-B1C9-…).")
        if clean not in current["revoked_keys"]:
            current["revoked_keys"].append(clean)
    settings.put_value(db, REVOCATIONS_KEY, current)
    return current


def verify_payload(payload: str, ring: KeyRing | dict[str, str]) -> Verification:
    """Check ``payload`` against the keys a verifier trusts (``ring``; a plain
    {key id: public key} mapping counts as trusted keys valid for any commune)."""
    if isinstance(ring, dict):
        ring = KeyRing(tuple(KnownKey(p, "", "khóa đưa vào") for p in ring.values()))
    try:
        record, ref, signature, message = parse(payload)
    except ValueError:
        return Verification(False, "Đây không phải mã QR của giấy công nhận.", None, "")
    known = ring.find(ref)
    if known is None:
        return Verification(
            False,
            f"Không có khóa công khai mã {ref} trong các khóa tin cậy để đối chiếu "
            "(giấy do máy khác cấp, hoặc máy này chưa nạp gói cấu hình mới của tỉnh?).",
            record,
            ref,
        )
    if not keys.verify(known.public_key, signature, message.encode("utf-8")):
        return Verification(
            False, "GIẢ MẠO hoặc đã bị sửa: chữ ký không khớp nội dung.", record, ref
        )
    if not known.trusted:
        return Verification(
            False,
            "KHÔNG xác nhận được: chữ ký khớp với khóa được đưa vào lệnh, nhưng khóa này "
            "không phải của máy này và không có trong danh sách khóa tỉnh đã chấp nhận.",
            record,
            ref,
        )
    if known.commune_code and known.commune_code != record.commune_code:
        return Verification(
            False,
            f"GIẢ MẠO: giấy ghi là của xã mã {record.commune_code} nhưng được ký bằng khóa "
            f"của xã mã {known.commune_code}.",
            record,
            ref,
        )
    if key_ref(known.public_key) in ring.revoked_keys:
        return Verification(
            False, "ĐÃ BỊ THU HỒI: khóa đã ký giấy này nằm trong danh sách thu hồi.", record, ref
        )
    if record.certificate_id in ring.revoked_certificates:
        return Verification(
            False, "ĐÃ BỊ THU HỒI: giấy công nhận này nằm trong danh sách thu hồi.", record, ref
        )
    return Verification(True, f"Giấy công nhận THẬT (chữ ký hợp lệ, {known.source}).", record, ref)


def known_keys(data_dir: Path, extra: list[str] | None = None) -> KeyRing:
    """This installation's own key (trusted) and any given public keys (not trusted):
    for a folder without a database. With one, use :func:`key_ring`."""
    me = keys.my_key(data_dir)
    return KeyRing((KnownKey(me.public_key, "", "khóa của máy này"), *_untrusted(extra)))
