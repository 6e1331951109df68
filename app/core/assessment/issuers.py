"""Who recognises each title: the issuing body per model and that body's signer.

A title is recognised either by the commune People's Committee (UBND xã) or by the
commune's Study Promotion Association (Hội Khuyến học xã) — a setting per model
(``setting`` key ``issuers``). The decision, its annex and the certificates all name
that body, and the name and title under the signature come from that body's signer
in Settings → "Người ký" (role ``committee_chair`` or ``association_chair``).

Defaults follow practice under QĐ 448/QĐ-KHVN and QĐ 244/QĐ-KHVN: the committee
recognises learning families, clans, hamlet communities and units; the association
recognises learning citizens.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core import settings
from app.core import text as vntext
from app.core.db import Database
from app.core.errors import ValidationError

COMMITTEE = "committee"
ASSOCIATION = "association"
ISSUERS: tuple[str, ...] = (COMMITTEE, ASSOCIATION)
ISSUERS_KEY = "issuers"

BODY_LABELS: dict[str, str] = {
    COMMITTEE: "Ủy ban nhân dân xã",
    ASSOCIATION: "Hội Khuyến học xã",
}
SIGNER_ROLES: dict[str, str] = {COMMITTEE: "committee_chair", ASSOCIATION: "association_chair"}

DEFAULT_ISSUERS: dict[str, str] = {
    "learning_family": COMMITTEE,
    "learning_clan": COMMITTEE,
    "learning_community": COMMITTEE,
    "learning_unit": COMMITTEE,
    "learning_citizen": ASSOCIATION,
    "commune_learning_community": COMMITTEE,
}

# The collective body a chairman signs for (NĐ 30/2020: "TM." = on behalf of).
_ON_BEHALF: dict[str, str] = {COMMITTEE: "TM. ỦY BAN NHÂN DÂN", ASSOCIATION: "TM. BAN CHẤP HÀNH"}


def issuer_for(db: Database, model: str) -> str:
    """The body that recognises ``model`` in this commune."""
    chosen = settings.get_value(db, ISSUERS_KEY, {}) or {}
    value = chosen.get(model) if isinstance(chosen, dict) else None
    return str(value) if value in ISSUERS else DEFAULT_ISSUERS.get(model, COMMITTEE)


def all_issuers(db: Database) -> dict[str, str]:
    """Every model's body (defaults filled in)."""
    return {model: issuer_for(db, model) for model in DEFAULT_ISSUERS}


def save_issuer(db: Database, model: str, issuer: str) -> None:
    """Remember which body recognises ``model``."""
    if issuer not in ISSUERS:
        raise ValidationError("Cơ quan công nhận phải là UBND xã hoặc Hội Khuyến học xã.", "issuer")
    if model not in DEFAULT_ISSUERS:
        raise ValidationError(f"Không có mô hình “{model}”.", "model")
    chosen = dict(settings.get_value(db, ISSUERS_KEY, {}) or {})
    chosen[model] = issuer
    settings.put_value(db, ISSUERS_KEY, chosen)


def body_signer(db: Database, issuer: str) -> settings.Signer:
    """The signer Settings names for ``issuer`` (title and name; the name may be empty).

    The association's chairman falls back to the chairman named in the commune's
    details; the committee's chairman has no such fallback — an association chairman
    must never sign for the People's Committee.
    """
    loaded = settings.load(db)
    role = SIGNER_ROLES[issuer]
    defaults = {s.role: s for s in settings.default_signers(None)}
    found = next((s for s in loaded.signers if s.role == role), defaults[role])
    if issuer == ASSOCIATION and not found.name and loaded.commune:
        found = settings.Signer(role, found.title, loaded.commune.chairman_name)
    return found


def signature_lines(issuer: str, title: str) -> list[str]:
    """The lines above the signature: 'TM. ỦY BAN NHÂN DÂN' / 'CHỦ TỊCH' (or a deputy's).

    ``title`` is the signer's title as typed ("Chủ tịch UBND xã", "Phó Chủ tịch Hội").
    A deputy signs "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"; any other title is printed as typed.
    """
    folded = vntext.fold(title)
    head = _ON_BEHALF.get(issuer, _ON_BEHALF[COMMITTEE])
    if folded.startswith("pho chu tich"):
        return [head, "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    if not folded or folded.startswith("chu tich"):
        return [head, "CHỦ TỊCH"]
    return [head, vntext.normalise(title).upper()]


@dataclass(frozen=True)
class IssuingBody:
    """How one body names itself on a document of a given commune."""

    code: str
    line_1: str  # "ỦY BAN NHÂN DÂN" | "UBND XÃ KHOÁI CHÂU"
    line_2: str  # "XÃ KHOÁI CHÂU" | "HỘI KHUYẾN HỌC XÃ KHOÁI CHÂU"
    authority: str  # the line above the grounds: "ỦY BAN NHÂN DÂN XÃ KHOÁI CHÂU"
    mid_sentence: str  # "Ủy ban nhân dân xã Khoái Châu" | "Hội Khuyến học xã Khoái Châu"
    number_suffix: str  # "QĐ-UBND" | "QĐ-HKH"


def issuing_body(issuer: str, commune_name: str, association_name: str) -> IssuingBody:
    """The body's lines for a commune ("Xã Khoái Châu") and its association's name."""
    commune_lower = commune_name[:1].lower() + commune_name[1:]
    if issuer == ASSOCIATION:
        return IssuingBody(
            ASSOCIATION,
            f"UBND {commune_name.upper()}",
            association_name.upper(),
            f"BAN CHẤP HÀNH {association_name.upper()}",
            association_name,
            "QĐ-HKH",
        )
    return IssuingBody(
        COMMITTEE,
        "ỦY BAN NHÂN DÂN",
        commune_name.upper(),
        f"ỦY BAN NHÂN DÂN {commune_name.upper()}",
        f"Ủy ban nhân dân {commune_lower}",
        "QĐ-UBND",
    )
