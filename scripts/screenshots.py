"""The README's screenshots: what a clerk sees, on a private X server with openbox.

    .venv/bin/python scripts/screenshots.py            # writes docs/screenshots/*.png

For each screen (1024x768 at 150 %, 1600x900 at 100 %) it starts Xvfb and openbox, a
stand-in business system filling the screen, and scripts/window_tour.py, which opens
every window a clerk sees with the longest realistic sentence filled in.
Needs Xvfb, openbox and ImageMagick's `import` (scripts/test installs them as root).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCREENS = (("1024x768", "1.5", "1024x768-150"), ("1600x900", "1", "1600x900-100"))
KEEP = ("prompt", "checklist-waiting", "fields", "picker")  # the ones the README shows


def display_for(number: int, size: str) -> subprocess.Popen:
    server = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(1.0)
    return server


def shoot(size: str, scale: str, name: str, out: Path, number: int = 91) -> None:
    env = {**os.environ, "DISPLAY": f":{number}", "QT_SCALE_FACTOR": scale}
    env.pop("QT_QPA_PLATFORM", None)
    server = display_for(number, size)
    procs = [server]
    try:
        wm = ["openbox", "--sm-disable"]
        procs.append(subprocess.Popen(wm, env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))  # fmt: skip
        time.sleep(1.0)
        width, height = size.split("x")
        with tempfile.TemporaryDirectory() as tmp:
            procs.append(subprocess.Popen(
                [sys.executable, str(ROOT / "tests" / "standin.py"), str(Path(tmp) / "keys"),
                 "业务系统", f"{width}x{int(height) - 24}+0+0"],
                env=env, stdout=subprocess.DEVNULL,
            ))  # fmt: skip
            time.sleep(0.5)
            shots = Path(tmp) / "shots"
            subprocess.run(
                [sys.executable, str(ROOT / "scripts" / "window_tour.py"), "--shots", str(shots),
                 "--name", name],
                env=env, check=True, timeout=120,
            )  # fmt: skip
            for kept in KEEP:
                source = shots / f"{kept}-{name}.png"
                target = out / source.name
                target.write_bytes(source.read_bytes())
                print(target)
    finally:
        for proc in reversed(procs):
            proc.terminate()
            proc.wait(timeout=10)


def main() -> int:
    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    for size, scale, name in SCREENS:
        shoot(size, scale, name, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
