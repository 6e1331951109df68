"""Targets (chỉ tiêu) as data, and the dashboard figures measured against them.

Profiles live in ``resources/targets/*.json``; the commune picks one (setting
``targets_profile``) or types its own (setting ``targets_custom``). Every rate
says its denominator: all households, all clans or only registered ones …
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from app.core import settings
from app.core.assessment import CYCLE_MODELS, MODELS
from app.core.assessment.computations import WORKING_AGES
from app.core.assessment.entities import entities, hamlet_names
from app.core.db import Database
from app.core.errors import ValidationError

PROFILE_KEY = "targets_profile"
MEMBERS_SHARE = "members_share"
# Learning citizens among the staff of learning units (QĐ 387, QĐ 677: 60 % / 80 %),
# beside ``learning_citizen`` (among adults in learning families, clans, communities).
CITIZEN_STAFF = "learning_citizen_staff"
CITIZEN_STAFF_TITLE = "Công dân học tập trong đơn vị học tập"
# What a profile can set a target for, with the label screens show.
TARGET_LABELS: dict[str, str] = {
    **{m: MODELS[m] for m in CYCLE_MODELS},
    CITIZEN_STAFF: CITIZEN_STAFF_TITLE,
    MEMBERS_SHARE: "Hội viên trên dân số",
}
CUSTOM_KEY = "targets_custom"
# A commune that chose nothing is measured against the national plan in force after
# 2020 (QĐ 387/QĐ-TTg), not QĐ 281's targets that ended in 2020.
DEFAULT_PROFILE = "qd387"
CUSTOM_CODE = "tu-nhap"

DENOMINATOR_LABELS = {
    "learning_family": "tổng số hộ gia đình",
    "learning_clan": "tổng số dòng họ",
    "learning_community": "tổng số thôn, tổ dân phố",
    "learning_unit": "tổng số đơn vị",
    "learning_citizen": (
        f"số người {WORKING_AGES[0]}–{WORKING_AGES[1]} tuổi trong gia đình, dòng họ, "
        "cộng đồng học tập"
    ),
    CITIZEN_STAFF: "số người làm việc tại các đơn vị học tập",
}
REGISTERED_LABELS = {
    "learning_family": "số hộ đã đăng ký",
    "learning_clan": "số dòng họ đã đăng ký",
    "learning_community": "số thôn đã đăng ký",
    "learning_unit": "số đơn vị đã đăng ký",
    "learning_citizen": "số người đã đăng ký",
    CITIZEN_STAFF: "số người làm việc tại các đơn vị học tập",
}


@dataclass(frozen=True)
class TargetProfile:
    code: str
    title: str
    source: str
    targets: dict[str, float]
    targets_by_year: dict[str, dict[str, float]] = field(default_factory=dict)
    denominators: dict[str, str] = field(default_factory=dict)  # model → "all" | "registered"
    valid_to: int | None = None  # the last year the source sets targets for
    fund_per_head: int | None = None  # the fund target (đ/người/năm), when the profile sets one

    def target_for(self, key: str, year: int) -> float | None:
        """The target in force in ``year``: the first milestone year ≥ ``year``, else the plain one.

        After ``valid_to`` there is none: a 2030 target is not carried on into 2031.
        """
        if self.valid_to is not None and year > self.valid_to:
            return None
        for milestone in sorted(self.targets_by_year, key=int):
            if year <= int(milestone) and key in self.targets_by_year[milestone]:
                return self.targets_by_year[milestone][key]
        return self.targets.get(key)

    def no_target_note(self, year: int) -> str:
        """Why there are no targets for ``year`` (empty when there are)."""
        if self.valid_to is not None and year > self.valid_to:
            return (
                f"Bộ chỉ tiêu “{self.title}” chỉ đặt chỉ tiêu đến năm {self.valid_to}; "
                f"năm {year} chưa có chỉ tiêu (chọn hoặc nhập bộ chỉ tiêu mới)."
            )
        return ""


def _check_targets(targets: dict[str, Any]) -> None:
    for key, value in targets.items():
        if key not in TARGET_LABELS:
            raise ValidationError(f"Chỉ tiêu “{key}” không có.")
        if not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ValidationError(f"Chỉ tiêu “{key}” phải là tỷ lệ từ 0 đến 1 (ví dụ 0.7).")


def _parse_profile(raw: dict[str, Any]) -> TargetProfile:
    targets = raw.get("targets") or {}
    _check_targets(targets)
    for milestone in (raw.get("targets_by_year") or {}).values():
        _check_targets(milestone)
    valid_to = raw.get("valid_to")
    return TargetProfile(
        code=str(raw["code"]),
        title=str(raw.get("title", raw["code"])),
        source=str(raw.get("source", "")),
        targets={k: float(v) for k, v in targets.items()},
        targets_by_year={
            str(y): {k: float(v) for k, v in t.items()}
            for y, t in (raw.get("targets_by_year") or {}).items()
        },
        denominators=dict(raw.get("denominators") or {}),
        valid_to=int(valid_to) if isinstance(valid_to, int) else None,
        fund_per_head=_fund_target(raw.get("fund_per_head")),
    )


def _fund_target(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 10_000_000:
        raise ValidationError("Chỉ tiêu quỹ bình quân phải là số đồng/người lớn hơn 0.")
    return value


def builtin_profiles() -> list[TargetProfile]:
    from app import paths

    folder = paths.resources_dir() / "targets"
    return [
        _parse_profile(json.loads(p.read_text(encoding="utf-8")))
        for p in sorted(folder.glob("*.json"))
    ]


def profiles(db: Database) -> list[TargetProfile]:
    out = builtin_profiles()
    custom = settings.get_value(db, CUSTOM_KEY)
    if custom:
        out.append(_parse_profile({**custom, "code": CUSTOM_CODE}))
    return out


def chosen_profile(db: Database) -> TargetProfile:
    code = settings.get_value(db, PROFILE_KEY) or DEFAULT_PROFILE
    by_code = {p.code: p for p in profiles(db)}
    return by_code.get(code) or by_code[DEFAULT_PROFILE]


def choose_profile(db: Database, code: str) -> TargetProfile:
    by_code = {p.code: p for p in profiles(db)}
    if code not in by_code:
        raise ValidationError(f"Không có bộ chỉ tiêu “{code}” (dùng: {', '.join(by_code)}).")
    settings.put_value(db, PROFILE_KEY, code)
    return by_code[code]


def custom_profile(db: Database) -> TargetProfile | None:
    """The commune's own targets, if it has typed them."""
    return next((p for p in profiles(db) if p.code == CUSTOM_CODE), None)


