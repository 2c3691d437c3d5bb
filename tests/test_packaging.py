"""Cheap packaging checks: the spec, the .deb builder, the .iss and CI agree (nothing is built)."""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
import subprocess
import sys
import types
from pathlib import Path, PureWindowsPath

import pytest

import counter_assistant
from counter_assistant.cli import build_parser
from counter_assistant.core import config as config_mod
from counter_assistant.platform import autostart

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build.spec"
ISS = ROOT / "packaging" / "windows" / "counter-assistant.iss"


def load(path: Path, name: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def spec_ns():
    """Run build.spec with PyInstaller's build steps stubbed out."""
    hooks = pytest.importorskip("PyInstaller.utils.hooks")
    calls = {}

    def recorder(kind):
        def record(*args, **kwargs):
            calls.setdefault(kind, []).append((args, kwargs))
            return types.SimpleNamespace(
                binaries=[], datas=list(kwargs.get("datas", [])), pure=[], scripts=[]
            )

        return record

    ns = {"SPECPATH": str(ROOT), "__file__": str(SPEC)}
    ns.update({k: recorder(k) for k in ("Analysis", "PYZ", "EXE", "COLLECT")})
    real = hooks.collect_submodules
    hooks.collect_submodules = lambda pkg, **kw: [pkg, f"{pkg}.cli", f"{pkg}.resources"]
    try:
        exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), ns)
    finally:
        hooks.collect_submodules = real
    ns["calls"] = calls
    return ns


def test_spec_is_one_folder_windowed_without_upx(spec_ns):
    calls = spec_ns["calls"]
    assert len(calls["COLLECT"]) == 1
    exe_kwargs = calls["EXE"][0][1]
    assert exe_kwargs["name"] == "counter-assistant"
    assert exe_kwargs["exclude_binaries"] is True  # one-folder, not one-file
    assert exe_kwargs["console"] is False and exe_kwargs["upx"] is False
    assert calls["COLLECT"][0][1]["upx"] is False
    entry = calls["Analysis"][0][0][0][0]
    assert entry.endswith(str(Path("counter_assistant") / "__main__.py"))


def test_spec_bundles_every_resource(spec_ns):
    datas = {(Path(src).resolve(), dest) for src, dest in calls_datas(spec_ns)}
    wanted = [p for p in (ROOT / "resources").rglob("*") if p.suffix in {".toml", ".png", ".svg"}]
    assert wanted
    for path in wanted:
        rel = path.parent.relative_to(ROOT / "resources").as_posix()
        dest = "counter_assistant/resources" + ("" if rel == "." else f"/{rel}")
        assert (path.resolve(), dest) in datas, path
    assert (ROOT / "resources/__init__.py", "counter_assistant/resources") in datas


def calls_datas(spec_ns):
    return spec_ns["calls"]["Analysis"][0][1]["datas"]


def test_spec_hidden_imports_and_excludes(spec_ns):
    kwargs = spec_ns["calls"]["Analysis"][0][1]
    assert "counter_assistant.cli" in kwargs["hiddenimports"]
    assert "PySide6.QtNetwork" in kwargs["hiddenimports"]  # single instance
    for name in ("tkinter", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtWebEngineCore"):
        assert name in kwargs["excludes"]


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/lib/libQt6Gui.so.6", True),
        ("PySide6/Qt/lib/libQt6Network.so.6", True),
        ("PySide6/Qt/lib/libQt6Svg.so.6", True),
        ("PySide6/Qt/lib/libQt6Quick.so.6", False),
        ("PySide6/Qt/lib/libQt6QmlModels.so.6", False),
        ("PySide6/Qt/lib/libQt6WaylandClient.so.6", False),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so", True),
        ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", False),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", False),
        ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", False),
        ("PySide6/Qt/translations/qtbase_zh_CN.qm", True),
        ("PySide6/Qt/translations/qtbase_zh_TW.qm", True),
        ("PySide6/Qt/translations/qtbase_en.qm", True),
        ("PySide6/Qt/translations/qtbase_de.qm", False),
        ("PySide6\\plugins\\platforms\\qwindows.dll", True),
        ("PySide6\\Qt6Quick.dll", False),
        ("PySide6\\opengl32sw.dll", False),
        ("counter_assistant/resources/prompts/zh-Hans.toml", True),
    ],
)
def test_spec_drop_rules(spec_ns, dest, kept):
    assert spec_ns["keep"]((dest, "src", "BINARY")) is kept


