"""`counter-assistant publish`: the center's content out to every counter, in one command.

Every file given is checked first, with the checks a counter applies when it loads it;
only when all of it is valid does a new numbered version go to the server. Counters
pick it up by themselves within their poll interval.
"""

from __future__ import annotations

import argparse
import sys

from counter_assistant.core.content import KINDS, ContentError, File, check_files, read_file


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", help="the center's server, as a publisher (postgresql://pub_…@host/db)")
    p.add_argument("--center-id", default=None, help="which center (default: [center] id)")
    for name, kind in KINDS.items():
        p.add_argument(f"--{name}", dest=f"kind_{name}", metavar="FILE", help=kind.what)
    what = p.add_mutually_exclusive_group()
    what.add_argument("--list", action="store_true", help="the versions, who and when, current")
    what.add_argument("--rollback", type=int, metavar="N", help="make version N current again")
    what.add_argument("--check", action="store_true", help="check the files, publish nothing")


def publish_command(args: argparse.Namespace, cfg) -> int:
    given = {n: getattr(args, f"kind_{n}") for n in KINDS if getattr(args, f"kind_{n}", None)}
    center = args.center_id if args.center_id is not None else cfg.center_id
    if given and (args.list or args.rollback is not None):
        return _fail("give files to publish, or --list, or --rollback N; not both")
    if not given and not (args.list or args.rollback is not None):
        options = " ".join(f"--{n} FILE" for n in KINDS)
        return _fail(f"nothing to do: give one or more of {options}, or --list, or --rollback N")
    files: dict[str, File] = {}
    if given:
        problems = []
        for name, path in given.items():
            f, found = read_file(name, path)
            problems += found
            if f is not None:
                files[name] = f
        _values, found = check_files(files.values(), cfg)
        if problems or found:
            return _refused([*problems, *found])
        if args.check:
            print(f"OK: {', '.join(f'{n} ({f.name})' for n, f in files.items())} can be published")
            return 0
    if not args.url:
        return _fail("--url postgresql://publisher@host/db is needed (server add-publisher NAME)")
    return _with_server(args, cfg, center, files)


def _with_server(args, cfg, center: str, files: dict[str, File]) -> int:
    from counter_assistant.sync import content_server as server
    from counter_assistant.sync.admin import password_for
    from counter_assistant.sync.connection import (
        ServerError,
        classify,
        close_quietly,
        connect,
        parse_url,
    )
    from counter_assistant.sync.schema import server_version

    def check(version_files: dict[str, File]) -> None:
        _values, problems = check_files(version_files.values(), cfg)
        if problems:
            raise ContentError(problems)

    try:
        con = connect(args.url, password_for(args.url, cfg.sync_password_file),
                      application_name="counter-assistant publish")  # fmt: skip
    except ServerError as exc:
        return _fail(str(exc))
    try:
        if server_version(con) < 2:
            return _fail("the server has no content tables yet; IT runs "
                         "`counter-assistant server init --url …` (as the owner) once")  # fmt: skip
        if args.list:
            _print_list(server.versions(con, center), server.events(con, center), center)
        elif args.rollback is not None:
            before = server.rollback(con, center, args.rollback, check)
            print(f"version {args.rollback} is current again for center {center or '-'} "
                  f"(was {before}); counters follow within their poll interval")  # fmt: skip
        else:
            new, based_on, carried = server.publish(con, center, files, check)
            if new == based_on:
                print(f"nothing published: the files are the same as in the current "
                      f"version {new} of center {center or '-'}")  # fmt: skip
                return 0
            parts = ", ".join(f"{n} ({f.name})" for n, f in files.items())
            print(f"published version {new} for center {center or '-'}: {parts}")
            if carried:
                print(f"carried over from version {based_on}: {', '.join(carried)}")
            print("counters apply it within their [sync] poll_seconds (30 s by default), "
                  "between two prompts, without a restart")  # fmt: skip
        return 0
    except ContentError as exc:
        return _refused(exc.problems)
    except server.PublishError as exc:
        return _fail(str(exc))
    except Exception as exc:
        error = classify(exc, parse_url(args.url).where)
        hint = ""
        if error.cause == "permission":
            hint = " (publishing needs a publisher account: server add-publisher NAME)"
        return _fail(f"{error}{hint}")
    finally:
        close_quietly(con)


def _print_list(versions, events, center: str) -> None:
    if not versions:
        print(f"center {center or '-'} has published no content yet")
        return
    current = events[-1].version if events else 0
    print(f"content versions of center {center or '-'} (current: {current}):")
    for v in versions:
        mark = "*" if v.version == current else " "
        files = ", ".join(
            f"{kind}={name}" + ("" if since == v.version else f" (from {since})")
            for kind, name, since in v.files
        )
        print(f"{mark} {v.version:>4}  {v.published_at.astimezone():%Y-%m-%d %H:%M}  "
              f"{v.published_by} ({v.os_user})  {files}")  # fmt: skip
    print("history:")
    for e in events:
        what = "published" if e.action == "publish" else "rolled back to"
        print(f"  {e.at.astimezone():%Y-%m-%d %H:%M:%S}  {what} {e.version}  "
              f"by {e.by_role} ({e.os_user})")  # fmt: skip


def _refused(problems) -> int:
    print(f"nothing published: {len(problems)} problem(s); fix them and publish again:",
          file=sys.stderr)  # fmt: skip
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return 1


def _fail(message: str) -> int:
    print(f"publish failed: {message}", file=sys.stderr)
    return 2
