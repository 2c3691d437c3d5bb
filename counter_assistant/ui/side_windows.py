"""What the ☰ menu opens beside the counter's work: the hotkey cheat sheet, today's
counts (read off the GUI thread) and the report window behind the supervisor PIN."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt

from counter_assistant.context import Context
from counter_assistant.ui.menu import cheat_sheet_text, show_text_box
from counter_assistant.ui.screen import fit_dialog
from counter_assistant.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


class SideWindows:
    def __init__(
        self,
        ctx: Context,
        tasks: TaskRunner,
        flush: Callable[[float], bool],
        label: Callable[[str], str],
        broken_combos: Callable[[], set[str]],
        local_date: Callable[[], str],
    ) -> None:
        self.ctx = ctx
        self.tasks = tasks
        self._flush = flush
        self._label = label
        self._broken = broken_combos
        self._local_date = local_date
        self._boxes: list[QObject] = []  # non-modal windows kept alive while shown
        self.reports = None

    def cheat_sheet_text(self) -> str:
        return cheat_sheet_text(self.ctx.config.hotkeys, self._label, self._broken())

    def show_cheat_sheet(self) -> None:
        box = show_text_box("窗口服务助手 · 热键一览", self.cheat_sheet_text(), True)
        fit_dialog(box)
        self._keep(box)

    def show_today(self) -> None:
        """Today's counts, read off the GUI thread once queued records are written."""
        from counter_assistant.reports.today import today_counts

        path, counter, date = (
            self.ctx.paths.database,
            self.ctx.config.counter_id,
            self._local_date(),
        )

        def read():
            self._flush(1.0)
            return today_counts(path, counter, date)

        def show(counts) -> None:
            from counter_assistant.ui.today import TodayDialog

            dialog = TodayDialog(None, counts)
            dialog.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            fit_dialog(dialog)
            dialog.show()
            self._keep(dialog)

        def failed(exc: BaseException) -> None:
            log.warning("today's counts could not be read: %s", exc)
            self._keep(show_text_box("窗口服务助手", f"今日统计暂时无法读取：{exc}"))

        self.tasks.run(read, show, failed)

    def open_reports(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from counter_assistant.core.config import load_config
        from counter_assistant.core.pin import PinGuard
        from counter_assistant.ui.pin_dialog import ask_pin
        from counter_assistant.ui.supervisor import SupervisorWindow

        # Read again: IT may have run set-pin since the window started.
        stored = load_config(self.ctx.config.source).supervisor_pin_hash
        if not stored:
            QMessageBox.information(
                None, "窗口服务助手", "本机未设置主管密码，请 IT 运行 counter-assistant set-pin。"
            )
            return
        if not ask_pin(None, stored, PinGuard(self.ctx.paths.pin_state_file)):
            return
        self.reports = SupervisorWindow(self.ctx, tasks=self.tasks)
        self.reports.show()

    def _keep(self, widget: QObject) -> None:
        self._boxes = [b for b in self._boxes if _alive(b)] + [widget]


def _alive(obj: QObject) -> bool:
    from shiboken6 import isValid

    return isValid(obj) and obj.isVisible()  # type: ignore[attr-defined]