@pytest.fixture(scope="module")
def deb():
    return load(ROOT / "packaging" / "linux" / "build_deb.py", "build_deb")


def test_deb_version_and_paths_match_the_app(deb, monkeypatch):
    assert deb.version() == counter_assistant.__version__
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv(config_mod.MACHINE_DIR_ENV)  # the tests' own redirection
    assert Path(deb.CONFIG) == config_mod.machine_config_path()
    assert deb.AUTOSTART.endswith("/" + autostart.DESKTOP_NAME)
    for lib in ("libxcb-cursor0", "libxkbcommon-x11-0", "libegl1", "libdbus-1-3"):
        assert lib in deb.DEPENDS


def test_deb_staging(deb, tmp_path):
    bundle = tmp_path / "bundle"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "counter-assistant").write_text("#!/bin/sh\n")
    (bundle / "counter-assistant").chmod(0o755)
    root = tmp_path / "root"
    deb.stage(bundle, root)
    deb.normalise_modes(root)
    deb.control(root, "1.2.3", "amd64")
    assert (root / "opt/counter-assistant/counter-assistant").stat().st_mode & 0o111
    wrapper = (root / "usr/bin/counter-assistant").read_text()
    assert "exec /opt/counter-assistant/counter-assistant" in wrapper
    apps = root / "usr/share/applications"
    main_entry = (apps / "counter-assistant.desktop").read_text(encoding="utf-8")
    sup = (apps / "counter-assistant-supervisor.desktop").read_text(encoding="utf-8")
    assert "Exec=/usr/bin/counter-assistant\n" in main_entry
    assert "Name=窗口服务助手 统计报表" in sup
    assert "Exec=/usr/bin/counter-assistant supervisor" in sup
    assert (root / "etc/xdg/autostart" / autostart.DESKTOP_NAME).is_file()
    config = (root / "etc/counter-assistant/config.toml").read_text(encoding="utf-8")
    example = ROOT / "resources" / "config.example.toml"
    if example.is_file():
        assert config == example.read_text(encoding="utf-8")
    conffiles = (root / "DEBIAN/conffiles").read_text().split()
    assert conffiles == [deb.CONFIG, deb.AUTOSTART]
    control = (root / "DEBIAN/control").read_text(encoding="utf-8")
    assert "Package: counter-assistant\nVersion: 1.2.3\nArchitecture: amd64" in control
    assert (root / "DEBIAN/postinst").stat().st_mode & 0o111


def read_iss(path: Path) -> dict:
    """The Inno Setup script as the compiler reads it: #defines expanded, then
    {section: [entry]} where [Setup] entries are key=value and the others are
    "Param: value; ..." lines, and "code" is the [Code] section's text."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Inno Setup needs the UTF-8 BOM for Chinese names"
    defines: dict[str, str] = {}
    sections: dict[str, list] = {}
    current = None
    code: list[str] = []
    for line in raw.decode("utf-8-sig").splitlines():
        stripped = line.strip()
        define = re.match(r'#define\s+(\w+)\s+"(.*)"$', stripped)
        if define:
            defines.setdefault(define.group(1), define.group(2))
            continue
        if stripped.startswith("#"):  # #ifndef, #ifdef, #endif
            continue
        expanded = re.sub(r"\{#(\w+)\}", lambda m: defines[m.group(1)], line)
        header = re.fullmatch(r"\[(\w+)\]", stripped)
        if header:
            current = header.group(1)
            sections.setdefault(current, [])
            continue
        if current == "Code":
            code.append(expanded)
        elif stripped and not stripped.startswith(";") and current is not None:
            if current == "Setup":
                key, _, value = expanded.partition("=")
                sections[current].append((key.strip(), value.strip()))
            else:
                entry = {}
                for part in re.findall(r'(\w+):\s*("[^"]*"|[^;]*)', expanded):
                    entry[part[0]] = part[1].strip().strip('"')
                sections[current].append(entry)
    return {"defines": defines, **{k: v for k, v in sections.items()}, "code": "\n".join(code)}


def pascal_string(expression: str) -> str:
    """A Pascal string expression with every non-literal part (a variable, a call) as VALUE."""
    parts = re.findall(r"'(?:[^']|'')*'|[^+]+", expression)
    return "".join(
        p[1:-1].replace("''", "'") if p.startswith("'") else "VALUE"
        for p in (part.strip() for part in parts)
        if p
    )


def iss_path(text: str) -> Path:
    """A path in the script, relative to the script's folder, as a path on this machine."""
    return (ISS.parent / PureWindowsPath(text).as_posix()).resolve()


