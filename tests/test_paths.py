"""Data folders whose names a URI would misread: '#', '?', '%', spaces, Chinese.

A read-only open built as "file:{path}?mode=ro" by hand cut such a path short: backups
came out empty, the version check read 0 and let a newer database be switched to WAL, and
stray files appeared beside the folder. Every read-only open now goes through one helper.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest

from counter_assistant.core.clock import FakeClock
from counter_assistant.platform.hotkeys.fake import FakeHotkeyBackend
from counter_assistant.reports.export import export_report
from counter_assistant.reports.today import today_counts
from counter_assistant.storage.db import (
    DatabaseError,
    backup_to,
    open_database,
    refuse_newer,
    sidecars,
    stored_version,
)
from counter_assistant.storage.migrations import SCHEMA_VERSION

NAMES = ["a#b", "what?", "100%", "%41", "with space", "柜台 数据", "x#?%20 混合"]


@pytest.fixture(params=NAMES)
def folder(request, tmp_path) -> Path:
    """tmp/<odd name>/data; the test checks nothing else appears in tmp/<odd name>."""
    base = tmp_path / "root" / request.param
    (base / "data").mkdir(parents=True)
    return base


def contents(base: Path) -> set[str]:
    """Every file under base's parent (the odd folder's siblings included), except the
    -wal and -shm files SQLite keeps beside a WAL database, even one opened read-only."""
    return {
        str(p.relative_to(base.parent))
        for p in base.parent.rglob("*")
        if not p.name.endswith(("-wal", "-shm"))
    }


def counter_db(path: Path, events: int) -> Path:
    opened = open_database(path, "PJ-03")
    for i in range(events):
        opened.db.execute_sql(
            "INSERT INTO usage_event (uuid, ts_utc, local_date, counter_id, staff_id, situation,"
            " variant, business, trigger, app_version) VALUES (?, '2026-11-27T01:00:00+00:00',"
            " '2026-11-27', 'PJ-03', '0312', 'greeting', 'business', '', 'hotkey', '0.1.0')",
            (f"u{i}",),
        )
    opened.close()
    return path


def test_backup_copies_every_record(folder):
    db = counter_db(folder / "data" / "counter.sqlite3", 3)
    (folder / "backups").mkdir()
    expected = contents(folder) | {str(Path(folder.name) / "backups" / "PJ-03.sqlite3")}
    out = backup_to(db, folder / "backups" / "PJ-03.sqlite3")
    con = sqlite3.connect(out)
    try:
        assert con.execute("SELECT count(*) FROM usage_event").fetchone() == (3,)
    finally:
        con.close()
    assert contents(folder) == expected


def test_export_reads_every_record(folder):
    db = counter_db(folder / "data" / "counter.sqlite3", 4)
    out = folder / "报表 #1.csv"
    summary = export_report([db], date(2026, 11, 1), date(2026, 11, 30), "events", "csv", out)
    assert summary.rows == 4 and summary.counters == ["PJ-03"]
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 5
    assert today_counts(db, "PJ-03", "2026-11-27")[1] == ("接待问候", "greeting", 4)


def test_version_checks_read_the_real_file_and_never_alter_a_newer_one(folder):
    db = counter_db(folder / "data" / "counter.sqlite3", 0)
    assert stored_version(db) == SCHEMA_VERSION
    newer = folder / "data" / "newer.sqlite3"
    con = sqlite3.connect(newer)
    con.execute("PRAGMA user_version = 99")
    con.execute("CREATE TABLE future (x)")
    con.commit()
    con.close()
    before, listing = newer.read_bytes(), contents(folder)
    assert stored_version(newer) == 99
    with pytest.raises(DatabaseError, match="schema 99"):
        refuse_newer(newer)
    with pytest.raises(DatabaseError, match="schema 99"):
        open_database(newer, "PJ-03")
    assert newer.read_bytes() == before  # still a rollback-journal file: never made WAL
    assert not any(p.exists() for p in sidecars(newer))
    assert contents(folder) == listing


def test_the_app_records_a_prompt(folder, qtbot, monkeypatch):
    from counter_assistant.app import build_counter
    from counter_assistant.context import load_context

    monkeypatch.delenv("DISPLAY", raising=False)
    ctx = load_context(None, str(folder / "data"))
    clock = FakeClock(datetime(2026, 11, 27, 8, 5).astimezone())
    counter = build_counter(
        ctx, clock, choose=lambda _p, fire, exclude=(): (FakeHotkeyBackend(fire), [])
    )
    qtbot.addWidget(counter.ui.window)
    counter.gate.confirm_prep("0312", ctx.config.prep_items)
    counter.start()
    try:
        counter.ui.dispatch("greeting", "click")
        assert counter.recorder.flush(5) and counter.recorder.pending_count == 0
    finally:
        counter.stop()
    db = folder / "data" / "counter.sqlite3"
    assert ctx.paths.database == db
    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT situation FROM usage_event").fetchall() == [("greeting",)]
        assert con.execute("SELECT kind FROM checklist_record").fetchall() == [("prep",)]
    finally:
        con.close()
    assert today_counts(db, ctx.config.counter_id, "2026-11-27")[1][2] == 1
    assert {p.name for p in folder.iterdir()} == {"data"}  # nothing beside the data folder
