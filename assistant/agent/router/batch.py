"""Several customers' sales told in one message, the way a day's receipts are typed in at closing:
"yday sat: ben green 1 mandheling 88 + jiang jie 2 cold brew 138", "log these: Nora Hall 2 cold
brew 138, Owen Wood 1 Santos 108". Each customer's part is read on its own, by the same rules as a
message about one customer; the assistant shows the writes of all of them on one card.
"""

from __future__ import annotations

import re

from assistant.agent.router.slots import customers_in, spot_index

# a figure in a part: a count or what was paid
_FIGURE = re.compile(r"\d|[一二两三四五六七八九十]")
_FIGURES = re.compile(r"\d+|[一二两三四五六七八九十]+")
_JOINS = " \t\n,，;；、+&/|"
_TRAILING_JOIN = re.compile(r"(?:\b(?:and|also|plus|then)|然后|还有|另外|和|跟|同埋)[\s,，;；、+&]*$", re.IGNORECASE)
_LONGEST_HEAD = 60  # "Yesterday's Saturday rush, log these:" and no more before the first name


def parts_per_customer(text: str, names: tuple[str, ...]) -> list[tuple[int, int]] | None:
    """(start, end) of each customer's part, from their name to the next customer's name, when a
    message names two or more customers, each once, and each part tells a figure; else None."""
    if len(_FIGURES.findall(text)) < 2:
        return None  # two sales tell two figures: most messages stop here, before the names are scanned
    said = customers_in(text, spot_index(names))
    if len(said) < 2 or said[0][0] > _LONGEST_HEAD or len({n.casefold() for _, _, n in said}) < len(said):
        return None
    starts = [start for start, _, _ in said]
    parts = []
    for i, (start, end, _) in enumerate(said):
        stop = starts[i + 1] if i + 1 < len(starts) else len(text)
        told = text[end:stop]
        if not _FIGURE.search(told):
            return None  # "张伟和李娜都说要3包": one thing said of two people, not two sales
        piece = _TRAILING_JOIN.sub("", text[start:stop].rstrip(_JOINS)).rstrip(_JOINS)
        parts.append((start, start + len(piece)))
    return parts


# "(207)": a price set apart in brackets; "pls add both 🙏": the request for all the parts, said last
_BRACKETED = re.compile(r"[(（]\s*(\d{2,6}(?:\.\d{1,2})?)\s*[)）]")
_ADD_THEM = re.compile(r"[\s,，.。]*(?:\b(?:pls|please|plz)\s+)?(?:\b(?:add|log|record|save|enter)\b|记(?:一下|上|下)?|录(?:一下)?)"
                       r"\s*(?:\b(?:both|all|them|these|it)\b|两个|都|全部)?\s*(?:\b(?:pls|please|thx|thanks)\b)?\W*$", re.IGNORECASE)


def part_said(part: str) -> str:
    """One customer's part as a message of its own: a bracketed price plain, the closing request
    for all of them left out."""
    return _ADD_THEM.sub("", _BRACKETED.sub(r" \1 ", part)).strip() or part

