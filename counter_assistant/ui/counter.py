"""The counter's GUI, wired: actions to what they do, notices to the window, dialogs on demand.

Built by the composition root (app.py) from parts it hands in; it builds no backend,
database or thread. Dialogs are built on first use: most days start without them.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from counter_assistant.context import Context
from counter_assistant.core.actions import ACTIONS, COMMAND_IDS, label_of
from counter_assistant.core.clock import Clock
from counter_assistant.core.day import DayEvent, DayGate, DayState
from counter_assistant.platform.focus import ForegroundKeeper, make_foreground_keeper
from counter_assistant.ui.content_swap import ContentSwap
from counter_assistant.ui.controller import CounterController
from counter_assistant.ui.customer_dialogs import CustomerDialogs
from counter_assistant.ui.day_dialogs import DayDialogs
from counter_assistant.ui.dialog_focus import DialogFocus
from counter_assistant.ui.first_paint import AfterFirstPaint
from counter_assistant.ui.hotkey_service import HotkeyService
from counter_assistant.ui.menu import CounterMenu, app_icon
from counter_assistant.ui.notice_desk import NoticeDesk
from counter_assistant.ui.prompt_window import PromptWindow
from counter_assistant.ui.side_windows import SideWindows
from counter_assistant.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from counter_assistant.core.content import Content
    from counter_assistant.ui.fields import FieldsDialog
    from counter_assistant.ui.picker import PickerDialog

log = logging.getLogger(__name__)


class CounterUi(QObject):
    def __init__(
        self,
        ctx: Context,
        window: PromptWindow,
        controller: CounterController,
        hotkeys: HotkeyService,
        day: DayDialogs,
        gate: DayGate,
        tasks: TaskRunner,
        clock: Clock,
        flush: Callable[[float], bool],
        after_paint: AfterFirstPaint,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.window = window
        self.controller = controller
        self.hotkeys = hotkeys
        self.day = day
        self.gate = gate
        self.tasks = tasks
        self.clock = clock
        self._flush = flush
        self.notices: list[str] = []
        self.after_paint = after_paint  # work that waits for the window's first paint
        self.storage_notice = ""
        self.sync_word = ""  # the center server's sync state in a word; "" without one
        self.tick_hooks: list[Callable[[], None]] = []  # run after each tick (status row)
        self.content_hooks: list[Callable[[], None]] = []  # run after new content is applied
        self.content_swap = ContentSwap(self.dialog_open, self.apply_content)
        controller.content_version = ctx.content_version
        self._foreground: ForegroundKeeper | None = None
        self.dialog_focus = DialogFocus(lambda: self.foreground)
        self.notice_line = ""  # the last notice's outcome, until the next customer
        self.notice = NoticeDesk(
            ctx,
            controller,
            tasks,
            clock,
            self._set_notice_line,
            lambda: self.dialog_focus.opened(self.notice.dialog),
        )
        self.notice.focus_returned.connect(lambda: self.dialog_focus.closed(self.notice.dialog))
        self._prune_soon = QTimer(self, singleShot=True, interval=5000)  # not on the way to start
        self._prune_soon.timeout.connect(lambda: self.notice.prune_daily(self.gate.local_date))
        self.dialogs = CustomerDialogs(
            ctx,
            controller,
            clock,
            self.dialog_focus,
            self._chosen,
            self.next_customer,
            self.notice.open_dialog,
        )
        self.side = SideWindows(
            ctx,
            tasks,
            flush,
            self.label,
            lambda: self.hotkeys.failed_combos,
            lambda: self.gate.local_date,
        )
        self.handlers: dict[str, Callable[[str], None]] = {
            "next_variant": controller.next_variant,
            "toggle_window": lambda _trigger: window.toggle(),
            "next_customer": lambda _trigger: self.next_customer(),
            "picker": lambda _trigger: self.open_picker(),
            "fields": lambda _trigger: self.dialogs.open_fields(),
            "next_page": lambda _trigger: window.next_page(),
            "notice": self.notice.print_now,
            "notice_dialog": lambda _trigger: self.notice.open_dialog(),
        }
        missing = set(COMMAND_IDS) - set(self.handlers)
        assert not missing, f"actions without a handler: {missing}"
        self.icon = app_icon()
        QApplication.instance().setWindowIcon(self.icon)
        self.menu = self._build_menu()
        window.set_menu(self.menu.menu)
        self._wire()

    # --- wiring ---------------------------------------------------------------
    def _wire(self) -> None:
        self.hotkeys.fired.connect(self.dispatch)
        self.hotkeys.changed.connect(self._hotkeys_changed)
        self.window.action_requested.connect(self.dispatch)
        self.controller.prep_needed.connect(self.day.show_prep)
        self.controller.new_customer.connect(lambda: self._set_notice_line(""))
        self.day.changed.connect(self.day.update_menu)
        self.day.take_focus = self.dialog_focus.opened
        self.day.give_focus_back = self.dialog_focus.closed

    def dispatch(self, action: str, trigger: str) -> None:
        """Every action, from a hotkey, a click, the tray or the menu, ends here."""
        known = ACTIONS.get(action)
        if known is not None and known.situation:
            self.content_swap.before_prompt()
            self.controller.show_situation(action, trigger)
        elif action == "next_variant":
            self.content_swap.before_prompt()
            self.handlers[action](trigger)
        elif action in self.handlers:
            self.handlers[action](trigger)
        else:
            log.warning("unknown action %r", action)

    def label(self, action: str) -> str:
        return label_of(action, {s.key: s.title for s in self.ctx.catalog})

    # --- notices --------------------------------------------------------------
    def storage_status(self, message: str | None) -> None:
        self.storage_notice = message or ""
        self._refresh_notices()

    def notify(self, message: str) -> None:
        if message not in self.notices:
            self.notices.append(message)
        self._refresh_notices()

    def _refresh_notices(self) -> None:
        lines = [*self.hotkeys.notices(), *self.notices]
        if self.storage_notice:
            lines.append(self.storage_notice)
        if self.notice_line:
            lines.append(self.notice_line)
        self.window.set_notices(lines)

    def sync_status(self, state) -> None:
        """The sender's state, through the Bridge: a word in the status line, the tray
        tooltip says more (last success, why it fails)."""
        self.sync_word = state.word
        self._show_status()
        self.menu.set_tooltip("\n".join(x for x in (self.window.windowTitle(), state.tooltip) if x))

    def _show_status(self) -> None:
        text, warning = self.hotkeys.status()
        if self.sync_word:
            text = f"{text} · {self.sync_word}" if text else self.sync_word
        self.window.set_status(text, warning=warning)

    def _hotkeys_changed(self) -> None:
        self._show_status()
        if not self.hotkeys.global_ok:
            self.window.set_focusable(True)  # the clerk clicks the window to use shortcuts
        self.pause_action.setChecked(self.hotkeys.paused)
        self._refresh_notices()

    # --- start / stop -----------------------------------------------------------
    def start(self, notices: list[str]) -> None:
        self.notices.extend(notices)
        problems = self.ctx.problems
        if problems:
            self.notices.append(
                f"配置或资源文件有 {len(problems)} 处问题，已按默认值或内置话术运行；"
                "详见日志或运行 check-config。"
            )
        self.after_paint.add(
            lambda: self.menu.add_tray(self.window.windowTitle(), self.window.toggle)
        )
        if sys.platform == "win32":  # Win+L leaves the keyboard hook's key state stale
            from counter_assistant.platform.session_unlock import watch_unlock

            self._unlock_watch = watch_unlock(int(self.window.winId()), self._session_unlocked)
        self._hotkeys_changed()  # armed with the first window: status, notices, pause item
        self.day.update_menu()
        if self.gate.state is DayState.NEEDS_PREP:
            self.day.show_prep()
        self._prune_soon.start()

    def _session_unlocked(self) -> None:
        reset = getattr(self.hotkeys.backend, "reset_state", None)  # the keyboard hook only
        if reset is not None:
            reset()

    def shutdown(self) -> None:
        self.content_swap.stop()
        self._prune_soon.stop()
        self.hotkeys.stop()
        self.window.save_geometry()
        self.menu.hide_tray()

    def tick(self) -> None:
        if self.clock.refresh_zone():
            log.info("the system time zone changed; local times follow it from now")
        self.controller.tick()  # details of a customer who has gone, after the idle time
        event = self.gate.tick()
        if event is DayEvent.NEW_DAY and self.gate.state is DayState.NEEDS_PREP:
            self.controller.next_customer()
            self.day.show_prep()
        elif event is DayEvent.CLOSING_TIME:
            self.day.offer_close(self.menu.tray)
        self.day.update_menu()
        self.notice.prune_daily(self.gate.local_date)
        for hook in self.tick_hooks:
            hook()

    # --- dialogs that take focus and give it back ---------------------------------
    @property
    def foreground(self) -> ForegroundKeeper:
        if self._foreground is None:
            self._foreground = make_foreground_keeper()
        return self._foreground

    @property
    def picker(self) -> PickerDialog:
        return self.dialogs.picker

    @property
    def fields(self) -> FieldsDialog:
        return self.dialogs.fields

    def _chosen(self, key: str, index: int) -> None:
        self.content_swap.before_prompt()
        self.controller.show_situation(key, "picker", index)

    # --- the center's content -------------------------------------------------------
    def content_arrived(self, content: Content) -> None:
        """A checked new version from the sender: applied between two sentences."""
        self.content_swap.offer(content)

    def dialog_open(self) -> bool:
        """A dialog in which the clerk picks, types or ticks is open: content waits."""
        return self.dialogs.any_open() or self.day.dialog_open or self.notice.dialog_open

    def apply_content(self, content: Content, refresh: bool = True) -> None:
        """Swap in a version of the center's content: the one place that does it. Texts,
        business catalog, hours, checklist items, the notice template; the customer's
        details are kept. Dialogs that show content are built again on next use."""
        before = self.ctx.content_version
        self.ctx.use_content(content)
        ctx = self.ctx
        self.controller.use_content(
            ctx.catalog, ctx.business, ctx.rules, ctx.answers, content.version, refresh
        )
        self.window.set_situation_titles({s.key: s.title for s in self.ctx.catalog})
        self.dialogs.forget()
        self.day.use_content()
        self.notice.use_content()
        self.day.update_menu()
        log.info("center content version %d in force (was %d)", content.version, before)
        for hook in self.content_hooks:
            hook()

    def open_picker(self) -> None:
        if self.gate.state is DayState.NEEDS_PREP:  # what the window says the hotkey does
            self.day.show_prep(asked=True)
            return
        self.dialogs.open_picker()

    def dialogs_open(self) -> bool:
        """A dialog of the counter is open (the clerk is in the middle of something)."""
        stack = any(d.isVisible() for d in self.dialog_focus.open_dialogs)
        return stack or self.notice.dialog_shown

    def bring_forward(self) -> None:
        self.window.show_quietly()

    def next_customer(self) -> None:
        self.controller.next_customer()  # its new_customer signal clears the notice line

    def _set_notice_line(self, line: str) -> None:
        self.notice_line = line
        self._refresh_notices()

    # --- menu ---------------------------------------------------------------------
    def _build_menu(self) -> CounterMenu:
        def command(action: str) -> Callable[[], None]:
            return lambda: self.dispatch(action, "tray")

        menu = CounterMenu(
            [
                (self.label("toggle_window"), command("toggle_window")),
                (self.label("picker") + "…", command("picker")),
                (self.label("fields") + "…", command("fields")),
                (self.label("notice"), command("notice")),
                (self.label("notice_dialog") + "…", command("notice_dialog")),
                (self.label("next_customer"), command("next_customer")),
                None,
                ("热键一览", self.side.show_cheat_sheet),
                ("今日统计", self.side.show_today),
                None,
                ("统计报表…", self.side.open_reports),
                None,
                ("退出", QApplication.instance().quit),
            ],
            self.icon,
        )
        self.pause_action = menu.add_checkable("暂停热键", self.hotkeys.set_paused, "热键一览")
        menu.insert(self.day.menu_actions(menu.menu), "统计报表…")
        return menu
