"""amend(): a short follow-up that changes the call just made, read by the slots it names.

Owners correct and adjust in a few words after a preview or a draft: "唔係 係三包 294", "sorry
typo, 3 bags 294", "改到29號吧", "no no, it's 沈杰 not 沈晓东", "先改处理中吧", "make it 15%
instead", "改成微信吧", "算了不打折 就纯介绍新豆", "短点". Rather than a rule per sentence, every
slot code can read (customer, count, amount, date, channel, status, tone, offer, goal, contact
fields, "no reminder") is read from the message and put where the last call has that parameter.
The result is the same request with those values changed, previewed again like any other.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date

from assistant.agent.router.activity_rules import (
    ASK_TO_REMIND,
    channel_said,
    dates_in,
    goods_and_paid,
)
from assistant.agent.router.campaign_rules import CHANNELS, GOALS, offer_percent
from assistant.agent.router.controls import DONT_LOG
from assistant.agent.router.rules import STATUSES, wanted_tone
from assistant.agent.router.slots import contact_fields, find_city, find_top, name_identity, pick_in
from assistant.agent.router.rankings import ranking_sql
from assistant.agent.router.sql_templates import (BOUGHT_LISTS, LAST_ORDER_ASKED, SHARE_ASKED, SUMS, Question, asked,
                                                  between_the_two, compared_again, complaint_follow_up, follow_up,
                                                  is_change_row, period_of, share_sql, sql_for, subject)
from assistant.lang.colloquial import ZH_DIGITS, read_as_mandarin
from assistant.lang.dates import cn_number
from assistant.lang.goods import named_in
from assistant.lang.grounding import asks_by_form
from assistant.lang.writing_system import without_emoji

# Words that say the message revises what was just said or shown.
REVISING = re.compile(
    r"不对|(?<!是)不是|错了|岔了|(?:别|甭|不要)[^，,。]{1,8}了\s*[,，!！]|打错|写错|搞错|说错|记错|弄错|改成|改为|改到|改下|改一下|改做|换成|换到|换做|应该是|其实是|更正|给到|加到"
    r"|\bthen\s*[.!]?\s*$|^\s*fine\b|算了|还是|那就|先改|^\s*改(?!善|进)|^\s*(?:等等|等下|等一下|哦|噢)|^\s*是(?=[\u4e00-\u9fff]{2,4}(?:\s|$|[,，]))"
    r"|\b(?:maybe |perhaps )?i mean\b|^\s*(?:(?:hmm+|um+|uh+|ah+|oh|er+|ok|okay)[\s,，.]+)?(?:no|nope|nah|wait|sorry|oops|actually|correction|i meant"
    r"|should be|make it|change (?:it|that)"
    r"(?: to)?|switch (?:it )?to|use)\b|\binstead\b|\bactually\b|\btypo\b|\bnot\b|\bchange to\b|\brather\b"
    # "ok add him again, same stuff but email is …": the same request, one thing different
    r"|\bsame (?:stuff|thing|details|info|everything)\b.{0,8}\bbut\b|(?:其他|别的)?(?:都)?一样.{0,3}(?:但|不过|只是)"
    # "只看前三个就行", "just the top 5": the list just shown, shorter
    r"|^\s*只(?:看|要|列|显示)|^\s*(?:just|only)\s+(?:the\s+)?(?:top|first)\b"
    # "前五个就行", "前三個就好 太多了", "top 3 only": a shorter list said with what suffices
    r"|^\s*(?:要|给我|看)?(?:前|头)\s*[\d一二两三四五六七八九十]+\s*(?:个|位|名)?(?:人)?\s*(?:就(?:行|好|够|可以|得)|够了|便得|而已)"
    r"|^\s*(?:top|first)\s*\d+\s*(?:only|(?:is|are)? ?enough|tho|pls|please|will do)\b",
    re.IGNORECASE)
# "same for Lily Cooper", "Ethan Lee then, same order", "同一张单", "佢都要一样": the request just
# made or saved, again for someone else
_OTHER_ID = re.compile(r"(?:#|\bno\.?\s*|投诉|complaint\s*)?(?<![\d.])(\d{1,5})(?![\d.%])")
SAME_AGAIN = re.compile(r"\bsame (?:for|with|order|one|thing|tag|again|deal|as before)\b|\bditto\b"
                        r"|同一[张单笔个条]|同样的?[单tag标签]|一样的?[单tag标签]|照样|照办|也一样|都一样", re.IGNORECASE)
# "make it 6", "改成6包": the new count said outright
_MAKE_IT_COUNT = re.compile(r"(?:\bmake (?:it|that)|\bchange (?:it|that) to|\bup it to|改成|改为|换成|加到)\s*(\d{1,3})"
                            r"(?![\d.%％折])(?!\s*(?:块|元|蚊|rmb|yuan|dollars?|bucks?|%))", re.IGNORECASE)
# "能不能直接 20% off？": a change asked for as a question
_ASKS_FOR_A_CHANGE = re.compile(r"能不能|可不可以|可唔可以|得唔得|行不行|可以(?:给|改|打|加|提|换)|\b(?:can|could) (?:we|you|i) (?:just |do |make |change |have )"
                                r"|\bhow about\b", re.IGNORECASE)
# "改到29號" / "move it to the 29th": the date after these words is the new one
_TO_DATE = re.compile(r"(?:改到|改成|改为|换到|换成|推到|延到|挪到|\bto\b|\bmake it\b|\bon\b)\s*$", re.IGNORECASE)
_NO_REMINDER = re.compile(r"(?:不用|不要|唔使|唔洗|别|無需|无需|不需要)(?:再)?(?:提醒|跟进|设提醒|建任务)"
                          r"|\bno (?:reminder|follow[- ]?up|task)s?\b|\bdon'?t remind\b", re.IGNORECASE)
_NO_OFFER = re.compile(r"不打折|唔打折|不要折扣|不给折扣|没有折扣|不用优惠|不要优惠|无优惠"
                       r"|\bno (?:discount|offer|coupon)s?\b|\bwithout (?:a |any )?(?:discount|offer)\b"
                       r"|\bfull price\b", re.IGNORECASE)
# "…不看了 换成sms吧" / "switch to email": the value after the change word is the new one
_CHANGED_TO = re.compile(r"改成|换成|改为|换为|改用|换用|换到|\bswitch(?:ed)? to\b|\bchange (?:it |that )?to\b|\bmake it\b",
                         re.IGNORECASE)
_BARE_OFFER = re.compile(r"(?:\bmake it|\bup to|\bincrease to|\bchange (?:it )?to|改成|改为|换成|改到|提到|加到)\s*(\d{1,2})(?![\d.%％折])",
                         re.IGNORECASE)
_NEW_GOODS_NAMED = re.compile(r"(?:是|改成|换成|应该是|\bit'?s\b|\bshould be\b|\bmake it\b|\bwas\b|\bis\b)\s*"
                              # "是5包哥伦比亚 不是巴西": the count may come before the right goods
                              r"(?:(?:\d+|[一二两三四五六七八九十]+)\s*(?:包|袋|盒|箱|bags?|boxes|packs?)\s*)?"
                              r"([\u4e00-\u9fff]{2,8}?|[A-Za-z][A-Za-z ]{2,30}?)(?=\s|\d|$|[,，。!！])", re.IGNORECASE)
_SMALL_NUMBER = re.compile(r"(?<![\d.])(\d{1,3})(?![\d.%％])")
_DENIED_NUMBER = re.compile(r"(\d+(?:\.\d+)?)")
_COUNT_THEN_SUM = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(?=\.?(?:\s|$|[,，]))")
_NEGATED = re.compile(r"不是[^\s,，。;；是]*|\bnot\b[^,，。;；]*?(?=\s*(?:[,，。;；]|\bbut\b|\bit'?s\b|$))",
                      re.IGNORECASE)
_NAME_IS = re.compile(r"(?:应该是|其实是|是|叫|名字是|\bit'?s\b|\bshould be\b|\bname is\b|\bnamed\b)\s*"
                      r"([\u4e00-\u9fff]{2,4}(?![\u4e00-\u9fff])|[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)")
_LAST_DIGITS = re.compile(r"(?:尾数|尾号|最后(?:两|三|四|几|\d)位(?:数)?|最尾(?:两|三|四|几)?(?:个字|位)?|\blast (?:\w+ )?digits?)\s*"
                          r"(?:是|应该是|\bshould be\b|\bis\b|\bare\b|=)?\s*(\d{1,4}|[〇零一二三四五六七八九幺]{1,4})(?![\d〇零一二三四五六七八九十百千])",
                          re.IGNORECASE)
# "再加一包，一共三包": the count the order now comes to, said after what was added
_IN_ALL = re.compile(r"(?:一共|总共|共|合共|total(?:ly)?|altogether|in all)\s*(\d{1,3}|[一二两三四五六七八九十]{1,3})\s*"
                     r"(?:包|袋|盒|箱|件|个|bags?|boxes|packs?)",
                     re.IGNORECASE)
# errands no tool does: "book me a taxi", "帮我订机票", "转账给她"
_ERRAND = re.compile(r"\b(?:book|reserve|hail|get|call|order) me (?:a|an|the)\b"
                     r"|\bbook (?:a|an|the) (?:taxi|cab|car|flight|table|ticket|hotel)|\btransfer (?:money|\d)|叫(?:个|辆)?车|打车|订(?:机|车|火车)?票|买(?:机|车)?票|转账", re.IGNORECASE)
_LONE_OFFER = re.compile(r"\s*(?:ok|okay|fine|alright|好吧?|那就|那)?(?:\s*\b(?:lor|lah|la|leh|ah)\b)?[\s,，]*(\d{1,2})\s*(?:%|％)?\s*"
                         r"(?:then|instead|吧|啦|好了)?\s*[.!。！]?\s*",
                         re.IGNORECASE)
# "60 days?" after who has been quiet 90 days: only the number of days changes
_BARE_DAYS = re.compile(r"\s*(?:and |what about |how about |那么?|or )?\s*\d{1,3}\s*(?:天|日|个?月|周|days?|months?|weeks?)"
                        r"\s*(?:呢|instead|then)?\s*[?？]?\s*", re.IGNORECASE)
_QUIET_DAYS = re.compile(r"(\d{1,3})\s*(天|日|个?月|周|星期|礼拜|days?|months?|weeks?)", re.IGNORECASE)
_MEANT_LOWER = re.compile(r"\b(?:i meant|i mean|it'?s|it was|should be)\s+([a-z]{2,}(?:\s+[a-z]{2,})?)\s*[.!]*\s*$",
                          re.IGNORECASE)
_NEW_GOODS = re.compile(r"新(?:豆|品|款|货|到|口味)|new (?:beans?|blend|products?|arrivals?)", re.IGNORECASE)
# "Lily Tan 嗰個都幫我寫埋" after a reply drafted: the same read for another customer
_ALSO = re.compile(r"也|都|同样|一样|照样|\btoo\b|\balso\b|\bas well\b|\bsame (?:for|with)\b|\bditto\b",
                   re.IGNORECASE)
_READS_ABOUT_ONE = ("draft_complaint_reply", "suggest_actions", "customer_profile")
_REFERRAL = re.compile(r"推荐|介绍|码|code|referr", re.IGNORECASE)
_CAMPAIGN_CHANNELS = {"wechat", "sms", "email"}

Spotter = Callable[[str], list[str]]


def amend(message: str, tool: str, args: dict, params: set[str], today: date,
          spot: Spotter, needs_marker: bool = True) -> dict | None:
    """`args` of the last `tool` call with what the message changes, or None when it changes
    nothing there (a new request, a question). Unless the router read nothing else into the
    message, it must say it revises ("不对", "instead", "改成", ...)."""
    own = unicodedata.normalize("NFKC", message or "").strip()
    text = read_as_mandarin(own)
    # "那召回的那次呢" after how the reorder campaign did: the same report, of another campaign
    # ("…做个新品推荐 微信发" names a channel: a campaign asked for, not a report)
    another = tool == "campaign_results" and len(text) <= 30 and bool(pick_in(GOALS, text)) \
        and not pick_in(CHANNELS, text) and bool(
        re.search(r"呢\s*[?？]?\s*$|^\s*(?:and|what about|how about|那)", text, re.IGNORECASE))
    if _ERRAND.search(text) or DONT_LOG.search(text):
        return None  # "fine. book me a taxi tmrw then": something else asked, nothing here changed
    if not text or len(text) > 80 or asks_by_form(text) and not _BARE_DAYS.fullmatch(text) \
            and not _ASKS_FOR_A_CHANGE.search(text) and not another:
        # a question is answered, not read as a change, unless it is only days ("60 days?") or
        # asks for the change ("能不能直接 20% off？", "can we make it friday?")
        return None
    if needs_marker and not REVISING.search(text) and not SAME_AGAIN.search(text) \
            and not ("quiet_days" in params and _BARE_DAYS.fullmatch(text)) and not (
            tool in _READS_ABOUT_ONE and len(text) <= 30 and _ALSO.search(text) and spot(text)) and not another:
        return None
    out = dict(args)
    other = _OTHER_ID.search(text) if "complaint_id" in params and out.get("complaint_id") else None
    if other and SAME_AGAIN.search(text):
        # "35 also same thing kindly" after complaint 34 was marked: the same change, to 35
        out["complaint_id"] = int(other.group(1))
        out.pop("customer", None)
        return out if out != args else None
    _customer(text, tool, out, params, spot)
    said = _NAME_IS.search(text) if "name" in params and out.get("name") else None
    if said and not spot(said.group(1)) and not re.fullmatch(r"[〇零一二两三四五六七八九十百千幺]+", said.group(1)):
        # "undo 名字打错了" then "是陈晓虹 same phone": the new customer again, by the right name
        out["name"] = own[said.start(1):said.end(1)]
    # "不是2包 是3包" / "3 not 2": what is denied is not the new value
    denied: list[str] = []
    meant = _NEGATED.sub(lambda m: denied.append(m.group(0)) or " " * len(m.group(0)), text)
    _numbers(meant, tool, out, params, today, " ".join(denied))
    goods = next((k for k in ("product", "order_product") if k in params and out.get(k)), None)
    if goods and any(str(out[goods]).lower() in d.lower() or named_in(d, [str(out[goods])]) for d in denied):
        # ("not Mandheling lah" denies 曼特宁 Mandheling 250g, the goods as stored)
        named = _NEW_GOODS_NAMED.search(meant)  # "不是耶加 是曼特宁": the goods denied, then the right ones
        if named:
            out[goods] = named.group(1).strip()
    changed_to = _CHANGED_TO.split(meant)
    _choices(changed_to[-1] if len(changed_to) > 1 and changed_to[-1].strip() else meant, tool, out, params)
    for key, value in contact_fields(own).items():
        if key in params:
            out[key] = value
    tail = _LAST_DIGITS.search(text) if "phone" in params and out.get("phone") else None
    digits = tail.group(1).translate(ZH_DIGITS) if tail else ""
    if tail and len(digits) < len(str(out["phone"])):
        # "尾数是86不是88", "最尾两个字是七九": the number just given, its last digits put right
        out["phone"] = str(out["phone"])[:-len(digits)] + digits
    if _NO_REMINDER.search(text):
        for key in ("follow_up", "follow_up_date"):
            out.pop(key, None)
    changed = {k for k in set(out) | set(args) if out.get(k) != args.get(k)}
    return out if changed else None


def _customer(text: str, tool: str, out: dict, params: set[str], spot: Spotter) -> None:
    """"是沈杰不是沈晓东" / "it was 史超's code": the named customer who is not the current one."""
    named = spot(text)
    meant = _MEANT_LOWER.search(text) if not named else None
    if meant:  # "sorry i meant ben": a first name typed in lower case
        named = spot(meant.group(1).title())
    if not named:
        return
    key = "referrer" if "referrer" in params and _REFERRAL.search(text) else "customer"
    if "referrer" in params and out.get("referrer") and \
            name_identity(str(out["referrer"])) in {name_identity(n) for n in named}:
        key = "referrer"  # "is 张诗涵 not 张超": the referrer named wrong, put right
    if key not in params:
        return
    now = name_identity(str(out.get(key) or ""))
    others = [n for n in named if name_identity(n) != now]
    if others and (len(named) >= 2 or now not in {name_identity(n) for n in named}):
        out[key] = others[0]
        out.pop("complaint_id", None)  # a complaint belongs to its customer


def _numbers(text: str, tool: str, out: dict, params: set[str], today: date, denied: str = "") -> None:
    dates = dates_in(text, today)
    quiet = _QUIET_DAYS.search(text) if "quiet_days" in params else None
    if quiet:  # "60 days?" after who has been quiet 90 days: the same list for 60
        n = int(quiet.group(1))
        out["quiet_days"] = n * (30 if re.match(r"个?月|months?", quiet.group(2), re.IGNORECASE) else
                                 7 if re.match(r"周|星期|礼拜|weeks?", quiet.group(2), re.IGNORECASE) else 1)
        return
    top = find_top(text)
    if top and "top" in params:
        out["top"] = top
        return
    # "九折太少了，改成85折": the offer the message changes to, after the one it turns down
    turned = _CHANGED_TO.split(text)
    pct = offer_percent(turned[-1]) if len(turned) > 1 else None
    # "九折太抠门了，别九折了，八折！": else the offer of the last clause that names one
    said = [p for p in (offer_percent(c) for c in re.split(r"[，,。.!！;；]", text)) if p is not None]
    pct = (said[-1] if said else None) if pct is None else pct
    if "offer_percent" in params:
        bare = _BARE_OFFER.search(text) if out.get("offer_percent") else None
        if pct is None and bare:
            pct = float(bare.group(1))  # "10 too little, make it 15": the offer already has its unit
        lone = _LONE_OFFER.fullmatch(text) if pct is None and out.get("offer_percent") else None
        if lone:
            pct = float(lone.group(1))  # "ok 10 then" after 20 % was refused
        if pct is not None:
            out["offer_percent"] = pct
        elif _NO_OFFER.search(text):
            out["offer_percent"] = 0
        return
    qty_key = next((k for k in ("order_quantity", "quantity") if k in params), None)
    paid_key = next((k for k in ("order_amount", "amount") if k in params), None)
    if qty_key or paid_key:
        qty, paid = goods_and_paid(text, dates, sale_line=True)
        target = (_MAKE_IT_COUNT.search(text) or _IN_ALL.search(text)) if qty_key else None
        made = (float(target.group(1)) if target.group(1).isdigit() else cn_number(target.group(1))) if target else None
        if made and made <= 50 and not (paid and paid[1][0] == target.start(1)):
            # "she wants a spare, make it 6, so 552": the count the order is made, not "a spare"
            qty = (float(made), qty[1] if qty else None, target.start(1))
        was = _DENIED_NUMBER.search(denied)
        said = [x for x in _DENIED_NUMBER.finditer(text) if not re.match(r"[\d.]", text[x.end():x.end() + 1])]
        if was and not qty and qty_key and len(said) == 2 and float(was.group(1)) == float(out.get(qty_key) or -1):
            # "no wait 2 not 3, so 176": the count said beside the one denied, then the new total
            qty, paid = (float(said[0].group(1)), None, said[0].start()), (float(said[1].group(1)), said[1].span())
        elif was and not qty and paid and qty_key and float(was.group(1)) == float(out.get(qty_key) or -1):
            qty, paid = (paid[0], None, paid[1][0]), None  # "not 20, is 25": the count said again
        two = list(_COUNT_THEN_SUM.finditer(text))
        if not was and not qty and qty_key in out and paid_key in out and len(two) == 2 \
                and float(two[0].group(1)) <= 50 < float(two[1].group(1)):
            # "wait no it was 2. 156" after 1 for 78: the count, then what they came to
            qty, paid = (float(two[0].group(1)), None, two[0].start()), (float(two[1].group(1)), two[1].span(1))
        bare = _SMALL_NUMBER.search(text) if was and not qty and not paid and qty_key else None
        if bare and float(was.group(1)) == float(out.get(qty_key) or -1):
            qty = (float(bare.group(1)), None, bare.start())  # "sorry 4 not 3": the count, corrected
        if qty and qty_key and (qty_key in out or tool == "add_order"):
            out[qty_key] = qty[0]
            if paid is None and paid_key:
                out.pop(paid_key, None)  # a new count at the old total would be a wrong price
        if paid and paid_key and (paid_key in out or qty_key in out or tool == "add_order"):
            out[paid_key] = paid[0]
    if dates:
        key = _datename_identity(tool, out, params)
        if key:
            picked = next((d for d in dates if _TO_DATE.search(text[:d.start])), dates[0])
            out[key] = (picked.future if key in ("follow_up_date", "order_date") else picked.past).isoformat()


def _datename_identity(tool: str, out: dict, params: set[str]) -> str | None:
    """Which date the message moves: the follow-up's, the promised order's, or the contact's."""
    if tool == "log_activity":
        if out.get("follow_up") or out.get("follow_up_date") or \
                ASK_TO_REMIND.search(str(out.get("summary") or "")):
            return "follow_up_date"
        if out.get("order_date"):
            return "order_date"
        return "date"
    return "date" if "date" in params else None


