"""`counter-assistant server …`: what IT runs once against the center's server."""

from __future__ import annotations

import getpass
import os
import sys
from urllib.parse import quote

from counter_assistant.sync import schema
from counter_assistant.sync.connection import (
    PASSWORD_ENV,
    ServerError,
    classify,
    close_quietly,
    connect,
    parse_url,
)


def password_for(url: str, password_file: str = "", ask: bool = True) -> str | None:
    """For a URL given on the command line: its own password, the environment
    (COUNTER_ASSISTANT_SYNC_PASSWORD, then PGPASSWORD), the config's password_file, or
    asked on the terminal."""
    from counter_assistant.sync.connection import read_password

    if parse_url(url).password is not None:
        return None
    found = read_password(password_file) or os.environ.get("PGPASSWORD")
    if found is None and ask and sys.stdin.isatty():
        found = getpass.getpass(f"password for {parse_url(url).where}: ")
    return found


def _counter_url(admin_url: str, role: str) -> str:
    t = parse_url(admin_url)
    host = f"[{t.host}]" if ":" in t.host else t.host
    port = "" if t.port == 5432 else f":{t.port}"
    return f"postgresql://{quote(role, safe='')}@{host}{port}/{quote(t.database, safe='')}"


def server_command(args, cfg) -> int:
    """Dispatch one of init, add-counter, add-supervisor, add-publisher."""
    try:
        con = connect(args.url, password_for(args.url, cfg.sync_password_file),
                      application_name="counter-assistant server")  # fmt: skip
    except ServerError as exc:
        print(f"server {args.action} failed: {exc}", file=sys.stderr)
        return 2
    try:
        return ACTIONS[args.action](con, args, cfg)
    except schema.SchemaError as exc:
        print(f"server {args.action} failed: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        error = classify(exc, parse_url(args.url).where)
        hint = ""
        if error.cause == "permission" or "permission denied" in str(exc):
            hint = (
                " (the account in --url needs CREATEROLE and must own the database, e.g. postgres)"
            )
        print(f"server {args.action} failed: {error}{hint}", file=sys.stderr)
        return 2
    finally:
        close_quietly(con)


def _init(con, args, cfg) -> int:
    before, now = schema.init(con)
    if before == now:
        print(f"server schema is up to date (version {now}); roles checked: "
              f"{', '.join(schema.GROUPS)}")  # fmt: skip
    else:
        print(f"server schema upgraded from version {before} to {now}; roles: "
              f"{', '.join(schema.GROUPS)}")  # fmt: skip
    print("next: counter-assistant server add-counter ID --url … for each counter")
    return 0


def _add_counter(con, args, cfg) -> int:
    center = args.center if args.center is not None else cfg.center_id
    account = schema.add_counter(con, args.id, center, args.role)
    verb = "created" if account.created else "already existed; its password was reset"
    print(f"counter {args.id} (center {center or '-'}): role {account.role} {verb}")
    print(f"password: {account.password}")
    print("\nOn that counter PC (config.d/ file), then keep the password out of the config:")
    if center:
        print(f'  [center]\n  id = "{center}"')
    print(f'  [counter]\n  id = "{args.id}"')
    print(f'  [sync]\n  url = "{_counter_url(args.url, account.role)}"')
    print('  password_file = "sync-password.txt"   # readable by the clerk\'s account only')
    print(f"or set {PASSWORD_ENV} for the account that runs the app.")
    return 0


def _add_member(group: str, what: str):
    def add(con, args, cfg) -> int:
        account = schema.add_member(con, args.name, group)
        verb = "created" if account.created else "already existed; its password was reset"
        print(f"{what} {account.role} {verb}")
        print(f"password: {account.password}")
        print(f"URL: {_counter_url(args.url, account.role)}")
        return 0

    return add


ACTIONS = {
    "init": _init,
    "add-counter": _add_counter,
    "add-supervisor": _add_member(schema.SUPERVISORS, "supervisor (reads every record)"),
    "add-publisher": _add_member(schema.PUBLISHERS, "publisher (writes the center's content)"),
}


def check_server(cfg) -> tuple[str, str]:
    """For self-check: ("ok" | "warning" | "fail", one line). The driver must load in any
    case (the frozen bundle must carry it): "fail" when not. The server is tried only when
    [sync] url is set; unreachable is a "warning": the counter works without it."""
    try:
        import pg8000

        driver = f"sync driver pg8000 {pg8000.__version__}"
    except Exception as exc:  # a bundle without the driver
        return "fail", f"the sync driver (pg8000) does not load: {exc}"
    if not cfg.sync_url:
        return "ok", f"{driver}; no server configured ([sync] url)"
    from counter_assistant.sync.connection import read_password

    url = cfg.sync_url
    con = None
    try:
        password = read_password(cfg.sync_password_file)
        con = connect(url, password, application_name="counter-assistant self-check")
        schema.check_usable(con)
        bound = con.run("SELECT center_id, counter_id FROM ca.account_of(current_user)")
    except (ServerError, schema.SchemaError) as exc:
        return "warning", f"{driver}; server {parse_url(url).where} not usable: {exc}"
    except Exception as exc:
        return "warning", f"{driver}; server {parse_url(url).where}: {classify(exc)}"
    finally:
        close_quietly(con)
    where = parse_url(url).where
    if not bound or tuple(bound[0]) != (cfg.center_id, cfg.counter_id):
        owner = f"counter {bound[0][1]!r} of center {bound[0][0]!r}" if bound else "no counter"
        return "warning", (
            f"{driver}; server {where} is reachable, but its account is bound to {owner}, "
            f"not counter {cfg.counter_id!r} of center {cfg.center_id!r}: records would be "
            "refused. Run `server add-counter` for this id or fix [counter] id / [center] id"
        )
    return "ok", f"{driver}; server {where} is reachable and accepts this counter's records"
