"""Start-up reads today's records the quick way; the full open follows on the writer thread.

The quick read answers only for a database of this release and this counter: anything
else takes the full open (create, migrate, move a corrupt file aside). After a quick
read, a file that SQLite's whole-file check finds corrupt is still moved aside, a fresh
one made with today's preparation in it, and the clerk told.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

try:
    from tests.xserver import xvfb_display
except ImportError:
    from xserver import xvfb_display

from counter_assistant.core.clock import FakeClock
from counter_assistant.core.config import PREP_ITEMS, Config
from counter_assistant.core.day import DayGate
from counter_assistant.core.records import Record, new_record
from counter_assistant.storage.checklists import load_today
from counter_assistant.storage.db import open_database, quick_check
from counter_assistant.storage.models import MODEL_BY_TABLE, bound
from counter_assistant.storage.recorder import MSG_CORRUPT, Recorder
from counter_assistant.storage.start_read import read_today_quick

__all__ = ["xvfb_display"]  # the fixture, re-exported so pytest finds it here
TODAY = datetime.now().astimezone()  # the writer keeps today's records by the system's date


def usage(counter: str) -> Record:
    return new_record(FakeClock(TODAY), counter_id=counter, staff_id="0312",
                      situation="greeting", variant="default")  # fmt: skip


def prepared(path: Path, counter: str = "PJ-03", uses: int = 0):
    """A database with today's preparation confirmed, and `uses` usage events after it."""
    opened = open_database(path, counter)
    db = opened.db

    def insert(rec: Record) -> None:
        with bound(db):
            MODEL_BY_TABLE[rec.TABLE].insert(**rec.as_row()).execute()

    gate = DayGate(Config(counter_id=counter), FakeClock(TODAY), insert)
    prep = gate.confirm_prep("0312", list(PREP_ITEMS))
    with bound(db), db.atomic():
        for _ in range(uses):
            insert(usage(counter))
    opened.close()
    return prep


def corrupt_a_late_page(path: Path) -> bytes:
    """Wreck a usage page near the end: today's rows stay readable, the file is not sound."""
    data = bytearray(path.read_bytes())
    page = len(data) // 4096 - 3
    data[page * 4096 : page * 4096 + 4096] = b"\xff" * 4096
    path.write_bytes(bytes(data))
    return bytes(data)


def checked_after_start(path: Path, entries: list, records: tuple = ()) -> list[str]:
    """A recorder as start-up leaves it after a quick read, woken for its check as the
    window is up, then given ``records``; returns the notices it gave."""
    notices: list[str] = []
    recorder = Recorder(path, path.parent / "pending.jsonl", "PJ-03", on_notice=notices.append)
    recorder.remember_today(entries)
    recorder.verify_before_writing()
    recorder.start()
    try:
        recorder.verify_soon()
        for rec in records:
            recorder.record(rec)
        assert recorder.flush()
    finally:
        recorder.close()
    return notices


def test_a_database_of_this_counter_is_read_quickly(tmp_path):
    path = tmp_path / "c.sqlite3"
    prep = prepared(path)
    day = TODAY.date().isoformat()
    assert read_today_quick(path, "PJ-03", day) == ([prep], [])
    opened = open_database(path, "PJ-03")
    try:
        assert read_today_quick(path, "PJ-03", day) == load_today(opened.db, "PJ-03", day)
    finally:
        opened.close()


def test_anything_else_takes_the_full_open(tmp_path):
    day = TODAY.date().isoformat()
    path = tmp_path / "c.sqlite3"
    assert read_today_quick(path, "PJ-03", day) is None  # no file yet
    path.write_bytes(b"")
    assert read_today_quick(path, "PJ-03", day) is None  # empty
    path.write_bytes(b"not a database" * 300)
    assert read_today_quick(path, "PJ-03", day) is None  # not SQLite
    path.unlink()
    prepared(path)
    assert read_today_quick(path, "PJ-04", day) is None  # another counter's file
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 3")
    con.close()
    assert read_today_quick(path, "PJ-03", day) is None  # an older schema to migrate
    folder = tmp_path / "folder.sqlite3"
    folder.mkdir()
    assert read_today_quick(folder, "PJ-03", day) is None


def test_corrupt_file_found_after_a_quick_read_is_moved_aside_and_today_kept(tmp_path):
    path = tmp_path / "c.sqlite3"
    prep = prepared(path, uses=3000)
    data = corrupt_a_late_page(path)
    entries, _changes = read_today_quick(path, "PJ-03", TODAY.date().isoformat())
    assert entries == [prep]  # what start-up needs is still readable
    assert quick_check(path) is not None  # but the file is not sound

    notices = checked_after_start(path, entries)
    (aside,) = tmp_path.glob("c.corrupt-*.sqlite3")
    assert aside.read_bytes() == data  # kept as it was, never deleted
    assert notices == [MSG_CORRUPT.format(name=aside.name)]
    fresh = read_today_quick(path, "PJ-03", TODAY.date().isoformat())
    assert fresh == ([prep], [])  # the fresh file has today's preparation


