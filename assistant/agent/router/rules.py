"""The rules of the no-model router, one or more per tool; the tool registry says whose is which.

A rule reads one message (Msg) and returns an Intent with model-style arguments (customer names and
dates as the owner wrote them), so the tools resolve and validate exactly as they do for an LLM.
Keyword tables live in keywords.py, slot extraction in slots.py, SQL templates in sql_templates.py
and the activity-logging reading in activity_rules.py. `@rule(order)` sets the order in which the
rules of all tools are tried.
"""

from __future__ import annotations

import re

from assistant.agent.router import sql_templates
from assistant.agent.router.records import Intent, rule
from assistant.agent.router.records import Msg as _Msg
from assistant.agent.router.slots import (
    EMAIL,
    PHONE,
    WECHAT,
    contact_fields,
    find_city,
    guess_name,
    quiet_days,
)
from assistant.lang.dates import cn_number
from assistant.lang.grounding import instruction


def after_colon(text: str) -> str | None:
    m = (re.search(r"[:：]\s*(.+)$", text, re.DOTALL) or re.search(r"[\"“「『'](.+?)[\"”」』']", text, re.DOTALL)
         or re.search(r"\s[-—–]+\s*(.+)$", text, re.DOTALL))
    return m.group(1).strip() if m else None


def command_part(text: str) -> str:
    """The instruction before any quoted or colon-introduced text (which is data, not a command)."""
    return re.split(r"[:：\"“「『]", text, maxsplit=1)[0]


_COMPLAINT_ID = re.compile(r"(?:complaint|投诉|ticket|case)\s*(?:#|no\.?|number|id|编号)?\s*(\d+)\s*号?"
                           r"|#(\d+)|(?:第)?(\d+)\s*号投诉", re.IGNORECASE)
TONES = [("warm", r"warm|friendly|casual|gentle|kind|nice", "温暖|亲切|热情|随和|温和|友好|暖心|客气"),
          ("formal", r"formal|professional|polite|official", "正式|专业|礼貌|官方"),
          ("brief", r"\bshort\b|brief|concise|keep it short", "简短|短一点|简单点|简洁")]
STATUSES = [("in_progress", r"in progress|working on|ongoing|handling", "处理中|正在处理|跟进中|进行中"),
             ("open", r"re-?open|open again|not resolved", "重新打开|重开|未解决"),
             ("resolved", r"resolve|resolved|close|closed|done|fixed|sorted|handled",
              "已解决|解决了|算解决|关闭|关了|可以关|处理完|处理好|搞定|搞掂|已处理|结案|弄好了")]


def complaint_id(text: str) -> int | None:
    m = _COMPLAINT_ID.search(text)
    return int(next(g for g in m.groups() if g)) if m else None


def pick_in(table: list, text: str) -> str | None:
    """The first value of `table` whose English or Chinese pattern occurs in `text`."""
    for value, en, zh in table:
        if re.search(en, text, re.IGNORECASE) or re.search(zh, text):
            return value
    return None


def pick(table: list, msg: _Msg) -> str | None:
    for value, en, zh in table:
        if msg.kw.search(en) or re.search(zh, msg.text):
            return value
    return None


@rule(10)
def triage(m: _Msg) -> Intent | None:
    if not m.kw.has("triage", command_part(m.text) + " "):
        return None
    body = after_colon(m.text)
    if not body:
        rest = re.split(r"classify|categori[sz]e|triage|分类|归类", m.text, maxsplit=1, flags=re.IGNORECASE)
        body = rest[1].strip(" :：,，") if len(rest) > 1 else None
        body = re.sub(r"^(?:this|the|that)?\s*complaint\s*", "", body or "", flags=re.IGNORECASE) or None
    return Intent({"text": body}, 0.9) if body and len(body) > 3 else None


_COMPLAINT_WORD = re.compile(r"complain\w*|compliant|issue|problem|ticket|case|投诉|差评|问题|那个|那件事|那单"
                             r"|那事", re.IGNORECASE)


