"""`crm customer export|forget`: a customer's own data as JSON, and erasure on their request.

The command line runs as the shop's owner, the only role allowed to erase.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from assistant.cli.common import CrmGroup, db_option, fail, open_store


def register(group: click.Group) -> None:
    """Add `crm customer` to the `crm` group."""
    group.add_command(customer)


@click.group(cls=CrmGroup)
def customer() -> None:
    """One customer's data: export it for them, or forget them (PIPL / GDPR)."""


def _id(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        fail(f"Give the customer's numeric id, not {value!r} (`crm customers NAME` shows ids).")
        raise  # unreachable: fail exits


@customer.command("export")
@db_option
@click.argument("customer_id")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File (default: stdout).")
def export_customer(db: str | None, customer_id: str, output: str | None) -> None:
    """Everything stored about customer ID, as JSON (their copy of their data)."""
    from assistant.store.erasure import customer_data

    data = customer_data(open_store(db), _id(customer_id))
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
        click.echo(f"Wrote customer {customer_id}'s data to {output}", err=True)
    else:
        click.echo(text)


@customer.command("forget")
@db_option
@click.argument("customer_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def forget(db: str | None, customer_id: str, yes: bool) -> None:
    """Erase customer ID everywhere, audit images and chat log included. Cannot be undone."""
    from assistant.store.erasure import erase_customer, erasure_preview

    store = open_store(db)
    preview = erasure_preview(store, _id(customer_id))
    shown = ", ".join(f"{n} {table}" for table, n in preview.deleted.items())
    if not yes:
        if not sys.stdin.isatty():
            fail("Erasing a customer cannot be undone; add --yes to confirm.")
        click.echo(f"{preview.name} (id {preview.customer_id}): will delete {shown}.")
        if not click.confirm("Erase them for good? This cannot be undone"):
            fail("Nothing was erased.")
    done = erase_customer(store, preview.customer_id, actor="owner", role="owner")
    click.echo(f"Erased customer {done.customer_id}: deleted "
               + ", ".join(f"{n} {table}" for table, n in done.deleted.items())
               + ". Backups made before now still hold them until they age out.")
