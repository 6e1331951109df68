"""Bundle format (see FORMAT.md): build, parse and verify, decrypt and validate.

Order of checks on a file, none of which touches a database: size cap →
canonical container → canonical, well-typed manifest → entry names exactly those
the manifest lists → Ed25519 signature over the manifest bytes by the key the
manifest names (key id = hash of that key) → size and SHA-256 of every encrypted
part. Only then :func:`open_parts` decrypts (age), inflates with a bound and
validates every record.
"""

from __future__ import annotations

import gc
import hashlib
import re
import zlib
from dataclasses import dataclass, field
from typing import Any

from app.core.sync import canonical, keys
from app.core.sync.container import ContainerRefused, read_container, write_container
from app.core.sync.records import (
    ENTITY_RE,
    EntitySpec,
    RecordRefused,
    entity_specs,
    field_kinds,
    ref_fields,
    validate_record,
)

FORMAT = "khuyenhoc-bundle"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.sig"
PART_SUFFIX = ".jsonl.zz.age"
SUFFIX = ".khb"
MAX_BUNDLE_BYTES = 128 * 1024 * 1024
MAX_MANIFEST_BYTES = 256 * 1024
MAX_PART_RAW = 192 * 1024 * 1024
MAX_LINE = 256 * 1024
HEX64 = re.compile(r"[0-9a-f]{64}")
HEX16 = re.compile(r"[0-9a-f]{16}")
CODE_RE = re.compile(r"[0-9]{1,8}")
NAME_RE = re.compile(r"KH_([0-9]{1,8})_([0-9]{1,9})_([0-9a-f]{8})\.khb")


class BundleRefused(ValueError):
    """The bundle cannot be accepted; ``message`` is Vietnamese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Bundle:
    data: bytes
    manifest: dict[str, Any]
    manifest_bytes: bytes
    signature: bytes
    parts: dict[str, bytes]
    bundle_id: str
    file_sha256: str

    @property
    def seq(self) -> int:
        return int(self.manifest["seq"])

    @property
    def commune_code(self) -> str:
        return str(self.manifest["commune_code"])

    @property
    def file_name(self) -> str:
        return file_name(self.commune_code, self.seq, self.bundle_id)

    @property
    def fingerprint(self) -> str:
        return keys.fingerprint_of(self.manifest["public_key"])


Row = tuple[str, int, bool, str]  # uuid, revision, deleted, the record's JSON text


@dataclass
class Contents:
    """Decrypted, validated records per entity (in manifest order), kept compact:
    (uuid, revision, deleted, JSON line), plus every reference made, per target."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    refs: dict[str, set[str]] = field(default_factory=dict)


def file_name(commune_code: str, seq: int, bundle_id: str) -> str:
    return f"KH_{commune_code}_{seq:06d}_{bundle_id[:8]}{SUFFIX}"


def part_name(entity: str) -> str:
    return f"{entity}{PART_SUFFIX}"


def build(
    manifest_fields: dict[str, Any],
    parts: list[tuple[str, int, int, bytes]],
    sign: Any,
) -> tuple[bytes, str]:
    """Assemble a bundle. ``parts`` = (entity, records, raw_size, ciphertext).

    Returns (file bytes, bundle id). ``sign(message) -> signature``.
    """
    manifest = dict(manifest_fields)
    manifest["format"] = FORMAT
    manifest["format_version"] = FORMAT_VERSION
    manifest["counts"] = {entity: count for entity, count, _raw, _c in parts}
    manifest["parts"] = [
        {
            "name": part_name(entity),
            "entity": entity,
            "records": count,
            "raw_size": raw,
            "size": len(cipher),
            "sha256": hashlib.sha256(cipher).hexdigest(),
        }
        for entity, count, raw, cipher in parts
    ]
    manifest_bytes = canonical.dumps(manifest)
    signature = sign(manifest_bytes)
    entries = [(MANIFEST_NAME, manifest_bytes), (SIGNATURE_NAME, signature)]
    entries += [(part_name(entity), cipher) for entity, _n, _r, cipher in parts]
    return write_container(entries), hashlib.sha256(manifest_bytes).hexdigest()


# --- manifest schema ----------------------------------------------------------------

_STR_FIELDS = {
    "format": 40,
    "commune_code": 8,
    "commune_name": 200,
    "installation_id": 36,
    "key_id": 16,
    "public_key": 64,
    "prev_bundle_id": 64,
    "created_at": 40,
    "schema_revision": 60,
    "kind": 20,
    "personal_fields": 20,
}
_INT_FIELDS = ("format_version", "seq", "since_change_seq", "upto_change_seq")


def _refuse(message: str) -> BundleRefused:
    return BundleRefused(message)


