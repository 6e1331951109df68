"""Counts per entity and the figures the province asks for (members per population)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select

from app.core.db import Database
from app.core.models import Branch, Clan, Hamlet, Household, Member, Person, Unit


@dataclass(frozen=True)
class RegistryStats:
    hamlets: int
    households: int
    people: int
    members: int
    clans: int
    units: int
    branches: int
    members_active: int
    members_paid_this_year: int
    members_share_of_population: float  # active members / people, 0..1

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["members_share_of_population"] = round(self.members_share_of_population, 4)
        return data


def registry_stats(db: Database, today: dt.date | None = None) -> RegistryStats:
    year = (today or dt.date.today()).year

    def live(model: Any) -> Any:
        return (
            select(func.count())
            .select_from(model)
            .where(model.deleted.is_(False))
            .scalar_subquery()
        )

    stmt = select(
        live(Hamlet),
        live(Household),
        live(Person),
        live(Member),
        live(Clan),
        live(Unit),
        live(Branch),
        select(func.count())
        .select_from(Member)
        .where(Member.deleted.is_(False), Member.leave_date.is_(None))
        .scalar_subquery(),
        select(func.count())
        .select_from(Member)
        .where(
            Member.deleted.is_(False), Member.leave_date.is_(None), Member.dues_paid_year >= year
        )
        .scalar_subquery(),
    )
    with db.connect() as conn:
        row = conn.execute(stmt).one()
    hamlets, households, people, members, clans, units, branches, active, paid = (
        int(v) for v in row
    )
    return RegistryStats(
        hamlets=hamlets,
        households=households,
        people=people,
        members=members,
        clans=clans,
        units=units,
        branches=branches,
        members_active=active,
        members_paid_this_year=paid,
        members_share_of_population=(active / people) if people else 0.0,
    )
