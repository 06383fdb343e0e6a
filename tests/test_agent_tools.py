"""Every tool, called by a scripted model through the real agent loop, on the demo shop."""

from datetime import date

import pytest

from assistant.agent.assistant import Assistant
from tests.fakes import ScriptedChatModel, call
from tools import TOOLS

WRITES = {t.name for t in TOOLS if t.writes}

TODAY = date(2026, 11, 22)
# tool -> (model arguments, a phrase the reply must contain)
CASES = {
    "find_customers": ({"query": "zhang wei"}, "张伟"),
    "customer_profile": ({"customer": "Li Na"}, "李娜"),
    "churn_risks": ({"top": 3}, "Most likely to churn"),
    "loyal_customers": ({"top": 3}, "loyal regulars"),
    "find_segment": ({"request": "杭州的café客户"}, "in 杭州; tagged café"),
    "daily_briefing": ({"top": 3}, "Call today"),
    "log_activity": ({"customer": "李娜", "summary": "asked about decaf", "channel": "wechat"},
                     "Interaction with 李娜"),
    "add_order": ({"customer": "李娜", "amount": 98, "quantity": 1, "product": "Yirgacheffe"},
                  "98.00"),
    "add_customer": ({"name": "Wang Xiaoming", "phone": "13800001111"}, "Wang Xiaoming"),
    "update_customer": ({"customer": "李娜", "city": "Hangzhou"}, "Hangzhou"),
    "set_complaint_status": ({"complaint_id": 2, "status": "resolved"}, "resolved"),
    "triage_complaint": ({"text": "The parcel arrived three days late"}, "delivery"),
    "draft_complaint_reply": ({"customer": "李娜", "tone": "warm"}, "李娜您好"),
    "suggest_actions": ({"customer": "张伟"}, "["),
    "search_playbook": ({"query": "how to handle a complaint when we are at fault"}, "["),
    "run_sql": ({"sql": "SELECT count(*) FROM customers"}, "300"),
    "campaign_results": ({}, "No campaign has been approved yet"),
    "draft_campaign": ({"segment": "quiet for 60 days", "goal": "winback", "channel": "wechat"},
                       "Nothing was saved or sent"),
    "credit_referral": ({"customer": "张伟", "referrer": "李娜"}, "李娜"),
}


def test_cases_cover_every_tool():
    assert set(CASES) == {t.name for t in TOOLS}


@pytest.fixture(scope="module")
def index(playbook_index):
    return playbook_index


@pytest.mark.parametrize("tool", sorted(CASES))
def test_tool_through_the_agent_loop(demo_store, index, tool):
    args, expected = CASES[tool]
    model = ScriptedChatModel(script=[call(tool, **args)], seen=[])
    a = Assistant(demo_store, TOOLS, index=index, model=model, backend="scripted", today=TODAY,
                  rules_first=None)
    # the owner's words carry every value the model passes (a write of values nobody said is dropped)
    reply = a.reply(f"please run {tool} with " + ", ".join(str(v) for v in args.values()))
    assert [x.tool for x in reply.actions] == [tool], reply.text
    assert reply.actions[0].status == ("proposed" if tool in WRITES else "done"), reply.text
    assert expected in reply.text
    if tool in WRITES:
        history = len(demo_store.history())
        assert "Saved" in a.reply("yes").text
        assert len(demo_store.history()) == history + 1
