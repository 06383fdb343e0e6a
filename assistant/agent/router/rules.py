"""The rules of the no-model router, one or more per tool; the tool registry says whose is which.

A rule reads one message (Msg) and returns an Intent with model-style arguments (customer names and
dates as the owner wrote them), so the tools resolve and validate exactly as they do for an LLM.
Keyword tables live in keywords.py, slot extraction in slots.py, SQL templates in sql_templates.py
and the activity-logging reading in activity_rules.py. `@rule(order)` sets the order in which the
rules of all tools are tried.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.agent.router import rankings, sql_templates
from assistant.agent.router.activity_rules import PROMISED_REPLY
from assistant.agent.router.meaning import FIGURE_SURE, SURE
from assistant.agent.router.records import EXPLICIT, Canned, Intent, Route, rule
from assistant.agent.router.records import Msg as _Msg
from assistant.agent.router.slots import (
    EMAIL,
    PHONE,
    WECHAT,
    contact_fields,
    find_city,
    find_top,
    guess_name,
    named_customers,
    pick_in,
    quiet_days,
)
from assistant.lang import goods
from assistant.lang.grounding import asks_by_form, instruction, is_question
from assistant.lang.names import common_word, has_han


def after_colon(text: str) -> str | None:
    m = (re.search(r"[:：]\s*(.+)$", text, re.DOTALL) or re.search(r"[\"“「『'](.+?)[\"”」』']", text, re.DOTALL)
         or re.search(r"\s[-—–]+\s*(.+)$", text, re.DOTALL))
    return m.group(1).strip() if m else None


def command_part(text: str) -> str:
    """The instruction before any quoted or colon-introduced text (which is data, not a command)."""
    return re.split(r"[:：\"“「『]", text, maxsplit=1)[0]


_COMPLAINT_ID = re.compile(r"(?:complaint|complain(?=\s*#?\s*\d)|投诉|ticket|case)\s*(?:#|no\.?|number|id|编号)?\s*(\d+)\s*号?"
                           r"|#(\d+)|(?:第)?(\d+)\s*号投诉", re.IGNORECASE)
TONES = [("warm", r"warm|friendly|casual|gentle|\bkind\b|\bnice\b|\bsoft", "温暖|亲切|热情|随和|温和|友好|暖|客气|柔和|有人情味|温柔|溫柔|溫和|溫暖|親切|软一?点|軟一?點"),
          ("formal", r"formal|professional|polite|official", "正式|专业|礼貌|官方|严肃|板正|郑重"),
          ("brief", r"\bshort(?:er)?\b|brief|concise|keep it short|tl;?dr|fewer words",
           "简短|短一?点|短些|简单点|简洁|不要太长|别太长|看长的|太长")]
STATUSES = [("in_progress", (r"in progress|in-progress|\bin prog\b|\bwip\b|working on|ongoing|handling|looking into|on it\b"
                             r"|dealing with|following up|investigating|checking (?:on|into)"),
              "处理中|正在处理|跟进中|进行中|在跟|在处理|在查|跟着|处理紧|跟紧|跟进紧|正在跟进|跟进着"),
             ("open", r"re-?open|open (?:it )?again|open (?:it )?back|not resolved|back to open|unresolved"
              r"|mark(?:ed)? (?:it |as )?open",
              "重新打开|重开|未解决|没解决|改回|未处理|没处理|重新处理"),
             ("resolved", r"resolve|resolved|close|closed|done|fixed|sorted|handled|settled?|taken care of",
              "已解决|解决了|算解决|解决|关闭|关了|关掉|可以关|结掉|处理完|处理好|搞定|搞掂|已处理|结案|弄好了|搞好了|完结")]


def complaint_id(text: str) -> int | None:
    m = _COMPLAINT_ID.search(text)
    return int(next(g for g in m.groups() if g)) if m else None


_TOO = re.compile(r"(?:\btoo|\bless|\bnot so|太|别太|不要太|没那么)\s*(?:[a-z]+\s+)?$", re.IGNORECASE)


def wanted_tone(text: str) -> str | None:
    """The tone a draft should take: the last one named that is not a fault of the draft shown
    ("too casual, make it more formal" -> formal; "不够正式" -> formal)."""
    said = []
    for value, en, zh in TONES:
        for found in list(re.finditer(en, text, re.IGNORECASE)) + list(re.finditer(zh, text)):
            if not _TOO.search(text[max(0, found.start() - 12):found.start()]):
                said.append((found.start(), value))
    return max(said)[1] if said else None


def pick(table: list, msg: _Msg) -> str | None:
    for value, en, zh in table:
        if msg.kw.search(en) or re.search(zh, msg.text):
            return value
    return None


@rule(10)
def triage(m: _Msg) -> Intent | None:
    quoted = _QUOTE.search(m.text)
    outside = _QUOTE.sub(" ", m.text) if quoted else ""
    # 'daniel msg'd: "the beans are sour". how bad is this one': asked outside the quote, about it
    said = (quoted.group(1) or quoted.group(2) or "") if quoted else ""
    if len(said) > 8 and m.kw.has("triage", outside):
        return Intent({"text": said.strip()}, 0.9)
    if not m.kw.has("triage", command_part(m.text) + " "):
        return None
    body = after_colon(m.text)
    if not body:
        rest = re.split(r"classify|categori[sz]e|triage|分类|归类", m.text, maxsplit=1, flags=re.IGNORECASE)
        body = rest[1].strip(" :：,，") if len(rest) > 1 else None
        body = re.sub(r"^(?:this|the|that)?\s*complaint\s*", "", body or "", flags=re.IGNORECASE) or None
    if body and m.customer and _POINTS_BACK.search(m.text) and not _TELLS_CONTENT.search(m.text) \
            and len(re.sub(r"[\W\d_]|一下|到底|多|严重|serious|bad|how|is|it", "", body, flags=re.I)) < 4:
        body = None  # "顾静那个塑料的 complaint 帮我 triage 一下 到底多严重": hers, as stored
    if not body and _POINTS_BACK.search(m.text) and not _TELLS_CONTENT.search(m.text):
        # "how serious is that one?": no complaint told, so the one in view, as stored
        body = complaint_in_focus(m)
    if not body and len(m.text) > 12:
        # "帮我看看这条投诉有多严重 客人说收到的袋子破了…": the complaint is told in the same message
        body = m.text
    return Intent({"text": body}, 0.9) if body and len(body) > 3 else None


_QUOTE = re.compile(r"[\"“「『]([^\"”」』]{4,400})[\"”」』]|(?<=[:：])\s*'([^']{8,400}?)'(?=[\s.,!?]|$)")
# words that point back at what is being discussed, and words that tell a complaint's content
_POINTS_BACK = re.compile(r"\b(?:it|that|this|hers?|his)\b|这个|那个|这条|那条|这件|那件|他|她", re.IGNORECASE)
_TELLS_CONTENT = re.compile(r"说|讲|写|\b(?:said|says|wrote|writes|told)\b", re.IGNORECASE)


def complaint_in_focus(m: _Msg) -> str | None:
    """The stored text of the latest open complaint of the customer in view, or None."""
    who = m.in_focus()
    return m.ctx.open_complaint(who) if who else None


_COMPLAINT_WORD = re.compile(r"complain\w*|compliant|issue|problem|ticket|case|\bthing\b|投诉|差评|问题|那个|那件事|那单"
                             r"|那事|这事|这件事|事情", re.IGNORECASE)
# "江杰的投诉 搞定没" asks whether it is done: a question never writes.
_ASKS_STATUS = re.compile(r"\?|？|吗|嗎|[没沒](?:有)?\s*$|了[没沒]|未\s*$|\bis it\b|\byet\b", re.IGNORECASE)


# "complain 34 is about what ah", "投诉34说的什么": what a complaint on file says
_WHAT_IT_SAYS = re.compile(r"\babout what\b|\bwhat(?:'s| is| was)?\b.{0,20}\babout\b"
                           r"|\bwhat (?:did|does) (?:it|they|she|he) say\b|\bdetails?\b|\bcontent\b"
                           r"|说(?:的|了)?(?:什么|啥)|讲(?:的|了)?(?:什么|啥)|什么(?:事|内容|问题)|啥(?:事|内容|问题)"
                           r"|内容|关于(?:什么|啥)", re.IGNORECASE)


@rule(19)
def complaint_text(m: _Msg) -> Intent | None:
    cid = complaint_id(m.text)
    if cid is None or not _WHAT_IT_SAYS.search(m.text) or m.kw.has("draft") or m.kw.has("triage") \
            or _SETS_STATUS.search(m.text) or pick_in(STATUSES, m.text):
        return None
    return Intent({"sql": "SELECT k.id, k.date, c.name, k.category, k.severity, k.status, k.text FROM complaints k "
                          f"JOIN customers c ON c.id = k.customer_id WHERE k.id = {cid}"}, 0.9)


@rule(20)
def complaint_status(m: _Msg) -> Intent | Canned | None:
    """"mark complaint 12 resolved", and by name: "王洋那个投诉搞定了" / "Lily's complaint is sorted".
    Read from the owner's own words only: a quoted note that says "resolve complaint 1" is data."""
    # an apostrophe inside a word ("Wood's", "we're") is not a quotation mark
    command = instruction(re.sub(r"(?<=[A-Za-z])'(?=[A-Za-z])", "\u02bc", m.text))
    if (m.kw.has("draft", command) or _WRITE_BACK.search(command)) and not _SETS_STATUS.search(command):
        # "他也回复说收到了…帮我标记为已经处理完毕": a reply reported, a status set; "投诉还没处理
        # 给她回一个": how it stands, said before the reply asked for
        return None
    status = pick(STATUSES, m) if pick_in(STATUSES, command) else None
    cid = complaint_id(command)
    if cid is not None:
        named = {"customer": m.canonical} if m.canonical else {}
        return Intent({"complaint_id": cid, "status": status, **named}, 0.9) if status else None
    # a question about a complaint never changes it: "江杰有没有还没处理完的complaint" ("Lily's
    # complaint is sorted" is not one, so the broad English test of is_question is not used here)
    if not status or _ASKS_STATUS.search(m.text) or asks_by_form(m.text) or \
            sql_templates.is_count_question(m.kw.low) and re.search(r"多少|how many|[?？]", m.kw.low):
        return None  # "佢而家有幾多單投訴未搞掂" counts them, it closes none
    if m.kw.has("contact", command) and not _SETS_STATUS.search(command) and not _COMPLAINT_DONE.search(command):
        # "emailed james back, told him it's fixed now" reports a contact to log; "张伟个投诉搞定了
        # …他话ok" says the complaint itself is over
        return None
    # by name, or "她的投诉标成已解决" / "put that complaint as in progress" about the one just discussed
    # "先把投诉标成处理中" names no one: the complaint of the customer being talked about
    who = m.customer or (m.ctx.last_customer if m.kw.has("pronoun") or _THAT_ONE.search(command)
                         or _SETS_STATUS.search(command) else None)
    said = _COMPLAINT_WORD.search(command) or re.search(r"已解决|处理中|正在处理|跟进中|未处理|resolved|in progress"
                                                         r"|\bin prog\b|\bwip\b", command,
                                                         re.IGNORECASE)
    if said and not m.customer and m.ctx.last_complaint and (
            m.kw.has("pronoun") or _THAT_ONE.search(command) or _SETS_STATUS.search(command) or re.search(
                r"\b(?:it|this one|that one)\b|这个|那个|这条|那条|呢个|嗰个", command, re.IGNORECASE)):
        # "mark it in progress thx" right after its reply was drafted: that complaint (and whose)
        return Intent({"complaint_id": m.ctx.last_complaint, "status": status, **({"customer": who} if who else {})}, 0.85)
    if said and not who and _THAT_ONE.search(command) and not m.ctx.last_customer \
            and not sql_templates.is_count_question(m.kw.low) and not _ASKS.search(m.kw.low):
        # "把那个投诉关了" with no one talked about: whose, kept for the name that answers it
        return Canned("complaint_whose", Route("set_complaint_status", {"status": status}, 0.85))
    if not (who and said):
        return None
    # "先标成处理中": the verb that sets a status and the status itself, word for word
    return Intent({"customer": who, "status": status}, EXPLICIT if _SETS_STATUS.search(command) else 0.85)


