"""BM25 over jieba-segmented Chinese and stemmed English (the dense model is English-only)."""

from __future__ import annotations

import logging
import math
import re
import threading
from collections import Counter

from assistant.lang.writing_system import HAN_CLASS

_CJK = re.compile(f"[{HAN_CLASS}]+")
_TOKEN = re.compile(rf"[{HAN_CLASS}]+|[a-z0-9]+(?:'[a-z]+)?")
_jieba_lock = threading.Lock()
_jieba = None

EN_STOP = frozenset(
    ["a", "an", "the", "and", "or", "but", "if", "then", "so", "to", "of", "in", "on", "at", "by", "for", "with", "from", "into", "about", "as", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "doing", "have", "has", "had", "having", "i", "me", "my", "we", "our", "us", "you", "your", "he", "him", "his", "she", "her", "it", "its", "they", "them", "their", "this", "that", "these", "those", "what", "which", "who", "whom", "how", "why", "when", "where", "there", "here", "can", "could", "should", "would", "will", "shall", "may", "might", "must", "not", "no", "nor", "than", "too", "very", "just", "also", "only", "own", "same", "some", "any", "each", "all", "both", "few", "more", "most", "other", "such", "again", "further", "once", "up", "down", "out", "over", "under", "off", "get", "got", "s", "t", "don", "doesn", "didn", "isn", "aren", "wasn", "weren", "won", "wouldn", "shouldn", "couldn", "let", "ll", "ve", "re", "d", "m", "o", "y", "one", "thing", "things", "really", "want", "way", "make"]
)
ZH_STOP = frozenset(
    ["的", "了", "是", "我", "你", "他", "她", "它", "们", "我们", "你们", "他们", "在", "和", "与", "及", "也", "就", "都", "而", "要", "吗", "呢", "吧", "啊", "呀", "哦", "嗯", "么", "怎么", "怎么办", "怎样", "如何", "什么", "为什么", "哪些", "哪个", "一个", "一些", "这", "那", "这个", "那个", "这样", "那样", "有", "被", "把", "让", "给", "对", "从", "到", "又", "还", "很", "太", "该", "应该", "可以", "能", "会", "想", "做", "个", "之", "其", "或", "或者", "以及", "如果", "因为", "所以", "但", "但是", "一下", "时候", "吗", "请问", "我家", "店里", "我店"]
)


# Owners say the same thing many ways; fold common variants onto one token (first word wins).
# Multi-character Chinese entries also match jieba words and bigrams.
SYNONYMS_ZH = [
    "顾客 客人 客户 消费者 买家 客",
    "熟客 老客 老客人 老顾客 老客户 常客 忠实顾客 忠诚顾客 核心顾客",
    "新客 新顾客 新客人 新客户 头一回 第一次来 首次",
    "流失 不来 没来 不再来 疏远 掉客 走了",
    "生气 发火 恼火 愤怒 火大 不高兴",
    "投诉 抱怨 告状",
    "优惠 折扣 打折 优惠券 代金券 降价 薅羊毛",
    "员工 店员 服务员 伙计 同事 师傅",
    "社交媒体 朋友圈 小红书 抖音 微博 公众号 视频号",
    "记录 登记 录入 记下 记到",
    "消息 短信 私信 留言",
    "太贵 嫌贵 价格高 不划算 贵",
    "补偿 赔偿 弥补",
    "道歉 致歉 赔不是 对不起",
    "会员 会员卡 储值卡 积分",
    "差评 一星 负面评价 低分",
    "回访 跟进 问候",
    "结账 收银 买单 付款",
    "转介绍 拉新 老带新 带朋友",
    "年长 年纪大 上了年纪 岁数大",
]
SYNONYMS_EN = [
    "customer client guest buyer shopper patron",
    "regular loyal",
    "angry upset furious mad annoyed",
    "discount coupon voucher deal promo promotion",
    "staff employee team worker barista stylist",
    "social wechat xiaohongshu instagram douyin weibo facebook",
    "message text sms dm",
    "expensive overpriced pricey costly",
    "compensate compensation",
    "apologise apologize apology sorry",
    "lapsed lost churn drift",
    "review rating",
    "referral refer",
    "checkout till cashier",
]


