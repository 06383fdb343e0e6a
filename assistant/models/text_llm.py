"""Prompt-in, text-out callables over the local model or a chat model, for triage and replies.

`classify(text, llm=...)` and `draft_reply(..., llm=...)` take any `Callable[[str], str]` and check
what comes back; this module makes that callable from the packaged Qwen GGUF (one llama.cpp model,
loaded on first use and shared by every callable) or from a LangChain chat model.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import prompts
from assistant.models.packaged import DEFAULT_LOCAL_MODEL, ensure_model, get_spec

log = logging.getLogger(__name__)
TextLLM = Callable[[str], str]
# Free text may not contain "<": the model cannot write a fake "<|im_start|>user" turn and ramble on
# past its answer; it must start with a visible character, so it cannot answer with nothing.
FREE_TEXT_GRAMMAR = "root ::= [^< \\t\\n] [^<]*\n"
# llama.cpp's JSON-string rule lets raw newlines into strings; json.loads rejects those, so a
# reply with a line break would fail to parse and reach the user as raw JSON.
_LOOSE_CHAR = 'char ::= [^"\\\\]'
_STRICT_CHAR = 'char ::= [^"\\\\\\x7F\\x00-\\x1F]'
_CUT = "\n…[cut]…\n"

_runners: dict[str, Any] = {}
_runners_lock = threading.Lock()


def render_chat(system: str, user: str) -> str:
    """Qwen ChatML for one system and one user turn, ending with the open assistant turn."""
    return (f"<|im_start|>system\n{system.strip()}<|im_end|>\n"
            f"<|im_start|>user\n{user.strip()}<|im_end|>\n<|im_start|>assistant\n")


def text_grammar(json_schema: dict | None = None) -> str:
    """GBNF: one JSON value of the schema (keys in the schema's order), or free text without '<'."""
    if json_schema is None:
        return FREE_TEXT_GRAMMAR
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    order = list(json_schema.get("properties", {}))
    grammar = json_schema_to_gbnf(json.dumps(json_schema), prop_order=order)
    return grammar.replace(_LOOSE_CHAR, _STRICT_CHAR)


def fit_user(runner: Any, system: str, user: str, max_tokens: int) -> str:
    """The chat prompt, cutting the middle of the user message until it fits the context window."""
    prompt = render_chat(system, user)
    room = runner.n_ctx - max_tokens
    tokens = runner.count_tokens(prompt)
    keep = len(user)
    while tokens > room:
        # Instructions sit at the start and end of our prompts; the quoted customer text in the
        # middle is what can grow (a 20 kB paste), so that is what gets cut.
        keep = int(keep * room / tokens * 0.95) - len(_CUT)
        if keep < 200:
            raise ValueError("the prompt's fixed part does not fit the local model's context")
        half = keep // 2
        prompt = render_chat(system, user[:half] + _CUT + user[-half:])
        tokens = runner.count_tokens(prompt)
    return prompt


def shared_runner(model_name: str = DEFAULT_LOCAL_MODEL, data_dir: Path | None = None) -> Any:
    """One LlamaRunner per model name for the whole process (the weights load on first completion)."""
    with _runners_lock:
        if model_name not in _runners:
            from assistant.models.llama_chat import LlamaRunner

            path = ensure_model(get_spec(model_name), data_dir, progress=False)
            _runners[model_name] = LlamaRunner(path)
        return _runners[model_name]


def local_text_llm(model_name: str = DEFAULT_LOCAL_MODEL, json_schema: dict | None = None,
                   max_tokens: int = 400, *, system: str | None = None,
                   runner: Any = None, data_dir: Path | None = None) -> TextLLM:
    """prompt -> text from the local model, grammar-constrained to json_schema when given."""
    get_spec(model_name)  # an unknown name fails now, not at the first complaint
    system_text = system if system is not None else prompts.load("text_system")
    grammar: list[str] = []  # built on first call: llama_cpp is imported lazily

    def complete(prompt: str) -> str:
        active = runner or shared_runner(model_name, data_dir)
        if not grammar:
            grammar.append(text_grammar(json_schema))
        done = active.complete(fit_user(active, system_text, prompt, max_tokens), grammar[0],
                               max_tokens=max_tokens, temperature=0.0)
        log.debug("local text llm: %d+%d tokens in %.1fs (%s)", done.prompt_tokens,
                  done.completion_tokens, done.seconds, done.finish_reason)
        if done.finish_reason == "length":
            log.warning("local text llm hit max_tokens=%d; the output is cut", max_tokens)
        return done.text.strip()

    return complete


def chat_text_llm(chat_model: Any) -> TextLLM:
    """prompt -> text from a LangChain chat model (the openai: backend)."""

    def complete(prompt: str) -> str:
        content = chat_model.invoke(prompt).content
        if isinstance(content, list):  # content parts: keep the text ones
            content = "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in content)
        return str(content).strip()

    return complete