_SETS_STATUS = re.compile(r"\b(?:mark|set|change|put|move|close|re-?open|open (?:it )?back|make it)\b"
                          r"|标成|标为|标记|改成|改为|设为|关掉|关闭|关了|结案|重开|重新打开", re.IGNORECASE)
_COMPLAINT_DONE = re.compile(r"(?:投诉|complaint)[^，,。.!！]{0,4}(?:搞定|解决|处理好|处理完|搞好|弄好|结了"
                             r"|\b(?:resolved|sorted|fixed|closed|settled|done)\b)", re.IGNORECASE)
_THAT_ONE = re.compile(r"\b(?:that|this|the|her|his)\s+(?:[a-z-]+\s+){0,2}?complaint\b|这个投诉|那个投诉|这条投诉|那条投诉"
                       r"|(?:那|这)(?:个|条|单)[\u4e00-\u9fff]{1,6}的?投诉", re.IGNORECASE)
_REMIND = re.compile(r"remind|记得|提醒|(?<![提醒])提我|别忘|⏰", re.IGNORECASE)
_ASKED_FIRST = re.compile(r"^\s*(?:帮我|替我|给我|麻烦|请|pls|please|can you|could you)", re.IGNORECASE)
_WRITE_BACK = re.compile(r"write (?:[\w']+ ){0,3}back|get back to|回个话|回句话|(?<!我)回覆|(?<![我挽召])回他|(?<![我挽召])回她|复一下|覆他|覆她|覆一下|复他|复她"
                         r"|(?:帮我|替我|给|跟|帮(?:他|她|佢)).{0,14}?回(?:一?下|一?个|一?条|一?句)(?!电话)(?:消息|信息|微信|话)?"
                         # "幫我諗下點回佢": how to answer her
                         r"|(?:怎么|咋|如何|怎样)(?:回|回复|答复|回应)(?:他|她|佢)",
                         re.IGNORECASE)


_APOLOGY = re.compile(r"(?:写|擬|拟|起草|草拟|准备|来)[^，,。]{0,6}道歉|\bapology\b|\bapologi[sz]e to\b|need a (?:reply|response)"
                      r"|what (?:do|should|can) i (?:say|tell|reply|write) (?:to|back)", re.IGNORECASE)
_WHAT_TO_SAY = re.compile(r"what (?:do|should|can) i (?:say|tell)|(?:怎么|咋)跟(?:他|她|佢)说|跟(?:他|她|佢)说(?:什么|啥|点什么)",
                          re.IGNORECASE)
_WRITE_IT = re.compile(r"\bdraft|\bwrite\b|起草|草拟|拟|写|帮我回|替我回", re.IGNORECASE)
_RETONE = re.compile(r"make it|\bmore\b|\w+er\b|\bless\b|\btoo\b|\bbit\b|一点|一點|点儿|些|再|太", re.IGNORECASE)


@rule(30)
def draft_reply(m: _Msg) -> Intent | None:
    cid = complaint_id(m.text)
    tone = wanted_tone(m.text)
    command = command_part(m.text)
    about_complaint = bool(re.search(r"complain|投诉|差评|negative review|feedback", command, re.IGNORECASE)) or cid
    if _REMIND.search(m.text):
        return None  # "明天要记得回复黄涛…" is a reminder to reply, not a reply to draft now
    if PROMISED_REPLY.search(command) and not _WRITE_IT.search(command):
        return None  # "我跟她说明天回复她" / "need to reply him by tue": a reply due later, to log
    back = _WRITE_BACK.search(command)
    # "…幫我諗下點回佢": asked for in its own clause, after what the customer did
    asked_here = back and re.search(r"(?:帮我|替我|请你?|麻烦你?|\bpls\b|\bplease\b|\bcan you\b|\bcould you\b)"
                                    r"[^，,。.!?！？]{0,10}$", command[:back.start()], re.IGNORECASE)
    drafting = m.kw.has("draft", command) or bool(_APOLOGY.search(command)) or bool(
        # "崔静打来…叫我听日再覆佢": a reply promised on a call is a follow-up to log, not a draft now
        back and (_ASKED_FIRST.match(command) or asked_here or not m.kw.has("contact", command)))
    if not drafting and tone and m.ctx.last_customer and _RETONE.search(m.text) and len(m.text) <= 60:
        # "make it warmer" / "短一點 她不喜歡看長的": the draft just shown, in another tone
        return Intent({"customer": m.ctx.last_customer, "tone": tone}, 0.8)
    if not (drafting and (about_complaint or m.who() or m.ctx.last_complaint)) and not (cid and tone):
        return None
    if not about_complaint and _WHAT_TO_SAY.search(command) and not m.kw.has("draft", command) \
            and m.ctx.open_complaint is not None and m.who() and not m.ctx.open_complaint(m.who()):
        return None  # "what should i say to her" with nothing to answer for: advice, not a reply
    args: dict = {}
    if cid is not None:
        args["complaint_id"] = cid
        if m.canonical:  # "给 #9 何诗涵 写个回复": her complaint, named both ways
            args["customer"] = m.canonical
    else:
        who = m.who()
        if who:
            args["customer"] = who
        elif m.ctx.last_complaint:  # "then draft reply for that customer" right after it was marked
            args["complaint_id"] = m.ctx.last_complaint
            if m.ctx.last_customer:
                args["customer"] = m.ctx.last_customer
        elif about_complaint and m.ctx.last_customer and not m.customer:
            # "open complaint → reply draft, brief" right after her profile: her complaint
            args["customer"] = m.ctx.last_customer
    if tone:
        args["tone"] = tone
    return Intent(args, 0.9 if args else 0.6)


# The new customer's name comes right after the announcement ("新客人 陈小满 手机…", "add customer
# Wang Fang, phone …", "new cust 🎉 Priya Nair, …"), past emoji, colons and "named" / "叫".
_ANNOUNCED = re.compile(
    r"(?:\b(?:customer|client|contact|cust)s?\b|\bnew (?:guy|girl|lady|person|regular|one|face)\b|新?客户|顾客|新?客人|新客"
    r"|(?<=加个)客|(?<=加一个)客|(?<=加)客|建档|建个档|开个档)[^\w]*(?:\b(?:pls|plz|please|here|for you|ah|lah|la|leh|lor|ya|yo)\b[^\w]*)?"
    r"(?:[喔哦啊啦呀哈噢嘛咯喇][^\w]*)?"
    # "有个新客人加下 车晓楠": the request between the announcement and the name
    r"(?:(?:帮我)?(?:加下|加一下|加个|加|录一下|记一下|登记一下|建一个|建个|建一下|开一个|开个)[^\w]*)?"
    r"(?:(?:\b(?:named|called)\b|叫做?|名字?叫|名字是?|姓名是?)[^\w]*)?(?:\b(?:mr|mrs|ms|miss|dr|madam)\b\.?\s*)?", re.IGNORECASE)
