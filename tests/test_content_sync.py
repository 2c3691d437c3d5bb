"""The center's content reaching running counters, against a real PostgreSQL on loopback:
within the poll interval and without a restart, applied between two prompts with the
customer's details kept; refused when it fails the counter's checks; cached for a start
with the server down; followed back on a rollback; in every record made after it."""

from __future__ import annotations

import logging
import time
from datetime import datetime

import pytest

from counter_assistant.app import build_counter
from counter_assistant.cli import main
from counter_assistant.context import load_context
from counter_assistant.core.clock import FakeClock
from counter_assistant.core.content import File
from counter_assistant.platform.hotkeys.fake import FakeHotkeyBackend
from counter_assistant.storage.readonly import connect_readonly
from counter_assistant.sync import content_server

try:
    from tests.test_publish import Center
except ImportError:
    from test_publish import Center

POLL = 5  # [sync] poll_seconds: the smallest the config allows
OLD_TEXT = "您好！请问您办理什么业务？"
NEW_TEXT = "您好！欢迎来到公积金中心，请问您办理什么业务？"
FAREWELL = """
[farewell]
[[farewell.variants]]
id = "farewell"
text = "{surname}{title}，请慢走，欢迎再来。"
fallbacks = ["请慢走，欢迎再来。"]
"""


def prompts(text: str = NEW_TEXT) -> str:
    return f'[greeting]\n[[greeting.variants]]\nid = "business"\ntext = "{text}"\n'


def fake_backend(_preference, on_fire, exclude=()):
    return FakeHotkeyBackend(on_fire), []


@pytest.fixture
def center(pg_cluster):
    c = Center(pg_cluster)
    yield c
    c.close()


@pytest.fixture
def texts(tmp_path):
    def write(name: str, body: str) -> str:
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        return str(path)

    return write


