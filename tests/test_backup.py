"""Backups: online copies kept N deep, verification, and a restore that refuses a running app."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli.main import cli
from assistant.core.records import CrmError
from assistant.store import Store
from assistant.store.app_lock import AppLock, app_running, hold_app_lock
from assistant.store.backup import (
    OwnerOnly,
    backups_in,
    daily_backup,
    keep_setting,
    restore,
    take_backup,
    verify_backup,
)
from assistant.store.migrations import MIGRATIONS


def crm(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def names(path: Path) -> set[str]:
    return {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM customers")}


def test_take_backup_keeps_the_newest_n_and_each_is_sound(store, tmp_path):
    folder = tmp_path / "backups"
    made = []
    for i in range(4):
        store.add_customer(f"Customer {i}")
        made.append(take_backup(store.path, folder, keep=2))
    kept = backups_in(folder, store.path)
    assert kept == made[-2:] and all(verify_backup(p).ok for p in kept)
    assert names(kept[-1]) == {f"Customer {i}" for i in range(4)}
    assert not list(folder.glob("*.partial")) and not list(folder.glob("*-wal"))
    # a backup is one self-contained file (rollback journal, not WAL)
    assert sqlite3.connect(kept[-1]).execute("PRAGMA journal_mode").fetchone() == ("delete",)


def test_keep_setting_defaults_to_seven(store, tmp_path):
    assert keep_setting(store) == 7
    for _ in range(9):
        made = daily_backup(store, tmp_path / "data")
    assert made.parent == tmp_path / "data" / "backups"
    assert len(backups_in(made.parent, store.path)) == 7
    store.set_setting("backup_keep", 3)
    assert keep_setting(store) == 3
    store.set_setting("backup_keep", "nonsense")
    assert keep_setting(store) == 7


def test_online_backup_while_another_connection_writes(store, tmp_path):
    writer = Store.open(store.path)
    stop = threading.Event()

    def write():
        i = 0
        while not stop.is_set():
            writer.add_customer(f"w{i}")
            i += 1

    thread = threading.Thread(target=write)
    thread.start()
    try:
        copies = [take_backup(store.path, tmp_path / "b", keep=10) for _ in range(5)]
    finally:
        stop.set()
        thread.join()
        writer.close()
    sizes = [verify_backup(p).counts["customers"] for p in copies]
    assert all(verify_backup(p).ok for p in copies) and sizes == sorted(sizes)


def test_verify_rejects_what_is_not_a_sound_crm_database(store, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"hello, this is not sqlite" * 100)
    assert "not a SQLite database" in verify_backup(junk).problem
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)")
    assert "not a CRM database" in verify_backup(other).problem
    assert "does not exist" in verify_backup(tmp_path / "missing.db").problem
    # a file from a newer version of the app
    newer = take_backup(store.path, tmp_path / "b", keep=5)
    with sqlite3.connect(newer) as conn:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                     " VALUES ('crm', 'm999_future', '2099')")
    assert "newer version" in verify_backup(newer).problem
    # a damaged file: overwrite pages in the middle
    for i in range(300):
        store.add_customer(f"Filler {i}", notes="x" * 200)
    damaged = take_backup(store.path, tmp_path / "d", keep=5)
    data = bytearray(damaged.read_bytes())
    page = 4096
    data[page * 3: page * 6] = b"\xff" * (page * 3)
    damaged.write_bytes(bytes(data))
    check = verify_backup(damaged)
    assert not check.ok and ("damaged" in check.problem or "cannot be read" in check.problem)


def test_restore_swaps_in_the_backup_and_keeps_the_current_file(store, tmp_path):
    store.add_customer("Before")
    copy = take_backup(store.path, tmp_path / "b")
    store.add_customer("After")
    other = Store.open(store.path)  # a connection open during the restore sees the new data
    store.close()
    done = restore(copy, other.path)
    assert names(other.path) == {"Before"} and [c.name for c in other.find_customers("", 5)] == [
        "Before"]
    assert names(done.previous_copy) == {"Before", "After"}
    assert done.previous_copy.name.startswith("crm.before-restore-")
    history = [h["description"] for h in other.history(3)]
    assert history[0] == f"restored from backup {copy.name}"
    assert sqlite3.connect(other.path).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    other.close()


def test_restore_runs_the_migrations_an_older_backup_lacks(tmp_path):
    old = tmp_path / "old.db"
    conn = sqlite3.connect(old)
    from sqlite_utils import Database

    db = Database(conn)
    MIGRATIONS.apply(db, stop_before=MIGRATIONS._migrations[3].name)
    db.table("customers").insert({"name": "Old timer", "name_key": "old timer"})
    conn.close()
    check = verify_backup(old)
    assert check.ok and len(check.migrations) == 3
    live = Store.open(tmp_path / "crm.db")
    live.close()
    restore(old, tmp_path / "crm.db")
    applied = [r[0] for r in sqlite3.connect(tmp_path / "crm.db").execute(
        "SELECT name FROM _sqlite_migrations")]
    assert sorted(applied) == sorted(m.name for m in MIGRATIONS._migrations)
    assert names(tmp_path / "crm.db") == {"Old timer"}


def test_restore_refuses_while_the_app_runs_or_another_program_writes(store, tmp_path):
    store.add_customer("Live")
    copy = take_backup(store.path, tmp_path / "b")
    store.add_customer("Newer")
    held = hold_app_lock(store.path)
    try:
        assert app_running(store.path)
        with pytest.raises(CrmError, match="app is running"):
            restore(copy, store.path)
    finally:
        held.release()
    assert not app_running(store.path)
    # another program inside a write transaction
    writer = sqlite3.connect(store.path)
    writer.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(CrmError, match="Another program is writing"):
            restore(copy, store.path)
    finally:
        writer.rollback()
    assert names(store.path) == {"Live", "Newer"}
    # while a restore holds the file, an app cannot start on it
    with AppLock(store.path, exclusive=True), pytest.raises(CrmError, match="restore"):
        hold_app_lock(store.path)
    with pytest.raises(OwnerOnly):
        restore(copy, store.path, actor="amy", role="staff")


def test_restore_refuses_a_file_that_is_not_a_crm_backup(store, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_text("nope")
    with pytest.raises(CrmError, match="Not restored"):
        restore(junk, store.path)


def test_cli_backup_verify_restore(tmp_path):
    db = tmp_path / "crm.db"
    assert crm("init", "--demo", "--db", db, "--end", "2026-11-01").exit_code == 0
    out = crm("backup", tmp_path / "copy.db", "--db", db)
    assert out.exit_code == 0 and "integrity ok" in out.output
    assert "sound CRM database" in crm("backup", tmp_path / "copy.db", "--verify").output
    junk = tmp_path / "junk.db"
    junk.write_text("nope")
    bad = crm("backup", junk, "--verify")
    assert bad.exit_code == 1 and bad.output.startswith("Error: ") and len(bad.output.splitlines()) == 1
    folder = tmp_path / "daily"
    folder.mkdir()
    for _ in range(3):
        assert crm("backup", folder, "--keep", "2", "--db", db).exit_code == 0
    assert len(list(folder.glob("*.db"))) == 2
    assert crm("customer", "forget", "2", "--yes", "--db", db).exit_code == 0
    refused = crm("restore", tmp_path / "copy.db", "--db", db)  # no --yes, no terminal
    assert refused.exit_code == 1 and "--yes" in refused.output
    done = crm("restore", tmp_path / "copy.db", "--db", db, "--yes")
    assert done.exit_code == 0 and "previous data is kept" in done.output
    assert "李娜" in names(db)
