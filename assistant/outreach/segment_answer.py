"""A segment request answered: the filter in words, the count, the first customers, and what to
do when nothing matches or some words could not be read (shared by the chat tool and the CLI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from assistant.lang.writing_system import chat_language
from assistant.outreach.segment_parser import ParsedSegment, read_segment
from assistant.outreach.segments import SegmentFilter, customers_matching, describe

TEXT = {
    "empty": {"en": "No customer matches ({what}). Try a looser filter: {hint}.",
              "zh": "没有符合条件的客户（{what}）。可以放宽条件：{hint}。"},
    "loosen": {"en": "without “{clause}” there are {n}", "zh": "去掉“{clause}”有{n}位"},
    "no_hint": {"en": "fewer conditions, or a longer period",
                "zh": "减少条件，或放宽时间范围"},
    "unread": {"en": "I understood: {what}. I did not understand: {words}. Say it with a stage, "
                     "RFM segment, risk, last or first order, product, city, tag, spend, order "
                     "count or complaint status (e.g. “quiet for 60 days”, “VIP in 上海”).",
               "zh": "我理解的是：{what}。没看懂的是：{words}。请用阶段、RFM分群、流失风险、最近或首次下单、"
                     "商品、城市、标签、消费金额、下单次数或投诉状态来描述（例如“两个月没下单”“上海的VIP”）。"},
    "nothing": {"en": "nothing yet", "zh": "还没有可用的条件"},
    "no_product": {"en": "No order names a product like “{product}”; check the spelling.",
                   "zh": "订单里没有叫“{product}”的商品，请检查商品名。"},
}


@dataclass(frozen=True)
class SegmentCustomer:
    """One customer in a segment."""

    customer_id: int
    external_id: str | None
    name: str


@dataclass(frozen=True)
class SegmentAnswer:
    """The parsed filter, said back, with its customers (none when some words were not read)."""

    text: str
    filter: dict
    description: str
    count: int
    customers: list[SegmentCustomer] = field(default_factory=list)
    not_understood: list[str] = field(default_factory=list)
    saved_name: str | None = None
    message: str = ""  # the empty-segment or not-understood explanation, in the owner's language
    lang: str = "en"


def answer_segment(store, text: str, as_of: str | date | None = None, lang: str | None = None,
                   limit: int | None = 10, meaning=None, llm=None) -> SegmentAnswer:
    """Parse (or look up a saved segment by name), evaluate live, and explain empty or unread
    input; `llm` (prompt -> text) may complete what the rules left unread, checked by code."""
    lang = lang or chat_language(text or "")
    today = _day(as_of)
    parsed = read_segment(store, text, today, meaning)
    if llm is not None and parsed.unsupported:
        from assistant.outreach.segment_model import with_model
        from assistant.outreach.segment_vocab import shop_vocabulary

        parsed = with_model(parsed, llm, today, shop_vocabulary(store))
    return answer_parsed(store, parsed, today.isoformat(), lang, limit)


def answer_parsed(store, parsed: ParsedSegment, as_of: str, lang: str,
                  limit: int | None = 10) -> SegmentAnswer:
    """The answer for an already parsed request."""
    flt = parsed.filter
    what = describe(flt, lang) if not flt.is_empty() or not parsed.unsupported \
        else TEXT["nothing"][lang]
    if parsed.unsupported:
        words = "、".join(f"“{w}”" for w in parsed.not_understood) if lang == "zh" \
            else ", ".join(f"“{w}”" for w in parsed.not_understood)
        return SegmentAnswer(parsed.text, parsed.to_contract(), what, 0, [],
                             list(parsed.not_understood), parsed.saved_name,
                             TEXT["unread"][lang].format(what=what, words=words), lang)
    ids = customers_matching(store, flt, as_of)
    shown = ids if limit is None else _most_valuable(store, ids, limit)
    labels = store.customer_labels(shown)
    customers = [SegmentCustomer(i, *(labels.get(i) or (None, ""))) for i in shown]
    message = "" if ids else _empty_message(store, flt, as_of, lang)
    unknown = _unknown_products(store, flt)
    if unknown:
        message = " ".join([*(TEXT["no_product"][lang].format(product=p) for p in unknown),
                            message]).strip()
    return SegmentAnswer(parsed.text, flt.to_dict(), what, len(ids), customers, [],
                         parsed.saved_name, message, lang)


def _unknown_products(store, flt: SegmentFilter) -> list[str]:
    """Products the filter names that no stored order matches (a typo, or not sold here)."""
    from assistant.outreach.segment_vocab import shop_vocabulary
    from assistant.outreach.segments import product_matches

    wanted = [w.product for w in (flt.bought, flt.not_bought) if w is not None and w.product]
    if not wanted:
        return []
    stored = shop_vocabulary(store).products
    return [p for p in dict.fromkeys(wanted) if not any(product_matches(p, s) for s in stored)]


def _day(as_of: str | date | None) -> date:
    from assistant.lang.validate import iso_date

    if as_of is None:
        return date.today()
    return as_of if isinstance(as_of, date) else date.fromisoformat(iso_date(as_of))


def _most_valuable(store, ids: list[int], limit: int) -> list[int]:
    """The first customers to show: most spent first (ties by id)."""
    if len(ids) <= limit:
        return ids
    stats = store.order_stats()
    spent = {i: float((stats.get(i) or {}).get("spent") or 0) for i in ids}
    return sorted(ids, key=lambda i: (-spent[i], i))[:limit]


def _empty_message(store, flt: SegmentFilter, as_of: str, lang: str) -> str:
    """Say the segment is empty, and which one condition to drop would find customers."""
    from assistant.outreach.segment_words import clauses

    best: tuple[int, str] | None = None
    data = flt.to_dict()
    for key in data:
        looser = SegmentFilter.from_dict({k: v for k, v in data.items() if k != key})
        n = len(customers_matching(store, looser, as_of))
        if n and (best is None or n > best[0]):
            only = SegmentFilter.from_dict({key: data[key]})
            best = (n, "; ".join(clauses(only, lang)))
    hint = (TEXT["loosen"][lang].format(clause=best[1], n=best[0]) if best
            else TEXT["no_hint"][lang])
    return TEXT["empty"][lang].format(what=describe(flt, lang), hint=hint)
