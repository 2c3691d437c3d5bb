"""Measure Counter Assistant against the brief's quality targets.

    python scripts/bench.py            full run, a table (a few minutes on 2 cores)
    python scripts/bench.py --json     one JSON object instead
    python scripts/bench.py --quick    tiny sizes, seconds (the test suite's smoke run)
    python scripts/bench.py --only start_ratio,export_csv_ratio

Each target is one small module in scripts/benchmarks/ (its docstring says how the
number is made); this file runs them and prints the table. Every GUI measurement runs
under the real xcb platform: on $DISPLAY, or on a private Xvfb started here. App
processes get private temp, runtime and config dirs, so nothing of a counter window
running elsewhere is touched.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmarks import (
    bundle,
    content_reach,
    export_csv,
    export_xlsx,
    frozen_start,
    latency,
    memory,
    start,
    sync_catchup,
)
from benchmarks.common import Display, Row, Run, child_env, log, machine
from benchmarks.data import prepare_data_dir

MEASUREMENTS = [
    latency, start, memory, export_csv, export_xlsx, sync_catchup, content_reach,
    frozen_start, bundle,
]  # fmt: skip
TARGETS = [t for m in MEASUREMENTS for t in m.TARGETS]
COUNTER_ID = "BENCH-01"
CONFIG = f"""
[counter]
id = "{COUNTER_ID}"
window = "3"
department = "归集科"

[app]
hotkey_backend = "x11"
"""
SIZES = {
    "full": {
        "start_runs": 7,
        "latency_runs": 3,
        "latency_triggers": 1000,
        "logged": 10_000,
        "rss_triggers": 10_000,
        "export_rows": 1_000_000,
        "export_runs": 3,
        "xlsx_rows": 200_000,
        "xlsx_runs": 3,
        "sync_records": 100_000,
        "sync_runs": 3,
    },
    "quick": {
        "start_runs": 2,
        "latency_runs": 1,
        "latency_triggers": 40,
        "logged": 300,
        "rss_triggers": 100,
        "export_rows": 3_000,
        "export_runs": 1,
        "xlsx_rows": 1_000,
        "xlsx_runs": 1,
        "sync_records": 2_000,
        "sync_runs": 1,
        "frozen": False,  # building the bare frozen window alone takes half a minute
    },
}


def run_all(args: argparse.Namespace) -> dict:
    wanted = set(args.only.split(",")) if args.only else None
    sizes = dict(SIZES["quick" if args.quick else "full"])
    if wanted and "frozen_start_ratio" in wanted:
        sizes["frozen"] = True
    display = Display()
    work = Path(tempfile.mkdtemp(prefix="ca-bench-"))
    rows: dict[str, Row] = {}
    try:
        run = Run(
            sizes,
            args.seed,
            work,
            display.display,
            child_env(display.display, work),
        )
        log(
            f"X display {display.display} ({'private Xvfb' if display.own else '$DISPLAY'}); "
            f"work dir {work}"
        )
        (work / "config.toml").write_text(CONFIG, encoding="utf-8")
        template = run.shared["template"] = work / "template"
        template.mkdir()
        prepare_data_dir(template, work / "config.toml", run.sizes["logged"], run.seed)
        for module in MEASUREMENTS:
            if wanted and not wanted & {t.key for t in module.TARGETS}:
                continue
            for row in module.measure(run):
                rows[row.target.key] = row
    finally:
        display.stop()
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    out: dict = {t.key: rows[t.key].as_json() for t in TARGETS if t.key in rows}
    out.update(machine=machine(), quick=bool(args.quick), seed=args.seed)
    return out


def fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"
    return str(v)


def print_table(res: dict) -> None:
    m = res["machine"]
    print(f"Machine: {m['cpu']}, {m['cores']} cores; {m['os']}")
    quick = "  [--quick sizes]" if res["quick"] else ""
    print(
        f"Python {m['python']}, PySide6 {m['pyside6']}, Qt {m['qt']}, sqlite3 CLI "
        f"{m['sqlite3_cli']} (library {m['sqlite_lib']}){quick}"
    )
    head = ("metric", "value", "baseline", "ratio", "target", "pass")
    lines = []
    for t in TARGETS:
        r = res.get(t.key)
        if r is None:
            continue
        is_ratio = t.key.endswith("_ratio")
        value = r["app_value"] if is_ratio else r["value"]
        lines.append(
            (
                t.key,
                f"{fmt(value)} {t.unit}" if value is not None else "-",
                f"{fmt(r['baseline'])} {t.unit}" if r["baseline"] is not None else "-",
                fmt(r["value"]) if is_ratio else "-",
                "report" if t.limit is None else f"< {t.limit:g}",
                {True: "PASS", False: "FAIL", None: "-"}[r["pass"]],
            )
        )
    widths = [max(len(str(x[i])) for x in [head, *lines]) for i in range(len(head))]
    print(" | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for line in lines:
        print(" | ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)))
    print()
    for t in TARGETS:
        if t.key in res and res[t.key]["note"]:
            print(f"{t.key}: {res[t.key]['note']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    parser.add_argument("--seed", type=int, default=20250601, help="synthetic data seed")
    parser.add_argument("--keep", action="store_true", help="keep the temporary work dir")
    parser.add_argument("--only", help="comma-separated metric keys to measure")
    parser.add_argument("--worker-app", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker_app:
        from benchmarks.app_worker import worker_main

        return worker_main(args.worker_app)
    t0 = time.monotonic()
    res = run_all(args)
    res["bench_seconds"] = round(time.monotonic() - t0, 1)
    if args.json:
        print(json.dumps(res, ensure_ascii=False, indent=2))
    else:
        print_table(res)
        print(f"\n(bench took {res['bench_seconds']:.0f} s)")
    failed = [t.key for t in TARGETS if t.key in res and res[t.key]["pass"] is False]
    return 1 if failed and not args.quick else 0


if __name__ == "__main__":
    sys.exit(main())
