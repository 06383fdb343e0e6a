"""route(): a chat message -> the one tool call it asks for, by the rules of the given tools."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

import prompts
from assistant.agent.router.activity_rules import ASK_TO_REMIND
from assistant.agent.router.controls import control_intent
from assistant.agent.router.keywords import Keywords
from assistant.agent.router.meaning import GUESS, GUESSED, OUTWEIGHS, OVERRULES, SURE, WEAK_EXACT
from assistant.agent.router.records import EXPLICIT, Canned, Msg, Route, RouteContext, rule
from assistant.agent.router import sql_templates
from assistant.agent.router.rules import command_part
from assistant.agent.router.slots import (
    customers_in,
    every_customer,
    name_identity,
    named_customers,
    same_person,
    spot_customer,
    spot_index,
    staff_like,
    stored_name,
)
from assistant.lang.colloquial import read_as_mandarin
from assistant.lang.grounding import asks_by_form, is_question
from assistant.lang.names import to_simplified
from assistant.lang.repairs import apply_repair, value_repaired
from assistant.store.name_lookup import strip_honorifics

if TYPE_CHECKING:
    from assistant.agent.toolkit import Tool


class _Refused(Exception):
    def __init__(self, kind: str):
        self.kind = kind


_A_TAG = re.compile(r"(?<![A-Za-z])(?:un)?tags?(?![A-Za-z])|标签", re.IGNORECASE)


@rule(35)
def _refuse_beyond_chat(m: Msg) -> None:
    # There is no delete, export-all or mass-message tool; such a command must not turn into some
    # other write, and the owner is told what to do instead.
    command = command_part(m.text)
    for kind in ("delete", "export", "mass_message", "payment", "place_call", "outside"):
        if kind == "outside" and (m.customer or m.kw.has("contact") or m.kw.has("order") or m.kw.has("howto")
                                  or re.search(r"playbook|知识库|手册|customers?|客户|顾客|客人", m.text, re.IGNORECASE)):
            # "张伟说天气冷了想要热饮": a customer's words about the weather, to log; "what does the
            # playbook say about customers threatening to post on xiaohongshu": advice asked
            continue
        if kind == "delete" and _A_TAG.search(command):
            continue  # "remove the VIP tag from Lily King": a change to her record, not a deletion
        if m.kw.has(kind, command):
            raise _Refused("unsupported" if kind == "outside" else kind)


def route(message: str, ctx: RouteContext, tools: Sequence[Tool]) -> Route | Canned | None:
    """The one tool call a message asks for, with model-style arguments; a Canned for what chat
    may not do; None if no rule fits."""
    own = unicodedata.normalize("NFKC", message or "").strip()
    # the rules' Chinese words are simplified Mandarin: 張偉打電話 is read as 张伟打电话, 佢幾時落單 as
    # 他几时下单 (same length, so the owner's own words are what gets saved)
    text = read_as_mandarin(own)
    if not text or control_intent(text):
        return None
    names = tuple(ctx.customer_names())
    head = _figure_then_remark(text, names, ctx.today)
    if head is not None:  # the question said first, then a worry about it
        return route(own[:len(head)] if len(own) == len(text) else head, ctx, tools)
    asked = _the_question(text, names) or _the_request(text) or _after_the_day(text, names) or _then_told(text)
    if asked is not None:
        # "今天要打给 zhang wei, li na 还有 luo zihan. luo zihan 的投诉是什么来着?": several people
        # told, then one asked about: the question is the request; one named before it is "her"
        before = named_customers(text[:len(text) - len(asked)], names)
        if len(before) == 1:
            ctx = replace(ctx, last_customer=before[0])
        return route(own[len(own) - len(asked):] if len(own) == len(text) else asked, ctx, tools)
    slip = _self_repaired(text, names)
    if slip is not None:
        return route(own[:slip[0]] + own[slip[1]:], ctx, tools)
    fixed = value_repaired(text)
    if fixed is not None:  # "订了三袋不对是四袋": read with four bags where three was said
        return route(apply_repair(own, fixed), ctx, tools)
    spot = spot_customer(text, spot_index(names))
    msg = Msg(text, Keywords(text, spot[1:] if spot else None), ctx, spot[0] if spot else None,
              stored_name(spot[0], names) if spot else None, spot[1:] if spot else None, names)
    ordered = _ordered(tuple(tools))
    exact: Route | None = None
    try:
        for check, tool in ordered:
            if check.meaning is None:
                found = check(msg)
                if isinstance(found, Canned):
                    return found  # a rule that must ask before any call ("add a customer": who?)
                if found is not None and tool is not None:
                    exact = Route(tool, dict(found.args), found.confidence)
                    break
    except _Refused as refused:
        return Canned(refused.kind)
    # code's exact reading wins; the intent model speaks where no rule understood, where only a
    # fallback rule did and the model is sure of another request, or where it is surer still
    chosen = exact if exact is not None else _by_meaning(msg, ordered, own)
    if exact is not None and exact.confidence < EXPLICIT:
        # a weak rule gives way to a sure model; any rule to a model this sure, trained on what
        # owners wrote ("上个月投诉最多的是哪一类" is a question of figures, not a complaint to triage)
        other = _by_meaning(msg, ordered, own, at_least=OVERRULES if exact.confidence <= WEAK_EXACT else OUTWEIGHS)
        if isinstance(other, Route) and other.tool != exact.tool:
            chosen = _read_exactly(msg, ordered, other)
    if isinstance(chosen, Route) and chosen.tool in _ABOUT_ONE and any(
            t.name == chosen.tool and t.writes for t in tools):
        doubt = _write_doubt(msg, chosen)
        if doubt == "unknown_customer" and exact is chosen:
            # "杭州做café的客户里面 三个月没下单的": a write to someone nobody is called, where the
            # intent model is sure of a request that writes nothing, is that request
            other = _by_meaning(msg, ordered, own, at_least=OVERRULES)
            if isinstance(other, Route) and not any(t.name == other.tool and t.writes for t in tools):
                return _in_own_words(other, text, own)
        if doubt:
            return Canned(doubt, _in_own_words(chosen, text, own))
    if chosen is None and not is_question(text) and _tells_a_write(msg, own) \
            and len(named_customers(text, names)) >= 2:
        # "Nora Chen and Sam Evans both grabbed drip bags": one at a time, said plainly
        return Canned("several_customers")
    return _in_own_words(chosen, text, own) if isinstance(chosen, Route) else chosen


# "Sophie Brown called er sorry Sophia Brown called", "王洋 不对 汪洋昨天来了": a slip said again right
_REPAIR = re.compile(r"[,，]?\s*(?:\b(?:er+|um+|uh+|oops)\b[,，]?\s*)?\b(?:sorry|i mean|i meant|correction)\b[,，:]?\s*"
                     r"|[,，]?\s*(?:不对|哦不|噢不|说错了|口误|我是说)[,，:]?\s*", re.IGNORECASE)


def _name_spans(text: str, names: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) of each customer name in the text."""
    return [(at, end) for at, end, _ in customers_in(text, spot_index(names))]


