"""Look of the clerk's windows: one style sheet, calm colours, large type."""

STYLE = """
#promptWindow { background: #fbfaf5; border: 2px solid #2f6f4f; border-radius: 8px; }
#title { color: #2f6f4f; }
#status { color: #5b6b63; }
#status[warning="true"] { color: #b45309; font-weight: bold; }
#heading { color: #44524a; }
#prompt { color: #0d1a13; padding: 4px 2px; }
#prompt[locked="true"] { color: #9a3412; }
#context { color: #2f5d8a; }
#notice { color: #b45309; }
#reminder { color: #7a857f; }
#rule { color: #d9dccf; }
QPushButton#situation { padding: 3px 6px; border: 1px solid #c9cfbf; border-radius: 4px;
    background: #f1f4ea; color: #1f3a2b; }
QPushButton#situation:hover { background: #e2eadb; }
QToolButton#menuButton { border: none; font-size: 16px; padding: 0 4px; }
"""
