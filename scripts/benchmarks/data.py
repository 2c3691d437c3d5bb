"""Synthetic counter data: deterministic usage records for the export and app measurements."""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from benchmarks.common import log

GEN_VERSION = 2  # bump when the generator changes: cached databases are keyed by it
YEAR = 2025
LOCAL_UTC_OFFSET_H = 8  # the synthetic counters are in China Standard Time
COLUMNS = (
    "uuid",
    "ts_utc",
    "ts_local",
    "utc_offset",
    "local_date",
    "counter_id",
    "staff_id",
    "situation",
    "variant",
    "business",
    "trigger",
    "app_version",
)
TRIGGER_WEIGHTS = {"hotkey": 84, "click": 8, "picker": 6, "tray": 2}
# How often each situation comes up at a real counter (greeting and farewell for each
# customer; outages and complaints rarely).
SITUATION_WEIGHTS = {
    "greeting": 30,
    "farewell": 26,
    "documents": 14,
    "phone": 8,
    "signature": 7,
    "handover": 5,
    "crowding": 4,
    "refusal": 3,
    "feedback": 2,
    "outage": 1,
}


def catalog_facts() -> tuple[dict[str, list[str]], dict[str, str], list[str], str]:
    """(situation -> variant ids, situation -> title, business keys, app version)."""
    from counter_assistant import __version__
    from counter_assistant.core.business import load_business_catalog
    from counter_assistant.core.prompts import load_builtin

    catalog = load_builtin()
    variants = {s.key: [v.id for v in s.variants] for s in catalog}
    titles = {s.key: s.title for s in catalog}
    business = [b.key for b in load_business_catalog(None).items]
    return variants, titles, business, __version__


def workdays(first: date, days: int) -> list[date]:
    out = [first + timedelta(d) for d in range(days)]
    return [d for d in out if d.weekday() < 5]


def generate(n: int, seed: int, counters: list[str], days: list[date]) -> Iterator[list[tuple]]:
    """n usage rows spread evenly over `days` (a batch per day, in time order).

    Deterministic for (n, seed, counters, days). Each counter has 3-6 staff; a third of
    the uses name a business; most are by hotkey.
    """
    variants, _titles, business, version = catalog_facts()
    rng = random.Random(seed)
    staff = {
        c: [f"{rng.randrange(1, 10_000):04d}" for _ in range(rng.randint(3, 6))] for c in counters
    }
    keys = [k for k in SITUATION_WEIGHTS if k in variants] or list(variants)
    weights = [SITUATION_WEIGHTS.get(k, 1) for k in keys]
    trig, trig_w = list(TRIGGER_WEIGHTS), list(TRIGGER_WEIGHTS.values())
    per_day, extra = divmod(n, len(days))
    offset = LOCAL_UTC_OFFSET_H * 60
    for i, day in enumerate(days):
        k = per_day + (1 if i < extra else 0)
        if not k:
            continue
        iso = day.isoformat()
        # 08:30-17:30 local; stored as UTC (same date: the offset is +8)
        secs = sorted(rng.randrange(30_600, 63_000) for _ in range(k))
        sits = rng.choices(keys, weights, k=k)
        trigs = rng.choices(trig, trig_w, k=k)
        batch = []
        for s, sit, tr in zip(secs, sits, trigs, strict=True):
            counter = counters[rng.randrange(len(counters))]
            h, rem = divmod(s, 3600)
            clock = f"{rem // 60:02d}:{rem % 60:02d}"
            micro = f"{rng.randrange(1_000_000):06d}"
            ts_utc = f"{iso}T{h - LOCAL_UTC_OFFSET_H:02d}:{clock}.{micro}+00:00"
            ts_local = f"{iso}T{h:02d}:{clock}"
            biz = rng.choice(business) if business and rng.random() < 0.35 else ""
            batch.append(
                (
                    str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    ts_utc,
                    ts_local,
                    offset,
                    iso,
                    counter,
                    rng.choice(staff[counter]),
                    sit,
                    rng.choice(variants[sit]),
                    biz,
                    tr,
                    version,
                )
            )
        yield batch


def insert_rows(db: Path, batches: Iterator[list[tuple]]) -> int:
    """Fast raw inserts into a database that open_database() created."""
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA synchronous=OFF")
        marks = ", ".join("?" * len(COLUMNS))
        sql = f"INSERT INTO usage_event ({', '.join(COLUMNS)}) VALUES ({marks})"
        n = 0
        with con:
            for batch in batches:
                con.executemany(sql, batch)
                n += len(batch)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    return n


def create_db(path: Path, counter_id: str | None) -> None:
    from counter_assistant.storage.db import open_database

    open_database(path, counter_id, check=False).close()


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(base) / "counter-assistant-bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


def export_db(n: int, seed: int) -> tuple[Path, list[date]]:
    """The cached 1M-style database: 50 counters, 2025's weekdays; built once per n+seed."""
    days = workdays(date(YEAR, 1, 1), 365)
    path = cache_dir() / f"events-{n}-seed{seed}-v{GEN_VERSION}.sqlite3"
    if path.exists():
        log(f"using cached {path}")
        return path, days
    log(f"generating {n:,} events (seed {seed}) into {path} ...")
    t0 = time.perf_counter()
    part = path.with_name(f"{path.name}.{os.getpid()}.part")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{part}{suffix}").unlink(missing_ok=True)
    create_db(part, None)
    counters = [f"GJ-{i:02d}" for i in range(1, 51)]
    insert_rows(part, generate(n, seed, counters, days))
    with contextlib.closing(sqlite3.connect(part)) as con:
        con.execute("PRAGMA journal_mode=WAL")  # as a counter's database is
    os.replace(part, path)
    log(f"generated in {time.perf_counter() - t0:.1f} s")
    return path, days


def prepare_data_dir(data: Path, config: Path, logged: int, seed: int) -> None:
    """A data dir as a counter has it mid-day: `logged` records and today prepared."""
    from counter_assistant.core.clock import Clock
    from counter_assistant.core.config import load_config
    from counter_assistant.core.day import DayGate

    cfg = load_config(config)
    db = data / "counter.sqlite3"
    create_db(db, cfg.counter_id)
    with contextlib.closing(sqlite3.connect(db)) as con:

        def record(rec) -> None:
            row = rec.as_row()
            marks = ", ".join("?" * len(row))
            sql = f"INSERT INTO {rec.TABLE} ({', '.join(row)}) VALUES ({marks})"
            with con:
                con.execute(sql, list(row.values()))

        DayGate(cfg, Clock(), record).confirm_prep("0312", cfg.prep_items)
    today = date.today()
    days = workdays(today - timedelta(days=45), 45) or [today - timedelta(days=1)]
    insert_rows(db, generate(logged, seed, [cfg.counter_id], days))
