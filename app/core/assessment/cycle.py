"""The yearly cycle per year and model: registration, assessment, recognition, reopening.

Every service is one transaction and validates first (Vietnamese messages). A
closed year refuses changes until it is reopened with a reason; each close and
reopen is appended to the year's log.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.core import dates
from app.core.assessment import MODELS, issuers
from app.core.assessment.computations import compute
from app.core.assessment.criteria import CriteriaSetDoc
from app.core.assessment.entities import ENTITY_LABELS, Entity, check_model, entities
from app.core.assessment.scoring import Ratio, ScoreResult, Value, override_points, score
from app.core.assessment.sets import active_set_id, ensure_builtin_sets, load_doc
from app.core.db import Database
from app.core.errors import NotFoundError, ValidationError
from app.core.gcpause import without_gc
from app.core.models import (
    Assessment,
    CriteriaSet,
    CycleYear,
    Recognition,
    RecognitionDecision,
    Registration,
)
from app.core.models.base import utcnow

MIN_YEAR, MAX_YEAR = 2000, 2100

# Titles the hamlet proposes to the commune before the decision (đề nghị công nhận).
# Units propose themselves through their own head and the commune title goes upward,
# so neither needs a hamlet's proposal.
PROPOSED_MODELS: tuple[str, ...] = (
    "learning_family",
    "learning_clan",
    "learning_community",
    "learning_citizen",
)


def check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(f"Năm {year} không hợp lệ (từ {MIN_YEAR} đến {MAX_YEAR}).", "year")


def working_year(db: Database, today: dt.date | None = None) -> int:
    """The year the cycle screens open on: the latest year up to this one with
    registrations (see :func:`app.core.dates.working_year`)."""
    return dates.working_year(db, Registration.year, Registration.deleted.is_(False), today=today)


def _ensure_open(session: Session, year: int) -> None:
    check_year(year)
    row = session.scalars(select(CycleYear).where(CycleYear.year == year)).first()
    if row is not None and row.closed:
        raise ValidationError(
            f"Năm {year} đã khóa sổ. Hãy mở lại năm (ghi rõ lý do) trước khi sửa.", "year"
        )


def _entities(session: Session, model: str, year: int) -> dict[int, Entity]:
    return entities(session.connection(), model, year)


# The registry list whose rows each model assesses: the cycle's lists take their order
# and their search (as you type, without diacritics) from it, so "nguyen van an" finds
# the same people in "Chu kỳ năm" as in "Nhân khẩu".
LISTING_OF_MODEL: dict[str, str] = {
    "learning_family": "households",
    "learning_clan": "clans",
    "learning_community": "hamlets",
    "learning_unit": "units",
    "learning_citizen": "people",
}


def listed_entities(db: Database, model: str, year: int) -> dict[int, Entity]:
    """Every live entity of ``model`` in ``year``, remembered until the registries change
    (the lists of one screen read them once). Read-only: callers must not modify it."""
    from app.core.registry.listing import remembered

    def read() -> dict[int, Entity]:
        with db.connect() as conn:
            return entities(conn, model, year)

    return remembered(db, ("cycle_entities", model, year), read)


def search_ids(db: Database, year: int, model: str, search: str) -> set[int] | None:
    """Ids of the entities whose registry search text holds every word of ``search``;
    ``None`` when there is nothing to search for (everyone matches)."""
    from app.core import text as vntext

    if not vntext.fold_query(search):
        return None
    return set(listed_order(db, model, listed_entities(db, model, year), search))


def prepare_search(db: Database, model: str) -> None:
    """Read the folded search texts the first keystroke will need (remembered until the
    data changes); the screen calls it just after showing a list, so typing "n" does
    not wait for 30,000 texts."""
    from app.core.registry.listing import LISTINGS, ListQuery

    key = LISTING_OF_MODEL.get(model)
    if key is not None:
        LISTINGS[key].text_pairs(db, ListQuery())


def listed_order(
    db: Database, model: str, known: Mapping[int, Entity], search: str = ""
) -> list[int]:
    """Ids of ``known`` in the registry's list order, narrowed by ``search``.

    The registry listing keeps its ordered ids and folded search texts until the
    data changes (:mod:`app.core.registry.listing`), so sorting 20,000 citizens by
    the Vietnamese key costs a list lookup, not a Python sort, and each keystroke
    only filters in memory.
    """
    from app.core import text as vntext
    from app.core.registry.listing import LISTINGS, ListQuery

    key = LISTING_OF_MODEL.get(model)
    if key is None:  # the commune itself: one row
        words = vntext.fold_query(search)
        ordered = sorted(known.values(), key=lambda e: vntext.sort_key(e.name))
        return [e.id for e in ordered if all(w in vntext.fold(e.name) for w in words)]
    return [i for i in LISTINGS[key].ids(db, ListQuery(search=search)) if i in known]


# --- registration -------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterResult:
    added: int
    already: int


def register(
    db: Database,
    year: int,
    model: str,
    entity_ids: Iterable[int],
    on: dt.date | None = None,
    note: str | None = None,
) -> RegisterResult:
    """Register entities for the year's title; those already registered are counted, not doubled."""
    check_model(model)
    ids = list(dict.fromkeys(entity_ids))
    if not ids:
        raise ValidationError("Chưa chọn ai để đăng ký.")
    with db.session() as s:
        _ensure_open(s, year)
        known = _entities(s, model, year)
        missing = [i for i in ids if i not in known]
        if missing:
            raise ValidationError(
                f"Không tìm thấy {ENTITY_LABELS[model]} có mã {', '.join(map(str, missing[:5]))}."
            )
        have = set(
            s.scalars(
                select(Registration.entity_id).where(
                    Registration.year == year,
                    Registration.model == model,
                    Registration.deleted.is_(False),
                )
            )
        )
        new = [i for i in ids if i not in have]
        for i in new:
            s.add(
                Registration(
                    year=year,
                    model=model,
                    entity_id=i,
                    hamlet_id=known[i].hamlet_id,
                    registered_on=on or dt.date.today(),
                    note=note,
                )
            )
        return RegisterResult(added=len(new), already=len(ids) - len(new))


