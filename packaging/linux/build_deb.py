"""Build a .deb from the one-folder bundle dist/counter-assistant.

    python packaging/linux/build_deb.py [--bundle dist/counter-assistant] [--out dist]

Layout: /opt/counter-assistant (the bundle), /usr/bin/counter-assistant (a wrapper),
launchers in /usr/share/applications, /etc/xdg/autostart/counter-assistant.desktop and
/etc/counter-assistant/config.toml (both conffiles: dpkg keeps IT's edits on upgrade).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "counter-assistant"
PREFIX = "/opt/counter-assistant"
EXE = f"{PREFIX}/counter-assistant"
CONFIG = "/etc/counter-assistant/config.toml"
AUTOSTART = "/etc/xdg/autostart/counter-assistant.desktop"
DEPENDS = [
    "libxkbcommon-x11-0",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-render-util0",
    "libxcb-image0",
    "libxcb-randr0",
    "libxcb-shape0",
    "libxcb-xinerama0",
    "libxcb-xkb1",
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "libdbus-1-3",
    "libcups2",  # printing the one-time notice (Qt's CUPS print support)
]
FALLBACK_CONFIG = """\
# Counter Assistant machine-wide configuration (TOML, UTF-8).
# Every key is optional; see `counter-assistant check-config` and the example config
# shipped in /opt/counter-assistant/_internal/counter_assistant/resources/.
#
# [counter]
# id = "PJ-03"        # unique per PC
# window = "3"
# department = "归集科"
"""


def version() -> str:
    text = (ROOT / "counter_assistant" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'__version__\s*=\s*"([^"]+)"', text)
    if not match:
        raise SystemExit("no __version__ in counter_assistant/__init__.py")
    return match.group(1)


def desktop(name: str, name_en: str, args: str, comment: str, extra: str = "") -> str:
    exec_line = "/usr/bin/counter-assistant" + (f" {args}" if args else "")
    return (
        "[Desktop Entry]\nType=Application\n"
        f"Name={name}\nName[en]={name_en}\nComment={comment}\n"
        f"Exec={exec_line}\nIcon=counter-assistant\nTerminal=false\n"
        f"Categories=Office;\n{extra}"
    )


def write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)


def normalise_modes(root: Path) -> None:
    """Directories 0755, files 0644, executables 0755 (umask must not leak in)."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        else:
            path.chmod(0o755 if path.stat().st_mode & 0o111 else 0o644)


def stage(bundle: Path, root: Path) -> None:
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
    write(
        root / AUTOSTART.lstrip("/"),
        desktop(
            "窗口服务助手",
            "Counter Assistant",
            "",
            "窗口服务用语提示",
            "NoDisplay=true\nX-GNOME-Autostart-enabled=true\n",
        ),
    )
    example = ROOT / "resources" / "config.example.toml"
    config = example.read_text(encoding="utf-8") if example.is_file() else FALLBACK_CONFIG
    write(root / CONFIG.lstrip("/"), config)
    for icon in sorted((ROOT / "resources" / "icons").glob("counter-assistant.*")):
        sub = {".svg": "scalable", ".png": "256x256"}.get(icon.suffix)
        if sub:
            dest = root / f"usr/share/icons/hicolor/{sub}/apps/{icon.name}"
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(icon, dest)


def control(root: Path, ver: str, arch: str) -> None:
    files = [p for p in root.rglob("*") if p.is_file() and not p.is_symlink()]
    size_kb = sum(p.stat().st_size for p in files) // 1024
    debian = root / "DEBIAN"
    write(
        debian / "control",
        f"Package: {PACKAGE}\nVersion: {ver}\nArchitecture: {arch}\n"
        "Maintainer: Counter Assistant IT <it@localhost>\n"
        f"Installed-Size: {size_kb}\nDepends: {', '.join(DEPENDS)}\n"
        "Section: misc\nPriority: optional\n"
        "Description: window service prompts for housing provident fund counters\n"
        " 窗口服务助手: the standard's service phrases on a hotkey, the daily\n"
        " preparation checklist and usage reports. Self-contained (bundled Python/Qt).\n",
    )
    write(debian / "conffiles", f"{CONFIG}\n{AUTOSTART}\n")
    hook = (
        "#!/bin/sh\nset -e\n"
        "if command -v update-desktop-database >/dev/null 2>&1; then\n"
        "    update-desktop-database -q /usr/share/applications || true\nfi\n"
    )
    write(debian / "postinst", hook, 0o755)
    write(debian / "postrm", hook, 0o755)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bundle", type=Path, default=ROOT / "dist" / "counter-assistant")
    ap.add_argument("--out", type=Path, default=ROOT / "dist")
    args = ap.parse_args(argv)
    if not (args.bundle / "counter-assistant").is_file():
        print(f"no bundle at {args.bundle}: run scripts/build_bundle.py first", file=sys.stderr)
        return 1
    ver = version()
    arch = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()
    root = ROOT / "build" / "deb" / "root"
    shutil.rmtree(root.parent, ignore_errors=True)
    stage(args.bundle, root)
    normalise_modes(root)
    control(root, ver, arch)
    args.out.mkdir(parents=True, exist_ok=True)
    deb = args.out / f"{PACKAGE}_{ver}_{arch}.deb"
    subprocess.run(["dpkg-deb", "--build", "--root-owner-group", str(root), str(deb)], check=True)
    print(f"{deb} ({deb.stat().st_size / 2**20:.1f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
