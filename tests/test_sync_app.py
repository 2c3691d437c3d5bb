"""The counter app with a server configured: the clerk never waits, the status line says
the sync state in a word, and without a url the app is exactly as before."""

from __future__ import annotations

from datetime import datetime

import pytest

from counter_assistant.app import build_counter
from counter_assistant.context import load_context
from counter_assistant.core.clock import FakeClock
from counter_assistant.platform.hotkeys.fake import FakeHotkeyBackend
from counter_assistant.storage.readonly import connect_readonly
from counter_assistant.sync import schema
from counter_assistant.sync.connection import close_quietly, connect
from counter_assistant.ui.sync_status import snapshot_of

try:
    from tests.pgcluster import wait_until
except ImportError:
    from pgcluster import wait_until

CONFIG = """
[center]
id = "PJ"
[counter]
id = "PJ-03"
window = "3"
"""


def fake_backend(_preference, on_fire, exclude=()):
    return FakeHotkeyBackend(on_fire), []


@pytest.fixture
def make_counter(qtbot, tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    made = []

    def make(extra: str = ""):
        config = tmp_path / "config.toml"
        config.write_text(CONFIG + extra, encoding="utf-8")
        ctx = load_context(str(config), str(tmp_path / "data"))
        counter = build_counter(ctx, FakeClock(datetime.now()), fake_backend)
        qtbot.addWidget(counter.ui.window)
        made.append(counter)
        counter.start()
        return counter

    yield make
    for counter in made:
        counter.stop()
        if counter.sync is not None:
            counter.sync.close()


def prepare(counter) -> None:
    counter.gate.confirm_prep("0312", counter.ui.ctx.config.prep_items)


def test_without_a_url_there_is_no_sender_and_no_sync_word(make_counter):
    counter = make_counter()
    assert counter.sync is None
    assert "同步" not in counter.ui.window.status_label.text()


def test_server_down_the_counter_works_and_says_so_in_a_word(make_counter, qtbot):
    counter = make_counter('[sync]\nurl = "postgresql://ca_pj_pj-03@127.0.0.1:1/center"\n')
    prepare(counter)
    counter.ui.dispatch("greeting", "hotkey")
    assert counter.ui.window.prompt_label.text()  # shown at once, whatever the network does
    label = counter.ui.window.status_label
    qtbot.waitUntil(lambda: "未同步" in label.text(), timeout=10_000)
    assert counter.sync.state.cause == "refused"
    assert "服务器拒绝连接" in counter.sync.state.tooltip


def test_snapshot_carries_staff_preparation_and_hotkeys(make_counter):
    counter = make_counter()
    prepare(counter)
    snap = snapshot_of(counter.ui)
    assert snap.staff_id == "0312" and snap.prepared_at.startswith(snap.local_date)
    assert snap.hotkeys_total > 0 and snap.hotkeys_armed == snap.hotkeys_total
    assert snap.hotkey_backend == "fake" and snap.prep_late in (True, False)


def test_records_reach_the_server_and_the_status_line_says_synced(
    make_counter, qtbot, pg_cluster, monkeypatch
):
    db = "app_" + datetime.now().strftime("%H%M%S%f")
    pg_cluster.psql(f"CREATE DATABASE {db}")
    admin = connect(pg_cluster.url(db=db))
    try:
        schema.init(admin)
        account = schema.add_counter(admin, "PJ-03", "PJ")
        port = pg_cluster.port
        monkeypatch.setenv("COUNTER_ASSISTANT_SYNC_PASSWORD", account.password)
        counter = make_counter(
            f'[sync]\nurl = "postgresql://{account.role}@127.0.0.1:{port}/{db}"\npoll_seconds = 5\n'
        )
        prepare(counter)
        counter.ui.dispatch("greeting", "hotkey")
        counter.recorder.flush(5)
        counter.ui.tick()  # pushes the snapshot; the sender sends the latest
        counter.sync.wake()
        qtbot.waitUntil(lambda: "已同步" in counter.ui.window.status_label.text(), timeout=15_000)
        assert wait_until(lambda: admin.run("SELECT count(*) FROM ca.usage_event")[0][0] == 1, 10)
        status = admin.run("SELECT staff_id, prepared_at IS NOT NULL FROM ca.counter_status")
        assert status == [["0312", True]]
        con = connect_readonly(counter.ui.ctx.paths.database)
        assert con.execute("SELECT synced FROM usage_event").fetchall() == [(1,)]
        con.close()
    finally:
        close_quietly(admin)
        pg_cluster.psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def test_a_server_that_never_answers_times_out_and_the_counter_never_waits(make_counter, qtbot):
    import socket
    import time

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts the connection, never says a word
    port = silent.getsockname()[1]
    try:
        counter = make_counter(
            f'[sync]\nurl = "postgresql://ca_pj_pj-03@127.0.0.1:{port}/center?connect_timeout=1"\n'
        )
        prepare(counter)
        t0 = time.perf_counter()
        for key in ("greeting", "documents", "farewell"):
            counter.ui.dispatch(key, "hotkey")
            assert counter.ui.window.prompt_label.text()
        assert time.perf_counter() - t0 < 0.5  # while the sender waits on the server
        qtbot.waitUntil(lambda: counter.sync.state.state == "failing", timeout=10_000)
        assert counter.sync.state.cause == "timeout"
        assert counter.recorder.flush(5)
    finally:
        silent.close()
