"""Settings that belong to the data, declared in one place with their types.

They live in the ``setting`` table (JSON values) so a backup carries them and
every front end sees the same. Window geometry and such stay in the GUI's
QSettings, not here.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from app.core import text as vntext
from app.core.errors import ValidationError
from app.core.models import Setting

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.core.db import Database

COMMUNE_KEY = "commune"
SIGNERS_KEY = "signers"
BACKUP_KEEP_KEY = "backup_keep"
BACKUP_DIR_KEY = "backup_dir"
DEFAULT_BACKUP_KEEP = 10


@dataclass(frozen=True)
class CommuneInfo:
    """Which commune this installation belongs to, and its association."""

    code: str
    name: str
    province_code: str
    province_name: str
    association_name: str = ""
    chairman_name: str = ""
    secretary_name: str = ""
    address: str = ""
    is_demo: bool = False


@dataclass(frozen=True)
class Signer:
    """A person who signs printed documents: role key, title line and name."""

    role: str
    title: str
    name: str


@dataclass(frozen=True)
class Settings:
    commune: CommuneInfo | None
    signers: list[Signer] = field(default_factory=list)
    backup_keep: int = DEFAULT_BACKUP_KEEP
    backup_dir: str | None = None


def read(session: Session, key: str, default: Any = None) -> Any:
    """The JSON value stored under ``key`` in this unit of work (``default`` if none)."""
    row = session.get(Setting, key)
    return json.loads(row.value) if row else default


def write(session: Session, key: str, value: Any) -> None:
    """Store ``value`` (JSON) under ``key`` in this unit of work."""
    encoded = json.dumps(value, ensure_ascii=False)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=encoded))
    else:
        row.value = encoded


def get_value(db: Database, key: str, default: Any = None) -> Any:
    """One setting, read in a unit of work of its own."""
    with db.session() as s:
        return read(s, key, default)


def put_value(db: Database, key: str, value: Any) -> None:
    """One setting, saved in a unit of work of its own."""
    with db.session() as s:
        write(s, key, value)


def get_commune(db: Database) -> CommuneInfo | None:
    with db.session() as s:
        raw = read(s, COMMUNE_KEY)
    return CommuneInfo(**raw) if raw else None


def set_commune(db: Database, info: CommuneInfo) -> None:
    clean = CommuneInfo(
        code=info.code,
        name=vntext.normalise(info.name),
        province_code=info.province_code,
        province_name=vntext.normalise(info.province_name),
        association_name=vntext.normalise(info.association_name),
        chairman_name=vntext.normalise_name(info.chairman_name),
        secretary_name=vntext.normalise_name(info.secretary_name),
        address=vntext.normalise(info.address),
        is_demo=info.is_demo,
    )
    if not clean.code or not clean.name:
        raise ValidationError("Chưa chọn xã.", "commune")
    with db.session() as s:
        write(s, COMMUNE_KEY, asdict(clean))
    db.forget_cached_settings()


def load(db: Database) -> Settings:
    with db.session() as s:
        rows = {r.key: json.loads(r.value) for r in s.scalars(select(Setting))}
    commune = rows.get(COMMUNE_KEY)
    return Settings(
        commune=CommuneInfo(**commune) if commune else None,
        signers=[Signer(**x) for x in rows.get(SIGNERS_KEY, [])] or default_signers(commune),
        backup_keep=int(rows.get(BACKUP_KEEP_KEY, DEFAULT_BACKUP_KEEP)),
        backup_dir=rows.get(BACKUP_DIR_KEY),
    )


def default_signers(commune: dict[str, Any] | None) -> list[Signer]:
    chair = (commune or {}).get("chairman_name", "")
    return [
        Signer("association_chair", "CHỦ TỊCH HỘI KHUYẾN HỌC", chair),
        Signer("committee_chair", "CHỦ TỊCH UBND XÃ", ""),
    ]


def save_signers(db: Database, signers: list[Signer]) -> None:
    clean = [
        Signer(s.role, vntext.normalise(s.title), vntext.normalise_name(s.name)) for s in signers
    ]
    with db.session() as s:
        write(s, SIGNERS_KEY, [asdict(x) for x in clean])


def save_backup_options(db: Database, keep: int, backup_dir: str | None) -> None:
    if not 1 <= keep <= 365:
        raise ValidationError("Số bản sao lưu giữ lại phải từ 1 đến 365.", "backup_keep")
    if backup_dir:
        target = Path(backup_dir)
        if target.exists() and not target.is_dir():
            raise ValidationError(f"{backup_dir} không phải là thư mục.", "backup_dir")
    with db.session() as s:
        write(s, BACKUP_KEEP_KEY, keep)
        write(s, BACKUP_DIR_KEY, backup_dir or None)
