"""今日实况 against a real server: every counter on one page, the missing one stands out,
and the report pages can take the server's records instead of a folder."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from counter_assistant.sync import schema
from counter_assistant.sync.connection import close_quietly
from counter_assistant.sync.live import today_at_counters
from counter_assistant.sync.status import CounterSnapshot
from counter_assistant.ui.live_page import MISSED_BG, LivePage, ServerLink, attach_live_page
from counter_assistant.ui.tasks import TaskRunner

try:
    from tests.test_sync import CENTER, Server, make_counter_db, sender
except ImportError:
    from test_sync import CENTER, Server, make_counter_db, sender


@pytest.fixture
def center(pg_cluster, tmp_path):
    """PJ-01 prepared on time and in use; PJ-02 late with records waiting; PJ-03 has an
    account and was never seen today."""
    server = Server(pg_cluster)
    now = datetime.now()
    today = now.date()
    for counter, late, events in (("PJ-01", False, 12), ("PJ-02", True, 5)):
        url, password = server.counter_url(counter)
        path = make_counter_db(tmp_path / counter, counter, events=events, day=datetime.combine(
            today, time(8, 5)))  # fmt: skip
        s = sender(url, password, path, counter)
        s.push_snapshot(CounterSnapshot(
            app_version="0.2.0", local_date=today.isoformat(), staff_id=f"s-{counter}",
            prepared_at=f"{today}T08:1{int(late)}:00", prep_late=late,
            hotkeys_armed=15 if not late else 0, hotkeys_total=15))  # fmt: skip
        s.round()
        if late:
            server.admin.run("UPDATE ca.counter_status SET records_waiting = 4 "
                             "WHERE counter_id = 'PJ-02'")  # fmt: skip
    server.counter_url("PJ-03")
    sup = schema.add_member(server.admin, "sup_live", schema.SUPERVISORS)
    yield server, ServerLink(server.role_url("sup_live"), sup.password, CENTER), today
    server.close()


def test_today_at_every_counter(center):
    _server, link, today = center
    con = link.connect()
    try:
        rows = {c.counter_id: c for c in today_at_counters(con, CENTER, today)}
    finally:
        close_quietly(con)
    assert list(rows) == ["PJ-01", "PJ-02", "PJ-03"]
    one, two, three = rows["PJ-01"], rows["PJ-02"], rows["PJ-03"]
    assert one.seen_today and one.prompts_today == 12 and one.staff_id == "s-PJ-01"
    assert one.prepared_at.hour == 8 and one.prep_late is False and one.waiting == 0
    assert two.prep_late is True and two.waiting == 4 and two.hotkeys_armed == 0
    assert not three.seen_today and three.last_seen is None and three.prompts_today == 0
    assert one.minutes_since_seen < 1


def test_the_page_shows_every_counter_and_the_missing_one_stands_out(center, qtbot):
    _server, link, today = center
    tasks = TaskRunner()
    page = LivePage(tasks, link, today=lambda: today)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.table.rowCount() == 3, timeout=10_000)
    texts = [[page.table.item(r, c).text() for c in range(9)] for r in range(3)]
    assert texts[0][2:5] == ["s-PJ-01", "08:10", "12"] and "在线" in texts[0][1]
    assert texts[1][3] == "08:11 迟到" and texts[1][5] == "4" and texts[1][6] == "0/15"
    assert texts[2][1] == "今日未上线" and texts[2][3] == "未确认"
    assert page.table.item(2, 0).background().color() == MISSED_BG
    assert page.table.item(0, 0).background().color() != MISSED_BG
    assert "今日未上线：PJ-03" in page.summary.text()
    assert page.timer.isActive()
    tasks.shutdown()


def test_a_counter_account_cannot_read_the_page(center, qtbot):
    server, _link, today = center
    url, password = server.counter_url("PJ-01")
    tasks = TaskRunner()
    page = LivePage(tasks, ServerLink(url, password, CENTER), today=lambda: today)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: "失败" in page.status.text(), timeout=10_000)
    assert "主管账号" in page.status.text() and page.table.rowCount() == 0
    tasks.shutdown()


def test_report_window_opens_on_the_live_page_and_loads_reports_from_the_server(center, qtbot):
    from counter_assistant.ui.supervisor import SupervisorWindow

    _server, link, today = center
    tasks = TaskRunner()
    window = SupervisorWindow(None, tasks=tasks)
    qtbot.addWidget(window)
    page = LivePage(tasks, link, today=lambda: today)
    attach_live_page(window, page)
    assert page.window() is window
    pages = getattr(window, "pages", None)  # the tabs made when the window has no add_page
    if pages is not None:
        assert pages.widget(0) is page and pages.tabText(0) == "今日实况"
    window.date_from.setDate(today - timedelta(days=1))
    page.load_reports_button.click()
    qtbot.waitUntil(lambda: len(window.paths) == 3, timeout=15_000)
    if pages is not None:
        assert pages.currentIndex() == 1
    assert "已读取 3 个窗口" in page.status.text()
    tasks.shutdown()