def _choices(text: str, tool: str, out: dict, params: set[str]) -> None:
    if "status" in params:
        status = pick_in(STATUSES, text)
        if status:
            out["status"] = status
    if "tone" in params:
        tone = wanted_tone(text)
        if tone:
            out["tone"] = tone
    if "goal" in params:
        goal = pick_in(GOALS, text) or ("new_product" if _NEW_GOODS.search(text) else None)
        if goal:
            out["goal"] = goal
    if "channel" in params:
        if tool == "draft_campaign":
            channel = pick_in(CHANNELS, text)
        else:
            channel = channel_said(text)
        if channel and (tool != "draft_campaign" or channel in _CAMPAIGN_CHANNELS):
            out["channel"] = channel


# "and sept?" / "那九月呢" / "what about last year?": the same question about another period or person
_AND_ABOUT = re.compile(r"^\s*(?:(?:ok|okay|好|嗯)[\s,，]*)?(?:and|n(?=\s)|&|\+|what about|how about|and what about|same(?: thing| question| for| but)?"
                        r"|now|just|only|then|ok and|also|那|那么|还有|咁|同样|一样|换成|只看|只算|再看)\b"
                        # "& mandheling?": the sign has no word edge after it
                        r"|^\s*[&+]"
                        # "唔係 我講上上個月": the owner correcting the question just asked
                        r"|^\s*(?:不是|no|nope|sorry|i mean|i meant|我是说|我讲|我说的是|我问的是)\b"
                        # "avg order size that month?", "by $$?": about the period or figure just given
                        r"|\bthat (?:month|week|year|day)\b|那个月|那一?周|那年|^\s*by\b|^\s*按"
                        # 汉字 run on into the next word, where \b finds no edge: "那今年夏天哪个月卖得最好"
                        r"|^\s*(?:(?:ok|okay|好|嗯)[\s,，]*)?(?:那么?|还有|咁|同样|一样|换成|只看|只算|再看)(?=[\u4e00-\u9fffA-Za-z])"
                        r"|呢\s*[?？]?\s*$|\bsame (?:thing|question|again|but|for)\b"
                        # "open only", "2026 only": the same question narrowed
                        r"|\bonly\s*[?？]?\s*$|^\s*只(?:看|要|算)?"
                        # "再前一周 也是上海": the stretch before, the same question
                        r"|^\s*再(?:往)?前一|\bthe (?:week|month) before\b|也是"
                        # "who were they", "list them pls", "是哪些人": the ones just counted
                        r"|^\s*(?:ok\s+|so\s+)?(?:who (?:were|are) (?:they|those)|list (?:them|those|em)|which ones)\b"
                        # "how many of those about delivery", "2nd?", "from who": narrowed, the next
                        # one down, or whose it was
                        r"|\bof (?:those|them|these)\b|^\s*(?:and\s+)?(?:the\s+)?(?:2nd|3rd|second|third|#\s*[23]|no\.?\s*[23])\b|^\s*第\s*[二三]"
                        r"|^\s*(?:and\s+)?from who\b|^\s*(?:who|谁|是谁)\s*[?？]?\s*$"
                        r"|^\s*(?:都是|分别是|是)?(?:在)?哪(?:些|几个)月"
                        r"|^\s*(?:那|都|分别)?(?:是)?(?:哪些人|哪几个|是谁|都有谁|有哪些人)"
                        # "how many bags of it?": about what the last answer named
                        r"|\b(?:of|for|about|on) (?:it|that(?: one)?)\s*[?？]?\s*$|^\s*(?:它|那个|那款)"
                        # "哦对了 上个月它卖了多少钱": the goods just asked about
                        r"|它(?!们)"
                        # "其中北京的有几个", "top 5 then", "last year same month?": the same count narrowed,
                        # longer, or a year back
                        r"|^\s*(?:其中|这里面|这些里面|里面|当中)|\b(?:then|tho|though)\s*[?？!.]*\s*$|\bsame (?:month|period|time|week)\b"
                        r"|去年同(?:期|月)"
                        # "how many customers do we have there": in the place the last answer named
                        r"|\bthere\s*[?？!.]*\s*(?:lol|haha)?\s*$|那里|那边|嗰度", re.IGNORECASE)
