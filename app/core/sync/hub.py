"""The province hub's decisions, without HTTP: receiving a bundle, who may read what,
what the hub holds per commune, and the status page's rows.

The web layer (:mod:`app.hub`) only moves bytes and maps these answers to status
codes; everything here runs (and is tested) without a web framework. Receiving a
bundle is the very same import as a USB stick at the desktop (:func:`importer.import_bytes`):
there is no second implementation of verification or merging.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.core.db import Database
from app.core.errors import NotFoundError, UserError
from app.core.models.sync import SyncLedger, SyncPinnedKey
from app.core.sync import bundle, importer, keys, upper

# How many days without a bundle before a commune is shown as overdue on the page.
STALE_AFTER_DAYS = 30
# Statuses for which the hub sends the signed receipt back.
RECEIPTED = ("applied", "replay")


class AccessDenied(UserError):
    """The signing key may not see this (HTTP 403)."""

    code = "denied"


class UnknownKey(AccessDenied):
    """The key is not accepted by the province (HTTP 403, ``code`` "unknown_key"): it may
    only register (``POST /api/v1/registrations``), never store a bundle here."""

    code = "unknown_key"


class QuotaExceeded(UserError):
    """This key sends too much, too often, or holds too many bundles (HTTP 429)."""

    def __init__(self, message: str, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SignerMismatch(AccessDenied):
    """The request was signed by another key than the bundle it carries."""


class ReceiptNotReady(NotFoundError):
    """The bundle is not applied here (yet): no receipt (HTTP 404)."""


@dataclass(frozen=True)
class Received:
    """The hub's answer to one uploaded bundle (the JSON body of ``POST /bundles``)."""

    bundle_id: str
    status: str  # applied | replay | quarantined | gap | fork | rejected
    reason: str
    commune_code: str
    seq: int
    receipt: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "bundle_id": self.bundle_id,
            "status": self.status,
            "reason": self.reason,
            "commune_code": self.commune_code,
            "seq": self.seq,
            "receipt": self.receipt,
        }


# Bundles one key may have held here (waiting for a missing one, or forked): a
# commune with a real gap sends a few; more is a fault or an attack, refused unstored.
MAX_HELD_PER_KEY = 20


@dataclass(frozen=True)
class Sender:
    """An accepted, not retired key that signed a request."""

    key_id: str
    public_key: str
    commune_code: str


def accepted_sender(db: Database, public: str) -> Sender:
    """The pinned key that signed a request; :class:`UnknownKey` / :class:`AccessDenied`.

    Checked before an upload's body is read: a stranger's bytes are never stored.
    """
    with db.connect() as conn:
        row = conn.execute(
            select(
                SyncPinnedKey.public_key, SyncPinnedKey.commune_code, SyncPinnedKey.retired
            ).where(SyncPinnedKey.key_id == keys.key_id_of(public))
        ).first()
    if row is None or str(row[0]) != public:
        raise UnknownKey(
            f"Khóa {keys.fingerprint_of(public)} của máy này chưa được tỉnh chấp nhận: máy "
            "chủ không giữ gói của khóa lạ. Phiếu đăng ký khóa đã được gửi; gói sẽ được "
            "gửi lại sau khi tỉnh đối chiếu vân tay và chấp nhận khóa."
        )
    if row[2]:
        raise AccessDenied(
            f"Khóa {keys.fingerprint_of(public)} đã bị tỉnh thu hồi: máy chủ không nhận gói "
            "của khóa này. Hãy liên hệ tỉnh."
        )
    return Sender(keys.key_id_of(public), public, str(row[1]))


def check_bundle_of(sender: Sender, parsed: bundle.Bundle, db: Database) -> None:
    """The bundle is the sender's own commune's, and the sender holds few enough."""
    if parsed.commune_code != sender.commune_code:
        raise AccessDenied(
            f"Gói ghi là của xã mã {parsed.commune_code} nhưng khóa ký đã được chấp nhận "
            f"cho xã mã {sender.commune_code}: không nhận."
        )
    held = sum(1 for h in importer.held_bundles(db) if h.key_id == sender.key_id)
    if held >= MAX_HELD_PER_KEY:
        raise QuotaExceeded(
            f"Máy chủ đang giữ {held} gói chờ của máy này (tối đa {MAX_HELD_PER_KEY}): "
            "hãy gửi các gói còn thiếu trước, hoặc liên hệ tỉnh.",
            retry_after=3600,
        )


