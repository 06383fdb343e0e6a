"""Values read where owners put them: a price in Chinese numerals after the goods, goods in 汉字
after an English verb, a note after a tag, a tag after the word 标签, a month-day with a hyphen,
a figure heard and asked to be checked, and the next customer added after one: on the real demo
shop, with the real multilingual-e5 models and no chat model."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.agent.router import Canned, RouteContext, route
from assistant.lang.colloquial import read_as_mandarin
from assistant.lang.dates import find_date
from assistant.lang.names import common_word
from tests.owner_chat import TODAY, meaning, said  # noqa: F401 (a fixture)
from tools import TOOLS


def ctx(store, meaning, last: str | None = None) -> RouteContext:
    return RouteContext(today=TODAY, lang="zh", customer_names=store.customer_names,
                        product_names=store.product_names, meaning=meaning, figure=meaning.figure,
                        last_customer=last)


def read(store, meaning, message: str, last: str | None = None):
    return route(message, ctx(store, meaning, last), TOOLS)


@pytest.mark.parametrize("message, args", [
    ("李娜买了一盒挂耳包五十九", {"quantity": 1.0, "amount": 59.0}),         # the price in Chinese numerals
    ("Ryan Moore came in store just now, buy 1 巴西 108, remind me Friday call him",
     {"order_quantity": 1.0, "order_amount": 108.0}),                      # 汉字 goods after "buy 1"
    ("order: 孟浩然, 意式拼配 x5, 640, 11-20", {"quantity": 5.0, "amount": 640.0, "date": "11-20"}),
    ("tag 付子涵 VIP, also note she wants the membership card",
     {"tags": "VIP", "notes": "she wants the membership card"}),            # a note after a tag
    ("再给李娜加个标签嘛，VIP", {"tags": "VIP"}),                             # the tag after 标签, not 个
    ("加个新客户 赵铁柱 手机13845671234 苏州的 稀罕喝曼特宁 给备注上", {"notes": "稀罕喝曼特宁", "city": "苏州"}),
    ("我想加個新客人，佢叫區美玲，電話係13622223333，微信係auml88", {"wechat": "auml88"}),  # 係 before an id
])
def test_values_are_read_where_owners_put_them(demo_store, meaning, message, args):
    found = read(demo_store, meaning, message)
    for key, value in args.items():
        assert found.args.get(key) == value, found


def test_an_amount_said_in_kuai_is_not_thousands(demo_store, meaning):
    found = read(demo_store, meaning, "how many orders over 500 kuai this year?")
    assert found.tool == "run_sql" and "amount > 500" in found.args["sql"] and "500000" not in found.args["sql"]


@pytest.mark.parametrize("message, pieces", [
    ("open complaints cnt", ("COUNT(*)",)),                                  # cnt is a count
    ("唔該問吓，邊一日我哋收到最多單呀？", ("GROUP BY day", "COUNT(*)")),      # which one day
    ("深圳那疙瘩谁买得最多 前五给我排排", ("GROUP BY c.id", "LIMIT 5")),      # who, and the first five
    ("真的假的 张伟在咱家买了55单？", ("COUNT(*)", "张伟")),                   # a figure asked to be checked
])
def test_figure_questions_in_owners_words(demo_store, meaning, message, pieces):
    found = read(demo_store, meaning, message)
    assert found.tool == "run_sql"
    for piece in pieces:
        assert piece in found.args["sql"]


def test_one_named_customer_is_no_campaign_audience(demo_store, meaning):
    found = read(demo_store, meaning, "付子涵 is our big customer right, tag VIP lah, also note 他 want the 会员卡 when launch")
    assert found.tool == "update_customer" and found.args["tags"] == "VIP"


def test_her_last_order_is_her_card_not_a_count(demo_store, meaning):
    found = read(demo_store, meaning, "and her last order?", last="李娜")
    assert found.tool == "customer_profile"


def test_a_call_asked_politely_is_still_not_placed(demo_store, meaning):
    assert read(demo_store, meaning, "你可唔可以幫我打個電話俾張偉，同佢講聲聖誕快樂呀？") == Canned("place_call")
    assert read(demo_store, meaning, "你打给张伟了吗") != Canned("place_call")


def test_a_complaint_settled_is_resolved(demo_store, meaning):
    found = read(demo_store, meaning, "李娜的投诉 mark as settle")
    assert found.tool == "set_complaint_status" and found.args["status"] == "resolved"


def test_the_next_customer_added_after_one(demo_store, meaning):
    replies = said(demo_store, meaning, "加个新客户 林小满 杭州的 vx xiaoman_0321",
                   "再加一个 她闺蜜陈朵朵 也是杭州的 vx duoduo_cc")
    rows = demo_store.db.execute("SELECT name, wechat, city FROM customers WHERE name IN ('林小满', '陈朵朵')").fetchall()
    assert sorted(rows) == [("林小满", "xiaoman_0321", "杭州"), ("陈朵朵", "duoduo_cc", "杭州")], replies[-1].text


def test_a_hyphen_date_is_a_day_only_as_a_field_of_its_own():
    assert find_date("640, 11-20", TODAY) == (date(2026, 11, 20), "11-20")
    assert find_date("3-5 bags", TODAY) is None


def test_everyday_words_are_known_before_anything_was_cut():
    assert common_word("订单") and not common_word("陈朵朵")


def test_cantonese_is_before_an_id_reads_as_is():
    assert "微信是auml88" in read_as_mandarin("微信係auml88")
