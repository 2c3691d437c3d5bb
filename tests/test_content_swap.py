"""When a new version of the center's content is applied: between two prompts, never
while a dialog is open, and at a quiet moment for a counter nobody uses."""

from __future__ import annotations

import time

import pytest

from counter_assistant.core.content import Content
from counter_assistant.ui.content_swap import ContentSwap


@pytest.fixture
def swap(qtbot):
    state = {"busy": False}
    applied: list[tuple[int, bool]] = []
    s = ContentSwap(lambda: state["busy"], lambda c, refresh: applied.append((c.version, refresh)))
    s.state, s.applied = state, applied
    yield s
    s.stop()


def test_applied_right_before_the_next_prompt(swap):
    swap.before_prompt()  # a prompt was just shown: the clerk may be reading it
    swap.offer(Content(3))
    assert swap.applied == [] and swap.pending.version == 3
    swap.before_prompt()
    assert swap.applied == [(3, False)] and swap.pending is None


def test_a_newer_version_replaces_one_still_waiting(swap):
    swap.before_prompt()
    swap.offer(Content(3))
    swap.offer(Content(4))
    swap.before_prompt()
    assert swap.applied == [(4, False)]


def test_never_while_a_dialog_is_open(swap, qtbot):
    swap.quiet_seconds = 0.0
    swap.state["busy"] = True
    swap.offer(Content(5))
    swap.before_prompt()
    qtbot.wait(100)
    assert swap.applied == []
    swap.state["busy"] = False
    qtbot.waitUntil(lambda: swap.applied == [(5, True)], timeout=5_000)


def test_at_a_quiet_moment_without_any_prompt(swap, qtbot):
    swap.quiet_seconds = 0.3
    swap.before_prompt()
    t0 = time.monotonic()
    swap.offer(Content(6))
    qtbot.waitUntil(lambda: swap.applied == [(6, True)], timeout=5_000)
    assert time.monotonic() - t0 >= 0.25  # not while the last sentence may still be read


def test_an_idle_counter_takes_it_at_once(swap):
    swap.quiet_seconds = 10.0  # no prompt since start: nobody is reading anything
    swap.offer(Content(7))
    assert swap.applied == [(7, True)]
