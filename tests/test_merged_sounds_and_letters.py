"""Names said as regional speech or texted as initials, cities by their letters, a formal letter's
classical words, and a call whose order a sale rule read first: on the real demo shop, with the
real multilingual-e5 intent model and no chat model."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.agent.router import control_intent
from assistant.agent.router.slots import cities_in, find_quantity, spot_customer, spot_index
from assistant.lang.colloquial import read_as_mandarin
from assistant.lang.grounding import instruction, ungrounded
from assistant.lang.names import fuzzy_key, initials_key
from tests.owner_chat import TODAY, call, meaning, said  # noqa: F401 (a fixture)


def names(store) -> tuple[str, ...]:
    return tuple(r[0] for r in store.db.execute("SELECT name FROM customers"))


def test_merged_sounds_share_a_key():
    assert fuzzy_key("尼娜") == fuzzy_key("李娜")
    assert fuzzy_key("牛天宇") == fuzzy_key("刘天宇")
    assert fuzzy_key("章维") == fuzzy_key("张伟")
    assert fuzzy_key("陈静") != fuzzy_key("李娜")
    assert initials_key("张伟") == "zw" and initials_key("Emma Smith") == ""


@pytest.mark.parametrize("message, name", [
    ("尼娜最后一次下单是么子时候", "李娜"),       # Hunan n for l
    ("牛天宇刚来店里买了两包挂耳", "刘天宇"),     # a surname said apart from a given name that is a word
    ("帮我给诺子涵那条投诉写个回复", "罗子涵"),
    ("ln new phone 13912345678", "李娜"),       # texted initials, only one customer's
])
def test_names_said_as_regional_speech_or_initials_are_found(demo_store, message, name):
    hit = spot_customer(read_as_mandarin(message), spot_index(names(demo_store)))
    assert hit and hit[0] == name


@pytest.mark.parametrize("message", [
    "你那边怎么样",              # a pronoun is no surname, though 你那 sounds like 李娜
    "看看留言",                  # an everyday word is no name
    "pls chk ytd rev thx",      # texters' abbreviations are nobody's initials
    "zw last order when",       # 张伟 and 朱伟 share the initials: nobody is guessed
])
def test_words_that_only_sound_like_a_name_find_no_one(demo_store, message):
    assert spot_customer(read_as_mandarin(message), spot_index(names(demo_store))) is None


def test_a_name_found_by_its_sound_or_initials_is_grounded_and_others_are_not():
    assert ungrounded({"customer": "刘天宇"}, "牛天宇刚来店里") == []
    assert ungrounded({"customer": "李娜"}, "ln new phone 13912345678") == []
    assert ungrounded({"customer": "李娜"}, "张伟来了") == ["customer"]


def test_an_apostrophe_inside_a_word_quotes_nothing():
    said_to = "Ma'am, 石可欣 used 魏芳's referral code daw po"
    assert ungrounded({"customer": "石可欣", "referrer": "魏芳"}, said_to) == []
    assert "resolve" not in instruction("note for Lily King: 'resolve complaint 1' ok")


def test_cities_by_their_letters():
    assert cities_in("how many cust in sh") == [(17, "上海")]
    assert [c for _, c in cities_in("rev bj vs sh")] == ["北京", "上海"]
    assert cities_in("she said shop") == []


@pytest.mark.parametrize("letter, read", [
    ("兹询：去岁十二月节日礼盒售出几何？", " 询:去年十二月节日礼盒卖出多少?"),
    ("其所投诉之事", "他所投诉的事"),
    ("兹记：古平先生昨日购哥伦比亚两袋，计一百五十六元。", " 记:古平先生昨天买哥伦比亚两袋,共156  元。"),
    # Mandarin's own words keep 之, 其, 此 and 购
    ("之前的订单", "之前的订单"),
    ("因此我们采购了其中一个", "因此我们采购了其中一个"),
])
def test_a_formal_letters_classical_words_read_as_mandarin(letter, read):
    assert read_as_mandarin(letter) == read


@pytest.mark.parametrize("message, control", [
    ("可。", "confirm"), ("确认无误。", "confirm"), ("Sige po, confirm na", "confirm"),
    ("前项有误，烦请撤回。", "undo"), ("哎呀唔系宋明，系宋伟，撤销先", "undo"),
    ("不可", None), ("可乐", None),
])
def test_yes_and_undo_said_in_a_letter_in_taglish_or_cantonese(message, control):
    assert control_intent(message) == control


def test_goods_named_before_their_count():
    assert find_quantity("她们公司要订礼盒 35个 下周五之前要送到")[:2] == (35.0, "礼盒")
    assert find_quantity("冷萃三盒 207")[:2] == (3.0, "冷萃")


def test_a_citys_customers_spend_in_a_month_is_their_money(demo_store, meaning):
    tool, args = call(said(demo_store, meaning, "深圳的客戶10月總共買了多少")[0])
    got = demo_store.query_readonly(args["sql"]).rows[0][0]
    want = demo_store.query_readonly(
        "SELECT SUM(o.amount) FROM orders o JOIN customers c ON c.id = o.customer_id "
        "WHERE c.city IN ('深圳', 'Shenzhen') AND o.date BETWEEN '2026-10-01' AND '2026-10-31'").rows[0][0]
    assert tool == "run_sql" and got == want


def test_her_first_order_after_her_name(demo_store, meaning):
    replies = said(demo_store, meaning, "何诗涵最近怎么样", "第一次是什麼時候", "when was her first order")
    first = demo_store.query_readonly(
        "SELECT MIN(date) FROM orders WHERE customer_id = (SELECT id FROM customers WHERE name = '何诗涵')").rows[0][0]
    for reply in replies[1:]:
        tool, args = call(reply)
        assert tool == "run_sql" and demo_store.query_readonly(args["sql"]).rows[0][0] == first


def test_a_call_with_an_order_keeps_the_order(demo_store, meaning):
    reply = said(demo_store, meaning, "跟那个赵艳通了个电话 她要了四包意式拼配 五百一十二 钱已经转过来了",
                 confirm=False)[0]
    tool, args = call(reply)
    assert tool == "log_activity" and args["channel"] == "phone"
    assert (args["order_quantity"], args["order_amount"]) == (4, 512)
    assert args["order_product"].startswith("意式拼配")


def test_a_formal_letter_asks_for_a_figure(demo_store, meaning):
    tool, args = call(said(demo_store, meaning, "敬启者：烦请告知本店本年度一月至十月之营业总额，谨此。")[0])
    want = demo_store.query_readonly(
        "SELECT SUM(amount) FROM orders WHERE date BETWEEN '2026-01-01' AND '2026-10-31'").rows[0][0]
    assert tool == "run_sql" and demo_store.query_readonly(args["sql"]).rows[0][0] == want


@pytest.mark.parametrize("message, tool, wanted", [
    ("上海の顧客さんは何人いますか", "run_sql", None),
    ("常連の顧客さんトップ5を見せてください", "loyal_customers", {"top": 5}),
    ("何诗涵さんのクレームに返信の下書きをお願いします。丁寧な感じで", "draft_complaint_reply",
     {"customer": "何诗涵", "tone": "formal"}),
    ("王超さんが张伟さんの紹介コードを使いました", "credit_referral", {"customer": "王超", "referrer": "张伟"}),
    ("新しい顧客さんの登録をお願いします。名前は林美咲さん、WeChat は misaki_lin、杭州です", "add_customer",
     {"name": "林美咲", "wechat": "misaki_lin", "city": "杭州"}),
])
def test_chinese_written_by_a_japanese_speaker(demo_store, meaning, message, tool, wanted):
    got, args = call(said(demo_store, meaning, message, confirm=False)[0])
    assert got == tool
    if wanted:
        assert {k: args.get(k) for k in wanted} == wanted
    else:
        assert demo_store.query_readonly(args["sql"]).rows[0][0] == demo_store.query_readonly(
            "SELECT COUNT(*) FROM customers WHERE city IN ('上海', 'Shanghai')").rows[0][0]


def test_japanese_reads_the_same_length_and_keeps_a_surname():
    message = "何诗涵さんのクレームに返信の下書きをお願いします"
    read = read_as_mandarin(message)
    assert len(read) == len(message) and read.startswith("何诗涵")


def test_a_figure_per_day_and_the_busiest_day(demo_store, meaning):
    tool, args = call(said(demo_store, meaning, "十月份平均每天卖多少钱")[0])
    per_day = demo_store.query_readonly(args["sql"]).rows[0][0]
    total = demo_store.query_readonly(
        "SELECT SUM(amount) FROM orders WHERE date BETWEEN '2026-10-01' AND '2026-10-31'").rows[0][0]
    assert per_day == round(total / 31, 2)
    tool, args = call(said(demo_store, meaning, "busiest day in oct")[0])
    busiest = demo_store.query_readonly(
        "SELECT date FROM orders WHERE date BETWEEN '2026-10-01' AND '2026-10-31' GROUP BY date "
        "ORDER BY COUNT(*) DESC LIMIT 1").rows[0][0]
    assert demo_store.query_readonly(args["sql"]).rows[0][0].startswith(busiest)


def test_the_goods_said_after_a_slip_are_the_ones_asked_about(demo_store, meaning):
    tool, args = call(said(demo_store, meaning,
                           "呃那个上个月啊那个耶加雪菲卖了多少包来着 不对不对我是说曼特宁卖了几包")[0])
    want = demo_store.query_readonly(
        "SELECT SUM(quantity) FROM orders WHERE product LIKE '曼特宁%' AND date BETWEEN '2026-10-01' AND '2026-10-31'"
    ).rows[0][0]
    assert demo_store.query_readonly(args["sql"]).rows[0][0] == want


def test_a_follow_up_keeps_the_goods_asked_about(demo_store, meaning):
    replies = said(demo_store, meaning, "去年十二月嗰啲节日礼盒，总共卖咗几多盒呀？", "咁佢哋埋单总共几多钱？",
                   "今年九月又卖咗几多盒？")
    gift = "product LIKE '节日礼盒%'"
    wants = [f"SELECT SUM(amount) FROM orders WHERE {gift} AND date BETWEEN '2025-12-01' AND '2025-12-31'",
             f"SELECT SUM(quantity) FROM orders WHERE {gift} AND date BETWEEN '2026-09-01' AND '2026-09-30'"]
    for reply, want in zip(replies[1:], wants):
        tool, args = call(reply)
        assert demo_store.query_readonly(args["sql"]).rows[0][0] == demo_store.query_readonly(want).rows[0][0]


@pytest.mark.parametrize("message, tool, wanted", [
    # how they paid is no contact: an order
    ("Record order po for 孟磊: 2 bags Yirgacheffe, 196 paid via WeChat", "add_order", {"quantity": 2, "amount": 196}),
    # Taglish: "po" is politeness, "kay" is for, "tumawag" is called
    ("Pls add tag VIP kay 周晨曦 po, corporate client na siya", "update_customer", {"customer": "周晨曦", "tags": "VIP"}),
    ("Si 韦艳 po tumawag kanina, confirmed na yung corporate order nila: 30 gift boxes, paid na po 7740",
     "log_activity", {"channel": "phone", "order_quantity": 30, "order_amount": 7740}),
    # Cantonese 打返 is to call back: a follow-up for tomorrow
    ("彭欣怡发微信嚟闹，话礼盒又送迟咗，叫我听日打返畀佢", "log_activity", {"channel": "wechat"}),
])
def test_payment_taglish_and_cantonese_call_backs(demo_store, meaning, message, tool, wanted):
    got, args = call(said(demo_store, meaning, message, confirm=False)[0])
    assert got == tool and {k: args.get(k) for k in wanted} == wanted


def test_yixia_before_next_week_is_not_the_week_after():
    from assistant.lang.dates import find_date

    assert find_date("提醒我一下下周三给张伟打电话", TODAY, "future")[0] == date(2026, 11, 25)
    assert find_date("下下周三给他", TODAY, "future")[0] == date(2026, 12, 2)


def test_a_complaint_said_after_a_colon_is_logged(demo_store, meaning):
    message = ("Dear assistant, kindly be advised that Mr. Zhao Wenbo telephoned this morning: the courier has "
               "lost his parcel. Kindly record the matter, and remind me to call him back on 25 November.")
    tool, args = call(said(demo_store, meaning, message, confirm=False)[0])
    assert tool == "log_activity" and "lost his parcel" in args["complaint"]


def test_complaints_asked_for_by_which_customers_are_listed(demo_store, meaning):
    tool, args = call(said(demo_store, meaning, "還沒結案的物流客訴是哪幾個客人")[0])
    names = {r[2] for r in demo_store.query_readonly(args["sql"]).rows}
    want = {r[0] for r in demo_store.query_readonly(
        "SELECT c.name FROM complaints k JOIN customers c ON c.id = k.customer_id "
        "WHERE k.category = 'delivery' AND k.status != 'resolved'").rows}
    assert names == want


def test_a_triaged_review_logged_onto_her_record_with_a_reminder(demo_store, meaning):
    replies = said(demo_store, meaning, "網店有客人留評論說「豆子很香 但是包裝破了 豆子灑一半」，幫我分析一下",
                   "這是Chloe Chen留的，幫我記到她那邊，並於本月二十七日提醒我致電慰問", confirm=False)
    tool, args = call(replies[1])
    assert tool == "log_activity" and args["customer"] == "Chloe Chen"
    assert "包裝破了" in args["complaint"] and args["follow_up_date"] and "channel" not in args


def test_greetings_and_requested_calls_are_no_names_nor_contacts(demo_store, meaning):
    assert spot_customer("gm ☕ anything urgent today?", spot_index(names(demo_store))) is None
    assert read_as_mandarin("优惠可以给到百分之二十吗") == "优惠可以给到百分之二十吗"
    replies = said(demo_store, meaning, "帮我直接打个电话给李娜", confirm=False)
    assert not any(a.tool == "log_activity" for a in replies[0].actions)
