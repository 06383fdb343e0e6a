"""One message per customer: in their language, naming them and what they usually buy, within the
shop's offer policy and the channel's length limit, and stage-appropriate.

Templates (prompts/outreach/phrases_*.md) are the reliable default. A model may rephrase a draft;
code then checks every rule again and keeps the template when the rephrasing breaks one. The
playbook's rule for offers: no discount for a stability-stage regular (they get non-price care),
a targeted offer for a customer in decline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import prompts
from assistant.core.records import InvalidInput
from assistant.lang.writing_system import HAN, HAN_CLASS, chat_language

GOALS = ("winback", "reorder", "new_product", "thanks", "share")
CHANNELS = ("wechat", "sms", "email")
GOAL_LABELS = {
    "winback": ("win-back", "召回"), "reorder": ("reorder reminder", "补货提醒"),
    "new_product": ("new product", "新品推荐"), "thanks": ("thank-you", "感谢"),
    "share": ("invitation to share", "邀请分享"),
}
CHANNEL_LABELS = {"wechat": ("WeChat", "微信"), "sms": ("SMS", "短信"), "email": ("email", "邮件")}
# Characters per message: one SMS is 160 GSM-7 characters, or 70 once any other character (汉字)
# is in it; WeChat shows about 300 before "full text"; an email may be longer.
SMS_GSM_MAX, SMS_UNICODE_MAX, WECHAT_MAX, EMAIL_MAX = 160, 70, 300, 2000
OPT_OUT_CHANNELS = ("sms", "email")
DEFAULT_OFFER_MAX_PERCENT = 10
# GSM 03.38: the basic set and the extension table (each extension character takes two places)
_GSM_BASIC = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLM"
                 "NOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_GSM_EXTENDED = set("^{}\\[~]|€")
_SIZE = re.compile(r"\s*(?:[×xX*]\s*\d+|\d+(?:\.\d+)?\s*(?:g|kg|ml|l|oz|lb|克|千克|公斤|毫升|升)\b"
                   r"|\d+\s*(?:包|袋|支|瓶|盒|片|粒))", re.IGNORECASE)
_LATIN_WORDS = re.compile(r"[A-Za-z][A-Za-z'&.\-]*(?:\s+[A-Za-z][A-Za-z'&.\-]*)*")
_HAN_RUN = re.compile(f"[{HAN_CLASS}]+")
# what a discount looks like in a message: "10% off", "9折", "8.5折", "¥20优惠券", "coupon"
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")
_ZHE = re.compile(r"(\d+(?:\.\d+)?)\s*折")
_DISCOUNT_WORDS = re.compile(r"\d\s*[%％]|\d\s*折|折扣|优惠|立减|代金券|优惠券|满减|红包|discount|"
                             r"\boff\b|coupon|voucher|promo|\bsale\b", re.IGNORECASE)
_MONEY = re.compile(r"[¥￥$€£]\s?(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s?(?:元|块)")


@dataclass(frozen=True)
class OfferPolicy:
    """What campaigns may offer: at most `max_percent` % off; `shop` signs the messages."""

    max_percent: float = DEFAULT_OFFER_MAX_PERCENT
    max_coupon: float = 20
    currency: str = "¥"
    shop: str = ""


def offer_policy(raw_policy: object, shop_signature: str = "") -> OfferPolicy:
    """The campaign limits from the shop's `policy` setting, defaults for what is missing."""
    raw = raw_policy if isinstance(raw_policy, dict) else {}

    def limit(key: str, default: float) -> float:
        value = raw.get(key)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
        return float(value) if ok else default

    currency = raw.get("currency") if isinstance(raw.get("currency"), str) else ""
    return OfferPolicy(max_percent=min(limit("offer_max_percent", DEFAULT_OFFER_MAX_PERCENT), 90),
                       max_coupon=limit("max_coupon", 20), currency=currency.strip() or "¥",
                       shop=(shop_signature or "").strip())


