"""Goods as owners name them, matched to the stored product (real demo catalogue names)."""

from __future__ import annotations

import pytest

from assistant.lang.goods import catalog_name

CATALOGUE = ["冷萃 Cold brew pack ×6", "危地马拉 Antigua 250g", "哥伦比亚 Supremo 250g", "巴西 Santos 500g",
             "意式拼配 Espresso Blend 500g", "挂耳包 Drip bags ×10", "曼特宁 Mandheling 250g",
             "耶加雪菲 Yirgacheffe 250g", "节日礼盒 Holiday gift box"]


@pytest.mark.parametrize("said, stored", [
    ("Supremo", "哥伦比亚 Supremo 250g"),
    ("巴西豆", "巴西 Santos 500g"),
    ("曼特寧", "曼特宁 Mandheling 250g"),      # Traditional characters
    ("也加雪菲", "耶加雪菲 Yirgacheffe 250g"),  # the same sounds, other characters (an IME slip)
    ("曼特林", "曼特宁 Mandheling 250g"),
    ("yirga", "耶加雪菲 Yirgacheffe 250g"),
    ("mandeling", "曼特宁 Mandheling 250g"),   # one letter off
    ("cold brew packs", "冷萃 Cold brew pack ×6"),
    ("gift box", "节日礼盒 Holiday gift box"),
    # another name of the same goods: the origin in English, Taiwan's transliteration
    ("Colombia", "哥伦比亚 Supremo 250g"),
    ("瓜地馬拉", "危地马拉 Antigua 250g"),
    ("義式", "意式拼配 Espresso Blend 500g"),
])
def test_the_owners_words_name_one_stored_product(said, stored):
    assert catalog_name(said, CATALOGUE) == stored


@pytest.mark.parametrize("said", ["包", "豆子", "2 bags", "Kenya", "house blend", ""])
def test_a_measure_a_kind_or_unknown_goods_name_none(said):
    assert catalog_name(said, CATALOGUE) is None
