"""The morning briefing: who to call and why, what is due and waiting, on real store files."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from assistant.analytics.briefing import SECTIONS, keep_briefing, today
from assistant.cli.main import cli
from assistant.store import Store
from assistant.store.briefings import briefing_on, last_briefing
from tests.conftest import DEMO_END

AS_OF = DEMO_END.isoformat()
ENTRY_KEYS = {"customer_id", "external_id", "name", "reasons", "action"}


def regular(store: Store, name: str, gap: int, count: int, last: date, amount: float = 100.0,
            **fields) -> int:
    """A customer who bought `count` times every `gap` days, the last time on `last`."""
    c = store.add_customer(name, **fields)
    for k in range(count):
        store.add_order(c.id, (last - timedelta(days=gap * (count - 1 - k))).isoformat(), amount)
    return c.id


@pytest.fixture
def small_shop(store: Store) -> Store:
    """A steady weekly regular, one a little late, one long gone, and a one-off buyer."""
    day = date(2026, 6, 30)
    regular(store, "On Time", 7, 20, day - timedelta(days=3))
    regular(store, "Running Late", 7, 20, day - timedelta(days=17), amount=150.0)
    regular(store, "Long Gone", 7, 20, day - timedelta(days=400))
    regular(store, "Once Only", 7, 1, day - timedelta(days=20))
    return store


def test_the_demo_briefing_has_every_section_and_each_line_explains_itself(demo_store):
    b = today(demo_store, AS_OF, lang="en")
    data = b.to_json()
    assert {"as_of", "call_today", "due_to_reorder", "complaints_waiting", "tasks_due", "dates",
            "changes"} <= set(data)
    assert data["as_of"] == AS_OF
    assert 1 <= len(b.call_today) <= 7
    for name in SECTIONS:
        for e in data[name]:
            assert ENTRY_KEYS <= set(e)
            assert e["reasons"] and all(isinstance(r, str) and r for r in e["reasons"])
    for e in b.call_today:
        assert "usually every" in e.reasons[0] and e.citation
        # late on their own rhythm, and a regular
        assert e.details["days_since_last_order"] > e.details["usual_gap_days"]
    scores = [e.details["score"] for e in b.call_today]
    assert scores == sorted(scores, reverse=True)


def test_call_today_ranks_a_late_regular_over_the_long_gone_and_the_punctual(small_shop):
    b = today(small_shop, "2026-06-30", top=7)
    names = [e.name for e in b.call_today]
    assert names[0] == "Running Late"
    assert "On Time" not in names and "Once Only" not in names
    first = b.call_today[0]
    assert first.reasons[0] == "usually every 7 days; 17 days since the last order"
    assert any("spent ¥" in r for r in first.reasons)
    # the long-gone customer is far less likely to be won back by a call
    gone = [e for e in b.call_today if e.name == "Long Gone"]
    assert not gone or gone[0].details["chance"] < first.details["chance"]


def test_an_open_complaint_raises_urgency_and_changes_the_action(small_shop):
    before = today(small_shop, "2026-06-30").call_today[0]
    small_shop.log_complaint(before.customer_id, "2026-06-29", "The last beans were stale.")
    after = today(small_shop, "2026-06-30").call_today[0]
    assert after.customer_id == before.customer_id
    assert after.details["score"] > before.details["score"]
    assert after.citation == "complaint-respond-fast"
    assert "has an open complaint" in after.reasons


def test_a_logged_call_today_takes_the_customer_off_the_list(small_shop):
    first = today(small_shop, "2026-06-30").call_today[0]
    small_shop.log_interaction(first.customer_id, "2026-06-30", "phone", "Called: all fine")
    assert first.customer_id not in [e.customer_id for e in
                                     today(small_shop, "2026-06-30").call_today]


def test_due_to_reorder_lists_a_regular_whose_next_order_is_days_away(store):
    cid = regular(store, "Weekly Wang", 7, 10, date(2026, 6, 25))
    store.add_order(cid, "2026-06-25", 1, product="Espresso Blend")  # what they usually buy
    b = today(store, "2026-06-30", lang="zh")
    [due] = [e for e in b.due_to_reorder if e.customer_id == cid]
    assert "预计2天后（2026-07-02）下单" in due.reasons[0]
    assert due.details["usual_products"] == ["Espresso Blend"]


def test_complaints_past_the_response_target_are_flagged_and_first(store):
    a = store.add_customer("Old Complaint")
    b = store.add_customer("New Complaint")
    store.log_complaint(a.id, "2026-06-25", "Box arrived crushed", severity="low")
    store.log_complaint(b.id, "2026-06-30", "Wrong beans", severity="high")
    store.set_setting("response_target_hours", 48)
    brief = today(store, "2026-06-30")
    first = brief.complaints_waiting[0]
    assert first.name == "Old Complaint" and first.details["overdue"]
    assert any("past the 48 h response target" in r for r in first.reasons)
    assert brief.urgent >= 1


def test_tasks_due_and_a_promised_follow_up(store):
    c = store.add_customer("Li Na")
    store.add_task(c.id, "2026-06-28", "Send the new price list")
    store.log_interaction(c.id, "2026-06-27", "wechat", "She asked about decaf; I'll call back Monday")
    b = today(store, "2026-06-30")
    kinds = {e.kind: e for e in b.tasks_due}
    assert kinds["task"].details["overdue"] and "2 days overdue" in kinds["task"].reasons[0]
    assert kinds["follow_up"].name == "Li Na"
    # a later conversation keeps the promise
    store.log_interaction(c.id, "2026-06-29", "phone", "Called her back")
    assert "follow_up" not in {e.kind for e in today(store, "2026-06-30").tasks_due}


def test_birthdays_anniversaries_and_29_february(store):
    leap = store.add_customer("Leap Day", birthday="2000-02-29")
    store.add_customer("No Birthday")
    store.add_customer("Far Away", birthday="08-15")
    b = today(store, "2027-02-25")  # 2027 is not a leap year: the 28th
    [e] = b.dates
    assert e.customer_id == leap.id and e.details["date"] == "2027-02-28"
    assert "birthday in 3 days" in e.reasons[0]
    first = regular(store, "Since Last Year", 30, 13, date(2027, 2, 20))  # first order 2026-02-25
    kinds = {(x.customer_id, x.kind) for x in today(store, "2027-02-25").dates}
    assert (first, "anniversary") in kinds


def test_bad_birthdays_are_refused_with_the_format(store):
    with pytest.raises(Exception, match="YYYY-MM-DD or MM-DD"):
        store.add_customer("Typo", birthday="next tuesday")
    with pytest.raises(Exception, match="no such day"):
        store.add_customer("Typo", birthday="02-30")


def test_an_empty_shop_a_single_customer_and_a_future_date_say_what_they_can(store):
    empty = today(store, "2026-06-30")
    assert empty.is_empty() and any("No orders yet" in n for n in empty.notes)
    regular(store, "Only One", 10, 4, date(2026, 6, 1))
    one = today(store, "2026-06-30")
    assert [e.name for e in one.call_today] == ["Only One"]
    future = today(store, (date.today() + timedelta(days=30)).isoformat())
    assert any("in the future" in n for n in future.notes)


def test_as_of_counts_only_data_dated_on_or_before_it(small_shop):
    late = today(small_shop, "2026-06-30").call_today[0]
    small_shop.add_order(late.customer_id, "2026-07-02", 150)
    small_shop.log_complaint(late.customer_id, "2026-07-03", "later complaint")
    again = today(small_shop, "2026-06-30")
    assert again.call_today[0].customer_id == late.customer_id
    assert not again.complaints_waiting
    assert late.customer_id not in [e.customer_id for e in today(small_shop, "2026-07-04").call_today]


def test_what_changed_since_the_last_kept_briefing(small_shop):
    keep_briefing(small_shop, today(small_shop, "2026-06-20"))
    c = small_shop.add_customer("Brand New")
    small_shop.add_order(c.id, "2026-06-29", 88)
    small_shop.log_complaint(c.id, "2026-06-29", "The bag was torn")
    b = today(small_shop, "2026-06-30")
    assert b.since == "2026-06-20"
    kinds = {(e.kind, e.name) for e in b.changes}
    assert ("first_order", "Brand New") in kinds and ("new_complaint", "Brand New") in kinds
    # "Running Late" passed twice their usual gap (14 days) on 2026-06-27: moved into decline
    assert ("decline", "Running Late") in kinds
    assert b.changes[-1].kind == "sales"
    assert last_briefing(small_shop, "2026-06-30")["as_of"] == "2026-06-20"


def test_kept_briefings_are_capped(store):
    for k in range(35):
        keep_briefing(store, today(store, (date(2026, 1, 1) + timedelta(days=k)).isoformat()))
    assert store.db.execute("SELECT count(*) FROM briefings").fetchone()[0] == 30


def test_stored_text_in_the_briefing_is_shown_as_text(store):
    c = regular(store, "<img src=x onerror=alert(1)>", 7, 10, date(2026, 6, 10))
    md = today(store, "2026-06-30").to_markdown()
    assert "<img" not in md and "&lt;img" in md
    assert c


def run(*args) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_json_is_what_scripts_expect(demo_db_file):
    data = json.loads(run("today", "--db", demo_db_file, "--as-of", AS_OF, "--top", 3, "--json"))
    assert list(data)[:1] == ["as_of"] and len(data["call_today"]) == 3
    for key in ("call_today", "due_to_reorder", "complaints_waiting", "tasks_due", "dates",
                "changes"):
        assert isinstance(data[key], list)
    assert ENTRY_KEYS <= set(data["call_today"][0])


def test_cli_bad_date_is_one_line(demo_db_file):
    result = CliRunner().invoke(cli, ["today", "--db", str(demo_db_file), "--as-of", "2026-13-40"])
    assert result.exit_code != 0
    assert "no such day" in result.output and "Traceback" not in result.output


def test_notify_without_a_desktop_writes_a_dated_file(demo_store, tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CRM_SMTP_HOST", raising=False)
    result = CliRunner().invoke(cli, ["today", "--db", str(demo_store.path), "--as-of", AS_OF,
                                      "--notify"])
    assert result.exit_code == 0, result.output
    written = tmp_path / "briefings" / f"{AS_OF}.md"
    assert written.exists() and "Call today" in written.read_text("utf-8")


def test_notify_emails_the_briefing_through_a_real_smtp_server(demo_store, tmp_path, monkeypatch):
    from tests.test_mail import Inbox, SmtpServer

    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path))
    with SmtpServer(Inbox()) as server:
        for key, value in server.env(CRM_BRIEFING_TO="owner@example.com").items():
            monkeypatch.setenv(key, value)
        result = CliRunner().invoke(cli, ["today", "--db", str(demo_store.path), "--as-of", AS_OF,
                                          "--lang", "zh", "--notify"])
        assert result.exit_code == 0, result.output
        [(to, msg)] = server.inbox.messages
    assert to == ["owner@example.com"]
    assert msg["Subject"].startswith(f"今日简报 · {AS_OF}")
    assert "今天该联系" in msg.get_content()


def test_notify_with_the_mail_server_down_still_writes_the_file(demo_store, tmp_path, monkeypatch):
    from tests.test_mail import free_port

    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CRM_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CRM_SMTP_PORT", str(free_port()))  # nobody listens
    monkeypatch.setenv("CRM_SMTP_FROM", "shop@example.com")
    monkeypatch.setenv("CRM_SMTP_TLS", "none")
    result = CliRunner().invoke(cli, ["today", "--db", str(demo_store.path), "--as-of", AS_OF,
                                      "--notify"])
    assert result.exit_code == 0
    assert "email not sent" in result.output and "Traceback" not in result.output
    assert (tmp_path / "briefings" / f"{AS_OF}.md").exists()


def test_a_briefing_for_today_is_kept_for_tomorrow(demo_store):
    run("today", "--db", demo_store.path)
    assert briefing_on(demo_store, date.today().isoformat()) is not None


@pytest.mark.parametrize("message", ["今天该联系谁？", "what should I do today?", "morning briefing",
                                     "有什么需要我注意的", "today 要 call 谁"])
def test_chat_asks_for_the_briefing(message):
    from assistant.agent.router import Route, RouteContext, route
    from tools import TOOLS

    found = route(message, RouteContext(today=DEMO_END, customer_names=lambda: ["李娜", "张伟"]),
                  TOOLS)
    assert isinstance(found, Route) and found.tool == "daily_briefing"


def test_chat_answers_with_the_briefing_without_a_model(demo_store):
    from assistant.agent.assistant import Assistant
    from tools import TOOLS

    bot = Assistant(demo_store, TOOLS, index=None, model=None, backend="none", today=DEMO_END)
    reply = bot.reply("今天该联系谁？")
    assert "今天该联系" in reply.text and "通常每" in reply.text


def test_the_app_composes_the_briefing_once_a_day(demo_store, tmp_path):
    from assistant.core.config import Settings
    from assistant.services import Services
    from assistant.webui import schedule

    services = Services(demo_store, Settings.from_env({"CRM_DATA_DIR": str(tmp_path),
                                                       "CRM_MODEL": "none"}))
    assert schedule.compose_briefing(services, DEMO_END)
    assert not schedule.compose_briefing(services, DEMO_END)  # already kept today
    scheduler = schedule.start(services)
    try:
        jobs = {j.id: j for j in scheduler.get_jobs()}
        assert jobs["briefing"].trigger.fields[5].expressions[0].first == schedule.BRIEFING_HOUR
        assert "backup" in jobs
    finally:
        scheduler.shutdown(wait=True)
    assert briefing_on(demo_store, date.today().isoformat()) is not None


def test_the_today_tab_is_first_and_its_buttons_act(demo_store, tmp_path):
    from assistant.core.config import Settings
    from assistant.services import LOCAL_OWNER, Services
    from assistant.webui import app
    from assistant.webui import today as tab

    services = Services(demo_store, Settings.from_env({"CRM_DATA_DIR": str(tmp_path),
                                                       "CRM_MODEL": "none"}))
    assert app.TABS[0][0] == "today"
    b = tab.compose(demo_store, "en", DEMO_END)
    grid = tab.table(b)
    assert len(grid) == len(tab.lines(b)) and list(grid.columns)[2] == "Customer"
    section, first = tab.lines(b)[0]
    assert section == "call_today"
    text = tab.draft_for(services, first, "en")
    assert first.name.split()[0] in text or first.name in text
    note = tab.log_call(services, first, LOCAL_OWNER, "en", DEMO_END)
    assert note.startswith("✅")
    [logged] = [i for i in demo_store.interactions(first.customer_id) if "daily briefing" in i.summary]
    assert logged.channel == "phone" and logged.date == AS_OF
    assert first.customer_id not in [e.customer_id for e in
                                     tab.compose(demo_store, "en", DEMO_END).call_today]