def _self_repaired(text: str, names: tuple[str, ...]) -> tuple[int, int] | None:
    """(start, end) of a slip the owner corrects in passing: the words before "sorry" that the
    words after it, opening with a customer's name, say again ("Sophie Brown called er sorry ")."""
    from rapidfuzz import fuzz

    for mark in _REPAIR.finditer(text):
        rest, before = text[mark.end():], text[:mark.start()]
        hit = spot_customer(rest, spot_index(names))
        said = _name_spans(before, names)
        if said and said[-1][1] >= len(before.rstrip()) and re.match(r"[\u4e00-\u9fff]{2,3}", rest):
            return said[-1][0], mark.end()  # "王洋 不对 汪洋…": a name said again as another
        if not hit or hit[1] > 1 or not before.strip():
            continue
        starts = [i for i in range(max(0, len(before) - 40), len(before))
                  if i == 0 or not before[i - 1].isalnum() or "\u4e00" <= before[i] <= "\u9fff"]
        scored = [(fuzz.ratio(before[i:].strip().lower(), rest[:len(before[i:].strip())].lower()), i)
                  for i in starts if before[i:].strip()]
        best = max(scored, default=(0, 0))
        if best[0] >= 75:
            return best[1], mark.end()
    return None


_SENTENCE_END = re.compile(r"(?<=[。！？!?])\s*|(?<=[a-z\u4e00-\u9fff)])\.\s+", re.IGNORECASE)


def _the_question(text: str, names: tuple[str, ...]) -> str | None:
    """The last sentence, when it asks about one of several customers the message names."""
    parts = [p for p in _SENTENCE_END.split(text) if p and p.strip()]
    if len(parts) < 2 or not is_question(parts[-1]):
        return None
    index = spot_index(names)
    if len(set(every_customer(text, index))) < 2 or len(set(every_customer(parts[-1], index))) != 1:
        return None
    return parts[-1].strip()


# "…小李说明天要请假 anyway 我想知道10月份冷萃卖了多少包": the owner turns to what they want to know
_PIVOT = re.compile(r"(?:^|[\s,，。.!！;；])(?:anyway|anyways|总之|言归正传|话说回来|说正事|我想知道|我想问|想问下|想问一下"
                    r"|i (?:want|wanted|'d like) to know|my question is)[\s,，:：]*(?![?？])", re.IGNORECASE)


_ASKS_WHAT = re.compile(r"多少|几|哪|谁|什么|啥|\b(?:how|which|what|who|when)\b", re.IGNORECASE)


