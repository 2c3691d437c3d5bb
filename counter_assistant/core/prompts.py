"""The Article 8 prompt catalog: situations, variants, slots and fallbacks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from counter_assistant.core.problems import (
    Problem,
    TomlFileError,
    locate,
    read_resource_toml,
    read_toml,
)

SLOT_RE = re.compile(r"\{([a-z_]+)\}")

# Text that must never reach a screen: raw placeholders and conversion debris.
DEBRIS = ("××", "XX", "xx", "хх", "?!?", "</span>", "{", "}", "<", ">")

# The order of Article 8; it is also the order of the default hotkeys.
SITUATION_KEYS = (
    "phone",
    "greeting",
    "documents",
    "signature",
    "refusal",
    "outage",
    "feedback",
    "crowding",
    "handover",
    "farewell",
)

LANGUAGES = {"zh-Hans": "prompts/zh-Hans.toml", "zh-Hant": "prompts/zh-Hant.toml"}

# Where a wording comes from, shown by `prompts --json`: the standard's own words (slots
# for its ××), the product's wording where the standard describes but does not word (and
# every fallback), or the center's override file.
SOURCES = ("standard", "product", "center")

# Every slot the app can fill: from the config, the business catalog, the fields dialog.
KNOWN_SLOTS = (
    "department", "window", "business", "documents", "surname", "title", "place",
    "missing", "rule", "procedure", "ref_department", "ref_window",
)  # fmt: skip


def slots_of(text: str) -> list[str]:
    return SLOT_RE.findall(text)


def debris_in(text: str) -> list[str]:
    """Placeholders or debris left in a text that is about to be shown."""
    return [d for d in DEBRIS if d in text]


_NUMERALS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1..99 as the standard writes article numbers: 八, 十, 十六, 二十二."""
    tens, ones = divmod(n, 10)
    if not 0 < n < 100:
        return str(n)
    head = "" if tens == 0 else ("十" if tens == 1 else _NUMERALS[tens] + "十")
    return head + (_NUMERALS[ones] if ones else "")


def article_heading(article: str) -> str:
    """ "8.2" as the standard numbers it: 第八条第2项 (its items are written 1、2、…)."""
    parts = article.split(".")
    if not parts[0].isdigit():
        return article
    heading = f"第{chinese_number(int(parts[0]))}条"
    if len(parts) > 1 and parts[1].isdigit():
        heading += f"第{int(parts[1])}项"
    return heading


@dataclass(frozen=True)
class Variant:
    id: str
    label: str
    text: str
    fallbacks: tuple[str, ...] = ()
    source: str = "standard"  # one of SOURCES, for the text
    fallback_source: str = "product"  # the fallbacks': "product", or "center" if overridden

    @property
    def slots(self) -> list[str]:
        seen: list[str] = []
        for s in slots_of(self.text):
            if s not in seen:
                seen.append(s)
        return seen

    def render(self, values: Mapping[str, str]) -> str:
        """The text with slots filled; the first fallback that can be filled otherwise."""
        for candidate in (self.text, *self.fallbacks):
            needed = slots_of(candidate)
            if all(str(values.get(s, "")).strip() for s in needed):
                return SLOT_RE.sub(lambda m: str(values[m.group(1)]).strip(), candidate)
        # Validation guarantees the last fallback has no slot; this is a guard.
        return SLOT_RE.sub("", self.fallbacks[-1] if self.fallbacks else self.text)


@dataclass(frozen=True)
class Situation:
    key: str
    article: str
    title: str
    initials: str
    variants: tuple[Variant, ...]
    note: str = ""  # quiet guidance shown with the prompt, never spoken

    @property
    def heading(self) -> str:
        return article_heading(self.article)

    def variant(self, index: int) -> Variant:
        return self.variants[index % len(self.variants)]


