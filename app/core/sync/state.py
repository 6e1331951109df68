"""Which side this installation is on, and the province configuration it pinned."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core import settings
from app.core.backup import UPPER_MODE_KEY
from app.core.db import Database
from app.core.errors import UserError
from app.core.models.sync import SyncProvince

MODE_KEY = UPPER_MODE_KEY  # "upper" at a province/district; absent at a commune
PROVINCE_NAME_KEY = "sync_province_name"
INCLUDE_PERSONAL_KEY = "sync_include_personal"
HUB_URL_KEY = "sync_hub_url"  # upper level: the hub address written into config packages
# Upper level: the highest configuration package version written, and its escrow key
# (a new package proposes the next version and keeps the escrow unless told otherwise).
PACKAGE_VERSION_KEY = "sync_package_version"
ESCROW_KEY = "sync_escrow_recipient"
CONFIG_FORMAT = "khuyenhoc-province-config"


get_setting = settings.get_value
put_setting = settings.put_value


def is_upper(db: Database) -> bool:
    return bool(get_setting(db, MODE_KEY) == "upper")


def require_upper(db: Database) -> None:
    if not is_upper(db):
        raise UserError(
            "Chức năng này chỉ dùng ở cấp trên (tỉnh/huyện). Dữ liệu này là của một xã."
        )


def require_commune(db: Database) -> None:
    if is_upper(db):
        raise UserError("Chức năng này chỉ dùng ở xã, không dùng ở cấp trên.")


@dataclass(frozen=True)
class ProvinceConfig:
    province_name: str
    version: int
    key_id: str
    public_key: str
    fingerprint: str
    recipients: tuple[str, ...]  # age recipients: province, then escrow if any
    body: dict[str, Any]

    @property
    def hub_url(self) -> str:
        """The province hub's address ("" when the province runs none: USB only)."""
        return str(self.body.get("hub_url", "") or "")


def province_config(db: Database) -> ProvinceConfig | None:
    from app.core.sync import keys

    with db.session() as s:
        row = s.get(SyncProvince, 1)
        if row is None:
            return None
        body = json.loads(row.body)
    recipients = tuple(r for r in (body["recipient"], body.get("escrow_recipient", "")) if r)
    return ProvinceConfig(
        province_name=body["province_name"],
        version=int(body["version"]),
        key_id=body["key_id"],
        public_key=body["public_key"],
        fingerprint=keys.fingerprint_of(body["public_key"]),
        recipients=recipients,
        body=body,
    )


def package_fingerprint(path: Path) -> tuple[str, str]:
    """(province name, signing-key fingerprint) of a package, without loading it.

    The window asks a person to compare the fingerprint before the first load pins it.
    """
    from app.core.sync import keys
    from app.core.sync.signed import read_signed

    body, public = read_signed(path, CONFIG_FORMAT, "gói cấu hình của tỉnh")
    return str(body.get("province_name", "")), keys.fingerprint_of(public)


def load_config_package(
    db: Database, path: Path, expected_fingerprint: str | None = None
) -> tuple[ProvinceConfig, str]:
    """Load a province configuration package. Returns (config, "pinned"|"updated"|"same").

    The first load pins the province key (the caller shows the fingerprint for a
    person to compare; ``expected_fingerprint`` checks it here). Later packages must
    be signed by the pinned key and carry a higher version; an older one is refused.
    """
    from pyrage import x25519

    from app.core.sync import keys
    from app.core.sync.signed import read_signed

    require_commune(db)
    body, public = read_signed(path, CONFIG_FORMAT, "gói cấu hình của tỉnh")
    try:
        version = int(body["version"])
        name = str(body["province_name"])
        for r in (
            body["recipient"],
            *([body["escrow_recipient"]] if body.get("escrow_recipient") else []),
        ):
            x25519.Recipient.from_str(r)
    except Exception:
        raise UserError(
            "Gói cấu hình của tỉnh thiếu thông tin hoặc có khóa mã hóa không hợp lệ."
        ) from None
    if body.get("key_id") != keys.key_id_of(public):
        raise UserError("Gói cấu hình của tỉnh có mã khóa không khớp.")
    fingerprint = keys.fingerprint_of(public)
    if expected_fingerprint and keys.normalise_fingerprint(
        expected_fingerprint
    ) != keys.normalise_fingerprint(fingerprint):
        raise UserError(
            f"Vân tay khóa của tỉnh trong gói ({fingerprint}) khác với vân tay đã được đọc/in. "
            "Không nạp gói này."
        )
    current = province_config(db)
    if current is not None:
        if current.public_key != public:
            raise UserError(
                "Gói cấu hình được ký bằng khóa khác với khóa của tỉnh đã ghi nhận "
                f"({current.fingerprint}). Không nạp gói này."
            )
        if version < current.version:
            raise UserError(
                f"Gói cấu hình phiên bản {version} cũ hơn phiên bản đang dùng "
                f"({current.version}). Không nạp gói cũ."
            )
        if version == current.version:
            install_content_once(db, current)  # e.g. the first load stopped half-way
            return current, "same"
    with db.session() as s:
        row = s.get(SyncProvince, 1)
        text = json.dumps(body, ensure_ascii=False, sort_keys=True)
        if row is None:
            s.add(
                SyncProvince(
                    id=1, key_id=body["key_id"], public_key=public, version=version, body=text
                )
            )
        else:
            row.version, row.body = version, text
    config = province_config(db)
    assert config is not None and config.province_name == name
    install_content_once(db, config)
    return config, "pinned" if current is None else "updated"


def install_content_once(db: Database, config: ProvinceConfig) -> None:
    """Install the package's criteria sets and targets unless done for this version.

    Each set and the targets are saved in their own unit of work after the package
    itself, so the installation is repeated (harmlessly) if it was interrupted.
    """
    from app.core.sync import package_content

    done = package_content.last_report(db)
    if done is not None and done.version >= config.version:
        return
    if config.body.get("criteria_sets") or config.body.get("targets"):
        package_content.install_content(db, config.version, config.body)