@rule(20)
def complaint_status(m: _Msg) -> Intent | None:
    """"mark complaint 12 resolved", and by name: "王洋那个投诉搞定了" / "Lily's complaint is sorted".
    Read from the owner's own words only: a quoted note that says "resolve complaint 1" is data."""
    command = instruction(m.text)
    if m.kw.has("draft", command):
        return None
    status = pick(STATUSES, m) if pick_in(STATUSES, command) else None
    cid = complaint_id(command)
    if cid is not None:
        return Intent({"complaint_id": cid, "status": status}, 0.9) if status else None
    if not m.customer or not _COMPLAINT_WORD.search(command) or re.search(r"\?|？|吗", m.text):
        return None
    return Intent({"customer": m.customer, "status": status}, 0.85) if status else None


_REMIND = re.compile(r"remind|记得|提醒|别忘|⏰", re.IGNORECASE)
_WRITE_BACK = re.compile(r"write (?:something |sth )?back|get back to|回个话|回句话|回覆|回他|回她|复一下",
                         re.IGNORECASE)


@rule(30)
def draft_reply(m: _Msg) -> Intent | None:
    cid = complaint_id(m.text)
    tone = pick(TONES, m)
    command = command_part(m.text)
    about_complaint = bool(re.search(r"complain|投诉|差评|negative review|feedback", command, re.IGNORECASE)) or cid
    if _REMIND.search(m.text):
        return None  # "明天要记得回复黄涛…" is a reminder to reply, not a reply to draft now
    drafting = m.kw.has("draft", command) or bool(_WRITE_BACK.search(command))
    if not (drafting and (about_complaint or m.customer)) and not (cid and tone):
        return None
    args: dict = {}
    if cid is not None:
        args["complaint_id"] = cid
    else:
        who = m.who()
        if who:
            args["customer"] = who
    if tone:
        args["tone"] = tone
    return Intent(args, 0.9 if args else 0.6)


_NAME_AFTER_KW = re.compile(
    r"(?:customer|client|contact)s?\s*[:：,]?\s*(?:named|called)?\s*"
    r"([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,2}|[\u4e00-\u9fff]{2,4}?(?=[,，。.;；:：\s]|电话|手机|微信|邮箱|住在|来自|在|$))"
    r"|(?:客户|顾客)\s*[:：,，]?\s*([\u4e00-\u9fff]{2,4}?(?=[,，。.;；:：\s]|电话|手机|微信|邮箱|住在|来自|在|城市|$)"
    r"|[A-Za-z][\w'-]*(?:\s+[A-Z][\w'-]*)?)")
_NOTES = re.compile(r"(?:notes?|备注|说明)\s*[:：]?\s*(.+)$", re.IGNORECASE)


@rule(40)
def new_customer(m: _Msg) -> Intent | None:
    command = command_part(m.text)
    if not m.kw.has("add_customer") or (m.kw.has("howto", command) and not PHONE.search(m.text)):
        return None
    return new_customer_args(m)


def new_customer_args(m: _Msg) -> Intent | None:
    """The new customer's name and contact details, read by code."""
    found = _NAME_AFTER_KW.search(m.text)
    if not found:
        return None
    args: dict = {"name": (found.group(1) or found.group(2)).strip()}
    rest = m.text[found.end():]
    notes = _NOTES.search(rest)
    if notes:
        args["notes"] = notes.group(1).strip()
        rest = rest[:notes.start()]
    args.update(contact_fields(rest))
    return Intent(args, 0.9)


_FIELDS = [("email", r"e-?mail|邮箱|邮件"), ("wechat", r"wechat|weixin|微信"),
           ("phone", r"phone|number|mobile|cell|电话|手机|号码"), ("tags", r"\btags?\b|标签|标记为|打上"),
           ("notes", r"\bnotes?\b|备注"), ("city", r"city|address|moved to|lives in|城市|地址|搬到|住"),
           ("name", r"\bname\b|名字|姓名|改名")]