def households_of(
    db: Database, hamlet_id: int | None = None, clan_id: int | None = None
) -> list[int]:
    """Live households of a hamlet or of a clan (for bulk registration)."""
    if (hamlet_id is None) == (clan_id is None):
        raise ValidationError("Chọn một thôn hoặc một dòng họ.")
    column, value = ("hamlet_id", hamlet_id) if hamlet_id is not None else ("clan_id", clan_id)
    with db.connect() as conn:
        ids = [
            int(r[0])
            for r in conn.execute(
                text(f"SELECT id FROM household WHERE deleted = 0 AND {column} = :v ORDER BY id"),
                {"v": value},
            )
        ]
    if not ids:
        raise ValidationError("Thôn/dòng họ này chưa có hộ nào trong sổ.")
    return ids


def register_hamlet(db: Database, year: int, hamlet_id: int) -> RegisterResult:
    return register(db, year, "learning_family", households_of(db, hamlet_id=hamlet_id))


def register_clan(db: Database, year: int, clan_id: int) -> RegisterResult:
    return register(db, year, "learning_family", households_of(db, clan_id=clan_id))


def unregister(db: Database, year: int, model: str, entity_id: int) -> None:
    with db.session() as s:
        _ensure_open(s, year)
        reg = _live(s, Registration, year, model, entity_id)
        if reg is None:
            raise NotFoundError("Chưa đăng ký nên không thể hủy đăng ký.")
        if _live(s, Assessment, year, model, entity_id) is not None:
            raise ValidationError("Đã có kết quả đánh giá; xóa đánh giá trước khi hủy đăng ký.")
        reg.deleted = True
        reg.deleted_at = utcnow()


