"""Day start and day end in the GUI: checklist windows, change of staff, reopening."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from counter_assistant.core.config import Config
from counter_assistant.core.day import DayError, DayGate, DayState
from counter_assistant.ui.controller import prep_pending_text
from counter_assistant.ui.prompt_window import PromptWindow
from counter_assistant.ui.screen import fit_dialog
from counter_assistant.ui.text import key_text

if TYPE_CHECKING:  # the windows are built, and their modules loaded, on first use
    from PySide6.QtWidgets import QSystemTrayIcon

    from counter_assistant.ui.checklist import ChecklistWindow
    from counter_assistant.ui.staff import StaffDialog

log = logging.getLogger(__name__)


class DayDialogs(QObject):
    changed = Signal()  # the day's state or the staff on duty changed

    def __init__(
        self,
        config: Config,
        gate: DayGate,
        window: PromptWindow,
        take_focus: Callable[[QWidget], None] = lambda _dialog: None,
        give_focus_back: Callable[[QWidget], None] = lambda _dialog: None,
    ) -> None:
        super().__init__()
        self.config = config
        self.gate = gate
        self.window = window
        self.take_focus = take_focus
        self.give_focus_back = give_focus_back
        self._prep: ChecklistWindow | None = None
        self._close: ChecklistWindow | None = None
        self._staff: StaffDialog | None = None

    # Built on first use: on a day already prepared none of them is needed at start.
    @property
    def prep(self) -> ChecklistWindow:
        if self._prep is None:
            self._prep = self._checklist(self.config.prep_items, "prep", self._prep_confirmed)
        return self._prep

    @property
    def close(self) -> ChecklistWindow:
        if self._close is None:
            self._close = self._checklist(self.config.close_items, "close", self._close_confirmed)
        return self._close

    @property
    def staff(self) -> StaffDialog:
        if self._staff is None:
            from counter_assistant.ui.staff import StaffDialog

            self._staff = StaffDialog(self.config.roster, font_size=self._font_size)
            self._staff.chosen.connect(self._staff_chosen)
            staff = self._staff
            self._staff.finished.connect(lambda _r: self.give_focus_back(staff))
        return self._staff

    @property
    def _font_size(self) -> int:
        return min(self.config.font_size, 16)

    def _checklist(self, items, mode, on_confirmed) -> ChecklistWindow:
        from counter_assistant.ui.checklist import ChecklistWindow

        picker = key_text(self.config.hotkeys.get("picker", ""))
        hint = f"，或按 {picker}" if picker and mode == "prep" else ""
        window = ChecklistWindow(items, self.config.roster, mode, self._font_size, wake_hint=hint)
        window.confirmed.connect(on_confirmed)
        window.woken.connect(lambda: self.take_focus(window))
        window.finished.connect(lambda _r: self.give_focus_back(window))
        return window

    @property
    def dialog_open(self) -> bool:
        return any(d is not None and d.isVisible() for d in (self._prep, self._close, self._staff))

    def use_content(self) -> None:
        """New checklist items (the center's extras): the lists are built again on next use.
        Called only while none of them is open."""
        for window in (self._prep, self._close):
            if window is not None:
                window.deleteLater()
        self._prep = self._close = None

    # --- showing --------------------------------------------------------------
    def show_prep(self, asked: bool = False) -> None:
        """The Article 14 checklist. Unless the clerk ``asked`` (the menu, the picker
        hotkey), it is shown without taking the keyboard, and the prompt window says what
        is pending and how to open it."""
        if self.gate.state is not DayState.NEEDS_PREP:
            return
        late = ""
        if self.gate.is_late:
            late = f"已过准备时限 {self.gate.prep_deadline:%H:%M}，确认仍可进行，将如实记录。"
        if not self.prep.isVisible():
            self.prep.reset(staff_id=self.gate.staff_on_duty, late_notice=late)
        else:
            self.prep.set_late_notice(late)
        if asked:
            if not self.prep.isVisible() or self.prep.quiet:
                self.take_focus(self.prep)
            self.prep.bring_forward()
        else:
            self.window.show_prompt(
                "第十四条 岗前准备", prep_pending_text(self.config.hotkeys.get("picker", "")),
                locked=True,
            )  # fmt: skip
            self.prep.show_quietly(avoid=self.window.frameGeometry())
            self.window.show_quietly()  # kept above it: what is pending stays readable

    def show_close(self) -> None:
        if not self.close.isVisible():
            self.take_focus(self.close)
            self.close.reset(staff_id=self.gate.staff_on_duty)
        self.close.bring_forward()

    def show_staff(self) -> None:
        self.take_focus(self.staff)
        self.staff.reset(self.gate.staff_on_duty)
        fit_dialog(self.staff)
        self.staff.show()
        self.staff.raise_()
        self.staff.activateWindow()

    def offer_close(self, tray: QSystemTrayIcon | None) -> None:
        """At closing time: a quiet offer, never a popup over the business system."""
        text = "已到营业结束时间，请在菜单中进行“日终收尾”（第十六条）。"
        if tray is not None and tray.isVisible():
            tray.showMessage("窗口服务助手", text, tray.MessageIcon.Information, 10_000)
        self.window.set_context(text)

    # --- outcomes -------------------------------------------------------------
    def _prep_confirmed(self, staff_id: str, items: list) -> None:
        try:
            row = self.gate.confirm_prep(staff_id, items)
        except DayError as exc:
            log.warning("preparation not accepted: %s", exc)
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(None, "岗前准备", "请勾选全部项目并填写当班人员。")
            return
        self.prep.hide()
        late = "（已记为迟到）" if row.late else ""
        self.window.show_prompt("第十四条 岗前准备", f"岗前准备已确认{late}，可以开始营业。")
        self.changed.emit()

    def _close_confirmed(self, staff_id: str, items: list) -> None:
        try:
            self.gate.confirm_close(staff_id, items)
        except DayError as exc:
            log.warning("close-out not accepted: %s", exc)
            return
        self.close.hide()
        self.window.show_prompt("第十六条 日终收尾", "今日已日终收尾，辛苦了。", locked=True)
        self.changed.emit()

    def _staff_chosen(self, staff_id: str) -> None:
        try:
            self.gate.change_staff(staff_id)
        except DayError as exc:
            log.warning("change of staff not accepted: %s", exc)
            return
        self.window.set_context(f"当班人员：{staff_id}")
        self.changed.emit()

    def reopen(self) -> None:
        staff = self.gate.staff_on_duty
        if not staff:
            self.show_staff()
            return
        try:
            self.gate.reopen(staff)
        except DayError as exc:
            log.warning("reopen refused: %s", exc)
            return
        self.window.show_prompt("", "已重新开始营业，本次重新开启已记录。")
        self.changed.emit()

    # --- menu -----------------------------------------------------------------
    def menu_actions(self, menu: QMenu) -> list[QAction]:
        self.prep_action = QAction("岗前准备…", menu, triggered=lambda: self.show_prep(asked=True))
        self.staff_action = QAction("更换当班人员…", menu, triggered=self.show_staff)
        self.close_action = QAction("日终收尾…", menu, triggered=self.show_close)
        self.reopen_action = QAction("重新开始营业", menu, triggered=self.reopen)
        self.update_menu()
        return [self.prep_action, self.staff_action, self.close_action, self.reopen_action]

    def update_menu(self) -> None:
        if not hasattr(self, "prep_action"):
            return
        state = self.gate.state
        self.prep_action.setEnabled(state is DayState.NEEDS_PREP)
        self.staff_action.setEnabled(state is not DayState.NEEDS_PREP)
        self.close_action.setEnabled(state is DayState.OPEN)
        self.reopen_action.setEnabled(state is DayState.CLOSED)  # always there: menu stays put
