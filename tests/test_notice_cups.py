"""Printing through a real CUPS queue: a private scheduler and Debian's cups-pdf printer.

The test starts its own cupsd (root only: cups-pdf's backend runs as root) on a socket in
a temp dir, adds a cups-pdf queue whose output folder is also in the temp dir, prints a
notice with `counter-assistant notice --print`, and compares the page that came out with
the same notice rendered straight to PDF. Skips where cupsd cannot run; under CI
(CA_REQUIRE_XVFB=1, where scripts/test installs cups) it must run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

BACKEND = Path("/usr/lib/cups/backend/cups-pdf")
PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
TOOLS = ("cupsd", "lpadmin", "lpstat", "cupsdisable", "pdftoppm", "pdfinfo")


def _unavailable(reason: str):
    if os.environ.get("CA_REQUIRE_XVFB") == "1":
        pytest.fail(f"{reason} (scripts/test installs cups and printer-driver-cups-pdf)")
    pytest.skip(reason)


class Cups:
    """cupsd in the foreground with everything under one folder; stop() ends it."""

    def __init__(self, base: Path):
        self.base = base
        self.socket = base / "cups.sock"
        self.queue = f"ca-notice-{os.getpid()}"
        self.out = base / "out"
        self.pdf_conf = Path(f"/etc/cups/cups-pdf-{self.queue}.conf")  # read by cups-pdf only
        self.env = {**os.environ, "CUPS_SERVER": str(self.socket)}
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        root = self.base / "etc"
        for name in ("etc", "spool", "cache", "state", "log", "out"):
            (self.base / name).mkdir()
        (self.base / "tmp").mkdir(mode=0o1777)
        (self.base / "tmp").chmod(0o1777)  # filters run as lp
        (root / "cups-files.conf").write_text(
            "SystemGroup root\nUser lp\nGroup lp\n"
            f"ServerRoot {root}\nRequestRoot {self.base / 'spool'}\n"
            f"CacheDir {self.base / 'cache'}\nStateDir {self.base / 'state'}\n"
            f"TempDir {self.base / 'tmp'}\nErrorLog {self.base / 'log/error_log'}\n"
            f"AccessLog {self.base / 'log/access_log'}\nPageLog {self.base / 'log/page_log'}\n"
        )
        (root / "cupsd.conf").write_text(
            f"Listen {self.socket}\nBrowsing No\nWebInterface No\nDefaultAuthType None\n"
            "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
            "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
        )
        self.pdf_conf.write_text(f"Out {self.out}\nLabel 0\n")
        stderr = self.base / "log/stderr"
        files = root / "cups-files.conf"
        with stderr.open("wb") as err:
            self.proc = subprocess.Popen(
                ["cupsd", "-f", "-c", str(root / "cupsd.conf"), "-s", str(files)],
                stdout=subprocess.DEVNULL, stderr=err,
            )  # fmt: skip
        deadline = time.monotonic() + 15
        while not self.ready():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                log = self.base / "log/error_log"
                tail = log.read_text(errors="replace")[-600:] if log.exists() else ""
                err = stderr.read_text(errors="replace")
                self.stop()
                _unavailable(f"cupsd does not start here: {err or tail}")
            time.sleep(0.2)
        self.lp("lpadmin", "-p", self.queue, "-v", f"cups-pdf:/{self.queue}", "-P", str(PPD), "-E")
        self.lp("lpadmin", "-p", "ca-stopped", "-v", f"cups-pdf:/{self.queue}", "-P", str(PPD),
                "-E")  # fmt: skip
        self.lp("cupsdisable", "ca-stopped")

    def ready(self) -> bool:
        if not self.socket.exists():
            return False
        done = subprocess.run(["lpstat", "-r"], env=self.env, capture_output=True, text=True)
        return "is running" in done.stdout

    def lp(self, *args: str) -> str:
        done = subprocess.run(args, env=self.env, capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, f"{args}: {done.stderr}"
        return done.stdout

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.pdf_conf.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def cups():
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("the cups-pdf backend runs as root: this test needs root")
    missing = [t for t in TOOLS if shutil.which(t) is None and not Path("/usr/sbin", t).exists()]
    if missing or not BACKEND.exists() or not PPD.exists():
        _unavailable(f"CUPS or cups-pdf is not installed ({', '.join(missing) or BACKEND})")
    os.environ["PATH"] += os.pathsep + "/usr/sbin"
    # Not under pytest's temp folder: that is private to root, and the filters run as lp.
    base = Path(tempfile.mkdtemp(prefix="ca-cups-"))
    base.chmod(0o755)
    server = Cups(base)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


def notice(cups: Cups, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    config = tmp_path / "config.toml"
    config.write_text(
        '[center]\nname = "盘锦市住房公积金管理中心"\naddress = "兴隆台区市府大路 1 号"\n'
        '[counter]\nid = "PJ-03"\nwindow = "3"\ndepartment = "归集科"\n',
        encoding="utf-8",
    )
    env = {**cups.env, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "counter_assistant", "notice", "--config", str(config),
         "--data-dir", str(tmp_path / "data"), "--business", "loan",
         "--missing", "户口簿", "婚姻证明", "--staff", "0312", "--date", "2026-11-28", *args],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def gray(pdf: Path, stem: Path) -> tuple[int, int, bytes]:
    """The first page as 8-bit gray pixels at 40 dpi (pdftoppm's PGM)."""
    subprocess.run(["pdftoppm", "-gray", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(stem)],
                   check=True, capture_output=True)  # fmt: skip
    data = next(stem.parent.glob(stem.name + "*.pgm")).read_bytes()
    magic, width, height, _max, rest = data.split(maxsplit=4)
    assert magic == b"P5"
    w, h = int(width), int(height)
    return w, h, rest[-w * h :]


def difference(a: tuple[int, int, bytes], b: tuple[int, int, bytes], shift: int = 2) -> float:
    """Mean gray difference (0-1), the best over small shifts (printer margins move ink)."""
    (w, h, pa), (w2, h2, pb) = a, b
    assert (w, h) == (w2, h2), "the pages differ in size"
    best = 1.0
    for dy in range(-shift, shift + 1):
        for dx in range(-shift, shift + 1):
            total = 0
            for y in range(shift, h - shift):
                row_a = pa[y * w + shift : y * w + w - shift]
                start = (y + dy) * w + shift + dx
                row_b = pb[start : start + len(row_a)]
                total += sum(abs(p - q) for p, q in zip(row_a, row_b, strict=True))
            best = min(best, total / ((h - 2 * shift) * (w - 2 * shift) * 255))
    return best


def test_a_notice_printed_through_cups_comes_out_as_the_notice(cups, tmp_path):
    done = notice(cups, tmp_path, "--print", "--printer", cups.queue, "--paper", "A5")
    assert done.returncode == 0, done.stderr
    assert f"sent to printer {cups.queue}" in done.stdout
    deadline = time.monotonic() + 90
    while not list(cups.out.glob("*.pdf")) and time.monotonic() < deadline:
        time.sleep(0.5)
    printed = list(cups.out.glob("*.pdf"))
    assert printed, "cups-pdf wrote nothing: " + (cups.base / "log/error_log").read_text()[-800:]
    meta = subprocess.run(["pdfinfo", str(printed[0])], capture_output=True, text=True).stdout
    assert "A5" in meta and "Pages:           1" in meta, meta
    # The job carried the notice's title: cups-pdf names the file after it, byte by byte in
    # octal (一次 is e4 b8 80 e6 ac a1).
    assert printed[0].name.startswith("344_270_200_346_254_241"), printed[0].name
    completed = cups.lp("lpstat", "-W", "completed", "-o", cups.queue)
    assert completed.count(cups.queue) == 1
    # The printed page looks like this notice, not like another one.
    same = tmp_path / "same.pdf"
    assert notice(cups, tmp_path, "--pdf", str(same), "--paper", "A5").returncode == 0
    other = tmp_path / "other.pdf"
    done = subprocess.run(
        [sys.executable, "-m", "counter_assistant", "notice", "--data-dir", str(tmp_path / "d"),
         "--business", "withdraw_rent", "--missing", "租房合同", "--paper", "A5",
         "--pdf", str(other)],
        env={**cups.env, "QT_QPA_PLATFORM": "offscreen"}, capture_output=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0
    page = gray(printed[0], tmp_path / "printed")
    near = difference(page, gray(same, tmp_path / "same"))
    far = difference(page, gray(other, tmp_path / "other"))
    assert near < 0.6 * far, (near, far)


def test_a_stopped_printer_is_named(cups, tmp_path):
    done = notice(cups, tmp_path, "--print", "--printer", "ca-stopped")
    assert done.returncode == 2
    assert "打印机“ca-stopped”已停止或出错" in done.stderr
    done = notice(cups, tmp_path, "--print", "--printer", "no-such-queue")
    assert done.returncode == 2 and "未找到打印机“no-such-queue”" in done.stderr
