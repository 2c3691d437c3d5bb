"""Schema migrations: each step upgrades a populated database of the version before.

The schema-1 DDL below is exactly what the first release created; it is never changed.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from counter_assistant.core.clock import Clock
from counter_assistant.core.records import new_record
from counter_assistant.storage import migrations
from counter_assistant.storage.db import DatabaseError, connect, open_database, sidecars
from counter_assistant.storage.migrations import SCHEMA_VERSION, STEPS
from counter_assistant.storage.recorder import Recorder

V1_DDL = """
CREATE TABLE "checklist_record" ("uuid" VARCHAR(36) NOT NULL PRIMARY KEY, "kind" VARCHAR(255) NOT NULL, "local_date" VARCHAR(255) NOT NULL, "ts_utc" VARCHAR(255) NOT NULL, "ts_local" VARCHAR(255) NOT NULL, "counter_id" VARCHAR(255) NOT NULL, "staff_id" VARCHAR(255) NOT NULL, "items" TEXT NOT NULL, "late" INTEGER NOT NULL, "app_version" VARCHAR(255) NOT NULL);
CREATE INDEX "checklistrecord_local_date" ON "checklist_record" ("local_date");
CREATE TABLE "meta" ("key" VARCHAR(255) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL);
CREATE TABLE "staff_shift" ("uuid" VARCHAR(36) NOT NULL PRIMARY KEY, "local_date" VARCHAR(255) NOT NULL, "ts_utc" VARCHAR(255) NOT NULL, "counter_id" VARCHAR(255) NOT NULL, "staff_id" VARCHAR(255) NOT NULL);
CREATE INDEX "staffshift_local_date" ON "staff_shift" ("local_date");
CREATE TABLE "usage_event" ("uuid" VARCHAR(36) NOT NULL PRIMARY KEY, "ts_utc" VARCHAR(255) NOT NULL, "local_date" VARCHAR(255) NOT NULL, "counter_id" VARCHAR(255) NOT NULL, "staff_id" VARCHAR(255) NOT NULL, "situation" VARCHAR(255) NOT NULL, "variant" VARCHAR(255) NOT NULL, "business" VARCHAR(255) NOT NULL, "trigger" VARCHAR(255) NOT NULL, "app_version" VARCHAR(255) NOT NULL);
CREATE INDEX "usageevent_ts_utc" ON "usage_event" ("ts_utc");
CREATE INDEX "usageevent_local_date" ON "usage_event" ("local_date");
PRAGMA user_version = 1;
"""  # noqa: E501

# Recorded at a counter in China (UTC+8). The last event's local_date does not match its
# UTC time seen from UTC+8 (it was recorded in another zone): its wall time stays unknown.
V1_ROWS = {
    "meta": [("counter_id", "PJ-03")],
    "usage_event": [
        ("u1", "2026-11-27T01:02:03.000001+00:00", "2026-11-27", "PJ-03", "0312", "greeting",
         "business", "", "hotkey", "0.1.0"),
        ("u2", "2026-11-27T16:30:00.000000+00:00", "2026-11-28", "PJ-03", "0312", "farewell",
         "farewell", "loan", "click", "0.1.0"),
        ("u3", "2026-11-27T20:00:00.000000+00:00", "2026-11-27", "PJ-03", "张丽", "outage",
         "short", "", "tray", "0.1.0"),
    ],
    "checklist_record": [
        ("c1", "prep", "2026-11-27", "2026-11-27T00:15:00.000000+00:00", "2026-11-27T08:15:00",
         "PJ-03", "0312", '["开启机具电源"]', 0, "0.1.0"),
        ("c2", "close", "2026-11-27", "2026-11-27T09:05:00.000000+00:00", "2026-11-27T17:05:00",
         "PJ-03", "0312", "[]", 1, "0.1.0"),
    ],
    "staff_shift": [
        ("s1", "2026-11-27", "2026-11-27T04:00:00.000000+00:00", "PJ-03", "0415"),
    ],
}  # fmt: skip
ADDED = {  # step -> (table, column) it adds
    2: {("usage_event", "ts_local"), ("usage_event", "utc_offset"),
        ("checklist_record", "utc_offset"), ("staff_shift", "ts_local"),
        ("staff_shift", "utc_offset")},
    3: {("usage_event", "synced"), ("checklist_record", "synced"), ("staff_shift", "synced")},
    4: {("usage_event", "content_version"), ("usage_event", "detail")},
}  # fmt: skip


@pytest.fixture
def china_time(monkeypatch):
    """The upgrading PC's zone is the counter's (UTC+8), as SQLite's 'localtime' sees it."""
    monkeypatch.setenv("TZ", "CST-8")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def v1_database(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.executescript(V1_DDL)
    with con:
        for table, rows in V1_ROWS.items():
            for row in rows:
                con.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * len(row))})", row)
    con.close()
    return path


def at_version(path: Path, version: int, monkeypatch) -> Path:
    """The populated schema-1 database, upgraded by the real steps up to version."""
    v1_database(path)
    with monkeypatch.context() as m:
        m.setattr(migrations, "SCHEMA_VERSION", version)
        connect(path).close()
    assert user_version(path) == version
    return path


def user_version(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA user_version").fetchone()[0]
    finally:
        con.close()


def columns(path: Path) -> dict[str, dict[str, tuple]]:
    """table -> column -> (type, not null, default, primary key), as PRAGMA table_info says."""
    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: {r[1]: r[2:] for r in con.execute(f'PRAGMA table_info("{t}")')} for t in tables}
    finally:
        con.close()


