"""Dates as secretaries type them: full dates in several spellings, or a year alone."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core.dates import MIN_YEAR, PartialDate, check_birth, parse_partial_date
from app.core.errors import ValidationError

TODAY = dt.date(2025, 11, 25)


def parse(text: str | None) -> PartialDate | None:
    return parse_partial_date(text, today=TODAY)


class TestParse:
    @pytest.mark.parametrize(
        "typed",
        ["12/3/1980", "12/03/1980", "12-03-80", "12.03.1980", "1980-03-12", " 12/3/1980 "],
    )
    def test_reads_the_common_spellings_of_a_full_date(self, typed: str) -> None:
        parsed = parse(typed)
        assert parsed == PartialDate(1980, dt.date(1980, 3, 12))
        assert parsed is not None
        assert not parsed.year_only
        assert parsed.display() == "12/03/1980"

    def test_a_year_alone_stays_a_year_alone(self) -> None:
        parsed = parse("1980")
        assert parsed == PartialDate(1980)
        assert parsed is not None
        assert parsed.year_only
        assert parsed.date is None  # never silently 1 January
        assert parsed.display() == "1980"
        assert str(parsed) == "1980"

    def test_two_digit_years_never_land_in_the_future(self) -> None:
        assert parse("1/1/25") == PartialDate.of(dt.date(2025, 1, 1))
        assert parse("1/1/26") == PartialDate.of(dt.date(1926, 1, 1))

    @pytest.mark.parametrize("typed", ["", "   ", None])
    def test_nothing_typed_means_no_date(self, typed: str | None) -> None:
        assert parse(typed) is None

    @pytest.mark.parametrize(
        "typed", ["31/02/2000", "29/02/2023", "00/01/1990", "12/13/1980", "1980-02-30"]
    )
    def test_a_date_that_does_not_exist_is_refused_in_vietnamese(self, typed: str) -> None:
        with pytest.raises(ValidationError) as err:
            parse(typed)
        assert err.value.message == f"Ngày “{typed}” không tồn tại."

    @pytest.mark.parametrize("typed", ["hôm qua", "12/3", "1980/03/12", "12 3 1980", "19800"])
    def test_text_that_is_not_a_date_is_refused_in_vietnamese(self, typed: str) -> None:
        with pytest.raises(ValidationError) as err:
            parse(typed)
        assert "không phải là ngày hợp lệ" in err.value.message
        assert "dd/mm/yyyy" in err.value.message

    def test_leap_day_is_accepted(self) -> None:
        assert parse("29/02/2000") == PartialDate.of(dt.date(2000, 2, 29))


class TestPartialDate:
    def test_from_columns_prefers_the_full_date(self) -> None:
        assert PartialDate.from_columns(dt.date(1980, 3, 12), 1980) == PartialDate(
            1980, dt.date(1980, 3, 12)
        )
        assert PartialDate.from_columns(None, 1980) == PartialDate(1980)
        assert PartialDate.from_columns(None, None) is None


class TestCheckBirth:
    def test_accepts_today_and_the_past(self) -> None:
        check_birth(PartialDate.of(TODAY), today=TODAY)
        check_birth(PartialDate(MIN_YEAR), today=TODAY)
        check_birth(None, today=TODAY)

    @pytest.mark.parametrize(
        "birth",
        [PartialDate.of(TODAY + dt.timedelta(days=1)), PartialDate(TODAY.year + 1)],
    )
    def test_refuses_a_birth_in_the_future(self, birth: PartialDate) -> None:
        with pytest.raises(ValidationError) as err:
            check_birth(birth, today=TODAY)
        assert "tương lai" in err.value.message
        assert err.value.field == "birth"

    def test_refuses_years_before_1890(self) -> None:
        with pytest.raises(ValidationError) as err:
            check_birth(PartialDate(1889), today=TODAY)
        assert err.value.message == "Năm sinh 1889 không hợp lý."
        assert err.value.field == "birth"


def test_a_day_typed_on_the_command_line_is_dd_mm_yyyy_or_iso_and_nothing_else() -> None:
    import datetime as dt

    import pytest

    from app.core.dates import parse_day
    from app.core.errors import ValidationError

    assert parse_day("05/09/2026") == dt.date(2026, 9, 5)
    assert parse_day("2026-09-05") == dt.date(2026, 9, 5)
    assert parse_day("") is None and parse_day(None) is None
    with pytest.raises(ValidationError, match="dd/mm/yyyy"):
        parse_day("31/02/2026")
