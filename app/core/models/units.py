"""Units (đơn vị): schools, agencies, enterprises, armed forces units …"""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models.base import Base, SyncMixin


class UnitKind(enum.StrEnum):
    SCHOOL = "school"
    AGENCY = "agency"
    ENTERPRISE = "enterprise"
    COOPERATIVE = "cooperative"
    HEALTH = "health"
    ARMED_FORCES = "armed_forces"
    OTHER = "other"

    @property
    def label(self) -> str:
        return UNIT_KIND_LABELS[self]


UNIT_KIND_LABELS = {
    UnitKind.SCHOOL: "Trường học",
    UnitKind.AGENCY: "Cơ quan",
    UnitKind.ENTERPRISE: "Doanh nghiệp",
    UnitKind.COOPERATIVE: "Hợp tác xã",
    UnitKind.HEALTH: "Cơ sở y tế",
    UnitKind.ARMED_FORCES: "Lực lượng vũ trang",
    UnitKind.OTHER: "Khác",
}


class Unit(SyncMixin, Base):
    __tablename__ = "unit"

    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default=UnitKind.AGENCY.value)
    hamlet_id: Mapped[int | None] = mapped_column(ForeignKey("hamlet.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    head_name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))
    staff_count: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text, default="")
    sort_key: Mapped[str] = mapped_column(String(400), default="", index=True)
