"""Campaigns on real SQLite files: drafts held to the rubric, a recorded control group, approval
as one undoable action, email through a real SMTP server on 127.0.0.1, the CSV export, the
report, referrals, the CLI, chat and the Campaigns tab's functions."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from click.testing import CliRunner

from assistant.agent.assistant import Assistant
from assistant.channels.mail import SmtpSettings
from assistant.cli.main import cli
from assistant.core.config import Settings
from assistant.core.records import CrmError, ImportFailed, InvalidInput
from assistant.importer import import_file
from assistant.outreach import campaigns as camp
from assistant.outreach.drafting import (
    CHANNELS,
    GOALS,
    Recipient,
    check,
    draft,
    length_ok,
    offer_policy,
)
from assistant.outreach.report import campaign_report, lift_interval
from assistant.outreach.sending import export_csv, send_campaign
from assistant.services import Services
from assistant.store.accounts import User
from assistant.webui import campaigns as tab
from tests.test_mail import Inbox, SmtpServer, free_port
from tools import TOOLS

POLICY = offer_policy({"offer_max_percent": 15}, "豆仓")
PEOPLE = [Recipient(1, "李娜", "zh", "decline", "耶加雪菲 Yirgacheffe 250g", "K7M2QX"),
          Recipient(2, "Emma Smith", "en", "stability", "挂耳包 Drip bags ×10", "AB3CDE"),
          Recipient(3, "王小明", "zh", "stability", None, "ZX8PQR"),
          Recipient(4, "Daniel Wood", "en", "formation", "冷萃 Cold brew pack ×6", "MN4TUV"),
          Recipient(5, "欧阳娜娜", "zh", "exploration", "节日礼盒 Holiday gift box", "QR5WXY"),
          Recipient(6, "Ann Lee", "en", None, None, "HJ6KLM")]


def segment(ids, text="test segment") -> camp.Segment:
    return camp.Segment(text, tuple(ids), text)


def ids_with(store, column: str, n: int) -> list[int]:
    """The first n customers of the demo shop with this contact detail."""
    return [r["id"] for r in store.export_rows("customers") if r[column]][:n]


# -- drafting ---------------------------------------------------------------------------------

@pytest.mark.parametrize("goal", GOALS)
@pytest.mark.parametrize("channel", CHANNELS)
def test_every_template_draft_passes_the_rubric(goal, channel):
    for r in PEOPLE:
        d = draft(r, goal, channel, POLICY, new_product="危地马拉 Antigua 250g")
        assert d.ok, (r.name, d.message, d.checks)
        assert (d.offer_percent > 0) == (goal in ("winback", "reorder") and r.stage == "decline"
                                         or goal == "winback" and r.stage != "stability")
        if r.stage == "stability":
            assert d.offer_percent == 0 and "折" not in d.message and "%" not in d.message
        if r.stage == "decline" and goal == "winback":
            assert d.offer_percent == 15
            assert ("8.5折" if r.language == "zh" else "15%") in d.message
        assert ("T退订" in d.message or "STOP" in d.message) == (channel == "sms")
        opt_out = any(w in d.message for w in ("退订", "unsubscribe", "STOP"))
        assert opt_out == (channel in ("sms", "email"))


def test_sms_length_counts_the_way_a_phone_does():
    latin = draft(PEOPLE[3], "winback", "sms", offer_policy({}, "Bean Lab"))
    assert latin.message.isascii() and 70 < len(latin.message) <= 160
    assert "Cold brew" in latin.message  # the longer wording fits in 160 GSM-7 characters
    chinese = draft(PEOPLE[0], "share", "sms", POLICY)
    assert len(chinese.message) <= 70 and "K7M2QX" in chinese.message
    assert not length_ok("李" * 71, "sms") and length_ok("a" * 160, "sms")
    assert not length_ok("a" * 150 + "€" * 6, "sms")  # € takes two places in GSM-7


def test_a_model_rephrasing_is_kept_only_when_it_keeps_every_rule():
    r = PEOPLE[0]
    good = draft(r, "winback", "wechat", POLICY,
                 llm=lambda p: "李娜您好！好久不见，您爱喝的耶加雪菲刚到新货，两周内回来享8.5折。——豆仓")
    assert good.source == "model" and good.ok
    greedy = draft(r, "winback", "wechat", POLICY,
                   llm=lambda p: "李娜您好！好久不见，全场7折！——豆仓")
    assert greedy.source == "template" and "8.5折" in greedy.message
    lost_opt_out = draft(r, "winback", "sms", POLICY, llm=lambda p: "【豆仓】李娜您好，享8.5折。")
    assert lost_opt_out.source == "template" and "回T退订" in lost_opt_out.message

    def broken(prompt: str) -> str:
        raise RuntimeError("model crashed")

    assert draft(r, "winback", "wechat", POLICY, llm=broken).source == "template"


def test_a_wrong_language_or_a_missing_name_fails_the_check():
    r = PEOPLE[0]
    assert not check("Hi there, 10% off!", "", r, "winback", "wechat", POLICY)["customer_language"]
    assert not check("您好！好久不见。", "", r, "winback", "wechat", POLICY)["names_customer"]
    assert not check("李娜您好！全场5折。", "", r, "winback", "wechat",
                     POLICY)["offer_within_policy"]


# -- creating, reviewing, approving -----------------------------------------------------------

def test_an_offer_above_policy_is_refused_and_says_the_limit(demo_store):
    with pytest.raises(InvalidInput, match="limit of 10%"):
        camp.create_campaign(demo_store, segment(range(1, 30)), "winback", "wechat",
                             offer_percent=30, as_of="2026-11-01")
    demo_store.set_setting("policy", {"offer_max_percent": 30})
    made = camp.create_campaign(demo_store, segment(range(1, 30)), "winback", "wechat",
                                offer_percent=30, as_of="2026-11-01", seed=1)
    assert max(d.offer_percent for d in camp.drafts(demo_store, made.id)) == 30


def test_an_empty_segment_creates_nothing(demo_store):
    before = len(demo_store.history())
    with pytest.raises(InvalidInput, match="No customers match"):
        camp.create_campaign(demo_store, segment([]), "winback", "wechat")
    assert len(demo_store.history()) == before and camp.list_campaigns(demo_store) == []


def test_the_control_group_is_drawn_before_and_apart_from_who_cannot_be_reached(demo_store):
    ids = ids_with(demo_store, "wechat", 60)
    demo_store.update_customer(ids[0], marketing_consent="不同意")
    demo_store.update_customer(ids[1], wechat="")
    demo_store.update_customer(ids[2], marketing_consent="yes")
    made = camp.create_campaign(demo_store, segment(ids), "winback", "wechat",
                                as_of="2026-11-01", seed=42)
    assert made.skipped == {"no_consent": 1, "no_contact": 1}
    listed = {s["customer_id"]: s["reason"] for s in camp.skipped_customers(demo_store, made.id)}
    assert listed == {ids[0]: "said no to marketing", ids[1]: "no WeChat contact detail"}
    assert made.holdout == round(58 * 0.15) and made.contacted == 58 - made.holdout
    assert made.unknown_consent == made.contacted - (1 if ids[2] not in
                                                     _held(demo_store, made.id) else 0)
    again = camp.create_campaign(demo_store, segment(ids), "winback", "wechat",
                                 as_of="2026-11-01", seed=42)
    assert _held(demo_store, again.id) == _held(demo_store, made.id)  # recorded and seeded
    other = camp.create_campaign(demo_store, segment(ids), "winback", "wechat",
                                 as_of="2026-11-01", seed=43)
    assert _held(demo_store, other.id) != _held(demo_store, made.id)
    assert {ids[0], ids[1]}.isdisjoint({d.customer_id for d in camp.drafts(demo_store, made.id)})
    off = camp.create_campaign(demo_store, segment(ids), "winback", "wechat", holdout=0,
                               as_of="2026-11-01")
    assert off.holdout == 0 and off.contacted == 58


def _held(store, campaign_id: int) -> set[int]:
    from assistant.store import campaigns as rows

    return {m["customer_id"] for m in rows.members(store, campaign_id, arm="holdout")}


def test_drafts_page_and_large_segments_are_drafted_in_batches(demo_store, monkeypatch):
    monkeypatch.setattr(camp, "BATCH", 40)
    seen: list[tuple[int, int]] = []
    made = camp.create_campaign(demo_store, segment(range(1, 301)), "reorder", "sms",
                                as_of="2026-11-01", seed=3,
                                progress=lambda done, total: seen.append((done, total)))
    assert len(seen) == -(-made.contacted // 40) and seen[-1] == (made.contacted,) * 2
    first = camp.drafts(demo_store, made.id, 0, 50)
    second = camp.drafts(demo_store, made.id, 50, 50)
    assert len(first) == 50 and {d.customer_id for d in first}.isdisjoint(
        d.customer_id for d in second)


def test_edits_that_break_a_rule_are_refused_and_good_ones_saved(demo_store):
    made = camp.create_campaign(demo_store, segment(ids_with(demo_store, "phone", 10)),
                                "winback", "sms", holdout=0, as_of="2026-11-01", seed=1)
    d = camp.drafts(demo_store, made.id)[0]
    with pytest.raises(InvalidInput, match="opt-out"):
        camp.edit_draft(demo_store, made.id, d.customer_id, d.message.replace("回T退订", "")
                        .replace("Reply STOP to opt out.", ""))
    with pytest.raises(InvalidInput, match="longer than"):
        camp.edit_draft(demo_store, made.id, d.customer_id, d.message + "好" * 80)
    with pytest.raises(InvalidInput, match="more than the policy"):
        camp.edit_draft(demo_store, made.id, d.customer_id,
                        d.message.replace("回T退订", "全场5折。回T退订")
                        .replace("Reply STOP", "50% off. Reply STOP"))
    shorter = d.message.replace("好久不见！", "").replace("It's been a while - ", "")
    assert camp.edit_draft(demo_store, made.id, d.customer_id, shorter).source == "edited"


def test_approval_is_one_undoable_action_with_an_outreach_row_and_a_timeline_entry(demo_store):
    ids = ids_with(demo_store, "wechat", 20)
    made = camp.create_campaign(demo_store, segment(ids), "thanks", "wechat", holdout=0.2,
                                as_of="2026-11-01", seed=5)
    drafts = camp.drafts(demo_store, made.id)
    camp.set_dropped(demo_store, made.id, drafts[0].customer_id)
    interactions = demo_store.count("interactions")
    actions = len(demo_store.history(1000))
    camp.approve(demo_store, made.id, on="2026-11-02")
    assert len(demo_store.history(1000)) == actions + 1
    sent = demo_store.export_rows("outreach")
    assert len(sent) == len(drafts) - 1 and {o["status"] for o in sent} == {"approved"}
    assert {o["campaign_id"] for o in sent} == {made.id}
    assert demo_store.count("interactions") == interactions + len(sent)
    mine = demo_store.interactions(drafts[1].customer_id)[0]
    assert mine.date == "2026-11-02" and mine.channel == "wechat"
    assert drafts[1].message in mine.summary
    with pytest.raises(CrmError, match="already approved"):
        camp.edit_draft(demo_store, made.id, drafts[1].customer_id, "x")
    demo_store.undo()
    assert demo_store.export_rows("outreach") == []
    assert demo_store.count("interactions") == interactions
    assert camp.summary(demo_store, made.id).status == "draft"


# -- sending ----------------------------------------------------------------------------------

def _email_campaign(store, n: int = 6) -> tuple[int, list[int]]:
    ids = ids_with(store, "email", n)
    store.update_customer(ids[1], email="nobody@example.com")
    made = camp.create_campaign(store, segment(ids), "new_product", "email", holdout=0,
                                product="危地马拉 Antigua 250g", as_of="2026-11-01", seed=1)
    camp.approve(store, made.id, on="2026-11-01")
    return made.id, ids


def _statuses(store) -> dict[str, int]:
    out: dict[str, int] = {}
    for o in store.export_rows("outreach"):
        out[o["status"]] = out.get(o["status"], 0) + 1
    return out


def test_email_goes_through_a_real_smtp_server_and_a_retry_sends_only_what_did_not_go(
        demo_store):
    cid, ids = _email_campaign(demo_store)
    down = SmtpSettings.from_env({"CRM_SMTP_HOST": "127.0.0.1", "CRM_SMTP_PORT": str(free_port()),
                                  "CRM_SMTP_FROM": "shop@example.com", "CRM_SMTP_TLS": "none"})
    result = send_campaign(demo_store, cid, down)
    assert result.sent == 0 and "connection refused" in result.stopped and result.remaining == 6
    assert _statuses(demo_store) == {"approved": 6}  # nothing marked sent that was not
    with pytest.raises(CrmError, match="Mail is not set up"):
        send_campaign(demo_store, cid, None)
    with SmtpServer(Inbox(refuse=("nobody@example.com",))) as server:
        smtp = SmtpSettings.from_env(server.env())
        result = send_campaign(demo_store, cid, smtp, flush_every=2)
        assert (result.sent, len(result.failed), result.remaining) == (5, 1, 0)
        assert "550" in result.failed[0][1]
        assert len(server.inbox.messages) == 5
        _, msg = server.inbox.messages[0]
        d = next(x for x in camp.drafts(demo_store, cid) if x.customer_id == ids[0])
        assert msg["Subject"] == d.subject and "Antigua" in msg.get_content()
        assert "unsubscribe" in msg.get_content()
        again = send_campaign(demo_store, cid, smtp)
        assert again.sent == 0 and len(again.failed) == 1 and len(server.inbox.messages) == 5
    assert _statuses(demo_store) == {"sent": 5, "failed": 1}
    with pytest.raises(CrmError):  # undo never unmarks a sent email, and the approval is in use
        demo_store.undo()
    assert _statuses(demo_store) == {"sent": 5, "failed": 1}


def test_a_customer_who_opted_out_after_approval_is_not_sent_to(demo_store):
    cid, ids = _email_campaign(demo_store, 3)
    demo_store.update_customer(ids[0], marketing_consent="no")
    with SmtpServer(Inbox()) as server:
        result = send_campaign(demo_store, cid, SmtpSettings.from_env(server.env()))
        assert [name for name, _ in result.skipped] == [demo_store.get_customer(ids[0]).name]
        assert len(server.inbox.messages) == 2


def test_wechat_messages_are_handed_over_and_the_csv_makes_formulas_inert(demo_store):
    evil = demo_store.add_customer("=HYPERLINK(\"http://x\",\"hi\")", wechat="@wx_evil")
    demo_store.add_order(evil.id, "2026-06-01", 50, product="@SUM(A1)")
    made = camp.create_campaign(demo_store, segment([evil.id, *ids_with(demo_store, "wechat", 3)]),
                                "winback", "wechat", holdout=0, as_of="2026-11-01", seed=1)
    camp.approve(demo_store, made.id, on="2026-11-01")
    result = send_campaign(demo_store, made.id)
    assert result.handed_over == 4 and _statuses(demo_store) == {"exported": 4}
    out = io.StringIO()
    assert export_csv(demo_store, made.id, out) == 4
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    bad = next(r for r in rows if "HYPERLINK" in r["name"])
    assert bad["name"].startswith("'=") and bad["address"] == "'@wx_evil"
    assert all(not (v or "").startswith(("=", "+", "-", "@")) for r in rows for v in r.values())


# -- the report -------------------------------------------------------------------------------

def _small_shop(store, n: int = 40) -> list[int]:
    ids = []
    for i in range(n):
        c = store.add_customer(f"Guest {i:02d}", wechat=f"wx{i}")
        store.add_order(c.id, "2026-01-10", 30, product="Latte beans")
        ids.append(c.id)
    return ids


def test_the_report_compares_contacted_with_held_out_in_the_window(store):
    ids = _small_shop(store)
    made = camp.create_campaign(store, segment(ids), "winback", "wechat", holdout=0.25,
                                as_of="2026-03-01", seed=11)
    camp.approve(store, made.id, on="2026-03-01")
    held = sorted(_held(store, made.id))
    contacted = sorted(set(ids) - set(held))
    for cid in contacted[:15]:  # 15 of 30 contacted come back within the 30 days
        store.add_order(cid, "2026-03-10", 40)
    store.add_order(contacted[0], "2026-03-12", 25)  # a second order is not a second return
    for cid in held[:2]:  # 2 of 10 held out come back
        store.add_order(cid, "2026-03-20", 40)
    store.add_order(held[2], "2026-04-15", 40)  # after the 30 days: not counted
    store.add_order(held[3], "2026-02-27", 40)  # before the campaign: not counted
    r = campaign_report(store, made.id, as_of="2026-05-01")
    assert (r.contacted, r.holdout, r.returned_contacted, r.returned_holdout) == (30, 10, 15, 2)
    assert (r.orders_contacted, r.revenue_contacted) == (16, 625)
    assert r.lift == pytest.approx(0.5 - 0.2) and r.interval[0] < r.lift < r.interval[1]
    assert r.interval == campaign_report(store, made.id, as_of="2026-05-01").interval
    assert r.replies == 0 and r.end_date == "2026-03-30"
    assert {p["group"] for p in r.curve} == {"contacted", "holdout"}
    early = campaign_report(store, made.id, as_of="2026-03-11")
    assert early.days_elapsed == 11 and any("11 of 30 days" in n for n in early.notes)
    with pytest.raises(CrmError, match="nothing to report"):
        campaign_report(store, made.id, as_of="2026-02-01")


def test_without_a_holdout_the_report_says_it_cannot_separate_effect_from_habit(store):
    ids = _small_shop(store, 10)
    made = camp.create_campaign(store, segment(ids), "thanks", "wechat", holdout=0,
                                as_of="2026-03-01", seed=1)
    with pytest.raises(CrmError, match="not been approved"):
        campaign_report(store, made.id)
    camp.approve(store, made.id, on="2026-03-01")
    r = campaign_report(store, made.id, as_of="2026-04-30", lang="zh")
    assert r.lift is None and r.interval is None and "无法区分" in r.notes[0]


def test_the_bootstrap_interval_is_fixed_and_covers_the_difference():
    assert lift_interval(50, 100, 30, 100) == lift_interval(50, 100, 30, 100)
    low, high = lift_interval(50, 100, 30, 100)
    assert low < 0.2 < high and 0.05 < low and high < 0.35


# -- referrals --------------------------------------------------------------------------------

def test_referral_orders_are_credited_from_the_import_column_and_from_chat(demo_store, tmp_path):
    ids = ids_with(demo_store, "wechat", 12)
    made = camp.create_campaign(demo_store, segment(ids), "share", "wechat", holdout=0,
                                as_of="2026-11-01", seed=9)
    drafts = camp.drafts(demo_store, made.id)
    camp.approve(demo_store, made.id, on="2026-11-01")
    referrer = demo_store.get_customer(drafts[0].customer_id)
    code = demo_store.export_rows("customers")[referrer.id - 1]["referral_code"]
    assert code and code in drafts[0].message
    orders = tmp_path / "orders.csv"
    orders.write_text(f"客户,日期,金额,推荐码\n新朋友,2026-11-05,88,{code.lower()}\n"
                      f"{referrer.name},2026-11-06,50,{code}\n", encoding="utf-8")
    import_file(demo_store, "orders", orders)
    r = campaign_report(demo_store, made.id, as_of="2026-11-20")
    assert (r.referral_orders, r.referral_revenue) == (1, 88)  # not the referrer's own order
    friend = demo_store.resolve_customer("新朋友")
    demo_store.add_order(friend.id, "2026-11-10", 60)
    chat = Assistant(demo_store, TOOLS, today=date(2026, 11, 20))
    other = demo_store.get_customer(drafts[1].customer_id)
    reply = chat.reply(f"新朋友用了{other.name}的推荐码")
    assert [a.tool for a in reply.actions] == ["credit_referral"] and "推荐" in reply.text
    chat.reply("确认")
    assert campaign_report(demo_store, made.id, as_of="2026-11-20").referral_orders == 2


def test_marketing_consent_is_imported_and_a_bad_value_names_the_row(store, tmp_path):
    good = tmp_path / "c.csv"
    good.write_text("姓名,微信,营销同意\n张三,wx1,同意\n李四,wx2,不同意\n王五,wx3,\n",
                    encoding="utf-8")
    import_file(store, "customers", good)
    consent = {r["name"]: r["marketing_consent"] for r in store.export_rows("customers")}
    assert consent == {"张三": "yes", "李四": "no", "王五": None}
    made = camp.create_campaign(store, segment([1, 2, 3]), "thanks", "wechat", holdout=0,
                                as_of="2026-11-01")
    assert (made.contacted, made.skipped, made.unknown_consent) == (2, {"no_consent": 1}, 1)
    bad = tmp_path / "bad.csv"
    bad.write_text("name,consent\nAnn,maybe\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="row 2.*marketing consent"):
        import_file(store, "customers", bad)


# -- the command line, chat and the app -------------------------------------------------------

def run(*args, ok=True):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output
    return result


def test_the_cli_prints_the_documented_json(demo_db_file, tmp_path):
    import shutil

    db = tmp_path / "d.db"
    shutil.copy(demo_db_file, db)
    made = json.loads(run("campaign", "create", "--db", db, "--segment", "quiet for 60 days",
                          "--goal", "winback", "--channel", "sms", "--as-of", "2026-09-01",
                          "--seed", "4", "--json").output)
    assert {"id", "contacted", "holdout"} <= set(made) and made["contacted"] > 0
    drafts = json.loads(run("campaign", "drafts", made["id"], "--db", db, "--json").output)
    assert len(drafts) == made["contacted"]
    assert {"customer_id", "name", "channel", "message"} <= set(drafts[0])
    assert "Approved" in run("campaign", "approve", made["id"], "--db", db, "--on",
                             "2026-09-01").output
    out = tmp_path / "sms.csv"
    assert "【小店】" in run("campaign", "send", made["id"], "--db", db, "--csv", out).output
    assert out.read_text("utf-8-sig").count("\n") == made["contacted"] + 1
    report = json.loads(run("campaign", "report", made["id"], "--db", db, "--as-of",
                            "2026-11-01", "--json").output)
    assert {"contacted", "holdout", "returned_contacted", "returned_holdout", "lift",
            "interval"} <= set(report)
    assert report["contacted"] == made["contacted"] and len(report["interval"]) == 2
    too_much = run("campaign", "create", "--db", db, "--segment", "quiet for 60 days", "--goal",
                   "winback", "--channel", "sms", "--offer", "40", ok=False)
    assert too_much.exit_code == 1 and "limit of 10%" in too_much.output
    assert "Traceback" not in too_much.output
    unread = run("campaign", "create", "--db", db, "--segment", "people who like dark roast",
                 "--goal", "winback", "--channel", "sms", ok=False)
    assert unread.exit_code == 1 and "Not understood" in unread.output
    email = run("campaign", "send", made["id"] + 99, "--db", db, ok=False)
    assert "No campaign" in email.output


def test_chat_answers_how_the_last_campaign_did_and_previews_a_request(demo_store):
    ids = ids_with(demo_store, "wechat", 30)
    made = camp.create_campaign(demo_store, segment(ids), "winback", "wechat",
                                as_of="2026-10-01", seed=2)
    camp.approve(demo_store, made.id, on="2026-10-01")
    chat = Assistant(demo_store, TOOLS, today=date(2026, 11, 1))
    reply = chat.reply("上次召回活动效果怎么样？")
    assert [a.tool for a in reply.actions] == ["campaign_results"]
    assert f"活动 #{made.id}" in reply.text and "对照组" in reply.text
    assert "held out" in chat.reply("how did the last campaign do?").text
    before = len(demo_store.history(1000))
    preview = chat.reply("send a WeChat win-back to people quiet for 2 months with 50% off")
    assert [a.tool for a in preview.actions] == ["draft_campaign"]
    assert "Nothing was saved or sent" in preview.text and "limit of 10%" in preview.text
    assert len(demo_store.history(1000)) == before and preview.proposal is None


def test_the_campaigns_tab_pages_reviews_and_keeps_approval_for_owners(demo_store, tmp_path):
    services = Services(demo_store, Settings.from_env({"CRM_DATA_DIR": str(tmp_path),
                                                       "CRM_MODEL": "none"}))
    assert tab.create(services, "quiet for 60 days", "winback", "wechat", 0.15, "ten", "",
                      "en") == ("⚠️ The offer is a % off, e.g. 10 (blank: the policy's default).",
                                None)
    note, cid = tab.create(services, "quiet for 60 days", "winback", "wechat", 0.15, "", "",
                           "en")
    assert cid and "to contact" in note
    assert any(d.offer_percent for d in camp.drafts(demo_store, cid))  # blank: the policy's
    frame, page_note = tab.review_page(demo_store, cid, 1, "en")
    assert len(frame) == min(50, camp.summary(demo_store, cid).contacted)
    assert "Page 1 of" in page_note
    who = int(frame.iloc[0]["id"])
    assert tab.draft_message(demo_store, cid, who) == frame.iloc[0]["Message"]
    assert "⚠️" in tab.save_edit(services, cid, who, "", "en")
    staff = User("li", "staff")
    assert "Only an owner" in tab.approve_all(services, cid, "en", staff)
    assert "⛔" not in tab.approve_all(services, cid, "en")
    note, copy, path = tab.send(services, cid, "en")
    assert "ready to copy" in note and frame.iloc[1]["Message"] in copy and path
    text, curve = tab.report_view(demo_store, cid, "", 30, "zh")
    assert "联系组" in text and set(curve["group"]) == {"联系组", "对照组"}
    assert tab.preview(demo_store, "people who like dark roast", "winback", "wechat", 0.15,
                       "", "", "en").startswith("⚠️")


@pytest.mark.browser
def test_the_campaigns_tab_in_a_real_browser(demo_db_file, tmp_path):
    """Create from words, pick, approve and read the report with its plot, in headless Chromium."""
    import shutil
    from pathlib import Path

    from assistant.store import Store
    from assistant.webui import app
    from assistant.webui.theme import launch_kwargs

    chromium = "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail(f"{chromium} is missing: run `make browser` (Debian's chromium package).")
    from playwright.sync_api import sync_playwright

    shutil.copy(demo_db_file, tmp_path / "demo.db")
    store = Store.open(tmp_path / "demo.db")
    store.set_setting("ui_language", "en")
    services = Services(store, Settings.from_env({"CRM_DATA_DIR": str(tmp_path),
                                                  "CRM_MODEL": "none",
                                                  "CRM_INDEX_DIR": str(tmp_path / "kb")}))
    blocks = app.build_app(services)
    _, url, _ = blocks.launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True,
                              **launch_kwargs())
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium,
                                        args=["--headless", "--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.set_default_timeout(120_000)
            page.goto(url)
            page.locator("button[role=tab]:has-text('Campaigns')").click()
            page.locator("#camp-segment textarea").fill("quiet for 60 days")
            page.locator("#camp-create").click()
            page.wait_for_selector("#camp-created :text('to contact')")
            page.locator("#camp-pick input").click()
            page.locator("[role=option]").first.click()
            page.wait_for_selector("#camp-page-note :text('Page 1 of')")
            page.locator("#camp-approve").click()
            page.wait_for_selector("#camp-notice :text('approved')")
            page.locator("#camp-report-btn").click()
            page.wait_for_selector("#camp-report :text('held out')")
            page.wait_for_selector("#camp-plot canvas, #camp-plot svg")
            browser.close()
    finally:
        blocks.close()
        store.close()
    after = Store.open(tmp_path / "demo.db")
    assert {o["status"] for o in after.export_rows("outreach")} == {"approved"}
    after.close()
