"""Name keys and fuzzy matching across case, spacing, typos and pinyin <-> 汉字."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from assistant.lang.writing_system import HAN

_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # OpenCC, the standard converter; its dictionaries ship in the wheel

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional Chinese characters as simplified ones (張偉打電話 -> 张伟打电话); other text as is."""
    return _t2s().convert(text) if text and has_han(text) else text


def has_han(text: str) -> bool:
    """True if the text contains a CJK ideograph."""
    return bool(HAN.search(text or ""))


@lru_cache(maxsize=30_000)
def _syllable(char: str) -> str:
    from pypinyin import lazy_pinyin  # imported lazily: ~0.2 s of dictionary loading

    return lazy_pinyin(char)[0]


@lru_cache(maxsize=200_000)
def name_key(name: str) -> str:
    """Spaced, lower-case romanisation: '张伟' -> 'zhang wei', 'Li  Na' -> 'li na'."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    # Character by character: names are 2-4 汉字 with no phrase context worth segmenting, and a
    # cached per-character lookup is ~50x faster than lazy_pinyin on the whole name (1M imports).
    spaced = HAN.sub(lambda m: f" {_syllable(m.group(0))} ", text)
    return " ".join(_WORD.findall(spaced))


def compact(key: str) -> str:
    """Key without spaces, so 'zhangwei' and 'zhang wei' compare equal."""
    return key.replace(" ", "")


# Pinyin initials spelt the way an English speaker (or a phone's dictation) writes the sound.
_PINYIN_AS_SPOKEN = ((re.compile(r"\bzh"), "j"), (re.compile(r"\bx"), "sh"), (re.compile(r"\bq"), "ch"),
                     (re.compile(r"\bc(?!h)"), "ts"), (re.compile(r"\bz"), "ts"))


@lru_cache(maxsize=50_000)
def sound_key(name: str) -> str:
    """How a name sounds, by Metaphone over its romanisation: 苏天宇, "su tianyu" and "sue tianyu"
    share a key, as do 江杰 and "jiang jay", 周磊 and "joe lay"."""
    import jellyfish

    key = name_key(name)
    if has_han(name):
        for rx, spoken in _PINYIN_AS_SPOKEN:
            key = rx.sub(spoken, key)
    return jellyfish.metaphone(compact(key)) if key else ""


# The sounds regional speech and pinyin keyboards merge (模糊音, as pinyin input methods list them):
# Hunan and Sichuan say 李娜 as "ni na" and 刘 as "niu", the south drops the retroflex (张 "zang"),
# and 城 / 陈 / 程 blur -ng. Each syllable is folded to one spelling of its merged sounds.
_FUZZY_INITIALS = ((re.compile(r"^zh"), "z"), (re.compile(r"^ch"), "c"), (re.compile(r"^sh"), "s"),
                   (re.compile(r"^n(?!g)"), "l"), (re.compile(r"^r"), "l"), (re.compile(r"^f"), "h"))
_FUZZY_FINALS = re.compile(r"(?<=[aei])ng$|(?<=[iu]a)ng$|(?<=o)ng$")


@lru_cache(maxsize=50_000)
def fuzzy_key(name: str) -> str:
    """A 汉字 name's pinyin with the sounds regional speech merges folded together: 尼娜 and 李娜,
    牛天宇 and 刘天宇, 章维 and 张伟 share a key."""
    out = []
    for syllable in name_key(name).split():
        for rx, folded in _FUZZY_INITIALS:
            syllable = rx.sub(folded, syllable)
        out.append(_FUZZY_FINALS.sub("n", syllable).replace("ong", "on"))
    return "".join(out)


def initials_key(name: str) -> str:
    """The first letter of each syllable of a 汉字 name, as texters write it: 张伟 -> "zw"."""
    return "".join(w[0] for w in name_key(name).split()) if has_han(name) else ""


def match_score(query_key: str, candidate_key: str) -> float:
    """0..100 similarity between two name keys, robust to order, spacing and small typos."""
    from rapidfuzz import fuzz

    q, c = compact(query_key), compact(candidate_key)
    if not q or not c:
        return 0.0
    if q == c:
        return 100.0
    order_free = fuzz.token_sort_ratio(query_key, candidate_key)
    return max(fuzz.ratio(q, c), order_free)


def segmented(text: str) -> list[str]:
    """jieba's words of a text, in order (its dictionary loads once, quietly)."""
    import jieba

    jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise
    return jieba.lcut(text)


def common_word(word: str, often: int = 100) -> bool:
    """Whether jieba's dictionary counts the word at least `often` times (处理, 留言): an everyday
    word, which no typed name is; rare entries (尼娜, a transliteration) may still be a name."""
    import jieba

    segmented("")
    jieba.dt.check_initialized()  # cutting "" loads no dictionary: without this every word is rare
    return (jieba.dt.FREQ.get(word) or 0) >= often
