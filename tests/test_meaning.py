"""The intent model (real multilingual-e5 from its PyPI package) where no exact rule fires."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.agent.router import Canned, RouteContext, route
from assistant.agent.router.meaning import MeaningModel, training_rows
from knowledge.embedder import MultilingualE5Embedder, text_digest
from tools import TOOLS

TODAY = date(2026, 11, 22)
NAMES = ["张伟", "李娜", "王洋", "Sophia Brown", "Nora Chen", "Lily King"]


@pytest.fixture(scope="module")
def meaning():
    return MeaningModel(MultilingualE5Embedder())


def ctx(meaning) -> RouteContext:
    return RouteContext(today=TODAY, customer_names=lambda: NAMES, meaning=meaning)


@pytest.mark.parametrize("message, tool, args", [
    ("who's drifted off lately", "churn_risks", {}),
    ("哪些人好久没来了", "churn_risks", {}),
    ("any news on how much we made in october", "run_sql", {}),
    ("Sophia Brown's history pls", "customer_profile", {"customer": "Sophia Brown"}),
])
def test_owner_wording_finds_its_tool(meaning, message, tool, args):
    found = route(message, ctx(meaning), TOOLS)
    assert found is not None and found.tool == tool, found
    assert all(found.args.get(k) == v for k, v in args.items()), found


@pytest.mark.parametrize("message, kind", [
    ("寫首詩給我", "unsupported"), ("book me a flight to tokyo", "unsupported"),
])
def test_what_no_tool_does_is_said_plainly(meaning, message, kind):
    assert route(message, ctx(meaning), TOOLS) == Canned(kind)


@pytest.mark.parametrize("message", ["did Lily King complain again?", "has 王洋 bought beans lately?",
                                     "Nora Chen added as customer?"])
def test_a_question_never_becomes_a_write(meaning, message):
    found = route(message, ctx(meaning), TOOLS)
    writes = {t.name for t in TOOLS if t.writes}
    assert found is None or isinstance(found, Canned) or found.tool not in writes, found


def test_without_the_model_the_rules_alone_answer(meaning):
    assert route("who's drifted off lately", RouteContext(today=TODAY, customer_names=lambda: NAMES),
                 TOOLS) is None


def test_shipped_vectors_match_the_training_texts():
    import numpy as np

    from assistant.agent.router.meaning import VECTORS

    saved = np.load(VECTORS)
    rows = training_rows()
    assert str(saved["digest"]) == text_digest([r["text"] for r in rows]), "training texts changed"
    assert saved["vectors"].shape == (len(rows), 384)
    again = MultilingualE5Embedder().embed_query(rows[0]["text"])
    assert float(np.dot(saved["vectors"][0], again)) > 0.99


def test_changed_training_texts_are_embedded_again(tmp_path):
    train = tmp_path / "t.jsonl"
    train.write_text('{"text": "hello there", "intent": "smalltalk"}\n'
                     '{"text": "who may churn", "intent": "churn_risks"}\n', "utf-8")
    model = MeaningModel(MultilingualE5Embedder(), train=(train,), vectors=tmp_path / "v.npz")
    assert model("who might stop buying")[0] == "churn_risks"
    assert (tmp_path / "v.npz").exists()


@pytest.mark.parametrize("message, tool", [
    ("which cafés in suzhou spent over 3000 this year", "find_segment"),
    ("push a note about the new beans to the gift buyers by text", "draft_campaign"),
    ("did that win-back blast actually bring anyone back", "campaign_results"),
])
def test_segments_and_campaigns_are_understood_in_other_words(meaning, message, tool):
    found = route(message, ctx(meaning), TOOLS)
    assert found is not None and found.tool == tool, found


def test_a_referral_names_whose_code_it_was(meaning):
    found = route("Nora Chen paid with Lily King's code", ctx(meaning), TOOLS)
    assert found.tool == "credit_referral", found
    assert found.args == {"customer": "Nora Chen", "referrer": "Lily King"}


def fixed(intent: str, p: float):
    return lambda text: (intent, p)


def test_a_fallback_rule_yields_to_a_sure_intent_model():
    # a name and little else reads as a profile; an intent model sure of advice wins
    sure = RouteContext(today=TODAY, customer_names=lambda: NAMES, meaning=fixed("suggest_actions", 0.9))
    unsure = RouteContext(today=TODAY, customer_names=lambda: NAMES, meaning=fixed("suggest_actions", 0.5))
    assert route("Sophia Brown", sure, TOOLS).tool == "suggest_actions"
    assert route("Sophia Brown", unsure, TOOLS).tool == "customer_profile"


def test_an_unsure_reading_is_a_guess_and_never_a_refusal():
    from assistant.agent.router.meaning import GUESSED

    guess = route("those folks, the ones from before",
                  RouteContext(today=TODAY, customer_names=lambda: NAMES,
                               meaning=fixed("loyal_customers", 0.3)), TOOLS)
    assert guess.tool == "loyal_customers" and guess.confidence == GUESSED
    assert route("those folks, the ones from before",
                 RouteContext(today=TODAY, customer_names=lambda: NAMES,
                              meaning=fixed("unsupported", 0.3)), TOOLS) is None
