"""The shop's own words for segments: its products, cities and tags, as the parser looks for them.

A product is found by any part the owner may write: "节日礼盒 Holiday gift box" is also "礼盒",
"gift box" and "holiday gift box" (jieba cuts the Chinese part; the Latin part gives its runs of
words). Cities are keyed by pinyin so 上海 and Shanghai are one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.lang.names import segmented, to_simplified
from assistant.lang.places import CITIES_LATIN, CITIES_ZH, CITY_ABBREVIATIONS
from assistant.lang.writing_system import HAN_CLASS
from assistant.outreach.segments import COMMON_TAGS, TAG_WORDS, city_key, fold

_NOISE = re.compile(r"^(?:\d+(?:\.\d+)?\s*(?:g|kg|ml|l|克|公斤|斤)|[×x]\s*\d+|\d+)$", re.IGNORECASE)
# Latin words too general to stand for one product on their own
_GENERIC = {"pack", "packs", "bag", "bags", "box", "boxes", "blend", "set", "kit", "the", "of",
            "and", "with", "for", "new", "special", "holiday", "gift", "coffee", "bean", "beans"}
_HAN_RUN = re.compile(f"[{HAN_CLASS}]+")
_LATIN_RUN = re.compile(r"[a-z][a-z'\-]*(?:\s+[a-z][a-z'\-]*)*")


@dataclass(frozen=True)
class ShopVocabulary:
    """Product phrases (folded -> as stored), cities (key -> shown name) and tags."""

    products: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


def shop_vocabulary(store) -> ShopVocabulary:
    """The distinct products, cities and tags stored in the shop."""
    with store._lock:
        products = [p for (p,) in store.db.execute(
            "SELECT DISTINCT product FROM orders WHERE product IS NOT NULL LIMIT 5000")]
        cities = [c for (c,) in store.db.execute(
            "SELECT DISTINCT city FROM customers WHERE city IS NOT NULL LIMIT 5000")]
        tag_cells = [t for (t,) in store.db.execute(
            "SELECT DISTINCT tags FROM customers WHERE tags IS NOT NULL LIMIT 20000")]
    tags = {t.strip() for cell in tag_cells
            for t in re.split(r"[,，;；]", cell or "") if t.strip()}
    return ShopVocabulary(tuple(sorted(products)), tuple(sorted(cities)), tuple(sorted(tags)))


def words(text: str) -> list[str]:
    """jieba's words of a text (its dictionary loads once, quietly)."""
    return segmented(text)


def _product_phrases(product: str) -> set[str]:
    """The parts of a stored product name an owner may write for it."""
    text = to_simplified(product).lower()
    out: set[str] = set()
    for run in _HAN_RUN.findall(text):
        out.add(run)
        parts = [w for w in words(run) if len(w) >= 2]
        out.update(parts)
        for i in range(len(parts)):  # "节日礼盒" -> "礼盒"; "意式拼配" -> "拼配"
            out.add("".join(parts[i:]))
    for run in _LATIN_RUN.findall(text):
        latin = [w for w in run.split() if not _NOISE.match(w)]
        for size in range(len(latin), 0, -1):
            for i in range(len(latin) - size + 1):
                phrase = " ".join(latin[i:i + size])
                if size > 1 or (phrase not in _GENERIC and len(phrase) >= 4):
                    out.add(phrase)
    return {p for p in out if len(p) >= 2 and not _NOISE.match(p)}


@lru_cache(maxsize=8)
def product_phrases(products: tuple[str, ...]) -> tuple[str, ...]:
    """Every phrase that names a stored product, longest first (the longest mention wins)."""
    phrases: set[str] = set()
    for p in products:
        phrases |= _product_phrases(p)
    return tuple(sorted(phrases, key=lambda p: (-len(p), p)))


@lru_cache(maxsize=8)
def city_names(stored: tuple[str, ...]) -> dict[str, str]:
    """Every way to write a city -> the name to show (Chinese where known), keyed by text."""
    shown: dict[str, str] = {}
    for zh in CITIES_ZH:
        shown[city_key(zh)] = zh
    for c in stored:  # the shop's own cities, as the shop writes them
        shown.setdefault(city_key(c), c)
    out: dict[str, str] = {}
    for zh in (*CITIES_ZH, *stored):
        key = city_key(zh)
        out[to_simplified(zh).lower()] = shown[key]
        out[key] = shown[key]
    for latin, zh in CITIES_LATIN.items():
        out[latin] = shown.get(city_key(zh), zh)
    for short, zh in CITY_ABBREVIATIONS.items():
        out[short] = zh
    return {k: v for k, v in out.items() if k}


@lru_cache(maxsize=8)
def tag_names(stored: tuple[str, ...]) -> dict[str, str]:
    """Every way to write a tag (folded) -> the tag as the owner's shop writes it."""
    out: dict[str, str] = {}
    for t in COMMON_TAGS:
        out[fold(t)] = t
    for word, tag in TAG_WORDS.items():
        out[fold(word)] = tag
    for t in stored:
        out[fold(t)] = t
    return out
