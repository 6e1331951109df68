"""Criteria sets in the database: shipped ones, imported files, edited copies, the active set.

A set row is immutable once an assessment used it (``locked``); a province's new
file or an edit in the app always becomes a *new* row (a new version), so
assessments already made keep pointing at the exact version they were scored with.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core import settings
from app.core.assessment import MODELS
from app.core.assessment.criteria import (
    CriteriaSetDoc,
    builtin_keys,
    builtin_sets,
    content_hash,
    parse_criteria_set,
    read_criteria_file,
)
from app.core.db import Database
from app.core.errors import NotFoundError, StorageError, ValidationError
from app.core.models import CriteriaSet

log = logging.getLogger(__name__)

ACTIVE_KEY = "criteria_active"  # setting: {model: set code}

_DOC_CACHE: dict[tuple[int, str], CriteriaSetDoc] = {}


@dataclass(frozen=True)
class CriteriaSetInfo:
    id: int
    code: str
    version: int
    model: str
    model_title: str
    title: str
    source: str
    valid_from: int
    valid_to: int | None
    recognition_years: int
    status: str
    needs_checking: bool
    locked: bool
    origin: str
    superseded_by: str = ""  # code of the set that replaced it (TT 22/2020 → TT 24/2023)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _doc_of(row: CriteriaSet) -> CriteriaSetDoc:
    key = (row.id, row.content_hash)
    doc = _DOC_CACHE.get(key)
    if doc is None:
        doc = parse_criteria_set(json.loads(row.content), strict=False)
        _DOC_CACHE[key] = doc
    return doc


def _info(row: CriteriaSet) -> CriteriaSetInfo:
    doc = _doc_of(row)
    return CriteriaSetInfo(
        id=row.id,
        code=row.code,
        version=row.version,
        model=row.model,
        model_title=MODELS.get(row.model, row.model),
        title=row.title,
        source=f"{doc.source.number} ({doc.source.issuer}, {doc.source.date})",
        valid_from=doc.valid_from,
        valid_to=doc.valid_to,
        recognition_years=doc.recognition_years,
        status=doc.status,
        needs_checking=doc.needs_checking,
        locked=row.locked,
        origin=row.origin,
        superseded_by=str(doc.raw.get("superseded_by") or ""),
    )


def _add(session: Session, doc: CriteriaSetDoc, origin: str) -> CriteriaSet:
    row = CriteriaSet(
        code=doc.code,
        version=doc.version,
        model=doc.model,
        title=doc.title,
        content=json.dumps(doc.raw, ensure_ascii=False),
        content_hash=content_hash(doc.raw),
        origin=origin,
    )
    session.add(row)
    session.flush()
    return row


def _missing_builtins(session: Session) -> set[tuple[str, int]]:
    """Shipped (code, version) pairs the database lacks: one query, nothing written."""
    wanted = builtin_keys()
    codes = {code for code, _version in wanted}
    have = session.execute(
        select(CriteriaSet.code, CriteriaSet.version).where(CriteriaSet.code.in_(codes))
    )
    return set(wanted) - {(c, v) for c, v in have}


def ensure_builtin_sets(db: Database) -> int:
    """Add shipped sets this database does not hold yet (never touches existing rows).

    Returns how many were added. When none is missing this is a single query and
    writes nothing, so calling it before a write is cheap.
    """
    with db.session() as s:
        missing = _missing_builtins(s)
        if not missing:
            return 0
        for doc in builtin_sets():
            if (doc.code, doc.version) in missing:
                _add(s, doc, "builtin")
        return len(missing)


def install_builtin_sets(db: Database) -> int:
    """Install the shipped sets when a commune's data folder is opened or created.

    Reading (``list_sets``, the criteria screens) never writes, so the shipped sets
    are put in place here, once, after the migrations. An upper-level (province)
    folder or a database with no commune yet gets none: rows stamped there would
    carry no commune. A read-only folder is left as it is; its listing shows what
    it holds.
    """
    from app.core.sync import state

    with db.session() as s:
        if not _missing_builtins(s):
            return 0
    if not db.commune_code or state.is_upper(db):
        return 0
    try:
        return ensure_builtin_sets(db)
    except StorageError as err:
        log.warning("Shipped criteria sets not installed: %s", err.message)
        return 0


def list_sets(db: Database, model: str | None = None) -> list[CriteriaSetInfo]:
    """The sets this database holds (read only: the shipped ones are installed on open)."""
    with db.session() as s:
        q = select(CriteriaSet).where(CriteriaSet.deleted.is_(False))
        if model:
            q = q.where(CriteriaSet.model == model)
        rows = s.scalars(q.order_by(CriteriaSet.model, CriteriaSet.code, CriteriaSet.version))
        return [_info(r) for r in rows]


def get_set(db: Database, set_id: int) -> tuple[CriteriaSetInfo, CriteriaSetDoc]:
    with db.session() as s:
        row = s.get(CriteriaSet, set_id)
        if row is None or row.deleted:
            raise NotFoundError("Không tìm thấy bộ tiêu chí.")
        return _info(row), _doc_of(row)


def load_doc(session: Session, set_id: int) -> CriteriaSetDoc:
    row = session.get(CriteriaSet, set_id)
    if row is None:
        raise NotFoundError("Không tìm thấy bộ tiêu chí.")
    return _doc_of(row)


def import_set(db: Database, path: Path) -> CriteriaSetInfo:
    """Load a province's file as a new set version; the same file twice is a no-op."""
    doc = read_criteria_file(path)
    return _store_new(db, doc, "file")