# "and remind me to call 李娜 tomorrow": a request of its own, not the last question again
_ANOTHER_REQUEST = re.compile(r"\b(?:remind|call|ring|log|add|tag|draft|send|write|record|note|mark|text|email)\b"
                              r"|提醒|记一下|记下|打给|打电话|发给|写|加上|标记|备注", re.IGNORECASE)
# "Thank you. And September?": thanks before a follow-up are not part of it
_THANKS = re.compile(r"^\s*(?:thanks?(?: you)?|thx|ty|ok(?:ay)?|great|cool|nice|got it|nvm|never ?mind|谢谢|多谢|好的|好|ok)"
                     r"\s*[.!,，。！]+\s*", re.IGNORECASE)
_BETWEEN = re.compile(r"BETWEEN '(\d{4}-\d{2}-\d{2})' AND '(\d{4}-\d{2}-\d{2})'")
_NAMED = re.compile(r"name = '((?:[^']|'')+)'")


# "how many orders is that lol", "那段时间一共几单": the figure just given, counted another way
_AGAIN = re.compile(r"又|也是|同样|\bagain\b|\bas well\b", re.IGNORECASE)
_REFERS = re.compile(r"\b(?:that|those|these|then)\b|那(?:些|段时间|时候|几天)|这些|其中|同期", re.IGNORECASE)
# "last year?", "hangzhou?", "2025 呢": only another period or place, the rest as just asked
# ("Hangzhou how much?": the place, and the same figure asked of it)
_BARE = re.compile(r"^\s*(?:(?:ok|okay|and|n(?=\s)|&|\+|so|what about|how about|那|咁|好)[\s,，]*)?"
                   # "苏州 same", "9月 ditto": the same figures, for that place or period
                   r"|\s*(?:\bhow much\b|\bhow many\b|多少钱?|几多钱?|\bsame\b|\bditto\b|\btoo\b|同样|一样|也是)?\s*"
                   r"(?:呢|吧|啊|嘛|\bonly|\bah|\blah)?\s*[?？!.。]*\s*$",
                   re.IGNORECASE)


