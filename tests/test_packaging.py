"""Cheap packaging checks: the spec, the .deb builder, the .iss and CI agree (nothing is built)."""

from __future__ import annotations

import importlib.util
import os
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
    # QtNetwork: only Windows' single-instance lock needs it (a Unix socket elsewhere).
    network = "hiddenimports" if sys.platform == "win32" else "excludes"
    assert "PySide6.QtNetwork" in kwargs[network]
    assert "PySide6.QtPrintSupport" in kwargs["hiddenimports"]  # the one-time notice
    for name in ("tkinter", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtWebEngineCore",
                 "PySide6.QtSvg", "PySide6.QtDBus", "multiprocessing", "unittest", "asyncio",
                 "keyboard._keyboard_tests", "keyboard._mouse_tests"):  # fmt: skip
        assert name in kwargs["excludes"]
    assert "PySide6.QtPrintSupport" not in kwargs["excludes"]


@pytest.mark.parametrize(
    ("src", "system"),
    [
        ("/lib/x86_64-linux-gnu/libX11.so.6", True),
        ("/usr/lib/x86_64-linux-gnu/libstdc++.so.6", True),
        ("/root/.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0", False),
        ("/venv/lib/python3.11/site-packages/PySide6/Qt/lib/libQt6Core.so.6", False),
    ],
)
def test_spec_leaves_the_systems_libraries_to_the_package(spec_ns, src, system):
    assert spec_ns["from_the_system"](("lib", src, "BINARY")) is system


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/lib/libQt6Gui.so.6", True),
        ("PySide6/Qt/lib/libQt6Network.so.6", False),
        ("PySide6\\Qt6Network.dll", True),
        ("PySide6/Qt/lib/libQt6Svg.so.6", False),
        ("PySide6/Qt/lib/libQt6PrintSupport.so.6", True),
        ("PySide6/Qt/plugins/printsupport/libcupsprintersupport.so", True),
        ("PySide6/Qt/plugins/platforms/libqminimal.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", False),
        ("PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so", False),
        ("PySide6/Qt/plugins/iconengines/libqsvgicon.so", False),
        ("PySide6/Qt/plugins/imageformats/libqico.so", False),
        ("PySide6/Qt/lib/libQt6Quick.so.6", False),
        ("PySide6/Qt/lib/libQt6QmlModels.so.6", False),
        ("PySide6/Qt/lib/libQt6WaylandClient.so.6", False),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so", True),
        ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", False),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", False),
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
    for lib in ("libxcb-cursor0", "libxkbcommon-x11-0", "libcups2", "libc6 (>= 2.36)"):
        assert lib in deb.DEPENDS


def test_deb_maintainer_is_set_at_build_time(deb):
    assert deb.maintainer("IT <it@center.example>", {}) == "IT <it@center.example>"
    assert deb.maintainer(None, {"DEB_MAINTAINER": "A <a@b.c>"}) == "A <a@b.c>"
    assert deb.maintainer(None, {"DEBFULLNAME": "B", "DEBEMAIL": "b@c.d"}) == "B <b@c.d>"
    for bad in (None, "no address", "x <not-an-address>"):
        with pytest.raises(SystemExit, match="maintainer"):
            deb.maintainer(bad, {})


def test_deb_depends_keep_print_support_and_the_glibc_floor(deb):
    found = ["libc6 (>= 2.35)", "libx11-6", "libstdc++6 (>= 11)"]
    merged = deb.merge_depends(found, "2.36")
    assert "libc6 (>= 2.36)" in merged and "libc6 (>= 2.35)" not in merged
    assert "libcups2" in merged and "libx11-6" in merged
    assert deb.merge_depends(None, None) == sorted(deb.DEPENDS)


