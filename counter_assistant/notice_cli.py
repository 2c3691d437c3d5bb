"""`counter-assistant notice`: the one-time notice from the command line.

So IT and the center can check a template, the paper and the printer without a counter:
it uses the config in force (center name, address, telephone, hours, window).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from counter_assistant.context import Context


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--business", required=True, help="a business key (or name) of the catalog")
    p.add_argument(
        "--missing", nargs="+", default=[], metavar="ITEM", help="its documents that are missing"
    )
    p.add_argument(
        "--other", action="append", default=[], metavar="TEXT",
        help="a missing material the catalog does not list (repeat for more)",
    )  # fmt: skip
    p.add_argument("--rule", action="append", default=[], metavar="TEXT", help="a rule (repeat)")
    p.add_argument("--staff", default="", help="the staff ID printed on the notice")
    p.add_argument("--date", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD")
    p.add_argument("--paper", choices=("A4", "A5"), default=None, help="default: [notice] paper")
    p.add_argument("--template", default=None, help="an HTML template; default: [notice] template")
    out = p.add_mutually_exclusive_group(required=True)
    out.add_argument("--pdf", metavar="FILE", help="write the notice to this PDF")
    out.add_argument("--print", dest="print_it", action="store_true", help="print it")
    p.add_argument("--printer", default=None, help="with --print; default: [notice] printer")


def _qt() -> None:
    from PySide6.QtWidgets import QApplication

    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    QApplication.instance() or QApplication(sys.argv[:1])


def notice_command(ctx: Context, args: argparse.Namespace) -> int:
    """Exit 0, 1 when the template has problems (the built-in one was used), 2 on failure."""
    from counter_assistant.core.notice import build_notice, render_html
    from counter_assistant.core.notice_template import load_notice_template

    cfg = ctx.config
    business = ctx.business.get(args.business) or next(
        (b for b in ctx.business.items if b.name == args.business), None
    )
    if business is None:
        keys = ", ".join(f"{b.key} ({b.name})" for b in ctx.business.items)
        print(f"notice: no business {args.business!r} in {ctx.business.source}; one of: {keys}",
              file=sys.stderr)  # fmt: skip
        return 2
    unknown = [m for m in args.missing if m not in business.documents]
    if unknown:
        print(f"notice: {', '.join(unknown)} not among the documents of {business.name}: "
              f"{', '.join(business.documents)}; use --other for other materials",
              file=sys.stderr)  # fmt: skip
        return 2
    template = load_notice_template(args.template) if args.template else ctx.notice_template
    for problem in template.problems:
        print(f"warning: {problem}", file=sys.stderr)
    notice = build_notice(
        cfg,
        business=business,
        missing=args.missing,
        other_missing=args.other,
        rules=args.rule,
        staff_id=args.staff,
        today=args.date or date.today(),
    )
    paper = args.paper or cfg.paper
    html = render_html(template, notice)
    _qt()
    from counter_assistant.ui.notice_render import NoticeError, print_html, write_pdf

    try:
        if args.print_it:
            printer = args.printer if args.printer is not None else cfg.printer
            used = print_html(html, paper, printer)
            print(f"notice for {business.name} ({len(notice.missing)} missing, {paper}) "
                  f"sent to printer {used}")  # fmt: skip
        else:
            path = write_pdf(html, Path(args.pdf), paper)
            print(f"notice for {business.name} ({len(notice.missing)} missing, {paper}) -> {path}")
    except (NoticeError, OSError) as exc:
        print(f"notice failed: {exc}", file=sys.stderr)
        return 2
    return 1 if template.problems else 0