def _same_scope(text: str, question, today: date, spot: Spotter) -> bool:
    """A short question of a sum, or one pointing back at it, naming no period, place or person
    of its own."""
    asked = subject(text) or ("revenue" if re.search(r"多少钱|\bhow much\b", text, re.IGNORECASE) else None)
    return (len(text) <= 16 or _REFERS.search(text) is not None) and asked in SUMS \
        and (question.measure in SUMS or question.measure in BOUGHT_LISTS
             or question.measure == "rank_products" and question.limit == 1) and asked != question.measure \
        and period_of(text, today) is None \
        and not find_city(text) and not spot(text)


# the words a period is said in ("last yr", "去年十月", "Q3", "oct 2025"), and nothing else
_PERIOD_WORDS = re.compile(r"^(?:[\d\s/-]|[年月日号周星期礼拜上下今去前明本这个季度半天昨]|\b(?:last|this|next|the|of|in|for|year|yr|years"
                           r"|month|mth|week|wk|quarter|q[1-4]|today|yesterday|ytd|mtd|so far|to date|same|time|period"
                           r"|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|[a-z]+uary|march|april|june|july"
                           r"|august|september|october|november|december)\b|[一二三四五六七八九十两])+$", re.IGNORECASE)


def _only_a_slot(text: str, today: date) -> bool:
    """The message is a period or a place and nothing else ("last year?", "hangzhou?", "去年十月")."""
    rest = _BARE.sub("", text).strip()
    if not 0 < len(rest) <= 20:
        return False
    city = find_city(rest)
    if city is not None:
        return not re.sub(re.escape(city), "", rest, flags=re.IGNORECASE).strip(" ,，的")
    return period_of(rest, today) is not None and _PERIOD_WORDS.match(rest) is not None


