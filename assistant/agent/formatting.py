"""Tool results -> the reply text, by code and in the user's language (small models echo JSON)."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from typing import Any

from assistant.analytics.labels import STAGE_LABELS, probability_agrees
from assistant.core.markup import as_text, as_text_block
from assistant.core.records import Customer, Passage, Plan

# The column a task list's SQL names its tasks by (en, zh): an empty one says "no open tasks".
TASK_COLUMN = ("task", "事项")

# One next step per stage, after the playbook's aims for that stage.
STAGE_ACTION = {
    "exploration": ("welcome them and invite a second, low-risk purchase",
                    "表示欢迎，邀请其再次小额尝试"),
    "formation": ("thank them and suggest what to try next from their history",
                  "表示感谢，根据购买记录推荐下一款"),
    "stability": ("show non-price care: a personal note, early access, a tasting invite",
                  "做非价格关怀：手写卡片、新品优先、品鉴邀请"),
    "decline": ("call to ask why; if it's our fault, fix it and offer a targeted win-back",
                "打电话了解原因；若是我们的问题，先改进再给针对性挽回优惠"),
}
RISK = {"high": ("high", "高"), "medium": ("medium", "中"), "low": ("low", "低")}


def _t(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en


def _get(obj: Any, key: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


def stage_label(stage: str | None, lang: str) -> str:
    """'decline' -> 'decline' / '退化期'."""
    names = STAGE_LABELS.get(stage or "")
    return names["zh" if lang == "zh" else "en"] if names else (stage or "?")


def plan(p: Plan, lang: str, confirmed: bool = False) -> str:
    """The write preview card (or the receipt once applied)."""
    head = _t(lang, "Saved:" if confirmed else "I'll save these — reply **yes** to confirm or "
              "**no** to cancel:", "已保存：" if confirmed else "将保存以下内容——回复**确认**保存，"
              "回复**取消**放弃：")
    lines = "\n".join(f"- {as_text(line)}" for line in p.summary)
    tail = _t(lang, "\n\nSay **undo** to revert.", "\n\n如需撤回，请说**撤销**。") if confirmed else ""
    return f"{head}\n{lines}{tail}"


def customers(found: list[Customer], lang: str) -> str:
    if not found:
        return _t(lang, "No customer matches that.", "没有找到匹配的客户。")
    rows = [f"- **{as_text(c.name)}** (id {c.id}"
            f"{', ' + as_text(c.external_id) if c.external_id else ''})"
            f"{' · ' + as_text(c.city) if c.city else ''}{' · ' + as_text(c.phone) if c.phone else ''}"
            for c in found]
    return _t(lang, f"Found {len(found)}:", f"找到 {len(found)} 位：") + "\n" + "\n".join(rows)


def risk_percent(p: Any, risk: str | None, lang: str) -> str:
    """ (12%) after a risk level, when the probability tells the same story (churn_labels)."""
    p = float(p or 0)
    if not probability_agrees(p, risk):
        return ""
    return _t(lang, f" ({p:.0%})", f"（{p:.0%}）")


def churn_rows(page: Any, lang: str) -> str:
    rows, quiet = page.rows, page.quiet_days
    if quiet and not rows:
        return _t(lang, f"Every customer has ordered in the last {quiet} days.",
                  f"所有客户最近 {quiet} 天内都下过单。")
    if not rows:
        return _t(lang, "Nobody looks at risk right now.", "目前没有明显的流失风险客户。")
    if quiet:
        shown = "" if len(rows) == page.matching else _t(lang, f", the first {len(rows)}",
                                                           f"，列出前 {len(rows)} 位")
        out = [_t(lang, f"{page.matching} customers have not ordered in the last {quiet} days; "
                        f"riskiest first{shown}:",
                  f"{page.matching} 位客户已有 {quiet} 天以上没有下单，按流失风险排序{shown}：")]
    else:
        out = [_t(lang, "Most likely to churn:", "最可能流失的客户：")]
    for i, r in enumerate(rows, 1):
        risk = RISK.get(_get(r, "risk"), ("?", "?"))
        stage = _get(r, "stage")
        pct = risk_percent(_get(r, "churn_probability"), _get(r, "risk"), lang)
        nxt = _get(r, "expected_next_purchase")
        out.append(_t(
            lang,
            f"{i}. **{as_text(_get(r, 'name'))}** — {risk[0]} risk{pct}, {stage_label(stage, lang)}",
            f"{i}. **{as_text(_get(r, 'name'))}** — 风险{risk[1]}{pct}，{stage_label(stage, lang)}"))
        # Four spaces keep sub-bullets nested under "10." and beyond in Markdown.
        for reason in (_get(r, "reasons") or [])[:4]:
            out.append(f"    - {reason}")
        if nxt:
            out.append(_t(lang, f"    - expected next purchase: {nxt}", f"    - 预计下次购买：{nxt}"))
        act = STAGE_ACTION.get(stage or "")
        if act:
            out.append(_t(lang, f"    - suggested: {act[0]}", f"    - 建议：{act[1]}"))
    return "\n".join(out)


def briefing(page: Any, lang: str) -> str:
    """The morning briefing, section by section, each line with its reason and next step."""
    return page.to_markdown()


def loyal_rows(page: Any, lang: str) -> str:
    """The loyal regulars with why they count as loyal and the non-price care that suits them."""
    rows = page.rows
    if not rows:
        return _t(lang, "No loyal regulars yet: nobody has three or more orders on a steady "
                        "rhythm.", "还没有忠实老客户：没有人以稳定的节奏下过三单以上。")
    shown = "" if len(rows) == page.matching else _t(lang, f"; the {len(rows)} most valuable",
                                                       f"，列出价值最高的 {len(rows)} 位")
    out = [_t(lang, f"{page.matching} loyal regulars{shown}:",
              f"共 {page.matching} 位忠实老客户{shown}：")]
    for i, r in enumerate(rows, 1):
        spent = _get(r, "historic_value") or 0
        out.append(_t(lang, f"{i}. **{as_text(_get(r, 'name'))}** — {stage_label(_get(r, 'stage'), lang)}"
                            f", {spent:,.0f} spent in all",
                      f"{i}. **{as_text(_get(r, 'name'))}** — {stage_label(_get(r, 'stage'), lang)}"
                      f"，累计消费 {spent:,.0f}"))
        for reason in (_get(r, "reasons") or [])[:2]:
            out.append(f"    - {reason}")
    act = STAGE_ACTION["stability"]
    out.append(_t(lang, f"\nKeep them with {act[0]} — not discounts.",
                  f"\n维系方式：{act[1]}——不必打折。"))
    slipping = getattr(page, "slipping", None) or []
    if slipping:
        out.append(_t(lang, "\n⚠ Long-standing regulars now slipping away (call them first):",
                      "\n⚠ 以下老主顾最近节奏变了，正在流失（先打电话问问）："))
        for r in slipping:
            spent = _get(r, "historic_value") or 0
            why = (_get(r, "reasons") or [""])[0]
            out.append(_t(lang, f"- **{as_text(_get(r, 'name'))}** — {spent:,.0f} spent in all; {why}",
                          f"- **{as_text(_get(r, 'name'))}** — 累计消费 {spent:,.0f}；{why}"))
    return "\n".join(out)


def profile(p: Any, lang: str) -> str:
    c = p.customer
    out = [f"**{as_text(c.name)}** (id {c.id}{', ' + as_text(c.external_id) if c.external_id else ''})"
           f"{' · ' + as_text(c.city) if c.city else ''}{' · ' + as_text(c.phone) if c.phone else ''}"
           # every way to reach them on the card: "n her email" after it is answered by it
           f"{' · ' + as_text(c.email) if c.email else ''}"
           f"{' · WeChat ' + as_text(c.wechat) if c.wechat else ''}"]
    out.append(_t(lang, f"{p.order_count} orders, {p.total_spent:.2f} in total"
                  + (f", customer since {p.first_order}" if p.first_order else ""),
                  f"共 {p.order_count} 笔订单，累计 {p.total_spent:.2f}"
                  + (f"，首单 {p.first_order}" if p.first_order else "")))
    if p.last_order:
        o = p.last_order
        out.append(_t(lang, f"Last order: {o.date}, {o.quantity:g} × {as_text(o.product) or 'item'}, "
                      f"{o.amount:.2f}", f"最近一单：{o.date}，{as_text(o.product) or '商品'} ×{o.quantity:g}，"
                      f"{o.amount:.2f}"))
    if p.usual_products:
        out.append(_t(lang, "Usually buys: ", "常买：") + ", ".join(map(as_text, p.usual_products)))
    ins = p.insight
    if ins:
        pct = risk_percent(ins.get("churn_probability"), ins.get("risk"), lang)
        out.append(_t(lang, f"Stage: {stage_label(ins.get('stage'), lang)}; churn risk "
                      f"{ins.get('risk')}{pct}",
                      f"阶段：{stage_label(ins.get('stage'), lang)}；流失风险"
                      f"{RISK.get(ins.get('risk'), ('', '?'))[1]}{pct}"))
        out += [f"- {r}" for r in (ins.get("reasons") or [])[:4]]
    for k in p.open_complaints:
        text = as_text(k["text"])
        out.append(_t(lang, f"Open complaint #{k['id']} ({k['date']}, {k['category']}): {text}",
                      f"未解决投诉 #{k['id']}（{k['date']}，{k['category']}）：{text}"))
    for t in p.open_tasks:
        out.append(_t(lang, f"Task due {t['due_date']}: {as_text(t['title'])}",
                      f"待办（{t['due_date']}）：{as_text(t['title'])}"))
    return "\n".join(out)


def passages(found: list[Passage], lang: str) -> str:
    if not found:
        return _t(lang, "Nothing in the playbook on that.", "知识库里没有相关内容。")
    return "\n\n".join(f"**{p.title}** [{p.id}]\n{p.text}" for p in found)


def query(result: Any, lang: str) -> str:
    if not result.rows:
        if set(TASK_COLUMN) & set(result.columns):
            return _t(lang, "No open tasks for that. ✅", "这段时间没有待办。✅")
        return _t(lang, "No rows.", "没有结果。")
    if len(result.rows) == 1 and len(result.columns) == 1:
        value = result.rows[0][0]
        if not value and result.columns[0] in ("revenue", "orders", "quantity"):
            # "how much did we sell yday": nothing sold is said, not only shown as 0.00
            return _t(lang, "**0** — no orders in that period.", "**0** —— 这段时间没有订单。")
        value = _figure(value, result.columns[0]) if isinstance(value, float) else as_text(value)
        return _t(lang, f"**{value}**", f"**{value}**")
    if len(result.rows) == 1 and len(result.columns) == 6 and result.columns[-1] == "change_pct":
        return _compared(result, lang)
    if len(result.rows) == 1 and all(v in (0, None) for v in result.rows[0]) \
            and {"customers", "orders"} >= set(result.columns):
        # "how many orders came in thru referrals": none yet is said, not shown as a row of zeros
        return _t(lang, "**0** — no orders yet.", "**0** —— 还没有订单。")
    head = "| " + " | ".join(map(as_text, result.columns)) + " |\n|" + "---|" * len(result.columns)
    body = "\n".join("| " + " | ".join(_cell(v, c) for v, c in zip(r, result.columns)) + " |"
                     for r in result.rows[:20])
    more = _t(lang, f"\n\n({len(result.rows)} rows, first 20 shown)",
              f"\n\n（共 {len(result.rows)} 行，显示前 20 行）") if len(result.rows) > 20 else ""
    return f"{head}\n{body}{more}{_change(result, lang)}"


def _compared(result: Any, lang: str) -> str:
    """One figure beside the same figure for another period, and how much it moved: a sentence."""
    period, value, vs, vs_value, change, pct = result.rows[0]
    column = result.columns[1]
    shown = [(period, value), (vs, vs_value)]
    (earlier, _), (later, _) = sorted(shown, key=lambda p: str(p[0]))
    figures = " · ".join(f"**{p}**: {_figure(v or 0, column, _MONEY_COLUMNS)}" for p, v in shown)
    if change is None:
        return figures
    up = change >= 0
    moved = _figure(abs(change), column, _MONEY_COLUMNS) + (f" ({pct:+.1f} %)" if pct is not None else "")
    return _t(lang, f"{figures}\n\n{later} is {'up' if up else 'down'} {moved} on {earlier}.",
              f"{figures.replace(': ', '：')}\n\n{later} 比 {earlier}{'增加' if up else '减少'} {moved}。")


def _change(result: Any, lang: str) -> str:
    """Two periods side by side: how much the later one's figure moved from the earlier one's."""
    if len(result.rows) != 2 or len(result.columns) < 2 or result.columns[0] != "period":
        return ""
    (a, before), (b, after) = ((r[0], r[1]) for r in result.rows)
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (before, after)):
        return ""
    moved = after - before
    sign = "+" if moved >= 0 else "−"
    pct = f" ({sign}{abs(moved) / before * 100:.1f} %)" if before else ""
    told = f"{sign}{_figure(abs(moved), result.columns[1])}{pct}"
    return _t(lang, f"\n\n{b} against {a}: **{told}**", f"\n\n{b} 比 {a}：**{told}**")


_MONEY_COLUMNS = ("revenue", "amount", "average_order", "spent", "total")


def _figure(value: float, column: str, money: tuple[str, ...] = ("revenue", "amount", "average_order")) -> str:
    """A number as a reader writes it: money keeps its cents (1,234.50), counts of goods are whole (934)."""
    return f"{int(value):,}" if float(value).is_integer() and column not in money else f"{value:,.2f}"


def _cell(value: Any, column: str) -> str:
    """A table cell: numbers as a reader writes them, anything else as its text."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return as_text(value)
    return _figure(value, column, _MONEY_COLUMNS)


