"""Assistant: a chat message -> tool calls -> a reply. The LLM proposes, code validates."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from langchain.agents import create_agent
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import RunnableConfig

import prompts
from assistant.agent import formatting
from assistant.agent.router import (
    Canned,
    Route,
    RouteContext,
    control_intent,
    format_help,
    route,
)
from assistant.agent.toolkit import Tool, bind_tool, by_name, call_with_injection, tool_hints
from assistant.core.context import TurnContext
from assistant.core.records import Ambiguous, CrmError, NothingToUndo, Plan, Write
from assistant.lang.dates import find_date
from assistant.lang.grounding import TARGETS, is_question, ungrounded
from assistant.lang.writing_system import chat_language
from assistant.store import Store

log = logging.getLogger(__name__)

_DATE_ARGS = ("date", "order_date", "follow_up_date")
# Slots code parses better than a small model: numbers and the contact channel.
_CODE_SLOTS = ("channel", "order_quantity", "order_amount", "quantity", "amount")
# A rule this sure of a message handles it without the model: exact, and ~1000x faster.
RULES_FIRST = 0.85


@dataclass
class Action:
    tool: str
    args: dict
    status: str  # done | proposed | error
    result: Any = None
    error: str | None = None


@dataclass
class Proposal:
    id: str
    summary: list[str]
    writes: list[Write]
    customer_id: int | None = None


@dataclass
class Reply:
    text: str
    actions: list[Action] = field(default_factory=list)
    proposal: Proposal | None = None
    backend: str = "none"
    language: str = "en"
    dropped: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Session:
    ctx: TurnContext
    pending: Proposal | None = None
    # A tool call that stopped at "which one?": (tool, args, candidate customers).
    asked: tuple[str, dict, list] | None = None


@dataclass
class Turn:
    """One message being answered: where its tool calls are recorded, and the router's reading."""

    session: _Session
    message: str
    rule_route: Any  # Callable[[], Route | Canned | None], read at most once per turn
    actions: list[Action] = field(default_factory=list)
    calls: list[dict] = field(default_factory=list)
    # (tool, argument) a model proposed that nobody said: dropped, or the write refused ("*")
    dropped: list[tuple[str, str]] = field(default_factory=list)
    _route: tuple[Route | Canned | None] | None = None

    @property
    def ctx(self) -> TurnContext:
        return self.session.ctx

    def route(self) -> Route | Canned | None:
        """What the rules make of the message, computed on first use and kept for the turn."""
        if self._route is None:
            self._route = (self.rule_route(),)
        return self._route[0]

    def record(self, tool: str, args: dict, status: str, result: str, latency_ms: float = 0.0,
               value: Any = None, error: str | None = None) -> None:
        self.actions.append(Action(tool, args, status, value, error))
        self.calls.append({"tool": tool, "args": args, "status": status, "result": result[:4000],
                           "latency_ms": latency_ms})


def to_messages(history: list[dict] | None, limit: int = 12) -> list:
    """Gradio-style role/content history -> LangChain messages (display-only bubbles dropped)."""
    out = []
    for item in (history or [])[-limit:]:
        if not isinstance(item, dict) or item.get("metadata"):
            continue
        content = item.get("content")
        if isinstance(content, list):
            content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
        if not isinstance(content, str) or not content.strip():
            continue
        role = item.get("role")
        out.append(HumanMessage(content) if role == "user" else AIMessage(content))
    return out


