"""sync_catchup_ratio: a counter that was offline sends its waiting records to the server.

A counter database with 100,000 unsent usage records (--quick: 2,000); a throwaway
PostgreSQL cluster on loopback started here (fsync on, as a real server). The app's
time is one sender round (SyncService.round: read the outbox, COPY each batch into a
temporary table, INSERT … ON CONFLICT (id) DO NOTHING into the real table under
row-level security, COMMIT, mark the rows sent locally). The baseline is PostgreSQL's
own COPY of the same rows, already in COPY text form, into a fresh table with the same
columns and indexes, in the same run. Medians of three alternating runs.
"""

from __future__ import annotations

import io
import random
import sqlite3
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

from benchmarks.common import ROOT, Row, Run, Target, log

TARGETS = [
    Target(
        "sync_catchup_ratio",
        3.0,
        "s",
        "catching up 100,000 waiting records to the server vs PostgreSQL's COPY of them",
    )
]
COUNTER, CENTER = "BENCH-01", "BENCH"


def _fill(path, n: int, seed: int) -> None:
    """n unsent usage records, as the recorder writes them, over about a month."""
    from counter_assistant.storage.db import open_database
    from counter_assistant.storage.insert_sql import insert_sql

    open_database(path, COUNTER).close()
    rng = random.Random(seed)
    sql, names, defaults = insert_sql("usage_event")
    start = datetime(2026, 10, 1, 0, 30, tzinfo=UTC)
    situations = ["greeting", "documents", "signature", "handover", "farewell", "phone"]
    rows = []
    for i in range(n):
        at = start + timedelta(seconds=i * 20 + rng.random())
        local = at + timedelta(hours=8)
        row = {
            "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "ts_utc": at.isoformat(timespec="microseconds"),
            "ts_local": local.strftime("%Y-%m-%dT%H:%M:%S"),
            "utc_offset": 480,
            "local_date": local.date().isoformat(),
            "counter_id": COUNTER,
            "staff_id": rng.choice(["0312", "0415", "0520"]),
            "situation": rng.choice(situations),
            "variant": rng.choice(["ask", "wait", "busy"]),
            "business": rng.choice(["", "gjj_tq", "gjj_dk"]),
            "trigger": rng.choice(["hotkey", "click", "picker"]),
            "app_version": "0.2.0",
        }
        rows.append(tuple(row.get(k, defaults.get(k)) for k in names))
    con = sqlite3.connect(path)
    with con:
        con.executemany(sql, rows)
    con.close()


def measure(run: Run) -> list[Row]:
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from pgcluster import PgCluster, postgres_available

    if not postgres_available():
        return [Row(TARGETS[0], None, note="PostgreSQL not installed (apt-get install postgresql)")]
    from counter_assistant.sync import schema
    from counter_assistant.sync.columns import copy_line_sql, server_columns
    from counter_assistant.sync.connection import close_quietly, connect
    from counter_assistant.sync.sender import SyncService

    n, runs = run.sizes["sync_records"], run.sizes["sync_runs"]
    path = run.work / "sync-bench.sqlite3"
    _fill(path, n, run.seed)
    log(f"sync catch-up: {n} records, {runs} run(s), own PostgreSQL cluster")
    with PgCluster(fsync=True) as cluster:
        admin = connect(cluster.admin_url)
        schema.init(admin)
        account = schema.add_counter(admin, COUNTER, CENTER)
        url = cluster.url(account.role, account.password)
        local = sqlite3.connect(path)
        lines = [r[1] for r in local.execute(copy_line_sql("usage_event"), (COUNTER, 0, n + 1))]
        data = ("\n".join(f"{line}\t{CENTER}" for line in lines) + "\n").encode()
        cols = server_columns("usage_event") + ", center_id"
        app, base = [], []
        for _ in range(runs):
            admin.run("TRUNCATE ca.usage_event")
            admin.run("CHECKPOINT")
            local.execute("UPDATE usage_event SET synced = 0")
            local.commit()
            sender = SyncService(url, path, COUNTER, CENTER, poll_seconds=30)
            sender._connection()  # connected before the clock starts, as a running app is
            t0 = time.perf_counter()
            sent = sender.round()
            app.append(time.perf_counter() - t0)
            sender.close()
            assert sent == n, (sent, n)

            admin.run("DROP TABLE IF EXISTS public.copy_baseline")
            admin.run("CREATE TABLE public.copy_baseline (LIKE ca.usage_event INCLUDING ALL)")
            admin.run("CHECKPOINT")
            t0 = time.perf_counter()
            admin.run(f"COPY public.copy_baseline ({cols}) FROM STDIN", stream=io.BytesIO(data))
            base.append(time.perf_counter() - t0)
        count = admin.run("SELECT count(*) FROM ca.usage_event")[0][0]
        assert count == n, (count, n)
        local.close()
        close_quietly(admin)
    a, b = statistics.median(app), statistics.median(base)
    note = (
        f"{n} records: sender {', '.join(f'{x:.2f}' for x in app)} s, "
        f"COPY {', '.join(f'{x:.2f}' for x in base)} s"
    )
    return [Row(TARGETS[0], a / b, baseline=b, app_value=a, note=note)]
