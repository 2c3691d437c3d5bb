"""The command line: each subcommand is a small function."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from counter_assistant.start import (
    _add_common,
    _context,
    cmd_run,
    run_window,
    window_args,
    window_parser,
)


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} 不是有效日期：请写成 YYYY-MM-DD，例如 2026-11-01"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    parser, sub = window_parser()

    p = sub.add_parser("prompts", help="the prompt catalog as loaded")
    _add_common(p)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("check-config", help="validate the config and explain every problem")
    _add_common(p)

    p = sub.add_parser("self-check", help="load everything, render every prompt, open the database")
    _add_common(p)

    p = sub.add_parser("notice", help="the one-time notice (一次性告知单) to a PDF or a printer")
    _add_common(p)
    from counter_assistant.notice_cli import add_arguments

    add_arguments(p)

    p = sub.add_parser("export", help="export usage or checklist reports to CSV or XLSX")
    _add_common(p)
    p.add_argument("--from", dest="date_from", required=True, type=iso_date, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", required=True, type=iso_date, metavar="YYYY-MM-DD")
    p.add_argument(
        "--report", choices=("events", "daily", "checklists", "compliance"), default="daily"
    )
    p.add_argument("--format", dest="fmt", choices=("csv", "xlsx"), default=None)
    p.add_argument("--out", required=True)
    p.add_argument(
        "--db",
        action="append",
        default=[],
        help="a counter database, a backup, or a folder of them; repeat to merge",
    )
    p.add_argument("--url", help="read from the center's server (postgresql://…) instead")
    p.add_argument(
        "--counter", action="append", default=[], help="with --url: only this counter; repeat"
    )
    p.add_argument("--center", help="with --url: the center id (default: [center] id)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the report")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")

    p = sub.add_parser("server", help="set up the center's server (PostgreSQL): schema, accounts")
    _add_common(p)
    server = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    s = server.add_parser("init", help="create or upgrade the server schema and roles")
    s.add_argument("--url", required=True, help="postgresql://admin@host/db (an owner account)")
    s = server.add_parser("add-counter", help="a login for one counter; prints its password")
    s.add_argument("id", help="the counter's [counter] id, e.g. PJ-03")
    s.add_argument("--center", default=None, help="its [center] id (default: this config's)")
    s.add_argument("--role", default=None, help="role name (default: ca_<center>_<counter>)")
    s.add_argument("--url", required=True)
    for action, what in (("add-supervisor", "reads everything"), ("add-publisher", "content")):
        s = server.add_parser(action, help=f"a login that {what}; prints its password")
        s.add_argument("name", help="role name, lower case, e.g. sup_wang")
        s.add_argument("--url", required=True)

    p = sub.add_parser("publish", help="publish the center's content to every counter")
    _add_common(p)
    from counter_assistant.publish_cli import add_arguments

    add_arguments(p)

    p = sub.add_parser("backup", help="consistent snapshot of this counter's database")
    _add_common(p)
    p.add_argument("--out", required=True)
    p.add_argument(
        "--force", action="store_true", help="replace an existing file that is not a backup"
    )

    p = sub.add_parser("supervisor", help="the report window for supervisors")
    _add_common(p)
    p.add_argument("--url", help="the center's server (postgresql://…): today, live, first")
    p.add_argument("--center", help="with --url: the center id (default: [center] id)")

    p = sub.add_parser("set-pin", help="set the supervisor PIN in the config file")
    _add_common(p)
    p.add_argument("--pin", help="the PIN (asked for when omitted)")

    p = sub.add_parser("autostart", help="start the window at login for this user")
    _add_common(p)
    p.add_argument("state", choices=("on", "off", "status"))

    # For the package's maintainer scripts: tell every running window of an upgrade/removal.
    p = sub.add_parser("notify-running", help=argparse.SUPPRESS)
    p.add_argument("message", choices=("upgrading", "upgraded", "removed"))
    p.add_argument("--wait", type=float, default=0.0, help="seconds to wait for them to quit")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    window = window_args(argv)
    if window is not None:
        return run_window(window)
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    handler = COMMANDS[command]
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130


def cmd_prompts(args: argparse.Namespace) -> int:
    ctx = _context(args)
    if args.json:
        print(json.dumps(ctx.catalog.to_json(ctx.config.hotkeys), ensure_ascii=False, indent=2))
        return 0
    for s in ctx.catalog:
        hotkey = ctx.config.hotkeys.get(s.key) or "-"
        print(f"{s.key:<10} {s.heading} {s.title}  [{hotkey}]")
        for i, v in enumerate(s.variants, 1):
            print(f"    {i}. {v.label} ({v.source}): {v.text}")
    for problem in ctx.catalog.problems:
        print(f"warning: {problem}", file=sys.stderr)
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    from counter_assistant.checks import check_config

    return check_config(_context(args))


def cmd_self_check(args: argparse.Namespace) -> int:
    from counter_assistant.checks import self_check

    return self_check(_context(args))


def cmd_notice(args: argparse.Namespace) -> int:
    from counter_assistant.notice_cli import notice_command

    return notice_command(_context(args), args)


def cmd_export(args: argparse.Namespace) -> int:
    from counter_assistant.reports.export import ExportError, Options, export_report

    out = Path(args.out)
    suffix = out.suffix.lower().lstrip(".")
    fmt = args.fmt or ("xlsx" if suffix == "xlsx" else "csv")
    if suffix in ("csv", "xlsx") and suffix != fmt:
        print(f"export failed: --format {fmt} but the file is named {out.name}; "
              f"use a .{fmt} name or --format {suffix}", file=sys.stderr)  # fmt: skip
        return 2
    ctx = _context(args)
    live = ctx.paths.database
    if args.url and args.db:
        print("export failed: give --url or --db, not both", file=sys.stderr)
        return 2
    dbs = [Path(d) for d in args.db] if args.db else [live]
    progress = _progress_bar() if sys.stderr.isatty() else None
    with contextlib.ExitStack() as stack:
        try:
            if args.url:
                dbs = stack.enter_context(_server_databases(args, ctx))
            summary = export_report(
                dbs,
                args.date_from,
                args.date_to,
                args.report,
                fmt,
                out,
                args.lang,
                progress,
                force=args.force,
                protected=[live],
                options=Options.from_context(ctx),
            )
        except ExportError as exc:
            print(f"export failed: {exc}", file=sys.stderr)
            return 2
    if progress:
        print(file=sys.stderr)
    print(f"{summary.rows} rows, counters: {', '.join(summary.counters) or '-'} -> {summary.out}")
    if summary.missing_counters:
        print(f"no records in range for: {', '.join(summary.missing_counters)}", file=sys.stderr)
    for skipped in summary.skipped:
        print(f"warning: not read: {skipped.path} ({skipped.reason})", file=sys.stderr)
    for problem in summary.problems:
        print(f"warning: calendar: {problem}", file=sys.stderr)
    return 0


@contextlib.contextmanager
def _server_databases(args: argparse.Namespace, ctx):
    """The range's rows from the server, one temporary database per counter; the
    center's published content (calendar, hours, catalog names) goes into ctx."""
    import tempfile

    from counter_assistant.reports.export import ExportError
    from counter_assistant.sync.admin import password_for
    from counter_assistant.sync.connection import ServerError, classify, close_quietly, connect
    from counter_assistant.sync.fetch import fetch_range

    cfg = ctx.config
    center = args.center if args.center is not None else cfg.center_id
    with tempfile.TemporaryDirectory(prefix="ca-server-") as folder:
        con = None
        try:
            con = connect(args.url, password_for(args.url, cfg.sync_password_file))
            paths = fetch_range(
                con, Path(folder), args.date_from, args.date_to, center, args.counter or None
            )
            _use_published(ctx, con, center)
        except Exception as exc:
            error = exc if isinstance(exc, ServerError) else classify(exc)
            raise ExportError(f"读取服务器失败：{error}") from exc
        finally:
            close_quietly(con)
        if not paths:
            raise ExportError(f"服务器上没有中心 {center or '（未设置）'} 的窗口记录。")
        yield paths


