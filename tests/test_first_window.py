"""The window first, the rest after its first paint (app.FirstWindow): what is pressed in
between is handled once the rest is built, in order, and nothing of it is lost."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import pytest

from counter_assistant.app import FirstWindow, build_counter
from counter_assistant.core.clock import FakeClock
from counter_assistant.platform.hotkeys.fake import FakeHotkeyBackend
from counter_assistant.start_context import load_start
from counter_assistant.ui.text import IDLE_HINT

START = datetime(2026, 11, 27, 8, 30).astimezone()


@pytest.fixture
def start(tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    config = tmp_path / "config.toml"
    config.write_text('[counter]\nid = "PJ-03"\nwindow = "3"\n', encoding="utf-8")
    return load_start(str(config), str(tmp_path / "data"))


@pytest.fixture
def first(qtbot, start):
    made = {}

    def choose(_preference, on_fire, exclude=()):
        made["backend"] = FakeHotkeyBackend(on_fire)
        return made["backend"], []

    window = FirstWindow(start, choose)
    window.backend = made["backend"]
    qtbot.addWidget(window.window)
    return window


def test_the_first_window_is_shown_armed_before_anything_else_is_loaded(qtbot, first):
    first.show()
    qtbot.waitExposed(first.window)
    assert first.backend.running and len(first.backend.bindings) == len(first.hotkeys.bindings)
    assert first.window.prompt_label.text() == IDLE_HINT
    assert "全局热键：fake" in first.window.status_label.text()


def test_keys_pressed_before_the_rest_is_built_are_handled_in_order(qtbot, start, first):
    first.show()
    for action in ("greeting", "documents"):
        first.backend.fire(action).join()
    qtbot.waitUntil(lambda: len(first._held) == 2)
    first.window.action_requested.emit("farewell", "click")
    qtbot.waitUntil(lambda: len(first._held) == 3)

    counter = build_counter(start.complete(), FakeClock(START), first=first)
    counter.gate.confirm_prep("0312", start.config.prep_items)  # a prepared day
    counter.start()
    counter.recorder.flush(5.0)
    try:
        db = sqlite3.connect(start.paths.database)
        rows = db.execute("SELECT situation, trigger FROM usage_event ORDER BY rowid").fetchall()
        db.close()
        assert rows == [("greeting", "hotkey"), ("documents", "hotkey"), ("farewell", "click")]
        assert counter.held == []
        first.backend.fire("signature").join()  # from now on straight to the counter
        qtbot.waitUntil(lambda: "签" in first.window.prompt_label.text())
    finally:
        counter.stop()


def test_the_centers_cached_titles_replace_the_local_ones_once_loaded(qtbot, tmp_path):
    """The first window shows the local files' titles; the center's cached version, read
    with the rest, renames the situation on its button and in the hotkey list."""
    from counter_assistant.core import content_cache
    from counter_assistant.core.content import File, load_version

    config = tmp_path / "config.toml"
    config.write_text(
        '[center]\nid = "PJ"\n[counter]\nid = "PJ-03"\n'
        '[sync]\nurl = "postgresql://ca_pj_pj-03@127.0.0.1:1/center"\n',
        encoding="utf-8",
    )
    start = load_start(str(config), str(tmp_path / "data"))
    prompts = '[greeting]\ntitle = "问候新版"\n'
    files = {"prompts": File("prompts", "p.toml", prompts)}
    version = load_version(3, files, start.config, center_id="PJ")
    content_cache.save(start.paths.content_cache, version)
    made = {}

    def choose(_preference, on_fire, exclude=()):
        made["backend"] = FakeHotkeyBackend(on_fire)
        return made["backend"], []

    first = FirstWindow(start, choose)
    qtbot.addWidget(first.window)
    assert not first.window.situation_buttons["greeting"].text().endswith("问候新版")
    counter = build_counter(start.complete(), FakeClock(START), choose, first)
    try:
        assert counter.ui.ctx.content_version == 3
        assert first.window.situation_buttons["greeting"].text().endswith("问候新版")
        assert first.hotkeys._label("greeting") == "问候新版"
    finally:
        counter.stop()
        if counter.sync is not None:
            counter.sync.close()


BROKEN = """
import sys
from counter_assistant import app
from counter_assistant.platform.hotkeys.fake import FakeHotkeyBackend
from counter_assistant.start_context import load_start

