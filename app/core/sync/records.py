"""Records of the syncable entities, serialised generically from the mapped columns.

Every entity in ``SYNCABLE_MODELS`` travels, so entities added later are carried
without a change here. A record is one JSON object: ``uuid``, ``revision``,
``deleted``, ``commune_code`` and the entity's own columns; a foreign key carries
the referenced row's uuid (local integer ids differ between databases). Local
bookkeeping (``id``, ``change_seq``) and derived search/sort columns stay home, and
so do personal fields the province does not need unless a setting says otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
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
TOMBSTONE_KEYS = (*CORE_KEYS, "deleted_at")
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ENTITY_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_TEXT = 20_000
MAX_REVISION = 2**31 - 1


class RecordRefused(ValueError):
    """A record is not acceptable; the message is Vietnamese."""


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # "str" | "int" | "bool" | "float" | "date" | "datetime" | "ref"
    max_len: int = 0
    nullable: bool = True
    ref_entity: str = ""


@dataclass(frozen=True)
class EntitySpec:
    name: str
    model: Any
    fields: tuple[Field, ...]

    def field_map(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}


def _field(column: Any, tables: dict[str, str]) -> Field:
    fks = list(column.foreign_keys)
    if fks:
        target = fks[0].column.table.name
        return Field(column.name, "ref", 36, True, tables.get(target, target))
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

    tables = {m.__table__.name: m.__table__.name for m in SYNCABLE_MODELS}  # type: ignore[attr-defined]
    specs: dict[str, EntitySpec] = {}
    for model in SYNCABLE_MODELS:
        table = model.__table__  # type: ignore[attr-defined]
        fields = tuple(
            _field(col, tables)
            for col in table.columns
            if col.name not in LOCAL_COLUMNS and col.name not in CORE_KEYS
        )
        specs[table.name] = EntitySpec(table.name, model, fields)
    return specs


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def uuid_maps(conn: Connection, specs: dict[str, EntitySpec]) -> dict[str, dict[int, str]]:
    """id → uuid for every entity some foreign key points to."""
    targets = {f.ref_entity for s in specs.values() for f in s.fields if f.kind == "ref"}
    maps: dict[str, dict[int, str]] = {}
    for name in targets:
        if name not in specs:
            continue
        table = specs[name].model.__table__
        maps[name] = dict(conn.execute(select(table.c.id, table.c.uuid)).all())  # type: ignore[arg-type]
    return maps


def _converter(f: Field, maps: dict[str, dict[int, str]]) -> Callable[[Any], Any] | None:
    if f.kind == "ref":
        target = maps.get(f.ref_entity, {})
        return lambda v: target.get(v) if v is not None else None
    if f.kind == "bool":
        return lambda v: bool(v) if v is not None else None
    if f.kind in ("date", "datetime"):
        return _jsonable
    return None


def export_records(
    conn: Connection,
    spec: EntitySpec,
    maps: dict[str, dict[int, str]],
    *,
    since: int,
    upto: int,
    include_personal: bool,
) -> Iterator[dict[str, Any]]:
    """Rows of one entity with since < change_seq ≤ upto, as records (tombstones short)."""
    table = spec.model.__table__
    fields = [f for f in spec.fields if include_personal or f.name not in PERSONAL_COLUMNS]
    names = [*CORE_KEYS, *(f.name for f in fields)]
    converters = [
        (i + len(CORE_KEYS), conv)
        for i, f in enumerate(fields)
        if (conv := _converter(f, maps)) is not None
    ]
    cols = [table.c[name] for name in names]
    stmt = (
        select(*cols)
        .where(table.c.change_seq > since, table.c.change_seq <= upto)
        .order_by(table.c.id)
    )
    deleted_at = names.index("deleted_at") if "deleted_at" in names else None
    # The DB-API cursor directly: plain tuples, no Row objects (≈ 40 % of the time).
    compiled = stmt.compile(conn)
    params = [compiled.params[name] for name in compiled.positiontup or ()]
    raw = conn.connection.driver_connection
    assert raw is not None
    for row in raw.execute(str(compiled), params):
        if row[2]:
            record: dict[str, Any] = {
                "uuid": row[0],
                "revision": row[1],
                "deleted": True,
                "commune_code": row[3],
            }
            if deleted_at is not None:
                record["deleted_at"] = _jsonable(row[deleted_at])
            yield record
            continue
        values = list(row)
        values[2] = False
        for index, conv in converters:
            values[index] = conv(values[index])
        yield dict(zip(names, values, strict=True))


MAX_INT = 2**53 - 1


def _value_ok(kind: str, max_len: int, value: Any) -> bool:
    typ = type(value)
    if kind == "str":
        return typ is str and len(value) <= max_len
    if kind == "ref":
        return typ is str and UUID_RE.fullmatch(value) is not None
    if kind == "int":
        return typ is int and -MAX_INT <= value <= MAX_INT
    if kind == "bool":
        return typ is bool
    if kind == "float":
        return (typ is float or typ is int) and -(2.0**63) < value < 2.0**63
    if typ is not str or len(value) > max_len:
        return False
    try:
        if kind == "date":
            dt.date.fromisoformat(value)
        else:
            dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def validate_record(
    spec: EntitySpec, kinds: dict[str, tuple[str, int]], record: Any, commune_code: str
) -> None:
    """Types, sizes and the commune of one record (references are checked per bundle).

    ``kinds`` = :func:`field_kinds` of the spec. Nested objects or arrays are refused
    because no field kind accepts them.
    """
    if type(record) is not dict:
        raise RecordRefused("bản ghi không phải là một đối tượng JSON")
    uid = record.get("uuid")
    if type(uid) is not str or UUID_RE.fullmatch(uid) is None:
        raise RecordRefused("mã định danh (uuid) không hợp lệ")
    revision = record.get("revision")
    if type(revision) is not int or not 1 <= revision <= MAX_REVISION:
        raise RecordRefused("số phiên bản (revision) không hợp lệ")
    if type(record.get("deleted")) is not bool:
        raise RecordRefused("cờ xóa (deleted) không hợp lệ")
    if record.get("commune_code") != commune_code:
        raise RecordRefused("bản ghi thuộc xã khác với xã của gói")
    extra = record.keys() - kinds.keys() - CORE_SET
    if extra:
        raise RecordRefused(f"trường lạ {min(extra)[:40]!r} trong {spec.name}")
    bad = _fast_checker(spec.name, tuple(kinds.items()))(record)
    if bad is not None:
        raise RecordRefused(f"trường {bad!r} có giá trị không hợp lệ")


_CHECKERS: dict[tuple[str, tuple[tuple[str, tuple[str, int]], ...]], Callable[[Any], Any]] = {}


def _fast_checker(
    name: str, kinds: tuple[tuple[str, tuple[str, int]], ...]
) -> Callable[[dict[str, Any]], str | None]:
    """A straight-line checker generated from the model's own columns (trusted input:
    names come from our mapped tables, never from a bundle); 3x faster than a loop."""
    key = (name, kinds)
    checker = _CHECKERS.get(key)
    if checker is not None:
        return checker
    lines = ["def check(r):", "    g = r.get"]
    for field_name, (kind, max_len) in kinds:
        if not field_name.isidentifier():
            continue
        lines.append(f"    v = g({field_name!r})")
        if kind == "str":
            cond = f"type(v) is not str or len(v) > {max_len}"
        elif kind == "int":
            cond = f"type(v) is not int or not -{MAX_INT} <= v <= {MAX_INT}"
        elif kind == "bool":
            cond = "type(v) is not bool"
        else:
            cond = f"not ok({kind!r}, {max_len}, v)"
        lines.append(f"    if v is not None and ({cond}): return {field_name!r}")
    lines.append("    return None")
    scope: dict[str, Any] = {"ok": _value_ok}
    exec("\n".join(lines), scope)
    checker = scope["check"]
    _CHECKERS[key] = checker
    return checker  # type: ignore[no-any-return]


CORE_SET = frozenset(CORE_KEYS)


def field_kinds(spec: EntitySpec) -> dict[str, tuple[str, int]]:
    return {f.name: (f.kind, f.max_len) for f in spec.fields}


def ref_fields(spec: EntitySpec) -> list[tuple[str, str]]:
    """(field, target entity) of every reference field."""
    return [(f.name, f.ref_entity) for f in spec.fields if f.kind == "ref"]


def references(spec: EntitySpec, record: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for name, target in ref_fields(spec):
        value = record.get(name)
        if value is not None:
            yield target, value
