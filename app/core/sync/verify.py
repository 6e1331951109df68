"""``bundle verify``: as much as this side can check (upper level: also decrypt)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.core.db import Database
from app.core.errors import reason_of
from app.core.models.sync import SyncPinnedKey
from app.core.sync import bundle, keys, state


def verify_file(db: Database, path: Path) -> dict[str, Any]:
    report: dict[str, Any] = {"file": str(path), "valid": False}
    try:
        with path.open("rb") as fh:
            data = fh.read(bundle.MAX_BUNDLE_BYTES + 1)
        b = bundle.parse(data)
    except OSError as exc:
        report["reason"] = f"Không đọc được tệp: {reason_of(exc)}."
        return report
    except bundle.BundleRefused as exc:
        report["reason"] = exc.message
        return report
    m = b.manifest
    report.update(
        seq=b.seq,
        commune_code=b.commune_code,
        bundle_id=b.bundle_id,
        sha256=b.file_sha256,
        fingerprint=b.fingerprint,
        kind=m["kind"],
        counts=m["counts"],
        created_at=m["created_at"],
    )
    if state.is_upper(db):
        with db.session() as s:
            pinned = s.scalars(
                select(SyncPinnedKey).where(SyncPinnedKey.key_id == m["key_id"])
            ).first()
            ok_key = (
                pinned is not None
                and pinned.public_key == m["public_key"]
                and not pinned.retired
                and pinned.commune_code == b.commune_code
            )
        report["key_accepted"] = ok_key
        try:
            bundle.open_parts(b, [keys.age_identity(db.data_dir)])
        except bundle.BundleRefused as exc:
            report["reason"] = exc.message
            return report
        report["valid"] = True
        report["reason"] = (
            "Gói hợp lệ: chữ ký, mã băm và mọi bản ghi đều đúng."
            if ok_key
            else f"Gói toàn vẹn nhưng khóa ký {b.fingerprint} chưa được chấp nhận."
        )
        return report
    own = m["public_key"] == keys.my_key(db.data_dir).public_key
    report["own_bundle"] = own
    report["valid"] = True
    report["reason"] = "Gói hợp lệ: chữ ký và mã băm đều đúng (nội dung đã mã hóa cho tỉnh)." + (
        "" if own else " Gói này không do máy này ký."
    )
    return report
