"""Time from one injectable source, so day logic is tested with a fake clock."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone


class Clock:
    """The real clock. now() is timezone-aware local time."""

    def __init__(self) -> None:
        self._zones: dict[int, timezone] = {}  # UTC offset in seconds -> its tzinfo

    def now(self) -> datetime:
        """As datetime.now().astimezone(), at a fraction of its cost on the GUI thread:
        the offset in force is read each time (time.localtime), its tzinfo made once."""
        t = time.time()
        offset = time.localtime(t).tm_gmtoff
        zone = self._zones.get(offset)
        if zone is None:
            zone = self._zones[offset] = timezone(timedelta(seconds=offset))
        return datetime.fromtimestamp(t, zone)

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
