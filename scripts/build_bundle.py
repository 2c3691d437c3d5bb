"""Build the one-folder bundle with build.spec, check it, and run its self-check.

    python scripts/build_bundle.py            # build + check
    python scripts/build_bundle.py --no-build # check an existing dist/counter-assistant

Exit status is non-zero when the build, a content check, --version or self-check fails.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "counter-assistant"
IS_WIN = sys.platform == "win32"

# Must never be in the bundle (checked on the result, not trusted to `excludes`).
FORBIDDEN = [
    r"(lib)?qt6(qml|quick|designer|webengine|3d|multimedia|pdf|charts|virtualkeyboard|"
    r"test|sql|help|uitools|wayland|opengl|labs|lottie|svg)",
    r"py(side6/qt)(qml|quick|webengine|3d|multimedia|pdf|designer|uitools|help|test|sql|svg|dbus)",
    r"/plugins/(qmltooling|sqldrivers|designer|egldeviceintegrations|wayland|tls|iconengines|"
    r"xcbglintegrations)",
    r"/plugins/platforms/(lib)?qminimal\.",
    r"/plugins/platformthemes/(lib)?qxdgdesktopportal",
    r"/plugins/imageformats/(lib)?q(ico|svg)\.",
    r"/qml/",
    r"tkinter|libtk\d|libtcl\d|tcl/|tk/",
    r"opengl32sw\.dll|d3dcompiler",
    r"/translations/(?![a-z]+_(zh_cn|zh_tw|en)\.qm$)",
    r"/(pytest|_pytest|pytestqt|setuptools|pip)/",
    r"(^|/)libcups\.so",  # the system's, so it matches the system's print service
    *([] if IS_WIN else [r"libqt6network|pyside6/qtnetwork"]),  # Windows' lock only
]
# Python modules that must not be in the archive (checked in the build's PYZ table of contents).
FORBIDDEN_MODULES = [
    "unittest", "asyncio", "multiprocessing", "keyboard._keyboard_tests",
    "keyboard._mouse_tests", "PySide6.QtSvg", "PySide6.QtDBus", "tkinter",
    *([] if IS_WIN else ["PySide6.QtNetwork"]),
]  # fmt: skip
# Must be there.
REQUIRED = [
    "counter_assistant/resources/prompts/zh-Hans.toml",
    "counter_assistant/resources/business_catalog.toml",
    "counter_assistant/resources/notice/notice.html",
    "PySide6/plugins/platforms/qwindows.dll"
    if IS_WIN
    else "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/plugins/platforms/qoffscreen.dll"
    if IS_WIN
    else "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    # printing the one-time notice: Qt's print support, its binding and the system's
    # printers (CUPS on Linux through the system's libcups2)
    "PySide6/Qt6PrintSupport.dll" if IS_WIN else "PySide6/Qt/lib/libQt6PrintSupport.so.6",
    "PySide6/QtPrintSupport.pyd" if IS_WIN else "PySide6/QtPrintSupport.abi3.so",
    "PySide6/plugins/printsupport/windowsprintersupport.dll"
    if IS_WIN
    else "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so",
]
# Python modules that must be in the archive: the center server's driver (imported on
# first use only, so a missing one would show only once a counter syncs).
REQUIRED_MODULES = ["pg8000", "pg8000.native", "scramp"]
MAX_BYTES = 100 * 2**20  # one folder of at most 100 MiB on disk


def human(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


def build() -> None:
    cmd = [sys.executable, "-m", "PyInstaller", "--clean", "--noconfirm", "build.spec"]
    print("$", " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True)


def files_of(bundle: Path) -> list[tuple[int, str]]:
    out = []
    for path in bundle.rglob("*"):
        if path.is_file() and not path.is_symlink():
            out.append((path.stat().st_size, path.relative_to(bundle).as_posix()))
    return sorted(out, reverse=True)


def check_contents(bundle: Path, files: list[tuple[int, str]]) -> list[str]:
    rels = ["/" + rel for _, rel in files]
    forbidden = re.compile("|".join(f"(?:{p})" for p in FORBIDDEN), re.IGNORECASE)
    problems = [f"should not be in the bundle: {r[1:]}" for r in rels if forbidden.search(r)]
    internal = bundle / "_internal"
    for rel in REQUIRED:
        if not (internal / rel).is_file():
            problems.append(f"missing from the bundle: _internal/{rel}")
    return problems


def archive_modules(exe: Path) -> set[str] | None:
    """Module names in the executable's PYZ archive (None where PyInstaller cannot read it)."""
    try:
        from PyInstaller.archive.readers import CArchiveReader

        return set(CArchiveReader(str(exe)).open_embedded_archive("PYZ.pyz").toc)
    except Exception as exc:  # another layout or version: the file checks still ran
        print(f"note: cannot read the module archive of {exe.name}: {exc}")
        return None


