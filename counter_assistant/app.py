"""The composition root: builds the parts and wires them. No rules live here."""

from __future__ import annotations

# isort: off
import counter_assistant.ui  # noqa: F401  (first, before PySide6: see its docstring)

# isort: on
import contextlib
import gc
import hashlib
import linecache
import logging
import signal
import sys
import traceback

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from counter_assistant import __version__
from counter_assistant.context import Context
from counter_assistant.core.clock import Clock
from counter_assistant.core.day import DayGate
from counter_assistant.core.session import PromptSession
from counter_assistant.storage.checklists import load_today
from counter_assistant.storage.db import DatabaseError, close_database, open_database
from counter_assistant.storage.recorder import Recorder
from counter_assistant.ui.counter import CounterUi

log = logging.getLogger(__name__)
TICK_MS = 30_000


def install_excepthook(notify) -> None:
    """An uncaught exception is logged with its traceback; the clerk gets a short line."""

    def hook(kind, value, tb) -> None:
        log.error("uncaught exception:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        with contextlib.suppress(Exception):
            notify("程序出现内部错误，已记录到日志；可继续使用。")

    sys.excepthook = hook


def install_chinese_qt_texts(app: QApplication) -> None:
    """Qt's own buttons (OK, Cancel) in Simplified Chinese like the rest of the window."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    locale = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    if translator.load(locale, "qtbase", "_", folder):
        app.installTranslator(translator)
    else:
        log.info("Qt's Chinese translation not found in %s; its buttons stay in English", folder)


def release_startup_memory() -> None:
    """Drop what only start-up needed: PySide6's import hook reads the source of every
    module imported after it into linecache (megabytes in a source install)."""
    linecache.clearcache()
    gc.collect()


def open_storage(ctx: Context) -> list[str]:
    """Open the database; problems come back as notices and the counter keeps working."""
    notices = []
    try:
        opened = open_database(ctx.paths.database, ctx.config.counter_id)
        if opened.moved_aside:
            msg = f"数据库文件已损坏，已另存为 {opened.moved_aside.name} 并新建数据库。"
            log.error(
                "corrupt database moved aside to %s; a fresh one was started", opened.moved_aside
            )
            notices.append(msg)
    except DatabaseError as exc:
        log.error("database: %s", exc)
        notices.append(f"数据库无法打开，使用记录暂存待写入：{exc}")
    return notices


def run_app(ctx: Context, clock: Clock | None = None, exit_when_ready: bool = False) -> int:
    from counter_assistant.platform.single_instance import APP_ID, SingleInstance

    clock = clock or Clock()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("CounterAssistant")
    app.setApplicationVersion(__version__)
    app.setQuitOnLastWindowClosed(False)
    install_chinese_qt_texts(app)

    # One instance per user and database: a second start with the same data comes forward.
    db_key = hashlib.sha256(str(ctx.paths.database.resolve()).encode()).hexdigest()[:8]
    instance = SingleInstance(f"{APP_ID}-{db_key}")
    if not instance.acquire():
        log.info("another instance is running; asked it to come forward")
        print("counter-assistant is already running; its window was brought forward.",
              file=sys.stderr)  # fmt: skip
        return 0

    notices = open_storage(ctx)
    recorder = Recorder(ctx.paths.database, ctx.paths.pending_file)
    recorder.start()
    try:
        checklist_rows, staff_rows = load_today(
            ctx.config.counter_id, clock.now().date().isoformat()
        )
    except Exception as exc:  # a broken database must not lock the counter out
        log.error("cannot read today's checklist records: %s", exc)
        checklist_rows, staff_rows = [], []
    finally:
        close_database()  # from here on only the recorder's own connection writes
    gate = DayGate(ctx.config, clock, recorder.submit, checklist_rows, staff_rows)
    session = PromptSession(ctx.catalog, ctx.business, ctx.config.slot_values())

    ui = CounterUi(ctx, session, gate, recorder, clock)
    recorder.on_status = ui.bridge.report_storage
    install_excepthook(ui.notify)
    instance.activated.connect(ui.bring_forward)
    ui.start(notices)

    # Upgrades (platform/upgrade.py): restart into a new version at a quiet moment; quit
    # when the package is removed; on Windows the installer's Restart Manager restarts us.
    from counter_assistant.platform import upgrade

    upgrades = upgrade.UpgradeRestarter(
        app.quit, lambda: upgrade.qt_is_idle(app, ui.window), upgrade.installed_executable()
    )
    instance.upgraded.connect(upgrades.watcher.upgrade_announced)
    instance.removed.connect(upgrades.watcher.removal_announced)
    ui.bridge.hotkey.connect(upgrades.policy.activity)
    ui.window.action_requested.connect(upgrades.policy.activity)
    upgrades.start()
    upgrade.register_application_restart()

    if exit_when_ready:

        def ready(_when: float) -> None:
            ui.window.prompt_label.painted.disconnect(ready)
            print("ready", flush=True)
            QTimer.singleShot(0, app.quit)

        ui.window.prompt_label.painted.connect(ready)

    QTimer.singleShot(1000, release_startup_memory)
    ticker = QTimer(interval=TICK_MS, timeout=ui.tick)
    ticker.start()

    def shutdown() -> None:
        ui.shutdown()
        recorder.close()
        log.info("counter-assistant stopped; %d record(s) still pending", recorder.pending_count)

    app.aboutToQuit.connect(shutdown)
    # SIGTERM / Ctrl+C quit cleanly so queued records are written; the timer lets Python run.
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    wake = QTimer(interval=250, timeout=lambda: None)
    wake.start()
    code = app.exec()
    instance.release()  # records are written by now; a clean exit leaves no socket behind
    upgrades.finish()  # execs the new version when an upgrade asked for a restart
    return code
