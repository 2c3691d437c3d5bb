"""The tests/xserver.py helper itself: private displays, cleanup, skip-or-fail policy."""

from __future__ import annotations

import pytest

try:
    from tests import xserver
except ImportError:
    import xserver


def test_missing_xvfb_skips_or_fails_on_demand(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xserver, "xvfb_available", lambda: False)
    monkeypatch.delenv("CA_REQUIRE_XVFB", raising=False)
    with pytest.raises(pytest.skip.Exception):
        xserver.require_xvfb()
    monkeypatch.setenv("CA_REQUIRE_XVFB", "1")
    with pytest.raises(pytest.fail.Exception, match="CA_REQUIRE_XVFB"):
        xserver.require_xvfb()


def test_two_servers_get_their_own_displays_and_stop() -> None:
    xserver.require_xvfb()
    with xserver.XServer() as one, xserver.XServer() as two:
        assert one.display != two.display
        assert one.env["DISPLAY"] == one.display
        with xserver.OtherWindow(two.display) as window:
            assert xserver.focused_window(two.display) == window.window_id
    assert one._proc.poll() is not None and two._proc.poll() is not None
