"""A LangChain chat model over llama.cpp that owns its tool-calling format (backend `local`)."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import ConfigDict, Field

from assistant.models.packaged import DEFAULT_LOCAL_MODEL, ModelUnavailable, ensure_model, get_spec
from assistant.models.tool_format import (
    Answer,
    ModelOutputError,
    ToolCall,
    build_grammar,
    parse_output,
    render_prompt,
    tool_spec,
)

__all__ = [
    "DEFAULT_LOCAL_MODEL",
    "LlamaRunner",
    "LlamaToolChatModel",
    "ModelOutputError",
    "make_local_chat_model",
]

# Chosen by bench/local_tool_choice.py.
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Completion:
    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float


PREFIX_END = "<|im_start|>user"  # the system prompt and tool schemas end where the talk begins
KEPT_PREFIXES = 8  # evaluated prompt states kept per model (one per system prompt / tool set)


def _prefix_state(llm: Any, prefix: list[int], cache_dir: Path | None, model_path: Path) -> None:
    """Have `llm` hold the evaluated `prefix`: already there, read from disk, or evaluated now (and
    saved when there is a cache folder). The prefix is always evaluated on its own, so a turn
    computes the same numbers whether its prefix came from disk or not. A new process (one `crm ask`) then reads only the owner's message, not the ~1,500
    tokens of system prompt and tool schemas that took most of a one-shot turn on two cores.

    The file is keyed by the model file (hash-checked when assembled, so its name identifies it)
    and the prefix's tokens; only the KV state and token ids are kept: the prefix's logits are
    never read, because the message after it is always evaluated afresh.
    """
    import hashlib
    import pickle

    import numpy as np

    if len(llm.input_ids) >= len(prefix) and list(llm.input_ids[:len(prefix)]) == prefix:
        return
    if cache_dir is None:
        llm.reset()
        llm.eval(prefix)
        return
    key = hashlib.sha256(np.asarray(prefix, dtype=np.int32).tobytes()).hexdigest()[:32]
    folder = cache_dir / model_path.stem
    path = folder / f"{key}.state"
    if path.exists():
        try:
            llm.load_state(pickle.loads(path.read_bytes()))
            path.touch()
            return
        except Exception as ex:  # noqa: BLE001 - a damaged file is evaluated again
            log.warning("prompt state %s unreadable (%s); evaluating the prompt again", path, ex)
    llm.reset()
    llm.eval(prefix)
    state = llm.save_state()
    state.scores = np.zeros((1, state.scores.shape[1]), dtype=state.scores.dtype)  # broadcast
    folder.mkdir(parents=True, exist_ok=True)
    part = path.with_suffix(".part")
    part.write_bytes(pickle.dumps(state))
    part.replace(path)
    for old in sorted(folder.glob("*.state"), key=lambda f: f.stat().st_mtime)[:-KEPT_PREFIXES]:
        old.unlink(missing_ok=True)


class LlamaRunner:
    """One llama.cpp model, loaded on first use and used by one thread at a time."""

    def __init__(self, model_path: Path, n_ctx: int = 4096, n_threads: int = 2,
                 cache_dir: Path | None = None):
        self.model_path = model_path
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.cache_dir = cache_dir
        self._llm: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._llm is None:
            from llama_cpp import Llama

            # No rope_freq_base: 0.0 (the default) keeps the GGUF's value; Qwen needs its 1e6.
            self._llm = Llama(
                model_path=str(self.model_path),
                n_ctx=self.n_ctx,
                n_threads=self.n_threads,
                n_threads_batch=self.n_threads,
                verbose=False,
            )
        return self._llm

    def close(self) -> None:
        """Free the model's memory; the next call loads it again."""
        with self._lock:
            if self._llm is not None:
                self._llm.close()
                self._llm = None

    def count_tokens(self, prompt: str) -> int:
        with self._lock:
            return len(self._load().tokenize(prompt.encode("utf-8"), add_bos=False, special=True))

    def complete(
        self, prompt: str, grammar: str, max_tokens: int, temperature: float = 0.0
    ) -> Completion:
        """Generate under a GBNF grammar; greedy unless temperature > 0."""
        from llama_cpp import LlamaGrammar

        with self._lock:
            llm = self._load()
            tokens = llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
            start = time.perf_counter()
            cut = prompt.find(PREFIX_END)
            if cut > 0:
                prefix = llm.tokenize(prompt[:cut].encode("utf-8"), add_bos=False, special=True)
                if tokens[:len(prefix)] == prefix:
                    _prefix_state(llm, prefix, self.cache_dir, self.model_path)
            out = llm.create_completion(
                tokens,
                max_tokens=max_tokens,
                temperature=temperature,
                top_k=1 if temperature == 0 else 40,
                seed=7,
                grammar=LlamaGrammar.from_string(grammar, verbose=False),
                stop=["<|im_end|>"],
            )
            seconds = time.perf_counter() - start
        choice, usage = out["choices"][0], out["usage"]
        return Completion(
            choice["text"],
            choice.get("finish_reason") or "stop",
            usage["prompt_tokens"],
            usage["completion_tokens"],
            seconds,
        )


