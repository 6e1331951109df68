"""Records of the syncable entities, serialised generically from the mapped columns.

Every entity in ``SYNCABLE_MODELS`` travels, so entities added later are carried
without a change here. A part is column-oriented (see FORMAT.md): a header of field
names, then one JSON array per field. Every reference to another row — a foreign key,
or one of the integer reference columns declared in :data:`INTEGER_REFERENCES` /
:data:`POLYMORPHIC_REFERENCES` — carries the referenced row's uuid (local integer
ids differ between databases). Uuids travel as 22-character base64url text. Local
bookkeeping (``id``, ``change_seq``) and derived search/sort columns stay home, and
so do personal fields the province does not need unless a setting says otherwise.
"""

from __future__ import annotations

import binascii
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, String, select
from sqlalchemy.engine import Connection

# Local bookkeeping, derived search/sort text, and the created/updated clock readings
# (informational only, often wrong on commune PCs) stay home.
LOCAL_COLUMNS = frozenset(
    {"id", "change_seq", "search_text", "sort_key", "name_folded", "created_at", "updated_at"}
)
PERSONAL_COLUMNS = frozenset({"id_number", "phone"})
CORE_KEYS = ("uuid", "revision", "deleted", "commune_code")
PART_CORE = ("uuid", "revision", "deleted")  # the first three header fields of a part
TOMBSTONE_KEYS = (*CORE_KEYS, "deleted_at")
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# 16 bytes in base64url without padding: 22 characters, the last one carrying only two
# bits (so exactly one spelling per uuid).
UUID22_RE = re.compile(r"[A-Za-z0-9_-]{21}[AQgw]")
_UUID22_LINES = re.compile(r"(?:[A-Za-z0-9_-]{21}[AQgw]\n)*")
ENTITY_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_TEXT = 20_000
MAX_REVISION = 2**31 - 1
MAX_INT = 2**53 - 1

# --- references without a ForeignKey: declared here, in one place --------------------
# The yearly cycle names the entity it is about by ``model`` + integer ``entity_id``
# (see app/core/models/assessment.py), and copies ``hamlet_id`` in. Both travel as the
# uuid of the row they name, exactly like foreign keys.

#: learning model → entity (table) its ``entity_id`` names; "" = the commune itself
#: (entity id 0, carried as null).
LEARNING_MODEL_ENTITIES: dict[str, str] = {
    "learning_family": "household",
    "learning_clan": "clan",
    "learning_community": "hamlet",
    "learning_unit": "unit",
    "learning_citizen": "person",
    "commune_learning_community": "",
}
#: table → column → target entity, for plain integer references without a ForeignKey.
INTEGER_REFERENCES: dict[str, dict[str, str]] = {
    "registration": {"hamlet_id": "hamlet"},
    "assessment": {"hamlet_id": "hamlet"},
    "recognition": {"hamlet_id": "hamlet"},
}
#: table → column → (discriminator column, {discriminator value: target entity}).
POLYMORPHIC_REFERENCES: dict[str, dict[str, tuple[str, dict[str, str]]]] = {
    "registration": {"entity_id": ("model", LEARNING_MODEL_ENTITIES)},
    "assessment": {"entity_id": ("model", LEARNING_MODEL_ENTITIES)},
    "recognition": {"entity_id": ("model", LEARNING_MODEL_ENTITIES)},
}


class RecordRefused(ValueError):
    """A record is not acceptable; the message is Vietnamese."""


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # "str" | "int" | "bool" | "float" | "date" | "datetime" | "ref" | "pref"
    max_len: int = 0
    nullable: bool = True
    ref_entity: str = ""  # "ref": the target entity
    discriminator: str = ""  # "pref": the column naming the target's kind
    targets: tuple[tuple[str, str], ...] = ()  # "pref": (discriminator value, entity)


@dataclass(frozen=True)
class EntitySpec:
    name: str
    model: Any
    fields: tuple[Field, ...]

    def field_map(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}


def _field(table: str, column: Any) -> Field:
    fks = list(column.foreign_keys)
    if fks:
        return Field(column.name, "ref", 22, True, fks[0].column.table.name)
    plain = INTEGER_REFERENCES.get(table, {}).get(column.name)
    if plain:
        return Field(column.name, "ref", 22, True, plain)
    poly = POLYMORPHIC_REFERENCES.get(table, {}).get(column.name)
    if poly:
        disc, mapping = poly
        return Field(column.name, "pref", 22, True, "", disc, tuple(sorted(mapping.items())))
    typ = column.type
    if isinstance(typ, Boolean):
        kind = "bool"
    elif isinstance(typ, Integer):
        kind = "int"
    elif isinstance(typ, Float):
        kind = "float"
    elif isinstance(typ, DateTime):
        kind = "datetime"
    elif isinstance(typ, Date):
        kind = "date"
    elif isinstance(typ, String):
        kind = "str"
    else:
        kind = "str"
    length = getattr(typ, "length", None) or MAX_TEXT
    return Field(column.name, kind, int(length), bool(column.nullable))


