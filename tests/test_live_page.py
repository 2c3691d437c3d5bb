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


def test_content_versions_and_the_fleet_page(center, qtbot):
    """The live page says which content version each counter runs (one that does not
    follow stands out); IT's fleet page shows backend, hotkeys, version and last error."""
    from counter_assistant.core.content import File
    from counter_assistant.sync import content_server
    from counter_assistant.ui.fleet_page import FleetPage
    from counter_assistant.ui.live_page import RED

    server, link, today = center
    body = '[center]\nname = "盘锦市住房公积金管理中心"\n'
    for n in range(3):
        files = {"center": File("center", "center.toml", body + f'phone = "0427-{n}"\n')}
        content_server.publish(server.admin, CENTER, files)
    server.admin.run("UPDATE ca.counter_status SET content_version = 3, hotkey_backend = 'x11' "
                     "WHERE counter_id = 'PJ-01'")  # fmt: skip
    server.admin.run(
        "UPDATE ca.counter_status SET content_version = 1, hotkey_backend = 'in-window', "
        "last_error = '数据库暂时无法写入' WHERE counter_id = 'PJ-02'"
    )
    tasks = TaskRunner()
    page = LivePage(tasks, link, today=lambda: today)
    fleet = FleetPage()
    page.refreshed.connect(fleet.show_counters)
    qtbot.addWidget(page)
    qtbot.addWidget(fleet)
    qtbot.waitUntil(lambda: fleet.table.rowCount() == 3, timeout=10_000)
    column = 8
    assert page.table.horizontalHeaderItem(column).text() == "话术版本"
    assert page.table.item(0, column).text() == "3"
    assert page.table.item(1, column).text() == "1（落后 2 个版本，最新 3）"
    assert page.table.item(1, column).foreground().color() == RED
    assert page.table.item(0, column).foreground().color() != RED
    rows = [[fleet.table.item(r, c).text() for c in range(7)] for r in range(3)]
    assert rows[0][2:6] == ["0.2.0", "x11", "15/15", "3"]
    assert rows[1][3:5] == ["仅窗口内", "0/15"] and rows[1][6] == "数据库暂时无法写入"
    assert rows[2][1] == "从未上线"
    assert "中心话术当前版本：3；话术未跟上：PJ-02。" in fleet.summary.text()
    tasks.shutdown()


def test_reports_from_the_server_use_the_published_calendar(center, qtbot, tmp_path):
    """The report window's own context stays as it is (on a counter PC it is the
    counter's); the reports loaded from the server name days by the center's calendar."""
    from counter_assistant.context import load_context
    from counter_assistant.core.content import File
    from counter_assistant.sync import content_server
    from counter_assistant.ui.supervisor import SupervisorWindow

    server, link, today = center
    calendar = '[2026]\nholidays = [{ name = "元旦", from = 2026-01-01, to = 2026-01-03 }]\n'
    content_server.publish(
        server.admin, CENTER, {"calendar": File("calendar", "cal.toml", calendar)}
    )
    config = tmp_path / "supervisor.toml"
    config.write_text(f'[center]\nid = "{CENTER}"\n', encoding="utf-8")
    ctx = load_context(str(config), str(tmp_path / "own"))
    tasks = TaskRunner()
    window = SupervisorWindow(ctx, tasks=tasks)
    qtbot.addWidget(window)
    page = LivePage(tasks, link, today=lambda: today)
    attach_live_page(window, page)
    assert window.reports.options.calendar.source == ""
    page.load_reports_button.click()
    qtbot.waitUntil(lambda: len(window.paths) == 3, timeout=15_000)
    assert window.reports.options.calendar.source == "cal.toml (published version 1)"
    assert ctx.content_version == 0 and ctx.calendar.source == ""
    tasks.shutdown()