class LlamaToolChatModel(BaseChatModel):
    """Qwen GGUF via llama.cpp; replies are grammar-forced to one tool call or one answer."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    runner: Any  # LlamaRunner, or a fake with the same complete()/count_tokens() in tests
    model_name: str = DEFAULT_LOCAL_MODEL
    tools: list[dict[str, Any]] = Field(default_factory=list)
    tool_choice: str = "auto"
    tool_first: bool = True
    max_tokens: int = 256
    n_ctx: int = 4096

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-tool-grammar"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "tools": [t["name"] for t in self.tools]}

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: str | None = None, **kwargs: Any
    ) -> LlamaToolChatModel:
        """A copy that offers these tools; tool_choice: auto, any/required, none or a tool name."""
        choice: Any = tool_choice
        if isinstance(choice, dict):  # OpenAI style {"type": "function", "function": {"name": ...}}
            choice = choice.get("function", {}).get("name", "any")
        choice = {None: "auto", "required": "any", True: "any", False: "none"}.get(choice, choice)
        return self.model_copy(
            update={"tools": [tool_spec(t) for t in tools], "tool_choice": choice}
        )

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        prompt = self._fit(messages)
        choice = self.tool_choice if self.tools else "none"
        if (
            choice == "auto"
            and self.tool_first
            and messages
            and isinstance(messages[-1], HumanMessage)
        ):
            # free to choose, small models answer instead of acting (0/15); a fresh user
            # message therefore always gets a tool call, and the model may answer after the results.
            choice = "any"
        result = self._decide(prompt, choice)
        if isinstance(result, ToolCall) and _already_called(messages, result):
            # A small model may repeat the call it just got results for; make it answer instead.
            result = self._decide(prompt, "none")
        if isinstance(result, Answer):
            message = AIMessage(content=result.text)
        else:
            call_id = f"call_{uuid.uuid4().hex[:12]}"
            message = AIMessage(
                content="",
                tool_calls=[
                    {
                        "name": result.name,
                        "args": result.arguments,
                        "id": call_id,
                        "type": "tool_call",
                    }
                ],
            )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _decide(self, prompt: str, choice: str) -> ToolCall | Answer:
        """One grammar-constrained completion, parsed; one retry with more room, then ModelOutputError."""
        grammar = build_grammar(self.tools, choice)
        problems = []
        for attempt, (max_tokens, temperature) in enumerate(
            ((self.max_tokens, 0.0), (self.max_tokens * 2, 0.3))
        ):
            done = self.runner.complete(
                prompt, grammar, max_tokens=max_tokens, temperature=temperature
            )
            log.debug(
                "local model attempt %d: %d tokens in %.1fs: %s",
                attempt,
                done.completion_tokens,
                done.seconds,
                done.text,
            )
            try:
                result = parse_output(done.text, self.tools)
            except ValueError as ex:
                problems.append(str(ex))
                continue
            if isinstance(result, Answer) and done.finish_reason == "length":
                result = Answer(result.text + "…")  # cut by max_tokens: still worth showing
            return result
        raise ModelOutputError(
            f"The local model gave no usable reply ({'; '.join(problems)}). "
            "Try rephrasing, or use --model none. / 本地模型没有给出可用的回复，请换个说法或使用 --model none。"
        )

    def _fit(self, messages: list[BaseMessage]) -> str:
        """Render, dropping the oldest turns before the latest user message until the prompt fits."""
        msgs = list(messages)
        while True:
            prompt = render_prompt(msgs, self.tools)
            if self.runner.count_tokens(prompt) + self.max_tokens * 2 <= self.n_ctx:
                return prompt
            droppable = [i for i, m in enumerate(msgs) if m.type != "system"][:-1]
            last_user = max(
                (i for i, m in enumerate(msgs) if isinstance(m, HumanMessage)), default=len(msgs)
            )
            droppable = [i for i in droppable if i < last_user]
            if not droppable:
                raise ModelOutputError(
                    "This message is too long for the local model; shorten it or start a new chat. "
                    "/ 这条消息对本地模型来说太长了，请缩短或开始新的对话。"
                )
            del msgs[droppable[0]]


def _already_called(messages: list[BaseMessage], call: ToolCall) -> bool:
    """Whether this exact call was already made since the latest user message."""
    key = json.dumps([call.name, call.arguments], sort_keys=True)
    for m in reversed(messages):
        if isinstance(m, HumanMessage):
            return False
        if isinstance(m, AIMessage) and any(
            json.dumps([c["name"], c["args"]], sort_keys=True) == key for c in m.tool_calls
        ):
            return True
    return False


def make_local_chat_model(
    model_name: str = DEFAULT_LOCAL_MODEL, data_dir: Path | None = None, progress: bool = True,
    cache_dir: Path | None = None,
) -> BaseChatModel:
    """The `local` backend: assemble the packaged GGUF if needed; the model itself loads on first use."""
    spec = get_spec(model_name)
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        raise ModelUnavailable(
            "The local backend needs llama-cpp-python: pip install 'llama-cpp-python==0.3.36' (it compiles, "
            '~6 min on 2 cores; CMAKE_ARGS="-DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF" keeps it short), or use '
            "--model none. / 本地模型需要 llama-cpp-python：请先安装它（需编译约 6 分钟），或使用 --model none。"
        ) from None
    path = ensure_model(spec, data_dir, progress=progress)
    return LlamaToolChatModel(runner=LlamaRunner(path, cache_dir=cache_dir), model_name=model_name)
