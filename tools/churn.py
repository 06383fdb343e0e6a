"""Churn and loyalty tools: who is likely to stop buying, and who the loyal regulars are."""

from __future__ import annotations

from assistant.analytics.churn_report import ChurnPage, churn_page, loyal_page
from assistant.core.context import TurnContext
from assistant.store import Store


def churn_risks(store: Store, ctx: TurnContext, top: int = 10,
                quiet_days: int | None = None) -> ChurnPage:
    """Customers most likely to stop buying, ranked, with plain reasons and a suggested action;
    quiet_days=N lists only those with no order in the last N days (60 for "two months")."""
    top = max(1, min(int(top or 10), 50))
    quiet = int(quiet_days) if quiet_days else None
    return churn_page(store, as_of=ctx.today.isoformat(), top=top, lang=ctx.lang, quiet_days=quiet)


def loyal_customers(store: Store, ctx: TurnContext, top: int = 10) -> ChurnPage:
    """The shop's loyal regulars (stability stage, champions), most valuable first, with what
    keeps them coming: their rhythm and what they usually buy."""
    top = max(1, min(int(top or 10), 50))
    return loyal_page(store, as_of=ctx.today.isoformat(), top=top, lang=ctx.lang)
