"""Logging what happened: one message -> one plan of several writes (confirm first)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from assistant.complaints.triage import classify, sentiment
from assistant.core.context import TurnContext
from assistant.core.records import Customer, InvalidInput, Plan, Write
from assistant.lang.dates import parse_date
from assistant.lang.goods import catalog_name, matches, named_in, names_goods, same_goods
from assistant.lang.units import ZH_UNITS
from assistant.lang.validate import number
from assistant.store import Store
from tools.customers import resolve

CHANNELS = {
    "phone": ("phone", "call", "called", "rang", "电话", "打电话", "来电", "致电"),
    "wechat": ("wechat", "weixin", "微信", "wx"),
    "in_store": ("in store", "in_store", "visit", "came in", "dropped by", "到店", "来店", "店里",
                 "门店"),
    "email": ("email", "e-mail", "mail", "邮件"),
    "social": ("xiaohongshu", "douyin", "weibo", "instagram", "小红书", "抖音", "微博", "social"),
    "message": ("sms", "text", "message", "短信", "留言"),
}


# A request to be reminded, wherever it stands ("下週五提醒我覆秦芳", "12月1号 remind 我 …"): nothing
# has happened yet, so there is no contact to log. "记得" only opens one ("张伟说记得留货" is reported).
_REMINDER = re.compile(r"^\s*(?:please\s+|pls\s+|请)?(?:记得|記得)|(?:please\s+|pls\s+|请)?(?:remind\s*(?:me|我)\b\s*"
                       r"(?:to |about )?|remind\s*我|don'?t (?:let me )?forget (?:to )?|set (?:a |me a )?reminder"
                       r"(?:\s*(?:to|for))?\s*[:：]?\s*|reminder\s*[:：]\s*|note to self:?\s*"
                       r"|(?:add|new|set|make|create) (?:a |an )?(?:task|to-?do)\s*[:：]?\s*(?:to\s+)?|^\s*(?:task|to-?do)\s*[:：]\s*"
                       r"|(?:加|建|记)(?:一)?个?(?:任务|待办)\s*[:：]?\s*|提醒(?:我|一下)|提醒返?我|(?<![提醒])提我"
                       r"|别忘了|別忘了|不要忘了|唔好忘记|唔好忘記"
                       # "幫我記低，聽日打俾佢": noted down to do on a coming day
                       r"|(?:帮我|幫我)?(?:记下|記下|记低|記低)\s*[,，:：]?\s*(?=(?:明天|明日|聽日|听日|后天|後天|後日)))",
                       re.IGNORECASE)


# words that tell of a contact or of something done, not of a plan
# "Nora 打来说 …, remind me …": however short, a call or visit told before the reminder happened
_CAME_IN_TOUCH = re.compile(r"打来|打嚟|打過來|打过来|来电|來電|来店|來店|到店|嚟咗|来了|來了|\b(?:called|rang|phoned|came (?:in|by)"
                            r"|visited|dropped (?:by|in)|stopped by|messaged|texted|emailed)\b", re.IGNORECASE)
_REPORTED = re.compile(r"了|咗|过|過|说|說|(?<!个电)(?<!個電)话|(?<!个电)(?<!個電)話|讲|講|聊|问|問|来电|來電|打来|打嚟|嚟|来店|到店|\b(?:called|rang|phoned|came|visited"
                       r"|said|says|told|asked|wechat'?d|emailed|texted|messaged|dropped|popped|stopped|mentioned"
                       r"|complained|wanted|wants|ordered|bought|paid|picked|was|were|had)\b", re.IGNORECASE)


def _when(text: str | None, ctx: TurnContext, prefer: str = "past") -> date:
    if not text or not str(text).strip():
        return ctx.today

    return parse_date(str(text), ctx.today, prefer=prefer)


def channel_of(channel: str | None, summary: str) -> str:
    """A known channel name from what the owner wrote (or 'other')."""
    for text in (channel or "", summary or ""):
        low = text.lower()
        for name, cues in CHANNELS.items():
            if any(cue in low for cue in cues):
                return name
    return (channel or "other").strip().lower() or "other"


def _unit_price(store: Store, customer: Customer, product: str | None, sold: list[str]) -> float | None:
    """The usual price per unit, to fill a missing amount: the customer's own for this product,
    else the shop's recent price for it; for goods not named, the customer's usual price.
    `sold` is every product name the shop's orders use."""
    orders = [o for o in store.orders(customer.id) if o.quantity and o.amount > 0]
    mine = [o for o in orders if product and o.product and same_goods(product, o.product)]
    # a gift box never bought by this customer costs what it costs others, not their usual bag
    known = _stored_goods(sold, product) if product and not mine else None
    if names_goods(product) and not mine and not known and sold:
        return None  # goods the shop has never sold ("3包Colombia"): their price is asked, not guessed
    recent = (known and store.recent_sales(known)) or [
        (o.amount, o.quantity) for o in (mine or orders)[-5:]]
    if not recent:
        return None
    return round(sum(a for a, _ in recent) / sum(q for _, q in recent), 2)