_VALUE = re.compile(r"(?:\bto\b|\bis\b|\bas\b|=|改成|改为|换成|更新为|更新成|变成|设为|设置为|标记为|写成|打上|为|是|:|：)了?"
                    r"\s*(.+?)\s*[。.!！]?$")


@rule(50)
def change_customer(m: _Msg) -> Intent | None:
    who = m.who()
    if not who or not m.kw.has("update"):
        return None
    return change_args(m, who)


def change_args(m: _Msg, who: str) -> Intent | None:
    """Which field of the customer changes, and to what, read by code."""
    after = m.text[m.span[1]:] if m.span else m.text
    fld = next((f for f, rx in _FIELDS if re.search(rx, after, re.IGNORECASE)), None) or next(
        (f for f, rx in _FIELDS if re.search(rx, m.text, re.IGNORECASE)), None)
    if fld is None:
        return None
    value: str | None = None
    if fld == "phone":
        value = (PHONE.search(after) or [None])[0]
        value = re.sub(r"[\s-]", "", value) if value else None
    elif fld == "email":
        value = (EMAIL.search(after) or [None])[0]
    elif fld == "wechat":
        found = WECHAT.search(after) or _VALUE.search(after)
        value = found.group(1) if found else None
    else:
        tail = re.split(dict(_FIELDS)[fld], after, maxsplit=1, flags=re.IGNORECASE)[-1]
        found = _VALUE.search(tail)
        value = found.group(1) if found else tail.strip(" ,，了")
        if fld == "city":
            value = find_city(tail) or (value or "").rstrip("了市")
    if not value:
        return None
    return Intent({"customer": who, fld: value.strip()}, 0.85)


def _churn_asked(m: _Msg) -> bool:
    """A churn question, or a quiet spell ("who hasn't ordered in 2 months")."""
    if "churn" not in m.memo:
        quiet = None if m.kw.has("howto") else quiet_days(m.text)
        m.memo["churn"] = (m.kw.has("churn") or quiet is not None, quiet)
    return m.memo["churn"][0]