def entity_specs() -> dict[str, EntitySpec]:
    """Every syncable entity, keyed by its table name, in dependency-friendly order."""
    from app.core.models import SYNCABLE_MODELS

    specs: dict[str, EntitySpec] = {}
    for model in SYNCABLE_MODELS:
        table = model.__table__  # type: ignore[attr-defined]
        fields = tuple(
            _field(table.name, col)
            for col in table.columns
            if col.name not in LOCAL_COLUMNS and col.name not in CORE_KEYS
        )
        specs[table.name] = EntitySpec(table.name, model, fields)
    return specs


def target_entities(f: Field) -> set[str]:
    if f.kind == "ref":
        return {f.ref_entity}
    if f.kind == "pref":
        return {t for _v, t in f.targets if t}
    return set()


# --- uuids: canonical text ↔ 22-character base64url ----------------------------------


_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")


def uuid22(text: str) -> str:
    """The 22-character base64url form of a canonical uuid text."""
    raw = binascii.b2a_base64(bytes.fromhex(text.replace("-", "")), newline=False)
    return raw[:22].translate(_TO_URLSAFE).decode("ascii")


_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")


def uuid36(short: str) -> str:
    """Canonical text of a short uuid (the caller has checked it with UUID22_RE)."""
    h = binascii.a2b_base64(short.encode("ascii").translate(_FROM_URLSAFE) + b"==").hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def uuid36_all(shorts: list[Any], memo: dict[str, str]) -> list[Any]:
    """:func:`uuid36` of a column (None stays None), remembering every answer in ``memo``
    (references mostly name rows met earlier in the same bundle)."""
    get = memo.get
    out = list(map(get, shorts))  # None is never a key: it stays None
    missing = [s for s, full in zip(shorts, out, strict=True) if full is None and s is not None]
    if missing:
        unique = list(dict.fromkeys(missing))
        memo.update(zip(unique, _uuid36_many(unique), strict=True))
        out = list(map(get, shorts))
    return out


def _uuid36_many(shorts: list[str]) -> list[str]:
    """:func:`uuid36` of many short uuids in one base64 decoding (checked ones only).

    Each 22-character uuid padded with "AA" is six whole base64 groups: its 16 bytes,
    then two zero bytes (the 22nd character's low bits are zero, see UUID22_RE).
    """
    blob = ("AA".join(shorts) + "AA").encode("ascii").translate(_FROM_URLSAFE)
    h = binascii.a2b_base64(blob).hex()
    return [
        f"{h[i : i + 8]}-{h[i + 8 : i + 12]}-{h[i + 12 : i + 16]}-{h[i + 16 : i + 20]}-"
        f"{h[i + 20 : i + 32]}"
        for i in range(0, len(h), 36)
    ]


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def uuid_maps(conn: Connection, specs: dict[str, EntitySpec]) -> dict[str, dict[int, str]]:
    """id → short uuid for every entity some reference points to."""
    targets = {t for s in specs.values() for f in s.fields for t in target_entities(f)}
    maps: dict[str, dict[int, str]] = {}
    for name in targets:
        if name not in specs:
            continue
        table = specs[name].model.__table__
        rows = conn.execute(select(table.c.id, table.c.uuid)).all()  # type: ignore[arg-type]
        maps[name] = {i: uuid22(u) for i, u in rows}
    return maps


def export_columns(
    conn: Connection,
    spec: EntitySpec,
    maps: dict[str, dict[int, str]],
    *,
    since: int,
    upto: int,
    include_personal: bool,
    withheld: frozenset[str] = frozenset(),
) -> tuple[list[str], list[list[Any]]]:
    """Rows of one entity with since < change_seq ≤ upto, as (header, columns).

    ``withheld`` fields stay home (the personal-data policy, app/core/sync/policy.py);
    :data:`PERSONAL_COLUMNS` only with ``include_personal``.

    A tombstone (``deleted``) keeps only ``uuid``, ``revision`` and ``deleted_at``;
    its other fields are null.
    """
    table = spec.model.__table__
    fields = [
        f
        for f in spec.fields
        if (include_personal or f.name not in PERSONAL_COLUMNS) and f.name not in withheld
    ]
    header = [*PART_CORE, *(f.name for f in fields)]
    stmt = (
        select(*(table.c[name] for name in header))
        .where(table.c.change_seq > since, table.c.change_seq <= upto)
        .order_by(table.c.id)
    )
    # The DB-API cursor directly: plain tuples, no Row objects.
    compiled = stmt.compile(conn)
    params = [compiled.params[name] for name in compiled.positiontup or ()]
    raw = conn.connection.driver_connection
    assert raw is not None
    rows = raw.execute(str(compiled), params).fetchall()
    if not rows:
        return header, [[] for _ in header]
    columns = [list(c) for c in zip(*rows, strict=True)]
    by_name = dict(zip(header, columns, strict=True))
    columns[0] = [uuid22(u) for u in columns[0]]
    columns[2] = [bool(d) for d in columns[2]]
    for index, f in enumerate(fields, start=len(PART_CORE)):
        col = columns[index]
        if f.kind == "ref":
            target = maps.get(f.ref_entity, {})
            columns[index] = [target.get(v) if v is not None else None for v in col]
        elif f.kind == "pref":
            kinds = dict(f.targets)
            empty: dict[int, str] = {}
            looked = [maps.get(kinds.get(m) or "", empty) for m in by_name[f.discriminator]]
            columns[index] = [
                t.get(v) if v is not None else None for t, v in zip(looked, col, strict=True)
            ]
        elif f.kind == "bool":
            columns[index] = [bool(v) if v is not None else None for v in col]
        elif f.kind in ("date", "datetime"):
            columns[index] = [_jsonable(v) for v in col]
    tombstones = [i for i, d in enumerate(columns[2]) if d]
    if tombstones:
        for index, name in enumerate(header):
            if index >= len(PART_CORE) and name != "deleted_at":
                for i in tombstones:
                    columns[index][i] = None
    return header, columns