# "she buy anything yesterday or not?", "佢琴日有冇買嘢": whether a customer bought in a period
_BOUGHT_ANY = re.compile(r"\b(?:buy|bought|order(?:ed)?|purchased?)\b.{0,12}\b(?:anything|something|any)\b"
                         r"|有(?:没有|冇)?(?:买|下单|订)|(?:买|下单|订)(?:了)?(?:东西|嘢)?(?:没有|吗|冇|未)", re.IGNORECASE)


def _about_her(text: str, question, today: date) -> str | None:
    """A short question about the customer the last figure was of: her last order, or whether
    she bought in a period; None when it is neither."""
    if len(text) > 50:
        return None
    period = period_of(text, today)
    if LAST_ORDER_ASKED.search(text) and period is None:
        return sql_for(Question("last_order", customer=question.customer))
    if period and _BOUGHT_ANY.search(text):
        return sql_for(Question("orders", period, customer=question.customer))
    return None


_PER_CENT = re.compile(r"percent|per cent|%|％|百分|巴仙|pct", re.IGNORECASE)


def ask_again(message: str, sql: str, today: date, spot: Spotter, products: tuple[str, ...] = (),
              before_sql: str = "") -> str | None:
    """The last query's SELECT for another period, customer, measure or order ("and sept?" after
    "how much did we sell last month", "same but only this year", "by no. of orders?"), or None
    when the message is not such a follow-up; `before_sql` is the query asked before that one."""
    text = _THANKS.sub("", without_emoji(read_as_mandarin(message)))
    question = asked(sql)
    if question is None and is_change_row(sql) and len(text) <= 40 and _PER_CENT.search(text):
        return sql  # "即係跌咗幾多percent？" after the change: the same row, which has it
    hers = _about_her(text, question, today) if question is not None and question.customer else None
    if hers:  # "last order?" / "she buy anything yesterday or not?" after a figure of hers
        return hers
    before = asked(before_sql) if before_sql and question is not None and len(text) <= 80 else None
    both = between_the_two(text, question, before, today) if before is not None else None
    if both:  # "the difference between the two months" after each month's figure
        return both
    listed = complaint_follow_up(text, question) if question is not None and len(text) <= 60 else None
    if listed:  # "which of the open ones has been waiting longest": those complaints, listed
        return listed
    if question is not None and len(text) <= 60 and SHARE_ASKED.search(text):
        shared = share_sql(question, text, today)
        if shared:  # "as a share of total Q3 revenue?": the figure just given, of the whole
            return shared
    if question is not None and (question.period or question.customer) and _same_scope(text, question, today, spot):
        # "上个月一共多少单" then "平均一单多少钱": a short question of another figure, same month
        return follow_up(text, question, today, [], products)
    if question is not None and (question.goods or question.product or question.city) and len(text) <= 30 \
            and _AGAIN.search(text) and subject(text) in SUMS and question.measure in SUMS and not find_city(text) \
            and not spot(text) and not named_in(text, products):
        # "今年九月又卖咗几多盒" after the gift boxes of last December: the same goods, another time
        return follow_up(text, question, today, [], products)
    if question is not None and len(text) <= 60:
        against = compared_again(text, question, today)
        if against:  # "is that up or down from sept": the figure just given beside September's
            return against
        if len(text) <= 40 and (question.measure in SUMS or question.measure in ("complaints", "interactions")):
            # "by city?", "按渠道分一下呢" after a figure: the same period and goods, grouped
            ranked = ranking_sql(text, today, within=question)
            if ranked:
                return ranked
    if question is not None:
        # "南京呢 感觉南京一直很少": the follow-up said first, then a remark on it
        head = re.match(r"\s*(.{1,14}?呢)\s*[\s,，?？!！。]", text)
        slot = text if _only_a_slot(text, today) else head.group(1) if head and _only_a_slot(head.group(1), today) \
            else None
        if slot:
            return follow_up(slot, question, today, spot(slot), products)
    if not text or len(text) > 60 or not _AND_ABOUT.search(text) or _ANOTHER_REQUEST.search(text) and (
            len(text) > 30 or not re.search(r"(?:呢|\?|？)\s*$", text)):
        return None
    if question is not None:
        return follow_up(text, question, today, spot(text), products)
    new = sql  # a SELECT written elsewhere (by a model): its period and name can still change
    period = period_of(text, today)
    if period and _BETWEEN.search(sql):
        new = _BETWEEN.sub(f"BETWEEN '{period[0].isoformat()}' AND '{period[1].isoformat()}'", new)
    named = spot(text)
    if len(named) == 1 and _NAMED.search(sql):
        new = _NAMED.sub("name = '" + named[0].replace("'", "''") + "'", new)
    return new if new != sql else None



