"""The center's frequent answers: scripted replies to questions the standard does not word.

How a withdrawal is paid out, where to get a form: the center writes the answer once
(`[prompts] answers`), the clerk finds it in the picker by initials or words, and the
window shows it like any prompt. Recorded as situation "answer" with the key as wording.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from counter_assistant.core.listfile import parse_entries
from counter_assistant.core.problems import Problem, TomlFileError, read_toml

FIELDS = ("key", "title", "initials", "text")
SITUATION = "answer"  # the usage record's situation for every answer


@dataclass(frozen=True)
class Answer:
    key: str
    title: str
    initials: str
    text: str


@dataclass
class AnswerList:
    items: tuple[Answer, ...] = ()
    source: str = ""
    problems: list[Problem] = field(default_factory=list)

    def __iter__(self) -> Iterator[Answer]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def get(self, key: str) -> Answer | None:
        return next((a for a in self.items if a.key == key), None)


def parse(data: dict[str, Any], name: str, text: str) -> AnswerList:
    entries, problems = parse_entries(data, "answer", FIELDS, name, text)
    items = tuple(Answer(e["key"], e["title"], e["initials"], e["text"]) for e in entries)
    return AnswerList(items, name, problems)


def load(path: Path | str | None) -> AnswerList:
    """The center's answers; none when no file is named."""
    if not path:
        return AnswerList()
    try:
        data, text = read_toml(path)
    except TomlFileError as exc:
        return AnswerList((), str(path), [exc.problem])
    return parse(data, str(path), text)