def test_deb_staging(deb, tmp_path):
    bundle = tmp_path / "bundle"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "counter-assistant").write_text("#!/bin/sh\n")
    (bundle / "counter-assistant").chmod(0o755)
    root = tmp_path / "root"
    deb.stage(bundle, root, "1.2.3", "IT <it@center.example>", 1_800_000_000)
    deb.normalise_modes(root)
    deb.control(root, "1.2.3", "amd64", "IT <it@center.example>", ["libc6 (>= 2.36)"])
    assert (root / "opt/counter-assistant/counter-assistant").stat().st_mode & 0o111
    wrapper = (root / "usr/bin/counter-assistant").read_text()
    assert "exec /opt/counter-assistant/counter-assistant" in wrapper
    apps = root / "usr/share/applications"
    main_entry = (apps / "counter-assistant.desktop").read_text(encoding="utf-8")
    sup = (apps / "counter-assistant-supervisor.desktop").read_text(encoding="utf-8")
    assert "Exec=/usr/bin/counter-assistant\n" in main_entry
    assert "Name=窗口服务助手 统计报表" in sup
    assert "Exec=/usr/bin/counter-assistant supervisor" in sup
    # The autostart entry in /etc is a symlink: removed with the package, never a conffile.
    link = root / "etc/xdg/autostart" / autostart.DESKTOP_NAME
    assert link.is_symlink() and os.readlink(link) == deb.AUTOSTART_FILE
    entry = (root / deb.AUTOSTART_FILE.lstrip("/")).read_text(encoding="utf-8")
    assert "TryExec=/opt/counter-assistant/counter-assistant" in entry
    # The package owns nothing in /etc/counter-assistant: IT's config is IT's alone.
    etc = root / "etc/counter-assistant"
    assert [p for p in etc.rglob("*") if not p.is_dir()] == []
    assert (etc / "config.d").is_dir()
    assert not (root / "DEBIAN/conffiles").exists()
    doc = root / "usr/share/doc/counter-assistant"
    example = (ROOT / "resources" / "config.example.toml").read_bytes()
    assert (doc / "config.example.toml").read_bytes() == example
    assert sorted(p.name for p in (doc / "examples/config.d").iterdir()) == [
        "10-center.toml", "20-counter.toml"]  # fmt: skip
    assert (doc / "copyright").is_file()
    import gzip

    changelog = gzip.decompress((doc / "changelog.gz").read_bytes()).decode()
    assert changelog.startswith("counter-assistant (1.2.3) stable; urgency=medium")
    assert " -- IT <it@center.example>  " in changelog
    assert (root / "usr/share/lintian/overrides/counter-assistant").is_file()
    control = (root / "DEBIAN/control").read_text(encoding="utf-8")
    assert "Package: counter-assistant\nVersion: 1.2.3\nArchitecture: amd64" in control
    assert "Maintainer: IT <it@center.example>\n" in control
    assert "Depends: libc6 (>= 2.36)\n" in control
    for script in ("preinst", "postinst", "prerm", "postrm"):
        assert (root / "DEBIAN" / script).stat().st_mode & 0o111
    sums = (root / "DEBIAN/md5sums").read_text()
    assert "  usr/bin/counter-assistant\n" in sums