def check_requested_offer(percent: float | None, policy: OfferPolicy, lang: str = "en") -> None:
    """An owner's offer above the shop policy is refused, saying the limit."""
    if percent is None:
        return
    if percent < 0:
        raise InvalidInput(_t(lang, "An offer cannot be negative.", "优惠不能是负数。"))
    if percent > policy.max_percent:
        cap = f"{policy.max_percent:g}"
        raise InvalidInput(_t(
            lang, f"{percent:g}% off is above the shop policy's limit of {cap}% for campaigns. "
                  f"Ask for {cap}% or less, or raise the limit in Settings → Shop policy.",
            f"{percent:g}% 的优惠超出了店铺政策规定的活动上限 {cap}%。请改为 {cap}% 以内，"
            "或在“设置 → 店铺政策”里调高上限。"))


@dataclass(frozen=True)
class Recipient:
    """What a draft may say about one customer."""

    customer_id: int
    name: str
    language: str
    stage: str | None = None
    product: str | None = None
    referral_code: str | None = None


@dataclass(frozen=True)
class Draft:
    """One customer's message and the rubric it passed (every check must be True to send)."""

    customer_id: int
    name: str
    channel: str
    language: str
    stage: str | None
    subject: str
    message: str
    offer_percent: float
    source: str = "template"  # template | model | edited
    checks: dict[str, bool] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(self.checks.values())


