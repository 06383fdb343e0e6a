"""Dates and periods written by shop owners ("next Friday", "下周五", "11月3号", "上个月"), relative to today.

dateparser is the base; the small patterns below cover the common shop phrases it misses or gets
wrong: 下周五 / 这周六 / 上周三 (None), 11月3号 / 3号 (None), 三天前 / 两周后 (None),
"the 5th" (parsed as May) and bare numbers ("5" -> May 22). They are tried first, so they also give
find_date() exact spans inside a longer message.

Week words: Chinese 上周/这周/下周 name calendar weeks (Monday first); English "next Friday" is the
first Friday after today and "last Friday" the last one before today (dateparser's reading).
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, datetime, timedelta

from assistant.core.records import InvalidInput

_ZH_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "俩": 2, "倆": 2, "仨": 3, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
_ZH_UNIT = {"十": 10, "百": 100, "千": 1000, "万": 10000, "萬": 10000}
NUM = r"(?:\d+|[零〇一二两兩俩倆仨三四五六七八九十百千万萬]+)"
_EN_NUM = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
           "fifteen": 15, "twenty": 20, "thirty": 30, "a couple of": 2, "a few": 3}
EN_NUM = r"(?:\d+|a couple of|a few|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty)"
_WD_EN = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_WD_ZH = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5,
          "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
EN_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?"
EN_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
            r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
# a day of the month in digits or spelt out: "the 4th of December", "the first of December"
_ORD_WORDS = (r"(?:twenty|thirty)?[- ]?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
              r"|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth"
              r"|eighteenth|nineteenth|twentieth|thirtieth")
_ORD = rf"(\d{{1,2}}|{_ORD_WORDS})(?:st|nd|rd|th)?"
# "in 2 wks", "next wk", "3 mths ago": units as owners shorten them
_EN_UNIT = r"day|week|wk|month|mth|mo|year|yr"
_SHORT_UNIT = {"wk": "week", "mth": "month", "mo": "month", "yr": "year"}
_DAY_UNITS = {"天": 1, "日": 1, "day": 1, "周": 7, "星期": 7, "礼拜": 7, "week": 7}

# (name, pattern) in priority order; the scanner takes the longest match at each position.
_PATTERNS: list[tuple[str, str]] = [
    ("iso", r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?"),
    ("zh_md", rf"(?:({NUM})年)?({NUM})月({NUM})[日号]?"),
    ("zh_rel_md", rf"(上|下|这|本)个?月({NUM})[日号]"),
    ("zh_month_edge", r"(上|下|这|本)?个?月(底|末|初)"),
    ("zh_d", rf"({NUM})[号日](?!子|本|元)"),
    ("zh_named", r"大前天|前天|昨天|昨日|今天|今日|明天|明日|大后天|后天"),
    ("zh_week", r"(上上|上|(?<!一)下下|下|这|這|本|这个|這個|下个|下個|上个|上個)?(?:周|週|星期|礼拜|禮拜)([一二三四五六日天末1-7])"),
    ("zh_offset", rf"({NUM}|半)个?(天|日|周|星期|礼拜|月|年)(?:以|之)?(后|前)"),
    ("zh_shift", r"(上|下|这|本)个?(月|星期|礼拜|周)(?![一二三四五六日天末1-7])|(去|今|明)年"),
    ("en_md", rf"({EN_MONTH})\.?\s+{_ORD}(?:,?\s+(\d{{4}}))?\b"),
    ("en_dm", rf"(?:the\s+)?{_ORD}\s+(?:of\s+)?({EN_MONTH})\b\.?(?:,?\s+(\d{{4}}))?"),
    ("en_slash", r"(?<![\d/.])(\d{1,2})/(\d{1,2})(?:/(\d{4}))?(?![\d/])"),
    # "…, 640, 11-20": month-day with a hyphen, only as a field of its own ("3-5 bags" is a range)
    ("md_hyphen", r"(?<![\d\-/.\w])(1[0-2]|0?[1-9])-(3[01]|[12]\d|0?[1-9])(?=\s*(?:$|[,，;；。!?！？]))"),
    ("en_the", r"\bthe\s+(\d{1,2})(?:st|nd|rd|th)\b(?:\s+of\s+(this|next|last)\s+month)?"),
    ("en_named", (r"\b(?:(?:the\s+)?day\s+(?:after\s+tomorrow|before\s+yesterday)|today|tonight|"
                 r"tomorrow|yesterday|this\s+(?:morning|afternoon|evening)|now"
                 # owners' shorthand: "tmrw", "tmr", "2moro", "tdy", "yday"
                 r"|tmrw|tmr|tmw|tmrrw|2mor+ow|2moro|tomoro|tomorow|tmorrow|tdy|yday|ytd|yest)\b")),
    ("en_week", rf"\b(?:(next|last|this|coming|on)\s+)?({EN_WEEKDAY})\b"),
    ("en_in", rf"\bin\s+({EN_NUM})\s*({_EN_UNIT})s?\b(?!\s+(?:ago|before|earlier))"),
    ("en_ago", rf"\b({EN_NUM})\s*({_EN_UNIT})s?\s+(ago|later|from\s+now)\b"),
    # "remind me in a fortnight": two weeks on (British and Commonwealth owners say it)
    ("en_fortnight", r"\b(?:a|one)\s+fortnight\s+(ago)\b|\b(?:in\s+)?(?:a|one)\s+fortnight(?:'s\s+time)?\b"),
    ("en_edge", r"\b(?:the\s+)?end\s+of\s+(?:the\s+)?(this\s+|next\s+|last\s+)?month\b"),
    ("en_shift", rf"\b(next|last|this)\s+({_EN_UNIT})\b"),
]
_COMPILED = [(name, re.compile(p, re.IGNORECASE)) for name, p in _PATTERNS]


def cn_number(text: str) -> int | None:
    """'3' / '十二' / '两百五十' / '二零二六' -> int; None if it is not a number."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not text or any(c not in _ZH_DIGIT and c not in _ZH_UNIT for c in text):
        return None
    if not any(c in _ZH_UNIT for c in text):  # digit by digit: 二零二六
        return int("".join(str(_ZH_DIGIT[c]) for c in text))
    total, section, digit = 0, 0, 0
    for c in text:
        if c in _ZH_DIGIT:
            digit = _ZH_DIGIT[c]
        elif c in "万萬":
            total += (section + digit) * 10000  # 万 / 萬
            section, digit = 0, 0
        else:
            section += (digit or 1) * _ZH_UNIT[c]
            digit = 0
    return total + section + digit