def _after_the_day(text: str, names: tuple[str, ...]) -> str | None:
    """The question a long account of the day ends with, when it names no customer ("so today
    was crazy, … which city had the most orders last month?"); the account is only talk."""
    if len(text) < 80 or every_customer(text, spot_index(names)):
        return None
    pivots = list(_PIVOT.finditer(text))
    parts = [p for p in _SENTENCE_END.split(text) if p and p.strip()]
    # with no turn of phrase, only a last sentence that is plainly a question ("…?"), after an
    # account with no quoted text in it (a quote is data: "got this: '…' how bad is it")
    plain = len(parts) >= 3 and re.search(r"[?？]\s*$", parts[-1]) and not re.search(r"[?？“”「」\"]|(?:^|[\s:：])['‘]", text[:-len(parts[-1])])
    tail = text[pivots[-1].end():] if pivots else parts[-1] if plain else ""
    if not tail.strip() or len(tail) > 60 or not (is_question(tail) or asks_by_form(tail) or _ASKS_WHAT.search(tail)):
        return None
    return tail.strip()


def _tells_a_write(msg: Msg, own: str) -> bool:
    """Whether the message tells a purchase or a contact, by its words or by the intent model."""
    if msg.kw.has("order") or msg.kw.has("contact"):
        return True
    heard = _meant(msg, own) if msg.ctx.meaning is not None else None
    return bool(heard and heard[0] in ("add_order", "log_activity") and heard[1] >= GUESS)


# "他那个投诉还开着？先改成处理中": a question, then what to do about it; the change is the request
_A_CHANGE = re.compile(r"改成|改为|改做|标成|标为|设成|设为|关掉|关了|结案|\b(?:mark|set|close|change)\b"
                       r"|\bput (?:it|that|this|her|his)?\s*(?:in|to|as|on)\b", re.IGNORECASE)


def _then_told(text: str) -> str | None:
    """The change asked for after a question the owner answers themself ("…还开着？先改成处理中")."""
    head, mark, tail = text.rpartition("？") if "？" in text else text.rpartition("?")
    if not mark or not head.strip() or not tail.strip() or is_question(tail) or not _A_CHANGE.search(tail):
        return None
    return tail.strip()


def _figure_then_remark(text: str, names: tuple[str, ...], today) -> str | None:
    """"這禮拜有幾筆訂單？怎麼好像都沒動靜 😰": a question of a figure, then the owner's worry
    about it (no period, no customer, nothing asked of its own); the figure is the request."""
    head, mark, tail = text.partition("？") if "？" in text else text.partition("?")
    head = head + mark
    if not mark or not tail.strip() or len(tail) > 40 or re.search(r"[.。!！;；]", head) or not (
            sql_templates.is_count_question(head) or _HOW_MANY.search(head)) \
            or sql_templates.subject(head) is None or sql_templates.period_of(tail, today) \
            or sql_templates.COMPARED_TO.search(tail) or every_customer(tail, spot_index(names)) \
            or _A_CHANGE.search(tail) or ASK_TO_REMIND.search(tail) or re.search(r"记|\blog\b|\bnote\b", tail) \
            or _HOW_MANY.search(tail):
        return None  # "…？帮我记一下他刚打电话": a second request, read with the rest
    said = Keywords(tail)
    if any(said.has(k) for k in ("contact", "order", "draft", "update")):
        return None
    return head.strip()


_HOW_MANY = re.compile(r"几|多少|\bhow (?:many|much)\b", re.IGNORECASE)


_A_NOT_A = re.compile(r"是不是|有没有|是否|会不会|要不要|对不对|快到了吧")


def _the_request(text: str) -> str | None:
    """"她生日是不是快到了 提醒我29号给她发个祝福": a question, then a reminder asked for; the
    reminder is the request (the question is the owner thinking aloud)."""
    ask = ASK_TO_REMIND.search(text)
    head = text[:ask.start()] if ask else ""
    if not ask or ask.start() < 4 or not (asks_by_form(head) or _A_NOT_A.search(head)) \
            or Keywords(head).has("contact"):
        return None  # a contact told before the reminder ("她微信上问有没有货…") is logged with it
    return text[ask.start():].strip()


# writes about exactly one customer, named from the customer list
_ABOUT_ONE = ("log_activity", "add_order", "update_customer", "set_complaint_status")
_LISTED_WITH = re.compile(r"\s*(?:和|跟|同|与|及|、|,|，|/|&|\+|还是|或者|或|\band\b|\bor\b)?\s*$", re.IGNORECASE)


