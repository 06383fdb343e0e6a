"""Complaint replies: plan a remedy within the shop's policy, compose, and check the rubric.

The protocol: acknowledge; if the shop is at fault, apologise, offer a concrete remedy the policy
allows, compensate for time and trouble where warranted, and ask for consent; if the customer is at
fault, explain patiently and help (no apology for a fault that is not ours); if it is unclear,
investigate first; always close with a follow-up. Phrases live in prompts/reply/*.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace

import prompts
from assistant.complaints.triage import detect_language

DEFAULT_POLICY = {"max_refund": 100, "max_coupon": 20, "replacement": True, "currency": "¥"}
TONES = ("formal", "warm", "brief")
MAX_WORDS_EN = 180
MAX_CHARS_ZH = 300
# Categories where the remedy is a refund or replacement of goods; the others get a coupon.
GOODS = ("product_quality", "wrong_or_missing_item", "delivery", "price_billing_refund",
         "hygiene_environment")
# The JSON prompts/reply/llm.md asks for, for a local model's grammar.
LLM_SCHEMA = {
    "type": "object",
    "properties": {"text": {"type": "string", "minLength": 1},
                   "citations": {"type": "array", "items": {"type": "string"}}},
    "required": ["text", "citations"],
    "additionalProperties": False,
}
_APOLOGY = re.compile(r"\b(apolog\w*|sorry)\b|道歉|抱歉|对不起|歉意", re.IGNORECASE)
_CONSENT = re.compile(r"would you like|does that (sound|work)|shall we|do you agree|let us know if "
                      r"you agree|reply yes|happy for us|您看可以吗|您同意|可以吗|行吗|好吗", re.IGNORECASE)
_FOLLOW_UP = re.compile(r"follow up|check back|check in|get back to you|within \d+ (days|hours)"
                        r"|再联系|回访|跟进|再和您确认|答复您", re.IGNORECASE)
_REMEDY = re.compile(r"refund|replace|re-?send|coupon|voucher|credit|退款|退还|补发|换|优惠券|代金券",
                     re.IGNORECASE)
_REPLACEMENT = re.compile(r"replacement|replace it|new one|补发|换一|换新|重新发", re.IGNORECASE)
_MONEY = re.compile(r"[¥$€£]\s?(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s?(?:元|块|yuan|rmb|dollars?|euros?)",
                    re.IGNORECASE)
_NEAR_MONEY_WORD = re.compile(r"(?:refund|coupon|voucher|credit|compensat\w*|退款|退还|优惠券|代金券|"
                              r"补偿|赔)[^\d.。!！?？]{0,12}?(\d{2,}(?:\.\d+)?)", re.IGNORECASE)
_COUPON_AMOUNT = re.compile(r"(?:[¥$€£]\s?(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s?(?:元|块))[^.。!！?？]{0,20}?"
                            r"(?:coupon|voucher|优惠券|代金券)", re.IGNORECASE)


@dataclass(frozen=True)
class Draft:
    """A reply draft: its text, the passages it cites and the rubric checks it passed."""

    complaint_id: int
    text: str
    language: str
    tone: str
    citations: list[str] = field(default_factory=list)
    checks: dict[str, bool] = field(default_factory=dict)
    source: str = "template"
    remedy: str = ""


@dataclass(frozen=True)
class Remedy:
    """What the shop offers: amounts never exceed the policy."""

    refund: float = 0.0
    coupon: float = 0.0
    replacement: bool = False
    text: str = ""
    compensation: str = ""


@dataclass(frozen=True)
class ReplyContext:
    """Everything a reply needs, gathered from the store by tools/complaints.py."""

    complaint_id: int
    text: str
    name: str
    language: str
    category: str
    fault: str
    severity: str
    since: str | None = None
    usual_product: str | None = None
    past_complaints: int = 0
    policy: dict = field(default_factory=lambda: dict(DEFAULT_POLICY))
    signature: str = ""


def policy_from(raw: object) -> dict:
    """The shop policy with defaults filled in; bad values fall back to the defaults."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raw = {}
    policy = dict(DEFAULT_POLICY)
    if isinstance(raw, dict):
        for key in ("max_refund", "max_coupon"):
            value = raw.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
                policy[key] = value
        if isinstance(raw.get("replacement"), bool):
            policy["replacement"] = raw["replacement"]
        if isinstance(raw.get("currency"), str) and raw["currency"].strip():
            policy["currency"] = raw["currency"].strip()
    return policy


