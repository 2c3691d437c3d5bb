"""The composition root: builds every part of the counter app and wires them. No rules here."""

from __future__ import annotations

# isort: off
import counter_assistant.ui  # noqa: F401  (first, before PySide6: see its docstring)

# isort: on
import contextlib
import gc
import linecache
import logging
import signal
import sys
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from counter_assistant import __version__
from counter_assistant.core.actions import label_of, parse_bindings
from counter_assistant.core.clock import Clock
from counter_assistant.core.digest import sha256_hex
from counter_assistant.platform.hotkeys.choose import choose_backend
from counter_assistant.start_context import StartContext
from counter_assistant.ui.bridge import Bridge
from counter_assistant.ui.first_paint import AfterFirstPaint
from counter_assistant.ui.gc_guard import GarbageCollector
from counter_assistant.ui.hotkey_service import Chooser, HotkeyService
from counter_assistant.ui.prompt_window import PromptWindow
from counter_assistant.ui.qt_texts import install_chinese_qt_texts
from counter_assistant.ui.text import IDLE_HINT, key_text

if TYPE_CHECKING:  # the rest of the counter: imported once the window has painted
    from counter_assistant.context import Context
    from counter_assistant.core.day import DayGate
    from counter_assistant.core.records import ChecklistEntry, StaffChange
    from counter_assistant.storage.recorder import Recorder
    from counter_assistant.sync.sender import SyncService
    from counter_assistant.ui.counter import CounterUi
    from counter_assistant.ui.tasks import TaskRunner

log = logging.getLogger(__name__)
TICK_MS = 30_000
MSG_INTERNAL_ERROR = "程序出现内部错误，已记录到日志；可继续使用。"
MSG_BROKEN_START = (
    "程序启动未完成，热键和记录暂不可用：请点 ☰ → 退出 后重新打开；仍不行请联系信息科（IT），"
    "详见日志。"
)

# (preference, on_fire, exclude) -> (backend or None, reasons): choose_backend, or a fake
BackendFactory = Callable[..., tuple]


def install_excepthook(notify) -> None:
    """An uncaught exception is logged with its traceback; the clerk gets a short line."""

    def hook(kind, value, tb) -> None:
        with contextlib.suppress(Exception):
            log.error(
                "uncaught exception:\n%s", "".join(traceback.format_exception(kind, value, tb))
            )
        with contextlib.suppress(Exception):
            notify(MSG_INTERNAL_ERROR)

    sys.excepthook = hook


def release_startup_memory() -> None:
    """Drop what only start-up needed: PySide6's import hook reads the source of every
    module imported after it into linecache (megabytes in a source install)."""
    linecache.clearcache()
    gc.collect()


def read_storage(
    ctx: Context, today: str
) -> tuple[list[str], list[ChecklistEntry], list[StaffChange], bool]:
    """Today's records at start, and whether the full open is still to run.

    A database of this release and counter is read the quick way (storage/start_read.py);
    its full open then runs on the writer thread. Otherwise it is opened here: created,
    migrated, a corrupt file moved aside. Never raises: whatever is wrong becomes a
    notice, and the counter starts on what works (the recorder keeps records in its
    pending file until the database can be written).
    """
    from counter_assistant.storage.start_read import read_today_quick

    quick = read_today_quick(ctx.paths.database, ctx.config.counter_id, today)
    if quick is not None:
        return [], *quick, True
    return (*open_and_read(ctx, today), False)


def open_and_read(
    ctx: Context, today: str
) -> tuple[list[str], list[ChecklistEntry], list[StaffChange]]:
    from counter_assistant.storage.checklists import load_today, load_today_readonly
    from counter_assistant.storage.db import open_database
    from counter_assistant.storage.recorder import MSG_NOT_WRITABLE

    notices: list[str] = []
    entries: list[ChecklistEntry] = []
    changes: list[StaffChange] = []
    try:
        opened = open_database(ctx.paths.database, ctx.config.counter_id)
    except Exception as exc:  # locked, read-only, a full disk, a folder that cannot be made
        log.error("database %s cannot be opened for writing: %s", ctx.paths.database, exc)
        notices.append(MSG_NOT_WRITABLE.format(exc=exc))
        try:
            entries, changes = load_today_readonly(ctx.paths.database, ctx.config.counter_id, today)
        except Exception as read_exc:
            log.error("today's checklist records cannot be read either: %s", read_exc)
        return notices, entries, changes
    try:
        if opened.moved_aside:
            log.error(
                "corrupt database moved aside to %s; a fresh one was started", opened.moved_aside
            )
            notices.append(f"数据库文件已损坏，已另存为 {opened.moved_aside.name} 并新建数据库。")
        entries, changes = load_today(opened.db, ctx.config.counter_id, today)
    except Exception as exc:  # a broken database must not lock the counter out
        log.error("cannot read today's checklist records: %s", exc)
        notices.append("无法读取今日的岗前准备记录，请重新确认岗前准备。")
    finally:
        opened.close()  # from here on only the recorder's own connection writes
    return notices, entries, changes


