"""Past years of the cycle for the demo commune, so the dashboard has something to show.

Deterministic per seed: the same seed registers, scores and recognises the same
entities. Written with Core in one transaction (the 10k demo stays fast); every
score comes from the real engine and the shipped criteria sets.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from app.core.assessment import CYCLE_MODELS, issuers
from app.core.assessment.computations import compute
from app.core.assessment.criteria import CriteriaSetDoc, Item, builtin_sets, content_hash
from app.core.assessment.cycle import PROPOSED_MODELS
from app.core.assessment.entities import entities
from app.core.assessment.scoring import Value, score
from app.core.bulk import insert_syncable
from app.core.db import Database
from app.core.models import (
    Assessment,
    CriteriaSet,
    Recognition,
    RecognitionDecision,
    Registration,
)
from app.core.settings import Signer

DEMO_YEARS = (2023, 2024, 2025)
# Share of entities registering in the first demo year, growing a little each year.
REGISTER_SHARE = {
    "learning_family": 0.70,
    "learning_clan": 0.55,
    "learning_community": 0.60,
    "learning_unit": 0.60,
    "learning_citizen": 0.06,
}
GROWTH = 0.04
DEFAULT_SETS = {
    "learning_family": "gdht-448",
    "learning_clan": "dhht-448",
    "learning_community": "cdht-thon-448",
    "learning_unit": "dvht-448-xa",
    "learning_citizen": "cdht-244",
}


class _Writer:
    def __init__(self, conn: Connection, rng: random.Random, commune: str) -> None:
        self.conn, self.rng, self.commune = conn, rng, commune

    def rows(self, table: Any, rows: list[dict[str, Any]]) -> list[int]:
        """Insert rows with ids given here, straight through the driver; returns the ids.

        (SQLAlchemy's per-row parameter processing doubled the demo's time.)
        """
        if not rows:
            return []
        name = table.__tablename__
        first_id = (
            int(self.conn.exec_driver_sql(f"SELECT COALESCE(MAX(id), 0) FROM {name}").scalar_one())
            + 1
        )
        for offset, row in enumerate(rows):
            row["id"] = first_id + offset
        insert_syncable(self.conn, name, rows, self.rng, self.commune)
        return list(range(first_id, first_id + len(rows)))


def _value(item: Item, rng: random.Random) -> Value:
    if item.kind == "yesno":
        return rng.random() < 0.88
    steps = round(item.max / item.step)
    drop = min(steps, int(rng.expovariate(1.2) * (2 if steps > 4 else 1)))
    return round((steps - drop) * item.step, 4)


def _proposal(model: str, hamlet_id: int | None, year: int, passed: bool) -> dict[str, Any]:
    """The hamlet's proposal fields of a demo assessment (empty when none is due)."""
    if not passed or model not in PROPOSED_MODELS:
        return {"proposed_on": None, "proposed_by": None, "proposal_number": None}
    return {
        "proposed_on": dt.date(year, 11, 30),
        "proposed_by": "Trưởng thôn",
        "proposal_number": f"{hamlet_id or 0:02d}/ĐN-{year}",
    }


def _sets(w: _Writer) -> dict[str, tuple[int, CriteriaSetDoc]]:
    """The shipped sets as rows (added here when missing), by model."""
    have = {
        (c, v): i
        for i, c, v in w.conn.execute(select(CriteriaSet.id, CriteriaSet.code, CriteriaSet.version))
    }
    docs = builtin_sets()
    missing = [d for d in docs if (d.code, d.version) not in have]
    ids = w.rows(
        CriteriaSet,
        [
            {
                "code": d.code,
                "version": d.version,
                "model": d.model,
                "title": d.title,
                "content": json.dumps(d.raw, ensure_ascii=False),
                "content_hash": content_hash(d.raw),
                "origin": "builtin",
                "locked": True,
            }
            for d in missing
        ],
    )
    have.update({(d.code, d.version): i for d, i in zip(missing, ids, strict=True)})
    by_code = {d.code: d for d in docs}
    # Shipped sets installed when the commune was created are used from here on: lock them.
    used = [have[(code, by_code[code].version)] for code in DEFAULT_SETS.values()]
    w.conn.execute(update(CriteriaSet).where(CriteriaSet.id.in_(used)).values(locked=True))
    # Families first: clans and hamlets are scored on that year's learning families.
    order = (
        "learning_family",
        "learning_unit",
        "learning_citizen",
        "learning_clan",
        "learning_community",
    )
    return {
        m: (
            have[(by_code[DEFAULT_SETS[m]].code, by_code[DEFAULT_SETS[m]].version)],
            by_code[DEFAULT_SETS[m]],
        )
        for m in order
    }


