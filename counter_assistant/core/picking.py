"""Matching what the clerk types in the picker: numbers, pinyin initials or Chinese."""

from __future__ import annotations

from dataclasses import dataclass

from counter_assistant.core.prompts import Catalog


@dataclass(frozen=True)
class Choice:
    key: str
    index: int
    number: str  # "2.3": situation 2, variant 3
    title: str
    label: str
    initials: str
    text: str

    @property
    def display(self) -> str:
        return f"{self.number}  {self.title} · {self.label}"


def choices(catalog: Catalog) -> list[Choice]:
    out = []
    for n, situation in enumerate(catalog, 1):
        for i, variant in enumerate(situation.variants):
            out.append(
                Choice(
                    situation.key,
                    i,
                    f"{n % 10}.{i + 1}",
                    situation.title,
                    variant.label,
                    situation.initials,
                    variant.text,
                )
            )
    return out


def match(items: list[Choice], query: str) -> list[Choice]:
    """Digits pick by number ("2", "23" or "2.3"); letters by pinyin initials; else by words."""
    q = query.strip().lower().replace(" ", "")
    if not q:
        return items
    if q.replace(".", "").isdigit():
        digits = q.replace(".", "")
        situation = digits[0]
        variant = digits[1:]
        return [
            c
            for c in items
            if c.number.split(".")[0] == situation
            and (not variant or c.number.split(".")[1] == variant)
        ]
    if q.isascii():
        return [c for c in items if c.initials.startswith(q) or c.key.startswith(q)]
    return [c for c in items if q in c.title or q in c.label or q in c.text]