def test_maintainer_scripts_tell_running_windows(deb):
    scripts = Path(deb.HERE) / "maintscripts"
    postinst = (scripts / "postinst").read_text()
    prerm = (scripts / "prerm").read_text()
    assert "notify-running upgraded" in postinst
    assert "notify-running removed --wait" in prerm
    for name in ("preinst", "postinst", "prerm", "postrm"):
        text = (scripts / name).read_text()
        assert text.startswith("#!/bin/sh\n") and "\nset -e\n" in text
        if shutil.which("sh"):
            subprocess.run(["sh", "-n", str(scripts / name)], check=True)
    from counter_assistant.cli import build_parser

    args = build_parser().parse_args(["notify-running", "removed", "--wait", "15"])
    assert (args.message, args.wait) == ("removed", 15.0)


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
        define = re.match(r'#define\s+(\w+)\s+(?:"(.*)"|(\S+))$', stripped)
        if define:
            quoted, bare = define.group(2), define.group(3)
            defines.setdefault(define.group(1), bare if quoted is None else quoted)
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
    # No example value is ever in force: the example is never installed as the config.
    assert [f["Source"] for f in configs] == ["{code:ParamFile|CONFIG}"]
    assert PureWindowsPath(configs[0]["DestDir"]) == PureWindowsPath(str(machine.parent))
    assert not any("onlyifdoesntexist" in f.get("Flags", "") for f in files)
    example = next(f for f in files if f.get("DestName") == "config.example.toml")
    assert iss_path(example["Source"]) == ROOT / "resources" / "config.example.toml"
    assert iss_path(example["Source"]).is_file() and example["DestDir"] == "{app}"
    # /CENTER= and /COUNTER= become the drop-ins the app reads after config.toml.
    dropins = {f["Source"]: f for f in files if f.get("DestName", "").endswith(".toml")}
    for param, name in (("CENTER", "10-center.toml"), ("COUNTER", "20-counter.toml")):
        entry = dropins["{code:ParamFile|" + param + "}"]
        assert entry["DestName"] == name and entry["Check"] == f"HasParam('{param}')"
        assert PureWindowsPath(entry["DestDir"]) == PureWindowsPath(
            str(machine.parent / "config.d")
        )
    for f in (*configs, *(dropins[k] for k in dropins if k.startswith("{code:"))):
        assert "uninsneveruninstall" in f["Flags"].split()  # IT's config outlives the app

    # Shortcuts start real commands; the Startup one is the one autostart status finds.
    icons = {PureWindowsPath(i["Name"]).name: i for i in iss["Icons"]}
    startup = icons[autostart.STARTUP_LINK.removesuffix(".lnk")]
    assert startup["Name"].startswith("{commonstartup}\\") and startup["Tasks"] == "autostart"
    for icon in iss["Icons"]:
        assert icon["Filename"] == "{app}\\" + app_exe
        build_parser().parse_args(icon.get("Parameters", "").split())  # exits on a bad one
    assert any(i.get("Parameters") == "supervisor" for i in iss["Icons"])

    # After install it runs check-config; on uninstall it removes this user's Run value.
    exe, params = re.search(r"ExecAndLogOutput\(ExpandConstant\('([^']*)'\),\s*(.*?),\s*'',",
                            iss["code"], re.S).groups()  # fmt: skip
    assert exe == "{app}\\" + iss["defines"]["CliExe"]
    args = build_parser().parse_args(shlex.split(pascal_string(params)))
    # The machine-wide file and its drop-ins, as the app reads them; data in setup's temp.
    assert args.command == "check-config" and args.config is None and args.data_dir == "VALUE"
    deleted = re.search(r"RegDeleteValue\(HKEY_CURRENT_USER, '([^']*)',\s*'([^']*)'\)", iss["code"])
    assert deleted.groups() == (autostart.RUN_KEY, autostart.RUN_VALUE)


def test_iss_matches_the_app_and_the_deb():
    raw = ISS.read_bytes()
    iss = raw.decode("utf-8-sig")
    assert r"DefaultDirName={autopf}\CounterAssistant" in iss
    assert r"{commonappdata}\CounterAssistant" in iss and 'DestName: "config.toml"' in iss
    assert "onlyifdoesntexist" not in iss  # the example is never installed as the config
    assert "{code:ParamFile|CENTER}" in iss and 'DestName: "10-center.toml"' in iss
    assert "{code:ParamFile|COUNTER}" in iss and 'DestName: "20-counter.toml"' in iss
    assert "{param:' + Name + '|}" in iss
    assert r"..\..\dist\counter-assistant" in iss
    assert r"..\..\resources\config.example.toml" in iss
    assert 'Parameters: "supervisor"' in iss and "统计报表" in iss
    # The all-users Startup shortcut is the one autostart status looks for.
    assert "{commonstartup}\\{#AppName}" in iss
    assert '#define AppName "窗口服务助手"' in iss
    assert autostart.STARTUP_LINK == "窗口服务助手.lnk"
    assert f"'{autostart.RUN_VALUE}'" in iss and autostart.RUN_KEY in iss
    assert "counter-assistant-cli.exe" in iss
    assert "VersionInfoVersion={#AppVersion}" in iss
    assert "CloseApplications=yes" in iss and "RestartApplications=yes" in iss


