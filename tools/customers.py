"""Customer tools: search, profile, and planned (confirm-first) adds and updates."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field

from assistant.analytics.churn_report import explain_customer
from assistant.core.context import TurnContext
from assistant.core.records import Customer, InvalidInput, Order, Plan, Write
from assistant.store import CUSTOMER_FIELDS, Store


@dataclass(frozen=True)
class Profile:
    customer: Customer
    order_count: int
    total_spent: float
    first_order: str | None
    last_order: Order | None
    recent_orders: list[Order]
    usual_products: list[str]
    open_complaints: list[dict] = field(default_factory=list)
    open_tasks: list[dict] = field(default_factory=list)
    insight: dict | None = None


def find_customers(store: Store, query: str) -> list[Customer]:
    """Search customers by name (汉字 or pinyin, typos ok), notes, phone, email or id."""
    return store.find_customers(query, limit=10)


def resolve(store: Store, ctx: TurnContext, customer: str) -> Customer:
    """The customer meant, using the conversation's last customer for 'her' / '他'."""
    pronouns = {"her", "him", "them", "she", "he", "they", "this customer", "她", "他", "这位",
                "这个客户", "该客户", "it"}
    text = (customer or "").strip()
    if (not text or text.lower() in pronouns) and ctx.last_customer_id:
        found = store.get_customer(ctx.last_customer_id)
    else:
        found = store.resolve_customer(text)
    ctx.remember(found.id, found.name)
    return found


def customer_profile(store: Store, ctx: TurnContext, customer: str) -> Profile:
    """One customer's profile: orders, usual products, open complaints and tasks, churn insight."""
    c = resolve(store, ctx, customer)
    orders = store.orders(c.id, until=ctx.today.isoformat())
    products = Counter(o.product for o in orders if o.product)
    insight = asdict(explain_customer(store, c.id, as_of=ctx.today.isoformat(), lang=ctx.lang))
    return Profile(
        customer=c,
        order_count=len(orders),
        total_spent=round(sum(o.amount for o in orders), 2),
        first_order=orders[0].date if orders else None,
        last_order=orders[-1] if orders else None,
        recent_orders=orders[-3:][::-1],
        usual_products=[p for p, _ in products.most_common(3)],
        open_complaints=[{"id": k.id, "date": k.date, "category": k.category, "text": k.text}
                         for k in store.complaints(c.id) if k.status != "resolved"],
        open_tasks=[{"id": t.id, "due_date": t.due_date, "title": t.title}
                    for t in store.tasks(c.id, status="open")],
        insight=insight,
    )


def _tag_list(tags: str | None) -> list[str]:
    return [t.strip() for t in re.split(r"[,，;；]", tags or "") if t.strip()]


def _fields(**values: str | None) -> dict:
    return {k: v.strip() for k, v in values.items() if isinstance(v, str) and v.strip()}


def add_customer(store: Store, ctx: TurnContext, name: str, phone: str | None = None,
                 email: str | None = None, wechat: str | None = None, city: str | None = None,
                 notes: str | None = None, tags: str | None = None) -> Plan:
    """Propose adding a new customer (written only after the owner confirms)."""
    values = _fields(phone=phone, email=email, wechat=wechat, city=city, notes=notes, tags=tags)
    row = store.customer_row(name, **values)  # validates now, so the preview is honest
    shown = ", ".join(f"{k} {v}" for k, v in values.items())
    line = ctx.t(f"Add customer {row['name']}" + (f" ({shown})" if shown else ""),
                 f"新增客户 {row['name']}" + (f"（{shown}）" if shown else ""))
    return Plan((Write("customers", "insert", {"name": name, **values}, summary=line),), (line,))


def update_customer(store: Store, ctx: TurnContext, customer: str, name: str | None = None,
                    phone: str | None = None, email: str | None = None,
                    wechat: str | None = None, city: str | None = None, tags: str | None = None,
                    notes: str | None = None, remove_tags: str | None = None) -> Plan:
    """Propose changing a customer's name, contact details, city, tags or notes, or taking tags off."""
    c = resolve(store, ctx, customer)
    values = _fields(name=name, phone=phone, email=email, wechat=wechat, city=city, tags=tags,
                     notes=notes)
    had = _tag_list(c.tags)
    if "tags" in values and c.tags:
        # "tag Li Na as VIP" adds a tag: the ones she had stay
        new = _tag_list(values["tags"])
        values["tags"] = ",".join(had + [t for t in new if t.casefold() not in {h.casefold() for h in had}])
    off = {t.casefold() for t in _tag_list(remove_tags)}
    if off:
        # "把 wholesale tag 去掉": every other tag stays
        kept = _tag_list(values.get("tags", c.tags))
        missing = [t for t in _tag_list(remove_tags) if t.casefold() not in {k.casefold() for k in kept}]
        if missing:
            raise InvalidInput(ctx.t(
                f"{c.name} has no tag {', '.join(sorted(missing))} (tags: {c.tags or 'none'}), so nothing changed.",
                f"{c.name}没有「{'、'.join(sorted(missing))}」标签（现有：{c.tags or '无'}），所以什么都没改。"))
        values["tags"] = ",".join(t for t in kept if t.casefold() not in off)
    if not values:
        raise InvalidInput(ctx.t(
            f"What should change for {c.name}? Give a new phone, email, wechat, city, tags or notes.",
            f"要修改{c.name}的哪一项？请给出新的电话、邮箱、微信、城市、标签或备注。"))
    row = store.customer_row(values.get("name", c.name), **{k: v for k, v in values.items()
                                                           if k in CUSTOMER_FIELDS and k != "name"})
    row.pop("created_at")
    changes = {k: row[k] for k in [*values, "name_key"] if k in row}
    lines = tuple(ctx.t(f"{c.name}: {k} {getattr(c, k) or '—'} → {v or '—'}",
                        f"{c.name}：{k} {getattr(c, k) or '—'} → {v or '—'}") for k, v in values.items())
    return Plan((Write("customers", "update", changes, row_id=c.id, summary="; ".join(lines)),),
                lines, c.id)
