"""The center's lists kept as TOML arrays of tables (rules, frequent answers).

Each entry is checked on its own: a bad one is named by file, line and key and left
out, the good ones are kept. Pure functions of the parsed data and its text, so the
center's content publishing checks a file exactly as a counter will load it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from counter_assistant.core.problems import Problem, TomlFileError, locate, read_toml
from counter_assistant.core.prompts import debris_in

KEY_RE = re.compile(r"^[A-Za-z0-9_.\-]+$")
INITIALS_RE = re.compile(r"^[a-z]+$")


class Keyed(Protocol):
    @property
    def key(self) -> str: ...


T = TypeVar("T", bound=Keyed)
L = TypeVar("L", bound="Entries[Any]")


@dataclass
class Entries(Generic[T]):
    """The usable entries of one file, where they came from, and what was wrong."""

    items: tuple[T, ...] = ()
    source: str = ""
    problems: list[Problem] = field(default_factory=list)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def get(self, key: str) -> T | None:
        return next((item for item in self.items if item.key == key), None)


def load_file(
    path: Path | str | None, parse: Callable[[dict[str, Any], str, str], L], empty: type[L]
) -> L:
    """The file's entries; none when no file is named; a file that cannot be read or
    parsed is one problem naming it (and its line)."""
    if not path:
        return empty()
    try:
        data, text = read_toml(path)
    except TomlFileError as exc:
        return empty((), str(path), [exc.problem])
    return parse(data, str(path), text)


def parse_entries(
    data: dict[str, Any], table: str, fields: tuple[str, ...], name: str, text: str
) -> tuple[list[dict[str, str]], list[Problem]]:
    """The usable [[table]] entries (each with every field, stripped) and what was wrong.

    Every field is a required non-empty string; ``key`` is unique, letters, digits and
    ``_ - .``; ``initials`` lower-case pinyin initials; the other texts are shown or
    spoken, so they hold no placeholder (××, {slot}) or markup.
    """
    problems: list[Problem] = []
    raw_items = data.get(table, [])
    if not isinstance(raw_items, list):
        line = locate(text, table)
        return [], [Problem(name, table, f"must be [[{table}]] tables", line)]
    for other in data:
        if other != table:
            message = f"unknown table; this file holds only [[{table}]] entries"
            problems.append(Problem(name, other, message, locate(text, other)))
    entries: list[dict[str, str]] = []
    seen: dict[str, str] = {}
    for i, raw in enumerate(raw_items):
        where = f"{table}[{i}]"
        entry = _entry(raw, where, fields, name, text, problems)
        if entry is None:
            continue
        if entry["key"] in seen:
            message = f"key {entry['key']!r} is used twice (first at {seen[entry['key']]})"
            problems.append(Problem(name, f"{where}.key", message, locate(text, f"{where}.key")))
            continue
        seen[entry["key"]] = where
        entries.append(entry)
    return entries, problems


def _entry(
    raw: Any, where: str, fields: tuple[str, ...], name: str, text: str, problems: list[Problem]
) -> dict[str, str] | None:
    if not isinstance(raw, dict):
        problems.append(Problem(name, where, f"must be a table with {', '.join(fields)}"))
        return None
    for extra in sorted(set(raw) - set(fields)):  # reported; the entry is still used
        message = f"unknown key {extra!r}; use {', '.join(fields)}"
        problems.append(
            Problem(name, f"{where}.{extra}", message, locate(text, f"{where}.{extra}"))
        )
    found = len(problems)
    entry: dict[str, str] = {}
    for item_field in fields:
        value = raw.get(item_field)
        key = f"{where}.{item_field}"
        line = locate(text, key)
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(name, key, "must be a non-empty string", line))
            continue
        value = value.strip()
        bad = _bad(item_field, value)
        if bad:
            problems.append(Problem(name, key, bad, line))
            continue
        entry[item_field] = value
    return entry if len(problems) == found else None


def _bad(what: str, value: str) -> str:
    if what == "key":
        return "" if KEY_RE.match(value) else "use letters, digits, _ - . only (it is recorded)"
    if what == "initials":
        ok = INITIALS_RE.match(value)
        return "" if ok else "lower-case pinyin initials, letters only, e.g. brbl for 本人办理"
    debris = debris_in(value)
    if debris:
        found = ", ".join(repr(d) for d in debris)
        return f"contains {found}; write the real words a clerk can say"
    return ""
