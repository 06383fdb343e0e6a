"""`crm backup` and `crm restore`: online copies of the database, checked, and putting one back.

The command line runs as the shop's owner (it has the file itself), so both are allowed here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from assistant.cli.common import db_option, db_path, emit, fail, json_option


def register(group: click.Group) -> None:
    """Add `crm backup` and `crm restore` to the `crm` group."""
    group.add_command(backup)
    group.add_command(restore)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {table}" for table, n in counts.items())


@click.command()
@db_option
@click.argument("file", type=click.Path())
@click.option("--verify", is_flag=True,
              help="Only check FILE (an existing backup): a CRM database, integrity ok, a schema "
                   "this version knows. Writes nothing.")
@click.option("--keep", type=click.IntRange(1, 1000), default=None,
              help="When FILE is a folder: keep this many backups there (default: the "
                   "`backup_keep` setting, 7).")
@json_option
def backup(db: str | None, file: str, verify: bool, keep: int | None, as_json: bool) -> None:
    """Copy the database to FILE (safe while the app runs); FILE may be a folder of dated copies."""
    from assistant.store.backup import DEFAULT_KEEP, backup_to, take_backup, verify_backup

    target = Path(file)
    if verify:
        check = verify_backup(target)
        if as_json:
            emit({"ok": check.ok, "problem": check.problem, "counts": check.counts,
                  "migrations": list(check.migrations), "last_action": check.last_action}, True)
            sys.exit(0 if check.ok else 1)
        if not check.ok:
            fail(str(check.problem))
        click.echo(f"OK: {target} is a sound CRM database ({_counts(check.counts)}; last change "
                   f"{check.last_action or 'none'}).")
        return
    source = db_path(db)
    if target.is_dir():
        if keep is None:
            keep = _kept(source, DEFAULT_KEEP)
        made = take_backup(source, target, keep)
    else:
        made = backup_to(source, target)
    check = verify_backup(made)
    if not check.ok:
        fail(f"The backup at {made} did not pass its check: {check.problem}")
    if as_json:
        emit({"ok": True, "path": str(made), "counts": check.counts}, True)
        return
    click.echo(f"Backed up to {made} ({_counts(check.counts)}); checked: integrity ok.")


def _kept(source: Path, default: int) -> int:
    from assistant.store import Store
    from assistant.store.backup import keep_setting

    if not source.is_file():
        return default
    store = Store.open(source)
    try:
        return keep_setting(store)
    finally:
        store.close()


@click.command()
@db_option
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(db: str | None, file: str, yes: bool) -> None:
    """Replace the database with the backup FILE (the current one is kept as a dated copy).

    Refused while the app runs on the database or another program writes to it.
    """
    from assistant.store.app_lock import app_running
    from assistant.store.backup import restore as restore_backup
    from assistant.store.backup import verify_backup

    target = db_path(db)
    check = verify_backup(Path(file))
    if not check.ok:
        fail(f"Not restored: {check.problem}")
    if app_running(target):
        fail(f"The app is running on {target}: stop it first, then restore.")
    if not yes:
        if not sys.stdin.isatty():
            fail("Restoring replaces the database; add --yes to confirm.")
        click.echo(f"{file}: {_counts(check.counts)}; last change {check.last_action or 'none'}.")
        if not click.confirm(f"Replace {target} with it? The current file is kept as a dated copy"):
            fail("Not restored.")
    done = restore_backup(Path(file), target, actor="owner", role="owner")
    kept = f" The previous data is kept at {done.previous_copy}." if done.previous_copy else ""
    click.echo(f"Restored {target} from {file} ({_counts(done.counts)}).{kept}")
