"""Frozen start and bundle size only: `scripts/bench.py --only frozen_start_ratio,bundle_mb`.

    python scripts/bench_frozen.py [--json]

frozen_start_ratio (scripts/benchmarks/frozen_start.py): the bundle's start against a bare
PySide6 window frozen the same way (built once, ~30 s). bundle_mb
(scripts/benchmarks/bundle.py): the bundle on disk as `du -sm` counts it. Build the bundle
first: scripts/build_bundle.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench

if __name__ == "__main__":
    sys.exit(bench.main(["--only", "frozen_start_ratio,bundle_mb", *sys.argv[1:]]))