class Assistant:
    """Owns the agent loop, the sessions' pending proposals, and the turn log."""

    def __init__(self, store: Store, tools: Sequence[Tool], index: Any = None, model: Any = None,
                 backend: str = "none", auto_confirm: bool = False, today: date | None = None,
                 system_prompt: str | None = None, rules_first: float | None = RULES_FIRST,
                 meaning: Callable[[str], tuple[str, float]] | None = None):
        self.store = store
        self._meaning = meaning
        self._index = index
        self.backend = backend if model is not None else "none"
        self.auto_confirm = auto_confirm
        self.today = today
        self.rules_first = rules_first
        self._tools = by_name(tools)
        self._sessions: dict[str, _Session] = {}
        self._lock = threading.RLock()
        self._agent = None
        self._model = model
        self._bound: list = []
        self._system_prompt = system_prompt or prompts.load(
            "system", today=(today or date.today()).isoformat(), tools=tool_hints(tools))
        if model is not None:
            self._bound = [bind_tool(t.fn, self._run_for_model) for t in self._tools.values()]
            self._agent = create_agent(model, self._bound, system_prompt=self._system_prompt)

    # -- public API ---------------------------------------------------------------------

    def reply(self, message: str, history: list[dict] | None = None,
              session: str = "default") -> Reply:
        """Answer one chat message."""
        with self._lock:
            started = time.perf_counter()
            s = self._session(session)
            previous = s.ctx.lang
            s.ctx.lang, s.ctx.today = chat_language(message), self.today or date.today()
            if s.asked is not None and len(message.strip()) <= 12:
                s.ctx.lang = previous  # a name picked after "which one?" keeps the language
            turn = Turn(s, message, lambda: self._rule_route(s, message))
            text, backend = self._answer(turn, history)
            out = Reply(text, turn.actions, s.pending, backend, s.ctx.lang, turn.dropped)
            self.store.record_turn(session, message, text, backend,
                                   (time.perf_counter() - started) * 1000, turn.calls)
            return out

    def confirm(self, session: str = "default") -> Reply:
        """Apply the session's pending proposal in one transaction."""
        return self.reply("yes" if self._session(session).ctx.lang == "en" else "确认", None, session)

    def cancel(self, session: str = "default") -> Reply:
        """Drop the session's pending proposal."""
        return self.reply("cancel" if self._session(session).ctx.lang == "en" else "取消", None,
                          session)

    def undo(self, session: str = "default") -> Reply:
        """Revert the last action."""
        return self.reply("undo" if self._session(session).ctx.lang == "en" else "撤销", None,
                          session)

    def warm_up(self) -> None:
        """Load a local model and let it read the system prompt and tool schemas once, so the
        owner's first question does not pay for it (llama.cpp reuses the cached prefix)."""
        if self._model is None or self.backend != "local":
            return
        with self._lock:
            self._model.bind_tools(self._bound).invoke(
                [SystemMessage(self._system_prompt), HumanMessage("hello")])

    def index(self) -> Any:
        """The knowledge index, opened on first use (it loads the embedding model)."""
        if callable(self._index) and not hasattr(self._index, "search"):
            try:
                self._index = self._index()
            except CrmError as ex:
                log.warning("knowledge index unavailable: %s", ex)
                self._index = None
        return self._index

    # -- turn handling ------------------------------------------------------------------

    def _session(self, name: str) -> _Session:
        if name not in self._sessions:
            self._sessions[name] = _Session(TurnContext(session=name))
        return self._sessions[name]

    def _answer(self, turn: Turn, history: list[dict] | None) -> tuple[str, str]:
        s, message = turn.session, turn.message
        lang = s.ctx.lang
        t = s.ctx.t
        if not (message or "").strip():
            return t("Ask me about customers, churn or complaints.", "可以问我客户、流失或投诉的事。"), "none"
        resumed = self._resume(turn)
        if resumed is not None:
            return resumed, "none"
        control = control_intent(message)
        if control == "confirm":
            return self._confirm(turn), "none"
        if control == "cancel":
            had, s.pending = s.pending, None
            return (t("Cancelled; nothing was saved.", "已取消，没有保存任何内容。") if had
                    else t("Nothing to cancel.", "没有待确认的内容。")), "none"
        if control == "undo":
            try:
                # only what chat itself saved: "undo" must never revert an import or the demo shop
                label = self.store.undo(actor="owner", by=("owner", f"assistant:{self.backend}"))
                return t(f"Undone: {label}", f"已撤销：{label}"), "none"
            except NothingToUndo:
                return t("Nothing saved in chat to undo. Imports and other changes are undone "
                         "with `crm undo`.",
                         "聊天里没有可撤销的保存。导入等其他改动请用 `crm undo` 撤销。"), "none"
        if control == "greeting":
            # Answered by code: a small model forced to call a tool would invent a customer.
            return t("Hello! Ask me who might churn, log a call, or draft a complaint reply.",
                     "你好！可以问我谁可能流失、记录一次沟通，或起草投诉回复。"), "none"
        if control == "help":
            return format_help(lang), "none"
        if self._agent is not None:
            sure = turn.route()
            if isinstance(sure, Canned):
                return self._run_route(turn, sure), "none"
            if sure is not None and self.rules_first is not None \
                    and sure.confidence >= self.rules_first:
                return self._run_route(turn, sure), "rules"
            try:
                return self._ask_model(turn, history), self.backend
            except Exception as ex:  # noqa: BLE001 - any model failure falls back to the router
                log.warning("model backend %s failed (%s); using the rule-based router",
                            self.backend, ex)
                note = t(f"(The {self.backend} model is unavailable: {ex}. Answered without it.)\n\n",
                         f"（{self.backend} 模型不可用：{ex}。以下由规则引擎回答。）\n\n")
                return note + self._run_route(turn, turn.route()), "none"
        return self._run_route(turn, turn.route()), "none"

    def _confirm(self, turn: Turn) -> str:
        s = turn.session
        t = s.ctx.t
        if s.pending is None:
            return t("Nothing is waiting for confirmation.", "没有待确认的内容。")
        proposal, s.pending = s.pending, None
        self.store.apply(proposal.writes, actor="owner", description="; ".join(proposal.summary))
        turn.record("confirm", {"proposal": proposal.id}, "done", "; ".join(proposal.summary))
        return formatting.plan(Plan(tuple(proposal.writes), tuple(proposal.summary)), s.ctx.lang,
                               confirmed=True)

    def _resume(self, turn: Turn) -> str | None:
        """After "which one?", a reply naming one of the candidates finishes the same request."""
        s, message = turn.session, turn.message
        if s.asked is None:
            return None
        tool, args, candidates = s.asked
        s.asked = None
        text = message.strip()
        for c in candidates:
            if text in (c.name, str(c.id), c.external_id) or (
                    text and c.name in text and len(text) <= len(c.name) + 8):
                try:
                    return self._run(turn, tool, {**args, "customer": str(c.id)})
                except CrmError as ex:
                    return str(ex)
        return None

    def _rule_route(self, s: _Session, message: str) -> Route | Canned | None:
        """What the deterministic router makes of the message (None if no rule fits)."""
        return route(message, RouteContext(today=s.ctx.today, lang=s.ctx.lang,
                                           customer_names=self.store.customer_names,
                                           last_customer=s.ctx.last_customer_name,
                                           meaning=self._meaning),
                     tuple(self._tools.values()))

    def _run_route(self, turn: Turn, found: Route | Canned | None) -> str:
        ctx = turn.ctx
        if found is None:
            return formatting.not_understood(ctx.lang)
        if isinstance(found, Canned):
            return formatting.refusal(found.kind, ctx.lang)
        try:
            return self._run(turn, found.tool, dict(found.args))
        except CrmError as ex:
            return str(ex)

    def _ask_model(self, turn: Turn, history: list[dict] | None) -> str:
        before = to_messages(history) + [HumanMessage(turn.message)]
        # The turn travels in the run's config: each tool call the model makes reads it there.
        state = self._agent.invoke({"messages": before},
                                   config={"recursion_limit": 8, "configurable": {"turn": turn}})
        new = state["messages"][len(before):]
        last = new[-1] if new else None
        if isinstance(last, ToolMessage):
            return str(last.content)
        if isinstance(last, AIMessage) and isinstance(last.content, str) and last.content.strip():
            echoed = _tool_call_in_text(last.content, set(self._tools))
            if echoed is not None:
                # Servers without native tool calling (or a small model) write the call as text.
                try:
                    return self._run(turn, echoed[0], self._slots_from_code(turn, *echoed))
                except CrmError as ex:
                    return str(ex)
            return last.content.strip()
        raise CrmError("the model returned no answer")

    # -- tool execution (both paths) ----------------------------------------------------

    def _run_for_model(self, name: str, args: dict, config: RunnableConfig) -> str:
        """A tool call the model proposed, its slots checked against what code parses and, for a
        write, every value against the owner's words."""
        turn: Turn = config["configurable"]["turn"]
        args = self._slots_from_code(turn, name, args)
        tool = self._tools.get(name)
        if tool is not None and tool.writes:
            args = self._grounded(turn, name, args)
        return self._run(turn, name, args)

    def _grounded(self, turn: Turn, name: str, args: dict) -> dict:
        """A write's arguments with the values nobody said dropped; a question writes nothing."""
        ctx = turn.ctx
        if is_question(turn.message):
            turn.dropped.append((name, "*"))
            raise CrmError(ctx.t("That reads as a question, so nothing was proposed for saving. "
                                 "To log something, say what happened (\"Li Na called…\").",
                                 "这像是一个问题，所以没有提议保存任何内容。要记录的话，请直接说发生了什么（“李娜来电…”）。"))
        found = turn.route()
        known = [str(v) for v in (ctx.last_customer_name, ctx.last_complaint_id) if v]
        if isinstance(found, Route) and found.tool == name:
            known += [str(v) for v in found.args.values()]  # code read these from the message
        bad = ungrounded(args, turn.message, known)
        turn.dropped += [(name, key) for key in bad]
        # a target nobody named makes the whole proposal wrong, not one part of it
        required = {key for key in bad if key in TARGETS}
        if required:
            shown = ", ".join(f"{key}={args[key]!r}" for key in sorted(required))
            raise CrmError(ctx.t(f"I couldn't find {shown} in your message, so nothing was proposed. "
                                 "Name the customer (or the complaint number) and try again.",
                                 f"你的消息里没有 {shown}，所以没有提议保存。请说明是哪位客户（或投诉编号）再试一次。"))
        return {k: v for k, v in args.items() if k not in bad}

    def _slots_from_code(self, turn: Turn, name: str, args: dict) -> dict:
        """The LLM proposes, code validates: small models invent dates ('2025-11-21' for 下周)
        and default enums ('phone' for a visit); where the rules parse the same tool's slots from
        the owner's own words, those win."""
        message = turn.message
        found = turn.route()
        from_code = found.args if isinstance(found, Route) and found.tool == name else {}
        out = dict(args)
        for key in _CODE_SLOTS:
            if from_code.get(key) is not None:
                out[key] = from_code[key]
        for key in _DATE_ARGS:
            if from_code.get(key):
                out[key] = from_code[key]
            elif out.get(key) and str(out[key]).strip().lower() not in message.lower():
                hit = find_date(message, turn.ctx.today) if key == "date" else None
                if hit:
                    out[key] = hit[1]
                else:
                    out.pop(key)  # the owner named no such date: let the tool default it
        return out

    def _run(self, turn: Turn, name: str, args: dict) -> str:
        """Execute one tool for the turn; a Plan becomes the session's pending proposal."""
        s = turn.session
        tool = self._tools.get(name)
        started = time.perf_counter()
        if tool is None:
            raise CrmError(f"There is no tool {name!r}.")
        try:
            value = call_with_injection(tool.fn, args, store=self.store, index=self.index(),
                                        ctx=s.ctx)
        except CrmError as ex:
            turn.record(name, args, "error", str(ex), (time.perf_counter() - started) * 1000,
                        error=str(ex))
            if isinstance(ex, Ambiguous) and "customer" in args:
                s.asked = (name, dict(args), ex.candidates)
            raise
        except Exception as ex:  # noqa: BLE001 - a bug in a tool must not kill the chat
            log.exception("tool %s failed with %r", name, args)
            msg = s.ctx.t(f"Sorry, {name} failed ({type(ex).__name__}: {ex}). Nothing was saved.",
                          f"抱歉，{name} 出错了（{type(ex).__name__}：{ex}），没有保存任何内容。")
            turn.record(name, args, "error", msg, (time.perf_counter() - started) * 1000, error=msg)
            raise CrmError(msg) from ex
        ms = (time.perf_counter() - started) * 1000
        if isinstance(value, Plan):
            proposal = Proposal(uuid.uuid4().hex[:8], list(value.summary), list(value.writes),
                                value.customer_id)
            if self.auto_confirm:
                self.store.apply(proposal.writes, actor=f"assistant:{self.backend}",
                                 description="; ".join(proposal.summary))
                text = formatting.plan(value, s.ctx.lang, confirmed=True)
                turn.record(name, args, "done", text, ms, value)
                return text
            s.pending = proposal
            text = formatting.plan(value, s.ctx.lang)
            turn.record(name, args, "proposed", text, ms, value)
            return text
        text = tool.format(value, s.ctx.lang) if tool.format else str(value)
        turn.record(name, args, "done", text, ms, value)
        return text


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S)


def _tool_call_in_text(text: str, tools: set[str]) -> tuple[str, dict] | None:
    """{"name": tool, "arguments": {...}} written as the answer, fenced or not; else None."""
    body = _FENCE.sub(r"\1", text.strip())
    body = re.sub(r"^<tool_call>|</tool_call>$", "", body).strip()
    if not body.startswith("{"):
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    name = data.get("name") if isinstance(data, dict) else None
    args = data.get("arguments", data.get("parameters", {})) if isinstance(data, dict) else None
    if name in tools and isinstance(args, dict):
        return name, args
    return None