def _live(s: Session, cls: Any, year: int, model: str, entity_id: int) -> Any:
    return s.scalars(
        select(cls).where(
            cls.year == year,
            cls.model == model,
            cls.entity_id == entity_id,
            cls.deleted.is_(False),
        )
    ).first()


# --- assessment ---------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentInput:
    year: int
    model: str
    entity_id: int
    values: Mapping[str, Value]
    evidence: Mapping[str, str] = field(default_factory=dict)
    variant: str | None = None
    assessed_on: dt.date | None = None
    assessor: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class AssessmentOutcome:
    assessment_id: int
    criteria_set_id: int
    result: ScoreResult


def computed_for(session: Session, doc: CriteriaSetDoc, year: int) -> dict[int, dict[str, Ratio]]:
    names = [i.computation for i in doc.items if i.computation]
    return compute(session.connection(), year, names) if names else {}


MIN_REASON = 5


def check_assessment_input(data: AssessmentInput) -> None:
    """Values and evidence must be tables keyed by item code (a file may say otherwise)."""
    if not isinstance(data.values, Mapping):
        raise ValidationError(
            '“values” phải là một bảng {mã mục: điểm}, ví dụ {"1.2": 8}.', "values"
        )
    if not isinstance(data.evidence, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.evidence.items()
    ):
        raise ValidationError(
            "“evidence” (minh chứng) phải là một bảng {mã mục: ghi chú}, ví dụ "
            '{"1.1": "Sổ theo dõi của thôn"}, không phải một đoạn chữ.',
            "evidence",
        )


def _check_overrides(doc: CriteriaSetDoc, data: AssessmentInput) -> None:
    """A computed item changed by hand needs the reason in its evidence note."""
    for item in doc.items:
        if item.kind != "computed" or override_points(item, data.values.get(item.code)) is None:
            continue
        reason = (data.evidence.get(item.code) or "").strip()
        if len(reason) < MIN_REASON:
            raise ValidationError(
                f"Mục {item.code} được tính từ sổ; muốn sửa thì ghi lý do vào minh chứng "
                "(ví dụ: cháu ốm dài ngày, khuyết tật, không có khả năng học).",
                item.code,
            )


def record_assessment(db: Database, data: AssessmentInput) -> AssessmentOutcome:
    """Score and store one assessment; computed items are filled from the registries.

    Re-recording keeps the criteria version the entity was first assessed with, so
    loading a newer set never changes the footing of an assessment already made.
    A value typed for a computed item overrides the registries' figure and needs a
    reason in that item's evidence note.
    """
    check_model(data.model)
    check_assessment_input(data)
    ensure_builtin_sets(db)
    with db.session() as s:
        _ensure_open(s, data.year)
        if _live(s, Registration, data.year, data.model, data.entity_id) is None:
            raise ValidationError(
                f"{ENTITY_LABELS[data.model].capitalize()} này chưa đăng ký năm {data.year}."
            )
        if _live(s, Recognition, data.year, data.model, data.entity_id) is not None:
            raise ValidationError("Đã có quyết định công nhận; không sửa được kết quả đánh giá.")
        row: Assessment | None = _live(s, Assessment, data.year, data.model, data.entity_id)
        set_id = row.criteria_set_id if row else active_set_id(s, data.model, data.year)
        doc = load_doc(s, set_id)
        if data.variant and data.variant not in {c for c, _ in doc.variants}:
            raise ValidationError(f"Mẫu phiếu “{data.variant}” không có trong bộ tiêu chí.")
        _check_overrides(doc, data)
        ratios = computed_for(s, doc, data.year).get(data.entity_id, {})
        result = score(doc, data.values, ratios)
        known = _entities(s, data.model, data.year)
        if row is None:
            row = Assessment(year=data.year, model=data.model, entity_id=data.entity_id)
            s.add(row)
        row.hamlet_id = known[data.entity_id].hamlet_id if data.entity_id in known else None
        row.criteria_set_id = set_id
        row.variant = data.variant
        row.item_values = json.dumps(dict(data.values), ensure_ascii=False)
        row.evidence = json.dumps(dict(data.evidence), ensure_ascii=False)
        row.total = result.total
        row.passed = result.passed
        row.result_label = result.label
        row.level = result.level
        row.assessed_on = data.assessed_on or dt.date.today()
        row.assessor = data.assessor
        row.note = data.note
        if not result.passed and row.proposed_on is not None:
            # A proposal stands for a passing result; a failing re-entry withdraws it.
            row.proposed_on = row.proposed_by = row.proposal_number = None
        crit = s.get(CriteriaSet, set_id)
        if crit is not None and not crit.locked:
            crit.locked = True
        s.flush()
        return AssessmentOutcome(row.id, set_id, result)


