"""Rules for the campaign tools: how a campaign did, a campaign asked for in words, a referral.

They run before the refusal of mass messages: a campaign request is previewed (nothing is sent
from chat), while "群发给所有客户" with no campaign goal is still refused.
"""

from __future__ import annotations

import re

from assistant.agent.router.records import Intent, Msg, rule
from assistant.lang.dates import cn_number
from assistant.agent.router.slots import (
    customers_in,
    name_identity,
    pick_in,
    spot_index,
    stored_name,
)

_CAMPAIGN = re.compile(r"campaign|win-?back|outreach|promotion|召回|营销|活动|推广|群发|挽回|唤醒",
                       re.IGNORECASE)
_RESULT = re.compile(r"效果|怎么样|咋样|如何|结果|报告|有用|管用|成效|有效|带来了?多少|回来了?多少|回头率|回购率|转化"
                     # measured against those who got nothing: "收到的和没收到的比一比"
                     r"|起(?:没起)?作用|有没有作用|差别|差异|对比|比一比|比较一下|\buplift\b|\bcompared?\b|\bdifference\b"
                     r"|how (?:did|is|was|are|has)|results?|report|work(?:ed|ing)?\b|perform"
                     r"|effect|impact|\blift\b|pay off|paid off"
                     # "did it bring anyone back … vs the held-out lot": the measure against the control group
                     r"|\b(?:bring|brought|got)\s+(?:anyone|anybody)\s+back\b|held[- ]?out|control group|对照组", re.IGNORECASE)
GOALS = [
    ("share", r"referr|\brefer\b|share|invite (?:a |their )?friends?|invitation to share|bring (?:a |their )?friends?",
     r"推荐码|转介绍|分享|邀请好友|拉新|推荐(?:给)?朋友|介绍朋友|带朋友"),
    ("thanks", r"thank", r"感谢|谢谢|致谢|答谢"),
    ("new_product", r"new (?:product|arrival|beans?|blend|flavou?r|item)s?|launch",
     r"新品|上新|新到|新款"),
    ("reorder", r"re-?order|top[- ]up|restock|replenish|running low",
     r"补货|复购提醒|回购提醒|提醒.{0,6}(?:补货|回购|复购)|(?:该|要|快|差不多).{0,3}(?:补货|回购|复购)"
     r"|(?:让|叫|请|促)\S{0,10}(?:回购|复购|再买)"),
    ("winback", r"win-?back|bring (?:them |people |customers )?back|re-?engage|come back|lure (?:them |people )?back"
                r"|get (?:them |people )?back|win (?:them |people )?back",
     r"召回|挽回|唤醒|拉回|回流|回来"),
]
CHANNELS = [("wechat", r"we-?chat|weixin", r"微信"),
            # letters, not \b: in "换成sms吧" the 汉字 around the word are word characters too
            ("sms", r"(?<![A-Za-z])sms(?![A-Za-z])|text messages?|(?<![A-Za-z])texts?(?![A-Za-z])", r"短信|简讯"),
            ("email", r"e-?mails?", r"邮件|邮箱")]
# "how do I run a promotion?" asks the playbook, not for a report
_HOW_TO = re.compile(r"怎么做|怎样做|如何做|怎么搞|how (?:do|can|should|would) (?:i|we)|how to|tips?\b",
                     re.IGNORECASE)
_DRAFT_EN = re.compile(r"\b(?:send|draft|write|prepare|create|plan|do|run|start|set up|make|"
                       r"launch|need|want|put together|whip up|blast)\b", re.IGNORECASE)
_DRAFT_ZH = re.compile(r"发|起草|草拟|写|做|搞|准备|安排|策划|来一?个|弄|整个|整一?个")
_MESSAGE = re.compile(r"campaign|message|messages|\bnote\b|blast|活动|消息|信息|文案|群发",
                      re.IGNORECASE)
