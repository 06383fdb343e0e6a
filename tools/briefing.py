"""The morning briefing as a chat tool: "今天该联系谁？" / "what should I do today?"."""

from __future__ import annotations

from assistant.analytics.briefing import Briefing, today
from assistant.core.context import TurnContext
from assistant.store import Store


def daily_briefing(store: Store, ctx: TurnContext, top: int = 7) -> Briefing:
    """Today's briefing: whom to call and why (regulars late on their own rhythm who can still
    be won back), who is due to reorder, complaints waiting, tasks and promised follow-ups due,
    birthdays and anniversaries, and what changed since the last briefing."""
    top = max(1, min(int(top or 7), 30))
    return today(store, as_of=ctx.today.isoformat(), lang=ctx.lang, top=top)
