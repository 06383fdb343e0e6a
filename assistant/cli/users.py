"""`crm user`: the accounts staff and owners sign in to the app with.

The command line itself acts as the shop's owner: whoever can run it can open the file anyway.
Each command imports what it uses when it runs, so `crm --help` starts quickly.
"""

from __future__ import annotations

import sys

import click

from assistant.cli.common import db_option, emit, fail, json_option, open_store


def register(group: click.Group) -> None:
    """Add `crm user` (add, passwd, list, remove) to the `crm` group."""
    group.add_command(user)


def _accounts(db: str | None, must_exist: bool = True) -> object:
    from assistant.store.accounts import Accounts

    return Accounts(open_store(db, must_exist=must_exist))


def _password(from_stdin: bool) -> str:
    """The new password: one line of stdin, or typed twice without echo."""
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            fail("--password-stdin read an empty line; pipe the password in, e.g. "
                 "`printf '%s\\n' \"$PASS\" | crm user add …`.")
        return line
    return click.prompt("Password / 密码", hide_input=True, confirmation_prompt=True)


@click.group()
def user() -> None:
    """Accounts for the web app: owners and staff."""


@user.command("add")
@db_option
@click.argument("name")
@click.option("--role", type=click.Choice(["owner", "staff"]), required=True,
              help="owner: everything; staff: chat, look up, log activities, orders, tasks and "
                   "complaints, draft replies.")
@click.option("--password-stdin", is_flag=True, help="Read the password from one line of stdin.")
def add(db: str | None, name: str, role: str, password_stdin: bool) -> None:
    """Add an account (the first one must be an owner)."""
    accounts = _accounts(db, must_exist=False)
    added = accounts.add(name, role, _password(password_stdin))
    click.echo(f"Added {added.role} {added.name}. Restart the app if it is running without "
               "sign-in, so it asks everyone to sign in.")


@user.command("passwd")
@db_option
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from one line of stdin.")
def passwd(db: str | None, name: str, password_stdin: bool) -> None:
    """Set a new password for an account."""
    accounts = _accounts(db)
    accounts.existing(name)  # before asking for a password nobody can use
    accounts.set_password(name, _password(password_stdin))
    click.echo(f"New password set for {name}.")


@user.command("list")
@db_option
@json_option
def list_(db: str | None, as_json: bool) -> None:
    """Every account and its role (never a password)."""
    emit(_accounts(db).list(), as_json, ["name", "role", "created_at", "updated_at"])


@user.command("remove")
@db_option
@click.argument("name")
def remove(db: str | None, name: str) -> None:
    """Remove an account (never the last owner)."""
    _accounts(db).remove(name)
    click.echo(f"Removed {name}. Their past actions keep their name in the history.")
