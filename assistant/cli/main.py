"""`crm`: the command group, and the commands over the store and the importer.

Each command imports what it uses when it runs, so `crm --help` and the other one-shot commands
start without loading pandas, scikit-learn, chromadb, LangChain or a model.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
from datetime import date
from pathlib import Path

import click

from assistant.cli import (
    backup,
    campaigns,
    chat,
    churn,
    complaints,
    customer,
    kb,
    segments,
    serve,
    today,
    users,
)
from assistant.cli.common import (
    CrmGroup,
    db_option,
    db_path,
    emit,
    fail,
    json_option,
    open_store,
    plain,
)
from assistant.core.csv_safe import write_csv
from assistant.core.records import CrmError


@click.group(cls=CrmGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="crm-assistant")
def cli() -> None:
    """CRM Assistant: customers, churn, complaints and advice for a small shop (zh + en)."""


@cli.command()
@db_option
@click.option("--demo", is_flag=True, help="Fill the new database with the demo coffee roaster.")
@click.option("--seed", default=7, show_default=True, help="Seed for the demo data.")
@click.option("--end", "end", default=None, help="Last day of demo history (default: today).")
@click.option("--force", is_flag=True, help="Replace an existing database file.")
def init(db: str | None, demo: bool, seed: int, end: str | None, force: bool) -> None:
    """Create a database (optionally with demo data)."""
    from assistant.importer.demo_shop import build_demo
    from assistant.lang.validate import iso_date
    from assistant.store import Store

    path = db_path(db)
    if path.exists():
        if not force:
            fail(f"{path} already exists. Use --force to replace it, or pick another --db.")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = Store.open(path)
    if demo:
        counts = build_demo(store, seed=seed, end=date.fromisoformat(iso_date(end)) if end else None)
        click.echo(f"Created demo shop at {path}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    else:
        click.echo(f"Created empty database at {path}")


def _parse_map(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        if "=" not in pair:
            fail(f"--map takes SRC=FIELD (e.g. --map 会员=name), not {pair!r}")
        src, dst = pair.split("=", 1)
        out[src.strip()] = dst.strip()
    return out


@cli.command("import")
@db_option
@click.argument("kind", type=click.Choice(["customers", "orders", "interactions"]))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--map", "maps", multiple=True, metavar="SRC=FIELD", help="Map a column to a field.")
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
@json_option
def import_(db: str | None, kind: str, file: str, maps: tuple[str, ...], dry_run: bool,
            as_json: bool) -> None:
    """Import customers, orders or interactions from CSV or XLSX (all rows or none)."""
    from assistant.core.records import ImportFailed
    from assistant.importer import import_file

    store = open_store(db, must_exist=False)
    try:
        result = import_file(store, kind, file, _parse_map(maps), dry_run=dry_run,
                             progress=sys.stderr.isatty())
    except ImportFailed as ex:
        if as_json:
            click.echo(json.dumps({"ok": False, "error": str(ex),
                                   "errors": [{"row": r, "reason": w} for r, w in ex.errors]},
                                  ensure_ascii=False, indent=2))
            sys.exit(1)
        raise
    if as_json:
        emit({"ok": True, **plain(result)}, True)
        return
    verb = "Would import" if dry_run else "Imported"
    extra = f", created {result.created_customers} new customers" if result.created_customers else ""
    updated = f", updated {result.updated}" if result.updated else ""
    click.echo(f"{verb} {result.inserted} {kind}{updated}{extra} from {Path(file).name}."
               + ("" if dry_run else " Undo with `crm undo`."))


@cli.command()
@db_option
@click.argument("query", required=False, default="")
@click.option("--limit", default=20, show_default=True)
@json_option
def customers(db: str | None, query: str, limit: int, as_json: bool) -> None:
    """List or search customers (names in any script, notes, phone, email)."""
    found = open_store(db).find_customers(query, limit=limit)
    emit(found, as_json, ["id", "external_id", "name", "city", "phone", "tags"])


@cli.command()
@db_option
@click.argument("customer")
@json_option
def show(db: str | None, customer: str, as_json: bool) -> None:
    """One customer's profile and timeline."""
    store = open_store(db)
    c = store.resolve_customer(customer)
    orders = store.orders(c.id)
    data = {
        "customer": plain(c),
        "orders": plain(orders[-20:]),
        "order_count": len(orders),
        "total_spent": round(sum(o.amount for o in orders), 2),
        "interactions": plain(store.interactions(c.id)[:10]),
        "complaints": plain(store.complaints(c.id)),
        "tasks": plain(store.tasks(c.id)),
    }
    if as_json:
        emit(data, True)
        return
    click.echo(f"{c.name}  (id {c.id}, {c.external_id or 'no external id'})  {c.city or ''}")
    for label, value in (("phone", c.phone), ("email", c.email), ("wechat", c.wechat),
                         ("tags", c.tags), ("notes", c.notes)):
        if value:
            click.echo(f"  {label}: {value}")
    click.echo(f"  {len(orders)} orders, {data['total_spent']:.2f} spent")
    for o in orders[-5:]:
        click.echo(f"    {o.date}  {o.amount:>8.2f}  ×{o.quantity:g}  {o.product or ''}")
    for i in store.interactions(c.id)[:5]:
        click.echo(f"  [{i.channel}] {i.date}: {i.summary}")
    for k in store.complaints(c.id):
        click.echo(f"  complaint #{k.id} {k.date} ({k.status}, {k.category}): {k.text[:60]}")
    for t in store.tasks(c.id):
        click.echo(f"  task #{t.id} due {t.due_date} ({t.status}): {t.title}")