def _segment(text: str) -> list[str]:
    """jieba search-mode words; the dictionary loads once, on first Chinese text."""
    global _jieba
    with _jieba_lock:
        if _jieba is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba = jieba
    return _jieba.lcut_for_search(text)


def stem(word: str) -> str:
    """A small suffix stripper: enough to match complaint/complaints/complained, not a full Porter."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, repl, min_stem in (
        ("ational", "ate", 3), ("ization", "ize", 3), ("fulness", "ful", 3), ("iveness", "ive", 3),
        ("ements", "", 4), ("ement", "", 4), ("ments", "", 4), ("ment", "", 4),
        ("ities", "", 3), ("ity", "", 3), ("ations", "ate", 3), ("ation", "ate", 3),
        ("ingly", "", 3), ("edly", "", 3), ("ness", "", 3), ("ies", "y", 2), ("ied", "y", 2),
        ("ing", "", 3), ("ers", "", 3), ("er", "", 3), ("ed", "", 3), ("ly", "", 3), ("es", "", 3),
        ("s", "", 3),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= min_stem:
            base = word[: -len(suffix)] + repl
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            # "stopped" -> "stopp" -> "stop"
            if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]
            return _trim_e(base)
    return _trim_e(word)


def _trim_e(word: str) -> str:
    # move / moved / moving all become "mov"
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def _fold_map() -> dict[str, str]:
    fold: dict[str, str] = {}
    for line in SYNONYMS_ZH:
        words = line.split()
        fold.update({w: words[0] for w in words})
    for line in SYNONYMS_EN:
        words = [stem(w) for w in line.split()]
        fold.update({w: words[0] for w in words})
    return fold


_FOLD: dict[str, str] = {}


def tokenize(text: str) -> list[str]:
    """Search tokens for mixed zh/en text: jieba words, character bigrams and unigrams; stemmed English."""
    if not _FOLD:
        _FOLD.update(_fold_map())
    out: list[str] = []
    for match in _TOKEN.finditer(text.lower()):
        piece = match.group(0)
        if _CJK.fullmatch(piece):
            out.extend(w for w in _segment(piece) if w not in ZH_STOP and w.strip())
            # Bigrams catch paraphrases jieba splits differently (流失顾客 / 顾客流失).
            out.extend(b for b in (piece[i : i + 2] for i in range(len(piece) - 1)) if b not in ZH_STOP)
            # Single characters rescue near-misses (搬去 / 搬走); BM25's idf mutes the common ones.
            out.extend(c for c in piece if c not in ZH_STOP)
        elif piece not in EN_STOP:
            out.append(stem(piece.replace("'", "")))
    return [_FOLD.get(t, t) for t in out]


class BM25:
    """Okapi BM25 over a fixed set of documents keyed by id."""

    def __init__(self, docs: dict[str, str], k1: float = 1.4, b: float = 0.75):
        self.k1, self.b = k1, b
        self.tf: dict[str, Counter[str]] = {key: Counter(tokenize(text)) for key, text in docs.items()}
        self.length = {key: sum(tf.values()) for key, tf in self.tf.items()}
        self.avg = (sum(self.length.values()) / len(self.length)) if self.length else 1.0
        df: Counter[str] = Counter()
        for tf in self.tf.values():
            df.update(tf.keys())
        n = len(self.tf)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def rank(self, query: str, keys: set[str] | None = None) -> list[tuple[str, float]]:
        """(key, score) best first; only keys with a positive score, optionally restricted to `keys`."""
        terms = Counter(t for t in tokenize(query) if t in self.idf)
        scores: list[tuple[str, float]] = []
        for key, tf in self.tf.items():
            if keys is not None and key not in keys:
                continue
            norm = self.k1 * (1 - self.b + self.b * self.length[key] / self.avg)
            score = sum(
                self.idf[t] * qf * tf[t] * (self.k1 + 1) / (tf[t] + norm)
                for t, qf in terms.items()
                if t in tf
            )
            if score > 0:
                scores.append((key, score))
        scores.sort(key=lambda kv: (-kv[1], kv[0]))
        return scores