def test_rows_that_cannot_be_read_back_take_the_full_open(tmp_path):
    path = tmp_path / "c.sqlite3"
    prepared(path)
    con = sqlite3.connect(path)
    con.execute("UPDATE checklist_record SET items = '[\"a\"'")  # JSON cut short
    con.commit()
    con.close()
    assert read_today_quick(path, "PJ-03", TODAY.date().isoformat()) is None


def test_a_check_that_fails_after_moving_a_corrupt_file_still_keeps_today(tmp_path, monkeypatch):
    from counter_assistant.storage import sqlite_files

    path = tmp_path / "c.sqlite3"
    prep = prepared(path, uses=3000)
    corrupt_a_late_page(path)
    entries, _ = read_today_quick(path, "PJ-03", TODAY.date().isoformat())
    real, calls = sqlite_files.connect_for_writing, []

    def failing_once(p):
        calls.append(p)
        if len(calls) == 1:
            raise sqlite3.OperationalError("disk I/O error")
        return real(p)

    monkeypatch.setattr(sqlite_files, "connect_for_writing", failing_once)
    notices = checked_after_start(path, entries, (usage("PJ-03"),))
    (aside,) = tmp_path.glob("c.corrupt-*.sqlite3")
    assert any(n.startswith("数据库暂时无法写入") for n in notices)
    assert MSG_CORRUPT.format(name=aside.name) in notices
    assert read_today_quick(path, "PJ-03", TODAY.date().isoformat()) == ([prep], [])


def test_a_sound_file_is_left_alone_by_the_check(tmp_path):
    path = tmp_path / "c.sqlite3"
    prepared(path, uses=10)
    before = path.stat().st_ino
    notices = checked_after_start(path, [], (usage("PJ-03"),))
    assert notices == [] and path.stat().st_ino == before
    assert not list(tmp_path.glob("*corrupt*"))


SPY = textwrap.dedent(
    """
    import builtins, enum, runpy, sys
    real = builtins.print
    enums = set()  # the Python enums PySide6 has built (QStyle's cost milliseconds)
    real_create = enum.EnumType._create_
    def create(cls, name, *args, **kwargs):
        enums.add(kwargs.get("qualname") or name)
        return real_create(cls, name, *args, **kwargs)
    enum.EnumType._create_ = create
    def loaded():
        heavy = ("peewee", "Xlib", "sqlite3", "socket", "counter_assistant.cli",
                 "counter_assistant.publish_cli", "counter_assistant.notice_cli",
                 "counter_assistant.storage.recorder", "counter_assistant.ui.counter")
        found = [m for m in heavy if m in sys.modules]
        return ",".join(found + ["QStyle"] * ("PixelMetric" in enums))
    def spy(*args, **kwargs):
        if args == ("ready",):
            real("loaded:" + loaded(), flush=True)
        real(*args, **kwargs)
    builtins.print = spy
    sys.argv[0] = "counter-assistant"
    try:  # as `python -m counter_assistant` and the bundle start
        runpy.run_module("counter_assistant", run_name="__main__")
    except SystemExit as exit:
        code = exit.code
    real("at exit:" + loaded(), flush=True)
    sys.exit(code)
    """
)


def test_nothing_heavy_is_imported_before_the_first_paint(tmp_path, xvfb_display):
    """The window paints (hotkeys armed) before the rest of the counter is imported: no
    database module (today's records are read once it has painted), no peewee, python-xlib,
    socket (the single-instance lock is taken, its socket opened after the paint), the
    other commands' modules or QStyle's enums. The first start creates its database
    through peewee's models then; a second start (a database of this release) needs no
    peewee at all."""
    config = tmp_path / "config.toml"
    config.write_text('[counter]\nid = "PJ-03"\n\n[app]\nhotkey_backend = "x11"\n', "utf-8")
    env = {**os.environ, "DISPLAY": xvfb_display, "HOME": str(tmp_path / "home")}
    env.pop("QT_QPA_PLATFORM", None)
    env["COUNTER_ASSISTANT_MACHINE_DIR"] = str(tmp_path / "machine")
    cmd = [sys.executable, "-c", SPY, "--config", str(config), "--data-dir",
           str(tmp_path / "data"), "run", "--exit-when-ready"]  # fmt: skip
    runs = [subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
            for _ in range(2)]  # fmt: skip
    for run in runs:
        assert run.returncode == 0, run.stderr[-2000:]
    first, second = (r.stdout.splitlines() for r in runs)
    assert first[0] == "loaded:" and second[0] == "loaded:"
    assert "peewee" in first[-1]  # the new database was created through the models
    assert "peewee" not in second[-1]  # its check and every write need no peewee