def save_custom_profile(
    db: Database,
    title: str,
    targets: dict[str, float],
    denominators: dict[str, str] | None = None,
) -> TargetProfile:
    """The commune's own targets (e.g. from its resolution); chosen at once.

    ``denominators`` (model → "all" | "registered") lets the commune count as the
    province it follows does; by default every rate is over all entities.
    """
    if not title.strip():
        raise ValidationError("Nhập tên bộ chỉ tiêu.", "title")
    bases = {m: b for m, b in (denominators or {}).items() if b != "all"}
    if any(m not in CYCLE_MODELS or b != "registered" for m, b in bases.items()):
        raise ValidationError("Mẫu số chỉ có thể là “tất cả” hoặc “số đã đăng ký”.")
    profile = _parse_profile(
        {
            "code": CUSTOM_CODE,
            "title": title.strip(),
            "targets": targets,
            "source": "Xã tự nhập",
            "denominators": bases,
        }
    )
    stored: dict[str, Any] = {
        "title": profile.title,
        "targets": profile.targets,
        "source": profile.source,
    }
    if bases:
        stored["denominators"] = bases
    settings.put_value(db, CUSTOM_KEY, stored)
    settings.put_value(db, PROFILE_KEY, CUSTOM_CODE)
    return profile


# --- figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelFigures:
    model: str
    title: str
    total: int  # all entities of the model
    registered: int
    assessed: int
    passed: int
    recognised: int
    denominator: int
    denominator_basis: str  # "all" | "registered"
    denominator_label: str
    rate: float | None
    target: float | None

    @property
    def met(self) -> bool | None:
        return target_met(self.rate, self.target)


