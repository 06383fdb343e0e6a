"""Counts and sums for the no-model router: SQL built from templates by code, never from user text.

Only dates (ISO, made by parse_period), fixed column names, customer names taken from the
customer list and a product word of letters only (quotes doubled) reach the SQL, so a question
cannot inject anything; run_sql is read-only besides.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from assistant.agent.formatting import TASK_COLUMN
from assistant.agent.router.slots import CITY_PAIRS, cities_in, find_city, says_not_bought
from assistant.agent.router.thresholds import Threshold, threshold_of
from assistant.lang.dates import add_months, calendar_day, date_range, find_date, parse_period, span_days
from assistant.lang.goods import named_in
from assistant.lang.names import has_han
from assistant.lang.tags import COMMON_TAGS, TAG_WORDS


@dataclass(frozen=True)
class Question:
    """A count, sum or ranking question as its parts, so that a follow-up ("and last month?",
    "same but only this year", "by no. of orders?") changes one part and keeps the rest."""

    measure: str                            # a SUBJECTS name, or "rank_customers" / "rank_products"
    period: tuple[date, date] | None = None
    customer: str | None = None             # a stored name, from the customer list
    product: str | None = None              # letters only
    city: str | None = None
    status: str | None = None               # complaints: open | unresolved | resolved | in_progress
    channel: str | None = None              # interactions
    done: bool = False                      # tasks
    by: str = "revenue"                     # a ranking's order: revenue | orders | quantity
    limit: int = 10
    among: tuple[str, ...] = ()             # a ranking of these stored names only: a comparison
    english: bool = False                   # a city ranking names cities in English
    product_sql: str | None = None          # the goods as a ranking's top one (a SELECT made here)
    goods: str | None = None                # a product as stored (from the shop's own product list)
    tag: str | None = None                  # a customer tag ("wholesale"), from the common tags
    severity: str | None = None             # complaints: critical | high | medium | low
    older_than: date | None = None          # complaints made before this day ("over a month unresolved")
    least: bool = False                     # a ranking from the bottom: "卖得最差的是哪个"
    offset: int = 0                         # rows of a ranking passed over: "第二的呢" is one past the top
    category: str | None = None             # complaints: one of triage's categories ("delivery")
    cities: tuple[str, ...] = ()            # a city ranking of these cities only: a comparison
    # a record column: the one asked for (_DETAILS), or one a counted customer has (_ON_FILE_COLUMNS)
    detail: str | None = None
    month_sql: str | None = None            # the month as a ranking's top one ("那个月一共几单")
    city_sql: str | None = None             # the city, in English, as a ranking's top one ("how many customers there")
    threshold: Threshold | None = None      # "orders over 500", "spent more than 10k", "3次及以上"
    idle: bool = False                      # customers who bought nothing in the period ("今年没下过单的")
    figures: tuple[str, ...] = ()           # measure "figures": several figures of orders, in the order asked
    versus: tuple[date, date] | None = None  # the other period of two shown side by side ("this yr vs last")
    until: date | None = None               # a figure per day counts the days up to here (today) at most


# The questions behind the SQL this module wrote, so "and sept?" can ask one again changed; the
# same SQL always comes from the same question, so one table serves every session.
_ASKED: OrderedDict[str, Question] = OrderedDict()
_KEEP = 256


def sql_for(q: Question) -> str:
    """The SELECT answering `q`, remembered so a follow-up can ask it again changed."""
    sql = question_sql(q)
    _ASKED[sql] = q
    _ASKED.move_to_end(sql)
    while len(_ASKED) > _KEEP:
        _ASKED.popitem(last=False)
    return sql


def asked(sql: str) -> Question | None:
    """The question a SELECT of this module answered, or None for SQL written elsewhere."""
    return _ASKED.get(sql)


# "how many orders…", "how many ppl bought…": the noun counted says what is counted
_HOW_MANY = re.compile(
    r"\b(?:how many|number of|no\.? of|count of|total)\s+(?:\w+\s+){0,2}?"
    r"(orders?|purchases?|customers?|custs?|clients?|people|ppl|folks|buyers|shoppers|bags?|box(?:es)?|packs?"
    r"|units?|cups?|bottles?|complaints?|tasks?|reminders?|follow[- ]?ups?|calls?|visits?|interactions?)\b",
    re.IGNORECASE)
_NOUN_MEASURE = [(r"orders?|purchases?", "orders"), (r"customers?|custs?|clients?|people|ppl|folks|buyers|shoppers",
                                                     "customers"),
                 (r"bags?|box(?:es)?|packs?|units?|cups?|bottles?", "quantity"), (r"complaints?", "complaints"),
                 (r"tasks?|reminders?|follow[- ]?ups?", "tasks"), (r"calls?|visits?|interactions?", "interactions")]


# subjects that say more than the noun counted does ("how many new customers")
_SPECIFIC = {"last_order", "avg_order", "per_customer", "latest_order", "new_customers", "one_time_buyers", "repeat_rate"}

# (subject, en regex, zh words); the first subject that matches wins, so specific ones go first.
SUBJECTS: list[tuple[str, str, tuple[str, ...]]] = [
    ("last_order", r"\blast (?:order|purchase|bought|buy|visit)\b.{0,30}\bwhen\b|\bwhen\b.{0,40}"
     r"\b(?:last|latest|most recent)\b.{0,20}\b(?:order|purchase|bought|buy|came)"
     r"|\bwhen did\b.{0,30}\blast\b|\bwhat did\b.{0,30}\b(?:buy|get|order)\b.{0,10}\blast\b"
     # "What she has purchased last time and when?"
     r"|\bwhat\b.{0,20}\b(?:bought|purchased|ordered)\b.{0,6}\blast (?:time|order)\b.{0,12}\bwhen\b"
     r"|\blast (?:order|purchase)\b.{0,20}\bwhat\b",
     (r"(?:最后|最近|上)一?[次回趟].{0,6}(?:什么时候|啥时候|哪天|几号|哪一天|几时|何时)",
      r"(?:什么时候|啥时候|哪天|几时)(?:最后|最近|上)一?次",
      # "她那次买了啥 多少钱": what the last purchase was
      # ("她上次买了什么" alone is answered by her profile, which shows the last order)
      r"(?:最后|那)一?次.{0,3}(?:买|订|拿|要)(?:了|咗)?(?:些|啲)?(?:啥|什么|乜|咩|甚么)",
      # "她最近一单买的啥": an order named, what was in it
      r"(?:最后|最近|上)一单.{0,3}(?:买|订|拿|要)(?:了|的|咗)?(?:啥|什么|乜|咩|甚么)")),
    # "how much has each customer spent in average", "人均消费": the money per customer who bought
    ("per_customer", r"\b(?:each|per|every|average|avg)\s+(?:customer|client|buyer|head)\b.{0,30}\b(?:spen[dt]|spend(?:ing)?|average|avg)\b"
     r"|\b(?:spen[dt]|spend(?:ing)?|revenue|sales)\b.{0,30}\bper (?:customer|client|buyer|head)\b|\barpu\b",
     ("人均消费", "客均", r"(?:平均每(?:个|位)?(?:客户|顾客|客人|人)|每(?:个|位)(?:客户|顾客|客人|人)平均|人均).{0,6}(?:花|消费|多少钱|金额)")),
    ("avg_order", r"average order|avg order|aov|average (?:spend|basket|ticket)"
     # "then average one order how much ah", "avg per order"
     r"|\baverage\b.{0,12}\b(?:one|each|per|an?) order\b|\b(?:one|each|per) order\b.{0,15}\b(?:average|avg)\b"
     r"|\b(?:avg|average) per order\b|\b(?:one|each) order (?:is )?how much\b",
     ("客单价", "平均订单", "平均每单", "平均消费", r"平均每[张笔个]订?单", r"每[张笔]订单平均",
      r"平均一[张笔单]", r"平均每一[张笔单]", r"一[张笔]?单平均", r"(?:avg|average)\s*每[张笔]?单", r"每[张笔]?单平均")),
    ("latest_order", r"\b(?:latest|most recent|last|newest) order\b.{0,30}\b(?:date|when|day)\b"
     r"|\bwhen was the (?:latest|last|most recent) order\b",
     (r"(?:最新|最近|最后)的?一[笔单张]订?单?.{0,6}(?:几号|哪天|什么时候|日期|哪一天)",)),
    ("new_customers", r"new (?:customers|clients|buyers|custs?\b|customer\b(?=.{0,4}#))|first[- ]time (?:customers|buyers)|first[- ]?timers?"
     r"|first[- ]ever (?:order|purchase)|\bfirst (?:order|purchase)s? (?:in|during|this|last)\b",
     ("新客户", "新顾客", "新客", "新增客户", r"新来的(?:客户|顾客|客人)", r"新增(?:了)?(?:多少|几)(?:个|位)?(?:新)?(?:客户|顾客|客人)", r"(?:多了|来了)(?:多少|几)(?:个|位)?新(?:客户|顾客|客人)", r"第一次(?:买|来|下单|帮衬|光顾|消费)", "首次购买", "首单")),
    # "repeat purchase rate", "what share of customers ordered more than once", "复购率"
    ("repeat_rate", r"\b(?:repeat|re-?purchase|repurchase|return(?:ing)?|retention)(?: purchase| buy(?:ing)?| order| customer)? rate\b"
     r"|\b(?:share|percent(?:age)?|proportion|%|fraction)\b.{0,40}\b(?:more than once|again|twice|at least two|repeat)",
     ("复购率", "回购率", "回头率", "重复购买率", r"(?:百分之几|多少比例|比例|占比|几成).{0,12}(?:回购|复购|买过两次|再买|不止一次)",
      r"(?:回购|复购|买过两次|不止一次).{0,12}(?:百分之几|多少比例|比例|占比|几成)")),
    ("one_time_buyers", r"\b(?:only|just) (?:ever )?(?:bought|ordered|purchased|came|shopped)\b.{0,12}\bonce\b"
     r"|\b(?:bought|ordered) (?:only|just) once\b|\bone[- ]time (?:buyers|customers|shoppers)\b",
     (r"只(?:买|来|下单|订)过?了?一次", r"就(?:买|来|下单)过?了?一次", r"买了?一次就(?:没|不)")),
    ("complaints", r"complaints?|complaint", ("投诉",)),
    ("tasks", r"tasks?|to-?dos?|follow[- ]?ups?|reminders?", ("任务", "待办", "回访", "提醒")),
    ("interactions", r"interactions?|calls?|visits?|contacts?|touchpoints?|conversations?",
     ("互动", "联系", "通话", "电话", "沟通", "拜访", "到店")),
    ("quantity", r"(?:bags?|box(?:es)?|units?|packs?|items?|cups?|bottles?)\b.{0,30}\b(?:sell|sold|go|went"
     r"|shift(?:ed)?|move[ds]?|ship(?:ped)?)"
     # "how many 挂耳 we sold this yr": whatever is counted before a verb of selling is goods
     r"|units sold|\bhow many\b.{1,30}?\b(?:sell|sold|went out|moved|shifted|shipped)\b", ("销量", r"卖(?:出去?|掉|了)*.{0,3}(?:几|多少)\s*(?:袋|包|盒|件|箱|瓶|杯|份|个)",
                      "卖出多少", r"出(?:了|去)?.{0,3}(?:几|多少)\s*(?:袋|包|盒|件|箱|瓶|份)",
                      # "她去年买了几个礼盒": goods a customer bought, counted
                      r"(?:买|订|要|拿)(?:了|过)?.{0,3}(?:几|多少)\s*(?:袋|包|盒|件|箱|瓶|杯|份|个)")),
    ("revenue", r"revenue|sales|turnover|income|earn(?:ed)?|made|takings|spent|spend|how much money|\bltv\b|lifetime value"
     r"|\b(?:sell|sold) anything\b"
     r"|\bhow much\b.{0,20}\b(?:sell|sold|make|do|did|bring in|take in|ring up)\b",
     ("销售额", "营业额", "收入", "流水", "成交额", "赚了", r"(?:没|有)生意", "总消费", "消费总额", "累计消费", r"卖.{0,4}多少钱", r"花了?.{0,6}多少", r"消费了?.{0,4}多少",
      r"收了?.{0,4}多少钱", r"进账.{0,4}多少", "总金额", r"金额(?:是|有)?(?:多少|几多)",
      "营收", "卖了多少", r"买了?.{0,4}多少钱", "销售", "业绩", r"(?:下|订)了?多少钱", r"多少钱的?单",
      r"多少\s*[$¥]|[$¥]\s*多少", r"贡献了?.{0,4}多少", r"带来了?.{0,4}多少")),
    # "how many time he buy with us", "她买过多少回": the times a customer bought
    ("orders", r"orders?|purchases?|\bhow many times?\b.{0,20}\b(?:buy|bought|order(?:ed)?|come|came|purchased?)\b",
     ("订单", "单子", r"(?:几|多少)\s*[张笔个次]?\s*[单丹]", r"(?:买|订|下单|光顾|来)过?了?\s*(?:几|多少)\s*[次回]")),
    ("buyers", r"(?:customers|clients|people|ppl|folks|buyers)\b.*\b(?:bought|ordered|purchased|buy|order)",
     ("客户买", "人买", "客户下单", "顾客买", "位客户买", "个客户买",
      r"(?:下过?单|买过|订过)的?(?:人|客户|顾客|客人)")),
    ("customers", r"customers?|\bcusts?\b|clients?|people|\bppl\b|\bfolks\b|\bhow many of (?:the|those|them)\b.{0,20}\bones\b", ("客户", "顾客", "会员", "客人", r"(?:多少|几)个?客(?![服户人])", r"的客(?![服户人厅栈气套观])", r"(?:多少|几)(?:个|位)?人(?!民|手|工)")),
]
_COUNT = re.compile(r"how many|how much|number of|count|\bcnt\b|\bn\s*=\s*\?|\bdistinct (?:customers|buyers|clients)\b|total|sum|average|\bavg\b|\bany (?:orders?|sales)\b"
                    r"|\b(?:sell|sold) anything\b"
                    r"|(?:what|what's|whats|show)\b.{0,20}\b(?:revenue|sales|turnover|income|aov)", re.IGNORECASE)
_COUNT_ZH = ("多少", "几个", "几位", "几单", "几笔", "几张单", "几次", "几条", "几件", "几多", "总共", "一共", "合计", "总额", "总数", "没生意", "有生意",
             "统计", "平均", "客单价", "销售额", "营业额")
# not handled yet is open; not solved yet includes those being handled
_STATUS = [("open", r"(?<![a-z])open(?![a-z])|(?<![a-z])new(?![a-z])|not (?:yet )?(?:handled|dealt with|looked at|touched)",
            (r"未处理(?!完)", "待处理", "新的", "还开着", r"没处理(?![完好])", "没人处理", r"没有处理(?![完好])", r"还没处理(?![完好])")),
           ("unresolved", r"unresolved|pending|outstanding|(?:\bnot|n't)\s+(?:yet\s+|been\s+|be\s+)*(?:resolved|fixed|sorted|closed)",
            ("未解决", "没解决", "未搞定", "没搞定", r"没有?处理好", "还没好", r"没有?处理完", "未处理完")),
           ("resolved", r"\bresolved|closed|handled", ("已解决", "解决了", "已处理", r"(?<![没未有])处理完")),
           ("in_progress", r"in[ _-]progress|ongoing", ("处理中", "进行中"))]
_CHANNELS = [("phone", r"\bcalls?\b|phone", ("电话", "通话")), ("in_store", r"visits?", ("到店", "拜访")),
             ("wechat", r"wechat", ("微信",)), ("email", r"emails?", ("邮件",))]


def _has(text: str, low: str, en: str, zh: tuple[str, ...]) -> bool:
    return bool(re.search(en, low)) or any(re.search(w, text) for w in zh)


def _first_named(table: list[tuple[str, str, tuple[str, ...]]], text: str) -> str | None:
    """The value of the first (value, en regex, zh words) row the message names, or None."""
    return next((value for value, en, zh in table if _has(text, text.lower(), en, zh)), None)


def status_of(text: str) -> str | None:
    """The complaint status a message names ("未搞掂", "in progress"), or None."""
    return _first_named(_STATUS, text)


# complaints asked about by their kind ("how many of those about delivery", "态度方面的投诉"),
# as triage files them
_CATEGORY = [("delivery", r"\bdeliver(?:y|ies|ed)?\b|\bshipping\b|\bcourier\b|\blate\b", ("配送", "送货", "快递", "物流", "发货", "送到")),
             ("wrong_or_missing_item", r"\bwrong (?:item|product|order)s?\b|\bmissing\b", ("发错", "漏发", "少发", "送错")),
             ("product_quality", r"\bquality\b|\bstale\b|\bbroken\b|\bdamaged\b", ("质量", "品质", "不新鲜")),
             ("service_attitude", r"\brude\b|\battitude\b|\bservice\b", ("态度", "服务")),
             ("price_billing_refund", r"\brefunds?\b|\bbilling\b|\bover-?charged?\b|\bprices?\b", ("退款", "收费", "多收", "价格")),
             ("waiting_time", r"\bwait(?:ing)?\b|\bqueue\b", ("等太久", "排队", "等了")),
             ("hygiene_environment", r"\bhygiene\b|\bdirty\b", ("卫生", "脏"))]


def _category_of(text: str) -> str | None:
    """The kind of complaint a question names, or None."""
    return _first_named(_CATEGORY, text)


_STATUS_SQL = {"open": "= 'open'", "unresolved": "!= 'resolved'", "resolved": "= 'resolved'",
               "in_progress": "= 'in_progress'"}


def status_cond(status: str | None, column: str = "status") -> str | None:
    """The condition on a complaint's status column, or None for any status."""
    return f"{column} {_STATUS_SQL[status]}" if status else None


