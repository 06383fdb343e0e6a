"""Bare conversation controls ("yes", "取消", "undo", "hi", "help"), handled before any tool.

Owners rarely type the bare word: "对的 存吧", "ok la", "yes pls save", "好 存起來", "👍",
"oops wrong one undo", "撤销 加错了". A message is a control when, once emoji and punctuation are
gone, it is made only of one intent's words plus fillers (particles, "pls", "save"), read by
structure rather than by listing whole sentences. Undo also reads in a short message that says
something went wrong ("等等搞错了 是何诗涵不是曹佳怡 先撤回"). A correction of a pending preview
("不对 是6包", "等下 电话是13800009999 打错了") is read by `amend.amend`.
"""

from __future__ import annotations

import re
import unicodedata

from assistant.lang.colloquial import read_as_mandarin
from assistant.lang.names import to_simplified

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

# The words each control is built from (simplified, lower case), longest tried first. English
# words match whole words; Chinese ones match anywhere in a run of 汉字.
_WORDS: dict[str, tuple[str, ...]] = {
    "confirm": ("yes", "yep", "yeah", "yup", "ya", "yea", "ok", "okay", "okey", "okie", "k", "kk",
                "sure", "confirm", "confirmed", "correct", "right", "go ahead", "do it", "go", "save",
                "saved", "apply", "fine", "good", "alright", "all right", "sounds good", "looks good",
                "lgtm", "perfect", "great", "cool", "yes please", "absolutely", "sure thing",
                "确认", "确定", "好的", "好啊", "好吧", "好嘞", "好滴", "好", "行", "行吧", "可以", "没问题",
                "无问题", "冇问题", "是的", "是", "对的", "对", "没错", "嗯嗯", "嗯", "存", "保存",
                "存起来", "存下来", "存进去", "存低", "记上", "记下", "记低", "记吧", "就这样", "系", "係", "得", "ok咯", "can",
                "没有问题", "中", "整", "整上", "妥", "成", "存上", "齐活", "齐活儿",  # the north's "中 整吧": go ahead
                "can can", "ok can",
                # Sichuan's "要得 存起", "对头"; Cantonese "啱晒" ("冇错" is read as 没错)
                "要得", "对头", "存起", "啱晒", "对晒", "对了",
                # a letter's yes: "可。", "确认无误", "照办"
                "可", "无误", "照办", "甚好", "准",
                # Taglish: "sige po, confirm na", "opo"
                "sige", "opo", "oo", "game",
                "👍", "👌", "✅", "🙆", "✔", "☑"),
    "cancel": ("no", "nope", "nah", "n", "cancel", "don't", "dont", "do not", "stop", "abort",
               "never mind", "nevermind", "forget it", "skip", "discard", "drop it", "not now",
               "取消", "不要", "不用", "不用了", "算了", "别存", "不存", "别", "不", "唔要", "唔使",
               "唔好", "放弃", "先不", "❌", "🙅", "✖"),
    "undo": ("undo", "revert", "take that back", "take it back", "roll back", "rollback", "make it undone", "undone",
             "撤销", "撤消", "撤回", "撤掉", "撤了", "恢复", "还原", "复原", "不算", "作废"),
}
# Words that add nothing to a control: politeness, particles, "it", "the last one".
_FILLERS = ("please", "pls", "plz", "pl", "kindly", "thanks", "thank you", "thx", "ty", "la", "lah", "lor",
            "leh", "ah", "oh", "so", "then", "po", "na", "ta", "cheers", "唔该", "唔該", "it", "that", "this", "one", "last", "the", "just", "now",
            "and", "it's", "its", "thats", "that is", "fine", "sir", "boss", "mate", "haha", "哈哈", "actually", "hmm", "um", "er",
            "吧", "啊", "呀", "了", "啦", "喇", "嘅", "哦", "噢", "喔", "呢", "嘛", "哈", "吖", "咯", "嘞", "佢", "咗",
            "他", "她", "him", "her", "them",
            "一下", "先", "就", "那", "那就", "这个", "这样", "帮我", "给我", "我", "quite", "that's",
            "is", "all", "exactly", "please do", "right", "记", "记着", "记好", "上一步", "上一个", "刚才的", "刚才", "刚刚",
            "操作", "的", "吗", "ok", "那单", "那笔", "这单", "这笔", "那个", "那条", "这条", "last one",
            "请", "麻烦", "麻烦你", "把", "那一步", "这一步", "一步", "already", "liao", "谢", "谢啦", "谢谢",
            "可以了", "前项", "烦请")
# A short message saying something went wrong, with an undo word, asks for the undo.
_MISTAKE = re.compile(r"错|岔|有误|不对|不是.{1,12}[,，\s]\s*是|搞错|弄错|重复|重复了|记重|算了|改主意|再想想|再考虑|oops|wrong|mistake|my bad|sorry|等等|等下|等一下|wait"
                      r"|\bnever ?mind\b|\bnvm\b|\bchanged my mind\b"
                      r"|\bdup(?:e|licate)?d?\b|\bactually\b|其实|\boh no\b|\bit was\b[^,.]{1,30}\bnot\b", re.IGNORECASE)
