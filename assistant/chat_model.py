"""make_chat_model(): the only provider-aware code. 'local[:NAME]', 'openai:MODEL' or 'none'."""

from __future__ import annotations

from typing import Any

from assistant.config import Settings
from assistant.records import CrmError


def backend_name(spec: str) -> str:
    """'local:qwen2.5-coder-0.5b' -> 'local'."""
    return (spec or "none").split(":", 1)[0].strip().lower()


def make_chat_model(spec: str, settings: Settings, progress: bool = True) -> Any:
    """A LangChain chat model for CRM_MODEL / --model, or None for the rule-based router."""
    kind, _, name = (spec or "none").partition(":")
    kind = kind.strip().lower()
    if kind in ("none", "off", ""):
        return None
    if kind == "local":
        from assistant.llama_chat import DEFAULT_LOCAL_MODEL, make_local_chat_model

        return make_local_chat_model(name or DEFAULT_LOCAL_MODEL, settings.data_dir / "models",
                                     progress=progress)
    if kind == "openai":
        if not name:
            raise CrmError("Name the model: --model openai:MODEL (e.g. openai:gpt-4o-mini).")
        from langchain_openai import ChatOpenAI

        limit: dict = {"max_tokens": settings.max_tokens}
        if settings.base_url:
            # langchain-openai sends the cap as max_completion_tokens, which llama.cpp's server
            # ignores: a reply could run to the context limit. Self-hosted servers read max_tokens.
            limit = {"extra_body": {"max_tokens": settings.max_tokens}}
        # Servers such as llama.cpp's and Ollama's accept any key; OpenAI itself needs a real one.
        return ChatOpenAI(model=name, base_url=settings.base_url, api_key=settings.api_key or "none",
                          temperature=0, timeout=120, max_retries=1, **limit)
    raise CrmError(f"Unknown model backend {spec!r}: use local, local:NAME, openai:MODEL or none.")


def connection_test(spec: str, settings: Settings) -> str:
    """Say hello through the backend; returns its answer or raises CrmError with the cause."""
    model = make_chat_model(spec, settings, progress=False)
    if model is None:
        return "none: the rule-based router needs no model."
    try:
        answer = model.invoke("Reply with the single word: ok")
    except Exception as ex:  # noqa: BLE001 - any transport error is reported to the owner
        raise CrmError(f"{spec} did not answer: {ex}") from ex
    return f"{spec}: {str(answer.content).strip()[:80]}"
