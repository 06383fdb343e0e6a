"""Chat-facing adapters over the analytics, complaint and knowledge modules."""

from __future__ import annotations

from typing import Any

from assistant.context import TurnContext
from assistant.records import CrmError, InvalidInput
from assistant.store import Store
from tools.customers import resolve


def churn_risks(store: Store, ctx: TurnContext, top: int = 10,
                quiet_days: int | None = None) -> Any:
    """Customers most likely to stop buying, ranked, with plain reasons and a suggested action;
    quiet_days=N lists only those with no order in the last N days (60 for "two months")."""
    from tools.churn import churn_page

    top = max(1, min(int(top or 10), 50))
    quiet = int(quiet_days) if quiet_days else None
    return churn_page(store, as_of=ctx.today.isoformat(), top=top, lang=ctx.lang, quiet_days=quiet)


def triage_complaint(store: Store, ctx: TurnContext, text: str) -> Any:
    """Classify a complaint's category, sentiment, severity, likely fault and language."""
    from tools.complaints import classify_complaint

    if not (text or "").strip():
        raise InvalidInput(ctx.t("Paste the complaint text to classify.", "请粘贴要分类的投诉内容。"))
    return classify_complaint(text)


def _complaint_for(store: Store, ctx: TurnContext, customer: str | None,
                   complaint_id: int | None) -> int:
    if complaint_id:
        return int(complaint_id)
    if not customer and ctx.last_complaint_id:
        return ctx.last_complaint_id
    c = resolve(store, ctx, customer or "")
    mine = store.complaints(c.id)
    if not mine:
        raise CrmError(ctx.t(f"{c.name} has no recorded complaint. Log it first.",
                             f"{c.name}没有投诉记录，请先登记投诉。"))
    open_ones = [k for k in mine if k.status != "resolved"]
    return (open_ones or mine)[0].id


def draft_complaint_reply(store: Store, ctx: TurnContext, index: Any, customer: str | None = None,
                          complaint_id: int | None = None, tone: str = "formal") -> Any:
    """Draft a reply to a customer's (latest open) complaint, following the shop's policy."""
    from tools.complaints import draft_reply

    cid = _complaint_for(store, ctx, customer, complaint_id)
    ctx.last_complaint_id = cid
    tone = tone if tone in ("formal", "warm", "brief") else "formal"
    return draft_reply(store, cid, tone=tone, index=index)


def suggest_actions(store: Store, ctx: TurnContext, index: Any, customer: str) -> Any:
    """What to do next for one customer, for their lifecycle stage, citing the playbook."""
    from tools.playbook import suggest_actions as suggest

    from tools.playbook import require_index

    require_index(index, ctx.lang)
    c = resolve(store, ctx, customer)
    return suggest(store, index, c.id, lang=ctx.lang, as_of=ctx.today.isoformat())


def search_playbook(ctx: TurnContext, index: Any, query: str, stage: str | None = None) -> list:
    """Best-practice advice from the shop's CRM playbook, with passage ids to cite."""
    from tools.playbook import require_index, search_playbook as search

    require_index(index, ctx.lang)
    stages = {"exploration", "formation", "stability", "decline"}
    return search(index, query, stage=stage if stage in stages else None, k=3)
