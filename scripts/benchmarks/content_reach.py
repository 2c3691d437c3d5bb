"""content_reach_ratio: the center publishes a new wording; how soon a running counter
shows it, against the poll interval the counter is configured with.

A throwaway PostgreSQL cluster on loopback; the real app in a child process on the
bench's X display, prepared for today and idle, with ``[sync] poll_seconds = 5``. Each
run publishes a new prompt text (as a publisher would, one transaction) and times until
the counter's log says the version is in force (fetched, checked again, cached and
swapped in on the GUI thread; an idle counter re-renders the prompt on screen). The
value is the slowest run over the poll interval: a publish just after a poll waits one
whole interval, so the slowest is the interval plus the time to fetch and apply (target:
under 1.1). ``content_apply_ms``: from the sender's thread handing the version on
(fetched, checked, cached) to it being in force on the GUI thread (swapped in), median.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import threading
import time

from benchmarks.common import ROOT, Row, Run, Target, log

TARGETS = [
    Target(
        "content_reach_ratio",
        1.1,
        "s",
        "publish to the new text on an idle counter, slowest run vs [sync] poll_seconds",
    ),
    Target("content_apply_ms", None, "ms", "a checked version handed on to in force"),
]
POLL = 5
COUNTER, CENTER = "BENCH-01", "BENCH"


class Watch:
    """perf_counter() of each 'center content version N in force' line on the child's
    stderr (its --debug console log), read on a thread."""

    def __init__(self, proc: subprocess.Popen):
        self.seen: dict[int, float] = {}
        self.fetched: dict[int, float] = {}
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen) -> None:
        for raw in proc.stderr:
            line = raw.decode("utf-8", "replace")
            now = time.perf_counter()
            for marker, into in ((" in force (was ", self.seen), (" fetched (was ", self.fetched)):
                if "center content version " in line and marker in line:
                    number = line.split("center content version ", 1)[1].split()[0]
                    into[int(number)] = now

    def wait(self, version: int, timeout: float) -> float:
        deadline = time.monotonic() + timeout
        while version not in self.seen:
            if time.monotonic() > deadline:
                raise RuntimeError(f"content version {version} did not reach the counter")
            time.sleep(0.005)
        return self.seen[version]


def measure(run: Run) -> list[Row]:
    sys.path.insert(0, str(ROOT / "tests"))
    from pgcluster import PgCluster, postgres_available

    if not postgres_available():
        note = "PostgreSQL not installed (apt-get install postgresql)"
        return [Row(t, None, note=note) for t in TARGETS]
    from counter_assistant.core.content import File
    from counter_assistant.sync import content_server, schema
    from counter_assistant.sync.connection import close_quietly, connect

    runs = max(3, run.sizes.get("latency_runs", 3) * 2)
    data = run.work / "content-data"
    shutil.copytree(run.shared["template"], data)
    with PgCluster() as cluster:
        admin = connect(cluster.admin_url)
        schema.init(admin)
        account = schema.add_counter(admin, COUNTER, CENTER)
        config = run.work / "content-config.toml"
        url = cluster.url(account.role, "x").replace(":x@", "@")
        config.write_text(
            f'[center]\nid = "{CENTER}"\n[counter]\nid = "{COUNTER}"\nwindow = "3"\n'
            f'[app]\nhotkey_backend = "x11"\n[sync]\nurl = "{url}"\npoll_seconds = {POLL}\n',
            encoding="utf-8",
        )
        env = {**run.env, "COUNTER_ASSISTANT_SYNC_PASSWORD": account.password}
        proc = subprocess.Popen(
            [sys.executable, "-m", "counter_assistant", "--config", str(config),
             "--data-dir", str(data), "--debug"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        watch = Watch(proc)
        reach: list[float] = []
        try:
            time.sleep(2 * POLL)  # started, connected, a round or two done
            for i in range(1, runs + 1):
                text = f"您好！请问您办理什么业务？（第 {i} 版）"
                body = f'[greeting]\n[[greeting.variants]]\nid = "business"\ntext = "{text}"\n'
                time.sleep((i * 0.37) % 1.0)  # land at different points of the poll cycle
                t0 = time.perf_counter()
                content_server.publish(admin, CENTER, {"prompts": File("prompts", "p.toml", body)})
                reach.append(watch.wait(i, 3 * POLL) - t0)
            apply = [watch.seen[v] - watch.fetched[v] for v in watch.seen if v in watch.fetched]
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
            close_quietly(admin)
            shutil.rmtree(data, ignore_errors=True)
    log(f"content reach: {', '.join(f'{x:.2f}' for x in reach)} s (poll {POLL} s)")
    note = (f"{runs} publishes: median {statistics.median(reach):.2f} s, slowest "
            f"{max(reach):.2f} s; poll_seconds = {POLL}")  # fmt: skip
    return [
        Row(TARGETS[0], max(reach) / POLL, baseline=POLL, app_value=max(reach), note=note),
        Row(
            TARGETS[1],
            statistics.median(apply) * 1000 if apply else None,
            note="sender's thread hands it on to in force on the GUI thread, median",
        ),
    ]