def _en_number(text: str) -> int:
    text = re.sub(r"\s+", " ", text.lower())
    return int(text) if text.isdigit() else _EN_NUM[text]


def _day_number(said: str) -> int:
    """12 for "12", 1 for "first", 21 for "twenty-first"."""
    if said.isdigit():
        return int(said)
    from text_to_num import alpha2digit

    return int(re.sub(r"\D", "", alpha2digit(said.replace(" ", "-"), "en", threshold=0)) or 0)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (earlier when negative), the month's last day where it is shorter."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _safe(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidInput(f"There is no such day as {year}-{month:02d}-{day:02d}: check the month"
                           f" and the day, and {_HELP}") from None


def _month_day(today: date, month: int, day: int, year: int | None, prefer: str) -> date:
    """A month/day without a year: this year's, or the nearest one on the preferred side."""
    if year is not None:
        return _safe(year, month, day)
    found = _safe(today.year, month, day) if (month, day) != (2, 29) else date(today.year, 2, 28)
    if prefer == "past" and found > today:
        return _safe(today.year - 1, month, day)
    if prefer == "future" and found < today:
        return _safe(today.year + 1, month, day)
    return found


def _day_of_month(today: date, day: int, shift: int | None, prefer: str) -> date:
    """'3号' / 'the 5th': this month's, or the nearest month on the preferred side."""
    if not 1 <= day <= 31:
        raise InvalidInput(f"no such day of the month: {day}")
    base = add_months(today.replace(day=1), shift or 0)
    if shift is None:
        if prefer == "past" and day > today.day:
            base = add_months(base, -1)
        elif prefer == "future" and day < today.day:
            base = add_months(base, 1)
    return _safe(base.year, base.month, day)


def _weekday(today: date, wd: int, how: str, prefer: str) -> date:
    monday = today - timedelta(days=today.weekday())
    if how in ("calendar",):
        return monday + timedelta(days=wd)
    if how == "next":
        return today + timedelta(days=(wd - today.weekday() - 1) % 7 + 1)
    if how == "last":
        return today - timedelta(days=(today.weekday() - wd - 1) % 7 + 1)
    if how == "this":  # the one in this week, unless it has passed and we look ahead
        found = monday + timedelta(days=wd)
        return found if found >= today or prefer == "past" else found + timedelta(days=7)
    # bare weekday: the nearest one on the preferred side, today included
    if prefer == "future":
        return today + timedelta(days=(wd - today.weekday()) % 7)
    return today - timedelta(days=(today.weekday() - wd) % 7)


def _shift(today: date, unit: str, n: int) -> date:
    unit = _SHORT_UNIT.get(unit, unit)
    if unit in ("月", "month"):
        return add_months(today, n)
    if unit in ("年", "year"):
        return add_months(today, 12 * n)
    return today + timedelta(days=n * _DAY_UNITS[unit])


