"""Where code and a model read the owner's words differently, code's grounded reading wins."""

from datetime import date

import pytest
from langchain_core.messages import AIMessage

from assistant.agent.assistant import Assistant
from tests.fakes import ScriptedChatModel, call
from tools import TOOLS

TODAY = date(2026, 11, 22)
RANKING = "top 5 customers by spend"  # read by code as a ranking


@pytest.fixture
def model():
    return ScriptedChatModel(script=[], seen=[])


def top_spender(store) -> str:
    return store.db.execute("SELECT c.name FROM orders o JOIN customers c ON c.id = o.customer_id "
                            "GROUP BY c.id ORDER BY SUM(o.amount) DESC LIMIT 1").fetchone()[0]


def test_a_model_answering_a_ranking_with_the_churn_list_is_overruled_by_code(demo_store, model):
    model.script += [call("churn_risks", top=5)]
    a = Assistant(demo_store, TOOLS, model=model, backend="scripted", today=TODAY,
                  rules_first=0.9)  # a stricter bar than the default, so the model is asked
    reply = a.reply(RANKING)
    assert model.seen, "the model was asked: code was not sure enough to answer alone"
    assert [x.tool for x in reply.actions] == ["run_sql"]
    assert top_spender(demo_store) in reply.text


def test_a_chatty_model_answer_to_a_question_code_understood_is_not_shown(demo_store, model):
    model.script += [AIMessage("Great question! Loyal customers are the heart of a shop.")]
    a = Assistant(demo_store, TOOLS, model=model, backend="scripted", today=TODAY,
                  rules_first=0.9)
    reply = a.reply(RANKING)
    assert "Great question" not in reply.text
    assert top_spender(demo_store) in reply.text


def test_model_only_mode_keeps_the_models_choice(demo_store, model):
    model.script += [call("churn_risks", top=5)]
    a = Assistant(demo_store, TOOLS, model=model, backend="scripted", today=TODAY,
                  rules_first=None)
    reply = a.reply(RANKING)
    assert [x.tool for x in reply.actions] == ["churn_risks"]


def test_where_code_reads_nothing_the_models_answer_is_shown(demo_store, model):
    model.script += [AIMessage("I can look up customers, log calls and draft replies.")]
    a = Assistant(demo_store, TOOLS, model=model, backend="scripted", today=TODAY)
    reply = a.reply("qwzx plorb")
    assert "look up customers" in reply.text


def test_by_default_code_answers_what_it_reads_without_asking_the_model(demo_store, model):
    a = Assistant(demo_store, TOOLS, model=model, backend="scripted", today=TODAY)
    reply = a.reply(RANKING)
    assert not model.seen and reply.backend == "rules"
    assert top_spender(demo_store) in reply.text


def test_a_guess_of_codes_does_not_overrule_the_models_choice(demo_store, model):
    # the intent model is only 30 % sure this is about loyal customers: a guess, so the model decides
    model.script += [call("churn_risks", top=5)]
    a = Assistant(demo_store, TOOLS, model=model, backend="scripted", today=TODAY,
                  meaning=lambda text: ("loyal_customers", 0.3))
    reply = a.reply("those folks, the ones from before")
    assert model.seen and [x.tool for x in reply.actions] == ["churn_risks"]


def test_without_a_model_a_guess_whose_slots_code_reads_is_answered(demo_store):
    a = Assistant(demo_store, TOOLS, today=TODAY, meaning=lambda text: ("loyal_customers", 0.3))
    reply = a.reply("those folks, the ones from before")
    assert [x.tool for x in reply.actions] == ["loyal_customers"]
