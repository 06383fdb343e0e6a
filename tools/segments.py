"""Segment tool: the customers a plain-words description picks, with the filter said back."""

from __future__ import annotations

import re
from typing import Any

from assistant.agent.router import rules, sql_templates
from assistant.agent.router.records import Intent, Msg, rule
from assistant.agent.router.slots import find_top
from assistant.core.context import TurnContext
from assistant.core.markup import as_text
from assistant.outreach.segment_answer import SegmentAnswer, answer_segment
from assistant.outreach.segment_meaning import packaged_meaning
from assistant.outreach.segment_parser import parse_segment
from assistant.store import Store


def find_segment(store: Store, ctx: TurnContext, request: str, top: int = 10) -> SegmentAnswer:
    """Customers matching a description in the owner's words, e.g. "quiet for 2 months",
    "上海的VIP", "bought gift boxes last December but not this year", "formation-stage customers
    who bought twice", or a saved segment's name. Says the filter back in words with the count
    and the first customers; words it cannot read are said back, never guessed."""
    top = max(1, min(int(top or 10), 50))
    return answer_segment(store, request, ctx.today, ctx.lang, limit=top,
                          meaning=packaged_meaning())


def format_segment(answer: Any, lang: str) -> str:
    """The filter in words, the count, the first customers; or what was not understood."""
    get = (answer.get if isinstance(answer, dict) else lambda k, d=None: getattr(answer, k, d))
    zh = lang == "zh"
    if get("not_understood"):
        return str(get("message"))
    count, customers = int(get("count") or 0), list(get("customers") or [])
    head = (f"{get('description')} — 共 {count} 位" if zh
            else f"{get('description')} — {count} customer{'s' if count != 1 else ''}")
    if not count:
        return f"{head}\n{get('message')}"
    lines = [head + ("，按消费额列出前几位：" if zh and len(customers) < count else
                     ("：" if zh else (", most spent first:" if len(customers) < count else ":")))]
    for c in customers:
        cid = c["customer_id"] if isinstance(c, dict) else c.customer_id
        name = c["name"] if isinstance(c, dict) else c.name
        lines.append(f"- **{as_text(name)}** (id {cid})")
    return "\n".join(lines)


# -- the no-model router's reading ---------------------------------------------------------------
# One condition that another tool already answers better stays with it: a quiet spell or a risk
# tier or "at risk" (churn_risks ranks them), a city or a tag alone (find_customers searches
# them), loyal regulars and repeat buyers (loyal_customers).
_OTHER_TOOLS = ({"quiet"}, {"risk"}, {"city"}, {"tag"}, {"orders"}, {"quiet", "risk"})
_COUNT_QUESTION = re.compile(r"how many|number of|\bcount\b|多少|几个|幾個|几位|幾位|几多|有几", re.IGNORECASE)
_GROUPS = {"quiet_days_min": "quiet", "quiet_days_max": "quiet", "spend_min": "spend",
           "spend_max": "spend", "orders_min": "orders", "orders_max": "orders",
           "first_order_after": "first", "first_order_before": "first"}


# conditions a count SELECT cannot express, so a count of them is the segment's to answer
_BEYOND_COUNTS = {"tag", "stage", "segment", "spend", "risk", "rfm", "product", "orders"}
_THRESHOLD = re.compile(r"\b(?:more than|over|at least|above|greater than|less than|under|fewer than)\s*[\d¥$]"
                        r"|超过|以上|大于|多于|不少于|少于|以下", re.IGNORECASE)


@rule(69)
def segment_list(m: Msg) -> Intent | None:
    """"上海的VIP有哪些", "formation-stage customers who bought twice", "去年12月买过礼盒今年没买的":
    a list of customers by conditions the segment parser reads in full."""
    if m.customer or m.kw.has("howto"):
        return None
    counting = bool(_COUNT_QUESTION.search(m.text))
    if not counting and rules.sql_question(m) is not None and not _THRESHOLD.search(m.text):
        return None  # sums, top-N and task lists: one SELECT ("spent over 5k" is a filter)
    parsed = parse_segment(m.text, m.ctx.today)
    conditions = parsed.filter.to_dict()
    groups = {_GROUPS.get(k, k) for k in conditions}
    # several conditions read make a segment even with a word or two unread ("上海那边买过两次以上
    # 但是三个月没来的"): the tool says back what it read and what it did not
    if not conditions or parsed.not_understood and (len(groups) < 2 or _unread_words(parsed) > 3 or (
            m.ctx.meaning is not None and m.ctx.meaning(m.text)[0] != "find_segment")):
        return None
    if counting and not groups & _BEYOND_COUNTS:
        return None  # "上海有几个客户" / "十月有几个客户下单": the count template reads those
    if counting and sql_templates.subject(m.kw.low) in ("revenue", "orders", "quantity", "avg_order",
                                                                "orders_revenue", "quantity_revenue", "new_customers"):
        return None  # "wholesale 客户上个月一共下了多少钱的单": a sum over those customers, by one SELECT
    if groups in _OTHER_TOOLS:
        return None
    if groups == {"segment"} and set(conditions["segment"]) <= {"loyal", "champions", "at_risk"}:
        return None
    return Intent({"request": m.text, **_top(m.text)}, 0.9)


def _unread_words(parsed) -> int:
    """How many words (a Han character pair counts as one) the parser could not read."""
    return sum(len(re.findall(r"[A-Za-z0-9%]+|[\u4e00-\u9fff]{1,2}", part)) for part in parsed.not_understood)


def _top(text: str) -> dict:
    """{"top": N} for "前十个给我看看" / "show me 20", or nothing."""
    n = find_top(text)
    return {"top": n} if n else {}


@rule(319, meaning="find_segment")
def segment_by_meaning(m: Msg) -> Intent | None:
    """Customers by conditions, as the intent model heard it: the tool says back what it read and
    what it could not."""
    if m.customer or m.kw.has("howto"):
        return None
    if _COUNT_QUESTION.search(m.text) and rules.sql_question(m) is not None:
        parsed = parse_segment(m.text, m.ctx.today)
        groups = {_GROUPS.get(k, k) for k in parsed.filter.to_dict()}
        # two tags at once ("做café又拿wholesale价的") are read, as a conflict: the segment's to say
        both = any(" + " in w or " / " in w for w in parsed.not_understood)
        if not groups & _BEYOND_COUNTS and not both:
            return None  # "上海一共几个客人": a count the count template reads in full
    return Intent({"request": m.text, **_top(m.text)}, 0.8)
