"""Goods as owners name them: "Supremo", "巴西豆", "曼特寧", "也加雪菲", "yirga" -> the stored product."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from assistant.lang.names import to_simplified
from assistant.lang.units import ZH_UNITS

# words that name a kind of goods or a measure, not which one: "巴西豆" is 巴西, "2 bags of antigua" is antigua
_GENERIC_HAN = re.compile("咖啡|豆子|豆|粉|的|款|装|那个|这个|" + "|".join(ZH_UNITS))
_GENERIC_EN = {"bag", "bags", "box", "boxes", "pack", "packs", "packet", "packets", "bean", "beans",
               "coffee", "of", "the", "a", "an", "some", "more", "kg", "g", "pcs", "pc", "pieces", "piece",
               "and", "new", "usual", "one", "ones", "pk"}
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_LATIN_WORD = re.compile(r"[a-z]+")


@lru_cache(maxsize=2048)
def _pinyin(text: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin

    return tuple(lazy_pinyin(text))


def _han_parts(text: str) -> list[str]:
    """The runs of 汉字 that say which goods, generic words taken out."""
    return [run for run in _HAN_RUN.findall(_GENERIC_HAN.sub(" ", text)) if len(run) >= 2]


def _shares_han(said: str, stored: str) -> bool:
    """Two 汉字 in a row of the stored name, or the same sounds ("也加" for 耶加: an IME slip)."""
    stored_sounds = "|" + "|".join(_pinyin(stored)) + "|"
    for run in _han_parts(said):
        for i in range(len(run) - 1):
            pair = run[i:i + 2]
            if pair in stored or "|" + "|".join(_pinyin(pair)) + "|" in stored_sounds:
                return True
    return False


# everyday English words a product's name is one letter away from ("could" is not Cold brew)
_EVERYDAY_EN = {"could", "would", "should", "told", "hold", "gold", "sold", "bold", "fold", "world", "colds",
                "kindly", "total", "month", "months", "figure", "takings", "please", "thanks", "there", "their",
                "where", "which", "what", "when", "were", "with", "from", "this", "that", "these", "those",
                "about", "again", "other", "after", "before", "today", "asked", "order", "orders", "price"}


def _measure_pairs(stored: str) -> list[str]:
    """The two-汉字 pieces of a stored name that end in a measure word: 礼盒 of 节日礼盒, 耳包 of 挂耳包."""
    return [run[i:i + 2] for run in _HAN_RUN.findall(to_simplified(stored)) for i in range(len(run) - 1)
            if run[i + 1] in ZH_UNITS and run[i] not in ZH_UNITS]


def _latin_words(text: str) -> list[str]:
    return [w for w in _LATIN_WORD.findall(text) if w not in _GENERIC_EN and w not in _EVERYDAY_EN and len(w) >= 3]


def _word_fits(word: str, stored_words: list[str]) -> bool:
    """"yirga" opens Yirgacheffe; "mandeling" is Mandheling one letter off."""
    from rapidfuzz.distance import OSA

    return any(w.startswith(word) and len(word) >= 4 or word == w
               or len(word) >= 5 and OSA.distance(word, w) <= (1 if len(word) < 8 else 2)
               for w in stored_words)


# Other names of the same goods: an origin in English for its Chinese name ("2 bag Colombia" is the
# 哥伦比亚), Taiwan's transliterations (瓜地馬拉, 義式), and the drink's other words (冷泡, 耳挂)
_OTHER_NAMES = {"colombia": "哥伦比亚", "colombian": "哥伦比亚", "guatemala": "危地马拉", "guatemalan": "危地马拉",
                "brazil": "巴西", "brazilian": "巴西", "瓜地马拉": "危地马拉", "义式": "意式", "冷泡": "冷萃",
                "耳挂": "挂耳", "mandeling": "mandheling"}


def _with_other_names(said: str) -> str:
    """The owner's words with the other name of any goods in them added."""
    extra = [other for word, other in _OTHER_NAMES.items() if word in said]
    return " ".join([said, *extra]) if extra else said


def names_goods(said: str | None) -> bool:
    """Whether the words say which goods ("耶加", "antigua"), not only a measure ("3包", "boxes")."""
    low = to_simplified(said or "").lower()
    return bool(_han_parts(low) or _latin_words(low))


def same_goods(said: str, stored: str) -> bool:
    """Whether the owner's words for goods name this stored product."""
    said_s, stored_s = _with_other_names(to_simplified(said or "").lower().strip()), to_simplified(stored or "").lower()
    if not names_goods(said_s):
        return False  # "包", "豆子", "2 bags": a measure or a kind, not which goods
    # a word from its start ("yirga" for Yirgacheffe), never from inside one ("day" is no Holiday)
    if said_s in stored_s and (not said_s[:1].isascii() or re.search(r"(?<![a-z])" + re.escape(said_s), stored_s)):
        return True
    words, stored_words = _latin_words(said_s), _LATIN_WORD.findall(stored_s)
    if words and all(_word_fits(w, stored_words) for w in words):
        return True
    return _shares_han(said_s, stored_s)


def matches(said: str | None, stored: Iterable[str]) -> list[str]:
    """Every stored product the owner's words could name, once each."""
    if not said or not said.strip():
        return []
    return [name for name in dict.fromkeys(stored) if same_goods(said, name)]


def catalog_name(said: str | None, stored: Iterable[str]) -> str | None:
    """The one stored product the owner's words name, or None (none, or several)."""
    found = matches(said, stored)
    return found[0] if len(found) == 1 else None


def named_in(text: str | None, stored: Iterable[str]) -> str | None:
    """The one stored product a message mentions anywhere ("上次买的哥伦比亚很好 这次要四包"), or None."""
    low = to_simplified(text or "").lower()  # (each piece gets its other names in same_goods)
    names = list(dict.fromkeys(stored))
    pieces = _han_parts(low) + _latin_words(low)
    found = {name for piece in pieces for name in names if same_goods(piece, name)}
    if not found:
        # "买过礼盒": a measure word that is part of the name (节日礼盒), so not taken out above
        found = {name for name in names if any(pair in low for pair in _measure_pairs(name))}
    return found.pop() if len(found) == 1 else None
