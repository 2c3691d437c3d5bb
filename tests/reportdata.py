"""Counter databases with known records, for the report tests.

Rows are inserted as the recorder writes them (the current schema); `at` is the
counter's local wall time, stored with a UTC offset of +8 (China Standard Time).
"""

from __future__ import annotations

import csv
import json
import sqlite3
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from counter_assistant.core.calendar import parse
from counter_assistant.core.config import StaffMember
from counter_assistant.core.problems import parse_toml
from counter_assistant.reports.export import Options
from counter_assistant.reports.words import Names
from counter_assistant.storage.db import open_database

OFFSET = 480  # minutes east of UTC
HOSTILE = '=HYPERLINK("http://x","y")'


def utc_of(local: str, offset: int = OFFSET) -> str:
    moment = datetime.fromisoformat(local) - timedelta(minutes=offset)
    return moment.isoformat(timespec="microseconds") + "+00:00"


def ev(counter, day="2026-03-02", at="09:00:00", situation="greeting", staff="S01", **kw):
    local = f"{day}T{at}"
    row = {
        "uuid": str(uuid.uuid4()),
        "ts_utc": utc_of(local),
        "ts_local": local,
        "utc_offset": OFFSET,
        "local_date": day,
        "counter_id": counter,
        "staff_id": staff,
        "situation": situation,
        "variant": "business" if situation == "greeting" else "farewell",
        "business": "",
        "trigger": "hotkey",
        "app_version": "0.2.0",
    }
    row.update(kw)
    return row


def chk(counter, kind, day="2026-03-02", at="08:15:00", staff="S01", late=False, utc_day=None):
    """A checklist record; utc_day stamps ts_utc on another date (a wrong clock)."""
    local = f"{day}T{at}"
    return {
        "uuid": str(uuid.uuid4()),
        "kind": kind,
        "local_date": day,
        "ts_utc": utc_of(f"{utc_day or day}T{at}"),
        "ts_local": local,
        "utc_offset": OFFSET,
        "counter_id": counter,
        "staff_id": staff,
        "items": json.dumps(["开启机具电源"], ensure_ascii=False),
        "late": late,
        "app_version": "0.2.0",
    }


def insert(path: Path, table: str, rows) -> None:
    con = sqlite3.connect(path)
    with con:
        for r in rows:
            marks = ", ".join("?" * len(r))
            con.execute(f"INSERT INTO {table} ({', '.join(r)}) VALUES ({marks})", tuple(r.values()))
    con.close()


def make_db(path: Path, counter_id: str, events=(), checklists=()) -> Path:
    open_database(path, counter_id).close()
    insert(path, "usage_event", events)
    insert(path, "checklist_record", checklists)
    return path


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


# --- the compliance fixture: May 2026 ----------------------------------------------

MAY_CALENDAR = """
[2026]
holidays = [{ name = "劳动节", from = 2026-05-01, to = 2026-05-05 }]
workdays = [{ name = "劳动节调休", date = 2026-05-09 }]
"""
ROSTER = [StaffMember("0312", "王强"), StaffMember("0420", "张丽")]
MAY = (date(2026, 5, 1), date(2026, 5, 31))


def may_options(today: date = date(2026, 6, 30)) -> Options:
    calendar, problems = parse(parse_toml(MAY_CALENDAR, "may.toml"), "may.toml", MAY_CALENDAR)
    assert problems == []
    return Options(calendar, [], Names.of((), ROSTER), today)


def _working_days(options: Options) -> list[str]:
    first, last = date(2026, 5, 1), date(2026, 5, 29)
    return [d.isoformat() for d in options.calendar.workdays_between(first, last)]


def may_fixture(folder: Path) -> list[Path]:
    """Three counters over May 2026 (holiday 1-5 May, 9 May a 调休 Saturday).

    PJ-01 (staff 0312 王强, 0420 张丽):
      05-06 late preparation by 0420 (who also uses prompts); 0312 closes
      05-07 no close-out
      05-08 two close-outs with a reopening between them
      05-12 the PC was a day ahead at preparation: a prep dated 05-13 is written,
            then the clock is put right and the preparation carried back to 05-12
      05-13 nobody prepares: only the day-ahead preparation is dated 05-13
      05-14 prompts used without preparation
      05-16 a Saturday: one prompt, no preparation, no close-out
    PJ-02 (staff 0501): every working day in order except 05-20, no record at all.
    PJ-03: a database without any record.
    Both PJ-01 and PJ-02 hold a day in April, so all of May is held.
    """
    days = ["2026-04-30", *_working_days(may_options()), "2026-05-16"]
    ev1, ck1, ev2, ck2 = [], [], [], []
    for d in sorted(days):  # in the order the recorder wrote them
        if d != "2026-05-20" and d != "2026-05-16":
            ck2.append(chk("PJ-02", "prep", d, "08:10:00", "0501"))
            ev2.append(ev("PJ-02", d, "10:00:00", staff="0501"))
            ck2.append(chk("PJ-02", "close", d, "17:02:00", "0501"))
        if d == "2026-05-06":  # late preparation by 0420, close-out by 0312
            ck1.append(chk("PJ-01", "prep", d, "08:35:00", "0420", late=True))
            ev1.append(ev("PJ-01", d, "09:00:00", staff="0420"))
            ck1.append(chk("PJ-01", "close", d, "17:05:00", "0312"))
        elif d == "2026-05-07":  # no close-out
            ck1.append(chk("PJ-01", "prep", d, "08:15:00", "0312"))
            ev1.append(ev("PJ-01", d, "09:00:00", staff="0312"))
        elif d == "2026-05-08":  # close, reopen, close again
            ck1.append(chk("PJ-01", "prep", d, "08:15:00", "0312"))
            ev1.append(ev("PJ-01", d, "09:00:00", staff="0312"))
            ck1.append(chk("PJ-01", "close", d, "17:00:00", "0312"))
            ck1.append(chk("PJ-01", "reopen", d, "17:10:00", "0312"))
            ck1.append(chk("PJ-01", "close", d, "17:20:00", "0312"))
        elif d == "2026-05-12":  # the clock a day ahead at preparation, then put right
            ck1.append(chk("PJ-01", "prep", "2026-05-13", "08:14:00", "0312"))
            ck1.append(chk("PJ-01", "prep", d, "08:15:00", "0312"))  # carried back
            ev1.append(ev("PJ-01", d, "09:00:00", staff="0312"))
            ck1.append(chk("PJ-01", "close", d, "17:05:00", "0312"))
        elif d in ("2026-05-13", "2026-05-14"):
            # 05-13: nobody prepares (the gate still holds the day-ahead preparation);
            # 05-14: prompts used without any preparation
            ev1.append(ev("PJ-01", d, "09:00:00", staff="0312"))
            ck1.append(chk("PJ-01", "close", d, "17:05:00", "0312"))
        elif d == "2026-05-16":  # a Saturday: one prompt, nothing else
            ev1.append(ev("PJ-01", d, "10:00:00", staff="0312"))
        else:
            ck1.append(chk("PJ-01", "prep", d, "08:15:00", "0312"))
            ev1.append(ev("PJ-01", d, "09:00:00", staff="0312"))
            ev1.append(ev("PJ-01", d, "16:00:00", staff="0312", situation="farewell"))
            ck1.append(chk("PJ-01", "close", d, "17:05:00", "0312"))
    return [
        make_db(folder / "PJ-01.sqlite3", "PJ-01", ev1, ck1),
        make_db(folder / "PJ-02.sqlite3", "PJ-02", ev2, ck2),
        make_db(folder / "PJ-03.sqlite3", "PJ-03"),
    ]