# chat shorthand parse_period does not read
_SHORT = [(r"\bly\b", "last year"), (r"\byrs?\b", "year"), (r"\bmths?\b|\bmo\b", "month"), (r"\bwks?\b", "week"),
          (r"\bytd\b|so far this year", "this year"), (r"\bmtd\b", "this month")]


def period_of(text: str, today: date) -> tuple[date, date] | None:
    """The period a question names ("this yr", "上个月"), as parse_period reads it."""
    for rx, word in _SHORT:
        text = re.sub(rx, word, text, flags=re.IGNORECASE)
    found = parse_period(text, today)
    if found is None:
        day = calendar_day(text, today)  # "11月1号 who ordered": that one day
        found = (day, day) if day else None
    return found


# Words of a sales question that are not the product: periods, counting, verbs, units.
_NOT_PRODUCT = re.compile(
    r"今年|去年|前年|明年|这个?月|上个?月|本月|这周|上周|本周|这礼拜|上礼拜|这星期|上星期|今天|昨天|最近|到现在|为止|迄今"
    r"|\d+\s*月份?|[一二三四五六七八九十]+月份?|\d{4}\s*年"
    r"|一共|总共|合计|总计|我们|我|咱们|店里|全部|所有|大概|到底|目前|现在"
    r"|双十一|双11|双十二|双12|圣诞节?|平安夜|情人节|元旦|[春夏秋冬](?:天|季)|就|哦|对了|呃|嗯|它"
    r"|(?:几|多少|\d+|[一二两三四五六七八九十百千]+)\s*[袋包盒件箱瓶杯份单张笔次个]"
    r"|卖|出去|出|掉|了|过|的|得|几|多少|钱|块|元|销量|销售额|营业额|收入|是|有|个|吗|呢|啊|呀|吧|嘛|共|总")


def product_word(text: str) -> str | None:
    """The product a sales question names, by what is left once the question's other words go:
    "耶加雪菲今年卖出去几包" -> 耶加雪菲, "how many bags of mandheling sold" -> mandheling."""
    m = re.search(r"\b(?:bags?|box(?:es)?|packs?|units?|cups?) of (?:the |our )?([a-z][a-z -]{2,30}?)\s+"
                  r"(?:did|do|have|were|was|sold|in|this|last|so)\b", text, re.IGNORECASE)
    if m:
        word = m.group(1).strip()
        return None if word.lower() in _GOODS else word
    m = re.search(r"\b(?:how many|number of|no\.? of)\s+([a-z]{3,20})\s+(?:bags?|box(?:es)?|packs?|units?)\b",
                  text, re.IGNORECASE)
    if m and m.group(1).lower() not in _NOT_A_KIND | _GOODS:
        return m.group(1)  # "how many gift boxes did we shift": the gift box
    if not re.search(r"卖|销量|销售|sold|sell", text, re.IGNORECASE):
        return None
    rest = _NOT_PRODUCT.sub(" ", text)
    runs = [r for r in re.findall(r"[\u4e00-\u9fff]+", rest) if len(r) >= 2]
    if not runs and re.search(r"[\u4e00-\u9fff]", text):
        # "今年Yirgacheffe一共卖了几包" / "今年 gift box 卖了多少盒": the goods in letters
        runs = [w.strip() for w in re.findall(r"[A-Za-z][A-Za-z ]{2,30}", rest)
                if w.strip().lower() not in _NOT_A_KIND | _GOODS and w.strip().lower() not in _LATIN_NOT_GOODS]
    return runs[0] if len(runs) == 1 and len(runs[0]) <= (6 if has_han(runs[0]) else 30) \
        and runs[0] not in _GOODS else None


_LATIN_NOT_GOODS = {"ok", "pls", "please", "total", "sales", "revenue", "qty", "units", "bags", "boxes", "ytd", "mtd"}

# "how many more bags": words before a unit that are no kind of product
_NOT_A_KIND = {"more", "the", "our", "total", "big", "small", "large", "those", "these", "full", "whole",
               "separate", "single", "extra", "many", "much", "few"}

# what every order is: "bags of coffee" counts all of them, not a product called coffee
_GOODS = {"coffee", "coffees", "beans", "coffee beans", "products", "product", "items", "stuff",
          "goods", "咖啡", "豆子", "咖啡豆", "产品", "东西", "商品", "货"}


# a number of orders, goods or money said and asked about: "买了55单？", "上个月才卖了7万多吗"
_FIGURE_CHECKED = re.compile(r"(?:买|卖|订|下)了?\s*(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千万]+)\s*[多]?\s*"
                             r"(?:单|次|包|袋|盒|块钱?|元|万|千)\s*(?:多|左右)?\s*(?:吗|嘛|么|啊|呀|哦|咩|[?？])\s*$")


def is_count_question(text: str) -> bool:
    """True if the message asks for a number (how many / 多少 / total / "revenue last month")."""
    if _COUNT.search(text) or any(w in text for w in _COUNT_ZH if w not in ("几个", "几位")):
        return True
    if re.search(r"(?:^|\s)#\s*(?:[?？]?\s*$|[(（])", text) and subject(text):
        return True  # "overdue tasks #", "complaints: open / resolved #": the bookkeeper's "how many"
    if _FIGURE_CHECKED.search(text):
        return True  # "张伟在咱家买了55单？": a figure heard, asked to be checked, is asked for
    if any(w in text for w in ("几个", "几位")):
        # "感觉有几个老客户慢慢不来了 帮我看看是哪些人": a few, then which ones; not a count
        return not re.search(r"哪些|哪几|是谁|有谁|\bwho\b|\bwhich\b", text, re.IGNORECASE)
    what = subject(text)
    # "revenue last month" asks for a number without saying so; "we made a new blend" does not.
    # a rate is a number however it is asked ("repeat purchase rate, all time"), unless raising it
    # is asked about ("如何提高复购率": advice)
    if what == "repeat_rate":
        return not re.search(r"如何|怎么|怎样|提高|提升|\bhow (?:do|can|to|should)\b|\bimprove|\bboost|\braise",
                             text, re.IGNORECASE)
    return what == "last_order" or what in ("revenue", "avg_order", "quantity") and \
        period_of(text, date.today()) is not None


_BUYERS_COUNTED = re.compile(r"\b(?:distinct|unique) (?:customers|buyers|clients)\b|\b(?:customers|clients|people) "
                             r"(?:with|who (?:placed|made|had)) (?:at least )?(?:one|an?|1) orders?\b")


def subject(text: str) -> str | None:
    """What is being counted or summed."""
    low = text.lower()
    first = next((name for name, en, zh in SUBJECTS if _has(text, low, en, zh)), None)
    if first == "orders" and _BUYERS_COUNTED.search(low):
        return "buyers"  # "distinct customers with at least one order in September": who ordered
    counted = _HOW_MANY.search(low)
    if counted and first not in _SPECIFIC:
        # "how many separate orders made up the October figure": the noun counted, not "made"
        noun = counted.group(1)
        found = next(m for rx, m in _NOUN_MEASURE if re.fullmatch(rx, noun))
        if found != "customers":
            return found
        return "buyers" if re.search(r"\b(?:bought|ordered|purchased|buy|order|shopped)\b", low) else "customers"
    return first


def quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _like(column: str, word: str) -> str:
    """`column` contains the word (letters only reach here; quotes doubled)."""
    return f"{column} LIKE {quoted('%' + word + '%')}"


# a tag named in a question ("wholesale 客户", "the gifts tag"); "VIP" only when said to be a tag,
# since owners call their best customers VIPs without tagging them
_TAG_SAID = {**{t.lower(): t for t in COMMON_TAGS if t != "VIP"}, "cafe": "café",
             **{w.lower(): t for w, t in TAG_WORDS.items() if t != "VIP"}}
_TAG_WORD = re.compile(r"\btag(?:ged|s)?\b|标签|标记", re.IGNORECASE)


def _tag_patterns(said: dict[str, str]) -> list[tuple[re.Pattern, str]]:
    """Each way to say a tag, longest first, with the tag it names."""
    # "gift box" is goods, not the gifts tag
    return [(re.compile(r"(?<![a-z])" + re.escape(word) + r"(?![a-z])(?!\s*(?:box|boxes|set|sets|card|pack|礼盒))"
                        if word.isascii() else re.escape(word)), said[word])
            for word in sorted(said, key=len, reverse=True)]


_TAGS = _tag_patterns(_TAG_SAID)
_TAGS_WITH_VIP = _tag_patterns({**_TAG_SAID, "vip": "VIP"})


def find_tag(text: str) -> str | None:
    """The customer tag a question filters by, as the common tags write it, or None."""
    low = text.lower()
    return next((tag for rx, tag in (_TAGS_WITH_VIP if _TAG_WORD.search(text) else _TAGS) if rx.search(low)), None)


def _customer_is(name: str, column: str = "customer_id") -> str:
    """The condition that a row belongs to the customer of this stored name."""
    return f"{column} IN (SELECT id FROM customers WHERE name = {quoted(name)})"


def _goods_cond(column: str, q: Question) -> str | None:
    """The condition on the product column: a stored product, a ranking's top one or a word."""
    if q.goods:
        return f"{column} = {quoted(q.goods)}"
    if q.product_sql:
        return f"{column} = ({q.product_sql})"
    return _like(column, q.product) if q.product else None


def customer_conds(q: Question, prefix: str = "") -> list[str]:
    """Conditions on the customers table: the question's city and tag."""
    conds = [f"{prefix}city IN ({city_forms(q.city)})"] if q.city else []
    if q.city_sql:  # the top city of a ranking, as that ranking names it
        conds.append(f"{_city_case(prefix + 'city', True)} = ({q.city_sql})")
    if q.tag:
        conds.append(_like(prefix + "tags", q.tag))
    return conds


def _city_case(column: str, english: bool) -> str:
    """A city column as one name per city (上海 and Shanghai alike), in English or Chinese."""
    pairs = [(zh, en) for zh, en in CITY_PAIRS.items() if has_han(zh)]
    return "CASE " + " ".join(f"WHEN {column} IN ({quoted(zh)}, {quoted(en)}) THEN {quoted(en if english else zh)}"
                              for zh, en in pairs) + f" ELSE {column} END"


ORDERS_ASKED = re.compile(r"几单|多少单|几多单|几[张笔]单|几次|订单数|单数|\bhow many (?:\w+ )?orders\b"
                          r"|\b(?:no\.?|number) of orders\b", re.IGNORECASE)
# "几盒", "how many bags": the goods counted, beside the orders ("卖了几单 几盒")
_GOODS_ASKED = re.compile(r"(?:几|多少)\s*(?:盒|包|袋|箱|瓶|罐|杯|件)|\bhow many (?:\w+ )?(?:bags|boxes|packs|units)\b", re.IGNORECASE)
_AVERAGE_ASKED = re.compile(r"\baverage\b|\bavg\b|\baov\b|平均|客单价", re.IGNORECASE)
MONEY_ASKED = re.compile(r"多少钱|几多钱|花了?多少|使咗?几多|消费了?多少|金额|营业额|销售额|\bhow much\b|\$|\brev(?:enue)?\b"
                         r"|\bspen[dt]\b|\bsales\b", re.IGNORECASE)


# Figures of the orders table, as a bookkeeper lists them: "10月 rev / #ord / AOV", "#buyers + rev"
_FIGURE_WORDS = [
    ("revenue", r"\brev(?:enue)?\b|\bsales\b|\bspen[dt]\b|\bturnover\b|营收|销售额|营业额|流水|金额|消费额"),
    ("orders", r"#\s*ord(?:er)?s?\b|\b(?:no\.?|num|number) of orders?\b|\borders\b|\bords?\b|订单数|单数|几单|多少单"),
    ("buyers", r"#\s*(?:buyers|cust(?:omer)?s?)\b|\bbuyers\b|买家数?|下单人数|客户数"),
    ("avg_order", r"\baov\b|\bavg\.?\s*order\b|\baverage order\b|客单价"),
    ("quantity", r"\bqty\b|\bquantity\b|\bunits\b|销量|件数"),
    ("last_date", r"\blast (?:ord(?:er)?|purchase)\b(?:\s*date)?|最后一单|最近一单"),
]
_FIGURE_COLUMNS = {"revenue": "ROUND(COALESCE(SUM(amount), 0), 2) AS revenue", "orders": "COUNT(*) AS orders",
                   "buyers": "COUNT(DISTINCT customer_id) AS customers",
                   "avg_order": "ROUND(AVG(amount), 2) AS average_order",
                   "quantity": "COALESCE(SUM(quantity), 0) AS quantity", "last_date": "MAX(date) AS last_order"}
_FIGURE_LIST = re.compile(r"\s*(?:/|\+|、|&|,|，|;|；|\band\b|\bplus\b|及|和|跟)\s*", re.IGNORECASE)
# the pairs that have a measure of their own (and its follow-ups)
_PAIRS = {frozenset({"orders", "revenue"}): "orders_revenue", frozenset({"orders", "quantity"}): "orders_quantity",
          frozenset({"orders", "avg_order"}): "orders_avg", frozenset({"quantity", "revenue"}): "quantity_revenue"}
# measures answered with several figures in one row
SEVERAL = (*_PAIRS.values(), "figures")


def figures_listed(text: str) -> tuple[str, ...]:
    """The figures a message lists, each in its own part ("rev / #ord / AOV"), in the order said;
    fewer than two is no list."""
    parts = _FIGURE_LIST.split(text)
    if len(parts) < 2:
        return ()
    found = [next((name for name, rx in _FIGURE_WORDS if re.search(rx, part, re.IGNORECASE)), None) for part in parts]
    said = tuple(dict.fromkeys(f for f in found if f))
    return said if len(said) >= 2 else ()


_HOW_OFTEN = re.compile(r"\bhow often\b|\bhow frequently\b|多久(?:买|来|订|下单)?一次|多长时间(?:买|来)?一次|几天(?:买|来)?一次",
                        re.IGNORECASE)
_ONE_ORDER = re.compile(r"\b(?:last|latest|previous|recent|most recent) (?:order|purchase)\b(?!s)|最后一单|上一单|最近一单|上次那单",
                        re.IGNORECASE)