_AUDIENCE_EN = re.compile(r"\b(?:to|for|at)\s+((?:all |the |my |our )?(?:(?:top|best|loyal|old|biggest|big|"
                          # "to the gifts-tagged customers": a word or two saying which
                          r"regular|lapsed|quiet|new|vip|[\w]+-(?:tagged|tag|stage|based)) )?(?:people|ppl|peeps|folks|guys|customers|"
                          r"custs?|customer|clients?|shoppers|patrons|regs|everyone|everybody|anyone|those|regulars|"
                          r"vips?|buyers|members|new|"
                          r"formation|stability|decline|exploration|lapsed|quiet|loyal|"
                          r"champions|who)\b.*)$", re.IGNORECASE)
# (Cantonese "同…send個SMS": 同 is "for" when it opens the message)
_AUDIENCE_ZH = re.compile(r"(?:给|向|对|针对|^\s*同)(.+?)(?:发|推送|做|写|群发|来一?个|搞|安排|起草"
                          r"|\s*(?<![A-Za-z])(?:send|draft|write)(?![A-Za-z])"
                          # "整个SMS 给两个月没买东西的人 九折", "给两个月没买的 customers，offer 10% off": a
                          # group of people ends where the offer starts, at a comma, or where the message does
                          r"|(?:(?<=[人客户们粉员])|(?<=customers)|(?<=clients)|(?<=people)|(?<=ppl)|(?<=custs))"
                          r"(?:\s*[，,；;。]|\s+(?=\S*(?:折|%|％|off\b))|\s*$))",
                          re.IGNORECASE)
# "整个短信提醒上海的咖啡馆客户补货": the group told to do something
_AUDIENCE_TOLD = re.compile(r"(?:提醒|通知|告诉|叫)(.{2,24}?(?:客户|客人|顾客|会员|粉丝|熟客|老客|人))"
                            r"(?=补货|回购|复购|再买|来买|回来|来|买|\s|[，,。]|$)")
_OFFER_PCT = re.compile(r"(\d{1,2}(?:\.\d)?)\s*[%％]\s*(?:off|discount|折扣|优惠)?", re.IGNORECASE)
_PER_CENT_ZH = re.compile(r"百分之\s*([一二两三四五六七八九十]{1,3}|\d{1,2})")
_OFFER_ZHE = re.compile(r"(?:打)?(\d(?:\.\d)?|[1-9]\d|[一二三四五六七八九][一二三四五六七八九五]?)\s*折")
_ZH_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")}
_CAMPAIGN_ID = re.compile(r"(?:campaign|活动)\s*#?\s*(\d+)|#(\d+)|第\s*(\d+)\s*[个次]?活动",
                          re.IGNORECASE)
_REFERRAL_ZH = re.compile(r"(?P<buyer>[^\s，,。]{1,12}?)(?:用了|使用了|报了|填了|拿着?|凭)"
                          r"(?P<ref>[^\s，,。]{1,12}?)的(?:推荐码|邀请码|推荐链接|码)")
_REFERRED_ZH = re.compile(r"(?P<buyer>[^\s，,。]{1,12}?)是(?P<ref>[^\s，,。]{1,12}?)(?:推荐|介绍)(?:来)?的")
_REFERRAL_EN = re.compile(r"(?P<buyer>[A-Za-z\u3400-\u9fff][\w\u3400-\u9fff .'-]{0,30}?)\s+"
                          r"(?:used|quoted|gave|had)\s+(?P<ref>[A-Za-z\u3400-\u9fff]"
                          r"[\w\u3400-\u9fff .'-]{0,30}?)(?:'s|’s)\s+(?:referral|invite|invitation)"
                          r"(?:\s+code)?", re.IGNORECASE)
# "Nora Hall referred her": the one who referred, then the one referred
_REFERS_EN = re.compile(r"(?P<ref>[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)?)\s+(?:referred|introduced)\s+(?P<buyer>her|him|them|she|he)\b")
_CREDIT = re.compile(r"\bcredit\b|记(?:一下)?推荐|算(?:她|他)的推荐", re.IGNORECASE)
_REFERRED_EN = re.compile(r"(?P<buyer>[A-Za-z\u3400-\u9fff][\w\u3400-\u9fff .'-]{0,30}?)\s+"
                          r"(?:was|came|is)\s+referred\s+by\s+(?P<ref>[A-Za-z\u3400-\u9fff]"
                          r"[\w\u3400-\u9fff .'-]{0,30}?)\s*[.!?。]*$", re.IGNORECASE)