def _write_doubt(msg: Msg, found: Route) -> str | None:
    """Why a write must not be proposed: two customers named side by side ("张伟和李娜都要3包"),
    or a customer nobody on the list is called; None when it names one known customer."""
    if msg.span:
        rest = msg.text[msg.span[1]:]
        other = spot_customer(rest, spot_index(msg.names))
        if other and _LISTED_WITH.match(rest[:other[1]]) and not same_person(other[0], msg.canonical or msg.customer) \
                and stored_name(other[0], msg.names) != msg.canonical:
            return "several_customers"
        if not msg.canonical and len(msg.customer.split()) >= 2 and not _near_a_name(msg.customer, msg.names):
            return "unknown_customer"  # "Grace Liu" beside Grace Turner: someone not on the list
        return None
    who = found.args.get("customer")
    if not isinstance(who, str) or not who.strip() or msg.ctx.last_customer and msg.kw.has("pronoun"):
        return None
    return None if _near_a_name(who, msg.names) and not staff_like(msg.text, who) else "unknown_customer"


def _near_a_name(who: str, names: tuple[str, ...]) -> bool:
    """A stored name within one slip of `who` (in its own script or in pinyin)."""
    from rapidfuzz.distance import OSA

    key = name_identity(who)
    bare = strip_honorifics(to_simplified(who))  # "老周", "何小姐", "mrs tan": a surname and a title
    return any(OSA.distance(key, known) <= 1 for known in _name_keys(names)) or any(
        bare.lower() in name.lower().split() for name in names) or any(
        # "晓东" for 沈晓东, "老张" for a 张: how owners call regulars; the store asks which one
        len(name) == 3 and name[1:] == bare or len(bare) == 1 and name.startswith(bare) for name in names)


@lru_cache(maxsize=4)
def _name_keys(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(name_identity(n) for n in names)


def _by_meaning(msg: Msg, ordered: list, own: str, at_least: float = GUESS) -> Route | Canned | None:
    """What the intent model reads, with its slots read by code; below SURE only a guess."""
    if msg.ctx.meaning is None:
        return None
    intent, p = _meant(msg, own)
    if p < at_least:
        return None
    if intent in ("unsupported", "smalltalk"):
        return Canned(intent) if p >= SURE else None
    for check, tool in ordered:
        if check.meaning != intent or not tool:
            continue
        found = check(msg)
        if found is not None:
            return Route(tool, dict(found.args), found.confidence if p >= SURE else GUESSED)
    return None


def _read_exactly(msg: Msg, ordered: list, heard: Route) -> Route:
    """The model's tool with its slots as that tool's own exact rules read them, where one fires: a
    rule earlier in the order ("要了4包…512" read as a sale) hid the call it was part of."""
    for check, tool in ordered:
        if tool == heard.tool and check.meaning is None:
            found = check(msg)
            if found is not None and not isinstance(found, Canned) and len(found.args) > len(heard.args):
                return Route(tool, dict(found.args), heard.confidence)
    return heard


def _meant(msg: Msg, own: str) -> tuple[str, float]:
    """The intent model's reading of the message as written, or in simplified characters where
    it is surer of that ("寫首詩給我" reads as 写首诗给我): most of what it learnt is simplified."""
    found = msg.ctx.meaning(own)
    simple = to_simplified(own)
    if simple != own:
        other = msg.ctx.meaning(simple)
        if other[1] > found[1]:
            return other
    return found


@lru_cache(maxsize=8)
def _ordered(tools: tuple[Tool, ...]) -> list[tuple[Callable, str | None]]:
    """Every tool's rules plus the router's own guard, in the order the rules ask for."""
    pairs = [(_refuse_beyond_chat, None)] + [(r, t.name) for t in tools for r in t.intents]
    return sorted(pairs, key=lambda pair: pair[0].order)






def name_spotter(names: Sequence[str]) -> Callable[[str], list[str]]:
    """A function giving each stored customer named in a (simplified) message, in order."""
    index = spot_index(tuple(names))
    return lambda text: every_customer(text, index)




def _in_own_words(found: Route, text: str, own: str) -> Route:
    """Free-text arguments (summary, complaint, ...) in the owner's script, not the converted one."""
    if text == own or len(text) != len(own):  # OpenCC's phrase table can change a length: keep
        return found
    for key, value in found.args.items():
        if key in _OWN_WORDS and isinstance(value, str) and value:
            # a complaint told in two clauses is joined by "; ": each part in the owner's words
            parts = [(part, text.find(part)) for part in value.split("; ")]
            if all(at >= 0 for _, at in parts):
                found.args[key] = "; ".join(own[at:at + len(part)] for part, at in parts)
    return found


# (not "query": a search reads simplified characters, as the names it looks for are indexed)
_OWN_WORDS = ("name", "summary", "complaint", "follow_up", "text", "title", "notes", "order_product",
              "product")


def format_help(lang: str) -> str:
    """What the assistant understands without a model, with examples, in the user's language."""
    return prompts.load("help_zh" if lang == "zh" else "help_en")
