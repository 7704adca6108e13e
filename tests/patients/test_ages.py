"""Ages: birthdays, 29 February, the configured time zone, and the SQL cut-offs agree."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from subgraphs.patients.ages import age_on, band_of, latest_birth_date, today_in


def test_birthday_counts_on_the_day() -> None:
    assert age_on(date(1990, 6, 15), date(2020, 6, 14)) == 29
    assert age_on(date(1990, 6, 15), date(2020, 6, 15)) == 30


def test_leap_day_birthday_turns_on_first_of_march_in_common_years() -> None:
    born = date(2000, 2, 29)
    assert age_on(born, date(2023, 2, 28)) == 22
    assert age_on(born, date(2023, 3, 1)) == 23
    assert age_on(born, date(2024, 2, 28)) == 23
    assert age_on(born, date(2024, 2, 29)) == 24


def test_latest_birth_date_on_leap_day() -> None:
    assert latest_birth_date(date(2024, 2, 29), 1) == date(2023, 2, 28)
    assert latest_birth_date(date(2024, 2, 29), 4) == date(2020, 2, 29)


def test_today_follows_the_configured_zone() -> None:
    instant = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)  # still 31 Dec in Mexico City
    assert today_in("UTC", instant) == date(2026, 1, 1)
    assert today_in("America/Mexico_City", instant) == date(2025, 12, 31)
    assert today_in("Asia/Tokyo", instant - timedelta(hours=10)) == date(2026, 1, 1)


@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)),
    today=st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)),
    years=st.integers(min_value=0, max_value=130),
)
def test_cutoff_matches_age(born: date, today: date, years: int) -> None:
    """The SQL filter (born <= cut-off) selects exactly those at least `years` old."""
    if born > today or today.year - years < 1:
        return
    assert (age_on(born, today) >= years) == (born <= latest_birth_date(today, years))


def test_bands() -> None:
    assert [band_of(a) for a in (0, 17, 18, 29, 30, 44, 45, 59, 60, 74, 75, 110)] == [
        "0-17", "0-17", "18-29", "18-29", "30-44", "30-44", "45-59", "45-59", "60-74", "60-74",
        "75+", "75+",
    ]  # fmt: skip
