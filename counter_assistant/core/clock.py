"""Time from one injectable source, so day logic is tested with a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """The real clock. now() is timezone-aware local time."""

    def now(self) -> datetime:
        return datetime.now().astimezone()

    def utcnow(self) -> datetime:
        return self.now().astimezone(UTC)


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
