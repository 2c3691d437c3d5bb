"""Every window a clerk sees, opened in turn on the current X display: for the screenshots
in the README and for the test that each fits the screen at 100-200 % scaling.

    DISPLAY=:5 QT_SCALE_FACTOR=1.5 python scripts/window_tour.py --json
    DISPLAY=:5 python scripts/window_tour.py --shots docs/screenshots --name 1600x900-100

The counter is built by the real composition root on a temporary data dir, with the
longest realistic sentence filled in: a business with eight documents all missing and a
40-character rule (8.3 资料不全). --json prints one line per window: its name, the frame
the window manager gave it and the screen's available area, in logical pixels.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / "tests" / "data" / "counter"  # the tests' longest realistic values
DOCUMENTS = ("身份证", "户口簿", "婚姻证明", "购房合同", "原贷款合同", "还款明细",
             "收入证明", "不动产登记证明")  # fmt: skip
CONFIG = """
[center]
name = "盘锦市住房公积金管理中心"
[counter]
id = "PJ-03"
window = "3"
department = "归集科"
[prompts]
business_catalog = "{data}/business.toml"
rules = "{data}/rules.toml"
answers = "{answers}"
[staff]
roster = ["张丽", {{ id = "0312", name = "王强" }}]
"""


def settle(app, seconds: float = 0.6) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def build(workdir: Path):
    from importlib import resources

    from counter_assistant.app import build_counter
    from counter_assistant.context import load_context
    from counter_assistant.core.clock import Clock

    answers = resources.files("counter_assistant.resources").joinpath("answers.example.toml")
    config = CONFIG.format(answers=answers, data=DATA.as_posix())
    (workdir / "config.toml").write_text(config, encoding="utf-8")
    ctx = load_context(str(workdir / "config.toml"), str(workdir / "data"))
    if ctx.problems:
        raise SystemExit("\n".join(map(str, ctx.problems)))
    return build_counter(ctx, Clock())  # the real X11 hotkeys, as on a clerk's PC


def tour(shots: Path | None, name: str, as_json: bool) -> None:
    from PySide6.QtWidgets import QApplication

    from counter_assistant.core.session import Filled

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    with tempfile.TemporaryDirectory() as tmp:
        counter = build(Path(tmp))
        ui = counter.ui
        counter.start()  # the day is not prepared: the checklist waits, quietly
        settle(app, 1.0)
        area = ui.window.screen().availableGeometry()

        def report(label: str, widget) -> None:
            settle(app)
            if as_json:
                f = widget.frameGeometry()
                a = [area.x(), area.y(), area.width(), area.height()]
                frame = [f.x(), f.y(), f.width(), f.height()]
                print(json.dumps({"name": label, "frame": frame, "screen": a}), flush=True)
            if shots is not None:
                target = shots / f"{label}-{name}.png"
                subprocess.run(["import", "-window", "root", str(target)], check=True)

        report("checklist-waiting", ui.day.prep)
        ui.day.prep.hide()
        counter.gate.confirm_prep("0312", ui.ctx.config.prep_items)
        ui.controller.apply_fields(
            Filled({"surname": "王", "title": "女士"}, "loan_combo", "", DOCUMENTS, ("agent",))
        )
        ui.controller.show_situation("documents", "hotkey", 1)
        report("prompt-base", ui.window)  # (the window before it grew is not shown)
        report("prompt", ui.window)
        ui.dialogs.open_fields()
        report("fields", ui.fields)
        ui.fields.reject()
        ui.open_picker()
        report("picker", ui.picker)
        ui.picker.reject()
        ui.day.show_staff()
        report("staff", ui.day.staff)
        ui.day.staff.reject()
        ui.day.show_close()
        report("close-out", ui.day.close)
        ui.day.close.hide()
        ui.notice.open_dialog()
        report("notice", ui.notice.dialog)
        ui.notice.dialog.reject()
        ui.side.show_cheat_sheet()
        report("cheat-sheet", ui.side._boxes[-1])
        ui.side._boxes[-1].close()
        from counter_assistant.ui.screen import fit_dialog
        from counter_assistant.ui.today import TodayDialog

        today = TodayDialog(None, [(s.title, s.key, 3) for s in ui.ctx.catalog])
        fit_dialog(today)  # as CounterUi.show_today does
        today.show()
        report("today", today)
        today.close()
        from counter_assistant.ui.supervisor import SupervisorWindow

        reports = SupervisorWindow(ui.ctx, tasks=counter.tasks)  # behind the PIN in the menu
        reports.show()
        report("reports", reports)
        reports.close()
        ui.controller.show_situation("greeting", "hotkey")
        report("prompt-short", ui.window)
        counter.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=Path, help="folder for screenshots of the whole screen")
    parser.add_argument("--name", default=datetime.now().strftime("%H%M%S"))
    parser.add_argument("--json", action="store_true", help="print each window's frame")
    args = parser.parse_args()
    if args.shots:
        args.shots.mkdir(parents=True, exist_ok=True)
    tour(args.shots, args.name, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