# words for the customers just listed, as a campaign's audience
THOSE_LISTED = re.compile(r"\b(?:them|they|these|those|this group|that group|same (?:people|group|ones))\b"
                          r"|他们|她们|这些|那些|这批|那批|这帮|上面|刚才", re.IGNORECASE)


def offer_percent(text: str) -> float | None:
    """"10% off" -> 10; "打9折" -> 10; "85折" -> 15; "百分之二十" -> 20; None when no offer is named."""
    m = _OFFER_PCT.search(text)
    if m:
        return float(m.group(1))
    m = _PER_CENT_ZH.search(text)
    if m and cn_number(m.group(1)):
        return float(cn_number(m.group(1)))
    m = _OFFER_ZHE.search(text)
    if m:
        # "九折" -> 9, "八五折" -> 85: the digits of the price paid, in tenths
        zhe = float("".join(_ZH_DIGIT.get(c, c) for c in m.group(1)))
        zhe = zhe / 10 if zhe >= 10 else zhe
        return round(100 - zhe * 10, 1)
    return None


# a group of customers described in words ("两个月没来的那些客户", "the ones who stopped buying")
_DESCRIBED = re.compile(r"(?:客户|客人|顾客|会员|熟客|老客|的客|的人)\s*$|\b(?:customers|clients|people|ppl|ones)\b[^,.]{0,40}$",
                        re.IGNORECASE)
# "让café客户回购": the group asked to buy again
_AUDIENCE_LET = re.compile(r"(?:让|叫|请|促)(\S{2,12}?)(?:回购|复购|再买|回来)")


def audience(text: str) -> str | None:
    """The customers a campaign request names, in the owner's words (offers and channels cut)."""
    m = _AUDIENCE_ZH.search(text) or _AUDIENCE_TOLD.search(text) or _AUDIENCE_LET.search(text) \
        or _AUDIENCE_EN.search(text)
    found = m.group(1) if m else None
    if found and THOSE_LISTED.fullmatch(found.strip()):
        # "两个月没来的那些客户 给他们发微信召回", "两个月没来的客人，发微信叫他们回来": "them" are
        # the customers described before, in the clause that describes them
        before = [c for c in re.split(r"[，,；;。]|\s+(?=[\u4e00-\u9fff])", text[:m.start()]) if _DESCRIBED.search(c)]
        found = before[-1] if before else found
    if found is None:  # "两个月没下单的老客，发微信召回": the clause without the request
        clauses = [c for c in re.split(r"[，,；;。:：]", text) if c.strip()]
        rest = [c for c in clauses if not (_DRAFT_ZH.search(c) or _DRAFT_EN.search(c))]
        found = rest[0] if rest and len(clauses) > 1 else None
    if not found:
        return None
    # "to ppl who havent bought in 2 months, 10% off to come back": the audience is one clause,
    # and "… customers about the gift box" ends where what the message is about starts
    found = re.split(r"[,，;；。]|(?<=[a-z])\.\s|\s+(?:about|regarding|re:?|announcing|to (?:tell|let|announce|say|remind))\s",
                     found)[0] or found
    found = _OFFER_PCT.sub(" ", found)
    found = _OFFER_ZHE.sub(" ", found)
    found = re.sub(r"\b(?:with|and|via|by|on|over)\s*$|(?:via|by|on|over|through|with)\s+"
                   r"(?:we-?chat|sms|e-?mail|text)\b.*$|[,，]?\s*(?:用|通过)?(?:微信|短信|邮件)\s*$",
                   "", found.strip(), flags=re.IGNORECASE)
    found = found.strip(" ,，。.!?？！")
    found = re.sub(r"^(?:帮我|幫我|麻烦|请)?(?:同|跟|给|為|为)?(?=\S{2})", "", found)  # "帮我同…的客": for them
    return found or None


