"""The server schema, versioned like the local one, and the accounts that use it.

Everything lives in the schema ``ca``. ``ca.schema_version`` lists each step applied;
``init`` applies the missing ones in order, each in its own transaction under an
advisory lock, so running it twice (or on two PCs at once) changes nothing. Every
statement is one PostgreSQL 12 accepts, and each step is idempotent on its own.

Accounts. Three group roles (cluster-wide, made by every ``init``):
- ``ca_counters``: each counter logs in as its own member role. Row-level security lets
  it insert only records whose (center_id, counter_id) is the one bound to its role in
  ``ca.counter_account``, and read or update only its own status row. It reads no records.
- ``ca_supervisors``: reads everything, writes nothing.
- ``ca_publishers``: adds versions of the center's published content (step 2) and reads
  them; changes or deletes nothing, writes nothing else.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from counter_assistant import __version__
from counter_assistant.sync.connection import Connection

SCHEMA = "ca"
COUNTERS, SUPERVISORS, PUBLISHERS = "ca_counters", "ca_supervisors", "ca_publishers"
GROUPS = (COUNTERS, SUPERVISORS, PUBLISHERS)
RECORD_TABLES = ("usage_event", "checklist_record", "staff_shift")
LOCK_KEY = 0x43415359  # pg_advisory_xact_lock key: one init at a time
ROLE_RE = re.compile(r"^[a-z_][a-z0-9_.\-]{0,62}$")

_OWN = (
    "(center_id, counter_id) = "
    "(SELECT a.center_id, a.counter_id FROM ca.account_of(current_user) a)"
)

_V1_TABLES = """
CREATE TABLE IF NOT EXISTS ca.usage_event (
    id uuid PRIMARY KEY,
    center_id text NOT NULL,
    counter_id text NOT NULL,
    local_date date NOT NULL,
    ts_utc timestamptz NOT NULL,
    ts_local timestamp,
    utc_offset integer,
    staff_id text NOT NULL DEFAULT '',
    situation text NOT NULL,
    variant text NOT NULL,
    business text NOT NULL DEFAULT '',
    trigger text NOT NULL,
    app_version text NOT NULL,
    content_version integer NOT NULL DEFAULT 0,
    detail text NOT NULL DEFAULT '',
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS usage_event_day ON ca.usage_event (center_id, local_date, counter_id);
CREATE TABLE IF NOT EXISTS ca.checklist_record (
    id uuid PRIMARY KEY,
    center_id text NOT NULL,
    counter_id text NOT NULL,
    kind text NOT NULL,
    local_date date NOT NULL,
    ts_utc timestamptz NOT NULL,
    ts_local timestamp,
    utc_offset integer,
    staff_id text NOT NULL DEFAULT '',
    items text NOT NULL DEFAULT '[]',
    late boolean NOT NULL DEFAULT false,
    app_version text NOT NULL DEFAULT '',
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS checklist_record_day
    ON ca.checklist_record (center_id, local_date, counter_id);
CREATE TABLE IF NOT EXISTS ca.staff_shift (
    id uuid PRIMARY KEY,
    center_id text NOT NULL,
    counter_id text NOT NULL,
    local_date date NOT NULL,
    ts_utc timestamptz NOT NULL,
    ts_local timestamp,
    utc_offset integer,
    staff_id text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS staff_shift_day ON ca.staff_shift (center_id, local_date, counter_id);
CREATE TABLE IF NOT EXISTS ca.counter_status (
    center_id text NOT NULL,
    counter_id text NOT NULL,
    last_seen timestamptz NOT NULL DEFAULT now(),
    counter_time timestamptz,
    local_date date,
    app_version text NOT NULL DEFAULT '',
    staff_id text NOT NULL DEFAULT '',
    prepared_at timestamp,
    prep_late boolean,
    closed boolean NOT NULL DEFAULT false,
    prompts_today integer NOT NULL DEFAULT 0,
    records_waiting integer NOT NULL DEFAULT 0,
    hotkeys_armed integer NOT NULL DEFAULT 0,
    hotkeys_total integer NOT NULL DEFAULT 0,
    hotkey_backend text NOT NULL DEFAULT '',
    content_version integer NOT NULL DEFAULT 0,
    last_error text NOT NULL DEFAULT '',
    PRIMARY KEY (center_id, counter_id)
);
CREATE TABLE IF NOT EXISTS ca.counter_account (
    role_name name PRIMARY KEY,
    center_id text NOT NULL,
    counter_id text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (center_id, counter_id)
);
CREATE OR REPLACE FUNCTION ca.account_of(role_name name)
    RETURNS TABLE (center_id text, counter_id text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$ SELECT a.center_id, a.counter_id FROM ca.counter_account a WHERE a.role_name = $1 $$;
REVOKE ALL ON FUNCTION ca.account_of(name) FROM PUBLIC;
"""


def _v1_access() -> str:
    """Grants and row-level security for the three groups."""
    out = [
        f"GRANT USAGE ON SCHEMA ca TO {', '.join(GROUPS)};",
        f"GRANT EXECUTE ON FUNCTION ca.account_of(name) TO {COUNTERS};",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA ca TO {SUPERVISORS};",
        f"GRANT SELECT, INSERT, UPDATE ON ca.counter_status TO {COUNTERS};",
    ]
    for table in (*RECORD_TABLES, "counter_status"):
        out += [
            f"ALTER TABLE ca.{table} ENABLE ROW LEVEL SECURITY;",
            f"DROP POLICY IF EXISTS supervisors_read ON ca.{table};",
            f"CREATE POLICY supervisors_read ON ca.{table} FOR SELECT TO {SUPERVISORS} "
            "USING (true);",
        ]
    for table in RECORD_TABLES:
        out += [
            # ON CONFLICT (id) needs SELECT on the arbiter column, and then the new row
            # must pass a SELECT policy too: a counter sees the ids of its own rows only.
            f"GRANT INSERT, SELECT (id) ON ca.{table} TO {COUNTERS};",
            f"DROP POLICY IF EXISTS counter_inserts_own ON ca.{table};",
            f"CREATE POLICY counter_inserts_own ON ca.{table} FOR INSERT TO {COUNTERS} "
            f"WITH CHECK ({_OWN});",
            f"DROP POLICY IF EXISTS counter_selects_own ON ca.{table};",
            f"CREATE POLICY counter_selects_own ON ca.{table} FOR SELECT TO {COUNTERS} "
            f"USING ({_OWN});",
        ]
    for verb, clause in (
        ("SELECT", f"USING ({_OWN})"),
        ("INSERT", f"WITH CHECK ({_OWN})"),
        ("UPDATE", f"USING ({_OWN}) WITH CHECK ({_OWN})"),
    ):
        name = f"counter_{verb.lower()}s_own"
        out += [
            f"DROP POLICY IF EXISTS {name} ON ca.counter_status;",
            f"CREATE POLICY {name} ON ca.counter_status FOR {verb} TO {COUNTERS} {clause};",
        ]
    return "\n".join(out)


# Step 2: the center's published content. A version is numbered per center and holds
# one file per kind (kinds not given in a publish are copied from the version current
# then, so each version stands alone); which version is current is the latest event
# (a publish, or a rollback to an earlier version), so history is never rewritten.
_V2_TABLES = """
CREATE TABLE IF NOT EXISTS ca.content_version (
    center_id text NOT NULL,
    version integer NOT NULL CHECK (version > 0),
    published_at timestamptz NOT NULL DEFAULT now(),
    published_by name NOT NULL DEFAULT current_user,
    os_user text NOT NULL DEFAULT '',
    app_version text NOT NULL DEFAULT '',
    PRIMARY KEY (center_id, version)
);
CREATE TABLE IF NOT EXISTS ca.content_file (
    center_id text NOT NULL,
    version integer NOT NULL,
    kind text NOT NULL,
    name text NOT NULL,
    body text NOT NULL,
    since integer NOT NULL,
    PRIMARY KEY (center_id, version, kind),
    FOREIGN KEY (center_id, version) REFERENCES ca.content_version (center_id, version)
);
CREATE TABLE IF NOT EXISTS ca.content_event (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    center_id text NOT NULL,
    version integer NOT NULL,
    action text NOT NULL CHECK (action IN ('publish', 'rollback')),
    at timestamptz NOT NULL DEFAULT now(),
    by_role name NOT NULL DEFAULT current_user,
    os_user text NOT NULL DEFAULT '',
    FOREIGN KEY (center_id, version) REFERENCES ca.content_version (center_id, version)
);
CREATE INDEX IF NOT EXISTS content_event_latest ON ca.content_event (center_id, id);
"""
CONTENT_TABLES = ("content_version", "content_file", "content_event")
_OWN_CENTER = "center_id = (SELECT a.center_id FROM ca.account_of(current_user) a)"


def _v2_access() -> str:
    """Publishers insert and read content, never change or delete it, and sign as
    themselves; counters read their own center's; supervisors read all."""
    signed = {"content_version": "published_by", "content_event": "by_role"}
    out = [
        f"GRANT SELECT, INSERT ON {', '.join('ca.' + t for t in CONTENT_TABLES)} TO {PUBLISHERS};",
        f"GRANT SELECT ON {', '.join('ca.' + t for t in CONTENT_TABLES)} "
        f"TO {COUNTERS}, {SUPERVISORS};",
    ]
    for table in CONTENT_TABLES:
        check = f"{signed[table]} = current_user" if table in signed else "true"
        out += [
            f"ALTER TABLE ca.{table} ENABLE ROW LEVEL SECURITY;",
            f"DROP POLICY IF EXISTS readers_read ON ca.{table};",
            f"CREATE POLICY readers_read ON ca.{table} FOR SELECT TO {SUPERVISORS}, "
            f"{PUBLISHERS} USING (true);",
            f"DROP POLICY IF EXISTS publishers_insert ON ca.{table};",
            f"CREATE POLICY publishers_insert ON ca.{table} FOR INSERT TO {PUBLISHERS} "
            f"WITH CHECK ({check});",
            f"DROP POLICY IF EXISTS counter_reads_own_center ON ca.{table};",
            f"CREATE POLICY counter_reads_own_center ON ca.{table} FOR SELECT TO {COUNTERS} "
            f"USING ({_OWN_CENTER});",
        ]
    return "\n".join(out)


# Step n brings the schema from version n-1 to n.
STEPS: dict[int, str] = {
    1: _V1_TABLES + _v1_access(),
    2: _V2_TABLES + _v2_access(),
}
SCHEMA_VERSION = max(STEPS)


class SchemaError(Exception):
    """The server's schema cannot be used by this release, phrased for IT."""


def _statements(sql: str) -> list[str]:
    """Split on ; outside $$ bodies (our SQL has no ; inside strings)."""
    out, buf, in_body = [], [], False
    for part in re.split(r"(\$\$|;)", sql):
        if part == "$$":
            in_body = not in_body
            buf.append(part)
        elif part == ";" and not in_body:
            text = "".join(buf).strip()
            if text:
                out.append(text)
            buf = []
        else:
            buf.append(part)
    tail = "".join(buf).strip()
    if tail:
        out.append(tail)
    return out


def server_version(con: Connection) -> int:
    """The schema version on the server; 0 when it was never initialised."""
    exists = con.run("SELECT to_regclass('ca.schema_version') IS NOT NULL")[0][0]
    if not exists:
        return 0
    return con.run("SELECT coalesce(max(version), 0) FROM ca.schema_version")[0][0]


def ensure_groups(con: Connection) -> list[str]:
    """The three group roles (NOLOGIN), made when missing; returns the ones made."""
    made = []
    for group in GROUPS:
        if not con.run("SELECT 1 FROM pg_roles WHERE rolname = :r", r=group):
            con.run(f"CREATE ROLE {group} NOLOGIN")
            made.append(group)
    return made


def init(con: Connection) -> tuple[int, int]:
    """Create or upgrade the server schema; returns (version before, version now)."""
    con.run("BEGIN")
    try:
        con.run("SELECT pg_advisory_xact_lock(:k)", k=LOCK_KEY)
        ensure_groups(con)
        con.run("CREATE SCHEMA IF NOT EXISTS ca")
        con.run(
            "CREATE TABLE IF NOT EXISTS ca.schema_version (version integer PRIMARY KEY, "
            "applied_at timestamptz NOT NULL DEFAULT now(), app_version text NOT NULL)"
        )
        con.run(f"GRANT USAGE ON SCHEMA ca TO {', '.join(GROUPS)}")
        con.run(f"GRANT SELECT ON ca.schema_version TO {', '.join(GROUPS)}")
        con.run("COMMIT")
    except Exception:
        con.run("ROLLBACK")
        raise
    before = server_version(con)
    if before > SCHEMA_VERSION:
        raise SchemaError(
            f"the server's schema is version {before}, newer than this release knows "
            f"({SCHEMA_VERSION}); it is left untouched. Use the newer Counter Assistant."
        )
    for step in range(before + 1, SCHEMA_VERSION + 1):
        con.run("BEGIN")
        try:
            con.run("SELECT pg_advisory_xact_lock(:k)", k=LOCK_KEY)
            if server_version(con) < step:  # another init may have just applied it
                for statement in _statements(STEPS[step]):
                    con.run(statement)
                con.run(
                    "INSERT INTO ca.schema_version (version, app_version) VALUES (:v, :a) "
                    "ON CONFLICT (version) DO NOTHING",
                    v=step,
                    a=__version__,
                )
            con.run("COMMIT")
        except Exception:
            con.run("ROLLBACK")
            raise
    return before, server_version(con)


def check_usable(con: Connection) -> None:
    """SchemaError unless the server has the schema this release writes to."""
    version = server_version(con)
    if version == 0:
        raise SchemaError("the server has no Counter Assistant schema; IT runs "
                          "`counter-assistant server init --url …` once")  # fmt: skip


# --- accounts -------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    role: str
    password: str
    created: bool  # False: the role existed; its password was reset


def default_role(counter_id: str, center_id: str = "") -> str:
    """ca_<center>_<counter>, lower case: what IT puts in the counter's URL."""
    name = "_".join(p for p in ("ca", center_id, counter_id) if p).lower()
    if not ROLE_RE.match(name):
        raise SchemaError(f"{name!r} cannot be a role name (at most 63 characters of "
                          "a-z 0-9 _ . -); choose one with --role")  # fmt: skip
    return name


def new_password() -> str:
    return secrets.token_urlsafe(18)


def _quote(identifier: str) -> str:
    if not ROLE_RE.match(identifier):
        raise SchemaError(
            f"{identifier!r} cannot be a role name: at most 63 characters of a-z 0-9 _ . -"
        )
    return '"' + identifier + '"'


def _login_role(con: Connection, role: str, group: str, password: str) -> bool:
    """Create (or reset the password of) a login role in group; True when created."""
    quoted = _quote(role)
    literal = "'" + password.replace("'", "''") + "'"
    exists = bool(con.run("SELECT 1 FROM pg_roles WHERE rolname = :r", r=role))
    if exists:
        con.run(f"ALTER ROLE {quoted} WITH LOGIN PASSWORD {literal}")
    else:
        con.run(f"CREATE ROLE {quoted} WITH LOGIN PASSWORD {literal}")
    con.run(f"GRANT {group} TO {quoted}")
    return not exists


def add_counter(
    con: Connection, counter_id: str, center_id: str = "", role: str | None = None
) -> Account:
    """A login role that may write as this one counter only; prints nothing."""
    check_usable(con)
    role = role or default_role(counter_id, center_id)
    password = new_password()
    con.run("BEGIN")
    try:
        bound = con.run(
            "SELECT role_name FROM ca.counter_account WHERE center_id = :c AND counter_id = :k",
            c=center_id,
            k=counter_id,
        )
        if bound and bound[0][0] != role:
            raise SchemaError(
                f"counter {counter_id!r} of center {center_id!r} already logs in as "
                f"{bound[0][0]!r}; run add-counter without --role to reset its password"
            )
        created = _login_role(con, role, COUNTERS, password)
        taken = con.run(
            "SELECT center_id, counter_id FROM ca.counter_account WHERE role_name = :r", r=role
        )
        if taken and tuple(taken[0]) != (center_id, counter_id):
            raise SchemaError(f"role {role!r} already belongs to counter {taken[0][1]!r}")
        con.run(
            "INSERT INTO ca.counter_account (role_name, center_id, counter_id) "
            "VALUES (:r, :c, :k) ON CONFLICT (role_name) DO NOTHING",
            r=role,
            c=center_id,
            k=counter_id,
        )
        con.run("COMMIT")
    except Exception:
        con.run("ROLLBACK")
        raise
    return Account(role, password, created)


def add_member(con: Connection, name: str, group: str) -> Account:
    """A supervisor (reads all) or publisher (writes content) login role."""
    check_usable(con)
    password = new_password()
    con.run("BEGIN")
    try:
        created = _login_role(con, name, group, password)
        con.run("COMMIT")
    except Exception:
        con.run("ROLLBACK")
        raise
    return Account(name, password, created)
