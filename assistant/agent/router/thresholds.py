"""A figure compared with a number, read as its parts: "orders over 500", "spent more than 10k
this year", "买过3次及以上", "消费不到1000的客户", "ordered at least 5 times".

What is compared (one order's amount, a customer's spend, a customer's number of orders), which
way (over, at least, under, at most) and the number (10k, 1千, 2万) are found on their own, so the
wordings compose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.lang.dates import cn_number

# "¥1,000" and "20,000" are written with thousands separators
_NUMBER = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[一二两三四五六七八九十百千万]+)\s*(k(?![a-z])|千|w(?![a-z])|万|千块)?"
_MONEY = r"(?:\s*(?:块钱?|元|蚊|rmb|yuan|bucks|dollars?))?"
# which way, said before the number ("more than 500", "超过500") or after it ("500以上")
_BEFORE = [(">", r"more than|over|above|greater than|bigger than|exceeding|>|超过|超出|多于|大于|高于"),
           (">=", r"at least|no less than|min(?:imum)?|>=|≥|至少|起码|不少于|不低于|满"),
           ("<", r"less than|under|below|fewer than|lower than|<|低于|少于|小于|不到|不足|未满"),
           ("<=", r"at most|no more than|max(?:imum)?|<=|≤|最多|不超过|不高于")]
_AFTER = [(">=", r"及以上|或以上|以上|或更多|\+|or more|and up|and above|plus"),
          ("<=", r"及以下|或以下|以下|or less|or fewer|and under|and below")]
_SAID = [(op, re.compile(rf"(?:{words})\s*[$¥]?\s*{_NUMBER}{_MONEY}", re.IGNORECASE)) for op, words in _BEFORE] + [
    (op, re.compile(rf"[$¥]?{_NUMBER}{_MONEY}\s*(?:次|回|单|times?)?\s*(?:{words})", re.IGNORECASE)) for op, words in _AFTER]
_TIMES = re.compile(r"^\s*(?:次|回|单|张单|times?|orders?|purchases?|visits?)", re.IGNORECASE)
_SPEND = re.compile(r"\bspen[dt]|\bspending\b|\bpaid\b|\blifetime\b|\btotal(?:led)?\b|消费|花(?:了|过|费)?|贡献|累计|总共|一共",
                    re.IGNORECASE)
_SPAN = re.compile(r"^\s*(?:个|個)?\s*(?:天|日|周|星期|礼拜|月|年|小时|分钟|%|％|percent|days?|weeks?|months?|years?|yrs?"
                   r"|hours?|hrs?|mins?|minutes?|kg|g\b|bags?|packs?|box(?:es)?|包|袋|盒|件|杯)", re.IGNORECASE)
_ORDER = re.compile(r"\borders?\b|\bpurchases?\b|\bsales?\b|\btickets?\b|订单|单子|(?<![名清])单|笔", re.IGNORECASE)


@dataclass(frozen=True)
class Threshold:
    """`what` (order_amount | spend | order_count) `op` (> >= < <=) `value`."""

    what: str
    op: str
    value: float

    def sql(self, column: str) -> str:
        value = int(self.value) if self.value == int(self.value) else self.value
        return f"{column} {self.op} {value}"


def _value(raw: str, scale: str | None) -> float | None:
    number = float(raw.replace(",", "")) if raw[0].isdigit() else cn_number(raw)
    if number is None:
        return None
    return float(number) * {"k": 1000, "千": 1000, "千块": 1000, "w": 10000, "万": 10000}.get((scale or "").lower(), 1)


def threshold_of(text: str) -> Threshold | None:
    """The one comparison a question makes, or None."""
    for op, rx in _SAID:
        m = rx.search(text)
        if m:
            return _read(text, m, op)
    return None


def _read(text: str, m: re.Match, op: str) -> Threshold | None:
    value = _value(m.group(1), m.group(2))
    if value is None:
        return None
    after, before = text[m.end(2) if m.group(2) else m.end(1):], text[:m.start()]
    if _SPAN.match(after):
        return None  # "over 60 days", "超过一个月": how long, not how much
    if _TIMES.match(after) or re.search(r"\d\s*(?:次|回)", m.group(0)) or re.search(r"\btimes\b", after[:12]):
        return Threshold("order_count", op, value)
    if _SPEND.search(before) or _SPEND.search(after[:12]):
        return Threshold("spend", op, value)
    if _ORDER.search(before[-20:]) or _ORDER.search(after[:12]):
        return Threshold("order_amount", op, value)
    return Threshold("spend", op, value) if re.search(r"客|customers?|clients?|people|who", text, re.IGNORECASE) \
        else Threshold("order_amount", op, value)