def _use_published(ctx, con, center: str) -> None:
    """The center's current published content (its calendar and hours above all) for a
    report from the server; the local files when there is none or it cannot be used."""
    from counter_assistant.core.content import ContentError
    from counter_assistant.sync.connection import sqlstate
    from counter_assistant.sync.content_poll import fetch_current

    try:
        content = fetch_current(con, ctx.config, center)
    except ContentError as exc:
        for problem in exc.problems:
            print(f"warning: published content not used: {problem}", file=sys.stderr)
        return
    except Exception as exc:
        if sqlstate(exc) is None:  # the connection broke: the export fails as before
            raise
        print(f"warning: published content not read ({exc}); local files used", file=sys.stderr)
        return
    if content is not None:
        ctx.use_content(content)


def _progress_bar():
    def show(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        sys.stderr.flush()

    return show


def cmd_server(args: argparse.Namespace) -> int:
    from counter_assistant.sync.admin import server_command

    return server_command(args, _context(args).config)


def cmd_publish(args: argparse.Namespace) -> int:
    from counter_assistant.publish_cli import publish_command

    return publish_command(args, _context(args).config)


def cmd_backup(args: argparse.Namespace) -> int:
    from counter_assistant.storage.db import DatabaseError, backup_to

    ctx = _context(args)
    try:
        target = backup_to(ctx.paths.database, args.out, force=args.force)
    except (DatabaseError, OSError) as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 2
    print(f"backup of {ctx.paths.database} -> {target}")
    return 0


def cmd_supervisor(args: argparse.Namespace) -> int:
    from counter_assistant.ui.supervisor import run_supervisor

    return run_supervisor(_context(args), args.url, args.center)


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
    "notice": cmd_notice,
    "export": cmd_export,
    "server": cmd_server,
    "publish": cmd_publish,
    "backup": cmd_backup,
    "supervisor": cmd_supervisor,
    "set-pin": cmd_set_pin,
    "autostart": cmd_autostart,
    "notify-running": cmd_notify_running,
}
