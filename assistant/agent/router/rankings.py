"""Rankings and breakdowns read as parts: what is grouped, by which figure, which way and how
many. Each part is found on its own and the parts compose, so "top 3 cities by sales last month",
"10月按消费额排前5的客户" and "which city is weakest this year" need no pattern of their own."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from assistant.agent.router.slots import cities_in, find_city
from assistant.agent.router.sql_templates import (Question, find_tag, limit_of, period_of, ranked_by, sql_for,
                                                  status_of, subject, two_months)
from assistant.agent.router.thresholds import threshold_of
from assistant.lang.dates import cn_number
from assistant.lang.names import has_han
from assistant.lang.writing_system import spaced

# What a ranking groups by, as (measure, English words, Chinese words). Categories and channels
# are of complaints and contacts only; customers last, since "客" is in many words.
_GROUPS = [
    ("rank_weekdays", r"weekdays?|days? of (?:the )?week", r"星期几|礼拜几|周几|weekdays?"),
    # "哪天", "按天": not "前3天" or "每天", which are a span and a rate
    ("rank_days", r"days?|dates?", r"(?<=哪)天|(?<=哪一)天|(?<=边)天|(?<=边一)天|(?<=边一)日|(?<=按)天|(?<=分)天|(?<=哪)日|(?<=边)日|(?<=哪一)日|日子|日期"),
    ("rank_months", r"months?", r"月份|个?月"),
    ("rank_cities", r"cit(?:y|ies)|towns?|regions?|areas?|locations?", r"城市|地区|区域|地方|城"),
    ("rank_channels", r"channels?", r"渠道"),
    ("rank_categories", r"categor(?:y|ies)|types?|kinds?", r"类别|类型|种类|类"),
    ("rank_statuses", r"status(?:es)?|stages?", r"状态|进度"),
    ("rank_products", r"products?|items?|beans?|blends?|coffees?|skus?|flavou?rs?|origins?|sellers?",
     r"产品|商品|款|豆子?|货|口味|品种|单品|样嘢|样东西|东西|嘢"),
    ("rank_customers", r"customers?|clients?|buyers?|spenders?|regulars?|accounts?",
     r"客户|顾客|客人|熟客|老客|客(?![服气])"),
]
_TOP_N = r"(\d+|[一二三四五六七八九十两]+)"
# a figure's extremes, not any "最" ("最近", "最耐冇嚟" ask for something else)
_SUPERLATIVE = re.compile(r"\bmost\b(?!\s+recent)|\b(?:best|top|biggest|largest|highest|strongest|busiest|maximum|max|minimum|least|fewest|worst|weakest"
                          r"|lowest|smallest|slowest|quietest|more|less|fewer)\b|最(?:多|少|好|差|高|低|大|小|强|弱|旺|淡|火|忙|闲"
                          r"|畅销|受欢迎|赚|能|会|烂)|多(?:啲|些|点|一点)|少(?:啲|些|点)|排名|排行|\brank(?:ed|ing)?\b",
                          re.IGNORECASE)
_LEAST = re.compile(r"\b(?:least|fewest|worst|weakest|lowest|smallest|slowest|quietest|bottom|minimum)\b"
                    r"|最(?:少|差|低|弱|淡|冷|慢|小|烂|闲)|倒数|垫底", re.IGNORECASE)
_MANY = re.compile(r"哪些|哪几|边啲|\bwhich (?:are|were)\b|\b(?:cities|products|customers|months|categories|channels)\b",
                   re.IGNORECASE)
_AVERAGE = re.compile(r"平均|\baverage\b|\bavg\b|\baov\b|客单价", re.IGNORECASE)
# groups whose average order can be ranked: "aov by city", "哪个月客单价最高"
_AVERAGED = ("rank_cities", "rank_months", "rank_days", "rank_weekdays", "rank_products")
_COMPLAINTS = re.compile(r"complaints?|投诉", re.IGNORECASE)
_CONTACTS = re.compile(r"\b(?:calls?|contacts?|interactions?|touchpoints?)\b|联系|沟通|互动|跟进", re.IGNORECASE)
_MONEY = re.compile(r"\b(?:sales|revenue|spend|spent|spending|money|income|turnover|takings)\b|[$¥]|营业额|销售额|消费|金额"
                    r"|钱|收入|业绩|生意|赚", re.IGNORECASE)
_SOLD = re.compile(r"\b(?:sold|sells?|selling|popular)\b|卖|畅销|受欢迎", re.IGNORECASE)


def _forms(en: str, zh: str) -> list[tuple[str, re.Pattern]]:
    """The ways a message asks for a ranking over one group: by it, which of it, the top N of it."""
    return [
        # "哪个 city 的客户最多", "按 product 分": the group's English word inside Chinese too
        ("by", re.compile(rf"\b(?:by|per|each|every|for each|across)\s+(?:the\s+)?(?:{en})\b"
                          rf"|(?:按|每|各|分)(?:个|一个)?\s*(?:{zh}|(?:{en})\b)", re.IGNORECASE)),
        ("which", re.compile(rf"\b(?:which|what)\s+(?:{en})\b|(?:哪|边)(?:个|一个|一|些|几个|几位|几款|几家|几种|位|座|种|家|款)?\s*(?:{zh}|(?:{en})\b)",
                             re.IGNORECASE)),
        ("top", re.compile(rf"\b(?:top|bottom)\s*{_TOP_N}?\s+(?:{en})\b"
                           rf"|\b(?:best|worst|biggest|largest|highest|lowest|weakest|strongest|busiest|quietest|slowest)\s+(?:{en})\b"
                           rf"|(?:前|后|倒数)\s*{_TOP_N}\s*(?:个|位|名|款|大)?\s*的?\s*(?:{zh})"
                           rf"|\b(?:{en})\s+(?:ranked|ranking)\b|(?:{zh})\s*(?:排名|排行)", re.IGNORECASE)),
    ]


# "谁下得最多", "who spent the most": which customer, when a superlative says so
_WHO = re.compile(r"\bwho\b|谁|边个|哪位", re.IGNORECASE)
_FORMS = [(measure, *form) for measure, en, zh in _GROUPS for form in _forms(en, zh)] + [("rank_customers", "which", _WHO)] + [
    # "订单最多的是礼拜几": the weekday word is itself the question word
    ("rank_weekdays", "which", re.compile(r"星期几|礼拜几|禮拜幾|(?<![这上下本今])周几"))]


def _group_asked(text: str, about: str | None = None) -> tuple[str, str, re.Match] | None:
    """The group a ranking is asked over and how it was asked (by / which / top), or None;
    complaints are ranked by kind only, contacts by channel only; `about` is what the question
    just answered counted ("which category has the most of those" after complaints)."""
    found = []
    superlative = bool(_SUPERLATIVE.search(text))
    complaints = bool(_COMPLAINTS.search(text)) or about == "complaints"
    contacts = bool(_CONTACTS.search(text)) or about == "interactions"
    for measure, how, rx in _FORMS:
        if (measure in ("rank_categories", "rank_statuses")) != complaints or contacts and measure != "rank_channels":
            continue
        for m in rx.finditer(text):
            if how == "which" and not superlative:
                continue  # "which customers haven't ordered" picks some out: a segment
            if measure == "rank_months" and how == "top" and re.match(r"前\s*\S{1,2}\s*个?月", m.group(0)):
                continue  # "前一个月", "前三个月": the months before, a stretch of time
            found.append((("top", "which", "by").index(how), m.start(), measure, how, m))
    if not found:
        return None
    _, _, measure, how, m = min(found, key=lambda f: (f[0], f[1]))
    return measure, how, m


_BUSY = re.compile(r"\bbusiest\b|\bquietest\b|\bslowest\b|最忙|最闲|最清闲", re.IGNORECASE)


def _figure(text: str, measure: str) -> str | None:
    """Which figure the message ranks by: money, orders, goods or (for cities) customers; None
    when it says none."""
    said = ranked_by(text)
    if said:
        return said
    if measure == "rank_cities" and re.search(r"\b(?:customers?|clients?|people)\b|客户|顾客|客人|人最多", text) \
            and not _MONEY.search(text):
        return "customers"  # "哪个城市客户最多": where the customers live
    if _MONEY.search(text):
        return "revenue"
    counted = subject(text)  # "每个月卖咗几多包": bags counted
    if counted in ("quantity", "orders"):
        return counted
    if re.search(r"\b(?:orders?|purchases?|transactions?)\b|订单|下单|单数|几单", text, re.IGNORECASE):
        return "orders"
    if measure in ("rank_days", "rank_weekdays", "rank_months") and _BUSY.search(text):
        return "orders"  # "busiest day in oct", "哪天最忙": the most orders, not the most money
    # goods are ranked by how many went out, unless money is asked about
    return "quantity" if measure == "rank_products" and _SOLD.search(text) else None


def _how_many(how: str, m: re.Match, text: str, measure: str) -> int:
    """How many rows: the N of "top N", one for "which one", else the whole ranking."""
    if how == "top":
        n = next((g for g in m.groups() if g), None)
        if n:
            value = int(n) if n.isdigit() else cn_number(n)
            return min(int(value or 10), 100)
        return 10 if re.search(r"\b(?:cities|products|customers|months|clients)\b|们|哪些", m.group(0)) else 1
    if m.re is _WHO:
        # "我们最好的10个客户是谁", "谁买得最多 前五给我排排": who, and how many of them
        n = re.search(rf"{_TOP_N}\s*(?:个|位|名)(?!月|星期|礼拜|钟|小时)|\btop\s*{_TOP_N}|(?:前|头)\s*{_TOP_N}", text,
                      re.IGNORECASE)
        return limit_of(n.group(0), 1) if n else 1
    if how == "which":
        # "邊個客人買得最多錢 頭五個": which ones, then how many
        n = re.search(rf"\btop\s*{_TOP_N}|(?:前|头)\s*{_TOP_N}", text, re.IGNORECASE)
        return limit_of(n.group(0), 10) if n else 10 if _MANY.search(m.group(0)) else 1
    n = limit_of(text, 0)
    return n or (12 if measure == "rank_months" else 20)


def ranking_sql(text: str, today: date, goods: str | None = None, customer: str | None = None,
                within: Question | None = None, figure: Callable[[], str | None] | None = None) -> str | None:
    """The SELECT of a ranking or breakdown the message asks for, built from its parts; None when
    it asks for none, or for one these parts cannot express (averages, one group within another).
    `within` is the question just answered: "by city?" after last month's sales keeps its month,
    goods and place where the message names none of its own. `figure` is the figure model's
    reading, asked where no word says which figure ranks ("谁造得最多": money)."""
    text = spaced(text)
    asked = _group_asked(text, within.measure if within else None)
    if asked is None or len(cities_in(text)) > 1:
        return None  # two cities named are compared side by side, not ranked among all
    measure, how, m = asked
    averaged = bool(_AVERAGE.search(text))
    if averaged and measure not in _AVERAGED:
        return None
    if customer and measure != "rank_products":
        return None  # one customer's figures by group: her own questions answer those
    period = two_months(text, today) or period_of(text, today) or (within.period if within else None)
    least = bool(_LEAST.search(text))
    city = find_city(text) or (within.city if within else None)
    goods = goods or (within.goods if within else None)
    customer = customer or (within.customer if within else None)
    # "by city?" after how many orders: orders by city; after a figure of money, money
    # "谁买节日礼盒买最多": of one product, the most boxes, unless money is asked about
    heard = None if averaged or figure is None or _figure(text, measure) else figure()
    by = "avg_order" if averaged else _figure(text, measure) or (
        heard if heard in ("revenue", "orders", "quantity") else
        within.measure if within and within.measure in ("orders", "quantity") else
        "quantity" if goods and measure in ("rank_months", "rank_customers") else "revenue")
    status = status_of(text) or (within.status if within and within.measure == "complaints" else None)
    return sql_for(Question(measure, period, customer=customer if measure == "rank_products" else None,
                            city=city if measure != "rank_cities" else None,
                            tag=find_tag(text) if measure in ("rank_customers", "rank_products", "rank_months", "rank_days",
                                                              "rank_weekdays") else None,
                            goods=goods if measure != "rank_products" else None,
                            status=status if measure == "rank_categories" else None,
                            by=by, limit=_how_many(how, m, text, measure), least=least,
                            threshold=(threshold_of(text) or (within.threshold if within else None))
                            if measure == "rank_customers" else None,
                            english=not has_han(text)))