def triage(t: Any, lang: str) -> str:
    d = asdict(t) if is_dataclass(t) else dict(t)
    keys = ("category", "severity", "fault", "sentiment", "language", "is_complaint")
    labels = _t(lang, "Triage", "分诊结果")
    lines = [f"- {k}: {d.get(k)}" for k in keys if k in d]
    if d.get("fault_clue"):
        clue = as_text(d["fault_clue"])
        lines.append(_t(lang, f"- clue: “{clue}”", f"- 依据：“{clue}”"))
    return f"**{labels}**\n" + "\n".join(lines)


def draft(d: Any, lang: str) -> str:
    text = _get(d, "text", "")
    cites = _get(d, "citations") or []
    tail = (_t(lang, "\n\nSources: ", "\n\n参考：") + ", ".join(f"[{c}]" for c in cites)) if cites else ""
    return _t(lang, "Draft reply:\n\n", "回复草稿：\n\n") + as_text_block(text) + tail


def suggestions(items: list, lang: str) -> str:
    if not items:
        return _t(lang, "No suggestion right now.", "暂时没有建议。")
    out = []
    for s in items:
        d = asdict(s) if is_dataclass(s) else dict(s)
        action = d.get("action") or d.get("text") or d.get("title")
        cites = d.get("citations") or d.get("passage_ids") or []
        out.append(f"- {action}" + (f" [{', '.join(cites)}]" if cites else ""))
    return "\n".join(out)


