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
