"""`crm churn`: who is likely to stop buying, and why.

Each command imports what it uses when it runs, so `crm --help` and the other one-shot commands
start without loading pandas, scikit-learn, chromadb, LangChain or a model.
"""

from __future__ import annotations

import click

from assistant.cli.common import db_option, emit, fail, json_option, open_store

HEADERS = {
    "en": ("id", "name", "risk", "churn %", "next purchase", "stage", "segment", "clv", "why"),
    "zh": ("编号", "姓名", "风险", "流失概率%", "预计下次购买", "阶段", "分群", "预测价值", "原因"),
}
RISK_ZH = {"high": "高", "medium": "中", "low": "低"}


def register(group: click.Group) -> None:
    """Add `churn` to the `crm` CLI."""
    group.add_command(churn)


@click.command()
@db_option
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD",
              help="Score as of this date; only orders dated on or before it count (default: today).")
@click.option("--horizon", type=click.IntRange(1, 3650), default=None, metavar="DAYS",
              help="Churn = no purchase within DAYS (default: twice the shop's typical gap).")
@click.option("--top", type=click.IntRange(1), default=20, show_default=True,
              help="How many customers to list, riskiest and most valuable first.")
@click.option("--all", "show_all", is_flag=True, help="List every customer.")
@click.option("--quiet-days", type=click.IntRange(1, 3650), default=None, metavar="DAYS",
              help="Only customers whose last order is DAYS or more days old (60: two months).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language of the reasons and the table.")
@json_option
def churn(db: str | None, as_of: str | None, horizon: int | None, top: int, show_all: bool,
          quiet_days: int | None, lang: str, as_json: bool) -> None:
    """Churn risk, next purchase, lifecycle stage and value per customer, with reasons."""
    from assistant.analytics.churn_report import SEGMENT_LABELS, STAGE_LABELS, churn_report
    from assistant.core.records import CrmError
    from assistant.lang.validate import iso_date

    try:
        when = iso_date(as_of) if as_of else None
    except CrmError as ex:
        fail(str(ex))
    store = open_store(db)
    try:
        rows = churn_report(store, as_of=when, horizon=horizon, top=None if show_all else top,
                            lang=lang, quiet_days=quiet_days)
    except CrmError as ex:
        fail(str(ex))
    if as_json:
        emit(rows, True)
        return
    heads = HEADERS[lang]
    table = [dict(zip(heads, (
        r.customer_id, r.name, RISK_ZH[r.risk] if lang == "zh" else r.risk,
        f"{100 * r.churn_probability:.0f}", r.expected_next_purchase or "-",
        STAGE_LABELS[r.stage][lang], SEGMENT_LABELS[r.segment][lang], f"{r.clv:.0f}",
        r.reasons[0] if r.reasons else "",
    ))) for r in rows]
    if rows:
        note = (f"截至 {rows[0].as_of}，流失 = {rows[0].horizon_days} 天内不再购买" if lang == "zh"
                else f"as of {rows[0].as_of}; churn = no purchase within {rows[0].horizon_days} days")
        click.echo(note)
    emit(table, False, table_columns=heads)
