"""Importing units (đơn vị), clans (dòng họ) and members (hội viên) through the services.

Each row is checked and written by the very ``_apply`` function the entry forms
use — one session for the whole file, so it is all or nothing. A row matches an
existing record by its folded name (and branch, for clans; card number, else
name + birth year, for members); only non-empty cells change anything. A hamlet
(units, clans) or branch (members) named in the sheet but unknown is created.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any

from sqlalchemy import select

from app.core import text as vntext
from app.core.db import Database
from app.core.errors import ValidationError
from app.core.io import values as cells
from app.core.io.workbook import Cell
from app.core.models import Branch, Clan, Hamlet, Member, Unit
from app.core.models.members import MEMBER_ROLE_LABELS
from app.core.models.units import UNIT_KIND_LABELS
from app.core.registry import clans, hamlets, members, units

_UNIT_KINDS = {vntext.fold(label): kind.value for kind, label in UNIT_KIND_LABELS.items()}
_UNIT_KINDS.update({"truong": "school", "ubnd": "agency", "tram y te": "health"})


@dataclass
class EntityOp:
    sheet: str
    row: int
    existing_id: int | None
    data: Any
    parent: str | None  # a hamlet / branch that does not exist yet (created on apply)


@dataclass
class EntityPlan:
    ops: list[EntityOp] = field(default_factory=list)


@dataclass(frozen=True)
class _Spec:
    model: Any
    apply: Callable[..., None]
    make: Callable[[dict[str, Cell]], Any]
    keys: Callable[[Any], list[str]]  # match keys, most specific first
    parent: str = "hamlet"  # the sheet field naming the parent row
    parent_model: Any = Hamlet
    parent_attr: str = "hamlet_id"


def _int(value: Cell) -> int | None:
    text = cells.as_text(value)
    if not text:
        return None
    if not text.isdigit():
        raise ValidationError(f"“{text}” không phải là một số.")
    return int(text)


def _unit(values: dict[str, Cell]) -> units.UnitInput:
    kind_text = cells.as_text(values.get("unit_kind"))
    kind = ""  # not given: keep the stored one, or "agency" for a new unit
    if kind_text:
        found = _UNIT_KINDS.get(vntext.fold(kind_text))
        if found is None:
            raise ValidationError(f"Loại đơn vị “{kind_text}” không rõ.")
        kind = found
    return units.UnitInput(
        name=cells.as_text(values.get("name")) or "",
        kind=kind,
        address=cells.as_text(values.get("address")),
        head_name=cells.as_text(values.get("leader")),
        phone=cells.as_text(values.get("phone")),
        staff_count=_int(values.get("staff_count")),
        note=cells.as_text(values.get("note")),
    )


def _clan(values: dict[str, Cell]) -> clans.ClanInput:
    return clans.ClanInput(
        name=cells.as_text(values.get("name")) or "",
        branch=cells.as_text(values.get("branch")),
        head_name=cells.as_text(values.get("leader")),
        note=cells.as_text(values.get("note")),
    )


_ROLES = {vntext.fold(label): role.value for role, label in MEMBER_ROLE_LABELS.items()}


def _member(values: dict[str, Cell]) -> members.MemberInput:
    role_text = cells.as_text(values.get("role"))
    role = ""  # not given: keep the stored one, or "member" for a new member
    if role_text:
        found = _ROLES.get(vntext.fold(role_text))
        if found is None:
            raise ValidationError(f"Chức vụ “{role_text}” không rõ.")
        role = found
    birth = cells.as_birth(values.get("birth"))
    joined = cells.as_birth(values.get("join_date"))
    if joined is not None and joined.date is None:
        raise ValidationError("Ngày vào Hội cần đủ ngày/tháng/năm.")
    male, female = values.get("male_tick"), values.get("female_tick")
    return members.MemberInput(
        branch_id=None,
        full_name=cells.as_text(values.get("full_name")),
        gender=cells.as_gender(values.get("gender"), male, female),
        birth_year=birth.year if birth else None,
        phone=cells.as_text(values.get("phone")),
        address=cells.as_text(values.get("address")),
        card_number=cells.as_digits(values.get("card_number"), (), "Số thẻ"),
        join_date=joined.date if joined else None,
        role=role,
        dues_paid_year=_int(values.get("dues_paid_year")),
        note=cells.as_text(values.get("note")),
    )


def _member_keys(d: Any) -> list[str]:
    keys = [f"the:{d.card_number}"] if d.card_number else []
    return [*keys, f"{vntext.fold(d.full_name)}|{d.birth_year}"]


def _apply_branch(s: Any, obj: Any, name: str) -> None:
    members._apply_branch(s, obj, members.BranchInput(name, kind="other"))


SPECS = {
    "units": _Spec(Unit, units._apply, _unit, lambda d: [vntext.fold(d.name)]),
    "clans": _Spec(
        Clan, clans._apply, _clan, lambda d: [f"{vntext.fold(d.name)}|{vntext.fold(d.branch)}"]
    ),
    "members": _Spec(
        Member,
        members._apply_member,
        _member,
        _member_keys,
        parent="member_branch",
        parent_model=Branch,
        parent_attr="branch_id",
    ),
}
_DEFAULTS = {"kind": "agency", "role": "member"}


def plan_entities(
    db: Database,
    kind: str,
    rows: list[tuple[str, int, dict[str, Cell], str | None]],
    rejected: Callable[[str, int, str], None],
) -> tuple[EntityPlan, int, int, int, list[str]]:
    """(plan, added, updated, duplicates, new hamlet names) for units or clans rows."""
    spec = SPECS[kind]
    plan = EntityPlan()
    added = updated = duplicates = 0
    new_hamlets: list[str] = []
    seen: dict[str, tuple[int, str]] = {}
    with db.session() as s:
        parent_ids: dict[str, int] = {}
        for parent_id, name in s.execute(
            select(spec.parent_model.id, spec.parent_model.name).where(
                spec.parent_model.deleted.is_(False)
            )
        ):
            for key in _place_keys(name):
                parent_ids.setdefault(key, parent_id)
        existing: dict[str, Any] = {}
        for obj in s.scalars(select(spec.model).where(spec.model.deleted.is_(False))):
            for key in spec.keys(obj):
                existing.setdefault(key, obj)
        for sheet, number, values, sheet_hamlet in rows:
            try:
                data = spec.make(values)
                parent = cells.as_text(values.get(spec.parent))
                if spec.parent == "hamlet":
                    parent = vntext.normalise_name(parent or sheet_hamlet) or None
                new_parent = None
                if parent:
                    found = next(
                        (parent_ids[k] for k in _place_keys(parent) if k in parent_ids), None
                    )
                    setattr(data, spec.parent_attr, found)
                    new_parent = parent if found is None else None
                keys = spec.keys(data)
                if keys[0] in seen:
                    first_row, first_name = seen[keys[0]]
                    if first_name != vntext.fold(_name_of(data)):
                        raise ValidationError(
                            f"Trùng với dòng {first_row} ({keys[0].removeprefix('the:')})."
                        )
                    duplicates += 1
                    continue
                current = next((existing[k] for k in keys if k in existing), None)
                if current is not None:
                    data = _merged(current, data)
                for name, default in _DEFAULTS.items():
                    if getattr(data, name, None) == "":
                        data = replace(data, **{name: default})
                probe = spec.model(id=current.id if current is not None else None)
                spec.apply(s, probe, data)  # the service's own checks, on a loose copy
            except ValidationError as err:
                rejected(sheet, number, err.message)
                continue
            seen[keys[0]] = (number, vntext.fold(_name_of(data)))
            if current is not None and not _differs(current, probe, data):
                duplicates += 1
                continue
            if new_parent and new_parent not in new_hamlets:
                new_hamlets.append(new_parent)
            plan.ops.append(
                EntityOp(sheet, number, current.id if current else None, data, new_parent)
            )
            if current is None:
                added += 1
            else:
                updated += 1
        s.expunge_all()
        s.rollback()
    return plan, added, updated, duplicates, new_hamlets


def _name_of(data: Any) -> str:
    return str(getattr(data, "full_name", None) or getattr(data, "name", None) or "")


def _place_keys(name: str) -> list[str]:
    folded = vntext.fold(name)
    keys = [folded]
    for prefix in ("thon ", "to dan pho ", "ap ", "ban ", "xom ", "chi hoi "):
        if folded.startswith(prefix):
            keys.append(folded[len(prefix) :])
    return keys


def _merged(current: Any, data: Any) -> Any:
    """The record as stored, with every non-empty value from the sheet."""
    changes = {}
    for f in fields(data):
        value = getattr(data, f.name)
        if value in (None, "") and hasattr(current, f.name):
            changes[f.name] = getattr(current, f.name)
    return replace(data, **changes)


def _differs(current: Any, probe: Any, data: Any) -> bool:
    names = [f.name for f in fields(data) if f.name != "head_person_id"]
    return any(getattr(current, n, None) != getattr(probe, n, None) for n in names)


def apply_entities(
    db: Database,
    kind: str,
    plan: EntityPlan,
    progress: Callable[[int, int], None] | None,
    cancel: Callable[[], bool] | None,
) -> None:
    """Write every planned row in ONE session (all or nothing)."""
    from app.core.audit.log import record_summary
    from app.core.io.importer import ImportCancelled

    spec = SPECS[kind]
    total = len(plan.ops) or 1
    with db.session() as s:
        # One summary audit row for the file, not one per record (see audit/log.py).
        s.info["audit_off"] = True
        record_summary(s, db.actor, kind, f"Nhập từ Excel ({kind}): {len(plan.ops)} dòng")
        created: dict[str, int] = {}
        for done, op in enumerate(plan.ops, 1):
            data = op.data
            if op.parent:
                if op.parent not in created:
                    parent = spec.parent_model()
                    if spec.parent_model is Hamlet:
                        hamlets._apply(parent, hamlets.HamletInput(op.parent))
                    else:
                        _apply_branch(s, parent, op.parent)
                    s.add(parent)
                    s.flush()
                    created[op.parent] = parent.id
                data = replace(data, **{spec.parent_attr: created[op.parent]})
            obj = spec.model() if op.existing_id is None else s.get(spec.model, op.existing_id)
            spec.apply(s, obj, data)
            s.add(obj)
            if done % 200 == 0 or done == total:
                s.flush()
                if progress is not None:
                    progress(done, total)
                if cancel is not None and cancel():
                    raise ImportCancelled()
