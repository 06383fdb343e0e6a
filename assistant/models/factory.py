"""The one place a model backend spec is read: 'local[:NAME]', 'openai:MODEL' or 'none'.

The app, the CLI, complaint drafting and the benches all ask here for a chat model (the agent's)
or a text callable (triage and replies), so a new backend is added once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.config import Settings
from assistant.core.records import CrmError
from assistant.models.packaged import DEFAULT_LOCAL_MODEL
from assistant.models.text_llm import TextLLM, chat_text_llm, local_text_llm

BACKENDS = ("local", "openai", "none")


@dataclass(frozen=True)
class Backend:
    """A parsed backend spec: kind is local, openai or none; name is the model ('' = default)."""

    kind: str
    name: str = ""

    @classmethod
    def parse(cls, spec: str | None) -> Backend:
        """'local:qwen2.5-coder-0.5b' -> Backend('local', 'qwen2.5-coder-0.5b'); unknown kinds fail."""
        kind, _, name = (spec or "none").partition(":")
        kind = kind.strip().lower()
        if kind in ("none", "off", ""):
            return cls("none")
        if kind not in BACKENDS:
            raise CrmError(f"Unknown model backend {spec!r}: use local, local:NAME, "
                           "openai:MODEL or none.")
        return cls(kind, name.strip())

    @property
    def spec(self) -> str:
        return f"{self.kind}:{self.name}" if self.name else self.kind

    @property
    def local_model(self) -> str:
        """The packaged model this local backend runs."""
        return self.name or DEFAULT_LOCAL_MODEL


def make_chat_model(spec: str, settings: Settings, progress: bool = True) -> Any:
    """A LangChain chat model for CRM_MODEL / --model, or None for the rule-based router."""
    backend = Backend.parse(spec)
    if backend.kind == "none":
        return None
    if backend.kind == "local":
        # llama_cpp loads here, only when a local model is asked for
        from assistant.models.llama_chat import make_local_chat_model

        return make_local_chat_model(backend.local_model, settings.data_dir / "models",
                                     progress=progress, cache_dir=settings.data_dir / "prompt-cache")
    if not backend.name:
        raise CrmError("Name the model: --model openai:MODEL (e.g. openai:gpt-4o-mini).")
    # langchain_openai pulls in the openai client and httpx: only for this backend
    from langchain_openai import ChatOpenAI

    limit: dict = {"max_tokens": settings.max_tokens}
    if settings.base_url:
        # langchain-openai sends the cap as max_completion_tokens, which llama.cpp's server
        # ignores: a reply could run to the context limit. Self-hosted servers read max_tokens.
        limit = {"extra_body": {"max_tokens": settings.max_tokens}}
    # Servers such as llama.cpp's and Ollama's accept any key; OpenAI itself needs a real one.
    return ChatOpenAI(model=backend.name, base_url=settings.base_url,
                      api_key=settings.api_key or "none", temperature=0, timeout=120,
                      max_retries=1, **limit)


def make_text_llm(spec: str, settings: Settings, json_schema: dict | None = None,
                  max_tokens: int = 400, data_dir: Path | None = None) -> TextLLM | None:
    """A prompt -> text callable for triage and replies from the same spec (None for none)."""
    backend = Backend.parse(spec)
    if backend.kind == "none":
        return None
    if backend.kind == "local":
        return local_text_llm(backend.local_model, json_schema, max_tokens,
                              data_dir=data_dir or settings.data_dir / "models")
    return chat_text_llm(make_chat_model(spec, settings, progress=False))


def connection_test(spec: str, settings: Settings) -> str:
    """Say hello through the backend; returns its answer or raises CrmError with the cause."""
    model = make_chat_model(spec, settings, progress=False)
    if model is None:
        return "none: the rule-based router needs no model."
    try:
        answer = model.invoke("Reply with the single word: ok")
    except Exception as ex:
        raise CrmError(f"{spec} did not answer: {ex}") from ex
    return f"{spec}: {str(answer.content).strip()[:80]}"