def _check_manifest(m: Any) -> None:
    if not isinstance(m, dict):
        raise _refuse("Bản kê khai của gói không hợp lệ.")
    expected = (
        set(_STR_FIELDS) | set(_INT_FIELDS) | {"counts", "parts", "recipients", "criteria_sets"}
    )
    if set(m) != expected:
        raise _refuse("Bản kê khai của gói thiếu hoặc thừa mục.")
    for key, limit in _STR_FIELDS.items():
        if not isinstance(m[key], str) or len(m[key]) > limit:
            raise _refuse(f"Bản kê khai của gói: mục {key} không hợp lệ.")
    for key in _INT_FIELDS:
        if not isinstance(m[key], int) or m[key] < 0:
            raise _refuse(f"Bản kê khai của gói: mục {key} không hợp lệ.")
    if m["format"] != FORMAT:
        raise _refuse("Tệp không phải là gói dữ liệu Sổ Khuyến Học.")
    if m["format_version"] != FORMAT_VERSION:
        raise _refuse(
            f"Gói dùng định dạng phiên bản {m['format_version']}, phần mềm này chỉ đọc được "
            f"phiên bản {FORMAT_VERSION}. Hãy cập nhật phần mềm."
        )
    if not CODE_RE.fullmatch(m["commune_code"]) or m["seq"] < 1:
        raise _refuse("Bản kê khai của gói: mã xã hoặc số thứ tự gói không hợp lệ.")
    if not HEX64.fullmatch(m["public_key"]) or m["key_id"] != keys.key_id_of(m["public_key"]):
        raise _refuse("Bản kê khai của gói: khóa ký không hợp lệ.")
    if m["prev_bundle_id"] and not HEX64.fullmatch(m["prev_bundle_id"]):
        raise _refuse("Bản kê khai của gói: mã gói trước không hợp lệ.")
    if m["kind"] not in ("full", "incremental"):
        raise _refuse("Bản kê khai của gói: loại gói không hợp lệ.")
    for key in ("recipients", "criteria_sets"):
        if not isinstance(m[key], list) or len(m[key]) > 16:
            raise _refuse(f"Bản kê khai của gói: mục {key} không hợp lệ.")
        if not all(isinstance(x, str) and len(x) <= 200 for x in m[key]):
            raise _refuse(f"Bản kê khai của gói: mục {key} không hợp lệ.")
    parts = m["parts"]
    if not isinstance(parts, list) or len(parts) > 48:
        raise _refuse("Bản kê khai của gói: danh sách phần dữ liệu không hợp lệ.")
    entities: set[str] = set()
    for part in parts:
        _check_part(part, entities)
    counts = m["counts"]
    if not isinstance(counts, dict) or counts != {p["entity"]: p["records"] for p in parts}:
        raise _refuse("Bản kê khai của gói: số bản ghi không khớp.")


def _check_part(part: Any, entities: set[str]) -> None:
    keys_ok = isinstance(part, dict) and set(part) == {
        "name",
        "entity",
        "records",
        "raw_size",
        "size",
        "sha256",
    }
    if not keys_ok:
        raise _refuse("Bản kê khai của gói: phần dữ liệu không hợp lệ.")
    entity = part["entity"]
    if not isinstance(entity, str) or not ENTITY_RE.fullmatch(entity) or entity in entities:
        raise _refuse("Bản kê khai của gói: tên phần dữ liệu không hợp lệ hoặc bị lặp.")
    entities.add(entity)
    if part["name"] != part_name(entity) or not isinstance(part["sha256"], str):
        raise _refuse("Bản kê khai của gói: tên phần dữ liệu không hợp lệ.")
    if not HEX64.fullmatch(part["sha256"]):
        raise _refuse("Bản kê khai của gói: mã băm không hợp lệ.")
    for key, cap in (
        ("records", 10_000_000),
        ("raw_size", MAX_PART_RAW),
        ("size", MAX_BUNDLE_BYTES),
    ):
        value = part[key]
        if not isinstance(value, int) or not 0 <= value <= cap:
            raise _refuse(f"Bản kê khai của gói: kích thước phần {entity} không hợp lệ.")


# --- parse and verify ---------------------------------------------------------------