@rule(5)
def campaign_results(m: Msg) -> Intent | None:
    """"上次召回活动效果怎么样？" / "how did the last campaign do?" -> the campaign report."""
    if not (_CAMPAIGN.search(m.text) and _RESULT.search(m.text)) or _HOW_TO.search(m.text):
        return None
    if _DRAFT_EN.search(re.sub(r"\bdo\b\s*\??\s*$", "", m.text)) and pick_in(CHANNELS, m.text):
        return None  # "send a WeChat win-back …": a request, not a question about results
    args: dict = {}
    found = _CAMPAIGN_ID.search(m.text)
    if found:
        args["campaign_id"] = int(next(g for g in found.groups() if g))
    goal = pick_in(GOALS, m.text)
    if goal:
        args["goal"] = goal
    return Intent(args, 0.9)


@rule(6)
def campaign_request(m: Msg) -> Intent | None:
    """"send a WeChat win-back to people quiet for 2 months" -> a campaign preview."""
    goal = pick_in(GOALS, m.text)
    channel = pick_in(CHANNELS, m.text)
    # "thank-you email to my top customers": a goal, a channel and a group ask for one too
    # "三个月没来的那批老客户，用短信拉一把，给个九折": a channel and an offer to a group ask too
    asks = _DRAFT_EN.search(m.text) or _DRAFT_ZH.search(m.text) or (
        (goal or offer_percent(m.text) is not None) and channel and not m.customer) or (
        # "email campaign 让café客户回购 9折": the word campaign with what it is for
        re.search(r"\bcampaign\b|活动", m.text, re.IGNORECASE) and goal and channel)
    if goal is None and channel and asks and not m.customer:
        # "给三个月没买的发短信" / "给gifts标签的客户发个邮件 预热下圣诞礼盒": to a group, by a
        # channel; what it is for follows from whom it is for and what it says; an offer alone
        # ("sms blast to them, 20% off") asks them to buy again
        goal = _implied_goal(m.text) or ("reorder" if offer_percent(m.text) is not None else None)
    if goal is None or not asks or not (channel or _MESSAGE.search(m.text)):
        return None
    one = re.search(r"\b(?:he|she|him|her)\b|(?:他|她|佢)(?!们|們|哋)", m.text, re.IGNORECASE)
    if m.ctx.last_customer and one and m.kw.has("contact") and not _MESSAGE.search(m.text):
        return None  # "btw he dm'd me on wechat … asking when 耶加 restocks, log it": one person's message
    if goal == "share" and re.search(r"推荐码|referral code", m.text, re.IGNORECASE) and \
            (_REFERRAL_ZH.search(m.text) or _REFERRAL_EN.search(m.text)):
        return None  # a referral being credited, not a campaign
    # "ok send them a wechat reorder msg": to the group just listed (the assistant knows which)
    segment = audience(m.text) or (m.text if THOSE_LISTED.search(m.text) else None)
    if segment is None or m.customer and m.customer in segment:
        return None  # "付子涵 is our big customer right, tag VIP": one customer's record, not a group
    args: dict = {"segment": segment, "goal": goal, "channel": channel or "wechat"}
    offer = offer_percent(m.text)
    if offer is not None:
        args["offer_percent"] = offer
    return Intent(args, 0.9)


_HOW_MANY = re.compile(r"几[单个位次笔]|多少|\bhow many\b", re.IGNORECASE)


@rule(7)
def referral_credit(m: Msg) -> Intent | None:
    """"王芳用了李娜的推荐码" / "Wang Fang used Li Na's referral code" -> credit the order."""
    if _HOW_MANY.search(m.text) or re.search(r"[?？]\s*$", m.text):
        return None  # "现在一共有几单是别人推荐来的": referrals counted, nothing credited
    found = (_REFERRAL_ZH.search(m.text) or _REFERRED_ZH.search(m.text)
             or _REFERRAL_EN.search(m.text) or _REFERRED_EN.search(m.text))
    refers = _REFERS_EN.search(m.text) if not found else None
    if refers and _CREDIT.search(m.text):
        # "Sophia Evans said Nora Hall referred her, pls credit Nora": the one referred is the other one named
        people = list(_people(_named_in(m)).values())
        ref = next((p for p in people if name_identity(p) == name_identity(refers.group("ref"))), None)
        buyer = refers.group("buyer")
        others = [p for p in people if p != ref]
        if ref and _JUST_A_PRONOUN.fullmatch(buyer) and len(others) == 1:
            return Intent({"customer": others[0], "referrer": ref}, 0.9)
    if not found:
        return _referral_by_position(m) if _REFERRAL_WORD.search(m.text) else None
    buyer, ref = found.group("buyer").strip(), found.group("ref").strip()
    if _JUST_A_PRONOUN.fullmatch(buyer) and m.ctx.last_customer:
        buyer = m.ctx.last_customer  # "她是崔静介绍来的" / "yeah she used li na's code": the one in view
    named = _named_in(m)
    if len(_people(named)) == 2:
        # the stored names inside what the pattern took ("张伟张哥" -> 张伟, "谢欣怡下单的时候" -> 谢欣怡)
        inside = {g: list(_people([x for x in named if found.start(g) <= x[0] and x[1] <= found.end(g)]).values())
                  for g in ("buyer", "ref")}
        if len(inside["buyer"]) == 1 and len(inside["ref"]) == 1:
            buyer, ref = inside["buyer"][0], inside["ref"][0]
        else:
            return _referral_by_position(m)
    if not buyer or not ref or buyer == ref:
        return None
    return Intent({"customer": buyer, "referrer": ref}, 0.9)


