"""Questions about the customers just listed: "which of them have an open complaint", "how many
of them bought in october", "其中上海的是哪些", "她们里面今年一单都没下的有几个", "top 3 of them".

The list is whatever the last answer showed (a query's names, churn, loyal, the briefing). What is
asked of it is read as parts, each found on its own: the answer's shape (how many, who, the top
N, the latest), and conditions (bought in a period or not, of some goods; a complaint in some
status; a city; a tag; bought more than once). Only stored names, dates, cities, tags and
products as stored reach the SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from assistant.agent.router.slots import find_city
from assistant.agent.router.sql_templates import (MONEY_ASKED, ORDERS_ASKED, SHARE_ASKED, Question, asked,
                                                  counted_names_sql, customer_conds, during, find_tag, limit_of,
                                                  period_of, quoted, status_cond, status_of)
from assistant.agent.router.thresholds import threshold_of
from assistant.lang.goods import named_in

# "of them" wherever it is said: "how many of them…", "top 3 of those", "其中…", "这几个里面…"
# "how many is that", "總共有幾個啊" right after a list: the list, counted
_LIST_COUNTED = re.compile(r"^\W*(?:ok\s*|so\s*|and\s*|那\s*)?(?:how many (?:is that|are (?:there|they|those)|in total|altogether|total)"
                           r"|(?:总共|一共|共|合共|加起来)(?:有)?(?:几|多少)(?:个|位|人)?)\s*(?:啊|呀|呢|吖|ah|lah|la|\?|？)*\s*$",
                           re.IGNORECASE)
_OF_THEM = re.compile(r"\b(?:among|of|out of|from|within|between)\s+(?:them|those|these|which)\b"
                      r"|其中|(?:这|那)(?:几|些)?(?:个|位)?(?:人|客户|客人|顾客)?\s*(?:里面|当中|之中|中间|里头|(?<=[几些])(?:里|中))"
                      r"|(?:他|她|它|佢)(?:们|哋)\s*(?:里面?|当中|之中|中间?|里头)|(?:名单|列表)(?:里面?|上|中)"
                      # "他们上个月一共买了多少钱", "they spent how much": the list is who is asked about
                      r"|^\W*(?:(?:那|咁|and|so)\s*)?(?:他们|她们|佢哋|他哋|\bthey\b|\bthem\b|\btheir\b"
                      r"|\bthose (?:guys|ones|people|customers)\b"
                      # "those in Beijing who ah": those just counted, where they live
                      r"|\bthose\b(?=\s+(?:in|from|with|who|that|living)\b))"
                      r"|" + _LIST_COUNTED.pattern, re.IGNORECASE)
_HOW_MANY = re.compile(r"\bhow many\b|\bcount\b|\bnumber of\b|#\s*(?:cust(?:omer)?s?|ppl|people|buyers)\b|#\s*$"
                       r"|几个|几位|多少(?:个|位|人)|几多(?:个|位)?|有几", re.IGNORECASE)
_TOP = re.compile(r"\btop\b|\bbiggest\b|\bbest\b|\bmost\b|\bhighest\b|前\s*(?:\d+|[一二三四五六七八九十两]+)|最(?:多|大|高)"
                  r"|花(?:得|的)?最多|买(?:得|的)?最多", re.IGNORECASE)
_LATEST = re.compile(r"\b(?:most recent(?:ly)?|latest|last to (?:order|buy))\b|最近(?:一次|一个|才)?(?:下单|买|来)"
                     r"|最后(?:一个)?(?:下单|买|来)", re.IGNORECASE)
_BOUGHT = re.compile(r"\b(?:bought|buy|buys|buying|ordered|order|orders|purchased?|placed|shopped|came back|spent|active)\b"
                     r"|买|下单|下过单|(?<!名)单|订|落单|消费|回来|光顾|来过", re.IGNORECASE)
# "一单都没下", "haven't ordered", "no orders", "didn't buy", "没来"
_NOT = re.compile(r"\b(?:not|never|no|haven'?t|hasn'?t|didn'?t|don'?t|doesn'?t|without)\b"
                  r"|没|沒|冇|未|不曾|从没|一单都没|一次都没", re.IGNORECASE)
_AGAIN = re.compile(r"回购|复购|再买|又买|买过两次|\b(?:re-?ordered|bought again|came back|repeat(?:ed)?|returning)\b",
                    re.IGNORECASE)
# "一共买了多少钱" (no goods counted): their money, as a figure's money is asked anywhere
_BOUGHT_HOW_MUCH = re.compile(r"买了?多少(?![个位人袋包盒件箱瓶杯份])")
_COMPLAINT = re.compile(r"\bcomplain(?:t|ts|ed)?\b|投诉|投訴|客诉", re.IGNORECASE)


# names asked for: a list, whatever the last answer was
_NAMES_ASKED = re.compile(r"哪些|哪几|谁|名单|名字|\bwho\b|\bwhich\b|\blist\b|\bnames?\b|\bshow\b", re.IGNORECASE)


def of_them(text: str) -> bool:
    """Whether a message asks about the customers just listed."""
    return _OF_THEM.search(text) is not None


@dataclass(frozen=True)
class Scope:
    """The customers the last answer was about, as a condition on customers `c`, and the period
    it was about ("top 3 of them" after "how many spent over 10k this year" ranks this year)."""

    who: str
    period: tuple[date, date] | None = None
    counted: bool = False  # the last answer counted them: "其中这季有下单的？" asks how many too


@dataclass(frozen=True)
class Drilled:
    """A drill-down's SELECT, and the customers the next question is of."""

    sql: str
    scope: Scope


