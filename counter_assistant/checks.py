"""check-config, self-check and set-pin: what IT runs before and after deploying."""

from __future__ import annotations

import getpass
import os
import re
import sys
from pathlib import Path

from counter_assistant import __version__
from counter_assistant.context import Context
from counter_assistant.core.config import SETTINGS, machine_config_path
from counter_assistant.core.hotkeyspec import HotkeyError, parse_hotkey
from counter_assistant.core.prompts import SITUATION_KEYS, debris_in

SECRET_KEYS = {"supervisor.pin_hash"}


def shown_value(key: str, value: object) -> str:
    """A value as check-config prints it: secrets never, URLs without a password."""
    if key in SECRET_KEYS:
        return "(set)" if value else "(not set)"
    if isinstance(value, str) and "://" in value:
        return repr(re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", value))
    if isinstance(value, list):
        return repr([getattr(v, "display", v) for v in value])
    return repr(value)


def check_config(ctx: Context) -> int:
    """Every file read, every value and where it came from, then every problem.

    Exit 1 for a problem (a bad key falls back); a counter that is not configured yet is a
    warning only (exit 0), so an unattended install never fails on it.
    """
    cfg = ctx.config
    files = cfg.files or []
    print("config files, later wins: " + (", ".join(map(str, files)) or "none (built-in defaults)"))
    print(
        f"counter {cfg.counter_id}, window {cfg.window or '-'}, {cfg.department or '-'}; "
        f"opening {cfg.opening}, closing {cfg.closing}, ready {cfg.prep_minutes} min before"
    )
    print("values set, and where from (a file, or the center's published version):")
    for key in sorted(cfg.origin):
        attr = SETTINGS[key].name if key in SETTINGS else None
        value = getattr(cfg, attr) if attr else cfg.hotkeys.get(key.split(".", 1)[1], "")
        print(f"  {key} = {shown_value(key, value)}    <- {cfg.origin[key]}")
    for line in content_lines(ctx):
        print(line)
    print(f"hotkey backend: {cfg.hotkey_backend}; prompts: {', '.join(ctx.catalog.sources)}")
    print(f"business catalog: {ctx.business.source} ({len(ctx.business.items)} entries)")
    for what, items in (("rules", ctx.rules), ("frequent answers", ctx.answers)):
        print(f"{what}: {items.source or 'none'} ({len(items)} entries)")
    cal = ctx.calendar
    print(
        f"business-day calendar: {cal.source or 'none (ordinary weeks)'}"
        f" ({len(cal.holidays)} holidays, {len(cal.swapped)} swapped working days; years "
        f"{', '.join(map(str, sorted(cal.years))) or '-'})"
    )
    print(f"database: {ctx.paths.database}; log: {ctx.paths.log_file}")
    if cfg.sync_url and cfg.sync_password_file:
        from counter_assistant.sync.connection import ServerError, read_password

        try:  # only whether it can be read and by whom; the password itself is never shown
            read_password(
                cfg.sync_password_file, warn=lambda m: print(f"warning: {m}", file=sys.stderr)
            )
        except ServerError as exc:
            print(f"warning: {exc}", file=sys.stderr)
    if cfg.sync_url and not cfg.center_id:
        print(
            f"warning: [sync] url is set but [center] id is not: the server accepts records "
            f"only for the counter's own center. Set [center] id (in {dropin_dir_hint(cfg)}, "
            f"the center's file), as given by `counter-assistant server add-counter`.",
            file=sys.stderr,
        )
    unset = cfg.not_configured()
    if unset:
        print(
            f"warning: this counter is not configured ({', '.join(unset)} not set): it reports "
            f"as {cfg.counter_id!r}, the computer's name. Put a per-counter file in "
            f"{dropin_dir_hint(cfg)}.",
            file=sys.stderr,
        )
    if not ctx.problems:
        print("OK: no problems found")
        return 0
    unreadable = [p for p in cfg.problems if p.key == "" and Path(p.file) in {cfg.source}]
    if unreadable:
        print(
            f"{cfg.source} could not be read at all: its settings use the built-in defaults "
            f"(counter id {cfg.counter_id!r}) until it is fixed.",
            file=sys.stderr,
        )
    print(
        f"{len(ctx.problems)} problem(s); each bad key falls back to its default:", file=sys.stderr
    )
    for problem in ctx.problems:
        print(f"  {problem}", file=sys.stderr)
    return 1


def content_lines(ctx: Context) -> list[str]:
    """What the center owns and where each part comes from: the published version in
    force (as cached by this counter) or the local file the config names."""
    from counter_assistant.core.content import KINDS

    cfg, content = ctx.config, ctx.content
    if not cfg.sync_url:
        head = "center content: local files (no [sync] url: nothing published is used)"
    elif content.version:
        head = (f"center content: published version {content.version} (as cached here; "
                f"published {content.published_at[:16].replace('T', ' ')} by "
                f"{content.published_by}); the server may have a newer one")  # fmt: skip
    else:
        head = ("center content: local files (nothing published fetched yet; the newest "
                "valid published version will win)")  # fmt: skip
    lines = [head]
    for name, kind in KINDS.items():
        published = content.files.get(name)
        if published is not None:
            where = f"published version {content.version} ({published.name})"
            if name == "center":
                where += "; the keys it does not set: from the files above"
        elif kind.config_key:
            path = getattr(cfg, SETTINGS[kind.config_key].name)
            where = f"file {path}" if path else kind.without_file
        else:
            where = "the config files above"
        lines.append(f"  {name} ({kind.what}) <- {where}")
    return lines


def dropin_dir_hint(cfg) -> str:
    from counter_assistant.core.config import DROPIN_DIR, machine_config_dir

    return str((cfg.source.parent if cfg.source else machine_config_dir()) / DROPIN_DIR)


def render_all(ctx: Context) -> list[str]:
    """Render every variant with all slots filled and with none; return failures."""
    failures = []
    for key in SITUATION_KEYS:
        if key not in ctx.catalog.situations or not ctx.catalog[key].variants:
            failures.append(f"situation {key!r} has no usable prompt")
    for situation in ctx.catalog:
        for variant in situation.variants:
            full = {slot: "测试" for slot in variant.slots}
            for values in (full, {}, ctx.config.slot_values()):
                text = variant.render(values)
                bad = debris_in(text)
                if bad or not text:
                    failures.append(f"{situation.key}.{variant.id} renders {text!r} ({bad})")
    return failures


def self_check(ctx: Context) -> int:
    from counter_assistant.storage.db import DatabaseError, open_database

    problems = [str(p) for p in ctx.problems]
    failures = render_all(ctx)
    for action, combo in ctx.config.hotkeys.items():
        if combo:
            try:
                parse_hotkey(combo)
            except HotkeyError as exc:
                failures.append(f"hotkey {action}: {exc}")
    db_note = ""
    try:
        opened = open_database(ctx.paths.database, ctx.config.counter_id)
        opened.close()
        db_note = f"database {opened.path} opens"
        if opened.moved_aside:
            problems.append(f"corrupt database moved aside to {opened.moved_aside}")
    except (DatabaseError, OSError) as exc:
        failures.append(f"database: {exc}")
    qt_failures = _check_qt()
    failures += qt_failures
    from counter_assistant.sync.admin import check_server

    server_level, server_note = check_server(ctx.config)
    if server_level == "fail":
        failures.append(server_note)
    elif server_level == "warning":  # the counter works without its server: IT is told
        problems.append(server_note)
    if not qt_failures:
        failures += _check_notice(ctx)
    variants = sum(len(s.variants) for s in ctx.catalog)
    print(f"counter-assistant {__version__}: {len(ctx.catalog)} situations, {variants} variants")
    if db_note:
        print(db_note)
    if ctx.config.sync_url:
        print(f"center content: {ctx.content.label}")
    if server_level == "ok":
        print(server_note)
    for p in problems:
        print(f"warning: {p}", file=sys.stderr)
    for f in failures:
        print(f"FAIL: {f}", file=sys.stderr)
    print("self-check failed" if failures else "self-check passed")
    return 1 if failures else 0


def _check_qt() -> list[str]:
    """Qt loads, a platform plugin starts and the icon decodes (matters in the frozen bundle)."""
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # e.g. over SSH
    try:
        if sys.platform == "win32":  # the single-instance lock (elsewhere a Unix socket)
            from PySide6.QtNetwork import QLocalServer  # noqa: F401
        from PySide6.QtWidgets import QApplication

        from counter_assistant.ui.counter import app_icon
    except ImportError as exc:
        return [f"Qt does not load: {exc}"]
    app = QApplication.instance() or QApplication(sys.argv[:1])
    failures = []
    if app_icon().isNull():
        failures.append("the icon resource does not load")
    leak = reference_leak()
    if leak > 100:
        failures.append(
            f"this PySide6 build loses {leak} references to None/True per 1,000 signals and would "
            "abort after some hours of use; install a PySide6-Essentials other than 6.12.0"
        )
    print(f"Qt {app.platformName()} platform plugin starts")
    return failures


def _check_notice(ctx: Context) -> list[str]:
    """The one-time notice renders to a PDF, and where it goes when it is not printed."""
    import tempfile
    from datetime import date

    from counter_assistant.core.notice import build_notice, render_html
    from counter_assistant.core.notice_files import pdf_folder

    cfg = ctx.config
    business = ctx.business.items[0] if ctx.business.items else None
    notice = build_notice(
        cfg,
        business=business,
        business_text="测试业务",
        missing=business.documents[:2] if business else (),
        other_missing=() if business else ["测试材料"],
        rules=["测试规定"],
        staff_id="TEST",
        today=date.today(),
    )
    try:
        from PySide6.QtPrintSupport import QPrinterInfo

        from counter_assistant.ui.notice_render import write_pdf

        with tempfile.TemporaryDirectory() as folder:  # as it is saved when not printed
            path = write_pdf(
                render_html(ctx.notice_template, notice), Path(folder) / "n.pdf", cfg.paper
            )
            data = path.read_bytes()
    except Exception as exc:
        return [f"the one-time notice does not render: {exc}"]
    if not data.startswith(b"%PDF") or b"/FontFile2" not in data:
        return ["the one-time notice renders without embedded fonts"]
    printer = cfg.printer or QPrinterInfo.defaultPrinterName()
    found = bool(printer) and not QPrinterInfo.printerInfo(printer).isNull()
    folder = pdf_folder(cfg.pdf_dir, ctx.paths.data_dir)
    missing = f"printer {printer!r} not found" if printer else "no default printer"
    where = f"printer {printer}" if found else f"{missing}: saved as PDF in {folder}"
    print(f"one-time notice renders ({cfg.paper}, {len(data) // 1024} KB); {where}")
    return []


def reference_leak(emits: int = 1000) -> int:
    """References to None/True lost by emitting signals (PySide6 6.12.0 on Python 3.11)."""
    from PySide6.QtCore import QObject, Signal

    class Probe(QObject):
        fired = Signal(str)

    probe = Probe()
    probe.fired.connect(lambda _text: None)
    before = sys.getrefcount(None) + sys.getrefcount(True)
    for _ in range(emits):
        probe.fired.emit("x")
    return max(0, before - sys.getrefcount(None) - sys.getrefcount(True))


def set_pin(ctx: Context, pin: str | None) -> int:
    """Write [supervisor] pin_hash into the config in force (or the machine config).

    The file keeps its owner and mode and is replaced in one step, so a counter's app
    that runs as the clerk can still read it after IT ran this as root.
    """
    from counter_assistant.core.files import write_text_keeping_owner
    from counter_assistant.core.pin import hash_pin, pin_problem

    if pin is None:
        pin = getpass.getpass("supervisor PIN (at least 6 digits, or a passphrase): ")
        if getpass.getpass("again: ") != pin:
            print("the two PINs differ; nothing written", file=sys.stderr)
            return 2
    problem = pin_problem(pin)
    if problem:
        print(f"{problem}; nothing written", file=sys.stderr)
        return 2
    target = ctx.config.source or machine_config_path()
    try:
        text = target.read_text(encoding="utf-8") if target.exists() else ""
        write_text_keeping_owner(target, _replace_pin_line(text, f'pin_hash = "{hash_pin(pin)}"'))
    except OSError as exc:
        print(f"cannot write {target}: {exc}; run as administrator", file=sys.stderr)
        return 2
    print(f"supervisor PIN set in {target}")
    return 0


_SUPERVISOR_HEADER = re.compile(r"\[\s*supervisor\s*\]\s*(#.*)?")  # a comment may follow
_PIN_KEY = re.compile(r"pin_hash\s*=")


def _replace_pin_line(text: str, line: str) -> str:
    lines = text.splitlines()
    in_section = False
    header = None
    for i, current in enumerate(lines):
        stripped = current.strip()
        if stripped.startswith("["):
            in_section = bool(_SUPERVISOR_HEADER.fullmatch(stripped))
            if in_section and header is None:
                header = i
        elif in_section and _PIN_KEY.match(stripped):
            lines[i] = line
            return "\n".join(lines) + "\n"
    if header is not None:
        lines.insert(header + 1, line)
        return "\n".join(lines) + "\n"
    return text.rstrip("\n") + ("\n\n" if text else "") + f"[supervisor]\n{line}\n"
