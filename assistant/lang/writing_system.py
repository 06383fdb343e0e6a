"""Chinese characters and Latin words in a text: what every language decision here counts."""

from __future__ import annotations

import re

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
