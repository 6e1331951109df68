"""The upper level (province or district): keys, configuration package, pinned commune
keys, receipts. Importing bundles is in :mod:`app.core.sync.importer`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from app import paths
from app.core.db import Database, open_database
from app.core.errors import UserError
from app.core.models.base import utcnow
from app.core.models.sync import SyncExport, SyncLedger, SyncPinnedKey
from app.core.printing.qrread import is_pdf
from app.core.sync import bundle, keys, policy, state
from app.core.sync.signed import (
    parse_signed,
    read_document,
    signed_bytes,
    write_signed,
)

RECEIPT_FORMAT = "khuyenhoc-receipt"
REGISTRATION_FORMAT = "khuyenhoc-key-registration"
# A photo or scan of the printed key registration sheet (its QR code holds the JSON).
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"})


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


def check_hub_url(url: str) -> str:
    """A hub address as the communes will use it ("" for none): http(s)://host[:port]."""
    url = url.strip().rstrip("/")
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(
            f"Địa chỉ máy chủ của tỉnh không hợp lệ: {url} "
            "(ví dụ đúng: https://khuyenhoc.hungyen.gov.vn)."
        )
    check_secure_url(url)
    return url


def check_secure_url(url: str) -> None:
    """Communes send only over HTTPS (the hub sits behind the province's TLS proxy,
    docs/hub.md); plain ``http://`` is allowed for this machine alone (tests, a hub on
    the same PC)."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1", "::1"):
        return
    raise UserError(
        f"Địa chỉ máy chủ của tỉnh ({url}) không dùng kết nối bảo mật https://: máy không "
        "gửi dữ liệu qua kết nối không mã hóa. Hãy xin tỉnh gói cấu hình có địa chỉ "
        "https://, hoặc gửi gói bằng USB."
    )


def init_province(
    data_dir: Path,
    name: str,
    out_dir: Path,
    *,
    escrow_recipient: str = "",
    hub_url: str = "",
    database_url: str = "",
) -> ProvinceInit:
    """Create the upper-level database, its keys and configuration package version 1."""
    from app.core.db import open_server_database
    from app.core.workspace import check_writable, has_database, remember_server_database

    if not name.strip():
        raise UserError("Hãy nhập tên đơn vị cấp trên (ví dụ: Hội Khuyến học tỉnh Hưng Yên).")
    if has_database(data_dir):
        raise UserError(f"Thư mục {data_dir} đã có dữ liệu. Hãy chọn một thư mục trống.")
    check_writable(data_dir)
    if database_url:
        db = open_server_database(database_url, data_dir)
        remember_server_database(data_dir, database_url)
    else:
        db = open_database(paths.database_path(data_dir), create=True)
    try:
        if state.is_upper(db) or state.get_setting(db, state.PROVINCE_NAME_KEY, ""):
            raise UserError("Cơ sở dữ liệu PostgreSQL này đã có dữ liệu cấp trên.")
        state.put_setting(db, state.MODE_KEY, "upper")
        state.put_setting(db, state.PROVINCE_NAME_KEY, name.strip())
        keys.age_identity(data_dir, create=True)
        package = write_config_package(
            db, out_dir, version=1, escrow_recipient=escrow_recipient, hub_url=hub_url
        )
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
    hub_url: str | None = None,
    personal_fields: list[str] | None = None,
) -> Path:
    """Write configuration package ``version``; ``hub_url`` None keeps the stored one.

    ``personal_fields``: the personal-data categories (app/core/sync/policy.py) the
    province asks for; a commune sends them only if it agrees too. None: none.

    ``criteria_sets`` and ``targets`` are encoded as :mod:`package_content` makes them
    (JSON text: a signed body holds no fractions).
    """
    state.require_upper(db)
    if any(not isinstance(c, str) for c in criteria_sets or []) or any(
        not isinstance(v, str) for v in (targets or {}).values()
    ):
        raise TypeError("criteria_sets/targets must come from package_content.read_content")
    if hub_url is not None:
        state.put_setting(db, state.HUB_URL_KEY, check_hub_url(hub_url))
    hub = str(state.get_setting(db, state.HUB_URL_KEY, ""))
    if escrow_recipient:
        from pyrage import x25519

        try:
            x25519.Recipient.from_str(escrow_recipient)
        except Exception:
            raise UserError("Khóa dự phòng (escrow) không hợp lệ (phải là khóa age1…).") from None
    me = keys.my_key(db.data_dir)
    name = str(state.get_setting(db, state.PROVINCE_NAME_KEY, ""))
    with db.session() as s:
        # With the public key: a commune verifies the certificates of the others by them.
        accepted = [
            {"key_id": k.key_id, "commune_code": k.commune_code, "public_key": k.public_key}
            for k in s.scalars(select(SyncPinnedKey).where(SyncPinnedKey.retired.is_(False)))
        ]
    from app.core.printing.seal import revocation_list

    revoked = revocation_list(db)
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
        "hub_url": hub,
        # Certificates no longer to be taken as genuine (app.core.printing.seal).
        "revoked_keys": revoked["revoked_keys"],
        "revoked_certificates": revoked["revoked_certificates"],
        "personal_fields": policy.check_categories(personal_fields or []),
    }
    path = out_dir / f"KH_cauhinh_{_slug(name)}_v{version}.khcfg"
    written = write_signed(path, body, db.data_dir)
    state.put_setting(db, state.PACKAGE_VERSION_KEY, max(version, last_package_version(db)))
    state.put_setting(db, state.ESCROW_KEY, escrow_recipient)
    return written


def last_package_version(db: Database) -> int:
    """The highest configuration package version written here (0: none recorded)."""
    return int(state.get_setting(db, state.PACKAGE_VERSION_KEY, 0) or 0)


def last_escrow_recipient(db: Database) -> str:
    """The escrow key of the last package written ("" when it had none)."""
    return str(state.get_setting(db, state.ESCROW_KEY, "") or "")


@dataclass(frozen=True)
class PackageDefaults:
    """What a new configuration package starts from (the dialog pre-fills these)."""

    version: int
    hub_url: str
    escrow_recipient: str


def package_defaults(db: Database) -> PackageDefaults:
    state.require_upper(db)
    return PackageDefaults(
        last_package_version(db) + 1,
        str(state.get_setting(db, state.HUB_URL_KEY, "") or ""),
        last_escrow_recipient(db),
    )


def check_new_version(db: Database, version: int | None) -> int:
    """The version of a new package: ``None`` → the next one; a version not above the
    last one written is refused (the communes keep the version they have and would
    never load it)."""
    last = last_package_version(db)
    if version is None:
        return last + 1
    if version <= last:
        raise UserError(
            f"Phiên bản {version} không lớn hơn phiên bản gói cấu hình đã ghi gần nhất "
            f"({last}): các xã sẽ không nạp gói này. Hãy dùng phiên bản {last + 1} "
            "hoặc bỏ trống để tự lấy phiên bản tiếp theo."
        )
    return version


def write_new_config_package(
    db: Database,
    out_dir: Path,
    *,
    version: int | None = None,
    escrow_recipient: str | None = None,
    criteria_sets: list[Any] | None = None,
    targets: dict[str, Any] | None = None,
    hub_url: str | None = None,
    personal_fields: list[str] | None = None,
) -> tuple[Path, int]:
    """A new configuration package for the communes: (file, version).

    ``version`` None takes the next one; ``escrow_recipient``/``hub_url`` None keep
    those of the last package.
    """
    state.require_upper(db)
    number = check_new_version(db, version)
    escrow = last_escrow_recipient(db) if escrow_recipient is None else escrow_recipient
    path = write_config_package(
        db,
        out_dir,
        version=number,
        escrow_recipient=escrow.strip(),
        criteria_sets=criteria_sets,
        targets=targets,
        hub_url=hub_url,
        personal_fields=personal_fields,
    )
    return path, number


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
    if path.is_file() and (path.suffix.lower() in IMAGE_SUFFIXES or is_pdf(path)):
        return _key_from_photo(path)  # a photo of the sheet, or the printed PDF itself
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
    from app.core.sync import registrations

    wanted = keys.normalise_fingerprint(source)
    matching = [h for h in importer.held_bundles(db) if h.fingerprint == wanted]
    communes = sorted({h.commune_code for h in matching})
    if len(communes) > 1:
        # A fingerprint read aloud names a key, not a commune: which commune it is
        # must not depend on which held bundle happens to sort first.
        raise UserError(
            f"Các gói đang cách ly ký bằng khóa {source} ghi là của nhiều xã khác nhau "
            f"(mã {', '.join(communes)}). Không chấp nhận theo vân tay: hãy dùng phiếu đăng ký "
            "khóa (tệp hoặc ảnh mã QR) của đúng xã."
        )
    if matching:
        held = matching[0]
        return held.public_key, held.commune_code, held.installation_id
    for reg in registrations.pending(db.data_dir):
        if reg.fingerprint == wanted:
            return reg.public_key, reg.commune_code, reg.installation_id
    raise UserError(
        f"Không tìm thấy khóa có vân tay {source} trong các gói đang cách ly hay các phiếu "
        "đăng ký gửi qua mạng. Hãy đưa tệp phiếu đăng ký khóa hoặc gói dữ liệu của xã."
    )


def _key_from_photo(path: Path) -> tuple[str, str, str]:
    """(public key, commune code, installation id) from the QR of a key registration sheet
    (a photo or scan of it, or the PDF the commune printed)."""
    from app.core.printing.qrread import read_qr_payloads

    for text in read_qr_payloads(path):
        try:
            doc = json.loads(text)
            public = str(doc["public_key"])
            if doc.get("format") == REGISTRATION_FORMAT and keys.key_id_of(public) == doc.get(
                "key_id"
            ):
                return public, str(doc["commune_code"]), str(doc.get("installation_id", ""))
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
    what = "tệp PDF" if is_pdf(path) else "ảnh"
    raise UserError(
        f"Mã QR trong {what} {path.name} không phải mã của phiếu đăng ký khóa. "
        "Hãy chụp lại rõ mã QR trên phiếu, hoặc dùng tệp phiếu đăng ký."
    )


def accept_key(db: Database, source: str, *, replaces: str = "") -> PinnedKey:
    """Pin a commune key (from a registration file, a bundle, a quarantined bundle's or
    a hub registration's fingerprint); then bundles waiting for it are imported.

    A key stays pinned to the commune that registered it: accepting it again for
    another commune is refused. ``replaces`` (a key id or fingerprint of the same
    commune) retires the key this one takes over from — a new PC after a restore: its
    first bundle opens a chain of its own (:func:`importer.starts_new_chain`), nothing
    forks.
    """
    state.require_upper(db)
    public, commune, installation = _key_source(db, source)
    info = keys.info_of(public)
    with db.session() as s:
        old = _find_pinned(s, replaces) if replaces else None
        if old is not None and old.commune_code != commune:
            raise UserError(
                f"Khóa {keys.fingerprint_of(old.public_key)} là của xã mã {old.commune_code}, "
                f"không phải của xã mã {commune}: không thay được."
            )
        if old is not None and old.key_id == info.key_id:
            raise UserError("Khóa mới trùng với khóa được thay.")
        row = s.scalars(select(SyncPinnedKey).where(SyncPinnedKey.key_id == info.key_id)).first()
        if row is not None and row.commune_code != commune:
            raise UserError(
                f"Khóa {info.fingerprint} đã được đăng ký cho xã mã {row.commune_code}; không "
                f"chấp nhận khóa này cho xã mã {commune}. Mỗi khóa chỉ dùng cho xã đã đăng ký nó."
            )
        if row is None:
            s.add(
                SyncPinnedKey(
                    key_id=info.key_id,
                    public_key=public,
                    commune_code=commune,
                    installation_id=installation,
                    chain_key_id=info.key_id,
                )
            )
        else:
            row.retired = False
        if old is not None:
            old.retired = True
    from app.core.sync import registrations

    registrations.forget(db.data_dir, info.key_id)
    return PinnedKey(info.key_id, info.fingerprint, commune, installation, False)


def _find_pinned(s: Any, key: str) -> SyncPinnedKey:
    """A pinned key by key id or fingerprint; UserError when none."""
    wanted = keys.normalise_fingerprint(key)
    for row in s.scalars(select(SyncPinnedKey)):
        if row.key_id == key.strip().lower() or keys.fingerprint_of(row.public_key) == wanted:
            return row  # type: ignore[no-any-return]
    raise UserError(f"Không có khóa {key} trong danh sách khóa đã chấp nhận.")


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


def _receipt_body(
    db: Database, commune_code: str, applied: list[dict[str, Any]], created_at: str
) -> dict[str, Any]:
    me = keys.my_key(db.data_dir)
    return {
        "format": RECEIPT_FORMAT,
        "format_version": 1,
        "province_name": str(state.get_setting(db, state.PROVINCE_NAME_KEY, "")),
        "public_key": me.public_key,
        "key_id": me.key_id,
        "commune_code": commune_code,
        "created_at": created_at,
        "bundles": applied,
    }


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
    body = _receipt_body(db, commune_code, applied, utcnow().isoformat())
    last = applied[-1]["seq"]
    path = out_dir / f"KH_bienNhan_{commune_code}_{last:06d}.khr"
    return write_signed(path, body, db.data_dir), len(applied)


def bundle_receipt(db: Database, bundle_id: str) -> bytes | None:
    """The signed receipt for one applied bundle, or None if it was not applied here.

    It lists the bundle and every earlier bundle of the same installation, and is dated
    when the bundle was applied: the ledger is append-only and Ed25519 is deterministic,
    so asking again (a replayed upload, a lost answer) gives the very same bytes.
    """
    state.require_upper(db)
    with db.session() as s:
        row = s.scalars(select(SyncLedger).where(SyncLedger.bundle_id == bundle_id)).first()
        if row is None:
            return None
        earlier = s.scalars(
            select(SyncLedger)
            .where(
                SyncLedger.commune_code == row.commune_code,
                SyncLedger.chain_key_id == row.chain_key_id,
                SyncLedger.installation_id == row.installation_id,
                SyncLedger.seq <= row.seq,
            )
            .order_by(SyncLedger.seq)
        ).all()
        applied = [
            {"installation_id": r.installation_id, "seq": r.seq, "bundle_id": r.bundle_id}
            for r in earlier
        ]
        body = _receipt_body(db, row.commune_code, applied, row.imported_at.isoformat())
    return signed_bytes(body, db.data_dir)


def load_receipt(db: Database, path: Path) -> int:
    """Mark this installation's bundles the receipt lists as received; returns how many."""
    return load_receipt_bytes(db, read_document(path), name=path.name)


def load_receipt_bytes(db: Database, data: bytes, *, name: str = "") -> int:
    """As :func:`load_receipt`, for a receipt in memory (e.g. the one the hub sent back)."""
    state.require_commune(db)
    config = state.province_config(db)
    if config is None:
        raise UserError("Chưa nạp gói cấu hình của tỉnh: chưa kiểm tra được biên nhận.")
    body, public = parse_signed(data, RECEIPT_FORMAT, "biên nhận của tỉnh", name=name)
    return _mark_received(db, body, public, config.public_key)


def _mark_received(db: Database, body: dict[str, Any], public: str, province_key: str) -> int:
    if public != province_key:
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