# --- validation of one part (column by column) ---------------------------------------


def all_uuid22(values: list[Any]) -> bool:
    """Whether every value is a short uuid (:data:`UUID22_RE`), in one regex pass over
    the column: 150,000 per-value matches were a sixth of a province's import. Each
    value must be a 22-character text, so a newline inside one cannot pass for two."""
    if not set(map(type, values)) <= {str} or not set(map(len, values)) <= {22}:
        return False
    return _UUID22_LINES.fullmatch("\n".join(values) + "\n") is not None if values else True


def _bad_index(col: list[Any], ok: Callable[[Any], bool]) -> int:
    for i, v in enumerate(col):
        if v is not None and not ok(v):
            return i
    return -1


def _iso_ok(parse: Callable[[str], Any], max_len: int) -> Callable[[Any], bool]:
    def ok(v: Any) -> bool:
        if type(v) is not str or len(v) > max_len:
            return False
        try:
            parse(v)
        except ValueError:
            return False
        return True

    return ok


def _types_ok(col: list[Any], allowed: frozenset[type]) -> bool:
    return set(map(type, col)) <= allowed


_NONE: type = type(None)
_STR: frozenset[type] = frozenset({str, _NONE})
_INT: frozenset[type] = frozenset({int, _NONE})
_BOOL: frozenset[type] = frozenset({bool, _NONE})


def _pref_ok(kinds: dict[str, str], discriminator: list[Any], col: list[Any]) -> bool:
    """The whole-column test of a polymorphic reference (the per-value loop of
    :func:`check_column` finds the bad value when this says no): every kind known, a
    value only where the kind names an entity, and every value a short uuid."""
    if not _types_ok(discriminator, _STR) or not set(discriminator) - {None} <= kinds.keys():
        return False
    named = {m for m in kinds if kinds[m]}
    present = {m for m, v in zip(discriminator, col, strict=True) if v is not None}
    return present <= named and all_uuid22([v for v in col if v is not None])


def check_column(f: Field, col: list[Any], discriminator: list[Any] | None) -> int:
    """Index of the first bad value of a column (-1: every value is acceptable).

    Nested objects or arrays are refused because no field kind accepts them.
    """
    kind = f.kind
    if kind == "str":
        if _types_ok(col, _STR) and max(map(len, filter(None, col)), default=0) <= f.max_len:
            return -1
        return _bad_index(col, lambda v: type(v) is str and len(v) <= f.max_len)
    if kind == "int":
        if _types_ok(col, _INT):
            nums = [v for v in col if v is not None]
            if not nums or (min(nums) >= -MAX_INT and max(nums) <= MAX_INT):
                return -1
        return _bad_index(col, lambda v: type(v) is int and -MAX_INT <= v <= MAX_INT)
    if kind == "bool":
        return -1 if _types_ok(col, _BOOL) else _bad_index(col, lambda v: type(v) is bool)
    if kind == "float":
        return _bad_index(
            col, lambda v: (type(v) is float or type(v) is int) and -(2.0**63) < v < 2.0**63
        )
    if kind in ("date", "datetime"):
        ok = _iso_ok(
            dt.date.fromisoformat if kind == "date" else dt.datetime.fromisoformat, f.max_len
        )
        if _types_ok(col, _STR) and all(ok(v) for v in set(col) if v is not None):
            return -1  # each distinct value parsed once (dates repeat: a day's assessments)
        return _bad_index(col, ok)
    if kind == "ref":
        if all_uuid22([v for v in col if v is not None]):
            return -1
        return _bad_index(col, lambda v: type(v) is str and UUID22_RE.fullmatch(v) is not None)
    if kind == "pref":
        assert discriminator is not None
        kinds = dict(f.targets)
        if _pref_ok(kinds, discriminator, col):
            return -1
        for i, (m, v) in enumerate(zip(discriminator, col, strict=True)):
            target = kinds.get(m) if type(m) is str else None
            if v is None:
                if target is None and m is not None:
                    return i  # a kind of entity this software does not know
                continue
            if not target or type(v) is not str or UUID22_RE.fullmatch(v) is None:
                return i
        return -1
    return _bad_index(col, lambda v: False)