class FirstWindow:
    """What the clerk sees first, built before the rest of the counter is imported: the
    window with the idle hint, the hotkeys armed. Whatever fires until the rest is built
    (a hotkey, a click on a situation) is held and handled in order by Counter.start()."""

    def __init__(self, ctx: StartContext | Context, choose: BackendFactory) -> None:
        self.ctx = ctx  # the whole Context once the rest is loaded (use_context)
        cfg = ctx.config
        self.bridge = Bridge()
        titles = {s.key: s.title for s in ctx.catalog}
        backend, reasons = choose(cfg.hotkey_backend, self.bridge.fire)
        chooser: Chooser = lambda exclude: choose(cfg.hotkey_backend, self.bridge.fire, exclude)  # noqa: E731
        self.window = PromptWindow(
            cfg.font_size,
            [(s.key, s.title, cfg.hotkeys.get(s.key, "")) for s in ctx.catalog],
            ctx.paths.state_file,
            focusable=backend is None,
            bold=cfg.bold,
            keys={action: key_text(combo) for action, combo in cfg.hotkeys.items()},
        )
        where = " · ".join(
            x for x in (f"{cfg.window}号窗口" if cfg.window else "", cfg.department) if x
        )
        self.window.set_title(f"窗口服务助手 · {where}" if where else "窗口服务助手")
        self.hotkeys = HotkeyService(  # labels read the texts in force (the center may publish)
            parse_bindings(cfg.hotkeys, titles), backend, reasons, chooser, self.window,
            lambda action: label_of(action, {s.key: s.title for s in self.ctx.catalog}),
        )  # fmt: skip
        self.bridge.hotkey.connect(self.hotkeys.on_backend_fired)
        self.after_paint = AfterFirstPaint(self.window.prompt_label.painted, self.window)
        self._held: list[tuple[str, str]] = []
        self.hotkeys.fired.connect(self._hold)
        self.window.action_requested.connect(self._hold)
        self.shown = False

    def use_context(self, ctx: Context) -> None:
        """The whole Context: the center's cached texts may name the situations anew."""
        if ctx.catalog is not self.ctx.catalog:
            self.window.set_situation_titles({s.key: s.title for s in ctx.catalog})
        self.ctx = ctx

    def _hold(self, action: str, trigger: str) -> None:
        self._held.append((action, trigger))

    def show(self) -> None:
        """Arm the hotkeys and show the window (once)."""
        if self.shown:
            return
        self.shown = True
        self.hotkeys.arm()
        if not self.hotkeys.global_ok:
            self.window.set_focusable(True)  # the clerk clicks the window to use shortcuts
        self.window.set_status(*self.hotkeys.status())
        self.window.set_notices(self.hotkeys.notices())
        self.window.show_prompt("", IDLE_HINT, hint=True)  # shows the window, quietly

    def fail(self, message: str, quit_app: Callable[[], None]) -> None:
        """The rest could not be built: say so, take nothing more in (hotkeys let go, the
        situation buttons hidden) and leave the clerk a way out (☰ → 退出)."""
        from PySide6.QtWidgets import QMenu

        self.hotkeys.stop()
        self.window.buttons_box.hide()
        menu = QMenu(self.window)
        menu.addAction("退出", quit_app)
        self.window.set_menu(menu)
        self.window.set_notices([message])

    def stop_holding(self) -> list[tuple[str, str]]:
        """The rest is wired to the window and the hotkeys now: what was held, in order."""
        self.hotkeys.fired.disconnect(self._hold)
        self.window.action_requested.disconnect(self._hold)
        held, self._held = self._held, []
        return held


