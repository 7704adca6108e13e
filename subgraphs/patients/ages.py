"""Ages in whole years, in the configured time zone; a 29 February birthday counts from 1 March
in common years (the person has not yet had their birthday on 28 February)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

__all__ = ["AGE_BANDS", "age_on", "band_of", "latest_birth_date", "today_in"]

#: Statistics age bands: (label, lowest age, highest age or None).
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-17", 0, 17),
    ("18-29", 18, 29),
    ("30-44", 30, 44),
    ("45-59", 45, 59),
    ("60-74", 60, 74),
    ("75+", 75, None),
)


def today_in(zone: str, now: datetime | None = None) -> date:
    """Today's date where the server says it is (not the host's zone, not UTC by accident)."""
    tz = ZoneInfo(zone)
    return (now.astimezone(tz) if now is not None else datetime.now(tz)).date()


def age_on(born: date, today: date) -> int:
    """Completed years on `today`."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def latest_birth_date(today: date, years: int) -> date:
    """The last birth date of someone at least `years` old on `today`.

    age_on(b, today) >= years  ⇔  b <= latest_birth_date(today, years); on 29 February the
    same day `years` back may not exist, and 28 February is then the last qualifying day."""
    year = today.year - years
    try:
        return today.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def band_of(age: int) -> str:
    for label, low, high in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return label
    return AGE_BANDS[0][0]