def read_question(text: str, today: date, customer: str | None = None,
                  goods: str | None = None, products: tuple[str, ...] = (),
                  figure: Callable[[], str | None] | None = None) -> Question | None:
    """The parts of a count/sum question, or None if no template fits; `goods` is a stored
    product the message names, `products` every product the shop's orders use, `figure` the
    figure model's reading, asked only where no pattern says what is counted."""
    what = subject(text)
    if customer and FIRST_ORDER_ASKED.search(text):
        return Question("first_order", customer=customer)  # "when was her first order"
    listed = figures_listed(text)
    if listed and what not in ("complaints", "tasks", "interactions"):
        what = _PAIRS.get(frozenset(listed), "figures")
    if what is None and customer and re.search(r"一共|总共|合计|\bin total\b|\baltogether\b|\bso far\b"
                                               r"|买了?多少(?!\s*[袋包盒件箱瓶杯份个次单])", text, re.IGNORECASE):
        what = "revenue"  # "她今年一共多少了": what she has spent
    elif what == "customers" and _SPENT_HOW_MUCH.search(text):
        what = "revenue"  # "深圳的客户10月总共买了多少": what they spent, not how many they are
    if what is None and figure is not None:
        what = figure()  # "上个月咱家一共卖了多钱", "25Q4 GMV?": words no pattern has
    if what == "orders" and customer and _ONE_ORDER.search(text) and not ORDERS_ASKED.search(text):
        return None  # "and her last order?": that one order, which her card shows, not a count
    if customer and _HOW_OFTEN.search(text):
        return None  # "how often does ethan chen order": the rhythm her card shows, not a count
    if what is None or (what == "customers" and re.search(r"姓[\u4e00-\u9fff]|叫(?:啥|什么)|都有谁", text)):
        return None  # "姓熊的客户有几个 都叫啥" asks for the names: a search
    low = text.lower()
    if what == "last_order" and not customer:
        # "when was the last order we got": the shop's; "what did Jessica Ma buy last time" asks
        # about someone not on the list, not about the shop
        if not re.search(r"\b(?:we|us|our|any)\b|我们|咱们|店|生意|\bday\b", text, re.IGNORECASE):
            return None
        what = "latest_order"
    if what in SEVERAL:
        pass  # each figure said in its own part of a list
    elif what in ("orders", "revenue") and ORDERS_ASKED.search(text) and MONEY_ASKED.search(text):
        what = "orders_revenue"  # "how many orders so far this month and how much $"
    elif what in ("orders", "quantity") and ORDERS_ASKED.search(text) and _GOODS_ASKED.search(text):
        what = "orders_quantity"  # "cold brew这个月卖了几单 几盒"
    elif what in ("orders", "avg_order") and ORDERS_ASKED.search(text) and _AVERAGE_ASKED.search(text):
        what = "orders_avg"  # "how many orders in october, and what was the average"
    if what in ("revenue", "orders", "quantity", "orders_avg", "avg_order") and _PER_DAY.search(text):
        # "日均营业额", "average daily sales in october", "这个月平均每天几单"
        what = {"orders_avg": "orders", "avg_order": "revenue"}.get(what, what) + "_per_day"
    if what == "revenue" and goods and not MONEY_ASKED.search(text.replace("how much", "")) \
            and not re.search(r"钱|[$¥]|\brevenue\b|\bspent\b|\bsales\b", text):
        what = "quantity_revenue"  # "冷萃今年夏天卖了多少": how many, and for how much
    sales = what in ("revenue", "quantity", "orders", *SEVERAL, "buyers", "avg_order", "per_customer", "customers")
    if sales and goods and what == "customers":
        what = "buyers"  # "how many customers bought yirga": those who bought it
    goods = goods if sales else None
    item = product_word(text) if what in ("revenue", "quantity", "orders") and not customer and not goods else None
    if item:  # letters only reach the pattern: no quote, no wildcard of the owner's
        item = re.sub(r"[^\w\u4e00-\u9fff -]", "", item).strip() or None
    if item and find_city(item):
        item = None  # "深圳10月卖了多少": the place the buyers are in, not goods
    if item and products and not any(item.lower() in p.lower() for p in products):
        item = None  # "今天关门了，上个月一共卖了多少钱": a word no product has is not goods
    # "今年 Shanghai 的 customers 一共 spend 了多少": the orders of that city's customers
    place = find_city(text) if what in ("revenue", "quantity", "orders", "avg_order", "customers", "buyers",
                                        *SEVERAL) and not customer else None
    tag = find_tag(text) if place is not None or (sales and not customer) else None
    status = status_of(text) if what == "complaints" else None
    if what == "complaints" and _WHICH_ONES.search(text) and not re.search(r"多少|\bhow many\b", text, re.IGNORECASE):
        # "还没结案的物流投诉是哪几个客人", "which customers have open delivery complaints": listed
        return Question("complaint_list", period_of(text, today), status=status_of(text), limit=50,
                        category=_category_of(text), severity=_severity(text))
    if what == "complaints" and sum(bool(status_of(part)) for part in _FIGURE_LIST.split(text)) >= 2:
        what = "rank_statuses"  # "complaints: open / in_progress / resolved #": each status counted
    channel = _first_named(_CHANNELS, text) \
        if what == "interactions" else None
    done = bool(re.search(r"\bdone\b|completed|finished", low) or "完成" in text) if what == "tasks" else False
    severity, older = (_severity(text), _older_than(text, today)) if what == "complaints" else (None, None)
    # "10月日均": the month, then "per day" (not the 日 of a date)
    period = None if older else period_of(re.sub(r"(?<=月)(?=日均)", " ", text), today)
    if what == "tasks" and _OVERDUE.search(text):
        # "overdue tasks #", ">14d overdue #": open tasks due before today (or that many days before)
        late = span_days(text) or 0
        period, done = (date(2000, 1, 1), today - timedelta(days=late + 1)), False
    on_file = _ON_FILE.search(text) if what == "customers" and not customer else None
    detail = next((c for c, word in _ON_FILE_COLUMNS if on_file and re.search(word, on_file.group(0))), None)
    threshold = threshold_of(text) if sales else None
    if what in ("customers", "buyers") and says_not_bought(text) and _BOUGHT_ONCE.search(text):
        return None  # "去年圣诞买过礼盒 今年还没动静的": bought then and not since, two conditions: a segment
    idle = bool(what in ("customers", "buyers") and period and not customer and says_not_bought(text))
    if threshold and threshold.what != "order_amount" and what in ("orders", "revenue", "quantity", "orders_revenue"):
        what = "customers"  # "how many spent over 10k this year": the customers who did
    return Question(what, period, customer, item, place, status, channel, done, goods=goods, tag=tag, detail=detail,
                    until=today if what in _PER_DAY_COLUMNS else None,
                    severity=severity, older_than=older, threshold=threshold, idle=idle,
                    figures=listed if what == "figures" else (),
                    category=_category_of(text) if what == "complaints" else None)


# a figure per day: "平均每天卖多少钱", "日均营业额", "average daily sales", "how many orders a day on average"
_PER_DAY = re.compile(r"平均每天|每天平均|日均|平均一天|一天平均|每日平均|平均每日|\baverage (?:daily|per day|a day)\b"
                      r"|\bdaily average\b|\bper day\b|\ba day on average\b|\bon average (?:a|per) day\b"
                      r"|\bavg (?:daily|per day|a day)\b", re.IGNORECASE)
_PER_DAY_COLUMNS = {"revenue_per_day": ("revenue_per_day", "COALESCE(SUM(amount), 0)"),
                    "orders_per_day": ("orders_per_day", "COUNT(*)"),
                    "quantity_per_day": ("quantity_per_day", "COALESCE(SUM(quantity), 0)")}
# complaints asked for by whom or which, not how many
_WHICH_ONES = re.compile(r"哪几[个位条]|哪些|是谁|有谁|哪个客|哪位|\bwhich (?:customers|ones|clients|people)\b|\bwho\b"
                         r"|\blist\b|列出", re.IGNORECASE)
_SPENT_HOW_MUCH = re.compile(r"(?:一共|总共|合计|统共)\s*(?:买|花|消费)了?\s*多少(?!\s*[人个位名家袋包盒件箱瓶杯份次单])")
_OVERDUE = re.compile(r"\boverdue\b|\bpast due\b|\blate tasks\b|逾期|过期|超期|拖着没做", re.IGNORECASE)
_BOUGHT_ONCE = re.compile(r"(?<![没沒未不有])(?:买过|订过|下过单)|(?<!n't )(?<!not )\b(?:bought|ordered|purchased)\b", re.IGNORECASE)
# "how many customers have email on file", "有微信的客户有几个": those whose record has it
_ON_FILE = re.compile(r"\b(?:have|has|with|having)\s+(?:an?\s+|their\s+)?(?:e-?mails?|wechat|phone(?: numbers?)?|birthdays?)\b"
                      r"|(?:有|留了?|留下了?|登记了?)\s*(?:邮箱|微信|电话|手机|生日|e-?mails?|wechat|phone|birthday)",
                      re.IGNORECASE)
_ON_FILE_COLUMNS = [("email", r"(?i)e-?mail|邮箱"), ("wechat", r"(?i)wechat|微信"), ("phone", r"(?i)phone|电话|手机"),
                    ("birthday", r"(?i)birthday|生日")]


_SEVERITY = [("critical", r"critical|严重|危急|紧急"), ("high", r"\bhigh\b|高"), ("low", r"\blow\b|轻微")]
_OLDER = re.compile(r"(?:超过|多于|有)(.{1,4}(?:天|周|星期|礼拜|个?月))(?:还|都|仍|了)?(?:没|未|不)"
                    r"|(?:超过|多于)(.{1,4}(?:天|周|星期|礼拜|个?月))了?\s*(?:的|吗|呢)?\s*[?？]?\s*$"
                    r"|\b(?:older than|over|more than)\s+(\w+ (?:days?|weeks?|months?))\b", re.IGNORECASE)


def _severity(text: str) -> str | None:
    """The severity asked about, or several joined by commas ("high or critical")."""
    low = _WORST.sub(" ", text.lower())  # "最严重的是哪几个" orders by severity, it keeps every one
    if not re.search(r"critical|严重|紧急|危急|severity|\bhigh\b|\blow\b", low):
        return None
    found = [s for s, rx in _SEVERITY if re.search(rx, low)]
    return ",".join(found) if len(found) > 1 and re.search(r"\bor\b|\band\b|或|和|跟|/|、", low) else (
        found[0] if found else None)


def _severity_cond(severity: str, column: str = "severity") -> str:
    """The condition on a complaint's severity: one level or several."""
    levels = severity.split(",")
    return f"{column} = {quoted(levels[0])}" if len(levels) == 1 else f"{column} IN ({', '.join(map(quoted, levels))})"


def _older_than(text: str, today: date) -> date | None:
    """"超过一个月还没解决的投诉": complaints made before the day that long ago."""
    m = _OLDER.search(text)
    days = span_days(next(g for g in m.groups() if g)) if m else None
    return today - timedelta(days=days) if days else None


def build_sql(text: str, today: date, customer: str | None = None, goods: str | None = None,
              products: tuple[str, ...] = (), figure: Callable[[], str | None] | None = None) -> str | None:
    """A read-only SELECT answering a count/sum question, or None if no template fits."""
    q = read_question(text, today, customer, goods, products, figure)
    if q is not None and SHARE_ASKED.search(text):
        shared = share_sql(q, text, today)  # "gift box as % of December revenue"
        if shared:
            return shared
    return sql_for(q) if q else None


# "as % of", "share of total", "占比多少", "占了几成": a part of a whole, asked as a proportion
SHARE_ASKED = re.compile(r"\bshare\b|\bpercent(?:age)?\b|%|\bproportion\b|\bfraction\b|占比|占了?(?:总|全部|全店)?.{0,6}(?:多少|几成|百分之几|比例)"
                         r"|比例|比重|百分之几|几成", re.IGNORECASE)
# what narrows a sum to a part of the shop's: dropped, the same question asks for the whole
_WHOLE = dict(customer=None, product=None, city=None, goods=None, tag=None, among=(), cities=(),
              product_sql=None, threshold=None, city_sql=None)


def share_sql(q: Question, text: str, today: date) -> str | None:
    """The part a question (or the ranking just shown) narrows to, beside the shop's whole for the
    same period, and the part as a per cent of the whole; None when nothing narrows it."""
    period = period_of(text, today) or q.period
    if q.measure == "rank_customers":  # "their combined share": the customers the ranking listed
        ranked = replace(q, period=period)
        part = f"SELECT ROUND(SUM(revenue), 2) AS revenue FROM ({question_sql(ranked)})"
        whole = question_sql(Question("revenue", period))
        name = "revenue"
    elif q.measure in ("revenue", "quantity", "orders") and replace(q, **_WHOLE) != q:
        part = question_sql(replace(q, period=period))
        whole = question_sql(replace(q, period=period, **_WHOLE))
        name = q.measure
    elif q.measure in ("revenue", "quantity", "orders") and q.period and period != q.period \
            and q.period[0] <= period[0] and period[1] <= q.period[1]:
        # "12月 share %" after Q4's revenue: that month's part of the quarter
        part, whole, name = question_sql(replace(q, period=period)), question_sql(q), q.measure
    else:
        return None
    return (f"SELECT ROUND(100.0 * p.{name} / NULLIF(w.{name}, 0), 2) AS share_pct, p.{name} AS part, "
            f"w.{name} AS total FROM ({part}) p, ({whole}) w")


def city_forms(city: str) -> str:
    """A city as the SQL's list of its spellings in both scripts ("'上海', 'Shanghai'")."""
    return ", ".join(quoted(c) for c in (city, CITY_PAIRS.get(city, "")) if c)