def target_met(rate: float | None, target: float | None) -> bool | None:
    """Whether a rate reaches its target (None when either is unknown); float noise aside."""
    if rate is None or target is None:
        return None
    return rate + 1e-9 >= target


@dataclass(frozen=True)
class MemberFigures:
    members: int
    population: int
    rate: float | None
    target: float | None


@dataclass(frozen=True)
class HamletFigures:
    hamlet_id: int
    name: str
    models: dict[str, ModelFigures]
    members: MemberFigures


@dataclass(frozen=True)
class TargetReport:
    year: int
    profile: TargetProfile
    models: dict[str, ModelFigures]
    members: MemberFigures
    hamlets: list[HamletFigures]
    citizen_staff: ModelFigures | None = None  # learning citizens among learning units' staff
    no_target: str = ""  # why the profile sets no target for this year, if it does not

    def as_dict(self, per_hamlet: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "year": self.year,
            "profile": {
                "code": self.profile.code,
                "title": self.profile.title,
                "source": self.profile.source,
            },
            "models": {m: _model_dict(f) for m, f in self.models.items()},
            "members": _members_dict(self.members),
            "citizen_staff": _model_dict(self.citizen_staff) if self.citizen_staff else None,
            "no_target": self.no_target,
        }
        if per_hamlet:
            data["hamlets"] = [
                {
                    "hamlet_id": h.hamlet_id,
                    "name": h.name,
                    "models": {m: _model_dict(f) for m, f in h.models.items()},
                    "members": _members_dict(h.members),
                }
                for h in self.hamlets
            ]
        return data


def _members_dict(m: MemberFigures) -> dict[str, Any]:
    data = asdict(m)
    data["rate"] = None if m.rate is None else round(m.rate, 4)
    data["denominator_label"] = "dân số (nhân khẩu trong sổ)"
    return data


def _model_dict(f: ModelFigures) -> dict[str, Any]:
    return {
        "title": f.title,
        "denominator": f.denominator,
        "denominator_label": f.denominator_label,
        "denominator_basis": f.denominator_basis,
        "total": f.total,
        "registered": f.registered,
        "assessed": f.assessed,
        "passed": f.passed,
        "recognised": f.recognised,
        "rate": None if f.rate is None else round(f.rate, 4),
        "target": f.target,
    }


Ids = set[int]