_REL = {"上": -1, "下": 1, "这": 0, "這": 0, "本": 0, "这个": 0, "這個": 0, "下个": 1, "下個": 1, "上个": -1,
        "上個": -1, "上上": -2, "下下": 2,
        "去": -1, "今": 0, "明": 1, "last": -1, "next": 1, "this": 0, None: 0, "": 0}


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _resolve(name: str, m: re.Match, today: date, prefer: str) -> date:
    g = m.groups()
    if name == "iso":
        return _safe(int(g[0]), int(g[1]), int(g[2]))
    if name == "zh_md":
        year = cn_number(g[0]) if g[0] else None
        return _month_day(today, cn_number(g[1]) or 0, cn_number(g[2]) or 0, year, prefer)
    if name == "zh_rel_md":
        return _day_of_month(today, cn_number(g[1]) or 0, _REL[g[0]], prefer)
    if name == "zh_month_edge":
        first = add_months(today.replace(day=1), _REL[g[0]])
        return first if g[1] == "初" else _month_end(first)
    if name == "zh_d":
        return _day_of_month(today, cn_number(g[0]) or 0, None, prefer)
    if name == "zh_named":
        offsets = {"大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "今天": 0, "今日": 0, "明天": 1,
                   "明日": 1, "后天": 2, "大后天": 3}
        return today + timedelta(days=offsets[m.group(0)])
    if name == "zh_week":
        base = today + timedelta(days=7 * _REL[g[0]])
        if g[0] is None:
            return _weekday(today, _WD_ZH[g[1]], "bare", prefer)
        return _weekday(base, _WD_ZH[g[1]], "calendar", prefer)
    if name == "zh_offset":
        sign = 1 if g[2] == "后" else -1
        if g[0] == "半":
            return _shift(today, "天", sign * (15 if g[1] == "月" else 182 if g[1] == "年" else 3))
        return _shift(today, g[1], sign * (cn_number(g[0]) or 0))
    if name == "zh_shift":
        if g[2]:
            return _shift(today, "年", _REL[g[2]])
        return _shift(today, "月" if g[1] == "月" else "周", _REL[g[0]])
    if name == "en_md":
        return _month_day(today, _MONTHS.index(g[0][:3].lower()) + 1, _day_number(g[1]),
                          int(g[2]) if g[2] else None, prefer)
    if name == "en_dm":
        return _month_day(today, _MONTHS.index(g[1][:3].lower()) + 1, _day_number(g[0]),
                          int(g[2]) if g[2] else None, prefer)
    if name == "en_slash":
        return _month_day(today, int(g[0]), int(g[1]), int(g[2]) if g[2] else None, prefer)
    if name == "md_hyphen":
        return _month_day(today, int(g[0]), int(g[1]), None, prefer)
    if name == "en_the":
        return _day_of_month(today, int(g[0]), _REL[g[1].lower()] if g[1] else None, prefer)
    if name == "en_named":
        word = re.sub(r"\s+", " ", m.group(0).lower())
        word = "the " + word if word.startswith("day ") else word  # "day after tomorrow", said without "the"
        offsets = {"the day after tomorrow": 2, "the day before yesterday": -2, "tomorrow": 1,
                   "yesterday": -1, "yday": -1, "ytd": -1, "yest": -1}
        if word not in offsets and word not in ("today", "tonight", "now", "tdy") \
                and not word.startswith("this"):
            word = "tomorrow"  # the shorthands above that are not today or yesterday
        return today + timedelta(days=offsets.get(word, 0))
    if name == "en_week":
        how = {"next": "next", "last": "last", "this": "this", "coming": "next"}.get(
            (g[0] or "").lower(), "bare")
        if (g[0] or "").lower() == "on":
            how = "bare"
        return _weekday(today, _WD_EN[g[1][:3].lower()], how, prefer)
    if name in ("en_in", "en_ago"):
        sign = -1 if name == "en_ago" and g[2].lower() == "ago" else 1
        return _shift(today, g[1].lower(), sign * _en_number(g[0]))
    if name == "en_fortnight":
        return today + timedelta(days=-14 if g[0] else 14)
    if name == "en_edge":
        return _month_end(add_months(today.replace(day=1), _REL[(g[0] or "").strip().lower()]))
    if name == "en_shift":
        return _shift(today, g[1].lower(), _REL[g[0].lower()])
    raise AssertionError(name)


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _scan(text: str) -> list[tuple[int, int, str, re.Match]]:
    """Every pattern match as (start, end, name, match), longest first at each position."""
    hits = []
    for name, rx in _COMPILED:
        for m in rx.finditer(text):
            if m.end() > m.start():
                hits.append((m.start(), m.end(), name, m))
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    return hits


_HELP = ("use YYYY-MM-DD (e.g. 2026-11-03) or words like 'yesterday', 'next Friday', "
         "'in 3 days', '昨天', '下周五', '11月3号'")


def parse_date(text: str | None, today: date, prefer: str = "past") -> date:
    """A date from words or numbers, relative to `today`; None/'' means today. prefer: past|future."""
    if text is None or not str(text).strip():
        return today
    if isinstance(text, date):
        return text
    raw = _normalise(str(text))
    cleaned = re.sub(r"^(?:on|at|by|于|在)\s*|[\s,.。，!！?？]+$", "", raw, flags=re.IGNORECASE)
    for start, end, name, m in _scan(cleaned):
        if start == 0 and end == len(cleaned):
            return _resolve(name, m, today, prefer)
    if re.fullmatch(r"[\d\s.,]+", cleaned):  # dateparser reads "5" as May 22
        raise InvalidInput(f"bad date {raw!r}: {_HELP}")
    import dateparser  # lazy: ~0.3 s to import

    settings = {"RELATIVE_BASE": datetime.combine(today, datetime.min.time()),
                "PREFER_DATES_FROM": "future" if prefer == "future" else "past",
                "RETURN_AS_TIMEZONE_AWARE": False}
    found = dateparser.parse(cleaned, languages=["en", "zh"], settings=settings)
    if found is None:
        raise InvalidInput(f"bad date {raw!r}: {_HELP}")
    return found.date()


