"""The `none` backend: a deterministic bilingual intent router from a chat message to one tool call.

It passes model-style arguments (customer names and dates as the user wrote them) so the tools
resolve and validate exactly as they do for an LLM. Rules are tried in order; keyword tables live in
router_keywords.py, slot extraction in router_slots.py, SQL templates in router_sql.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from assistant import router_sql
from assistant.dates import find_date, parse_date
from assistant.names import to_simplified
from assistant.router_keywords import Keywords
from assistant.router_log import log_route
from assistant.router_slots import (
    EMAIL,
    PHONE,
    WECHAT,
    contact_fields,
    find_city,
    guess_name,
    name_index,
    quiet_days,
    spot_customer,
)
from assistant.router_types import Msg as _Msg
from assistant.router_types import Route, RouteContext

# Conversation-level intents, handled by the Assistant before any tool (see the agent contract).
CONTROL: dict[str, tuple[str, ...]] = {
    "confirm": ("yes", "y", "ok", "okay", "sure", "confirm", "confirmed", "do it", "go ahead", "yep",
                "yeah", "apply", "save", "save it", "确认", "好的", "好", "是", "是的", "可以", "行", "对",
                "没问题", "确定", "嗯", "好啊", "ok的"),
    "cancel": ("no", "n", "cancel", "nope", "don't", "dont", "stop", "abort", "never mind", "nevermind",
               "取消", "不", "不要", "算了", "不用了", "不用", "别"),
    "undo": ("undo", "please undo", "undo that", "undo it", "undo the last change", "revert", "revert that", "take that back",
             "撤销", "撤回", "撤销上一步", "撤销刚才的操作", "撤回上一步", "恢复"),
    "greeting": ("hi", "hello", "hey", "hi there", "hello there", "good morning", "thanks",
                 "thank you", "thx", "你好", "您好", "嗨", "哈喽", "早上好", "早", "谢谢", "多谢",
                 "谢了", "辛苦了"),
    "help": ("help", "?", "what can you do", "what can you do?", "how do i use this", "commands", "menu",
             "帮助", "你能做什么", "你会什么", "怎么用", "使用说明", "能做什么", "功能"),
}
_PUNCT = re.compile(r"[\s!！。.?？,，~～]+$")


def control_intent(message: str) -> str | None:
    """'confirm' / 'cancel' / 'undo' / 'greeting' / 'help' for a bare control message, else None."""
    text = _PUNCT.sub("", unicodedata.normalize("NFKC", message or "").strip().lower())
    if (message or "").strip() in ("?", "？"):
        return "help"
    for intent, words in CONTROL.items():
        if text in words:
            return intent
    return None


def _canonical(surface: str, names: tuple[str, ...]) -> str | None:
    from assistant.names import compact, name_key

    if surface in names:
        return surface
    key = compact(name_key(surface))
    same = [n for n in names if compact(name_key(n)) == key]
    return same[0] if len(same) == 1 else None


def _after_colon(text: str) -> str | None:
    m = (re.search(r"[:：]\s*(.+)$", text, re.DOTALL) or re.search(r"[\"“「『'](.+?)[\"”」』']", text, re.DOTALL)
         or re.search(r"\s[-—–]+\s*(.+)$", text, re.DOTALL))
    return m.group(1).strip() if m else None


def _command_part(text: str) -> str:
    """The instruction before any quoted or colon-introduced text (which is data, not a command)."""
    return re.split(r"[:：\"“「『]", text, maxsplit=1)[0]


_COMPLAINT_ID = re.compile(r"(?:complaint|投诉|ticket|case)\s*(?:#|no\.?|number|id|编号)?\s*(\d+)\s*号?"
                           r"|#(\d+)|(?:第)?(\d+)\s*号投诉", re.IGNORECASE)
_TONES = [("warm", r"warm|friendly|casual|gentle|kind", "温暖|亲切|热情|随和|温和|友好|暖心"),
          ("formal", r"formal|professional|polite|official", "正式|专业|礼貌|官方")]
_STATUSES = [("in_progress", r"in progress|working on|ongoing|handling", "处理中|正在处理|跟进中|进行中"),
             ("open", r"re-?open|open again|not resolved", "重新打开|重开|未解决"),
             ("resolved", r"resolve|resolved|close|closed|done|fixed|sorted|handled", "已解决|解决了|关闭|处理完|搞定|已处理|结案")]


def _complaint_id(text: str) -> int | None:
    m = _COMPLAINT_ID.search(text)
    return int(next(g for g in m.groups() if g)) if m else None


def _pick(table: list, msg: _Msg) -> str | None:
    for value, en, zh in table:
        if msg.kw.search(en) or re.search(zh, msg.text):
            return value
    return None


def _triage(m: _Msg) -> Route | None:
    if not m.kw.has("triage", _command_part(m.text) + " "):
        return None
    body = _after_colon(m.text)
    if not body:
        rest = re.split(r"classify|categori[sz]e|triage|分类|归类", m.text, maxsplit=1, flags=re.IGNORECASE)
        body = rest[1].strip(" :：,，") if len(rest) > 1 else None
        body = re.sub(r"^(?:this|the|that)?\s*complaint\s*", "", body or "", flags=re.IGNORECASE) or None
    return Route("triage_complaint", {"text": body}, 0.9) if body and len(body) > 3 else None


def _status(m: _Msg) -> Route | None:
    cid = _complaint_id(m.text)
    status = _pick(_STATUSES, m) if cid is not None else None
    if status is None or m.kw.has("draft", _command_part(m.text)):
        return None
    return Route("set_complaint_status", {"complaint_id": cid, "status": status}, 0.9)


def _draft(m: _Msg) -> Route | None:
    cid = _complaint_id(m.text)
    tone = _pick(_TONES, m)
    command = _command_part(m.text)
    about_complaint = bool(re.search(r"complain|投诉|差评|negative review|feedback", command, re.IGNORECASE)) or cid
    if not (m.kw.has("draft", command) and (about_complaint or m.customer)) and not (cid and tone):
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
    return Route("draft_complaint_reply", args, 0.9 if args else 0.6)


_NAME_AFTER_KW = re.compile(
    r"(?:customer|client|contact)s?\s*[:：,]?\s*(?:named|called)?\s*"
    r"([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,2}|[\u4e00-\u9fff]{2,4}?(?=[,，。.;；:：\s]|电话|手机|微信|邮箱|住在|来自|在|$))"
    r"|(?:客户|顾客)\s*[:：,，]?\s*([\u4e00-\u9fff]{2,4}?(?=[,，。.;；:：\s]|电话|手机|微信|邮箱|住在|来自|在|城市|$)"
    r"|[A-Za-z][\w'-]*(?:\s+[A-Z][\w'-]*)?)")
_NOTES = re.compile(r"(?:notes?|备注|说明)\s*[:：]?\s*(.+)$", re.IGNORECASE)


def _add_customer(m: _Msg) -> Route | None:
    command = _command_part(m.text)
    if not m.kw.has("add_customer") or (m.kw.has("howto", command) and not PHONE.search(m.text)):
        return None
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
    return Route("add_customer", args, 0.9)


_FIELDS = [("email", r"e-?mail|邮箱|邮件"), ("wechat", r"wechat|weixin|微信"),
           ("phone", r"phone|number|mobile|cell|电话|手机|号码"), ("tags", r"\btags?\b|标签|标记为|打上"),
           ("notes", r"\bnotes?\b|备注"), ("city", r"city|address|moved to|lives in|城市|地址|搬到|住"),
           ("name", r"\bname\b|名字|姓名|改名")]
_VALUE = re.compile(r"(?:\bto\b|\bis\b|\bas\b|=|改成|改为|换成|更新为|更新成|变成|设为|设置为|标记为|写成|打上|为|是|:|：)了?"
                    r"\s*(.+?)\s*[。.!！]?$")


def _update_customer(m: _Msg) -> Route | None:
    who = m.who()
    if not who or not m.kw.has("update"):
        return None
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
    return Route("update_customer", {"customer": who, fld: value.strip()}, 0.85)


def _churn(m: _Msg) -> Route | None:
    quiet = None if m.kw.has("howto") else quiet_days(m.text)
    if not m.kw.has("churn") and quiet is None:
        return None
    if m.customer:  # "is Li Na at risk?" -> her profile carries stage and risk
        if m.kw.has("advice"):
            return Route("suggest_actions", {"customer": m.customer}, 0.8)
        return Route("customer_profile", {"customer": m.customer}, 0.8)
    if m.kw.has("howto") and not m.kw.has("list"):
        return None
    # "3个客户" is a count of customers, "3个月" a quiet spell
    top = re.search(r"top\s*(\d+)|前\s*(\d+|[一二三四五六七八九十]+)"
                    r"|(\d+)\s*(?:customers|clients|个(?!月|星期|礼拜|禮拜)|位|名)",
                    m.text, re.IGNORECASE)
    args: dict = {}
    if top:
        from assistant.dates import cn_number

        raw = next(g for g in top.groups() if g)
        args["top"] = int(raw) if raw.isdigit() else cn_number(raw)
    if quiet:
        args["quiet_days"] = quiet
    return Route("churn_risks", args, 0.9)


def _sql(m: _Msg) -> Route | None:
    top = None if m.kw.has("howto") else router_sql.top_customers_sql(m.kw.low, m.ctx.today)
    if top:
        return Route("run_sql", {"sql": top}, 0.75)
    tasks = None if m.kw.has("howto") else router_sql.task_list_sql(m.kw.low, m.ctx.today,
                                                                     m.ctx.lang)
    if tasks:
        return Route("run_sql", {"sql": tasks}, 0.85)
    if not router_sql.is_count_question(m.kw.low):
        return None
    if m.customer and not m.canonical:
        return None  # a name we cannot pin down: let the profile answer instead
    sql = router_sql.build_sql(m.kw.low, m.ctx.today, m.canonical)
    return Route("run_sql", {"sql": sql}, 0.8) if sql else None


_STAGES = [("exploration", r"new customers?|first[- ]time|first order|prospect", "新客户|新顾客|首单|第一次|潜在"),
           ("formation", r"second (?:order|purchase)|repeat|come back again|regulars?", "复购|回头|第二次"),
           ("stability", r"loyal|vip|long[- ]time|best customers", "老客户|忠实|忠诚|大客户|VIP"),
           ("decline", r"lapsed|lost|win back|churn|inactive|stopped buying|dormant", "流失|挽回|不来了|沉睡|召回")]


def _advice(m: _Msg) -> Route | None:
    who = m.who()
    if who and (m.kw.has("advice") or m.kw.has("howto")):
        return Route("suggest_actions", {"customer": who}, 0.8)
    if m.kw.has("howto") or m.kw.has("advice"):
        args: dict = {"query": m.text}
        stage = _pick(_STAGES, m)
        if stage:
            args["stage"] = stage
        return Route("search_playbook", args, 0.75)
    return None


def _find(m: _Msg) -> Route | None:
    if not m.kw.has("find"):
        return None
    if m.customer:
        return Route("find_customers", {"query": m.customer}, 0.85)
    surname = re.search(r"姓([\u4e00-\u9fff])", m.text)
    fields = contact_fields(m.text)
    named = re.search(r"(?:named|called|叫)\s*([\w\u4e00-\u9fff'-]+(?:\s+[A-Z][\w'-]*)?)", m.text)
    query = (surname.group(1) if surname else fields.get("phone") or fields.get("email")
             or (named.group(1) if named else None) or fields.get("city") or guess_name(m.text))
    if not query:
        tail = re.split(r"find|search|look for|找一下|找|查找|搜索|查一下", m.text, maxsplit=1, flags=re.IGNORECASE)[-1]
        query = re.sub(r"^\s*(?:customers?|clients?|客户|顾客)\s*", "", tail, flags=re.IGNORECASE).strip(" ?？")
    return Route("find_customers", {"query": query}, 0.7) if query else None


def _profile(m: _Msg) -> Route | None:
    who = m.who()
    if not who:
        if m.ctx.last_customer and m.kw.has("profile") and len(m.text) < 40:
            return Route("customer_profile", {"customer": m.ctx.last_customer}, 0.5)
        return None
    if m.kw.has("profile") or (m.span and len(m.text) - (m.span[1] - m.span[0]) <= 12):
        return Route("customer_profile", {"customer": who}, 0.8)
    return None


def _refuse_destructive(m: _Msg) -> Route | None:
    # There is no delete tool; a command to delete must not turn into some other write (issue 6).
    if m.kw.has("delete", _command_part(m.text)):
        raise _Refused()
    return None


class _Refused(Exception):
    pass


RULES: list[Callable[[_Msg], Route | None]] = [
    _triage, _status, _draft, _refuse_destructive, _add_customer, _update_customer, log_route,
    _churn, _sql, _advice, _find, _profile,
]


def route(message: str, ctx: RouteContext) -> Route | None:
    """The one tool call a message asks for, with model-style arguments; None if no rule fits."""
    own = unicodedata.normalize("NFKC", message or "").strip()
    # the rules' Chinese words are simplified: 張偉打電話 is read as 张伟打电话
    text = to_simplified(own)
    if not text or control_intent(text):
        return None
    names = tuple(ctx.customer_names())
    spot = spot_customer(text, _spot_index(names))
    msg = _Msg(text, Keywords(text), ctx, spot[0] if spot else None,
               _canonical(spot[0], names) if spot else None, spot[1:] if spot else None, names)
    try:
        for rule in RULES:
            found = rule(msg)
            if found is not None:
                return _in_own_words(found, text, own)
    except _Refused:
        return None
    return None


@lru_cache(maxsize=4)
def _spot_index(names: tuple[str, ...]):
    """The name index over simplified spellings (陳大文 is found in a simplified message too)."""
    return name_index(tuple(to_simplified(n) for n in names))


def _in_own_words(found: Route, text: str, own: str) -> Route:
    """Free-text arguments (summary, complaint, ...) in the owner's script, not the converted one."""
    if text == own or len(text) != len(own):  # OpenCC's phrase table can change a length: keep
        return found
    for key, value in found.args.items():
        if key in _OWN_WORDS and isinstance(value, str) and value:
            at = text.find(value)
            if at >= 0:
                found.args[key] = own[at:at + len(value)]
    return found


_OWN_WORDS = ("summary", "complaint", "follow_up", "text", "title", "notes", "query", "order_product",
              "product")


def format_help(lang: str) -> str:
    """What the assistant understands without a model, with examples, in the user's language."""
    import prompts

    return prompts.load("help_zh" if lang == "zh" else "help_en")


__all__ = ["Route", "RouteContext", "control_intent", "find_date", "format_help", "parse_date", "route"]