# -- what the intent model reads, with the slots read here ---------------------------------------
_QUIET = re.compile(r"没(?:来|买|下单|消费)|不来|流失|沉睡|quiet|haven'?t|lapsed|inactive|dormant|lost|disappeared"
                    r"|went missing|gone missing"
                    r"|\bnever (?:buy|bought|order|ordered|come|came)\b.{0,12}\b(?:since|in|for|\d|one|two|three|a)\b"
                    r"|\b(?:not|no|didn'?t|don'?t) (?:buy|bought|order|ordered|come|came)\b", re.IGNORECASE)
_BOUGHT = re.compile(r"\bbought\b|\bpurchased\b|买过|买了|订过", re.IGNORECASE)
# goods to tell about: new ones, or a seasonal one on offer ("holiday gift box, 10% off", "礼盒开卖了")
_PRODUCT_NEWS = re.compile(r"新|推一下|推下|介绍|预热|促销|上了|上架|到货|开卖|开售|上市|礼盒|节日|圣诞|中秋|年货"
                           r"|launch|new|try|promo|in stock|arrived|gift ?box|holiday|christmas|xmas|seasonal",
                           re.IGNORECASE)


def _implied_goal(text: str) -> str | None:
    """A campaign's goal when unsaid: win back the quiet, tell the rest what is new, and ask
    those who bought something to buy it again."""
    if _QUIET.search(text):
        return "winback"
    if _PRODUCT_NEWS.search(text):
        return "new_product"
    return "reorder" if _BOUGHT.search(text) else None


@rule(320, meaning="campaign_results")
def results_by_meaning(m: Msg) -> Intent | None:
    goal = pick_in(GOALS, m.text)
    found = _CAMPAIGN_ID.search(m.text)
    args: dict = {"goal": goal} if goal else {}
    if found:
        args["campaign_id"] = int(next(g for g in found.groups() if g))
    return Intent(args, 0.8) if not m.customer else None


@rule(321, meaning="draft_campaign")
def campaign_by_meaning(m: Msg) -> Intent | None:
    """A campaign the model heard asked for; its goal, when unsaid, follows from whom it is for."""
    if m.customer:
        return None
    goal = pick_in(GOALS, m.text) or _implied_goal(m.text)
    segment = audience(m.text) or m.text
    if goal is None:
        return None
    args: dict = {"segment": segment, "goal": goal, "channel": pick_in(CHANNELS, m.text) or "wechat"}
    offer = offer_percent(m.text)
    if offer is not None:
        args["offer_percent"] = offer
    return Intent(args, 0.8)


_JUST_A_PRONOUN = re.compile(r"(?:(?:yeah|yes|ok|oh|and|so|also|对|哦|噢|嗯)[\s,，]*)?"
                             r"(?:she|he|they|her|him|this (?:one|guy|lady|customer)|她|他|佢|这位|这个客人|对方)",
                             re.IGNORECASE)