class Counter:
    """Every part of a running counter, for run_app, tests and the bench. (A plain class:
    a dataclass here would compile its methods at every start, before the first paint.)"""

    def __init__(
        self,
        ui: CounterUi,
        recorder: Recorder,
        gate: DayGate,
        bridge: Bridge,
        tasks: TaskRunner,
        notices: list[str],
        first: FirstWindow,
        held: list[tuple[str, str]],
    ) -> None:
        self.ui = ui
        self.recorder = recorder
        self.gate = gate
        self.bridge = bridge
        self.tasks = tasks
        self.notices = notices
        self.first = first
        self.held = held  # fired while the rest was being built
        self.sync: SyncService | None = None  # None without [sync] url

    def start(self) -> None:
        self.first.show()  # run_app has shown it already, before building the rest
        self.recorder.start()  # after its status is wired: start-up failures are shown
        try:
            self.ui.start(self.notices)
        finally:
            self._handle_held()
        if self.sync is not None:
            from counter_assistant.ui.sync_status import snapshot_of

            self.sync.push_snapshot(snapshot_of(self.ui))
            self.sync.start()

    def _handle_held(self) -> None:
        """What was pressed while the rest was built, in order; one that fails is logged
        and told (as any action that fails) and the others are still handled."""
        held, self.held = self.held, []
        for action, trigger in held:
            log.info("handling %s pressed during start-up", action)
            try:
                self.ui.dispatch(action, trigger)
            except Exception:
                log.exception("handling %s pressed during start-up failed", action)
                self.ui.notify(MSG_INTERNAL_ERROR)

    def stop(self) -> None:
        self.ui.shutdown()
        self.recorder.close()
        if self.sync is not None:
            self.sync.stop(timeout=2.0)  # never hold up quitting for the network
        self.tasks.shutdown(wait=False)


def build_counter(
    ctx: Context,
    clock: Clock,
    choose: BackendFactory = choose_backend,
    first: FirstWindow | None = None,
) -> Counter:
    """The whole counter around its first window (built here if not handed in)."""
    from counter_assistant.core.day import DayGate
    from counter_assistant.core.session import PromptSession
    from counter_assistant.storage.recorder import Recorder
    from counter_assistant.ui.controller import CounterController
    from counter_assistant.ui.counter import CounterUi
    from counter_assistant.ui.day_dialogs import DayDialogs
    from counter_assistant.ui.tasks import TaskRunner

    first = first or FirstWindow(ctx, choose)
    first.use_context(ctx)
    cfg, bridge, window = ctx.config, first.bridge, first.window
    # Today's checklist records: the first window shows nothing that depends on them.
    notices, entries, changes, verify = read_storage(ctx, clock.now().date().isoformat())
    recorder = Recorder(
        ctx.paths.database,
        ctx.paths.pending_file,
        cfg.counter_id,
        on_status=bridge.report_storage,
        on_notice=bridge.report_notice,
    )
    recorder.remember_today([*entries, *changes])
    if verify:
        recorder.verify_before_writing()
    gate = DayGate(cfg, clock, recorder.record, entries, changes)
    session = PromptSession(
        ctx.catalog,
        ctx.business,
        cfg.slot_values(),
        rules=ctx.rules.spoken,
        rule_names={r.key: r.name for r in ctx.rules},
        idle_minutes=cfg.new_customer_after_minutes,
    )
    controller = CounterController(
        session, window, recorder.record, gate, cfg.counter_id, clock, ctx.answers, cfg.hotkeys
    )
    day = DayDialogs(cfg, gate, window)
    tasks = TaskRunner()
    ui = CounterUi(
        ctx, window, controller, first.hotkeys, day, gate, tasks, clock, recorder.flush,
        first.after_paint,
    )  # fmt: skip
    bridge.storage_status.connect(ui.storage_status)
    bridge.notice.connect(ui.notify)
    sync = build_sync(ctx, ui, bridge)
    counter = Counter(ui, recorder, gate, bridge, tasks, notices, first, first.stop_holding())
    counter.sync = sync
    return counter


def build_sync(ctx: Context, ui: CounterUi, bridge: Bridge) -> SyncService | None:
    """The sender to the center's server; without [sync] url nothing of it is imported."""
    if not ctx.config.sync_url:
        return None
    from counter_assistant.sync.content_poll import ContentPoller
    from counter_assistant.sync.sender import from_config
    from counter_assistant.ui.sync_status import snapshot_of

    sync = from_config(ctx.config, ctx.paths.database, on_state=bridge.report_sync)
    bridge.sync_status.connect(ui.sync_status)
    ui.tick_hooks.append(lambda: sync.push_snapshot(snapshot_of(ui)))
    # The center's content: polled in each round, checked and cached on the sender's
    # thread, applied on the GUI thread between two prompts; the status row says so soon.
    sync.content = ContentPoller(
        ctx.config, ctx.paths.content_cache, ctx.content_version, bridge.report_content
    )
    bridge.content.connect(ui.content_arrived)
    ui.content_hooks.append(lambda: (sync.push_snapshot(snapshot_of(ui)), sync.status_soon()))
    return sync


def quiet_for_restart(app: QApplication, counter: Counter) -> bool:
    """No dialog of ours open (the dialog stack, the notice preview, any other window or
    menu) and nothing under way in the background (a notice being printed): a restart into
    a newly installed version would interrupt nothing the clerk is doing."""
    from counter_assistant.platform.upgrade import qt_is_idle

    ui = counter.ui
    return not ui.dialogs_open() and not counter.tasks.busy and qt_is_idle(app, ui.window)