# The playbook passages behind each branch of a reply: a reply cites what it follows, and only that
# (a shop-at-fault apology never cites the passage on helping a customer who made the mistake).
BRANCH_PASSAGES = {
    "business": ("complaint-business-at-fault",),
    "customer": ("complaint-customer-at-fault",),
    "unclear": ("complaint-unclear-fault",),
}
COMPENSATION_PASSAGE = "complaint-compensation"
CHOICE_PASSAGE = "recovery-offer-choices"
SAFETY_PASSAGE = "complaint-investigate"


def passages_followed(ctx: ReplyContext, remedy: Remedy) -> list[str]:
    """The ids of the passages this reply's branch follows, most specific first."""
    ids = list(BRANCH_PASSAGES.get(ctx.fault, BRANCH_PASSAGES["unclear"]))
    if remedy.compensation:
        ids.append(COMPENSATION_PASSAGE)
    if remedy.replacement:
        ids.append(CHOICE_PASSAGE)  # "a replacement or a refund, whichever you prefer"
    if ctx.severity == "critical":
        ids.append(SAFETY_PASSAGE)  # a safety case is looked into before anything else
    return ids


def money(amount: float, policy: dict) -> str:
    return f"{policy['currency']}{amount:g}"


def _phrases(lang: str) -> dict:
    return json.loads(prompts.load(f"reply/phrases_{lang}"))


def plan_remedy(ctx: ReplyContext) -> Remedy:
    """Pick the remedy and the time-and-trouble coupon for a business-fault (or unclear) case."""
    p, policy = _phrases(ctx.language), ctx.policy
    refund, coupon_cap = float(policy["max_refund"]), float(policy["max_coupon"])
    replacement = bool(policy["replacement"]) and ctx.category in GOODS[:3]
    # The size of the time-and-trouble coupon follows severity: the worse it was, the more we give.
    coupon = coupon_cap if ctx.severity in ("high", "critical") else round(coupon_cap / 2)
    if ctx.category in GOODS:
        key = "replace_or_refund" if replacement else "refund"
        text = p["remedy"][key].format(refund=money(refund, policy))
        comp = (p["compensation"].format(coupon=money(coupon, policy))
                if coupon and ctx.fault == "business" and ctx.severity != "low" else "")
        return Remedy(refund, coupon if comp else 0.0, replacement, text, comp)
    coupon = coupon or coupon_cap
    text = p["remedy"]["coupon"].format(coupon=money(coupon, policy)) if coupon else \
        p["remedy"]["fix"]
    return Remedy(0.0, coupon, False, text, "")


def history_sentence(ctx: ReplyContext) -> str:
    """One personal sentence from the customer's history (empty when we know nothing)."""
    p = _phrases(ctx.language)["history"]
    parts = []
    if ctx.since and ctx.usual_product:
        parts.append(p["since_product"].format(year=ctx.since[:4], product=ctx.usual_product))
    elif ctx.since:
        parts.append(p["since"].format(year=ctx.since[:4]))
    if ctx.past_complaints and ctx.fault != "customer":
        parts.append(p["repeat"])
    return ("" if ctx.language == "zh" else " ").join(parts)


def compose(ctx: ReplyContext, tone: str = "formal") -> tuple[str, Remedy]:
    """The template reply (no LLM) and the remedy it offers."""
    p = _phrases(ctx.language)
    remedy = plan_remedy(ctx) if ctx.fault != "customer" else Remedy()
    first = ctx.name.split()[0] if ctx.language == "en" else ctx.name
    # Personal touches go first when a reply runs over the length limit; the rules never do.
    for history in (history_sentence(ctx), history_sentence(replace(ctx, past_complaints=0)), ""):
        text = tidy(prompts.load(
            f"reply/{ctx.language}_{ctx.fault}_{tone}",
            name=ctx.name, first=first, issue=p["issue"][ctx.category],
            history=history, remedy=remedy.text, compensation=remedy.compensation,
            safety=p["safety"] if ctx.severity == "critical" else "",
            help=p["help"][ctx.category], signature=ctx.signature or p["signature"],
        ))
        if length_ok(text, ctx.language):
            break
    return text, remedy