def find_date(message: str, today: date, prefer: str = "past") -> tuple[date, str] | None:
    """The first date expression inside a message: (date, the text matched), or None."""
    text = _normalise(message or "")
    taken = 0
    for start, end, name, m in _scan(text):
        if start < taken:
            continue
        if name == "zh_d" and start > 0 and text[start - 1] in "第每":
            continue  # 第3日 / 每5日 are not dates
        if name == "en_week" and not m.group(1) and m.group(2).lower()[:3] in ("sun", "sat", "mar", "wed") \
                and not m.group(2)[0].isupper() and len(m.group(2)) <= 3 \
                and not re.search(r"\b(?:for|on|by|till|until|before|due|follow[- ]?up|back|this|next|again|"
                                  r"(?:call|ring|text|see|visit|remind|ping|msg|message|email) (?:her|him|them|me))\s*$"
                                  # "call 姜平 wed", "ping Lily Tan sat": a named person, then the day
                                  r"|\b(?:call|ring|text|see|visit|remind|ping|msg|message|email)\s+"
                                  r"(?:[\u4e00-\u9fff]{2,4}|[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\s*$",
                                  text[:start], re.IGNORECASE):
            # "sun", "sat", "wed" as plain words, unless "for sat" / "by wed" / "follow up wed" says a day
            continue
        try:
            return _resolve(name, m, today, prefer), m.group(0)
        except (InvalidInput, KeyError, ValueError):
            taken = end
    return None


# patterns that can only be meant as a calendar date, so one that cannot exist is a typo to
# point out, not text to read past ("3/4" or "45号" may be a ratio or a house number)
_CALENDAR = {"iso", "zh_md", "en_md", "en_dm"}


def calendar_day(message: str, today: date) -> date | None:
    """The first day a message names as a calendar date ("11月1号", "Nov 1", "2026-11-01"), the
    latest such day up to today when no year is said; None when it names none."""
    text = _normalise(message or "")
    for _, _, name, m in _scan(text):
        if name in _CALENDAR:
            try:
                return _resolve(name, m, today, "past")
            except (InvalidInput, KeyError, ValueError):
                continue
    return None


def impossible_dates(message: str) -> list[tuple[int, str]]:
    """Calendar dates in a message that cannot exist ("2026-13-45", "Feb 30"): (start, text)."""
    text = _normalise(message or "")
    out, taken = [], 0
    for start, end, name, m in _scan(text):
        if start < taken:
            continue
        slash_year = name == "en_slash" and m.group(3)
        if name not in _CALENDAR and not slash_year:
            continue
        try:
            _resolve(name, m, date.today(), "past")
        except (InvalidInput, ValueError):
            out.append((start, m.group(0)))
        taken = end
    return out


_SPAN_UNIT_DAYS = {"day": 1, "d": 1, "week": 7, "month": 30, "year": 365, "mo": 30, "mth": 30, "wk": 7, "yr": 365, "天": 1, "周": 7, "星期": 7,
                   "礼拜": 7, "禮拜": 7, "月": 30, "年": 365, "日": 1}
# "2mo", "3 wks", "6mths": the units shortened as owners type them
# "quiet >45d": a count of days written as a bookkeeper would, the d right after the digits
_SPAN_EN = re.compile(rf"\b(half a|{EN_NUM})\+?\s*(day|week|month|year|mo|mth|wk|yr)s?\b|\b(\d{{1,3}})(d)\b", re.IGNORECASE)
# a month needs 个 ("3月" is March) and a year a small number ("2025年" is a date)
# "90日冇落单": Cantonese counts days in 日, before what did not happen in them ("3日" is the 3rd)
# "俩月没来" / "仨月": spoken counts that never name a month (February is 二月), so need no 个
_SPAN_ZH = re.compile(rf"({NUM}|半)\s*(?:个|個)\s*(月|星期|礼拜|禮拜)|({NUM}|半)\s*(天|周|星期|礼拜|禮拜|年)|(俩|倆|仨|两|兩)(月)"
                      rf"|(?<![月\d])(?<![一二三四五六七八九十])({NUM})\s*(日)(?=\s*(?:都|也|已经|仲)?(?:冇|没|沒|未|唔|不|以上|内|內))")


