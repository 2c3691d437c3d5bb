"""Sync against a real PostgreSQL on loopback: the outbox reaches the server exactly once.

One throwaway cluster per test session (conftest.pg_cluster); each test gets its own
database in it. Without PostgreSQL these tests skip, and fail in CI (CA_REQUIRE_POSTGRES).
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
import threading
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest

from counter_assistant.core.clock import FakeClock
from counter_assistant.core.records import checklist_entry, new_record, staff_change
from counter_assistant.storage.db import open_database
from counter_assistant.storage.recorder import Recorder
from counter_assistant.sync import schema
from counter_assistant.sync.connection import ServerError, close_quietly, connect, read_password
from counter_assistant.sync.sender import SyncService
from counter_assistant.sync.status import CounterSnapshot

try:
    from tests.pgcluster import wait_until
except ImportError:
    from pgcluster import wait_until

CENTER = "PJ"


class Server:
    """One fresh database in the session's cluster, initialised."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.name = "t_" + secrets.token_hex(6)
        cluster.psql(f"CREATE DATABASE {self.name}")
        self.admin_url = cluster.url(db=self.name)
        self.admin = connect(self.admin_url)
        schema.init(self.admin)

    def counter_url(self, counter_id: str, center: str = CENTER) -> tuple[str, str]:
        account = schema.add_counter(self.admin, counter_id, center)
        return self.role_url(account.role), account.password

    def role_url(self, role: str) -> str:
        port = urlsplit(self.admin_url).port
        return f"postgresql://{role}@127.0.0.1:{port}/{self.name}"

    def count(self, table: str = "usage_event", **where) -> int:
        cond = " AND ".join(f"{k} = :{k}" for k in where) or "true"
        return self.admin.run(f"SELECT count(*) FROM ca.{table} WHERE {cond}", **where)[0][0]

    def close(self) -> None:
        close_quietly(self.admin)
        self.cluster.psql(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


@pytest.fixture
def server(pg_cluster):
    s = Server(pg_cluster)
    yield s
    s.close()


def make_counter_db(tmp_path, counter_id, events=0, day=datetime(2026, 11, 2, 8, 0), days=1):
    """A counter's own database with events spread over days, a preparation and a
    change of staff each day, written by the real recorder."""
    path = tmp_path / f"{counter_id}.sqlite3"
    open_database(path, counter_id).close()
    recorder = Recorder(path, tmp_path / f"{counter_id}.pending.jsonl", counter_id)
    recorder.start()
    clock = FakeClock(day.astimezone())
    for d in range(days):
        clock.set(day.astimezone() + timedelta(days=d))
        recorder.record(checklist_entry(clock, "prep", counter_id, "0312", ["a", "b"], d % 2 == 1))
        recorder.record(staff_change(clock, counter_id, "0312"))
        for i in range(events):
            clock.advance(seconds=7)
            recorder.record(
                new_record(
                    clock,
                    counter_id=counter_id,
                    staff_id="0312" if i % 3 else "0415",
                    situation=("greeting", "documents", "farewell")[i % 3],
                    variant="ask",
                    business="提取\t公积金\\" if i % 5 == 0 else "",
                )
            )
    assert recorder.flush(10)
    recorder.close()
    return path


def unsent(path) -> int:
    con = sqlite3.connect(path)
    try:
        return sum(
            con.execute(f"SELECT count(*) FROM {t} WHERE synced = 0").fetchone()[0]
            for t in ("usage_event", "checklist_record", "staff_shift")
        )
    finally:
        con.close()


_made: list[SyncService] = []


@pytest.fixture(autouse=True)
def _close_senders():
    yield
    while _made:
        s = _made.pop()
        s.stop()
        s.close()


def sender(url, password, path, counter_id, **kw) -> SyncService:
    s = SyncService(url, path, counter_id, CENTER, password=lambda: password, **kw)
    s.backoff_first, s.backoff_max = 0.1, 0.5
    _made.append(s)
    return s


def test_init_is_idempotent_and_versioned(server):
    assert schema.init(server.admin) == (schema.SCHEMA_VERSION, schema.SCHEMA_VERSION)
    versions = server.admin.run("SELECT version FROM ca.schema_version ORDER BY version")
    assert [v[0] for v in versions] == list(range(1, schema.SCHEMA_VERSION + 1))
    indexes = {r[0] for r in server.admin.run("SELECT indexname FROM pg_indexes "
                                              "WHERE schemaname = 'ca'")}  # fmt: skip
    assert {"usage_event_day", "checklist_record_day", "staff_shift_day"} <= indexes


def test_everything_arrives_once_with_exact_values(server, tmp_path):
    url, password = server.counter_url("PJ-03")
    path = make_counter_db(tmp_path, "PJ-03", events=1200)
    s = sender(url, password, path, "PJ-03", batch_rows=500)
    assert s.round() == 1202
    assert unsent(path) == 0
    assert server.count(counter_id="PJ-03", center_id=CENTER) == 1200
    local = sqlite3.connect(path)
    row = local.execute("SELECT uuid, business, ts_utc, ts_local, utc_offset FROM usage_event "
                        "WHERE business != '' LIMIT 1").fetchone()  # fmt: skip
    back = server.admin.run(
        "SELECT business, ts_utc, ts_local, utc_offset FROM ca.usage_event WHERE id = :i",
        i=row[0],
    )[0]
    assert back[0] == row[1] == "提取\t公积金\\"
    assert back[1] == datetime.fromisoformat(row[2])
    assert back[2] == datetime.fromisoformat(row[3]) and back[3] == row[4]
    assert s.round() == 0  # nothing left: nothing sent again


def test_records_made_while_the_server_is_stopped_arrive_once_it_starts(
    server, pg_cluster, tmp_path
):
    url, password = server.counter_url("PJ-03")
    path = make_counter_db(tmp_path, "PJ-03", events=10)
    states = []
    s = sender(url, password, path, "PJ-03", on_state=states.append, poll_seconds=0.2)
    close_quietly(server.admin)
    pg_cluster.stop()
    try:
        s.start()
        assert wait_until(lambda: s.state.state == "failing", 15)
        assert s.state.cause == "refused" and s.state.waiting == 12
        assert s.state.word == "未同步 12 条"
        make_counter_db(tmp_path, "PJ-03", events=3)  # the same database, while it is down
        assert wait_until(lambda: s.state.waiting == 17, 15)
    finally:
        pg_cluster.start()
    server.admin = connect(server.admin_url)
    assert wait_until(lambda: s.state.state == "ok" and s.state.waiting == 0, 30)
    s.stop()
    assert server.count() == 13 and server.count("checklist_record") == 2
    assert unsent(path) == 0
    assert [st.state for st in states][:1] == ["failing"]


@pytest.mark.parametrize("stage", ["before_commit", "after_commit"])
def test_a_connection_dropped_mid_batch_loses_and_duplicates_nothing(server, tmp_path, stage):
    url, password = server.counter_url("PJ-03")
    path = make_counter_db(tmp_path, "PJ-03", events=1000)
    s = sender(url, password, path, "PJ-03", batch_rows=300)
    calls = {"n": 0}

    def drop(at, con):
        if at != stage:
            return
        calls["n"] += 1
        if calls["n"] == 2:  # the second batch: the first is already committed and marked
            pid = con.run("SELECT pg_backend_pid()")[0][0]
            server.admin.run("SELECT pg_terminate_backend(:p)", p=pid)
            if stage == "after_commit":
                raise ConnectionError("the counter PC lost power here")

    s.failpoint = drop
    with pytest.raises(ServerError):
        s.round()
    assert server.count() == (300 if stage == "before_commit" else 600)
    assert unsent(path) == 1002 - 300
    s.failpoint = None
    s.round()  # sends the rest; the committed-but-unmarked batch again
    assert unsent(path) == 0
    assert server.count() == 1000
    dupes = server.admin.run("SELECT count(*) - count(DISTINCT id) FROM ca.usage_event")[0][0]
    assert dupes == 0


def test_two_counters_sync_at_once(server, tmp_path):
    paths, senders = {}, []
    for counter in ("PJ-01", "PJ-02"):
        url, password = server.counter_url(counter)
        paths[counter] = make_counter_db(tmp_path / counter, counter, events=3000)
        senders.append(sender(url, password, paths[counter], counter, batch_rows=700))
    barrier = threading.Barrier(2)
    errors = []

    def run(s):
        barrier.wait()
        try:
            s.round()
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in senders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    for counter, path in paths.items():
        assert server.count(counter_id=counter) == 3000
        assert unsent(path) == 0


def test_a_counter_can_write_only_its_own_and_read_nothing_else(server, tmp_path):
    url1, pw1 = server.counter_url("PJ-01")
    url2, pw2 = server.counter_url("PJ-02")
    path2 = make_counter_db(tmp_path, "PJ-02", events=3)
    sender(url2, pw2, path2, "PJ-02").round()
    s2 = sender(url2, pw2, path2, "PJ-02")
    s2.push_snapshot(CounterSnapshot(app_version="x", staff_id="0415"))
    s2.round()

    # PJ-01's password, PJ-02's database: nothing gets in under PJ-01's name
    path_other = make_counter_db(tmp_path / "other", "PJ-02", events=2)
    s = sender(url1, pw1, path_other, "PJ-02")
    with pytest.raises(ServerError) as caught:
        s.round()
    assert caught.value.cause == "permission"
    assert server.count(counter_id="PJ-02") == 3

    con = connect(url1, pw1)
    try:
        insert = (
            "INSERT INTO ca.staff_shift (id, center_id, counter_id, local_date, ts_utc, staff_id) "
            "VALUES (gen_random_uuid(), :c, :k, CURRENT_DATE, now(), 'x')"
        )
        for center, counter in ((CENTER, "PJ-02"), ("XX", "PJ-01")):
            with pytest.raises(Exception, match="row-level security"):
                con.run(insert, c=center, k=counter)
        con.run(insert, c=CENTER, k="PJ-01")  # its own: allowed
        with pytest.raises(Exception, match="permission denied"):
            con.run("SELECT * FROM ca.usage_event")
        assert con.run("SELECT count(*) FROM ca.usage_event") == [[0]]  # sees no other's row
        assert con.run("SELECT counter_id FROM ca.counter_status") == []
        con.run("UPDATE ca.counter_status SET staff_id = 'evil'")  # matches no row it may see
        with pytest.raises(Exception, match="row-level security"):
            con.run("INSERT INTO ca.counter_status (center_id, counter_id) VALUES (:c, 'PJ-02')",
                    c=CENTER)  # fmt: skip
        with pytest.raises(Exception, match="permission denied"):
            con.run("DELETE FROM ca.usage_event")
    finally:
        close_quietly(con)
    assert server.admin.run("SELECT staff_id FROM ca.counter_status")[0][0] == "0415"

    sup = schema.add_member(server.admin, "sup_test", schema.SUPERVISORS)
    con = connect(server.role_url("sup_test"), sup.password)
    try:
        assert con.run("SELECT count(*) FROM ca.usage_event")[0][0] == 3
        with pytest.raises(Exception, match="permission denied"):
            con.run("DELETE FROM ca.usage_event")
        with pytest.raises(Exception, match="permission denied"):
            con.run(insert, c=CENTER, k="PJ-02")
    finally:
        close_quietly(con)


def test_a_wrong_password_gives_a_clear_state_logged_once(server, tmp_path, caplog):
    url, _password = server.counter_url("PJ-03")
    path = make_counter_db(tmp_path, "PJ-03", events=4)
    states = []
    s = sender(url, "wrong", path, "PJ-03", on_state=states.append)
    with caplog.at_level(logging.WARNING, logger="counter_assistant.sync"):
        for _ in range(3):
            assert s._round_safely() > 0
    assert s.state.state == "failing" and s.state.cause == "authentication"
    assert s.state.waiting == 6 and "密码" in s.state.tooltip
    assert "wrong" not in caplog.text
    assert caplog.text.count("refused the login") == 1
    assert unsent(path) == 6


def test_status_row_says_what_the_counter_is_doing(server, tmp_path):
    url, password = server.counter_url("PJ-03")
    path = make_counter_db(tmp_path, "PJ-03", events=7, day=datetime.now() - timedelta(minutes=5))
    s = sender(url, password, path, "PJ-03")
    today = datetime.now().date().isoformat()
    s.push_snapshot(CounterSnapshot(app_version="9.9", local_date=today, staff_id="0312",
                                    prepared_at=f"{today}T08:12:00", prep_late=True,
                                    hotkeys_armed=14, hotkeys_total=15,
                                    hotkey_backend="x11"))  # fmt: skip
    s.round()
    row = server.admin.run(
        "SELECT app_version, staff_id, prepared_at, prep_late, prompts_today, records_waiting, "
        "hotkeys_armed, hotkey_backend, last_seen > now() - interval '1 minute' "
        "FROM ca.counter_status WHERE counter_id = 'PJ-03'"
    )[0]
    assert row[:2] == ["9.9", "0312"] and row[2].hour == 8 and row[3] is True
    assert row[4] == 7 and row[5] == 0 and row[6] == 14 and row[7] == "x11" and row[8]


def test_prune_deletes_only_old_records_the_server_holds(server, tmp_path):
    url, password = server.counter_url("PJ-03")
    path = make_counter_db(tmp_path, "PJ-03", events=3, day=datetime(2024, 1, 2, 9), days=2)
    s = sender(url, password, path, "PJ-03", keep_days=30)
    con = sqlite3.connect(path)
    con.execute("UPDATE usage_event SET synced = 1 WHERE local_date = '2024-01-02'")
    con.commit()
    assert s.outbox.prune(datetime(2026, 1, 1).date(), 30) == 3
    assert con.execute("SELECT count(*) FROM usage_event").fetchone()[0] == 3  # unsent kept
    s.round()  # sends the rest, then prunes by itself (keep_days=30 before today)
    for table in ("usage_event", "checklist_record", "staff_shift"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
    assert server.count() == 3  # the 3 pruned first were marked by hand, never sent
    assert server.count("checklist_record") == 2
    con.close()


@pytest.mark.parametrize("report", ["events", "daily", "checklists", "compliance"])
def test_export_from_the_server_equals_the_merge_of_the_counters_databases(
    server, tmp_path, report, monkeypatch
):
    from counter_assistant.cli import main

    paths = []
    for i, counter in enumerate(("PJ-01", "PJ-02", "PJ-09")):
        url, password = server.counter_url(counter)
        events = (40, 25, 0)[i]
        path = make_counter_db(tmp_path / counter, counter, events=events, days=3 if events else 0)
        if events:
            sender(url, password, path, counter).round()
        paths.append(path)
    sup = schema.add_member(server.admin, "sup_export", schema.SUPERVISORS)
    url = server.role_url("sup_export")
    config = tmp_path / "config.toml"
    config.write_text(f'[center]\nid = "{CENTER}"\n', encoding="utf-8")
    monkeypatch.setenv("COUNTER_ASSISTANT_SYNC_PASSWORD", sup.password)
    common = ["--config", str(config), "--data-dir", str(tmp_path / "own"), "export",
              "--from", "2026-11-01", "--to", "2026-11-05", "--report", report]  # fmt: skip
    from_files = tmp_path / "files.csv"
    from_server = tmp_path / "server.csv"
    dbs = [arg for p in paths for arg in ("--db", str(p))]
    assert main([*common, "--out", str(from_files), *dbs]) == 0
    assert main([*common, "--out", str(from_server), "--url", url]) == 0
    rows = from_files.read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) > 3
    assert from_server.read_text(encoding="utf-8-sig").splitlines() == rows

    one = tmp_path / "one.csv"
    assert main([*common, "--out", str(one), "--url", url, "--counter", "PJ-02"]) == 0
    one_files = tmp_path / "one-files.csv"
    assert main([*common, "--out", str(one_files), "--db", str(paths[1])]) == 0
    assert one.read_text(encoding="utf-8-sig") == one_files.read_text(encoding="utf-8-sig")


def test_export_from_a_server_that_refuses_says_why(server, tmp_path, capsys):
    from counter_assistant.cli import main

    url = server.role_url("nobody")
    out = tmp_path / "x.csv"
    code = main(
        [
            "--data-dir",
            str(tmp_path / "own"),
            "export",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-02",
            "--out",
            str(out),
            "--url",
            url + "?connect_timeout=3",
        ]
    )
    assert code == 2 and not out.exists()
    assert "读取服务器失败" in capsys.readouterr().err


def test_fetched_databases_hold_exactly_the_counters_rows(server, tmp_path):
    from datetime import date

    from counter_assistant.sync.fetch import fetch_range

    url, password = server.counter_url("PJ-05")
    path = make_counter_db(tmp_path, "PJ-05", events=30, days=2)
    local = sqlite3.connect(path)
    local.execute("UPDATE usage_event SET ts_local = '', utc_offset = NULL WHERE rowid = 3")
    local.commit()  # a record from before schema 2: no wall time
    sender(url, password, path, "PJ-05").round()
    [copy] = fetch_range(server.admin, tmp_path / "fetched", date(2026, 11, 1),
                         date(2026, 11, 30), CENTER)  # fmt: skip
    fetched = sqlite3.connect(copy)
    for table in ("usage_event", "checklist_record", "staff_shift"):
        cols = [r[1] for r in local.execute(f"PRAGMA table_info({table})") if r[1] != "synced"]
        sql = f"SELECT {', '.join(cols)} FROM {table} ORDER BY rowid"
        assert fetched.execute(sql).fetchall() == local.execute(sql).fetchall(), table
    assert fetched.execute("SELECT value FROM meta WHERE key = 'counter_id'").fetchone() == (
        "PJ-05",
    )
    local.close()
    fetched.close()


def test_server_commands_and_self_check(server, tmp_path, capsys, monkeypatch):
    from counter_assistant.cli import main

    own = ["--data-dir", str(tmp_path / "own")]
    assert main([*own, "server", "init", "--url", server.admin_url]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main([*own, "server", "add-counter", "PJ-07", "--center", CENTER,
                 "--url", server.admin_url]) == 0  # fmt: skip
    out = capsys.readouterr().out
    password = out.split("password: ")[1].split()[0]
    url = out.split('url = "')[1].split('"')[0]
    assert url == server.role_url("ca_pj_pj-07")

    secret = tmp_path / "sync-password.txt"
    secret.write_text(password + "\n")
    secret.chmod(0o644)
    config = tmp_path / "c.toml"
    config.write_text(f'[center]\nid = "{CENTER}"\n[counter]\nid = "PJ-07"\n'
                      f'[sync]\nurl = "{url}"\npassword_file = "{secret}"\n')  # fmt: skip
    assert main(["--config", str(config), *own, "self-check"]) == 0
    assert "accepts this counter's records" in capsys.readouterr().out
    config.write_text(config.read_text().replace('id = "PJ-07"', 'id = "PJ-08"'))
    assert main(["--config", str(config), *own, "self-check"]) == 0  # a warning only
    err = capsys.readouterr().err
    assert "bound to counter 'PJ-07'" in err and password not in err

    assert main(["--config", str(config), *own, "check-config"]) in (0, 1)
    shown = capsys.readouterr()
    assert password not in shown.out + shown.err
    assert "can be read by other accounts" in shown.err

    warnings = []
    assert read_password(str(secret), warn=warnings.append) == password
    assert "can be read by other accounts" in warnings[0]
    secret.chmod(0o600)
    assert read_password(str(secret), warn=warnings.append) == password and len(warnings) == 1
