"""What the window shows now: the situation, its variant and this customer's slots.

Pure state, no Qt: the window asks it what to paint, the app asks it what to record.
It also decides when one customer ends and the next begins, so the last citizen's name
or business is never spoken to the next one (the clock is handed in, never read here).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

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

# A customer's natural end: the farewell (8.10) and the handover "请收好，慢走" (8.9).
ENDS_CUSTOMER = frozenset({("handover", "done")})
ENDING_SITUATIONS = frozenset({"farewell"})
# What begins the next one: the greeting said to the citizen now at the counter: 问候,
# 询问需要, and 久等致歉 (it too asks what they came to do). Never 请稍等: that is said to
# someone who waits while another citizen is still being served.
BEGINS_CUSTOMER = frozenset(
    {("greeting", "business"), ("greeting", "help"), ("greeting", "after_wait")}
)


@dataclass(frozen=True)
class Shown:
    situation: Situation
    variant: Variant
    index: int
    text: str
    new_customer: bool = False  # the last customer's details were cleared just before


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
    rule_names: Mapping[str, str] = field(default_factory=dict)  # short names, for the strip
    idle_minutes: int = 0  # a new customer after this long without use; 0: never
    current_key: str = ""
    index: int = 0
    ended: bool = False  # farewell or handover said: the next greeting begins a new customer
    last_used: datetime | None = None

    @property
    def business(self):
        return self.business_catalog.get(self.business_key) if self.business_key else None

    @property
    def business_name(self) -> str:
        business = self.business
        return business.name if business else self.business_text.strip()

    def values(self) -> dict[str, str]:
        values = dict(self.counter_values)
        values.update({k: v.strip() for k, v in self.fields.items() if v and v.strip()})
        business = self.business
        if business:
            values["business"] = business.name
            if business.documents:
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

    # --- showing ------------------------------------------------------------------
    def show(self, key: str, now: datetime | None = None) -> Shown:
        """The situation's prompt; the same key again moves to its next variant."""
        if key == self.current_key:
            self.index += 1
        else:
            self.current_key, self.index = key, 0
        return self._arrive(now)

    def choose(self, key: str, index: int, now: datetime | None = None) -> Shown:
        self.current_key, self.index = key, index
        return self._arrive(now)

    def next_variant(self, now: datetime | None = None) -> Shown | None:
        if not self.current_key:
            return None
        self.index += 1
        return self._arrive(now)

    def current(self) -> Shown:
        """What is shown now, rendered again with the values as they are (no new use)."""
        situation = self.catalog[self.current_key]
        index = self.index % len(situation.variants)
        variant = situation.variants[index]
        return Shown(situation, variant, index, variant.render(self.values()))

    def _arrive(self, now: datetime | None) -> Shown:
        situation = self.catalog[self.current_key]
        variant = situation.variant(self.index)
        cleared = self.expire(now) if now is not None else False
        if self.ended and (situation.key, variant.id) in BEGINS_CUSTOMER:
            self.next_customer()
            cleared = True
        if situation.key in ENDING_SITUATIONS or (situation.key, variant.id) in ENDS_CUSTOMER:
            self.ended = True
        self.touch(now)
        return replace(self.current(), new_customer=cleared)

    def leave_prompt(self, now: datetime | None = None) -> None:
        """Something else is shown (a frequent answer): nothing to cycle or re-render."""
        self.current_key, self.index = "", 0
        self.touch(now)

    # --- the customer -------------------------------------------------------------
    def touch(self, now: datetime | None) -> None:
        if now is not None:
            self.last_used = now

    def idle(self, now: datetime) -> bool:
        """Whether the details are old enough to belong to a customer who has gone."""
        if not self.idle_minutes or self.last_used is None or not self.has_customer:
            return False
        return now - self.last_used >= timedelta(minutes=self.idle_minutes)

    def expire(self, now: datetime) -> bool:
        """Forget the customer after the idle time; True if something was cleared."""
        if self.idle(now):
            self.next_customer()
            return True
        return False

    def set_field(self, name: str, value: str) -> None:
        self.fields[name] = value

    def set_business(self, key: str, typed: str = "") -> None:
        """A catalog business by key; else what was typed, spoken as typed."""
        known = self.business_catalog.get(key) is not None
        if key != self.business_key or not known:
            self.missing_docs = ()
        self.business_key = key if known else ""
        self.business_text = "" if known else typed.strip()

    def set_missing(self, documents: list[str] | tuple[str, ...]) -> None:
        """Which of the business's documents are missing, in the catalog's order."""
        business = self.business
        listed = business.documents if business else ()
        self.missing_docs = tuple(d for d in listed if d in documents)

    def set_rules(self, keys: list[str] | tuple[str, ...]) -> None:
        """Rules of the center's list, in the order picked; unknown keys are left out."""
        self.rule_keys = tuple(k for k in dict.fromkeys(keys) if k in self.rules)

    def fill(self, filled: Filled, now: datetime | None = None) -> None:
        """What the clerk entered in the fields dialog. After a farewell or handover the
        dialog was opened empty, for the next citizen: the last one's details go first."""
        if self.ended or (now is not None and self.idle(now)):
            self.next_customer()
        for name, value in filled.fields.items():
            self.set_field(name, value)
        self.set_business(filled.business_key, filled.business_text)
        self.set_missing(filled.missing_docs)
        self.set_rules(filled.rule_keys)
        self.touch(now)

    def for_dialog(self, now: datetime | None = None) -> Filled:
        """What the fields dialog opens with: nothing once this customer has ended."""
        if self.ended or (now is not None and self.idle(now)):
            return Filled()
        return Filled(
            dict(self.fields), self.business_key, self.business_text,
            self.missing_docs, self.rule_keys,
        )  # fmt: skip

    @property
    def has_customer(self) -> bool:
        return bool(
            self.business_key
            or self.business_text
            or self.missing_docs
            or self.rule_keys
            or any(v.strip() for v in self.fields.values())
        )

    def details(self) -> list[tuple[str, str]]:
        """(label, value) of what is filled in, the name first: the window's strip."""
        values = self.values()
        out = []
        if values.get("surname") or values.get("title"):
            out.append(("客户", values.get("surname", "") + values.get("title", "")))
        if "business" in values:
            out.append(("业务", values["business"]))
        if values.get("missing"):
            out.append(("缺", values["missing"]))
        names = [self.rule_names.get(k, k) for k in self.rule_keys]
        names += _given(self.fields.get("rule", ""))
        if names:
            out.append(("规定", "、".join(names)))
        for name, label in (("place", "签字"), ("procedure", "手续")):
            if values.get(name):
                out.append((label, values[name]))
        where = values.get("ref_department", "")
        if values.get("ref_window"):
            where += f"{values['ref_window']}号窗口"
        if where:
            out.append(("转办", where))
        return out

    def next_customer(self) -> None:
        """Forget everything filled in for the last customer."""
        self.fields.clear()
        self.business_key = self.business_text = ""
        self.missing_docs = self.rule_keys = ()
        self.ended = False


@dataclass(frozen=True)
class Filled:
    """One customer's entries from the fields dialog."""

    fields: dict[str, str] = field(default_factory=dict)
    business_key: str = ""
    business_text: str = ""
    missing_docs: tuple[str, ...] = ()
    rule_keys: tuple[str, ...] = ()


def _given(text: str) -> list[str]:
    return [text.strip()] if text and text.strip() else []
