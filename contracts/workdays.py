"""China's working days, including the adjusted weekend workdays (调休), from ``chinese-calendar``."""

from __future__ import annotations

from datetime import date, timedelta

__all__ = ["add_working_days"]


def add_working_days(start: date, days: int) -> date:
    """The date of the ``days``-th working day counting ``start`` itself if it is one.

    Raises LookupError where the calendar does not know the year (chinese-calendar covers the
    years the State Council has published).
    """
    import chinese_calendar

    day, counted = start, 0
    while True:
        try:
            working = chinese_calendar.is_workday(day)
        except NotImplementedError:
            raise LookupError(f"the working-day calendar does not cover {day.year}") from None
        if working:
            counted += 1
            if counted == days:
                return day
        day += timedelta(days=1)
