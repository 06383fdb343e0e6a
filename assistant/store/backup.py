"""Backups: online copies kept N deep, a check that a file is a sound CRM database, and restore.

How the app says it is running: the serving process holds a shared OS lock on `<db>.app-lock`
for as long as it lives (`app_lock.hold_app_lock`). `restore` takes it exclusively, so it refuses
while any app serves the file and no app can start mid-restore; the OS drops the lock when a
process dies, even under kill -9, so a crash never leaves a stale "running" flag behind. A
running app is refused outright rather than only while it writes, because its sessions hold
previews and ids of rows that a restore would replace under them. Other writers (a `crm`
command) are caught by a write-lock probe: restore takes SQLite's write lock for a moment and
refuses if another program holds it.

The swap itself is SQLite's backup API from the validated copy into the live file: one write
transaction, so a crash mid-swap leaves the old data, and any connection still open sees the new
data (renaming a file under an open WAL database could replay the old WAL onto the new file).
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from assistant.core.records import CrmError
from assistant.store.app_lock import AppLock
from assistant.store.database import BUSY_TIMEOUT_S, Store, is_busy, is_full
from assistant.store.migrations import MIGRATIONS

BACKUP_KEEP_SETTING = "backup_keep"
DEFAULT_KEEP = 7
CRM_TABLES = ("customers", "orders", "interactions", "complaints", "tasks", "actions",
              "audit_log", "settings")
_HEADER = b"SQLite format 3\x00"


class OwnerOnly(CrmError):
    """Only an owner may do this."""


def require_owner(role: str, what_en: str, what_zh: str) -> None:
    """Refuse unless the acting user is an owner."""
    if role != "owner":
        raise OwnerOnly(f"Only an owner may {what_en}. / 只有店主可以{what_zh}。")


def backup_folder(data_dir: Path) -> Path:
    """Where the app's daily backups go: `backups/` in the data folder."""
    return Path(data_dir) / "backups"


def keep_setting(store: Store) -> int:
    """How many daily backups to keep (setting `backup_keep`, default 7, at least 1)."""
    value = store.get_setting(BACKUP_KEEP_SETTING, DEFAULT_KEEP)
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return DEFAULT_KEEP


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S)


def _copy(source: sqlite3.Connection, target: Path) -> None:
    """source -> a self-contained single file at `target` (rollback journal, not WAL)."""
    dest = sqlite3.connect(str(target))
    try:
        source.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE")
        ok = dest.execute("PRAGMA quick_check").fetchone()[0]
        if ok != "ok":
            raise CrmError(f"The copy at {target} failed its check ({ok}); nothing was kept.")
    finally:
        dest.close()


def _remove(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _copy_to(source: sqlite3.Connection, target: Path) -> Path:
    """Copy via a `.partial` file renamed at the end, so a half-written copy never looks done."""
    partial = target.with_name(target.name + ".partial")
    try:
        _copy(source, partial)
        os.replace(partial, target)
    except (sqlite3.DatabaseError, OSError) as ex:
        _remove(partial)
        if is_full(ex) or getattr(ex, "errno", None) == 28:  # ENOSPC
            raise CrmError(f"The disk is full ({target.parent}): no backup was written. Free some "
                           f"space and try again. / 磁盘已满，未写入备份，请腾出空间后重试。") from None
        raise CrmError(f"Could not write the backup {target}: {ex}") from None
    except BaseException:
        _remove(partial)
        raise
    return target


def backup_to(db_path: Path, target: Path) -> Path:
    """An online backup of the database at `db_path` to exactly `target` (safe while it runs)."""
    db_path, target = Path(db_path), Path(target)
    if not db_path.is_file():
        raise CrmError(f"No database at {db_path}. Pass --db, or run `crm init` first.")
    if target.resolve() == db_path.resolve():
        raise CrmError("The backup must go to another file than the database itself.")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = _connect(db_path)
    try:
        return _copy_to(source, target)
    finally:
        source.close()


def _dated(folder: Path, db_path: Path) -> list[tuple[tuple[str, int], Path]]:
    """((stamp, number in that second), path) of each backup of this database, oldest first."""
    stem = Path(db_path).stem
    named = re.compile(rf"{re.escape(stem)}-(\d{{8}}-\d{{6}})(?:-(\d+))?\.db")
    found = []
    for path in Path(folder).glob(f"{stem}-*.db"):
        match = named.fullmatch(path.name)
        if match and path.is_file():
            found.append(((match[1], int(match[2] or 1)), path))
    return sorted(found)


def backups_in(folder: Path, db_path: Path) -> list[Path]:
    """The backups take_backup made of this database in `folder`, oldest first."""
    return [path for _, path in _dated(folder, db_path)]


def take_backup(db_path: Path, folder: Path, keep: int = DEFAULT_KEEP) -> Path:
    """An online backup into `folder` named `<db>-YYYYMMDD-HHMMSS.db`, keeping the newest `keep`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem, stamp = Path(db_path).stem, _stamp()
    # a second backup in the same second is numbered after every one already there
    same = [n for (when, n), _ in _dated(folder, db_path) if when == stamp]
    target = folder / (f"{stem}-{stamp}-{max(same) + 1}.db" if same else f"{stem}-{stamp}.db")
    made = backup_to(db_path, target)
    for old in backups_in(folder, db_path)[:-max(1, int(keep))]:
        _remove(old)
    return made


def daily_backup(store: Store, data_dir: Path) -> Path:
    """The app's scheduled backup: into `backups/` of the data folder, keeping `backup_keep`."""
    if store.path is None:
        raise CrmError("Backups need a database file.")
    return take_backup(store.path, backup_folder(data_dir), keep_setting(store))


@dataclass(frozen=True)
class BackupCheck:
    """What verify_backup found: ok, else the one problem; row counts and migrations applied."""

    path: Path
    ok: bool
    problem: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    migrations: tuple[str, ...] = ()
    last_action: str | None = None


def verify_backup(path: Path) -> BackupCheck:
    """Is `path` a CRM database: SQLite, integrity ok, the CRM tables, only known migrations."""
    path = Path(path)

    def bad(problem: str, **more: Any) -> BackupCheck:
        return BackupCheck(path, False, problem, **more)

    if not path.is_file():
        return bad(f"{path} does not exist or is not a file.")
    with open(path, "rb") as fh:
        if fh.read(len(_HEADER)) != _HEADER:
            return bad(f"{path.name} is not a SQLite database, so not a CRM backup.")
    try:
        conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    except sqlite3.DatabaseError as ex:
        return bad(f"{path.name} cannot be opened ({ex}).")
    try:
        problems = [r[0] for r in conn.execute("PRAGMA integrity_check(5)")]
        if problems != ["ok"]:
            return bad(f"{path.name} is damaged: integrity check says {'; '.join(problems)}.")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = [t for t in (*CRM_TABLES, "_sqlite_migrations") if t not in tables]
        if missing:
            return bad(f"{path.name} is a SQLite file but not a CRM database "
                       f"(no {', '.join(missing)} table).")
        applied = tuple(r[0] for r in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
            [MIGRATIONS.name]))
        known = {m.name for m in MIGRATIONS._migrations}
        newer = [m for m in applied if m not in known]
        counts = {t: int(conn.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0])
                  for t in CRM_TABLES[:5]}
        last = conn.execute("SELECT max(at) FROM actions").fetchone()[0]
        if newer:
            return bad(f"{path.name} was written by a newer version of CRM Assistant (schema "
                       f"{', '.join(newer)}); upgrade before restoring it.", counts=counts,
                       migrations=applied, last_action=last)
        return BackupCheck(path, True, None, counts, applied, last)
    except sqlite3.DatabaseError as ex:
        return bad(f"{path.name} cannot be read ({ex}).")
    finally:
        conn.close()