def question_sql(q: Question) -> str:
    """The SELECT that answers a question; only dates, stored names and letters reach it."""
    what = q.measure
    if what == "rank_customers":
        where = _between("o.date", q.period)
        conds = [f"c.name IN ({', '.join(quoted(n) for n in q.among)})"] if q.among else []
        # "北京 spend最多的前5个客户": the city in either script; "买挂耳包最多的": that product's orders
        conds += customer_conds(q, "c.") + [c for c in [_goods_cond("o.product", q)] if c]
        if q.threshold and q.threshold.what == "order_amount":
            conds.append(q.threshold.sql("o.amount"))
        for cond in conds:
            where = f"{where} AND {cond}" if where else f" WHERE {cond}"
        by = q.by if q.by in ("orders", "quantity") else "revenue"
        goods = ", SUM(o.quantity) AS quantity" if by != "revenue" else ""
        return (f"SELECT c.name, ROUND(SUM(o.amount), 2) AS revenue, COUNT(*) AS orders{goods} FROM orders o "
                f"JOIN customers c ON c.id = o.customer_id{where} GROUP BY c.id{_having(q)} "
                f"ORDER BY {by} {_way(q)} LIMIT {q.limit}{_offset(q)}")
    if what == "rank_cities":
        # 上海 and Shanghai are one city: grouped under one name, in the question's language
        case = _city_case("c.city", q.english)
        if q.by == "customers":  # "哪个城市的客户最多": where the customers live
            return (f"SELECT {case} AS city, COUNT(*) AS customers FROM customers c "
                    f"GROUP BY 1 ORDER BY customers {_way(q)} LIMIT {q.limit}{_offset(q)}")
        conds = [c for c in (during("o.date", q.period) if q.period else None, _goods_cond("o.product", q),
                             f"c.city IN ({', '.join(city_forms(c) for c in q.cities)})" if q.cities else None) if c]
        where = " WHERE " + " AND ".join(conds) if conds else ""
        if q.by == "avg_order":  # "aov by city": the average order of each city's customers
            return (f"SELECT {case} AS city, ROUND(AVG(o.amount), 2) AS average_order FROM orders o "
                    f"JOIN customers c ON c.id = o.customer_id{where} "
                    f"GROUP BY 1 ORDER BY average_order {_way(q)} LIMIT {q.limit}{_offset(q)}")
        if q.by == "orders":  # "which city had the most orders": counted, not summed
            return (f"SELECT {case} AS city, COUNT(*) AS orders FROM orders o "
                    f"JOIN customers c ON c.id = o.customer_id{where} "
                    f"GROUP BY 1 ORDER BY orders {_way(q)} LIMIT {q.limit}{_offset(q)}")
        return (f"SELECT {case} AS city, ROUND(SUM(o.amount), 2) AS revenue FROM orders o "
                f"JOIN customers c ON c.id = o.customer_id{where} "
                f"GROUP BY 1 ORDER BY revenue {_way(q)} LIMIT {q.limit}{_offset(q)}")
    if what in _BY_DATE:  # "哪天最忙", "今年哪个weekday生意最好"; months, days in their order unless which
        columns, key, in_order = _BY_DATE[what]
        by = q.by if q.by in ("quantity", "orders", "avg_order") else "revenue"
        order = f"{'average_order' if by == 'avg_order' else by} {_way(q)}" if q.limit == 1 or q.least or not in_order else key
        value = {"quantity": "SUM(quantity) AS quantity", "orders": "COUNT(*) AS orders",
                 "avg_order": "ROUND(AVG(amount), 2) AS average_order"}.get(by, "ROUND(SUM(amount), 2) AS revenue")
        conds = [c for c in [during("date", q.period) if q.period else None, _goods_cond("product", q),
                             _living(q)] if c]
        return (f"SELECT {columns}, {value} FROM orders{' WHERE ' + ' AND '.join(conds) if conds else ''} "
                f"GROUP BY {key} ORDER BY {order} LIMIT {q.limit}")
    if what == "rank_products":
        conds = [c for c in (during("date", q.period) if q.period else None, _goods_cond("product", q),
                             _customer_is(q.customer) if q.customer else None, _living(q)) if c]
        where, way = (" WHERE " + " AND ".join(conds) if conds else ""), "ASC" if q.least else "DESC"
        if q.by == "revenue":
            return (f"SELECT product, ROUND(SUM(amount), 2) AS revenue FROM orders{where} GROUP BY product "
                    f"ORDER BY revenue {way} LIMIT {q.limit}{_offset(q)}")
        if q.by == "avg_order":
            return (f"SELECT product, ROUND(AVG(amount), 2) AS average_order FROM orders{where} GROUP BY product "
                    f"ORDER BY average_order {way} LIMIT {q.limit}{_offset(q)}")
        return (f"SELECT product, SUM(quantity) AS quantity FROM orders{where} GROUP BY product "
                f"ORDER BY quantity {way} LIMIT {q.limit}{_offset(q)}")
    if what == "rank_channels":  # "上个月联系了多少次 按渠道分": contacts by the way they were made
        return (f"SELECT channel, COUNT(*) AS interactions FROM interactions{_between('date', q.period)} "
                f"GROUP BY channel ORDER BY interactions {_way(q)} LIMIT {q.limit}")
    if what == "rank_statuses":  # "complaints — count by status": how many open, in hand, resolved
        return (f"SELECT status, COUNT(*) AS complaints FROM complaints{_between('date', q.period)} "
                f"GROUP BY status ORDER BY complaints {_way(q)}")
    if what == "rank_categories":  # "which category has the most complaints"
        conds = [c for c in (during("date", q.period) if q.period else None, status_cond(q.status)) if c]
        return (f"SELECT category, COUNT(*) AS complaints FROM complaints"
                f"{' WHERE ' + ' AND '.join(conds) if conds else ''} GROUP BY category "
                f"ORDER BY complaints {_way(q)} LIMIT {q.limit}{_offset(q)}")
    # Customer names come from the customer list (exact names only), never from free text.
    who = _customer_is(q.customer) if q.customer else None
    if what == "last_order":  # when, and what: "佢最後一次幾時買 買咗乜"
        return (f"SELECT date AS last_order, product, quantity, amount FROM orders WHERE {who} "
                f"ORDER BY date DESC, id DESC LIMIT 1")
    if what == "first_order":  # "第一次是什么时候": when they first bought, and what
        return (f"SELECT date AS first_order, product, quantity, amount FROM orders WHERE {who} "
                f"ORDER BY date, id LIMIT 1")
    if what == "referred":  # "张伟一共推荐了几个人": the customers who came with the code
        by = _customer_is(q.customer, "referred_by") if q.customer \
            else "referred_by IS NOT NULL"
        return (f"SELECT COUNT(DISTINCT customer_id) AS customers, COUNT(*) AS orders FROM orders "
                f"WHERE {by}{' AND ' + during('date', q.period) if q.period else ''}")
    if what == "last_contact":
        return (f"SELECT date, channel, summary FROM interactions WHERE {who} "
                f"ORDER BY date DESC, id DESC LIMIT 1")
    if what == "days_since":  # the period is today, the day counted to
        return (f"SELECT MAX(date) AS last_order, CAST(julianday('{q.period[1].isoformat()}') - julianday(MAX(date)) "
                f"AS INTEGER) AS days_since FROM orders WHERE {who}")
    if what == "contact":  # "佢喺邊個城市", "那个人电话多少": the stored details, not the whole profile
        return f"SELECT name, phone, city, email, wechat FROM customers WHERE name = {quoted(q.customer)}"
    if what == "detail":  # "她生日几号来着": one column of the record, named from _DETAILS only
        column = next(c for c, _ in _DETAILS if c == q.detail)
        return f"SELECT name, {column} FROM customers WHERE name = {quoted(q.customer)}"
    if what == "biggest_order":  # "上个月 biggest single order 是多少 and who placed it" (every one, if tied)
        top = f"SELECT MAX(amount) FROM orders{_between('date', q.period)}"
        within = f"{during('o.date', q.period)} AND " if q.period else ""
        return (f"SELECT c.name, o.date, o.product, o.amount FROM orders o JOIN customers c ON c.id = o.customer_id "
                f"WHERE {within}o.amount = ({top}) ORDER BY o.date, o.id")
    if what == "complaint_list":  # a customer's complaints, or those still open, oldest or worst first
        conds = [_customer_is(q.customer, "k.customer_id")] if q.customer else []
        # one customer's complaints are all of them; the shop's, those not yet resolved
        status = status_cond(q.status or (None if q.customer else "unresolved"), "k.status")
        if status:
            conds.append(status)
        if q.severity:
            conds.append(_severity_cond(q.severity, "k.severity"))
        if q.older_than:
            conds.append(f"k.date < '{q.older_than.isoformat()}'")
        if q.category:
            conds.append(f"k.category = {quoted(q.category)}")
        if q.period:
            conds.append(during("k.date", q.period))
        order = ("CASE k.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, "
                 if q.by == "severity" else "") + ("k.date DESC" if q.customer else "k.date")
        return (f"SELECT k.id, k.date, c.name, k.category, k.severity, k.status FROM complaints k "
                f"JOIN customers c ON c.id = k.customer_id{' WHERE ' + ' AND '.join(conds) if conds else ''} "
                f"ORDER BY {order} LIMIT {q.limit}")
    if what == "customer_tasks":  # "anything else open for him? tasks or whatever"
        return (f"SELECT t.id, t.due_date, t.title FROM tasks t WHERE t.status = 'open' AND "
                f"{_customer_is(q.customer, 't.customer_id')} ORDER BY t.due_date")
    if what == "latest_order":
        return f"SELECT MAX(date) AS latest_order FROM orders{' WHERE ' + who if who else ''}"
    if what == "latest_orders":  # "from who" after the shop's latest order day: that day's orders
        return ("SELECT o.date, c.name, o.product, o.quantity, o.amount FROM orders o JOIN customers c "
                "ON c.id = o.customer_id WHERE o.date = (SELECT MAX(date) FROM orders) ORDER BY o.id")
    goods = _goods_cond("product", q)
    if goods:
        who = f"{who} AND {goods}" if who else goods
    if q.threshold and q.threshold.what == "order_amount":  # "今年over 500块的订单有几单"
        who = f"{who} AND {q.threshold.sql('amount')}" if who else q.threshold.sql("amount")
    elif q.threshold and what in ("customers", "buyers", "list_buyers", "list_customers"):
        return _customers_by_figure(q, listing=what.startswith("list_"))
    if q.month_sql:
        month = f"substr(date, 1, 7) = ({q.month_sql})"
        who = f"{who} AND {month}" if who else month
    both = city_forms(q.city) if q.city else ""
    kept = customer_conds(q)
    in_city = _living(q) if what != "customers" else None
    if in_city:
        who = f"{who} AND {in_city}" if who else in_city

    def where(column: str, *more: str | None) -> str:
        parts = [p for p in more if p]
        if q.period:
            parts.insert(0, during(column, q.period))
        return (" WHERE " + " AND ".join(parts)) if parts else ""

    if what in _PER_DAY_COLUMNS:  # "十月份平均每天卖多少钱": the period's figure over its days
        column, figure = _PER_DAY_COLUMNS[what]
        if q.period:
            last = min(q.period[1], q.until) if q.until else q.period[1]
            days = str(max((last - q.period[0]).days + 1, 1))
        else:  # every day from the first order to the last
            days = "NULLIF(julianday(MAX(date)) - julianday(MIN(date)) + 1, 0)"
        return f"SELECT ROUND({figure} * 1.0 / {days}, 2) AS {column} FROM orders{where('date', who)}"
    if what == "figures":  # "rev / #ord / AOV": each, in the order asked
        return f"SELECT {', '.join(_FIGURE_COLUMNS[f] for f in q.figures)} FROM orders{where('date', who)}"
    if what == "orders_avg":
        return (f"SELECT COUNT(*) AS orders, ROUND(AVG(amount), 2) AS average_order "
                f"FROM orders{where('date', who)}")
    if what == "orders_quantity":
        return (f"SELECT COUNT(*) AS orders, COALESCE(SUM(quantity), 0) AS quantity "
                f"FROM orders{where('date', who)}")
    if what == "orders_revenue":  # "总共下过几单, 花了多少": both, in one answer
        return (f"SELECT COUNT(*) AS orders, ROUND(COALESCE(SUM(amount), 0), 2) AS revenue "
                f"FROM orders{where('date', who)}")
    if q.idle and q.period and what in ("customers", "buyers", "list_buyers"):
        # "今年没下过单的客户有几个": the customers with no order in the period, not those with one
        bought = f"SELECT customer_id FROM orders{where('date', goods)}"
        conds = " AND ".join([*kept, f"id NOT IN ({bought})"])
        if what == "list_buyers":
            return f"SELECT name FROM customers WHERE {conds} ORDER BY name"
        return f"SELECT COUNT(*) AS customers FROM customers WHERE {conds}"
    if what == "list_buyers":
        rows = f"SELECT DISTINCT c.name FROM orders o JOIN customers c ON c.id = o.customer_id"
        conds = customer_conds(q, "c.")
        if q.threshold and q.threshold.what == "order_amount":  # those who placed the orders over 500
            conds.append(q.threshold.sql("o.amount"))
        if goods:
            conds.append(_goods_cond("o.product", q))
        if q.period:
            conds.insert(0, during("o.date", q.period))
        return rows + (" WHERE " + " AND ".join(conds) if conds else "") + " ORDER BY c.name"
    if what == "day_orders":  # "11月1号 who ordered": each order of the day, with whose it was
        conds = [c for c in (during("o.date", q.period) if q.period else None, _goods_cond("o.product", q)) if c]
        return ("SELECT c.name, o.product, o.quantity, o.amount FROM orders o JOIN customers c ON c.id = o.customer_id"
                f"{' WHERE ' + ' AND '.join(conds) if conds else ''} ORDER BY o.date, o.id LIMIT 200")
    if what == "list_new_customers":
        inner = "SELECT customer_id, MIN(date) AS first_date FROM orders GROUP BY customer_id"
        return (f"SELECT c.name, f.first_date FROM customers c JOIN ({inner}) f ON f.customer_id = c.id"
                f"{where('f.first_date')} ORDER BY f.first_date")
    if what == "list_customers":
        return f"SELECT name FROM customers{' WHERE ' + ' AND '.join(kept) if kept else ''} ORDER BY name"
    if what == "quantity_revenue":
        return (f"SELECT COALESCE(SUM(quantity), 0) AS quantity, ROUND(COALESCE(SUM(amount), 0), 2) AS revenue "
                f"FROM orders{where('date', who)}")
    if what == "avg_order":
        return f"SELECT ROUND(AVG(amount), 2) AS average_order FROM orders{where('date', who)}"
    if what == "per_customer":
        return (f"SELECT ROUND(SUM(amount) * 1.0 / NULLIF(COUNT(DISTINCT customer_id), 0), 2) AS per_customer "
                f"FROM orders{where('date', who)}")
    if what == "revenue":
        return f"SELECT ROUND(COALESCE(SUM(amount), 0), 2) AS revenue FROM orders{where('date', who)}"
    if what == "quantity":
        return f"SELECT COALESCE(SUM(quantity), 0) AS quantity FROM orders{where('date', who)}"
    if what == "orders":
        return f"SELECT COUNT(*) AS orders FROM orders{where('date', who)}"
    if what == "new_customers":
        inner = "SELECT customer_id, MIN(date) AS first_date FROM orders GROUP BY customer_id"
        return f"SELECT COUNT(*) AS new_customers FROM ({inner}){where('first_date')}"
    if what == "repeat_rate":  # of those who bought (in the period), the share who bought twice or more
        return (f"SELECT ROUND(100.0 * SUM(n >= 2) / COUNT(*), 1) AS repeat_rate_pct, SUM(n >= 2) AS repeat_customers, "
                f"COUNT(*) AS buyers FROM (SELECT customer_id, COUNT(*) AS n FROM orders{_between('date', q.period)} "
                f"GROUP BY customer_id)")
    if what == "cycle":  # one customer's average days between orders, first to last
        return (f"SELECT COUNT(*) AS orders, MIN(date) AS first_order, MAX(date) AS last_order, "
                f"ROUND((julianday(MAX(date)) - julianday(MIN(date))) / NULLIF(COUNT(*) - 1, 0), 1) AS avg_days_between "
                f"FROM orders WHERE {_customer_is(q.customer)}")
    if what == "one_time_buyers":  # customers with a single order (in the period: that order's date)
        inner = "SELECT customer_id, MIN(date) AS order_date FROM orders GROUP BY customer_id HAVING COUNT(*) = 1"
        return f"SELECT COUNT(*) AS one_time_buyers FROM ({inner}){where('order_date')}"
    if what == "complaints":
        cond = status_cond(q.status)
        severity = _severity_cond(q.severity) if q.severity else None
        older = f"date < '{q.older_than.isoformat()}'" if q.older_than else None
        kind = f"category = {quoted(q.category)}" if q.category else None
        return f"SELECT COUNT(*) AS complaints FROM complaints{where('date', cond, severity, older, kind, who)}"
    if what == "tasks":
        cond = "status != 'open'" if q.done else "status = 'open'"
        return f"SELECT COUNT(*) AS tasks FROM tasks{where('due_date', cond, who)}"
    if what == "interactions":
        cond = f"channel = '{q.channel}'" if q.channel else None
        return f"SELECT COUNT(*) AS interactions FROM interactions{where('date', cond, who)}"
    if what == "buyers" or (what == "customers" and q.period):
        # "深圳的客户10月有几个下单的": the buyers in the period who live there
        living = _living(q) if what == "customers" else None
        return f"SELECT COUNT(DISTINCT customer_id) AS customers FROM orders{where('date', who, living)}"
    if q.detail:  # only the customers whose record has it (a column named in _ON_FILE_COLUMNS)
        column = next(c for c, _ in _ON_FILE_COLUMNS if c == q.detail)
        kept = [*kept, f"{column} IS NOT NULL AND {column} != ''"]
    return f"SELECT COUNT(*) AS customers FROM customers{' WHERE ' + ' AND '.join(kept) if kept else ''}"


def _having(q: Question) -> str:
    """A ranking's customers kept by their spend or number of orders ("spent over 10k")."""
    if not q.threshold or q.threshold.what == "order_amount":
        return ""
    return f" HAVING {q.threshold.sql('COALESCE(SUM(o.amount), 0)' if q.threshold.what == 'spend' else 'COUNT(o.id)')}"


def _customers_by_figure(q: Question, listing: bool) -> str:
    """The customers whose spend or number of orders (in the period, of the goods, in the city or
    tag) passes the threshold: how many, or who ("how many customers spent more than 10k this year")."""
    # from the customers, so "spent under 1000" counts those who bought nothing too
    joined = " AND ".join(["o.customer_id = c.id"] + [c for c in (
        during("o.date", q.period) if q.period else None, _goods_cond("o.product", q)) if c])
    kept = customer_conds(q, "c.")
    where = " WHERE " + " AND ".join(kept) if kept else ""
    rows = (f"SELECT c.name, ROUND(COALESCE(SUM(o.amount), 0), 2) AS revenue, COUNT(o.id) AS orders FROM customers c "
            f"LEFT JOIN orders o ON {joined}{where} GROUP BY c.id{_having(q)}")
    return f"{rows} ORDER BY revenue DESC LIMIT 200" if listing else f"SELECT COUNT(*) AS customers FROM ({rows})"


_WEEKDAY_NAMES = ("CASE strftime('%w', date) " + " ".join(
    f"WHEN '{i}' THEN '{name}'" for i, name in enumerate(
        ["Sunday 周日", "Monday 周一", "Tuesday 周二", "Wednesday 周三", "Thursday 周四", "Friday 周五", "Saturday 周六"]))
    + " END")
