"""Qt widgets of the app. Importing this package first makes PySide6's import hook cheap.

PySide6 checks every module imported after it for "PySide6" in its source, through
inspect.getsource, which leaves each module's source in linecache (megabytes, and time
at start). Reading the file's bytes answers the same question without keeping them.
"""

import sys

import PySide6.QtCore  # noqa: F401  (installs the hook this module adjusts)


def _uses_pyside(module) -> bool:
    path = getattr(module, "__file__", None)
    if not isinstance(path, str) or not path.endswith(".py"):
        return False  # built-in, extension or frozen: the original answers False too
    try:
        with open(path, "rb") as source:
            return b"PySide6" in source.read()
    except OSError:
        return False


_feature = sys.modules.get("shibokensupport.feature")
if _feature is not None and callable(getattr(_feature, "_mod_uses_pyside", None)):
    _feature._mod_uses_pyside = _uses_pyside
