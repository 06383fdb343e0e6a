"""Text LLMs for triage and replies: Qwen prompt rendering, grammars, and (slow) the real model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage

from assistant.complaints.drafting import LLM_SCHEMA as REPLY_SCHEMA
from assistant.complaints.drafting import Remedy, ReplyContext, llm_prompt
from assistant.complaints.triage import CATEGORIES, FAULTS, LLM_SCHEMA, SEVERITIES, classify
from assistant.core.config import Settings
from assistant.models import packaged as local_model
from assistant.models.factory import make_text_llm
from assistant.models.llama_chat import Completion
from assistant.models.packaged import ModelUnavailable
from assistant.models.text_llm import (
    FREE_TEXT_GRAMMAR,
    chat_text_llm,
    fit_user,
    local_text_llm,
    render_chat,
    text_grammar,
)
from tests.fakes import ScriptedChatModel


class FakeRunner:
    """LlamaRunner's complete()/count_tokens() over canned answers; one token per 2 characters."""

    def __init__(self, answers: list[str], n_ctx: int = 4096, finish: str = "stop") -> None:
        self.answers, self.n_ctx, self.finish = list(answers), n_ctx, finish
        self.calls: list[dict] = []

    def count_tokens(self, prompt: str) -> int:
        return len(prompt) // 2

    def complete(self, prompt: str, grammar: str, max_tokens: int,
                 temperature: float = 0.0) -> Completion:
        self.calls.append({"prompt": prompt, "grammar": grammar, "max_tokens": max_tokens,
                           "temperature": temperature})
        return Completion(self.answers.pop(0), self.finish, len(prompt) // 2, 20, 0.1)


def test_render_chat_is_qwen_chatml_ending_with_the_open_assistant_turn() -> None:
    prompt = render_chat(" be brief \n", "Label this.\n")
    assert prompt == ("<|im_start|>system\nbe brief<|im_end|>\n"
                      "<|im_start|>user\nLabel this.<|im_end|>\n<|im_start|>assistant\n")


def test_json_schema_grammar_allows_only_the_label_enums() -> None:
    pytest.importorskip("llama_cpp")
    from llama_cpp import LlamaGrammar

    grammar = text_grammar(LLM_SCHEMA)
    for value in (*CATEGORIES, *SEVERITIES, *FAULTS):
        assert f'"\\"{value}\\""' in grammar
    assert '"-1.0"' in grammar and '"1.0"' in grammar and '"number' not in grammar
    # Keys come in the schema's order, and strings may not hold raw control characters.
    root = next(line for line in grammar.splitlines() if line.startswith("root ::="))
    assert root.index("is-complaint-kv") < root.index("category-kv") < root.index("language-kv")
    assert 'char ::= [^"\\\\\\x7F\\x00-\\x1F]' in grammar
    for g in (grammar, text_grammar(REPLY_SCHEMA), text_grammar(None)):
        LlamaGrammar.from_string(g, verbose=False)  # raises on a malformed grammar


def test_free_text_grammar_forbids_fake_turns_and_empty_answers() -> None:
    assert text_grammar(None) == FREE_TEXT_GRAMMAR
    assert FREE_TEXT_GRAMMAR.startswith("root ::= [^< \\t\\n] [^<]*")


def test_local_text_llm_renders_the_prompt_and_constrains_the_output() -> None:
    runner = FakeRunner(['  {"category": "delivery"} '])
    llm = local_text_llm(json_schema=LLM_SCHEMA, max_tokens=123, runner=runner)
    assert llm("Label the message: late parcel") == '{"category": "delivery"}'
    call = runner.calls[0]
    assert call["prompt"].startswith("<|im_start|>system\nYou are a careful assistant")
    assert call["prompt"].endswith("<|im_start|>user\nLabel the message: late parcel<|im_end|>\n"
                                   "<|im_start|>assistant\n")
    assert call["max_tokens"] == 123 and call["temperature"] == 0.0
    assert '"\\"waiting_time\\""' in call["grammar"]


def test_local_text_llm_without_schema_is_free_text_and_system_is_replaceable() -> None:
    runner = FakeRunner(["Dear Alice, sorry."])
    llm = local_text_llm(system="SYS", runner=runner)
    assert llm("write") == "Dear Alice, sorry."
    assert runner.calls[0]["grammar"] == FREE_TEXT_GRAMMAR
    assert runner.calls[0]["prompt"].startswith("<|im_start|>system\nSYS<|im_end|>")


def test_long_user_text_is_cut_in_the_middle_to_fit_the_context() -> None:
    runner = FakeRunner([], n_ctx=1000)
    user = "INSTRUCTIONS " + "投诉" * 3000 + " ANSWER WITH JSON"
    prompt = fit_user(runner, "sys", user, max_tokens=200)
    assert runner.count_tokens(prompt) <= 800
    assert "INSTRUCTIONS" in prompt and "ANSWER WITH JSON" in prompt and "…[cut]…" in prompt
    short = fit_user(runner, "sys", "hello", max_tokens=200)
    assert short == render_chat("sys", "hello")
    with pytest.raises(ValueError):
        fit_user(FakeRunner([], n_ctx=300), "s" * 1000, "hello", max_tokens=100)


def test_classify_through_local_text_llm_records_the_llm_path() -> None:
    answer = {"is_complaint": True, "category": "price_billing_refund", "sentiment": -0.6,
              "severity": "low", "fault": "business", "fault_clue": "the bill was wrong",
              "language": "en"}
    runner = FakeRunner([json.dumps(answer)])
    text = "The staff forgot about us and the bill was wrong."  # a near tie for the rules
    t = classify(text, llm=local_text_llm(json_schema=LLM_SCHEMA, runner=runner))
    # the rules lean to the staff by a hair; in a near tie the model's reading is taken
    assert (t.category, t.severity, t.fault) == ("price_billing_refund", "medium", "business")
    assert t.sources["category"] == "llm" and t.sources["severity"] == "rules"
    # The customer's words reach the model as quoted JSON data inside the user turn.
    assert json.dumps(text) in runner.calls[0]["prompt"]


def test_unknown_local_model_fails_before_any_loading(tmp_path) -> None:
    settings = Settings.from_env({"CRM_DATA_DIR": str(tmp_path)})
    with pytest.raises(ModelUnavailable, match="qwen2.5-coder-1.5b"):
        local_text_llm("no-such-model")
    with pytest.raises(ModelUnavailable):
        make_text_llm("local:no-such-model", settings)
    assert make_text_llm("none", settings) is None


def test_chat_text_llm_returns_the_message_text() -> None:
    model = ScriptedChatModel(script=[AIMessage("plain answer"),
                                      AIMessage([{"type": "text", "text": "part one"}])], seen=[])
    llm = chat_text_llm(model)
    assert llm("hi") == "plain answer"
    assert llm("again") == "part one"
    assert model.seen[0][0].content == "hi"


@pytest.mark.slow
def test_real_local_model_triages_zh_and_en() -> None:
    pytest.importorskip("llama_cpp")
    data_dir = Path(local_model.default_data_dir())
    model = local_text_llm(json_schema=LLM_SCHEMA, max_tokens=160, data_dir=data_dir)
    answers: list[str] = []

    def llm(prompt: str) -> str:
        answers.append(model(prompt))
        return answers[-1]

    zh = classify("快递晚了一个星期才到，盒子压坏了，杯子碎了两个。", llm=llm)
    en = classify("The waiter was rude to us and we waited forty minutes for cold food.", llm=llm)
    # What code guarantees on the LLM path; how often the model is right is bench/complaints.py's.
    assert len(answers) == 2 and all(json.loads(a)["category"] in CATEGORIES for a in answers)
    for t, lang in ((zh, "zh"), (en, "en")):
        assert t.language == lang  # decided by code, never by the model
        assert t.category in CATEGORIES and t.severity in SEVERITIES and t.fault in FAULTS
        assert -1 <= t.sentiment <= 1
        # A second opinion only: fault and severity always stay with the rules.
        assert "llm" not in t.sources["fault"] + t.sources["severity"] + t.sources["language"]


@pytest.mark.parametrize("fault, lang, present, absent", [
    ("business", "en", "Would you like us to go ahead?", "Do NOT use the words sorry"),
    ("business", "zh", "您看可以吗？", "Would you like us to go ahead?"),
    ("customer", "en", "Do NOT use the words sorry", "Say sorry clearly"),
    ("unclear", "zh", "ask for the order number", "Say sorry clearly"),
])
def test_reply_prompt_states_only_this_faults_rule_in_the_reply_language(
        fault: str, lang: str, present: str, absent: str) -> None:
    ctx = ReplyContext(1, "text", "王小红" if lang == "zh" else "Alice Walker", lang, "delivery",
                       fault, "medium")
    prompt = llm_prompt(ctx, "warm", Remedy(text="refund"), [])
    assert present in prompt and absent not in prompt
    assert ("我们会在三天内回访您。" if lang == "zh" else "We will follow up within 3 days.") in prompt
    assert "$" not in prompt  # every template variable was filled
