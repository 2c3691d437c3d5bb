"""Time from one injectable source, so day logic is tested with a fake clock."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class Clock:
    """The real clock. now() is timezone-aware local time."""

    def now(self) -> datetime:
        return datetime.now().astimezone()

    def utcnow(self) -> datetime:
        return self.now().astimezone(UTC)

    def refresh_zone(self) -> bool:
        """Follow a change of the system time zone while running; True if it changed.

        The C library reads the zone once; tzset() reads it again (Unix). On Windows
        the zone in force at start stays until the app restarts.
        """
        tzset = getattr(time, "tzset", None)
        if tzset is None:
            return False
        before = (time.tzname, time.timezone, time.altzone)
        tzset()
        return (time.tzname, time.timezone, time.altzone) != before


class FakeClock(Clock):
    """A clock that tests move by hand."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            start = start.astimezone()
        self._now = start

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when if when.tzinfo else when.astimezone()

    def advance(self, **kwargs: float) -> None:
        self._now += timedelta(**kwargs)

    def refresh_zone(self) -> bool:
        return False