# Models scored on the same year's learning-family recognitions (computed items).
READS_FAMILY_DECISION: tuple[str, ...] = ("learning_clan", "learning_community")


def family_decision_warning(db: Database, year: int, model: str) -> str | None:
    """A warning when clans or hamlets are scored before that year's family decision.

    Their computed items count the households recognised as learning families in the
    same year; scored earlier, those items read zero and the result is wrong.
    """
    if model not in READS_FAMILY_DECISION:
        return None
    with db.connect() as conn:
        decided = conn.execute(
            text(
                "SELECT 1 FROM recognition_decision WHERE deleted = 0 AND year = :y "
                "AND model = 'learning_family' LIMIT 1"
            ),
            {"y": year},
        ).first()
    if decided is not None:
        return None
    return (
        f"Chưa có quyết định công nhận Gia đình học tập năm {year}: {ENTITY_LABELS[model]} "
        "được chấm theo số Gia đình học tập cùng năm, nên các mục tính từ sổ sẽ thấp hơn thực "
        "tế. Nên công nhận Gia đình học tập trước, rồi chấm lại."
    )


def delete_assessment(db: Database, year: int, model: str, entity_id: int) -> None:
    with db.session() as s:
        _ensure_open(s, year)
        if _live(s, Recognition, year, model, entity_id) is not None:
            raise ValidationError("Đã có quyết định công nhận; không xóa được đánh giá.")
        row = _live(s, Assessment, year, model, entity_id)
        if row is None:
            raise NotFoundError("Chưa có đánh giá để xóa.")
        row.deleted = True
        row.deleted_at = utcnow()


def preview(
    db: Database, year: int, model: str, entity_id: int, values: Mapping[str, Value]
) -> ScoreResult:
    """Score without saving (live totals on the entry screen)."""
    ensure_builtin_sets(db)
    with db.session() as s:
        row = _live(s, Assessment, year, model, entity_id)
        set_id = row.criteria_set_id if row else active_set_id(s, model, year)
        doc = load_doc(s, set_id)
        return score(doc, values, computed_for(s, doc, year).get(entity_id, {}))


@dataclass(frozen=True)
class SheetRow:
    entity_id: int
    name: str
    hamlet_id: int | None
    values: dict[str, Value]
    computed: dict[str, Ratio]
    recognised: bool
    proposed_on: dt.date | None = None  # the hamlet's proposal (đề nghị), if any
    proposal_number: str = ""


@dataclass(frozen=True)
class Sheet:
    """Everything the assessment grid needs for a year and model, in one read."""

    year: int
    model: str
    criteria_set_id: int
    doc: CriteriaSetDoc
    rows: list[SheetRow]


