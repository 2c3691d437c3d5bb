"""bundle_mb: size on disk of the PyInstaller one-folder bundle, when it has been built."""

from __future__ import annotations

from benchmarks.common import ROOT, Row, Run, Target

TARGETS = [Target("bundle_mb", 100.0, "MiB", "PyInstaller one-folder bundle on disk")]


def measure(run: Run) -> list[Row]:
    path = ROOT / "dist" / "counter-assistant"
    if not path.is_dir():
        return [Row(TARGETS[0], None, note="not built (no dist/counter-assistant)")]
    total = sum(f.lstat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())
    return [Row(TARGETS[0], total / 2**20, note=str(path.relative_to(ROOT)))]
