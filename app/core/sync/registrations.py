"""Key registrations sent to the hub by communes whose key is not accepted yet.

An unknown key may do one thing at the hub: leave a small registration (its public
key, commune code and installation id — the content of the printed key sheet) for a
person to compare and accept (``province accept-key FINGERPRINT``). It never stores a
bundle there. Registrations are small files under ``<data folder>/sync/registrations/``
(one per key, the newest wins), capped in number and forgotten after
:data:`EXPIRES_AFTER`; accepting a key removes its registration. The hub rate-limits
the requests (:class:`app.core.sync.hub.RateLimiter`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import UserError
from app.core.sync import keys

REG_DIR = Path("sync") / "registrations"
MAX_BYTES = 2048
MAX_PENDING = 500
EXPIRES_AFTER = dt.timedelta(days=30)
FORMAT = "khuyenhoc-key-registration"  # the same document as the key sheet's file
_CODE = re.compile(r"[0-9]{5}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_KEY_ID = re.compile(r"[0-9a-f]{16}")


class RegistrationRefused(UserError):
    """The registration is malformed or names an unknown commune (HTTP 400)."""


class RegistrationsFull(UserError):
    """Too many registrations wait for a person (HTTP 429)."""


@dataclass(frozen=True)
class Registration:
    key_id: str
    public_key: str
    commune_code: str
    installation_id: str
    received_at: dt.datetime

    @property
    def fingerprint(self) -> str:
        return keys.fingerprint_of(self.public_key)

    def as_dict(self) -> dict[str, str]:
        return {
            "key_id": self.key_id,
            "fingerprint": self.fingerprint,
            "commune_code": self.commune_code,
            "installation_id": self.installation_id,
            "received_at": self.received_at.isoformat(),
        }


def folder(data_dir: Path) -> Path:
    return data_dir / REG_DIR


def parse(data: bytes, signer_public: str, now: dt.datetime | None = None) -> Registration:
    """A registration as sent (the key sheet's JSON), signed by the key it registers."""
    from app.core.communes import find_commune

    if len(data) > MAX_BYTES:
        raise RegistrationRefused("Phiếu đăng ký khóa quá lớn.")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise RegistrationRefused("Phiếu đăng ký khóa không phải JSON hợp lệ.") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise RegistrationRefused("Tệp gửi lên không phải phiếu đăng ký khóa.")
    public = str(doc.get("public_key", "")).lower()
    code = str(doc.get("commune_code", ""))
    installation = str(doc.get("installation_id", "")).lower()
    if public != signer_public.lower():
        raise RegistrationRefused("Phiếu đăng ký khóa phải do chính khóa đó ký.")
    if not _CODE.fullmatch(code) or not _UUID.fullmatch(installation):
        raise RegistrationRefused("Phiếu đăng ký khóa thiếu mã xã hoặc mã máy hợp lệ.")
    find_commune(code)  # UserError for a code that names no commune
    return Registration(
        keys.key_id_of(public), public, code, installation, now or dt.datetime.now(dt.UTC)
    )


def _read(path: Path) -> Registration | None:
    try:
        doc = json.loads(path.read_text("utf-8"))
        return Registration(
            str(doc["key_id"]),
            str(doc["public_key"]),
            str(doc["commune_code"]),
            str(doc["installation_id"]),
            dt.datetime.fromisoformat(str(doc["received_at"])),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def pending(data_dir: Path, now: dt.datetime | None = None) -> list[Registration]:
    """Registrations waiting for a person, oldest first; expired ones are removed."""
    where = folder(data_dir)
    if not where.is_dir():
        return []
    moment = now or dt.datetime.now(dt.UTC)
    found: list[Registration] = []
    for path in sorted(where.glob("*.json")):
        reg = _read(path)
        if reg is None or moment - reg.received_at > EXPIRES_AFTER:
            with contextlib.suppress(OSError):
                path.unlink()
            continue
        found.append(reg)
    return sorted(found, key=lambda r: r.received_at)


def store(data_dir: Path, reg: Registration) -> bool:
    """Keep ``reg`` (replacing this key's earlier one); False when it was already held."""
    from app.core.sync.writer import write_durably

    if not _KEY_ID.fullmatch(reg.key_id):  # pragma: no cover - made by parse()
        raise RegistrationRefused("Mã khóa không hợp lệ.")
    path = folder(data_dir) / f"{reg.key_id}.json"
    known = path.exists()
    if not known and len(pending(data_dir, reg.received_at)) >= MAX_PENDING:
        raise RegistrationsFull(
            "Máy chủ của tỉnh đang có quá nhiều phiếu đăng ký khóa chờ duyệt: hãy gửi "
            "phiếu đăng ký in sẵn cho tỉnh, hoặc thử lại sau."
        )
    doc = {
        "public_key": reg.public_key,
        "commune_code": reg.commune_code,
        "installation_id": reg.installation_id,
        "received_at": reg.received_at.isoformat(),
        "key_id": reg.key_id,
    }
    write_durably(path, json.dumps(doc).encode("utf-8"))
    return not known


def forget(data_dir: Path, key_id: str) -> None:
    """Remove the registration of ``key_id`` (accepted, or refused by a person)."""
    with contextlib.suppress(OSError):
        (folder(data_dir) / f"{key_id}.json").unlink()