_REFUSALS = {
    "delete": ("I can't delete customers or records from chat, so nothing was changed. To stop "
               "contacting someone, tag them (\"tag Li Na as inactive\"); a mistaken entry can be "
               "reverted with **undo** right after it was saved.",
               "聊天里不能删除客户或记录，所以什么都没有改。不想再联系某人，可以给他打标签（“给李娜打上不活跃标签”）；"
               "刚保存的错误内容可以说**撤销**。"),
    "export": ("I can't export whole tables from chat. The owner can run `crm export customers` "
               "(or orders, complaints …) on the shop's computer.",
               "聊天里不能导出整张表。店主可以在店里的电脑上运行 `crm export customers`（或 orders、complaints 等）。"),
    "unsupported": ("That's not something I can do from chat. I can look up customers, log calls "
                    "and orders, show who may stop buying, handle complaints and tasks, and answer "
                    "how-to questions; type **help** for examples.",
                    "这个我在聊天里做不到。我可以查客户、记录电话和订单、列出可能流失的客户、处理投诉和待办、回答经营问题；"
                    "输入**帮助**查看示例。"),
    "smalltalk": ("Hello! Ask me who might churn, log a call, or draft a complaint reply.",
                  "你好！可以问我谁可能流失、记录一次沟通，或起草投诉回复。"),
    "several_customers": ("That names more than one customer, so nothing was saved. Tell me about one "
                          "customer per message (\"Zhang Wei called, wants 3 bags\"), then the next.",
                          "这句话里有好几位客户，所以什么都没有保存。请一次说一位客户（“张伟打电话说要3包”），再说下一位。"),
    "unknown_customer": ("That name matches no customer, so nothing was saved. Check the spelling, "
                         "search with \"find …\", or add them first (\"add customer …, phone …\").",
                         "这个名字没有对应的客户，所以什么都没有保存。请检查拼写、用“找 …”搜索，或先添加客户"
                         "（“添加客户 …，电话 …”）。"),
    "customer_needed": ("Whose order is it? Say the customer's name (\"Li Na's\") and I'll show it before "
                        "saving.", "这是哪位客户的订单？告诉我名字（比如“李娜的”），我先给你看再保存。"),
    "complaint_whose": ("Whose complaint is it? Say the customer's name and I'll show the change before saving.",
                        "是哪位客户的投诉？告诉我名字，我先给你看改动再保存。"),
    "name_needed": ("What is the new customer's name? Add a phone or city if you have them, e.g. "
                    "\"Mike Zhou 13655550000, Shanghai\".",
                    "新客户叫什么名字？有电话或城市也一起发给我，比如“周明 13655550000 上海”。"),
    "payment": ("I can't move money: refunds and transfers are done in your payment app. Once it's paid, "
                "tell me (\"refunded Li Na 50 by WeChat\") and I'll log it on her record.",
                "我不能转账或退款，请在支付应用里操作。付完后告诉我（“已微信退给李娜50元”），我会记到她的资料里。"),
    "place_call": ("I can't make phone calls. Ask for the customer (\"Lily Cooper's profile\") to see the number, "
                   "and tell me afterwards how the call went so I can log it.",
                   "我不能替你打电话。问我客户资料（“李娜的资料”）可以看到电话号码，打完告诉我结果，我帮你记下来。"),
    "mass_message": ("I can't send messages to many customers from chat. Ask me who to contact "
                     "(\"who may churn?\") and I'll list them with a reason for each.",
                     "聊天里不能群发消息。可以先问我该联系谁（“谁可能流失？”），我会逐一列出并说明原因。"),
}


def refusal(kind: str, lang: str, name: str | None = None) -> str:
    """Why chat won't do this, and what to do instead (naming whom, when a name was the reason)."""
    en, zh = _REFUSALS.get(kind, _REFUSALS["delete"])
    if name:
        en = en.replace("That name matches", f"“{name}” matches", 1)
        zh = zh.replace("这个名字没有", f"“{name}”没有", 1)
    return _t(lang, en, zh)


def not_understood(lang: str) -> str:
    """A short answer for a message no tool fits: what the assistant can do, not the whole help."""
    return _t(lang, "I didn't catch that. I can look up a customer, log a call or an order, show "
                    "who may stop buying, handle complaints and answer how-to questions. Type "
                    "**help** for examples.",
              "没太明白。我可以查客户、记录电话或订单、列出可能流失的客户、处理投诉、回答经营问题。输入**帮助**查看示例。")
