"""The upper level (province or district): keys, configuration package, pinned commune
keys, receipts. Importing bundles is in :mod:`app.core.sync.importer`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app import paths
from app.core.db import Database, open_database
from app.core.errors import UserError
from app.core.models.base import utcnow
from app.core.models.sync import SyncExport, SyncLedger, SyncPinnedKey
from app.core.sync import bundle, keys, state
from app.core.sync.signed import read_signed, write_signed

RECEIPT_FORMAT = "khuyenhoc-receipt"
REGISTRATION_FORMAT = "khuyenhoc-key-registration"


@dataclass(frozen=True)
class ProvinceInit:
    data_dir: Path
    package: Path
    key_id: str
    fingerprint: str
    recipient: str


def _slug(text: str) -> str:
    from app.core.text import fold

    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "tinh"


def init_province(
    data_dir: Path, name: str, out_dir: Path, *, escrow_recipient: str = ""
) -> ProvinceInit:
    """Create the upper-level database, its keys and configuration package version 1."""
    from app.core.workspace import check_writable, has_database

    if not name.strip():
        raise UserError("Hãy nhập tên đơn vị cấp trên (ví dụ: Hội Khuyến học tỉnh Hưng Yên).")
    if has_database(data_dir):
        raise UserError(f"Thư mục {data_dir} đã có dữ liệu. Hãy chọn một thư mục trống.")
    check_writable(data_dir)
    db = open_database(paths.database_path(data_dir), create=True)
    try:
        state.put_setting(db, state.MODE_KEY, "upper")
        state.put_setting(db, state.PROVINCE_NAME_KEY, name.strip())
        keys.age_identity(data_dir, create=True)
        package = write_config_package(db, out_dir, version=1, escrow_recipient=escrow_recipient)
        me = keys.my_key(data_dir)
        return ProvinceInit(
            data_dir,
            package,
            me.key_id,
            me.fingerprint,
            keys.age_recipient_of(keys.age_identity(data_dir)),
        )
    finally:
        db.close()


def write_config_package(
    db: Database,
    out_dir: Path,
    *,
    version: int,
    escrow_recipient: str = "",
    criteria_sets: list[Any] | None = None,
    targets: dict[str, Any] | None = None,
) -> Path:
    state.require_upper(db)
    if escrow_recipient:
        from pyrage import x25519

        try:
            x25519.Recipient.from_str(escrow_recipient)
        except Exception:
            raise UserError("Khóa dự phòng (escrow) không hợp lệ (phải là khóa age1…).") from None
    me = keys.my_key(db.data_dir)
    name = str(state.get_setting(db, state.PROVINCE_NAME_KEY, ""))
    with db.session() as s:
        accepted = [
            {"key_id": k.key_id, "commune_code": k.commune_code}
            for k in s.scalars(select(SyncPinnedKey).where(SyncPinnedKey.retired.is_(False)))
        ]
    body = {
        "format": state.CONFIG_FORMAT,
        "format_version": 1,
        "province_name": name,
        "version": version,
        "public_key": me.public_key,
        "key_id": me.key_id,
        "recipient": keys.age_recipient_of(keys.age_identity(db.data_dir)),
        "escrow_recipient": escrow_recipient,
        "created_at": utcnow().isoformat(),
        "criteria_sets": criteria_sets or [],
        "targets": targets or {},
        "accepted_keys": accepted,
    }
    path = out_dir / f"KH_cauhinh_{_slug(name)}_v{version}.khcfg"
    return write_signed(path, body, db.data_dir)


# --- commune keys ----------------------------------------------------------------------


@dataclass(frozen=True)
class PinnedKey:
    key_id: str
    fingerprint: str
    commune_code: str
    installation_id: str
    retired: bool


def registration(db: Database) -> dict[str, Any]:
    """The commune's key registration (the sheet's content; also a file for accept-key)."""
    me = keys.my_key(db.data_dir)
    return {
        "format": REGISTRATION_FORMAT,
        "commune_code": db.commune_code,
        "installation_id": db.installation_id(),
        "key_id": me.key_id,
        "public_key": me.public_key,
        "fingerprint": me.fingerprint,
    }


def _key_source(db: Database, source: str) -> tuple[str, str, str]:
    """(public key, commune code, installation id) from a file or a held bundle's fingerprint."""
    from app.core.sync import importer

    path = Path(source)
    if path.is_file():
        data = path.read_bytes()[: bundle.MAX_BUNDLE_BYTES + 1]
        if data[:2] == b"PK":
            try:
                b = bundle.parse(data)
            except bundle.BundleRefused as exc:
                raise UserError(exc.message) from None
            m = b.manifest
            return m["public_key"], m["commune_code"], m["installation_id"]
        try:
            doc = json.loads(data.decode("utf-8"))
            assert doc.get("format") == REGISTRATION_FORMAT
            public = str(doc["public_key"])
            assert keys.key_id_of(public) == doc["key_id"]
            return public, str(doc["commune_code"]), str(doc.get("installation_id", ""))
        except Exception:
            raise UserError(
                f"Tệp {path.name} không phải phiếu đăng ký khóa hay gói dữ liệu."
            ) from None
    wanted = keys.normalise_fingerprint(source)
    for held in importer.held_bundles(db):
        if held.fingerprint == wanted:
            return held.public_key, held.commune_code, held.installation_id
    raise UserError(
        f"Không tìm thấy khóa có vân tay {source} trong các gói đang cách ly. "
        "Hãy đưa tệp phiếu đăng ký khóa hoặc gói dữ liệu của xã."
    )


