"""Complaint tools: triage a text, draft a policy-bounded reply, propose a status change."""

from __future__ import annotations

import re
from typing import Any

from assistant.complaints.service import draft_reply
from assistant.complaints.triage import Triage, classify
from assistant.complaints.triage import warm_up as _train_triage
from assistant.core.context import TurnContext
from assistant.core.records import CrmError, InvalidInput, Plan, Write
from assistant.store import Store
from tools.customers import resolve


def warm_up_triage() -> None:
    """Train the triage classifiers ahead of the first complaint (the app does it at start)."""
    _train_triage()


def triage_complaint(store: Store, ctx: TurnContext, text: str) -> Triage:
    """Classify a complaint's category, sentiment, severity, likely fault and language."""
    if not (text or "").strip():
        raise InvalidInput(ctx.t("Paste the complaint text to classify.", "请粘贴要分类的投诉内容。"))
    return classify(text)


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
    cid = _complaint_for(store, ctx, customer, complaint_id)
    ctx.last_complaint_id = cid
    tone = tone if tone in ("formal", "warm", "brief") else "formal"
    return draft_reply(store, cid, tone=tone, index=index)


_WORDS = re.compile(r"\s+")


def set_complaint_status(store: Store, ctx: TurnContext, status: str, complaint_id: int | None = None,
                         customer: str | None = None) -> Plan:
    """Move a complaint to open, in_progress or resolved: by its id, or a customer's latest open one."""
    aliases = {"resolved": "resolved", "done": "resolved", "closed": "resolved", "解决": "resolved",
               "已解决": "resolved", "处理中": "in_progress", "in progress": "in_progress",
               "in_progress": "in_progress", "open": "open", "reopen": "open", "打开": "open"}
    key = _WORDS.sub(" ", (status or "").strip().lower())
    if key not in aliases:
        raise InvalidInput(ctx.t("Status must be open, in_progress or resolved.",
                                 "状态只能是 open（未处理）、in_progress（处理中）或 resolved（已解决）。"))
    k = store.get_complaint(_complaint_for(store, ctx, customer, complaint_id))
    values: dict = {"status": aliases[key]}
    if aliases[key] == "resolved":
        values["resolved_at"] = ctx.today.isoformat()
    line = ctx.t(f"Complaint #{k.id}: {k.status} → {values['status']}",
                 f"投诉 #{k.id}：{k.status} → {values['status']}")
    return Plan((Write("complaints", "update", values, row_id=k.id, summary=line),), (line,),
                k.customer_id)