def indexes(path: Path) -> set[tuple]:
    """(table, index name, unique, columns) of every index."""
    con = sqlite3.connect(path)
    try:
        out = set()
        for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'"):
            for _seq, name, unique, *_rest in con.execute(f'PRAGMA index_list("{table}")'):
                cols = tuple(r[2] for r in con.execute(f'PRAGMA index_info("{name}")'))
                out.add((table, name, unique, cols))
        return out
    finally:
        con.close()


def rows(path: Path, table: str) -> list[dict]:
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(f"SELECT * FROM {table} ORDER BY 1")]
    finally:
        con.close()


def v1_columns() -> dict[str, list[str]]:
    con = sqlite3.connect(":memory:")
    con.executescript(V1_DDL)
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    return {t: [r[1] for r in con.execute(f'PRAGMA table_info("{t}")')] for t in tables}


def assert_every_v1_row_kept(path: Path) -> None:
    for table, names in v1_columns().items():
        kept = [tuple(r[n] for n in names) for r in rows(path, table)]
        assert kept == sorted(V1_ROWS[table]), table


def test_the_steps_are_numbered_without_gaps():
    assert sorted(STEPS) == list(range(migrations.MIN_VERSION + 1, SCHEMA_VERSION + 1))
    assert set(ADDED) == set(STEPS)  # a new step needs its test here


@pytest.mark.parametrize("step", sorted(STEPS))
def test_each_step_keeps_every_row_and_adds_its_columns(tmp_path, monkeypatch, china_time, step):
    path = at_version(tmp_path / "c.sqlite3", step - 1, monkeypatch)
    before = columns(path)
    with monkeypatch.context() as m:
        m.setattr(migrations, "SCHEMA_VERSION", step)
        connect(path).close()
    assert user_version(path) == step
    after = columns(path)
    added = {(t, c) for t, cols in after.items() for c in cols if c not in before.get(t, {})}
    assert added == ADDED[step]
    assert {t: set(c) for t, c in before.items()} == {
        t: {c for c in cols if (t, c) not in ADDED[step]} for t, cols in after.items()
    }
    assert_every_v1_row_kept(path)


def test_step_2_backfills_local_time_where_the_date_matches(tmp_path, monkeypatch, china_time):
    path = at_version(tmp_path / "c.sqlite3", 2, monkeypatch)
    usage = {r["uuid"]: (r["ts_local"], r["utc_offset"]) for r in rows(path, "usage_event")}
    assert usage == {
        "u1": ("2026-11-27T09:02:03", 480),
        "u2": ("2026-11-28T00:30:00", 480),
        "u3": ("", None),  # 2026-11-28 04:00 at UTC+8, but stored as the 27th: left unknown
    }
    checklist = {
        r["uuid"]: (r["ts_local"], r["utc_offset"]) for r in rows(path, "checklist_record")
    }
    assert checklist == {"c1": ("2026-11-27T08:15:00", 480), "c2": ("2026-11-27T17:05:00", 480)}
    (shift,) = rows(path, "staff_shift")
    assert (shift["ts_local"], shift["utc_offset"]) == ("2026-11-27T12:00:00", 480)


def test_step_3_and_4_defaults_for_old_rows(tmp_path, monkeypatch, china_time):
    path = at_version(tmp_path / "c.sqlite3", 4, monkeypatch)
    for table in ("usage_event", "checklist_record", "staff_shift"):
        assert {r["synced"] for r in rows(path, table)} == {0}
    assert {(r["content_version"], r["detail"]) for r in rows(path, "usage_event")} == {(0, "")}


def test_a_full_upgrade_gives_the_schema_of_a_new_database(tmp_path, china_time):
    old = v1_database(tmp_path / "old.sqlite3")
    opened = open_database(old, "PJ-03")
    opened.close()
    assert opened.moved_aside is None
    fresh = tmp_path / "new.sqlite3"
    open_database(fresh, "PJ-03").close()
    assert user_version(old) == user_version(fresh) == SCHEMA_VERSION
    assert columns(old) == columns(fresh)  # by name: ALTER TABLE adds columns at the end
    assert indexes(old) == indexes(fresh)
    assert_every_v1_row_kept(old)


def test_an_upgraded_database_takes_new_records(tmp_path, china_time):
    path = v1_database(tmp_path / "c.sqlite3")
    open_database(path, "PJ-03").close()
    recorder = Recorder(path, tmp_path / "pending.jsonl", "PJ-03")
    recorder.start()
    rec = new_record(Clock(), counter_id="PJ-03", staff_id="0312", situation="greeting",
                     variant="business", content_version=2)  # fmt: skip
    recorder.record(rec)
    assert recorder.flush()
    recorder.close()
    assert recorder.pending_count == 0
    got = {r["uuid"]: r for r in rows(path, "usage_event")}
    assert set(got) == {"u1", "u2", "u3", rec.uuid}
    assert got[rec.uuid]["content_version"] == 2 and got[rec.uuid]["synced"] == 0


def test_a_newer_database_is_refused_untouched_and_records_wait_in_the_pending_file(tmp_path):
    path = v1_database(tmp_path / "c.sqlite3")
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="schema 99"):
        open_database(path, "PJ-03")
    pending = tmp_path / "pending.jsonl"
    recorder = Recorder(path, pending, "PJ-03")
    recorder.start()
    rec = new_record(Clock(), counter_id="PJ-03", staff_id="0312", situation="greeting",
                     variant="business")  # fmt: skip
    recorder.record(rec)
    assert recorder.flush()
    recorder.close()
    assert path.read_bytes() == before  # not even switched to WAL
    assert not any(p.exists() for p in sidecars(path))
    assert rec.uuid in pending.read_text(encoding="utf-8")
    assert recorder.pending_count == 1
