"""Signed HTTP requests between a commune's outbox and the province hub.

A commune has no password to forget: it signs each request with its installation's
Ed25519 key (the key that signs its bundles). Headers:

- ``X-KH-Key``: the raw public key, 64 lower-case hex digits;
- ``X-KH-Time``: Unix seconds by the sender's clock;
- ``X-KH-Body-SHA256``: hex SHA-256 of the request body (of ``b""`` when empty);
- ``X-KH-Signature``: hex Ed25519 signature of :func:`request_message`.

The hub checks the signature and the body hash; the clock window is generous (a
commune laptop's clock is often wrong by hours) because nothing a replayed request
can do is harmful: uploads are idempotent and reads only return the sender's own
ledger. Which key may do what (a pinned key, the key that signed the bundle) is the
hub's decision, not this module's.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Mapping
from pathlib import Path

from app.core.errors import UserError
from app.core.sync import keys

HEADER_KEY = "X-KH-Key"
HEADER_TIME = "X-KH-Time"
HEADER_BODY = "X-KH-Body-SHA256"
HEADER_SIGNATURE = "X-KH-Signature"
MAX_SKEW_SECONDS = 36 * 3600
_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX128 = re.compile(r"[0-9a-f]{128}")
EMPTY_BODY_SHA256 = hashlib.sha256(b"").hexdigest()


class RequestAuthError(UserError):
    """The request's signature headers are missing, malformed or do not verify."""


def request_message(method: str, target: str, timestamp: int, body_sha256: str) -> bytes:
    """The exact bytes signed: method, path with query, time and body hash, one per line."""
    return "\n".join(
        ("khuyenhoc-request-v1", method.upper(), target, str(timestamp), body_sha256)
    ).encode("ascii")


def sign_request(
    data_dir: Path,
    method: str,
    target: str,
    body_sha256: str = EMPTY_BODY_SHA256,
    *,
    now: int | None = None,
) -> dict[str, str]:
    """Headers signing one request with this installation's key."""
    timestamp = int(time.time()) if now is None else now
    signature = keys.sign(data_dir, request_message(method, target, timestamp, body_sha256))
    return {
        HEADER_KEY: keys.my_key(data_dir).public_key,
        HEADER_TIME: str(timestamp),
        HEADER_BODY: body_sha256,
        HEADER_SIGNATURE: signature.hex(),
    }


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        value = headers.get(name.lower())
    if not value:
        raise RequestAuthError(f"Yêu cầu thiếu chữ ký ({name}).")
    return value.strip()


def verify_request(
    headers: Mapping[str, str],
    method: str,
    target: str,
    body_sha256: str,
    *,
    now: int | None = None,
    max_skew: int = MAX_SKEW_SECONDS,
) -> str:
    """The signer's public key (hex) if the headers sign this request; else raise.

    ``body_sha256`` is the hash the server computed of the body it actually received.
    """
    public = _header(headers, HEADER_KEY).lower()
    stamp = _header(headers, HEADER_TIME)
    claimed = _header(headers, HEADER_BODY).lower()
    signature = _header(headers, HEADER_SIGNATURE).lower()
    if not _HEX64.fullmatch(public) or not _HEX128.fullmatch(signature):
        raise RequestAuthError("Chữ ký của yêu cầu không đúng định dạng.")
    if not _HEX64.fullmatch(claimed) or claimed != body_sha256:
        raise RequestAuthError("Nội dung nhận được khác với nội dung đã ký (truyền bị lỗi?).")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise RequestAuthError("Thời điểm ký của yêu cầu không hợp lệ.") from None
    current = int(time.time()) if now is None else now
    if abs(current - timestamp) > max_skew:
        raise RequestAuthError(
            "Đồng hồ của máy xã lệch quá nhiều so với máy chủ của tỉnh: "
            "hãy chỉnh ngày giờ của máy tính rồi gửi lại."
        )
    message = request_message(method, target, timestamp, claimed)
    if not keys.verify(public, bytes.fromhex(signature), message):
        raise RequestAuthError("Chữ ký của yêu cầu không đúng.")
    return public
