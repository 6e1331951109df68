"""Reading the audit trail: filter by who, what and when; verify; export to .xlsx."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from app.core.audit import chain
from app.core.audit.log import ACTION_LABELS
from app.core.models import AuditEntry

if TYPE_CHECKING:
    from app.core.db import Database

#: table → Vietnamese name for the screen and the export.
ENTITY_LABELS: dict[str, str] = {
    "hamlet": "Thôn/TDP",
    "household": "Hộ gia đình",
    "person": "Nhân khẩu",
    "clan": "Dòng họ",
    "unit": "Đơn vị",
    "branch": "Chi hội",
    "member": "Hội viên",
    "criteria_set": "Bộ tiêu chí",
    "cycle_year": "Năm chu kỳ",
    "registration": "Đăng ký",
    "assessment": "Đánh giá",
    "recognition_decision": "Quyết định công nhận",
    "recognition": "Công nhận",
    "fund_entry": "Sổ quỹ",
    "fund_programme": "Chương trình học bổng",
    "award": "Học bổng, khen thưởng",
    "dues_payment": "Hội phí",
    "activity": "Hoạt động",
    "activity_participant": "Người tham gia",
    "account": "Tài khoản",
    "demo": "Xã mẫu",
}
DEFAULT_LIMIT = 5_000


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    entity: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    limit: int = DEFAULT_LIMIT


@dataclass(frozen=True)
class AuditView:
    id: int
    at: dt.datetime
    actor: str
    action: str
    entity: str
    row_id: int | None
    row_uuid: str
    changes: dict[str, list[Any]]
    summary: str

    @property
    def what(self) -> str:
        """ "Tên: Thôn Đông → Thôn Đông Hòa; …" or the summary of a bulk row."""
        if self.summary:
            return self.summary
        if self.action == "insert":
            shown = [f"{k}: {_text(v[1])}" for k, v in self.changes.items()][:8]
            return "; ".join(shown)
        return "; ".join(f"{k}: {_text(v[0])} → {_text(v[1])}" for k, v in self.changes.items())

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(sep=" "),
            "actor": self.actor,
            "action": self.action,
            "entity": self.entity,
            "row_id": self.row_id,
            "row_uuid": self.row_uuid,
            "changes": self.changes,
            "summary": self.summary,
        }


def _text(value: Any, limit: int = 80) -> str:
    if value is None or value == "":
        return "—"
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def entries(db: Database, flt: AuditFilter | None = None) -> list[AuditView]:
    """The newest rows first, filtered (dates are UTC days, inclusive)."""
    flt = flt or AuditFilter()
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(flt.limit)
    if flt.actor:
        stmt = stmt.where(AuditEntry.actor == flt.actor)
    if flt.entity:
        stmt = stmt.where(AuditEntry.entity == flt.entity)
    if flt.date_from:
        stmt = stmt.where(AuditEntry.at >= dt.datetime.combine(flt.date_from, dt.time()))
    if flt.date_to:
        end = dt.datetime.combine(flt.date_to + dt.timedelta(days=1), dt.time())
        stmt = stmt.where(AuditEntry.at < end)
    with db.session() as s:
        return [
            AuditView(
                e.id,
                e.at,
                e.actor,
                e.action,
                e.entity,
                e.row_id,
                e.row_uuid,
                json.loads(e.changes) if e.changes else {},
                e.summary,
            )
            for e in s.scalars(stmt)
        ]


def actors(db: Database) -> list[str]:
    with db.session() as s:
        return sorted(s.scalars(select(AuditEntry.actor).distinct()))


def entity_names(db: Database) -> list[str]:
    with db.session() as s:
        return sorted(s.scalars(select(AuditEntry.entity).distinct()))


def verify(db: Database) -> chain.ChainReport:
    """Check the whole chain (read only)."""
    with db.connect() as conn:
        return chain.verify(conn)


def export_xlsx(db: Database, rows: list[AuditView], out: Path) -> int:
    """The rows as a workbook under the association's heading; returns the row count."""
    from app.core import settings
    from app.core.printing.xlsx import ListWorkbook, write_list_workbook

    info = settings.get_commune(db)
    spec = ListWorkbook(
        sheet="Nhật ký",
        issuer=(info.association_name if info else "", info.name if info else ""),
        title="NHẬT KÝ THAY ĐỔI DỮ LIỆU",
        subtitle=f"Xuất ngày {dt.date.today():%d/%m/%Y}, {len(rows)} dòng",
        columns=["Thời gian (UTC)", "Người làm", "Việc", "Sổ", "Mã", "Nội dung"],
    )
    body = [
        [
            r.at.strftime("%d/%m/%Y %H:%M:%S"),
            r.actor,
            ACTION_LABELS.get(r.action, r.action),
            ENTITY_LABELS.get(r.entity, r.entity),
            r.row_id,
            r.what,
        ]
        for r in rows
    ]
    return write_list_workbook(out, spec, body, total=len(body))
