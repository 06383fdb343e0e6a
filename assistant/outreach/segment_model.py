"""A language model proposes a segment filter as JSON; code checks it before it is used.

The model reads the owner's words with the filter's keys and the shop's own vocabulary in the
prompt (prompts/segment_filter.md). Its answer must validate as a SegmentFilter, and every city,
tag and product it names must be in the owner's words: a value nobody wrote is a guess, and the
proposal is refused. With the rules' reading at hand, the model only fills in what the rules
could not read, and must agree with every key the rules did read.
"""

from __future__ import annotations

from datetime import date

import prompts
from assistant.core.records import InvalidInput
from assistant.outreach.segment_parser import (
    ParsedSegment,
    filter_from_model_json,
    model_unsupported,
    normalise,
)
from assistant.outreach.segment_vocab import ShopVocabulary
from assistant.outreach.segment_vocab import words as split_words
from assistant.outreach.segments import (
    KEYS,
    SegmentFilter,
    city_key,
    fold,
    product_matches,
    tag_key,
)

_WINDOW = {"type": "object", "properties": {"product": {"type": "string"},
                                            "from": {"type": "string"}, "to": {"type": "string"}}}
_TYPES = {"stage": {"type": "array", "items": {"type": "string"}},
          "segment": {"type": "array", "items": {"type": "string"}},
          "bought": _WINDOW, "not_bought": _WINDOW,
          "quiet_days_min": {"type": "integer"}, "quiet_days_max": {"type": "integer"},
          "orders_min": {"type": "integer"}, "orders_max": {"type": "integer"},
          "spend_min": {"type": "number"}, "spend_max": {"type": "number"}}
# the grammar the local model writes under: one object of the filter's keys, nothing else
FILTER_SCHEMA = {"type": "object", "properties": {
    **{k: _TYPES.get(k, {"type": "string"}) for k in KEYS}, "unsupported": {"type": "boolean"}}}


def filter_prompt(text: str, today: date, vocab: ShopVocabulary) -> str:
    """The prompt for one request, with today's anchors and the shop's vocabulary."""
    last_dec = today.year - 1 if today.month < 12 else today.year
    return prompts.load(
        "segment_filter", today=today.isoformat(), request=text.replace(">>>", ">"),
        year_from=f"{today.year}-01-01", last_dec_from=f"{last_dec}-12-01",
        last_dec_to=f"{last_dec}-12-31",
        products=", ".join(vocab.products[:30]) or "-", cities=", ".join(vocab.cities[:30]) or "-",
        tags=", ".join(vocab.tags[:30]) or "-")


def ungrounded(flt: SegmentFilter, text: str) -> list[str]:
    """Cities, tags and products in the filter that the owner's words do not contain."""
    words = normalise(text)
    tokens = {tag_key(w) for w in split_words(words)}
    out = []
    if flt.city and city_key(flt.city) not in city_key(words):
        out.append(flt.city)
    if flt.tag and fold(flt.tag) not in fold(words) and tag_key(flt.tag) not in tokens:
        out.append(flt.tag)
    for window in (flt.bought, flt.not_bought):
        if window and window.product and not product_matches(window.product, words):
            out.append(window.product)
    return out


def propose_filter(text: str, llm, today: date | None = None,
                   vocab: ShopVocabulary | None = None) -> ParsedSegment:
    """The model's reading of the words, checked by code; what fails the check is not used."""
    today = today or date.today()
    answer = llm(filter_prompt(text, today, vocab or ShopVocabulary()))
    try:
        flt = filter_from_model_json(answer)
    except InvalidInput as ex:
        return ParsedSegment(text, SegmentFilter(), (str(ex),), source="model")
    guessed = ungrounded(flt, text)
    if guessed:
        return ParsedSegment(text, SegmentFilter(), tuple(guessed), source="model")
    return ParsedSegment(text, flt, (text,) if model_unsupported(answer) else (), source="model")


def with_model(parsed: ParsedSegment, llm, today: date | None = None,
               vocab: ShopVocabulary | None = None) -> ParsedSegment:
    """The rules' reading, completed by the model where the rules left words unread; kept as it
    is when the model disagrees with a key the rules read, or its proposal fails the checks."""
    if not parsed.unsupported or llm is None or parsed.saved_name:
        return parsed
    proposal = propose_filter(parsed.text, llm, today, vocab)
    if proposal.unsupported:
        return parsed
    mine, theirs = parsed.filter.to_dict(), proposal.filter.to_dict()
    if any(_same(k, theirs.get(k)) != _same(k, v) for k, v in mine.items()):
        return parsed
    merged = SegmentFilter.from_dict({**theirs, **mine})  # the rules' values, as the owner wrote
    return ParsedSegment(parsed.text, merged, (), source="rules+model")


def _same(key: str, value):
    """A value as two readings of one request share it (上海 = Shanghai, lists as sets)."""
    if value is None:
        return None
    if key == "city":
        return city_key(value)
    if key == "tag":
        return tag_key(value)
    if isinstance(value, list):
        return tuple(sorted(value))
    if isinstance(value, dict):
        return tuple(sorted((k, fold(str(v))) for k, v in value.items()))
    return value
