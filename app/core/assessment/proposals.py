"""The hamlet's proposal (đề nghị công nhận): which assessed entries it sends to the commune.

After assessing, each hamlet branch proposes its passing entries to the commune,
with the proposal's number and the name of who signed it (the hamlet head); the
commune's decision (:func:`app.core.assessment.cycle.recognise`) then recognises
only proposed entries unless told otherwise. A proposal lives on the assessment
row (``proposed_on``, ``proposed_by``, ``proposal_number``) and is cleared when
withdrawn. Every service is one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.core.assessment import MODELS
from app.core.assessment.cycle import PROPOSED_MODELS, _ensure_open, check_year
from app.core.assessment.entities import ENTITY_LABELS, check_model, entities, hamlet_names
from app.core.db import Database
from app.core.errors import NotFoundError, ValidationError
from app.core.models import Assessment, Recognition


def check_proposed_model(model: str) -> None:
    check_model(model)
    if model not in PROPOSED_MODELS:
        raise ValidationError(f"{MODELS[model]} không qua bước thôn đề nghị.", "model")


@dataclass(frozen=True)
class ProposeResult:
    proposed: int
    already: int
    hamlet: str


def propose(
    db: Database,
    year: int,
    model: str,
    hamlet_id: int,
    entity_ids: Iterable[int] | None = None,
    *,
    proposed_by: str = "",
    number: str = "",
    on: dt.date | None = None,
) -> ProposeResult:
    """Propose entries of one hamlet; ``entity_ids=None`` proposes every passed entry.

    Entries must belong to the hamlet and have passed; those proposed before are
    counted (their proposal is kept as it was), not proposed twice.
    """
    check_proposed_model(model)
    check_year(year)
    ids = None if entity_ids is None else list(dict.fromkeys(entity_ids))
    if ids == []:
        raise ValidationError("Chưa chọn ai để đề nghị.")
    with db.session() as s:
        _ensure_open(s, year)
        return _propose(s, year, model, hamlet_id, ids, proposed_by, number, on)


def _propose(
    s: Session,
    year: int,
    model: str,
    hamlet_id: int,
    ids: list[int] | None,
    proposed_by: str,
    number: str,
    on: dt.date | None,
) -> ProposeResult:
    names = hamlet_names(s.connection())
    if hamlet_id not in names:
        raise NotFoundError(f"Không tìm thấy thôn có mã {hamlet_id}.")
    rows = {
        a.entity_id: a
        for a in s.scalars(
            select(Assessment).where(
                Assessment.year == year,
                Assessment.model == model,
                Assessment.hamlet_id == hamlet_id,
                Assessment.deleted.is_(False),
            )
        )
    }
    if ids is None:
        ids = sorted(e for e, a in rows.items() if a.passed)
        if not ids:
            raise ValidationError(
                f"{names[hamlet_id]} chưa có {ENTITY_LABELS[model]} nào đánh giá đạt "
                f"năm {year} để đề nghị."
            )
    else:
        _check_choice(s.connection(), year, model, hamlet_id, names[hamlet_id], ids, rows)
    fresh = [e for e in ids if rows[e].proposed_on is None]
    for e in fresh:
        row = rows[e]
        row.proposed_on = on or dt.date.today()
        row.proposed_by = proposed_by.strip() or None
        row.proposal_number = number.strip() or None
    return ProposeResult(len(fresh), len(ids) - len(fresh), names[hamlet_id])


def _check_choice(
    conn: Connection,
    year: int,
    model: str,
    hamlet_id: int,
    hamlet: str,
    ids: list[int],
    rows: dict[int, Assessment],
) -> None:
    known = entities(conn, model, year)
    label = ENTITY_LABELS[model]
    elsewhere = [e for e in ids if e in known and known[e].hamlet_id != hamlet_id]
    if elsewhere:
        raise ValidationError(
            f"{len(elsewhere)} {label} không thuộc {hamlet} "
            f"(mã {', '.join(map(str, elsewhere[:5]))}); thôn chỉ đề nghị người của thôn mình."
        )
    unassessed = [e for e in ids if e not in rows]
    if unassessed:
        raise ValidationError(
            f"{len(unassessed)} {label} chưa được đánh giá năm {year} "
            f"(mã {', '.join(map(str, unassessed[:5]))})."
        )
    failed = [e for e in ids if not rows[e].passed]
    if failed:
        raise ValidationError(
            f"{len(failed)} {label} đánh giá chưa đạt (mã {', '.join(map(str, failed[:5]))}); "
            "chỉ đề nghị công nhận những trường hợp đạt."
        )


def withdraw(db: Database, year: int, model: str, entity_ids: Iterable[int]) -> int:
    """Take entries back off the hamlet's proposal; returns how many were withdrawn.

    An entry already recognised cannot be withdrawn (the decision stands).
    """
    check_proposed_model(model)
    ids = list(dict.fromkeys(entity_ids))
    if not ids:
        raise ValidationError("Chưa chọn ai để rút đề nghị.")
    with db.session() as s:
        _ensure_open(s, year)
        return _withdraw(s, year, model, ids)


def _withdraw(s: Session, year: int, model: str, ids: list[int]) -> int:
    recognised = set(
        s.scalars(
            select(Recognition.entity_id).where(
                Recognition.year == year,
                Recognition.model == model,
                Recognition.entity_id.in_(ids),
                Recognition.deleted.is_(False),
            )
        )
    )
    if recognised:
        raise ValidationError(
            f"{len(recognised)} {ENTITY_LABELS[model]} đã có quyết định công nhận; "
            "không rút đề nghị được."
        )
    rows = s.scalars(
        select(Assessment).where(
            Assessment.year == year,
            Assessment.model == model,
            Assessment.entity_id.in_(ids),
            Assessment.proposed_on.is_not(None),
            Assessment.deleted.is_(False),
        )
    ).all()
    for row in rows:
        row.proposed_on = row.proposed_by = row.proposal_number = None
    return len(rows)


@dataclass(frozen=True)
class ProposalChange:
    proposed: int
    withdrawn: int


def save_hamlet_proposal(
    db: Database,
    year: int,
    model: str,
    hamlet_id: int,
    entity_ids: Iterable[int],
    *,
    proposed_by: str = "",
    number: str = "",
    on: dt.date | None = None,
) -> ProposalChange:
    """Make the hamlet's proposal exactly ``entity_ids`` in one save (the proposal screen).

    Newly ticked entries are proposed with the given number, signer and date; entries
    no longer ticked are withdrawn; those kept keep their original proposal.
    """
    check_proposed_model(model)
    wanted = set(entity_ids)
    with db.session() as s:
        _ensure_open(s, year)
        current = set(
            s.scalars(
                select(Assessment.entity_id).where(
                    Assessment.year == year,
                    Assessment.model == model,
                    Assessment.hamlet_id == hamlet_id,
                    Assessment.proposed_on.is_not(None),
                    Assessment.deleted.is_(False),
                )
            )
        )
        gone = sorted(current - wanted)
        withdrawn = _withdraw(s, year, model, gone) if gone else 0
        added = sorted(wanted - current)
        res = _propose(s, year, model, hamlet_id, added, proposed_by, number, on) if added else None
        return ProposalChange(res.proposed if res else 0, withdrawn)


@dataclass(frozen=True)
class ProposalRow:
    entity_id: int
    name: str
    hamlet_id: int | None
    hamlet: str
    total: float
    label: str
    proposed_on: dt.date
    proposed_by: str
    number: str
    recognised: bool


def proposals(
    db: Database, year: int, model: str, hamlet_id: int | None = None
) -> list[ProposalRow]:
    """Proposed entries of the year, by hamlet then name (one hamlet when given)."""
    check_proposed_model(model)
    from app.core.text import sort_key, sort_key_plain

    with db.session() as s:
        q = select(Assessment).where(
            Assessment.year == year,
            Assessment.model == model,
            Assessment.proposed_on.is_not(None),
            Assessment.deleted.is_(False),
        )
        if hamlet_id is not None:
            q = q.where(Assessment.hamlet_id == hamlet_id)
        rows = s.scalars(q).all()
        conn = s.connection()
        known = entities(conn, model, year)
        names = hamlet_names(conn)
        recognised = set(
            s.scalars(
                select(Recognition.entity_id).where(
                    Recognition.year == year,
                    Recognition.model == model,
                    Recognition.deleted.is_(False),
                )
            )
        )
        out = [
            ProposalRow(
                entity_id=a.entity_id,
                name=known[a.entity_id].name if a.entity_id in known else f"#{a.entity_id}",
                hamlet_id=a.hamlet_id,
                hamlet=names.get(a.hamlet_id or -1, ""),
                total=a.total,
                label=a.result_label,
                proposed_on=a.proposed_on,
                proposed_by=a.proposed_by or "",
                number=a.proposal_number or "",
                recognised=a.entity_id in recognised,
            )
            for a in rows
            if a.proposed_on is not None
        ]
    return sorted(out, key=lambda r: (sort_key_plain(r.hamlet), sort_key(r.name)))
