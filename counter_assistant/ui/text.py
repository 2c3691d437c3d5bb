"""Look of the clerk's windows: one style sheet, calm colours, large type."""

IDLE_HINT = "按热键显示对应话术；菜单 ☰ 中可查看热键一览。"  # the window before any prompt

STYLE = """
#promptWindow { background: #fbfaf5; border: 2px solid #2f6f4f; border-radius: 8px; }
#title { color: #2f6f4f; }
#status { color: #5b6b63; }
#status[warning="true"] { color: #b45309; font-weight: bold; }
#customer { background: #e6eef8; border-left: 5px solid #2f5d8a; border-radius: 3px; }
#customer[state="empty"] { background: #f1f3ee; border-left-color: #b9c2b5; }
#customer[state="ended"] { background: #f4efe4; border-left-color: #c29a4a; }
#customerName { color: #0b2a47; }
#customerDetails { color: #1d4266; }
#customerDetails[state="empty"] { color: #6b756f; }
#customerEnded { color: #ffffff; background: #c29a4a; border-radius: 3px; padding: 0 5px; }
#heading { color: #44524a; }
#page { color: #ffffff; background: #b45309; border-radius: 3px; padding: 0 6px;
    font-weight: bold; }
#prompt { color: #0d1a13; padding: 4px 2px; }
#prompt[kind="locked"] { color: #9a3412; }
#prompt[kind="hint"] { color: #4d5f55; }
#context { color: #2f5d8a; }
#notice { color: #b45309; }
#reminder { color: #7a857f; }
#rule { color: #d9dccf; }
QPushButton#situation { padding: 3px 6px; border: 1px solid #c9cfbf; border-radius: 4px;
    background: #f1f4ea; color: #1f3a2b; }
QPushButton#situation:hover { background: #e2eadb; }
QToolButton#menuButton { border: none; font-size: 16px; padding: 0 4px; }
"""


def key_text(combo: str) -> str:
    """A combination as a clerk reads it on the keyboard: "ctrl+alt+p" -> "Ctrl+Alt+P"."""
    if not combo:
        return ""
    names = {"ctrl": "Ctrl", "alt": "Alt", "shift": "Shift", "win": "Win"}
    parts = combo.split("+")
    return "+".join(names.get(p, p.upper() if len(p) == 1 else p.capitalize()) for p in parts)


def colour(widget, foreground: str, background: str = "") -> None:
    """Text (and background) colour through the palette, not a style sheet: a widget with
    its own style sheet keeps its type size when a dialog makes its type smaller to fit."""
    from PySide6.QtGui import QColor, QPalette

    palette = widget.palette()
    palette.setColor(QPalette.ColorRole.WindowText, QColor(foreground))
    if background:
        palette.setColor(QPalette.ColorRole.Window, QColor(background))
        widget.setAutoFillBackground(True)
    widget.setPalette(palette)