_WHOSE = re.compile(r"^\s*(?:的|'s|’s|s'|個|个|嘅|之)")
# "the referral code of Cui Jing": whose code, said after it
_THROUGH = re.compile(r"(?:\bby|\bvia|\bthrough|\bfrom|\bbecause of|\bthanks to|\b(?:code|link) of|经|經|通过|通過|由)\s*$",
                      re.IGNORECASE)


_REFERRAL_WORD = re.compile(r"推荐码|推荐链接|邀请码|推荐|介绍来|介绍的|拉来|带来|的码|referr|\bcode\b", re.IGNORECASE)
_INTRODUCED = re.compile(r"^\s*(?:的)?\s*(?:给|幫|帮忙?)?\s*(?:推荐|介绍|介紹|拉来|拉來|带来|帶來|叫来|叫來|领来|拉过来|带过来"
                         # "Ethan Chen gave her his referral code", "Li Na 俾咗佢個碼"
                         r"|(?:gave|sent|shared|passed)\b.{0,20}\b(?:code|link)\b|(?:给|俾|畀|发)了?(?:她|他|佢).{0,6}码)",
                         re.IGNORECASE)
_USED = re.compile(r"\bused\b|\buses?\b|\bquoted\b|用了|使用了|报了|填了|拿了", re.IGNORECASE)
_THIS_ORDER = re.compile(r"这单|这笔|这次|this (?:order|one|sale)|that (?:order|sale)", re.IGNORECASE)


@rule(322, meaning="credit_referral")
def referral_by_meaning(m: Msg) -> Intent | None:
    """Two customers named: the referrer is the one whose code it was ("李娜的码", "by Li Na")."""
    found = _referral_by_position(m)
    return Intent(found.args, 0.8) if found else None


def _referral_by_position(m: Msg) -> Intent | None:
    """Who referred whom by where the names stand: the one whose code it was or who introduced
    ("Sam Evans是Lily Cooper介绍来的"); one name and "这单" credits the customer just discussed."""
    named = _named_in(m)
    people = _people(named)
    if len(people) == 1 and m.ctx.last_customer and (_THIS_ORDER.search(m.text) or m.kw.has("pronoun")) \
            and named[0][2] != m.ctx.last_customer and _REFERRAL_WORD.search(m.text):
        return Intent({"customer": m.ctx.last_customer, "referrer": named[0][2]}, 0.85)
    if len(people) != 2:
        return None
    # a person is the referrer when any mention of them is: "李娜的码", "by Li Na", "张伟介绍来的"
    refs = {_whom(n, people) for at, end, n in named
            if _WHOSE.match(m.text[end:]) or _THROUGH.search(m.text[:at]) or _INTRODUCED.match(m.text[end:])}
    first, second = list(people.values())
    if not refs and _USED.search(m.text[named[0][1]:next(at for at, _, n in named if name_identity(n) == name_identity(second))]):
        refs = {second}  # "蒋宇轩 used 张伟 code": the one who used it bought
    if len(refs) != 1:
        return None
    ref = refs.pop()
    return Intent({"customer": first if ref == second else second, "referrer": ref}, 0.85)


def _whom(said: str, people: dict[str, str]) -> str:
    """The person a mention means: "Ben" after "Ben Green" is Ben Green."""
    found = people.get(name_identity(said))
    if found is not None:
        return found
    words = set(said.casefold().split())
    return next((name for name in people.values() if words < set(name.casefold().split())), said)


def _people(named: list[tuple[int, int, str]]) -> dict[str, str]:
    """The distinct customers among the mentions, each by its first spelling, in order."""
    out: dict[str, str] = {}
    for _, _, name in named:
        out.setdefault(name_identity(name), name)
    # "…Daniel Wood's code. Give Daniel the credit": a first name alone is the full name said before
    words = {key: set(name.casefold().split()) for key, name in out.items()}
    return {key: name for key, name in out.items()
            if not (len(words[key]) == 1 and any(words[key] < w for w in words.values()))}


def _named_in(m: Msg) -> list[tuple[int, int, str]]:
    """(start, end, name) of each customer named in the message, in order: stored names, pinyin
    and Traditional spellings alike ("Qiu Lei … Zhou Lei's code")."""
    names = tuple(m.names)
    return [(at, end, stored_name(said, names) or said) for at, end, said in customers_in(m.text, spot_index(names))]