class RateLimiter:
    """Token buckets per name (a client address, a key): ``rate`` per ``per`` seconds,
    bursts up to ``rate``. At most ``max_names`` buckets are kept (the fullest dropped)."""

    def __init__(self, rate: int, per: float, max_names: int = 10_000) -> None:
        import threading

        self.rate, self.per, self.max_names = rate, per, max_names
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, name: str, now: float | None = None) -> bool:
        import time

        moment = time.monotonic() if now is None else now
        with self._lock:
            tokens, since = self._buckets.get(name, (float(self.rate), moment))
            tokens = min(float(self.rate), tokens + (moment - since) * self.rate / self.per)
            allowed = tokens >= 1.0
            self._buckets[name] = (tokens - 1.0 if allowed else tokens, moment)
            if len(self._buckets) > self.max_names:
                self._buckets.pop(next(iter(self._buckets)))
            return allowed


def parse_upload(data: bytes, signer_public: str) -> bundle.Bundle:
    """The uploaded bundle, verified as far as it can be without a private key.

    Raises :class:`bundle.BundleRefused` for a damaged or forged file and
    :class:`SignerMismatch` when the request's signer is not the bundle's key: a
    commune signs its own bundles and nobody else's (one key, one installation).
    """
    parsed = bundle.parse(data)
    if parsed.manifest["public_key"] != signer_public.lower():
        raise SignerMismatch(
            "Yêu cầu được ký bằng một khóa khác với khóa đã ký gói dữ liệu: không nhận."
        )
    return parsed


def receive(
    db: Database, parsed: bundle.Bundle, identity: Any, sender: Sender | None = None
) -> Received:
    """Import one uploaded bundle exactly as from a USB stick; the receipt if applied.

    The caller serialises calls (one writer at a time). Bundles this one unblocks
    (staged after a gap) are applied too, as on the desktop. With ``sender`` (the hub
    always passes it) the bundle must be of the sender's commune and the sender must
    hold few enough bundles here: the hub never quarantines anything.
    """
    if sender is not None:
        check_bundle_of(sender, parsed, db)
    outcomes = importer.import_bytes(db, parsed.data, parsed.file_name, identity)
    first = outcomes[0]
    receipt = None
    if first.status in RECEIPTED:
        signed = upper.bundle_receipt(db, parsed.bundle_id)
        receipt = signed.decode("utf-8") if signed is not None else None
    return Received(
        parsed.bundle_id, first.status, first.reason, parsed.commune_code, parsed.seq, receipt
    )


# --- who may read what -------------------------------------------------------------------


def _pinned_for(db: Database, public: str, commune_code: str) -> bool:
    """The key is accepted (and not retired) for this commune."""
    with db.connect() as conn:
        row = conn.execute(
            select(SyncPinnedKey.id).where(
                SyncPinnedKey.key_id == keys.key_id_of(public),
                SyncPinnedKey.public_key == public,
                SyncPinnedKey.commune_code == commune_code,
                SyncPinnedKey.retired.is_(False),
            )
        ).first()
    return row is not None


def _holds_bundle_of(db: Database, public: str, commune_code: str) -> bool:
    return any(
        h.public_key == public and h.commune_code == commune_code for h in importer.held_bundles(db)
    )


def may_read_commune(db: Database, public: str, commune_code: str) -> bool:
    """A key pinned for the commune, or one whose bundle for it waits here (quarantine:
    the commune must be able to see that the hub holds its bundle)."""
    return _pinned_for(db, public, commune_code) or _holds_bundle_of(db, public, commune_code)


def receipt_for(db: Database, public: str, bundle_id: str) -> bytes:
    """The signed receipt of an applied bundle, for the key that sent it or a key pinned
    for its commune. :class:`ReceiptNotReady` when not applied (yet)."""
    with db.connect() as conn:
        row = conn.execute(
            select(SyncLedger.commune_code, SyncLedger.key_id).where(
                SyncLedger.bundle_id == bundle_id.lower()
            )
        ).first()
    if row is None:
        raise ReceiptNotReady("Máy chủ chưa nhập gói này (có thể đang chờ hoặc bị cách ly).")
    commune_code, sender_key_id = str(row[0]), str(row[1])
    if keys.key_id_of(public) != sender_key_id and not _pinned_for(db, public, commune_code):
        raise AccessDenied("Khóa này không được xem biên nhận của gói này.")
    receipt = upper.bundle_receipt(db, bundle_id.lower())
    if receipt is None:  # pragma: no cover - the ledger row was just read
        raise ReceiptNotReady("Máy chủ chưa nhập gói này.")
    return receipt


