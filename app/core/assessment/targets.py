"""Targets (chỉ tiêu) as data, and the dashboard figures measured against them.

Profiles live in ``resources/targets/*.json``; the commune picks one (setting
``targets_profile``) or types its own (setting ``targets_custom``). Every rate
says its denominator: all households, all clans or only registered ones …
"""

from __future__ import annotations

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
# What a profile can set a target for, with the label screens show.
TARGET_LABELS: dict[str, str] = {
    **{m: MODELS[m] for m in CYCLE_MODELS},
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
    "learning_citizen": f"số người {WORKING_AGES[0]}–{WORKING_AGES[1]} tuổi",
}
REGISTERED_LABELS = {
    "learning_family": "số hộ đã đăng ký",
    "learning_clan": "số dòng họ đã đăng ký",
    "learning_community": "số thôn đã đăng ký",
    "learning_unit": "số đơn vị đã đăng ký",
    "learning_citizen": "số người đã đăng ký",
}


@dataclass(frozen=True)
class TargetProfile:
    code: str
    title: str
    source: str
    targets: dict[str, float]
    targets_by_year: dict[str, dict[str, float]] = field(default_factory=dict)
    denominators: dict[str, str] = field(default_factory=dict)  # model → "all" | "registered"
    fund_per_head: int | None = None  # the fund target (đ/người/năm), when the profile sets one

    def target_for(self, key: str, year: int) -> float | None:
        """The target in force in ``year``: the first milestone year ≥ ``year``, else the plain one."""
        for milestone in sorted(self.targets_by_year, key=int):
            if year <= int(milestone) and key in self.targets_by_year[milestone]:
                return self.targets_by_year[milestone][key]
        return self.targets.get(key)


def _parse_profile(raw: dict[str, Any]) -> TargetProfile:
    targets = raw.get("targets") or {}
    for key, value in targets.items():
        if key not in (*CYCLE_MODELS, "members_share"):
            raise ValidationError(f"Chỉ tiêu “{key}” không có.")
        if not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ValidationError(f"Chỉ tiêu “{key}” phải là tỷ lệ từ 0 đến 1 (ví dụ 0.7).")
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


def _counts(
    conn: Connection, table: str, year: int, extra: str = ""
) -> Counter[tuple[str, int | None]]:
    rows = conn.execute(
        text(
            f"SELECT model, hamlet_id, COUNT(*) FROM {table} "
            f"WHERE deleted = 0 AND year = :y {extra} GROUP BY model, hamlet_id"
        ),
        {"y": year},
    )
    return Counter({(str(m), h): int(n) for m, h, n in rows})


def _sum(counter: Counter[tuple[str, int | None]], model: str, hamlet: int | str | None) -> int:
    if hamlet == "*":
        return sum(n for (m, _h), n in counter.items() if m == model)
    return counter.get((model, hamlet if isinstance(hamlet, int) else None), 0)


def _figures(
    model: str,
    profile: TargetProfile,
    year: int,
    total: int,
    reg: int,
    ass: int,
    passed: int,
    rec: int,
) -> ModelFigures:
    basis = profile.denominators.get(model, "all")
    denominator = reg if basis == "registered" else total
    label = REGISTERED_LABELS[model] if basis == "registered" else DENOMINATOR_LABELS[model]
    return ModelFigures(
        model=model,
        title=MODELS[model],
        total=total,
        registered=reg,
        assessed=ass,
        passed=passed,
        recognised=rec,
        denominator=denominator,
        denominator_basis=basis,
        denominator_label=label,
        rate=(rec / denominator) if denominator else None,
        target=profile.target_for(model, year),
    )


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
        regs = _counts(conn, "registration", year)
        ass = _counts(conn, "assessment", year)
        passed = _counts(conn, "assessment", year, "AND passed = 1")
        rec = _counts(conn, "recognition", year)
        totals: dict[str, Counter[int | None]] = {}
        for model in CYCLE_MODELS:
            totals[model] = Counter(e.hamlet_id for e in entities(conn, model, year).values())
        members, people = _members(conn, year)
        names = hamlet_names(conn)
    member_target = profile.target_for("members_share", year)

    def member_figures(m: int, p: int) -> MemberFigures:
        return MemberFigures(m, p, (m / p) if p else None, member_target)

    models = {
        model: _figures(
            model,
            profile,
            year,
            sum(totals[model].values()),
            _sum(regs, model, "*"),
            _sum(ass, model, "*"),
            _sum(passed, model, "*"),
            _sum(rec, model, "*"),
        )
        for model in CYCLE_MODELS
    }
    from app.core.text import sort_key

    hamlets = [
        HamletFigures(
            hamlet_id=hid,
            name=name,
            models={
                model: _figures(
                    model,
                    profile,
                    year,
                    totals[model].get(hid, 0),
                    _sum(regs, model, hid),
                    _sum(ass, model, hid),
                    _sum(passed, model, hid),
                    _sum(rec, model, hid),
                )
                for model in CYCLE_MODELS
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
