"""The shared count of Chinese characters and Latin words behind every language decision."""

import pytest

from assistant.complaints.triage import detect_language as complaint_language
from assistant.lang.writing_system import chat_language, script_counts
from knowledge.index import detect_lang as query_language


@pytest.mark.parametrize("text, counts", [
    ("谁可能流失？", (5, 0)),
    ("Draft a reply to 李娜's complaint", (2, 4)),  # "a" and "s" are not words
    ("A 3 kg box", (0, 2)),
    ("\uf900有此理", (4, 0)),  # U+F900, a compatibility ideograph
    ("", (0, 0)),
    (None, (0, 0)),
])
def test_script_counts(text, counts):
    assert script_counts(text) == counts


@pytest.mark.parametrize("text, lang", [
    ("谁可能流失？", "zh"), ("Who's likely to churn?", "en"), ("👍👍", "en"), ("", "en"),
])
def test_every_detector_agrees_on_plain_text(text, lang):
    assert chat_language(text) == complaint_language(text) == query_language(text) == lang


def test_a_chinese_name_does_not_make_an_english_message_chinese():
    # the chat needs more than a name to switch language; a complaint or a query needs less
    assert chat_language("call 李娜") == "en"
    assert complaint_language("call 李娜") == "zh" and query_language("call 李娜") == "zh"