@without_gc
def assessment_sheet(
    db: Database, year: int, model: str, hamlet_id: int | None = None, search: str = ""
) -> Sheet:
    """Registered entities with their stored values and computed items (the entry grid),
    in the registry's order; ``search`` narrows them as the registry's search box does."""
    check_model(model)
    ensure_builtin_sets(db)
    with db.session() as s:
        # The version most of the year's assessments used (re-entries keep theirs), else
        # the active one: the grid then scores rows as they will be saved.
        used = s.execute(
            text(
                "SELECT criteria_set_id FROM assessment WHERE deleted = 0 AND year = :y "
                "AND model = :m GROUP BY criteria_set_id ORDER BY COUNT(*) DESC LIMIT 1"
            ),
            {"y": year, "m": model},
        ).scalar()
        set_id = int(used) if used is not None else active_set_id(s, model, year)
        doc = load_doc(s, set_id)
        ratios = computed_for(s, doc, year)
        regs = s.scalars(
            select(Registration.entity_id).where(
                Registration.year == year,
                Registration.model == model,
                Registration.deleted.is_(False),
            )
        ).all()
        # Columns, not ORM objects: thousands of rows to read, none to change.
        stored = {
            a.entity_id: a
            for a in s.execute(
                select(
                    Assessment.entity_id,
                    Assessment.item_values,
                    Assessment.proposed_on,
                    Assessment.proposal_number,
                ).where(
                    Assessment.year == year,
                    Assessment.model == model,
                    Assessment.deleted.is_(False),
                )
            ).all()
        }
        recognised = set(
            s.scalars(
                select(Recognition.entity_id).where(
                    Recognition.year == year,
                    Recognition.model == model,
                    Recognition.deleted.is_(False),
                )
            )
        )
    known = listed_entities(db, model, year)
    registered = set(regs)
    rows = []
    for eid in listed_order(db, model, known, search):
        ent = known[eid]
        if eid not in registered or (hamlet_id is not None and ent.hamlet_id != hamlet_id):
            continue
        a = stored.get(eid)
        rows.append(
            SheetRow(
                entity_id=eid,
                name=ent.name,
                hamlet_id=ent.hamlet_id,
                values=json.loads(a.item_values) if a else {},
                computed=ratios.get(eid, {}),
                recognised=eid in recognised,
                proposed_on=a.proposed_on if a else None,
                proposal_number=(a.proposal_number or "") if a else "",
            )
        )
    return Sheet(year, model, set_id, doc, rows)


def score_all(db: Database, year: int, model: str) -> dict[int, ScoreResult]:
    """Score every entity of the model for the year with the active set (stored values or none)."""
    ensure_builtin_sets(db)
    with db.session() as s:
        set_id = active_set_id(s, model, year)
        doc = load_doc(s, set_id)
        ratios = computed_for(s, doc, year)
        known = _entities(s, model, year)
        stored = {
            eid: json.loads(v)
            for eid, v in s.execute(
                select(Assessment.entity_id, Assessment.item_values).where(
                    Assessment.year == year,
                    Assessment.model == model,
                    Assessment.deleted.is_(False),
                )
            )
        }
    return {eid: score(doc, stored.get(eid, {}), ratios.get(eid, {})) for eid in known}


# --- recognition --------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionInput:
    year: int
    model: str
    number: str
    decision_date: dt.date
    signer_title: str
    signer_name: str
    note: str | None = None
    issuer: str = ""  # "" = the model's body (Settings); else committee | association


def _with_body_signer(db: Database, data: DecisionInput) -> DecisionInput:
    """The issuing body (the model's, unless given) and its signer (Settings → Người ký)
    where the input names none."""
    body = data.issuer or issuers.issuer_for(db, data.model)
    if body not in issuers.ISSUERS:
        raise ValidationError("Cơ quan công nhận phải là UBND xã hoặc Hội Khuyến học xã.", "issuer")
    data = replace(data, issuer=body)
    if (data.signer_name or "").strip() and (data.signer_title or "").strip():
        return data
    signer = issuers.body_signer(db, body)
    return replace(
        data,
        signer_title=(data.signer_title or "").strip() or signer.title,
        signer_name=(data.signer_name or "").strip() or signer.name,
    )


@dataclass(frozen=True)
class RecognitionOutcome:
    decision_id: int
    recognised: int
    valid_until: int
    not_proposed: int = 0  # passed but left out because their hamlet did not propose them


