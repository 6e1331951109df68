"""The figures the registries give for the commune's own assessment (TT 25/2023).

TT 25/2023 sets no threshold that was found for criteria 3–5, so its items are typed
yes/no with evidence; what the registries *can* say is counted here and offered as
that evidence: literacy of 15–60 and 15–35 year olds, children at school by age,
the community learning centre's sessions, the Lifelong-Learning Week's activities
and the learning models' rates. An item names the figures it shows (``"figures"``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from app.core.activities.service import activity_figures
from app.core.assessment.criteria import CriteriaSetDoc
from app.core.assessment.cycle import (
    AssessmentInput,
    AssessmentOutcome,
    check_assessment_input,
    check_year,
    record_assessment,
    register,
)
from app.core.assessment.scoring import Ratio, Value
from app.core.assessment.sets import active_set_id, ensure_builtin_sets, load_doc
from app.core.db import Database
from app.core.models import Assessment, Recognition
from app.core.sync.rates import percent

# School-age bands: primary, lower secondary, upper secondary (ages in the year).
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("6–10 tuổi (tiểu học)", 6, 10),
    ("11–14 tuổi (THCS)", 11, 14),
    ("15–17 tuổi (THPT)", 15, 17),
)
# The Week is held from 1 October each year (Tuần lễ hưởng ứng học tập suốt đời).
WEEK_START, WEEK_END = (10, 1), (10, 7)
_ILLITERATE = "('none', 'preschool')"
_LIVE = (
    "FROM person p JOIN household h ON h.id = p.household_id WHERE p.deleted = 0 AND h.deleted = 0"
)


@dataclass(frozen=True)
class WeekFigures:
    start: dt.date
    end: dt.date
    activities: int
    participants: int


@dataclass(frozen=True)
class CommuneFigures:
    year: int
    literacy_15_60: Ratio
    literacy_15_35: Ratio
    children_by_age: tuple[tuple[str, Ratio], ...]
    centre_sessions: int
    centre_participants: int
    week: WeekFigures
    learning_models: tuple[tuple[str, str], ...]  # (title, "n/N (x %)")

    def lines(self, name: str) -> list[str]:
        """The figure ``name`` (see :data:`criteria.FIGURE_NAMES`) as evidence lines."""
        if name == "literacy_15_60":
            return [f"Biết chữ 15–60 tuổi: {_ratio(self.literacy_15_60)}"]
        if name == "literacy_15_35":
            return [f"Biết chữ 15–35 tuổi: {_ratio(self.literacy_15_35)}"]
        if name == "children_in_school_by_age":
            return [f"Đi học {label}: {_ratio(r)}" for label, r in self.children_by_age]
        if name == "centre_sessions":
            return [
                f"TTHTCĐ năm {self.year}: {self.centre_sessions} buổi, "
                f"{self.centre_participants} lượt người"
            ]
        if name == "week_activities":
            w = self.week
            return [
                f"Tuần lễ hưởng ứng học tập suốt đời ({w.start:%d/%m}–{w.end:%d/%m/%Y}): "
                f"{w.activities} hoạt động, {w.participants} lượt người"
            ]
        if name == "learning_models":
            return [f"{title}: {shown}" for title, shown in self.learning_models]
        return []

    def evidence(self, names: tuple[str, ...]) -> str:
        """The figures an item shows, as one evidence note (``"; "`` between them)."""
        return "; ".join(line for n in names for line in self.lines(n))


def _ratio(r: Ratio) -> str:
    if not r.denominator:
        return "chưa có số liệu"
    return f"{r.numerator}/{r.denominator} ({percent(r.numerator / r.denominator)})"


def _literacy(conn: Connection, year: int, lo: int, hi: int) -> Ratio:
    """People of ``lo``–``hi`` with a school level recorded; literate = above preschool."""
    num, den = conn.execute(
        text(
            f"SELECT SUM(p.school_level NOT IN {_ILLITERATE}), COUNT(*) {_LIVE} "
            "AND p.school_level IS NOT NULL AND p.birth_year BETWEEN :y - :hi AND :y - :lo"
        ),
        {"y": year, "lo": lo, "hi": hi},
    ).one()
    return Ratio(int(num or 0), int(den or 0))


def _at_school(conn: Connection, year: int, lo: int, hi: int) -> Ratio:
    num, den = conn.execute(
        text(
            f"SELECT SUM(p.is_studying), COUNT(*) {_LIVE} "
            "AND p.birth_year BETWEEN :y - :hi AND :y - :lo"
        ),
        {"y": year, "lo": lo, "hi": hi},
    ).one()
    return Ratio(int(num or 0), int(den or 0))


def _week(conn: Connection, year: int) -> WeekFigures:
    start, end = dt.date(year, *WEEK_START), dt.date(year, *WEEK_END)
    ids_and_counts = conn.execute(
        text(
            "SELECT a.id, a.participants_count, (SELECT COUNT(*) FROM activity_participant ap "
            "WHERE ap.activity_id = a.id AND ap.deleted = 0) FROM activity a "
            "WHERE a.deleted = 0 AND a.start_date <= :end "
            "AND COALESCE(a.end_date, a.start_date) >= :start"
        ),
        {"start": start, "end": end},
    ).all()
    heads = sum(int(linked) or int(count or 0) for _i, count, linked in ids_and_counts)
    return WeekFigures(start, end, len(ids_and_counts), heads)


def commune_figures(db: Database, year: int) -> CommuneFigures:
    """Everything the registries say for the commune's TT 25/2023 assessment in ``year``."""
    from app.core.assessment.targets import target_report

    with db.connect() as conn:
        lit_60 = _literacy(conn, year, 15, 60)
        lit_35 = _literacy(conn, year, 15, 35)
        by_age = tuple((label, _at_school(conn, year, lo, hi)) for label, lo, hi in AGE_BANDS)
        week = _week(conn, year)
    centre = activity_figures(db, dt.date(year, 1, 1), dt.date(year, 12, 31))
    report = target_report(db, year)
    models = tuple(
        (
            f.title,
            f"{f.recognised}/{f.denominator}"
            + (f" ({percent(f.rate)})" if f.rate is not None else "")
            + f", mẫu số: {f.denominator_label}",
        )
        for key, f in report.models.items()
        if key != "learning_citizen"
    )
    return CommuneFigures(
        year=year,
        literacy_15_60=lit_60,
        literacy_15_35=lit_35,
        children_by_age=by_age,
        centre_sessions=int(centre["centre_sessions"]),
        centre_participants=int(centre["centre_participants"]),
        week=week,
        learning_models=models,
    )