def broken(*args, **kwargs):
    raise RuntimeError("the rest cannot be built")

made = {}
def choose(_preference, on_fire, exclude=()):
    made["backend"] = FakeHotkeyBackend(on_fire)
    return made["backend"], []

real_init = app.FirstWindow.__init__
def init(self, *args, **kwargs):
    real_init(self, *args, **kwargs)
    made["first"] = self

app.build_counter, app.FirstWindow.__init__ = broken, init
code = app.run_app(load_start(sys.argv[1], sys.argv[2]), exit_when_ready=True, choose=choose)
window = made["first"].window
print("notice:", window.notice_label.text())
print("hotkeys running:", made["backend"].running)
print("buttons shown:", not window.buttons_box.isHidden())
print("menu:", [a.text() for a in window.menu_button.menu().actions()])
sys.exit(code)
"""


def test_a_counter_that_cannot_be_built_says_so_and_lets_the_hotkeys_go(tmp_path):
    import os
    import subprocess
    import sys

    from counter_assistant.app import MSG_BROKEN_START

    config = tmp_path / "config.toml"
    config.write_text('[counter]\nid = "PJ-03"\n', encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", BROKEN, str(config), str(tmp_path / "data")],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr[-2000:]
    assert "ready" in done.stdout and "built" not in done.stdout
    assert f"notice: {MSG_BROKEN_START}" in done.stdout
    assert "hotkeys running: False" in done.stdout
    assert "buttons shown: False" in done.stdout and "menu: ['退出']" in done.stdout
    log = (tmp_path / "data" / "logs").glob("*.log")
    assert any("the rest cannot be built" in p.read_text(encoding="utf-8") for p in log)


def test_a_failure_late_in_building_keeps_what_was_pressed(qtbot, start, first, monkeypatch):
    """Held presses are taken only when the whole counter is built: a part failing at the
    end (the sender, say) leaves them held, and the window says why and offers 退出."""
    import counter_assistant.app as app_module

    def broken_sync(*_args):
        raise RuntimeError("no sender")

    first.show()
    first.backend.fire("greeting").join()
    qtbot.waitUntil(lambda: len(first._held) == 1)
    monkeypatch.setattr(app_module, "build_sync", broken_sync)
    with pytest.raises(RuntimeError):
        build_counter(start.complete(), FakeClock(START), first=first)
    assert first._held == [("greeting", "hotkey")]
    quits = []
    first.fail("broken", lambda: quits.append(1))
    assert not first.backend.running and first.window.buttons_box.isHidden()
    (quit_item,) = first.window.menu_button.menu().actions()
    quit_item.trigger()
    assert quit_item.text() == "退出" and quits == [1]


def test_one_held_press_that_fails_does_not_stop_the_others(qtbot, start, first, monkeypatch):
    first.show()
    counter = build_counter(start.complete(), FakeClock(START), first=first)
    counter.gate.confirm_prep("0312", start.config.prep_items)
    real = counter.ui.dispatch
    handled = []

    def dispatch(action, trigger):
        if action == "documents":
            raise RuntimeError("a bug in one handler")
        handled.append(action)
        real(action, trigger)

    monkeypatch.setattr(counter.ui, "dispatch", dispatch)
    counter.held = [("greeting", "hotkey"), ("documents", "hotkey"), ("farewell", "hotkey")]
    try:
        counter.start()
        assert handled == ["greeting", "farewell"]
        assert any("内部错误" in n for n in counter.ui.notices)
    finally:
        counter.stop()


def test_work_after_the_first_paint_runs_even_if_no_paint_comes(qtbot):
    from PySide6.QtCore import QObject, Signal

    from counter_assistant.ui.first_paint import AfterFirstPaint

    class Silent(QObject):
        painted = Signal(float)  # never emitted: a window that is not mapped

    source = Silent()
    after = AfterFirstPaint(source.painted, source, wait_ms=50)
    ran = []
    after.add(lambda: ran.append("rest"))
    qtbot.waitUntil(lambda: ran == ["rest"], timeout=2000)
    source.painted.emit(0.0)  # a late paint runs nothing twice
    qtbot.wait(50)
    assert ran == ["rest"] and after.done
