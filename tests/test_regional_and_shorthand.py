"""Regional words, bookkeeper shorthand and corrections said the way owners say them, read on the
real demo shop with the real multilingual-e5 intent model and no chat model."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.agent.router import control_intent
from assistant.lang.colloquial import read_as_mandarin
from assistant.lang.dates import parse_date, parse_period, span_days
from assistant.lang.grounding import ungrounded
from tests.owner_chat import TODAY, call, meaning, said  # noqa: F401 (a fixture)


def figure(store, reply):
    """The first row of the SELECT a reply ran."""
    tool, args = call(reply)
    assert tool == "run_sql", (tool, args)
    return store.query_readonly(args["sql"]).rows[0]


def truth(store, sql: str):
    return store.query_readonly(sql).rows[0]


@pytest.mark.parametrize("spoken, read", [
    ("阿拉10月份一共卖脱多少钞票", "我们10月份一共卖了多少金额"),
    ("伊最后一趟啥辰光买额", "他最后一趟啥时候买的"),
    ("比9月份少脱交关伐", "比9月份少了很多吗"),
    ("咱杭州的主顾儿一共多少位", "我杭州的客户 一共多少位"),
    ("深圳啲客 有幾多個", "深圳客户 有多少个"),
    # the words 额 belongs to keep it; a name's 伊 is no pronoun
    ("上个月销售额多少", "上个月销售额多少"),
    ("王伊买了", "王伊买了"),
])
def test_shanghai_beijing_and_cantonese_words_are_read_as_mandarin(spoken, read):
    assert read_as_mandarin(spoken) == read and len(read) == len(spoken)


def test_dates_and_spans_as_typed_in_a_hurry():
    assert parse_date("day after tomorrow", TODAY, "future") == date(2026, 11, 24)
    assert parse_period("Q4'25 rev", TODAY) == (date(2025, 10, 1), date(2025, 12, 31))
    assert span_days("quiet >45d") == 45
    assert parse_period("他九月十月俩月统共花了多少", TODAY) == (date(2026, 9, 1), date(2026, 10, 31))
    assert parse_period("九月和十月哪个多", TODAY) == (date(2026, 9, 1), date(2026, 9, 30))


def test_controls_said_politely_or_in_indian_english():
    assert control_intent("Yes kindly save.") == "confirm"
    assert control_intent("成，存上") == "confirm"
    assert control_intent("Kindly revert with full details of customer Lily Tan.") is None


def test_a_phone_dictated_digit_by_digit_and_its_tail_put_right_are_grounded():
    first = "新客 陳美玲 電話 一三九 一二三四 五六七八 住深圳"
    assert ungrounded({"name": "陈美玲", "phone": "13912345678"}, first) == []
    assert ungrounded({"phone": "13912345679"}, [first, "唔係呀 最尾兩個字係七九 唔係七八"]) == []
    assert ungrounded({"phone": "13912345699"}, first) == ["phone"]


def test_goods_said_in_english_or_by_a_measure_are_the_stored_product(demo_store, meaning):
    for message, product in [("陈平 buy 3 bag Mandheling just now, $264", "曼特宁 Mandheling 250g"),
                             ("Kindly record one order for Tom Smith: 4 packs cold brew, amount 276.", "冷萃 Cold brew pack ×6"),
                             ("張維 尋日 買咗兩包 曼特寧 一百七十六蚊", "曼特宁 Mandheling 250g")]:
        tool, args = call(said(demo_store, meaning, message, confirm=False)[0])
        assert tool == "add_order" and args["product"] == product, (message, args)


def test_a_log_line_with_its_date_goods_and_follow_up(demo_store, meaning):
    tool, args = call(said(demo_store, meaning, "11/20 phone 邱磊: 2x 曼特宁 176, f/u 12/1 re 礼盒", confirm=False)[0])
    assert tool == "log_activity" and args["channel"] == "phone"
    assert parse_date(args["date"], TODAY) == date(2026, 11, 20) and "order_date" not in args
    assert parse_date(args["follow_up_date"], TODAY, "future") == date(2026, 12, 1)
    assert (args["order_quantity"], args["order_amount"]) == (2, 176)


@pytest.mark.parametrize("message, tool, wanted", [
    ("who is 13777204713 ah", "find_customers", {"query": "13777204713"}),
    ("Nora is having complaint regarding delivery, kindly search her.", "find_customers", {"query": "Nora"}),
    ("upd 黄涛: email huangtao@example.com, tag wholesale", "update_customer",
     {"customer": "黄涛", "email": "huangtao@example.com", "tags": "wholesale"}),
    ("罗子涵换微信号了，新的是 luozihan_cafe", "update_customer", {"customer": "罗子涵", "wechat": "luozihan_cafe"}),
    ("蚌埠住了 杨子涵说要发小红书骂我们😅 先标成处理中", "set_complaint_status", {"customer": "杨子涵", "status": "in_progress"}),
    ("徐洋投诉会员折扣没用上 咋回 正式一点", "draft_complaint_reply", {"customer": "徐洋", "tone": "formal"}),
    ("侬帮我看看搿段算啥问题：收到额豆子袋子破脱了，洒了一半", "triage_complaint", {}),
    ("薛艳老早一个号头要买好几趟，四月份以后就勿来了，哪能弄", "suggest_actions", {"customer": "薛艳"}),
    ("who likely to pangseh us ah, top 10 can", "churn_risks", {"top": 10}),
    ("churn top5, quiet >45d", "churn_risks", {"top": 5, "quiet_days": 45}),
])
def test_requests_in_the_owners_own_words(demo_store, meaning, message, tool, wanted):
    got, args = call(said(demo_store, meaning, message, confirm=False)[0])
    assert got == tool and {k: args.get(k) for k in wanted} == wanted, (message, got, args)


@pytest.mark.parametrize("message, sql", [
    ("10月 rev / #ord / AOV", "SELECT ROUND(SUM(amount), 2), COUNT(*), ROUND(AVG(amount), 2) FROM orders "
                              "WHERE date LIKE '2026-10%'"),
    ("张伟: lifetime rev / #ord / last ord", "SELECT SUM(amount), COUNT(*), MAX(date) FROM orders o "
                                            "JOIN customers c ON c.id = o.customer_id WHERE c.name = '张伟'"),
    ("南京 10月 #buyers + rev", "SELECT COUNT(DISTINCT o.customer_id), SUM(o.amount) FROM orders o JOIN customers c "
                               "ON c.id = o.customer_id WHERE c.city IN ('南京', 'Nanjing') AND o.date LIKE '2026-10%'"),
    ("覃诗涵 complain 34 is about what ah", "SELECT k.id, k.date, c.name, k.category, k.severity, k.status, k.text "
                                          "FROM complaints k JOIN customers c ON c.id = k.customer_id WHERE k.id = 34"),
    ("complaints: open / in_progress / resolved #", "SELECT status, COUNT(*) AS n FROM complaints GROUP BY status "
                                                   "ORDER BY n DESC"),
    ("he shiahn total spend this yr", "SELECT SUM(o.amount) FROM orders o JOIN customers c ON c.id = o.customer_id "
                                      "WHERE c.name = '何诗涵' AND o.date LIKE '2026%'"),
    ("Shenzhen customers who never buy anything since August, got how many",
     "SELECT COUNT(*) FROM customers WHERE city IN ('深圳', 'Shenzhen') AND id NOT IN "
     "(SELECT customer_id FROM orders WHERE date BETWEEN '2026-08-01' AND '2026-11-22')"),
    ("10月 new cust # (1st order in Oct)", "SELECT COUNT(*) FROM (SELECT MIN(date) AS f FROM orders GROUP BY customer_id) "
                                          "WHERE f LIKE '2026-10%'"),
])
def test_figures_asked_in_shorthand(demo_store, meaning, message, sql):
    assert tuple(figure(demo_store, said(demo_store, meaning, message)[0])) == tuple(truth(demo_store, sql))


def test_two_periods_with_the_change_in_per_cent_or_a_whole_year(demo_store, meaning):
    change = figure(demo_store, said(demo_store, meaning, "Q3 vs Q2 rev %")[0])
    q2, q3 = (truth(demo_store, f"SELECT SUM(amount) FROM orders WHERE date BETWEEN '{a}' AND '{b}'")[0]
              for a, b in (("2026-04-01", "2026-06-30"), ("2026-07-01", "2026-09-30")))
    assert {q2, q3} <= set(change) and round(100 * (q3 - q2) / q2, 2) in change
    years = demo_store.query_readonly(call(said(demo_store, meaning, "2026 YTD rev vs 2025 FY")[0])[1]["sql"]).rows
    assert truth(demo_store, "SELECT SUM(amount) FROM orders WHERE date LIKE '2025%'")[0] in {r[1] for r in years}


def test_the_weekday_that_made_most_and_a_city_in_two_months(demo_store, meaning):
    best = said(demo_store, meaning, "Which weekday is giving maximum business this year in terms of sales amount?")[0]
    assert "weekday" in call(best)[1]["sql"] and "ORDER BY revenue DESC LIMIT 1" in call(best)[1]["sql"]
    both = demo_store.query_readonly(call(said(demo_store, meaning, "shenzhen sales oct vs sept")[0])[1]["sql"]).rows
    want = demo_store.query_readonly(
        "SELECT substr(o.date, 1, 7), ROUND(SUM(o.amount), 2) FROM orders o JOIN customers c ON c.id = o.customer_id "
        "WHERE c.city IN ('深圳', 'Shenzhen') AND o.date BETWEEN '2026-09-01' AND '2026-10-31' GROUP BY 1 ORDER BY 1").rows
    assert [tuple(r) for r in both] == [tuple(r) for r in want]


@pytest.mark.parametrize("first, then, sql", [
    ("南京 10月 #buyers + rev", "苏州 same",
     "SELECT COUNT(DISTINCT o.customer_id), SUM(o.amount) FROM orders o JOIN customers c ON c.id = o.customer_id "
     "WHERE c.city IN ('苏州', 'Suzhou') AND o.date LIKE '2026-10%'"),
    ("total sales this yr so far?\nn whole of last yr", "so how much more is this yr",
     "SELECT (SELECT SUM(amount) FROM orders WHERE date LIKE '2026%') - (SELECT SUM(amount) FROM orders WHERE date LIKE '2025%')"),
    ("耶加雪菲今年卖出去多少包儿了？\n那曼特宁呢？", "俩差多少包儿？",
     "SELECT ABS((SELECT SUM(quantity) FROM orders WHERE product LIKE '曼特宁%' AND date LIKE '2026%') - "
     "(SELECT SUM(quantity) FROM orders WHERE product LIKE '耶加雪菲%' AND date LIKE '2026%'))"),
    ("10月 new cust # (1st order in Oct)", "their 10月 rev",
     "SELECT SUM(amount) FROM orders WHERE date LIKE '2026-10%' AND customer_id IN "
     "(SELECT customer_id FROM orders GROUP BY customer_id HAVING MIN(date) LIKE '2026-10%')"),
    ("#ord >500 2026", "of which #cust",
     "SELECT COUNT(DISTINCT customer_id) FROM orders WHERE amount > 500 AND date LIKE '2026%'"),
    ("complaints: open / in_progress / resolved #\nopen by category", "oldest open one id?",
     "SELECT id FROM complaints WHERE status = 'open' ORDER BY date LIMIT 1"),
    ("上个月啥卖得最好🏆", "它卖了多少钱",
     "SELECT SUM(amount) FROM orders WHERE date LIKE '2026-10%' AND product = (SELECT product FROM orders "
     "WHERE date LIKE '2026-10%' GROUP BY product ORDER BY SUM(quantity) DESC LIMIT 1)"),
    ("Q4'25 rev", "12月 share %",
     "SELECT ROUND(100.0 * (SELECT SUM(amount) FROM orders WHERE date LIKE '2025-12%') / "
     "(SELECT SUM(amount) FROM orders WHERE date BETWEEN '2025-10-01' AND '2025-12-31'), 2)"),
    ("#cust w/ ≥3 orders", "其中10月 active #",
     "SELECT COUNT(*) FROM (SELECT customer_id FROM orders GROUP BY customer_id HAVING COUNT(*) >= 3) "
     "WHERE customer_id IN (SELECT customer_id FROM orders WHERE date LIKE '2026-10%')"),
    ("2025 top5 cust by rev, name+rev", "#5 last ord date",
     "SELECT MAX(date) FROM orders WHERE customer_id = (SELECT o.customer_id FROM orders o WHERE o.date LIKE '2025%' "
     "GROUP BY o.customer_id ORDER BY SUM(o.amount) DESC LIMIT 1 OFFSET 4)"),
])
def test_follow_ups_of_figures(demo_store, meaning, first, then, sql):
    replies = said(demo_store, meaning, *first.split("\n"), then)
    got = figure(demo_store, replies[-1])
    want = truth(demo_store, sql)[0]
    assert want in tuple(got), (then, got, want)


def test_what_those_counted_did(demo_store, meaning):
    shown = said(demo_store, meaning, "深圳啲客 有幾多個", "佢哋十月總共買咗幾多", "邊個買得最多")
    top = figure(demo_store, shown[-1])
    want = truth(demo_store, "SELECT c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.city IN "
                             "('深圳', 'Shenzhen') AND o.date LIKE '2026-10%' GROUP BY c.id ORDER BY SUM(o.amount) DESC LIMIT 1")
    assert top[0] == want[0]
    beijing = said(demo_store, meaning, "how many customers got the gifts tag ah", "those in Beijing who ah")[-1]
    names = {r[0] for r in demo_store.query_readonly(call(beijing)[1]["sql"]).rows}
    assert names == {r[0] for r in demo_store.query_readonly(
        "SELECT name FROM customers WHERE tags LIKE '%gifts%' AND city IN ('北京', 'Beijing')").rows}


def test_corrections_before_saving(demo_store, meaning):
    corrected = said(demo_store, meaning, "陈平 buy 3 bag Mandheling just now, $264",
                     "eh wait not Mandheling lah, is Antigua, 276", confirm=False)[-1]
    assert call(corrected)[1]["product"] == "Antigua" and call(corrected)[1]["amount"] == 276
    more = said(demo_store, meaning, "何诗涵下半天来店里了，拿了两包耶加雪菲，196块", "再加一包，一共三包，294", confirm=False)[-1]
    assert (call(more)[1]["order_quantity"], call(more)[1]["order_amount"]) == (3, 294)
    phone = said(demo_store, meaning, "新客 陳美玲 電話 一三九 一二三四 五六七八 住深圳", "唔係呀 最尾兩個字係七九 唔係七八",
                 confirm=False)[-1]
    assert call(phone)[1]["phone"] == "13912345679" and call(phone)[1]["name"] == "陳美玲"
    referral = said(demo_store, meaning, "韩静 say she use 张超 referral code",
                    "wrong lah, is 张诗涵 not 张超, both Shanghai one so I mix up", confirm=False)[-1]
    assert {k: call(referral)[1][k] for k in ("customer", "referrer")} == {"customer": "韩静", "referrer": "张诗涵"}


def test_changes_said_again_for_another(demo_store, meaning):
    again = said(demo_store, meaning, "Complaint no. 34 kindly mark as in progress, I have spoken to customer.",
                 "35 also same thing kindly.")[-1]
    assert call(again) == ("set_complaint_status", {"complaint_id": 35, "status": "in_progress"})
    sms = said(demo_store, meaning, "两个月没来额客人，发微信叫伊拉回来，九五折", "改成短信", confirm=False)
    assert call(sms[0])[1]["segment"] == "两个月没来的客人" and call(sms[-1])[1]["channel"] == "sms"
    dearer = said(demo_store, meaning, "给俩月没来的老主顾儿发个微信召回，打九折", "九折太抠门儿了，甭九折了，八折！", confirm=False)
    assert call(dearer[-1])[1]["offer_percent"] == 20
    notes = said(demo_store, meaning, "upd 黄涛: email huangtao@example.com, +tag wholesale", "notes: 月结，每月5号对账")[-1]
    assert call(notes)[1] == {"customer": "黄涛", "notes": "月结,每月5号对账"}  # (read after NFKC)
    chloe = said(demo_store, meaning, "who is 13777204713 ah", "update her wechat to chloe_c88, the old one she don't use liao")
    assert call(chloe[-1]) == ("update_customer", {"customer": "Chloe Chen", "wechat": "chloe_c88"})


def test_nothing_is_written_when_the_owner_says_not_to_or_talks_of_something_else(demo_store, meaning):
    told = said(demo_store, meaning, "韩宇轩资料", "伊讲下个号头可能要来拿礼盒，还勿定，先勿要记")[-1]
    taxi = said(demo_store, meaning, "张伟资料", "fine. book me a taxi to PVG 6am tmrw then lol")[-1]
    assert not any(a.tool == "log_activity" for a in told.actions + taxi.actions)
    # said while a call is waiting to be saved, "don't write it down" cancels it
    waiting = said(demo_store, meaning, "何欣怡 頭先 打電話嚟 話要 即係 五包 意式拼配 下禮拜嚟拎", "算數啦 佢話又唔要住 唔好記",
                   confirm=False)
    assert call(waiting[0])[1]["order_product"] == "意式拼配 Espresso Blend 500g"
    assert not waiting[1].actions and "取消" in waiting[1].text