def recognise(
    db: Database,
    data: DecisionInput,
    entity_ids: Sequence[int] | None = None,
    *,
    allow_unproposed: bool = False,
) -> RecognitionOutcome:
    """Record the commune's decision and recognise the listed entities.

    Default: everyone who passed and whose hamlet proposed them. For the models the
    hamlet proposes (:data:`PROPOSED_MODELS`) an unproposed entry is refused unless
    ``allow_unproposed`` (the commune's explicit override, e.g. a hamlet that sent its
    list on paper only).
    """
    check_model(data.model)
    number = (data.number or "").strip()
    if not number:
        raise ValidationError("Nhập số quyết định công nhận.", "number")
    data = _with_body_signer(db, data)
    if not data.signer_name.strip():
        body = issuers.BODY_LABELS[data.issuer]
        raise ValidationError(
            f"Nhập người ký quyết định (hoặc ghi tên người ký của {body} trong "
            "Cài đặt → Người ký).",
            "signer_name",
        )
    if data.decision_date.year < data.year:
        raise ValidationError("Ngày quyết định phải trong hoặc sau năm đánh giá.", "decision_date")
    with db.session() as s:
        _ensure_open(s, data.year)
        assessed = {
            a.entity_id: a
            for a in s.scalars(
                select(Assessment).where(
                    Assessment.year == data.year,
                    Assessment.model == data.model,
                    Assessment.deleted.is_(False),
                )
            )
        }
        done = set(
            s.scalars(
                select(Recognition.entity_id).where(
                    Recognition.year == data.year,
                    Recognition.model == data.model,
                    Recognition.deleted.is_(False),
                )
            )
        )
        needs_proposal = data.model in PROPOSED_MODELS and not allow_unproposed
        waiting: list[int] = []
        if entity_ids is None:
            chosen = [e for e, a in assessed.items() if a.passed and e not in done]
            if needs_proposal:
                waiting = [e for e in chosen if assessed[e].proposed_on is None]
                chosen = [e for e in chosen if assessed[e].proposed_on is not None]
                if not chosen and waiting:
                    raise ValidationError(
                        f"{len(waiting)} {ENTITY_LABELS[data.model]} đạt nhưng chưa được thôn "
                        "đề nghị công nhận. Hãy ghi đề nghị của thôn trước "
                        "(hoặc chọn công nhận không cần đề nghị)."
                    )
        else:
            chosen = list(dict.fromkeys(entity_ids))
            not_passed = [e for e in chosen if e not in assessed or not assessed[e].passed]
            if not_passed:
                raise ValidationError(
                    f"{len(not_passed)} {ENTITY_LABELS[data.model]} chưa được đánh giá đạt "
                    f"(mã {', '.join(map(str, not_passed[:5]))}); không thể công nhận."
                )
            twice = [e for e in chosen if e in done]
            if twice:
                raise ValidationError(
                    f"{len(twice)} {ENTITY_LABELS[data.model]} đã được công nhận năm này."
                )
            unproposed = [e for e in chosen if assessed[e].proposed_on is None]
            if needs_proposal and unproposed:
                raise ValidationError(
                    f"{len(unproposed)} {ENTITY_LABELS[data.model]} chưa được thôn đề nghị "
                    f"(mã {', '.join(map(str, unproposed[:5]))}); không thể công nhận. "
                    "Hãy ghi đề nghị của thôn trước (hoặc chọn công nhận không cần đề nghị)."
                )
        if not chosen:
            raise ValidationError("Không có ai đạt mà chưa được công nhận.")
        decision = RecognitionDecision(
            year=data.year,
            model=data.model,
            number=number,
            decision_date=data.decision_date,
            signer_title=data.signer_title.strip(),
            signer_name=data.signer_name.strip(),
            note=data.note,
            issuer=data.issuer,
        )
        s.add(decision)
        s.flush()
        years: dict[int, int] = {}
        valid_until = data.year
        for eid in chosen:
            a = assessed[eid]
            if a.criteria_set_id not in years:
                years[a.criteria_set_id] = load_doc(s, a.criteria_set_id).recognition_years
            valid_until = data.year + years[a.criteria_set_id] - 1
            s.add(
                Recognition(
                    decision_id=decision.id,
                    assessment_id=a.id,
                    year=data.year,
                    model=data.model,
                    entity_id=eid,
                    hamlet_id=a.hamlet_id,
                    result_label=a.result_label,
                    level=a.level,
                    valid_until=valid_until,
                )
            )
        return RecognitionOutcome(decision.id, len(chosen), valid_until, len(waiting))