# --- what the hub holds for a commune ----------------------------------------------------


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.datetime) else str(value or "")


def commune_status(db: Database, commune_code: str) -> dict[str, Any]:
    """Per installation the last bundle applied; bundles held; sequence numbers missing
    (between the last applied and the highest held, not held themselves)."""
    with db.connect() as conn:
        rows = conn.execute(
            select(
                SyncLedger.installation_id,
                SyncLedger.seq,
                SyncLedger.bundle_id,
                SyncLedger.imported_at,
                SyncLedger.chain_key_id,
            )
            .where(SyncLedger.commune_code == commune_code)
            .order_by(SyncLedger.installation_id, SyncLedger.chain_key_id, SyncLedger.seq)
        ).all()
    # Per chain (installation and key chain); the newest chain of an installation is
    # listed last, so "last" per installation is the chain it continues now.
    chains: dict[tuple[str, str], tuple[int, str, Any]] = {}
    for installation, seq, bundle_id, imported_at, chain in rows:
        chains[(str(installation), str(chain))] = (int(seq), str(bundle_id), imported_at)
    last: dict[str, tuple[int, str, Any]] = {}
    for (installation, _chain), value in sorted(
        chains.items(), key=lambda kv: (kv[0][0], str(kv[1][2]))
    ):
        last[installation] = value
    held = sorted(
        (h for h in importer.held_bundles(db) if h.commune_code == commune_code),
        key=lambda h: (h.installation_id, h.seq, h.state),
    )
    missing: set[int] = set()
    for installation in {h.installation_id for h in held if h.state == "gap"}:
        waiting = {h.seq for h in held if h.installation_id == installation}
        after = last.get(installation, (0, "", None))[0]
        missing |= set(range(after + 1, max(waiting))) - waiting
    return {
        "commune_code": commune_code,
        "installations": [
            {
                "installation_id": installation,
                "last_seq": seq,
                "last_bundle_id": bundle_id,
                "last_imported_at": _iso(imported_at),
            }
            for installation, (seq, bundle_id, imported_at) in sorted(last.items())
        ],
        "held": [
            {"seq": h.seq, "state": h.state, "installation_id": h.installation_id} for h in held
        ],
        "missing": sorted(missing),
    }


# --- the status page -----------------------------------------------------------------------


def _as_utc(value: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def freshness(last: dt.datetime | None, now: dt.datetime) -> tuple[str, bool]:
    """("hôm nay" / "hôm qua" / "N ngày trước" / "chưa gửi gói nào", overdue?)."""
    if last is None:
        return "chưa gửi gói nào", True
    days = (now.date() - last.astimezone(now.tzinfo).date()).days
    if days <= 0:
        text = "hôm nay"
    elif days == 1:
        text = "hôm qua"
    else:
        text = f"{days} ngày trước"
    return text, days > STALE_AFTER_DAYS


@dataclass(frozen=True)
class CommuneRow:
    code: str
    name: str
    last_seq: int
    last_received: dt.datetime | None
    freshness: str
    overdue: bool
    records: dict[str, int] = field(default_factory=dict)
    waiting: int = 0  # staged after a gap
    quarantined: int = 0  # unknown key, or a fork


def _commune_name(code: str) -> str:
    from app.core.communes import find_commune

    try:
        return find_commune(code).full_name
    except UserError:
        return ""


def overview(db: Database, now: dt.datetime | None = None) -> list[CommuneRow]:
    """One row per commune the hub heard from (the consolidation view of the desktop)."""
    moment = now or dt.datetime.now(dt.UTC)
    totals = importer.entity_totals(db)
    rows = []
    for s in importer.consolidation(db):
        received = _as_utc(s.last_imported_at) if s.last_imported_at else None
        text, overdue = freshness(received, moment)
        rows.append(
            CommuneRow(
                code=s.commune_code,
                name=_commune_name(s.commune_code),
                last_seq=s.last_seq,
                last_received=received,
                freshness=text,
                overdue=overdue,
                records=totals.get(s.commune_code, {}),
                waiting=s.gaps,
                quarantined=s.quarantined + s.forks,
            )
        )
    return rows