def scope_of(last_sql: str, listed: list[str], searched: str = "") -> Scope | None:
    """Those a count of ours counted (all of them, not only those shown), those a search by city or
    tag found (all of them too), else those the last answer listed by name; None when it was
    about no customers."""
    question = asked(last_sql) if last_sql else None
    found_by = customer_conds(Question("customers", city=find_city(searched), tag=find_tag(searched)), "c.") \
        if searched else []
    if found_by:  # "# cust in Hangzhou?" showed ten of 78: "how many of them…" is of all 78
        return Scope(" AND ".join(found_by))
    counted = counted_names_sql(question) if question is not None else None
    if counted:
        return Scope(f"c.name IN (SELECT name FROM ({counted}))", question.period, counted=True)
    if listed:
        return Scope(f"c.name IN ({', '.join(quoted(n) for n in dict.fromkeys(listed))})",
                     question.period if question is not None else None)
    return None


def listed_sql(text: str, scope: Scope, today: date, products: tuple[str, ...] = (),
               carried: bool = False) -> Drilled | None:
    """The SELECT answering a question about the customers of `scope`, and whom the next question
    is of; None when the message is not one or asks for nothing this reader knows. `carried`: the
    owner is still drilling into them, so "of them" need not be said ("十月消费最多的前三名是谁"
    after "其中十月下单的有几个")."""
    if not (of_them(text) or carried):
        return None
    if _LIST_COUNTED.search(text):
        return Drilled(f"SELECT COUNT(*) AS customers FROM customers c WHERE {scope.who}", scope)
    rest = _OF_THEM.sub(" ", text)
    period = period_of(rest, today)
    goods = named_in(rest, products) if products else None
    top, latest, negated = _TOP.search(rest), _LATEST.search(rest), _NOT.search(rest)
    conds = [scope.who]
    if _COMPLAINT.search(rest):
        status = status_cond(status_of(rest) or "unresolved", "k.status")
        conds.append(f"c.id IN (SELECT k.customer_id FROM complaints k WHERE {status})")
    conds += customer_conds(Question("customers", city=find_city(rest), tag=find_tag(rest)), "c.")
    money = MONEY_ASKED.search(rest) or _BOUGHT_HOW_MUCH.search(rest)
    orders_asked = ORDERS_ASKED.search(rest)
    if (money or orders_asked) and not top and not latest and not negated and not carried \
            and not SHARE_ASKED.search(rest):  # ("their combined share of Q3 revenue": a share, asked again)
        # "他们上个月一共买了多少钱": their orders in the period, summed
        period = period or scope.period
        within = f" AND {during('o.date', period)}" if period else ""
        made = f" AND o.product = {quoted(goods)}" if goods else ""
        figure = ", ".join((["COUNT(*) AS orders"] if orders_asked else [])
                           + (["ROUND(COALESCE(SUM(o.amount), 0), 2) AS revenue"] if money else []))
        # ("邊個買得最多" next ranks them over the same period)
        return Drilled(f"SELECT {figure} FROM orders o JOIN customers c ON c.id = o.customer_id "
                       f"WHERE {' AND '.join(conds)}{within}{made}", Scope(scope.who, period, scope.counted))
    orders = _orders_where(period, goods)
    bar = threshold_of(rest)
    if bar is not None and bar.what in ("order_count", "spend"):
        # "how many of them buy 3 times and above", "其中消费过万的": their orders counted or summed
        figure = "COUNT(*)" if bar.what == "order_count" else "SUM(amount)"
        conds.append(f"c.id IN (SELECT customer_id FROM orders{orders} GROUP BY customer_id HAVING {bar.sql(figure)})")
    elif _AGAIN.search(rest):
        conds.append(f"c.id IN (SELECT customer_id FROM orders{orders} GROUP BY customer_id HAVING COUNT(*) >= 2)")
    elif _BOUGHT.search(rest) and (period or goods or negated) and not top and not latest:
        conds.append(f"c.id {'NOT IN' if negated else 'IN'} (SELECT customer_id FROM orders{orders})")
    if len(conds) == 1 and not (top or latest or goods or period or carried) and _HOW_MANY.search(rest) \
            and re.search(r"\bcust|\bcustomers?\b|\bpeople\b|\bppl\b|\bbuyers\b|客户|客人|顾客|(?:几|多少)(?:个|位)?人", rest):
        # "of which #cust" after the orders over 500: those customers, counted
        return Drilled(f"SELECT COUNT(*) AS customers FROM customers c WHERE {scope.who}", scope)
    if len(conds) == 1 and not (top or latest):
        return None  # "of them" and nothing asked that can be read
    if carried and not top:
        return None  # drilling on, only a ranking of them is read without "of them"
    where = " AND ".join(conds)
    if latest:
        return Drilled(f"SELECT c.name, MAX(o.date) AS last_order FROM customers c JOIN orders o ON o.customer_id = c.id "
                       f"WHERE {where} GROUP BY c.id ORDER BY last_order DESC LIMIT {limit_of(rest, 1)}", scope)
    counting = _HOW_MANY.search(rest) or scope.counted and not (top or latest or _NAMES_ASKED.search(rest))
    if top and not counting:
        period = period or scope.period
        within = f" AND {during('o.date', period)}" if period else ""
        return Drilled(f"SELECT c.name, ROUND(SUM(o.amount), 2) AS revenue, COUNT(*) AS orders FROM customers c "
                       f"JOIN orders o ON o.customer_id = c.id WHERE {where}{within} GROUP BY c.id "
                       f"ORDER BY revenue DESC LIMIT {limit_of(rest, 1)}", scope)
    # those counted or listed are whom the next question is of ("其中这季有下单的" then
    # "这季金额前三名": the top three of those who ordered)
    narrowed = Scope(f"c.id IN (SELECT c.id FROM customers c WHERE {where})", scope.period, scope.counted)
    if counting:
        return Drilled(f"SELECT COUNT(*) AS customers FROM customers c WHERE {where}", narrowed)
    return Drilled(f"SELECT c.name, c.city FROM customers c WHERE {where} ORDER BY c.name", narrowed)


def _orders_where(period: tuple[date, date] | None, goods: str | None) -> str:
    """The WHERE of the orders a condition is about: in the period, of the goods."""
    conds = ([during("date", period)] if period else []) + ([f"product = {quoted(goods)}"] if goods else [])
    return " WHERE " + " AND ".join(conds) if conds else ""
