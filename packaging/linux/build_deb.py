"""Build a .deb from the one-folder bundle dist/counter-assistant.

    python packaging/linux/build_deb.py --maintainer "IT <it@center.example>"
        [--bundle dist/counter-assistant] [--out dist] [--version 0.1.0+2]

The maintainer comes from --maintainer, else $DEB_MAINTAINER, else "$DEBFULLNAME <$DEBEMAIL>".

Layout: /opt/counter-assistant (the bundle), /usr/bin/counter-assistant (a wrapper),
launchers in /usr/share/applications, the autostart entry in /usr/share/counter-assistant
with a symlink to it in /etc/xdg/autostart (removed with the package, never a conffile),
the example config and drop-ins in /usr/share/doc/counter-assistant. The package owns no
file in /etc/counter-assistant: IT's config.toml and config.d/*.toml are IT's alone.
Depends are computed by dpkg-shlibdeps from the bundle (it carries no library that Debian
provides; see build.spec).
"""

from __future__ import annotations

import argparse
import email.utils
import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PACKAGE = "counter-assistant"
PREFIX = "/opt/counter-assistant"
EXE = f"{PREFIX}/counter-assistant"
CONFIG = "/etc/counter-assistant/config.toml"  # IT's file: never shipped, never a conffile
CONFIG_D = "/etc/counter-assistant/config.d"
AUTOSTART = "/etc/xdg/autostart/counter-assistant.desktop"  # a symlink to AUTOSTART_FILE
AUTOSTART_FILE = "/usr/share/counter-assistant/autostart/counter-assistant.desktop"
DOC = "/usr/share/doc/counter-assistant"
# Used when dpkg-shlibdeps is not there (no dpkg-dev): what the bundle and Qt's xcb need.
DEPENDS = [
    "libc6 (>= 2.36)",
    "libstdc++6 (>= 11)",
    "libgcc-s1",
    "zlib1g",
    "libssl3",
    "libsqlite3-0",
    "libffi8",
    "liblzma5",
    "libbz2-1.0",
    "libuuid1",
    "libglib2.0-0",
    "libdbus-1-3",
    "libfontconfig1",
    "libfreetype6",
    "libx11-6",
    "libx11-xcb1",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
    "libxcb1",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-render-util0",
    "libxcb-image0",
    "libxcb-randr0",
    "libxcb-shape0",
    "libxcb-shm0",
    "libxcb-sync1",
    "libxcb-xfixes0",
    "libxcb-xinerama0",
    "libxcb-xkb1",
    "libegl1",
    "libgl1",
    "libcups2",  # printing the one-time notice (Qt's CUPS print support)
]
# Always, whatever dpkg-shlibdeps finds: printing (the one-time notice) goes through CUPS,
# and Qt's xcb platform loads xinerama at run time.
ALWAYS = ["libcups2", "libxcb-xinerama0"]


def version() -> str:
    text = (ROOT / "counter_assistant" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'__version__\s*=\s*"([^"]+)"', text)
    if not match:
        raise SystemExit("no __version__ in counter_assistant/__init__.py")
    return match.group(1)


def maintainer(given: str | None, env: dict[str, str] | None = None) -> str:
    """Who answers for this package: set at build time by the IT department building it."""
    env = os.environ if env is None else env
    value = given or env.get("DEB_MAINTAINER", "")
    if not value and env.get("DEBFULLNAME") and env.get("DEBEMAIL"):
        value = f"{env['DEBFULLNAME']} <{env['DEBEMAIL']}>"
    if not re.fullmatch(r"[^<>\n]+ <[^<>@\s]+@[^<>@\s]+>", value or ""):
        raise SystemExit(
            "set the package maintainer: --maintainer 'Name <mail@example.org>' "
            "(or DEB_MAINTAINER, or DEBFULLNAME and DEBEMAIL)"
            + (f"; {value!r} is not 'Name <address>'" if value else "")
        )
    return value


