"""Segments: a typed filter over customers, evaluated live against the store, said back in words.

The filter's keys and meanings are the contract in the segment bench (bench/outreach.py): every
key present is one condition, all ANDed; an absent key means no condition.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

import numpy as np

from assistant.core.records import InvalidInput
from assistant.lang.names import to_simplified
from assistant.lang.tags import COMMON_TAGS, TAG_WORDS
from assistant.lang.validate import iso_date

STAGES = ("exploration", "formation", "stability", "decline")
SEGMENTS = ("champions", "loyal", "potential_loyalist", "new", "need_attention", "about_to_sleep",
            "at_risk", "cant_lose", "hibernating", "lost", "no_orders")
RISKS = ("high", "medium")
COMPLAINTS = ("open", "any", "none")
KEYS = ("stage", "segment", "risk", "quiet_days_min", "quiet_days_max", "first_order_after",
        "first_order_before", "bought", "not_bought", "city", "tag", "spend_min", "spend_max",
        "orders_min", "orders_max", "complaint")


@dataclass(frozen=True)
class OrderWindow:
    """Orders of a product (any product when None) dated within [start, end] (open ends)."""

    product: str | None = None
    start: str | None = None
    end: str | None = None

    def to_dict(self) -> dict:
        out = {"product": self.product, "from": self.start, "to": self.end}
        return {k: v for k, v in out.items() if v is not None}

    @classmethod
    def from_dict(cls, key: str, value: Any) -> OrderWindow:
        if not isinstance(value, dict):
            raise InvalidInput(f"{key} must be an object like {{\"product\": \"礼盒\", "
                               f"\"from\": \"2025-12-01\", \"to\": \"2025-12-31\"}}.")
        unknown = set(value) - {"product", "from", "to"}
        if unknown:
            raise InvalidInput(f"{key} takes only product, from and to (not "
                               f"{', '.join(sorted(unknown))}).")
        product = value.get("product")
        if product is not None and (not isinstance(product, str) or not product.strip()):
            raise InvalidInput(f"{key}.product must be a product name, e.g. \"礼盒\".")
        start = _date(value.get("from"), f"{key}.from")
        end = _date(value.get("to"), f"{key}.to")
        if start and end and start > end:
            raise InvalidInput(f"{key}: from {start} is after to {end}; swap them.")
        return cls(product.strip() if product else None, start, end)


@dataclass(frozen=True)
class SegmentFilter:
    """Conditions on customers, all ANDed; None (or an empty tuple) means no condition."""

    stage: tuple[str, ...] = ()
    segment: tuple[str, ...] = ()
    risk: str | None = None
    quiet_days_min: int | None = None
    quiet_days_max: int | None = None
    first_order_after: str | None = None
    first_order_before: str | None = None
    bought: OrderWindow | None = None
    not_bought: OrderWindow | None = None
    city: str | None = None
    tag: str | None = None
    spend_min: float | None = None
    spend_max: float | None = None
    orders_min: int | None = None
    orders_max: int | None = None
    complaint: str | None = None

    def to_dict(self) -> dict:
        """The contract's JSON object: only the keys that carry a condition."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == ():
                continue
            if isinstance(value, OrderWindow):
                value = value.to_dict()
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, float) and value.is_integer():
                value = int(value)
            out[f.name] = value
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    def is_empty(self) -> bool:
        """True when the filter is the whole customer list."""
        return not self.to_dict()

    def merged(self, **changes: Any) -> SegmentFilter:
        """A copy with some keys changed (validated again)."""
        data = self.to_dict()
        data.update({k: v for k, v in changes.items()})
        return SegmentFilter.from_dict({k: v for k, v in data.items() if v is not None})

    @classmethod
    def from_dict(cls, data: Any) -> SegmentFilter:
        """Validate a contract object; InvalidInput names the first bad key and what to write."""
        if not isinstance(data, dict):
            raise InvalidInput("A segment filter must be a JSON object, e.g. {\"quiet_days_min\": 60}.")
        unknown = set(data) - set(KEYS)
        if unknown:
            raise InvalidInput(f"Unknown filter key(s): {', '.join(sorted(unknown))}; "
                               f"use {', '.join(KEYS)}.")
        v: dict[str, Any] = {}
        for key, allowed in (("stage", STAGES), ("segment", SEGMENTS)):
            if key in data and data[key] not in (None, []):
                items = data[key] if isinstance(data[key], list) else [data[key]]
                bad = [str(i) for i in items if i not in allowed]
                if bad:
                    raise InvalidInput(f"{key} {', '.join(bad)} is not one of {', '.join(allowed)}.")
                v[key] = tuple(dict.fromkeys(items))
        for key, allowed in (("risk", RISKS), ("complaint", COMPLAINTS)):
            if data.get(key) is not None:
                if data[key] not in allowed:
                    raise InvalidInput(f"{key} must be one of {', '.join(allowed)}, "
                                       f"not {data[key]!r}.")
                v[key] = data[key]
        for key in ("quiet_days_min", "quiet_days_max", "orders_min", "orders_max"):
            if data.get(key) is not None:
                v[key] = _whole(data[key], key, 0, 36500)
        for key in ("spend_min", "spend_max"):
            if data.get(key) is not None:
                v[key] = _amount(data[key], key)
        for key in ("first_order_after", "first_order_before"):
            if data.get(key) is not None:
                v[key] = _date(data[key], key)
        for key in ("bought", "not_bought"):
            if data.get(key) is not None:
                v[key] = OrderWindow.from_dict(key, data[key])
        for key in ("city", "tag"):
            if data.get(key) is not None:
                if not isinstance(data[key], str) or not data[key].strip():
                    raise InvalidInput(f"{key} must be a word such as \"上海\" or \"VIP\".")
                v[key] = data[key].strip()
        flt = cls(**v)
        for low, high in (("quiet_days_min", "quiet_days_max"), ("orders_min", "orders_max"),
                          ("spend_min", "spend_max"), ("first_order_after", "first_order_before")):
            a, b = getattr(flt, low), getattr(flt, high)
            if a is not None and b is not None and a > b:
                raise InvalidInput(f"{low} {a} is above {high} {b}: no customer can match; "
                                   f"loosen one of them.")
        return flt


