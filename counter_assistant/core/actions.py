"""Every action a clerk can trigger: its id, its words, its default hotkey.

The one list behind the config's [hotkeys] table, the cheat sheet, the menu and the
dispatch in the GUI. Situations are the Article 8 prompts; commands act on the window.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from counter_assistant.core.hotkeyspec import Hotkey, HotkeyError, parse_hotkey
from counter_assistant.core.prompts import SITUATION_KEYS


@dataclass(frozen=True)
class Action:
    id: str
    label: str  # for situations, the catalog's title is used instead
    hotkey: str  # the default combination; "" for none
    situation: bool = False


SITUATIONS = tuple(
    Action(key, key, f"ctrl+alt+{(i + 1) % 10}", situation=True)
    for i, key in enumerate(SITUATION_KEYS)
)
COMMANDS = (
    Action("next_variant", "下一种说法", "ctrl+alt+n"),
    Action("toggle_window", "显示/隐藏窗口", "ctrl+alt+h"),
    Action("next_customer", "下一位客户（清空）", "ctrl+alt+c"),
    Action("picker", "选择话术", "ctrl+alt+p"),
    Action("fields", "填写客户信息", "ctrl+alt+f"),
    Action("notice", "打印一次性告知单", "ctrl+alt+g"),
    Action("notice_dialog", "一次性告知单（预览、填姓名）", ""),
    Action("next_page", "翻页", "ctrl+alt+y"),  # 页 ye: a long sentence's next page
)
ACTIONS: dict[str, Action] = {a.id: a for a in (*SITUATIONS, *COMMANDS)}
COMMAND_IDS = tuple(a.id for a in COMMANDS)


def default_hotkeys() -> dict[str, str]:
    return {a.id: a.hotkey for a in ACTIONS.values()}


def label_of(action: str, titles: Mapping[str, str]) -> str:
    """What a clerk reads for an action: a situation's title, or the command's words."""
    if action in titles:
        return titles[action]
    known = ACTIONS.get(action)
    return known.label if known else action


def parse_bindings(hotkeys: Mapping[str, str], situations: Iterable[str]) -> dict[str, Hotkey]:
    """Hotkeys in force: switched-off ones and situations without prompts are left out."""
    loaded = set(situations)
    out = {}
    for action, combo in hotkeys.items():
        known = ACTIONS.get(action)
        if not combo or known is None or (known.situation and action not in loaded):
            continue
        try:
            out[action] = parse_hotkey(combo)
        except HotkeyError:  # config validation already reported it
            continue
    return out
