"""Publishing the center's content against a real PostgreSQL on loopback: numbered
versions, carried-over kinds, refusals that change nothing, rollback as a new event,
and who may do what."""

from __future__ import annotations

import getpass
import secrets
from urllib.parse import urlsplit

import pytest

from counter_assistant.cli import main
from counter_assistant.sync import content_server, schema
from counter_assistant.sync.connection import ServerError, classify, close_quietly, connect

PROMPTS = """
[greeting]
[[greeting.variants]]
id = "business"
text = "您好！欢迎来到公积金中心，请问您办理什么业务？"
"""
BAD_PROMPTS = """
[greeting]
[[greeting.variants]]
id = "business"
text = "您好！××请问您办理什么业务？"
"""
CATALOG = """
[[business]]
key = "withdraw_rent"
name = "租房提取"
documents = ["身份证", "租房合同"]
"""


class Center:
    """A fresh database in the session's cluster with a publisher and a counter."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.name = "p_" + secrets.token_hex(6)
        cluster.psql(f"CREATE DATABASE {self.name}")
        self.admin = connect(cluster.url(db=self.name))
        schema.init(self.admin)
        self.port = urlsplit(cluster.url()).port
        pub = schema.add_member(self.admin, "pub_" + secrets.token_hex(3), schema.PUBLISHERS)
        self.publisher_role = pub.role
        self.publisher_url = self.url(pub.role, pub.password)
        counter = schema.add_counter(self.admin, "PJ-03", "PJ", "ca_" + secrets.token_hex(4))
        self.counter_url = self.url(counter.role, counter.password)

    def url(self, role: str, password: str) -> str:
        return f"postgresql://{role}:{password}@127.0.0.1:{self.port}/{self.name}"

    def publish(self, *args: str) -> int:
        return main(["publish", "--url", self.publisher_url, "--center-id", "PJ", *args])

    def rows(self, sql: str, **params):
        return self.admin.run(sql, **params)

    def close(self) -> None:
        close_quietly(self.admin)
        self.cluster.psql(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


@pytest.fixture
def center(pg_cluster):
    c = Center(pg_cluster)
    yield c
    c.close()


@pytest.fixture
def texts(tmp_path):
    def write(name: str, body: str) -> str:
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        return str(path)

    return write


def test_schema_step_two_is_idempotent(center):
    assert schema.init(center.admin) == (schema.SCHEMA_VERSION, schema.SCHEMA_VERSION)
    assert schema.SCHEMA_VERSION >= 2


def test_publish_list_and_carry_over(center, texts, capsys):
    assert center.publish("--prompts", texts("prompts.toml", PROMPTS)) == 0
    out = capsys.readouterr().out
    assert "published version 1 for center PJ" in out
    assert center.publish("--catalog", texts("business.toml", CATALOG)) == 0
    out = capsys.readouterr().out
    assert "published version 2" in out and "carried over from version 1: prompts" in out

    files = content_server.version_files(center.admin, "PJ", 2)
    assert set(files) == {"prompts", "catalog"} and files["prompts"].body == PROMPTS
    assert center.rows("SELECT kind, since FROM ca.content_file WHERE version = 2 "
                       "ORDER BY kind") == [["catalog", 2], ["prompts", 1]]  # fmt: skip
    who = center.rows("SELECT DISTINCT published_by, os_user FROM ca.content_version")
    assert who == [[center.publisher_role, who[0][1]]]
    assert who[0][1].startswith(getpass.getuser() + "@")

    assert center.publish("--list") == 0
    listing = capsys.readouterr().out
    assert "current: 2" in listing
    assert "*    2" in listing and center.publisher_role in listing
    assert "prompts=" in listing and "(from 1)" in listing
    assert listing.count("published ") == 2  # the history

    # the same file again: nothing new
    assert center.publish("--prompts", texts("prompts.toml", PROMPTS)) == 0
    assert "nothing published" in capsys.readouterr().out
    assert content_server.current_version(center.admin, "PJ") == 2


def test_an_invalid_publish_is_refused_with_file_line_and_key_and_changes_nothing(
    center, texts, capsys
):
    assert center.publish("--prompts", texts("prompts.toml", PROMPTS)) == 0
    capsys.readouterr()
    before = center.rows("SELECT count(*) FROM ca.content_file")
    bad = texts("bad-prompts.toml", BAD_PROMPTS)
    good = texts("business.toml", CATALOG)
    assert center.publish("--prompts", bad, "--catalog", good) == 1
    err = capsys.readouterr().err
    assert "nothing published" in err
    assert f"{bad}:5 [greeting.variants[0].text]: contains '××'" in err
    assert center.rows("SELECT count(*) FROM ca.content_file") == before
    assert content_server.current_version(center.admin, "PJ") == 1


def test_rollback_is_a_new_event_and_keeps_history(center, texts, capsys):
    center.publish("--prompts", texts("p1.toml", PROMPTS))
    center.publish("--prompts", texts("p2.toml", PROMPTS.replace("欢迎来到", "欢迎光临")))
    assert content_server.current_version(center.admin, "PJ") == 2
    capsys.readouterr()
    assert center.publish("--rollback", "1") == 0
    assert "version 1 is current again" in capsys.readouterr().out
    assert content_server.current_version(center.admin, "PJ") == 1
    assert center.rows("SELECT version, action FROM ca.content_event ORDER BY id") == [
        [1, "publish"], [2, "publish"], [1, "rollback"]
    ]  # fmt: skip
    assert center.rows("SELECT count(*) FROM ca.content_version") == [[2]]
    # a publish after the rollback is based on version 1, numbered 3
    center.publish("--catalog", texts("business.toml", CATALOG))
    files = content_server.version_files(center.admin, "PJ", 3)
    assert "欢迎来到" in files["prompts"].body
    assert center.publish("--rollback", "3") == 2
    assert "already the current one" in capsys.readouterr().err
    assert center.publish("--rollback", "9") == 2
    assert "no content version 9" in capsys.readouterr().err


def test_check_validates_without_a_server(texts, capsys):
    assert main(["publish", "--check", "--prompts", texts("p.toml", PROMPTS)]) == 0
    assert "can be published" in capsys.readouterr().out
    assert main(["publish", "--check", "--center", texts("c.toml", '[counter]\nid = "X"\n')]) == 1
    assert "c.toml:2 [counter.id]: a per-counter setting" in capsys.readouterr().err


def _refused(url: str, sql: str, **params) -> ServerError:
    con = connect(url)
    try:
        with pytest.raises(Exception) as err:
            con.run(sql, **params)
        return classify(err.value)
    finally:
        close_quietly(con)


def test_who_may_do_what(center, texts):
    center.publish("--prompts", texts("p.toml", PROMPTS))
    # publishers add, never change or delete, and sign as themselves
    for sql in (
        "UPDATE ca.content_file SET body = 'x'",
        "DELETE FROM ca.content_event",
        "INSERT INTO ca.content_version (center_id, version, published_by) "
        "VALUES ('PJ', 99, 'someone_else')",
        "SELECT count(*) FROM ca.usage_event",
    ):
        assert _refused(center.publisher_url, sql).cause == "permission", sql
    # a counter reads its own center's content and writes none
    con = connect(center.counter_url)
    try:
        assert content_server.current_version(con, "PJ") == 1
        assert content_server.version_files(con, "PJ", 1)["prompts"].body == PROMPTS
    finally:
        close_quietly(con)
    center.admin.run("INSERT INTO ca.content_version (center_id, version) VALUES ('DL', 1)")
    center.admin.run(
        "INSERT INTO ca.content_event (center_id, version, action) VALUES ('DL', 1, 'publish')"
    )
    con = connect(center.counter_url)
    try:
        assert content_server.current_version(con, "DL") == 0  # another center: invisible
    finally:
        close_quietly(con)
    assert (
        _refused(center.counter_url, "INSERT INTO ca.content_event (center_id, version, action) "
                 "VALUES ('PJ', 1, 'rollback')").cause == "permission"
    )  # fmt: skip


def test_publish_refuses_a_server_without_content_tables(pg_cluster, texts, capsys):
    name = "old_" + secrets.token_hex(4)
    pg_cluster.psql(f"CREATE DATABASE {name}")
    try:
        admin = connect(pg_cluster.url(db=name))
        try:
            admin.run("BEGIN")  # a server initialised by the release before content
            schema.ensure_groups(admin)
            admin.run("CREATE SCHEMA ca")
            admin.run(
                "CREATE TABLE ca.schema_version (version integer PRIMARY KEY, "
                "applied_at timestamptz NOT NULL DEFAULT now(), app_version text NOT NULL)"
            )
            for statement in schema._statements(schema.STEPS[1]):
                admin.run(statement)
            admin.run("INSERT INTO ca.schema_version VALUES (1, now(), 'old')")
            admin.run("COMMIT")
        finally:
            close_quietly(admin)
        code = main(["publish", "--url", pg_cluster.url(db=name), "--prompts",
                     texts("p.toml", PROMPTS)])  # fmt: skip
        assert code == 2 and "server init" in capsys.readouterr().err
    finally:
        pg_cluster.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_an_export_from_the_server_uses_the_published_calendar(center, texts, tmp_path, capsys):
    from datetime import datetime

    from counter_assistant.core.clock import FakeClock
    from counter_assistant.core.records import checklist_entry

    calendar = '[2026]\nholidays = [{ name = "元旦", from = 2026-01-01, to = 2026-01-03 }]\n'
    facts = texts("center.toml", '[center]\nworkdays = ["mon"]\n')
    assert center.publish("--calendar", texts("calendar.toml", calendar), "--center", facts) == 0
    con = connect(center.counter_url)
    try:  # preparations on a holiday (Fri 2 Jan) and a Friday, as the counter sends them
        for day in (2, 9):
            clock = FakeClock(datetime(2026, 1, day, 8, 10).astimezone())
            entry = checklist_entry(clock, "prep", "PJ-03", "0312", ["a"])
            con.run(
                "INSERT INTO ca.checklist_record (id, center_id, counter_id, kind, local_date, "
                "ts_utc, ts_local, utc_offset, staff_id) VALUES (CAST(:id AS uuid), 'PJ', "
                "'PJ-03', 'prep', CAST(:d AS date), CAST(:t AS timestamptz), "
                "CAST(:l AS timestamp), :o, '0312')",
                id=entry.uuid, d=entry.local_date, t=entry.ts_utc, l=entry.ts_local,
                o=entry.utc_offset,
            )  # fmt: skip
    finally:
        close_quietly(con)
    sup = schema.add_member(center.admin, "sup_" + secrets.token_hex(3), schema.SUPERVISORS)
    out = tmp_path / "compliance.csv"
    capsys.readouterr()
    code = main(["export", "--report", "compliance", "--format", "csv", "--lang", "en",
                 "--from", "2026-01-01", "--to", "2026-01-12", "--out", str(out),
                 "--url", center.url(sup.role, sup.password), "--center", "PJ"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    rows = {line[:10]: line for line in out.read_text("utf-8-sig").splitlines()[1:]}
    # the published calendar and working weekdays (Mondays only), not the local ones
    # (Monday to Friday, no holidays): 2 Jan a holiday, 6-8 Jan not working days at all
    assert "holiday" in rows["2026-01-02"]
    assert "working day" in rows["2026-01-05"]
    assert "2026-01-06" not in rows and "2026-01-08" not in rows
    assert "working day" not in rows["2026-01-09"]