# "还没定，先不要记", "唔好記", "don't log it": told, and asked not to write it down
DONT_LOG = re.compile(r"(?:先|暂时|暂且)?(?:不要|别|不用|甭|唔好|唔使|不好(?=记|記))(?:记|記|录|錄|存|log)"
                      r"|\b(?:don'?t|do not|no need to) (?:log|save|record|note)\b", re.IGNORECASE)
# In Indian English "revert" is to reply: "kindly revert with her details" asks for them
_REVERT_WITH = re.compile(r"\brevert(?:ing)?\s+(?:back\s+)?(?:with|to me|on|asap|soon)\b")
_SYMBOLS = re.compile(r"[^\w\s'👍👌✅🙆✔☑❌🙅✖]")


def _bare(message: str) -> str:
    text = to_simplified(unicodedata.normalize("NFKC", message or "")).strip().lower()
    text = re.sub(r"([a-z])\1{2,}", r"\1", text)  # "yesss", "okkk", "nooo": the word, drawn out
    return " ".join(_SYMBOLS.sub(" ", text).split())


def _made_of(text: str, words: tuple[str, ...]) -> bool:
    """Whether `text` is only `words` and fillers (at least one of `words`)."""
    rest, hit = f" {text} ", False
    for word in sorted(words, key=len, reverse=True):
        rest, n = re.subn(_word_pattern(word), " ", rest)
        hit = hit or n > 0
    if not hit:
        return False
    for word in sorted(_FILLERS, key=len, reverse=True):
        rest = re.sub(_word_pattern(word), " ", rest)
    return not rest.strip()


def _word_pattern(word: str) -> str:
    """English words match whole words; Chinese ones anywhere in a run of 汉字."""
    if not re.fullmatch(r"[a-z' ]+", word):
        return re.escape(word)
    return rf"(?<=[\s\u4e00-\u9fff]){re.escape(word)}(?=[\s\u4e00-\u9fff])"


def control_intent(message: str) -> str | None:
    """'confirm' / 'cancel' / 'undo' / 'greeting' / 'help' for a bare control message, else None."""
    said = _control(message)
    if said:
        return said
    # "撤銷啱啱嗰個" is 撤销刚刚那个 in Cantonese
    spoken = read_as_mandarin(message or "")
    return _control(spoken) if spoken != (message or "") else None


def _control(message: str) -> str | None:
    text = _PUNCT.sub("", unicodedata.normalize("NFKC", message or "").strip().lower())
    if (message or "").strip() in ("?", "？"):
        return "help"
    for intent, words in CONTROL.items():
        if text in words:
            return intent
    bare = _bare(message)
    if not bare or len(bare) > 80 or _REVERT_WITH.search(bare):
        return None
    for intent in ("undo", "cancel", "confirm"):
        if len(bare) <= 40 and _made_of(bare, _WORDS[intent]):
            return intent
    if len(bare) <= 48 and _MISTAKE.search(bare) and any(w in bare for w in _WORDS["undo"]):
        return "undo"
    for first in {_MISTAKE.sub(" ", _first_clause(message)), bare.split()[0]}:
        if _has_word(first, _WORDS["undo"]) and _made_of(
                first, _WORDS["undo"] + _WORDS["cancel"] + _WORDS["confirm"]):
            # "撤销吧, she paid and then cancelled" / "oops undo that pls, I got the wrong person":
            # the undo comes first, the reason after
            return "undo"
    undo_only = _WORDS["undo"] + _WORDS["cancel"] + _WORDS["confirm"]
    if any(_has_word(t, _WORDS["undo"]) and _made_of(t, undo_only) for t in bare.split()[1:2]):
        return "undo"  # "啊 撤销一下 好像是2包": after a sound, the undo, then why
    last = _bare(re.split(r"[,，。;；!！]|\.(?=\s)", message or "")[-1])
    if len(bare) <= 80 and _MISTAKE.search(bare) and last and _has_word(last, _WORDS["undo"]) \
            and _made_of(last, undo_only):
        return "undo"  # "wait 邱磊拿的是冷萃 not antigua, 撤销那个": what went wrong, then the undo
    return None


def answer_to_preview(message: str) -> str | None:
    """'confirm' / 'cancel' for a reply to a preview that opens with yes or no and says why
    ("Yes, that's quite right. Please save it.", "对，就这样记。", "no not now, she'll call back")."""
    bare = _bare(message)
    if not bare or len(bare) > 80:
        return None
    if DONT_LOG.search(message):
        return "cancel"  # "算數啦 佢話又唔要住 唔好記": not to be written down after all
    first = _first_clause(message)
    rest = bare[len(first):]
    if re.search(r"\d|\bbut\b|但|不过|改|instead|\bnot\b|\bmake\b", rest):
        return None  # a change asked for after the yes, which `amend` could not read
    for intent in ("cancel", "confirm"):
        if _made_of(first, _WORDS[intent]):
            return intent
    return None


def _first_clause(message: str) -> str:
    """The bare words before the message's first pause (comma, full stop, "but")."""
    text = to_simplified(unicodedata.normalize("NFKC", message or "")).strip().lower()
    return _bare(re.split(r"[,，。.;；!！?？:：]|\bbut\b|但是|不过", text, maxsplit=1)[0])


def _has_word(text: str, words: tuple[str, ...]) -> bool:
    return any(re.search(_word_pattern(w), f" {text} ") for w in words)