def run_app(
    ctx: StartContext | Context,
    clock: Clock | None = None,
    exit_when_ready: bool = False,
    choose: BackendFactory = choose_backend,
) -> int:
    from counter_assistant.platform.single_instance import APP_ID, SingleInstance

    clock = clock or Clock()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("CounterAssistant")
    app.setApplicationVersion(__version__)
    app.setQuitOnLastWindowClosed(False)
    install_chinese_qt_texts(app)

    # One instance per user and database: a second start with the same data comes forward.
    db_key = sha256_hex(str(ctx.paths.database.resolve()).encode())[:8]
    instance = SingleInstance(f"{APP_ID}-{db_key}")
    if not instance.acquire(listen=False):  # the lock now; listening once the window is shown
        log.info("another instance is running; asked it to come forward")
        print(
            "counter-assistant is already running; its window was brought forward.", file=sys.stderr
        )
        return 0

    app._collector = GarbageCollector(app)  # Qt objects are destroyed on the GUI thread only
    # The window first (hotkeys armed, shown); the rest is imported and built right after
    # its first paint, and handles what was pressed in between (FirstWindow).
    first = FirstWindow(ctx, choose)
    built: list[Counter] = []  # the counter, once built
    install_excepthook(lambda message: built[0].ui.notify(message) if built else None)
    instance.activated.connect(first.window.show_quietly)

    # Upgrades (platform/upgrade.py): restart into a new version at a quiet moment; quit
    # when the package is removed; on Windows the installer's Restart Manager restarts us.
    from counter_assistant.platform import upgrade

    upgrades = upgrade.UpgradeRestarter(
        app.quit,
        lambda: bool(built) and quiet_for_restart(app, built[0]),
        upgrade.installed_executable(),
    )
    instance.upgrading.connect(upgrade.load_native_modules)  # answered once loaded
    instance.upgraded.connect(upgrades.watcher.upgrade_announced)
    instance.removed.connect(upgrades.watcher.removal_announced)
    first.bridge.hotkey.connect(upgrades.policy.activity)
    first.window.action_requested.connect(upgrades.policy.activity)

    if exit_when_ready:  # scripts/bench.py: "ready" at the first paint, "built" after the rest

        def ready(_when: float) -> None:
            first.window.prompt_label.painted.disconnect(ready)
            print("ready", flush=True)

        first.window.prompt_label.painted.connect(ready)

    ticker = QTimer(interval=TICK_MS)

    def build_the_rest() -> None:
        try:
            counter = build_counter(ctx.complete(), clock, choose, first)
        except Exception:  # no silent window: say so, let the hotkeys go, keep the log
            log.exception("the counter could not be built after its window was shown")
            first.fail(MSG_BROKEN_START, app.quit)
            if exit_when_ready:
                QTimer.singleShot(0, lambda: app.exit(1))
            return
        built.append(counter)  # from here on shutdown() writes whatever was recorded
        try:
            counter.start()
        except Exception:  # a part failed to start: the rest runs on, as after any error
            log.exception("the counter did not start completely")
            counter.ui.notify(MSG_INTERNAL_ERROR)
        ticker.timeout.connect(counter.ui.tick)
        ticker.start()
        first.after_paint.add(upgrades.start)
        first.after_paint.add(upgrade.register_application_restart)
        first.after_paint.add(counter.recorder.verify_soon)  # the whole-file check, if due
        if exit_when_ready:
            print("built", flush=True)
            QTimer.singleShot(0, app.quit)

    first.after_paint.add(instance.listen)
    first.after_paint.add(build_the_rest)
    first.show()
    QTimer.singleShot(1000, release_startup_memory)

    def shutdown() -> None:
        if not built:  # quit before the rest was built: nothing was recorded yet
            first.hotkeys.stop()  # (again, if building failed: stopping twice is harmless)
            return
        built[0].stop()
        log.info(
            "counter-assistant stopped; %d record(s) still pending", built[0].recorder.pending_count
        )

    app.aboutToQuit.connect(shutdown)
    # SIGTERM / Ctrl+C quit cleanly so queued records are written; the timer lets Python run.
    # (queued: a signal that comes before the event loop runs would be lost by quit())
    signal.signal(signal.SIGTERM, lambda *_: QTimer.singleShot(0, app.quit))
    signal.signal(signal.SIGINT, lambda *_: QTimer.singleShot(0, app.quit))
    wake = QTimer(interval=250, timeout=lambda: None)
    wake.start()
    code = app.exec()
    instance.release()  # records are written by now; a clean exit leaves no socket behind
    upgrades.finish()  # execs the new version when an upgrade asked for a restart
    return code
