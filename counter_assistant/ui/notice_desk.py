"""The counter's side of the one-time notice: the key, the dialog, the record, the line.

The key prints straight away and the window shows one quiet line, so the focus stays in
the business system; the dialog (preview and the citizen's name) opens only on request.
Printing and its dialog are built on first use: most days start without them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from counter_assistant.context import Context
from counter_assistant.core.clock import Clock
from counter_assistant.ui.controller import CounterController
from counter_assistant.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from counter_assistant.core.notice import Notice
    from counter_assistant.ui.notice_dialog import NoticeDialog
    from counter_assistant.ui.notice_printer import NoticePrinter, Outcome

log = logging.getLogger(__name__)


class NoticeDesk(QObject):
    focus_returned = Signal()  # the dialog closed: give the keyboard back

    def __init__(
        self,
        ctx: Context,
        controller: CounterController,
        tasks: TaskRunner,
        clock: Clock,
        show_line: Callable[[str], None],
        take_focus: Callable[[], None],
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.controller = controller
        self.tasks = tasks
        self.clock = clock
        self.show_line = show_line
        self.take_focus = take_focus
        self._printer: NoticePrinter | None = None
        self._dialog: NoticeDialog | None = None
        self._dialog_notice: Notice | None = None
        self._pruned_on = ""

    @property
    def printer(self) -> NoticePrinter:
        if self._printer is None:
            from counter_assistant.ui.notice_printer import NoticePrinter, NoticeSettings

            settings = NoticeSettings.of(
                self.ctx.config, self.ctx.paths.data_dir, self.ctx.notice_template
            )
            self._printer = NoticePrinter(settings, self.tasks, self.clock)
            self._printer.finished.connect(self._done)
            self._printer.failed.connect(self._failed)
        return self._printer

    def use_content(self) -> None:
        """A new version of the center's content: the next notice uses its template."""
        if self._printer is not None:
            from counter_assistant.ui.notice_printer import NoticeSettings

            self._printer.settings = NoticeSettings.of(
                self.ctx.config, self.ctx.paths.data_dir, self.ctx.notice_template
            )

    @property
    def dialog_open(self) -> bool:
        return self._dialog is not None and self._dialog.isVisible()

    def current(self, citizen_name: str = "") -> Notice:
        """The notice for the customer being served, as the session holds them now."""
        from counter_assistant.core.notice import notice_for_session

        return notice_for_session(
            self.ctx.config,
            self.controller.session,
            self.controller.gate.staff_on_duty,
            self.clock.now().date(),
            citizen_name,
        )

    def _ready(self) -> Notice | None:
        if not self.controller.allowed():
            return None
        notice = self.current()
        why = notice.why_not()
        if why:
            log.info(
                "notice not printed: %s",
                "no business" if not notice.business else "nothing missing",
            )
            self.show_line(why)
            return None
        return notice

    def print_now(self, trigger: str) -> None:
        notice = self._ready()
        if notice is not None:
            self._send(notice, trigger)

    def _send(self, notice: Notice, trigger: str) -> None:
        self.show_line(f"正在打印“{notice.business}”的一次性告知单…")
        self.printer.print_notice(notice, trigger)

    def open_dialog(self) -> None:
        notice = self._ready()
        if notice is None:
            return
        from counter_assistant.core.notice import render_html

        template = self.ctx.notice_template
        self._dialog_notice = notice
        self.take_focus()
        self.dialog.open_for(lambda name: render_html(template, replace(notice, citizen_name=name)))

    @property
    def dialog_shown(self) -> bool:
        """The preview is open (without building it when it never was)."""
        return self._dialog is not None and self._dialog.isVisible()

    @property
    def dialog(self) -> NoticeDialog:
        if self._dialog is None:
            from counter_assistant.ui.notice_dialog import NoticeDialog

            cfg = self.ctx.config
            self._dialog = NoticeDialog(cfg.paper, min(cfg.font_size, 16))
            self._dialog.print_requested.connect(self._print_from_dialog)
            self._dialog.finished.connect(lambda _result: self.focus_returned.emit())
        return self._dialog

    def _print_from_dialog(self, name: str) -> None:
        if self._dialog_notice is not None:
            self._send(replace(self._dialog_notice, citizen_name=name), "dialog")
            self._dialog_notice = None

    def _done(self, notice: Notice, outcome: Outcome, trigger: str) -> None:
        self.controller.record_notice(notice, outcome.variant, trigger)
        self.show_line(outcome.message())

    def _failed(self, _notice: Notice, error: str, _trigger: str) -> None:
        self.show_line(f"一次性告知单未能打印，也未能存为 PDF：{error}。详见日志。")

    def prune_daily(self, today: str) -> None:
        """Once a day (the first tick after start, then each new day): saved notices are
        kept seven days. Off the GUI thread; printing itself is not loaded for it."""
        if today == self._pruned_on:
            return
        self._pruned_on = today
        from counter_assistant.core.notice_files import pdf_folder, prune_pdfs

        folder = pdf_folder(self.ctx.config.pdf_dir, self.ctx.paths.data_dir)

        def deleted(paths: list) -> None:
            if paths:
                log.info("deleted %d saved notice(s) older than seven days", len(paths))

        self.tasks.run(lambda: prune_pdfs(folder), deleted)