# orders grouped by a part of their date: (the columns, the group key, whether to list in date order)
_BY_DATE = {"rank_months": ("substr(date, 1, 7) AS month", "month", True),
            "rank_days": ("substr(date, 1, 10) AS day", "day", True),
            "rank_weekdays": (f"strftime('%w', date) AS weekday_no, {_WEEKDAY_NAMES} AS weekday", "weekday_no", False)}


def _months_back(period: tuple[date, date], months: int) -> tuple[date, date]:
    """The same calendar stretch `months` earlier (October 2026 -> October 2025, the month before)."""
    return add_months(period[0], -months), add_months(period[1] + timedelta(days=1), -months) - timedelta(days=1)


def _living(q: Question) -> str | None:
    """Orders of the customers in the question's city or with its tag, or None when it names neither."""
    kept = customer_conds(q)
    return f"customer_id IN (SELECT id FROM customers WHERE {' AND '.join(kept)})" if kept else None


def _way(q: Question) -> str:
    return "ASC" if q.least else "DESC"


def _offset(q: Question) -> str:
    return f" OFFSET {q.offset}" if q.offset else ""


def _whole_months(period: tuple[date, date]) -> int:
    """How many calendar months the period is exactly, or 0 when it is not whole months."""
    a, b = period
    after = b + timedelta(days=1)
    if a.day != 1 or after.day != 1:
        return 0
    return (after.year - a.year) * 12 + after.month - a.month


def _between(column: str, period: tuple[date, date] | None) -> str:
    return f" WHERE {during(column, period)}" if period else ""


def during(column: str, period: tuple[date, date]) -> str:
    """The condition that `column` falls in the period (ISO dates made by code)."""
    return f"{column} BETWEEN '{period[0].isoformat()}' AND '{period[1].isoformat()}'"


# what a follow-up changes in the last question: "same but only this year", "by no. of orders"
# letters, not \b, around English words: in "all-time呢" the 汉字 after them are word characters too
# "再前一周", "the week before", "前一个月": the period before the one just asked about
_EARLIER = re.compile(r"再?(?:往)?前一(?:(周|个?星期|个?礼拜)|个?月)|上一周|\bthe (?:(week)|month) before\b"
                      r"|再上一?(?:(周|个?星期|个?礼拜)|个?月)"
                      r"|\bprevious (?:(week)|month)\b|\b(week) before that\b", re.IGNORECASE)
_ALL_TIME = re.compile(r"(?<![A-Za-z])all[- ]time(?![A-Za-z])|(?<![A-Za-z])ever(?![A-Za-z])|\boverall\b|\bsince (?:the )?(?:start|beginning)\b"
                       r"|\bin total\b|一直以来|有史以来|全部时间|所有时间|总的|历来|至今为止", re.IGNORECASE)
_RANK_BY = [("orders", r"\b(?:no\.?|number|count|#) of orders\b|\bby orders\b|\bmost orders\b|\border count\b"
                       r"|\bmost (?:times|often)\b|\bmost frequent"
                       r"|单数|订单数|下单次数|次数|几单|多少单|最多单|单最多|最多订单|订单最多|最少单|单最少"),
            ("quantity", r"\b(?:bags?|units?|quantity|qty|volume|boxes)\b|袋数|包数|数量|销量|件数"),
            ("revenue", r"\b(?:revenue|spend|spent|value|money|sales|amount|takings)\b|金额|消费|营业额|销售额|花"
                        r"|\bby\s*(?:\$|¥|rmb)+")]  # "by $$"


_RANKS = ("rank_customers", "rank_products", "rank_cities", "rank_months", "rank_channels", "rank_categories",
          "rank_days", "rank_weekdays", "rank_statuses")
_FEWEST = re.compile(r"\b(?:fewest|least|worst|lowest)\b|最少|最差|最低|最冷门", re.IGNORECASE)
SUMS = ("revenue", "quantity", "orders", "avg_order", "per_customer", "buyers", "customers", "new_customers", "one_time_buyers",
        "repeat_rate", *SEVERAL)  # one can stand for another
# "they", "她": a person the last answer named, whom the router knows, not the question's crowd
_PERSON = re.compile(r"\b(?:she|he|her|him|his|they|them|their)\b|她|他|佢", re.IGNORECASE)
# "who were they", "list them pls", "是哪些人": the people a count counted, by name
_WHO_THEY = re.compile(r"\bwho (?:were|are|was|is) (?:they|them|those|these|it)\b|\blist (?:them|those|em)\b"
                       r"|\bnames?\b|\bwhich (?:ones|customers|people)\b|\bshow (?:me )?(?:them|those|who)\b"
                       r"|哪些人|是谁|都有谁|有哪些|名单|列出来|叫什么|叫啥", re.IGNORECASE)
_LISTED = {"buyers": "list_buyers", "orders": "list_buyers", "customers": "list_customers",
           "new_customers": "list_new_customers", "orders_revenue": "list_buyers", "orders_quantity": "list_buyers",
           "orders_avg": "list_buyers"}


def ranked_by(text: str, default: str | None = None) -> str | None:
    """What a ranking is ordered by, as the message says it ("by no. of orders", "按金额")."""
    return next((by for by, rx in _RANK_BY if re.search(rx, text, re.IGNORECASE)), default)


_FOLLOW_FILLER = re.compile(r"^\s*(?:&|\+|and|what about|how about|and what about|ok|那么?|咁|还有)\s*(?:for\s+)?|\s*(?:的)?呢\s*[?？]?\s*$"
                            r"|\s*[?？]\s*$", re.IGNORECASE)
_IT = re.compile(r"\b(?:it|that|that one|this one)\b|它|那个|那款|这个|这款", re.IGNORECASE)


_SAME_SPAN_YEAR_AGO = re.compile(r"\byoy\b|\by/y\b|\byear[- ]on[- ]year\b|\byear[- ]over[- ]year\b|同比"
                                 r"|\bsame (?:month|period|time|week|quarter)\b.{0,6}\blast (?:year|yr)\b"
                                 r"|\blast (?:year|yr)'?s?\b.{0,6}\bsame (?:month|period|time)\b|\ba year (?:ago|before|earlier)\b"
                                 r"|去年(?:的)?同(?:期|月|一个月|时间)|去年(?:的)?这个时候|去年(?:的)?今个月"
                                 r"|去年(?:的)?同(?:样|一)(?:的)?(?:时候|时间|时段)", re.IGNORECASE)


_THAT_MONTH = re.compile(r"\bthat month\b|那个?月|嗰个?月|当月", re.IGNORECASE)
_THERE = re.compile(r"\bthere\b|\bthat (?:city|place|town)\b|那里|那边|那儿|嗰度|嗰边|那个城市|当地", re.IGNORECASE)
_NTH_PLACE = re.compile(r"第\s*([二三23])(?:名|位|个|多)?|\b(second|third|2nd|3rd)\b|(?:#|\bno\.?)\s*([23])\b", re.IGNORECASE)
_ONLY_KIND = re.compile(r"^\s*(?:ok\s+|and\s+)?(?:only|just)\s+(?:the\s+)?([\w ]{2,20}?)\s+(?:ones?|products?|beans?)\s*[?？]?\s*$"
                        r"|^\s*只(?:看|要|算)\s*([\w\u4e00-\u9fff]{2,10}?)的?\s*(?:呢|吧)?\s*$", re.IGNORECASE)


def counted_names_sql(q: Question) -> str | None:
    """The SELECT naming the customers a count counted ("how many customers in Hangzhou": which),
    with a `name` column; None when `q` counts no customers."""
    if q.measure not in _LISTED:
        return None
    # customers counted in a period are those who bought in it; all of them, not a listing's first page
    listing = sql_for(replace(q, measure="list_buyers" if q.measure == "customers" and q.period else _LISTED[q.measure]))
    return re.sub(r" LIMIT \d+$", "", listing)


_RANKED_AGAIN = re.compile(r"最(?:多|少|好|高|低|差|旺)|\b(?:most|best|busiest|fewest|least|highest|lowest)\b", re.IGNORECASE)


def follow_up(text: str, q: Question, today: date, named: list[str], products: tuple[str, ...] = ()) -> str | None:
    """The SELECT of `q` with what a follow-up message changes in it (its period, customer, what
    is counted, a ranking's order or length), or None when the message changes none of it."""
    # "them" after goods counted are those goods ("咁佢哋埋单总共几多钱" after the gift boxes sold)
    goods_asked = (q.goods or q.product) and (re.search(r"\b(?:them|it)\b", text, re.IGNORECASE) and not re.search(
        r"\b(?:she|he|her|him|his)\b|她|他", text, re.IGNORECASE) or re.search(r"它们?|他们|佢哋", text))
    if _PERSON.search(text) and not q.customer and not _WHO_THEY.search(text) and not goods_asked:
        return None  # "how many orders have they placed" after the top spender: about that one
    if asks_contact(text) or _USUAL.search(text) and not _COUNTED.search(text):
        return None  # "那个人电话多少" after a ranking: a fact about the one it named
    if q.measure == "latest_order" and not q.customer and re.search(r"\bwho\b|谁|边个|哪些人|哪个客", text, re.IGNORECASE):
        return sql_for(replace(q, measure="latest_orders"))
    if q.measure in _LISTED and _WHO_THEY.search(text) and not subject(text):
        return counted_names_sql(q)
    if q.versus and CHANGE_ASKED.search(text) and period_of(text, today) in (None, q.period, q.versus):
        # "so how much more is this yr" after this year beside last: the change between the two
        return _change_row(replace(q, versus=None), q.versus, q.period, text)
    changes: dict = {}
    period = period_of(text, today)
    if q.period and _SAME_SPAN_YEAR_AGO.search(text):
        # "and same month last yr" after October: October a year before, not all of last year;
        # "same time last yr" after this year, last year up to the same day
        to_date = _SAME_SPAN.search(text) or re.search(r"这个时候|this time", text, re.IGNORECASE)
        period = _months_back((q.period[0], min(q.period[1], today) if to_date else q.period[1]), 12)
    if period and period != q.period:
        changes["period"] = period
    elif not period and q.period and _ALL_TIME.search(text):
        changes["period"] = None
    earlier = _EARLIER.search(text)
    if earlier and (not period or period == q.period) and q.period:
        # "再前一周 也是上海": the same stretch just before the one asked about
        days = (q.period[1] - q.period[0]).days + 1
        whole = _whole_months(q.period)
        if whole and not any(earlier.groups()):  # "the month before that" after October is September
            changes["period"] = _months_back(q.period, whole)
        elif days <= 7 or not any(earlier.groups()):
            step = timedelta(days=7 if days <= 7 else days)
            changes["period"] = (q.period[0] - step, q.period[1] - step)
    if len(named) == 1 and q.customer and named[0] != q.customer:
        changes["customer"] = named[0]
    on_file = _ON_FILE.search(text) if q.detail and q.measure == "customers" else None
    if on_file:  # "有WeChat的呢" after those with an email: those with that instead
        column = next((c for c, word in _ON_FILE_COLUMNS if re.search(word, on_file.group(0))), None)
        if column and column != q.detail:
            return sql_for(replace(q, detail=column))
    city = find_city(text)
    if city and (q.cities or q.measure == "rank_cities" and q.limit == 1) and not period_of(text, today):
        # "南京呢" after the best city: that city's figure over the same period
        # "那苏州呢" after Shanghai against Hangzhou: that city's figure over the same period
        return sql_for(Question("orders" if q.by == "orders" else "revenue", q.period, city=city))
    if city and city != q.city and (q.measure in _RANKS[:1] or q.measure in SUMS) and not q.customer:
        changes["city"] = city  # "那上海的呢": the same question about the shop's customers there
    if (q.product or q.goods) and not changes and not named:
        # "咁曼特寧呢" after how many bags of 耶加雪菲: the same question about other goods
        other = _FOLLOW_FILLER.sub("", text).strip()
        if re.fullmatch(r"[\u4e00-\u9fff]{2,6}|[a-z][a-z ]{2,25}", other, re.IGNORECASE) and other != q.product \
                and not period_of(other, today) and not (q.goods and other.lower() in q.goods.lower()):
            # ("耶加雪啡呢": the stored name it sounds like, when one does)
            changes["product"], changes["goods"] = (named_in(other, products) if products else None) or other, None
    counted = subject(text) if re.search(r"\bhow many\b|多少|几", text, re.IGNORECASE) else None
    that_month = q.measure == "rank_months" and _THAT_MONTH.search(text) is not None
    there = q.measure == "rank_cities" and _THERE.search(text) is not None
    figure = (counted or subject(text)) if q.limit == 1 and (that_month or there) else None
    if figure in SUMS:
        # "那个月一共几单" after the best month, "how many customers do we even have there" after the
        # weakest city: the figure of the one the ranking named, read by a subquery of that ranking
        top = f"SELECT {'month' if that_month else 'city'} FROM ({question_sql(replace(q, english=True))})"
        return sql_for(Question(figure, month_sql=top) if that_month
                       else Question(figure, period_of(text, today), city_sql=top))
    if q.measure == "rank_products" and (q.limit == 1 or _IT.search(text)) \
            and counted in ("quantity", "revenue", "orders") \
            and (_IT.search(text) or len(text.strip()) <= 12 and not named_in(text, products)):
        # "how many bags of it?", "卖了多少钱" after what sold best ("它" after the best five: the
        # first of them): that product, found by the same ranking
        order = {"revenue": "SUM(amount)", "orders": "COUNT(*)"}.get(q.by, "SUM(quantity)")
        top = (f"SELECT product FROM orders{_between('date', q.period)} GROUP BY product "
               f"ORDER BY {order} DESC LIMIT 1")
        return sql_for(Question(counted, changes.get("period", q.period), product_sql=top))
    if q.measure in SUMS and q.measure != "customers" and _BY_MONTH.search(text):
        # "那今年夏天哪个月卖得最好" after how many 冷萃 sold: the months of the same goods ranked
        one = bool(re.search(r"\bwhich\b|哪个|哪一个|哪月|\bbest month\b", text, re.IGNORECASE))
        by = "quantity" if q.measure == "quantity" or (q.goods or q.product) and not MONEY_ASKED.search(text) \
            else "revenue"
        return sql_for(replace(q, measure="rank_months", period=changes.get("period", q.period), by=by,
                            limit=1 if one else 12))
    goods = named_in(text, products) if q.measure in SUMS and not (q.goods or q.product) else None
    if goods:  # "how many of those were gift boxes" after the orders over 500: those of these goods
        changes["goods"] = goods
    tag = find_tag(text)
    if tag and tag != q.tag and q.measure in SUMS and not q.customer:
        changes["tag"] = tag  # "how many of those are wholesale" after the customers in a city
    if q.measure == "complaints":
        status = status_of(text)
        if status and status != q.status:  # "and the in progress ones?"
            changes["status"] = status
        kind = _category_of(text)
        if kind and kind != q.category:  # "how many of those about delivery"
            changes["category"] = kind
    nth = _NTH_PLACE.search(text) if q.measure in _RANKS and q.limit == 1 else None
    if nth:  # "按销售额第二的呢" after the best one: the one after it
        place = {"二": 2, "2": 2, "second": 2, "2nd": 2, "三": 3, "3": 3, "third": 3, "3rd": 3}[next(g for g in nth.groups() if g).lower()]
        if place - 1 != q.offset:
            changes["offset"] = place - 1
    only = _ONLY_KIND.search(text) if q.measure == "rank_products" else None
    if only:  # "only the 250g ones" after sales by product: the products whose name says so
        word = re.sub(r"[^\w\u4e00-\u9fff -]", "", next(g for g in only.groups() if g)).strip()
        if word:
            changes["product"] = word
    if q.measure in _RANKS and counted and not _RANKED_AGAIN.search(text):
        # "and how many orders made up that?" after a ranking: a count over the same period
        # ("那订单最多的是礼拜几" ranks again, by orders)
        return sql_for(Question(counted, changes.get("period", q.period)))
    if q.measure in _RANKS:
        by = ranked_by(text)
        if by and by != q.by:
            changes["by"] = by
        if _FEWEST.search(text) and not q.least:  # "and which sold the fewest?" after the best one
            changes["least"], changes["offset"] = True, 0
            if re.search(r"\bwhich one\b|哪(?:一)?(?:个|款)", text, re.IGNORECASE):
                changes["limit"] = 1  # "and which one made the least money": one
        n = re.search(r"\btop\s*(\d+)|前\s*(\d+|[一二三四五六七八九十两]+)|\b(\d+)\s*(?:only|best)\b", text,
                      re.IGNORECASE)
        limit = limit_of(text, q.limit) if n else q.limit
        if limit != q.limit:
            changes["limit"] = limit
    else:
        what = subject(text) or ("revenue" if MONEY_ASKED.search(text) or re.search(r"\$|¥|money|钱", text)
                                 else None)
        if what in SUMS and q.measure in SUMS and what != q.measure:
            changes["measure"] = what
        elif what in SUMS and q.measure in BOUGHT_LISTS:
            # "总共多少钱" after who ordered on the 1st: that day's figure
            return sql_for(Question(what, changes.get("period", q.period), goods=q.goods))
        elif what in SUMS and q.measure not in SUMS and q.customer:
            # "and how much has she spent this year" after her last order: her figure, anew
            return sql_for(Question(what, period, changes.get("customer", q.customer)))
    if not changes:
        return None
    return sql_for(replace(q, **changes))