def test_iss_installs_what_the_build_makes_where_the_app_looks(spec_ns, monkeypatch):
    iss = read_iss(ISS)
    setup = dict(iss["Setup"])
    assert setup["DefaultDirName"] == r"{autopf}\CounterAssistant"
    assert iss_path(setup["OutputDir"]) == ROOT / "dist"
    app_exe = iss["defines"]["AppExe"]
    assert app_exe == spec_ns["NAME"] + ".exe" and iss["defines"]["CliExe"] == (
        spec_ns["NAME"] + "-cli.exe"
    )

    files = iss["Files"]
    bundle = next(f for f in files if f["Source"].endswith("\\*"))
    assert iss_path(bundle["Source"][:-2]) == ROOT / "dist" / spec_ns["NAME"]  # build_bundle's
    assert "recursesubdirs" in bundle["Flags"]
    # The machine-wide config goes where the app looks for it on Windows.
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.delenv(config_mod.MACHINE_DIR_ENV)  # the tests' own redirection
    monkeypatch.setenv("ProgramData", "{commonappdata}")
    machine = config_mod.machine_config_path()
    configs = [f for f in files if f.get("DestName") == machine.name]
    assert len(configs) == 2 and all(
        PureWindowsPath(f["DestDir"]) == PureWindowsPath(str(machine.parent)) for f in configs
    )
    example, given = configs
    assert iss_path(example["Source"]) == ROOT / "resources" / "config.example.toml"
    assert iss_path(example["Source"]).is_file()
    assert {"onlyifdoesntexist", "uninsneveruninstall"} <= set(example["Flags"].split())
    assert "uninsneveruninstall" in given["Flags"].split()  # IT's config outlives the app

    # Shortcuts start real commands; the Startup one is the one autostart status finds.
    icons = {PureWindowsPath(i["Name"]).name: i for i in iss["Icons"]}
    startup = icons[autostart.STARTUP_LINK.removesuffix(".lnk")]
    assert startup["Name"].startswith("{commonstartup}\\") and startup["Tasks"] == "autostart"
    for icon in iss["Icons"]:
        assert icon["Filename"] == "{app}\\" + app_exe
        build_parser().parse_args(icon.get("Parameters", "").split())  # exits on a bad one
    assert any(i.get("Parameters") == "supervisor" for i in iss["Icons"])

    # After install it runs check-config; on uninstall it removes this user's Run value.
    exe, params = re.search(r"Exec\(ExpandConstant\('([^']*)'\),\s*(.*?),\s*'',", iss["code"],
                            re.S).groups()  # fmt: skip
    assert exe == "{app}\\" + iss["defines"]["CliExe"]
    args = build_parser().parse_args(shlex.split(pascal_string(params)))
    assert args.command == "check-config" and args.config == "VALUE"
    deleted = re.search(r"RegDeleteValue\(HKEY_CURRENT_USER, '([^']*)',\s*'([^']*)'\)", iss["code"])
    assert deleted.groups() == (autostart.RUN_KEY, autostart.RUN_VALUE)


def test_ci_script_parses():
    """What ci_bundle.sh does is checked by running it in CI; here only that it parses."""
    script = ROOT / "scripts" / "ci_bundle.sh"
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    subprocess.run(["bash", "-n", str(script)], check=True)


def test_bundle_checker_flags_unwanted_files():
    bb = load(ROOT / "scripts" / "build_bundle.py", "build_bundle")
    files = [
        (1, "_internal/PySide6/Qt/lib/libQt6Quick.so.6"),
        (1, "_internal/PySide6/Qt/translations/qtbase_de.qm"),
        (1, "_internal/PySide6/Qt/translations/qtbase_zh_CN.qm"),
        (1, "_internal/PySide6/Qt/lib/libQt6Gui.so.6"),
        (1, "_internal/tkinter/__init__.pyc"),
    ]
    problems = bb.check_contents(Path("/nonexistent"), files)
    flagged = " ".join(problems)
    assert "libQt6Quick" in flagged and "qtbase_de" in flagged and "tkinter" in flagged
    assert "qtbase_zh_CN" not in flagged and "libQt6Gui" not in flagged
    assert any("missing from the bundle" in p for p in problems)
