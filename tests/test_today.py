import sqlite3

from counter_assistant.reports.today import today_counts
from counter_assistant.storage.db import make_database, open_database
from counter_assistant.ui.today import TodayDialog

INSERT = (
    "INSERT INTO usage_event (uuid, ts_utc, local_date, counter_id, staff_id, situation,"
    " variant, business, trigger, app_version) VALUES (?, '2026-03-02T01:00:00+00:00',"
    " '2026-03-02', ?, 'S1', ?, 'default', '', 'hotkey', '0.1.0')"
)


def test_today_dialog_shows_counts(qtbot):
    counts = [("接听电话", "phone", 0), ("接待问候", "greeting", 5), ("礼貌送别", "farewell", 2)]
    dlg = TodayDialog(None, counts)
    qtbot.addWidget(dlg)
    assert "今日" in dlg.windowTitle()
    assert dlg.table.rowCount() == 3
    assert [dlg.table.item(r, 0).text() for r in range(3)] == ["接听电话", "接待问候", "礼貌送别"]
    assert [dlg.table.item(r, 1).text() for r in range(3)] == ["0", "5", "2"]
    assert "7" in dlg.summary.text()


def test_today_counts_with_peewee_database(tmp_path):
    path = tmp_path / "c.sqlite3"
    open_database(path, "PJ-01").close()
    con = sqlite3.connect(path)
    with con:
        con.execute(INSERT, ("u1", "PJ-01", "greeting"))
    con.close()
    db = make_database(path)
    db.connect()
    try:
        counts = dict(((k, n) for _t, k, n in today_counts(db, "PJ-01", "2026-03-02")))
    finally:
        db.close()
    assert counts["greeting"] == 1 and counts["farewell"] == 0


def test_today_counts_from_path(tmp_path):
    path = tmp_path / "c.sqlite3"
    assert all(n == 0 for _t, _k, n in today_counts(path, "PJ-01", "2026-03-02"))
    open_database(path, "PJ-01").close()
    con = sqlite3.connect(path)
    with con:
        con.execute(INSERT, ("u1", "PJ-01", "farewell"))
    con.close()
    counts = {k: n for _t, k, n in today_counts(str(path), "PJ-01", "2026-03-02")}
    assert counts["farewell"] == 1 and sum(counts.values()) == 1