@cli.command()
@db_option
def undo(db: str | None) -> None:
    """Revert the last action (an import counts as one); run again to go further back."""
    click.echo(f"Undid: {open_store(db).undo()}")


@cli.command()
@db_option
@click.option("--limit", default=20, show_default=True)
@json_option
def history(db: str | None, limit: int, as_json: bool) -> None:
    """Recent actions from the audit log."""
    emit(open_store(db).history(limit), as_json)


@cli.command()
@db_option
@click.argument("table", type=click.Choice(["customers", "orders", "interactions", "complaints",
                                            "tasks", "audit_log"]))
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File (default: stdout).")
def export(db: str | None, table: str, fmt: str, output: str | None) -> None:
    """Export a table as CSV (UTF-8 with BOM, opens in Excel) or JSON."""
    store = open_store(db)
    rows = store.export_rows(table)
    target = (open(output, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="")  # noqa: SIM115 - entered below
              if output else contextlib.nullcontext(sys.stdout))
    with target as out:
        if fmt == "json":
            json.dump(rows, out, ensure_ascii=False, indent=2)
            out.write("\n")
        else:
            # notes and imported cells are data: a cell starting with = + - @ is made inert
            write_csv(out, store.columns(table), rows)
    if output:
        click.echo(f"Wrote {len(rows)} rows to {output}", err=True)


# Each area registers its own commands; their heavy imports wait until a command runs.
for area in (churn, today, kb, complaints, chat, serve, backup, customer, users, segments,
             campaigns):
    area.register(cli)


def main() -> None:
    """Console entry point."""
    if sys.argv[1:2] != ["serve"]:
        # a one-shot command touches its arrays once. On VMs that hand freed memory back to
        # the host (this 2-core box), a first touch of numpy's transparent huge pages cost
        # 0.5-1.1 s per 400 MB against 0.2 s for 4 KB pages; in `crm churn` on 1M customers
        # the gain (up to 0.7 s) is mostly lost in the host's noise. The long-lived app
        # reuses the pages report after report and keeps them. Set before numpy is imported.
        os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    try:
        cli(standalone_mode=True)
    except CrmError as ex:  # raised outside a command (e.g. while registering)
        fail(str(ex))
    finally:
        # the process ends here: spare the interpreter's closing garbage collections the
        # objects everything imported and built (0.25 s after `crm churn` on 1M customers);
        # refcounting still frees them and the OS reclaims the rest
        gc.freeze()


if __name__ == "__main__":
    main()