def _stored_goods(sold: list[str], said: str) -> str | None:
    """The one stored product name the owner's words mean, the words themselves when several
    fit, or None."""
    found = matches(said, sold)
    return found[0] if len(found) == 1 else (said if found else None)


def _sentiment(text: str) -> float:
    return round(float(sentiment(text)[0]), 2)


def _order_writes(store: Store, ctx: TurnContext, c: Customer, quantity: float | None,
                  product: str | None, amount: float | None, when: date) -> list[Write]:
    qty = number(quantity, "quantity", minimum=0) or 1.0
    sold = store.product_names()
    # "4 包 Supremo" is saved as the one stored product it names, so it counts in that product's sales
    product = catalog_name(product, sold) or product
    # "10盒" reads as it was said; "2 × 耶加雪菲" and "5 × boxes" name the goods
    what = (f"{qty:g}{product}" if product in ZH_UNITS else f"{qty:g} × {product}") if product \
        else f"{qty:g}"
    if when > ctx.today:
        # A promised future order is not revenue yet: track it as a task due that day.
        title = ctx.t(f"Order intent: {what} for {c.name}", f"订单意向：{c.name} 要 {what}")
        line = ctx.t(f"Task due {when}: {title}", f"任务（{when} 到期）：{title}")
        return [Write("tasks", "insert", {"customer_id": c.id, "due_date": when.isoformat(),
                                          "title": title}, summary=line)]
    value = number(amount, "amount")
    note = None
    if value is None:
        unit = _unit_price(store, c, product, sold)
        if unit is None and names_goods(product):
            raise InvalidInput(ctx.t(
                f"How much did {c.name} pay? No past sale of '{product}' to estimate from: say the amount, "
                f"e.g. \"{qty:g} {product} 234\".",
                f"{c.name}付了多少钱？店里没有卖过「{product}」的记录，没法估价：请带上金额，比如“{qty:g}包{product} 234”。"))
        if unit is None:
            raise InvalidInput(ctx.t(
                f"How much did {c.name} pay? There is no past price to estimate from.",
                f"{c.name}付了多少钱？没有历史价格可以估算。"))
        value, note = round(unit * qty, 2), "amount estimated from usual price"
    line = ctx.t(f"Order {when}: {what}, {value:.2f}" + (" (estimated)" if note else ""),
                 f"订单 {when}：{what}，{value:.2f}" + ("（按常购价估算）" if note else ""))
    return [Write("orders", "insert", {"customer_id": c.id, "date": when.isoformat(),
                                       "amount": value, "quantity": qty, "product": product,
                                       "note": note}, summary=line)]


def _complaint_writes(store: Store, ctx: TurnContext, c: Customer, text: str,
                      when: date) -> list[Write]:
    labels = classify(text, prior_complaints=len(store.complaints(c.id))).labels()
    kept = {k: labels[k] for k in ("category", "sentiment", "severity", "fault", "fault_clue",
                                   "language", "label_source") if k in labels}
    cat = kept.get("category", "other")
    line = ctx.t(f"Complaint ({cat}, {kept.get('severity', '?')}): {text}",
                 f"投诉（{cat}，{kept.get('severity', '?')}）：{text}")
    return [Write("complaints", "insert", {"customer_id": c.id, "date": when.isoformat(),
                                           "text": text, **kept}, summary=line)]


