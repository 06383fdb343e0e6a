"""Chinese characters and Latin words in a text: what every language decision here counts."""

from __future__ import annotations

import re
import unicodedata

# CJK unified ideographs, extension A and the compatibility block: the Han a shop types
HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN = re.compile(f"[{HAN_CLASS}]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")  # one letter is an initial or a unit, not a word


def script_counts(text: str | None) -> tuple[int, int]:
    """(Chinese characters, Latin words of two letters or more) in the text."""
    text = text or ""
    return len(HAN.findall(text)), len(LATIN_WORD.findall(text))


def chat_language(text: str) -> str:
    """'zh' when Chinese carries a chat message, else 'en' ("Draft a reply to 李娜's..." is en)."""
    han, words = script_counts(text)
    # A Chinese name is 2-3 characters; it takes more than a name to make a message Chinese.
    return "zh" if han and han > 2 * words else "en"


_SCRIPT_JOIN = re.compile(f"(?<=[{HAN_CLASS}])(?=[A-Za-z])|(?<=[A-Za-z])(?=[{HAN_CLASS}])")


def spaced(text: str) -> str:
    """A space where Chinese characters and Latin letters meet ("上个月top 3 products是哪几个" ->
    "上个月 top 3 products 是哪几个"), so English words read as words: to a regex, 汉字 are word
    characters too. For reading a question only: positions in it no longer match the message."""
    return _SCRIPT_JOIN.sub(" ", text)


def without_emoji(text: str) -> str:
    """The text without emoji and pictographs ("去年呢 📉?" -> "去年呢 ?"): they carry mood, not
    a request."""
    return "".join(c for c in text if unicodedata.category(c) not in ("So", "Sk", "Cs")
                   and c not in "\ufe0f\ufe0e\u200d").strip()