_HAN_STOP = r"(?=[,，。.;；:：、\s\d(（]|电话|電話|手机|手機|微信|邮箱|郵箱|住在|来自|來自|在|城市|的|是|$)"
# "有個新客人啱啱嚟咗，叫陳美玲，電話…", "her name is Karen Liu": the name said as a name wins over
# whatever words follow the announcement
_NAME_SAID = re.compile(r"(?:名字?叫做?|(?<![叫])叫做?(?![他她我你佢])|\b(?:named|called)\b|\b(?:her|his|their|the)\s+name\s*(?:is|'s)\b"
                        r"|\bname\s*[:：]|姓名\s*[:：]?|名字\s*(?:[:：是]\s*)?(?=[\u4e00-\u9fff]{2,4}(?:\s|$|[,，、]))"
                        r")\s*", re.IGNORECASE)
# "new guy just came in, Tom Becker, 137…": a full name a few words after the announcement
_FULL_NAME_AFTER = re.compile(r"[^\d]{0,40}?\b((?!(?:He|She|His|Her|They|The|This|That|I|We)\b)[A-Z][a-z'-]+"
                              r"(?:\s+[A-Z][a-z'-]+){1,2})(?![\w'-])")
_NEW_NAME = re.compile(r"(阿[A-Za-z][\w'-]*|[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,2}(?![\w'-])|[\u4e00-\u9fff]{2,4}?"
                       + _HAN_STOP + r"|[a-z][\w'-]*(?:\s+[a-z][\w'-]*)?(?=\s*[,，]|\s+\+?\d"
                       r"|\s+(?:phone|tel|mobile|cell|number|email|e-mail|wechat|city|from|lives)\b))")
# only the title in any case: the name's words are the capitalised ones ("Mr Smith came in")
_TITLED = re.compile(r"\b(?i:mr|mrs|ms|miss|dr|madam)\.?\s+([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)"
                     r"|([\u4e00-\u9fff]{2,3}?)(?:先生|女士|小姐)")
_ADD_VERB = re.compile(r"\b(?:add|register|save|create|enter|put)\b(?:\s+(?:in|down|a|an|new|this|the)\b)*\s*"
                       r"|(?:添加|新增|登记|录入|加)(?:一下|下|个|一个|一位|位)?\s*", re.IGNORECASE)
_ADD_THEM = re.compile(r"\b(?:add|save|put)\b.{0,12}\b(?:her|him|them)\b|\b(?:she|he)(?:'s| is) new\b|新来的|新客"
                       r"|(?:加上|加进去|加一下|添加|登记|存一下|录入|建档|建个档)", re.IGNORECASE)
_NOT_A_NAME = re.compile(r"^(?:phone|email|wechat|city|notes?|named|called|for|with|her|him|his|she|he|them|their|it|its"
                         r"|me|my|also|too|电话|手机|微信|邮箱|她|他|它|佢)$",
                         re.IGNORECASE)
# Tags an owner says in passing when announcing or describing a customer, kept in their words.
_TAG_WORDS = re.compile(r"\b(?:wholesale|vip|gifts?|caf[eé]|office|corporate|retail|b2b)\b|批发|批發|大客户|礼品|团购",
                        re.IGNORECASE)
_NOTES = re.compile(r"(?:\bnotes?\b|备注|说明)\s*[:：]?\s*(.+)$", re.IGNORECASE)
_NOTE_THAT = re.compile(r"[,，]?\s*(?:put|add|write|save|keep|note)\s+(?:that|it|this)\s*(?:(?:in|into|to|as|down in)\s+"
                        r"(?:the\s+|her\s+|his\s+)?notes?\b|down\b)|[,，]?\s*(?:记|写|放)(?:到|在|进)(?:备注|笔记)"
                        # "稀罕喝曼特宁 给备注上": what was just said, put in the notes
                        r"|[,，]?\s*(?:给|帮)?(?:我)?(?:备注|记)(?:上|一下|下来|进去)\s*[。.!！]?\s*$", re.IGNORECASE)


@rule(40)
def new_customer(m: _Msg) -> Intent | Canned | None:
    command = command_part(m.text)
    if m.ctx.adding_customer and not m.customer:
        # "add a customer" → "what is the name?" → "Mike Zhou 13655550000": the name, then details
        given = _GIVEN_NAME.match(m.text)
        if given and not _NOT_A_NAME.match(given.group(1)):
            rest = m.text[given.end():]
            return Intent({"name": given.group(1).strip(), **contact_fields(rest)}, 0.85)
    another = _ANOTHER.match(m.text) if m.ctx.added_customer and not m.customer else None
    if another:
        # "再加一个 她闺蜜陈朵朵 也是杭州的 vx duoduo_cc": after one customer added, the next
        rest = _RELATION.sub("", m.text[another.end():], count=1)
        given = _GIVEN_NAME.match(rest)
        if given and not _NOT_A_NAME.match(given.group(1)) and not common_word(given.group(1)):
            return Intent({"name": given.group(1).strip(), **contact_fields(rest[given.end():])}, 0.85)
    if not m.kw.has("add_customer") or (m.kw.has("howto", command) and not PHONE.search(m.text)):
        return None
    found = new_customer_args(m)
    if found is None and not m.customer and len(command) <= 24 and _ADD_ONE.search(command) \
            and not is_question(m.text) and not asks_by_form(m.text):
        return Canned("name_needed")  # "add a customer": who, is asked
    return found


_ANOTHER = re.compile(r"^\s*(?:再|还|另外|还有)(?:要)?(?:加|添|录|建)(?:一个|一位|个|位)?(?:新的?)?(?:客户|客人|顾客)?\s*[:：,，]?"
                      r"|^\s*(?:add\s+)?(?:another(?:\s+one)?|one more)\b\s*[:：,，]?", re.IGNORECASE)
# who the next one is to the last: "她闺蜜陈朵朵", "his wife Amy Chen"
_RELATION = re.compile(r"^\s*(?:她|他|佢)?(?:的)?(?:闺蜜|朋友|同事|老公|老婆|太太|先生|妈妈|爸爸|姐姐|妹妹|哥哥|弟弟|女儿|儿子|同学|邻居)\s*"
                       r"|^\s*(?:her|his|their)\s+(?:friend|bestie|colleague|husband|wife|mum|mom|dad|sister|brother|son|daughter|neighbou?r)\s+",
                       re.IGNORECASE)
_ADD_ONE = re.compile(r"\b(?:add|create|register|save|new)\b|添加|新增|新建|录入|登记|(?<![增])加(?:个|一个|一位|位)?新?(?:客|顾)",
                     re.IGNORECASE)
_GIVEN_NAME = re.compile(r"\s*(?:(?:name is|it'?s|叫|是)\s*)?([A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+){1,2}|[\u4e00-\u9fff]{2,4})"
                         r"(?=\s|$|[,，。.])")


def _the_unknown_added(m: _Msg) -> Intent | None:
    """"欧阳娜娜的资料" or "陈美玲刚才买了两包" found no one; "哦她是新来的 帮我加上 电话…" adds that
    name, with the details given."""
    details = contact_fields(m.text) if m.ctx.unknown_name and _ADD_THEM.search(m.text) else {}
    return Intent({"name": m.ctx.unknown_name, **details}, 0.85) if details else None


def new_customer_args(m: _Msg, by_verb: bool = False) -> Intent | None:
    """The new customer's name and contact details, read by code; `by_verb` when the message is
    known to add someone, so "add <name>" is enough."""
    unknown = _the_unknown_added(m)
    if unknown and not m.customer and re.search(r"她|他|佢|\b(?:she|he|her|him)\b", m.text, re.IGNORECASE):
        return unknown  # "她是新客 电话… 先把她加进去": "her" is the one just found nowhere
    found = None
    for lead in _NAME_SAID.finditer(m.text):
        found = _NEW_NAME.match(m.text, lead.end())
        if found and not _NOT_A_NAME.match(found.group(1)):
            break
        found = None
    for lead in [] if found else _ANNOUNCED.finditer(m.text):
        found = _NEW_NAME.match(m.text, lead.end()) or _FULL_NAME_AFTER.match(m.text, lead.end())
        if found and not _NOT_A_NAME.match(found.group(1)):
            break
        found = None
    if not found and by_verb and not m.canonical:
        # the intent model heard a new customer: "pls add Arjun Mehta, email …" names no
        # customer word, the name follows the verb
        lead = _ADD_VERB.search(m.text)
        found = _NEW_NAME.match(m.text, lead.end()) if lead else None
        if found and _NOT_A_NAME.match(found.group(1)):
            found = None
    if not found and unknown:
        return unknown
    if not found:
        # "We had a new gentleman in today, a Mr Tobias Hargreaves, … add him as a customer": the
        # announcement names no one; the person is the one given a title
        found = _TITLED.search(m.text)
    if not found:
        return None
    name = (found.group(1) or found.group(2)).strip()
    # "new customer grace lim": a name typed all in lower case is stored as names are written
    args: dict = {"name": name.title() if name.islower() and name.isascii() else name}
    rest = m.text[found.end():]
    # "runs a small cafe, tag him wholesale": the tag asked for, before a tag word said in passing
    asked = next((f for f in (rx.search(rest) for rx in _TAG_VALUE) if f and not _TAG_NOISE.fullmatch(f.group(1))), None)
    tag = _TAG_WORDS.search(asked.group(1)) if asked else None
    tag = tag or _TAG_WORDS.search(rest)
    if tag:
        args["tags"] = tag.group(0)
    that = _NOTE_THAT.search(rest)
    notes = None if that else _NOTES.search(rest)
    if that:  # "she likes 耶加雪菲, put that in notes": the clause before is the note
        clause = re.split(r"[,，;；]|(?<=[\d\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", rest[:that.start()].strip())[-1]
        said = re.sub(r"^\s*(?:um+|uh+|er+|嗯|呃|and|also|oh)\b[\s,，]*", "", clause.strip(), flags=re.IGNORECASE)
        if said:
            args["notes"] = said
        rest = rest[:that.start()]
    elif notes:
        args["notes"] = notes.group(1).strip()
        rest = rest[:notes.start()]
    else:
        # "…, runs a small bakery, likes dark roast": what the owner says about them is the note
        told = [c.strip() for c in re.split(r"[,，;；]|(?<=[\d\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", rest) if _DESCRIBES.search(c) and not _TAG_VALUE_SAID.search(c)]
        if told:
            args["notes"] = ", ".join(told)
    args.update(contact_fields(rest))
    return Intent(args, 0.9)


