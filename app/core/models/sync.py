"""Tables of upward sync (bundles out at the commune, bundles in at the upper level).

None of these rows is syncable: they describe this installation's exchanges.

Commune side: :class:`SyncExport` (one row per bundle written; the newest row's
``upto_change_seq`` is the "exported up to" mark; it is also the outbox entry with
the bundle's send state), :class:`SyncProvince` (the pinned
province configuration package).

Upper level: :class:`SyncPinnedKey` (accepted commune keys), :class:`SyncLedger`
(bundles applied; uniqueness by constraints), :class:`SyncRecord` (every commune's
records keyed by commune, entity and uuid), :class:`SyncConflict` (older or
diverging revisions that were not applied). Bundles held back (quarantined, forked,
staged for a gap) are kept as files in ``<data folder>/sync/held/``, not in the
database: a bundle that is not applied leaves the database byte for byte as it was.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    DateTime,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models.base import Base, utcnow


class SyncExport(Base):
    __tablename__ = "sync_export"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    bundle_id: Mapped[str] = mapped_column(String(64), unique=True)
    prev_bundle_id: Mapped[str] = mapped_column(String(64), default="")
    file_name: Mapped[str] = mapped_column(String(200))
    file_sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    since_change_seq: Mapped[int] = mapped_column(Integer)
    upto_change_seq: Mapped[int] = mapped_column(Integer)
    counts: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # The outbox (app.core.sync.outbox): every bundle written is queued for the hub.
    # ``confirmed_at`` (a verified receipt, by network or USB) means received whatever
    # ``send_state`` says; the file itself is the archived copy in the data folder.
    send_state: Mapped[str] = mapped_column(String(12), default="pending", server_default="pending")
    send_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(Text, default="", server_default="")
    hub_status: Mapped[str] = mapped_column(String(20), default="", server_default="")


class SyncProvince(Base):
    """Exactly one row (id = 1) once a province configuration package was loaded."""

    __tablename__ = "sync_province"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32))
    public_key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SyncPinnedKey(Base):
    __tablename__ = "sync_pinned_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    public_key: Mapped[str] = mapped_column(String(64))
    commune_code: Mapped[str] = mapped_column(String(8), index=True)
    installation_id: Mapped[str] = mapped_column(String(36), default="")
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    # The chain this key's bundles continue: its own key id, or (after a hand-over to
    # a new PC, or following a fork) the chain it took over (importer.chain_of).
    chain_key_id: Mapped[str] = mapped_column(String(32), default="", server_default="")
    accepted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SyncLedger(Base):
    __tablename__ = "sync_ledger"
    # A chain is (commune, key chain, installation): a self-declared installation id
    # alone names nothing (another commune could reuse it), see importer.ChainKey.
    __table_args__ = (UniqueConstraint("commune_code", "chain_key_id", "installation_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bundle_id: Mapped[str] = mapped_column(String(64), unique=True)
    commune_code: Mapped[str] = mapped_column(String(8), index=True)
    installation_id: Mapped[str] = mapped_column(String(36))
    key_id: Mapped[str] = mapped_column(String(32))
    chain_key_id: Mapped[str] = mapped_column(String(32), default="", server_default="")
    seq: Mapped[int] = mapped_column(Integer)
    prev_bundle_id: Mapped[str] = mapped_column(String(64), default="")
    file_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[str] = mapped_column(String(40), default="")
    counts: Mapped[str] = mapped_column(Text, default="{}")
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SyncRecord(Base):
    __tablename__ = "sync_record"
    __table_args__ = (UniqueConstraint("commune_code", "entity", "uuid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(8))
    entity: Mapped[str] = mapped_column(String(40))
    uuid: Mapped[str] = mapped_column(String(36))
    revision: Mapped[int] = mapped_column(Integer)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[str] = mapped_column(Text)
    bundle_seq: Mapped[int] = mapped_column(Integer, default=0)


class SyncConflict(Base):
    __tablename__ = "sync_conflict"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(8), index=True)
    entity: Mapped[str] = mapped_column(String(40))
    uuid: Mapped[str] = mapped_column(String(36))
    held_revision: Mapped[int] = mapped_column(Integer)
    incoming_revision: Mapped[int] = mapped_column(Integer)
    bundle_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
