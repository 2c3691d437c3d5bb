"""Turns a situation or a command into what the window shows and one record."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from counter_assistant.core.answers import SITUATION as ANSWER
from counter_assistant.core.answers import AnswerList
from counter_assistant.core.clock import Clock
from counter_assistant.core.day import DayGate, DayState
from counter_assistant.core.records import UsageRecord, new_record
from counter_assistant.core.session import Filled, PromptSession, Shown
from counter_assistant.ui.prompt_window import PromptWindow
from counter_assistant.ui.text import key_text

if TYPE_CHECKING:
    from counter_assistant.core.notice import Notice

log = logging.getLogger(__name__)

ANSWER_HEADING = "常见问答"


def heading(shown: Shown) -> str:
    s, v = shown.situation, shown.variant
    count = len(s.variants)
    which = f"（说法 {shown.index + 1}/{count}）" if count > 1 else ""
    return f"{s.heading} {s.title} · {v.label}{which}"


def prep_pending_text(picker_hotkey: str) -> str:
    """What the window says while today's checklist waits: what, and how to open it."""
    how = f"，或按 {key_text(picker_hotkey)} " if picker_hotkey else ""
    return f"今日岗前准备尚未确认，提示暂不可用。\n请点击“岗前准备”清单窗口{how}打开清单。"


class CounterController(QObject):
    """The GUI-thread side of every action. State lives in the core objects it holds."""

    prep_needed = Signal()  # a prompt was asked for before today's preparation
    new_customer = Signal()  # the last customer's details are gone (greeting, idle, by hand)

    def __init__(
        self,
        session: PromptSession,
        window: PromptWindow,
        record: Callable[[UsageRecord], None],
        gate: DayGate,
        counter_id: str,
        clock: Clock,
        answers: AnswerList | None = None,
        hotkeys: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.window = window
        self._record = record
        self.gate = gate
        self._counter_id = counter_id
        self._clock = clock
        self.answers = answers or AnswerList()
        self._hotkeys = dict(hotkeys or {})
        self.content_version = 0  # the center's content version in force, in every record

    def show_situation(self, key: str, trigger: str, index: int | None = None) -> None:
        if key == ANSWER:
            self.show_answer(index or 0, trigger)
            return
        if key not in self.session.catalog.situations or not self.session.catalog[key].variants:
            self.window.show_prompt(
                "", f"“{key}”的话术未能加载，请联系信息科检查资源文件。", locked=True
            )
            return
        if not self._allowed():
            return
        now = self._clock.now()
        shown = (
            self.session.show(key, now) if index is None else self.session.choose(key, index, now)
        )
        self._present(shown, trigger)

    def next_variant(self, trigger: str = "hotkey") -> None:
        if self._allowed() and self.session.current_key:
            self._present(self.session.next_variant(self._clock.now()), trigger)

    def show_answer(self, index: int, trigger: str) -> None:
        """One of the center's frequent answers, shown like a prompt; recorded by its key."""
        if not self._allowed() or not 0 <= index < len(self.answers):
            return
        answer = self.answers.items[index]
        self.session.leave_prompt(self._clock.now())
        self._show_customer()
        self.window.show_prompt(f"{ANSWER_HEADING} · {answer.title}", answer.text)
        log.debug("shown %s.%s via %s", ANSWER, answer.key, trigger)
        self._record(self._usage(ANSWER, answer.key, trigger))

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
            self.show_prep_pending()
            self.prep_needed.emit()
        return False

    def show_prep_pending(self) -> None:
        text = prep_pending_text(self._hotkeys.get("picker", ""))
        self.window.show_prompt("第十四条 岗前准备", text, locked=True)

    def _present(self, shown: Shown | None, trigger: str) -> None:
        if shown is None:
            return
        s, v = shown.situation, shown.variant
        self._show_customer()  # first: the strip's height is part of the layout measured
        self.window.show_prompt(heading(shown), shown.text, note=s.note)
        # never the text: it may hold a surname
        log.debug(
            "shown %s.%s via %s%s",
            s.key,
            v.id,
            trigger,
            " (new customer)" if shown.new_customer else "",
        )
        self._record(self._usage(s.key, v.id, trigger))
        if shown.new_customer:
            self.new_customer.emit()

    def _usage(self, situation: str, variant: str, trigger: str) -> UsageRecord:
        return new_record(
            self._clock,
            counter_id=self._counter_id,
            staff_id=self.gate.staff_on_duty,
            situation=situation,
            variant=variant,
            business=self.session.business_key,
            trigger=trigger,
            content_version=self.content_version,
        )

    def _show_customer(self) -> None:
        self.window.set_customer(self.session.details(), self.session.ended)

    def use_content(self, catalog, business, rules, answers, version: int, refresh: bool) -> None:
        """A new version of the center's texts and lists; the customer's details are kept
        (a business the new catalog no longer lists is kept as words, as if typed).
        refresh: show the prompt on screen again in the new wording (no new use)."""
        session = self.session
        old = session.business
        session.catalog, session.business_catalog = catalog, business
        if old is not None and business.get(old.key) is None:
            session.business_key, session.business_text = "", old.name
        session.rules = rules.spoken
        session.rule_names = {r.key: r.name for r in rules}
        self.answers = answers
        self.content_version = version
        if refresh:
            self._refresh_current()

    def apply_fields(self, filled: Filled) -> None:
        self.session.fill(filled, self._clock.now())
        self._refresh_current()

    def next_customer(self) -> None:
        """Forget the last customer; the window shows that, never the old sentence again."""
        self.session.next_customer()
        self.session.leave_prompt()
        self._show_customer()
        self.window.show_prompt("下一位客户", "上一位客户的信息已清空。", hint=True)
        self.new_customer.emit()

    def tick(self) -> None:
        """The idle time: details left from a customer who has gone are cleared."""
        if self.session.expire(self._clock.now()):
            log.debug("customer details cleared after the idle time")
            self.next_customer()

    def _refresh_current(self) -> None:
        """Re-render the prompt on screen with the new values, without counting a new use."""
        self._show_customer()
        if self.session.current_key and self.gate.state is DayState.OPEN:
            shown = self.session.current()
            self.window.show_prompt(heading(shown), shown.text, note=shown.situation.note)

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