# a clause that describes the person (kept as the note), not a contact detail or a tag asked for
_DESCRIBES = re.compile(r"\b(?:likes?|loves?|prefers?|runs?|owns?|works? (?:at|in|for)|allergic|drinks?)\b"
                        r"|喜欢|爱喝|爱吃|开了?(?:一?家|个)|开店|在.{1,8}(?:上班|工作)|对.{1,6}过敏", re.IGNORECASE)
_TAG_VALUE_SAID = re.compile(r"(?<![A-Za-z])tag(?:s|ged)?(?![A-Za-z])|标签|标记|打上", re.IGNORECASE)


# "tag -> VIP" written with an arrow (a value set apart in quotes is _QUOTED's, below)
_ARROW = re.compile(r"\s*(?:->|→|=>|—>|>)\s*")


# letters, not \b, around English field words: in "帮他加个tag wholesale" the 汉字 are word characters
_FIELDS = [("email", r"e-?mail|邮箱|邮件"), ("wechat", r"wechat|weixin|微信|(?<![A-Za-z])[wv]x(?![A-Za-z])"),
           ("tags", r"(?<![A-Za-z])tag(?:s|ged)?(?![A-Za-z])|\bmark\b.{1,30}\bas\b|标签|标记|标成|标为|打上"
                    r"|(?<![A-Za-z])vip(?![A-Za-z])"),
           ("notes", r"(?<![A-Za-z])notes?(?![A-Za-z])|备注|备忘|记一下"),
           ("phone", r"phone|number|mobile|cell|电话|手机|号码|换(?:个|了|了个|新)?号|新号"),  # (换微信号 is WeChat's)
           ("city", r"city|address|moved to|moving to|relocated|lives in|城市|地址|搬到|搬去|搬了去|搬家|住"),
           ("name", r"\bname\b|名字|姓名|改名")]
# Field words typed with the wrong characters of the same sound: 被注 for 备注, 标前 for 标签.
_FIELD_SOUNDS = [("notes", "|bei|zhu|"), ("tags", "|biao|qian|"), ("phone", "|shou|ji|"), ("city", "|cheng|shi|")]
_VALUE = re.compile(r"(?:\bto\b|\bis\b|\bas\b|=|改成|改为|换成|更新为|更新成|变成|设为|设置为|标记为|写成|打上|为|是|:|：)了?"
                    r"\s*(.+?)\s*[。.!！]?$")
_TAG_VALUE = [re.compile(r"(?:tag|标签)\s*(?:叫做?|名叫|called|named)\s*[\"“「']?([\w\u4e00-\u9fff&+-]{1,15}?)[\"”」']?\s*(?:吧|啦|$|[\s,，。])",
                         re.IGNORECASE),
              # "帮他标签加一个VIP": the tag after the verb that adds it
              re.compile(r"(?:tag|标签)\s*(?:里|上)?\s*(?:加|添|打|贴)(?:上|个|一个|多一个|多个)?\s*[\"“「']?([A-Za-z][\w&+-]{0,15}|[\u4e00-\u9fff]{1,6}?)"
                         r"[\"”」']?\s*(?:吧|啦|$|[\s,，。])", re.IGNORECASE),
              re.compile(r"(?:打|加|贴|上|添)(?:个|個|一个|一個|上)?\s*[\"“「']?([\w\u4e00-\u9fff&+-]{1,15}?)[\"”」']?\s*(?:的)?标签"),
              re.compile(r"标(?:成|为|记成|记为|上)了?\s*[\"“「']?([A-Za-z0-9&+-]+|[\u4e00-\u9fff]{1,6}?)[\"”」']?"
                         r"\s*(?:客户|客人|顾客|的|吧|$|[\s,，。])"),
              re.compile(r"\bas\s+(?:an?\s+)?[\"']?([\w&+-]+(?:\s+customer)?)", re.IGNORECASE),
              re.compile(r"\b(?:the|a|an)\s+[\"']?([\w&+-]+)[\"']?\s+tag\b", re.IGNORECASE),
              # "加个 VIP tag": the value before the English word, after the Chinese verb
              re.compile(r"(?:打|加|贴|上|添)(?:个|個|一个|一個|上)?\s*[\"']?([A-Za-z][\w&+-]{1,15})[\"']?\s*tag(?![A-Za-z])", re.IGNORECASE),
              re.compile(r"(?<![A-Za-z])tag(?:s|ged)?(?![A-Za-z])\s*(?:(?:him|her|them|it|this one)\s+(?:as\s+(?:an?\s+)?)?)?"
                         r"(?:[:：=]|\bwith\b)?\s*(?:上|个|一个|成|为|做)?\s*[\"']?([\w&+-]+)",
                         re.IGNORECASE),
              # "再给她加个标签嘛，VIP", "加个标签 notebook lover": the value after the word tag
              re.compile(r"标签\s*(?:嘛|吧|呀|啊|哈)?[\s,，:：]*[\"“「']?([A-Za-z][\w&+-]{0,15}|[\u4e00-\u9fff]{2,6})[\"”」']?"
                         r"\s*(?:吧|啦|$|[\s,，。])"),
              # "tag 孟浩然 gifts too": read after the name, which `after` starts past
              re.compile(r"^\s*(?:as\s+)?[\"']?([A-Za-z][\w&+-]{1,15}|[\u4e00-\u9fff]{2,4})[\"']?(?=\s|$|[,，.。])")]
_OFF = r"(?:去掉|删掉|删除|移除|拿掉|取消|撤掉|去除|摘掉)"
_TAG_OFF_WORD = re.compile(_OFF + r"|\b(?:remove|untag|drop|take off|delete|clear)\b", re.IGNORECASE)
_TAG_OFF = [re.compile(r"[\"“「']?([A-Za-z][\w&+-]{0,15}|[\u4e00-\u9fff]{1,6}?)[\"”」']?\s*(?:的)?\s*(?:tag|标签)\s*(?:给|都)?"
                       + _OFF, re.IGNORECASE),
            re.compile(_OFF + r"\s*(?:他的|她的|他|她)?\s*[\"“「']?([A-Za-z][\w&+-]{0,15}|[\u4e00-\u9fff]{1,6}?)[\"”」']?\s*(?:的)?"
                       r"\s*(?:tag|标签)", re.IGNORECASE),
            re.compile(r"\b(?:remove|drop|take off|delete|clear)\s+(?:the\s+|her\s+|his\s+|their\s+)?[\"']?([\w&+-]+)[\"']?"
                       r"\s+tags?\b", re.IGNORECASE),
            re.compile(r"\buntag\b.{0,30}?\b(?:as\s+|from\s+)?[\"']?([\w&+-]+)[\"']?\s*$", re.IGNORECASE)]
_TAG_NOISE = re.compile(r"\s+customer$|^(?:pls|please|instead|as|him|her|them|个|個|一个|一個|新)$", re.IGNORECASE)
_ID_TOKEN = re.compile(r"(?<![A-Za-z0-9_@.])([A-Za-z][A-Za-z0-9_-]{3,})(?![A-Za-z0-9_@.])")
_NOT_ID = {"wechat", "weixin", "is", "now", "new", "the", "changed", "change", "update", "to", "id", "his",
           "her", "pls", "please", "with"}
_NEW_VALUE = re.compile(r"(?:\bto\b|改成|换成|改为|换了|新的是|[:：])\s*([A-Za-z][A-Za-z0-9_-]{3,})", re.IGNORECASE)
_MOVED_TO = re.compile(r"(?:搬(?:去|到|家到|家去)了?|moved to|moving to|relocated to|lives in|now in)\s*"
                       r"([A-Z][a-z]+(?: [A-Z][a-z]+)?|[a-z]+|[\u4e00-\u9fff]{2,3}?)(?:市|了|$|[\s,，。.])", re.IGNORECASE)


