"""Household circumstances (hoàn cảnh): stored on the household, set by the service,
read from a spreadsheet's "Hoàn cảnh" column, exported as its label, filled by the demo,
and kept valid for households written before the column existed."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from app import paths
from app.core.db import Database
from app.core.errors import ValidationError
from app.core.io.export import export_list
from app.core.io.importer import import_file, plan_import
from app.core.io.values import as_circumstance
from app.core.models import Household
from app.core.models.households import CIRCUMSTANCE_LABELS, Circumstance
from app.core.registry.hamlets import HamletInput, create_hamlet
from app.core.registry.households import (
    HouseholdInput,
    create_household,
    get_household_card,
    update_household,
)
from app.core.registry.listing import LISTINGS, ListQuery
from app.core.registry.people import PersonInput
from tests.conftest import nfd
from tests.integration.test_sync_fixtures import (  # noqa: F401  (fixtures)
    make_commune,
    province,
)
from tests.registry_helpers import default_hamlet

HEADER = ["STT", "Họ và tên", "Năm sinh", "Quan hệ với chủ hộ", "Hoàn cảnh"]


def _household(db: Database, name: str, circumstance: str = "") -> int:
    return create_household(
        db,
        HouseholdInput(hamlet_id=default_hamlet(db), circumstance=circumstance),
        [PersonInput(name, "M", "1975", "Chủ hộ")],
    )


def _circumstances(db: Database) -> dict[str, str]:
    with db.session() as s:
        rows = s.execute(select(Household.head_name, Household.circumstance)).all()
    return {name: value for name, value in rows}


def _book(path: Path, rows: list[list[Any]]) -> Path:
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = "Thôn Đông"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    wb.save(path)
    return path


# --- the service ---------------------------------------------------------------------


def test_a_new_household_is_ordinary_unless_told_otherwise(db: Database) -> None:
    ordinary = _household(db, "Nguyễn Văn An")
    poor = _household(db, "Trần Văn Bình", Circumstance.POOR.value)
    assert get_household_card(db, ordinary).circumstance == ""
    assert get_household_card(db, poor).circumstance == "poor"


def test_editing_the_household_changes_its_circumstances(db: Database) -> None:
    hid = _household(db, "Lê Văn Cường", "near_poor")
    update_household(db, hid, HouseholdInput(hamlet_id=default_hamlet(db), circumstance="policy"))
    assert get_household_card(db, hid).circumstance == "policy"
    update_household(db, hid, HouseholdInput(hamlet_id=default_hamlet(db)))
    assert get_household_card(db, hid).circumstance == ""


def test_an_unknown_circumstance_is_refused_and_nothing_is_saved(db: Database) -> None:
    with pytest.raises(ValidationError) as err:
        _household(db, "Phạm Văn Dũng", "rich")
    assert err.value.field == "circumstance"
    assert "Hộ nghèo" in err.value.message and "“rich”" in err.value.message
    assert _circumstances(db) == {}


def test_every_circumstance_has_a_vietnamese_label() -> None:
    assert set(CIRCUMSTANCE_LABELS) == set(Circumstance)
    assert Circumstance.NEAR_POOR.label == "Hộ cận nghèo"


# --- households written before the column existed ----------------------------------


def test_households_of_an_older_schema_become_ordinary(tmp_path: Path) -> None:
    path = tmp_path / "cu.sqlite3"
    cfg = Config()
    cfg.set_main_option("script_location", str(paths.migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", f"sqlite:///{path}")
    command.upgrade(cfg, "0007_proposals")
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO household (id, uuid, commune_code, created_at, updated_at, revision,"
        " deleted, change_seq, head_name, search_text, sort_key)"
        " VALUES (1, 'u-1', '00004', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1, 0, 1,"
        " 'Đỗ Văn Em', '', '')"
    )
    conn.commit()
    conn.close()
    command.upgrade(cfg, "head")
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT circumstance FROM household").fetchall() == [("",)]
    finally:
        conn.close()
    command.downgrade(cfg, "0007_proposals")  # and back, for a release rolled back


# --- spreadsheet import -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Hộ nghèo", "poor"),
        ("HỘ NGHÈO", "poor"),
        ("ho ngheo", "poor"),
        (nfd("Hộ cận nghèo"), "near_poor"),
        ("cận nghèo", "near_poor"),
        ("Gia đình chính sách", "policy"),
        ("GĐ chính sách", "policy"),
        ("Hoàn cảnh khó khăn", "difficult"),
        ("khó khăn", "difficult"),
        ("Bình thường", ""),
        ("near_poor", "near_poor"),
        ("   ", None),
        (None, None),
    ],
)
def test_circumstance_cells_in_the_words_secretaries_write(cell: Any, expected: Any) -> None:
    assert as_circumstance(cell) == expected


def test_an_unknown_circumstance_cell_is_explained() -> None:
    with pytest.raises(ValidationError) as err:
        as_circumstance("Hộ giàu")
    assert "Hoàn cảnh “Hộ giàu” không rõ" in err.value.message
    assert "Hộ cận nghèo" in err.value.message


def test_import_reads_the_column_and_an_unknown_value_is_a_warning_kept_in_the_note(
    db: Database, tmp_path: Path
) -> None:
    path = _book(
        tmp_path / "ho.xlsx",
        [
            [1, "Nguyễn Văn An", 1970, "Chủ hộ", "Hộ nghèo"],
            [2, "Trần Thị Bình", 1972, "Vợ", None],
            [3, "Lê Văn Cường", 1965, "Chủ hộ", nfd("cận nghèo")],
            [4, "Phạm Văn Dũng", 1980, "Chủ hộ", "Hộ khá giả"],
            [5, "Hoàng Văn Em", 1990, "Chủ hộ", None],
        ],
    )
    plan = plan_import(db, path, "households")
    assert plan.rejected == []  # Phạm Văn Dũng's household is imported all the same
    [warning] = plan.warnings
    assert (warning.row, warning.value) == (5, "Hộ khá giả")
    assert "Hoàn cảnh “Hộ khá giả” không rõ" in warning.reason
    import_file(db, path, "households")
    assert _circumstances(db) == {
        "Nguyễn Văn An": "poor",
        "Lê Văn Cường": "near_poor",
        "Phạm Văn Dũng": "",
        "Hoàng Văn Em": "",
    }
    conn = sqlite3.connect(db.path)
    try:
        note = conn.execute(
            "SELECT note FROM household WHERE head_name = 'Phạm Văn Dũng'"
        ).fetchone()[0]
    finally:
        conn.close()
    assert note == "Hoàn cảnh: Hộ khá giả"
    assert plan_import(db, path, "households").changes == 0  # importing it again: no-op


def test_import_updates_the_circumstances_of_a_known_household_and_keeps_blank_cells(
    db: Database, tmp_path: Path
) -> None:
    hamlet = create_hamlet(db, HamletInput("Thôn Đông"))
    for name, value in (("Nguyễn Văn An", "poor"), ("Lê Văn Cường", "policy")):
        create_household(
            db,
            HouseholdInput(hamlet_id=hamlet, circumstance=value),
            [PersonInput(name, "M", "1970", "Chủ hộ")],
        )
    path = _book(
        tmp_path / "ho.xlsx",
        [
            [1, "Nguyễn Văn An", 1970, "Chủ hộ", "Bình thường"],  # out of poverty
            [2, "Lê Văn Cường", 1970, "Chủ hộ", None],  # blank: left as it is
        ],
    )
    plan = import_file(db, path, "households")
    assert plan.rejected == []
    assert _circumstances(db) == {"Nguyễn Văn An": "", "Lê Văn Cường": "policy"}


# --- export and the household list ---------------------------------------------------


def test_the_household_list_shows_and_filters_and_exports_the_label(
    db: Database, tmp_path: Path
) -> None:
    _household(db, "Nguyễn Văn An", "poor")
    _household(db, "Trần Văn Bình")
    listing = LISTINGS["households"]
    poor = listing.fetch_all(db, ListQuery(filters={"circumstance": "poor"}))
    assert [row[0] for row in poor] == ["Nguyễn Văn An"]
    result = export_list(db, "households", tmp_path / "ho.xlsx")
    sheet = load_workbook(result.path).active
    assert sheet is not None
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    header = next(row for row in values if "Hoàn cảnh" in row)
    column = header.index("Hoàn cảnh")
    by_head = {
        row[header.index("Chủ hộ")]: row[column] for row in values[values.index(header) + 1 :]
    }
    assert by_head["Nguyễn Văn An"] == "Hộ nghèo"
    assert by_head["Trần Văn Bình"] is None  # an ordinary household: blank


def test_every_exported_label_imports_back() -> None:
    """The label the export writes is one the import reads."""
    for c in Circumstance:
        assert as_circumstance(CIRCUMSTANCE_LABELS[c]) == c.value


# --- the demo commune ----------------------------------------------------------------


def test_the_demo_marks_a_realistic_share_of_households(db: Database) -> None:
    from app.core.demo import populate_demo

    populate_demo(db, households=3000, seed=7)
    values = list(_circumstances_all(db))
    share = {c: values.count(c.value) / len(values) for c in Circumstance}
    assert 0.02 <= share[Circumstance.POOR] <= 0.04
    assert 0.04 <= share[Circumstance.NEAR_POOR] <= 0.06
    assert 0.01 <= share[Circumstance.POLICY] <= 0.03
    assert share[Circumstance.NORMAL] >= 0.85


def _circumstances_all(db: Database) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(Household.circumstance)))


# --- upward sync ---------------------------------------------------------------------


def test_a_poor_household_arrives_poor_at_the_province_only_if_asked_and_agreed(
    province: Any,  # noqa: F811
    make_commune: Callable[..., Any],  # noqa: F811
) -> None:
    # Poverty status is personal: it goes up only when the province's package asks for
    # it and the commune agrees (app/core/sync/policy.py); by default it stays home.
    from app.core.sync import policy, state, upper

    commune = make_commune()
    _household(commune.db, "Ngô Thị Giang", "poor")
    [outcome] = province.import_(commune.export().file)
    assert outcome.status == "applied", outcome.reason
    records = [data for _rev, _deleted, data in province.records("household").values()]
    assert [(d["head_name"], "circumstance" in d) for d in records] == [("Ngô Thị Giang", False)]
    asked, _v = upper.write_new_config_package(
        province.db, commune.data_dir.parent / "goi-2", personal_fields=["circumstance"]
    )
    state.load_config_package(commune.db, asked)
    policy.set_agreed(commune.db, ["circumstance"])
    _household(commune.db, "Lê Văn Bảo", "near_poor")
    [outcome] = province.import_(commune.export().file)
    assert outcome.status == "applied", outcome.reason
    records = [data for _rev, _deleted, data in province.records("household").values()]
    assert ("Lê Văn Bảo", "near_poor") in [(d["head_name"], d.get("circumstance")) for d in records]
