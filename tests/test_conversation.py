"""Conversation focus: follow-ups that name nobody are about the customer, complaint or group in
view (real demo shop, real multilingual-e5 intent model, no chat model)."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.agent.assistant import Assistant
from assistant.agent.router.meaning import MeaningModel
from assistant.agent.router.slots import CITY_PAIRS
from knowledge.embedder import MultilingualE5Embedder
from tools import TOOLS

TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def meaning():
    return MeaningModel(MultilingualE5Embedder())


def calls(reply) -> list[tuple[str, dict, str]]:
    return [(a.tool, a.args, a.status) for a in reply.actions]


def test_a_complaint_in_view_is_triaged_drafted_and_moved_without_its_name(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("何诗涵 what's she complaining abt", session="f")
    triaged = bot.reply("how serious is that one? triage it", session="f")
    assert [(t, a["text"]) for t, a, _ in calls(triaged)] == \
        [("triage_complaint", "客服一直不回微信，我要发小红书说说这事。")]
    drafted = bot.reply("draft reply pls, very apologetic", session="f")
    assert [(t, a.get("customer")) for t, a, _ in calls(drafted)] == [("draft_complaint_reply", "何诗涵")]
    moved = bot.reply("ok mark it in progress", session="f")
    assert [(t, a["status"], a["complaint_id"], s) for t, a, s in calls(moved)] == \
        [("set_complaint_status", "in_progress", 9, "proposed")]


def test_a_name_part_picks_one_row_of_the_list_just_shown(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("姓Chen的客人有哪几个", session="l")
    shown = bot.reply("Ethan那個 看一下", session="l")
    assert [(t, a["customer"]) for t, a, _ in calls(shown)] == [("customer_profile", "Ethan Chen")]
    reminded = bot.reply("remind me call him on friday", session="l")
    assert "Ethan Chen" in reminded.text and "2026-11-27" in reminded.text


def test_a_segment_is_narrowed_then_drafted_to_and_adjusted(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("customers in hangzhou with cafe tag", session="s")
    among = bot.reply("among them who hasn't ordered in 2 months?", session="s")
    assert [t for t, _, _ in calls(among)] == ["find_segment"]
    assert "杭州" in among.text and "60" in among.text
    campaign = bot.reply("ok send them wechat reorder msg, 10% off", session="s")
    [(tool, args, status)] = calls(campaign)
    assert (tool, status) == ("draft_campaign", "done")
    assert args["segment"] == "customers in hangzhou with cafe tag, who hasn't ordered in 2 months?"
    again = bot.reply("actually make it 15%", session="s")
    assert [(a["offer_percent"], a["segment"]) for _, a, _ in calls(again)] == [(15.0, args["segment"])]


def test_a_tag_and_a_wechat_id_for_the_customer_in_view(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("尹敏的资料", session="t")
    tagged = bot.reply("幫佢加個tag wholesale 佢開茶餐廳㗎", session="t")
    assert [(t, a["customer"], a["tags"]) for t, a, _ in calls(tagged)] == \
        [("update_customer", "尹敏", "wholesale")]
    bot.reply("得", session="t")
    changed = bot.reply("她微信也换了 新的是yinmin_88", session="t")
    assert [(t, a["customer"], a["wechat"]) for t, a, _ in calls(changed)] == \
        [("update_customer", "尹敏", "yinmin_88")]


def rows_added(store, bot, message: str) -> dict[str, int]:
    """How many rows each table gains when the message is answered (and saved)."""
    tables = ("interactions", "tasks", "complaints")
    before = {t: store.count(t) for t in tables}
    bot.reply(message)
    return {t: store.count(t) - before[t] for t in tables}


@pytest.mark.parametrize("message, added", [
    # a contact told before the reminder is logged with it
    ("刚给王洋打了电话 他们店在装修 说12月中再开 提醒我12月15号再call他",
     {"interactions": 1, "tasks": 1, "complaints": 0}),
    # what a reminder is about raises no new complaint
    ("remind me call li na tmr abt her late delivery thing", {"interactions": 0, "tasks": 1, "complaints": 0}),
    # a call planned for a day, with nothing told as done, is only a task
    ("tmr arvo call ms walker re new wholesale price list", {"interactions": 0, "tasks": 1, "complaints": 0}),
    # however short, a call told before the reminder happened
    ("Lily King 打来说 next week 想来 cupping, remind me next wed 准备 sample 给她",
     {"interactions": 1, "tasks": 1, "complaints": 0}),
])
def test_a_reminder_with_what_came_before_it(demo_store, meaning, message, added):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning, auto_confirm=True)
    assert rows_added(demo_store, bot, message) == added


def test_a_new_customer_keeps_the_script_the_owner_typed(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning, auto_confirm=True)
    bot.reply("新客 陳美玲 電話91234567 深圳嘅")
    rows = demo_store.db.execute("SELECT name FROM customers WHERE phone='91234567'").fetchall()
    assert rows == [("陳美玲",)]


def test_a_cantonese_undo_reverts_the_last_action(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("李娜今天买了两袋耶加雪菲 196", session="u")
    bot.reply("好", session="u")
    count = demo_store.count("orders")
    bot.reply("撤銷啱啱嗰個", session="u")
    assert demo_store.count("orders") == count - 1


@pytest.mark.parametrize("message", ["how serious is that one?", "这个严不严重"])
def test_how_bad_is_that_one_triages_the_complaint_in_view(demo_store, meaning, message):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("何诗涵的资料", session="b")
    triaged = bot.reply(message, session="b")
    assert [(t, a["text"]) for t, a, _ in calls(triaged)] == \
        [("triage_complaint", "客服一直不回微信，我要发小红书说说这事。")]


def test_a_sum_asked_again_for_another_period_measure_and_order(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    october = bot.reply("上个月营业额多少啊", session="q")
    september = bot.reply("那上上个月呢", session="q")
    assert "BETWEEN '2026-10-01' AND '2026-10-31'" in calls(october)[0][1]["sql"]
    assert "BETWEEN '2026-09-01' AND '2026-09-30'" in calls(september)[0][1]["sql"]
    top = bot.reply("Kindly share the top 5 customers by total purchase value", session="r")
    this_year = bot.reply("Same thing but only for this year please", session="r")
    by_orders = bot.reply("And by no. of orders, all time? top 5 only", session="r")
    assert "LIMIT 5" in calls(top)[0][1]["sql"] and "BETWEEN" not in calls(top)[0][1]["sql"]
    assert "BETWEEN '2026-01-01' AND '2026-12-31'" in calls(this_year)[0][1]["sql"]
    sql = calls(by_orders)[0][1]["sql"]
    assert "ORDER BY orders DESC LIMIT 5" in sql and "BETWEEN" not in sql
    counted = bot.reply("Thank you. And how many separate orders made up the October figure?", session="r")
    assert calls(counted)[0][1]["sql"].startswith("SELECT COUNT(*) AS orders FROM orders WHERE date "
                                                  "BETWEEN '2026-10-01' AND '2026-10-31'")


def test_two_customers_just_discussed_are_compared(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("顾静最近咋样", session="c")
    bot.reply("夏丽呢", session="c")
    both = bot.reply("她俩谁下的单多", session="c")
    [(tool, args, _)] = calls(both)
    assert tool == "run_sql" and "('夏丽', '顾静')" in args["sql"] or "('顾静', '夏丽')" in args["sql"]
    assert both.text.index("夏丽") < both.text.index("顾静")  # 46 orders before 33


def test_namesakes_are_listed_then_one_picked_by_city(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    found = bot.reply("how many Lilys have we got, i always mix them up", session="n")
    assert [(t, a["query"]) for t, a, _ in calls(found)] == [("find_customers", "Lily")]
    one = bot.reply("the one in shenzhen - pull up her file", session="n")
    assert [(t, a["customer"]) for t, a, _ in calls(one)] == [("customer_profile", "Lily Cooper")]
    asked = bot.reply("ok remind me to ring her thurs re next month's order", session="n")
    assert "Lily Cooper" in asked.text and "2026-11-26" in asked.text


def test_a_campaign_to_a_group_in_chat_english_then_a_bigger_offer(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    drafted = bot.reply("boss wan send wechat to those never buy 2 month already, give 10% off can?",
                        session="w")
    [(tool, args, status)] = calls(drafted)
    assert (tool, args["goal"], args["channel"], args["offer_percent"], status) == \
        ("draft_campaign", "winback", "wechat", 10.0, "done")
    more = bot.reply("10 too little lah, make it 15 la", session="w")
    assert [a["offer_percent"] for _, a, _ in calls(more)] == [15.0]


def test_new_customers_announced_in_passing(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    for message, name in [("got a new one - Grace Liu, email grace.liu@163.com, lives in Nanjing. put her in",
                           "Grace Liu"),
                          ("pls add Arjun Mehta, email arjun.mehta@example.com, he runs a small café in Shenzhen",
                           "Arjun Mehta"),
                          ("new cust pls - Marites Dela Cruz, mobile 13912340001, she's from shanghai", "Marites Dela Cruz"),
                          ("add cust Kelvin Lim, hp 13922223333, wechat kelvinlim88", "Kelvin Lim")]:
        reply = bot.reply(message, session=name)
        assert [(t, a["name"], s) for t, a, s in calls(reply)] == [("add_customer", name, "proposed")], message


def test_the_question_after_several_names_is_the_request(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    asked = bot.reply("今天要打给 zhang wei, li na 还有 luo zihan. luo zihan 的投诉是什么来着?", session="m")
    assert [t for t, _, _ in calls(asked)] == ["customer_profile"] and "罗子涵" in asked.text
    first = bot.reply("第一个人 remind me to call him tmr morning", session="m")
    assert [(t, a["customer"]) for t, a, _ in calls(first)] == [("log_activity", "张伟")]


def test_the_same_reply_for_another_customer(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("幫我覆Daniel Wood嘅投訴 英文 客氣啲", session="d")
    again = bot.reply("Lily Tan 嗰個都幫我寫埋", session="d")
    assert [(t, a["customer"]) for t, a, _ in calls(again)] == [("draft_complaint_reply", "Lily Tan")]


def test_loyal_regulars_name_the_big_ones_now_slipping(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    reply = bot.reply("top 3 most loyal custs pls", session="y")
    assert [t for t, _, _ in calls(reply)] == ["loyal_customers"]
    listed, slipping = reply.text.split("slipping away")
    assert listed.count("**") == 6 and slipping.count("**") >= 2
    assert "杨子涵" in slipping and "杨子涵" not in listed  # the biggest spender, in decline


def test_a_shared_first_name_then_a_city_picks_one(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    asked = bot.reply("lily's file pls", session="a")
    assert "Which one" in asked.text
    one = bot.reply("the hangzhou one", session="a")
    assert "Lily Tan" in one.text
    moved = bot.reply("her complaint about the bitter blend, we're looking into it now. set it to in progress",
                      session="a")
    assert [(t, a["status"], s) for t, a, s in calls(moved)] == [("set_complaint_status", "in_progress", "proposed")]
    bot.reply("find Lily", session="b")
    there = bot.reply("深圳那个", session="b")
    assert [(t, a["customer"]) for t, a, _ in calls(there)] == [("customer_profile", "Lily Cooper")]
    bot.reply("有几个叫 Nora 的", session="c")
    which = bot.reply("南京那个 看下资料", session="c")
    assert "Nora Green" in which.text and "Which one" in which.text
    assert "Nora Green" in bot.reply("green", session="c").text.split("\n")[0]


def test_a_write_refused_for_an_unknown_name_is_corrected_by_name(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    refused = bot.reply("王大锤昨天买了两包耶加 196", session="k")
    assert refused.proposal is None and not calls(refused)
    fixed = bot.reply("哦打错了 是王洋", session="k")
    assert [(t, a["customer"], a["amount"], s) for t, a, s in calls(fixed)] == \
        [("add_order", "王洋", 196.0, "proposed")]


def test_the_usual_repeats_the_last_stored_order(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    again = bot.reply("沈晓东 老样子 再来一单", session="u")
    assert [(t, a["quantity"], a["product"], a["amount"]) for t, a, _ in calls(again)] == \
        [("add_order", 3.0, "哥伦比亚 Supremo 250g", 234.0)]


def test_goods_named_in_the_owners_words_are_priced_as_the_stored_product(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    reply = bot.reply("Leo Hughes got 3 cold brew packs yesterday", session="p")
    assert "207.00 (estimated)" in reply.text  # 69 a pack, as 冷萃 Cold brew pack ×6 sells


def test_a_name_not_found_then_added_and_the_language_kept(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("欧阳娜娜的资料给我看看", session="z")
    added = bot.reply("哦她是新来的 那帮我加上 电话13700001234", session="z")
    assert [(t, a["name"], a["phone"]) for t, a, _ in calls(added)] == [("add_customer", "欧阳娜娜", "13700001234")]
    saved = bot.reply("ok", session="z")
    assert saved.text.startswith("已保存")


def test_a_quoted_message_triaged_then_logged_as_her_complaint(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("Nora Wong just messaged: 'the Santos I got tastes stale, roast date was 2 months ago??' "
              "how serious is that?", session="q")
    logged = bot.reply("ok log it as her complaint pls, it came in on wechat", session="q")
    [(tool, args, status)] = calls(logged)
    assert (tool, status, args["customer"], args["channel"]) == ("log_activity", "proposed", "Nora Wong", "wechat")
    assert args["complaint"] == "the Santos I got tastes stale, roast date was 2 months ago??"


def test_a_city_picks_one_of_a_list_then_an_undo_with_its_reason(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("find the Henrys", session="h")
    shown = bot.reply("the beijing one, pull him up", session="h")
    assert [(t, a["customer"]) for t, a, _ in calls(shown)] == [("customer_profile", "Henry Smith")]
    bot.reply("把 Sam Chen 嘅 city 改做 Shanghai 啦，佢搬咗", session="h")
    bot.reply("ok", session="h")
    assert demo_store.resolve_customer("Sam Chen").city == "Shanghai"
    bot.reply("oops undo that pls, I got the wrong person", session="h")
    assert demo_store.resolve_customer("Sam Chen").city == "Hangzhou"


def test_a_new_customers_number_corrected_before_saving(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("new guy just came in, Tom Becker, 13766660000, he's from 南京, works at a bakery", session="n")
    fixed = bot.reply("sorry typo, his number is 13766660001", session="n")
    assert [(a["name"], a["phone"]) for _, a, _ in calls(fixed)] == [("Tom Becker", "13766660001")]
    bot.reply("ok save", session="n")
    assert demo_store.resolve_customer("Tom Becker").phone == "13766660001"


def test_a_name_looked_up_in_error_is_corrected_in_passing(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("王芳的资料", session="w")
    fixed = bot.reply("哦打错了 是魏芳", session="w")
    assert [(t, a["customer"], s) for t, a, s in calls(fixed)] == [("customer_profile", "魏芳", "done")]


def test_a_count_and_sum_then_who_they_were(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    both = bot.reply("how many orders so far this month and how much $", session="n")
    assert "1134" in both.text.replace(",", "").replace("\\", "")
    who = bot.reply("who were they", session="n")
    assert [t for t, _, _ in calls(who)] == ["run_sql"]
    assert "贾霞" in who.text and "Sophia Evans" in who.text


def test_the_top_spender_then_they_is_that_customer(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    top = bot.reply("who's our biggest customer ever? by $", session="t")
    assert "杨子涵" in top.text
    orders = bot.reply("how many orders have they placed", session="t")
    assert "132" in orders.text
    this_year = bot.reply("and how much has she spent this year in total", session="t")
    assert "20,563" in this_year.text


def test_the_last_order_and_what_it_was(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("李娜的资料", session="o")
    last = bot.reply("佢最後一次幾時買 買咗乜", session="o")
    assert "2026-10-22" in last.text and "哥伦比亚 Supremo 250g" in last.text


def test_goods_the_shop_never_sold_are_priced_by_the_owner(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning, auto_confirm=True)
    # (Colombia is the shop's 哥伦比亚 Supremo; Kenya it never sold)
    asked = bot.reply("周磊今天买了3包Kenya", session="g")
    assert [s for _, _, s in calls(asked)] == ["error"] and "Kenya" in asked.text
    saved = bot.reply("何诗涵 今天 order 了 4 包 Supremo, 312", session="g")
    assert "4 × 哥伦比亚 Supremo 250g，312.00" in saved.text


def test_a_write_undone_then_said_again_for_the_right_customer(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning, auto_confirm=True)
    bot.reply("Owen Wood 买了 2 盒挂耳 118", session="u")
    bot.reply("oops wrong guy, undo", session="u")
    again = bot.reply("应该是 Owen Hall", session="u")
    assert [(t, a["customer"], a["amount"], s) for t, a, s in calls(again)] == \
        [("add_order", "Owen Hall", 118.0, "done")]


def test_add_a_customer_asks_the_name_then_adds_with_the_details(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning, auto_confirm=True)
    asked = bot.reply("add a customer", session="a")
    assert calls(asked) == [] and "name" in asked.text
    added = bot.reply("Mike Zhou 13655550000", session="a")
    assert [(t, a) for t, a, _ in calls(added)] == [("add_customer", {"name": "Mike Zhou", "phone": "13655550000"})]


def test_an_unknown_buyer_is_named_added_and_the_sale_recorded(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning, auto_confirm=True)
    refused = bot.reply("陈美玲刚才买了两包也加雪菲", session="m")
    assert calls(refused) == [] and "陈美玲" in refused.text
    added = bot.reply("她是新客 电话13566667777 先把她加进去", session="m")
    assert [(t, a) for t, a, _ in calls(added)] == [("add_customer", {"name": "陈美玲", "phone": "13566667777"})]
    sold = bot.reply("再把刚才那两包耶加雪菲记上 196", session="m")
    assert "2 × 耶加雪菲 Yirgacheffe 250g，196.00" in sold.text


def test_goods_named_before_their_count_and_a_wait_complained_of(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning, auto_confirm=True)
    saved = bot.reply("赵艳刚刚来电话 说上次买的哥伦比亚很好 这次要四包 今天就过来拿 另外她说店里周末排队太久了 "
                      "有点不爽 下周三记得回访她", session="z")
    assert "订单 2026-11-22：4 × 哥伦比亚 Supremo 250g" in saved.text
    assert "排队太久" in saved.text and "2026-11-25" in saved.text


def test_a_triaged_text_logged_for_the_customer_who_sent_it(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning, auto_confirm=True)
    bot.reply("帮我看下这个 complaint 严不严重: '你们家豆子寄到的时候袋子破了 撒了一半 客服到现在也没回我'", session="l")
    logged = bot.reply("这是吴磊发的 log 一下", session="l")
    [(tool, args, status)] = calls(logged)
    assert (tool, args["customer"], status) == ("log_activity", "吴磊", "done")
    assert args["complaint"].startswith("你们家豆子寄到的时候袋子破了")


def test_an_offer_over_the_limit_then_lowered(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("send a wechat win-back to people who haven't ordered in 3 months, 20% off", session="c")
    lowered = bot.reply("fine, 10% then", session="c")
    assert [(t, a["offer_percent"]) for t, a, _ in calls(lowered)] == [("draft_campaign", 10.0)]


def test_a_reply_owed_on_a_day_is_logged_with_the_goods_not_drafted(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning, auto_confirm=True)
    saved = bot.reply("刚跟周磊微信聊完 他说上周买的危地马拉很好喝 又要了3包 另外他下个月生日问有没有优惠 "
                      "我说帮他问问老板 周四回复他", session="r")
    assert [t for t, _, _ in calls(saved)] == ["log_activity"]
    assert "订单 2026-11-22：3 × 危地马拉 Antigua 250g" in saved.text and "2026-11-26" in saved.text


def test_the_change_just_saved_is_saved_again_for_someone_else(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning, auto_confirm=True)
    bot.reply("tag 罗子涵 as VIP pls", session="t")
    again = bot.reply("same for Lily Cooper", session="t")
    assert [(t, a["customer"], a["tags"]) for t, a, _ in calls(again)] == [("update_customer", "Lily Cooper", "VIP")]
    bot.reply("崔静 3包曼特宁 264 入单", session="t")
    bot.reply("撤销撤销 wrong person 🤦", session="t")
    moved = bot.reply("係崔桂英先啱 同一張單", session="t")
    assert [(t, a["customer"], a["amount"]) for t, a, _ in calls(moved)] == [("add_order", "崔桂英", 264.0)]


def test_a_saved_phone_is_put_right_by_its_last_digits(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning, auto_confirm=True)
    bot.reply("李娜換咗電話 新號碼13755558888", session="p")
    fixed = bot.reply("唔好意思打錯 尾數係86唔係88", session="p")
    assert [(t, a["customer"], a["phone"]) for t, a, _ in calls(fixed)] == [("update_customer", "李娜", "13755558886")]


def test_a_regular_called_by_the_given_name_is_asked_which_then_logged(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning, auto_confirm=True)
    asked = bot.reply("晓东今天来店里买了两包曼特宁", session="g")
    assert "沈晓东" in asked.text and "金晓东" in asked.text
    saved = bot.reply("苏州那个", session="g")
    assert [(t, a["customer"], s) for t, a, s in calls(saved)] == [("log_activity", "沈晓东", "done")]
    assert "2 × 曼特宁 Mandheling 250g" in saved.text


def test_a_stranger_s_order_is_held_until_she_is_added(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning, auto_confirm=True)
    refused = bot.reply("刘芳芳刚买了两盒挂耳包", session="h")
    assert calls(refused) == [] and "刘芳芳" in refused.text
    bot.reply("她是新客 加上 电话13577778888", session="h")
    sold = bot.reply("然后把刚才那单记上", session="h")
    assert [(t, a["customer"], a["quantity"]) for t, a, _ in calls(sold)] == [("add_order", "刘芳芳", 2.0)]


def test_a_count_narrowed_lengthened_and_moved_a_year_back(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    assert "36" in bot.reply("有多少客户买过礼盒", session="q").text
    assert "**7**" in bot.reply("其中北京的有几个", session="q").text
    bot.reply("who ordered the most in october", session="q")
    assert "LIMIT 5" in calls(bot.reply("top 5 then", session="q"))[0][1]["sql"]
    assert "9,488" in bot.reply("深圳10月卖了多少", session="q").text  # the city, not the one listed
    assert "10,866" in bot.reply("last year same month?", session="q").text


def test_the_question_after_an_account_of_the_day_is_answered(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    answered = bot.reply("今天好累啊 一整天都在店里 下午来了好多学生 又有个阿姨说我们豆子太贵了 然后磨豆机又卡住了 "
                         "小李说明天要请假 我还得自己开门 anyway 我想知道10月份冷萃卖了多少包", session="d")
    assert "**92**" in answered.text


def test_the_assistant_does_not_place_calls(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    refused = bot.reply("call lily cooper for me right now", session="c")
    assert calls(refused) == [] and "can't make phone calls" in refused.text


def test_which_one_is_answered_by_a_tag_and_a_quiet_list_by_its_days(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("show me Tom", session="w")
    picked = bot.reply("the wholesale one", session="w")
    assert [(t, a["customer"]) for t, a, _ in calls(picked)] == [("customer_profile", "Tom Smith")]
    bot.reply("90天以上没来的有几个", session="w")
    shorter = bot.reply("60 days?", session="w")
    assert [(t, a["quiet_days"]) for t, a, _ in calls(shorter)] == [("churn_risks", 60)]


def test_a_short_question_of_another_figure_keeps_the_month(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("上个月一共多少单", session="m")
    average = bot.reply("平均一单多少钱", session="m")
    assert "227.63" in average.text
    table = bot.reply("客单价 this yr vs last yr?", session="m")
    assert "| 2025 | 255.81 |" in table.text and "\\\\." not in table.text


def sql_of(reply) -> str:
    return next(a["sql"] for t, a, _ in calls(reply) if t == "run_sql")


def test_complaints_counted_then_narrowed_by_kind_then_named(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("how many complaints r still open", session="k")
    kind = sql_of(bot.reply("how many of those about delivery", session="k"))
    assert "category = 'delivery'" in kind and "status = 'open'" in kind
    named = sql_of(bot.reply("who", session="k"))
    assert "c.name" in named and "k.category = 'delivery'" in named and "k.status = 'open'" in named


@pytest.mark.parametrize("asked, then, fragments", [
    ("who's bought from us the most times", "2nd?", ["ORDER BY orders DESC", "OFFSET 1"]),
    ("what sold best last month", "and which sold the fewest?", ["ASC LIMIT 1"]),
    ("上个月营业额多少？", "再上个月呢", ["'2026-09-01' AND '2026-09-30'"]),
    ("when was the last order we got then", "from who", ["WHERE o.date = (SELECT MAX(date) FROM orders)"]),
    ("今年上海和杭州哪个卖得多", "那苏州呢", ["'苏州', 'Suzhou'", "'2026-01-01'"]),
    ("how many customers do we have in hangzhou", "how many of those are wholesale",
     ["'Hangzhou', '杭州'", "tags LIKE '%wholesale%'"]),
    ("what did Lily Cooper buy last time", "and how much has she spent this year",
     ["SUM(amount)", "'Lily Cooper'", "'2026-01-01'"]),
])
def test_a_follow_up_changes_one_part_of_the_question(demo_store, meaning, asked, then, fragments):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply(asked, session="f")
    sql = sql_of(bot.reply(then, session="f"))
    assert all(f in sql for f in fragments), sql


@pytest.mark.parametrize("asked, then, fragments", [
    ("上个月卖了多少钱", "is that up or down from sept", ["AS change", "'2026-09-01' AND '2026-09-30'"]),
    ("上个月卖了多少钱", "hangzhou?", ["'Hangzhou', '杭州'", "'2026-10-01' AND '2026-10-31'"]),
    ("上个月一共多少单", "按城市呢", ["COUNT(*) AS orders", "GROUP BY 1", "'2026-10-01' AND '2026-10-31'"]),
    ("how many complaints aren't resolved yet", "which category has the most of those",
     ["GROUP BY category", "status != 'resolved'", "LIMIT 1"]),
    ("哪个月卖得最好", "那个月一共几单", ["COUNT(*) AS orders", "substr(date, 1, 7) = (SELECT month"]),
    ("how much did we sell this year", "vs same time last yr", ["'2025-01-01' AND '2025-11-22'", "AS change"]),
])
def test_a_follow_up_groups_compares_or_points_at_the_answer(demo_store, meaning, asked, then, fragments):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply(asked, session="g")
    sql = sql_of(bot.reply(then, session="g"))
    assert all(f in sql for f in fragments), sql


def test_a_figure_beside_another_period_says_how_much_it_moved(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("上个月卖了多少钱", session="p")
    moved = bot.reply("比9月多还是少", session="p").text
    september, october = (demo_store.query_readonly(
        f"SELECT SUM(amount) FROM orders WHERE date BETWEEN '2026-{m}-01' AND '2026-{m}-{d}'").rows[0][0]
        for m, d in (("09", "30"), ("10", "31")))
    assert f"{september:,.2f}" in moved and f"{october:,.2f}" in moved \
        and f"2026-10 比 2026-09{'增加' if october >= september else '减少'} {abs(october - september):,.2f}" in moved


def test_the_weakest_city_then_its_customers_counted(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    weakest = bot.reply("which city is weakest this year", session="c").text
    there = bot.reply("how many customers do we even have there", session="c").text
    rows = demo_store.query_readonly(
        "SELECT CASE WHEN c.city IN ('杭州','Hangzhou') THEN 'Hangzhou' WHEN c.city IN ('上海','Shanghai') "
        "THEN 'Shanghai' ELSE c.city END AS city, SUM(o.amount) AS s FROM orders o JOIN customers c "
        "ON c.id = o.customer_id WHERE o.date >= '2026-01-01' GROUP BY 1 ORDER BY s LIMIT 1").rows
    city = rows[0][0]
    count = demo_store.query_readonly(f"SELECT COUNT(*) FROM customers WHERE city = '{city}'").rows[0][0]
    assert (city in weakest or CITY_PAIRS.get(city, "?") in weakest) and f"**{count}**" in there


@pytest.mark.parametrize("message, truth", [
    ("top 3 cities by sales last month?",
     "SELECT SUM(o.amount) AS s FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.date "
     "BETWEEN '2026-10-01' AND '2026-10-31' GROUP BY CASE WHEN c.city IN ('上海','Shanghai') THEN 1 "
     "WHEN c.city IN ('杭州','Hangzhou') THEN 2 ELSE c.city END ORDER BY s DESC LIMIT 3"),
    ("10月按消费额排前5的客户",
     "SELECT SUM(o.amount) AS s FROM orders o WHERE o.date BETWEEN '2026-10-01' AND '2026-10-31' "
     "GROUP BY o.customer_id ORDER BY s DESC LIMIT 5"),
    ("上个月跟客户联系了多少次 按渠道分一下",
     "SELECT COUNT(*) AS n FROM interactions WHERE date BETWEEN '2026-10-01' AND '2026-10-31' "
     "GROUP BY channel ORDER BY n DESC"),
    ("which month had the fewest orders this year",
     "SELECT COUNT(*) AS n FROM orders WHERE date >= '2026-01-01' GROUP BY substr(date, 1, 7) ORDER BY n LIMIT 1"),
    ("上海哪款豆卖得最好",
     "SELECT SUM(quantity) AS n FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE city IN "
     "('上海','Shanghai')) GROUP BY product ORDER BY n DESC LIMIT 1"),
])
def test_a_ranking_is_composed_of_its_group_figure_order_and_length(demo_store, meaning, message, truth):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    got = demo_store.query_readonly(sql_of(bot.reply(message, session="r")))
    want = [r[0] for r in demo_store.query_readonly(truth).rows]
    assert [round(r[-1] if not isinstance(r[-1], str) else 0, 2) for r in got.rows] == [round(v, 2) for v in want] \
        or [round(r[1], 2) for r in got.rows] == [round(v, 2) for v in want], got


def test_one_detail_of_her_record_is_read_from_it(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("show me 吴娟", session="b")
    born = bot.reply("她生日几号来着", session="b")
    stored = demo_store.query_readonly("SELECT birthday FROM customers WHERE name = '吴娟'").rows[0][0]
    assert calls(born)[0][0] == "run_sql" and stored[5:] in born.text


def test_a_days_orders_then_their_total(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    listed = bot.reply("11月1号 who ordered", session="o")
    total = bot.reply("总共多少钱", session="o")
    rows = demo_store.query_readonly("SELECT c.name, o.amount FROM orders o JOIN customers c ON c.id = o.customer_id "
                                     "WHERE o.date = '2026-11-01'").rows
    assert rows and all(name in listed.text for name, _ in rows)
    assert f"{sum(a for _, a in rows):,.2f}" in total.text


@pytest.mark.parametrize("first, then, column, truth", [
    # the customers a count counted, all of them, asked about again
    ("how many customers do we have in Hangzhou", "how many of them actually bought something in october", 0,
     "SELECT COUNT(*) FROM customers WHERE city IN ('杭州','Hangzhou') AND id IN "
     "(SELECT customer_id FROM orders WHERE date BETWEEN '2026-10-01' AND '2026-10-31')"),
    # ranked over the period they were counted in
    ("how many customers spent more than 10k this year? just the count", "ok give me the top 3 of them", 1,
     "SELECT SUM(amount) AS s FROM orders WHERE date >= '2026-01-01' GROUP BY customer_id "
     "HAVING s > 10000 ORDER BY s DESC LIMIT 3"),
    # the customers a ranking listed by name
    ("top 5 customers of all time by spend", "which of them have an open complaint rn?", 0,
     "SELECT c.name FROM customers c WHERE c.id IN (SELECT customer_id FROM orders GROUP BY customer_id "
     "ORDER BY SUM(amount) DESC LIMIT 5) AND c.id IN (SELECT customer_id FROM complaints WHERE status = 'open') "
     "ORDER BY c.name"),
    ("今年新增了多少个客户", "其中回购过的有几个", 0,
     "SELECT COUNT(*) FROM (SELECT customer_id FROM orders GROUP BY customer_id HAVING MIN(date) >= '2026-01-01' "
     "AND COUNT(*) >= 2)"),
])
def test_of_them_is_about_the_customers_just_counted_or_listed(demo_store, meaning, first, then, column, truth):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply(first, session="t")
    got = demo_store.query_readonly(sql_of(bot.reply(then, session="t")))
    assert [r[column] for r in got.rows] == [r[0] for r in demo_store.query_readonly(truth).rows]


def test_drilling_into_customers_keeps_all_of_them_in_view(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    hangzhou = "SELECT id FROM customers WHERE city IN ('杭州','Hangzhou')"
    # a search shows ten, a count of "them" is of every customer the search found
    bot.reply("# cust in Hangzhou?", session="h")
    bought = bot.reply("how many of them bought in Oct", session="h")
    want = demo_store.query_readonly(f"SELECT COUNT(DISTINCT customer_id) FROM orders WHERE date LIKE '2026-10%' "
                                     f"AND customer_id IN ({hangzhou})").rows[0][0]
    assert demo_store.query_readonly(sql_of(bought)).rows[0][0] == want
    # still drilling, a ranking needs no "of them"
    top = demo_store.query_readonly(sql_of(bot.reply("上个月买得最多的前三个是谁", session="h")))
    truth = demo_store.query_readonly(f"SELECT c.name FROM orders o JOIN customers c ON c.id = o.customer_id "
                                      f"WHERE o.date LIKE '2026-10%' AND c.id IN ({hangzhou}) GROUP BY c.id "
                                      f"ORDER BY SUM(o.amount) DESC LIMIT 3")
    assert [r[0] for r in top.rows] == [r[0] for r in truth.rows]
    # "they" with a sum: what the customers counted spent
    bot.reply("上海有幾多個客", session="s")
    spent = demo_store.query_readonly(sql_of(bot.reply("佢哋今年總共使咗幾多", session="s"))).rows[0][0]
    assert spent == demo_store.query_readonly(
        "SELECT ROUND(SUM(o.amount), 2) FROM orders o JOIN customers c ON c.id = o.customer_id "
        "WHERE c.city IN ('上海','Shanghai') AND o.date >= '2026-01-01'").rows[0][0]


@pytest.mark.parametrize("message, truth", [
    ("repeat purchase rate, all time",
     "SELECT ROUND(100.0 * SUM(n >= 2) / COUNT(*), 1) FROM (SELECT COUNT(*) AS n FROM orders GROUP BY customer_id)"),
    ("今年的回购率",
     "SELECT ROUND(100.0 * SUM(n >= 2) / COUNT(*), 1) FROM (SELECT COUNT(*) AS n FROM orders "
     "WHERE date >= '2026-01-01' GROUP BY customer_id)"),
    ("how many ppl only ever bought once",
     "SELECT COUNT(*) FROM (SELECT customer_id FROM orders GROUP BY customer_id HAVING COUNT(*) = 1)"),
    ("avg days between orders, 陈平",
     "SELECT COUNT(*) FROM orders WHERE customer_id = (SELECT id FROM customers WHERE name = '陈平')"),
])
def test_rates_and_cycles_are_figures_of_their_own(demo_store, meaning, message, truth):
    got = demo_store.query_readonly(sql_of(Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
                                           .reply(message, session="r")))
    assert got.rows[0][0] == demo_store.query_readonly(truth).rows[0][0]


def test_complaints_counted_by_status(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    got = demo_store.query_readonly(sql_of(bot.reply("complaints — count by status", session="k")))
    want = demo_store.query_readonly("SELECT status, COUNT(*) FROM complaints GROUP BY status")
    assert sorted(map(tuple, got.rows)) == sorted(map(tuple, want.rows))


def test_a_count_of_orders_narrowed_to_goods(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("# orders > 500 YTD", session="g")
    boxes = demo_store.query_readonly(sql_of(bot.reply("how many of those were gift boxes", session="g")))
    assert boxes.rows[0][0] == demo_store.query_readonly(
        "SELECT COUNT(*) FROM orders WHERE amount > 500 AND date >= '2026-01-01' AND product LIKE '%gift box%'").rows[0][0]


@pytest.mark.parametrize("message, truth", [
    ("今年over 500块的订单有几单", "SELECT COUNT(*) FROM orders WHERE amount > 500 AND date >= '2026-01-01'"),
    ("how many customers spent more than 10k this year? just the count",
     "SELECT COUNT(*) FROM (SELECT customer_id FROM orders WHERE date >= '2026-01-01' GROUP BY customer_id "
     "HAVING SUM(amount) > 10000)"),
    ("买过3次及以上的repeat customers有多少",
     "SELECT COUNT(*) FROM (SELECT customer_id FROM orders GROUP BY customer_id HAVING COUNT(*) >= 3)"),
])
def test_a_figure_compared_with_a_number_keeps_what_passes(demo_store, meaning, message, truth):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    got = demo_store.query_readonly(sql_of(bot.reply(message, session="n")))
    assert got.rows[0][0] == demo_store.query_readonly(truth).rows[0][0]


def test_the_busiest_day_and_weekday_are_ranked(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("十月份一共几单", session="d")
    day = demo_store.query_readonly(sql_of(bot.reply("哪天最忙", session="d"))).rows
    want = demo_store.query_readonly("SELECT date, COUNT(*) AS n FROM orders WHERE date LIKE '2026-10%' "
                                     "GROUP BY date ORDER BY n DESC LIMIT 1").rows
    assert [tuple(r) for r in day] == [tuple(r) for r in want]
    weekday = bot.reply("今年哪个weekday生意最好？按营业额", session="w")
    best = demo_store.query_readonly("SELECT strftime('%w', date) AS d FROM orders WHERE date >= '2026-01-01' "
                                     "GROUP BY d ORDER BY SUM(amount) DESC LIMIT 1").rows[0][0]
    names = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"]
    assert names[int(best)] in weekday.text


def _answer_after(store, meaning, first: str, then: str):
    """The reply to `then`, said right after `first` in a fresh session."""
    bot = Assistant(store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply(first, session="after")
    return bot.reply(then, session="after")


def test_a_follow_up_with_an_emoji_is_still_a_follow_up(demo_store, meaning):
    again = _answer_after(demo_store, meaning, "耶加雪菲今年卖了几包啊☕️", "去年呢 📉?")
    want = demo_store.query_readonly("SELECT SUM(quantity) FROM orders WHERE product LIKE '%耶加雪菲%' "
                                     "AND date LIKE '2025%'").rows[0][0]
    assert f"{want:g}" in again.text.replace(",", "")


@pytest.mark.parametrize("message, truth", [
    ("今年没下过单的客户有几个",
     "SELECT COUNT(*) FROM customers WHERE id NOT IN (SELECT customer_id FROM orders WHERE date LIKE '2026%')"),
    ("上个月一共卖了多少钱啊？感觉比九月差一点", "SELECT SUM(amount) FROM orders WHERE date LIKE '2026-10%'"),
    ("上周末那两天 sales 怎么样",
     "SELECT COALESCE(SUM(amount), 0) FROM orders WHERE date BETWEEN '2026-11-14' AND '2026-11-15'"),
    ("呢個月賣咗幾多錢呀", "SELECT SUM(amount) FROM orders WHERE date LIKE '2026-11%'"),
    ("sales in oct LY", "SELECT SUM(amount) FROM orders WHERE date LIKE '2025-10%'"),
    ("哪个 city 的客户最多", "SELECT COUNT(*) AS n FROM customers GROUP BY CASE city WHEN 'Shanghai' THEN '上海' "
                        "WHEN 'Hangzhou' THEN '杭州' ELSE city END ORDER BY n DESC LIMIT 1"),
])
def test_a_question_read_as_its_parts_gives_the_figure_asked(demo_store, meaning, message, truth):
    """Customers who did not buy, the period of the question and not of a remark after it, a
    weekend, Cantonese "this month", "LY", and a group's English word inside Chinese."""
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    got = demo_store.query_readonly(sql_of(bot.reply(message, session="q")))
    assert got.rows[0][-1] == demo_store.query_readonly(truth).rows[0][-1]


