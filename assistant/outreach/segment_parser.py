"""Plain words (zh, en, mixed, Traditional, typo'd) -> a SegmentFilter, and what was not understood.

Code reads every value: spans of time, calendar periods, amounts, counts, and the shop's own
products, cities and tags. Each reading claims the words it used; whatever meaningful words are
left unclaimed are said back as not understood, so a request the filter cannot express ("who
likes dark roast") is never answered with a guess. Clauses no pattern reads go to a classifier
over multilingual-e5 vectors (segment_meaning.py) that names a stage, segment, risk or complaint
condition only when it is sure.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assistant.core.records import InvalidInput
from assistant.lang.names import to_simplified
from assistant.lang.writing_system import spaced
from assistant.outreach import segment_rules as rules
from assistant.outreach.saved_segments import find_saved
from assistant.outreach.segment_vocab import ShopVocabulary, shop_vocabulary
from assistant.outreach.segments import SegmentFilter

# Cantonese and chat spellings, read as Mandarin before anything else
_COLLOQUIAL = (("嘅", "的"), ("唔", "不"), ("冇", "没有"), ("咗", "了"), ("啲", "些"), ("邊", "哪"),
               ("边啲", "哪些"), ("乜", "什么"), ("咩", "什么"), ("係", "是"), ("系", "是"),
               ("嚟", "来"), ("買", "买"), ("幫襯", "光顾"), ("帮衬", "光顾"), ("客仔", "客人"),
               ("沒", "没"))
_SYMBOLS = re.compile(r"[^\w\s,.;:!?%+\-'/&<>=≥≤，。；：！？、（）()¥￥$~～]", re.UNICODE)


@dataclass(frozen=True)
class ParsedSegment:
    """What the owner asked for: the filter code could read, and the words it could not."""

    text: str
    filter: SegmentFilter = field(default_factory=SegmentFilter)
    not_understood: tuple[str, ...] = ()
    saved_name: str | None = None
    source: str = "rules"

    @property
    def unsupported(self) -> bool:
        return bool(self.not_understood)

    def to_contract(self) -> dict[str, Any]:
        """The bench contract's object: the filter, or {"unsupported": true, "understood": ...}."""
        if self.unsupported:
            return {"unsupported": True, "understood": self.filter.to_dict()}
        return self.filter.to_dict()


def normalise(text: str) -> str:
    """NFKC, simplified characters, Cantonese read as Mandarin, lower case, no emoji."""
    text = unicodedata.normalize("NFKC", text or "")
    for a, b in _COLLOQUIAL:
        text = text.replace(a, b)
    text = to_simplified(text)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _SYMBOLS.sub(" ", text).lower()
    text = spaced(text)  # "上海的vip" and "gifts客户" have word edges
    return re.sub(r"\s+", " ", text).strip()


def parse_segment(text: str, today: date | None = None,
                  vocabulary: ShopVocabulary | None = None,
                  meaning: Any = None) -> ParsedSegment:
    """Read a segment request; `meaning` (a SegmentMeaning) reads clauses no rule matched."""
    today = today or date.today()
    clean = rules.fix_typos(normalise(text), vocabulary or ShopVocabulary())
    reading = rules.Reading(clean, today, vocabulary or ShopVocabulary())
    reading.run()
    if meaning is not None:
        for clause in reading.open_clauses():
            found = meaning(clause)
            if found is not None and found[0] not in reading.values:
                reading.values[found[0]] = found[1]
                reading.claim_text(clause)
    values, leftovers = reading.values, reading.leftovers()
    try:
        flt = SegmentFilter.from_dict(values)
    except InvalidInput as ex:
        return ParsedSegment(text, SegmentFilter(), (*leftovers, str(ex)))
    return ParsedSegment(text, flt, tuple(leftovers))


def read_segment(store, text_or_name: str, today: date | None = None,
                 meaning: Any = None) -> ParsedSegment:
    """A saved segment by its name, else the words parsed against the shop's own vocabulary."""
    words = (text_or_name or "").strip()
    if not words:
        raise InvalidInput("Say which customers, e.g. \"quiet for 60 days\" or \"上海的VIP\".")
    saved = find_saved(store, words)
    if saved is not None:
        return ParsedSegment(saved.text or words, saved.filter, (), saved.name, "saved")
    return parse_segment(words, today, shop_vocabulary(store), meaning)


def filter_from_model_json(text: str) -> SegmentFilter:
    """The filter a model proposed as JSON, checked by code; InvalidInput (one line) when bad.

    {"unsupported": true, "understood": {...}} yields the understood part; model_unsupported()
    tells the caller the model said the rest cannot be expressed.
    """
    data = _json_object(text)
    if data.get("unsupported") is True or "understood" in data:
        data = data.get("understood") or {}
    data = {k: v for k, v in data.items() if v not in (None, "", [], {})}
    return SegmentFilter.from_dict(data)


def model_unsupported(text: str) -> bool:
    """Whether a model's JSON answer says the request cannot be expressed."""
    try:
        return _json_object(text).get("unsupported") is True
    except InvalidInput:
        return False


def _json_object(text: str) -> dict:
    import json

    raw = (text or "").strip()
    start, end = raw.find("{"), raw.rfind("}")
    if start < 0 or end <= start:
        raise InvalidInput("The model did not answer with a JSON object; the words are read by "
                           "rules instead.")
    try:
        data = json.loads(raw[start:end + 1])
    except ValueError as ex:
        raise InvalidInput(f"The model's filter is not valid JSON ({ex.msg}).") from None
    if not isinstance(data, dict):
        raise InvalidInput("The model's filter must be a JSON object.")
    return data