_ONE_MORE = re.compile(r"^\s*(?:再|也|另外|还要|还有|顺便|\b(?:also|and|plus)\b)", re.IGNORECASE)
# "note for cui jing: deliver before 10am" / "tag 孟浩然 gifts": about the customer's record itself
# "林生话他对榛子敏感 帮他加个备注": what to note is said first, the request after it
_NOTE_AFTER = re.compile(r"[\s,，。]*(?:帮(?:他|她|我)?)?(?:加|添|写|记)(?:个|一个|一下|上|条)?\s*(?:备注|note)\s*[。.!！]?\s*$",
                         re.IGNORECASE)
_ON_THE_RECORD = re.compile(r"^\s*(?:(?:oh|and|also|ok|pls|please|对了|还有)[\s,，]+)*(?:add (?:a )?)?"
                            r"(?:notes? (?:for|on|about|to)\b|notes? down\b|tag\b)|备注一下|记在(?:他|她)?资料"
                            r"|(?:标签|\btag\b)\s*(?:里|上)?\s*(?:加|添|打|贴)|" + _NOTE_AFTER.pattern, re.IGNORECASE)
_SAID_HEAD = re.compile(r"^\s*(?:话|说|讲|讲话|表示|提到|says?|said)?\s*(?:他|她|佢)?\s*", re.IGNORECASE)


# "notes: 月结，每月5号对账" right after a change to someone: a field of the one in view, labelled
_FIELD_FIRST = re.compile(r"^\s*(?:notes?|备注|备忘|e-?mail|邮箱|wechat|微信|tags?|标签)\s*[:：]", re.IGNORECASE)


@rule(50)
def change_customer(m: _Msg) -> Intent | None:
    # "再加埋個tag 叫「新客」" right after adding her: one more change to the one in view
    who = m.who() or (m.ctx.last_customer if _ONE_MORE.match(m.text) or _FIELD_FIRST.match(m.text) else None)
    if not who or is_question(m.text) and sql_templates.is_count_question(m.kw.low):
        return None  # "how many of the shanghai ones are tagged wholesale" asks, it tags no one
    if not m.kw.has("update", instruction(m.text)) and not _ON_THE_RECORD.search(m.text) \
            and not _FIELD_FIRST.match(m.text):
        # "她微信是 xiaoyu_bnb 帮我补上": a contact value stated for a customer is a change too
        stated = {"phone", "email", "wechat"} & set(contact_fields(m.text))
        if not stated or asks_by_form(m.text) or (m.kw.has("contact") and "wechat" not in stated):
            return None
    return change_args(m, who)


def _field(command: str, after: str) -> str | None:
    from assistant.agent.router.keywords import _pinyin_seq

    for part in (after, command):
        found = [(mm.start(), f) for f, rx in _FIELDS for mm in [re.search(rx, part, re.IGNORECASE)] if mm]
        if found:
            # a tag / note / number the message is about, before a value that names a channel;
            # a note added at the end ("new phone …, and note she only drinks decaf") comes with it
            record = [x for x in found if x[1] in ("tags", "notes")]
            if not record or (min(found)[1] not in ("tags", "notes") and re.search(
                    r"(?:\band|also|[,，])\s*(?:add an? |put an? )?$", part[:min(record)[0]], re.IGNORECASE)):
                return min(found)[1]
            return min(record)[1]
    if re.search(r"[\u4e00-\u9fff]", command):
        seq = _pinyin_seq(command)
        return next((f for f, sound in _FIELD_SOUNDS if sound in seq), None)
    return None


def change_args(m: _Msg, who: str) -> Intent | None:
    """Which field of the customer changes, and to what, read by code."""
    text = m.text
    command = command_part(text)
    after = text[m.span[1]:] if m.span else text
    after_command = command[m.span[1]:] if m.span and m.span[1] <= len(command) else command
    fld = _field(command, after_command)
    if fld is None and command != text and m.kw.has("update", command):
        # "update Nora Chen: new phone …, moved to shanghai": what follows the colon is the change
        fld = _field(text, after)
    if fld is None:
        return None
    value: str | None = None
    if fld == "phone":
        found = PHONE.search(after) or PHONE.search(text)
        value = re.sub(r"[\s-]", "", found.group(1)) if found else None
    elif fld == "email":
        value = (EMAIL.search(after) or [None])[0]
    elif fld == "wechat":
        found = WECHAT.search(after)
        # a plain word is an id only where a new value is announced: "on wechat today" names none
        ids = [t for t in _ID_TOKEN.findall(after) if t.lower() not in _NOT_ID and re.search(r"[\d_-]", t)]
        said = re.search(r"wechat|weixin|微信|(?<![A-Za-z])[wv]x(?![A-Za-z])", after, re.IGNORECASE)
        named = _NEW_VALUE.search(after[said.end():said.end() + 24]) if said else None
        value = (found.group(1) or found.group(2)) if found else (ids[-1] if ids else (
            named.group(1) if named and named.group(1).lower() not in _NOT_ID else None))
    elif fld == "tags" and _TAG_OFF_WORD.search(text):
        # "把 wholesale tag 去掉", "remove the VIP tag from Leo": a tag taken off, the others kept
        off = next((f for f in (rx.search(after) or rx.search(text) for rx in _TAG_OFF) if f), None)
        if off is None:
            return None
        note = _NOTE_TOO.search(after[off.end():])
        more = {"notes": (note.group(1) or note.group(2)).strip(" ,，。.")} if note else {}
        return Intent({"customer": who, "remove_tags": off.group(1).strip(), **more}, 0.85)
    elif fld == "tags" and (quoted := _QUOTED.search(after)):
        value = quoted.group(1).strip()  # "标签里再加上“老客户”": the words in quotes
    elif fld == "tags":
        # after the name, else before it: "add a VIP tag to Leo Hughes"; "tag -> VIP" is "tag as VIP"
        after = _ARROW.sub(" as ", after)
        before = text[:m.span[0]] if m.span else ""
        for part, patterns in ((after, _TAG_VALUE), (before, _TAG_VALUE[:-1])):
            found = next((f for f in (rx.search(part) for rx in patterns)
                          if f and not _TAG_NOISE.fullmatch(f.group(1))), None)
            if found:
                value = _TAG_NOISE.sub("", found.group(1))
                break
    elif fld == "notes" and _NOTE_AFTER.search(text) and m.span and not after_colon(text):
        said = text[m.span[1]:_NOTE_AFTER.search(text).start()]
        value = _SAID_HEAD.sub("", said, count=1).strip(" ,，。") or None
    elif fld == "notes":
        value = after_colon(text)
        if not value:
            tail = re.split(r"\bnotes?\b|备注|备忘|记一下|被注", after, maxsplit=1, flags=re.IGNORECASE)[-1]
            value = re.sub(r"^\s*(?:一下|下|to\s+\S+|that|[:：,，])*\s*", "", tail).strip() or None
    elif fld == "city":
        moved = _MOVED_TO.search(after)
        # "moving to a new address" names no city: a place is a known city or a proper name
        place = moved.group(1) if moved and (moved.group(1)[0].isupper() or has_han(moved.group(1))) else None
        value = find_city(after) or place
        if not value:
            tail = re.split(dict(_FIELDS)[fld], after, maxsplit=1, flags=re.IGNORECASE)[-1]
            found = _VALUE.search(tail)
            said = (found.group(1) if found else "").rstrip("了市")
            value = find_city(tail) or (said if said and (said[0].isupper() or has_han(said)) else None)
    else:
        tail = re.split(dict(_FIELDS)[fld], after, maxsplit=1, flags=re.IGNORECASE)[-1]
        found = _VALUE.search(tail)
        value = found.group(1) if found else tail.strip(" ,，了")
    if not value or not value.strip():
        return None
    return Intent({"customer": who, fld: value.strip(), **_more_fields(after, fld, value)}, 0.85)


_NOTE_TOO = re.compile(r"(?:\band\s+)?\b(?:add a |put a )?notes?\s+(?:that\s+|写|写上|[:：])?\s*(.+)$"
                       r"|(?:备注|记一下)(?:一下)?(?:写|写上)?[:：]?\s*(.+)$", re.IGNORECASE)


def _more_fields(after: str, fld: str, value: str) -> dict:
    """Other fields changed in the same message: "new phone 136…, she moved to shanghai, and note
    she only drinks decaf now" is a phone, a city and a note."""
    more: dict = {}
    rest = after.replace(value, " ", 1)
    for key, found in contact_fields(rest).items():
        if key != fld and key in ("phone", "email", "wechat"):
            more[key] = found
    moved = _MOVED_TO.search(rest)
    if fld != "city" and moved:
        city = find_city(rest[moved.start():])
        if city:
            more["city"] = city
    # "tag VIP lah, also note 他 want the 会员卡": a note after the tag comes with it
    note = _NOTE_TOO.search(rest) if fld != "notes" else None
    if note:
        more["notes"] = (note.group(1) or note.group(2)).strip(" ,，。.")
    tag = _TAG_TOO.search(rest) if fld != "tags" else None
    if tag and not _TAG_NOISE.fullmatch(tag.group(1)):
        more["tags"] = tag.group(1)
    return more


# "email x@y.com, +tag wholesale" / "…，标签 VIP": a tag listed beside another change
_TAG_TOO = re.compile(r"(?:^|[\s,，;；])\+?\s*(?:tags?|标签)\s*[:：=]?\s*"
                      r"([A-Za-z][\w&+-]{1,20}|[\u4e00-\u9fff]{1,6})(?=$|[\s,，;；。.])", re.IGNORECASE)


