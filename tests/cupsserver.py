"""A private CUPS scheduler with Debian's cups-pdf printer, for tests and the ICU audit.

Why: printing the one-time notice must be tried through a real print queue (the bundle's
CUPS plugin, the system's libcups, a PPD), never on a real printer. cupsd runs in the
foreground with everything under one folder, on a socket there (CUPS_SERVER); root only
(cups-pdf's backend runs as root).

API:
    Cups(base).start()     raises CupsUnavailable when cupsd cannot run here
    .env                   the environment with CUPS_SERVER set; .queue, a cups-pdf queue;
                           "ca-stopped", a disabled one; .out, where cups-pdf writes
    .lp(*cmd), .stop()
    missing_tools() -> str     what is not installed ("" when all is)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

BACKEND = Path("/usr/lib/cups/backend/cups-pdf")
PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
TOOLS = ("cupsd", "lpadmin", "lpstat", "cupsdisable", "pdftoppm", "pdfinfo")


class CupsUnavailable(RuntimeError):
    """cupsd does not run here; str() says why."""


def missing_tools() -> str:
    missing = [t for t in TOOLS if shutil.which(t) is None and not Path("/usr/sbin", t).exists()]
    if missing or not BACKEND.exists() or not PPD.exists():
        return ", ".join(missing) or str(BACKEND if not BACKEND.exists() else PPD)
    return ""


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
                raise CupsUnavailable(f"cupsd does not start here: {err or tail}")
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
