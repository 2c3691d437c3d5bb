"""Matching what the clerk types in the picker, and in the fields dialog's business box.

Numbers are typed as the window's heading shows them: 8.2 (第八条第2项) or just 2 picks
the situation, a third number (8.2.3, or 2.3) one of its wordings. Letters are pinyin
initials, anything else words. The center's frequent answers are found the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from counter_assistant.core.answers import SITUATION as ANSWER
from counter_assistant.core.answers import AnswerList
from counter_assistant.core.business import Business, BusinessCatalog
from counter_assistant.core.prompts import Catalog

ARTICLE = "8"  # the article whose items are the situations


@dataclass(frozen=True)
class Choice:
    key: str  # a situation key, or ANSWER
    index: int  # the variant; for an answer, its place in the list
    number: str  # "8.2.3": Article 8 item 2, wording 3; "" for an answer
    title: str
    label: str
    initials: str
    text: str
    answer_key: str = ""

    @property
    def display(self) -> str:
        if self.key == ANSWER:
            return f"答  {self.title}"
        return f"{self.number}  {self.title} · {self.label}"


def choices(catalog: Catalog, answers: AnswerList | None = None) -> list[Choice]:
    out = []
    for situation in catalog:
        for i, variant in enumerate(situation.variants):
            out.append(
                Choice(
                    situation.key, i, f"{situation.article}.{i + 1}", situation.title,
                    variant.label, situation.initials, variant.text,
                )
            )  # fmt: skip
    for i, answer in enumerate(answers or ()):
        out.append(Choice(ANSWER, i, "", answer.title, "常见问答", answer.initials,
                          answer.text, answer.key))  # fmt: skip
    return out


def _number_query(q: str) -> tuple[str, str] | None:
    """(situation, wording) numbers of a query such as "8.2.3", "8.10", "2.3" or "10";
    ("", "") for "8." (every situation); None when it is not a number."""
    if not q or not q.replace(".", "").isdigit():
        return None
    parts = q.split(".")
    if parts[0] == ARTICLE and len(parts) >= 2:  # 8.x: as the heading numbers it
        parts = parts[1:]
    parts = [p for p in parts if p]
    if not parts:
        return "", ""
    situation = "10" if parts[0] == "0" else parts[0]  # 0: as on the hotkeys
    return situation.lstrip("0") or situation, parts[1] if len(parts) > 1 else ""


def match(items: list[Choice], query: str) -> list[Choice]:
    """Numbers as the headings show them; letters by pinyin initials; else by words."""
    q = query.strip().lower().replace(" ", "").replace("。", ".").replace("．", ".")
    if not q:
        return items
    number = _number_query(q)
    if number is not None:
        situation, wording = number
        out = []
        for c in items:
            if not c.number:
                continue
            article, variant = c.number.rsplit(".", 1)
            item = article.rsplit(".", 1)[-1]
            if situation and item != situation:
                continue
            if wording and variant != wording.lstrip("0"):
                continue
            out.append(c)
        return out
    if q.isascii():
        return [c for c in items if c.initials.startswith(q) or c.key.startswith(q)]
    return [c for c in items if q in c.title or q in c.label or q in c.text]


def nothing_found(query: str) -> str:
    """What the picker says when nothing matches, with how to type instead."""
    q = query.strip()
    if _number_query(q.lower().replace(" ", "")) is not None:
        return (
            f"没有编号为“{q}”的话术。按标题输入编号：8.1 … 8.10 或 1 … 10；第三位选说法，如 8.2.3。"
        )
    return f"没有与“{q}”相符的话术或常见问答。可输入编号、拼音首字母或文字。"


@dataclass(frozen=True)
class BusinessMatch:
    """What a typed business means: one of the catalog, said as typed, or why neither."""

    business: Business | None = None
    text: str = ""  # the words said when the catalog does not list it
    problem: str = ""  # why it cannot be used as typed (the dialog shows it)
    candidates: tuple[Business, ...] = ()


def resolve_business(catalog: BusinessCatalog, typed: str) -> BusinessMatch:
    """A name, list text or initials of one business picks it; several contain it: say
    which; Chinese the catalog does not list is spoken as typed; unknown initials are not."""
    text = typed.strip()
    if not text:
        return BusinessMatch()
    low = text.lower()
    for b in catalog.items:
        if low in (b.name.lower(), b.key.lower(), b.initials.lower(), listed(b).lower()):
            return BusinessMatch(b)
    found = tuple(b for b in catalog.items if low in listed(b).lower())
    if len(found) == 1:
        return BusinessMatch(found[0])
    if found:
        names = "、".join(b.name for b in found)
        return BusinessMatch(None, "", f"“{text}”对应多项业务：{names}；请选一项。", found)
    if text.isascii():
        return BusinessMatch(None, "", f"业务清单中没有首字母为“{text}”的业务；请输入业务名称。")
    return BusinessMatch(None, text)


def listed(business: Business) -> str:
    """How a business appears in the dialog's list: its name and initials."""
    return f"{business.name}  {business.initials}" if business.initials else business.name