@dataclass(frozen=True)
class DueEntry:
    entity_id: int
    name: str
    last_year: int
    valid_until: int


def due_again(db: Database, year: int, model: str, search: str = "") -> list[DueEntry]:
    """Entities recognised before whose recognition has run out by ``year`` and not renewed
    (in list order, narrowed by ``search`` as the registry's search box does)."""
    check_model(model)
    with db.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT entity_id, MAX(year), MAX(valid_until) FROM recognition "
                "WHERE deleted = 0 AND model = :m AND year < :y GROUP BY entity_id "
                "HAVING MAX(valid_until) < :y"
            ),
            {"m": model, "y": year},
        ).all()
        now = {
            int(r[0])
            for r in conn.execute(
                text(
                    "SELECT entity_id FROM recognition WHERE deleted = 0 AND model = :m AND year = :y"
                ),
                {"m": model, "y": year},
            )
        }
    known = listed_entities(db, model, year)
    due = {int(e): (int(ly), int(vu)) for e, ly, vu in rows if int(e) not in now}
    wanted = {i: e for i, e in known.items() if i in due}
    return [DueEntry(i, known[i].name, *due[i]) for i in listed_order(db, model, wanted, search)]


# --- closing and reopening ----------------------------------------------------------


@dataclass(frozen=True)
class YearState:
    year: int
    closed: bool
    log: list[dict[str, str]]


def _year_row(s: Session, year: int) -> CycleYear:
    check_year(year)
    row = s.scalars(select(CycleYear).where(CycleYear.year == year)).first()
    if row is None:
        row = CycleYear(year=year, closed=False, log="[]")
        s.add(row)
    return row


def _log(row: CycleYear, action: str, reason: str) -> None:
    events = json.loads(row.log or "[]")
    events.append({"action": action, "reason": reason, "at": utcnow().isoformat(sep=" ")})
    row.log = json.dumps(events, ensure_ascii=False)


def close_year(db: Database, year: int, reason: str = "") -> YearState:
    with db.session() as s:
        row = _year_row(s, year)
        if row.closed:
            raise ValidationError(f"Năm {year} đã khóa sổ rồi.")
        row.closed = True
        _log(row, "close", reason.strip())
        return YearState(year, True, json.loads(row.log))


def reopen_year(db: Database, year: int, reason: str) -> YearState:
    """Reopening a closed year needs a reason; it is kept in the year's log."""
    if len((reason or "").strip()) < 5:
        raise ValidationError("Nhập lý do mở lại năm (ít nhất 5 ký tự).", "reason")
    with db.session() as s:
        row = _year_row(s, year)
        if not row.closed:
            raise ValidationError(f"Năm {year} đang mở, không cần mở lại.")
        row.closed = False
        _log(row, "reopen", reason.strip())
        return YearState(year, False, json.loads(row.log))


def year_state(db: Database, year: int) -> YearState:
    with db.session() as s:
        row = s.scalars(select(CycleYear).where(CycleYear.year == year)).first()
        if row is None:
            return YearState(year, False, [])
        return YearState(year, row.closed, json.loads(row.log))


# --- lists and history --------------------------------------------------------------


@dataclass  # not frozen: building 20,000 of them is then three times quicker
class CycleRow:
    entity_id: int
    name: str
    hamlet_id: int | None
    registered: bool
    assessed: bool
    total: float | None
    passed: bool
    label: str
    recognised: bool
    proposed: bool = False