def tidy(text: str) -> str:
    """Collapse the gaps left by empty optional pieces."""
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def length_ok(text: str, language: str) -> bool:
    if language == "zh":
        return len(re.sub(r"\s", "", text)) <= MAX_CHARS_ZH
    return len(text.split()) <= MAX_WORDS_EN


def amounts_within_policy(text: str, policy: dict) -> bool:
    """No money figure above the refund cap, no coupon above the coupon cap, no banned swap."""
    found = [float(a or b) for a, b in _MONEY.findall(text)]
    found += [float(m) for m in _NEAR_MONEY_WORD.findall(text)]
    coupons = [float(a or b) for a, b in _COUPON_AMOUNT.findall(text)]
    if any(x > float(policy["max_refund"]) for x in found):
        return False
    if any(x > float(policy["max_coupon"]) for x in coupons):
        return False
    return policy["replacement"] or not _REPLACEMENT.search(text)


def check(text: str, ctx: ReplyContext) -> dict[str, bool]:
    """The rubric: every value must be True for the draft to go out."""
    first = ctx.name.split()[0] if ctx.name.split() else ctx.name
    business = ctx.fault == "business"
    return {
        "language_matches": detect_language(text) == ctx.language,
        "names_customer": bool(ctx.name) and (ctx.name in text or first in text),
        "apology_iff_business_fault": bool(_APOLOGY.search(text)) == business,
        "remedy_offered": not business or bool(_REMEDY.search(text)),
        "remedy_within_policy": amounts_within_policy(text, ctx.policy),
        "asks_consent": not business or bool(_CONSENT.search(text)),
        "follow_up": bool(_FOLLOW_UP.search(text)),
        "length_ok": length_ok(text, ctx.language),
    }


def llm_prompt(ctx: ReplyContext, tone: str, remedy: Remedy, passages: list,
               failed: list[str] | None = None) -> str:
    """The prompt asking an LLM to write the reply as JSON {text, citations}."""
    kb = "\n".join(f"[{x.id}] {x.title}: {x.text[:400]}" for x in passages) or "(none)"
    p = _phrases(ctx.language)
    return prompts.load(
        "reply/llm", language="Chinese" if ctx.language == "zh" else "English", tone=tone,
        name=ctx.name, complaint=json.dumps(ctx.text[:2000], ensure_ascii=False),
        category=ctx.category, fault=ctx.fault, severity=ctx.severity,
        history=history_sentence(ctx) or "(no history)",
        remedy=(remedy.text + " " + remedy.compensation).strip() or "(no remedy: help instead)",
        max_refund=money(ctx.policy["max_refund"], ctx.policy),
        max_coupon=money(ctx.policy["max_coupon"], ctx.policy),
        replacement="allowed" if ctx.policy["replacement"] else "NOT allowed",
        passages=kb, limit="300 Chinese characters" if ctx.language == "zh" else "180 words",
        # Only the rule for this fault: a small model given all three mixes them up (bench/complaints.py).
        fault_rule=" ".join(prompts.load(f"reply/llm_{ctx.fault}", consent=p["llm_consent"]).split()),
        follow_up=p["llm_follow_up"], signature=ctx.signature or p["signature"],
        failed=("Your previous draft failed these checks: " + ", ".join(failed)) if failed else "",
    )


def parse_llm_reply(raw: str, allowed_ids: set[str]) -> tuple[str, list[str]]:
    """Text and citations from the LLM's JSON; plain text is accepted with no citations."""
    match = re.search(r"\{.*\}", raw or "", re.DOTALL)
    if match:
        try:
            data = json.loads(match.group(0))
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("text"), str):
            cites = [c for c in data.get("citations") or [] if c in allowed_ids]
            return tidy(data["text"]), cites
    return tidy(raw or ""), []
