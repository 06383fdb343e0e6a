"""What the router's rules read (Msg) and what they return (Intent, Route)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assistant.agent.router.keywords import Keywords
from assistant.agent.router.slots import COMMON_SURNAMES, guess_name

# A rule that read the request word for word ("先标成处理中": the verb that sets it and the
# status set) is not outweighed by the intent model, which may have learnt the story around it.
EXPLICIT = 0.95


@dataclass(frozen=True)
class Intent:
    """A rule's reading of a message for its own tool: model-style arguments and how sure it is."""

    args: dict
    confidence: float


@dataclass(frozen=True)
class Route:
    """The one tool call chosen by the router; args are model-style (names and dates as written)."""

    tool: str
    args: dict
    confidence: float


@dataclass(frozen=True)
class Canned:
    """A message code answers without a tool: what chat may not do (delete, export everything,
    mass messages), what no tool does (unsupported), and small talk."""

    kind: str  # delete | export | mass_message | unsupported | smalltalk | unknown_customer | ...
    # the write refused for who it names: "王大锤昨天买了两包" then "打错了 是王洋" corrects it
    refused: Route | None = field(default=None, compare=False)


@dataclass
class RouteContext:
    """What the router may know besides the message."""

    today: date
    lang: str = "en"
    customer_names: Callable[[], list[str]] = field(default=list)
    last_customer: str | None = None
    # a name just looked up that no customer has: "哦她是新来的 帮我加上" adds her
    unknown_name: str | None = None
    # "add a customer" was just asked with no name: "Mike Zhou 13655550000" is who to add
    adding_customer: bool = False
    # a customer was just added (or is previewed): "再加一个 她闺蜜陈朵朵 …" adds another
    added_customer: bool = False
    earlier_customer: str | None = None  # the one discussed before last_customer
    # the text of a customer's latest complaint still open, or None ("how bad is it" about 何诗涵's)
    open_complaint: Callable[[str], str | None] = field(default=lambda name: None)
    # the complaint the last turn worked on ("mark it in progress" right after its reply was drafted)
    last_complaint: int | None = None
    # a customer's last order as stored, {"quantity", "product", "amount"}, or None ("老样子")
    last_order: Callable[[str], dict | None] = field(default=lambda name: None)
    # every product name the shop's orders use, as stored ("曼特寧" in a question is 曼特宁 Mandheling 250g)
    product_names: Callable[[], list[str]] = field(default=list)
    # (intent, probability) for a message, or None: the rules alone (agent/router/meaning.py)
    meaning: Callable[[str], tuple[str, float]] | None = None
    # (figure, probability) for a sales question ("卖了多钱" asks for revenue), or None
    figure: Callable[[str], tuple[str, float]] | None = None


@dataclass
class Msg:
    """One message as the rules see it."""

    text: str
    kw: Keywords
    ctx: RouteContext
    customer: str | None          # as typed, from the customer list or by position
    canonical: str | None         # the exact stored name when the surface is unambiguous
    span: tuple[int, int] | None
    names: tuple[str, ...]
    # Readings several rules share (one parse of an activity serves add_order and log_activity).
    memo: dict[str, Any] = field(default_factory=dict)

    def who(self, memory: bool = True) -> str | None:
        """The customer the message is about: named, remembered for 'her' / '她', or guessed."""
        if self.customer:
            return self.customer
        if memory and self.ctx.last_customer and self.kw.has("pronoun"):
            return self.ctx.last_customer
        return guess_name(self.text)

    def in_focus(self) -> str | None:
        """Who a request about one customer means when it names none: the one being talked about
        ("draft reply pls" after her profile, "tag that one as VIP" after the list's first); no one
        when it names someone the list does not know ("搵下 王大锤 嘅 profile")."""
        found = self.who()
        stranger = any(w not in _NOT_STRANGERS for w in _STRANGER.findall(self.text))
        if found or stranger:
            return found
        return self.ctx.last_customer


# a full Chinese name standing apart, led by a common surname: someone, if not anyone stored
_STRANGER = re.compile(rf"(?:^|\s)([{COMMON_SURNAMES}][\u4e00-\u9fff]{{1,2}})(?=\s|$)")

_NOT_STRANGERS = {"周末", "周日", "周一", "周二", "周三", "周四", "周五", "周六", "高兴", "万一", "方便", "白天",
                  "金额", "黄金", "何时", "马上", "程度", "钱包", "余额", "江湖", "段时间", "陆续"}

Rule = Callable[[Msg], "Intent | None"]


def rule(order: float, meaning: str | None = None) -> Callable[[Rule], Rule]:
    """Mark a function as a router rule; rules of all tools are tried in ascending `order`.

    A rule with a `meaning` runs only after no exact rule fired, and only when the intent model
    reads the message as that intent: it then reads the slots by code.
    """

    def mark(fn: Rule) -> Rule:
        fn.order = order  # type: ignore[attr-defined]
        fn.meaning = meaning  # type: ignore[attr-defined]
        return fn

    return mark
