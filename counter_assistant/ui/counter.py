"""The counter's GUI: prompt window, menu/tray, dialogs and the hotkey backend, wired."""

from __future__ import annotations

import logging
import sys
from importlib import resources
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QMenu

from counter_assistant.context import Context
from counter_assistant.core.clock import Clock
from counter_assistant.core.config import load_config
from counter_assistant.core.day import DayEvent, DayGate, DayState
from counter_assistant.core.hotkeyspec import Hotkey, HotkeyError, parse_hotkey
from counter_assistant.core.prompts import SITUATION_KEYS
from counter_assistant.core.session import PromptSession
from counter_assistant.platform.focus import ForegroundKeeper, make_foreground_keeper
from counter_assistant.platform.hotkeys.base import REASON_OTHER_INSTANCE, BackendUnavailable
from counter_assistant.platform.hotkeys.choose import choose_backend
from counter_assistant.ui.bridge import Bridge
from counter_assistant.ui.controller import CounterController
from counter_assistant.ui.day_dialogs import DayDialogs
from counter_assistant.ui.prompt_window import PromptWindow

if TYPE_CHECKING:  # built on first use, like the rarely used Qt classes below
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QSystemTrayIcon

    from counter_assistant.ui.fields import FieldsDialog
    from counter_assistant.ui.picker import PickerDialog

log = logging.getLogger(__name__)

ACTION_NAMES = {
    "next_variant": "下一种说法",
    "toggle_window": "显示/隐藏窗口",
    "next_customer": "下一位客户（清空）",
    "picker": "选择话术",
    "fields": "填写客户信息",
}


def app_icon() -> QIcon:
    """The icon from resources (found through importlib.resources, so also in the bundle)."""
    data = resources.files("counter_assistant.resources").joinpath("icons/counter-assistant.png")
    pixmap = QPixmap()
    pixmap.loadFromData(data.read_bytes(), "PNG")  # no probing of every image plugin
    return QIcon(pixmap)


def qt_sequence(hotkey: Hotkey) -> QKeySequence:
    from PySide6.QtGui import QKeySequence

    names = {"ctrl": "Ctrl", "alt": "Alt", "shift": "Shift", "win": "Meta"}
    key = hotkey.key.upper() if len(hotkey.key) == 1 else hotkey.key.capitalize()
    return QKeySequence("+".join([*(names[m] for m in hotkey.modifiers), key]))


