"""A segment filter said back in words, zh or en, so the owner checks it before anything runs."""

from __future__ import annotations

from assistant.analytics.labels import SEGMENT_LABELS, STAGE_LABELS

RISK_WORDS = {"high": {"en": "high churn risk", "zh": "高流失风险"},
              "medium": {"en": "medium or high churn risk", "zh": "中或高流失风险"}}
COMPLAINT_WORDS = {"open": {"en": "with an open complaint", "zh": "有未解决的投诉"},
                   "any": {"en": "who have complained", "zh": "投诉过"},
                   "none": {"en": "who never complained", "zh": "从未投诉"}}


def _money(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _span(window, lang: str) -> str:
    a, b = window.start, window.end
    if lang == "zh":
        if a and b:
            return f"{a}至{b}期间"
        return f"{a}之后" if a else (f"{b}之前" if b else "")
    if a and b:
        return f" between {a} and {b}"
    return f" since {a}" if a else (f" up to {b}" if b else "")


def _order_words(window, lang: str, negative: bool) -> str:
    what = window.product
    if lang == "zh":
        verb = "没有买过" if negative else "买过"
        return f"{_span(window, 'zh')}{verb}{what or '东西'}"
    verb = "did not buy" if negative else "bought"
    return f"{verb} {what or 'anything'}{_span(window, 'en')}"


def _range(low, high, lang: str, unit_en: str, unit_zh: str, fmt=str) -> str:
    if low is not None and high is not None and low == high:
        return f"{fmt(low)}{unit_zh}" if lang == "zh" else f"exactly {fmt(low)} {unit_en}"
    if low is not None and high is not None:
        return (f"{fmt(low)}–{fmt(high)}{unit_zh}" if lang == "zh"
                else f"{fmt(low)}–{fmt(high)} {unit_en}")
    if low is not None:
        return f"至少{fmt(low)}{unit_zh}" if lang == "zh" else f"at least {fmt(low)} {unit_en}"
    return f"至多{fmt(high)}{unit_zh}" if lang == "zh" else f"at most {fmt(high)} {unit_en}"


def clauses(flt, lang: str = "en") -> list[str]:
    """One short phrase per condition, in the contract's key order."""
    zh = lang == "zh"
    lang = "zh" if zh else "en"
    out: list[str] = []
    if flt.stage:
        names = [STAGE_LABELS[s][lang] for s in flt.stage]
        out.append("、".join(names) if zh else f"in the {' or '.join(names)} stage")
    if flt.segment:
        names = [SEGMENT_LABELS[s][lang] for s in flt.segment]
        out.append(f"RFM分群为{'或'.join(names)}" if zh else f"RFM segment {' or '.join(names)}")
    if flt.risk:
        out.append(RISK_WORDS[flt.risk][lang])
    if flt.quiet_days_min is not None or flt.quiet_days_max is not None:
        lo, hi = flt.quiet_days_min, flt.quiet_days_max
        if zh:
            out.append(f"距上次下单{_range(lo, hi, 'zh', '', '天')}")
        elif hi is None:
            out.append(f"no order for {lo}+ days")
        elif lo is None:
            out.append(f"ordered within the last {hi} days")
        else:
            out.append(f"last order {lo}–{hi} days ago")
    if flt.first_order_after or flt.first_order_before:
        a, b = flt.first_order_after, flt.first_order_before
        if zh:
            out.append("首单" + (f"在{a}至{b}之间" if a and b else f"在{a}或之后" if a
                               else f"在{b}或之前"))
        else:
            out.append("first order " + (f"between {a} and {b}" if a and b
                                         else f"on or after {a}" if a else f"on or before {b}"))
    if flt.bought is not None:
        out.append(_order_words(flt.bought, lang, False))
    if flt.not_bought is not None:
        out.append(_order_words(flt.not_bought, lang, True))
    if flt.city:
        out.append(f"在{flt.city}" if zh else f"in {flt.city}")
    if flt.tag:
        out.append(f"标签为{flt.tag}" if zh else f"tagged {flt.tag}")
    if flt.spend_min is not None or flt.spend_max is not None:
        text = _range(flt.spend_min, flt.spend_max, lang, "", "元", _money).strip()
        out.append(f"累计消费{text}" if zh else f"spent {text} in total")
    if flt.orders_min is not None or flt.orders_max is not None:
        text = _range(flt.orders_min, flt.orders_max, lang, "orders", "单")
        out.append(f"下单{text}" if zh else text)
    if flt.complaint:
        out.append(COMPLAINT_WORDS[flt.complaint][lang])
    return out


def describe_filter(flt, lang: str = "en") -> str:
    """"Customers: in 上海; tagged VIP" / "客户：在上海；标签为VIP"; the whole list when empty."""
    parts = clauses(flt, lang)
    if lang == "zh":
        return "所有客户" if not parts else "客户：" + "；".join(parts)
    return "All customers" if not parts else "Customers: " + "; ".join(parts)
