"""China's working days, as the ledger publishes them (``calendar.publish``).

A year's calendar is what the State Council announces each winter (国务院办公厅关于部分节假日安排的
通知): the holidays, and the weekend days that are worked instead (调休). A day works if it is an
adjusted workday, or a weekday that is not a holiday. The rules and the effects count a public
notice's working days with the calendars posted in the ledger, so that the ledger itself says what
they relied on, and replay and the nightly run count with the same ones; a year no calendar has been
posted for cannot be counted (the office posts it first).

``chinese-calendar`` (pinned) only seeds the ledger: :func:`package_calendar` gives the body of a
``calendar.publish`` for a year it knows (2004–2026 in 1.11.0); a later year is posted from the
State Council's notice by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Callable

__all__ = ["WorkingDays", "add_working_days", "package_calendar"]


@dataclass(frozen=True, slots=True)
class WorkingDays:
    """One year's calendar.

    Attributes:
      year: the year it covers.
      holidays: the days off that are holidays (weekend days among them change nothing).
      workdays: the weekend days that are worked (调休).
    """

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]

    def works(self, day: date) -> bool:
        return day in self.workdays or (day.weekday() < 5 and day not in self.holidays)


def add_working_days(start: date, days: int, calendar: Callable[[int], WorkingDays | None]) -> date:
    """The date of the ``days``-th working day counting ``start`` itself if it is one, with the
    calendar of each year the count passes through (``calendar(year)``).

    Raises LookupError naming the first year no calendar covers.
    """
    day, counted, year = start, 0, None
    while True:
        if day.year != year:
            year, known = day.year, calendar(day.year)
            if known is None:
                raise LookupError(f"no working-day calendar for {year} is published in the ledger: "
                                  f"post calendar.publish for {year} first")
        if known.works(day):
            counted += 1
            if counted == days:
                return day
        day += timedelta(days=1)


def package_calendar(year: int) -> dict[str, Any]:
    """The body of a ``calendar.publish`` of ``year`` from ``chinese-calendar`` (version 1). Raises
    LookupError for a year the installed release does not know."""
    from importlib.metadata import version

    from chinese_calendar import constants

    holidays = sorted(d for d in constants.holidays if d.year == year)
    workdays = sorted(d for d in constants.workdays if d.year == year)
    if not holidays:
        raise LookupError(f"chinese-calendar {version('chinese-calendar')} does not know {year}: "
                          "post its calendar from the State Council's notice")
    return {"year": year, "version": 1, "holidays": [d.isoformat() for d in holidays],
            "workdays": [d.isoformat() for d in workdays],
            "document": f"国务院办公厅关于{year}年部分节假日安排的通知 (chinese-calendar {version('chinese-calendar')})"}
