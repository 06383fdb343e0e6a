"""A value the owner corrects in passing: "订了三袋不对是四袋", "下周四提醒我 不对是周五",
"電話 6123 4567 唔係，係 136 1234 5678", "3 bags sorry 4 bags".

Speech and fast typing leave the slip in the message. The correction names a value of some kind
(a quantity with its unit, an amount of money, a day, a phone number); the slip is the last value
of that same kind before it. Reading the message as if the correction had been said in the slip's
place lets every slot reader see one value, the right one, wherever it sits in the sentence.
"""

from __future__ import annotations

import re

_NUM = r"(?:\d+(?:\.\d+)?|[零〇一二两兩三四五六七八九十百千万萬]+)"
# the words that take back what was just said, then the new value ("不对是", "唔係，係", "no wait")
_MARK = re.compile(r"[,，]?\s*(?:不对|不對|哦不|噢不|说错了|說錯了|口误|口誤|我是说|我是說|不是|唔系|唔係)[,，:：]?\s*"
                   r"(?:是|係|系|应该是|應該是|改成)?\s*"
                   r"|[,，]?\s*\b(?:no wait|no no|sorry|i mean|i meant|correction|make that|wait)\b[,，:]?\s*"
                   r"(?:it'?s\s+|make it\s+)?", re.IGNORECASE)
_KINDS = {
    "phone": re.compile(r"\+?\d(?:[\s-]?\d){6,}"),
    "quantity": re.compile(rf"{_NUM}\s*(?:袋|包|盒|箱|瓶|罐|杯|件|份|斤|公斤|kg|bags?|boxes?|packs?|cups?|units?|bottles?|tins?)"
                           r"(?![a-z])", re.IGNORECASE),
    "amount": re.compile(rf"(?:[¥$]\s*{_NUM}|{_NUM}\s*(?:块钱|块|塊|元|蚊|rmb|yuan|dollars?|bucks?))(?![a-z])", re.IGNORECASE),
    "day": re.compile(r"(?:下下?|这|這|本|上)?(?:个|個)?(?:周|週|星期|礼拜|禮拜)[一二三四五六日天]|大?后天|大?後天|明天|今天|昨天"
                      r"|\d{1,2}月\d{1,2}[日号號]?|\d{1,2}[号號]"
                      r"|\b(?:next |this )?(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\b|\btomorrow\b|\btmr\b",
                      re.IGNORECASE),
}


def value_repaired(text: str) -> tuple[int, int, int, int, int] | None:
    """(slip start, slip end, take-back start, correction start, correction end) when a value is
    taken back and said again; None when nothing is corrected so."""
    for mark in _MARK.finditer(text):
        if mark.end() == mark.start():
            continue
        before = text[:mark.start()]
        for kind, rx in _KINDS.items():
            said = rx.match(text, mark.end())
            if not said:
                continue
            slips = [m for m in rx.finditer(before) if m.end() > m.start()]
            if not slips:
                continue
            slip = slips[-1]
            if kind == "quantity" and _unit(slip.group(0)) != _unit(said.group(0)):
                continue  # "三袋…不是两包": another item, not the same one said again
            return slip.start(), slip.end(), mark.start(), said.start(), said.end()
    return None


def apply_repair(text: str, found: tuple[int, int, int, int, int]) -> str:
    """The text read as if the correction had been said in the slip's place: the slip replaced
    by it, the words taking the slip back and the correction taken out."""
    slip_start, slip_end, mark_start, said_start, said_end = found
    return text[:slip_start] + text[said_start:said_end] + text[slip_end:mark_start] + text[said_end:]


def _unit(value: str) -> str:
    return re.sub(rf"^{_NUM}\s*", "", value).lower().rstrip("s")
