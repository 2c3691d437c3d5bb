"""bundle_mb: the PyInstaller one-folder bundle on disk, as `du -sm` counts it."""

from __future__ import annotations

from pathlib import Path

from benchmarks.common import ROOT, Row, Run, Target

TARGETS = [Target("bundle_mb", 100.0, "MiB", "PyInstaller one-folder bundle on disk")]
BUNDLE = ROOT / "dist" / "counter-assistant"


def disk_mib(path: Path) -> float:
    """Allocated size of a tree in MiB, as `du -sm` counts it (hard links once)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for item in [path, *path.rglob("*")]:
        st = item.lstat()
        if (st.st_dev, st.st_ino) not in seen:
            seen.add((st.st_dev, st.st_ino))
            total += st.st_blocks * 512
    return total / 2**20


def measure(run: Run) -> list[Row]:
    if not BUNDLE.is_dir():
        return [Row(TARGETS[0], None, note="not built (no dist/counter-assistant)")]
    return [Row(TARGETS[0], disk_mib(BUNDLE), note=str(BUNDLE.relative_to(ROOT)))]
