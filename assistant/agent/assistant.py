"""Assistant: a chat message -> tool calls -> a reply. The LLM proposes, code validates."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import unicodedata
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
    answer_to_preview,
    control_intent,
    format_help,
    route,
)
from assistant.agent.router.activity_rules import LOG_THAT, channel_said
from assistant.agent.router.amend import SAME_AGAIN, amend, ask_again, narrowed
from assistant.agent.router.batch import part_said, parts_per_customer
from assistant.agent.router.scoped import listed_sql, of_them, scope_of
from assistant.agent.router.campaign_rules import THOSE_LISTED
from assistant.agent.router.dispatch import name_spotter
from assistant.agent.router.meaning import CONTROL_SURE, GUESSED
from assistant.agent.router.slots import CITY_PAIRS, find_city, list_position, name_identity
from assistant.agent.router.sql_templates import find_tag
from assistant.agent.toolkit import (
    Tool,
    bind_tool,
    by_name,
    call_with_injection,
    tool_hints,
    visible_parameters,
)
from assistant.core.context import TurnContext
from assistant.core.markup import model_markdown
from assistant.core.records import Ambiguous, CrmError, NothingToUndo, NotFound, Plan, Write
from assistant.lang.colloquial import read_as_mandarin
from assistant.lang.dates import find_date
from assistant.lang.grounding import TARGETS, is_question, ungrounded
from assistant.lang.names import has_han, to_simplified
from assistant.lang.writing_system import chat_language
from assistant.store import Store
from assistant.store.accounts import LOCAL_OWNER, Accounts, NotPermitted, User, require
from assistant.store.audit import (
    StalePreview,
    UndoConflict,
    clock_time,
    describe_change,
    rows_as_shown,
    terms,
)
from assistant.store.database import DatabaseBusy, DiskFull

log = logging.getLogger(__name__)

_DATE_ARGS = ("date", "order_date", "follow_up_date")
# Slots code parses better than a small model: numbers and the contact channel.
_CODE_SLOTS = ("channel", "order_quantity", "order_amount", "quantity", "amount")
# A reading this sure handles the message without the model: exact, and ~1000x faster. Every
# exact rule and the intent model's readings clear it (a model that disagrees with them is
# overruled anyway); the model is asked where code read nothing or only guessed (a bare pronoun,
# a draft with no complaint named).
RULES_FIRST = 0.7
# A look-up the rules read at least this surely is never turned into a write by the model.
LOOK_UP_SURE = 0.8
# "undo Li's last action" / "撤销小李的上一步": an owner names whose action to revert
_UNDO_OF = (
    re.compile(r"^\s*undo\s+(?P<who>.+?)['’]s?\s+(?:last|latest|previous)\s+"
               r"(?:action|change|step|save)\s*[.!]?\s*$", re.IGNORECASE),
    re.compile(r"^\s*(?:撤销|撤回)\s*(?P<who>.+?)\s*的\s*(?:上一步|上一个操作|上一次操作|最后一步|"
               r"最近一步|最近一次操作|操作)\s*[。！!]?\s*$"),
)


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
    tool: str = ""  # the call that made it, run again when the rows changed before "yes"
    args: dict = field(default_factory=dict)
    shown: dict = field(default_factory=dict)  # {(table, id): row} the preview was made from


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
    user: User = LOCAL_OWNER
    pending: Proposal | None = None
    # A tool call that stopped at "which one?": (tool, args, candidate customers).
    asked: tuple[str, dict, list] | None = None
    # The last read answered (tool, args): "make it 15%" / "短点" after a draft adjusts it.
    last: tuple[str, dict] | None = None
    # The query answered before the last one: "the difference between the two months" is of both.
    sql_before: str = ""
    # The customers the last list showed, in order: "the first one" / "排第一那个" is one of them.
    listed: list[str] = field(default_factory=list)
    # The customers an "of them" question was about, and the query that answered it: "top 3 of
    # them" after "how many of them bought in Oct" is of the same customers, all of them.
    scoped: tuple[Any, str] | None = None
    # The last write saved here (tool, args): after "undo", "应该是 Owen Hall" saves it again, changed.
    applied: tuple[str, dict] | None = None
    # A write refused for a name nobody has (tool, args): once she is added, "把刚才那单记上" saves it.
    held: tuple[str, dict] | None = None
    spoken: bool = False  # a first "ok" has no conversation language to keep
    # One turn at a time per session (a double click); other sessions never wait on it.
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)


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


_POINTING = re.compile(r"那个|这个|那位|这位|嗰个|那个人|的那个|\bthe\b|\bone\b|\bpls\b|[.。!！?？]|的$|吧$|啦$",
                       re.IGNORECASE)


class Assistant:
    """Owns the agent loop, the sessions' pending proposals, and the turn log.

    Sessions belong to one user each and answer independently: only the model queues (the local
    model's runner holds its own lock), so rule-answered turns and confirmations never wait for
    another session's model turn.
    """

    def __init__(self, store: Store, tools: Sequence[Tool], index: Any = None, model: Any = None,
                 backend: str = "none", auto_confirm: bool = False, today: date | None = None,
                 system_prompt: str | None = None, rules_first: float | None = RULES_FIRST,
                 meaning: Callable[[str], tuple[str, float]] | None = None):
        self.store = store
        self._meaning = meaning
        # the intent model also reads which figure a sales question asks for and what a reply to a
        # preview means; a bare callable (a test's scripted intents) reads intents only
        self._figure = getattr(meaning, "figure", None)
        self._control = getattr(meaning, "control", None)
        self._index = index
        self.backend = backend if model is not None else "none"
        self.auto_confirm = auto_confirm
        self.today = today
        self.rules_first = rules_first
        self._tools = by_name(tools)
        self._sessions: dict[tuple[str, str], _Session] = {}
        self._sessions_lock = threading.Lock()  # the dict only, never held during a turn
        self._index_lock = threading.Lock()
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
              session: str = "default", user: User | None = None) -> Reply:
        """Answer one chat message from `user` (the local owner when None)."""
        user = user or LOCAL_OWNER
        s = self._session(session, user)
        with s.lock:
            started = time.perf_counter()
            previous = s.ctx.lang
            s.ctx.lang, s.ctx.today = chat_language(message), self.today or date.today()
            if s.asked is not None and len(message.strip()) <= 12 or s.spoken and not has_han(message) \
                    and len(message.split()) <= 3 and control_intent(message) in ("confirm", "cancel", "undo"):
                # a name picked after "which one?", or an "ok" / "undo" in a Chinese conversation,
                # keeps the conversation's language ("撤销" is Chinese wherever it is typed)
                s.ctx.lang = previous
            ruled = self._pointed_at(s, message)
            turn = Turn(s, message, lambda: self._rule_route(s, ruled))
            s.spoken = True
            known, shown = s.ctx.last_customer_id, s.listed
            text, backend = self._answer(turn, history)
            self._remember_named(s, message, who=s.ctx.last_customer_id == known,
                                 listed=s.listed is shown)
            out = Reply(text, turn.actions, s.pending, backend, s.ctx.lang, turn.dropped)
            self.store.record_turn(f"{user.name}/{session}", message, text, backend,
                                   (time.perf_counter() - started) * 1000, turn.calls)
            return out

    def confirm(self, session: str = "default", user: User | None = None) -> Reply:
        """Apply the session's pending proposal in one transaction."""
        english = self._session(session, user or LOCAL_OWNER).ctx.lang == "en"
        return self.reply("yes" if english else "确认", None, session, user)

    def cancel(self, session: str = "default", user: User | None = None) -> Reply:
        """Drop the session's pending proposal."""
        english = self._session(session, user or LOCAL_OWNER).ctx.lang == "en"
        return self.reply("cancel" if english else "取消", None, session, user)

    def undo(self, session: str = "default", user: User | None = None) -> Reply:
        """Revert the user's own last action."""
        english = self._session(session, user or LOCAL_OWNER).ctx.lang == "en"
        return self.reply("undo" if english else "撤销", None, session, user)

    def warm_up(self) -> None:
        """Load a local model and let it read the system prompt and tool schemas once, so the
        owner's first question does not pay for it (llama.cpp reuses the cached prefix)."""
        if self._model is None or self.backend != "local":
            return
        self._model.bind_tools(self._bound).invoke(
            [SystemMessage(self._system_prompt), HumanMessage("hello")])

    def index(self) -> Any:
        """The knowledge index, opened on first use (it loads the embedding model)."""
        with self._index_lock:
            if callable(self._index) and not hasattr(self._index, "search"):
                try:
                    self._index = self._index()
                except CrmError as ex:
                    log.warning("knowledge index unavailable: %s", ex)
                    self._index = None
            return self._index

    # -- turn handling ------------------------------------------------------------------

    def _session(self, name: str, user: User) -> _Session:
        """The user's session `name` (another user's session of the same name is another one)."""
        with self._sessions_lock:
            key = (user.name.casefold(), name)
            if key not in self._sessions:
                self._sessions[key] = _Session(TurnContext(session=name), user)
            found = self._sessions[key]
            found.user = user  # a changed role counts from the next turn
            return found

    def _answer(self, turn: Turn, history: list[dict] | None) -> tuple[str, str]:
        s, message = turn.session, turn.message
        lang = s.ctx.lang
        t = s.ctx.t
        if not (message or "").strip():
            return t("Ask me about customers, churn or complaints.", "可以问我客户、流失或投诉的事。"), "none"
        resumed = self._resume(turn)
        if resumed is not None:
            return resumed, "none"
        amended = self._amended(turn, needs_marker=True)
        if amended is not None:
            return amended, "none"
        read = read_as_mandarin(message)
        # "which of them have an open complaint" right after a list: of the customers it showed (a
        # message naming a customer, or far from a list, is about something else)
        last_sql = s.last[1].get("sql", "") if s.last and s.last[0] == "run_sql" else ""
        drilling = bool(s.scoped and last_sql and s.scoped[1] == last_sql)
        scope = (s.scoped[0] if drilling else
                 scope_of(last_sql, s.listed, s.last[1].get("query", "") if s.last[0] == "find_customers" else "")) \
            if s.last and s.last[0] in _LISTS and len(read) <= 60 and (of_them(read) or drilling) \
            and not self._stored_names(read) and not (
                s.last[0] == "find_segment" and narrowed(message, s.last[1].get("request", ""))) else None
        scoped = listed_sql(read, scope, s.ctx.today, tuple(self.store.product_names()),
                            carried=drilling and not of_them(read)) if scope else None
        if scoped is not None:  # "which of them have an open complaint": of the customers just listed
            try:
                text = self._run(turn, "run_sql", {"sql": scoped.sql})
                s.scoped = (scoped.scope, scoped.sql)
                return text, "none"
            except CrmError as ex:
                return str(ex), "none"
        again = ask_again(message, s.last[1].get("sql", ""), s.ctx.today, self._stored_names,
                          tuple(self.store.product_names()), s.sql_before) \
            if s.last and s.last[0] == "run_sql" else None
        if again is not None:
            try:
                return self._run(turn, "run_sql", {"sql": again}), "none"
            except CrmError as ex:
                return str(ex), "none"
        among = narrowed(message, s.last[1].get("request", "")) \
            if s.last and s.last[0] == "find_segment" else None
        if among is not None:
            try:
                return self._run(turn, "find_segment", {**s.last[1], "request": among}), "none"
            except CrmError as ex:
                return str(ex), "none"
        control = control_intent(message)
        if control is None and s.pending is not None:
            control = None if self._stored_names(read) else answer_to_preview(read)
        if control == "confirm":
            return self._confirm(turn), "none"
        if control == "cancel":
            return self._cancel(s), "none"
        whose = _undo_of(message)
        if control == "undo" or whose is not None:
            return self._undo(turn, whose), "none"
        if control == "greeting":
            # Answered by code: a small model forced to call a tool would invent a customer.
            return t("Hello! Ask me who might churn, log a call, or draft a complaint reply.",
                     "你好！可以问我谁可能流失、记录一次沟通，或起草投诉回复。"), "none"
        if control == "help":
            return format_help(lang), "none"
        held = self._held_again(turn)
        if held is not None:
            return held, "none"
        several = self._several_sales(turn)
        if several is not None:
            return several, "none"
        if turn.route() is None:
            # "短点 微信发的" after a draft: no request of its own, so it adjusts the last one
            amended = self._amended(turn, needs_marker=False)
            if amended is not None:
                return amended, "none"
            heard = self._control_heard(s, message)
            if heard == "confirm":
                return self._confirm(turn), "none"
            if heard == "cancel":
                return self._cancel(s), "none"
            if heard == "undo":
                return self._undo(turn, None), "none"
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

    def _cancel(self, s: _Session) -> str:
        """Drop the pending proposal, kept as the last request so a revision can bring it back."""
        t = s.ctx.t
        had, s.pending = s.pending, None
        if had is not None and had.tool:
            # "算了还是记一下 只记聊天": a revision right after may bring it back, changed
            s.last = (had.tool, dict(had.args))
        return (t("Cancelled; nothing was saved.", "已取消，没有保存任何内容。") if had
                else t("Nothing to cancel.", "没有待确认的内容。"))

    def _control_heard(self, s: _Session, message: str) -> str | None:
        """A reply no rule read, as the intent model hears it: confirm or cancel while a preview
        waits ("ok boleh, save lah", "妥了 整吧"), undo once something was saved; else None."""
        if self._control is None or s.pending is None and s.applied is None:
            return None
        which, p = self._control(message)
        if p < CONTROL_SURE or (which == "undo") != (s.pending is None):
            return None
        return which

    def _several_sales(self, turn: Turn) -> str | None:
        """Several customers' sales in one message: each part read as a message of its own, all
        the writes on one card (confirmed, saved and undone together); None when it is not that."""
        s = turn.session
        own = unicodedata.normalize("NFKC", turn.message or "").strip()
        parts = parts_per_customer(read_as_mandarin(own), tuple(self.store.customer_names()))
        if not parts:
            return None
        head = find_date(read_as_mandarin(own[:parts[0][0]]), s.ctx.today)  # "yday sat: …": every sale's day
        calls = []
        for start, end in parts:
            found = self._rule_route(s, part_said(own[start:end]))
            if not isinstance(found, Route) or found.tool not in _SALES or not found.args.get("customer") \
                    or not any(found.args.get(k) for k in ("quantity", "amount", "order_quantity", "order_amount")):
                return None  # a part that is no sale: the message is read whole, as before
            args = dict(found.args)
            day = "date" if found.tool == "add_order" else "order_date"
            if head and not args.get(day):
                args[day] = head[1]
            calls.append((found.tool, args))
        plans = []
        for name, args in calls:
            started = time.perf_counter()
            try:
                value = call_with_injection(self._tools[name].fn, args, store=self.store, index=self.index(), ctx=s.ctx)
            except CrmError as ex:
                turn.record(name, args, "error", str(ex), (time.perf_counter() - started) * 1000, error=str(ex))
                return str(ex)  # "'lily' matches several customers": nothing of the batch is proposed
            if not isinstance(value, Plan):
                return None
            plans.append(value)
            turn.record(name, args, "done" if self.auto_confirm else "proposed", "; ".join(value.summary),
                        (time.perf_counter() - started) * 1000, value)
        # one card of several customers: each line says whose it is
        merged = Plan(tuple(w for p in plans for w in p.writes), tuple(
            f"{self.store.get_customer(p.customer_id).name}: {x}" if p.customer_id else x
            for p in plans for x in p.summary))
        return self._put_forward(s, Proposal(uuid.uuid4().hex[:8], list(merged.summary), list(merged.writes),
                                             shown=rows_as_shown(self.store, merged.writes)), merged)

    def _put_forward(self, s: _Session, proposal: Proposal, plan: Plan) -> str:
        """The proposal saved at once (auto-confirm) or held for "yes"; the card's text."""
        if self.auto_confirm:
            with terms(actor=s.user.name, via="chat"):
                self.store.apply(proposal.writes, actor=s.user.name, description="; ".join(proposal.summary))
            s.applied = (proposal.tool, dict(proposal.args)) if proposal.tool else None
            self._remember_added(s, proposal.writes)
            return formatting.plan(plan, s.ctx.lang, confirmed=True)
        s.pending, s.last = proposal, None
        return formatting.plan(plan, s.ctx.lang)

    def _pointed_at(self, s: _Session, message: str) -> str:
        """The message as the rules read it: "the first one" / "排第一那个" after a list is that
        row's customer, by name ("what should I do about 王洋"), and who "her" means next."""
        at = list_position(message) if s.listed else None
        if not s.listed:
            return message
        if at is None or at[0] > len(s.listed):
            return self._singled_out(s, message)
        if self._stored_names(read_as_mandarin(message)):
            return message
        name = s.listed[at[0] - 1]
        self._remember(s, name)
        return f"{message[:at[1]]} {name} {message[at[2]:]}".strip()

    def _singled_out(self, s: _Session, message: str) -> str:
        """"the one in 苏州" / "Ethan那个" after a list: the one listed customer the message picks
        by city or by part of the name is who it (and "her" next) is about."""
        text = to_simplified(message)
        if any(said in self.store.customer_names() for said in self._stored_names(text)):
            return message
        rows = []
        for name in s.listed:
            try:
                rows.append(self.store.resolve_customer(name))
            except CrmError:
                continue
        city = find_city(text)
        if city and not _POINTS_AT_ONE.search(text) and (len(text) > 12 or _ASKS_FIGURE.search(text)):
            return message  # "深圳10月卖了多少" after a list asks about the city, not the one there
        if city:
            there = _in_city(rows, city)
            said = _said(message, city)
            if len(there) == 1:
                # "深圳那个": that row, by name, so the rules read a request about her
                self._remember(s, there[0].name)
                return f"{message[:said[0]]}{there[0].name}{message[said[1]:]}" if said else message
            first = {c.name.split()[0] for c in there if " " in c.name}
            if len(there) > 1 and len(first) == 1 and said:
                # "南京那个" when two Noras live there: asked as "Nora", so "which one?" follows
                s.listed = [c.name for c in there]
                return f"{message[:said[0]]}{first.pop()}{message[said[1]:]}"
            return message
        # whole words only: "chloe_c88" is a WeChat id, not Chloe
        words = {w.casefold() for w in re.findall(r"(?<![A-Za-z0-9_@.])[A-Za-z]{3,}(?![A-Za-z0-9_@])", text)}
        parts = [c for c in rows if (words & {w.casefold() for w in c.name.split()} and
                                     not words >= {w.casefold() for w in c.name.split()})
                 or (has_han(c.name) and len(c.name) == 3 and c.name[1:] in text)]
        if len(parts) != 1:
            return message
        said = next((w for w in parts[0].name.split() if w.casefold() in words), parts[0].name[1:])
        at = text.casefold().find(said.casefold())
        self._remember(s, parts[0].name)
        return f"{message[:at]}{parts[0].name}{message[at + len(said):]}" if at >= 0 else message

    def _remember_named(self, s: _Session, message: str, who: bool, listed: bool) -> None:
        """The one customer a message names is who "她" / "her" means next, even when no tool
        looked them up ("Lily Tan今年买了多少" then "她上一单是几号"); several named, when no list
        was shown, are the list "the first one" points into ("今天要打给 张伟, 李娜 还有 罗子涵")."""
        if not (who or listed):
            return
        named = list(dict.fromkeys(self._stored_names(read_as_mandarin(message))))
        if len(named) == 1 and who:
            self._remember(s, named[0])
        elif len(named) > 1 and listed:
            s.listed = named

    def _stored_names(self, text: str) -> list[str]:
        """The customers a (simplified) message names, as stored ("lina" -> 李娜 when only one)."""
        out = []
        for said in name_spotter(self.store.customer_names())(text):
            try:
                out.append(self.store.resolve_customer(said).name)
            except CrmError:
                out.append(said)
        return out

    def _remember(self, s: _Session, name: str | None) -> None:
        if not name:
            return
        try:
            found = self.store.resolve_customer(name)
        except CrmError:
            return
        s.ctx.remember(found.id, found.name)

    def _held_again(self, turn: Turn) -> str | None:
        """"然后把刚才那单记上" once the stranger it was for is added: the held write, for her."""
        s = turn.session
        said = read_as_mandarin(turn.message)
        if s.held is None or not _HELD_AGAIN.search(said) or is_question(said):
            return None  # "那单多少钱" asks about it, it saves nothing
        tool, args = s.held
        try:
            who = self.store.resolve_customer(str(args.get("customer") or ""))
        except CrmError:
            return None  # not added yet: the message is read as any other
        s.held = None
        try:
            return self._run(turn, tool, {**args, "customer": who.name})
        except CrmError as ex:
            return str(ex)

    def _remember_added(self, s: _Session, writes: Sequence[Write]) -> None:
        """A customer just added is who the next "她微信是…" is about."""
        for w in writes:
            if w.table == "customers" and w.op == "insert":
                self._remember(s, w.values.get("name"))

    def _amended(self, turn: Turn, needs_marker: bool) -> str | None:
        """The pending preview (or the last read) again, with what the message changes in it:
        "不对 是6包", "改到29號", "make it 15% instead"; None when it changes nothing there."""
        s = turn.session
        last = (s.pending.tool, s.pending.args) if s.pending and s.pending.tool else s.last
        resetting, said = False, read_as_mandarin(turn.message)
        if not s.pending and s.applied and SAME_AGAIN.search(said) and self._stored_names(said):
            last = s.applied  # "same for Lily Cooper" after a saved change: saved again for her
        elif not s.pending and s.applied and s.applied[0] in _SETS_A_VALUE and (
                s.last is None or s.last[0] not in self._tools or not self._tools[s.last[0]].writes):
            # "尾数是86不是88" right after a phone was saved: set again, right (setting twice is
            # harmless; an order saved twice would not be, so those are undone first)
            last, resetting = s.applied, True
        tool = self._tools.get(last[0]) if last else None
        if tool is None:
            return None
        if not s.pending and not tool.writes:
            own = turn.route()
            if isinstance(own, Route) and own.tool in self._tools and self._tools[own.tool].writes:
                return None  # "把 Sam Chen 嘅 city 改做 Shanghai" after a profile: a change of its own
        params = set(visible_parameters(tool.fn))
        if "customer" in params and not last[1].get("customer"):
            needs_marker = False  # "whose order is it?" was asked: "钱思远嘅" answers it
        fixed = amend(turn.message, last[0], last[1], params, s.ctx.today, self._stored_names, needs_marker)
        if fixed is None or resetting and fixed.get("customer") != last[1].get("customer"):
            return None  # a saved change is put right for the same customer only
        pending, s.pending = s.pending, None
        try:
            return self._run(turn, last[0], fixed)
        except CrmError as ex:
            s.pending = pending
            return str(ex)

    def _confirm(self, turn: Turn) -> str:
        s = turn.session
        t = s.ctx.t
        if s.pending is None:
            return t("Nothing is waiting for confirmation.", "没有待确认的内容。")
        proposal, s.pending = s.pending, None
        try:
            # checked inside the writing transaction: rows edited since the preview stop it
            with terms(actor=s.user.name, via="chat", expect=proposal.shown):
                self.store.apply(proposal.writes, actor=s.user.name,
                                 description="; ".join(proposal.summary))
        except StalePreview as ex:
            return self._propose_again(turn, proposal, ex)
        except (DiskFull, DatabaseBusy):
            s.pending = proposal  # nothing was written: the owner can say "yes" again later
            raise
        turn.record("confirm", {"proposal": proposal.id}, "done", "; ".join(proposal.summary))
        s.applied = (proposal.tool, dict(proposal.args)) if proposal.tool else None
        self._remember_added(s, proposal.writes)
        return formatting.plan(Plan(tuple(proposal.writes), tuple(proposal.summary)), s.ctx.lang,
                               confirmed=True)

    def _propose_again(self, turn: Turn, proposal: Proposal, stale: StalePreview) -> str:
        """Say what changed since the preview, and preview the same request on today's rows."""
        t = turn.ctx.t
        changed = "; ".join(describe_change(c, turn.ctx.lang) for c in stale.changes)
        turn.record("confirm", {"proposal": proposal.id}, "error", str(stale), error=str(stale))
        said = t(f"Not saved: someone changed this after the preview was shown — {changed}.",
                 f"未保存：预览显示后这些内容被改动了——{changed}。")
        if not proposal.tool:
            return said + t(" Ask again to see a new preview.", "请重新提出，生成新的预览。")
        try:
            again = self._run(turn, proposal.tool, dict(proposal.args))
        except CrmError as ex:
            return f"{said}\n\n{ex}"
        return said + t(" Here it is again with the current data:",
                        "以下是按最新数据重新生成的预览：") + "\n\n" + again

    def _undo(self, turn: Turn, whose: str | None) -> str:
        """Revert the user's own last action, or (an owner only) the named user's."""
        s = turn.session
        t = s.ctx.t
        target = s.user.name
        if whose is not None and whose.casefold() not in (s.user.name.casefold(), "my", "我"):
            try:
                require(s.user, "undo_others")
            except NotPermitted as ex:
                return str(ex)
            found = Accounts(self.store).get(whose)
            if found is None:
                return t(f"There is no account called {whose}.", f"没有叫 {whose} 的账号。")
            target = found.name
        # a person's own saves (chat and the app), never an import or the demo shop; before
        # accounts, chat's --yes saves were recorded as the backend
        by = (target, f"assistant:{self.backend}") if target == LOCAL_OWNER.name else (target,)
        try:
            label = self.store.undo(actor=s.user.name, by=by)
        except NothingToUndo:
            if target != s.user.name:
                return t(f"{target} has nothing left to undo.", f"{target} 没有可撤销的操作。")
            return t("Nothing saved in chat or the app by you to undo. Imports and other "
                     "changes are undone with `crm undo`.",
                     "聊天或应用里没有你可撤销的保存。导入等其他改动请用 `crm undo` 撤销。")
        except UndoConflict as ex:
            if ex.by is None:
                return t(f"Cannot undo “{ex.description}”: records added since depend on it.",
                         f"无法撤销“{ex.description}”：之后新增的记录依赖于它。")
            return t(f"Cannot undo “{ex.description}”: {ex.by} changed the same records since "
                     f"({ex.what}, {clock_time(ex.at)}). Undo that first, or change it by hand.",
                     f"无法撤销“{ex.description}”：{ex.by} 之后改过同样的记录（{ex.what}，"
                     f"{clock_time(ex.at)}）。请先撤销那一步，或手动修改。")
        who = "" if target == s.user.name else t(f" ({target}'s)", f"（{target} 的操作）")
        if target == s.user.name and s.applied:
            # "oops wrong guy, undo" then "应该是 Owen Hall": the same request, corrected
            s.last, s.applied = s.applied, None
        return t(f"Undone{who}: {label}", f"已撤销{who}：{label}")

    def _resume(self, turn: Turn) -> str | None:
        """After "which one?", a reply naming one of the candidates finishes the same request."""
        s, message = turn.session, turn.message
        if s.asked is None:
            return None
        tool, args, candidates = s.asked
        s.asked = None
        text = message.strip()
        simple = to_simplified(text)  # "張若汐呀" after "which 张?"
        picked = [c for c in candidates if text in (c.name, str(c.id), c.external_id) or (
            text and c.name in simple and len(text) <= len(c.name) + 8)]
        part = to_simplified(str(args.get("customer", ""))).strip().casefold()
        if not picked and part:
            # "杨子涵 深圳那个" after "which 子涵?": the full name said, though the short list left her out
            said = {n for n in self._stored_names(simple) if part in to_simplified(n).casefold()}
            try:
                picked = [self.store.resolve_customer(said.pop())] if len(said) == 1 else []
            except CrmError:
                picked = []
        # "磊那个" / "the tan one": the part of a name, without the pointing words
        core = _POINTING.sub("", to_simplified(text)).strip()
        if not picked and 1 <= len(core) <= 20:
            # "Nora" after "which Chen?", "磊" after "which 周?": a part of one candidate's name
            words = set(core.casefold().split())
            picked = [c for c in candidates if words <= set(c.name.casefold().split())
                      or (has_han(core) and core in c.name)]
            if not picked and str(args.get("customer", "")).strip():
                # "Lily Tan" or "tan" after "which Lily?", though the short list left her out
                asked = str(args["customer"]).casefold()
                found = None
                for said in (core, f"{asked} {core}" if not has_han(core) else f"{asked}{core}"):
                    try:
                        found = self.store.resolve_customer(said)
                        break
                    except CrmError:
                        continue
                picked = [found] if found is not None and asked in found.name.casefold() else []
        tag = find_tag(to_simplified(text).lower()) if not picked else None
        if tag:  # "the wholesale one" after "which Tom?": the one with that tag
            picked = [c for c in candidates if tag.casefold() in (c.tags or "").casefold()]
        city = find_city(to_simplified(text)) if not picked else None
        if city:  # "the hangzhou one" after "which Lily?", though the short list left her out
            asked = str(args.get("customer", "")).strip()
            picked = _in_city(candidates, city) or (
                _in_city(self.store.find_customers(asked, limit=50), city) if asked else [])
        if len(picked) == 1:
            # by name when the name is hers alone (the owner said it), else by id
            try:
                unique = self.store.resolve_customer(picked[0].name).id == picked[0].id
            except CrmError:
                unique = False
            who = picked[0].name if unique else str(picked[0].id)
            try:
                return self._run(turn, tool, {**args, "customer": who})
            except CrmError as ex:
                return str(ex)
        if len(picked) > 1 and (len(picked) < len(candidates) or city or tag):
            # "the suzhou one" when three live there: the same request, asked among those three
            s.asked = (tool, args, picked)
            names = ", ".join(f"{c.name} (id {c.id})" for c in picked[:8])
            return s.ctx.t(f"{len(picked)} of them match: {names}. Which one?",
                           f"符合的有 {len(picked)} 位：{names}。是哪一位？")
        return None

    def _rule_route(self, s: _Session, message: str) -> Route | Canned | None:
        """What the deterministic router makes of the message (None if no rule fits)."""
        return route(message, RouteContext(today=s.ctx.today, lang=s.ctx.lang,
                                           customer_names=self.store.customer_names,
                                           product_names=self.store.product_names,
                                           last_customer=s.ctx.last_customer_name,
                                           earlier_customer=s.ctx.earlier_customer_name,
                                           unknown_name=s.ctx.unknown_name,
                                           adding_customer=s.ctx.adding_customer,
                                           added_customer="add_customer" in (
                                               s.pending.tool if s.pending else None,
                                               s.applied[0] if s.applied else None),
                                           last_complaint=_complaint_worked_on(s),
                                           open_complaint=self._open_complaint,
                                           last_order=self._last_order,
                                           meaning=self._meaning, figure=self._figure),
                     tuple(self._tools.values()))

    def _open_complaint(self, name: str) -> str | None:
        """The text of the customer's latest complaint not yet resolved, or None."""
        try:
            who = self.store.resolve_customer(name)
        except CrmError:
            return None
        waiting = [c for c in self.store.complaints(who.id) if c.status != "resolved"]
        return max(waiting, key=lambda c: (c.date, c.id)).text if waiting else None

    def _last_order(self, name: str) -> dict | None:
        """The customer's latest order as stored: what "老样子" / "the usual" repeats."""
        try:
            who = self.store.resolve_customer(name)
        except CrmError:
            return None
        orders = self.store.orders(who.id)
        if not orders:
            return None
        last = max(orders, key=lambda o: (o.date, o.id))
        return {"quantity": last.quantity, "product": last.product, "amount": last.amount}

    def _run_route(self, turn: Turn, found: Route | Canned | None) -> str:
        ctx = turn.ctx
        if found is None:
            return formatting.not_understood(ctx.lang)
        turn.session.ctx.adding_customer = isinstance(found, Canned) and found.kind == "name_needed"
        if isinstance(found, Canned):
            if found.refused is not None:
                # kept, not saved: "打错了 是王洋" next corrects who it is for
                turn.session.last = (found.refused.tool, dict(found.refused.args))
                who = found.refused.args.get("customer")
                if found.kind == "unknown_customer" and isinstance(who, str) and who.strip():
                    turn.session.ctx.unknown_name = who.strip()  # "她是新客 … 先把她加进去" adds her
                    turn.session.held = (found.refused.tool, dict(found.refused.args))
                    return formatting.refusal(found.kind, ctx.lang, who.strip())
            return formatting.refusal(found.kind, ctx.lang)
        args = dict(found.args)
        if found.tool == "draft_campaign":
            args["segment"] = self._audience(turn, str(args.get("segment") or ""))
        tool, last, read = found.tool, turn.session.last, read_as_mandarin(turn.message)
        who = args.get("customer") or turn.session.ctx.last_customer_name
        if tool in ("log_activity", "customer_profile") and who and last and last[0] == "triage_complaint" \
                and last[1].get("text") and LOG_THAT.search(read):
            # "ok log it as her complaint pls" / "that was 曹涛 on wechat btw, log it as his
            # complaint" after "how bad is this one": the text just triaged, as that customer's
            told = str(last[1]["text"])
            # a reminder asked in the same breath is kept ("…记入其档案，并于本月二十七日提醒我致电慰问"),
            # and the call it plans is no channel the text came by
            planned = str(args.get("follow_up") or "")
            tool, args = "log_activity", {**({k: v for k, v in args.items() if k in ("channel", "follow_up",
                                                                                      "follow_up_date")}),
                                          "customer": who, "summary": told, "complaint": told}
            at = turn.message.find(planned) if planned and len(read) == len(turn.message) else -1
            came = read[:at] + " " * len(planned) + read[at + len(planned):] if at >= 0 else read
            if at >= 0 and args.get("channel") and channel_said(came) is None:
                del args["channel"]
            channel = channel_said(came)
            if channel:
                args["channel"] = channel
        try:
            return self._run(turn, tool, args)
        except CrmError as ex:
            return str(ex)

    def _audience(self, turn: Turn, segment: str) -> str:
        """"send them a WeChat" right after a segment was listed: that segment's request."""
        s, read = turn.session, read_as_mandarin(segment)
        if not (s.last and s.last[0] == "find_segment" and THOSE_LISTED.search(read)):
            return segment
        # the whole message (no audience was read from it) or little more than "them"; "them in
        # 上海 who bought gift boxes" is a group of its own
        rest = THOSE_LISTED.sub("", read)
        rest = re.sub(r"\b(?:to|all|of|the|ok|pls|please|send|give)\b|给|的|帮我|发|全部|所有|[\W\d]", "", rest,
                      flags=re.IGNORECASE)
        if to_simplified(segment).strip() != to_simplified(turn.message).strip() and len(rest) > 4:
            return segment
        return str(s.last[1].get("request") or segment)

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
                # Servers without native tool calling (or a small model) write the call as text:
                # checked exactly like a native call
                try:
                    return self._run(turn, echoed[0], self._checked(turn, *echoed))
                except CrmError as ex:
                    return str(ex)
            found = turn.route() if self.rules_first is not None else None
            if isinstance(found, Route):
                # a chatty answer where code understood the request does not address it
                return self._run_route(turn, found)
            return model_markdown(last.content.strip())
        raise CrmError("the model returned no answer")

    # -- tool execution (both paths) ----------------------------------------------------

    def _run_for_model(self, name: str, args: dict, config: RunnableConfig) -> str:
        """A tool call the model proposed, its slots checked against what code parses and, for a
        write, every value against the owner's words."""
        turn: Turn = config["configurable"]["turn"]
        found = turn.route() if self.rules_first is not None else None
        if isinstance(found, Route) and found.tool != name and found.tool in self._tools \
                and found.confidence > GUESSED:
            # code read the owner's words as another request: where they disagree, code's
            # grounded reading wins (a small model answers a total with the churn list)
            log.info("model chose %s, code read %s: code's reading is used", name, found.tool)
            return self._run(turn, found.tool, dict(found.args))
        return self._run(turn, name, self._checked(turn, name, args))

    def _checked(self, turn: Turn, name: str, args: dict) -> dict:
        """A model's tool call with code's slots, and for a write only what the owner said."""
        args = self._slots_from_code(turn, name, args)
        tool = self._tools.get(name)
        if tool is not None and tool.writes:
            args = self._grounded(turn, name, args)
        return args

    def _grounded(self, turn: Turn, name: str, args: dict) -> dict:
        """A write's arguments with the values nobody said dropped; a question writes nothing."""
        ctx = turn.ctx
        if is_question(turn.message):
            turn.dropped.append((name, "*"))
            raise CrmError(ctx.t("That reads as a question, so nothing was proposed for saving. "
                                 "To log something, say what happened (\"Li Na called…\").",
                                 "这像是一个问题，所以没有提议保存任何内容。要记录的话，请直接说发生了什么（“李娜来电…”）。"))
        found = turn.route()
        if isinstance(found, Route) and found.confidence >= LOOK_UP_SURE and found.tool != name \
                and found.tool in self._tools and not self._tools[found.tool].writes:
            # the rules read the owner's words surely as a look-up ("show Li Na", "draft a reply
            # to X"): a write the model adds came from somewhere else, e.g. a stored note
            turn.dropped.append((name, "*"))
            raise CrmError(ctx.t("That reads as a look-up, so nothing was proposed for saving. "
                                 "To change something, say what to change.",
                                 "这像是查询，所以没有提议保存任何内容。要修改的话，请直接说改什么。"))
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
            if isinstance(ex, NotFound) and isinstance(args.get("customer"), str) and not tool.writes:
                s.ctx.unknown_name = args["customer"].strip()
                s.last = (name, dict(args))  # "哦打错了 是魏芳": the same look, for the name meant
            raise
        except Exception as ex:
            log.exception("tool %s failed with %r", name, args)
            msg = s.ctx.t(f"Sorry, {name} failed ({type(ex).__name__}: {ex}). Nothing was saved.",
                          f"抱歉，{name} 出错了（{type(ex).__name__}：{ex}），没有保存任何内容。")
            turn.record(name, args, "error", msg, (time.perf_counter() - started) * 1000, error=msg)
            raise CrmError(msg) from ex
        ms = (time.perf_counter() - started) * 1000
        if isinstance(value, Plan):
            target = [w for w in value.writes if w.table == "complaints" and w.op == "update"]
            if "complaint_id" in visible_parameters(tool.fn) and not args.get("complaint_id") \
                    and len(target) == 1:
                # a complaint named by its customer: the call records the one it resolved to
                args = {**args, "complaint_id": target[0].row_id}
            proposal = Proposal(uuid.uuid4().hex[:8], list(value.summary), list(value.writes),
                                value.customer_id, name, dict(args),
                                rows_as_shown(self.store, value.writes))
            text = self._put_forward(s, proposal, value)
            turn.record(name, args, "done" if self.auto_confirm else "proposed", text, ms, value)
            return text
        text = tool.format(value, s.ctx.lang) if tool.format else str(value)
        if "complaint_id" in visible_parameters(tool.fn) and not args.get("complaint_id") \
                and s.ctx.last_complaint_id:
            # "顾静那个投诉 帮我拟个回复": the call records which complaint it answered
            args = {**args, "complaint_id": s.ctx.last_complaint_id}
        turn.record(name, args, "done", text, ms, value)
        if name == "run_sql":
            s.sql_before = s.last[1].get("sql", "") if s.last and s.last[0] == "run_sql" else ""
        s.last = (name, dict(args))
        shown = listed_names(value)
        if shown:
            s.listed = shown
            if len(shown) == 1:  # "有个姓贾的 叫啥" then "把他资料调出来": the one found
                self._remember(s, shown[0])
        return text


def _complaint_worked_on(s: _Session) -> int | None:
    """The complaint the last turn drafted a reply to or changed, or None (an older one is not meant)."""
    worked = next((w for w in (s.last, s.applied) if w), None)
    if worked and worked[0] in ("draft_complaint_reply", "set_complaint_status"):
        return worked[1].get("complaint_id") or s.ctx.last_complaint_id
    return None


def _in_city(rows: list, city: str) -> list:
    """The customers among `rows` who live in `city` (苏州 and Suzhou alike, "上海市" as 上海)."""
    key = name_identity(city).removesuffix("shi")
    return [c for c in rows if c.city and name_identity(c.city).removesuffix("shi") == key]


def _said(message: str, city: str) -> tuple[int, int] | None:
    """Where the message names the city, in any script or case."""
    simple = to_simplified(message).casefold()
    for form in {city, to_simplified(city)} | ({CITY_PAIRS.get(city, "")} - {""}):
        at = simple.find(form.casefold())
        if at >= 0:
            return at, at + len(form)
    return None


def listed_names(value: Any) -> list[str]:
    """The customers a list answer shows, in order (churn, loyal, segment, search, briefing, and a
    query's name column: "who's our biggest customer" then "how many orders have they placed")."""
    columns = getattr(value, "columns", None)
    if isinstance(columns, list) and "name" in columns:
        at = columns.index("name")
        return [row[at] for row in value.rows if isinstance(row[at], str)]
    rows = getattr(value, "rows", None) or getattr(value, "customers", None) or getattr(
        value, "call_today", None) or (value if isinstance(value, list) else [])
    return [r.name for r in rows if isinstance(getattr(r, "name", None), str)]


_SETS_A_VALUE = ("update_customer", "set_complaint_status")
# the tools a day's sales are told through, one customer's part at a time
_SALES = ("add_order", "log_activity")
# answers that list customers, whom "of them" can be about next
_LISTS = ("run_sql", "find_customers", "find_segment")
_ASKS_FIGURE = re.compile(r"多少|几|卖|营业额|销售|\bhow (?:many|much)\b|\bsales\b|\brevenue\b", re.IGNORECASE)
_POINTS_AT_ONE = re.compile(r"那个|那位|那一个|嗰个|那个人|的那|\bone\b|\bguy\b|\blady\b|\bwho lives\b"
                            # "the one from Shenzhen", Taglish "yung taga-Shenzhen", "yung sa Beijing"
                            r"|\b(?:the|yung)\s+(?:taga-|sa\s+|from\s+|in\s+)", re.IGNORECASE)
_HELD_AGAIN = re.compile(r"(?:刚才|之前|上面|那|这)(?:那|这)?[单笔张]|(?:记上|加上|补上|录上|入单)$"
                         r"|\b(?:that|the|her|his) (?:order|sale|purchase)\b|\b(?:log|add|save) it now\b", re.IGNORECASE)


def _undo_of(message: str) -> str | None:
    """The name in "undo Li's last action" / "撤销小李的上一步", else None."""
    for pattern in _UNDO_OF:
        found = pattern.match(message or "")
        if found:
            return found.group("who").strip()
    return None


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


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

