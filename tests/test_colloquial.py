"""Spoken Cantonese read as Mandarin by the router, with the owner's own words kept."""

from __future__ import annotations

import pytest

from assistant.lang.colloquial import to_mandarin


@pytest.mark.parametrize("spoken, read", [
    ("佢总共使咗几多钱", "他总共花了多少钱"),
    ("听日要再call佢确认数量", "明天要再call他确认数量"),
    ("深圳嘅客人边个买过挂耳包", "深圳的客人哪个买过挂耳包"),
])
def test_cantonese_words_read_as_mandarin_ones_of_the_same_length(spoken, read):
    assert to_mandarin(spoken) == read and len(read) == len(spoken)


def test_text_without_cantonese_is_unchanged():
    assert to_mandarin("Li Na bought 2 bags") == "Li Na bought 2 bags"
    assert to_mandarin("") == ""