def desktop(name: str, name_en: str, args: str, comment: str, extra: str = "") -> str:
    exec_line = "/usr/bin/counter-assistant" + (f" {args}" if args else "")
    return (
        "[Desktop Entry]\nType=Application\n"
        f"Name={name}\nName[en]={name_en}\nComment={comment}\n"
        f"Exec={exec_line}\nIcon=counter-assistant\nTerminal=false\n"
        f"Categories=Office;\n{extra}"
    )


def write(path: Path, text: str | bytes, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    path.chmod(mode)


def normalise_modes(root: Path) -> None:
    """Directories 0755, files 0644, programs 0755 (umask must not leak in; shared
    libraries and Python extension modules are loaded, not run: 0644)."""
    library = re.compile(r"\.so(\.[\d.]+)?$")
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        else:
            program = path.stat().st_mode & 0o111 and not library.search(path.name)
            path.chmod(0o755 if program else 0o644)


def changelog(ver: str, who: str, when: float) -> bytes:
    """/usr/share/doc/counter-assistant/changelog.gz in Debian's format (a native package)."""
    text = (
        f"{PACKAGE} ({ver}) stable; urgency=medium\n\n"
        f"  * Counter Assistant {ver}. What changed is in CHANGELOG.md of the source.\n\n"
        f" -- {who}  {email.utils.formatdate(when, usegmt=False)}\n"
    )
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=int(when))


def stage(bundle: Path, root: Path, ver: str = "0", who: str = "", when: float = 0.0) -> None:
    shutil.copytree(bundle, root / PREFIX.lstrip("/"), symlinks=True)
    write(root / "usr/bin/counter-assistant", f'#!/bin/sh\nexec {EXE} "$@"\n', 0o755)
    apps = root / "usr/share/applications"
    write(
        apps / "counter-assistant.desktop",
        desktop("窗口服务助手", "Counter Assistant", "", "窗口服务用语提示"),
    )
    write(
        apps / "counter-assistant-supervisor.desktop",
        desktop("窗口服务助手 统计报表", "Counter Assistant reports", "supervisor", "统计报表导出"),
    )
    # TryExec: even a copy left behind by hand is inert once the program is gone.
    write(
        root / AUTOSTART_FILE.lstrip("/"),
        desktop(
            "窗口服务助手",
            "Counter Assistant",
            "",
            "窗口服务用语提示",
            f"TryExec={EXE}\nNoDisplay=true\nX-GNOME-Autostart-enabled=true\n",
        ),
    )
    # The directories IT fills (owned, so that dpkg removes them once empty; no file in them).
    (root / CONFIG_D.lstrip("/")).mkdir(parents=True)
    link = root / AUTOSTART.lstrip("/")
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(AUTOSTART_FILE)  # absolute: it crosses top-level directories
    doc = root / DOC.lstrip("/")
    write(doc / "config.example.toml", (ROOT / "resources/config.example.toml").read_bytes())
    for example in sorted((HERE / "config.d").glob("*.toml")):
        write(doc / "examples" / "config.d" / example.name, example.read_bytes())
    write(doc / "copyright", (HERE / "copyright").read_bytes())
    write(doc / "changelog.gz", changelog(ver, who, when))
    write(
        root / "usr/share/lintian/overrides" / PACKAGE,
        (HERE / "lintian-overrides").read_bytes(),
    )
    for icon in sorted((ROOT / "resources" / "icons").glob("counter-assistant.*")):
        sub = {".svg": "scalable", ".png": "256x256"}.get(icon.suffix)
        if sub:
            dest = root / f"usr/share/icons/hicolor/{sub}/apps/{icon.name}"
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(icon, dest)


def libc_floor() -> str | None:
    """The build machine's glibc (a bundle needs at least the one it was built with)."""
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libc6"],
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.match(r"(\d+\.\d+)", out)
    return match.group(1) if match else None


