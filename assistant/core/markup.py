"""Stored text shown inside Markdown stays text: the one rule every Markdown view of notes uses.

The web app renders replies and profiles as Markdown, which also passes HTML through (its
sanitiser stops scripts, not `<img src=…>` fetching from elsewhere, nor `<b>` or headings). A
note, a complaint or an imported cell is data written by whoever typed it (a customer, a staff
member, an import file): `<img src=x>`, `<style>`, a link or image pointing out of the shop, or a
line break followed by "# SYSTEM:" must show as the characters they are. `<` becomes an entity,
link and image brackets, code ticks and table bars are backslash-escaped, and line breaks fold
into spaces so a value never starts a heading, quote or list of its own. Letters, digits, Chinese
and the punctuation of ordinary notes (. - ! _ * ( ) &) are left as typed, so the same text reads
well in the terminal too.
"""

from __future__ import annotations

import re
from typing import Any

_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_INLINE = re.compile(r"([\\`\[\]|])")
_LEADING = re.compile(r"^(#(?=[#\s]|$)|>|[+*-](?=\s))")
_NUMBERED = re.compile(r"^(\d+)([.)])")


def _line(text: str) -> str:
    text = _ENTITY.sub("&amp;", text).replace("<", "&lt;")
    text = _INLINE.sub(r"\\\1", text)
    text = _NUMBERED.sub(r"\1\\\2", text)  # "1. x" would start a list: "1\. x"
    return _LEADING.sub(r"\\\1", text)


def as_text(value: Any) -> str:
    """One stored value as Markdown that renders as exactly its text (inline, one line)."""
    if value is None:
        return ""
    return _line(" ".join(str(value).split()))


def as_text_block(value: Any) -> str:
    """A longer stored text (a drafted reply) as Markdown text, keeping its line breaks."""
    if value is None:
        return ""
    return "\n".join(_line(line.strip()) for line in str(value).splitlines())


_LINK = re.compile(r"(?<!\\)\]\(")


def model_markdown(value: Any) -> str:
    """A model's own answer: its lists and emphasis stay Markdown, but HTML and links do not
    run — the model may be repeating a stored note that carries them."""
    if value is None:
        return ""
    text = _ENTITY.sub("&amp;", str(value)).replace("<", "&lt;")
    return _LINK.sub("]\\(", text)

