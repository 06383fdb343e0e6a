"""A value taken back and said again is read as the one meant."""

import pytest

from assistant.lang.colloquial import read_as_mandarin
from assistant.lang.repairs import apply_repair, value_repaired


@pytest.mark.parametrize("said, meant", [
    ("订了三袋危地马拉不对是四袋一共368", "订了四袋危地马拉一共368"),
    ("電話 6123 4567 唔係，係 136 1234 5678，住深圳", "电话 136 1234 5678,住深圳"),
    ("你下周四提醒我再打一次不对是周五", "你周五提醒我再打一次"),
    ("Li Na bought 3 bags sorry 4 bags of yirga", "Li Na bought 4 bags of yirga"),
    ("remind me tmr no wait friday to call him", "remind me friday to call him"),
    ("一共200块 不对 是220块", "一共220块"),
])
def test_the_correction_stands_where_the_slip_was(said, meant):
    text = read_as_mandarin(said)
    assert apply_repair(text, value_repaired(text)) == meant


@pytest.mark.parametrize("said", [
    "她不是很满意 说是三袋",          # no value taken back
    "三袋耶加 不是两包曼特宁",        # another item, in another unit
    "Li Na called, sorry I was late",  # an apology, not a correction
])
def test_nothing_is_corrected_without_a_value_said_again(said):
    assert value_repaired(read_as_mandarin(said)) is None
