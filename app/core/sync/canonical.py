"""Canonical JSON out (RFC 8785) and a strict, bounded JSON reader in.

The reader refuses what a hostile file could use against us: duplicate keys,
NaN/Infinity, giant integers, floats where only integers belong, deep nesting.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

from app.core.errors import reason_of

MAX_INT = 2**53 - 1
MAX_DEPTH = 6


class JsonRefused(ValueError):
    """The text is not acceptable JSON; the message is Vietnamese."""


def dumps(obj: Any) -> bytes:
    """RFC 8785 canonical bytes (the signed form of manifests, packages, receipts)."""
    return rfc8785.dumps(obj)


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise JsonRefused("khóa JSON bị lặp")
    return result


def _int(text: str) -> int:
    if len(text) > 17:
        raise JsonRefused("số nguyên quá lớn")
    value = int(text)
    if abs(value) > MAX_INT:
        raise JsonRefused("số nguyên quá lớn")
    return value


def _constant(name: str) -> Any:
    raise JsonRefused(f"giá trị JSON không hợp lệ: {name}")


def _no_float(text: str) -> Any:
    raise JsonRefused("không được có số thực")


def _float(text: str) -> float:
    if len(text) > 40:
        raise JsonRefused("số thực quá dài")
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise JsonRefused("số thực không hữu hạn")
    return value


def _depth(value: Any, limit: int) -> int:
    if isinstance(value, dict):
        children = list(value.values())
    elif isinstance(value, list):
        children = value
    else:
        return 0
    if limit <= 0:
        raise JsonRefused("JSON lồng quá sâu")
    return 1 + max((_depth(child, limit - 1) for child in children), default=0)


_STRICT = json.JSONDecoder(
    object_pairs_hook=_pairs, parse_int=_int, parse_float=_no_float, parse_constant=_constant
)
# Records: integers are range-checked by the record validator (Python refuses more
# than 4,300 digits on its own), which saves a Python call per number.
_RECORDS = json.JSONDecoder(object_pairs_hook=_pairs, parse_float=_float, parse_constant=_constant)


def loads_record(text: str) -> Any:
    """One JSON Lines record; the caller checks every value's type and range."""
    try:
        return _RECORDS.decode(text)
    except JsonRefused:
        raise
    except RecursionError:
        raise JsonRefused("JSON lồng quá sâu") from None
    except ValueError as exc:
        raise JsonRefused(f"JSON hỏng ({reason_of(exc)})") from None


def loads(data: bytes | str, *, floats: bool = False, max_depth: int = MAX_DEPTH) -> Any:
    """Parse strictly; raise :class:`JsonRefused` (never anything else) on bad input."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        decoder = (
            json.JSONDecoder(
                object_pairs_hook=_pairs,
                parse_int=_int,
                parse_float=_float,
                parse_constant=_constant,
            )
            if floats
            else _STRICT
        )
        value = decoder.decode(text)
    except JsonRefused:
        raise
    except RecursionError:
        raise JsonRefused("JSON lồng quá sâu") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise JsonRefused(f"JSON hỏng ({reason_of(exc)})") from None
    _depth(value, max_depth)
    return value
