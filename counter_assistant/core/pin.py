"""Supervisor PIN: stored only as a salted PBKDF2 hash."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 200_000
SALT_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_pin(pin: str, *, iterations: int = ITERATIONS) -> str:
    """'pbkdf2_sha256$<iterations>$<salt>$<hash>' for a non-empty PIN."""
    if not isinstance(pin, str) or not pin.strip():
        raise ValueError("PIN must not be empty")
    salt = os.urandom(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), salt, iterations)
    return f"{ALGORITHM}${iterations}${_b64(salt)}${_b64(digest)}"


def verify_pin(pin: str, stored: str | None) -> bool:
    """True when pin matches the stored hash; False for a malformed or empty hash."""
    if not pin or not stored:
        return False
    try:
        algorithm, iterations, salt, digest = stored.strip().split("$")
        if algorithm != ALGORITHM or not 1 <= int(iterations) <= 10_000_000:
            return False
        salt_bytes = base64.b64decode(salt, validate=True)
        expected = base64.b64decode(digest, validate=True)
    except (ValueError, TypeError):
        return False
    actual = hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), salt_bytes, int(iterations))
    return hmac.compare_digest(actual, expected)


MIN_DIGITS = 6
MIN_PASSPHRASE = 8


def pin_problem(pin: str) -> str | None:
    """Why a new PIN is too weak, or None: at least six digits, or a passphrase."""
    pin = pin or ""
    if pin.isdigit() and len(pin) >= MIN_DIGITS:
        return None
    if not pin.isdigit() and len(pin.strip()) >= MIN_PASSPHRASE:
        return None
    return (
        f"a PIN is at least {MIN_DIGITS} digits, or a passphrase of at least "
        f"{MIN_PASSPHRASE} characters"
    )


class PinGuard:
    """Wrong PIN tries wait longer each time (1, 2, 4 … 300 s), across restarts.

    The state file is the clerk's own: this slows a curious clerk at the counter PC, it
    is no protection against someone who can read the config's hash or edit files.
    """

    MAX_WAIT = 300.0

    def __init__(self, state_file: Path, clock: Callable[[], float] = time.time) -> None:
        self.state_file = state_file
        self.clock = clock

    def _load(self) -> tuple[int, float]:
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
            return int(data.get("failures", 0)), float(data.get("until", 0.0))
        except (OSError, ValueError, TypeError, AttributeError):
            return 0, 0.0

    def _save(self, failures: int, until: float) -> None:
        try:
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.state_file.with_suffix(".tmp")
            tmp.write_text(json.dumps({"failures": failures, "until": until}), encoding="utf-8")
            tmp.replace(self.state_file)
        except OSError:
            pass  # the delay then only holds while the app runs

    def wait_seconds(self) -> float:
        """How long until the next try is allowed (0: now)."""
        _failures, until = self._load()
        return max(0.0, until - self.clock())

    def check(self, pin: str, stored: str | None) -> bool:
        """Verify one try; a wrong one (or one made too early) counts and sets the wait."""
        failures, until = self._load()
        if self.clock() < until:
            return False
        if verify_pin(pin, stored):
            self._save(0, 0.0)
            return True
        failures += 1
        self._save(failures, self.clock() + min(self.MAX_WAIT, 2.0 ** (failures - 1)))
        return False
