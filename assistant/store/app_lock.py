"""Is the app running on a database file? An OS lock on `<db>.app-lock` says so.

The serving process holds a shared lock for as long as it lives (`hold_app_lock`); a restore
takes it exclusively, so it refuses while any app serves the file and no app can start
mid-restore. The OS drops the lock when a process dies, even under kill -9, so a crash never
leaves a stale "running" flag behind (a flag file or a pid file would).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Self

from assistant.core.records import CrmError


def lock_path(db_path: Path) -> Path:
    """The file the serving app keeps locked while it runs."""
    return Path(f"{Path(db_path)}.app-lock")


def _try_lock(handle: IO[bytes], exclusive: bool) -> bool:
    if sys.platform == "win32":  # pragma: no cover - Windows has byte-range locks only
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl

    try:
        fcntl.flock(handle.fileno(), (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


class AppLock:
    """An OS lock on `<db>.app-lock`, held until release() (or until the process ends)."""

    def __init__(self, db_path: Path, exclusive: bool):
        path = lock_path(db_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handle: IO[bytes] | None = open(path, "a+b")  # noqa: SIM115 - held for the lock's life
        if not _try_lock(self._handle, exclusive):
            self._handle.close()
            self._handle = None
            raise CrmError("locked")

    def release(self) -> None:
        """Give the lock back."""
        if self._handle is not None:
            self._handle.close()  # closing drops the flock
            self._handle = None
        if self in _HELD:
            _HELD.remove(self)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


_HELD: list[AppLock] = []  # the serving process's locks live as long as it does


def hold_app_lock(db_path: Path) -> AppLock:
    """Called by the serving app at start: says "the app runs on this file" until it exits (or
    release()). Several apps may share a file; a restore in progress makes this refuse."""
    try:
        held = AppLock(db_path, exclusive=False)
    except CrmError:
        raise CrmError(f"A restore of {db_path} is in progress; start the app when it finishes. "
                       "/ 正在恢复数据库，请等恢复完成后再启动应用。") from None
    _HELD.append(held)
    return held


def app_running(db_path: Path) -> bool:
    """Whether an app holds the file (a probe: takes and drops the lock at once)."""
    try:
        AppLock(db_path, exclusive=True).release()
        return False
    except CrmError:
        return True
