"""What the window shows now: the situation, its variant and this customer's slots.

Pure state, no Qt: the window asks it what to paint, the app asks it what to record.
"""

from __future__ import annotations

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
    catalog: Catalog
    business_catalog: BusinessCatalog
    counter_values: dict[str, str]
    fields: dict[str, str] = field(default_factory=dict)
    business_key: str = ""
    current_key: str = ""
    index: int = 0

    def values(self) -> dict[str, str]:
        values = dict(self.counter_values)
        business = self.business_catalog.get(self.business_key) if self.business_key else None
        if business:
            values["business"] = business.name
            values["documents"] = business.documents_text
        values.update({k: v.strip() for k, v in self.fields.items() if v and v.strip()})
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

    def set_business(self, key: str) -> None:
        self.business_key = key if self.business_catalog.get(key) else ""

    def next_customer(self) -> None:
        """Forget everything typed for the last customer."""
        self.fields.clear()
        self.business_key = ""