def span_days(text: str) -> int | None:
    """The first stretch of time in the text in days ("2 months" / "两个月" -> 60, "半年" -> 182,
    "three weeks" -> 21), or None when it names none; a month counts 30 days."""
    hits = [m for m in (_SPAN_EN.search(text), _SPAN_ZH.search(text)) if m]
    for m in sorted(hits, key=lambda m: m.start()):
        raw, unit = next((m.group(i), m.group(i + 1)) for i in range(1, m.re.groups, 2) if m.group(i))
        count = 0.5 if raw.lower() in ("半", "half a") else cn_number(raw)
        if count is None:  # "two", "a few": English words
            count = _en_number(raw)
        if not count or (unit == "年" and count > 10):
            continue
        return max(1, round(count * _SPAN_UNIT_DAYS[unit.lower()]))
    return None


def _month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _month_in_past(today: date, month: int, year: int | None) -> tuple[date, date]:
    if year is None:
        year = today.year if month <= today.month else today.year - 1
    return _month_range(year, month)


def _quarter(year: int, q: int) -> tuple[date, date]:
    start = date(year, 3 * q - 2, 1)
    return start, _month_end(date(year, 3 * q, 1))


# a season is its three months; winter runs from December into the next year
_SEASONS = {"春": 3, "夏": 6, "秋": 9, "冬": 12, "spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
# shopping days owners name by name (fixed dates only: 中秋 and Black Friday move each year)
_FEAST_DAYS = {"双十一": (11, 11), "双11": (11, 11), "双十二": (12, 12), "双12": (12, 12), "圣诞": (12, 25),
               "平安夜": (12, 24), "情人节": (2, 14), "元旦": (1, 1),
               "christmas eve": (12, 24), "christmas": (12, 25), "xmas": (12, 25), "valentine": (2, 14),
               "new year's day": (1, 1)}
_YEAR_SHIFT = {"去": -1, "今": 0, "前": -2, "明": 1, "last": -1, "this": 0, "next": 1}

_PERIODS: list[tuple[str, str]] = [
    # "6到8月", "今年六至八月", "june to august", "jun-aug": the months from one to the other
    ("month_span", rf"(?:(去|今|前)年的?)?({NUM})月?份?\s*(?:到|至|~|～|-|–)\s*({NUM})月份?"
                   rf"|\b({EN_MONTH})\s*(?:to|-|–|through|thru|till|until)\s*({EN_MONTH})\b(?:\s+(last|this)\s+year)?"),
    ("season", r"(?:(去|今|前|明)年的?)?(春|夏|秋|冬)(?:天|季)"
               # "fall" alone is mostly the verb ("did sales fall")
               r"|\b(?:(this|last|next)\s+)?(spring|summer|autumn|winter|(?<=this |last |next )fall)\b"),
    ("feast", r"(?:(去|今|前|20\d\d)\s*年的?)?(双十一|双11|双十二|双12|圣诞|平安夜|情人节|元旦)"
              r"|\b(?:(this|last)\s+(?:year'?s?\s+)?)?(christmas eve|christmas|xmas|valentine|new year's day)"),
    # "next 7 days", "接下来一周", "the coming week": from today forwards
    ("next_n", rf"(?:next|coming|following)\s+({EN_NUM})\s+(day|week|month)s?|(?:接下来|未来|往后|之后)的?({NUM})(天|日|个?星期|周|个?礼拜|个?月)"
               r"|\b(?:the |this )?(coming) (week|month)\b"),
    ("last_n", rf"(?:last|past|previous)\s+({EN_NUM})\s+(day|week|month)s?|(?:最近|过去|近)({NUM})(天|日|个?星期|周|个?月)"),
    ("rel_ym", rf"(去|今|前|明)年的?({NUM})月份?|({EN_MONTH})\s+(last|this|next)\s+year"
               rf"|(last|this|next)\s+year'?s?\s+({EN_MONTH})"),
    ("ym", rf"({NUM})年({NUM})月份?|({EN_MONTH})\.?,?\s+(\d{{4}})"),
    ("month", rf"(?<![\d上下本这个年])(?![俩倆仨两兩]月)({NUM})月份?(?![\d一二三四五六七八九十]*[日号])|\b(?:in\s+)?({EN_MONTH})\b(?!\s+\d)"),
    # "前三季度", "去年前两个季度": the year's first quarters, together
    ("first_quarters", r"(?:(20\d\d)\s*年的?|(去|今|前)年的?)?前\s*([二三两23])\s*个?季度"),
    # "h1 2026", "2025 H2", "去年上半年": half a year
    ("half", r"(?:(20\d\d)\s*年?的?\s*|(去|今|前)年的?)?(?:(上|下)半年|(?<![a-z0-9])h([12])(?![a-z0-9]))(?:\s*(20\d\d)\b)?"),
    # "q3", "Q3 2025", "2025 q3", "去年第三季度": a quarter, of the year said or the latest begun
    ("quarter", r"(?:(20\d\d)\s*年?\s*|(去|今|前)年的?\s*)?(?:(?<![a-z0-9])q([1-4])(?![a-z0-9])|第?([一二三四1-4])季度)"
                r"(?:\s*(?:of\s+)?(20\d\d)\b|\s*['’](\d\d)\b)?"),  # "Q4'25": the year's last two digits
    # "上周末那两天", "last weekend": the Saturday and Sunday of that week
    # "去年这个月", "this month last year": this month, in the year said
    ("year_month", r"(去|前)年的?(?:这个?|同一?个?|本)月份?|\b(?:this|same) month (last) year\b|\b(last) year'?s? (?:this|same) month\b"),
    ("weekend", r"(上上个?|上个?|这个?|本|下个?)(?:周末|週末|礼拜六日|星期六日)|\b(last|this|next)\s+weekend\b"),
    ("rel", r"(上上个?|上个?|这个?|本|下下个?|下个?)(月|星期|礼拜|周|季度?(?!节))|(去|今|前|明)年"
            r"|(this|last|next)\s+(month|week|year|quarter|qtr)|\b(?:the\s+)?(month|week|year) before last\b"),
    ("year", r"(?:in\s+)?\b(20\d\d)\b(?!\s*[-/年.]\s*\d)|(20\d\d)年(?!\d|[一二三四五六七八九十]+月)"),
    ("day", r"\b(today|yesterday|yday|yest|tdy)\b|(今天|昨天|今日|昨日|大前天|前天)"),
]
_PERIODS_RX = [(name, re.compile(p, re.IGNORECASE)) for name, p in _PERIODS]


# "九月以后就没买过", "after september": from that month on
_SINCE = re.compile(r"\bsince\b|\bfrom\b.{0,20}\b(?:till|until|to) (?:now|today|date)\b|以来|至今(?!年)|到现在|到今天|到目前"
                    r"|(?<=[月份])(?:以后|之后|后(?=就|都|没|再|还))|\bafter\b"
                    r"|(?:从|自从?).{1,8}(?:开始|起)", re.IGNORECASE)


def parse_period(text: str, today: date) -> tuple[date, date] | None:
    """The period a question is about, as (first day, last day) inclusive; None if it names none.
    "since september" / "9月以来" runs from the period's first day to today."""
    text = _years_written_out(text or "", today)
    found = _months_together(text, today) or date_range(text, today) or _from_one_to_other(text, today) \
        or _period(text, today)
    if found and found[0] <= today and _SINCE.search(text):
        return found[0], today
    return found


# A year said with two digits ("25年12月", "25Q4", "FY25") and a month written as numbers
# ("2025-12", "2025.12", "12/2025") are written out as the patterns below read them.
_TWO_DIGIT_YEAR = [
    (re.compile(r"(?<![\d.\-/])(\d\d)(?=\s*年)"), r"20\1"),
    (re.compile(r"(?<![\d.\-/])(\d\d)\s*(?=[qQ][1-4](?![a-zA-Z0-9]))"), r"20\1 "),
    (re.compile(r"\bFY\s*'?(\d\d)\b", re.IGNORECASE), r"20\1"),
]
_YEAR_MONTH = re.compile(r"(?<![\d.\-/])(20\d\d)\s*[-/.]\s*(\d{1,2})(?![\d])(?!\s*[-/.]\s*\d)")
_MONTH_YEAR = re.compile(r"(?<![\d.\-/])(\d{1,2})\s*/\s*(20\d\d)(?!\d)")


def _years_written_out(text: str, today: date) -> str:
    for rx, full in _TWO_DIGIT_YEAR:
        # only years near today's ("25年" is 2025; "50年" is fifty years, not 2050)
        text = rx.sub(lambda m: m.expand(full) if abs(2000 + int(m.group(1)) - today.year) <= 10 else m.group(0), text)
    text = _YEAR_MONTH.sub(lambda m: f"{m.group(1)}年{m.group(2)}月" if 1 <= int(m.group(2)) <= 12 else m.group(0), text)
    return _MONTH_YEAR.sub(lambda m: f"{m.group(2)}年{m.group(1)}月" if 1 <= int(m.group(1)) <= 12 else m.group(0), text)


# "去年12月到今年1月", "2024-12 ~ 2026-10", "from march 2025 to june": a period, a range word, a
# period: from the first one's start to the second one's end
_SPAN_LINK = re.compile(r"\s*(?:到|至|~|～|—|–|(?<=[月年\d])\s*-\s*(?=[\d去今前]|20)|\bto\b|\buntil\b|\btill\b"
                        r"|\bthrough\b|\bthru\b)\s*", re.IGNORECASE)


def _from_one_to_other(text: str, today: date) -> tuple[date, date] | None:
    for link in _SPAN_LINK.finditer(text):
        before, after = text[:link.start()], text[link.end():]
        first = _period(before[-12:], today)
        second = _period(after[:16], today) if first else None
        if first and second and first[0] < second[0] and first[1] <= second[1]:
            return first[0], second[1]
    return None


# "九月十月俩月统共花了多少", "9月和10月加起来": two months next to each other, summed as one stretch
_MONTHS_TOGETHER = re.compile(rf"(?<![\d年])({NUM})\s*月份?\s*(?:和|跟|同|、|加|与)?\s*({NUM})\s*月份?\s*"
                              r"(?:(?:这|那)?(?:俩|两个?)月|一共|统共|总共|合计|加起来|\btogether\b|\bcombined\b|\bin total\b)")


def _months_together(text: str, today: date) -> tuple[date, date] | None:
    m = _MONTHS_TOGETHER.search(text)
    first, second = (cn_number(m.group(1)), cn_number(m.group(2))) if m else (None, None)
    if not first or not second or second != first % 12 + 1:
        return None
    start = _month_in_past(today, first, None)[0]
    return start, _month_end(add_months(start, 1))


_RANGE_LINK = re.compile(r"\s*(?:到|至|~|～|-|–|—|\bto\b|\buntil\b|\btill\b|\bthrough\b|\bthru\b)\s*", re.IGNORECASE)


def date_range(text: str, today: date, prefer: str = "past") -> tuple[date, date] | None:
    """"10/26到11/1" / "from oct 26 to nov 1": two dates joined by a range word, in order; a
    weekday or a bare day read as the one before today, or with `prefer` "future" the one after."""
    first = find_date(text, today, prefer)
    if not first:
        return None
    at = text.find(first[1]) + len(first[1])
    link = _RANGE_LINK.match(text, at) if at >= len(first[1]) else None
    second = find_date(text[link.end():], today, prefer) if link else None
    if not second or not text[link.end():].startswith(second[1]) or second[0] < first[0]:
        return None
    return first[0], second[0]


# Owners who mix languages name a period half in each: "上个 month", "这个 year", "last 月". Read
# as the Chinese it stands for, so every period pattern serves both halves.
_ZH_UNIT_WORD = {"month": "月", "week": "周", "year": "年", "quarter": "季度", "wk": "周", "mth": "月", "yr": "年"}
_MIXED_REL = re.compile(r"(上上个?|上个?|这个?|這個?|本|下下个?|下个?)\s*(month|week|year|quarter|wk|mth|yr)s?\b"
                        r"|\b(last|this|next)\s*(?:个|個)?\s*(月|周|星期|礼拜|年|季度)", re.IGNORECASE)
_MIXED_YEAR = {"上": "去", "上个": "去", "这": "今", "这个": "今", "這": "今", "這個": "今", "本": "今", "下": "明",
               "下个": "明", "last": "去", "this": "今", "next": "明"}


def _one_language(m: re.Match) -> str:
    if m.group(1):
        rel, unit = m.group(1), _ZH_UNIT_WORD[m.group(2).lower()]
    else:
        rel, unit = {"last": "上个", "this": "这个", "next": "下个"}[m.group(3).lower()], m.group(4)
    if unit == "年":
        return _MIXED_YEAR.get(rel if m.group(1) else m.group(3).lower(), "今") + "年"
    return rel.rstrip("个個") + ("个" if unit == "月" else "") + unit


_YEARS_QUARTER = re.compile(r"\b(last|this)\s+year'?s?\s+(q[1-4])\b|\b(q[1-4])\s+(?:of\s+)?(last|this)\s+year\b",
                            re.IGNORECASE)


def _period(text: str, today: date) -> tuple[date, date] | None:
    text = _MIXED_REL.sub(_one_language, _normalise(text or ""))
    # "Q3 last year": the quarter of the year said, as "去年Q3" reads
    text = _YEARS_QUARTER.sub(lambda m: ("去年" if (m.group(1) or m.group(4)).lower() == "last" else "今年")
                              + (m.group(2) or m.group(3)), text)
    for name, rx in _PERIODS_RX:
        m = rx.search(text)
        if not m:
            continue
        g = m.groups()
        if name == "next_n":
            n = 1 if g[4] else _en_number(g[0]) if g[0] else cn_number(g[2]) or 0
            word = (g[1] or g[3] or g[5]).lower()
            unit = "month" if word[-1] in "月h" else "week" if word[-1] in "周期拜k" else "day"
            end = add_months(today, n) if unit == "month" else today + timedelta(days=n * (7 if unit == "week" else 1))
            return today, end
        if name == "last_n":
            n = _en_number(g[0]) if g[0] else cn_number(g[2]) or 0
            word = (g[1] or g[3]).lower()
            unit = "month" if word[-1] in "月h" else "week" if word[-1] in "周期拜k" else "day"
            start = add_months(today, -n) + timedelta(days=1) if unit == "month" else \
                today - timedelta(days=n * (7 if unit == "week" else 1) - 1)
            return start, today
        if name == "month_span":
            if g[1]:
                first, last = cn_number(g[1]) or 0, cn_number(g[2]) or 0
                year = today.year + _YEAR_SHIFT[g[0]] if g[0] else None
            else:
                first, last = (_MONTHS.index(w[:3].lower()) + 1 for w in (g[3], g[4]))
                year = today.year + _YEAR_SHIFT[g[5].lower()] if g[5] else None
            if not (1 <= first < last <= 12):
                continue
            if year is None:  # months said alone are the latest such months begun
                year = today.year if first <= today.month else today.year - 1
            return date(year, first, 1), _month_end(date(year, last, 1))
        if name == "season":
            start = _SEASONS[g[1] or g[3].lower()]
            rel = g[0] or (g[2] or "").lower()
            if rel:
                year = today.year + _YEAR_SHIFT[rel]
            else:  # "summer" alone: the latest one begun
                year = today.year if date(today.year, start, 1) <= today else today.year - 1
            if start == 12 and rel and date(year, 12, 1) > today and rel in ("今", "this"):
                year -= 1  # "this winter" in February is the one that began in December
            first = date(year, start, 1)
            return first, _month_end(add_months(first, 2))
        if name == "feast":
            word = (g[1] or g[3]).lower()
            month, day = next(v for k, v in _FEAST_DAYS.items() if word.startswith(k))
            rel = g[0] or (g[2] or "").lower()
            year = int(rel) if rel.isdigit() else today.year + _YEAR_SHIFT[rel] if rel else \
                today.year if date(today.year, month, day) <= today else today.year - 1
            return date(year, month, day), date(year, month, day)
        if name == "rel_ym":
            # "去年12月" / "december last year": one month of the year named relative to today
            if g[0]:
                year, month = today.year + _YEAR_SHIFT[g[0]], cn_number(g[1]) or 0
            else:
                word, rel = (g[2], g[3]) if g[2] else (g[5], g[4])
                year, month = today.year + _YEAR_SHIFT[rel.lower()], _MONTHS.index(word[:3].lower()) + 1
            if 1 <= month <= 12:
                return _month_range(year, month)
            continue
        if name == "ym":
            if g[0]:
                return _month_range(cn_number(g[0]) or 0, cn_number(g[1]) or 0)
            return _month_range(int(g[3]), _MONTHS.index(g[2][:3].lower()) + 1)
        if name == "month":
            month = cn_number(g[0]) if g[0] else _MONTHS.index(g[1][:3].lower()) + 1
            if g[1] and g[1].lower() == "may" and not re.search(r"\bin\s+may\b", text, re.IGNORECASE):
                continue  # "may" is usually the verb
            if month and 1 <= month <= 12:
                return _month_in_past(today, month, None)
            continue
        if name == "rel":
            if g[5]:  # "the month before last"
                g = ("上上", g[5], None, None, None)
            if g[2]:
                year = today.year + _YEAR_SHIFT[g[2]]
                return date(year, 1, 1), date(year, 12, 31)
            shift = {"上上": -2, "上上个": -2, "上": -1, "上个": -1, "这": 0, "这个": 0, "本": 0,
                     "下下": 2, "下下个": 2, "下": 1, "下个": 1,
                     "last": -1, "this": 0, "next": 1}[(g[0] or g[3]).lower()]
            unit = (g[1] or g[4]).lower()
            if unit in ("月", "month"):
                first = add_months(today.replace(day=1), shift)
                return first, _month_end(first)
            if unit in ("year",):
                return date(today.year + shift, 1, 1), date(today.year + shift, 12, 31)
            if unit in ("季度", "季", "quarter", "qtr"):  # "這季營收": the quarter, said short
                q0 = (today.month - 1) // 3 + shift
                return _quarter(today.year + q0 // 4, q0 % 4 + 1)
            monday = today - timedelta(days=today.weekday()) + timedelta(days=7 * shift)
            return monday, monday + timedelta(days=6)
        if name == "half":
            year = int(g[0] or g[4]) if g[0] or g[4] else today.year + _YEAR_SHIFT[g[1]] if g[1] else today.year
            first = 1 if g[2] == "上" or g[3] == "1" else 7
            return date(year, first, 1), _month_end(date(year, first + 5, 1))
        if name == "first_quarters":
            year = int(g[0]) if g[0] else today.year + _YEAR_SHIFT[g[1]] if g[1] else today.year
            return date(year, 1, 1), _quarter(year, cn_number(g[2]) or int(g[2]))[1]
        if name == "quarter":
            q = int(g[2]) if g[2] else cn_number(g[3]) or int(g[3])
            if g[0] or g[4]:
                year = int(g[0] or g[4])
            elif g[5]:
                year = 2000 + int(g[5])
            elif g[1]:
                year = today.year + _YEAR_SHIFT[g[1]]
            else:
                year = today.year if 3 * q - 2 <= today.month else today.year - 1
            return _quarter(year, q)
        if name == "year_month":
            return _month_range(today.year + _YEAR_SHIFT[(g[0] or g[1] or g[2]).lower()], today.month)
        if name == "weekend":
            shift = {"上上": -2, "上上个": -2, "上": -1, "上个": -1, "这": 0, "这个": 0, "本": 0, "下": 1, "下个": 1,
                     "last": -1, "this": 0, "next": 1}[(g[0] or g[1]).lower()]
            saturday = today - timedelta(days=today.weekday()) + timedelta(days=7 * shift + 5)
            return saturday, saturday + timedelta(days=1)
        if name == "year":
            year = int(g[0] or g[1])
            return date(year, 1, 1), date(year, 12, 31)
        if name == "day":
            word = (g[0] or g[1]).lower()
            back = {"today": 0, "今天": 0, "今日": 0, "前天": 2, "大前天": 3}.get(word, 1)
            day = today - timedelta(days=back)
            return day, day
    return None
