"""`crm complaint ...`: classify, log, list, draft, status and report.

Each command imports what it uses when it runs, so `crm --help` and the other one-shot commands
start without loading pandas, scikit-learn, chromadb, LangChain or a model.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from assistant.cli.common import CrmGroup, db_option, emit, fail, json_option, open_store

LIST_COLUMNS = ("id", "customer_id", "date", "category", "severity", "fault", "status", "text")


def register(group: click.Group) -> None:
    """Add the `complaint` command group to the `crm` CLI."""
    group.add_command(complaint)


@click.group(cls=CrmGroup)
def complaint() -> None:
    """Triage, track and answer customer complaints."""


def _triage_dict(t) -> dict:
    return {**asdict(t), "sources": t.sources}


@complaint.command("classify")
@click.argument("text", required=False)
@click.option("--file", "file", type=click.Path(exists=True, dir_okay=False),
              help="Classify every non-empty line of FILE (UTF-8); prints a list in input order.")
@json_option
def classify_cmd(text: str | None, file: str | None, as_json: bool) -> None:
    """Classify TEXT (or each line of --file) without saving anything."""
    from assistant.complaints.triage import classify

    if file and text:
        fail("Give either TEXT or --file, not both.")
    if file:
        lines = [ln.strip() for ln in Path(file).read_text("utf-8-sig").splitlines()]
        results = [_triage_dict(classify(ln)) for ln in lines if ln]  # model trained once, reused
        emit(results, as_json, table_columns=("is_complaint", "category", "severity", "fault",
                                              "sentiment", "language"))
        return
    if not text:
        fail("Give the complaint text, e.g. crm complaint classify \"The parcel never came\".")
    emit(_triage_dict(classify(text)), as_json)


@complaint.command("log")
@click.argument("customer")
@click.argument("text")
@click.option("--date", default=None, help="YYYY-MM-DD (default: today).")
@db_option
@json_option
def log_cmd(customer: str, text: str, date: str | None, db: str | None, as_json: bool) -> None:
    """Triage TEXT and record it as a complaint from CUSTOMER (name or id)."""
    from assistant.complaints.service import log_complaint

    store = open_store(db)
    emit(log_complaint(store, customer, text, date=date), as_json)


@complaint.command("list")
@click.option("--status", type=click.Choice(["open", "in_progress", "resolved"]), default=None)
@click.option("--customer", default=None, help="Only this customer's complaints (name or id).")
@db_option
@json_option
def list_cmd(status: str | None, customer: str | None, db: str | None, as_json: bool) -> None:
    """List complaints, newest first."""
    store = open_store(db)
    customer_id = store.resolve_customer(customer).id if customer else None
    rows = sorted(store.complaints(customer_id=customer_id, status=status),
                  key=lambda c: (c.date or "", c.id), reverse=True)
    data = [asdict(c) for c in rows]
    if not as_json:
        for row in data:
            row["text"] = row["text"][:40] + ("…" if len(row["text"]) > 40 else "")
    emit(data, as_json, table_columns=LIST_COLUMNS)


@complaint.command("draft")
@click.argument("complaint_id", type=int)
@click.option("--tone", type=click.Choice(["formal", "warm", "brief"]), default="formal")
@click.option("--save", is_flag=True, help="Store the draft on the complaint.")
@db_option
@json_option
def draft_cmd(complaint_id: int, tone: str, save: bool, db: str | None, as_json: bool) -> None:
    """Draft a reply to complaint ID that follows the shop's policy."""
    from assistant.complaints.service import draft_reply, save_reply

    store = open_store(db)
    draft = draft_reply(store, complaint_id, tone=tone)
    if save:
        save_reply(store, complaint_id, draft.text)
    if as_json:
        emit(draft, True)
        return
    click.echo(draft.text)
    failed = [name for name, ok in draft.checks.items() if not ok]
    if failed:
        click.echo(f"\n[checks failed: {', '.join(failed)}]", err=True)


@complaint.command("status")
@click.argument("complaint_id", type=int)
@click.argument("status", type=click.Choice(["open", "in_progress", "resolved"]))
@db_option
@json_option
def status_cmd(complaint_id: int, status: str, db: str | None, as_json: bool) -> None:
    """Move complaint ID to STATUS."""
    from assistant.complaints.service import set_status

    emit(set_status(open_store(db), complaint_id, status), as_json)


@complaint.command("report")
@db_option
@json_option
def report_cmd(db: str | None, as_json: bool) -> None:
    """What keeps going wrong: categories by month and repeat complainers."""
    from assistant.complaints.service import recurrence_report

    report = recurrence_report(open_store(db))
    if as_json:
        emit(report, True)
        return
    click.echo(f"complaints: {report['total']} (open {report['open']}, "
               f"in progress {report['in_progress']})")
    for month, cats in report["by_month"].items():
        click.echo(f"{month}: " + ", ".join(f"{c} {n}" for c, n in cats.items()))
    if report["repeat_complainers"]:
        click.echo("repeat complainers:")
        emit(report["repeat_complainers"], False,
             table_columns=("customer_id", "name", "complaints", "open", "last_date"))
