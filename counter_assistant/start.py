"""Starting the counter window from the command line, with as little imported as can be:
`run` (or no command) is parsed here; cli.py adds every other command."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

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


def window_parser() -> tuple[argparse.ArgumentParser, Any]:
    """The top level and `run`: what a start of the window reads (window_args());
    build_parser() adds the other commands. Returns the parser and its subparsers."""
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
    return parser, sub


WINDOW_OPTIONS = {"--config": True, "--data-dir": True, "--debug": False,
                  "--exit-when-ready": False}  # option -> takes a value  # fmt: skip


def window_args(argv: Sequence[str]) -> argparse.Namespace | None:
    """What argv says if it only starts the counter window (`run`, or no command): the
    Namespace the full parser would give, read without building any parser (argparse's
    help formatter and message catalogs cost milliseconds at every start). None for any
    other command, help, a typo or an odd value: the full parser says what to do."""
    found: dict[str, object] = {"config": None, "data_dir": None, "debug": False, "command": None}
    words = list(argv)
    while words:
        word = words.pop(0)
        name, eq, value = word.partition("=")
        if name in WINDOW_OPTIONS and (name != "--exit-when-ready" or found["command"]):
            if not WINDOW_OPTIONS[name]:
                if eq:
                    return None
                found[name[2:].replace("-", "_")] = True
                continue
            if not eq:
                if not words or words[0].startswith("-"):
                    return None
                value = words.pop(0)
            found[name[2:].replace("-", "_")] = value
        elif word == "run" and not found["command"]:
            found["command"] = "run"
            found.setdefault("exit_when_ready", False)
        else:
            return None
    return argparse.Namespace(**found)


def run_window(args: argparse.Namespace) -> int:
    """`run`, as window_args() read it, without the other commands' parsers."""
    try:
        return cmd_run(args)
    except KeyboardInterrupt:
        return 130


def _context(args: argparse.Namespace):
    from counter_assistant.context import load_context

    return load_context(args.config, args.data_dir, debug=getattr(args, "debug", False))


def cmd_run(args: argparse.Namespace) -> int:
    from counter_assistant.app import run_app
    from counter_assistant.start_context import load_start

    start = load_start(args.config, args.data_dir, debug=getattr(args, "debug", False))
    return run_app(start, exit_when_ready=getattr(args, "exit_when_ready", False))