@dataclass
class Catalog:
    situations: dict[str, Situation]
    problems: list[Problem] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def __getitem__(self, key: str) -> Situation:
        return self.situations[key]

    def __iter__(self):
        return iter(self.situations.values())

    def __len__(self) -> int:
        return len(self.situations)

    def to_json(self, hotkeys: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        hotkeys = hotkeys or {}
        return [
            {
                "key": s.key,
                "article": s.article,
                "title": s.title,
                "note": s.note,
                "hotkey": hotkeys.get(s.key, ""),
                "variants": [
                    {
                        "id": v.id,
                        "label": v.label,
                        "text": v.text,
                        "source": v.source,
                        "fallbacks": list(v.fallbacks),
                        "fallback_source": v.fallback_source if v.fallbacks else "",
                    }
                    for v in s.variants
                ],
            }
            for s in self
        ]


def _check_text(text: Any, where: str, name: str, source: str, problems: list[Problem]) -> bool:
    if not isinstance(text, str) or not text.strip():
        problems.append(Problem(name, where, "must be a non-empty string", locate(source, where)))
        return False
    unknown = [s for s in slots_of(text) if s not in KNOWN_SLOTS]
    if unknown:
        problems.append(
            Problem(
                name,
                where,
                f"unknown slot {{{unknown[0]}}}: nothing fills it, so this text would never "
                f"show; use one of {', '.join('{' + s + '}' for s in KNOWN_SLOTS)}",
                locate(source, where),
            )
        )
        return False
    bare = SLOT_RE.sub("", text)
    bad = debris_in(bare)
    if bad:
        problems.append(
            Problem(
                name,
                where,
                f"contains {', '.join(repr(b) for b in bad)}; write the real words or a "
                "{slot} such as {department}",
                locate(source, where),
            )
        )
        return False
    return True


def _parse_variant(
    raw: Any, where: str, name: str, source: str, problems: list[Problem], override: bool = False
) -> Variant | None:
    if not isinstance(raw, dict):
        problems.append(Problem(name, where, "must be a table with id, label, text"))
        return None
    vid = raw.get("id")
    if not isinstance(vid, str) or not vid:
        problems.append(Problem(name, where, "needs an id", locate(source, where)))
        return None
    text = raw.get("text")
    if not _check_text(text, f"{where}.text", name, source, problems) or not isinstance(text, str):
        return None  # (the isinstance only tells the type checker what _check_text ensured)
    fallbacks = raw.get("fallbacks", [])
    if not isinstance(fallbacks, list) or not all(
        _check_text(f, f"{where}.fallbacks", name, source, problems) for f in fallbacks
    ):
        return None
    # An override may leave out label and fallbacks: the built-in variant's are kept.
    needs_fallbacks = not override or bool(fallbacks)
    if slots_of(text) and needs_fallbacks and (not fallbacks or slots_of(fallbacks[-1])):
        problems.append(
            Problem(
                name,
                f"{where}.fallbacks",
                "a text with {slots} needs fallbacks, the last one without any slot, "
                "so nothing unfilled is ever shown",
                locate(source, f"{where}.text"),
            )
        )
        return None
    label = str(raw.get("label", "" if override else vid))
    origin = "center" if override else raw.get("source", "standard")
    if not override and origin not in SOURCES[:2]:
        problems.append(
            Problem(
                name,
                f"{where}.source",
                'must be "standard" (the standard\'s own words) or "product" (our wording)',
                locate(source, f"{where}.source"),
            )
        )
        return None
    return Variant(vid, label, text, tuple(fallbacks), origin, "center" if override else "product")


def parse_catalog(data: dict[str, Any], name: str, source: str, override: bool = False) -> Catalog:
    problems: list[Problem] = []
    situations: dict[str, Situation] = {}
    for key, raw in data.items():
        if not isinstance(raw, dict):
            problems.append(Problem(name, key, "must be a table", locate(source, key)))
            continue
        variants = []
        for i, rv in enumerate(raw.get("variants", [])):
            v = _parse_variant(rv, f"{key}.variants[{i}]", name, source, problems, override)
            if v:
                variants.append(v)
        situations[key] = Situation(
            key=key,
            article=str(raw.get("article", "")),
            title=str(raw.get("title", key)),
            initials=str(raw.get("initials", "")),
            variants=tuple(variants),
            note=str(raw.get("note", "")),
        )
    return Catalog(situations, problems, [name])


def load_builtin(language: str = "zh-Hans") -> Catalog:
    data, text, name = read_resource_toml(LANGUAGES.get(language, LANGUAGES["zh-Hans"]))
    return parse_catalog(data, name, text)


def _merge_override(base: Catalog, override: Catalog, text: str = "") -> None:
    """Replace individual texts: a variant with a known id replaces that variant."""
    for key, sit in override.situations.items():
        if key not in base.situations:
            base.problems.append(
                Problem(
                    override.sources[0],
                    key,
                    f"unknown situation; use one of {', '.join(SITUATION_KEYS)}",
                    locate(text, key),
                )
            )
            continue
        current = base.situations[key]
        variants = list(current.variants)
        ids = [v.id for v in variants]
        for v in sit.variants:
            old = variants[ids.index(v.id)] if v.id in ids else None
            fallbacks = v.fallbacks or (old.fallbacks if old and slots_of(v.text) else ())
            if slots_of(v.text) and not fallbacks:
                problem = "a text with {slots} needs fallbacks, the last one without a slot"
                line = locate(text, f"{key}.variants")
                base.problems.append(Problem(override.sources[0], f"{key}.{v.id}", problem, line))
                continue
            merged = replace(
                v,
                label=v.label or (old.label if old else v.id),
                fallbacks=fallbacks,
                fallback_source=v.fallback_source if v.fallbacks else "product",
            )
            if old:
                variants[ids.index(v.id)] = merged
            else:
                variants.append(merged)
        base.situations[key] = replace(
            current,
            title=sit.title if sit.title != key else current.title,
            variants=tuple(variants),
        )


def load_catalog(language: str = "zh-Hans", override: Path | str | None = None) -> Catalog:
    """The built-in catalog with the center's override file applied on top.

    A broken override is reported and ignored; the built-in texts keep working.
    """
    catalog = load_builtin(language)
    if override:
        try:
            data, text = read_toml(override)
        except TomlFileError as exc:
            catalog.problems.append(exc.problem)
            return catalog
        apply_override(catalog, data, str(override), text)
    return catalog


def apply_override(catalog: Catalog, data: dict[str, Any], name: str, text: str) -> Catalog:
    """The center's override file (parsed, and its text for lines) merged into catalog.

    Pure: the center's publishing checks a file with it exactly as a counter loads it.
    """
    extra = parse_catalog(data, name, text, override=True)
    catalog.problems.extend(extra.problems)
    catalog.sources.append(name)
    _merge_override(catalog, extra, text)
    return catalog
