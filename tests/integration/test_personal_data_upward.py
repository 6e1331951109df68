# ruff: noqa: F811  (pytest fixtures imported from test_sync_fixtures)
"""Personal data upward: the minimum by default, more only if asked for and agreed to.

The upward bundle of a generated commune carries no ID number, phone, address,
full birth date, household circumstance, occupation, school results or notes by
default — and the province's consolidation still computes every rate from it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from app.cli import main
from app.core.errors import ValidationError
from app.core.sync import bundle, policy, rates, state, upper
from tests.integration.test_sync_fixtures import (  # noqa: F401  (fixtures)
    Commune,
    Province,
    make_commune,
    province,
)

WITHHELD_BY_DEFAULT = {
    "person": {"id_number", "phone", "birth_date", "occupation", "school_level", "note"},
    "household": {"phone", "address", "circumstance", "note"},
    "award": {"school_level", "school_class", "level", "reason"},
    "assessment": {"item_values", "evidence", "note"},
}


def _headers(path: Path, province: Province) -> dict[str, set[str]]:
    """Field names per entity in the bundle, as the province decrypts them."""
    import zlib

    import pyrage

    from app.core.sync import keys

    parsed = bundle.parse(path.read_bytes())
    identity = keys.age_identity(province.data_dir)
    found: dict[str, set[str]] = {}
    for part in parsed.manifest["parts"]:
        cipher = parsed.parts[part["name"]]
        raw = zlib.decompress(pyrage.decrypt(cipher, [identity]))  # type: ignore[list-item]
        lines = raw.decode().splitlines()
        if lines:  # an entity without records in this bundle has an empty part
            found[part["entity"]] = set(json.loads(lines[0]))
    return found


@pytest.fixture
def demo_commune(make_commune: Callable[..., Commune]) -> Commune:
    return make_commune(households=60)


def test_the_default_bundle_of_a_generated_commune_carries_no_personal_fields(
    province: Province, demo_commune: Commune
) -> None:
    result = demo_commune.export()
    headers = _headers(result.file, province)
    # A small demo has no awards yet; the others have records to look at.
    assert set(WITHHELD_BY_DEFAULT) - {"award"} <= set(headers)
    assert WITHHELD_BY_DEFAULT["award"] <= policy.withheld_fields(set())["award"]
    for entity, fields in WITHHELD_BY_DEFAULT.items():
        sent = headers.get(entity, set())
        assert not (sent & fields), (entity, sent & fields)
    assert {"full_name", "birth_year", "gender"} <= headers["person"]
    assert bundle.parse(result.file.read_bytes()).manifest["personal_fields"] == "omitted"
    body = result.file.read_bytes()
    with demo_commune.db.connect() as conn:
        phones = [p for (p,) in conn.exec_driver_sql("SELECT phone FROM person") if p]
    assert phones, "the demo has phones to leave out"
    assert all(p.encode() not in body for p in phones[:50])

    # What the province computes from the records still works from the minimum.
    [outcome] = province.import_(result.file)
    assert outcome.status == "applied", outcome.reason
    people = province.records("person")
    assert all("id_number" not in d and "phone" not in d for _r, _x, d in people.values())
    report = rates.rates(province.db, 2025)
    mine = report.communes[demo_commune.db.commune_code]
    with demo_commune.db.connect() as conn:
        live = conn.exec_driver_sql("SELECT count(*) FROM person WHERE deleted = 0").scalar()
    assert mine.population == live
    assert mine.members > 0
    assert mine.models["learning_family"].recognised > 0


def test_a_category_goes_only_when_asked_for_and_agreed_to(
    province: Province, demo_commune: Commune, tmp_path: Path
) -> None:
    db = demo_commune.db
    policy.set_agreed(db, ["phone", "notes"])
    agreed_only = _headers(demo_commune.export(full=True).file, province)
    assert "phone" not in agreed_only["person"] and "note" not in agreed_only["household"]

    asked, _v = upper.write_new_config_package(
        province.db, tmp_path / "goi", personal_fields=["phone", "school"]
    )
    state.load_config_package(db, asked)
    states = {c.key: c for c in policy.describe(db)}
    assert states["phone"].sent and not states["school"].sent and not states["notes"].sent
    both = _headers(demo_commune.export(full=True).file, province)
    assert "phone" in both["person"] and "phone" in both["household"]
    assert "school_level" not in both["person"]  # asked, not agreed
    assert "note" not in both["person"]  # agreed, not asked
    assert "id_number" not in both["person"]
    with pytest.raises(ValidationError, match="không có"):
        policy.set_agreed(db, ["cccd"])


def test_the_cli_shows_and_records_the_commune_s_agreement(
    demo_commune: Commune, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = str(demo_commune.data_dir)
    assert main(["--data-dir", folder, "privacy", "agree", "--categories", "phone", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    phone = next(c for c in shown["categories"] if c["key"] == "phone")
    assert phone["agreed"] and not phone["requested"] and not phone["sent"]
    assert shown["sent"] == []
    assert "person.phone" in phone["fields"]
    assert main(["--data-dir", folder, "privacy", "agree", "--none", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sent"] == []