def _churn_asked(m: _Msg) -> bool:
    """A churn question, or a quiet spell ("who hasn't ordered in 2 months")."""
    if "churn" not in m.memo:
        quiet = None if m.kw.has("howto") else quiet_days(m.text)
        m.memo["churn"] = (m.kw.has("churn") or quiet is not None, quiet)
    return m.memo["churn"][0]


BRIEFING = re.compile(
    r"今[天日].{0,6}(?:联系|联络|打电话|打给|打俾|打畀|做什么|干什么|忙什么|跟进|注意|安排|待办|要做|该做|call|ring|ping|找谁|找哪|找边)"
    r"|今[天日].{0,16}(?:生日|回访|要跟进|最急|最urgent|最紧急)"
    # "聽日要搵邊啲客？": whom to contact on a coming day is the briefing's list too
    r"|(?:今[天日]|明[天日]|听日)(?:要|该|应该)?(?:找|联系|打给|call)(?:哪些|哪几个|谁|边啲|哪个)(?:客|人)?"
    r"|\bbriefing\b|\bbrief\b(?! (?:reply|note|message))"
    r"|\bplan for today\b|\btoday'?s plan\b|\bwhat'?s on (?:for )?today\b|\burgent\b.{0,20}\btoday\b"
    r"|(?:今日|每日|每天|早上|晨间)?(?:简报|早报|晨报|簡報|早報)|有(?:什么|什麼|啥)(?:需要|要|该|該)?(?:我)?注意"
    r"|\bwhat (?:should|do|shall|must) i (?:do|focus on|work on|handle)\b.{0,12}\btoday\b"
    r"|\b(?:who|which (?:customers?|clients?|people)) (?:should|do|shall) i (?:call|phone|contact"
    r"|ring|reach out to|follow up with)\b"
    r"|\btoday\b.{0,10}\b(?:call|contact|ping|follow[- ]?up)\b|\b(?:call|contact|ping)\b.{0,12}\btoday\b"
    r"|\b(?:morning|daily|today'?s) (?:brief(?:ing)?|summary|rundown|list)\b|\bbrief me\b"
    r"|\bwhat needs (?:my )?attention\b|\banything (?:i (?:need|have) to|to) (?:know|watch|look at)\b",
    re.IGNORECASE)


@rule(69)
def briefing_request(m: _Msg) -> Intent | None:
    """"今天该联系谁？" / "what should I do today?" / "morning briefing" -> the daily briefing."""
    if m.customer or not BRIEFING.search(m.text) or sql_templates.birthday_sql(m.kw.low, m.ctx.today):
        return None  # "今日到禮拜六有冇客生日": the birthdays, not the whole briefing
    top = find_top(m.text)
    return Intent({"top": top} if top else {}, 0.9)


@rule(70)
def churn_advice(m: _Msg) -> Intent | None:
    """"What should I do, Li Na may churn" -> her next steps."""
    if _churn_asked(m) and m.customer and m.kw.has("advice"):
        return Intent({"customer": m.customer}, 0.8)
    return None


@rule(71)
def churn_of_customer(m: _Msg) -> Intent | None:
    """"Is Li Na at risk?" -> her profile, which carries stage and risk."""
    if _churn_asked(m) and m.customer and sql_templates.subject(m.text) != "last_order":
        return Intent({"customer": m.customer}, 0.8)
    return None  # "黎晓东好久没下单了吧 上次是什么时候" asks when: her last order


_LIST_ASKED = re.compile(r"\blist\b|\bshow\b|\bwhich (?:customers|clients|ones|people)\b|\bwho (?:are|is|might|may|will)\b"
                         r"|\bwho\b.{0,10}\?|哪些|名单|列出|列一下|都有谁|有谁", re.IGNORECASE)


@rule(72)
def churn_list(m: _Msg) -> Intent | None:
    if not _churn_asked(m) or m.customer:
        return None
    if m.kw.has("howto") and not _LIST_ASKED.search(m.text):
        return None  # "best practice for winning back a customer who's gone quiet": how, not who
    # "3个客户" is a count of customers, "3个月" a quiet spell
    top = find_top(m.text)
    args: dict = {"top": top} if top else {}
    quiet = m.memo["churn"][1]
    if quiet:
        args["quiet_days"] = quiet
    return Intent(args, 0.9)


LOYAL = re.compile(r"\b(?:loyal|regulars?|vips?|long[- ]?time|old)\b\s*(?:customers?|clients?|"
                    r"regulars?|ones|buyers)?|\bregulars\b|\bwho (?:are|r) my (?:vips?|regulars)"
                    r"|\bkeep (?:coming|buying) back\b|\bwith us the longest\b|\bmost faithful\b|\bdie-?hard\b"
                    r"|老客户|老顾客|老客|熟客|回头客|常客|忠实|忠诚|铁粉|老主顾|死忠|铁杆|最铁|长期客|vip", re.IGNORECASE)


@rule(73)
def loyal_list(m: _Msg) -> Intent | None:
    """"我的老客户有哪些" / "who are my loyal customers?" (a list, not one person's profile)."""
    if m.customer or m.kw.has("howto") or not LOYAL.search(m.text) or m.kw.has("churn"):
        return None  # "regulars who have gone quiet" are the churn list's
    if sql_templates.top_customers_sql(m.kw.low, m.ctx.today):
        return None  # "最好的10个客户": ranked by spend, a query
    if not re.search(r"\bwho\b|\bwhich\b|\blist\b|\bshow\b|\btop\b|哪些|谁|有谁|列出|看看|名单|都有",
                     m.text, re.IGNORECASE):
        return None
    top = find_top(m.text)
    return Intent({"top": top} if top else {}, 0.9)


_BOTH = re.compile(r"[她他]们?俩|[她他]们两个|两位|两个人|这两个|\bboth\b|\bthe two\b|\b(?:them|those) two\b",
                   re.IGNORECASE)


def compared(m: _Msg) -> list[str]:
    """The stored names a comparison is about: those named, or "她俩" / "both" as the two just
    discussed."""
    # only stored names: they reach the SQL
    named = [n for n in named_customers(m.text, m.names) if n in m.names]
    if len(named) < 2 and _BOTH.search(m.text) and m.ctx.last_customer and m.ctx.earlier_customer:
        named = list(dict.fromkeys([*named, m.ctx.earlier_customer, m.ctx.last_customer]))
    return named


def named_goods(m: _Msg) -> str | None:
    """The one stored product the message names ("耶加", "mandeling", "曼特寧"), or None; tags
    ("the gifts tag") are no goods. Read once per message: the product list is a query."""
    if "goods" not in m.memo:
        products = m.ctx.product_names()
        words = m.kw.words_low
        if sql_templates.find_tag(words) == "gifts":
            words = re.sub(r"gifts?|礼品|送礼", " ", words)
        said_again = _SAID_AGAIN.split(words)
        # "耶加雪菲卖了多少包 不对不对我是说曼特宁": the goods said after the slip are the ones meant
        again = goods.named_in(said_again[-1], products) if products and len(said_again) > 1 else None
        m.memo["goods"] = again or (goods.named_in(words, products) if products else None)
    return m.memo["goods"]


_SAID_AGAIN = re.compile(r"不对不对|不对|我是说|我的意思是|说错了|口误|\bi mean\b|\bi meant\b|\bsorry\b", re.IGNORECASE)


_TOLD = re.compile(r"\b(?:asking|asked|says?|said|told|wants?|called|phoned|rang|emailed|messaged|texted)\b"
                   r"|\b(?:email|message|call|text|msg) from\b|打(?:电话)?来|来电|问我|跟我说|和我说|说(?!说)"
                   r"|(?:通|打)了?(?:个)?电话|(?:他|她|客人|客户)问", re.IGNORECASE)
_PROFILE_ASKED = re.compile(r"\bprofile\b|\bfile\b|\bhistory\b|资料|档案|概况|历史", re.IGNORECASE)
_ASKS = re.compile(r"[?？]|几|多少|多久|多长|什么|啥|哪|是那天\s*$|周期|列出|\b(?:how|what|which|when|where|any|who|avg|average|list)\b",
                   re.IGNORECASE)
# "她电话给我", "send me his number": a detail asked for as a request (with no new value in it)
_GIVE_ME = re.compile(r"(?:报|发|给)(?:给)?我|\b(?:give|send|tell|text) me\b", re.IGNORECASE)


def _asked_about(m: _Msg) -> str | None:
    """The stored customer a question is about: named, or "her" just discussed (a stored name, so
    safe in a template); None for a name that pins no one down."""
    return m.canonical or (m.ctx.last_customer if not m.customer and m.kw.has("pronoun") else None)


def fact_sql(m: _Msg) -> str | None:
    """The template SELECT for a plain fact asked: referrals counted, the biggest single order,
    complaints oldest or worst first, or one customer's usual goods, city, phone, last order,
    complaints or open tasks; None when the message asks none of these."""
    who = _asked_about(m)
    if who and sql_templates.LAST_CONTACT.search(m.kw.low) and not (m.customer and not m.canonical):
        # "她最近一次联系我们是什么时候，说了啥": asked, though it speaks of contact and saying
        return sql_templates.customer_fact_sql(m.kw.low, who, m.ctx.today)
    if m.kw.has("howto") or _PROFILE_ASKED.search(m.text) or (m.customer and not m.canonical) \
            or not (is_question(m.text) or _ASKS.search(m.kw.low) or _GIVE_ME.search(m.text)
                    and sql_templates.asks_contact(m.kw.low) and not re.search(r"\d{4}", m.text)
                    # "Give me please the open complaints about the delivery": complaints listed
                    or _GIVE_ME.search(m.text) and not who and re.search(r"\bcomplaints\b|投诉", m.kw.low)) \
            or _TOLD.search(re.split(r"[?？]", m.text)[0]):
        # "email from lucas asking when the gift box comes": what a customer asked, to log; a remark
        # after the question mark ("…birthday when ah? Want to prepare something") is the owner's own
        return None
    who = _asked_about(m)
    if not who and not m.customer and m.ctx.last_customer and len(m.text) <= 30 \
            and sql_templates.about_a_person(m.kw.low) and m.in_focus() == m.ctx.last_customer:
        who = m.ctx.last_customer  # "last ord?" after her profile: hers
    return sql_templates.shop_fact_sql(m.kw.low, m.ctx.today, who) or (
        sql_templates.customer_fact_sql(m.kw.low, who, m.ctx.today) if who else None)