def test_two_figures_asked_at_once_and_a_quarter_against_last_year(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    both = demo_store.query_readonly(sql_of(bot.reply(
        "two things — how many orders did we do in october, and what was the average", session="t"))).rows
    want = demo_store.query_readonly("SELECT COUNT(*), ROUND(AVG(amount), 2) FROM orders "
                                     "WHERE date LIKE '2026-10%'").rows
    assert [tuple(r) for r in both] == [tuple(r) for r in want]
    years = demo_store.query_readonly(sql_of(bot.reply("q3 yoy?", session="y"))).rows
    want = demo_store.query_readonly("SELECT substr(date, 1, 4), SUM(amount) FROM orders WHERE substr(date, 6, 2) "
                                     "IN ('07', '08', '09') AND date >= '2025-01-01' GROUP BY 1 ORDER BY 1").rows
    assert [r[-1] for r in years] == [r[-1] for r in want]


def test_referrals_counted_are_not_a_referral_credited(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    asked = bot.reply("现在一共有几单是别人推荐来的", session="r")
    assert [t for t, _, _ in calls(asked)] == ["run_sql"] and "referred_by IS NOT NULL" in sql_of(asked)


def test_a_surname_with_a_title_is_asked_about_then_the_write_goes_on(demo_store, meaning):
    """"mrs tan", "老周", "江生": the store finds the one, or asks which one and the write waits."""
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    asked = bot.reply("mrs tan came in, bought 2 yirgacheffe", session="a")
    assert "Lily Tan" in asked.text and "Lucy Tan" in asked.text
    chosen = bot.reply("Lucy Tan", session="a")
    assert [(t, a["customer"], a.get("order_quantity"), s) for t, a, s in calls(chosen)] == \
        [("log_activity", "Lucy Tan", 2.0, "proposed")]
    bot.reply("提醒我后天给老周打个电话问一下他的危地马拉还要不要续", session="z")
    task = bot.reply("杭州那个周磊", session="z")
    assert [(t, a["customer"], a.get("follow_up_date"), s) for t, a, s in calls(task)] == \
        [("log_activity", "周磊", "后天", "proposed")]
    one = demo_store.query_readonly("SELECT name FROM customers WHERE name LIKE '江%'").rows
    told = bot.reply("江生今日嚟攞返換嘅豆 話今次冇焦味 好滿意 幫我記低", session="j")
    assert len(one) == 1 and one[0][0] in told.text and "in_store" in told.text


def test_staff_called_by_a_nickname_are_not_a_customer(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    told = bot.reply("小李说明天要请假", session="s")
    assert not [a for t, a, _ in calls(told) if t == "log_activity"]
    bought = bot.reply("小贾 今天 买了 2 盒 drip bags", session="b")
    assert "贾" in bought.text and not [a for t, a, s in calls(bought) if s == "done"]


def test_a_tag_is_taken_off_and_a_note_said_first_is_kept(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning, auto_confirm=True)
    who = demo_store.query_readonly("SELECT name, tags FROM customers WHERE tags LIKE '%wholesale%' "
                                    "AND tags LIKE '%,%' ORDER BY id LIMIT 1").rows[0]
    bot.reply(f"{who[0]} 的 café 关门了, 把 wholesale tag 去掉, notes 写 café closed Nov 2026", session="g")
    row = demo_store.query_readonly(f"SELECT tags, notes FROM customers WHERE name = '{who[0]}'").rows[0]
    kept = [t for t in who[1].split(",") if t.strip() != "wholesale"]
    assert row[0].split(",") == kept and row[1] == "café closed Nov 2026"
    refused = bot.reply(f"remove the VIP tag from {who[0]}", session="v")
    assert "VIP" in refused.text and demo_store.query_readonly(
        f"SELECT tags FROM customers WHERE name = '{who[0]}'").rows[0][0] == row[0]
    bot.reply("李娜 不喝含奶的 加个备注", session="n")
    assert demo_store.query_readonly("SELECT notes FROM customers WHERE name = '李娜'").rows[0][0] == "不喝含奶的"


def test_a_complaint_on_file_followed_up_is_no_new_complaint(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    who = demo_store.query_readonly("SELECT c.name FROM complaints k JOIN customers c ON c.id = k.customer_id "
                                    "WHERE k.status != 'resolved' AND k.category = 'delivery' LIMIT 1").rows[0][0]
    told = bot.reply(f"{who}的那个快递晚了的投诉我今天打电话给他道歉了他说没关系的", session="c")
    assert [(t, "complaint" in a) for t, a, _ in calls(told)] == [("log_activity", False)]


def test_never_mind_then_undo_is_an_undo():
    from assistant.agent.router.controls import control_intent

    assert control_intent("算了 还是等她收到再改 撤销") == "undo"
    assert control_intent("算了") == "cancel"


def test_a_given_name_alone_or_an_unknown_title_is_asked_about(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    several = demo_store.query_readonly("SELECT name FROM customers WHERE name LIKE '_晓东'").rows
    asked = bot.reply("晓东最近怎么样", session="x")
    assert len(several) > 1 and all(n in asked.text for (n,) in several)
    unknown = bot.reply("mr fitzgerald rang, wants 2 bags of mandheling delivered", session="f")
    assert "fitzgerald" in unknown.text.lower() and not [s for _, _, s in calls(unknown) if s == "proposed"]


def test_her_last_contact_is_answered_not_logged(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("何诗涵的资料", session="h")
    last = bot.reply("她最近一次联系我们是什么时候，说了啥", session="h")
    want = demo_store.query_readonly("SELECT i.date, i.summary FROM interactions i JOIN customers c ON c.id = i.customer_id "
                                     "WHERE c.name = '何诗涵' ORDER BY i.date DESC, i.id DESC LIMIT 1").rows[0]
    assert [t for t, _, _ in calls(last)] == ["run_sql"] and want[0] in last.text and want[1] in last.text


def test_a_shorter_list_of_the_briefing_just_shown():
    from assistant.agent.router.amend import amend

    assert amend("只看前三个就行", "daily_briefing", {}, {"top"}, TODAY, lambda text: []) == {"top": 3}
    assert amend("just the top 5", "churn_risks", {}, {"top", "quiet_days"}, TODAY, lambda text: []) == {"top": 5}
    assert amend("前五个就行", "loyal_customers", {}, {"top"}, TODAY, lambda text: []) == {"top": 5}
    assert amend("前三個就好 太多了記不住啦", "loyal_customers", {}, {"top"}, TODAY, lambda text: []) == {"top": 3}
    assert amend("top 3 only", "churn_risks", {}, {"top", "quiet_days"}, TODAY, lambda text: []) == {"top": 3}


@pytest.mark.parametrize("message", ["啱晒，save咗佢", "ok can save already", "對 存起來 謝啦", "要得 存起", "对头 存"])
def test_regional_ways_to_say_save_it_confirm(message):
    from assistant.agent.router.controls import control_intent

    assert control_intent(message) == "confirm"


def test_it_after_a_complaint_was_worked_on_is_that_complaint(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("draft reply for complaint 46, keep it short", session="c")
    marked = bot.reply("mark it in progress thx", session="c")
    assert [(t, a.get("complaint_id"), a.get("status")) for t, a, _ in calls(marked)] == [
        ("set_complaint_status", 46, "in_progress")]
    bot.reply("yes", session="c")
    drafted = bot.reply("then draft reply for that customer, formal tone please", session="c")
    assert [(t, a.get("complaint_id"), a.get("tone")) for t, a, _ in calls(drafted)] == [
        ("draft_complaint_reply", 46, "formal")]


@pytest.mark.parametrize("message, quantity, product", [
    ("张伟 tk 1 耶加 98", 1, "耶加雪菲"),
    ("張偉買咗2 耶加 196", 2, "耶加雪菲"),
])
def test_a_count_before_goods_named_without_a_measure_word(demo_store, meaning, message, quantity, product):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning, auto_confirm=True)
    bot.reply(message, session="c")
    row = demo_store.query_readonly("SELECT quantity, product FROM orders ORDER BY id DESC LIMIT 1").rows[0]
    assert row[0] == quantity and product in row[1]


def test_make_it_n_changes_the_count_of_the_order_shown(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("Peng Siyuan's in. Put through the usual Antigua order, 5 bags, 460 on account.", session="m")
    changed = bot.reply("Actually she wants a spare, make it 6, so 552.", session="m")
    assert changed.proposal is not None
    assert "6 × 危地马拉" in changed.text and "552.00" in changed.text


def test_which_one_answered_by_a_city_several_share_asks_among_them(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning, auto_confirm=True)
    bot.reply("lily bought 2 巴西 216", session="l")
    narrowed = bot.reply("the suzhou one", session="l")
    there = [r[0] for r in demo_store.query_readonly(
        "SELECT name FROM customers WHERE name LIKE 'Lily %' AND city IN ('苏州', 'Suzhou')").rows]
    assert len(there) > 1 and all(name in narrowed.text for name in there)
    bot.reply("lily king", session="l")
    row = demo_store.query_readonly("SELECT c.name, o.quantity, o.amount FROM orders o JOIN customers c "
                                    "ON c.id = o.customer_id ORDER BY o.id DESC LIMIT 1").rows[0]
    assert tuple(row) == ("Lily King", 2, 216)


def test_several_customers_sales_in_one_message_are_one_card(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    before = demo_store.query_readonly("SELECT COUNT(*) FROM orders").rows[0][0]
    card = bot.reply("yday sat: ben green 1 mandheling 88 + jiang jie 2 cold brew 138", session="b")
    assert card.proposal is not None and len(card.proposal.writes) == 2
    assert "Ben Green" in card.text and "江杰" in card.text
    bot.reply("yes", session="b")
    rows = demo_store.query_readonly(f"SELECT c.name, o.date, o.quantity, o.amount FROM orders o JOIN customers c "
                                     f"ON c.id = o.customer_id WHERE o.id > (SELECT MAX(id) - 2 FROM orders)").rows
    assert demo_store.query_readonly("SELECT COUNT(*) FROM orders").rows[0][0] == before + 2
    assert sorted((r[1], r[2], r[3]) for r in rows) == [("2026-11-21", 1, 88), ("2026-11-21", 2, 138)]
    bot.reply("undo", session="b")  # one card, undone as one
    assert demo_store.query_readonly("SELECT COUNT(*) FROM orders").rows[0][0] == before


def test_one_thing_said_of_two_customers_is_no_batch(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning, auto_confirm=True)
    before = demo_store.query_readonly("SELECT COUNT(*) FROM orders").rows[0][0]
    bot.reply("张伟和李娜都说要3包", session="t")
    assert demo_store.query_readonly("SELECT COUNT(*) FROM orders").rows[0][0] == before


def test_a_campaign_asked_in_cantonese_then_its_offer_asked_as_a_question(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    first = bot.reply("同兩個月冇買嘢嘅客send個SMS winback，畀佢哋八五折", session="c")
    assert calls(first) and calls(first)[0][0] == "draft_campaign" and calls(first)[0][1]["channel"] == "sms"
    assert "没买嘢" not in str(calls(first)[0][1].get("segment", "")).replace("两个月没买嘢的客", "") \
        and "send" not in calls(first)[0][1]["segment"]
    bot.reply("帮我 draft 个 WeChat winback campaign 给两个月没买的 customers，offer 10% off", session="d")
    again = bot.reply("能不能直接 20% off？力度大一点", session="d")
    assert calls(again)[0][1]["offer_percent"] == 20 and "10%" in again.text  # refused above the policy's cap


def test_the_difference_between_the_two_months_just_asked(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("how much did we sell in October?", session="d")
    bot.reply("And in the September?", session="d")
    both = bot.reply("How big is the difference between the two months, please?", session="d")
    row = demo_store.query_readonly(sql_of(both)).rows[0]
    sums = [demo_store.query_readonly(f"SELECT SUM(amount) FROM orders WHERE date BETWEEN '2026-{m}-01' AND '2026-{m}-{d}'")
            .rows[0][0] for m, d in (("09", "30"), ("10", "31"))]
    assert round(sums[1] - sums[0], 2) in [round(v, 2) for v in row if isinstance(v, (int, float))]
    again = bot.reply("即係跌咗幾多percent？", session="d")
    assert sql_of(again) == sql_of(both)


def test_a_list_just_shown_counted(demo_store, meaning):
    counted = _answer_after(demo_store, meaning, "幫我找一下有 gifts 標籤的客人", "總共有幾個啊")
    want = demo_store.query_readonly("SELECT COUNT(*) FROM customers WHERE tags LIKE '%gifts%'").rows[0][0]
    assert demo_store.query_readonly(sql_of(counted)).rows[0][0] == want


def test_them_in_a_campaign_are_the_customers_described_before():
    from assistant.agent.router.campaign_rules import audience

    assert audience("两个月没来的那些客户 给他们发微信召回一下 给个九折") == "两个月没来的那些客户"
    assert audience("Please prepare a win-back campaign per SMS for the customers who did not order since two "
                    "months. No discount, please.") == "the customers who did not order since two months"


def test_short_questions_about_the_customer_a_figure_was_of(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    bot.reply("how much has ethan chen spent w us total", session="e")
    last = bot.reply("last order?", session="e")
    want = demo_store.query_readonly("SELECT MAX(date) FROM orders o JOIN customers c ON c.id = o.customer_id "
                                     "WHERE c.name = 'Ethan Chen'").rows[0][0]
    assert demo_store.query_readonly(sql_of(last)).rows[0][0] == want
    yesterday = bot.reply("he buy anything yesterday or not?", session="e")
    assert "2026-11-21" in sql_of(yesterday) and "Ethan Chen" in sql_of(yesterday)


def test_rankings_asked_again_another_way(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    first = bot.reply("what sold best last month? by $$", session="r")
    assert "ORDER BY revenue" in sql_of(first)
    assert "LIMIT 3" in sql_of(bot.reply("top 3 tho", session="r"))
    bot.reply("今年哪个礼拜几生意最好 就是说卖的钱最多", session="w")
    by_orders = sql_of(bot.reply("那订单最多的是礼拜几", session="w"))
    assert "weekday" in by_orders and "ORDER BY orders DESC" in by_orders and "2026-01-01" in by_orders


def test_a_figure_per_customer_and_per_order(demo_store, meaning):
    bot = Assistant(demo_store, TOOLS, today=TODAY, meaning=meaning)
    per_customer = demo_store.query_readonly(sql_of(bot.reply(
        "And how much has each customer spent in average in the October?", session="p"))).rows[0][0]
    want = demo_store.query_readonly("SELECT SUM(amount) * 1.0 / COUNT(DISTINCT customer_id) FROM orders "
                                     "WHERE date BETWEEN '2026-10-01' AND '2026-10-31'").rows[0][0]
    assert per_customer == round(want, 2)
    bot.reply("上个月卖了好多钱哦", session="q")
    assert "AVG(amount)" in sql_of(bot.reply("then average one order how much ah", session="q"))


def test_of_them_counted_by_how_often_they_bought(demo_store, meaning):
    often = _answer_after(demo_store, meaning, "we got how many customers in Shanghai ah",
                          "how many of them buy 3 times and above already")
    want = demo_store.query_readonly("SELECT COUNT(*) FROM customers c WHERE c.city IN ('上海', 'Shanghai') AND c.id IN "
                                     "(SELECT customer_id FROM orders GROUP BY customer_id HAVING COUNT(*) >= 3)").rows[0][0]
    assert demo_store.query_readonly(sql_of(often)).rows[0][0] == want


def test_other_goods_said_with_a_slip_of_the_keyboard(demo_store, meaning):
    assert "耶加雪菲" in sql_of(_answer_after(demo_store, meaning, "嗯那个曼特林今年卖了多少包", "耶加雪啡呢"))


def test_another_campaigns_report_asked_after_one(demo_store, meaning):
    other = _answer_after(demo_store, meaning, "上回复购提醒那个活动效果怎么样", "那召回的那次呢")
    assert [(t, a.get("goal")) for t, a, _ in calls(other)] == [("campaign_results", "winback")]
