"""Churn report over a real store: bad input, tiny and small shops, reasons, CLI."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from datetime import date, timedelta

import numpy as np
import pytest
from click.testing import CliRunner

from assistant.analytics.churn_report import (
    STAGE_LABELS,
    ChurnRow,
    churn_page,
    churn_report,
    explain_customer,
)
from assistant.core.records import InvalidInput, NotFound, Write

KEYS = {"customer_id", "external_id", "name", "churn_probability", "risk",
        "expected_next_purchase", "expected_purchases", "stage", "clv", "segment", "reasons"}
AS_OF = "2025-06-30"


def shop(store, customers: dict[str, list[tuple[str, float]]]) -> dict[str, int]:
    """Create customers with (date, amount) orders in one action; returns name -> id."""
    ids = store.apply([Write("customers", "insert", {"name": n, "external_id": f"X{i}"})
                       for i, n in enumerate(customers)])
    by_name = dict(zip(customers, ids))
    orders = [Write("orders", "insert", {"customer_id": by_name[n], "date": d, "amount": a})
              for n, rows in customers.items() for d, a in rows]
    if orders:
        store.apply(orders)
    return by_name


def every(start: str, gap: int, n: int, amount: float = 100.0) -> list[tuple[str, float]]:
    first = date.fromisoformat(start)
    return [((first + timedelta(days=gap * k)).isoformat(), amount) for k in range(n)]


def assert_sane(rows: list[ChurnRow]) -> None:
    for r in rows:
        d = asdict(r)
        assert KEYS <= set(d)
        for key in ("churn_probability", "expected_purchases", "clv", "historic_value"):
            assert math.isfinite(d[key]), (key, d)
        assert 0 <= r.churn_probability <= 1 and r.expected_purchases >= 0 and r.clv >= 0
        assert r.risk in {"high", "medium", "low"} and r.stage in STAGE_LABELS
        assert 1 <= len(r.reasons) <= 4 and all(isinstance(s, str) and s for s in r.reasons)
        json.dumps(d, ensure_ascii=False, allow_nan=False)


def test_bad_input_never_crashes_or_gives_nan(store):
    ids = shop(store, {
        "No Orders": [],
        "One Order": [("2025-05-01", 50.0)],
        "Same Day": [("2025-03-03", 20.0), ("2025-03-03", 30.0), ("2025-03-03", 10.0)],
        "Zero Value": [("2025-01-05", 0.0), ("2025-02-05", 0.0), ("2025-03-05", 0.0)],
        "Refunder": [("2025-01-10", 80.0), ("2025-01-12", -80.0), ("2025-04-10", 60.0)],
        "Future": [("2025-06-01", 40.0), ("2026-01-01", 999.0)],
    })
    rows = churn_report(store, as_of=AS_OF, top=None)
    assert_sane(rows)
    assert {r.customer_id for r in rows} == set(ids.values())
    by_id = {r.customer_id: r for r in rows}
    assert by_id[ids["Future"]].historic_value == 40.0  # the 2026 order is after as_of
    assert by_id[ids["Refunder"]].historic_value == 60.0
    assert by_id[ids["No Orders"]].segment == "no_orders"
    assert by_id[ids["No Orders"]].expected_next_purchase is None
    assert by_id[ids["Same Day"]].stage == "exploration"  # one purchase occasion


def test_three_customer_shop_and_empty_shop(store):
    assert churn_report(store, as_of=AS_OF) == []
    shop(store, {"A": every("2025-01-01", 10, 5), "B": [("2025-06-29", 5.0)], "C": []})
    rows = churn_report(store, as_of=AS_OF, lang="zh")
    assert len(rows) == 3
    assert_sane(rows)


def test_as_of_ignores_later_orders(store):
    ids = shop(store, {"A": every("2025-01-01", 7, 30)})  # weekly until late July
    early = explain_customer(store, ids["A"], as_of="2025-03-01")
    assert early.historic_value == 900.0  # 9 orders on or before 1 March


def small_shop(store, extra: dict | None = None) -> dict[str, int]:
    """80 customers: regulars on time, regulars overdue, fading baskets, one-timers."""
    customers = dict(extra or {})
    for i in range(30):  # weekly-ish regulars still buying
        customers[f"Steady {i}"] = every("2025-01-03", 12 + i % 5, 40)[: 14 - i % 3]
        customers[f"Steady {i}"] = [(d, a) for d, a in customers[f"Steady {i}"] if d <= "2025-06-29"]
    for i in range(20):  # used to buy every ~12 days, silent since early April
        customers[f"Overdue {i}"] = every("2024-12-01", 12, 10)
    for i in range(10):  # still buying, but baskets collapsing
        rows = every("2025-02-01", 10, 15)
        customers[f"Fading {i}"] = [(d, 100.0 if k < 10 else 25.0) for k, (d, _) in enumerate(rows)]
    for i in range(20):
        customers[f"Once {i}"] = [((date(2025, 1, 1) + timedelta(days=7 * i)).isoformat(), 60.0)]
    return shop(store, customers)


def test_small_shop_gets_a_sensible_explained_ranking(store):
    ids = small_shop(store)
    rows = churn_report(store, as_of=AS_OF, top=None)
    assert len(rows) == 80
    assert_sane(rows)
    by_name = {r.name: r for r in rows}
    overdue = [by_name[f"Overdue {i}"] for i in range(20)]
    steady = [by_name[f"Steady {i}"] for i in range(30)]
    assert min(r.churn_probability for r in overdue) > max(r.churn_probability for r in steady)
    assert all(r.stage == "decline" for r in overdue)
    assert "usually buys every 12 days" in overdue[0].reasons[0] and "×" in overdue[0].reasons[0]
    fading = by_name["Fading 0"]
    assert fading.stage == "decline"
    assert any("basket down 71 %" in s for s in fading.reasons)  # 25 vs (10×100 + 2×25) / 12
    assert sum(r.stage == "stability" for r in steady) >= 20
    assert sum(r.loyal for r in steady) >= 20
    # ranked: every high-risk customer before any medium or low one
    order = [{"high": 0, "medium": 1, "low": 2}[r.risk] for r in rows]
    assert order == sorted(order)
    top = churn_report(store, as_of=AS_OF, top=5)
    assert [r.customer_id for r in top] == [r.customer_id for r in rows[:5]]
    assert ids  # the shop exists


def test_reasons_follow_the_language(store):
    ids = small_shop(store)
    zh = explain_customer(store, ids["Overdue 0"], as_of=AS_OF, lang="zh")
    assert zh.reasons[0].startswith("通常每12天购买一次") and "倍" in zh.reasons[0]
    en = explain_customer(store, ids["Overdue 0"], as_of=AS_OF, lang="en")
    assert all(s.isascii() or "×" in s for s in en.reasons)


def test_open_complaint_and_bad_tone_mean_decline(store):
    ids = small_shop(store)
    who = ids["Steady 3"]
    store.log_complaint(who, "2025-06-10", "The beans arrived stale", category="quality")
    store.log_interaction(who, "2025-06-12", "phone", "angry call", sentiment=-0.8)
    row = explain_customer(store, who, as_of=AS_OF)
    assert row.stage == "decline" and row.open_complaints == 1
    assert any("open complaint about quality since 10 Jun" in s for s in row.reasons)
    zh = explain_customer(store, who, as_of=AS_OF, lang="zh")
    assert any("6月10日" in s and "质量" in s for s in zh.reasons)


def test_demo_shop_uses_the_learned_model(demo_store):
    from assistant.analytics import churn_model

    rows = churn_report(demo_store, as_of="2026-11-01", top=20)
    assert len(rows) == 20
    assert_sane(rows)
    scores = churn_model.score(demo_store.orders_frame(), "2026-11-01")
    assert scores.method.startswith("gradient boosting")


def test_errors_say_what_to_do(store):
    shop(store, {"A": every("2025-01-01", 10, 3)})
    with pytest.raises(NotFound):
        explain_customer(store, 999, as_of=AS_OF)
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        churn_report(store, as_of="yesterday-ish")
    with pytest.raises(InvalidInput):
        churn_report(store, horizon=0)


def test_cli_json_text_and_errors(store):
    from assistant.cli.main import cli

    small_shop(store)
    db = str(store.path)
    runner = CliRunner()
    out = runner.invoke(cli, ["churn", "--db", db, "--as-of", AS_OF, "--top", "5", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert len(data) == 5 and all(KEYS <= set(d) for d in data)
    out = runner.invoke(cli, ["churn", "--db", db, "--as-of", AS_OF, "--all", "--json",
                              "--horizon", "30"])
    assert len(json.loads(out.output)) == 80
    out = runner.invoke(cli, ["churn", "--db", db, "--as-of", AS_OF, "--lang", "zh"])
    assert out.exit_code == 0 and "退化期" in out.output
    out = runner.invoke(cli, ["churn", "--db", db, "--as-of", "2025-02-30"])
    assert out.exit_code != 0 and "Traceback" not in out.output
    quiet = json.loads(runner.invoke(cli, ["churn", "--db", db, "--as-of", AS_OF, "--all",
                                           "--quiet-days", "45", "--json"]).output)
    last = {d["customer_id"]: max(o.date for o in store.orders(d["customer_id"], until=AS_OF))
            for d in quiet}
    limit = (date.fromisoformat(AS_OF) - timedelta(days=45)).isoformat()
    assert 0 < len(quiet) < 80 and all(day <= limit for day in last.values())
    everyone = (store.orders(r.customer_id, until=AS_OF)
                for r in churn_report(store, as_of=AS_OF, top=None))
    assert len(quiet) == sum(1 for orders in everyone if orders and orders[-1].date <= limit)


def test_slow_rhythm_buyer_is_not_overdue_and_not_high_risk(store):
    # every 126 days, last order 79 days before AS_OF: quiet for the shop's short horizon
    slow = [((date(2025, 4, 12) - timedelta(days=126 * k)).isoformat(), 300.0) for k in range(5)]
    ids = small_shop(store, {"Twice A Year": slow})
    who = ids["Twice A Year"]
    row = explain_customer(store, who, as_of=AS_OF)
    assert row.horizon_days < 126  # twice the shop's typical gap, far below this rhythm
    assert row.reasons[0] == "usually buys every 126 days; last order 79 days ago — not overdue yet"
    assert row.risk != "high" and row.stage != "decline"
    zh = explain_customer(store, who, as_of=AS_OF, lang="zh")
    assert zh.reasons[0].startswith("通常每126天购买一次；距上次下单79天")
    assert not any("P(" in s or "概率" in s for r in (row, zh) for s in r.reasons)
    # its P(no purchase in the horizon) is high, its risk low: no "low risk (90%)" on screen
    from assistant.agent.formatting import risk_percent

    assert row.churn_probability >= 0.6 and risk_percent(row.churn_probability, row.risk, "en") == ""
    assert ids


def test_stage_and_risk_tell_one_story_and_rank_by_money_at_stake(store):
    ids = small_shop(store)
    store.log_complaint(ids["Steady 3"], "2025-06-10", "Late again", category="delivery")
    rows = churn_report(store, as_of=AS_OF, top=None)
    assert all(r.risk != "low" for r in rows if r.stage == "decline")
    assert any(r.name == "Steady 3" and r.stage == "decline" for r in rows)
    for r in rows:
        assert math.isfinite(r.at_stake) and r.at_stake >= 0
        assert r.at_stake <= r.churn_probability * max(r.historic_value, 1) * 10
    for level in ("high", "medium", "low"):
        stakes = [r.at_stake for r in rows if r.risk == level]
        assert stakes == sorted(stakes, reverse=True)
    assert {"at_stake"} <= set(asdict(rows[0]))


def test_two_stage_scoring_keeps_the_pool_and_scores_everyone(demo_store):
    from assistant.analytics import churn_model

    args = (demo_store.orders_arrays("2026-11-01"), "2026-11-01")
    ids = demo_store.customer_ids()
    full = churn_model.score(*args, customer_ids=ids)
    split = churn_model.score(*args, customer_ids=ids, pool=50)
    assert split.method.startswith("two-stage") and not full.method.startswith("two-stage")
    p_full, p_split = full.frame["churn_probability"], split.frame["churn_probability"]
    assert len(p_split) == len(ids) and ((p_split >= 0) & (p_split <= 1)).all()
    same = abs(p_full - p_split) < 1e-9
    assert 50 <= same.sum() < len(ids)  # the pool keeps the learned scores, the rest stage 1


def test_store_analytics_reads(store):
    ids = shop(store, {"A": [("2025-01-01", 10.0), ("2025-03-01T18:30:00", 5.0)],
                       "B": [("2025-07-01", 7.0)]})
    arrays = store.orders_arrays("2025-06-30")
    assert list(arrays["customer_id"]) == [ids["A"], ids["A"]]
    assert list(arrays["day"]) == [20089, 20148]  # 2025-01-01 and 2025-03-01: time part ignored
    assert list(store.customer_ids()) == sorted(ids.values())
    assert store.customer_labels([ids["B"]]) == {ids["B"]: ("X1", "B")}


def test_report_is_cached_until_the_data_changes(store):
    ids = small_shop(store)
    before = explain_customer(store, ids["Once 19"], as_of=AS_OF)
    again = explain_customer(store, ids["Once 19"], as_of=AS_OF)
    assert again == before
    store.add_order(ids["Once 19"], "2025-06-25", 60.0)
    after = explain_customer(store, ids["Once 19"], as_of=AS_OF)
    assert after.historic_value == before.historic_value + 60.0


def test_a_page_of_a_big_report_is_the_head_of_the_full_order():
    from assistant.analytics.labels import priority

    rng = np.random.default_rng(5)
    p, stake = rng.uniform(0, 1, 5000), rng.gamma(1.0, 100.0, 5000)
    stake[:50] = np.nan  # customers with nothing at stake sort last in their tier
    # 400 rows tied at the very top: a page ends inside the tie, which goes by row as in the full sort
    stake[1000:1400], p[1000:1400] = np.nanmax(stake) + 1, 0.9
    full = priority(p, stake)
    for top in (1, 20, 250, 4999):
        np.testing.assert_array_equal(priority(p, stake, top=top)[:top], full[:top])


def _young_shop_history():
    """A shop that opened 150 days ago: 300 customers joined in its first ten days, 300 more
    since, each buying every 10-30 days until they stop (after ~60 days on average)."""
    from assistant.analytics.features import history

    rng = np.random.default_rng(2)
    cust, day = [], []
    for c in range(600):
        first = int(rng.integers(0, 10)) if c < 300 else int(rng.integers(10, 140))
        stop = min(150, first + 1 + int(rng.exponential(60)))
        days = np.arange(first, stop, int(rng.integers(10, 30)))
        cust += [c + 1] * len(days)
        day += list(days)
    orders = {"customer_id": np.array(cust), "day": np.array(day), "amount": np.full(len(day), 10.0),
              "quantity": np.ones(len(day))}
    return history(orders, np.arange(1, 601), 150)


def test_training_cutoff_skips_customers_too_young_to_learn_from(monkeypatch):
    from assistant.analytics import churn_model

    h = _young_shop_history()
    # 140 days back leaves only days-old customers (median 5 days vs ~70 when scored): the
    # trees would extrapolate their first-weeks buying; 70 days back they are ~35 days old
    assert churn_model._train_window(h, 150, 140) == 70
    # when every window is that young, the longest with enough labels still beats none
    monkeypatch.setattr(churn_model, "MIN_AGE_RATIO", 1.01)
    assert churn_model._train_window(h, 150, 140) == 140


def test_small_shops_average_several_boosted_models(demo_store):
    from assistant.analytics import churn_model

    args = (demo_store.orders_arrays("2026-11-01"), "2026-11-01")
    ids = demo_store.customer_ids()
    bagged = churn_model.score(*args, customer_ids=ids)
    assert f"({churn_model.BAG} bagged)" in bagged.method
    assert "(1 bagged)" in churn_model.score(*args, customer_ids=ids, pool=50).method


def test_quiet_customers_are_those_whose_last_order_is_old_enough(store):
    from assistant.agent.formatting import churn_rows

    shop(store, {
        "Regular": every("2025-01-01", 10, 18),  # last order 10 days before AS_OF
        "Gone Quiet": every("2025-01-01", 10, 9),  # 100 days
        "Long Gone": [("2024-12-01", 50.0)],  # 211 days
        "No Orders": [],  # never bought: not "lapsed"
    })
    page = churn_page(store, as_of=AS_OF, quiet_days=60)
    assert sorted(r.name for r in page.rows) == ["Gone Quiet", "Long Gone"]
    assert page.matching == 2 and page.quiet_days == 60
    assert_sane(page.rows)
    first = churn_page(store, as_of=AS_OF, quiet_days=60, top=1)
    assert first.matching == 2 and first.rows == page.rows[:1]
    assert churn_rows(first, "en").startswith(
        "2 customers have not ordered in the last 60 days; riskiest first, the first 1:")
    none = churn_page(store, as_of=AS_OF, quiet_days=365)
    assert none.rows == [] and none.matching == 0
    assert churn_rows(none, "zh") == "所有客户最近 365 天内都下过单。"
    with pytest.raises(InvalidInput, match="quiet_days"):
        churn_page(store, as_of=AS_OF, quiet_days=0)


@pytest.mark.parametrize("p, level, en, zh", [
    (0.95, "high", " (95%)", "（95%）"), (0.45, "medium", " (45%)", "（45%）"),
    (0.12, "low", " (12%)", "（12%）"),
    (0.95, "low", "", ""),  # a slow buyer, not overdue: the rhythm lowered the level
    (0.01, "medium", "", ""),  # an open complaint and shrinking baskets raised it
])
def test_a_percentage_is_shown_only_when_it_tells_the_same_story_as_the_level(p, level, en, zh):
    from assistant.agent.formatting import risk_percent

    assert (risk_percent(p, level, "en"), risk_percent(p, level, "zh")) == (en, zh)
