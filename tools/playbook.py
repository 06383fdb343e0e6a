"""Playbook tools: next steps for one customer's stage, and best-practice search, with citations."""

from __future__ import annotations

from typing import Any

from assistant.analytics.playbook import STAGES, Suggestion, require_index, search, suggestions_for
from assistant.core.context import TurnContext
from assistant.core.records import Passage
from assistant.store import Store
from tools.customers import resolve


def suggest_actions(store: Store, ctx: TurnContext, index: Any, customer: str) -> list[Suggestion]:
    """What to do next for one customer, for their lifecycle stage, citing the playbook."""
    require_index(index, ctx.lang)
    c = resolve(store, ctx, customer)
    return suggestions_for(store, index, c.id, lang=ctx.lang, as_of=ctx.today.isoformat())


def search_playbook(ctx: TurnContext, index: Any, query: str,
                    stage: str | None = None) -> list[Passage]:
    """Best-practice advice from the shop's CRM playbook, with passage ids to cite."""
    require_index(index, ctx.lang)
    return search(index, query, stage=stage if stage in STAGES else None, k=3)