@rule(54)
def fact_question(m: _Msg) -> Intent | None:
    """"what does he usually get", "佢喺邊個城市", "张伟一共推荐了几个人": one plain fact, from a
    template, before the profile or a logged contact could be read into it."""
    sql = fact_sql(m)
    return Intent({"sql": sql}, 0.85) if sql else None


# "上个月一共卖了多少钱啊？感觉比九月差一点": the question, then a remark naming another period
_ASKED_END = re.compile(r"[?？]+")
# "…卖得好吗？compare 去年12月 vs 前年12月": a comparison asked for after the question is the request
_ASKS_TO_COMPARE = re.compile(r"\bcompare|\bvs\b|\bversus\b|对比|比较|相比|比一比|按|\bby\b", re.IGNORECASE)


def _asked_part(text: str, today) -> str:
    """The question without a remark after it that names a period of its own."""
    ends = list(_ASKED_END.finditer(text))
    if not ends:
        return text
    head, tail = text[:ends[-1].end()], text[ends[-1].end():]
    if tail.strip() and not is_question(tail) and not _ASKS_TO_COMPARE.search(tail) \
            and sql_templates.period_of(head, today) and sql_templates.period_of(tail, today):
        return head
    return text


def figure_heard(m: _Msg) -> Callable[[], str | None]:
    """The figure model's reading of a sales question, asked when called: the figure where it is
    sure, else None (and always None without the model)."""
    def heard() -> str | None:
        if m.ctx.figure is None or m.ctx.meaning is None:
            return None
        asked = is_question(m.text)
        if not (asked or sql_templates.is_count_question(m.kw.low)
                or sql_templates.period_of(m.kw.low, m.ctx.today)):
            return None  # "中 就这么整" asks nothing, so no figure is read into it
        intent, sure = m.ctx.meaning(m.text)
        if not asked and (intent != "sales_query" or sure < SURE):
            return None  # "aiyo sorry, 15 bags, total 1920": a correction, not a question of figures
        figure, p = m.ctx.figure(m.text)
        if figure == "last_order" and not _WHEN_ASKED.search(m.text):
            return None  # "and her last order?": her card shows it, with what she bought
        return figure if p >= FIGURE_SURE else None
    return heard


_WHEN_ASKED = re.compile(r"\bwhen\b|\bdate\b|\bwhat day\b|什么时候|啥时候|哪天|哪一天|几号|几时|何时|日期|好久", re.IGNORECASE)


@rule(80)
def sql_question(m: _Msg) -> Intent | None:
    low = _asked_part(m.kw.low, m.ctx.today)
    both = None if m.kw.has("howto") else sql_templates.comparison_sql(low, m.ctx.today, compared(m))
    if both:
        return Intent({"sql": both}, 0.85)
    periods = None if m.kw.has("howto") or m.customer else sql_templates.periods_compared_sql(low, m.ctx.today)
    if periods:  # "compare oct this yr vs oct last yr": each period's sales side by side
        return Intent({"sql": periods}, 0.8)
    who = _asked_about(m)
    unsure = m.kw.has("howto") or m.customer and not m.canonical
    ranked = None if unsure else rankings.ranking_sql(low, m.ctx.today, named_goods(m), who, figure=figure_heard(m))
    if ranked:  # "top 3 cities by sales last month": the group, figure, order and length read apart
        return Intent({"sql": ranked}, 0.85)
    groups = None if m.kw.has("howto") or m.customer else sql_templates.top_groups_sql(low, m.ctx.today,
                                                                                         named_goods(m))
    if groups:  # "which city spent the most": cities ranked, not the customers in them
        return Intent({"sql": groups}, 0.8)
    theirs = sql_templates.customer_products_sql(low, m.ctx.today, who) if who else None
    if theirs:  # "她买得最多的是哪款": her goods ranked, not the customers who bought most
        return Intent({"sql": theirs}, 0.85)
    top = None if m.kw.has("howto") else sql_templates.top_customers_sql(low, m.ctx.today, named_goods(m))
    if top:
        # "best / top 10 customers" ranks by spend: a template read, not a fallback
        return Intent({"sql": top}, 0.85)
    tasks = None if m.kw.has("howto") else sql_templates.task_list_sql(low, m.ctx.today,
                                                                     m.ctx.lang)
    if tasks:
        return Intent({"sql": tasks}, 0.85)
    born = None if m.kw.has("howto") or m.customer else sql_templates.birthday_sql(low, m.ctx.today)
    if born:
        return Intent({"sql": born}, 0.85)
    best = None if m.kw.has("howto") else sql_templates.top_products_sql(low, m.ctx.today)
    if best:
        return Intent({"sql": best}, 0.8)
    bought = None if m.kw.has("howto") or m.customer else sql_templates.buyers_sql(low, m.ctx.today,
                                                                                   named_goods(m))
    if bought:  # "11月1号 who ordered": that day's orders, with whose they were
        return Intent({"sql": bought}, 0.85)
    if not sql_templates.is_count_question(low) and sql_templates.subject(low) != "latest_order":
        return None
    if m.customer and not m.canonical:
        return None  # a name we cannot pin down: let the profile answer instead
    # "她一共花了多少": the customer just discussed (who, above)
    if who and sql_templates.asks_contact(low):
        return None  # "李娜电话多少" asks for her number: a fact, or the profile, has it
    sql = sql_templates.build_sql(low, m.ctx.today, who, named_goods(m), tuple(m.ctx.product_names()),
                                  figure_heard(m))
    # a figure of one named customer is read from the template, not a fallback the profile may
    # overrule: "what did she buy last time" asks for that order, not her whole card
    return Intent({"sql": sql}, 0.85 if who else 0.8) if sql else None


# decline first: "召回老客户" wins back old customers, it does not look after loyal ones
STAGES = [("decline", r"lapsed|lost|win back|churn|inactive|stopped buying|dormant", "流失|挽回|不来了|沉睡|召回"),
          ("exploration", r"new customers?|first[- ]time|first order|prospect", "新客户|新顾客|首单|第一次|潜在"),
          ("formation", r"second (?:order|purchase)|repeat|come back again|regulars?", "复购|回头|第二次"),
          ("stability", r"loyal|vip|long[- ]time|best customers", "老客户|忠实|忠诚|大客户|VIP")]


# "so what should we do, give me concrete next steps": asked on about the customer just discussed
_GOING_ON = re.compile(r"^\W*(?:(?:ok|okay|alright|right|hmm|thx|thanks)\W+)?(?:(?:so|then|and)\b|那|所以|咁)",
                       re.IGNORECASE)


@rule(90)
def advice_for_customer(m: _Msg) -> Intent | None:
    who = m.who() or (m.ctx.last_customer if m.kw.has("advice") and _GOING_ON.match(m.text) else None)
    if re.search(r"playbook|知识库|手册", m.text, re.IGNORECASE):
        return None  # "what does the playbook say about that": the passages, not her next steps
    if who and (m.kw.has("advice") or m.kw.has("howto")):
        return Intent({"customer": who}, 0.8)
    return None


@rule(91)
def playbook_question(m: _Msg) -> Intent | None:
    if m.kw.has("howto") or m.kw.has("advice"):
        args: dict = {"query": m.text}
        stage = pick(STAGES, m)
        if stage:
            args["stage"] = stage
        return Intent(args, 0.75)
    return None


_SEVERAL = re.compile(r"how many|\b(?:a )?few\b|several|\ball\b|every|which ones|more than one|\bthere(?:'s| are) \w+ of"
                      r"|几个|几位|哪几个|好几个|几多个|多少个|多少位|都有谁|所有", re.IGNORECASE)


@rule(99)
def namesakes(m: _Msg) -> Intent | None:
    """"how many Lilys have we got" / "look up Chen, there's a few": a name several customers share,
    asked about as several, is a search that lists them all."""
    if not m.canonical:
        # "nora?": a first name several customers share, said alone, lists them ("show Chen" asks
        # which one, so that the next word can pick)
        part = m.customer or part_of_a_name(m)
        rest = re.sub(r"[?？!！.。,，\s]", "", m.text.replace(part, "", 1)) \
            if part and part.isascii() and " " not in part.strip() else None
        if rest == "":
            return Intent({"query": part}, 0.85)
    if not m.customer or m.canonical or not _SEVERAL.search(m.text):
        return None
    return Intent({"query": m.customer}, 0.85)


