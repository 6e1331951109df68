"""What the printed documents say, read from the database in a few Core queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import text

from app.core import settings as app_settings
from app.core import text as vntext
from app.core.assessment import MODELS
from app.core.assessment.entities import ENTITY_LABELS, check_model, entities, hamlet_names
from app.core.db import Database
from app.core.errors import NotFoundError, ValidationError
from app.core.printing.certificates import CertificateData
from app.core.printing.common import date_parts, place_of
from app.core.printing.options import PrintOptions, load_options
from app.core.printing.seal import CertificateRecord


@dataclass(frozen=True)
class DecisionInfo:
    id: int
    year: int
    model: str
    number: str
    decision_date: dt.date
    signer_title: str
    signer_name: str
    count: int

    def label(self) -> str:
        return (
            f"Số {self.number} ngày {self.decision_date:%d/%m/%Y} — {MODELS[self.model]} "
            f"năm {self.year} ({self.count})"
        )


@dataclass(frozen=True)
class RecognisedRow:
    entity_id: int
    name: str
    hamlet: str
    address: str  # full, for a certificate
    result_label: str
    short_address: str = ""  # within the commune, for lists and annexes


@dataclass(frozen=True)
class Heading:
    """The commune facts every document's header needs."""

    commune_code: str
    commune_name: str  # "Xã Khoái Châu"
    province_name: str
    association_name: str
    place: str  # "Khoái Châu"
    committee_signer: app_settings.Signer
    association_signer: app_settings.Signer

    def issuer_lines(self, issuer: str) -> tuple[str, str]:
        if issuer == "association":
            return (f"UBND {self.commune_name.upper()}", self.association_name.upper())
        return ("ỦY BAN NHÂN DÂN", self.commune_name.upper())


def heading(db: Database) -> Heading:
    loaded = app_settings.load(db)
    info = loaded.commune
    if info is None:
        raise ValidationError("Chưa khai báo xã trong Cài đặt.")
    signers = {s.role: s for s in loaded.signers}
    defaults = app_settings.default_signers(None)
    assoc = info.association_name or f"Hội Khuyến học {info.name.lower()}"
    return Heading(
        commune_code=info.code,
        commune_name=info.name,
        province_name=info.province_name,
        association_name=assoc,
        place=place_of(info.name),
        committee_signer=signers.get("committee_chair", defaults[1]),
        association_signer=signers.get("association_chair", defaults[0]),
    )


def decisions(
    db: Database, year: int | None = None, model: str | None = None
) -> list[DecisionInfo]:
    """Recognition decisions, newest first, with how many each recognised."""
    sql = (
        "SELECT d.id, d.year, d.model, d.number, d.decision_date, d.signer_title, d.signer_name,"
        " (SELECT COUNT(*) FROM recognition r WHERE r.decision_id = d.id AND r.deleted = 0)"
        " FROM recognition_decision d WHERE d.deleted = 0"
    )
    params: dict[str, object] = {}
    if year is not None:
        sql += " AND d.year = :year"
        params["year"] = year
    if model is not None:
        sql += " AND d.model = :model"
        params["model"] = model
    sql += " ORDER BY d.year DESC, d.decision_date DESC, d.id DESC"
    with db.connect() as conn:
        rows = conn.execute(text(sql), params).all()
    return [
        DecisionInfo(
            int(r[0]),
            int(r[1]),
            str(r[2]),
            str(r[3]),
            _as_date(r[4]),
            str(r[5] or ""),
            str(r[6] or ""),
            int(r[7]),
        )
        for r in rows
    ]


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def find_decision(db: Database, year: int, model: str, number: str | None) -> DecisionInfo:
    check_model(model)
    found = decisions(db, year, model)
    if number:
        wanted = vntext.fold(number).replace(" ", "")
        found = [
            d
            for d in found
            if vntext.fold(d.number).replace(" ", "") in (wanted,)
            or vntext.fold(d.number).split("/")[0] == wanted
        ]
    if not found:
        what = f"số {number} " if number else ""
        raise NotFoundError(f"Không có quyết định công nhận {what}cho {MODELS[model]} năm {year}.")
    return found[0]


def _addresses(db: Database, model: str) -> dict[int, str]:
    sql = {
        "learning_family": "SELECT id, address FROM household",
        "learning_unit": "SELECT id, address FROM unit",
        "learning_citizen": (
            "SELECT p.id, h.address FROM person p JOIN household h ON h.id = p.household_id"
        ),
    }.get(model)
    if sql is None:
        return {}
    with db.connect() as conn:
        return {int(i): str(a or "") for i, a in conn.execute(text(sql))}