# --- the commune's own assessment -------------------------------------------------------

COMMUNE_MODEL = "commune_learning_community"
COMMUNE_ENTITY = 0  # the commune itself ("Toàn xã", see entities.py)


@dataclass(frozen=True)
class CommuneAssessment:
    """The commune's TT 25/2023 self-assessment for a year, as stored (or blank)."""

    year: int
    criteria_set_id: int
    doc: CriteriaSetDoc
    values: dict[str, Value]
    evidence: dict[str, str]
    recognised: bool

    def evidence_with_figures(self, figures: CommuneFigures) -> dict[str, str]:
        """The stored notes, and for items still without one the registries' figures."""
        out = dict(self.evidence)
        for item in self.doc.items:
            if item.figures and not out.get(item.code):
                out[item.code] = figures.evidence(item.figures)
        return out


def commune_assessment(db: Database, year: int) -> CommuneAssessment:
    """The stored assessment of ``year`` (its criteria version), else the active set, blank."""
    check_year(year)
    ensure_builtin_sets(db)
    with db.session() as s:
        row = s.scalars(
            select(Assessment).where(
                Assessment.year == year,
                Assessment.model == COMMUNE_MODEL,
                Assessment.entity_id == COMMUNE_ENTITY,
                Assessment.deleted.is_(False),
            )
        ).first()
        set_id = row.criteria_set_id if row else active_set_id(s, COMMUNE_MODEL, year)
        doc = load_doc(s, set_id)
        recognised = s.scalars(
            select(Recognition.id).where(
                Recognition.year == year,
                Recognition.model == COMMUNE_MODEL,
                Recognition.entity_id == COMMUNE_ENTITY,
                Recognition.deleted.is_(False),
            )
        ).first()
        return CommuneAssessment(
            year=year,
            criteria_set_id=set_id,
            doc=doc,
            values=json.loads(row.item_values) if row else {},
            evidence=json.loads(row.evidence or "{}") if row else {},
            recognised=recognised is not None,
        )


def record_commune_assessment(
    db: Database,
    year: int,
    values: Mapping[str, Value],
    evidence: Mapping[str, str],
    assessor: str | None = None,
) -> AssessmentOutcome:
    """Save the commune's self-assessment; the commune is registered for the year first."""
    data = AssessmentInput(
        year, COMMUNE_MODEL, COMMUNE_ENTITY, dict(values), dict(evidence), assessor=assessor
    )
    check_assessment_input(data)
    with db.connect() as conn:
        registered = conn.execute(
            text(
                "SELECT 1 FROM registration WHERE deleted = 0 AND year = :y AND model = :m "
                "AND entity_id = :e"
            ),
            {"y": year, "m": COMMUNE_MODEL, "e": COMMUNE_ENTITY},
        ).first()
    if registered is None:
        register(db, year, COMMUNE_MODEL, [COMMUNE_ENTITY])
    return record_assessment(db, data)