@without_gc
def cycle_rows(
    db: Database, year: int, model: str, hamlet_id: int | None = None, search: str = ""
) -> list[CycleRow]:
    """Every entity of the model with its registration, assessment and recognition state,
    in the registry's order; ``search`` narrows them as the registry's search box does."""
    check_model(model)
    known = listed_entities(db, model, year)
    with db.connect() as conn:
        regs = {
            int(r[0])
            for r in conn.execute(
                text(
                    "SELECT entity_id FROM registration WHERE deleted = 0 AND year = :y AND model = :m"
                ),
                {"y": year, "m": model},
            )
        }
        ass = {
            int(e): (float(t), bool(p), str(lbl), prop is not None)
            for e, t, p, lbl, prop in conn.execute(
                text(
                    "SELECT entity_id, total, passed, result_label, proposed_on FROM assessment "
                    "WHERE deleted = 0 AND year = :y AND model = :m"
                ),
                {"y": year, "m": model},
            )
        }
        rec = {
            int(r[0])
            for r in conn.execute(
                text(
                    "SELECT entity_id FROM recognition WHERE deleted = 0 AND year = :y AND model = :m"
                ),
                {"y": year, "m": model},
            )
        }
    out = []
    for entity_id in listed_order(db, model, known, search):
        e = known[entity_id]
        if hamlet_id is not None and e.hamlet_id != hamlet_id:
            continue
        a = ass.get(e.id)
        out.append(
            CycleRow(
                entity_id=e.id,
                name=e.name,
                hamlet_id=e.hamlet_id,
                registered=e.id in regs,
                assessed=a is not None,
                total=a[0] if a else None,
                passed=a[1] if a else False,
                label=a[2] if a else "",
                recognised=e.id in rec,
                proposed=a[3] if a else False,
            )
        )
    return out


@dataclass(frozen=True)
class HistoryRow:
    year: int
    model: str
    model_title: str
    registered: bool
    total: float | None
    label: str
    passed: bool
    recognised: bool
    decision_number: str
    valid_until: int | None
    criteria: str


def history(db: Database, model: str, entity_id: int) -> list[HistoryRow]:
    """One entity's years: registration, score and result, recognition (newest first)."""
    check_model(model)
    p = {"m": model, "e": entity_id}
    with db.connect() as conn:
        regs = {
            int(r[0])
            for r in conn.execute(
                text(
                    "SELECT year FROM registration WHERE deleted = 0 AND model = :m AND entity_id = :e"
                ),
                p,
            )
        }
        ass = {
            int(r[0]): r
            for r in conn.execute(
                text(
                    "SELECT a.year, a.total, a.result_label, a.passed, c.code, c.version "
                    "FROM assessment a JOIN criteria_set c ON c.id = a.criteria_set_id "
                    "WHERE a.deleted = 0 AND a.model = :m AND a.entity_id = :e"
                ),
                p,
            )
        }
        rec = {
            int(r[0]): r
            for r in conn.execute(
                text(
                    "SELECT r.year, d.number, r.valid_until FROM recognition r "
                    "JOIN recognition_decision d ON d.id = r.decision_id "
                    "WHERE r.deleted = 0 AND r.model = :m AND r.entity_id = :e"
                ),
                p,
            )
        }
    out = []
    for year in sorted(regs | set(ass) | set(rec), reverse=True):
        a, r = ass.get(year), rec.get(year)
        out.append(
            HistoryRow(
                year=year,
                model=model,
                model_title=MODELS[model],
                registered=year in regs,
                total=float(a[1]) if a else None,
                label=str(a[2]) if a else "",
                passed=bool(a[3]) if a else False,
                recognised=r is not None,
                decision_number=str(r[1]) if r else "",
                valid_until=int(r[2]) if r else None,
                criteria=f"{a[4]} v{a[5]}" if a else "",
            )
        )
    return out
