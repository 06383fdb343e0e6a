"""Dates and periods as shop owners write them, relative to a fixed today (Sunday 2026-11-22)."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.core.records import InvalidInput
from assistant.lang.dates import (
    calendar_day,
    cn_number,
    find_date,
    impossible_dates,
    parse_date,
    parse_period,
    span_days,
)

TODAY = date(2026, 11, 22)  # a Sunday


@pytest.mark.parametrize("text, prefer, expected", [
    # dateparser handles these
    ("yesterday", "past", "2026-11-21"),
    ("tomorrow", "past", "2026-11-23"),
    ("昨天", "past", "2026-11-21"),
    ("后天", "past", "2026-11-24"),
    ("3 days ago", "past", "2026-11-19"),
    ("2026-11-03", "past", "2026-11-03"),
    ("2026/11/3", "past", "2026-11-03"),
    ("2025年12月1日", "past", "2025-12-01"),
    ("Nov 3", "past", "2026-11-03"),
    ("3 Nov", "past", "2026-11-03"),
    ("November 3rd, 2025", "past", "2025-11-03"),
    # our patterns: dateparser returns None or a wrong day for these
    ("下周五", "past", "2026-11-27"),
    ("这周六", "past", "2026-11-21"),
    ("上周三", "past", "2026-11-11"),
    ("星期五", "past", "2026-11-20"),
    ("周五", "future", "2026-11-27"),
    ("11月3号", "past", "2026-11-03"),
    ("十一月三日", "past", "2026-11-03"),
    ("12月3号", "past", "2025-12-03"),
    ("12月3号", "future", "2026-12-03"),
    ("3号", "past", "2026-11-03"),
    ("3号", "future", "2026-12-03"),
    ("下个月15号", "past", "2026-12-15"),
    ("三天前", "past", "2026-11-19"),
    ("两周后", "past", "2026-12-06"),
    ("一个月后", "past", "2026-12-22"),
    ("月底", "past", "2026-11-30"),
    ("next Friday", "past", "2026-11-27"),
    ("last Friday", "future", "2026-11-20"),
    ("Friday", "past", "2026-11-20"),
    ("on Friday", "future", "2026-11-27"),
    ("in 3 days", "past", "2026-11-25"),
    ("in two weeks", "past", "2026-12-06"),
    ("in 2 wks", "past", "2026-12-06"),         # units as owners shorten them
    ("next wk", "past", "2026-11-29"),
    ("the 5th", "past", "2026-11-05"),
    ("the 5th", "future", "2026-12-05"),
    ("the day after tomorrow", "past", "2026-11-24"),
    ("end of the month", "past", "2026-11-30"),
    ("last month", "past", "2026-10-22"),
    ("上个月", "past", "2026-10-22"),
    ("11/3", "past", "2026-11-03"),
    ("the first of December", "future", "2026-12-01"),
    ("the twenty-first of December", "future", "2026-12-21"),
    ("December first", "future", "2026-12-01"),
])
def test_parse_date(text, prefer, expected):
    assert parse_date(text, TODAY, prefer) == date.fromisoformat(expected)


def test_empty_means_today():
    assert parse_date(None, TODAY) == TODAY
    assert parse_date("  ", TODAY) == TODAY


@pytest.mark.parametrize("text", ["asdf", "5", "next blursday", "2026-02-30", "13月5号"])
def test_unparseable_dates_raise_a_helpful_error(text):
    with pytest.raises(InvalidInput) as err:
        parse_date(text, TODAY)
    assert "YYYY-MM-DD" in str(err.value) or "no such day" in str(err.value)


@pytest.mark.parametrize("message, expected, span", [
    ("Zhang called, wants 5 more boxes next Friday, unhappy about late delivery", "2026-11-27", "next Friday"),
    ("李娜昨天买了两袋耶加雪菲", "2026-11-21", "昨天"),
    ("张伟说下周三来店里", "2026-11-25", "下周三"),
    ("remind me on the 5th", "2026-11-05", "the 5th"),
    ("visited on Nov 3 with her sister", "2026-11-03", "Nov 3"),
    ("订单是11月3号发的", "2026-11-03", "11月3号"),
    ("she came in 3 days ago", "2026-11-19", "3 days ago"),
    ("no answer, try again wed", "2026-11-18", "wed"),  # "again" says a day is meant (read back by default)
])
def test_find_date_in_a_message(message, expected, span):
    assert find_date(message, TODAY) == (date.fromisoformat(expected), span)


@pytest.mark.parametrize("message", ["5 bags of Mandheling", "the sun is out", "第3日的活动", "no date here"])
def test_find_date_finds_nothing(message):
    assert find_date(message, TODAY) is None


@pytest.mark.parametrize("text, start, end", [
    ("how many customers bought in October?", "2026-10-01", "2026-10-31"),
    ("上个月销售额多少", "2026-10-01", "2026-10-31"),
    ("last month revenue", "2026-10-01", "2026-10-31"),
    ("this year", "2026-01-01", "2026-12-31"),
    ("今年卖了多少", "2026-01-01", "2026-12-31"),
    ("去年", "2025-01-01", "2025-12-31"),
    ("2024年3月", "2024-03-01", "2024-03-31"),
    ("March 2024", "2024-03-01", "2024-03-31"),
    ("十二月份订单", "2025-12-01", "2025-12-31"),  # a month still ahead this year means last year's
    ("this week", "2026-11-16", "2026-11-22"),
    ("上周", "2026-11-09", "2026-11-15"),
    ("最近30天", "2026-10-24", "2026-11-22"),
    ("last 7 days", "2026-11-16", "2026-11-22"),
    ("Q3 sales", "2026-07-01", "2026-09-30"),
    ("orders in 2025", "2025-01-01", "2025-12-31"),
    ("today", "2026-11-22", "2026-11-22"),
    ("那接下来一周有谁过生日", "2026-11-22", "2026-11-29"),  # from today forwards
    ("birthdays in the next 7 days", "2026-11-22", "2026-11-29"),
])
def test_parse_period(text, start, end):
    assert parse_period(text, TODAY) == (date.fromisoformat(start), date.fromisoformat(end))


@pytest.mark.parametrize("text", ["how many customers do I have", "多少个客户", "may I ask something"])
def test_parse_period_without_a_period(text):
    assert parse_period(text, TODAY) is None


@pytest.mark.parametrize("text, value", [("3", 3), ("十", 10), ("十二", 12), ("二十三", 23),
                                         ("两百五十", 250), ("一百七十六", 176), ("二零二六", 2026),
                                         ("一万零二", 10002), ("abc", None)])
def test_cn_number(text, value):
    assert cn_number(text) == value


@pytest.mark.parametrize("message, found", [
    ("bought 2 bags on 2026-13-45", ["2026-13-45"]),
    ("called on Feb 30, then on 2026-11-02", ["Feb 30"]),
    ("2026年2月30日来电", ["2026年2月30日"]),
    ("delivered 12/45/2026", ["12/45/2026"]),
    ("3/4 of a box, 5/40 of the bill", []),  # a ratio without a year is not a date typo
    ("住在45号楼，11月3号来过", []),
    ("2024-02-29 was a leap day", []),
])
def test_impossible_dates_are_found_and_only_calendar_ones(message, found):
    assert [text for _, text in impossible_dates(message)] == found


@pytest.mark.parametrize("text, days", [
    ("who hasn't ordered in 2 months?", 60), ("no order for three weeks", 21), ("90 days", 90),
    ("half a year", 182), ("a month", 30), ("两个月没下单", 60), ("半年没来", 182),
    ("六个星期", 42), ("两周没来", 14), ("三十天", 30), ("一年没来", 365),
    # dates, not stretches of time: March, the year 2025, the 3rd
    ("3月没买", None), ("2025年没买", None), ("3日", None), ("top 5", None), ("", None),
])
def test_span_days(text, days):
    assert span_days(text) == days


@pytest.mark.parametrize("said, first, last", [
    ("冷萃今年夏天卖了多少 就6到8月", "2026-06-01", "2026-08-31"),
    ("june to august", "2026-06-01", "2026-08-31"),
    ("jun-aug", "2026-06-01", "2026-08-31"),
    ("去年夏天", "2025-06-01", "2025-08-31"),
    ("last winter", "2025-12-01", "2026-02-28"),
    ("去年双十一卖了多少", "2025-11-11", "2025-11-11"),
    ("the month before last", "2026-09-01", "2026-09-30"),
    ("how much did we sell yday", "2026-11-21", "2026-11-21"),
    ("did sales fall last month", "2026-10-01", "2026-10-31"),
])
def test_month_spans_seasons_and_shopping_days_are_periods(said, first, last):
    assert parse_period(said, date(2026, 11, 22)) == (date.fromisoformat(first), date.fromisoformat(last))


@pytest.mark.parametrize("text, day", [
    ("11月1号 who ordered", date(2026, 11, 1)), ("sales on nov 3?", date(2026, 11, 3)),
    ("2026-10-05 那天", date(2026, 10, 5)), ("12月24号", date(2025, 12, 24)),  # no year said: the last one
])
def test_a_calendar_day_named_in_a_message(text, day):
    assert calendar_day(text, date(2026, 11, 22)) == day


@pytest.mark.parametrize("text", ["上个月", "3/4 of them", "about 45 bags", ""])
def test_no_calendar_day_where_none_is_named(text):
    assert calendar_day(text, date(2026, 11, 22)) is None


@pytest.mark.parametrize("message, day", [
    ("ok remind me 明早打给她", date(2026, 11, 23)), ("聽朝打俾佢", date(2026, 11, 23)),
    ("琴晚佢嚟咗", date(2026, 11, 21)), ("今晚再问下", date(2026, 11, 22)),
])
def test_a_day_said_with_its_part_is_that_day(message, day):
    from assistant.lang.colloquial import read_as_mandarin
    from assistant.lang.dates import find_date

    assert find_date(read_as_mandarin(message), date(2026, 11, 22))[0] == day


@pytest.mark.parametrize("said, first, last", [
    ("上周末那两天 sales 怎么样", "2026-11-14", "2026-11-15"),
    ("last weekend", "2026-11-14", "2026-11-15"),
    ("这周末", "2026-11-21", "2026-11-22"),
    ("Q3 2025", "2025-07-01", "2025-09-30"),
    ("2025 q3", "2025-07-01", "2025-09-30"),
    ("去年第三季度", "2025-07-01", "2025-09-30"),
    ("q3", "2026-07-01", "2026-09-30"),
    ("上个季度", "2026-07-01", "2026-09-30"),
])
def test_weekends_and_quarters_of_a_year_are_periods(said, first, last):
    assert parse_period(said, date(2026, 11, 22)) == (date.fromisoformat(first), date.fromisoformat(last))


@pytest.mark.parametrize("said, first, last", [
    ("上个 month 的 top 3 products", "2026-10-01", "2026-10-31"),
    ("这个 year 的 top customers", "2026-01-01", "2026-12-31"),
    ("上个 week 几单", "2026-11-09", "2026-11-15"),
    ("this 月 revenue", "2026-11-01", "2026-11-30"),
    ("last 月", "2026-10-01", "2026-10-31"),
    ("本 quarter", "2026-10-01", "2026-12-31"),
    ("去年 Q3", "2025-07-01", "2025-09-30"),
    ("Q3 of last year rev", "2025-07-01", "2025-09-30"),
    ("last year Q2", "2025-04-01", "2025-06-30"),
])
def test_a_period_said_half_in_each_language_is_read_whole(said, first, last):
    assert parse_period(said, date(2026, 11, 22)) == (date.fromisoformat(first), date.fromisoformat(last))
