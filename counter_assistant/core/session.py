"""What the window shows now: the situation, its variant and this customer's slots.

Pure state, no Qt: the window asks it what to paint, the app asks it what to record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from counter_assistant.core.business import BusinessCatalog
from counter_assistant.core.prompts import Catalog, Situation, Variant

# Slots the clerk fills per customer; cleared by "next customer".
CUSTOMER_SLOTS = (
    "surname",
    "title",
    "place",
    "missing",
    "rule",
    "procedure",
    "ref_department",
    "ref_window",
)
TITLES = ("先生", "女士")


@dataclass(frozen=True)
class Shown:
    situation: Situation
    variant: Variant
    index: int
    text: str


@dataclass
class PromptSession:
    """The citizen being served: what the clerk filled in, never recorded, cleared at the
    customer's end. `rules` maps a rule key of the center's list to the words spoken."""

    catalog: Catalog
    business_catalog: BusinessCatalog
    counter_values: dict[str, str]
    fields: dict[str, str] = field(default_factory=dict)  # free text per CUSTOMER_SLOTS
    business_key: str = ""  # a business of the catalog
    business_text: str = ""  # a business typed that the catalog does not list: said as typed
    missing_docs: tuple[str, ...] = ()  # the business's documents ticked as missing
    rule_keys: tuple[str, ...] = ()  # rules picked from the center's list
    rules: Mapping[str, str] = field(default_factory=dict)
    current_key: str = ""
    index: int = 0

    @property
    def business(self):
        return self.business_catalog.get(self.business_key) if self.business_key else None

    def values(self) -> dict[str, str]:
        values = dict(self.counter_values)
        values.update({k: v.strip() for k, v in self.fields.items() if v and v.strip()})
        business = self.business
        if business:
            values["business"] = business.name
            values["documents"] = business.documents_text
        elif self.business_text.strip():
            values["business"] = self.business_text.strip()
        missing = [*self.missing_docs, *_given(self.fields.get("missing", ""))]
        if missing:
            values["missing"] = "、".join(dict.fromkeys(missing))
        rules = [self.rules[k] for k in self.rule_keys if k in self.rules]
        rules += _given(self.fields.get("rule", ""))
        if rules:
            values["rule"] = "；".join(dict.fromkeys(rules))
        return values

    def show(self, key: str) -> Shown:
        """The situation's prompt; the same key again moves to its next variant."""
        if key == self.current_key:
            self.index += 1
        else:
            self.current_key, self.index = key, 0
        return self.current()

    def choose(self, key: str, index: int) -> Shown:
        self.current_key, self.index = key, index
        return self.current()

    def next_variant(self) -> Shown | None:
        if not self.current_key:
            return None
        self.index += 1
        return self.current()

    def current(self) -> Shown:
        situation = self.catalog[self.current_key]
        index = self.index % len(situation.variants)
        variant = situation.variants[index]
        return Shown(situation, variant, index, variant.render(self.values()))

    def set_field(self, name: str, value: str) -> None:
        self.fields[name] = value

    def set_business(self, key: str, typed: str = "") -> None:
        """A catalog business by key; else what was typed, spoken as typed."""
        known = self.business_catalog.get(key) is not None
        if key != self.business_key:
            self.missing_docs = ()
        self.business_key = key if known else ""
        self.business_text = "" if known else typed.strip()

    def set_missing(self, documents: list[str]) -> None:
        """Which of the business's documents are missing, in the catalog's order."""
        business = self.business
        listed = business.documents if business else ()
        self.missing_docs = tuple(d for d in listed if d in documents)

    @property
    def has_customer(self) -> bool:
        return bool(
            self.business_key
            or self.business_text
            or self.missing_docs
            or self.rule_keys
            or any(v.strip() for v in self.fields.values())
        )

    def next_customer(self) -> None:
        """Forget everything filled in for the last customer."""
        self.fields.clear()
        self.business_key = self.business_text = ""
        self.missing_docs = self.rule_keys = ()


def _given(text: str) -> list[str]:
    return [text.strip()] if text and text.strip() else []