def full_address(base: str, hamlet: str, head: Heading) -> str:
    """'Xóm 3, Thôn Tiên Vũ, xã Khoái Châu, tỉnh Hưng Yên' without repeating a part."""
    parts = [p for p in (base.strip(), hamlet.strip()) if p]
    folded = vntext.fold(", ".join(parts))
    if parts and vntext.fold(hamlet) and folded.count(vntext.fold(hamlet)) > 1:
        parts = parts[:1]
    if vntext.fold(head.place) not in vntext.fold(", ".join(parts)):
        parts.append(_lower_first(head.commune_name))
    if head.province_name and vntext.fold(head.province_name) not in vntext.fold(", ".join(parts)):
        province = head.province_name
        parts.append(
            province if province.lower().startswith(("tỉnh", "thành phố")) else f"tỉnh {province}"
        )
    return ", ".join(parts)


def short_address(base: str, hamlet: str) -> str:
    """'Xóm 3, Thôn Tiên Vũ' (the commune and province are the document's own)."""
    base = base.strip()
    if hamlet and vntext.fold(hamlet) in vntext.fold(base):
        return base.split(", xã ")[0]
    return ", ".join(p for p in (base.split(", xã ")[0], hamlet) if p)


def recognised_rows(db: Database, decision: DecisionInfo) -> list[RecognisedRow]:
    """Everyone a decision recognised, in Vietnamese name order within hamlet order."""
    head = heading(db)
    with db.connect() as conn:
        people = entities(conn, decision.model, decision.year)
        hamlets = hamlet_names(conn)
        rows = conn.execute(
            text(
                "SELECT entity_id, hamlet_id, result_label FROM recognition "
                "WHERE decision_id = :d AND deleted = 0"
            ),
            {"d": decision.id},
        ).all()
    addresses = _addresses(db, decision.model)
    out = []
    for entity_id, hamlet_id, label in rows:
        entity = people.get(int(entity_id))
        name = entity.name if entity else f"({ENTITY_LABELS[decision.model]} mã {entity_id})"
        hamlet = hamlets.get(int(hamlet_id), "") if hamlet_id is not None else ""
        community = decision.model == "learning_community"
        base = "" if community else addresses.get(int(entity_id), "")
        out.append(
            RecognisedRow(
                int(entity_id),
                name,
                hamlet,
                full_address(base, hamlet, head),
                str(label or ""),
                short_address(base, hamlet),
            )
        )
    out.sort(key=lambda r: (vntext.sort_key_plain(r.hamlet), vntext.sort_key(r.name)))
    return out


def certificate_items(
    db: Database,
    decision: DecisionInfo,
    options: PrintOptions | None = None,
    entity_ids: list[int] | None = None,
) -> list[CertificateData]:
    """One :class:`CertificateData` per recognised entity of ``decision`` (or only ``entity_ids``)."""
    head = heading(db)
    opts = options or load_options(db)
    issuer_1, issuer_2 = head.issuer_lines(opts.issuer)
    if opts.issuer == "association":
        signer = head.association_signer
        decision_issuer = f"Ủy ban nhân dân {_lower_first(head.commune_name)}"
    else:
        signer = app_settings.Signer(
            "committee_chair",
            decision.signer_title or head.committee_signer.title,
            decision.signer_name or head.committee_signer.name,
        )
        decision_issuer = f"Ủy ban nhân dân {_lower_first(head.commune_name)}"
    parts = date_parts(decision.decision_date)
    rows = recognised_rows(db, decision)
    if entity_ids is not None:
        wanted = set(entity_ids)
        rows = [r for r in rows if r.entity_id in wanted]
    return [
        CertificateData(
            record=CertificateRecord(
                head.commune_code,
                decision.model,
                decision.year,
                r.entity_id,
                r.name,
                decision.number,
            ),
            address=r.address,
            decision_date=f"{decision.decision_date:%d/%m/%Y}",
            decision_issuer=decision_issuer,
            place=head.place,
            day=parts["day"],
            month=parts["month"],
            year_signed=parts["year_signed"],
            signer_title=signer.title.upper(),
            signer_name=signer.name,
            issuer_1=issuer_1,
            issuer_2=issuer_2,
        )
        for r in rows
    ]


def _lower_first(name: str) -> str:
    """'Xã Khoái Châu' → 'xã Khoái Châu' (mid-sentence)."""
    return name[:1].lower() + name[1:]