_TOP = re.compile(r"\b(?:best|top|biggest|most valuable|highest[- ]spending)\b(?:\s+\d+)?\s+"
                  r"(?:customers?|clients?|buyers?|spenders?)|spen[dt] the most|\b(?:big(?:gest)?|top|best)\s*\d*\s*spenders\b"
                  # mixed: "top 5 客户 by spend"
                  r"|\btop\s*\d+\s*个?\s*(?:客户|顾客|客人)|(?:客户|顾客|customers?|clients?)\s*(?:by|按)\s*"
                  r"(?:spend|spending|revenue|sales|消费|金额)"
                  # "who ordered the most in october", "who has bought the most times ever"
                  r"|\bwho(?:'s| is| has| have| had)?\s+(?:ordered|bought|spent|purchased|shopped|order|buy|spend)s?"
                  r"(?:\s+(?:from|with)\s+us)?\s+(?:the\s+)?most\b|\bwho(?:'s| is)?\s+(?:the\s+)?(?:biggest|top|best)\s+(?:buyer|customer|spender|client)\b",
                  re.IGNORECASE)
_TOP_ZH = ("最好的客户", "大客户", "消费最多", "买得最多", "花钱最多", "贡献最大", "消费排名", "客户排名",
           r"最好的.{0,6}(?:客户|顾客|客人)", r"(?:revenue|消费|花钱|花得|营业额|金额|贡献|spend|spent).{0,4}最(?:高|多|大)",
           r"最(?:能|会)(?:花|买)", r"花(?:钱|得)?最多", r"买(?:得|的)?最多的.{0,3}(?:客|人)",
           # "上个月买意式拼配最多的是谁", "谁买耶加买得最多": one of the goods, the customer who bought most
           r"(?:买|订|要)[^，,。？?]{1,10}最多的?(?:是谁|是哪位|是哪个|客户|人)", r"谁[^，,。？?]{0,3}(?:买|订)[^，,。？?]{0,10}最多")


def limit_of(text: str, default: int) -> int:
    from assistant.lang.dates import cn_number

    n = re.search(r"top\s*(\d+)|(?:前|头)\s*(\d+|[一二三四五六七八九十两俩仨]+)|(\d+|[一二三四五六七八九十两]+)\s*"
                  r"(?:best|biggest|个|位|名|customers|clients|products)", text, re.IGNORECASE)
    if not n:
        return default
    raw = next(g for g in n.groups() if g)
    value = int(raw) if raw.isdigit() else cn_number(raw)
    return min(int(value), 100) if value else default


_COMPARE = re.compile(r"谁.{0,8}(?:多|少|高|低|大)|哪(?:个|位).{0,6}(?:多|少|高|低)|比较|对比|比一比|相比|差多少"
                      r"|\bwho\b.{0,40}\b(?:more|most|less|fewer|bigger|higher)\b|\bcompare\b|\bvs\.?\b|\bversus\b"
                      r"|\bwhich of (?:them|the two|those two)\b", re.IGNORECASE)


def comparison_sql(text: str, today: date, names: list[str]) -> str | None:
    """'张伟和李娜谁买得多' / 'who ordered more, her or Li Na': the named customers side by side,
    by spend unless orders or goods are asked about; `names` are stored names."""
    if len(names) < 2 or not _COMPARE.search(text):
        return None
    by = ranked_by(text) or ("orders" if re.search(r"单|\border|次", text, re.IGNORECASE) else "revenue")
    return sql_for(Question("rank_customers", period_of(text, today), by=by, limit=len(names),
                         among=tuple(dict.fromkeys(names))))


def top_customers_sql(text: str, today: date, goods: str | None = None) -> str | None:
    """'who are my best customers' / '消费最多的客户': customers ranked by spend (in a period if named);
    by the goods bought when a stored product is named ("上个月边个买挂耳包买得最多")."""
    if not (_TOP.search(text) or any(re.search(w, text) for w in _TOP_ZH)):
        return None
    # "北京今年谁买得最多" asks for one person; "top 5" / "哪些" for a list
    one = re.search(r"谁|\bwho(?:'s| is)?\b|哪位|哪个(?!月|城市|产品|款|些|地方)", text, re.IGNORECASE) and not re.search(
        r"哪些|(?<!我)们|\btop\s*\d|前\s*\S|\d+\s*(?:个|位)|\bwho are\b|\bpeople\b|\bcustomers\b", text, re.IGNORECASE)
    return sql_for(Question("rank_customers", period_of(text, today), city=find_city(text), goods=goods,
                         tag=find_tag(text), by=ranked_by(text, "quantity" if goods else "revenue"),
                         limit=1 if one else limit_of(text, 10)))


# "which city spent the most w us", "哪个城市的客户买得最多", "sales by city"
_BY_CITY = re.compile(r"\bwhich (?:city|cities|town)\b|\b(?:by|per|each) city\b|哪个城市|哪座城市|哪些城市|每个城市|按城市|各个?城市",
                      re.IGNORECASE)
# "which month was our best ever", "九月同十月邊個月賣得多啲", "sales by month"
_BY_MONTH = re.compile(r"\bwhich months?\b|\bbest month\b|\b(?:by|per|each) month\b|哪个月|哪一个月|哪月|边个月|每个月|按月|各个?月"
                       r"|哪些月|哪几个月",
                       re.IGNORECASE)
_MOST = re.compile(r"\bmost\b|\bbest\b|\bbiggest\b|\bhighest\b|\btop\b|最|多|好|高", re.IGNORECASE)


def _cities_named(text: str) -> tuple[str, ...]:
    """The known cities a message names, each once, in its Chinese name where it has one."""
    back = {en.lower(): zh for zh, en in CITY_PAIRS.items() if has_han(zh)}
    return tuple(dict.fromkeys(back.get(c.lower(), c) for _, c in cities_in(text)))


def top_groups_sql(text: str, today: date, goods: str | None = None) -> str | None:
    """Sales by city or by month, best first; the one best when asked which; two cities named
    and compared ("今年上海和杭州哪个卖得多"), those two side by side."""
    named = _cities_named(text)
    if len(named) >= 2 and _COMPARE.search(text):
        return sql_for(Question("rank_cities", period_of(text, today), limit=len(named), cities=named,
                             english=not has_han(text),
                             by="orders" if ranked_by(text) == "orders" and not MONEY_ASKED.search(text) else "revenue"))
    if _BY_CITY.search(text):
        measure = "rank_cities"
    elif _BY_MONTH.search(text) and (subject(text) in (None, "revenue", "orders", "quantity") or _MOST.search(text)):
        measure = "rank_months"
    else:
        return None
    one = bool(re.search(r"\bwhich\b|哪个|哪一个|哪座|哪月|边个|\bbest month\b", text, re.IGNORECASE) and _MOST.search(text))
    period = two_months(text, today) or period_of(text, today)
    by = "customers" if measure == "rank_cities" and subject(text) == "customers" and not MONEY_ASKED.search(text) \
        else "orders" if measure == "rank_cities" and ranked_by(text) == "orders" and not MONEY_ASKED.search(text) \
        else "quantity" if measure == "rank_months" and (ranked_by(text) == "quantity" or subject(text) == "quantity"
                                                         or goods and not MONEY_ASKED.search(text)) else "revenue"
    return sql_for(Question(measure, period, by=by, limit=1 if one else (12 if measure == "rank_months" else 10),
                         english=not has_han(text), goods=goods if measure == "rank_months" else None))


_VERSUS = re.compile(r"\bcompare[sd]?\b|\byoy\b|\by/y\b|\byear[- ](?:on|over)[- ]year\b|\bvs\.?(?![a-z])|\bversus\b|\bcompared (?:to|with)\b|对比|比较|相比|比一比|同比|环比"
                     r"|(?:和|同|跟|与).{1,12}比", re.IGNORECASE)


def _period_label(period: tuple[date, date]) -> str:
    """'2026-10' for a month, '2026' for a year, else 'first–last'."""
    a, b = period
    if a.day == 1 and (b + timedelta(days=1)).day == 1 and (a.year, a.month) == (b.year, b.month):
        return a.strftime("%Y-%m")
    if (a.month, a.day, b.month, b.day) == (1, 1, 12, 31) and a.year == b.year:
        return str(a.year)
    if a.day == 1 and a.month % 3 == 1 and (b + timedelta(days=1)) == add_months(a, 3):
        return f"{a.year}-Q{(a.month + 2) // 3}"
    return f"{a.isoformat()}–{b.isoformat()}"


# "Q3 同 Q2 边个卖得多啲": which of the two periods named did better
_WHICH_MORE = re.compile(r"(?:哪个|哪一个|边个|\bwhich\b).{0,10}(?:多|少|好|差|高|低|\bmore\b|\bbetter\b|\bless\b|\bworse\b)",
                         re.IGNORECASE)


def periods_compared_sql(text: str, today: date) -> str | None:
    """"compare oct this yr vs oct last yr" / "今年同去年比": sales in each period named, side by side."""
    if not (_VERSUS.search(text) or _WHICH_MORE.search(text) and not _BY_MONTH.search(text)):
        return None  # "九月同十月边个月卖得多": the better month, a ranking of the two
    found = list(dict.fromkeys(_periods_in(text, today, r"\bvs\.?(?![a-z])|\bversus\b|\bcompared (?:to|with)\b"
                                                       r"|\band\b|\bwith\b|同|和|跟|与|对比|相比")))
    if len(found) == 1 and _EARLIER.search(text) and _whole_months(found[0]):
        # "last month 营业额 vs the month before": that month and the one before it
        found.insert(0, _months_back(found[0], _whole_months(found[0])))
    elif len(found) == 1 and _SAME_SPAN_YEAR_AGO.search(text):
        # "q3 yoy?", "十月同比": that period and the same one a year before
        found.insert(0, _months_back(found[0], 12))
    if len(found) != 2:
        return None
    if _SAME_SPAN.search(text) and all(_whole_months(p) == 12 for p in found) \
            and any(p[0] <= today <= p[1] for p in found) and not _FULL_YEAR.search(text):
        # "今年跟去年同期比": each year up to today's day of the year
        found = [(p[0], min(p[1], add_months(today, 12 * (p[0].year - today.year)))) for p in found]
    what = subject(text)
    narrowed = read_question(text, today)
    if narrowed is not None and narrowed.measure in SUMS and (narrowed.city or narrowed.tag or narrowed.product) \
            and not CHANGE_ASKED.search(text):
        # "shenzhen sales oct vs sept": the figure of those customers (or goods) in each period
        sql = _periods_side_by_side(replace(narrowed, period=None), found)
        _ASKED[sql] = replace(narrowed, period=max(found), versus=min(found))
        return sql
    if (CHANGE_ASKED.search(text) or _PER_CENT_ASKED.search(text)) and what in (None, "revenue", "orders", "quantity",
                                                                              "avg_order"):
        # "Q3 vs Q2, difference and % change", "Q3 vs Q2 rev %": both figures and the change between
        # them, in one row
        q = Question(what or "revenue", found[1])
        sql = _change_row(q, found[0], found[1], text)
        _ASKED[sql] = replace(q, period=max(found))
        return sql
    cases = " ".join(f"WHEN {during('date', p)} THEN {quoted(_period_label(p))}" for p in found)
    within = " OR ".join(during("date", p) for p in found)
    measure = ("COUNT(*) AS orders" if what == "orders" else "COALESCE(SUM(quantity), 0) AS quantity"
               if what == "quantity" else "ROUND(AVG(amount), 2) AS average_order" if what == "avg_order"
               else "ROUND(COALESCE(SUM(amount), 0), 2) AS revenue")
    sql = (f"SELECT CASE {cases} END AS period, {measure} FROM orders WHERE {within} "
           f"GROUP BY 1 ORDER BY MIN(date)")
    # remembered as the figure of the later period, so "Q4 to date" after "Q3 vs Q2" asks it again
    _ASKED[sql] = Question(what if what in ("orders", "quantity", "avg_order") else "revenue", max(found),
                           versus=min(found))
    return sql


# "is that up or down from sept", "比9月多还是少", "对比一下去年十月": the figure just given against another period's
COMPARED_TO = re.compile(r"\bup or down\b|\b(?:higher|lower|more|less|better|worse) (?:or|than)\b|\bcompared?\b|\bvs\.?(?![a-z])"
                         r"|\bversus\b|\bagainst\b|多还是少|少还是多|高还是低|好还是差|涨还是跌|增加还是减少|有没有(?:涨|增加|进步)"
                         r"|比.{0,10}(?:多|少|高|低|好|差)|对比|比较|相比|比一比|同比|环比"
                         r"|\bmom\b|\bm/m\b|\bmonth[- ](?:on|over)[- ]month\b", re.IGNORECASE)
# "MoM?", "环比呢": the month before the one just asked about
_MONTH_ON_MONTH = re.compile(r"\bmom\b|\bm/m\b|\bmonth[- ](?:on|over)[- ]month\b|环比", re.IGNORECASE)


def _periods_side_by_side(q: Question, periods: list[tuple[date, date]]) -> str:
    """The figure `q` asks for in each period, one row each, the earliest first."""
    return " UNION ALL ".join(f"SELECT {quoted(_period_label(p))} AS period, * FROM ({question_sql(replace(q, period=p))})"
                              for p in sorted(set(periods)))


def compared_again(text: str, q: Question, today: date) -> str | None:
    """The last figure beside the same figure for the period the message compares it with, or
    None when the message compares nothing or names no other period."""
    if q.measure not in SUMS or q.period is None or not COMPARED_TO.search(text):
        return None
    own = subject(text)
    if own and own != q.measure or len(_periods_in(text, today, r"\bvs\.?(?![a-z])|\bversus\b|\band\b|同|和|跟|与")) > 1:
        return None  # "客单价 this yr vs last yr?": a comparison of its own
    other = _months_back((q.period[0], min(q.period[1], today)), 12) if _SAME_SPAN_YEAR_AGO.search(text) \
        else period_of(text, today)
    if other is None and (_EARLIER.search(text) or _MONTH_ON_MONTH.search(text)):
        whole = _whole_months(q.period)
        other = _months_back(q.period, whole) if whole else None
    if other is None or other == q.period:
        return None
    this = (q.period[0], min(q.period[1], today)) if other[1] < q.period[0] and _SAME_SPAN.search(text) else q.period
    if q.measure in SEVERAL:
        return _periods_side_by_side(q, [this, other])  # two figures each: a row per period
    return _change_row(q, other, this, text)


def between_the_two(text: str, q: Question, before: Question, today: date) -> str | None:
    """"How big is the difference between the two months?" after one month's figure, then
    another's: the change from the earlier to the later; None when the two are not the same
    figure for two periods, or the message names a period of its own."""
    asked = CHANGE_ASKED.search(text) or COMPARED_TO.search(text) or _WHICH_MORE.search(text)
    other = _other_part(q, before)
    if asked and other and q.measure in _ONE_FIGURE and period_of(text, today) in (None, q.period):
        # "俩差多少包" after 耶加雪菲's bags, then 曼特宁's: the two side by side, and the gap
        name = _column(q.measure)
        return (f"SELECT {quoted(other[0])} AS first, a.{name} AS {name}, "
                f"{quoted(other[1])} AS second, b.{name} AS vs_{name}, "
                f"ROUND(ABS(b.{name} - a.{name}), 2) AS difference "
                f"FROM ({question_sql(before)}) a, ({question_sql(q)}) b")
    if q.measure not in SUMS or not q.period or not before.period or q.period == before.period \
            or replace(before, period=q.period) != q or period_of(text, today) not in (None, q.period, before.period) \
            or not (CHANGE_ASKED.search(text) or COMPARED_TO.search(text) or _WHICH_MORE.search(text)):
        return None
    earlier, later = sorted((before.period, q.period))
    return _change_row(q, earlier, later, text)