BRIEFING = re.compile(
    r"今[天日].{0,6}(?:联系|打电话|做什么|干什么|忙什么|跟进|注意|安排|待办|要做|该做)"
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
    if m.customer or not BRIEFING.search(m.text):
        return None
    return Intent({}, 0.9)


@rule(70)
def churn_advice(m: _Msg) -> Intent | None:
    """"What should I do, Li Na may churn" -> her next steps."""
    if _churn_asked(m) and m.customer and m.kw.has("advice"):
        return Intent({"customer": m.customer}, 0.8)
    return None


@rule(71)
def churn_of_customer(m: _Msg) -> Intent | None:
    """"Is Li Na at risk?" -> her profile, which carries stage and risk."""
    if _churn_asked(m) and m.customer:
        return Intent({"customer": m.customer}, 0.8)
    return None


@rule(72)
def churn_list(m: _Msg) -> Intent | None:
    if not _churn_asked(m) or m.customer:
        return None
    if m.kw.has("howto") and not m.kw.has("list"):
        return None
    # "3个客户" is a count of customers, "3个月" a quiet spell
    top = re.search(r"top\s*(\d+)|前\s*(\d+|[一二三四五六七八九十]+)"
                    r"|(\d+)\s*(?:customers|clients|个(?!月|星期|礼拜|禮拜)|位|名)",
                    m.text, re.IGNORECASE)
    args: dict = {}
    if top:
        raw = next(g for g in top.groups() if g)
        args["top"] = int(raw) if raw.isdigit() else cn_number(raw)
    quiet = m.memo["churn"][1]
    if quiet:
        args["quiet_days"] = quiet
    return Intent(args, 0.9)


LOYAL = re.compile(r"\b(?:loyal|regulars?|vips?|long[- ]?time|old)\s*(?:customers?|clients?|"
                    r"regulars?|ones|buyers)?|\bregulars\b|\bwho (?:are|r) my (?:vips?|regulars)"
                    r"|老客户|老顾客|老客|熟客|回头客|常客|忠实|忠诚|铁粉|老主顾|vip", re.IGNORECASE)


@rule(73)
def loyal_list(m: _Msg) -> Intent | None:
    """"我的老客户有哪些" / "who are my loyal customers?" (a list, not one person's profile)."""
    if m.customer or m.kw.has("howto") or not LOYAL.search(m.text):
        return None
    if not re.search(r"\bwho\b|\bwhich\b|\blist\b|\bshow\b|\btop\b|哪些|谁|有谁|列出|看看|名单|都有",
                     m.text, re.IGNORECASE):
        return None
    top = re.search(r"top\s*(\d+)|前\s*(\d+|[一二三四五六七八九十]+)|(\d+)\s*(?:customers|clients|个|位|名)",
                    m.text, re.IGNORECASE)
    if not top:
        return Intent({}, 0.9)
    raw = next(g for g in top.groups() if g)
    return Intent({"top": int(raw) if raw.isdigit() else cn_number(raw)}, 0.9)


@rule(80)
def sql_question(m: _Msg) -> Intent | None:
    top = None if m.kw.has("howto") else sql_templates.top_customers_sql(m.kw.low, m.ctx.today)
    if top:
        return Intent({"sql": top}, 0.75)
    tasks = None if m.kw.has("howto") else sql_templates.task_list_sql(m.kw.low, m.ctx.today,
                                                                     m.ctx.lang)
    if tasks:
        return Intent({"sql": tasks}, 0.85)
    if not sql_templates.is_count_question(m.kw.low):
        return None
    if m.customer and not m.canonical:
        return None  # a name we cannot pin down: let the profile answer instead
    sql = sql_templates.build_sql(m.kw.low, m.ctx.today, m.canonical)
    return Intent({"sql": sql}, 0.8) if sql else None


STAGES = [("exploration", r"new customers?|first[- ]time|first order|prospect", "新客户|新顾客|首单|第一次|潜在"),
           ("formation", r"second (?:order|purchase)|repeat|come back again|regulars?", "复购|回头|第二次"),
           ("stability", r"loyal|vip|long[- ]time|best customers", "老客户|忠实|忠诚|大客户|VIP"),
           ("decline", r"lapsed|lost|win back|churn|inactive|stopped buying|dormant", "流失|挽回|不来了|沉睡|召回")]


@rule(90)
def advice_for_customer(m: _Msg) -> Intent | None:
    who = m.who()
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


@rule(100)
def find(m: _Msg) -> Intent | None:
    if not m.kw.has("find"):
        return None
    return find_args(m)


def find_args(m: _Msg) -> Intent | None:
    """What to search customers for: a name, a surname, a phone, an e-mail or a city."""
    if m.customer:
        return Intent({"query": m.customer}, 0.85)
    surname = re.search(r"姓([\u4e00-\u9fff])", m.text)
    fields = contact_fields(m.text)
    named = re.search(r"(?:named|called|叫)\s*([\w\u4e00-\u9fff'-]+(?:\s+[A-Z][\w'-]*)?)", m.text)
    query = (surname.group(1) if surname else fields.get("phone") or fields.get("email")
             or (named.group(1) if named else None) or fields.get("city") or guess_name(m.text))
    if not query:
        tail = re.split(r"find|search|look for|找一下|找|查找|搜索|查一下", m.text, maxsplit=1, flags=re.IGNORECASE)[-1]
        query = re.sub(r"^\s*(?:customers?|clients?|客户|顾客)\s*", "", tail, flags=re.IGNORECASE).strip(" ?？")
    return Intent({"query": query}, 0.7) if query else None


@rule(110)
def profile(m: _Msg) -> Intent | None:
    who = m.who()
    if not who:
        if m.ctx.last_customer and m.kw.has("profile") and len(m.text) < 40:
            return Intent({"customer": m.ctx.last_customer}, 0.5)
        return None
    if m.kw.has("profile") or (m.span and len(m.text) - (m.span[1] - m.span[0]) <= 12):
        return Intent({"customer": who}, 0.8)
    return None