def _rows(conn: Connection, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """Plain tuples straight from the DB-API cursor (no Row objects: the report reads
    every registration, assessment and recognition of the year, tens of thousands)."""
    raw = conn.connection.driver_connection
    assert raw is not None
    return list(raw.execute(sql, params).fetchall())


def _cycle_ids(conn: Connection, year: int) -> dict[str, dict[str, Ids]]:
    """Per kind ("registered", "assessed", "passed", "recognised"), per model, the entity
    ids with a live row for ``year``."""
    out: dict[str, dict[str, Ids]] = {k: {} for k in ("registered", "assessed", "passed")}
    out["recognised"] = {}
    for m, e in _rows(
        conn, "SELECT model, entity_id FROM registration WHERE deleted = 0 AND year = ?", (year,)
    ):
        out["registered"].setdefault(m, set()).add(e)
    for m, e, ok in _rows(
        conn,
        "SELECT model, entity_id, passed FROM assessment WHERE deleted = 0 AND year = ?",
        (year,),
    ):
        out["assessed"].setdefault(m, set()).add(e)
        if ok:
            out["passed"].setdefault(m, set()).add(e)
    for m, e in _rows(
        conn, "SELECT model, entity_id FROM recognition WHERE deleted = 0 AND year = ?", (year,)
    ):
        out["recognised"].setdefault(m, set()).add(e)
    return out


@dataclass
class _Counted:
    """One model's entities and which of them registered, passed, were recognised.

    Every count is taken among the live entities, so a recognition of a deleted clan
    (or of a person no longer in the registry) is never counted and no rate can pass
    100 %: the numerator is always a subset of its denominator.
    """

    hamlet_of: dict[int, int | None]
    registered: Ids
    assessed: Ids
    passed: Ids
    recognised: Ids
    base: Ids | None = None  # the denominator when it is not "all entities"

    @functools.cached_property
    def everyone(self) -> Ids:
        return set(self.hamlet_of)

    @functools.cached_property
    def by_hamlet(self) -> dict[int | None, Ids]:
        """Entity ids per hamlet, grouped once (the report asks for every hamlet)."""
        out: dict[int | None, Ids] = {}
        for entity, hamlet in self.hamlet_of.items():
            out.setdefault(hamlet, set()).add(entity)
        return out


def _figures(
    model: str,
    profile: TargetProfile,
    year: int,
    c: _Counted,
    hamlet: int | str | None = "*",
    key: str | None = None,
) -> ModelFigures:
    key = key or model
    ids = c.everyone if isinstance(hamlet, str) else c.by_hamlet.get(hamlet, set())
    reg, rec = c.registered & ids, c.recognised & ids
    basis = profile.denominators.get(key, "all")
    if c.base is not None:
        basis, pool = "all", c.base & ids
    elif basis == "registered":
        pool = reg
    else:
        pool = ids
    label = REGISTERED_LABELS[key] if basis == "registered" else DENOMINATOR_LABELS[key]
    done = len(rec & pool)
    return ModelFigures(
        model=model,
        title=CITIZEN_STAFF_TITLE if key == CITIZEN_STAFF else MODELS[model],
        total=len(ids),
        registered=len(reg),
        assessed=len(c.assessed & ids),
        passed=len(c.passed & ids),
        recognised=done,  # among the denominator, so the row reads numerator / denominator
        denominator=len(pool),
        denominator_basis=basis,
        denominator_label=label,
        rate=(done / len(pool)) if pool else None,
        target=profile.target_for(key, year),
    )


_IN_FORCE = (
    "SELECT entity_id FROM recognition WHERE deleted = 0 AND model = ? "
    "AND year <= ? AND valid_until >= ?"
)


def _in_force(conn: Connection, model: str, year: int) -> Ids:
    """Entities of ``model`` whose recognition covers ``year`` (units keep 3 years)."""
    return {int(e) for (e,) in _rows(conn, _IN_FORCE, (model, year, year))}


def _adults_in_learning_models(conn: Connection, year: int) -> Ids:
    """Working-age people whose household, clan or hamlet is recognised for ``year``
    (the learning-citizen denominator of QĐ 387 and QĐ 677)."""
    lo, hi = WORKING_AGES
    sql = (
        "SELECT p.id FROM person p JOIN household h ON h.id = p.household_id "
        "WHERE p.deleted = 0 AND h.deleted = 0 AND p.birth_year BETWEEN ? AND ? "
        f"AND (h.id IN ({_IN_FORCE}) OR h.clan_id IN ({_IN_FORCE}) "
        f"OR h.hamlet_id IN ({_IN_FORCE}))"
    )
    params: tuple[Any, ...] = (year - hi, year - lo)
    for model in ("learning_family", "learning_clan", "learning_community"):
        params += (model, year, year)
    return {int(p) for (p,) in _rows(conn, sql, params)}


def _staff_of_learning_units(conn: Connection, year: int) -> dict[int, int | None]:
    """People linked to a live unit recognised as a learning unit for ``year``, with
    their hamlet (the second learning-citizen denominator: 60 % / 80 %)."""
    units = _in_force(conn, "learning_unit", year)
    return {
        int(pid): (int(h) if h is not None else None)
        for pid, unit, h in conn.execute(
            text(
                "SELECT p.id, p.unit_id, hh.hamlet_id FROM person p "
                "JOIN unit u ON u.id = p.unit_id AND u.deleted = 0 "
                "LEFT JOIN household hh ON hh.id = p.household_id "
                "WHERE p.deleted = 0 AND (hh.id IS NULL OR hh.deleted = 0)"
            )
        )
        if int(unit) in units
    }


def _members(conn: Connection, year: int) -> tuple[Counter[int | None], Counter[int | None]]:
    members: Counter[int | None] = Counter()
    for h, n in conn.execute(
        text(
            "SELECT COALESCE(hh.hamlet_id, b.hamlet_id), COUNT(*) FROM member m "
            "LEFT JOIN person pp ON pp.id = m.person_id "
            "LEFT JOIN household hh ON hh.id = pp.household_id "
            "LEFT JOIN branch b ON b.id = m.branch_id "
            "WHERE m.deleted = 0 AND (m.join_date IS NULL OR "
            "CAST(strftime('%Y', m.join_date) AS INTEGER) <= :y) AND (m.leave_date IS NULL "
            "OR CAST(strftime('%Y', m.leave_date) AS INTEGER) > :y) GROUP BY 1"
        ),
        {"y": year},
    ):
        members[h] = int(n)
    people: Counter[int | None] = Counter()
    for h, n in conn.execute(
        text(
            "SELECT h.hamlet_id, COUNT(*) FROM person p JOIN household h ON h.id = p.household_id "
            "WHERE p.deleted = 0 AND h.deleted = 0 GROUP BY 1"
        )
    ):
        people[h] = int(n)
    return members, people


def target_report(db: Database, year: int, profile_code: str | None = None) -> TargetReport:
    """Registered / assessed / recognised per model for the commune and each hamlet."""
    profile = chosen_profile(db) if profile_code is None else _profile(db, profile_code)
    with db.connect() as conn:
        ids = _cycle_ids(conn, year)
        regs, ass, passed, rec = (
            ids["registered"],
            ids["assessed"],
            ids["passed"],
            ids["recognised"],
        )
        counted: dict[str, _Counted] = {}
        for model in CYCLE_MODELS:
            counted[model] = _Counted(
                hamlet_of={e.id: e.hamlet_id for e in entities(conn, model, year).values()},
                registered=regs.get(model, set()),
                assessed=ass.get(model, set()),
                passed=passed.get(model, set()),
                recognised=rec.get(model, set()),
                base=_adults_in_learning_models(conn, year)
                if model == "learning_citizen"
                else None,
            )
        citizens = counted["learning_citizen"]
        staff = _staff_of_learning_units(conn, year)
        staff_counted = _Counted(
            hamlet_of=staff,
            registered=citizens.registered,
            assessed=citizens.assessed,
            passed=citizens.passed,
            recognised=_in_force(conn, "learning_citizen", year),
            base=set(staff),
        )
        members, people = _members(conn, year)
        names = hamlet_names(conn)
    member_target = profile.target_for("members_share", year)

    def member_figures(m: int, p: int) -> MemberFigures:
        return MemberFigures(m, p, (m / p) if p else None, member_target)

    models = {model: _figures(model, profile, year, counted[model]) for model in CYCLE_MODELS}
    from app.core.text import sort_key

    hamlets = [
        HamletFigures(
            hamlet_id=hid,
            name=name,
            models={
                model: _figures(model, profile, year, counted[model], hid) for model in CYCLE_MODELS
            },
            members=member_figures(members.get(hid, 0), people.get(hid, 0)),
        )
        for hid, name in sorted(names.items(), key=lambda kv: sort_key(kv[1]))
    ]
    return TargetReport(
        year=year,
        profile=profile,
        models=models,
        members=member_figures(sum(members.values()), sum(people.values())),
        hamlets=hamlets,
        citizen_staff=_figures("learning_citizen", profile, year, staff_counted, key=CITIZEN_STAFF),
        no_target=profile.no_target_note(year),
    )


def _profile(db: Database, code: str) -> TargetProfile:
    by_code = {p.code: p for p in profiles(db)}
    if code not in by_code:
        raise ValidationError(f"Không có bộ chỉ tiêu “{code}” (dùng: {', '.join(by_code)}).")
    return by_code[code]


def trend(db: Database, years: list[int]) -> dict[int, dict[str, float | None]]:
    """Recognition rate per model over several years (for the trend chart)."""
    return {y: {m: f.rate for m, f in target_report(db, y).models.items()} for y in years}


def years_with_data(db: Database) -> list[int]:
    with db.connect() as conn:
        return [
            int(r[0])
            for r in conn.execute(
                text("SELECT DISTINCT year FROM registration WHERE deleted = 0 ORDER BY year")
            )
        ]