def _column(measure: str) -> str:
    """The column a one-figure measure's SELECT names its figure."""
    return {"avg_order": "average_order", "buyers": "customers"}.get(measure, measure)


_ONE_FIGURE = ("revenue", "quantity", "orders", "avg_order", "per_customer", "buyers", "customers")


def _other_part(q: Question, before: Question) -> tuple[str, str] | None:
    """What the one part two figures differ in (the goods, the city or the customer) is in each,
    or None."""
    for fields in (("goods", "product"), ("city",), ("customer",)):
        was, now = (next((str(getattr(x, f)) for f in fields if getattr(x, f)), None) for x in (before, q))
        if was and now and was != now and replace(before, **{f: getattr(q, f) for f in fields}) == q:
            return was, now
    return None


# "哪个多", "which was more", "是不是比十月多": the two set side by side
_WHICH_MORE = re.compile(r"哪个(?:多|少|高|低|好)|\bwhich (?:one |month |was |is )*(?:more|higher|better|bigger|less|lower)\b"
                         r"|\bthe two\b|两个月|两个", re.IGNORECASE)


# "difference and % change", "growth %", "少了多少": the change itself is asked for
CHANGE_ASKED = re.compile(r"\bdifference\b|\bdiff\b|\bchange\b|\bgrowth\b|\bgrew\b|\bgrow\b|\bincrease\b|\bdecrease\b|\bdrop(?:ped)?\b"
                          r"|\bup by\b|\bdown by\b|\bhow much (?:more|less|higher|lower)\b|差多少|差了多少|差额|差距|变化|增长|增幅"
                          r"|涨了?(?:多少|几)|跌了?(?:多少|几)|降了?(?:多少|几)|(?:多|少|高|低)了?(?:多少|几多)|百分之几|百分比", re.IGNORECASE)
_LESS_ASKED = re.compile(r"\bless\b|\blower\b|\bdecrease\b|\bdrop(?:ped)?\b|\bdown\b|\bfell\b|少了?(?:多少|几多)|低了?多少|跌|降", re.IGNORECASE)


# "2026 YTD vs 2025 FY": the other year whole, not up to the same day
_FULL_YEAR = re.compile(r"\bFY\b|\bfull[- ]year\b|\bwhole (?:of )?(?:last )?year\b|全年|整年", re.IGNORECASE)
_PER_CENT_ASKED = re.compile(r"%|\bpct\b|\bper ?cent(?:age)?\b|百分", re.IGNORECASE)
_GAP_ASKED = re.compile(r"\bdifference\b|\bdiff\b|\bgap\b|差多少|差了多少|差额|差距|相差|差几多", re.IGNORECASE)


def is_change_row(sql: str) -> bool:
    """Whether `sql` is a change row of `_change_row` (no question stands behind it to ask again)."""
    return " AS change_pct" in sql


def _change_row(q: Question, other: tuple[date, date], this: tuple[date, date], text: str = "") -> str:
    """One row: the figure for `other`, beside it the figure for `this`, and the change from the
    earlier period to the later in amount and per cent (and as a fall, when a fall is asked)."""
    if q.measure in SEVERAL:
        # "MoM %" after several figures: the change of the first money figure (else the first)
        said = q.figures or tuple(sorted(next(k for k, v in _PAIRS.items() if v == q.measure)))
        q = replace(q, measure="revenue" if "revenue" in said else said[0], figures=())
        if q.measure == "last_date":
            q = replace(q, measure="orders")
    name = _column(q.measure)
    earlier, later = ("a", "b") if other < this else ("b", "a")
    fall = (f", ROUND({earlier}.{name} - {later}.{name}, 2) AS decrease, ROUND(100.0 * ({earlier}.{name} - {later}.{name})"
            f" / NULLIF({earlier}.{name}, 0), 2) AS decrease_pct" if _LESS_ASKED.search(text) else "")
    if _GAP_ASKED.search(text) and not fall:  # "how big is the difference": its size, whichever way
        fall = f", ROUND(ABS({later}.{name} - {earlier}.{name}), 2) AS difference"
    return (f"SELECT {quoted(_period_label(other))} AS period, a.{name} AS {name}, {quoted(_period_label(this))} AS vs, "
            f"b.{name} AS vs_{name}, ROUND({later}.{name} - {earlier}.{name}, 2) AS change, "
            f"ROUND(100.0 * ({later}.{name} - {earlier}.{name}) / NULLIF({earlier}.{name}, 0), 2) AS change_pct{fall} "
            f"FROM ({question_sql(replace(q, period=other))}) a, ({question_sql(replace(q, period=this))}) b")


_SAME_SPAN = re.compile(r"同期|同一时间|\bsame (?:period|time)\b|\bso far\b|\bytd\b|\bto date\b|到目前|截至", re.IGNORECASE)


def _periods_in(text: str, today: date, joins: str, flags: int = re.IGNORECASE) -> list[tuple[date, date]]:
    """The period each part of the message names, the parts split at `joins` ("九月同十月")."""
    return [p for p in (period_of(part, today) for part in re.split(joins, text, flags=flags)) if p]


def two_months(text: str, today: date) -> tuple[date, date] | None:
    """"九月同十月" / "sept or oct": the stretch from the first month named to the last."""
    found = [p for p in _periods_in(text, today, r"同|和|跟|与|还是|或|\band\b|\bor\b|\bvs\.?\b", flags=0)
             if (p[1] - p[0]).days <= 31]
    if len(found) < 2:
        return None
    return min(p[0] for p in found), max(p[1] for p in found)


_BEST_SELLER = re.compile(
    r"\b(?:sold|sells?|selling|went|moved)\b.{0,6}\b(?:best|most)\b|best[- ]?sell(?:er|ing)s?"
    r"|\b(?:top|most popular|popular)\b.{0,4}\b(?:products?|items?|sellers?|beans|blends?|coffees?)\b"
    r"|卖(?:得|的)?最(?:好|多|火)|最(?:畅销|好卖|受欢迎|火)|畅销|销量最(?:高|好|大)|热卖|卖得好"
    r"|(?:卖出|售出|卖)的?数量最多|卖出(?:去)?最多", re.IGNORECASE)


_EARNER = re.compile(r"\b(?:products?|items?|beans?|blends?)\b.{0,30}\b(?:most|highest|biggest)\b.{0,6}"
                     r"\b(?:revenue|money|sales|income)\b|\b(?:revenue|money) (?:by|per) product"
                     r"|(?:产品|豆|货|款).{0,8}(?:赚|营业额|收入|销售额).{0,3}最(?:多|高)"
                     r"|(?:赚|营业额|收入|销售额)最(?:多|高)的.{0,3}(?:产品|豆|货|款)"
                     # "哪款豆今年卖得最多钱": the most money, not the most bags
                     r"|最多(?:钱|钱的)|最(?:赚钱|值钱)|\bmost money\b|\bbrings? in the most\b"
                     r"|(?:按|by)\s*(?:revenue|sales|金额|销售额|营业额|钱)", re.IGNORECASE)


_WORST_SELLER = re.compile(r"卖(?:得|的)?最(?:差|少|烂|慢)|最(?:不好卖|难卖|冷门|滞销|少人买)|滞销|卖得不好"
                           r"|\b(?:worst|slowest)[- ]?sell(?:er|ing)s?\b|\bsold (?:the )?(?:least|worst)\b"
                           r"|\b(?:sells?|selling) (?:the )?(?:least|worst)\b|\bleast popular\b", re.IGNORECASE)


# "她买得最多的是哪款 按包数算": one customer's goods ranked
_WHICH_GOODS = re.compile(r"(?:哪款|哪个(?:产品|豆|商品|口味)|哪种|什么(?:产品|豆|商品)|啥(?:产品|豆)).{0,8}最"
                          r"|最.{0,8}(?:哪款|哪种|哪个产品)"
                          r"|\b(?:favou?rite|fave|fav) (?:product|beans?|coffee|blend|item)\b"
                          r"|\b(?:which|what) (?:product|beans?|item|blend|coffee)s?\b.{0,30}\bmost\b"
                          r"|\bmost\b.{0,20}\b(?:which|what) (?:product|beans?|item|blend)", re.IGNORECASE)


def customer_products_sql(text: str, today: date, customer: str) -> str | None:
    """The goods one customer bought most (by bags unless money is asked), or None."""
    if not _WHICH_GOODS.search(text):
        return None
    by = "revenue" if MONEY_ASKED.search(text) or ranked_by(text) == "revenue" else "quantity"
    return sql_for(Question("rank_products", period_of(text, today), customer=customer, by=by, limit=1))


def top_products_sql(text: str, today: date) -> str | None:
    """'10月哪个产品卖得最好' / 'what sold best last month': products ranked by quantity sold (by
    revenue when money is asked about); one product when the question asks which one; from the
    bottom when the worst is asked ("今年卖得最差的是哪个")."""
    # "what sold best? by $$": the best seller, by the money it brought
    earns = _EARNER.search(text) or _BEST_SELLER.search(text) and ranked_by(text) == "revenue"
    least = bool(_WORST_SELLER.search(text))
    if least:
        one = not re.search(r"哪些|几个|前\s*\d|\d+\s*(?:个|款)|\b(?:bottom|worst)\s*\d", text, re.IGNORECASE)
        return sql_for(Question("rank_products", period_of(text, today), by="revenue" if earns else "quantity",
                             limit=1 if one else limit_of(text, 5), least=True))
    if not (_BEST_SELLER.search(text) or earns):
        return None
    one = re.search(r"哪(?:个|款|一个|一款|种)|什么(?:产品|豆|东西|货)?卖|\bwhich (?:one|product|item|bean)\b"
                    r"|\bwhat (?:sold|sells|was selling|went) (?:the )?(?:best|most)\b|\bwhat(?:'s| is| was) (?:our |the )?"
                    r"(?:best[- ]?seller|top seller|most popular)\b"
                    # "best seller last month?": one product, as the singular says
                    r"|^\s*(?:the\s+|our\s+)?(?:best[- ]?seller|top[- ]?seller)(?!s)", text,
                    re.IGNORECASE) and not re.search(r"哪些|前\s*\d|top\s*\d", text, re.IGNORECASE)
    # "revenue by product": every product, a breakdown rather than a top five
    every = re.search(r"\b(?:by|per|each) (?:product|item)\b|每(?:个|款|种)产品|各(?:个|款|种)?产品|按产品", text, re.IGNORECASE)
    limit = 1 if one else limit_of(text, 50 if every else 5)
    return sql_for(Question("rank_products", period_of(text, today), by="revenue" if earns else "quantity",
                         limit=limit))


BOUGHT_LISTS = ("day_orders", "list_buyers")
_WHO_BOUGHT = re.compile(r"\bwho (?:ordered|bought|came in|purchased|shopped)\b|谁(?:来)?(?:买|下单|订|下了单)"
                         r"|哪些(?:人|客户|客人)(?:来)?(?:买|下单|订)|哪(?:个|位)(?:客户|人|客人)(?:买|下单|订)", re.IGNORECASE)


def buyers_sql(text: str, today: date, goods: str | None = None) -> str | None:
    """"11月1号 who ordered": that day's orders and whose they were; over a longer period, the
    customers who bought; None when no period is named or the most is asked (a ranking)."""
    asked = _WHO_BOUGHT.search(text)
    before = text[:asked.start()].strip(" ,，") if asked else ""
    if not asked or _MOST.search(text) or before and (len(before) > 12 or period_of(before, today) is None) \
            or re.search(r"\bbut (?:not|nothing|didn|haven|hasn)|没(?:有)?再", text, re.IGNORECASE):
        return None  # "ppl who bought cold brew this year", "who bought x but nothing since": segments
    period = period_of(text, today)
    if period is None:
        return None
    return sql_for(Question("day_orders" if period[0] == period[1] else "list_buyers", period, goods=goods))


_TASK_WORDS = r"tasks?|to-?dos?|follow[- ]?ups?|reminders?|call ?backs?"
_TASK_LIST = re.compile(rf"(?:show|list|see|view|check|what(?:'s| is| are)?|whats|which|my|any|open|due|overdue)"
                        rf"\b.{{0,30}}\b(?:{_TASK_WORDS})\b|\b(?:{_TASK_WORDS})\b.{{0,12}}\b(?:due|today|"
                        rf"tomorrow|this week|next week|overdue)|what (?:do i|should i) (?:need to )?do today"
                        rf"|what(?:'s| is)? (?:due|overdue)\b",
                        re.IGNORECASE)
_TASK_LIST_ZH = ("待办", "要做的事", "今天要做什么", "今天做什么", "要回访", "提醒事项", "任务清单", "任务列表",
                 "有哪些任务", "哪些任务", "看看任务", "查看任务")


def task_list_sql(text: str, today: date, lang: str = "en", asked: bool = False) -> str | None:
    """'show my open tasks' / '这周有哪些待办': open tasks by due date (in a period if named);
    `asked` when the message is already known to ask for tasks."""
    if is_count_question(text) or not (asked or _TASK_LIST.search(text)
                                       or any(w in text for w in _TASK_LIST_ZH)):
        return None
    low = text.lower()
    cond = ["t.status = 'open'"]
    if "overdue" in low or "过期" in text or "逾期" in text:
        cond.append(f"t.due_date < '{today.isoformat()}'")
    else:
        period = parse_period(text, today)
        if period:
            # what is overdue still needs doing this week: keep it in the list
            cond.append(f"t.due_date <= '{period[1].isoformat()}'")
    due, who = ("到期", "客户") if lang == "zh" else ("due", "customer")
    what = TASK_COLUMN[lang == "zh"]
    return (f"SELECT t.id, t.due_date AS {due}, c.name AS {who}, t.title AS {what} FROM tasks t "
            f"LEFT JOIN customers c ON c.id = t.customer_id WHERE {' AND '.join(cond)} "
            "ORDER BY t.due_date IS NULL, t.due_date, t.id LIMIT 200")


# "生日礼物" is a present, not a date asked about
_BIRTHDAY = re.compile(r"birthdays?(?! (?:present|gift|cake|card|party))|\bb-?day\b|生日(?!礼物|蛋糕|卡|派对)|生辰",
                       re.IGNORECASE)
_WHO_HAS = re.compile(r"哪|谁|边个|有没|有冇|\bwho(?:se)?\b|\bwhich\b|\bany\b|\blist\b|\bshow\b", re.IGNORECASE)
# the birthdays asked for beside other things to attend to are the briefing's
_AGENDA = re.compile(r"brief|简报|早报|complaint|投诉|call-?backs?|回访|任务|待办|to-?dos?|tasks?|follow[- ]?ups?",
                     re.IGNORECASE)


_COMING_UP = re.compile(r"\bcoming up\b|\bupcoming\b|\bsoon\b|\bnext few days\b|快到|即将|马上|就快|快要|临近", re.IGNORECASE)


def birthday_sql(text: str, today: date) -> str | None:
    """'下礼拜有边个客人生日' / 'any birthdays this month': the customers whose birthday falls in
    the period (today when none is named), by day. Birthdays are stored as 'MM-DD' or a full date."""
    counted = bool(re.search(r"多少|几个|几位|how many|number of|\bcount\b", text, re.IGNORECASE))
    if not _BIRTHDAY.search(text) or not (_WHO_HAS.search(text) or counted) or _AGENDA.search(text):
        return None
    # "24号谁生日": one day named, the coming one
    day_named = find_date(text, today, "future")
    # "今日到禮拜六": birthdays lie ahead, so the days of a span are the coming ones
    start, end = date_range(text, today, "future") or parse_period(text, today) or (
        (day_named[0],) * 2 if day_named else (today, today))
    if (end - start).days >= 365:
        return None
    if _COMING_UP.search(text):
        # "这周有没有客人生日 coming up" on a Sunday: the days ahead, a week at least
        start = max(start, today)
        end = max(end, start + timedelta(days=6))
    day = "substr(birthday, -5)"
    a, b = start.strftime("%m-%d"), end.strftime("%m-%d")
    # a week from late December into January wraps the year
    within = f"{day} BETWEEN '{a}' AND '{b}'" if a <= b else f"({day} >= '{a}' OR {day} <= '{b}')"
    if counted:  # "十二月生日嘅客有幾多個"
        return f"SELECT COUNT(*) AS customers FROM customers WHERE birthday IS NOT NULL AND {within}"
    return (f"SELECT name, birthday FROM customers WHERE birthday IS NOT NULL AND {within} "
            f"ORDER BY {day} >= '{a}' DESC, {day}")