def check_modules(modules: set[str]) -> list[str]:
    bad = [m for m in sorted(modules) if any(m == f or m.startswith(f + ".") for f in
                                             FORBIDDEN_MODULES)]  # fmt: skip
    missing = [m for m in REQUIRED_MODULES if m not in modules]
    return [f"module should not be in the bundle: {m}" for m in bad] + [
        f"module missing from the bundle: {m}" for m in missing
    ]


def tar_gz(bundle: Path) -> Path:
    target = bundle.parent / f"{NAME}-{sys.platform}.tar.gz"
    with tarfile.open(target, "w:gz", compresslevel=9) as tar:
        tar.add(bundle, arcname=NAME)
    return target


def run_bundle(exe: Path, *args: str) -> tuple[int, float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("COUNTER_ASSISTANT_CONFIG", None)
    print("$", exe.name, *args, flush=True)
    start = time.perf_counter()
    proc = subprocess.run([str(exe), *args], env=env, timeout=120)
    return proc.returncode, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-build", action="store_true", help="check an existing bundle")
    args = ap.parse_args(argv)

    started = time.perf_counter()
    if not args.no_build:
        try:
            build()
        except subprocess.CalledProcessError as exc:
            print(f"pyinstaller failed ({exc.returncode})", file=sys.stderr)
            return 1
    bundle = ROOT / "dist" / NAME
    if not bundle.is_dir():
        print(f"no bundle at {bundle}", file=sys.stderr)
        return 1
    build_s = time.perf_counter() - started

    files = files_of(bundle)
    total = sum(size for size, _ in files)
    archive = tar_gz(bundle)
    print(f"\nbundle {bundle}: {len(files)} files, {human(total)} on disk")
    print(f"compressed: {archive.name} {human(archive.stat().st_size)}")
    print("largest files:")
    for size, rel in files[:15]:
        print(f"  {human(size):>10}  {rel}")

    problems = check_contents(bundle, files)
    if total > MAX_BYTES:  # the brief's limit, counted as `du -sm` would within a block or so
        problems.append(f"the bundle is {human(total)}, over {human(MAX_BYTES)}")
    icu = [(size, rel) for size, rel in files if "libicudata" in rel]
    if icu and icu[0][0] > 2**20 and os.environ.get("CA_KEEP_ICU_DATA") != "1":
        problems.append(f"ICU data should be the stub (build.spec): {icu[0][1]} {human(icu[0][0])}")
    # A windowed .exe has no console: on Windows the checks use the -cli twin.
    exe = bundle / (f"{NAME}-cli.exe" if IS_WIN else NAME)
    modules = archive_modules(exe)
    if modules is not None:
        problems += check_modules(modules)
    rc, _ = run_bundle(exe, "--version")
    if rc:
        problems.append(f"--version exited {rc}")
    with tempfile.TemporaryDirectory() as data:
        rc, seconds = run_bundle(exe, "self-check", "--data-dir", data)
    if rc:
        problems.append(f"self-check exited {rc}")
    else:
        print(f"self-check took {seconds:.2f} s")
    print(f"build + checks: {time.perf_counter() - started:.0f} s (build {build_s:.0f} s)")
    for p in problems:
        print(f"FAIL: {p}", file=sys.stderr)
    print("bundle FAILED" if problems else "bundle OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