def shlib_depends(bundle_root: Path) -> list[str] | None:
    """dpkg-shlibdeps over every ELF file of the staged bundle; None without dpkg-dev."""
    if shutil.which("dpkg-shlibdeps") is None:
        return None
    elves = []
    for path in sorted(bundle_root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as fh:
                if fh.read(4) == b"\x7fELF":
                    elves.append(str(path))
    lib_dirs = sorted({str(Path(p).parent) for p in elves})
    work = bundle_root.parents[1] / "shlibdeps"
    (work / "debian").mkdir(parents=True, exist_ok=True)
    (work / "debian" / "control").write_text(
        f"Source: {PACKAGE}\n\nPackage: {PACKAGE}\nArchitecture: any\n", encoding="utf-8"
    )
    cmd = ["dpkg-shlibdeps", "-O", "--ignore-missing-info", *(f"-l{d}" for d in lib_dirs), *elves]
    proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True)
    shutil.rmtree(work, ignore_errors=True)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("shlibs:Depends=")), None)
    if proc.returncode or line is None:
        print(f"dpkg-shlibdeps failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
        return None
    return [d.strip() for d in line.split("=", 1)[1].split(",") if d.strip()]


def merge_depends(found: list[str] | None, floor: str | None) -> list[str]:
    deps = list(DEPENDS if found is None else found)
    names = {d.split()[0] for d in deps}
    deps += [d for d in ALWAYS if d not in names]
    if floor:
        deps = [d for d in deps if d.split()[0] != "libc6"] + [f"libc6 (>= {floor})"]
    return sorted(deps)


def control(root: Path, ver: str, arch: str, who: str, depends: list[str]) -> None:
    files = [p for p in root.rglob("*") if p.is_file() and not p.is_symlink()]
    size_kb = sum(p.stat().st_size for p in files) // 1024
    debian = root / "DEBIAN"
    write(
        debian / "control",
        f"Package: {PACKAGE}\nVersion: {ver}\nArchitecture: {arch}\n"
        f"Maintainer: {who}\n"
        f"Installed-Size: {size_kb}\nDepends: {', '.join(depends)}\n"
        "Section: misc\nPriority: optional\n"
        "Description: window service prompts for housing provident fund counters\n"
        " 窗口服务助手: the standard's service phrases on a hotkey, the daily\n"
        " preparation checklist and usage reports. Self-contained (bundled Python/Qt).\n",
    )
    sums = []
    for path in sorted(files):
        rel = path.relative_to(root).as_posix()
        sums.append(f"{hashlib.md5(path.read_bytes()).hexdigest()}  {rel}\n")
    write(debian / "md5sums", "".join(sums))
    for script in ("preinst", "postinst", "prerm", "postrm"):
        write(debian / script, (HERE / "maintscripts" / script).read_text(encoding="utf-8"), 0o755)


def build_time() -> float:
    """SOURCE_DATE_EPOCH, else the last commit's time, else now (for the changelog date)."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return float(os.environ["SOURCE_DATE_EPOCH"])
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
        return float(out.strip())
    except (OSError, subprocess.CalledProcessError, ValueError):
        return time.time()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bundle", type=Path, default=ROOT / "dist" / "counter-assistant")
    ap.add_argument("--out", type=Path, default=ROOT / "dist")
    ap.add_argument("--maintainer", help="'Name <address>' of who answers for the package")
    ap.add_argument("--version", dest="ver", help="package version (default: the app's)")
    args = ap.parse_args(argv)
    if not (args.bundle / "counter-assistant").is_file():
        print(f"no bundle at {args.bundle}: run scripts/build_bundle.py first", file=sys.stderr)
        return 1
    who = maintainer(args.maintainer)
    ver = args.ver or version()
    arch = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()
    root = ROOT / "build" / "deb" / "root"
    shutil.rmtree(root.parent, ignore_errors=True)
    stage(args.bundle, root, ver, who, build_time())
    normalise_modes(root)
    found = shlib_depends(root / PREFIX.lstrip("/"))
    if found is None:
        print("note: dpkg-shlibdeps unavailable (apt-get install dpkg-dev); using a fixed list")
    control(root, ver, arch, who, merge_depends(found, libc_floor()))
    args.out.mkdir(parents=True, exist_ok=True)
    deb = args.out / f"{PACKAGE}_{ver}_{arch}.deb"
    subprocess.run(["dpkg-deb", "--build", "--root-owner-group", str(root), str(deb)], check=True)
    print(f"{deb} ({deb.stat().st_size / 2**20:.1f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