def log_activity(store: Store, ctx: TurnContext, customer: str, summary: str,
                 channel: str | None = None, date: str | None = None,
                 order_quantity: float | None = None, order_product: str | None = None,
                 order_amount: float | None = None, order_date: str | None = None,
                 follow_up: str | None = None, follow_up_date: str | None = None,
                 complaint: str | None = None) -> Plan:
    """Log a call, visit or message with a customer; may also add an order (or order intent),
    a follow-up task and a complaint. Proposes the writes; the owner confirms."""
    c = resolve(store, ctx, customer)
    if not (summary or "").strip():
        raise InvalidInput(ctx.t("What happened? Give a short summary.", "发生了什么？请简单描述一下。"))
    when = min(_when(date, ctx), ctx.today)
    kind = channel_of(channel, summary)
    reminder = _REMINDER.search(summary)
    # "刚给王洋打了电话 他们店在装修 … 提醒我12月15号再call他": a contact told before the reminder
    # is logged too; "下週五提醒我覆秦芳" has only its date before it
    told = summary[:reminder.start()] if reminder else ""
    told = re.sub(r"\d+|[月日号號]|\b(?:on|next|this|tomorrow|tmr|tmrw|today|mon|tue|wed|thu|fri|sat|sun)\w*", " ", told,
                  flags=re.IGNORECASE)
    # "后天给她 quote 个价，remind me" is the plan said first: only a report of something done is logged
    happened = _CAME_IN_TOUCH.search(told) is not None or (
        len(re.findall(r"[\u4e00-\u9fff]", told)) >= 6 or len(re.findall(r"[A-Za-z]+", told)) >= 4) \
        and _REPORTED.search(told) is not None
    # "tmr arvo call ms walker re new price list": a plan with a day, and nothing told as done
    planned = bool(follow_up and follow_up_date and not _REPORTED.search(summary))
    if (reminder and not happened or planned) and not (complaint or order_quantity or order_amount):
        # "remind me to call Li Na on Friday": nothing happened yet, so no contact to log
        title = (follow_up or "").strip() or summary.strip()
        title = _REMINDER.sub("", title).strip() or summary.strip()
        task = _task_write(ctx, c, title, _due(follow_up_date or date, ctx, 1), named=True)
        return Plan((task,), (task.summary,), c.id)
    writes = [Write("interactions", "insert", {
        "customer_id": c.id, "date": when.isoformat(), "channel": kind,
        "summary": summary.strip(), "sentiment": _sentiment(summary)},
        summary=ctx.t(f"Interaction with {c.name} ({kind}, {when}): {summary.strip()}",
                      f"与{c.name}的沟通（{kind}，{when}）：{summary.strip()}"))]
    if (order_quantity or order_amount) and not names_goods(order_product):
        # "上次买的哥伦比亚很好 这次要四包": the goods named elsewhere in what was said
        order_product = named_in(summary, store.product_names()) or order_product
    if order_quantity or order_amount:
        writes += _order_writes(store, ctx, c, order_quantity, order_product, order_amount,
                                _when(order_date, ctx, "future") if order_date else when)
    if complaint and complaint.strip():
        writes += _complaint_writes(store, ctx, c, complaint.strip(), when)
    if follow_up or complaint or follow_up_date:
        title = (follow_up or "").strip() or ctx.t(
            f"Follow up with {c.name} about: {complaint.strip() if complaint else summary}",
            f"跟进{c.name}：{complaint.strip() if complaint else summary}")
        # a complaint is answered within a day; a plain follow-up can wait a few
        writes.append(_task_write(ctx, c, title, _due(follow_up_date, ctx, 1 if complaint else 3)))
    return Plan(tuple(writes), tuple(w.summary for w in writes), c.id)


def _due(written: str | None, ctx: TurnContext, default_days: int):
    """A task's due date: as written (read forwards), else `default_days` from today."""
    return _when(written, ctx, "future") if written else ctx.today + timedelta(days=default_days)


def _task_write(ctx: TurnContext, c, title: str, due, named: bool = False) -> Write:
    """One task; `named` puts the customer in the line when no other line of the card does."""
    who = (f" ({c.name})", f"（{c.name}）") if named else ("", "")
    return Write("tasks", "insert", {"customer_id": c.id, "due_date": due.isoformat(), "title": title},
                 summary=ctx.t(f"Task due {due}: {title}{who[0]}", f"任务（{due} 到期）：{title}{who[1]}"))


def add_order(store: Store, ctx: TurnContext, customer: str, amount: float | None = None,
              quantity: float = 1, product: str | None = None, date: str | None = None) -> Plan:
    """Record a purchase a customer made (amount estimated from their usual price if missing)."""
    c = resolve(store, ctx, customer)
    when = _when(date, ctx)
    if when > ctx.today:
        raise InvalidInput(ctx.t(
            f"{when} is in the future. For a promised order, log it as an activity instead.",
            f"{when} 还没到。未来的订单请作为沟通记录里的订单意向登记。"))
    writes = _order_writes(store, ctx, c, quantity, product, amount, when)
    return Plan(tuple(writes), tuple(w.summary for w in writes), c.id)
