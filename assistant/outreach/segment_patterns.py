"""The words of segment requests: spans of time, calendar periods, amounts, counts and the labels
(stage, RFM segment, risk, complaint status) in zh and en, read by code.

Conventions (the segment contract): a month is 30 days, a week 7, half a year 180, a year 365;
"this year" runs to today; "last December" is the last December before this month.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from assistant.lang.dates import cn_number

ZH_NUM = r"[零〇一二两三四五六七八九十百千万]+"
_EN_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
             "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
             "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
             "ninety": 90, "a couple of": 2, "couple of": 2, "a couple": 2, "a few": 3, "few": 3,
             "several": 3, "once": 1, "twice": 2, "thrice": 3}
EN_NUM = (r"(?:\d+(?:\.\d+)?|a couple of|couple of|a few|several|an?|one|two|three|four|five|six|"
          r"seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|ninety)")
UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
_EN_UNIT = (r"(?P<eu>days?|d|weeks?|wks?|w|months?|mos?|mths?|years?|yrs?)")
SPAN = re.compile(
    rf"(?:(?P<eh>half\s+an?|half)\s*(?P<ehu>year|month|week)"
    rf"|(?P<en>{EN_NUM})\s*\+?\s*-?\s*(?P<eah>and\s+a\s+half\s+)?{_EN_UNIT}\b\+?"
    rf"|(?P<zn>\d+(?:\.\d+)?|{ZH_NUM}|半)\s*(?:个|個)\s*(?P<zm>多|半)?\s*(?P<zu1>月|星期|礼拜)"
    rf"|(?P<zn2>\d+(?:\.\d+)?|{ZH_NUM}|半)\s*(?P<zm2>多|半)?\s*(?P<zu2>天|日|周|星期|礼拜|年)"
    rf"|(?P<zhalf>半)(?P<zhu>月|年)"
    # "俩月没买的": 俩 and 仨 are counts, never a month's name, so 个 may go unsaid
    rf"|(?P<zn3>俩|倆|仨)\s*(?:个|個)?\s*(?P<zu3>月|星期|礼拜))",
    re.IGNORECASE)
_ZH_UNIT = {"天": "day", "日": "day", "周": "week", "星期": "week", "礼拜": "week", "月": "month",
            "年": "year"}


def number(text: str) -> float | None:
    """'3' / '2.5' / '三' / 'two' / 'a couple of' -> the number; None if it is none."""
    text = (text or "").strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if text in _EN_WORDS:
        return float(_EN_WORDS[text])
    value = cn_number(text) if text else None
    return None if value is None else float(value)


def span_days(m: re.Match) -> int | None:
    """Days in one SPAN match (a month is 30 days, half a year 180)."""
    g = m.groupdict()
    if g["eh"]:
        return UNIT_DAYS[g["ehu"].lower()] // 2 if g["ehu"].lower() != "year" else 180
    if g["zhalf"]:
        return 15 if g["zhu"] == "月" else 180
    if g["en"]:
        count, unit, half = number(g["en"]), g["eu"].lower(), bool(g["eah"])
        unit = ("day" if unit.startswith("d") else "week" if unit.startswith("w")
                else "month" if unit.startswith("m") else "year")
    else:
        raw = g["zn"] or g["zn2"] or g["zn3"]
        unit = _ZH_UNIT[g["zu1"] or g["zu2"] or g["zu3"]]
        half = (g["zm"] or g["zm2"]) == "半"
        count = 0.5 if raw == "半" else number(raw)
    if not count or (unit == "year" and count > 10) or count > 3650:
        return None
    if count == 0.5 and unit == "year":
        return 180
    return round((count + (0.5 if half else 0)) * UNIT_DAYS[unit])


def spans(text: str) -> list[tuple[int, int, int]]:
    """(start, end, days) of every stretch of time in the text."""
    out = []
    for m in SPAN.finditer(text):
        days = span_days(m)
        if days:
            out.append((m.start(), m.end(), days))
    return out


# -- calendar periods -----------------------------------------------------------------------

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
EN_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
            r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
def _zh_month(group: str) -> str:
    return (rf"(?P<{group}>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*月份?"
            rf"(?!\s*[\d一二三四五六七八九十]+\s*[日号])")



PERIOD = re.compile(
    rf"(?P<lastn>(?:in\s+|within\s+|during\s+|over\s+)?(?:the\s+)?(?:(?:last|previous)\s+(?P<ln>{EN_NUM})"
    rf"|(?:past|recent)\s+(?P<ln2>{EN_NUM})?|within\s+(?P<ln3>{EN_NUM}))\s*(?P<lu>days?|weeks?|months?|years?)"
    rf"|(?:最近|近|过去)\s*(?P<zln>\d+|{ZH_NUM}|半)?\s*(?:个)?\s*(?P<zlu>天|日|周|星期|礼拜|月|年)"
    rf"\s*(?:内|里|之内|以内|以来|当中)?)"
    rf"|(?P<ym>(?P<yy>20\d\d|去|今|前)\s*年\s*{_zh_month('ymm')}|(?P<ymon>{EN_MONTH})\.?,?\s+(?P<yyy>20\d\d)"
    rf"|(?P<yrel>last|this)\s+(?P<yrm>{EN_MONTH})\b|(?P<iy>20\d\d)[-/](?P<im>\d{{1,2}})(?![-/\d]))"
    rf"|(?P<rel>(?P<zr>上个?|这个?|本|上上个?)\s*(?P<zru>月|季度|周|星期|礼拜)|(?P<zy>去|今|前)\s*年"
    rf"|(?P<er>this|last|previous)\s+(?P<eru>month|year|quarter|week))"
    rf"|(?P<month>{_zh_month('zm')}|\b(?:in\s+)?(?P<emon>{EN_MONTH})\b(?!\s+\d))"
    rf"|(?P<year>(?:in\s+)?(?<!\d)(?P<yr>20\d\d)(?!\d)\s*年?)",
    re.IGNORECASE)


def _month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _past_month(today: date, month: int) -> tuple[date, date]:
    """The most recent such month that has begun (this November, last December)."""
    year = today.year if month <= today.month else today.year - 1
    return _month_range(year, month)


def _cap(period: tuple[date, date], today: date) -> tuple[date, date]:
    return period[0], min(period[1], today)


def _year_word(word: str, today: date) -> int:
    return {"去": today.year - 1, "今": today.year, "前": today.year - 2}.get(word) or int(word)


def read_period(m: re.Match, today: date) -> tuple[date, date, int | None] | None:
    """(first day, last day, days if relative "last N days") of one PERIOD match."""
    g = m.groupdict()
    if g["lastn"]:
        raw = g["ln"] or g["ln2"] or g["ln3"] if g["lu"] else g["zln"]
        unit = g["lu"] or g["zlu"]
        count = 0.5 if raw == "半" else number(raw) if raw else 1
        unit = _ZH_UNIT.get(unit, unit.rstrip("s").lower()) if unit else "day"
        if not count:
            return None
        days = 180 if (unit == "year" and count == 0.5) else round(count * UNIT_DAYS[unit])
        return today - timedelta(days=days), today, days
    if g["ym"]:
        if g["ymm"] and g["yy"]:
            year, month = _year_word(g["yy"], today), number(g["ymm"])
        elif g["ymon"]:
            year, month = int(g["yyy"]), _MONTHS.index(g["ymon"][:3].lower()) + 1
        elif g["yrel"]:
            month = _MONTHS.index(g["yrm"][:3].lower()) + 1
            if g["yrel"].lower() == "this":
                year = today.year
            else:  # "last December": the last one before this month
                year = today.year if month < today.month else today.year - 1
        else:
            year, month = int(g["iy"]), int(g["im"])
        if not month or not 1 <= int(month) <= 12:
            return None
        return (*_cap(_month_range(int(year), int(month)), today), None)
    if g["rel"]:
        if g["zy"]:
            year = _year_word(g["zy"], today)
            return (*_cap((date(year, 1, 1), date(year, 12, 31)), today), None)
        word = (g["zr"] or g["er"]).lower()
        unit = (g["zru"] or g["eru"]).lower()
        shift = {"上": -1, "上个": -1, "last": -1, "previous": -1, "上上": -2, "上上个": -2}.get(word, 0)
        if unit in ("year",):
            year = today.year + shift
            return (*_cap((date(year, 1, 1), date(year, 12, 31)), today), None)
        if unit in ("季度", "quarter"):
            q0 = (today.month - 1) // 3 + shift
            year, q = today.year + q0 // 4, q0 % 4 + 1
            end = _month_range(year, 3 * q)[1]
            return (*_cap((date(year, 3 * q - 2, 1), end), today), None)
        if unit in ("周", "星期", "礼拜", "week"):  # calendar weeks, Monday first
            monday = today - timedelta(days=today.weekday()) + timedelta(days=7 * shift)
            return (*_cap((monday, monday + timedelta(days=6)), today), None)
        month0 = today.month - 1 + shift
        return (*_cap(_month_range(today.year + month0 // 12, month0 % 12 + 1), today), None)
    if g["month"]:
        if g["emon"]:
            word = g["emon"].lower()
            if word == "may" and not re.search(r"\bin\s+may\b", m.group(0)):
                return None  # "may" is usually the verb
            month = _MONTHS.index(word[:3]) + 1
        else:
            month = number(g["zm"])
        if not month or not 1 <= int(month) <= 12:
            return None
        return (*_cap(_past_month(today, int(month)), today), None)
    if g["year"]:
        year = int(g["yr"])
        return (*_cap((date(year, 1, 1), date(year, 12, 31)), today), None)
    return None


# -- amounts --------------------------------------------------------------------------------

AMOUNT = re.compile(
    r"(?:[¥￥$]|rmb\s*|cny\s*)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(?P<mult>k\b|千|w\b|万|百)?(?P<tail>[一二三四五六七八九])?"
    r"|(?P<zh>[一二两三四五六七八九十][零〇一二两三四五六七八九十百千万]*)", re.IGNORECASE)
# the same, without named groups, for embedding (twice) in larger patterns
AMOUNT_TEXT = "(?:" + re.sub(r"\(\?P<\w+>", "(?:", AMOUNT.pattern) + ")"
_MULT = {"k": 1000, "千": 1000, "w": 10000, "万": 10000, "百": 100}


def amount(m: re.Match) -> float | None:
    """The value of one AMOUNT match: '2k' 2000, '1.5万' 15000, '两千' 2000, '三千五' 3500."""
    if m.group("num"):
        value = float(m.group("num").replace(",", ""))
        mult = (m.group("mult") or "").lower()
        if mult:
            value *= _MULT[mult]
            if m.group("tail"):  # 3千5 = 3500
                value += number(m.group("tail")) * _MULT[mult] / 10
        return value
    raw = m.group("zh")
    # "三千五" / "两万五": a trailing digit after 千/万 counts in the next unit down
    tail = re.fullmatch(r"(.*[千万])([一二三四五六七八九])", raw)
    if tail:
        head = cn_number(tail.group(1))
        unit = 10000 if tail.group(1).endswith("万") else 1000
        return None if head is None else float(head + number(tail.group(2)) * unit / 10)
    value = cn_number(raw)
    return None if value is None else float(value)


# -- labels ---------------------------------------------------------------------------------
# (pattern, value), first match wins per position; the order matters where one phrase contains
# another ("at risk of leaving" is a risk tier, "at risk" an RFM segment)
RISK_WORDS = [
    ((r"高(?:流失)?风险|流失风险(?:很|较|比较)?高|最(?:有)?可能流失|high[- ]?(?:churn[- ]?)?risk"
     r"|most likely to (?:churn|leave|lapse|go)|(?:very )?likely to churn soon"), "high"),
    ((r"中(?:等|高)?(?:流失)?风险|(?:有|存在)流失(?:的)?风险|(?:可能|快要?|要|会|容易|即将|有可能)(?:会)?流失"
     r"|medium[- ]?(?:churn[- ]?)?risk|at risk of (?:leaving|churning|lapsing|going|losing)"
     r"|(?:likely|about|going) to (?:churn|leave|lapse|stop buying|drop off)"
     r"|(?:might|could|may) (?:churn|leave|lapse)|churn[- ]?risk|risk of (?:churn|leaving)"
     r"|risky|at-risk of"), "medium"),
]
STAGE_WORDS = [
    (r"(?:考察|探索|试探)(?:期|阶段)|exploration|exploring|exploratory", "exploration"),
    (r"(?:形成|成长|建立)(?:期|阶段)|formation|forming", "formation"),
    (r"(?:稳定|成熟)(?:期|阶段)|stability|stable|steady", "stability"),
    (r"(?:退化|衰退|下滑)(?:期|阶段)|decline|declining|in decline", "decline"),
]
SEGMENT_WORDS = [
    (r"potential[ _-]?loyal(?:ist)?s?|潜力客户|潜在忠诚|有潜力", "potential_loyalist"),
    (r"champions?|champs|重要价值(?:客户)?|价值客户|冠军客户", "champions"),
    (r"loyal(?:ists?)?|忠诚(?:客户)?|忠实(?:客户)?|铁粉", "loyal"),
    (r"needs? (?:some )?attention|need[ _]attention|需要关注|需关注|要关注", "need_attention"),
    (r"about[ _-]to[ _-]sleep|即将沉睡|快要?沉睡|快睡着", "about_to_sleep"),
    (r"can'?t[ _-]?lose|cannot lose|can not lose|重要挽留(?:客户)?|不能(?:失去|丢)的?|挽留客户",
     "cant_lose"),
    (r"at[ _-]risk|流失风险(?:客户|分群|群)?|风险客户", "at_risk"),
    (r"hibernat(?:ing|e|ors?)|dormant|sleeping|asleep|沉睡(?:客户)?|休眠", "hibernating"),
    (r"\blost\b|churned|已(?:经)?流失|流失(?:了)?的?客户|流失的", "lost"),
    (r"new (?:customers?|clients?|ones|buyers|people)|newcomers?|新(?:客户|客人|顾客|客)", "new"),
    # "no order since sept" is a quiet spell, read with its period, not the never-ordered group
    ((r"no[ _]orders?\b(?!\s+(?:since|after|from|in|this|for)\b)|never (?:ordered|bought|purchased)(?: anything)?|未下(?:过)?单|(?:从|还)?没(?:有)?下(?:过)?单"
     r"|没买过东西|从没买过东西"), "no_orders"),
]
COMPLAINT_WORDS = [
    ((r"(?:open|unresolved|pending|outstanding|active|ongoing|unhandled|unsolved|unanswered) complaints?"
     r"|complaints? (?:that (?:is|are) )?(?:still )?(?:open|pending|unresolved|outstanding|not (?:yet )?"
     r"(?:resolved|handled|fixed|sorted|closed|answered))"
     r"|(?:未|没|还没|尚未|待|没有)(?:有)?(?:被)?(?:解决|处理|结案|关闭|回复|搞定)(?:好|完)?的?投诉"
     r"|投诉(?:还|尚|都)?(?:未|没|没有)(?:被)?(?:解决|处理|关闭|回复|搞定)|投诉未结|待处理(?:的)?投诉"
     r"|投诉(?:还)?(?:在)?处理中"), "open"),
    ((r"never (?:complained|filed a complaint|had a complaint)|no complaints?|without (?:any )?complaints?"
     r"|not complained|(?:从来?|从未|一直)?没(?:有)?(?:投诉|抱怨)过?|从未投诉|无投诉|零投诉|不投诉"), "none"),
    (r"complain(?:ed|ers?|s|ing)?|complaints?|(?:有过|有)?(?:投诉|抱怨)(?:过)?", "any"),
]
