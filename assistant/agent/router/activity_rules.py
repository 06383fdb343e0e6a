"""The router's reading of a logged activity: a plain sale (add_order), or a contact with order / complaint / follow-up (log_activity).

"Zhang called, wants 5 more boxes next Friday, unhappy about late delivery" becomes one
log_activity call: the order clause gives quantity, product and order date, the clause with a
complaint word becomes the complaint, a "follow up / 回访" clause becomes the follow-up task.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.agent.router.records import Intent, Msg, rule
from assistant.agent.router.slots import find_amount, find_quantity
from assistant.complaints.triage import complaint_probability
from assistant.core.records import InvalidInput
from assistant.lang.dates import find_date, impossible_dates, parse_date
from assistant.lang.grounding import is_question

_COMPLAINT = re.compile(
    r"unhappy|upset|complain\w*|angry|annoyed|not happy|disappointed|frustrated|\blate\b|delay\w*|broken"
    r"|damaged|wrong|missing|rude|terrible|awful|stale|burnt|overcharged|too slow|leak\w*|crushed"
    r"|不满|抱怨|投诉|生气|不高兴|不开心|失望|太慢|晚了|迟到|延迟|坏了|破了|错了|少了?[一两二三四五六七八九十\d]+[袋包盒个件瓶]|少发|漏发|态度差|态度不好|难喝|不新鲜"
    r"|多收|差评|压坏|漏了|太苦|焦苦|发错|没收到|少[寄发给送装]了?[一两二三四五六七八九十\d]*", re.IGNORECASE)
_FOLLOW = re.compile(r"follow[- ]?up|call (?:her |him |them )?back|remind(?:er)?|check in|get back to|reach out|⏰"
                     r"|回访|跟进|提醒我|回电|回个电话|再联系|联系一下|记得", re.IGNORECASE)
_CHANNELS = [("xiaohongshu", r"xiaohongshu|rednote|little red book|小红书"),
             ("email", r"e-?mail|邮件|邮箱"),
             ("wechat", r"wechat|weixin|\bwx\b|messaged|texted|\bdm'?d?\b|微信|发消息|留言"),
             ("phone", r"\bcall(?:ed|s)?\b|\brang\b|phoned|phone|电话|来电|打来"),
             ("in_store", (r"visited|came in|came by|dropped (?:by|in)|stopped by|popped in|in (?:the )?store"
                          r"|in the shop|\bmet\b|来店|到店|店里|见了|拜访|来了"))]
_SPLIT = re.compile(r"[,，;；。!！?？]|(?<!\d)\.(?!\d)|\bbut\b|\balso\b|但是|不过|另外|并且|而且")
_LEAD = re.compile(r"^\s*(?:log|note|记录一下|记录|帮我记一下|记一下|备忘)\s*[:：]?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class _When:
    text: str
    start: int
    past: object
    future: object


def _dates(text: str, today) -> list[_When]:
    """Every date expression in the message, with its past and future readings."""
    out, pos = [], 0
    while pos < len(text):
        found = find_date(text[pos:], today)
        if not found:
            break
        span = found[1]
        at = text.index(span, pos)
        try:
            out.append(_When(span, at, parse_date(span, today, "past"), parse_date(span, today, "future")))
        except InvalidInput:
            pass
        pos = at + len(span)
    return out


# A clause the encoder classifier is this sure of is a complaint, even in words the pattern above
# does not list ("等了半小时", "the grinder never worked"). Its training texts are mostly
# complaints, so plain contact and order clauses still score up to ~0.9 ("尹敏说最近喝得少了",
# "付了196元"): only a near-certain reading counts.
CLAUSE_SURE = 0.95


def _complains(clause: str) -> bool:
    return bool(_COMPLAINT.search(clause)) or complaint_probability(clause) >= CLAUSE_SURE


def _clauses(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for piece in _SPLIT.split(text):
        at = text.find(piece, pos)
        if piece.strip():
            out.append((at, piece.strip()))
        pos = max(pos, at + len(piece))
    return out


def _in(clause: tuple[int, str], at: int) -> bool:
    """Whether position `at` of the message lies in the clause."""
    return clause[0] <= at < clause[0] + len(clause[1]) + 1


def _channel(text: str) -> str | None:
    return next((name for name, rx in _CHANNELS if re.search(rx, text, re.IGNORECASE)), None)


@rule(60)
def sale(m: Msg) -> Intent | None:
    """A plain past purchase: "Li Na bought 2 bags for 176"."""
    kind, args = reading(m)
    return Intent(args, 0.85) if kind == "sale" else None


@rule(61)
def activity(m: Msg) -> Intent | None:
    """A contact, a plan, a complaint or a follow-up to log."""
    kind, args = reading(m)
    return Intent(args, 0.85) if kind == "activity" else None


def reading(m: Msg) -> tuple[str | None, dict]:
    """('sale' | 'activity' | None, arguments), read once per message."""
    if "activity" not in m.memo:
        m.memo["activity"] = _read(m) or (None, {})
    return m.memo["activity"]


def _grumbles(m: Msg, asking: bool) -> bool:
    """"Li Na was annoyed about the late parcel" is worth logging too, if it names a known customer."""
    return bool(m.customer and not m.kw.has("howto") and not asking
                and (_COMPLAINT.search(m.text) or complaint_probability(m.text) >= CLAUSE_SURE))


def _read(m: Msg) -> tuple[str, dict] | None:
    contact, ordered = m.kw.has("contact"), m.kw.has("order")
    text, today = m.text, m.ctx.today
    asking = is_question(text) or bool(re.search(r"\bwhy\b|怎么|如何|该怎", text))
    # "Remind me to call Ethan Chen on Friday" / "王洋下周要来，记得准备3袋": a follow-up to log.
    planned_only = bool(m.customer and _FOLLOW.search(text) and not m.kw.has("howto"))
    amount = find_amount(text, trailing=ordered)
    rest = text if not amount else text[:amount[1][0]] + " " * (amount[1][1] - amount[1][0]) + text[amount[1][1]:]
    qty = find_quantity(rest)
    # "Li Na wants 3 bags tomorrow" / "王洋要10盒": goods wished for are an order intent to log.
    wants = bool(m.customer and m.kw.has("future") and not m.kw.has("howto") and not asking and qty)
    # the grumble test last: it may ask the complaint classifier, which the others never need
    if not (contact or ordered or planned_only or wants or _grumbles(m, asking)):
        return None
    if asking and not contact and not _FOLLOW.search(text[:12]):
        return None  # "薛艳好久没订了，该怎么跟进" asks for advice; it reports nothing to log
    who = m.who()
    if not who:
        return None
    clauses = _clauses(text)
    complaint = [c for c in clauses if _complains(c[1])]
    follow = [c for c in clauses if _FOLLOW.search(c[1])]
    dates = _dates(text, today)
    bad = impossible_dates(text)
    future_words = m.kw.has("future")
    # a sale only when something was bought: "needs 5 boxes" with no date is a plan
    if not (contact or complaint or follow) and (qty or amount) and not (
            future_words and any(d.future > today for d in dates)) \
            and not any(d.past > today for d in dates) and not (wants and not ordered):
        args = {"customer": who}
        if amount:
            args["amount"] = amount[0]
        if qty:
            args["quantity"] = qty[0]
            if qty[1]:
                args["product"] = qty[1]
        if dates:
            args["date"] = dates[0].text
        if bad:  # handed over as written: add_order refuses it and says what to type
            args["date"] = bad[0][1]
        return "sale", args
    if not contact and not complaint and not follow and not (qty or amount):
        return None  # "which customers bought in October" is a question, not a log
    args = {"customer": who, "summary": _LEAD.sub("", text).strip()}
    channel = _channel(text)
    if channel:
        args["channel"] = channel
    used: set[int] = set()
    if follow:
        args["follow_up"] = follow[0][1]
        when = next((d for d in dates if _in(follow[0], d.start)), None)
        if when:
            args["follow_up_date"] = when.text
            used.add(when.start)
    anchor = qty[2] if qty else -1
    order_clause = next((c for c in clauses if anchor >= 0 and c[0] <= anchor < c[0] + len(c[1]) + 1), None)
    planned = future_words and not ordered and not any(
        d.future >= today for d in dates if d.start not in used)
    if (qty or amount) and planned and "follow_up" not in args:
        # "wants 5 more bags" with no date is a plan, not a sale today: keep it as a follow-up.
        args["follow_up"] = order_clause[1] if order_clause else _LEAD.sub("", text).strip()
    elif qty or (amount and (ordered or future_words)):
        if qty:
            args["order_quantity"] = qty[0]
            if qty[1]:
                args["order_product"] = qty[1]
        if amount:
            args["order_amount"] = amount[0]
        near = [d for d in dates if d.start not in used and order_clause and _in(order_clause, d.start)]
        # "昨天微信说下周三来拿两袋": the date nearest the goods is the order's, the other the contact's.
        when = min(near, key=lambda d: abs(d.start - anchor)) if near else None
        if when is None and future_words:
            when = next((d for d in dates if d.start not in used and d.future >= today), None)
        if when:
            args["order_date"] = when.text
            used.add(when.start)
    if complaint:
        args["complaint"] = "; ".join(c[1] for c in complaint)
    when = next((d for d in dates if d.start not in used and d.past < today), None)
    if when:
        args["date"] = when.text
    for at, written in bad[:1]:
        # "remind me on 2026-13-45" must not become a task due tomorrow: the date goes to the
        # write it belongs to, as written, and log_activity refuses it with what to type
        key = ("follow_up_date" if follow and _in(follow[0], at) else
               "order_date" if order_clause and _in(order_clause, at) else "date")
        args[key] = written
    return "activity", args
