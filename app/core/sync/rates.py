"""Rates against targets at the upper level, from the records the communes sent up.

The commune's dashboard (:mod:`app.core.assessment.targets`) counts its own tables;
the province holds the same records as JSON in :class:`SyncRecord`. Here the same
figures are computed per commune — recognised / denominator per model, members /
population — and set against the upper level's chosen target profile, read through
the assessment package's public functions.

Portable on purpose (the hub may run on PostgreSQL): counts are plain SQL
aggregates, and the few fields needed from inside the records (model, year, birth
year, membership dates) are read by parsing the JSON in Python, streamed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.core.db import Database
from app.core.errors import UserError
from app.core.models.sync import SyncRecord
from app.core.sync import state

# Model → the entity it counts, as the bundle names tables.
MODEL_ENTITY: dict[str, str] = {
    "learning_family": "household",
    "learning_clan": "clan",
    "learning_community": "hamlet",
    "learning_unit": "unit",
    "learning_citizen": "person",
}
MEMBERS_SHARE = "members_share"
STREAM_ROWS = 5_000
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ModelRate:
    model: str
    total: int  # live entities of the model
    registered: int
    recognised: int
    denominator: int
    rate: float | None
    target: float | None

    @property
    def met(self) -> bool | None:
        from app.core.assessment.targets import target_met

        return target_met(self.rate, self.target)


@dataclass(frozen=True)
class CommuneRates:
    commune_code: str
    models: dict[str, ModelRate]
    members: int
    population: int
    members_rate: float | None
    members_target: float | None


@dataclass(frozen=True)
class RatesReport:
    year: int
    profile_code: str
    profile_title: str
    communes: dict[str, CommuneRates]
    province: CommuneRates  # every commune together (code "")

    def as_dict(self) -> dict[str, Any]:
        def one(c: CommuneRates) -> dict[str, Any]:
            return {
                "commune_code": c.commune_code,
                "models": {
                    m: {
                        "total": r.total,
                        "registered": r.registered,
                        "recognised": r.recognised,
                        "denominator": r.denominator,
                        "rate": None if r.rate is None else round(r.rate, 4),
                        "target": r.target,
                    }
                    for m, r in c.models.items()
                },
                "members": c.members,
                "population": c.population,
                "members_rate": None if c.members_rate is None else round(c.members_rate, 4),
                "members_target": c.members_target,
            }

        return {
            "year": self.year,
            "profile": {"code": self.profile_code, "title": self.profile_title},
            "communes": [one(c) for c in self.communes.values()],
            "province": one(self.province),
        }


def _stream(db: Database, entity: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(commune code, record) of every live record of ``entity``, a chunk at a time."""
    query = (
        select(SyncRecord.commune_code, SyncRecord.data)
        .where(SyncRecord.entity == entity, SyncRecord.deleted.is_(False))
        .execution_options(yield_per=STREAM_ROWS)
    )
    with db.connect() as conn:
        for code, text in conn.execute(query):
            try:
                record = json.loads(text)
            except ValueError:
                continue
            if isinstance(record, dict):
                yield str(code), record


def data_mark(db: Database) -> tuple[Any, ...]:
    """Changes whenever the figures may: a bundle applied, a conflict settled, the target
    profile chosen. Cheap (three aggregates), so a window can skip recomputing."""
    from app.core.assessment import targets
    from app.core.models.sync import SyncConflict, SyncLedger

    with db.connect() as conn:
        ledger = conn.execute(select(func.count(), func.max(SyncLedger.id))).one()
        conflicts = conn.execute(select(func.count(), func.max(SyncConflict.id))).one()
    return (*ledger, *conflicts, targets.chosen_profile(db).code)


def _live_counts(db: Database) -> dict[tuple[str, str], int]:
    with db.connect() as conn:
        rows = conn.execute(
            select(SyncRecord.commune_code, SyncRecord.entity, func.count())
            .where(SyncRecord.deleted.is_(False))
            .group_by(SyncRecord.commune_code, SyncRecord.entity)
        ).all()
    return {(str(c), str(e)): int(n) for c, e, n in rows}


def _year_of(value: Any) -> int | None:
    """The year of an ISO date text (``None`` for none or junk)."""
    if isinstance(value, str) and len(value) >= 4 and value[:4].isdigit():
        return int(value[:4])
    return None


def held_years(db: Database) -> list[int]:
    """Years for which some commune sent registrations, oldest first."""
    state.require_upper(db)
    return sorted({y for _c, _m, y in _per_model_year(db, "registration")})


def _per_model_year(db: Database, entity: str) -> Counter[tuple[str, str, int]]:
    """Live records of ``entity`` (registration, recognition) per commune, model, year."""
    counts: Counter[tuple[str, str, int]] = Counter()
    for code, r in _stream(db, entity):
        model, year = r.get("model"), r.get("year")
        if isinstance(model, str) and isinstance(year, int) and not isinstance(year, bool):
            counts[(code, model, year)] += 1
    return counts