# "among them, who…" / "其中三个月没下单的": conditions added to the segment just listed
_AMONG = re.compile(r"^\s*(?:ok\s*|and\s*|那\s*)?(?:among (?:them|those|these)|of (?:them|those|these)|out of (?:them|those|these)"
                    r"|from (?:them|those|these)|(?:which|who) of (?:them|those|these)|within (?:them|those|these)"
                    r"|其中|这些(?:人|客户|客人)?(?:里面?|当中|中间?|里头)|他们(?:里面?|当中|中间?|里头)|里面|里头|当中)[\s,，:：]*",
                    re.IGNORECASE)


def narrowed(message: str, request: str) -> str | None:
    """The last segment's request with the message's conditions added, when the message narrows
    it ("among them who no order since sept?"); None otherwise."""
    text = read_as_mandarin(unicodedata.normalize("NFKC", message or "")).strip()
    m = _AMONG.match(text)
    city = find_city(text)
    if (not m or not text[m.end():].strip()) and city and len(text) <= 30 and _ANOTHER_PLACE.search(text):
        # "上海的呢" after 杭州's wholesale customers: the same customers in another city;
        # "only the ones in 上海": those of them there
        before = find_city(request)
        if before and before.lower() != city.lower():
            return re.sub(re.escape(before), city, request, flags=re.IGNORECASE)
        return f"{request}, {city}" if not before else None
    if not m or not text[m.end():].strip():
        return None
    own = unicodedata.normalize("NFKC", message).strip()
    return f"{request}, {own[m.end():].strip()}"


_ANOTHER_PLACE = re.compile(r"呢\s*[?？]?\s*$|^\s*(?:ok\s+|and\s+)?(?:only|just)\b|只(?:看|要|留)|^\s*(?:what about|how about|and)\s+(?:in\s+)?",
                            re.IGNORECASE)