def _t(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en


@cache
def phrases(lang: str) -> dict:
    """The phrase book of one language (prompts/outreach/phrases_<lang>.md)."""
    return json.loads(prompts.load(f"outreach/phrases_{lang}"))


def customer_language(name: str, complaint_language: str | None = None) -> str:
    """The customer's own words decide (their complaints); else the script of their name."""
    if complaint_language in ("zh", "en"):
        return complaint_language
    return "zh" if HAN.search(name or "") else "en"


def display_name(name: str, language: str) -> str:
    """李娜 -> 李娜; 'Emma Smith' -> 'Emma' in English (first names are how a shop writes)."""
    name = " ".join((name or "").split())
    if language == "en" and name.isascii() and " " in name:
        return name.split()[0]
    return name


def product_name(product: str | None, language: str) -> str | None:
    """'耶加雪菲 Yirgacheffe 250g' -> '耶加雪菲' (zh) or 'Yirgacheffe' (en); sizes dropped."""
    if not product or not product.strip():
        return None
    clean = " ".join(_SIZE.sub(" ", product).split()) or product.strip()
    if language == "zh":
        runs = _HAN_RUN.findall(clean)
        return runs[0] if runs else clean
    words = [w for w in _LATIN_WORDS.findall(clean) if len(w) >= 2]
    return words[0] if words else clean


def offer_for(goal: str, stage: str | None, requested: float | None, policy: OfferPolicy) -> float:
    """The % off this customer is offered: none for thanks, sharing, news or a stability-stage
    regular; a targeted offer for a decliner; a smaller one to win back a newer customer."""
    if requested == 0 or goal in ("thanks", "share", "new_product") or stage == "stability":
        return 0.0
    cap = float(policy.max_percent)
    full = min(float(requested), cap) if requested is not None else cap
    if stage == "decline":
        return float(round(full))
    if goal == "winback":  # exploration, formation, or no orders yet
        return float(round(full if requested is not None else cap / 2))
    return 0.0


def sms_limit(text: str) -> int:
    """160 characters when every character is GSM-7, else 70 (one SMS either way)."""
    return SMS_GSM_MAX if all(c in _GSM_BASIC or c in _GSM_EXTENDED for c in text) \
        else SMS_UNICODE_MAX


def sms_length(text: str) -> int:
    """Characters as an SMS counts them (a GSM extension character such as € takes two)."""
    if sms_limit(text) == SMS_UNICODE_MAX:
        return len(text)
    return len(text) + sum(1 for c in text if c in _GSM_EXTENDED)


def length_limit(channel: str, text: str = "") -> int:
    """The channel's limit for this text."""
    return {"sms": sms_limit(text), "wechat": WECHAT_MAX}.get(channel, EMAIL_MAX)


def length_ok(text: str, channel: str) -> bool:
    """Within the channel's limit."""
    size = sms_length(text) if channel == "sms" else len(text)
    return size <= length_limit(channel, text)


def discount_percents(text: str) -> list[float]:
    """Every discount in the text as % off ("9折" is 10 % off, "95折" 5 %, "8.5折" 15 %)."""
    out = [float(p) for p in _PERCENT.findall(text)]
    for zhe in _ZHE.findall(text):
        value = float(zhe)
        value = value / 10 if value >= 10 else value  # 95折 = 9.5折
        out.append(round(100 - value * 10, 1))
    return out


def offer_within_policy(text: str, policy: OfferPolicy) -> bool:
    """No discount above the % cap, no money amount above the coupon cap."""
    if any(p > policy.max_percent + 1e-9 for p in discount_percents(text)):
        return False
    return all(float(a or b) <= policy.max_coupon for a, b in _MONEY.findall(text))


def has_discount(text: str) -> bool:
    """Any discount, coupon or price cut in the text."""
    return bool(_DISCOUNT_WORDS.search(text))


def check(message: str, subject: str, r: Recipient, goal: str, channel: str,
          policy: OfferPolicy) -> dict[str, bool]:
    """The rubric every draft is held to."""
    p = phrases(r.language)
    opt_out = p["opt_out"].get(channel)
    whole = f"{subject}\n{message}" if subject else message
    return {
        "names_customer": display_name(r.name, r.language) in message,
        "customer_language": chat_language(message) == r.language,
        "offer_within_policy": offer_within_policy(whole, policy),
        "length_within_limit": length_ok(message, channel),
        "no_discount_for_stability": r.stage != "stability" or not has_discount(whole),
        "opt_out_where_required": (channel not in OPT_OUT_CHANNELS
                                   or bool(opt_out and opt_out in message)),
        "referral_code_when_sharing": goal != "share" or bool(r.referral_code
                                                              and r.referral_code in message),
    }


def _fill(template: str, values: dict) -> str | None:
    """The template with its {slots} filled, or None when a slot has no value."""
    wanted = re.findall(r"\{(\w+)\}", template)
    if any(not values.get(k) for k in wanted):
        return None
    return template.format(**{k: values[k] for k in wanted})


def compose(r: Recipient, goal: str, channel: str, offer: float, policy: OfferPolicy,
            new_product: str | None = None) -> tuple[str, str]:
    """(subject, message) from the templates: the longest variant that fits the channel."""
    if goal not in GOALS:
        raise InvalidInput(f"Unknown goal {goal!r}; use one of {', '.join(GOALS)}.")
    p, lang = phrases(r.language), r.language
    shop = policy.shop or p["default_shop"]
    values = {"name": display_name(r.name, lang), "product": product_name(r.product, lang),
              "new_product": product_name(new_product, lang) if new_product else None,
              "code": r.referral_code, "shop": shop, "pct": f"{offer:g}",
              "zhe": f"{(100 - offer) / 10:g}"}
    joiner = "" if lang == "zh" else " "
    subject = (_fill(p["subject"][goal], values) or "") if channel == "email" else ""
    # the longest wording that fits: a letter's, a short one, and for SMS a tiny last resort
    sizes = ("short", "tiny") if channel == "sms" else ("long", "short")
    tried = []
    for size in sizes:
        middle = (p["offer"] if offer > 0 else p["care"]).get(size, "")
        for line in p["goal"][goal][size]:
            body = _fill(line, values)
            if body is None:
                continue
            # a letter (WeChat, email) opens with the greeting on its own line; an SMS runs on
            opener = _fill(p["greeting"].get(size, p["greeting"]["short"]), values) or ""
            text = joiner.join(x for x in (body, _fill(middle, values) or "") if x)
            text = opener + (joiner if channel == "sms" else "\n") + text
            if channel == "sms":
                text = (_fill(p["sms_sign"], values) or "") + text + joiner + p["opt_out"]["sms"]
            else:
                closing = [x for x in (p["closing"].get(size, ""),
                                       _fill(p["signoff"].get(size, ""), values)) if x]
                text = text + ("\n" + "\n".join(closing) if closing else "")
                if channel == "email":
                    text += "\n\n" + p["opt_out"]["email"]
            tried.append(text)
            if length_ok(text, channel):
                return subject, text
    if not tried:
        raise InvalidInput("An invitation to share needs the customer's referral code.")
    return subject, min(tried, key=len)  # nothing fits (a very long name): the check says so


def draft(r: Recipient, goal: str, channel: str, policy: OfferPolicy,
          requested_offer: float | None = None, new_product: str | None = None,
          llm: Callable[[str], str] | None = None) -> Draft:
    """One customer's draft: the template, or a model's rephrasing that passes every check."""
    offer = offer_for(goal, r.stage, requested_offer, policy)
    subject, text = compose(r, goal, channel, offer, policy, new_product)
    checks = check(text, subject, r, goal, channel, policy)
    made = Draft(r.customer_id, r.name, channel, r.language, r.stage, subject, text, offer,
                 "template", checks)
    if llm is None or not made.ok:
        return made
    try:
        raw = llm(rephrase_prompt(made, goal, r, policy))
    except Exception:  # noqa: BLE001 - any model failure keeps the checked template
        return made
    better = " ".join((raw or "").split()) if channel == "sms" else (raw or "").strip()
    if not better or not _keeps_terms(made.message, better, r, channel):
        return made
    checks = check(better, subject, r, goal, channel, policy)
    if not all(checks.values()):
        return made
    return Draft(r.customer_id, r.name, channel, r.language, r.stage, subject, better, offer,
                 "model", checks)


def _keeps_terms(template: str, rephrased: str, r: Recipient, channel: str) -> bool:
    """The model changed the words, not the deal: the same discounts, code and opt-out line."""
    if sorted(discount_percents(template)) != sorted(discount_percents(rephrased)):
        return False
    if has_discount(rephrased) and not has_discount(template):
        return False
    if _MONEY.findall(rephrased) != _MONEY.findall(template):
        return False
    opt_out = phrases(r.language)["opt_out"].get(channel)
    if channel in OPT_OUT_CHANNELS and opt_out and opt_out not in rephrased:
        return False
    code = r.referral_code
    return not code or code not in template or code in rephrased


def rephrase_prompt(d: Draft, goal: str, r: Recipient, policy: OfferPolicy) -> str:
    """The prompt asking a model to rephrase a checked template draft."""
    keep = [x for x in ([f"{p:g}%" for p in discount_percents(d.message)]
                        + [r.referral_code or ""]
                        + [phrases(r.language)["opt_out"].get(d.channel, "")
                           if d.channel in OPT_OUT_CHANNELS else ""]) if x]
    return prompts.load(
        "outreach/rephrase", channel=CHANNEL_LABELS[d.channel][0],
        language="Chinese" if r.language == "zh" else "English",
        name=display_name(r.name, r.language), keep=", ".join(keep) or "(nothing)",
        offer_rule=("Offer no discount at all." if d.offer_percent == 0 else
                    f"The only discount is {d.offer_percent:g}% off."),
        limit=length_limit(d.channel, d.message), message=d.message)


def checked_edit(original: Draft, message: str, r: Recipient, goal: str,
                 policy: OfferPolicy, lang: str = "en") -> Draft:
    """The owner's edit of a draft, refused (InvalidInput, saying why) when it breaks a hard rule:
    the offer policy, the channel's length, the opt-out line, no discount for a loyal regular."""
    text = (message or "").strip()
    if not text:
        raise InvalidInput(_t(lang, "A message cannot be empty; drop the customer instead.",
                              "消息不能为空；不想发给这位客户的话，请移出名单。"))
    checks = check(text, original.subject, r, goal, original.channel, policy)
    opt_out = phrases(r.language)["opt_out"].get(original.channel)
    problems = {
        "offer_within_policy": _t(lang, f"it offers more than the policy's {policy.max_percent:g}%",
                                  f"优惠超过了政策上限 {policy.max_percent:g}%"),
        "length_within_limit": _t(lang, f"it is longer than the {original.channel} limit of "
                                        f"{length_limit(original.channel, text)} characters",
                                  f"超过了{CHANNEL_LABELS[original.channel][1]}的字数上限"
                                  f"（{length_limit(original.channel, text)}字）"),
        "opt_out_where_required": _t(lang, f"it lost the opt-out line ({opt_out})",
                                     f"缺少退订说明（{opt_out}）"),
        "no_discount_for_stability": _t(lang, "it offers a discount to a stability-stage regular "
                                              "(they get non-price care)",
                                        "给稳定期老客户提供了折扣（应以非价格关怀为主）"),
    }
    broken = [why for key, why in problems.items() if not checks[key]]
    if broken:
        raise InvalidInput(_t(lang, "Not saved: ", "未保存：") + "; ".join(broken) + ".")
    return Draft(original.customer_id, original.name, original.channel, original.language,
                 original.stage, original.subject, text, original.offer_percent, "edited", checks)
