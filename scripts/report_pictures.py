"""The README's picture of the compliance report: a demo month, exported and printed.

    python scripts/report_pictures.py [--out docs/compliance-summary.png] [--keep DIR]

Six counters over May 2026 (the shipped example calendar: 劳动节 1-5 May, 9 May a
调休 Saturday), with late preparations, missing close-outs, a reopening and a clock
a day ahead. The workbook is converted by LibreOffice as a supervisor would print it
(libreoffice-calc and poppler-utils), and the summary page becomes the PNG.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from counter_assistant.core.calendar import load  # noqa: E402
from counter_assistant.core.config import StaffMember  # noqa: E402
from counter_assistant.reports.export import Options, export_report  # noqa: E402
from counter_assistant.reports.words import Names  # noqa: E402
from counter_assistant.storage.db import open_database  # noqa: E402

STAFF = {
    "PJ-01": [("0312", "王强")],
    "PJ-02": [("0420", "张丽")],
    "PJ-03": [("0501", "李娜"), ("0502", "赵敏")],
    "PJ-04": [("0610", "陈磊")],
    "PJ-05": [("0733", "刘洋")],
    "PJ-06": [("0801", "孙悦")],
}
LATE = {"PJ-01": 0.02, "PJ-02": 0.15, "PJ-03": 0.05, "PJ-04": 0.3, "PJ-05": 0.0, "PJ-06": 0.1}
FIRST, LAST = date(2026, 5, 1), date(2026, 5, 29)


def _row(counter, day, at, **kw) -> dict:
    local = datetime.combine(day, at)
    return {
        "uuid": str(uuid.uuid4()),
        "ts_utc": (local - timedelta(hours=8)).isoformat(timespec="microseconds") + "+00:00",
        "ts_local": local.isoformat(timespec="seconds"),
        "utc_offset": 480,
        "local_date": day.isoformat(),
        "counter_id": counter,
        **kw,
    }


def _check(counter, day, at, kind, staff, late=False) -> tuple[str, dict]:
    items = json.dumps(["开启机具电源"], ensure_ascii=False)
    row = _row(counter, day, at, kind=kind, staff_id=staff, items=items, late=late,
               app_version="0.2.0")  # fmt: skip
    return "checklist_record", row


def _use(counter, day, at, staff, situation, variant) -> tuple[str, dict]:
    row = _row(counter, day, at, staff_id=staff, situation=situation, variant=variant,
               business="", trigger="hotkey", app_version="0.2.0")  # fmt: skip
    return "usage_event", row


def demo_month(folder: Path, calendar) -> None:
    rng = random.Random(7)
    for counter, staff in STAFF.items():
        rows = []
        day = FIRST - timedelta(days=1)
        while day < LAST:
            day += timedelta(days=1)
            if not calendar.is_workday(day) or (counter == "PJ-06" and day.day in (18, 19)):
                continue
            who = staff[day.day % len(staff)][0]
            late = rng.random() < LATE[counter]
            prep_at = datetime.strptime("08:35" if late else "08:12", "%H:%M").time()
            if counter == "PJ-05" and day.day == 20:  # a clock a day ahead, then put right
                rows.append(_check(counter, day + timedelta(days=1), prep_at, "prep", who))
            skip = (counter == "PJ-04" and day.day == 14) or (counter == "PJ-05" and day.day == 21)
            if not skip:  # PJ-04 once used unprepared; PJ-05 kept the day-ahead preparation
                rows.append(_check(counter, day, prep_at, "prep", who, late))
            for hour in (9, 10, 11, 14, 15, 16):
                at = datetime.strptime(f"{hour}:{rng.randrange(60):02d}", "%H:%M").time()
                rows.append(_use(counter, day, at, who, "greeting", "business"))
            if counter == "PJ-03" and day.day == 12:
                rows.append(_check(counter, day, datetime.strptime("17:00", "%H:%M").time(),
                                   "close", who))  # fmt: skip
                rows.append(_check(counter, day, datetime.strptime("17:12", "%H:%M").time(),
                                   "reopen", who))  # fmt: skip
            if rng.random() > (0.2 if counter == "PJ-02" else 0.03):
                rows.append(_check(counter, day, datetime.strptime("17:05", "%H:%M").time(),
                                   "close", who))  # fmt: skip
        path = folder / f"{counter}.sqlite3"
        open_database(path, counter).close()
        con = sqlite3.connect(path)
        with con:
            for table, row in rows:
                marks = ", ".join("?" * len(row))
                con.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({marks})",
                            tuple(row.values()))  # fmt: skip
        con.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "compliance-summary.png"))
    parser.add_argument("--keep", help="keep the workbook and PDF in this folder")
    args = parser.parse_args()
    for tool in ("libreoffice", "pdftoppm"):
        if shutil.which(tool) is None:
            print(f"{tool} is needed: apt-get install libreoffice-calc poppler-utils")
            return 2
    calendar, problems = load(ROOT / "resources" / "calendar.example.toml")
    assert not problems, problems
    roster = [StaffMember(i, n) for people in STAFF.values() for i, n in people]
    options = Options(calendar, [], Names.of((), roster), date(2026, 6, 1))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.keep) if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(work / "dbs", ignore_errors=True)
        (work / "dbs").mkdir()
        demo_month(work / "dbs", calendar)
        book = work / "compliance.xlsx"
        export_report([work / "dbs"], date(2026, 5, 1), date(2026, 5, 31), "compliance",
                      "xlsx", book, options=options, force=True)  # fmt: skip
        subprocess.run(["libreoffice", "--headless", "--convert-to", "pdf", "--outdir",
                        str(work), str(book)], check=True, capture_output=True)  # fmt: skip
        pdf = work / "compliance.pdf"
        stem = Path(args.out).with_suffix("")
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                        str(pdf), str(stem)], check=True)  # fmt: skip
    print(f"wrote {stem}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
