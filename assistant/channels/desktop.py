"""A desktop notification, where the session has a desktop to show it on."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping


def has_desktop(environ: Mapping[str, str] | None = None) -> bool:
    """A graphical session with a notification bus, and notify-send to reach it."""
    env = os.environ if environ is None else environ
    graphical = bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))
    return graphical and bool(env.get("DBUS_SESSION_BUS_ADDRESS")) and bool(shutil.which("notify-send"))


def notify(title: str, body: str, timeout_s: float = 10.0) -> str | None:
    """Show a notification; None when shown, else why it was not (never raises)."""
    if not has_desktop():
        return "no desktop session (DISPLAY and a D-Bus session with notify-send)"
    try:
        done = subprocess.run(["notify-send", "--app-name=CRM Assistant", title, body[:500]],
                              capture_output=True, text=True, timeout=timeout_s, check=False)
    except (OSError, subprocess.TimeoutExpired) as ex:
        return f"notify-send failed: {ex}"
    return None if done.returncode == 0 else f"notify-send failed: {done.stderr.strip()[:200]}"