def _whole(value: Any, key: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InvalidInput(f"{key} must be a whole number, e.g. 60.")
    try:
        number = float(value)
    except ValueError:
        raise InvalidInput(f"{key} must be a whole number, e.g. 60, not {value!r}.") from None
    if not number.is_integer() or not low <= number <= high:
        raise InvalidInput(f"{key} must be a whole number from {low} to {high}, not {value!r}.")
    return int(number)


def _amount(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InvalidInput(f"{key} must be an amount, e.g. 2000.")
    try:
        number = float(value)
    except ValueError:
        raise InvalidInput(f"{key} must be an amount, e.g. 2000, not {value!r}.") from None
    if not np.isfinite(number) or number < 0:
        raise InvalidInput(f"{key} must be zero or more, not {value!r}.")
    return number


def _date(value: Any, key: str) -> str | None:
    if value is None:
        return None
    try:
        return iso_date(value)
    except InvalidInput:
        raise InvalidInput(f"{key} must be a date YYYY-MM-DD, not {value!r}.") from None


# -- matching text the owner wrote against stored values ------------------------------------

def fold(text: str | None) -> str:
    """Lower case, simplified characters, no accents or spaces: 'Café ' and 'cafe' are one."""
    text = to_simplified(unicodedata.normalize("NFKC", text or "")).casefold()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return "".join(text.split())


def city_key(city: str | None) -> str:
    """上海, 上海市, 上海 and Shanghai share one key (their pinyin, letters only)."""
    from pypinyin import lazy_pinyin

    text = fold(city)
    for suffix in ("市", "city"):
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            text = text[: -len(suffix)]
    return "".join(c for c in "".join(lazy_pinyin(text)) if c.isalnum())


def _singular(word: str) -> str:
    for end, repl in (("ies", "y"), ("xes", "x"), ("ches", "ch"), ("shes", "sh"), ("es", "e"),
                      ("s", "")):
        if word.endswith(end) and len(word) > len(end) + 2:
            return word[: -len(end)] + repl
    return word


_ALIASES = {fold(word): fold(tag) for word, tag in TAG_WORDS.items()}


def product_matches(wanted: str, stored: str | None) -> bool:
    """The owner's product words occur in the stored product name (case, script, plural aside)."""
    have = fold(stored)
    want = fold(wanted)
    if not want or not have:
        return False
    if want in have:
        return True
    words = [_singular(w) for w in to_simplified(wanted).casefold().split()]
    return bool(words) and all(fold(w) in have for w in words)


def tag_key(tag: str | None) -> str:
    """One key for a tag and its other words: 批发, Wholesale and wholesales are one tag."""
    folded = fold(tag)
    folded = _ALIASES.get(folded, folded)
    return _ALIASES.get(_singular(folded), _singular(folded))


def tag_matches(wanted: str, stored: str | None) -> bool:
    """The tag is one of the customer's comma-separated tags."""
    want = tag_key(wanted)
    parts = str(stored or "").replace("，", ",").replace(";", ",").split(",")
    return any(tag_key(p) == want for p in parts if p.strip())


# -- evaluation -----------------------------------------------------------------------------

def customers_matching(store, flt: SegmentFilter, as_of: str | date | None = None) -> list[int]:
    """Ids (ascending) of the customers the filter selects as of a date (default today)."""
    from assistant.store.column_cache import day_number

    when = iso_date(as_of) if as_of is not None else date.today().isoformat()
    ids = np.asarray(store.customer_ids(), np.int64)
    keep = np.ones(len(ids), bool)
    if not len(ids):
        return []
    today = day_number(when)
    orders = store.orders_arrays(when)
    pos = np.searchsorted(ids, orders["customer_id"])
    pos = np.clip(pos, 0, len(ids) - 1)
    known = ids[pos] == orders["customer_id"]
    pos, day, amount = pos[known], orders["day"][known], orders["amount"][known]
    buy = amount >= 0
    n = np.bincount(pos[buy], minlength=len(ids))
    spend = np.bincount(pos, weights=np.nan_to_num(amount), minlength=len(ids))
    last = np.full(len(ids), np.iinfo(np.int64).min)
    np.maximum.at(last, pos[buy], day[buy])
    first = np.full(len(ids), np.iinfo(np.int64).max)
    np.minimum.at(first, pos[buy], day[buy])
    has = n > 0
    quiet = today - last
    if flt.quiet_days_min is not None:
        keep &= has & (quiet >= flt.quiet_days_min)
    if flt.quiet_days_max is not None:
        keep &= has & (quiet <= flt.quiet_days_max)
    if flt.first_order_after is not None:
        keep &= has & (first >= day_number(flt.first_order_after))
    if flt.first_order_before is not None:
        keep &= has & (first <= day_number(flt.first_order_before))
    if flt.orders_min is not None:
        keep &= n >= flt.orders_min
    if flt.orders_max is not None:
        keep &= n <= flt.orders_max
    if flt.spend_min is not None:
        keep &= spend >= flt.spend_min - 1e-9
    if flt.spend_max is not None:
        keep &= spend <= flt.spend_max + 1e-9
    if flt.stage or flt.segment or flt.risk:
        keep &= _analytics_mask(store, ids, when, flt)
    for window, wanted in ((flt.bought, True), (flt.not_bought, False)):
        if window is not None:
            hit = np.isin(ids, _buyers(store, window, when))
            keep &= hit if wanted else ~hit
    if flt.city is not None or flt.tag is not None:
        keep &= np.isin(ids, _by_city_and_tag(store, flt.city, flt.tag))
    if flt.complaint is not None:
        with_c = np.isin(ids, _complainers(store, flt.complaint == "open"))
        keep &= ~with_c if flt.complaint == "none" else with_c
    return [int(i) for i in ids[keep]]


def _analytics_mask(store, ids: np.ndarray, when: str, flt: SegmentFilter) -> np.ndarray:
    """Stage, RFM segment and risk tier from the churn report's scoring (cached per data version)."""
    # the churn report's scored shop, cached per data version and date: the same stages,
    # segments and tiers the owner sees in the churn list
    from assistant.analytics.churn_report import scored_shop
    from assistant.analytics.labels import segments

    f = scored_shop(store, when)["frame"]
    mask = np.ones(len(f["customer_id"]), bool)
    if flt.stage:
        mask &= np.isin(f["stage"], list(flt.stage))
    if flt.segment:
        mask &= np.isin(segments(f), list(flt.segment))
    if flt.risk:
        mask &= f["level"] <= (0 if flt.risk == "high" else 1)
    return np.isin(ids, np.asarray(f["customer_id"], np.int64)[mask])


def _buyers(store, window: OrderWindow, when: str) -> np.ndarray:
    """Customers with at least one (non-refund) order in the window, of the product if given."""
    end = min(window.end or when, when)
    sql = "SELECT DISTINCT customer_id FROM orders WHERE amount >= 0 AND date <= ?"
    params: list = [end + "\uffff"]
    if window.start:
        sql += " AND date >= ?"
        params.append(window.start)
    with store._lock:
        if window.product is not None:
            # the owner's words are matched against the few distinct product names in Python
            # (scripts, case, plurals); SQLite then keeps the orders of the names that match
            names = [p for (p,) in store.db.execute("SELECT DISTINCT product FROM orders"
                                                    " WHERE product IS NOT NULL")]
            wanted = [p for p in names if product_matches(window.product, p)]
            sql += " AND product IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(wanted, ensure_ascii=False))
        rows = store.db.execute(sql, params).fetchall()
    return np.unique(np.asarray([r[0] for r in rows], np.int64))


def _by_city_and_tag(store, city: str | None, tag: str | None) -> np.ndarray:
    """Customers in the city and with the tag; each distinct stored value is judged once."""
    with store._lock:
        rows = store.db.execute("SELECT id, city, tags FROM customers").fetchall()
    want_city = city_key(city) if city is not None else None
    city_ok: dict = {}
    tag_ok: dict = {}
    out = []
    for cid, c, tags in rows:
        if want_city is not None:
            if c not in city_ok:
                city_ok[c] = city_key(c) == want_city
            if not city_ok[c]:
                continue
        if tag is not None:
            if tags not in tag_ok:
                tag_ok[tags] = tag_matches(tag, tags)
            if not tag_ok[tags]:
                continue
        out.append(cid)
    return np.asarray(out, np.int64)


def _complainers(store, open_only: bool) -> np.ndarray:
    sql = "SELECT DISTINCT customer_id FROM complaints"
    if open_only:
        sql += " WHERE coalesce(lower(status), 'open') != 'resolved'"
    with store._lock:
        return np.asarray([r[0] for r in store.db.execute(sql)], np.int64)


# -- words ---------------------------------------------------------------------------------

def describe(flt: SegmentFilter, lang: str = "en") -> str:
    """The filter said back in the owner's language."""
    from assistant.outreach.segment_words import describe_filter

    return describe_filter(flt, lang)