# Facts about one customer asked plainly: what a whole profile would bury
_USUAL = re.compile(r"\busually (?:get|gets|buy|buys|order|orders|have|has)\b|\bwhat (?:does|do) (?:s?he|they) (?:normally|usually|"
                    r"always|mostly|typically) (?:get|buy|order|have)\b|\b(?:his|her|their) (?:usual|regular) order\b|"
                    r"(?:一般|平时|通常|经常|常常|总是|每次)(?:都)?(?:买|要|订|拿|喝)(?:些|点)?(?:什么|啥|哪些|哪款|哪种)", re.IGNORECASE)
_CITY_ASKED = re.compile(r"\bwhich city\b|\bwhere (?:does|do|is) (?:s?he|they)\b.{0,12}\b(?:live|based|from)\b|"
                         r"哪个城市|哪里人|住哪|住在哪|在哪个城市|在哪里", re.IGNORECASE)
# the number asked for, not a call made ("张伟昨天打电话了吗")
_CONTACT = re.compile(r"(?<![打回通来了])电话(?![来了过])|手机|号码|微信号|邮箱|\b(?:phone|mobile|cell) (?:number|no)\b|\bnumber\b"
                      r"|\b(?:phone|mobile|cell)\s*[?？]|e-?mail|\bwechat id\b|\bwechat\s*[?？]|微信[?？]", re.IGNORECASE)
_COUNTED = re.compile(r"几次|多少次|几通|多少通|几个电话|多少个电话|how many|how often|\bcount\b|number of", re.IGNORECASE)
# (second-language English puts the words in any order: "last time he buy when", "she last time buy
# is which day", "last ord?")
LAST_ORDER_ASKED = re.compile(r"\b(?:last|latest|most recent) (?:order|ord|purchase|visit|buy)\b|最后一次|最近一次|上一?次(?:下单|买|来)"
                              r"|\blast time (?:(?:s?he|they|\w+) )?(?:buys?|bought|orders?|ordered|came|come)\b"
                              r"|\b(?:s?he|they) last (?:time )?(?:buys?|bought|orders?|ordered|came|come)\b"
                              r"|\b(?:bought|ordered|came|buy|order)\s+(?:for\s+)?the last time\b"
                              r"|上一?次.{0,2}(?:几时|什么时候|啥时候|哪天)(?:来|买|下的?单|过来)",
                              re.IGNORECASE)
# (是那天 at the end is 是哪天 typed with the wrong 哪: "李娜最后一次下单是那天")
_WHEN = re.compile(r"哪天|哪一天|什么时候|啥时候|几时|几号|是那天\s*[?？]?$|\bwhen\b|\bdate\b|\b(?:which|what) day\b", re.IGNORECASE)
_WHAT = re.compile(r"什么|啥|乜|\bwhat\b", re.IGNORECASE)
# whether any are still open (how one complaint is going, the profile tells with the rest)
# "第一次是什么时候", "首单是哪天", "when was her first order": the customer's first purchase
FIRST_ORDER_ASKED = re.compile(r"(?:第一|头一|首)(?:次|回|单|笔)(?:买|来|下单|订)?.{0,6}(?:什么时候|啥时候|哪天|几号|哪一天|几时|何时|时间|日期)"
                               r"|(?:什么时候|啥时候|哪天|几时)(?:第一|头一)次|\bfirst (?:order|purchase|time)\b.{0,20}\bwhen\b"
                               r"|\bwhen\b.{0,30}\bfirst (?:order|purchase|buy|bought|time|came)\b"
                               r"|\bfirst (?:order|purchase)(?: date)?\s*\??$", re.IGNORECASE)
_HER_COMPLAINTS = re.compile(r"\bcomplaints?\b.{0,30}\b(?:open|still|outstanding)\b|"
                             r"\b(?:open|outstanding) complaints?\b|投诉.{0,12}(?:还开着|未解决|没解决|未处理|还没处理|没处理完)"
                             r"|(?:未|没|还没)(?:处理|解决)完?的投诉|投诉.{0,6}(?:搞定|解决|处理好|处理完)了?(?:未|没有?|吗)",
                             re.IGNORECASE)
_HER_TASKS = re.compile(r"\b(?:tasks?|to-?dos?|reminders?|follow[- ]?ups?)\b|待办|任务|提醒", re.IGNORECASE)
_OPEN_FOR = re.compile(r"\b(?:open|pending|outstanding)\b|还有(?:什么|啥)|未完成|没做", re.IGNORECASE)


def asks_contact(text: str) -> bool:
    """Whether the message asks where a customer is or how to reach them ("李娜电话多少", "佢喺邊個城市"),
    not how many calls there were."""
    return bool((_CONTACT.search(text) or _CITY_ASKED.search(text)) and not _COUNTED.search(text))


# the other columns of a customer's record a question may ask for, each alone
_DETAILS = [("birthday", re.compile(r"\bbirthday\b|\bb-?day\b|\bborn\b|生日|生辰", re.IGNORECASE)),
            ("referral_code", re.compile(r"\breferral code\b|\bref code\b|推荐码|邀请码|介绍码", re.IGNORECASE)),
            # asked for, not told ("Li Na left a note: …" is something to log)
            ("tags", re.compile(r"\b(?:her|his|their|any|what(?:'s| are| is)?)\s+tags?\b|\btags?\s*[?？]"
                                r"|标签(?:是|有)?(?:什么|啥)|什么标签", re.IGNORECASE)),
            ("notes", re.compile(r"\b(?:her|his|their|any|what(?:'s| are| is)?)\s+notes?\b|\bnotes?\s*[?？]"
                                 r"|备注(?:是|写了|有)?(?:什么|啥)", re.IGNORECASE)),
            ("created_at", re.compile(r"\bcustomer since\b|\bjoined\b|\bsigned up\b|什么时候(?:成为|加入|开始)|哪年(?:开始|来)的",
                                      re.IGNORECASE))]
# "what did she get": the last purchase itself ("她上次买了啥" most writers answer with her profile,
# which shows it at its top)
_LAST_BOUGHT = re.compile(r"\bwhat did (?:s?he|they)\s+(?:get|buy|order|have)\b(?!.{0,20}\b(?:most|usually)\b)",
                          re.IGNORECASE)


# "她最近一次联系我们是什么时候，说了啥", "when did we last hear from him": the latest contact
LAST_CONTACT = re.compile(r"(?:最近|上|最后)一?次(?:联系|沟通|来电|找)(?:我们|我|咱们)?.{0,4}(?:什么时候|啥时候|几时|哪天|几号)"
                           r"|\b(?:last|latest|most recent) (?:contact|interaction|conversation)\b"
                           r"|\bwhen did (?:we|i) last (?:talk|speak|hear|chat)\b"
                           r"|\bwhen did (?:s?he|they) last (?:contact|call|message|text|reach)\b", re.IGNORECASE)
# "avg days between orders, 陈平": her purchase cycle as a figure (the profile words it too)
_CYCLE = re.compile(r"\b(?:avg|average|mean)?\s*(?:days?|gap|time) between (?:orders|purchases|visits)\b|\bpurchase cycle\b"
                    r"|\border(?:ing)? (?:cycle|frequency|interval)\b|购买周期|下单周期|回购周期|平均(?:间隔|隔)(?:多少|几)?天", re.IGNORECASE)
# "days since?": the days since the customer's last order, counted ("他多久没买了" gets the
# profile, which shows the same beside the customer's usual rhythm)
_DAYS_SINCE = re.compile(r"\b(?:how many )?days since\b|(?:多少|几)天没(?:有)?(?:买|来|下单|订)", re.IGNORECASE)


def about_a_person(text: str) -> bool:
    """Whether a fact asked can only be a customer's ("last ord?", "bday?", "days since?"), so a short
    follow-up naming no one asks it of the customer being talked about."""
    return bool(LAST_ORDER_ASKED.search(text) or FIRST_ORDER_ASKED.search(text) or _CYCLE.search(text)
                or _DAYS_SINCE.search(text)
                or any(rx.search(text) for c, rx in _DETAILS if c in ("birthday", "referral_code")))


def customer_fact_sql(text: str, customer: str, today: date | None = None) -> str | None:
    """A plain fact about one customer (a stored name): their city or phone, when they last bought
    or were in touch, their open complaints or tasks; None when the message asks none of these."""
    if LAST_CONTACT.search(text):
        return sql_for(Question("last_contact", customer=customer))
    if _CYCLE.search(text):
        return sql_for(Question("cycle", customer=customer))
    if today and _DAYS_SINCE.search(text):
        return sql_for(Question("days_since", (today, today), customer=customer))
    # "她最近一次买的是什么", "最后一次买是几时": the last order's row answers both (what they
    # usually buy and how often, the profile shows at its top)
    if LAST_ORDER_ASKED.search(text) and (_WHEN.search(text) or _WHAT.search(text)) or _LAST_BOUGHT.search(text):
        return sql_for(Question("last_order", customer=customer))  # "李娜 last order 是哪天来着"
    if FIRST_ORDER_ASKED.search(text):
        return sql_for(Question("first_order", customer=customer))
    detail = next((c for c, rx in _DETAILS if rx.search(text)), None)
    if detail and not is_count_question(text):
        return sql_for(Question("detail", customer=customer, detail=detail))
    if asks_contact(text):
        return sql_for(Question("contact", customer=customer))
    if _HER_COMPLAINTS.search(text) and not is_count_question(text):
        # "她还有别的投诉没处理完吗": those not yet resolved; "his complaints": all of them
        return sql_for(Question("complaint_list", customer=customer, limit=20, status=status_of(text)))
    if _HER_TASKS.search(text) and _OPEN_FOR.search(text) and not is_count_question(text):
        return sql_for(Question("customer_tasks", customer=customer))
    return None


_REFERRED = re.compile(r"\breferr(?:als?|ed)\b|\brefer(?:s|red)?\b.{0,20}\b(?:people|customers|friends|anyone)\b|"
                       r"(?:推荐|介绍)过.{0,3}(?:人|客|朋友)|"
                       r"推荐了?.{0,4}(?:几|多少)|介绍了?.{0,4}(?:几|多少).{0,2}(?:人|客|个)|转介绍|推荐.{0,6}(?:订单|单)"
                       # "有几单是别人推荐来的": orders that came by someone's word
                       r"|(?:推荐|介绍|推薦|介紹)(?:过)?来的?|(?:别人|朋友|熟人)(?:推荐|介绍)",
                       re.IGNORECASE)
_BIGGEST = re.compile(r"\b(?:biggest|largest|highest|most expensive|top) (?:single )?(?:order|sale|purchase|ticket)\b|"
                      r"最大(?:的)?一?[单笔张]|单笔最(?:高|大|多)|最贵的一?[单笔]|金额最(?:大|高)的(?:一?[单笔]|订单)", re.IGNORECASE)
_WAITING = re.compile(r"\bwaiting (?:the )?longest\b|\boldest\b|等(?:了)?最久|最久|最早的|拖(?:得)?最久", re.IGNORECASE)
_WORST = re.compile(r"most (?:serious|severe|urgent|critical)|\bworst\b|最(?:严重|紧急|要紧)|严重的是|哪些.{0,4}严重", re.IGNORECASE)
_COMPLAINT_WORD = re.compile(r"complaints?|投诉|\bones?\b|\bone'?s\b|\b(?:those|these|them)\b|里面|其中|哪几个|哪些|那个|哪个"
                             r"|(?<!最)严重.{0,2}(?:是|的)", re.IGNORECASE)


def shop_fact_sql(text: str, today: date, customer: str | None = None) -> str | None:
    """Referrals counted, the biggest single order, or complaints listed oldest or worst first."""
    if _REFERRED.search(text) and (is_count_question(text) or customer):
        return sql_for(Question("referred", period_of(text, today), customer=customer))
    if _BIGGEST.search(text):
        return sql_for(Question("biggest_order", period_of(text, today)))
    if "complaint" in text.lower() or "投诉" in text:
        severity = _severity(text)
        if _WAITING.search(text):
            return sql_for(Question("complaint_list", status="unresolved", severity=severity, limit=1))
        older = _older_than(text, today)
        if older and not is_count_question(text):  # "开了还没处理的投诉里 哪些超过三周了"
            return sql_for(Question("complaint_list", status=status_of(text) or "unresolved", severity=severity,
                                 older_than=older, limit=50))
        if _WORST.search(text) or (severity and not is_count_question(text)):
            return sql_for(Question("complaint_list", status=status_of(text) or "unresolved", severity=severity,
                                 by="severity", limit=10))
        if _LIST_ASKED.search(text) and not is_count_question(text) and not _OF_CUSTOMERS.search(text) \
                and not re.search(r"brief|简报|早报", text, re.IGNORECASE):
            # "列出目前状态是open的客诉", "哪些投诉还没处理": the complaints themselves, whose and when
            return sql_for(Question("complaint_list", status=status_of(text) or "unresolved", severity=severity,
                                    category=_category_of(text), limit=50))
    return None


_LIST_ASKED = re.compile(r"\blist\b|\bshow\b|\bgive me\b|列出|列一下|哪些|哪几[条个]|谁的|给我看|\bwho(?:se)?\b|\bwhich\b",
                        re.IGNORECASE)
# "哪些客户有未处理的投诉": customers picked out by their complaints, a segment
_OF_CUSTOMERS = re.compile(r"\b(?:customers?|clients?|people)\b(?! name)|客户(?!名)|顾客(?!名)|客人(?!名)", re.IGNORECASE)


def complaint_follow_up(text: str, q: Question) -> str | None:
    """"which of the open ones has been waiting longest" / "里面最严重的是哪几个" after a count of
    complaints: the same complaints listed, oldest or worst first."""
    if q.measure == "rank_statuses":  # "complaints: open / in_progress / resolved #", then about some
        q = replace(q, measure="complaints", status=None)
    elif q.measure == "rank_categories":  # "open by category", then "oldest open one": those complaints
        q = replace(q, measure="complaints", limit=10)
    if q.measure != "complaints":
        return None
    if re.search(r"\bby (?:category|type|kind)\b|按(?:类别|类型|分类)|分类|哪(?:一)?类", text, re.IGNORECASE):
        # "open by category": the same complaints counted in each category
        return sql_for(replace(q, measure="rank_categories", status=status_of(text) or q.status, limit=20))
    if re.fullmatch(r"\s*(?:who|who\s*(?:are|were)\s*they|which ones|谁|是谁|哪些|边个|哪几个)\s*[?？]?\s*", text, re.IGNORECASE):
        return sql_for(replace(q, measure="complaint_list", limit=50))  # "who" after a count: those complaints
    if not _COMPLAINT_WORD.search(text) and not (_severity(text) and len(text) <= 24):
        return None  # ("有没有critical级别的": a severity alone, said short, narrows the count too)
    status = status_of(text) or q.status or "unresolved"
    if _WAITING.search(text):
        return sql_for(replace(q, measure="complaint_list", status=status, limit=1))
    if _WORST.search(text):
        return sql_for(replace(q, measure="complaint_list", status=status, by="severity"))
    severity, kind = _severity(text) or q.severity, _category_of(text) or q.category
    which = re.search(r"\bwhich (?:of|ones?)\b|哪些|哪几(?:个|条)|边啲", text, re.IGNORECASE)
    if _WHO_THEY.search(text) or which or severity != q.severity:  # "which of those are about delivery"
        return sql_for(replace(q, measure="complaint_list", status=status, severity=severity, category=kind, limit=50))
    if kind != q.category and is_count_question(text):  # "how many r delivery ones": those counted
        return sql_for(replace(q, category=kind))
    return None
