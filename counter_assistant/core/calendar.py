"""The business-day calendar: which dates the counters are expected to open.

Working weekdays come from the config (``[center] workdays``); holidays and swapped
working days (调休) from a center file named by ``[center] calendar``, one table per
year, as the State Council announces them each year::

    [2026]
    holidays = [
      { name = "元旦", from = 2026-01-01, to = 2026-01-03 },
      { name = "清明节", date = 2026-04-06 },
    ]
    workdays = [{ name = "元旦调休", date = 2026-01-04 }]

``parse`` is pure (parsed TOML in, calendar and problems out) so the center's content
publishing can check a file with the same rules before it reaches any counter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

from counter_assistant.core.problems import Problem, TomlFileError, read_toml

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_WORKDAYS = WEEKDAYS[:5]
MAX_SPAN_DAYS = 31  # one holiday entry longer than a month is a typo


class DayKind(Enum):
    """What a date is for the center."""

    WORKDAY = "workday"  # a working weekday
    SWAPPED = "swapped"  # 调休: a weekend day worked in exchange for a holiday
    WEEKEND = "weekend"  # a weekday the center does not work
    HOLIDAY = "holiday"  # a public holiday (or a weekday given off in exchange)

    @property
    def working(self) -> bool:
        return self in (DayKind.WORKDAY, DayKind.SWAPPED)


@dataclass(frozen=True)
class Calendar:
    weekdays: frozenset[int] = frozenset(range(5))  # date.weekday() numbers worked
    holidays: dict[date, str] = field(default_factory=dict)  # date -> holiday name
    swapped: dict[date, str] = field(default_factory=dict)  # 调休 working date -> name
    years: frozenset[int] = frozenset()  # years the file covers
    source: str = ""  # the file, "" when no file is configured

    def kind(self, day: date) -> DayKind:
        if day in self.swapped:
            return DayKind.SWAPPED
        if day in self.holidays:
            return DayKind.HOLIDAY
        return DayKind.WORKDAY if day.weekday() in self.weekdays else DayKind.WEEKEND

    def is_workday(self, day: date) -> bool:
        return self.kind(day).working

    def name_of(self, day: date) -> str:
        """The holiday or swap's name, "" for an ordinary day."""
        return self.swapped.get(day) or self.holidays.get(day, "")

    def workdays_between(self, first: date, last: date) -> list[date]:
        out, day = [], first
        while day <= last:
            if self.is_workday(day):
                out.append(day)
            day += timedelta(days=1)
        return out

    def missing_years(self, first: date, last: date) -> list[int]:
        """Years of the range the file does not cover (their holidays are unknown)."""
        return [y for y in range(first.year, last.year + 1) if y not in self.years]

    def with_weekdays(self, names: Iterable[str]) -> Calendar:
        days = frozenset(WEEKDAYS.index(n) for n in names if n in WEEKDAYS)
        return replace(self, weekdays=days or frozenset(range(5)))


def _date(value: Any) -> date | None:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _line_of(text: str, needles: Iterable[str]) -> int | None:
    """The first line holding any of the needles (a date as written, a key)."""
    lines = text.splitlines()
    for needle in needles:
        if not needle:
            continue
        for i, line in enumerate(lines):
            if needle in line.split("#", 1)[0]:
                return i + 1
    return None


class _Parser:
    def __init__(self, name: str, text: str):
        self.name, self.text = name, text
        self.problems: list[Problem] = []
        self.holidays: dict[date, str] = {}
        self.swapped: dict[date, str] = {}
        self.years: set[int] = set()

    def problem(self, key: str, message: str, *needles: str) -> None:
        line = _line_of(self.text, needles) or _line_of(self.text, [f"[{key.split('.')[0]}]"])
        self.problems.append(Problem(self.name, key, message, line))

    def year(self, key: str, table: Any) -> None:
        if not re.fullmatch(r"\d{4}", key):
            self.problem(key, "unknown table; write one table per year, e.g. [2026]", key)
            return
        if not isinstance(table, dict):
            self.problem(key, "must be a table such as [2026] with holidays and workdays", key)
            return
        year = int(key)
        self.years.add(year)
        for sub, value in table.items():
            if sub not in ("holidays", "workdays"):
                self.problem(f"{key}.{sub}", "unknown key; use holidays or workdays", f"{sub} =")
                continue
            if not isinstance(value, list):
                message = "must be a list of { name, date } or { name, from, to } entries"
                self.problem(f"{key}.{sub}", message, f"{sub} =")
                continue
            target = self.holidays if sub == "holidays" else self.swapped
            for i, entry in enumerate(value):
                self.entry(f"{key}.{sub}[{i}]", year, entry, target)

    def entry(self, where: str, year: int, raw: Any, target: dict[date, str]) -> None:
        allowed = 'an entry like { name = "元旦", date = 2026-01-01 } or with from and to'
        if not isinstance(raw, dict):
            self.problem(where, f"must be {allowed}", str(raw))
            return
        name = raw.get("name", "")
        if not isinstance(name, str):
            self.problem(where + ".name", "must be a string in quotes", f"name = {name}")
            return
        unknown = sorted(set(raw) - {"name", "date", "from", "to"})
        if unknown:
            message = "unknown key; use name and date, or name, from and to"
            self.problem(f"{where}.{unknown[0]}", message, f"{unknown[0]} =")
            return
        written = [str(raw.get(k, "")) for k in ("date", "from", "to")]
        if "date" in raw:
            if "from" in raw or "to" in raw:
                self.problem(where, "give either date or from and to, not both", *written)
                return
            first = last = _date(raw["date"])
        else:
            first, last = _date(raw.get("from")), _date(raw.get("to"))
        if first is None or last is None:
            self.problem(where, f"needs a date written YYYY-MM-DD: {allowed}", *written, name)
            return
        if last < first or (last - first).days >= MAX_SPAN_DAYS:
            self.problem(where, f"from {first} to {last} is not a range of at most "
                         f"{MAX_SPAN_DAYS} days", *written)  # fmt: skip
            return
        if first.year != year or last.year != year:
            self.problem(where, f"{first} is not in {year}; put it under [{first.year}]", *written)
            return
        day = first
        while day <= last:
            other = self.swapped if target is self.holidays else self.holidays
            if day in other:
                self.problem(where, f"{day} is listed both as a holiday and as a working day",
                             *written)  # fmt: skip
            else:
                target[day] = name.strip()
            day += timedelta(days=1)


def parse(data: dict[str, Any], name: str, text: str = "") -> tuple[Calendar, list[Problem]]:
    """A calendar from a parsed TOML file; every problem named by file, line and key.

    A bad entry is left out and the rest is kept, so one typo never drops a year.
    """
    parser = _Parser(name, text)
    for key, table in data.items():
        parser.year(str(key), table)
    calendar = Calendar(
        holidays=parser.holidays,
        swapped=parser.swapped,
        years=frozenset(parser.years),
        source=name,
    )
    return calendar, parser.problems


def load(path: Path | str | None) -> tuple[Calendar, list[Problem]]:
    """The calendar in a file; without a file, ordinary weeks with no holidays."""
    if not path:
        return Calendar(), []
    try:
        data, text = read_toml(path)
    except TomlFileError as exc:
        return Calendar(source=str(path)), [exc.problem]
    return parse(data, str(path), text)


def from_config(config: Any) -> tuple[Calendar, list[Problem]]:
    """The calendar the config in force names, with its working weekdays."""
    calendar, problems = load(getattr(config, "calendar", "") or None)
    return calendar.with_weekdays(getattr(config, "workdays", DEFAULT_WORKDAYS)), problems
