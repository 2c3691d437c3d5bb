"""The command line: each subcommand is a small function."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from counter_assistant import __version__


def _add_common(p: argparse.ArgumentParser, top: bool = False) -> None:
    # Subcommands must not reset what was given before the subcommand name.
    default = None if top else argparse.SUPPRESS
    p.add_argument("--config", default=default, help="config file (TOML); default: see README")
    p.add_argument(
        "--data-dir", default=default, help="where the database, window state and log live"
    )
    p.add_argument(
        "--debug",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="also log to the console",
    )


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} 不是有效日期：请写成 YYYY-MM-DD，例如 2026-11-01"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="counter-assistant", description="窗口服务助手 Counter Assistant"
    )
    parser.add_argument("--version", action="version", version=f"counter-assistant {__version__}")
    _add_common(parser, top=True)
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("run", help="the counter window (default)")
    _add_common(p)
    # For scripts/bench.py: print "ready" once the window has painted with hotkeys armed, quit.
    p.add_argument("--exit-when-ready", action="store_true", help=argparse.SUPPRESS)

    p = sub.add_parser("prompts", help="the prompt catalog as loaded")
    _add_common(p)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("check-config", help="validate the config and explain every problem")
    _add_common(p)

    p = sub.add_parser("self-check", help="load everything, render every prompt, open the database")
    _add_common(p)

    p = sub.add_parser("export", help="export usage or checklist reports to CSV or XLSX")
    _add_common(p)
    p.add_argument("--from", dest="date_from", required=True, type=iso_date, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", required=True, type=iso_date, metavar="YYYY-MM-DD")
    p.add_argument("--report", choices=("events", "daily", "checklists"), default="daily")
    p.add_argument("--format", dest="fmt", choices=("csv", "xlsx"), default=None)
    p.add_argument("--out", required=True)
    p.add_argument(
        "--db", action="append", default=[], help="a counter database or backup; repeat to merge"
    )
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="column headers")

    p = sub.add_parser("backup", help="consistent snapshot of this counter's database")
    _add_common(p)
    p.add_argument("--out", required=True)

    p = sub.add_parser("supervisor", help="the report window for supervisors")
    _add_common(p)

    p = sub.add_parser("set-pin", help="set the supervisor PIN in the config file")
    _add_common(p)
    p.add_argument("--pin", help="the PIN (asked for when omitted)")

    p = sub.add_parser("autostart", help="start the window at login for this user")
    _add_common(p)
    p.add_argument("state", choices=("on", "off", "status"))

    # For the package's maintainer scripts: tell every running window of an upgrade/removal.
    p = sub.add_parser("notify-running", help=argparse.SUPPRESS)
    p.add_argument("message", choices=("upgraded", "removed"))
    p.add_argument("--wait", type=float, default=0.0, help="seconds to wait for them to quit")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    handler = COMMANDS[command]
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130


def _context(args: argparse.Namespace):
    from counter_assistant.context import load_context

    return load_context(args.config, args.data_dir, debug=getattr(args, "debug", False))


def cmd_run(args: argparse.Namespace) -> int:
    from counter_assistant.app import run_app

    return run_app(_context(args), exit_when_ready=getattr(args, "exit_when_ready", False))


def cmd_prompts(args: argparse.Namespace) -> int:
    ctx = _context(args)
    if args.json:
        print(json.dumps(ctx.catalog.to_json(ctx.config.hotkeys), ensure_ascii=False, indent=2))
        return 0
    for s in ctx.catalog:
        hotkey = ctx.config.hotkeys.get(s.key) or "-"
        print(f"{s.key:<10} 第{s.article}条 {s.title}  [{hotkey}]")
        for i, v in enumerate(s.variants, 1):
            print(f"    {i}. {v.label}: {v.text}")
    for problem in ctx.catalog.problems:
        print(f"warning: {problem}", file=sys.stderr)
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    from counter_assistant.checks import check_config

    return check_config(_context(args))


def cmd_self_check(args: argparse.Namespace) -> int:
    from counter_assistant.checks import self_check

    return self_check(_context(args))


def cmd_export(args: argparse.Namespace) -> int:
    from counter_assistant.reports.export import ExportError, export_report

    out = Path(args.out)
    suffix = out.suffix.lower().lstrip(".")
    fmt = args.fmt or ("xlsx" if suffix == "xlsx" else "csv")
    if suffix in ("csv", "xlsx") and suffix != fmt:
        print(f"export failed: --format {fmt} but the file is named {out.name}; "
              f"use a .{fmt} name or --format {suffix}", file=sys.stderr)  # fmt: skip
        return 2
    dbs = [Path(d) for d in args.db] if args.db else [_context(args).paths.database]
    progress = _progress_bar() if sys.stderr.isatty() else None
    try:
        summary = export_report(
            dbs, args.date_from, args.date_to, args.report, fmt, out, args.lang, progress
        )
    except ExportError as exc:
        print(f"export failed: {exc}", file=sys.stderr)
        return 2
    if progress:
        print(file=sys.stderr)
    print(f"{summary.rows} rows, counters: {', '.join(summary.counters) or '-'} -> {summary.out}")
    if summary.missing_counters:
        print(f"no records in range for: {', '.join(summary.missing_counters)}", file=sys.stderr)
    return 0


def _progress_bar():
    def show(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        sys.stderr.flush()

    return show


def cmd_backup(args: argparse.Namespace) -> int:
    from counter_assistant.storage.db import DatabaseError, backup_to

    ctx = _context(args)
    try:
        target = backup_to(ctx.paths.database, args.out)
    except (DatabaseError, OSError) as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 2
    print(f"backup of {ctx.paths.database} -> {target}")
    return 0


def cmd_supervisor(args: argparse.Namespace) -> int:
    from counter_assistant.ui.supervisor import run_supervisor

    return run_supervisor(_context(args))


def cmd_set_pin(args: argparse.Namespace) -> int:
    from counter_assistant.checks import set_pin

    return set_pin(_context(args), args.pin)


def cmd_autostart(args: argparse.Namespace) -> int:
    from counter_assistant.platform.autostart import autostart_command

    return autostart_command(args.state)


def cmd_notify_running(args: argparse.Namespace) -> int:
    if sys.platform == "win32":  # the installer's Restart Manager closes and restarts it there
        return 0
    from counter_assistant.platform.instance_socket import notify_command

    return notify_command(args.message, args.wait)


COMMANDS = {
    "run": cmd_run,
    "prompts": cmd_prompts,
    "check-config": cmd_check_config,
    "self-check": cmd_self_check,
    "export": cmd_export,
    "backup": cmd_backup,
    "supervisor": cmd_supervisor,
    "set-pin": cmd_set_pin,
    "autostart": cmd_autostart,
    "notify-running": cmd_notify_running,
}
