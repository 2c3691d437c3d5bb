"""Turns a situation or a command into what the window shows and one record."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from counter_assistant.core.clock import Clock
from counter_assistant.core.day import DayGate, DayState
from counter_assistant.core.records import UsageRecord, new_record
from counter_assistant.core.session import PromptSession, Shown
from counter_assistant.ui.prompt_window import PromptWindow

if TYPE_CHECKING:
    from counter_assistant.core.notice import Notice

log = logging.getLogger(__name__)


def heading(shown: Shown) -> str:
    s, v = shown.situation, shown.variant
    return f"第{s.article}条 {s.title} · {v.label}（{shown.index + 1}/{len(s.variants)}）"


class CounterController(QObject):
    """The GUI-thread side of every action. State lives in the core objects it holds."""

    prep_needed = Signal()  # a prompt was asked for before today's preparation

    def __init__(
        self,
        session: PromptSession,
        window: PromptWindow,
        record: Callable[[UsageRecord], None],
        gate: DayGate,
        counter_id: str,
        clock: Clock,
    ) -> None:
        super().__init__()
        self.session = session
        self.window = window
        self._record = record
        self.gate = gate
        self._counter_id = counter_id
        self._clock = clock
        self.content_version = 0  # the center's content version in force, in every record

    def show_situation(self, key: str, trigger: str, index: int | None = None) -> None:
        if key not in self.session.catalog.situations or not self.session.catalog[key].variants:
            self.window.show_prompt(
                "", f"“{key}”的话术未能加载，请联系信息科检查资源文件。", locked=True
            )
            return
        if not self._allowed():
            return
        shown = self.session.show(key) if index is None else self.session.choose(key, index)
        self._present(shown, trigger)

    def next_variant(self, trigger: str = "hotkey") -> None:
        if self._allowed() and self.session.current_key:
            self._present(self.session.next_variant(), trigger)

    def allowed(self) -> bool:
        """Today's preparation is done and the day is not closed; else say so in the window."""
        return self._allowed()

    def _allowed(self) -> bool:
        state = self.gate.state
        if state is DayState.OPEN:
            return True
        log.debug("prompt blocked: %s", state.value)
        if state is DayState.CLOSED:
            self.window.show_prompt("第十六条 日终收尾", self.gate.notice, locked=True)
        else:
            self.window.show_prompt("第十四条 岗前准备", self.gate.notice, locked=True)
            self.prep_needed.emit()
        return False

    def _present(self, shown: Shown | None, trigger: str) -> None:
        if shown is None:
            return
        s, v = shown.situation, shown.variant
        self.window.show_prompt(heading(shown), shown.text, self.context_text())
        log.debug(
            "shown %s.%s via %s", s.key, v.id, trigger
        )  # never the text: it may hold a surname
        self._record(
            new_record(
                self._clock,
                counter_id=self._counter_id,
                staff_id=self.gate.staff_on_duty,
                situation=s.key,
                variant=v.id,
                business=self.session.business_key,
                trigger=trigger,
                content_version=self.content_version,
            )
        )

    def use_content(self, catalog, business, version: int, refresh: bool) -> None:
        """A new version of the center's texts and lists; the customer's details are kept
        (a business the new catalog no longer lists is kept as words, as if typed).
        refresh: show the prompt on screen again in the new wording (no new use)."""
        session = self.session
        old = session.business
        session.catalog, session.business_catalog = catalog, business
        if old is not None and business.get(old.key) is None:
            session.business_key, session.business_text = "", old.name
        self.content_version = version
        if refresh:
            self._refresh_current()

    def context_text(self) -> str:
        """What is filled in for this customer, shown (never logged) so the clerk can check it."""
        values = self.session.values()
        parts = []
        if "business" in values:
            parts.append(f"业务：{values['business']}")
        if values.get("surname"):
            parts.append(f"客户：{values['surname']}{values.get('title', '')}")
        for name, label in (
            ("place", "签字"),
            ("missing", "缺"),
            ("procedure", "手续"),
            ("ref_department", "转办"),
        ):
            if values.get(name):
                parts.append(f"{label}：{values[name]}")
        return " · ".join(parts)

    def apply_fields(self, values: dict, business_key: str) -> None:
        for name, value in values.items():
            self.session.set_field(name, value)
        self.session.set_business(business_key)
        self._refresh_current()

    def next_customer(self) -> None:
        self.session.next_customer()
        self.window.set_context("")
        self._refresh_current()

    def _refresh_current(self) -> None:
        """Re-render the prompt on screen with the new values, without counting a new use."""
        if self.session.current_key and self.gate.state is DayState.OPEN:
            shown = self.session.current()
            self.window.show_prompt(heading(shown), shown.text, self.context_text())
        else:
            self.window.set_context(self.context_text())

    def record_notice(self, notice: Notice, variant: str, trigger: str) -> None:
        """One notice handed out (printed, or saved as PDF): the catalog materials that
        were missing, never what was typed or the citizen's name."""
        self._record(
            new_record(
                self._clock,
                counter_id=self._counter_id,
                staff_id=notice.staff_id,
                situation="notice",
                variant=variant,
                business=notice.business_key,
                trigger=trigger,
                content_version=self.content_version,
                detail=notice.detail(),
            )
        )
