"""Style-sheet states: right at the first show without asking for the style, and again
after every change once shown (ui/polish.py)."""

from __future__ import annotations

from PySide6.QtGui import QPalette

from counter_assistant.ui.customer_strip import CustomerStrip
from counter_assistant.ui.text import STYLE

EMPTY_GREY, FILLED_BLUE = "#6b756f", "#1d4266"


def colour(strip: CustomerStrip) -> str:
    return strip.details_label.palette().color(QPalette.ColorRole.WindowText).name()


def test_the_state_set_before_the_first_show_is_what_shows(qtbot):
    strip = CustomerStrip(20)
    strip.setStyleSheet(STYLE)
    qtbot.addWidget(strip)
    strip.show_details([("客户", "王女士"), ("业务", "提取")], ended=False)  # not shown yet
    strip.show()
    qtbot.waitExposed(strip)
    assert strip.property("state") == "filled"
    assert colour(strip) == FILLED_BLUE


def test_a_state_changed_after_the_show_repaints_in_its_colours(qtbot):
    strip = CustomerStrip(20)
    strip.setStyleSheet(STYLE)
    qtbot.addWidget(strip)
    strip.show()
    qtbot.waitExposed(strip)
    assert colour(strip) == EMPTY_GREY
    strip.show_details([("客户", "王女士")], ended=False)
    assert colour(strip) == FILLED_BLUE
    strip.show_details([], ended=False)
    assert colour(strip) == EMPTY_GREY