Keyed = dict[tuple[str, str], set[str]]  # (commune, model or entity) → uuids


def _live_uuids(db: Database) -> Keyed:
    """Uuids of the live records of every counted entity, per commune."""
    out: Keyed = {}
    query = select(SyncRecord.commune_code, SyncRecord.entity, SyncRecord.uuid).where(
        SyncRecord.deleted.is_(False), SyncRecord.entity.in_(set(MODEL_ENTITY.values()))
    )
    with db.connect() as conn:
        for code, entity, uid in conn.execute(query.execution_options(yield_per=STREAM_ROWS)):
            out.setdefault((str(code), str(entity)), set()).add(str(uid))
    return out


def _entities_of_year(db: Database, entity: str, year: int, in_force: bool = False) -> Keyed:
    """Entity uuids per (commune, model) with a live ``entity`` record (registration,
    recognition) for ``year``; ``in_force``: recognitions still valid in ``year``."""
    out: Keyed = {}
    for code, r in _stream(db, entity):
        model, made, target = r.get("model"), r.get("year"), r.get("entity_id")
        if not isinstance(model, str) or not isinstance(target, str):
            continue
        if not isinstance(made, int) or isinstance(made, bool):
            continue
        until = r.get("valid_until")
        if in_force:
            if not (made <= year and isinstance(until, int) and until >= year):
                continue
        elif made != year:
            continue
        out.setdefault((code, model), set()).add(target)
    return out


def _citizens(db: Database, year: int, recognised_in_force: Keyed) -> tuple[Keyed, Keyed]:
    """Working-age people per commune (as the dashboard counts them), and those of them
    whose household, clan or hamlet is recognised for ``year`` (the learning-citizen
    denominator of QĐ 387 and QĐ 677)."""
    from app.core.assessment.computations import WORKING_AGES

    lo, hi = WORKING_AGES
    homes: dict[tuple[str, str], tuple[Any, Any]] = {}
    for code, r in _stream(db, "household"):
        homes[(code, str(r.get("uuid")))] = (r.get("clan_id"), r.get("hamlet_id"))
    working: Keyed = {}
    in_models: Keyed = {}
    for code, r in _stream(db, "person"):
        born = r.get("birth_year")
        if not (isinstance(born, int) and year - hi <= born <= year - lo):
            continue
        uid, home = str(r.get("uuid")), r.get("household_id")
        working.setdefault((code, "learning_citizen"), set()).add(uid)
        if (code, str(home)) not in homes:
            continue
        clan, hamlet = homes[(code, str(home))]
        if (
            home in recognised_in_force.get((code, "learning_family"), set())
            or clan in recognised_in_force.get((code, "learning_clan"), set())
            or hamlet in recognised_in_force.get((code, "learning_community"), set())
        ):
            in_models.setdefault((code, "learning_citizen"), set()).add(uid)
    return working, in_models


def _members(db: Database, year: int) -> Counter[str]:
    """Members on the roll during ``year`` (joined by then, not left before it)."""
    counts: Counter[str] = Counter()
    for code, r in _stream(db, "member"):
        joined, left = _year_of(r.get("join_date")), _year_of(r.get("leave_date"))
        if (joined is None or joined <= year) and (left is None or left > year):
            counts[code] += 1
    return counts


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def rates(
    db: Database,
    year: int | None = None,
    profile_code: str | None = None,
    progress: Progress | None = None,
) -> RatesReport:
    """Per commune and for all of them: recognition rate per model and members' share,
    beside the target in force in ``year`` (default: the latest year with registrations)."""
    from app.core.assessment import targets

    state.require_upper(db)
    if profile_code is None:
        profile = targets.chosen_profile(db)
    else:
        by_code = {p.code: p for p in targets.profiles(db)}
        if profile_code not in by_code:
            raise UserError(f"Không có bộ chỉ tiêu “{profile_code}” (dùng: {', '.join(by_code)}).")
        profile = by_code[profile_code]
    step = progress or (lambda _d, _t: None)
    all_registered = _per_model_year(db, "registration")
    if year is None:
        years = sorted({y for _c, _m, y in all_registered})
        year = years[-1] if years else dt.date.today().year
    step(1, 5)
    live = _live_uuids(db)
    registered = _entities_of_year(db, "registration", year)
    step(2, 5)
    recognised = _entities_of_year(db, "recognition", year)
    step(3, 5)
    working, in_models = _citizens(db, year, _entities_of_year(db, "recognition", year, True))
    live.update(working)
    step(4, 5)
    members = _members(db, year)
    step(5, 5)
    people = _live_counts(db)
    codes = sorted({c for c, _e in people} | {c for c, _m in registered})

    def one(label: str, chosen: list[str], m: int) -> CommuneRates:
        """The rates of the communes ``chosen`` added up (one commune, or all of them)."""
        models = {}
        for model, entity in MODEL_ENTITY.items():
            key = "learning_citizen" if model == "learning_citizen" else entity
            total = reg = rec = denominator = 0
            basis = profile.denominators.get(model, "all")
            for code in chosen:
                # Counted among live entities only: a recognition of a deleted clan does not
                # count, and no rate passes 100 % (the commune's dashboard counts the same).
                ids = live.get((code, key), set())
                regs = registered.get((code, model), set()) & ids
                recs = recognised.get((code, model), set()) & ids
                if model == "learning_citizen":
                    pool = in_models.get((code, model), set())
                elif basis == "registered":
                    pool = regs
                else:
                    pool = ids
                total += len(ids)
                reg += len(regs)
                rec += len(recs & pool)
                denominator += len(pool)
            models[model] = ModelRate(
                model,
                total,
                reg,
                rec,
                denominator,
                _rate(rec, denominator),
                profile.target_for(model, year),
            )
        population = sum(people.get((c, "person"), 0) for c in chosen)
        return CommuneRates(
            label,
            models,
            m,
            population,
            _rate(m, population),
            profile.target_for(MEMBERS_SHARE, year),
        )

    communes = {c: one(c, [c], members.get(c, 0)) for c in codes}
    province = one("", codes, sum(members.values()))
    return RatesReport(year, profile.code, profile.title, communes, province)