def parse(data: bytes) -> Bundle:
    """Verify everything that can be verified without a private key (see module doc)."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise _refuse("Gói quá lớn, không phải gói dữ liệu hợp lệ.")
    try:
        entries = read_container(data)
    except ContainerRefused as exc:
        raise _refuse(f"Gói không hợp lệ: {exc}.") from None
    if len(entries) < 2 or entries[0][0] != MANIFEST_NAME or entries[1][0] != SIGNATURE_NAME:
        raise _refuse("Gói không hợp lệ: thiếu bản kê khai hoặc chữ ký.")
    manifest_bytes, signature = entries[0][1], entries[1][1]
    if len(manifest_bytes) > MAX_MANIFEST_BYTES:
        raise _refuse("Bản kê khai của gói quá lớn.")
    try:
        manifest = canonical.loads(manifest_bytes)
        if canonical.dumps(manifest) != manifest_bytes:
            raise canonical.JsonRefused("không ở dạng chuẩn RFC 8785")
    except canonical.JsonRefused as exc:
        raise _refuse(f"Bản kê khai của gói không hợp lệ: {exc}.") from None
    _check_manifest(manifest)
    names = [name for name, _ in entries[2:]]
    if names != [p["name"] for p in manifest["parts"]]:
        raise _refuse("Gói có mục không được kê khai, thiếu mục hoặc sai thứ tự.")
    if not keys.verify(manifest["public_key"], signature, manifest_bytes):
        raise _refuse("Chữ ký của gói không đúng: gói đã bị sửa đổi hoặc bị hỏng.")
    parts = dict(entries[2:])
    for part in manifest["parts"]:
        blob = parts[part["name"]]
        if len(blob) != part["size"] or hashlib.sha256(blob).hexdigest() != part["sha256"]:
            raise _refuse(f"Phần dữ liệu {part['entity']} không khớp mã băm: gói bị hỏng.")
    return Bundle(
        data=data,
        manifest=manifest,
        manifest_bytes=manifest_bytes,
        signature=signature,
        parts=parts,
        bundle_id=hashlib.sha256(manifest_bytes).hexdigest(),
        file_sha256=hashlib.sha256(data).hexdigest(),
    )


def _inflate(blob: bytes, raw_size: int) -> bytes:
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(blob, raw_size + 1)
    except zlib.error:
        raise _refuse("Phần dữ liệu bị hỏng (không giải nén được).") from None
    if len(raw) != raw_size or inflater.unconsumed_tail or not inflater.eof:
        raise _refuse("Phần dữ liệu có kích thước khác với khai báo (có thể là gói độc hại).")
    return raw


def open_parts(bundle: Bundle, identities: list[Any]) -> Contents:
    """Decrypt, inflate (bounded) and validate every record, and the references."""
    import pyrage

    specs = entity_specs()
    contents = Contents()
    commune = bundle.commune_code
    for part in bundle.manifest["parts"]:
        entity = part["entity"]
        spec = specs.get(entity)
        if spec is None:
            raise _refuse(f"Gói có loại dữ liệu lạ '{entity}': hãy cập nhật phần mềm.")
        try:
            compressed = pyrage.decrypt(bundle.parts[part["name"]], identities)
        except Exception:
            raise _refuse(
                "Không giải mã được gói: gói không gửi cho đơn vị này hoặc bị hỏng."
            ) from None
        raw = _inflate(compressed, part["raw_size"])
        try:
            lines = raw.decode("utf-8", errors="strict").split("\n") if raw else []
        except UnicodeDecodeError:
            raise _refuse(f"Phần {entity}: văn bản không phải UTF-8.") from None
        if lines and lines[-1] == "":
            lines.pop()
        if len(lines) != part["records"]:
            raise _refuse(f"Phần {entity}: số bản ghi khác với khai báo.")
        # Many small dicts would set off the cyclic GC again and again (none is cyclic).
        gc_was_on = gc.isenabled()
        gc.disable()
        try:
            contents.rows[entity] = _validate_lines(spec, lines, commune, contents.refs)
        finally:
            if gc_was_on:
                gc.enable()
        del raw, lines
    return contents


def _parse_all(spec: EntitySpec, lines: list[str]) -> list[Any]:
    """All lines in one decoder call (fast); on any doubt, line by line for the reason."""
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE:
            raise _refuse(f"Phần {spec.name}, dòng {number}: bản ghi quá lớn.")
    try:
        parsed = canonical.loads_record("[" + ",".join(lines) + "]")
        if type(parsed) is list and len(parsed) == len(lines):
            return parsed
    except canonical.JsonRefused:
        pass
    result = []
    for number, line in enumerate(lines, start=1):
        try:
            result.append(canonical.loads_record(line))
        except canonical.JsonRefused as exc:
            raise _refuse(f"Phần {spec.name}, dòng {number}: {exc}.") from None
    return result


def _validate_lines(
    spec: EntitySpec, lines: list[str], commune: str, refs: dict[str, set[str]]
) -> list[Row]:
    kinds = field_kinds(spec)
    ref_list = ref_fields(spec)
    specs_known = entity_specs()
    for _name, target in ref_list:
        if target not in specs_known:
            raise _refuse(f"Phần {spec.name}: tham chiếu tới loại dữ liệu lạ.")
    rows: list[Row] = []
    seen: set[str] = set()
    parsed = _parse_all(spec, lines)
    for number, line in enumerate(lines, start=1):
        try:
            record = parsed[number - 1]
            validate_record(spec, kinds, record, commune)
        except (canonical.JsonRefused, RecordRefused) as exc:
            raise _refuse(f"Phần {spec.name}, dòng {number}: {exc}.") from None
        uid = record["uuid"]
        if uid in seen:
            raise _refuse(f"Phần {spec.name}, dòng {number}: bản ghi bị lặp.")
        seen.add(uid)
        for name, target in ref_list:
            value = record.get(name)
            if value is not None:
                refs.setdefault(target, set()).add(value)
        rows.append((uid, record["revision"], record["deleted"], line))
    return rows
