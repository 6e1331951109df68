# ruff: noqa: F811  (pytest fixtures imported from test_sync_fixtures)
"""Rates against targets at the province, computed from the records the communes sent:
they must equal what each commune's own dashboard shows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from app.core.assessment import targets
from app.core.errors import UserError
from app.core.sync import rates
from tests.integration.test_sync_fixtures import (  # noqa: F401  (fixtures)
    Commune,
    Province,
    make_commune,
    province,
)


@pytest.fixture
def two_communes(
    province: Province, make_commune: Callable[..., Commune]
) -> tuple[Commune, Commune]:
    first = make_commune(households=40, name="xa-mot")
    second = make_commune(code="00004", name="xa-hai")  # two hamlets, nothing else
    assert first.db.commune_code != second.db.commune_code
    for commune in (first, second):
        [outcome] = province.import_(commune.export().file)
        assert outcome.status == "applied", outcome.reason
    return first, second


def test_each_communes_rates_equal_its_own_dashboard(
    province: Province, two_communes: tuple[Commune, Commune]
) -> None:
    first, _second = two_communes
    years = rates.held_years(province.db)
    assert years, "the demo commune has yearly cycles"
    report = rates.rates(province.db, years[-1], profile_code="qd281")
    own = targets.target_report(first.db, years[-1], "qd281")
    held = report.communes[first.db.commune_code]
    for model, figures in own.models.items():
        got = held.models[model]
        assert (got.total, got.registered, got.recognised, got.denominator) == (
            figures.total,
            figures.registered,
            figures.recognised,
            figures.denominator,
        ), model
        assert got.rate == pytest.approx(figures.rate) and got.target == figures.target
    assert (held.members, held.population) == (own.members.members, own.members.population)
    assert held.members_target == 0.25


def test_the_province_line_adds_the_communes_up(
    province: Province, two_communes: tuple[Commune, Commune]
) -> None:
    report = rates.rates(province.db)
    assert report.year == rates.held_years(province.db)[-1]
    family = [c.models["learning_family"] for c in report.communes.values()]
    total = report.province.models["learning_family"]
    assert total.recognised == sum(f.recognised for f in family)
    assert total.denominator == sum(f.denominator for f in family) > 0
    assert total.rate == pytest.approx(total.recognised / total.denominator)
    assert report.province.population == sum(c.population for c in report.communes.values())


def test_a_registered_basis_divides_by_registrations(
    province: Province, two_communes: tuple[Commune, Commune]
) -> None:
    difficult = next(
        p for p in targets.builtin_profiles() if "registered" in p.denominators.values()
    )
    model = next(m for m, basis in difficult.denominators.items() if basis == "registered")
    report = rates.rates(province.db, profile_code=difficult.code)
    for c in report.communes.values():
        assert c.models[model].denominator == c.models[model].registered
    with pytest.raises(UserError, match="Không có bộ chỉ tiêu"):
        rates.rates(province.db, profile_code="khong-co")


def test_no_records_gives_no_rate_rather_than_zero(province: Province) -> None:
    report = rates.rates(province.db, 2025)
    assert report.communes == {}
    assert report.province.models["learning_family"].rate is None
    assert rates.percent(None) == "—" and rates.percent(0.725) == "72,5%"


def test_the_workbook_shows_rates_beside_targets(
    province: Province, two_communes: tuple[Commune, Commune], tmp_path: Path
) -> None:
    report = rates.rates(province.db, profile_code="qd281")
    path = rates.export_consolidation_xlsx(province.db, tmp_path / "tong hop.xlsx", report)
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert report.profile_title in rows[0][0] and str(report.year) in rows[0][0]
    header = list(rows[1])
    assert header[0] == "Mã xã" and "Gia đình học tập: công nhận" in header
    codes = [r[0] for r in rows[2:]]
    assert codes == [*sorted(report.communes), "Toàn tỉnh"]
    at = header.index("Gia đình học tập: công nhận")
    first = report.communes[codes[0]].models["learning_family"]
    assert rows[2][at] == f"{first.recognised}/{first.denominator}"
    assert rows[2][at + 1] == pytest.approx(first.rate) and rows[2][at + 2] == 0.7
    records = header.index("Số bản ghi: Hộ gia đình")
    assert rows[-1][records] == sum(
        c.models["learning_family"].total for c in report.communes.values()
    )