def test_iss_fails_a_silent_install_whose_config_fails_check_config():
    """The installer's exit-code path, as far as it runs off Windows: its Pascal turns any
    non-zero check-config into exit code 10, and check-config exits 1 for problems and 0
    for a mere "not configured"."""
    iss = ISS.read_bytes().decode("utf-8-sig")
    assert "#define ConfigProblemsExitCode 10" in iss
    assert re.search(r"ExecAndLogOutput\(ExpandConstant\('\{app\}\\\{#CliExe\}'\), 'check-config",
                     iss)  # fmt: skip
    assert ", nil) then" in iss  # nil: the output goes into the setup log
    body = iss[iss.index("function GetCustomSetupExitCode: Integer;") :]
    assert "if ConfigProblems then\n    Result := {#ConfigProblemsExitCode}" in body
    assert "if Code <> 0 then\n      begin\n        ConfigProblems := True;" in iss


def test_check_config_exit_codes_the_installer_relies_on(tmp_path, capsys):
    from counter_assistant.cli import main

    bad = tmp_path / "bad.toml"
    bad.write_text('[center]\nopening = "25:99"\n', encoding="utf-8")
    assert main(["check-config", "--config", str(bad), "--data-dir", str(tmp_path / "d")]) == 1
    good = tmp_path / "good.toml"
    good.write_text('[counter]\nid = "PJ-03"\n', encoding="utf-8")
    assert main(["check-config", "--config", str(good), "--data-dir", str(tmp_path / "d")]) == 0


def test_ci_script_parses():
    """What ci_bundle.sh does is checked by running it in CI; here only that it parses."""
    script = ROOT / "scripts" / "ci_bundle.sh"
    text = script.read_text()
    for piece in ("scripts/build_bundle.py", "packaging/linux/build_deb.py", "dpkg -i", "dpkg -r",
                  "lintian", "apt-get install -y", "check_running_upgrade.py"):  # fmt: skip
        assert piece in text
    if shutil.which("bash"):
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


def test_spec_version_information_for_the_windows_executables(spec_ns):
    import ast

    assert spec_ns["app_version"]() == counter_assistant.__version__
    text = spec_ns["version_info_text"]("1.2.3rc1", "counter-assistant-cli")
    ast.parse(text)  # PyInstaller evaluates it as Python
    assert "filevers=(1, 2, 3, 0)" in text and "prodvers=(1, 2, 3, 0)" in text
    assert "StringStruct('FileVersion', '1.2.3rc1')" in text
    assert "StringStruct('OriginalFilename', 'counter-assistant-cli.exe')" in text
    try:
        from PyInstaller.utils.win32 import versioninfo
    except ImportError:  # needs pefile, which only Windows builds install
        return
    info = eval(text, vars(versioninfo))  # what PyInstaller itself does with the file
    assert info.ffi.fileVersionMS == (1 << 16) | 2


def test_the_example_dropins_load_cleanly_and_the_counter_file_wins(tmp_path, monkeypatch):
    """What IT copies from /usr/share/doc/counter-assistant/examples/config.d/: every key
    valid, nothing commented in that would fail, the counter's own file read last."""
    examples = ROOT / "packaging" / "linux" / "config.d"
    machine = tmp_path / "machine"
    shutil.copytree(examples, machine / "config.d")
    monkeypatch.setenv(config_mod.MACHINE_DIR_ENV, str(machine))
    cfg = config_mod.load_config()
    assert cfg.problems == []
    assert cfg.files == [machine / "config.d" / n for n in ("10-center.toml", "20-counter.toml")]
    assert cfg.origin["counter.id"] == str(machine / "config.d" / "20-counter.toml")
    assert cfg.origin["center.name"] == str(machine / "config.d" / "10-center.toml")
    assert not cfg.sync_url  # each counter's own login: never in the center-wide file