def _store_new(db: Database, doc: CriteriaSetDoc, origin: str) -> CriteriaSetInfo:
    ensure_builtin_sets(db)
    with db.session() as s:
        same = s.scalars(
            select(CriteriaSet).where(
                CriteriaSet.code == doc.code, CriteriaSet.version == doc.version
            )
        ).first()
        if same is not None:
            if same.content_hash == content_hash(doc.raw):
                return _info(same)
            raise ValidationError(
                f"Đã có bộ tiêu chí “{doc.code}” phiên bản {doc.version} với nội dung khác. "
                "Hãy tăng số phiên bản trong tệp rồi nạp lại."
            )
        return _info(_add(s, doc, origin))


def save_edited_copy(db: Database, base_id: int, raw: dict[str, Any]) -> CriteriaSetInfo:
    """Save an edited set as the next version of its code; the base row stays as it was."""
    with db.session() as s:
        base = s.get(CriteriaSet, base_id)
        if base is None:
            raise NotFoundError("Không tìm thấy bộ tiêu chí.")
        latest = s.scalar(
            select(func.max(CriteriaSet.version)).where(CriteriaSet.code == base.code)
        )
        code = base.code
    raw = {**raw, "code": code, "version": int(latest or 0) + 1}
    return _store_new(db, parse_criteria_set(raw), "edited")


def choose_active(db: Database, model: str, code: str) -> None:
    """The commune picks which set (by code; newest version) it assesses a model with."""
    if not any(i.code == code and i.model == model for i in list_sets(db, model)):
        raise ValidationError(f"Không có bộ tiêu chí “{code}” cho mô hình này.")
    with db.session() as s:
        settings.write(s, ACTIVE_KEY, {**settings.read(s, ACTIVE_KEY, {}), model: code})


def active_set_id(session: Session, model: str, year: int) -> int:
    """The set a new assessment of ``model`` in ``year`` uses (caller ensured built-ins)."""
    chosen = settings.read(session, ACTIVE_KEY, {}).get(model)
    rows = session.scalars(
        select(CriteriaSet).where(CriteriaSet.model == model, CriteriaSet.deleted.is_(False))
    ).all()
    # Only the newest version of each code counts: an older version's flags (a shipped
    # set that was the default before a new one took over) no longer apply.
    newest: dict[str, CriteriaSet] = {}
    for r in rows:
        if r.code not in newest or (r.version, r.id) > (newest[r.code].version, newest[r.code].id):
            newest[r.code] = r
    docs = [(r, _doc_of(r)) for r in newest.values()]
    valid = [(r, d) for r, d in docs if d.valid_in(year)]
    defaults = [(r, d) for r, d in valid if d.raw.get("default_for_commune", True)]
    picked = [(r, d) for r, d in valid if r.code == chosen] if chosen else []
    picked = picked or defaults or valid
    if not picked:
        raise ValidationError(
            f"Chưa có bộ tiêu chí “{MODELS.get(model, model)}” hiệu lực cho năm {year}."
        )
    best = max(picked, key=lambda rd: (rd[1].valid_from, rd[0].version, rd[0].id))
    return best[0].id
