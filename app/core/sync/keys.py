"""This installation's keys: an Ed25519 signing key (every installation) and, at the
upper level, an age X25519 identity to decrypt bundles.

Private keys live in ``<data folder>/keys/`` (mode 0600), a folder outside the
database: backups copy the database only, bundles carry public keys only. A new
laptop therefore gets a new key, accepted by the province like any other. On
Windows, where mode 0600 means little, a key file written by this version is also
sealed with DPAPI (``CryptProtectData``, current user; file starts with
:data:`DPAPI_MAGIC`), so a copy of the folder is useless to another account or PC.
Key files written before (plain PEM / age text) are still read as they are.

The **key id** is the first 16 hex digits of SHA-256 of the raw public key; the
**fingerprint** (read aloud, printed on the registration sheet) is the first 32
hex digits, upper case, in groups of four.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from app.core.errors import StorageError, reason_of

KEYS_DIR = "keys"
SIGNING_FILE = "signing-ed25519.pem"
AGE_FILE = "decrypt-x25519.age"


@dataclass(frozen=True)
class KeyInfo:
    public_key: str  # 64 hex digits (raw Ed25519 public key)
    key_id: str
    fingerprint: str


def key_id_of(public_hex: str) -> str:
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()[:16]


def fingerprint_of(public_hex: str) -> str:
    digest = hashlib.sha256(bytes.fromhex(public_hex)).hexdigest().upper()[:32]
    return "-".join(digest[i : i + 4] for i in range(0, 32, 4))


def normalise_fingerprint(text: str) -> str:
    """ "abcd ef01…" or "ABCD-EF01-…" → the canonical grouped form (for comparison)."""
    clean = "".join(ch for ch in text.upper() if ch in "0123456789ABCDEF")
    return "-".join(clean[i : i + 4] for i in range(0, len(clean), 4))


def info_of(public_hex: str) -> KeyInfo:
    return KeyInfo(public_hex, key_id_of(public_hex), fingerprint_of(public_hex))


def _keys_dir(data_dir: Path) -> Path:
    return data_dir / KEYS_DIR


def _write_secret(path: Path, data: bytes) -> None:
    """Write a private file atomically with mode 0600 from the first byte."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            path.parent.chmod(0o700)
        tmp = path.with_name(path.name + ".partial")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise StorageError(f"Không ghi được khóa vào {path.parent}: {reason_of(exc)}.") from exc


write_secret = _write_secret  # other private files (the hub's login) are written the same way

DPAPI_MAGIC = b"KHDPAPI1\n"


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only

    def _dpapi(data: bytes, *, protect: bool) -> bytes:
        """CryptProtectData / CryptUnprotectData (current user, no UI) through ctypes."""
        import ctypes
        from ctypes import wintypes

        class Blob(ctypes.Structure):
            _fields_ = [("cbData", wintypes.DWORD), ("pbData", ctypes.POINTER(ctypes.c_char))]

        buffer = ctypes.create_string_buffer(data, len(data))
        blob_in = Blob(len(data), ctypes.cast(buffer, ctypes.POINTER(ctypes.c_char)))
        blob_out = Blob()
        ui_forbidden = 0x1
        crypt32 = ctypes.windll.crypt32
        call = crypt32.CryptProtectData if protect else crypt32.CryptUnprotectData
        if not call(
            ctypes.byref(blob_in), None, None, None, None, ui_forbidden, ctypes.byref(blob_out)
        ):
            raise StorageError(
                "Không mở được khóa bí mật: khóa được bảo vệ cho một tài khoản Windows "
                "hoặc máy khác. Trên máy này hãy tạo khóa mới và gửi phiếu đăng ký khóa cho tỉnh."
            )
        try:
            return ctypes.string_at(blob_out.pbData, blob_out.cbData)
        finally:
            ctypes.windll.kernel32.LocalFree(blob_out.pbData)

else:

    def _dpapi(data: bytes, *, protect: bool) -> bytes:
        raise StorageError(
            "Khóa bí mật này được bảo vệ bằng Windows (DPAPI) nên chỉ mở được trên "
            "máy Windows đã tạo ra nó."
        )


def _seal(data: bytes) -> bytes:
    """Private key bytes as stored: DPAPI-sealed on Windows, as they are elsewhere."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return DPAPI_MAGIC + _dpapi(data, protect=True)
    return data


def _unseal(stored: bytes) -> bytes:
    if stored.startswith(DPAPI_MAGIC):
        return _dpapi(stored[len(DPAPI_MAGIC) :], protect=False)
    return stored


def signing_key(data_dir: Path) -> Ed25519PrivateKey:
    """This installation's signing key, made on first use."""
    path = _keys_dir(data_dir) / SIGNING_FILE
    if path.exists():
        key = serialization.load_pem_private_key(_unseal(path.read_bytes()), password=None)
        assert isinstance(key, Ed25519PrivateKey)
        return key
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_secret(path, _seal(pem))
    return key


def public_hex(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw.hex()


def my_key(data_dir: Path) -> KeyInfo:
    return info_of(public_hex(signing_key(data_dir)))


def sign(data_dir: Path, message: bytes) -> bytes:
    return signing_key(data_dir).sign(message)


def verify(public: str, signature: bytes, message: bytes) -> bool:
    """True when ``signature`` is a valid Ed25519 signature of ``message`` by ``public``."""
    try:
        raw = bytes.fromhex(public)
        if len(raw) != 32 or len(signature) != 64:
            return False
        Ed25519PublicKey.from_public_bytes(raw).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def age_identity(data_dir: Path, *, create: bool = False) -> object:
    """The upper level's age X25519 identity (``pyrage.x25519.Identity``)."""
    from pyrage import x25519

    path = _keys_dir(data_dir) / AGE_FILE
    if path.exists():
        return x25519.Identity.from_str(_unseal(path.read_bytes()).decode("ascii").strip())
    if not create:
        raise StorageError("Chưa có khóa giải mã của cấp trên (hãy chạy 'province init').")
    identity = x25519.Identity.generate()
    _write_secret(path, _seal((str(identity) + "\n").encode("ascii")))
    return identity


def age_recipient_of(identity: object) -> str:
    return str(identity.to_public())  # type: ignore[attr-defined]