class CounterUi(QObject):
    def __init__(
        self, ctx: Context, session: PromptSession, gate: DayGate, recorder, clock: Clock
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.gate = gate
        self.recorder = recorder
        self.clock = clock
        self.bridge = Bridge()
        self.notices: list[str] = []
        self.hotkey_notices: list[str] = []
        self.storage_notice = ""
        self.paused = False
        self.last_hotkey_at = 0.0  # perf_counter of the last backend callback (for the bench)
        cfg = ctx.config
        self.bindings = self._parse_bindings()
        self.backend, self.backend_reasons = choose_backend(cfg.hotkey_backend, self.bridge.fire)
        self._failed_backends: tuple[str, ...] = ()
        self.failed_combos: set[str] = set()
        situations = [(s.key, s.title, cfg.hotkeys.get(s.key, "")) for s in ctx.catalog]
        self.window = PromptWindow(
            cfg.font_size,
            situations,
            ctx.paths.state_file,
            focusable=self.backend is None,
            bold=cfg.bold,
        )
        self.window.set_title(f"窗口服务助手 · {cfg.window}号窗口 · {cfg.department}")
        self.controller = CounterController(
            session, self.window, recorder.record, gate, cfg.counter_id, clock
        )
        self._foreground: ForegroundKeeper | None = None
        self._return_focus_to: object | None = None
        self._picker: PickerDialog | None = None
        self._fields: FieldsDialog | None = None
        self.day = DayDialogs(cfg, gate, self.window, self._take_focus, self._give_focus_back)
        self._wire()
        self.menu = self._build_menu()
        self.window.set_menu(self.menu)
        self.tray: QSystemTrayIcon | None = None
        self.icon = app_icon()
        QApplication.instance().setWindowIcon(self.icon)

    def _add_tray(self) -> None:
        """The tray icon, where the desktop has a tray; the ☰ menu in the window always works."""
        from PySide6.QtWidgets import QSystemTrayIcon

        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(self.icon, self)
            self.tray.setToolTip(self.window.windowTitle())
            self.tray.setContextMenu(self.menu)
            self.tray.activated.connect(self._tray_activated)
            self.tray.show()

    # --- wiring ---------------------------------------------------------------
    def _parse_bindings(self) -> dict[str, Hotkey]:
        bindings = {}
        for action, combo in self.ctx.config.hotkeys.items():
            if not combo or (
                action in SITUATION_KEYS and action not in self.ctx.catalog.situations
            ):
                continue
            try:
                bindings[action] = parse_hotkey(combo)
            except HotkeyError as exc:  # config validation already reported it; be safe
                log.warning("hotkey %s: %s", action, exc)
        return bindings

    def _wire(self) -> None:
        self.bridge.hotkey.connect(self._on_hotkey)
        self.bridge.storage_status.connect(self._on_storage)
        self.window.action_requested.connect(self.controller.handle)
        self.controller.prep_needed.connect(self.day.show_prep)
        self.controller.picker_requested.connect(self.open_picker)
        self.controller.fields_requested.connect(self.open_fields)
        self.day.changed.connect(self._day_changed)

    def _on_hotkey(self, action: str, fired_at: float) -> None:
        self.last_hotkey_at = fired_at
        if self.paused:
            return
        self.controller.handle(action, "hotkey")

    def _on_storage(self, message: str | None) -> None:
        self.storage_notice = message or ""
        self._refresh_notices()

    def notify(self, message: str) -> None:
        if message not in self.notices:
            self.notices.append(message)
        self._refresh_notices()

    def _refresh_notices(self) -> None:
        lines = [*self.hotkey_notices, *self.notices]
        if self.storage_notice:
            lines.append(self.storage_notice)
        self.window.set_notices(lines)

    # --- start / stop -----------------------------------------------------------
    def start(self, notices: list[str]) -> None:
        self.notices.extend(notices)
        problems = self.ctx.problems
        if problems:
            self.notices.append(
                f"配置或资源文件有 {len(problems)} 处问题，已按默认值或内置话术运行；"
                "详见日志或运行 check-config。"
            )
        self.arm_hotkeys()
        self.window.show_prompt("", "按热键显示对应话术；菜单 ☰ 中可查看热键一览。")
        self.window.show_quietly()
        QTimer.singleShot(0, self._add_tray)  # after the window: the clerk needs it first
        if sys.platform == "win32":  # Win+L leaves the keyboard hook's key state stale
            from counter_assistant.platform.session_unlock import watch_unlock

            self._unlock_watch = watch_unlock(int(self.window.winId()), self._session_unlocked)
        self._refresh_notices()
        self._day_changed()
        if self.gate.state is DayState.NEEDS_PREP:
            self.day.show_prep()

    def arm_hotkeys(self) -> None:
        self.hotkey_notices = []
        if self.backend is not None:
            try:
                failures = self.backend.start(self.bindings)
            except BackendUnavailable as exc:
                log.warning("hotkey backend %s cannot start: %s", self.backend.name, exc)
                self.backend_reasons.append(f"{self.backend.name}: {exc}")
                self._failed_backends += (self.backend.name,)
                self.backend, reasons = choose_backend(
                    self.ctx.config.hotkey_backend, self.bridge.fire, self._failed_backends
                )
                self.backend_reasons += reasons
                if self.backend is not None:
                    self.arm_hotkeys()  # the next one in the automatic order
                    return
                self.window.set_focusable(True)
            else:
                self._report_failures(failures)
        if self.backend is None:
            for reason in self.backend_reasons:
                log.warning("no global hotkeys: %s", reason)
            self._install_window_shortcuts()
            self.window.set_status("全局热键不可用：请先点击本窗口再按快捷键", warning=True)
        self._refresh_notices()

    def _report_failures(self, failures: list) -> None:
        """Each failed hotkey by name (window and log); many at once in one line."""
        self.failed_combos = {f.combo for f in failures}
        for f in failures:
            log.warning("hotkey %s for %s failed: %s %s", f.combo, f.action, f.reason, f.detail)
        armed = len(self.bindings) - len(failures)
        log.info("hotkey backend %s armed, %d of %d hotkeys", self.backend.name, armed,
                 len(self.bindings))  # fmt: skip
        if failures and all(f.reason == REASON_OTHER_INSTANCE for f in failures):
            # Another user's window holds them: another combination would not help.
            self.hotkey_notices = [
                f"{len(failures)} 个热键{REASON_OTHER_INSTANCE}：请该用户退出窗口服务助手；"
                "在此之前可点击本窗口上的按钮。"
            ]
        elif len(failures) <= 3:
            self.hotkey_notices = [
                f"热键 {f.combo}（{self._action_label(f.action)}）{f.reason}，"
                "请在配置中换一个组合。"
                for f in failures
            ]
        else:
            reasons = "、".join(sorted({f.reason for f in failures}))
            self.hotkey_notices = [
                f"{len(failures)} 个热键无法使用（{reasons}），见菜单“热键一览”；"
                "可点击窗口上的按钮，或请 IT 在配置中更换组合。"
            ]
        status = f"全局热键：{self.backend.name}"
        if failures:
            status += f"（{armed}/{len(self.bindings)} 可用）"
        self.window.set_status(status, warning=bool(failures))

    def _install_window_shortcuts(self) -> None:
        from PySide6.QtGui import QShortcut

        if getattr(self, "_shortcuts", None):
            return
        self._shortcuts = []
        for action, hotkey in self.bindings.items():
            shortcut = QShortcut(qt_sequence(hotkey), self.window)
            shortcut.activated.connect(lambda a=action: self.controller.handle(a, "hotkey"))
            self._shortcuts.append(shortcut)

    def _session_unlocked(self) -> None:
        reset = getattr(self.backend, "reset_state", None)  # only the keyboard hook needs it
        if reset is not None:
            reset()

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        if self.backend is not None:
            if paused:
                self.backend.stop()
                self.window.set_status("热键已暂停", warning=True)
            else:
                self.arm_hotkeys()

    def shutdown(self) -> None:
        if self.backend is not None:
            self.backend.stop()
        self.window.save_geometry()
        if self.tray:
            self.tray.hide()

    def tick(self) -> None:
        event = self.gate.tick()
        if event is DayEvent.NEW_DAY and self.gate.state is DayState.NEEDS_PREP:
            self.controller.next_customer()
            self.day.show_prep()
        elif event is DayEvent.CLOSING_TIME:
            self.day.offer_close(self.tray)
        self._day_changed()

    # --- dialogs that take focus and give it back ---------------------------------
    def _take_focus(self) -> None:
        if self._return_focus_to is None:
            self._return_focus_to = self.foreground.remember()

    def _give_focus_back(self) -> None:
        self.foreground.restore(self._return_focus_to)
        self._return_focus_to = None

    # Dialogs are built on first use: most days start without them, and start time counts.
    @property
    def foreground(self) -> ForegroundKeeper:
        if self._foreground is None:
            self._foreground = make_foreground_keeper()
        return self._foreground

    @property
    def picker(self) -> PickerDialog:
        if self._picker is None:
            from counter_assistant.core.picking import choices
            from counter_assistant.ui.picker import PickerDialog

            session = self.controller.session

            def render(choice) -> str:
                variant = session.catalog[choice.key].variants[choice.index]
                return variant.render(session.values())

            self._picker = PickerDialog(
                choices(self.ctx.catalog), render, min(self.ctx.config.font_size, 16)
            )
            self._picker.chosen.connect(
                lambda key, index: self.controller.show_situation(key, "picker", index)
            )
            self._picker.finished.connect(self._give_focus_back)
        return self._picker

    @property
    def fields(self) -> FieldsDialog:
        if self._fields is None:
            from counter_assistant.ui.fields import FieldsDialog

            self._fields = FieldsDialog(self.ctx.business, min(self.ctx.config.font_size, 16))
            self._fields.applied.connect(self.controller.apply_fields)
            self._fields.next_customer.connect(self.controller.next_customer)
            self._fields.finished.connect(self._give_focus_back)
        return self._fields

    def open_picker(self) -> None:
        self._take_focus()
        self.picker.open_fresh()

    def open_fields(self) -> None:
        self._take_focus()
        self.fields.open_for(self.controller.session.fields, self.controller.session.business_key)

    def bring_forward(self) -> None:
        self.window.show_quietly()

    # --- menu ---------------------------------------------------------------------
    def _action_label(self, action: str) -> str:
        if action in self.ctx.catalog.situations:
            return self.ctx.catalog[action].title
        return ACTION_NAMES.get(action, action)

    def _build_menu(self) -> QMenu:
        menu = QMenu()
        handle = self.controller.handle
        menu.addAction("显示/隐藏窗口", self.window.toggle)
        menu.addAction("选择话术…", self.open_picker)
        menu.addAction("本位客户信息…", self.open_fields)
        menu.addAction("下一位客户（清空）", lambda: handle("next_customer", "tray"))
        menu.addSeparator()
        self.pause_action = QAction("暂停热键", menu, checkable=True)
        self.pause_action.toggled.connect(self.set_paused)
        menu.addAction(self.pause_action)
        menu.addAction("热键一览", self.show_cheat_sheet)
        menu.addAction("今日统计", self.show_today)
        menu.addSeparator()
        self.day.add_menu_actions(menu)
        menu.addAction("统计报表…", self.open_reports)
        menu.addSeparator()
        menu.addAction("退出", QApplication.instance().quit)
        return menu

    def _day_changed(self) -> None:
        self.day.update_menu()

    def _tray_activated(self, reason) -> None:
        from PySide6.QtWidgets import QSystemTrayIcon

        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.window.toggle()

    def cheat_sheet_text(self) -> str:
        lines = []
        for action, combo in self.ctx.config.hotkeys.items():
            if combo:
                broken = "  ✗ 无法使用" if combo in self.failed_combos else ""
                lines.append(f"{combo:<16} {self._action_label(action)}{broken}")
        return "\n".join(lines)

    def show_cheat_sheet(self) -> None:
        from PySide6.QtGui import QFont
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(
            QMessageBox.Icon.NoIcon, "窗口服务助手 · 热键一览", self.cheat_sheet_text()
        )
        box.setFont(QFont("monospace"))
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)  # above the prompt window
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()
        self._cheat = box

    def show_today(self) -> None:
        from counter_assistant.reports.today import today_counts
        from counter_assistant.ui.today import TodayDialog

        self.recorder.flush(1.0)
        counts = today_counts(
            self.ctx.paths.database, self.ctx.config.counter_id, self.gate.local_date
        )
        dialog = TodayDialog(None, counts)
        dialog.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)  # above the prompt window
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self._today = dialog

    def open_reports(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from counter_assistant.ui.supervisor import SupervisorWindow, ask_pin

        # Read again: IT may have run set-pin since the window started.
        source = self.ctx.config.source
        fresh = load_config(None if source == "<built-in defaults>" else source)
        stored = fresh.supervisor_pin_hash
        if not stored:
            QMessageBox.information(
                None, "窗口服务助手", "本机未设置主管密码，请 IT 运行 counter-assistant set-pin。"
            )
            return
        if not ask_pin(None, stored):
            return
        self._reports = SupervisorWindow(self.ctx)
        self._reports.show()
