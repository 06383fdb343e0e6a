"""Bare conversation controls ("yes", "取消", "undo", "hi", "help"), handled before any tool."""

from __future__ import annotations

import re
import unicodedata

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


