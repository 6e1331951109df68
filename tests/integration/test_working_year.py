"""Screens open on the year that has figures: this year once its cycle has begun."""

from __future__ import annotations

import datetime as dt

from app.core.assessment import cycle
from app.core.db import Database
from app.core.registry import households as hh
from app.core.registry.people import PersonInput
from tests.registry_helpers import default_hamlet

TODAY = dt.date(2026, 11, 25)


def test_an_empty_commune_opens_on_this_year(db: Database) -> None:
    assert cycle.working_year(db, TODAY) == 2026


def test_last_years_cycle_is_shown_until_this_years_begins(db: Database) -> None:
    household = hh.create_household(
        db, hh.HouseholdInput(hamlet_id=default_hamlet(db)), [PersonInput("Vũ Văn Toàn")]
    )
    cycle.register(db, 2025, "learning_family", [household])
    assert cycle.working_year(db, TODAY) == 2025
    cycle.register(db, 2026, "learning_family", [household])
    assert cycle.working_year(db, TODAY) == 2026


def test_a_future_registration_does_not_move_the_screens_ahead(db: Database) -> None:
    household = hh.create_household(
        db, hh.HouseholdInput(hamlet_id=default_hamlet(db)), [PersonInput("Vũ Thị Hạnh")]
    )
    cycle.register(db, 2027, "learning_family", [household])
    assert cycle.working_year(db, TODAY) == 2026
