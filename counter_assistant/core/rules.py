"""The center's list of rules a clerk cites in brackets (Articles 8.3 and 8.5).

"…您还应提供××资料（简要介绍有关规定）…": the clerk picks the rule by its pinyin
initials or words instead of typing Chinese while the citizen waits. The file is the
center's (`[prompts] rules`); the shipped one is an example and is never loaded unless
named.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from counter_assistant.core.listfile import Entries, load_file, parse_entries
from counter_assistant.core.problems import Problem, locate

FIELDS = ("key", "name", "initials", "text")
BRACKETS = ("（", "）", "(", ")")


@dataclass(frozen=True)
class Rule:
    key: str  # recorded with the one-time notice; never the text
    name: str  # short, for the list
    initials: str  # pinyin initials of the name
    text: str  # spoken inside the brackets

    @property
    def search_text(self) -> str:
        """What the clerk may type to find it: initials, name or any words of the text."""
        return f"{self.initials} {self.name} {self.text}".lower()


@dataclass
class RuleList(Entries[Rule]):
    @property
    def spoken(self) -> dict[str, str]:
        """Rule key -> the words said in brackets (PromptSession.rules)."""
        return {r.key: r.text for r in self.items}


def parse(data: dict[str, Any], name: str, text: str) -> RuleList:
    entries, problems = parse_entries(data, "rule", FIELDS, name, text)
    items = []
    for i, entry in enumerate(entries):
        spoken = entry["text"]
        if spoken.startswith(BRACKETS) and spoken.endswith(BRACKETS):
            where = f"rule[{i}].text"
            message = "write it without the outer brackets; the sentence adds them"
            problems.append(Problem(name, where, message, locate(text, where)))
            continue
        items.append(Rule(entry["key"], entry["name"], entry["initials"], spoken))
    return RuleList(tuple(items), name, problems)


def load(path: Path | str | None) -> RuleList:
    """The center's rules; none when no file is named (the clerk types a rule instead)."""
    return load_file(path, parse, RuleList)
