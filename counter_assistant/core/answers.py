"""The center's frequent answers: scripted replies to questions the standard does not word.

How a withdrawal is paid out, where to get a form: the center writes the answer once
(`[prompts] answers`), the clerk finds it in the picker by initials or words, and the
window shows it like any prompt. Recorded as situation "answer" with the key as wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from counter_assistant.core.listfile import Entries, load_file, parse_entries

FIELDS = ("key", "title", "initials", "text")
SITUATION = "answer"  # the usage record's situation for every answer


@dataclass(frozen=True)
class Answer:
    key: str
    title: str
    initials: str
    text: str


@dataclass
class AnswerList(Entries[Answer]):
    pass


def parse(data: dict[str, Any], name: str, text: str) -> AnswerList:
    entries, problems = parse_entries(data, "answer", FIELDS, name, text)
    items = tuple(Answer(e["key"], e["title"], e["initials"], e["text"]) for e in entries)
    return AnswerList(items, name, problems)


def load(path: Path | str | None) -> AnswerList:
    """The center's answers; none when no file is named."""
    return load_file(path, parse, AnswerList)
