"""What every measurement shares: the X server, child processes, percentiles, result rows."""

from __future__ import annotations

import contextlib
import os
import platform
import select
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BARE = ROOT / "scripts" / "bench_bare_window.py"


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil
    return ordered[int(rank) - 1]


def vm_rss_kb(pid: int | str = "self") -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


@dataclass(frozen=True)
class Target:
    key: str
    limit: float | None  # the value must stay below it; None: reported only
    unit: str
    what: str


@dataclass
class Row:
    """One line of the table: a value, or a ratio with the app's and the baseline's values."""

    target: Target
    value: float | None
    baseline: float | None = None
    app_value: float | None = None
    note: str = ""

    @property
    def passed(self) -> bool | None:
        limit = self.target.limit
        return None if limit is None or self.value is None else bool(self.value < limit)

    def as_json(self) -> dict:
        return {
            "value": self.value,
            "baseline": self.baseline,
            "app_value": self.app_value,
            "target": self.target.limit,
            "pass": self.passed,
            "unit": self.target.unit,
            "what": self.target.what,
            "note": self.note,
        }


@dataclass
class Run:
    """What a measurement gets: sizes, seed, a work dir, the X display and a child env."""

    sizes: dict
    seed: int
    work: Path
    display: str
    env: dict
    shared: dict = field(default_factory=dict)  # results one measurement leaves for another


class Display:
    """$DISPLAY if set, else a private Xvfb that picks its own display number."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.display = os.environ.get("DISPLAY", "")
        self.own = not self.display
        if self.own:
            self._start_xvfb()

    def _start_xvfb(self) -> None:
        if shutil.which("Xvfb") is None:
            raise SystemExit("DISPLAY is unset and Xvfb is not installed: no X server to use")
        read_fd, write_fd = os.pipe()
        try:
            self.proc = subprocess.Popen(
                [
                    "Xvfb",
                    "-displayfd",
                    str(write_fd),
                    "-screen",
                    "0",
                    "1280x800x24",
                    "-nolisten",
                    "tcp",
                    "-noreset",
                ],
                pass_fds=(write_fd,),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        finally:
            os.close(write_fd)
        try:
            data = b""
            deadline = time.monotonic() + 15
            while not data.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise SystemExit("Xvfb did not start")
                if select.select([read_fd], [], [], left)[0]:
                    chunk = os.read(read_fd, 64)
                    if not chunk:
                        raise SystemExit("Xvfb closed -displayfd without a display number")
                    data += chunk
        except BaseException:
            self.stop()
            raise
        finally:
            os.close(read_fd)
        self.display = f":{int(data.strip())}"

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def child_env(display: str, work: Path) -> dict[str, str]:
    """The real xcb platform on our display; private temp, runtime and config dirs."""
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("COUNTER_ASSISTANT_CONFIG", None)
    env["DISPLAY"] = display
    for name in ("TMPDIR", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME"):
        path = work / "env" / name.lower()
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        env[name] = str(path)
    env["COUNTER_ASSISTANT_MACHINE_DIR"] = str(work / "env" / "machine")  # no /etc config
    # Bytecode cached in a private folder, as a deployed bundle has it precompiled; the first
    # (warm-up) start fills it. Compiling every module at each start would time the compiler.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    return env


def wait_lines(proc: subprocess.Popen, wants: tuple[str, ...], timeout: float) -> list[float]:
    """perf_counter() when each line of `wants` arrives on proc's stdout (a raw pipe)."""
    fd = proc.stdout.fileno()
    buf = b""
    seen: dict[str, float] = {}
    deadline = time.monotonic() + timeout
    while len(seen) < len(wants):
        left = deadline - time.monotonic()
        if left <= 0:
            raise RuntimeError(f"no {wants!r} from {proc.args[1:3]} within {timeout:.0f} s")
        if select.select([fd], [], [], left)[0]:
            chunk = os.read(fd, 4096)
            now = time.perf_counter()
            if not chunk:
                raise RuntimeError(f"{proc.args[1:3]} exited ({proc.wait()}) before {wants!r}")
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for line in lines:
                word = line.decode(errors="replace").strip()
                if word in wants and word not in seen:
                    seen[word] = now
    return [seen[w] for w in wants]


def wait_line(proc: subprocess.Popen, want: str, timeout: float) -> float:
    """perf_counter() when `want` arrives on proc's stdout (a raw pipe)."""
    return wait_lines(proc, (want,), timeout)[0]


def time_until_ready(cmd: list[str], env: dict, cwd: Path, timeout: float = 60) -> float:
    """Seconds from spawning cmd to its "ready" line; it must then exit 0."""
    return times_until(cmd, env, cwd, ("ready",), timeout)[0]


def times_until(
    cmd: list[str], env: dict, cwd: Path, wants: tuple[str, ...], timeout: float = 60
) -> list[float]:
    """Seconds from spawning cmd to each line of `wants`; it must then exit 0."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=cwd
    )
    try:
        seen = wait_lines(proc, wants, timeout)
        rc = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    if rc != 0:
        raise RuntimeError(f"{cmd[:3]} exited {rc}")
    return [t - t0 for t in seen]


def machine() -> dict:
    cpu = platform.processor() or "?"
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    import PySide6
    from PySide6.QtCore import qVersion

    cli = subprocess.run(["sqlite3", "--version"], capture_output=True, text=True, check=False)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "pyside6": PySide6.__version__,
        "qt": qVersion(),
        "sqlite3_cli": (cli.stdout.split() or ["?"])[0],
        "sqlite_lib": sqlite3.sqlite_version,
    }
