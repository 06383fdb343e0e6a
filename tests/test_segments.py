"""Segments in plain words: the typed filter, its evaluation on the real demo shop, the parser,
saved segments, the chat tool and `crm segment`."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from assistant.cli.main import cli
from assistant.core.context import TurnContext
from assistant.core.records import InvalidInput, NotFound
from assistant.outreach.saved_segments import get_segment, list_segments, save_segment
from assistant.outreach.segment_answer import answer_segment
from assistant.outreach.segment_parser import (
    filter_from_model_json,
    model_unsupported,
    parse_segment,
    read_segment,
)
from assistant.outreach.segment_vocab import shop_vocabulary
from assistant.outreach.segments import SegmentFilter, customers_matching, describe

AS_OF = "2026-11-01"  # the demo shop's last day (tests/conftest.py DEMO_END)
TODAY = date(2026, 11, 22)


def ids(store, sql: str, params=()) -> list[int]:
    return sorted(int(r[0]) for r in store.db.execute(sql, params).fetchall())


# -- the filter ---------------------------------------------------------------------------------

def test_filter_round_trips_the_contract_object():
    data = {"stage": ["formation"], "orders_min": 2, "orders_max": 2, "city": "上海",
            "bought": {"product": "礼盒", "from": "2025-12-01", "to": "2025-12-31"},
            "spend_min": 1500.5, "complaint": "none", "risk": "medium"}
    flt = SegmentFilter.from_dict(data)
    assert flt.to_dict() == data
    assert SegmentFilter.from_dict(json.loads(flt.to_json())) == flt
    assert SegmentFilter.from_dict({}).is_empty()


@pytest.mark.parametrize("bad, says", [
    ({"stage": ["sleepy"]}, "stage sleepy is not one of"),
    ({"quiet": 60}, "Unknown filter key(s): quiet"),
    ({"quiet_days_min": "two months"}, "quiet_days_min must be a whole number"),
    ({"risk": "low"}, "risk must be one of high, medium"),
    ({"bought": {"from": "2025-13-01"}}, "bought.from must be a date YYYY-MM-DD"),
    ({"bought": {"from": "2026-02-01", "to": "2026-01-01"}}, "swap them"),
    ({"orders_min": 5, "orders_max": 2}, "orders_min 5 is above orders_max 2"),
    ({"spend_min": -3}, "spend_min must be zero or more"),
    ([1, 2], "must be a JSON object"),
])
def test_a_bad_filter_is_one_clear_line(bad, says):
    with pytest.raises(InvalidInput) as err:
        SegmentFilter.from_dict(bad)
    assert says in str(err.value) and "\n" not in str(err.value)


def test_describe_says_the_filter_back_in_both_languages():
    flt = SegmentFilter.from_dict({"city": "上海", "tag": "VIP", "quiet_days_min": 60})
    assert describe(flt, "en") == "Customers: no order for 60+ days; in 上海; tagged VIP"
    assert describe(flt, "zh") == "客户：距上次下单至少60天；在上海；标签为VIP"
    assert describe(SegmentFilter(), "zh") == "所有客户"


# -- evaluation on the demo shop -------------------------------------------------------------

def test_quiet_customers_match_the_orders_table(demo_store):
    got = customers_matching(demo_store, SegmentFilter(quiet_days_min=60), AS_OF)
    want = ids(demo_store, "SELECT customer_id FROM orders WHERE amount >= 0 AND date <= ?"
               " GROUP BY customer_id HAVING julianday(?) - julianday(max(date)) >= 60",
               (AS_OF, AS_OF))
    assert got == want and len(got) > 10


def test_a_city_matches_in_either_script(demo_store):
    got = customers_matching(demo_store, SegmentFilter(city="Shanghai"), AS_OF)
    want = ids(demo_store, "SELECT id FROM customers WHERE city IN ('上海', 'Shanghai')")
    assert got == want
    assert customers_matching(demo_store, SegmentFilter(city="上海市"), AS_OF) == want


def test_tags_match_whole_tags_across_accents_and_other_words(demo_store):
    want = ids(demo_store, "SELECT id FROM customers WHERE ',' || tags || ',' LIKE '%,café,%'")
    assert customers_matching(demo_store, SegmentFilter(tag="cafe"), AS_OF) == want
    assert customers_matching(demo_store, SegmentFilter(tag="咖啡馆"), AS_OF) == want
    wholesale = ids(demo_store, "SELECT id FROM customers WHERE tags LIKE '%wholesale%'")
    assert customers_matching(demo_store, SegmentFilter(tag="批发"), AS_OF) == wholesale


def test_bought_last_december_but_not_this_year(demo_store):
    flt = SegmentFilter.from_dict({
        "bought": {"product": "gift boxes", "from": "2025-12-01", "to": "2025-12-31"},
        "not_bought": {"product": "礼盒", "from": "2026-01-01", "to": AS_OF}})
    december = set(ids(demo_store, "SELECT customer_id FROM orders WHERE product LIKE '%礼盒%'"
                       " AND date BETWEEN '2025-12-01' AND '2025-12-31' AND amount >= 0"))
    this_year = set(ids(demo_store, "SELECT customer_id FROM orders WHERE product LIKE '%礼盒%'"
                        " AND date BETWEEN '2026-01-01' AND ? AND amount >= 0", (AS_OF,)))
    assert december
    assert customers_matching(demo_store, flt, AS_OF) == sorted(december - this_year)


def test_spend_and_order_counts_match_sql(demo_store):
    flt = SegmentFilter(spend_min=2000, orders_min=2, orders_max=5)
    want = ids(demo_store, "SELECT customer_id FROM orders WHERE date <= ? GROUP BY customer_id"
               " HAVING sum(amount) >= 2000 AND sum(amount >= 0) BETWEEN 2 AND 5", (AS_OF,))
    assert customers_matching(demo_store, flt, AS_OF) == want


def test_complaint_status_matches_sql(demo_store):
    open_ = ids(demo_store, "SELECT DISTINCT customer_id FROM complaints WHERE status != 'resolved'")
    ever = ids(demo_store, "SELECT DISTINCT customer_id FROM complaints")
    assert customers_matching(demo_store, SegmentFilter(complaint="open"), AS_OF) == open_
    everyone = ids(demo_store, "SELECT id FROM customers")
    never = customers_matching(demo_store, SegmentFilter(complaint="none"), AS_OF)
    assert never == sorted(set(everyone) - set(ever)) and open_


def test_stage_segment_and_risk_agree_with_the_churn_report(demo_store):
    from assistant.analytics.churn_report import churn_report

    rows = churn_report(demo_store, as_of=AS_OF, top=None)
    by_stage = sorted(r.customer_id for r in rows if r.stage == "decline")
    assert customers_matching(demo_store, SegmentFilter(stage=("decline",)), AS_OF) == by_stage
    champions = sorted(r.customer_id for r in rows if r.segment == "champions")
    assert customers_matching(demo_store, SegmentFilter(segment=("champions",)), AS_OF) == champions
    risky = sorted(r.customer_id for r in rows if r.risk in ("high", "medium"))
    assert customers_matching(demo_store, SegmentFilter(risk="medium"), AS_OF) == risky
    high = sorted(r.customer_id for r in rows if r.risk == "high")
    assert customers_matching(demo_store, SegmentFilter(risk="high"), AS_OF) == high


def test_the_empty_filter_is_everyone(demo_store):
    assert customers_matching(demo_store, SegmentFilter(), AS_OF) == ids(
        demo_store, "SELECT id FROM customers")


# -- the parser --------------------------------------------------------------------------------

@pytest.mark.parametrize("words, want", [
    ("quiet for 2 months", {"quiet_days_min": 60}),
    ("who hasn't ordered in 3 weeks", {"quiet_days_min": 21}),
    ("兩個月沒下單的客戶", {"quiet_days_min": 60}),
    ("qiuet for 2 monhts", {"quiet_days_min": 60}),
    ("VIP in 上海", {"tag": "VIP", "city": "上海"}),
    ("custmers in shanghai", {"city": "上海"}),
    ("去年12月买过礼盒今年没买的", {
        "bought": {"product": "礼盒", "from": "2025-12-01", "to": "2025-12-31"},
        "not_bought": {"product": "礼盒", "from": "2026-01-01", "to": "2026-11-22"}}),
    ("formation-stage customers who bought twice",
     {"stage": ["formation"], "orders_min": 2, "orders_max": 2}),
    ("everyone with an open complaint", {"complaint": "open"}),
    ("消费超过两千的客户", {"spend_min": 2000}),
    ("累计消费1.5万以上", {"spend_min": 15000}),
    ("customers who spent more than 2k in total", {"spend_min": 2000}),
    ("bought in the last 30 days", {"quiet_days_max": 30}),
    ("new this year", {"first_order_after": "2026-01-01"}),
    ("所有客户", {}),
])
def test_plain_words_become_the_filter(words, want):
    parsed = parse_segment(words, TODAY)
    assert parsed.not_understood == ()
    assert parsed.filter.to_dict() == want


def test_what_the_filter_cannot_express_is_said_back_not_guessed():
    parsed = parse_segment("上海喜欢深烘的客户", TODAY)
    assert parsed.unsupported
    assert parsed.to_contract() == {"unsupported": True, "understood": {"city": "上海"}}
    assert any("喜欢" in w for w in parsed.not_understood)
    assert parse_segment("people who opened my last email", TODAY).to_contract() == {
        "unsupported": True, "understood": {}}
    # one city per segment: two are said back rather than one picked
    assert parse_segment("北京或者深圳的客户", TODAY).to_contract() == {
        "unsupported": True, "understood": {}}


def test_the_shops_own_products_and_tags_are_recognised(demo_store):
    vocab = shop_vocabulary(demo_store)
    parsed = parse_segment("wholesale 客户 who bought Yirgacheffe last month", TODAY, vocab)
    assert parsed.filter.to_dict() == {
        "tag": "wholesale",
        "bought": {"product": "yirgacheffe", "from": "2026-10-01", "to": "2026-10-31"}}


def test_a_model_proposal_is_checked_by_code():
    flt = filter_from_model_json('```json\n{"city": "上海", "tag": "VIP", "risk": null}\n```')
    assert flt.to_dict() == {"city": "上海", "tag": "VIP"}
    said = '{"unsupported": true, "understood": {"city": "上海"}}'
    assert filter_from_model_json(said).to_dict() == {"city": "上海"} and model_unsupported(said)
    for bad in ('{"stage": "asleep"}', "no json here", '{"quiet_days_min": 60,'):
        with pytest.raises(InvalidInput):
            filter_from_model_json(bad)


# -- saved segments ------------------------------------------------------------------------------

def test_a_saved_segment_stays_live_and_undoes(demo_store):
    flt = SegmentFilter(quiet_days_min=60, city="上海")
    saved = save_segment(demo_store, "quiet shanghai", "quiet 60 days in 上海", flt)
    assert [s.name for s in list_segments(demo_store)] == ["quiet shanghai"]
    before = customers_matching(demo_store, get_segment(demo_store, "Quiet Shanghai").filter, AS_OF)
    assert saved.filter == flt and before
    # a new order takes the customer out of the saved segment: it is evaluated again each time
    demo_store.add_order(before[0], AS_OF, 88)
    parsed = read_segment(demo_store, "quiet shanghai", TODAY)
    assert parsed.saved_name == "quiet shanghai"
    assert customers_matching(demo_store, parsed.filter, AS_OF) == before[1:]
    demo_store.undo()  # the order
    demo_store.undo()  # the saved segment
    with pytest.raises(NotFound, match="No saved segment named"):
        get_segment(demo_store, "quiet shanghai")


def test_an_empty_segment_suggests_a_looser_filter(demo_store):
    answer = answer_segment(demo_store, "上海的VIP有哪些", AS_OF, "zh")
    assert answer.count == 0 and answer.customers == []
    assert "没有符合条件的客户" in answer.message and "去掉“标签为VIP”" in answer.message


# -- chat and CLI -------------------------------------------------------------------------------

def test_the_router_sends_segment_requests_to_the_tool(demo_store):
    from assistant.agent.router.dispatch import route
    from assistant.agent.router.records import RouteContext
    from tools import TOOLS
    from tools.segments import find_segment, format_segment

    ctx = RouteContext(today=TODAY, lang="zh", customer_names=demo_store.customer_names)
    found = route("杭州的café客户有哪些", ctx, TOOLS)
    assert found.tool == "find_segment"
    answer = find_segment(demo_store, TurnContext(today=date(2026, 11, 1), lang="zh"),
                          **found.args)
    text = format_segment(answer, "zh")
    want = customers_matching(demo_store, SegmentFilter(city="杭州", tag="café"), AS_OF)
    assert text.startswith(f"客户：在杭州；标签为café — 共 {len(want)} 位")
    assert len(want) and all(f"(id {i})" in text for i in want[:10])
    # a quiet spell alone stays with the churn list, which ranks by risk
    assert route("who hasn't ordered in 2 months?", ctx, TOOLS).tool == "churn_risks"


def test_the_tool_says_back_what_it_did_not_understand(demo_store):
    from tools.segments import find_segment, format_segment

    answer = find_segment(demo_store, TurnContext(today=TODAY, lang="en"),
                          "VIPs who opened my newsletter")
    text = format_segment(answer, "en")
    assert answer.count == 0 and "I understood: Customers: tagged VIP" in text
    assert "opened" in text and "newsletter" in text


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_cli_segment_json(demo_db_file, tmp_path):
    import shutil

    db = tmp_path / "crm.db"
    shutil.copy(demo_db_file, db)
    out = run("segment", "quiet for 60 days", "--json", "--as-of", AS_OF, "--db", db)
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["filter"] == {"quiet_days_min": 60}
    assert data["description"] == "Customers: no order for 60+ days"
    assert set(data["customers"][0]) == {"customer_id", "external_id", "name"}
    from assistant.store import Store

    store = Store.open(db)
    try:
        want = customers_matching(store, SegmentFilter(quiet_days_min=60), AS_OF)
    finally:
        store.close()
    assert [c["customer_id"] for c in data["customers"]] == want

    saved = run("segment", "杭州的café客户", "--save", "杭州咖啡馆", "--db", db)
    assert saved.exit_code == 0 and "已保存为“杭州咖啡馆”" in saved.output
    listed = json.loads(run("segment", "--list", "--json", "--db", db).output)
    assert [s["name"] for s in listed] == ["杭州咖啡馆"]
    assert listed[0]["filter"] == {"city": "杭州", "tag": "café"}


def test_cli_segment_bad_input_is_one_line(demo_db_file, tmp_path):
    import shutil

    db = tmp_path / "crm.db"
    shutil.copy(demo_db_file, db)
    out = run("segment", "customers who like dark roast", "--db", db)
    assert out.exit_code == 1
    assert "I did not understand: “like dark roast”" in out.output
    assert "Traceback" not in out.output
    empty = run("segment", "", "--db", db)
    assert empty.exit_code == 1 and "Say which customers" in empty.output


def test_a_model_fills_only_what_the_rules_left_and_only_with_the_owners_words():
    from assistant.outreach.segment_model import propose_filter, with_model

    rules = parse_segment("上海的客户 who are slipping away", TODAY)
    assert rules.unsupported and rules.filter.to_dict() == {"city": "上海"}
    agrees = with_model(rules, lambda prompt: '{"city": "Shanghai", "risk": "medium"}', TODAY)
    assert agrees.filter.to_dict() == {"city": "上海", "risk": "medium"}
    assert not agrees.unsupported and agrees.source == "rules+model"
    # a model that changes what the rules read, or names a city nobody wrote, is not used
    assert with_model(rules, lambda p: '{"city": "北京", "risk": "medium"}', TODAY) == rules
    guessed = propose_filter("VIP customers", lambda p: '{"tag": "VIP", "city": "杭州"}', TODAY)
    assert guessed.unsupported and guessed.not_understood == ("杭州",)
    prompt_seen = []
    propose_filter("去年买过礼盒的", lambda p: prompt_seen.append(p) or "{}", TODAY)
    assert "Today is 2026-11-22" in prompt_seen[0] and "<<<去年买过礼盒的>>>" in prompt_seen[0]


@pytest.mark.parametrize("words, since", [
    ("who no order since sept", "2026-10-01"), ("no orders since oct", "2026-11-01"),
])
def test_no_order_since_a_month_is_a_quiet_spell_not_the_never_ordered(words, since):
    assert parse_segment(words, TODAY).filter.to_dict() == {"not_bought": {"from": since, "to": "2026-11-22"}}
    assert parse_segment("customers with no orders", TODAY).filter.to_dict() == {"segment": ["no_orders"]}
