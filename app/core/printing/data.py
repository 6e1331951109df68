"""What the printed documents say, read from the database in a few Core queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import text

from app.core import settings as app_settings
from app.core import text as vntext
from app.core.assessment import MODELS, issuers
from app.core.assessment.entities import ENTITY_LABELS, check_model, entities, hamlet_names
from app.core.db import Database
from app.core.errors import NotFoundError, ValidationError
from app.core.printing.certificates import CertificateData
from app.core.printing.common import date_parts, place_of
from app.core.printing.options import PrintOptions
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
    issuer: str = ""  # the body that issued it ("" = made before it was kept)

    @property
    def body(self) -> str:
        """committee | association: the decision's own, else its model's default."""
        return self.issuer if self.issuer in issuers.ISSUERS else ""

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
    upper_association: str = ""  # "Hội Khuyến học tỉnh Hưng Yên": who the commune reports to

    def body(self, issuer: str) -> issuers.IssuingBody:
        return issuers.issuing_body(issuer, self.commune_name, self.association_name)

    def issuer_lines(self, issuer: str) -> tuple[str, str]:
        body = self.body(issuer)
        return (body.line_1, body.line_2)


def heading(db: Database) -> Heading:
    loaded = app_settings.load(db)
    info = loaded.commune
    if info is None:
        raise ValidationError("Chưa khai báo xã trong Cài đặt.")
    assoc = info.association_name or f"Hội Khuyến học {_lower_first(info.name)}"
    return Heading(
        commune_code=info.code,
        commune_name=info.name,
        province_name=info.province_name,
        association_name=assoc,
        place=place_of(info.name),
        committee_signer=issuers.body_signer(db, issuers.COMMITTEE),
        association_signer=issuers.body_signer(db, issuers.ASSOCIATION),
        upper_association=upper_association(db, info.province_name),
    )


def upper_association(db: Database, province_name: str) -> str:
    """The association the commune reports to: the one whose configuration package it
    loaded (a district's where a province still has them), else its province's.

    Since 1 July 2025 a commune reports directly to its province; a district only
    appears when the commune's own upper level is one.
    """
    from app.core.sync import state

    config = state.province_config(db)
    if config is not None and config.province_name.strip():
        return config.province_name.strip()
    if not province_name:
        return "Hội Khuyến học tỉnh"
    lowered = province_name[:1].lower() + province_name[1:]
    prefixed = lowered if lowered.startswith(("tỉnh", "thành phố")) else f"tỉnh {province_name}"
    return f"Hội Khuyến học {prefixed}"


def decision_issuer(db: Database, decision: DecisionInfo) -> str:
    """The body that issued ``decision``: kept on it, else (older decisions) its model's."""
    return decision.body or issuers.issuer_for(db, decision.model)


def decision_signer(db: Database, decision: DecisionInfo, issuer: str) -> app_settings.Signer:
    """Who signs: the decision's own signer, else the issuing body's signer in Settings."""
    body = issuers.body_signer(db, issuer)
    return app_settings.Signer(
        body.role, decision.signer_title or body.title, decision.signer_name or body.name
    )


def decisions(
    db: Database, year: int | None = None, model: str | None = None
) -> list[DecisionInfo]:
    """Recognition decisions, newest first, with how many each recognised."""
    sql = (
        "SELECT d.id, d.year, d.model, d.number, d.decision_date, d.signer_title, d.signer_name,"
        " (SELECT COUNT(*) FROM recognition r WHERE r.decision_id = d.id AND r.deleted = 0),"
        " d.issuer FROM recognition_decision d WHERE d.deleted = 0"
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
            str(r[8] or ""),
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
    del options  # the issuing body is the model's (Settings → Người ký), not a print option
    issuer = decision_issuer(db, decision)
    body = head.body(issuer)
    signer = decision_signer(db, decision, issuer)
    behalf, *position = issuers.signature_lines(issuer, signer.title)
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
            decision_issuer=body.mid_sentence,
            place=head.place,
            day=parts["day"],
            month=parts["month"],
            year_signed=parts["year_signed"],
            signer_title="\n".join(position),
            signer_name=signer.name,
            issuer_1=body.line_1,
            issuer_2=body.line_2,
            signer_behalf=behalf,
            decision_number_shown=full_number(decision.number, body.number_suffix),
        )
        for r in rows
    ]


def full_number(number: str, suffix: str) -> str:
    """'15' → '15/QĐ-UBND'; a number typed in full is kept."""
    clean = number.strip()
    return clean if "/" in clean or not clean else f"{clean}/{suffix}"


def _lower_first(name: str) -> str:
    """'Xã Khoái Châu' → 'xã Khoái Châu' (mid-sentence)."""
    return name[:1].lower() + name[1:]
