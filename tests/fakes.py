"""Deterministic fakes shared by tests."""

from __future__ import annotations


class WordLengthEmbedder:
    """Embeds a text as the lengths of its first 16 words (llm's EmbedDemo); records calls."""

    name = "fake:word-length"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def embed(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        out = []
        for text in texts:
            lengths = [float(len(w)) for w in text.split()[:16]]
            out.append(lengths + [0.0] * (16 - len(lengths)))
        return out

    @property
    def embedded(self) -> int:
        """How many texts have been embedded so far."""
        return sum(len(c) for c in self.calls)


from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult


class ScriptedChatModel(BaseChatModel):
    """Replays queued AIMessages and records what it was shown (llm's MockModel.enqueue())."""

    script: list = []
    seen: list = []

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools, **kwargs):
        self.seen.append(("tools", [t.name for t in tools]))
        return self

    def _generate(self, messages: list[BaseMessage], stop=None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs) -> ChatResult:
        self.seen.append(list(messages))
        if not self.script:
            raise RuntimeError("ScriptedChatModel ran out of scripted replies")
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return ChatResult(generations=[ChatGeneration(message=step)])


def call(tool: str, **args) -> AIMessage:
    """An AIMessage asking for one tool call."""
    import uuid

    return AIMessage("", tool_calls=[{"name": tool, "args": args, "id": uuid.uuid4().hex[:8],
                                      "type": "tool_call"}])
