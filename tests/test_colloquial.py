"""Spoken Cantonese read as Mandarin by the router, with the owner's own words kept."""

from __future__ import annotations

import pytest

from assistant.lang.colloquial import digits_for_words, read_as_mandarin, to_mandarin


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


@pytest.mark.parametrize("spoken, read", [
    ("邊個客好耐冇嚟", "哪个客好久没来"),
    ("咁八月呢？", "那八月呢?"),
    ("第二個嗰位", "第二个那位"),
])
def test_colloquial_words_are_read_in_a_whole_message(spoken, read):
    assert read_as_mandarin(spoken) == read and len(read) == len(spoken)


@pytest.mark.parametrize("spoken, read", [
    ("杨子涵一共买了好多次", "杨子涵一共买了多少次"),
    ("上个月卖了好多钱哦", "上个月卖了多少钱哦"),
    ("她最后一次买是好久", "她最后一次买是几时"),
    ("田霞的电话是好多", "田霞的电话是多少"),
    ("她一般买啥子 咋个办", "她一般买什么 怎么办"),
    # inside a sentence the words keep their Mandarin sense
    ("好多人投诉 薛艳好久没来了", "好多人投诉 薛艳好久没来了"),
])
def test_sichuan_question_words_are_read_as_mandarin_ones(spoken, read):
    assert read_as_mandarin(spoken) == read and len(read) == len(spoken)


@pytest.mark.parametrize("said, read", [
    ("another five gift boxes", "another 5    gift boxes"),
    ("nothing for ninety days", "nothing for 90     days"),
    ("the first one", "the first one"),  # an ordinal and "one" as a word stay words
])
def test_english_number_words_are_read_as_digits_of_the_same_length(said, read):
    assert digits_for_words(said) == read and len(read) == len(said)


@pytest.mark.parametrize("said, read", [
    ("两包曼特林 一百七十六", "两包曼特林 176  "),
    ("一百二", "120"),             # said short for 一百二十
    ("两百五十块", "250 块"),
    ("两百", "两百"),               # "200" would not fit in its two characters; the amount rules read it
])
def test_a_price_in_hundreds_said_in_chinese_is_read_as_digits(said, read):
    assert read_as_mandarin(said) == read


@pytest.mark.parametrize("said, read", [("呢個月賣咗幾多錢呀", "这个月卖了多少钱呀"), ("呢排點呀", "最近咋呀"),
                                        ("佢呢？", "他呢?")])
def test_cantonese_this_is_read_as_this_and_the_mandarin_particle_stays(said, read):
    assert read_as_mandarin(said) == read