def percent(value: float | None) -> str:
    """'72,5%' (Vietnamese decimal comma); '—' when there is no denominator."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%".replace(".", ",")


# --- workbook -----------------------------------------------------------------------------


def export_consolidation_xlsx(db: Database, path: Path, report: RatesReport | None = None) -> Path:
    """The consolidation view as a workbook: per commune, bundles and records held, then
    every model's recognised / denominator, rate and target, and members' share."""
    import io

    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]

    from app.core.assessment import MODELS
    from app.core.sync.conflicts import entity_label
    from app.core.sync.importer import consolidation, entity_totals
    from app.core.sync.writer import write_durably

    statuses = consolidation(db)
    totals = entity_totals(db)
    report = report or rates(db)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Tổng hợp"
    ws.append(
        [
            f"Năm {report.year} — chỉ tiêu: {report.profile_title}",
        ]
    )
    ws["A1"].font = Font(bold=True)
    header = ["Mã xã", "Gói cuối", "Ngày gói cuối", "Ngày nhập", "Thiếu gói", "Cách ly"]
    header.append("Xung đột")
    for model in MODEL_ENTITY:
        header += [f"{MODELS[model]}: công nhận", "tỷ lệ", "chỉ tiêu"]
    header += ["Hội viên / dân số", "chỉ tiêu"]
    entities = sorted({e for per in totals.values() for e in per})
    header += [f"Số bản ghi: {entity_label(e)}" for e in entities]
    ws.append(header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "B3"

    def rate_cells(c: CommuneRates | None) -> list[Any]:
        if c is None:
            return [None] * (3 * len(MODEL_ENTITY) + 2)
        cells: list[Any] = []
        for model in MODEL_ENTITY:
            r = c.models[model]
            cells += [f"{r.recognised}/{r.denominator}", r.rate, r.target]
        return [*cells, c.members_rate, c.members_target]

    by_code = {s.commune_code: s for s in statuses}
    codes = sorted(set(by_code) | set(report.communes))
    for code in codes:
        s = by_code.get(code)
        per = totals.get(code, {})
        c = report.communes.get(code)
        ws.append(
            [
                code,
                s.last_seq if s else 0,
                s.last_created_at[:10] if s else "",
                s.last_imported_at[:16] if s else "",
                s.gaps if s else 0,
                (s.quarantined + s.forks) if s else 0,
                s.conflicts if s else 0,
                *rate_cells(c),
                *(per.get(e, 0) for e in entities),
            ]
        )
    p = report.province
    ws.append(
        [
            "Toàn tỉnh",
            "",
            "",
            "",
            sum(s.gaps for s in statuses),
            sum(s.quarantined + s.forks for s in statuses),
            sum(s.conflicts for s in statuses),
            *rate_cells(p),
            *(sum(t.get(e, 0) for t in totals.values()) for e in entities),
        ]
    )
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            if isinstance(cell.value, float):  # rates and targets; counts are integers
                cell.number_format = "0.0%"
    from app.core.printing.xlsx import neutralise_formulas

    neutralise_formulas(wb)
    buf = io.BytesIO()
    wb.save(buf)
    write_durably(path, buf.getvalue())
    return path
