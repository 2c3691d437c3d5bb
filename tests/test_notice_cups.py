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

try:
    from tests.cupsserver import Cups, CupsUnavailable, missing_tools
except ImportError:  # tests/ run as rootdir modules
    from cupsserver import Cups, CupsUnavailable, missing_tools


def _unavailable(reason: str):
    if os.environ.get("CA_REQUIRE_XVFB") == "1":
        pytest.fail(f"{reason} (scripts/test installs cups and printer-driver-cups-pdf)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def cups():
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("the cups-pdf backend runs as root: this test needs root")
    missing = missing_tools()
    if missing:
        _unavailable(f"CUPS or cups-pdf is not installed ({missing})")
    os.environ["PATH"] += os.pathsep + "/usr/sbin"
    # Not under pytest's temp folder: that is private to root, and the filters run as lp.
    base = Path(tempfile.mkdtemp(prefix="ca-cups-"))
    base.chmod(0o755)
    server = Cups(base)
    try:
        try:
            server.start()
        except CupsUnavailable as exc:
            _unavailable(str(exc))
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
