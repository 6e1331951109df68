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
import json
import re
import zlib
from dataclasses import dataclass, field
from typing import Any

from app.core.sync import canonical, keys
from app.core.sync.container import ContainerRefused, read_container, write_container
from app.core.sync.records import (
    ENTITY_RE,
    MAX_REVISION,
    PART_CORE,
    PERSONAL_COLUMNS,
    UUID22_RE,
    EntitySpec,
    all_uuid22,
    check_column,
    entity_specs,
    uuid36_all,
)

FORMAT = "khuyenhoc-bundle"
FORMAT_VERSION = 2
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.sig"
PART_SUFFIX = ".cols.zz.age"
SUFFIX = ".khb"
MAX_BUNDLE_BYTES = 128 * 1024 * 1024
MAX_MANIFEST_BYTES = 256 * 1024
MAX_PART_RAW = 192 * 1024 * 1024
MAX_FIELDS = 200
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


# uuid (canonical), revision, deleted, then the values of ``Contents.fields[entity]``
# (references as canonical uuids; a tombstone has null everywhere but ``deleted_at``).
Row = tuple[Any, ...]


@dataclass
class Contents:
    """Decrypted, validated records per entity (in manifest order), kept compact as
    tuples (see :data:`Row`), the (name, kind) of their fields, and every reference
    made, per target."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    fields: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    refs: dict[str, set[str]] = field(default_factory=dict)

    def record(self, entity: str, row: Row, commune: str) -> dict[str, Any]:
        """One record as an object (what the upper level stores as JSON text)."""
        head = {"uuid": row[0], "revision": row[1], "deleted": row[2], "commune_code": commune}
        pairs = zip(self.fields[entity], row[3:], strict=True)
        if row[2]:
            return {**head, **{n: v for (n, _k), v in pairs if n == "deleted_at"}}
        return {**head, **{n: v for (n, _k), v in pairs}}


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
            raise _refuse(
                f"Phần dữ liệu “{_label(part['entity'])}” không khớp mã băm: gói bị hỏng."
            )
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


def encode_part(header: list[str], columns: list[list[Any]]) -> bytes:
    """The raw (uncompressed) text of one part: header line, then one line per column.

    An empty part (no records) is empty text.
    """
    if not columns or not columns[0]:
        return b""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    lines = [encode(header), *(encode(col) for col in columns)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def part_from_records(records: list[dict[str, Any]]) -> bytes:
    """Records (dicts; missing fields = null) as a part — for tools and tests."""
    header: list[str] = []
    for record in records:
        header += [k for k in record if k not in header]
    return encode_part(header, [[r.get(k) for r in records] for k in header])


def open_parts(bundle: Bundle, identities: list[Any]) -> Contents:
    """Decrypt, inflate (bounded) and validate every record, and the references."""
    import pyrage

    specs = entity_specs()
    contents = Contents()
    personal = bundle.manifest["personal_fields"] == "included"
    memo: dict[str, str] = {}  # short uuid → canonical, for the whole bundle
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
        del compressed
        try:
            text = raw.decode("utf-8", errors="strict")
        except UnicodeDecodeError:
            raise _refuse(f"Phần “{_label(entity)}”: văn bản không phải UTF-8.") from None
        del raw
        # Many small objects would set off the cyclic GC again and again (none is cyclic).
        gc_was_on = gc.isenabled()
        gc.disable()
        try:
            contents.fields[entity], contents.rows[entity] = _validate_part(
                spec, text, part["records"], personal, contents.refs, memo
            )
        finally:
            if gc_was_on:
                gc.enable()
        del text
    return contents


def _label(entity: str) -> str:
    """The Vietnamese name of an entity for a message ("Nhân khẩu", not "person")."""
    from app.core.sync.conflicts import entity_label

    return entity_label(entity)


def _header(spec: EntitySpec, line: str, personal: bool) -> list[str]:
    try:
        header = canonical.loads(line, max_depth=1)
    except canonical.JsonRefused as exc:
        raise _refuse(f"Phần “{_label(spec.name)}”, dòng tiêu đề: {exc}.") from None
    known = spec.field_map()
    if (
        type(header) is not list
        or not 3 <= len(header) <= MAX_FIELDS
        or not all(type(n) is str for n in header)
        or len(set(header)) != len(header)
        or tuple(header[:3]) != PART_CORE
    ):
        raise _refuse(f"Phần “{_label(spec.name)}”: dòng tiêu đề không hợp lệ.")
    for name in header[3:]:
        if name not in known:
            raise _refuse(f"Phần “{_label(spec.name)}”: trường lạ {name[:40]!r}.")
        if name in PERSONAL_COLUMNS and not personal:
            raise _refuse(
                f"Phần “{_label(spec.name)}”: có trường cá nhân {name!r} mà gói ghi là bỏ."
            )
        disc = known[name].discriminator
        if disc and disc not in header:
            raise _refuse(f"Phần “{_label(spec.name)}”: thiếu trường {disc!r} đi kèm {name!r}.")
    return header


def _columns(spec: EntitySpec, lines: list[str], count: int) -> list[list[Any]]:
    columns: list[list[Any]] = []
    for number, line in enumerate(lines, start=2):
        try:
            col = canonical.loads_record(line)
        except canonical.JsonRefused as exc:
            raise _refuse(f"Phần “{_label(spec.name)}”, dòng {number}: {exc}.") from None
        if type(col) is not list or len(col) != count:
            raise _refuse(
                f"Phần “{_label(spec.name)}”, dòng {number}: số bản ghi khác với khai báo."
            )
        columns.append(col)
    return columns


def _validate_part(
    spec: EntitySpec,
    text: str,
    count: int,
    personal: bool,
    refs: dict[str, set[str]],
    memo: dict[str, str],
) -> tuple[list[tuple[str, str]], list[Row]]:
    if not text:
        if count:
            raise _refuse(f"Phần “{_label(spec.name)}”: số bản ghi khác với khai báo.")
        return [], []
    lines = text.split("\n")
    if lines[-1] != "":
        raise _refuse(f"Phần “{_label(spec.name)}”: dòng cuối không kết thúc đúng.")
    lines.pop()
    header = _header(spec, lines[0], personal)
    if len(lines) != len(header) + 1:
        raise _refuse(f"Phần “{_label(spec.name)}”: số cột khác với dòng tiêu đề.")
    columns = _columns(spec, lines[1:], count)
    del lines
    uids, revisions, deleted = columns[0], columns[1], columns[2]

    def bad(index: int, name: str) -> BundleRefused:
        return _refuse(
            f"Phần “{_label(spec.name)}”, bản ghi {index + 1}: trường {name!r} không hợp lệ."
        )

    if not all_uuid22(uids):
        for i, uid in enumerate(uids):
            if type(uid) is not str or UUID22_RE.fullmatch(uid) is None:
                raise bad(i, "uuid")
    if len(set(uids)) != count:
        raise _refuse(f"Phần “{_label(spec.name)}”: bản ghi bị lặp.")
    if not set(map(type, revisions)) <= {int} or (
        count and not (min(revisions) >= 1 and max(revisions) <= MAX_REVISION)
    ):
        i = next(
            i for i, r in enumerate(revisions) if type(r) is not int or not 1 <= r <= MAX_REVISION
        )
        raise bad(i, "revision")
    if not set(map(type, deleted)) <= {bool}:
        raise bad(next(i for i, d in enumerate(deleted) if type(d) is not bool), "deleted")
    known = spec.field_map()
    by_name = dict(zip(header, columns, strict=True))
    tombstones = [i for i, d in enumerate(deleted) if d]
    for name, col in zip(header[3:], columns[3:], strict=True):
        f = known[name]
        at = check_column(f, col, by_name.get(f.discriminator) if f.discriminator else None)
        if at >= 0:
            raise bad(at, name)
        if name != "deleted_at":
            for i in tombstones:
                if col[i] is not None:
                    raise bad(i, name)
    # Valid: canonical uuids, references collected, each record's text for the ledger.
    full_uids = uuid36_all(uids, memo)
    out_cols: list[list[Any]] = [full_uids, revisions, deleted]
    for name, col in zip(header[3:], columns[3:], strict=True):
        f = known[name]
        if f.kind in ("ref", "pref"):
            col = uuid36_all(col, memo)
            if f.kind == "ref":
                refs.setdefault(f.ref_entity, set()).update(filter(None, col))
            else:
                targets = dict(f.targets)
                for m, v in zip(by_name[f.discriminator], col, strict=True):
                    if v is not None:
                        refs.setdefault(targets[m], set()).add(v)
        out_cols.append(col)
    del columns, by_name
    return [(n, known[n].kind) for n in header[3:]], list(zip(*out_cols, strict=True))