@rule(100)
def find(m: _Msg) -> Intent | None:
    whose = _WHOSE_ID.search(m.text)
    if whose:  # "wx_lina1 是谁啊" / "139 7189 8776 who's this": the customer with that id, e-mail or phone
        said = whose.group(1) or whose.group(2)
        if re.match(r"\+?\d", said):
            said = re.sub(r"[ -]", "", said)  # a phone as its digits
        return Intent({"query": said}, 0.85)
    city = find_city(m.text)
    if city and _CITY_LISTED.fullmatch(re.sub(re.escape(city), " ", m.text, count=1, flags=re.IGNORECASE)):
        return Intent({"query": city}, 0.85)  # "苏州的客户有哪些": those a search by city finds
    if not m.kw.has("find") and not _PHONE_TAIL.search(m.text):
        return None
    if m.canonical and re.search(r"的(?:资料|档案)|'s (?:profile|file)", m.text, re.IGNORECASE):
        return None  # "幫我查一下下 張偉的資料": one stored customer's file, their profile
    return find_args(m)


# what is left of "苏州的客户有哪些" / "上海有哪些客户" / "customers from hangzhou?" once the city is out
_CITY_LISTED = re.compile(r"\W*(?:列出|看看|看下|查下|查一下|show(?: me)?|list)?\W*(?:(?:的|那边的?|那里的?)?\s*(?:客户|顾客|客人)"
                          r"|有哪些(?:客户|顾客|客人)|\b(?:customers|clients)\b\s*(?:in|from|at)?)\s*"
                          r"(?:有哪些|都有谁|有谁|是哪些|都是谁|名单|\bpls\b)?\W*", re.IGNORECASE)


_TAGGED = re.compile(r"(?:\btagged(?: as| with)?|\btag(?:s)? (?:is|of|=)|标签(?:是|为)?|標籤)\s*[:：]?\s*[\"'“「]?"
                     r"([^\W\d_][\w-]{1,20})|([^\W\d_][\w-]{1,20})\s*(?:\btags?\b|标签|標籤)", re.IGNORECASE)


_WHOSE_ID = re.compile(r"^\s*([A-Za-z][\w.-]*[_\d][\w.-]*|[\w.+-]+@[\w-]+\.[\w.]+|\+?\d[\d -]{6,14}\d)\s*[,，]?\s*"
                       r"(?:是谁|是哪位|系边个|[是系]哪个|是什么人|\bwho(?:'s| is) (?:this|that|it)\b)"
                       r"|\bwho(?:'s| is)\s+([A-Za-z][\w.-]*[_\d][\w.-]*|[\w.+-]+@[\w-]+\.[\w.]+|\+?\d[\d -]{6,14}\d)",
                       re.IGNORECASE)
_PHONE_TAIL = re.compile(r"(?:尾号|尾數|尾数|后四位|後四位|\bending (?:in|with)|\bends? (?:in|with)|\blast (?:4|four) digits?"
                         r"(?: (?:is|are|of))?)\s*[:：]?\s*(\d{3,6})(?!\d)", re.IGNORECASE)
_NAME_PART = re.compile(r"名字?(?:里|里面|中|中间|当中)?(?:有|带|带有|含|含有|包含)\s*([\u4e00-\u9fff]{1,3}?)(?:字)?(?:的|$|[\s,，?？])"
                        r"|\bwith\s+([a-z]{2,20})\s+in\s+(?:the|their|his|her)\s+names?\b"
                        r"|\bnames?\s+(?:contains?|containing|has|having|with|incl(?:udes?|uding)?)\s+([a-z]{2,20}|[\u4e00-\u9fff]{1,3})",
                        re.IGNORECASE)
_QUOTED = re.compile(r"[「“\"『‘]([^」”\"』’]{1,20})[」”\"』’]")


def find_args(m: _Msg) -> Intent | None:
    """What to search customers for: a name, a surname, a phone, an e-mail or a city."""
    if m.customer:
        return Intent({"query": m.customer}, 0.85)
    quoted = _QUOTED.search(m.text)
    if quoted:  # "名字裡有「晨曦」的客人"
        return Intent({"query": quoted.group(1).strip()}, 0.85)
    part = _NAME_PART.search(m.text)
    if part:  # "名字里有子涵的" / "anyone with 'lily' in the name": that part of a name
        return Intent({"query": next(g for g in part.groups() if g)}, 0.85)
    tail = _PHONE_TAIL.search(m.text)
    if tail:  # "手机尾号7708的是哪位": the number's last digits
        return Intent({"query": tail.group(1)}, 0.85)
    surname = re.search(r"姓([\u4e00-\u9fff])", m.text)
    fields = contact_fields(m.text)
    # "那个叫啥晨曦的": the part after "called something"
    named = re.search(r"(?:named|called|叫)\s*(?:做|啥|什么|乜|咩|个)?\s*([\w\u4e00-\u9fff'-]+(?:\s+[A-Z][\w'-]*)?)",
                      m.text)
    tag = _TAGGED.search(m.text)
    query = (surname.group(1) if surname else fields.get("phone") or fields.get("email")
             or (re.sub(r"的.*$", "", tag.group(1) or tag.group(2)) if tag else None)
             or (re.sub(r"的.*$", "", named.group(1)) if named else None) or fields.get("city")
             or guess_name(m.text))
    if not query:
        # the typo-corrected words: "find custmer nora" searches "nora"
        text = m.kw.low
        tail = re.split(r"find|search|look for|找一下|找|查找|搜索|查一下", text, maxsplit=1, flags=re.IGNORECASE)[-1]
        query = re.sub(r"^\s*(?:customers?|clients?|客户|顾客)\s*", "", tail, flags=re.IGNORECASE).strip(" ?？")
        # "查一下欧阳娜娜的资料": the name, not "her file"
        query = re.sub(r"(?:的(?:资料|资讯|信息|档案|记录|情况|详情)|'s (?:file|profile|details|info|record))\s*$", "",
                       query, flags=re.IGNORECASE).strip()
    return Intent({"query": query}, 0.7) if query else None


_ABOUT_HISTORY = re.compile(
    r"多久|多长时间|几天没|什么时候|啥时候|哪天|几号|买了?(?:什么|啥|些啥|咩)|买过(?:什么|啥)|一般买|平时.{0,4}买"
    r"|常买|最(?:喜欢|爱)|\bfavou?rite\b|电话(?:是)?多少|号码|微信号|邮箱|地址|怎么样了?|什么情况|咩情况|了吗|了没|过吗|没有\s*[?？]?$"
    r"|投诉|complain|last (?:order|purchase|visit)|最近一次"
    r"|\bhow long\b|\bwhen (?:did|was)\b|\bwhat (?:did|does|do) (?:she|he|they|\w+) (?:usually |normally )?"
    r"(?:buy|order|get|like)|\bhow(?:'s| is) .{1,20} doing\b|\bdid .{1,20} (?:call|come|order|buy)\b",
    re.IGNORECASE)


@rule(55)
def customer_question(m: _Msg) -> Intent | None:
    """"王洋呢 他多久没买了" / "她上次买了啥" / "张伟昨天打电话了吗": a question about one customer's
    history is answered from the profile, never logged as something that happened."""
    if not _ABOUT_HISTORY.search(m.text) or not (is_question(m.text) or _ASKING.search(m.text)):
        return None
    # the customer list is scanned for a shared first name only once the message asks about one
    who = m.customer or (m.ctx.last_customer if m.kw.has("pronoun") else None) or part_of_a_name(m)
    if not who:
        return None
    if m.kw.has("update") or m.kw.has("draft") or m.kw.has("advice") or m.kw.has("howto") \
            or _REPORTED.search(m.text):
        return None  # "张伟问新豆子到了吗": what the customer asked, to be logged
    if sql_templates.is_count_question(m.kw.low) or _churn_asked(m):
        return None  # counts, sums and dates by SQL; "is she at risk" by the churn rules
    return Intent({"customer": who}, 0.85)


_HONORIFIC = re.compile(r"([\u4e00-\u9fff])(?:总|姐|哥|老板|先生|小姐|太太|女士|老师|生|叔|阿姨)")
_WORD = re.compile(r"[A-Za-z]{3,}")


def part_of_a_name(m: _Msg) -> str | None:
    """"lily's last order?" / "周总最近买东西了没": a given name or a surname with a title that
    several customers share; the profile then asks which one is meant."""
    latin = {n.split()[0].lower(): n for n in m.names if " " in n and n.isascii()}
    for word in _WORD.findall(m.text):
        if word.lower() in latin:
            return word
    found = _HONORIFIC.search(m.text)
    if found and any(n.startswith(found.group(1)) for n in m.names if not n.isascii()):
        return found.group(1)
    return None


_REPORTED = re.compile(r"问|說|说|讲|想要|要了|asked|\bsaid\b|\bsays\b|\bwants?\b|\btold\b|wondered", re.IGNORECASE)
_ASKING = re.compile(r"多久|什么|啥|哪|几|吗|呢|么|\?|？|\bhow\b|\bwhat\b|\bwhen\b|\bdid\b", re.IGNORECASE)


@rule(110)
def profile(m: _Msg) -> Intent | None:
    # "lily's file pls": a given name several share, so the profile asks which one
    who = m.who() or (part_of_a_name(m) if m.kw.has("profile") else None)
    if not who:
        if m.ctx.last_customer and m.kw.has("profile") and len(m.text) < 40 and m.in_focus():
            return Intent({"customer": m.ctx.last_customer}, 0.5)
        return None
    if m.kw.has("profile") or (m.span and len(m.text) - (m.span[1] - m.span[0]) <= 12):
        return Intent({"customer": who}, 0.8)
    return None
