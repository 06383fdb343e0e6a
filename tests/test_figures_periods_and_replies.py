"""Which figure a sales question asks for and what a reply to a preview means, read by models
trained on owners' words where no pattern names them, and periods written as bookkeepers and
regions write them: on the real demo shop, with the real multilingual-e5 models and no chat
model."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

from assistant.agent.router import RouteContext, route
from assistant.lang.dates import parse_period
from tests.owner_chat import TODAY, call, meaning, said  # noqa: F401 (a fixture)
from tools import TOOLS

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from owner_intents import figure_of, figures_said  # noqa: E402


@pytest.mark.parametrize("sql, figure", [
    ("SELECT SUM(amount) FROM orders WHERE date >= '2026-10-01'", "revenue"),
    ("SELECT COUNT(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name = '张伟'", "orders"),
    ("SELECT SUM(o.quantity) FROM orders o WHERE o.product LIKE '意式拼配%'", "quantity"),
    ("SELECT COUNT(DISTINCT customer_id) FROM orders WHERE date LIKE '2026-10%'", "buyers"),
    ("SELECT AVG(amount) FROM orders", "avg_order"),
    ("SELECT MAX(o.date) FROM orders o WHERE o.customer_id = 3", "last_order"),
    ("SELECT COUNT(*) FROM customers WHERE city = '苏州'", "customers"),
    ("SELECT COUNT(*) FROM complaints WHERE status = 'open'", "complaints"),
    ("SELECT name, phone FROM customers WHERE city = '苏州'", None),
    ("SELECT COUNT(DISTINCT product) FROM orders", None),
])
def test_the_figure_an_expected_select_computes(sql, figure):
    assert figure_of(sql) == figure


def test_a_follow_up_asking_the_same_figure_again_teaches_nothing():
    sql = "SELECT SUM(amount) FROM orders WHERE date BETWEEN '{}' AND '{}'"
    scenario = {"turns": [
        {"message": "上个月卖了多少", "tool": "run_sql", "args": {"sql": {"same_result_as": sql}}},
        {"message": "那九月呢", "tool": "run_sql", "args": {"sql": {"same_result_as": sql}}},
        {"message": "几单", "tool": "run_sql", "args": {"sql": {"same_result_as": "SELECT COUNT(*) FROM orders"}}},
        {"message": "好的", "tool": None},
    ]}
    assert figures_said(scenario) == ["revenue", None, "orders", None]


@pytest.mark.parametrize("message, figure", [
    ("上个月咱家一共卖了多钱", "revenue"),      # 多钱: no pattern's word for money
    ("25Q4 GMV?", "revenue"),
    ("曼特宁今年卖了好多包嘛", "quantity"),       # Sichuanese 好多 for 多少
])
def test_the_figure_model_reads_the_figure_asked(meaning, message, figure):
    found, p = meaning.figure(message)
    assert found == figure and p >= 0.5


def ctx(store, meaning) -> RouteContext:
    return RouteContext(today=TODAY, lang="zh", customer_names=store.customer_names,
                        product_names=store.product_names, meaning=meaning, figure=meaning.figure)


@pytest.mark.parametrize("message, pieces", [
    ("老铁 上个月咱家一共卖了多钱 整个数给我", ("SUM(amount)", "'2026-10-01' AND '2026-10-31'")),
    ("25Q4 GMV?", ("SUM(amount)", "'2025-10-01' AND '2025-12-31'")),
    ("去年12月到今年1月，礼盒一共卖了好多盒嘛", ("SUM(quantity)", "'2025-12-01' AND '2026-01-31'", "礼盒")),
])
def test_a_figure_no_pattern_names_is_answered_with_it(demo_store, meaning, message, pieces):
    found = route(message, ctx(demo_store, meaning), TOOLS)
    assert found.tool == "run_sql"
    for piece in pieces:
        assert piece in found.args["sql"]


def test_words_that_ask_nothing_are_not_read_as_a_figure(demo_store, meaning):
    found = route("中 就这么整", ctx(demo_store, meaning), TOOLS)
    assert found is None or found.tool != "run_sql"


def test_the_figure_is_answered_in_a_session(demo_store, meaning):
    reply, = said(demo_store, meaning, "老铁 上个月咱家一共卖了多钱")
    tool, args = call(reply)
    assert tool == "run_sql" and "73,753" in reply.text


@pytest.mark.parametrize("said_as, first, last", [
    ("25年12月买过礼盒的", "2025-12-01", "2025-12-31"),        # a year's last two digits
    ("26年10月 GMV", "2026-10-01", "2026-10-31"),
    ("25Q4 rev", "2025-10-01", "2025-12-31"),
    ("FY25 rev", "2025-01-01", "2025-12-31"),
    ("2025-12 sales", "2025-12-01", "2025-12-31"),           # a month in numbers
    ("2025.12", "2025-12-01", "2025-12-31"),
    ("12/2025", "2025-12-01", "2025-12-31"),
    ("去年12月到今年1月", "2025-12-01", "2026-01-31"),       # a period to a period
    ("去年12月至今年1月", "2025-12-01", "2026-01-31"),       # 至今年 is not 至今
    ("2024-12 ~ 2026-10", "2024-12-01", "2026-10-31"),
    ("march 2025 to june 2025", "2025-03-01", "2025-06-30"),
    ("从三月到六月", "2026-03-01", "2026-06-30"),
    ("今年前三季度", "2026-01-01", "2026-09-30"),            # the first quarters together
    ("h1 2026", "2026-01-01", "2026-06-30"),
    ("2025 H2", "2025-07-01", "2025-12-31"),
    ("去年下半年", "2025-07-01", "2025-12-31"),
    ("24年双十一", "2024-11-11", "2024-11-11"),
    # periods read before are read the same
    ("10月到11月", "2026-10-01", "2026-11-30"),
    ("9-10月", "2026-09-01", "2026-10-31"),
    ("上个月到现在", "2026-10-01", "2026-11-22"),
    ("上半年", "2026-01-01", "2026-06-30"),
])
def test_periods_as_bookkeepers_and_regions_write_them(said_as, first, last):
    assert parse_period(said_as, TODAY) == (date.fromisoformat(first), date.fromisoformat(last))


@pytest.mark.parametrize("said_as", ["15年前开的店", "50年代的老歌"])
def test_two_digits_far_from_today_are_not_a_year(said_as):
    assert parse_period(said_as, TODAY) is None


def test_a_reply_no_rule_reads_confirms_the_preview(demo_store, meaning):
    before = demo_store.db.execute("SELECT COUNT(*) FROM orders").fetchone()[0]
    preview, saved = said(demo_store, meaning, "李娜来店里买了2包曼特宁 176", "fine by me, save", confirm=False)
    assert preview.proposal is not None and saved.proposal is None
    assert demo_store.db.execute("SELECT COUNT(*) FROM orders").fetchone()[0] == before + 1


def test_a_reply_no_rule_reads_cancels_the_preview(demo_store, meaning):
    before = demo_store.db.execute("SELECT COUNT(*) FROM interactions").fetchone()[0]
    preview, dropped = said(demo_store, meaning, "张伟打电话说要3包耶加雪菲", "先别存了 我再问问", confirm=False)
    assert preview.proposal is not None and dropped.proposal is None
    assert demo_store.db.execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == before


def test_an_undo_in_other_words_takes_back_what_was_saved(demo_store, meaning):
    before = demo_store.db.execute("SELECT COUNT(*) FROM orders").fetchone()[0]
    said(demo_store, meaning, "李娜来店里买了2包曼特宁 176", "yes", "刚才那个不对 给我撤了", confirm=False)
    assert demo_store.db.execute("SELECT COUNT(*) FROM orders").fetchone()[0] == before


def test_with_nothing_waiting_a_reply_confirms_nothing(demo_store, meaning):
    reply, = said(demo_store, meaning, "fine by me, save", confirm=False)
    assert reply.proposal is None and not reply.actions


def test_a_correction_with_a_total_corrects_the_preview_not_a_figure(demo_store, meaning):
    preview, corrected = said(demo_store, meaning, "邱磊买了12包意式拼配 1536", "aiyo sorry, 15 bags, total 1920",
                              confirm=False)
    assert corrected.proposal is not None and "15 × 意式拼配" in corrected.text and "1920" in corrected.text


def test_how_often_she_orders_is_her_card(demo_store, meaning):
    reply, = said(demo_store, meaning, "how often does ethan chen order")
    assert reply.actions and reply.actions[0].tool == "customer_profile"