@pytest.fixture
def make_counter(qtbot, tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    made = []

    def make(url: str, data: str = "data"):
        config = tmp_path / "config.toml"
        config.write_text(
            f'[center]\nid = "PJ"\n[counter]\nid = "PJ-03"\nwindow = "3"\n'
            f'[sync]\nurl = "{url}"\npoll_seconds = {POLL}\n',
            encoding="utf-8",
        )
        ctx = load_context(str(config), str(tmp_path / data))
        counter = build_counter(ctx, FakeClock(datetime.now().astimezone()), fake_backend)
        qtbot.addWidget(counter.ui.window)
        made.append(counter)
        counter.start()
        counter.gate.confirm_prep("0312", ctx.config.prep_items)
        counter.ui.day.prep.hide()  # as confirming it in its window does
        return counter

    yield make
    for counter in made:
        counter.stop()
        if counter.sync is not None:
            counter.sync.close()


def shown(counter) -> str:
    return counter.ui.window.prompt_label.text()


def publish(server: Center, **bodies: str) -> int:
    files = {kind: File(kind, f"{kind}.toml", body) for kind, body in bodies.items()}
    new, _based_on, _carried = content_server.publish(server.admin, "PJ", files)
    return new


def wait_for_version(qtbot, counter, version: int, timeout: float) -> float:
    """Seconds until the version reached the counter (waiting or applied)."""
    t0 = time.perf_counter()

    def arrived() -> bool:
        pending = counter.ui.content_swap.pending
        return counter.ui.ctx.content_version == version or (
            pending is not None and pending.version == version
        )

    qtbot.waitUntil(arrived, timeout=int(timeout * 1000))
    return time.perf_counter() - t0


def usage_versions(counter) -> list[tuple[str, int]]:
    counter.recorder.flush(5)
    con = connect_readonly(counter.ui.ctx.paths.database)
    try:
        return con.execute("SELECT situation, content_version FROM usage_event ORDER BY rowid")\
            .fetchall()  # fmt: skip
    finally:
        con.close()


def test_a_published_text_reaches_a_running_counter_between_two_prompts(
    center, make_counter, qtbot, texts
):
    counter = make_counter(center.counter_url)
    ui = counter.ui
    qtbot.waitUntil(lambda: counter.sync.state.state == "ok", timeout=10_000)
    ui.dispatch("greeting", "hotkey")
    assert shown(counter) == OLD_TEXT
    ui.dispatch("crowding", "hotkey")  # the greeting again would be its next variant
    ui.controller.session.set_field("surname", "王")
    ui.controller.session.set_field("title", "先生")
    ui.controller.session.set_business("withdraw_rent")

    # the way IT does it: the command line, as a publisher
    path = texts("center-prompts.toml", prompts() + FAREWELL)
    assert main(["publish", "--url", center.publisher_url, "--center-id", "PJ",
                 "--prompts", path]) == 0  # fmt: skip
    took = wait_for_version(qtbot, counter, 1, POLL + 5)
    assert took <= POLL + 2, f"{took:.1f} s from publish to the counter"
    # the clerk is between two sentences only when the next prompt is asked for
    assert shown(counter) == "对不起，请大家按顺序办理，谢谢合作。"
    ui.dispatch("greeting", "hotkey")
    assert shown(counter) == NEW_TEXT
    assert ui.ctx.content_version == 1
    ui.dispatch("farewell", "hotkey")
    assert shown(counter) == "王先生，请慢走，欢迎再来。"  # the details survived the update
    assert ui.controller.session.business.name == "租房提取"
    assert [v for _s, v in usage_versions(counter)] == [0, 0, 1, 1]
    # the server hears about it soon: IT's fleet page and the live page show it
    rows = lambda: center.rows("SELECT content_version FROM ca.counter_status")  # noqa: E731
    qtbot.waitUntil(lambda: rows() == [[1]], timeout=10_000)
    on_server = "SELECT content_version FROM ca.usage_event ORDER BY ts_utc"
    qtbot.waitUntil(lambda: center.rows(on_server) == [[0], [0], [1], [1]], timeout=10_000)


def test_an_idle_counter_takes_it_at_a_quiet_moment_and_shows_the_new_wording(
    center, make_counter, qtbot
):
    counter = make_counter(center.counter_url)
    ui = counter.ui
    ui.content_swap.quiet_seconds = 0.5
    ui.dispatch("greeting", "hotkey")
    publish(center, prompts=prompts())
    counter.sync.wake()
    qtbot.waitUntil(lambda: ui.ctx.content_version == 1, timeout=10_000)
    assert shown(counter) == NEW_TEXT  # rendered again on screen, no new use recorded
    assert [s for s, _v in usage_versions(counter)] == ["greeting"]


def test_content_waits_while_a_dialog_is_open(center, make_counter, qtbot):
    counter = make_counter(center.counter_url)
    ui = counter.ui
    ui.content_swap.quiet_seconds = 0.0
    ui.dialogs.open_fields()
    publish(center, center='[center]\nopening = "09:00"\n')
    counter.sync.wake()
    qtbot.waitUntil(lambda: ui.content_swap.pending is not None, timeout=10_000)
    ui.dispatch("greeting", "hotkey")  # a prompt while typing: still not swapped under them
    assert ui.ctx.content_version == 0 and ui.ctx.config.opening == "08:30"
    ui.fields.reject()
    qtbot.waitUntil(lambda: ui.ctx.content_version == 1, timeout=5_000)
    assert ui.ctx.config.opening == "09:00" and ui.gate.prep_deadline.strftime("%H:%M") == "08:50"


def test_an_invalid_version_never_replaces_a_good_one(center, make_counter, qtbot, caplog):
    caplog.set_level(logging.WARNING)
    counter = make_counter(center.counter_url)
    ui = counter.ui
    ui.content_swap.quiet_seconds = 0.0
    publish(center, prompts=prompts())
    counter.sync.wake()
    qtbot.waitUntil(lambda: ui.ctx.content_version == 1, timeout=10_000)
    # a version the server holds but this counter refuses (written past `publish`'s checks)
    publish(center, prompts=prompts("您好！××请问您办理什么业务？"))
    counter.sync.wake()
    qtbot.waitUntil(lambda: counter.sync.content.refused == 2, timeout=10_000)
    assert ui.ctx.content_version == 1 and ui.content_swap.pending is None
    assert "version 2 refused" in caplog.text and "prompts.toml (published version 2):4" in (
        caplog.text
    )
    cached = ui.ctx.paths.content_cache.read_text("utf-8")
    assert '"version": 1' in cached
    ui.dispatch("greeting", "hotkey")
    assert shown(counter) == NEW_TEXT
    counter.sync.status_soon()
    problem = lambda: center.rows("SELECT last_error FROM ca.counter_status")  # noqa: E731
    qtbot.waitUntil(lambda: "版本 2 未通过检查" in (problem() or [[""]])[0][0], timeout=10_000)
    # a good version after it is taken
    publish(center, prompts=prompts("您好！请问您今天办理什么业务？"))
    counter.sync.wake()
    qtbot.waitUntil(lambda: ui.ctx.content_version == 3, timeout=10_000)


def test_rollback_reaches_the_counter(center, make_counter, qtbot):
    counter = make_counter(center.counter_url)
    ui = counter.ui
    ui.content_swap.quiet_seconds = 0.0
    publish(center, prompts=prompts())
    publish(center, prompts=prompts("您好！请问您今天办理什么业务？"))
    counter.sync.wake()
    qtbot.waitUntil(lambda: ui.ctx.content_version == 2, timeout=10_000)
    content_server.rollback(center.admin, "PJ", 1)
    counter.sync.wake()
    qtbot.waitUntil(lambda: ui.ctx.content_version == 1, timeout=10_000)
    ui.dispatch("greeting", "hotkey")
    assert shown(counter) == NEW_TEXT
    assert [v for _s, v in usage_versions(counter)] == [1]


def test_a_counter_started_with_the_server_down_uses_its_cached_version(
    center, make_counter, qtbot, pg_cluster
):
    counter = make_counter(center.counter_url)
    counter.ui.content_swap.quiet_seconds = 0.0
    publish(center, prompts=prompts(), center='[center]\nname = "盘锦市住房公积金管理中心"\n')
    counter.sync.wake()
    qtbot.waitUntil(lambda: counter.ui.ctx.content_version == 1, timeout=10_000)
    counter.stop()
    counter.sync.close()
    # the same counter again, its server unreachable (nothing listens on the port)
    down = center.counter_url.replace(f":{center.port}/", ":1/")
    again = make_counter(down)
    assert again.ui.ctx.content_version == 1
    assert again.ui.ctx.config.center_name == "盘锦市住房公积金管理中心"
    again.ui.dispatch("greeting", "hotkey")
    assert shown(again) == NEW_TEXT
    qtbot.waitUntil(lambda: again.sync.state.state == "failing", timeout=10_000)
    assert [v for _s, v in usage_versions(again)][-1] == 1


def test_without_a_server_nothing_published_is_used(tmp_path, make_counter, center, qtbot):
    counter = make_counter(center.counter_url)
    counter.ui.content_swap.quiet_seconds = 0.0
    publish(center, prompts=prompts())
    counter.sync.wake()
    qtbot.waitUntil(lambda: counter.ui.ctx.content_version == 1, timeout=10_000)
    config = tmp_path / "config.toml"
    config.write_text('[center]\nid = "PJ"\n[counter]\nid = "PJ-03"\n', encoding="utf-8")
    ctx = load_context(str(config), str(tmp_path / "data"))
    assert ctx.content_version == 0 and ctx.catalog["greeting"].variants[0].text == OLD_TEXT


RULES = """
[[rule]]
key = "in_person"
name = "本人办理"
initials = "brbl"
text = "此项业务须由本人持有效身份证件办理"
"""
ANSWERS = """
[[answer]]
key = "payout"
title = "提取到账时间"
initials = "dzsj"
text = "审核通过后三个工作日内转入您本人的银行卡。"
"""


def test_rules_and_answers_reach_the_picker_and_the_session(center, make_counter, qtbot):
    counter = make_counter(center.counter_url)
    ui = counter.ui
    ui.content_swap.quiet_seconds = 0.0
    before = ui.picker  # built before the version arrives: built again after
    assert all("提取到账时间" not in before.list.item(i).text() for i in range(before.list.count()))
    publish(center, rules=RULES, answers=ANSWERS)
    counter.sync.wake()
    qtbot.waitUntil(lambda: ui.ctx.content_version == 1, timeout=10_000)
    assert ui.picker is not before
    listed = [ui.picker.list.item(i).text() for i in range(ui.picker.list.count())]
    assert any("提取到账时间" in text for text in listed)
    session = ui.controller.session
    assert session.rules == {"in_person": "此项业务须由本人持有效身份证件办理"}
    session.set_rules(["in_person"])
    assert session.values()["rule"] == "此项业务须由本人持有效身份证件办理"
    ui.controller.show_answer(0, "picker")
    assert shown(counter) == "审核通过后三个工作日内转入您本人的银行卡。"
    assert usage_versions(counter) == [("answer", 1)]
