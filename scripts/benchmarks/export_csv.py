"""export_csv_ratio: 1,000,000 events to CSV, against the sqlite3 tool writing the same rows."""

from __future__ import annotations

import statistics
import subprocess

from benchmarks.common import Row, Run, Target, log
from benchmarks.data import catalog_facts, export_db

TARGETS = [Target("export_csv_ratio", 2.0, "s", "events to CSV vs sqlite3 CLI")]
TRIGGER_ZH = {"hotkey": "热键", "click": "点击", "tray": "托盘", "picker": "选择"}


def baseline_sql(titles: dict[str, str], d0: str, d1: str) -> str:
    """The events report's columns, written by SQLite alone."""

    def text(v: str) -> str:
        return "'" + v.replace("'", "''") + "'"

    title = " ".join(f"WHEN {text(k)} THEN {text(v)}" for k, v in titles.items())
    trig = " ".join(f"WHEN {text(k)} THEN {text(v)}" for k, v in TRIGGER_ZH.items())
    return (
        "SELECT uuid, local_date, strftime('%Y-%m-%d %H:%M:%S', ts_utc, 'localtime'), "
        f"counter_id, staff_id, CASE situation {title} ELSE situation END, situation, variant, "
        f"business, CASE trigger {trig} ELSE trigger END, app_version FROM usage_event "
        f"WHERE local_date BETWEEN '{d0}' AND '{d1}' ORDER BY local_date, rowid"
    )


def measure(run: Run) -> list[Row]:
    from counter_assistant.reports.export import export_report

    sizes = run.sizes
    log(f"export: {sizes['export_rows']:,} events to CSV ...")
    db, days = export_db(sizes["export_rows"], run.seed)
    d0, d1 = days[0], days[-1]
    _variants, titles, _biz, _version = catalog_facts()
    sql = baseline_sql(titles, d0.isoformat(), d1.isoformat())
    out_app, out_cli = run.work / "events.csv", run.work / "events-sqlite3.csv"
    app_t, cli_t, app_rows = [], [], 0
    for _ in range(sizes["export_runs"]):
        t0 = _now()
        with out_cli.open("wb") as fh:
            subprocess.run(
                ["sqlite3", "-readonly", "-csv", "-header", str(db), sql], stdout=fh, check=True
            )
        cli_t.append(_now() - t0)
        t0 = _now()
        app_rows = export_report([db], d0, d1, "events", "csv", out_app, force=True).rows
        app_t.append(_now() - t0)
    with out_cli.open("rb") as fh:
        cli_rows = sum(1 for _ in fh) - 1
    for f in (out_app, out_cli):
        f.unlink(missing_ok=True)
    a, b = statistics.median(app_t), statistics.median(cli_t)
    note = (
        f"export_report events csv, {app_rows:,} rows ({cli_rows:,} by sqlite3), median of "
        f"{len(app_t)}: app {a:.2f} s, sqlite3 -csv {b:.2f} s"
    )
    return [Row(TARGETS[0], a / b, b, a, note)]


def _now() -> float:
    import time

    return time.perf_counter()
