"""Show 今日实况 on a throwaway server with a few counters, and take a screenshot.

    python scripts/live_page_demo.py --out docs/live-page.png   # Xvfb, screenshot, exit
    python scripts/live_page_demo.py --out docs/live-page.png --fleet-out docs/fleet-page.png
    python scripts/live_page_demo.py --keep                     # on $DISPLAY, until closed

Starts its own PostgreSQL cluster (tests/pgcluster.py), makes eight counters with
today's records the way the app sends them (one late, one with a backlog, one silent
for some minutes, one not seen today), then opens `counter-assistant supervisor --url`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "scripts"))

CENTER = "PJ"
# counter, staff, prepared at, late, prompts, waiting, minutes silent, hotkeys armed, closed,
# the center content version it runs (the center has published three)
COUNTERS = [
    ("PJ-01", "张丽", "08:12", False, 46, 0, 0, 15, False, 3),
    ("PJ-02", "王强", "08:16", False, 38, 0, 0, 15, False, 3),
    ("PJ-03", "李娜", "08:27", True, 29, 0, 0, 15, False, 3),
    ("PJ-04", "赵敏", "08:09", False, 51, 17, 0, 15, False, 2),  # updating
    ("PJ-05", "陈刚", "08:14", False, 22, 0, 9, 15, False, 3),
    ("PJ-06", "刘洋", "", False, 3, 0, 0, 0, False, 3),  # hotkeys taken by another program
    ("PJ-07", "周婷", "08:18", False, 40, 0, 0, 15, True, 3),
    ("PJ-08", "", "", False, 0, 0, 3 * 24 * 60, 15, False, 1),  # last seen three days ago
]


def seed(cluster, work: Path) -> str:
    from counter_assistant.core.clock import FakeClock
    from counter_assistant.core.records import checklist_entry, new_record, staff_change
    from counter_assistant.storage.db import open_database
    from counter_assistant.storage.recorder import Recorder
    from counter_assistant.sync import schema
    from counter_assistant.sync.connection import connect
    from counter_assistant.sync.sender import SyncService
    from counter_assistant.sync.status import CounterSnapshot

    admin = connect(cluster.admin_url)
    schema.init(admin)
    today = datetime.now().date()
    situations = ["greeting", "documents", "signature", "handover", "farewell", "phone"]
    from counter_assistant.core.content import File
    from counter_assistant.sync.content_server import publish

    for hours in ("16:30", "17:00", "17:30"):
        center = File("center", "center.toml", f'[center]\nclosing = "{hours}"\n')
        publish(admin, CENTER, {"center": center})
    for counter, staff, prep, late, prompts, waiting, silent, armed, closed, content in COUNTERS:
        account = schema.add_counter(admin, counter, CENTER)
        path = work / f"{counter}.sqlite3"
        open_database(path, counter).close()
        recorder = Recorder(path, work / f"{counter}.jsonl", counter)
        recorder.start()
        clock = FakeClock(datetime.combine(today, datetime.min.time()).replace(hour=8))
        if prep:
            clock.set(datetime.fromisoformat(f"{today}T{prep}:00"))
            recorder.record(checklist_entry(clock, "prep", counter, staff, ["…"], late))
        if staff:
            recorder.record(staff_change(clock, counter, staff))
        for i in range(prompts):
            clock.advance(minutes=4)
            recorder.record(new_record(clock, counter_id=counter, staff_id=staff,
                                       situation=situations[i % 6], variant="v1"))  # fmt: skip
        recorder.flush(10)
        recorder.close()
        sender = SyncService(cluster.url(account.role, account.password), path, counter, CENTER)
        sender.push_snapshot(
            CounterSnapshot(
                app_version="0.2.0", local_date=today.isoformat(), staff_id=staff,
                prepared_at=f"{today}T{prep}:00" if prep else "", prep_late=late if prep else None,
                closed=closed, hotkeys_armed=armed, hotkeys_total=15, hotkey_backend="win32",
                last_error="" if armed else "全局热键不可用：请先点击本窗口再按快捷键",
                content_version=content,
            )
        )  # fmt: skip
        sender.round()
        sender.close()
        admin.run(
            "UPDATE ca.counter_status SET records_waiting = :w, "
            "last_seen = now() - make_interval(mins => :m), "
            "local_date = CAST(now() - make_interval(mins => :m) AS date) WHERE counter_id = :c",
            w=waiting,
            m=silent,
            c=counter,
        )
    sup = schema.add_member(admin, "sup_demo", schema.SUPERVISORS)
    admin.close()
    return sup.password


def shot(out: str, env: dict) -> None:
    """The screen, cut to the report window (1000×620 at the top left, as it opens)."""
    crop = ["-crop", "1000x620+0+0", "+repage"]
    subprocess.run(["import", "-window", "root", *crop, out], env=env, check=True)
    print(f"screenshot: {out}")


def main() -> int:
    from pgcluster import PgCluster

    os.environ["TZ"] = "Asia/Shanghai"  # the center's time, whatever the machine's
    time.tzset()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", help="screenshot PNG (under a private Xvfb)")
    parser.add_argument("--keep", action="store_true", help="leave the window open")
    parser.add_argument("--fleet-out", help="with --out: also the 设备状态 page (PNG)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ca-live-demo-"))
    display = None
    with PgCluster() as cluster:
        password = seed(cluster, work)
        env = dict(os.environ, COUNTER_ASSISTANT_SYNC_PASSWORD=password)
        env.pop("QT_QPA_PLATFORM", None)
        if args.out:
            from benchmarks.common import Display

            display = Display() if not os.environ.get("DISPLAY") or args.out else None
            env["DISPLAY"] = display.display
        config = work / "supervisor.toml"
        config.write_text(f'[center]\nid = "{CENTER}"\nname = "盘锦市住房公积金管理中心"\n')
        cmd = [sys.executable, "-m", "counter_assistant", "--config", str(config),
               "--data-dir", str(work / "own"), "supervisor", "--url",
               cluster.url("sup_demo", "").replace(":@", "@")]  # fmt: skip
        app = subprocess.Popen(cmd, env=env, cwd=ROOT)
        try:
            if args.keep:
                app.wait()
            else:
                time.sleep(6)
                shot(args.out, env)
                if args.fleet_out:  # the third tab, clicked where the tab bar puts it
                    subprocess.run(["xdotool", "mousemove", "180", "13", "click", "1"], env=env,
                                   check=True)  # fmt: skip
                    time.sleep(1)
                    shot(args.fleet_out, env)
        finally:
            app.terminate()
            app.wait(10)
            if display is not None:
                display.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