# -- restore ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    db_path: Path
    previous_copy: Path | None
    counts: dict[str, int]


def _refuse_running(db_path: Path) -> NoReturn:
    raise CrmError(f"The app is running on {db_path}: stop it (Ctrl+C in its window) and run the "
                   "restore again. / 应用正在使用这个数据库，请先关闭应用再恢复。")


def _probe_writers(live: sqlite3.Connection, db_path: Path) -> None:
    """Refuse when another program holds the write lock right now (an import, a confirm)."""
    live.execute("PRAGMA busy_timeout = 2000")
    try:
        live.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as ex:
        if is_busy(ex):
            raise CrmError(f"Another program is writing to {db_path} (an import, or the app); "
                           "wait until it finishes, then restore. / 有其他程序正在写入数据库，"
                           "请等它完成后再恢复。") from None
        raise
    live.rollback()
    live.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")


def restore(backup: Path, db_path: Path, actor: str = "owner", role: str = "owner") -> RestoreResult:
    """Replace the database at `db_path` with the backup: validate it, check its integrity and
    bring its schema up to date on a staging copy, keep the current file as a dated copy, then
    swap in one transaction. Refuses while the app runs or another program writes."""
    require_owner(role, "restore a backup", "恢复备份")
    backup, db_path = Path(backup), Path(db_path)
    check = verify_backup(backup)
    if not check.ok:
        raise CrmError(f"Not restored: {check.problem}")
    if db_path.exists() and backup.resolve() == db_path.resolve():
        raise CrmError("That is the database itself; pick a backup file.")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        guard = AppLock(db_path, exclusive=True)
    except CrmError:
        _refuse_running(db_path)
    with guard:
        staging = db_path.with_name(db_path.name + ".restoring")
        _remove(staging)
        try:
            source = sqlite3.connect(f"file:{backup.resolve()}?mode=ro", uri=True)
            try:
                _copy(source, staging)
            finally:
                source.close()
            store = Store.open(staging)  # runs any migrations the backup predates
            try:
                problems = [r[0] for r in store.db.execute("PRAGMA integrity_check(5)")]
                if problems != ["ok"]:
                    raise CrmError(f"Not restored: after migrating, the integrity check says "
                                   f"{'; '.join(problems)}.")
                with store.action(f"restored from backup {backup.name}", actor):
                    pass  # the restored file's own history says where it came from
                store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                store.close()
            previous = _swap(staging, db_path)
        finally:
            _remove(staging)
    return RestoreResult(backup, db_path, previous, check.counts)


def _swap(staging: Path, db_path: Path) -> Path | None:
    """Keep the live file as `<db>.before-restore-<stamp>.db`, then copy staging into it."""
    if not db_path.exists():
        source = sqlite3.connect(str(staging))
        try:
            _copy_to(source, db_path)
        finally:
            source.close()
        Store.open(db_path).close()  # back to WAL, as the app opens it
        return None
    live = _connect(db_path)
    try:
        _probe_writers(live, db_path)
        previous = db_path.with_name(f"{db_path.stem}.before-restore-{_stamp()}{db_path.suffix}")
        _copy_to(live, previous)
        source = sqlite3.connect(str(staging))
        try:
            source.backup(live)  # one write transaction on the live file
        finally:
            source.close()
        ok = live.execute("PRAGMA quick_check").fetchone()[0]
        if ok != "ok":  # pragma: no cover - the staging copy passed the full check
            raise CrmError(f"The restored database failed its check ({ok}); the previous data is "
                           f"kept at {previous}.")
        return previous
    finally:
        live.close()