def accept_key(db: Database, source: str) -> PinnedKey:
    """Pin a commune key (from a registration file, a bundle, or a quarantined bundle's
    fingerprint); then bundles waiting for it are imported."""
    state.require_upper(db)
    public, commune, installation = _key_source(db, source)
    info = keys.info_of(public)
    with db.session() as s:
        row = s.scalars(select(SyncPinnedKey).where(SyncPinnedKey.key_id == info.key_id)).first()
        if row is None:
            s.add(
                SyncPinnedKey(
                    key_id=info.key_id,
                    public_key=public,
                    commune_code=commune,
                    installation_id=installation,
                )
            )
        else:
            row.retired = False
    return PinnedKey(info.key_id, info.fingerprint, commune, installation, False)


def retire_key(db: Database, key_id: str) -> None:
    state.require_upper(db)
    with db.session() as s:
        row = s.scalars(select(SyncPinnedKey).where(SyncPinnedKey.key_id == key_id)).first()
        if row is None:
            raise UserError("Không có khóa này trong danh sách đã chấp nhận.")
        row.retired = True


def pinned_keys(db: Database) -> list[PinnedKey]:
    with db.session() as s:
        return [
            PinnedKey(
                k.key_id,
                keys.fingerprint_of(k.public_key),
                k.commune_code,
                k.installation_id,
                k.retired,
            )
            for k in s.scalars(select(SyncPinnedKey).order_by(SyncPinnedKey.commune_code))
        ]


# --- receipts ----------------------------------------------------------------------------


def write_receipt(db: Database, commune_code: str, out_dir: Path) -> tuple[Path, int]:
    """A signed receipt listing every bundle of the commune applied here."""
    state.require_upper(db)
    with db.session() as s:
        rows = s.scalars(
            select(SyncLedger)
            .where(SyncLedger.commune_code == commune_code)
            .order_by(SyncLedger.installation_id, SyncLedger.seq)
        ).all()
        applied = [
            {"installation_id": r.installation_id, "seq": r.seq, "bundle_id": r.bundle_id}
            for r in rows
        ]
    if not applied:
        raise UserError(f"Chưa nhập gói nào của xã mã {commune_code}.")
    me = keys.my_key(db.data_dir)
    body = {
        "format": RECEIPT_FORMAT,
        "format_version": 1,
        "province_name": str(state.get_setting(db, state.PROVINCE_NAME_KEY, "")),
        "public_key": me.public_key,
        "key_id": me.key_id,
        "commune_code": commune_code,
        "created_at": utcnow().isoformat(),
        "bundles": applied,
    }
    last = applied[-1]["seq"]
    path = out_dir / f"KH_bienNhan_{commune_code}_{last:06d}.khr"
    return write_signed(path, body, db.data_dir), len(applied)


def load_receipt(db: Database, path: Path) -> int:
    """Mark this installation's bundles the receipt lists as received; returns how many."""
    state.require_commune(db)
    config = state.province_config(db)
    if config is None:
        raise UserError("Chưa nạp gói cấu hình của tỉnh: chưa kiểm tra được biên nhận.")
    body, public = read_signed(path, RECEIPT_FORMAT, "biên nhận của tỉnh")
    if public != config.public_key:
        raise UserError("Biên nhận không được ký bằng khóa của tỉnh đã ghi nhận. Không nạp.")
    if body.get("commune_code") != db.commune_code:
        raise UserError("Biên nhận này là của xã khác.")
    mine = db.installation_id()
    listed = {
        str(b.get("bundle_id"))
        for b in body.get("bundles", [])
        if isinstance(b, dict) and b.get("installation_id") == mine
    }
    now = utcnow()
    marked = 0
    with db.session() as s:
        for row in s.scalars(select(SyncExport).where(SyncExport.bundle_id.in_(listed))):
            if row.confirmed_at is None:
                row.confirmed_at = now
                marked += 1
    return marked
