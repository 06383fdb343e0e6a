"""Strict parsing of dates and numbers written by people or spreadsheets."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

from assistant.core.records import InvalidInput

_ISO = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?\s*$")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_NUMBER_NOISE = re.compile(r"[,\s¥￥$€£元RMBrmb]|CNY|USD")


def iso_date(value: Any) -> str:
    """'2024/3/5', '2024年3月5日', '20240305' or a date -> '2024-03-05'; anything else is an error."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = "" if value is None else str(value)
    match = _ISO.match(text) or _COMPACT.match(text)
    if not match:
        raise InvalidInput(f"bad date {text!r}: use YYYY-MM-DD, e.g. 2024-03-05")
    y, m, d = (int(g) for g in match.groups())
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        raise InvalidInput(f"bad date {text!r}: no such day (month {m}, day {d})") from None


_MONTH_DAY = re.compile(r"^\s*(?:--)?(\d{1,2})[-/.月](\d{1,2})日?\s*$")


def birthday(value: Any) -> str | None:
    """'1990-02-29', '1990年2月28日' -> ISO; '2/29', '02-29', '2月29日' -> '02-29' (year unknown);
    blank -> None. 29 February is a real birthday: it is kept, and celebrated on the 28th in
    other years."""
    text = "" if value is None else str(value).strip()
    if not text or text.lower() in ("nan", "none", "nat"):
        return None
    match = _MONTH_DAY.match(text)
    if match:
        m, d = (int(g) for g in match.groups())
        try:
            date(2000, m, d)  # a leap year: 02-29 is allowed
        except ValueError:
            raise InvalidInput(f"bad birthday {text!r}: no such day (month {m}, day {d})") from None
        return f"{m:02d}-{d:02d}"
    try:
        day = iso_date(text)
    except InvalidInput:
        raise InvalidInput(f"bad birthday {text!r}: use YYYY-MM-DD or MM-DD, e.g. 1990-03-05 or 03-05") \
            from None
    if day > date.today().isoformat():
        raise InvalidInput(f"bad birthday {text!r}: it is in the future")
    return day


def number(value: Any, name: str, minimum: float | None = None,
           maximum: float | None = None) -> float | None:
    """'¥1,200.50' -> 1200.5; None/'' -> None; not a number or out of range -> InvalidInput."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise InvalidInput(f"{name} must be a number, not {value!r}")
    if isinstance(value, (int, float)):
        result = float(value)
    else:
        text = _NUMBER_NOISE.sub("", str(value))
        try:
            result = float(text)
        except ValueError:
            raise InvalidInput(f"{name} must be a number, not {value!r}") from None
    if math.isnan(result) or math.isinf(result):
        if isinstance(value, float) and math.isnan(value):
            return None
        raise InvalidInput(f"{name} must be a finite number, not {value!r}")
    if minimum is not None and result < minimum:
        raise InvalidInput(f"{name} must be at least {minimum:g}, got {result:g}")
    if maximum is not None and result > maximum:
        raise InvalidInput(f"{name} must be at most {maximum:g}, got {result:g}")
    return result


_CONSENT = {
    "yes": ("yes", "y", "true", "1", "agree", "agreed", "opt-in", "opt in", "opted in",
            "subscribed", "是", "同意", "愿意", "接受", "可以", "允许", "订阅"),
    "no": ("no", "n", "false", "0", "refuse", "refused", "opt-out", "opt out", "opted out",
           "unsubscribed", "stop", "否", "不同意", "不愿意", "拒绝", "不接受", "不允许", "退订"),
    "unknown": ("unknown", "?", "未知", "不清楚", "不确定", "未填"),
}


def marketing_consent(value: Any) -> str | None:
    """'yes' / '同意' / 'true' -> 'yes'; 'no' / '退订' / 'opt-out' -> 'no'; blank -> None (unknown)."""
    text = "" if value is None else str(value).strip().lower()
    if not text or text in ("nan", "none"):
        return None
    for answer, words in _CONSENT.items():
        if text in words:
            return answer
    raise InvalidInput(f"bad marketing consent {value!r}: use yes, no or unknown (是 / 否 / 未知)")