_SUFFIX = {issuers.COMMITTEE: "QĐ-UBND", issuers.ASSOCIATION: "QĐ-HKH"}


def fill_demo_cycles(db: Database, seed: int, years: tuple[int, ...] = DEMO_YEARS) -> int:
    """Register, assess and recognise every model for ``years``; returns rows written."""
    rng = random.Random(seed * 7919 + 1)
    # Each title is signed by its issuing body's signer (Settings → Người ký).
    signers = {}
    for model in CYCLE_MODELS:
        body = issuers.issuer_for(db, model)
        signers[model] = (body, issuers.body_signer(db, body))
    written = 0
    with db.connect() as conn:
        w = _Writer(conn, rng, db.commune_code)
        sets = _sets(w)
        for k, year in enumerate(years):
            for model, (set_id, doc) in sets.items():
                share = REGISTER_SHARE[model] + GROWTH * k
                written += _year(w, year, model, set_id, doc, share, signers[model])
    return written


def _year(
    w: _Writer,
    year: int,
    model: str,
    set_id: int,
    doc: CriteriaSetDoc,
    share: float,
    signer: tuple[str, Signer],
) -> int:
    rng = w.rng
    known = entities(w.conn, model, year)
    chosen = [e for e in known.values() if rng.random() < share]
    if not chosen:
        return 0
    registered_on = dt.date(year, 2, 15)
    w.rows(
        Registration,
        [
            {
                "year": year,
                "model": model,
                "entity_id": e.id,
                "hamlet_id": e.hamlet_id,
                "registered_on": registered_on,
                "note": None,
            }
            for e in chosen
        ],
    )
    ratios = compute(w.conn, year, [i.computation for i in doc.items if i.computation])
    typed = [i for i in doc.items if i.kind != "computed"]
    variants = [c for c, _ in doc.variants]
    assessed = [e for e in chosen if rng.random() < 0.93]
    rows, results = [], []
    for e in assessed:
        values = {i.code: _value(i, rng) for i in typed}
        result = score(doc, values, ratios.get(e.id, {}))
        results.append(result)
        rows.append(
            {
                "year": year,
                "model": model,
                "entity_id": e.id,
                "hamlet_id": e.hamlet_id,
                "criteria_set_id": set_id,
                "variant": rng.choice(variants) if variants else None,
                "item_values": json.dumps(values, ensure_ascii=False),
                "evidence": "{}",
                "total": result.total,
                "passed": result.passed,
                "result_label": result.label,
                "level": result.level,
                "assessed_on": dt.date(year, 11, 20),
                "assessor": "Chi hội khuyến học",
                "note": None,
                # The hamlet proposes its passing entries before the commune decides.
                **_proposal(model, e.hamlet_id, year, result.passed),
            }
        )
    ids = w.rows(Assessment, rows)
    passed = [(e, a, r) for e, a, r in zip(assessed, ids, results, strict=True) if r.passed]
    if not passed:
        return len(chosen) + len(rows)
    (decision_id,) = w.rows(
        RecognitionDecision,
        [
            {
                "year": year,
                "model": model,
                "number": f"{rng.randint(20, 180)}/{_SUFFIX[signer[0]]}",
                "decision_date": dt.date(year, 12, 15),
                "signer_title": signer[1].title,
                "signer_name": signer[1].name,
                "issuer": signer[0],
                "note": None,
            }
        ],
    )
    until = year + doc.recognition_years - 1
    w.rows(
        Recognition,
        [
            {
                "decision_id": decision_id,
                "assessment_id": a,
                "year": year,
                "model": model,
                "entity_id": e.id,
                "hamlet_id": e.hamlet_id,
                "result_label": r.label,
                "level": r.level,
                "valid_until": until,
            }
            for e, a, r in passed
        ],
    )
    return len(chosen) + len(rows) + 1 + len(passed)
