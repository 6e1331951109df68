"""Small signed documents: the province configuration package and receipts.

File = RFC 8785 canonical JSON ``{"body": {...}, "signature": "<hex>"}``; the
Ed25519 signature covers the canonical bytes of ``body``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.core.errors import UserError, reason_of
from app.core.sync import canonical, keys

MAX_DOC_BYTES = 4 * 1024 * 1024


def signed_bytes(body: dict[str, Any], data_dir: Path) -> bytes:
    """The signed document's bytes (deterministic: Ed25519 and canonical JSON)."""
    signature = keys.sign(data_dir, canonical.dumps(body))
    return canonical.dumps({"body": body, "signature": signature.hex()})


def write_signed(path: Path, body: dict[str, Any], data_dir: Path) -> Path:
    from app.core.sync.writer import write_durably

    write_durably(path, signed_bytes(body, data_dir))
    return path


def read_signed(path: Path, expected_format: str, what: str) -> tuple[dict[str, Any], str]:
    """(body, signer public key hex) after checking shape and the signature by body's key."""
    return parse_signed(read_document(path), expected_format, what, name=path.name)


def read_document(path: Path) -> bytes:
    """A signed document's bytes (one byte past the size limit at most)."""
    try:
        with path.open("rb") as fh:
            return fh.read(MAX_DOC_BYTES + 1)
    except OSError as exc:
        raise UserError(f"Không đọc được tệp {path}: {reason_of(exc)}.") from exc


def parse_signed(
    data: bytes, expected_format: str, what: str, *, name: str = ""
) -> tuple[dict[str, Any], str]:
    """As :func:`read_signed`, for a document already in memory (e.g. from the hub)."""
    label = f"Tệp {name}" if name else "Dữ liệu nhận được"
    if len(data) > MAX_DOC_BYTES:
        raise UserError(f"{label} quá lớn, không phải {what}.")
    try:
        doc = canonical.loads(data, max_depth=8)
    except canonical.JsonRefused as exc:
        raise UserError(f"{label} không phải {what} hợp lệ ({exc}).") from None
    if not isinstance(doc, dict) or set(doc) != {"body", "signature"}:
        raise UserError(f"{label} không phải {what} hợp lệ.")
    body, signature = doc["body"], doc["signature"]
    if not isinstance(body, dict) or body.get("format") != expected_format:
        raise UserError(f"{label} không phải {what}.")
    public = body.get("public_key")
    if not isinstance(public, str) or not isinstance(signature, str):
        raise UserError(f"{label} không phải {what} hợp lệ.")
    try:
        sig = bytes.fromhex(signature)
    except ValueError:
        sig = b""
    if not keys.verify(public, sig, canonical.dumps(body)):
        raise UserError(f"Chữ ký của {what} không đúng: tệp đã bị sửa đổi hoặc bị hỏng.")
    return body, public
