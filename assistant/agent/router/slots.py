"""Slot extraction for the no-model router: customer names, quantities, amounts, contact fields."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from assistant.lang.dates import NUM, cn_number, span_days
from assistant.lang.names import (
    common_word,
    compact,
    fuzzy_key,
    has_han,
    initials_key,
    name_key,
    segmented,
    sound_key,
    to_simplified,
)
from assistant.lang.places import CITIES_LATIN, CITIES_ZH, CITY_ABBREVIATIONS
from assistant.lang.units import ZH_UNITS
from assistant.store.name_lookup import strip_honorifics

# Capitalised at the start of a sentence these are ordinary words, not the customer "He" / "Long".
_SENTENCE_WORDS = {"he", "an", "long", "song", "may", "will", "max", "grace", "green", "king",
                   "wood", "hall", "ward", "sun", "pan", "fan", "ding", "ma", "mo", "ye", "su",
                   "du", "fu", "lu", "gu", "hu", "tan", "tang", "bai", "lei", "ren", "jin",
                   "yin", "yan", "shi", "wan", "you", "me", "i", "ok", "add", "show", "find",
                   "log", "new", "call", "turner", "parker", "cooper", "baker", "walker"}
# a word of letters; the letters of an id ("yinmin_88", "wx_lily2") are no name
_LATIN_TOKEN = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z'-]*(?![A-Za-z0-9_])")


# "hasn't ordered in 2 months", "no purchase for 90 days", "两个月没下单", "半年没来买"
_NOT_BOUGHT_EN = re.compile(
    r"\b(?:hasn'?t|haven'?t|has not|have not|didn'?t|did not|not|no|never|without)\b[^.?!]{0,20}?"
    r"\b(?:order(?:ed|s)?|b(?:ough)?t|buy(?:ing)?|purchas(?:ed|es?|ing)|been (?:in|back|around)"
    r"|c(?:o|a)me (?:in|back|by)|visit(?:ed|s)?|shopp?(?:ed|ing)?)\b"
    r"|\b(?:inactive|quiet|dormant|lapsed|gone)\b", re.IGNORECASE)
_NOT_BOUGHT_ZH = re.compile(r"(?:没|沒|未)有?再?落?(?:下过?定?单|下過定?單|买|買|来|來|消费|光顾|光顧|复购|回购|订|訂"
                            r"|帮衬|幫襯|order|buy|买过|出现|动静|動靜)"
                            # "两个月不来买的客人", "四月以后就不来了": stayed away
                            r"|不再?(?:来|來)(?:买|買|了)", re.IGNORECASE)


def says_not_bought(text: str) -> bool:
    """Whether the message speaks of not buying ("没下过单", "haven't ordered", "inactive")."""
    return bool(_NOT_BOUGHT_EN.search(text) or _NOT_BOUGHT_ZH.search(text))


def quiet_days(text: str) -> int | None:
    """N in "who hasn't ordered in N days / 两个月没下单" (a month is 30 days); None when the message
    asks about no such quiet spell."""
    return span_days(text) if says_not_bought(text) else None


@dataclass(frozen=True)
class NameIndex:
    """Customer names prepared for spotting inside a message."""

    han: tuple[str, ...]             # 汉字 names, longest first
    latin: tuple[str, ...]           # lower-case Latin full names, longest first
    pinyin: frozenset[str]           # compact pinyin of 汉字 names: "zhangwei"
    sounds: frozenset[str]           # surname character + compact pinyin: "张zhangwei"
    tokens: frozenset[str]           # single words that may name someone: "sophia", "zhang"
    spoken: Mapping[str, str] = field(default_factory=dict)  # sound key -> the one 汉字 name with it
    surnames: frozenset[str] = frozenset()  # pinyin surnames of 汉字 names: "zhang"
    han_surnames: frozenset[str] = frozenset()  # the first 汉字 of each name: "张"
    given: frozenset[str] = frozenset()  # two-汉字 given names of three-汉字 names: "晓东"
    fuzzy: Mapping[str, str] = field(default_factory=dict)  # merged-sound key -> the one name with it
    initials: Mapping[str, str] = field(default_factory=dict)  # "ln" -> the one name with those initials


@lru_cache(maxsize=4)
def name_index(names: tuple[str, ...]) -> NameIndex:
    """Index the customer list (cached: the list rarely changes between turns)."""
    han, latin, pinyin, tokens, sounds, surnames = set(), set(), set(), set(), set(), set()
    for name in names:
        name = (name or "").strip()
        if not name:
            continue
        if has_han(name):
            han.add(name)
            key = name_key(name)
            if key:
                pinyin.add(key.replace(" ", ""))
                sounds.add(name[0] + key.replace(" ", ""))
                tokens.add(key.split()[0])  # the surname: "Zhang called"
                surnames.add(key.split()[0])
        else:
            low = " ".join(name.lower().split())
            latin.add(low)
            tokens.update(w for w in low.split() if len(w) > 1)
    by_len = lambda s: sorted(s, key=lambda x: (-len(x), x))
    spoken = {k: n for k, n in _only_one(sound_key, han).items() if len(k) >= 3}
    return NameIndex(tuple(by_len(han)), tuple(by_len(latin)), frozenset(pinyin),
                     frozenset(sounds), frozenset(tokens), spoken, frozenset(surnames),
                     frozenset(n[0] for n in han), frozenset(n[1:] for n in han if len(n) == 3),
                     _only_one(fuzzy_key, han), _only_one(initials_key, han))


def _only_one(key_of, names: set[str]) -> dict[str, str]:
    """key -> name, for the keys exactly one name has."""
    keys = [(key_of(n), n) for n in names]
    once = Counter(k for k, _ in keys)
    return {k: n for k, n in keys if k and once[k] == 1}


# words that start a sentence before a surname without being a given name: "Call Liu tomorrow"
_VERBS_FIRST = {"call", "called", "ask", "asked", "tell", "told", "text", "texted", "message", "ring", "phone",
                "email", "remind", "met", "saw", "visit", "add", "show", "find", "log", "new", "and", "so",
                "then", "also", "today", "yesterday", "pls", "please", "ok", "oh"}
_TITLES = {"mr", "mrs", "ms", "miss", "dr", "madam", "auntie", "aunty", "uncle", "boss", "mister", "sir",
           "teacher", "prof"}


def spot_customer(text: str, index: NameIndex) -> tuple[str, int, int] | None:
    """The first customer name in the message as typed (surface, start, end), or None."""
    hits: list[tuple[int, int, str]] = []
    for name in index.han:
        at = text.find(name)
        if at >= 0:
            hits.append((at, at + len(name), name))
    low = text.lower()
    for name in index.latin:
        # not \b: in "把lily tan标成" the 汉字 around the name are word characters too
        m = re.search(r"(?<![a-z0-9])" + r"\s+".join(map(re.escape, name.split())) + r"(?![a-z0-9])", low)
        if m:
            hits.append((m.start(), m.end(), text[m.start():m.end()]))
    words = [(m.start(), m.end(), m.group(0)) for m in _LATIN_TOKEN.finditer(text)]
    for i, (start, end, word) in enumerate(words):
        w = word.lower().removesuffix("'s")
        # Pinyin full names: "zhang wei", "Zhangwei", "li na".
        for span in (3, 2, 1):
            group = words[i:i + span]
            if len(group) == span and "".join(g[2].lower().removesuffix("'s") for g in group) \
                    in index.pinyin:
                hits.append((start, group[-1][1], text[start:group[-1][1]].removesuffix("'s")))
                break
        if w not in index.tokens and w.endswith("s") and w[:-1] in index.tokens and word[0].isupper() \
                and w[:-1] not in index.surnames:  # ("Yes" is no plural of the surname Ye)
            hits.append((start, end - 1, text[start:end - 1]))  # "how many Lilys": the name, plural
            continue
        if w in index.tokens and word[0].isupper():
            at_start = not text[:start].strip() or text[:start].rstrip()[-1] in ".!?。！？:：\n"
            if at_start and w in _SENTENCE_WORDS:
                continue
            before = words[i - 1] if i else None
            if before and before[2][0].isupper() and not text[before[1]:start].strip() \
                    and w in index.surnames \
                    and before[2].lower().rstrip(".") not in _TITLES | _VERBS_FIRST:
                continue  # "Grace Liu": someone else's full name, not 刘天宇 by his surname
            stop = end if not word.endswith("'s") else end - 2
            nxt = words[i + 1] if i + 1 < len(words) else None
            # "Sophia Brwon": keep a following capitalised word so the store can fuzzy-match it.
            if nxt and nxt[2][0].isupper() and text[end:nxt[0]].strip() == "" \
                    and nxt[2].lower() not in _SENTENCE_WORDS:
                stop = nxt[1] - (2 if nxt[2].endswith("'s") else 0)
            hits.append((start, stop, text[start:stop]))
    if not hits:
        hits = _homophones(text, index) or _misspelt_latin(text, index) or _spoken_pinyin(text, index) \
            or _misspelt_pinyin(text, index) or _merged_sounds(text, index) or _initials(text, index)
    # a title before a name said in full ("Mr Zhang Wei") is that name; alone, the surname and title
    hits += [t for t in _titled(text, index) if not any(h[0] < t[1] and t[0] < h[1] for h in hits)]
    if not hits:
        # "晓东最近怎么样": regulars called by the given name alone; the store asks which one
        hits = [(m.start(1), m.end(1), m.group(1)) for m in _GIVEN_ALONE.finditer(text) if m.group(1) in index.given][:1]
    if not hits:
        lower = _LOWER_FIRST.match(text)  # "lily bought 3 cold brew": typed in a hurry, in lower case
        if lower and lower.group(1) in index.tokens and lower.group(1) not in _SENTENCE_WORDS:
            hits.append((lower.start(1), lower.end(1), lower.group(1)))
    if not hits:
        return None
    start, end, surface = min(hits, key=lambda h: (h[0], -(h[1] - h[0])))
    return surface, start, end


# How owners call a customer by surname and title: 老周, 小贾, 阿陈, 何小姐, 刘先生, 陈生 (Cantonese),
# 陈太, 姜老板, 王总, 黄姐; "mrs tan", "mr parker". The store then finds one or asks which one.
_ZH_TITLE_BEFORE = re.compile(r"[老小阿](?=([\u4e00-\u9fff]))(?!于|時|时|费|費|白|钱|錢|包|单|單|康|区|區|金额|程序|红书|顾客|顧客"
                              r"|方法|时候|高兴|马上|王子)")
_ZH_TITLE_AFTER = re.compile(r"(?=([\u4e00-\u9fff])(?:先生|小姐|女士|太太|老板|老闆|师傅|師傅|老师|老師|阿姨|总(?!共|是|算|之|结)"
                             r"|生(?![日意活气產产病鲜命效成])|太(?![多少贵好大小慢快久晚早难差了过])|姐(?!妹)|哥|叔|姨))")
_DEED_AFTER = re.compile(r"\s*(?:今天|昨天|刚才|刚刚|上午|下午|早上|晚上|又|也|刚)?\s*(?:买|订|来|拿|要|下单|付|打电话|打来|order|bought|came)",
                         re.IGNORECASE)
_EN_TITLED = re.compile(r"\b(?:mr|mrs|ms|miss|mister|madam|dr|auntie|aunty|uncle)\.?\s+([a-z][a-z'-]+)", re.IGNORECASE)
_ZH_TITLES = re.compile(r"先生|小姐|女士|太太|太|老板|老闆|师傅|師傅|老师|老師|阿姨|总|生|姐|哥|叔|姨")


_GIVEN_ALONE = re.compile(r"(?:(?<![\u4e00-\u9fff])|(?<=[跟和给帮把问找叫是看查同俾畀]))(?=([\u4e00-\u9fff]{2}))")
_LOWER_FIRST = re.compile(r"\s*([a-z][a-z'-]+)\s+(?:just\s+)?(?:bought|came|called|rang|phoned|ordered|paid|wants|said|dropped"
                          r"|picked|texted|messaged|visited|took|grabbed|got|stopped|popped|emailed|complained"
                          r"|买了|来了|打来|说)\b")


def surname_titled(surface: str) -> str | None:
    """The surname of a surname said with a title ("黄哥" -> "黄", "mrs tan" -> "tan"), else None."""
    bare = strip_honorifics(to_simplified(surface))
    if bare == to_simplified(surface):
        return None
    return bare if len(bare) == 1 and has_han(bare) or bare.isascii() and " " not in bare else None


def same_person(surface: str, name: str) -> bool:
    """Whether a surname with a title says again who was just named ("黄涛黄哥", "周晨曦…周生")."""
    surname = surname_titled(surface)
    if not surname or not name:
        return False
    name = to_simplified(name)
    return name.startswith(surname) if has_han(surname) else surname.lower() == name.lower().split()[-1]


def staff_like(text: str, who: str) -> bool:
    """"小李说明天要请假": a familiar name (小 or 阿 and a surname) that buys or visits nothing in
    the message is as likely the shop's own staff as a customer."""
    if not re.fullmatch(r"[小阿][\u4e00-\u9fff]", who):
        return False
    at = text.find(who)
    return at < 0 or not _DEED_AFTER.match(text, at + len(who))


def _titled(text: str, index: NameIndex) -> list[tuple[int, int, str]]:
    """A stored surname said with a title, as typed ("老周", "何小姐", "mrs tan")."""
    hits = []
    for m in _ZH_TITLE_BEFORE.finditer(text):
        # 小李 and 阿明 are as often the shop's own staff: a customer only when buying or visiting
        if m.group(1) in index.han_surnames and (text[m.start()] == "老" or _DEED_AFTER.match(text, m.start() + 2)):
            hits.append((m.start(), m.start() + 2, text[m.start():m.start() + 2]))
    for m in _ZH_TITLE_AFTER.finditer(text):
        if m.group(1) in index.han_surnames:
            title = _ZH_TITLES.match(text, m.start() + 1)
            hits.append((m.start(), title.end(), text[m.start():title.end()]))
    for m in _EN_TITLED.finditer(text):
        if m.group(1).lower().removesuffix("'s") in index.tokens:
            end = m.end() - (2 if m.group(1).lower().endswith("'s") else 0)
            hits.append((m.start(), end, text[m.start():end]))
    return hits


def name_identity(name: str) -> str:
    """What two spellings of one name share ("Zhou Lei", "周磊", "週磊" -> "zhoulei")."""
    return compact(name_key(to_simplified(name))) if name else ""


def stored_name(surface: str, names: tuple[str, ...]) -> str | None:
    """The one stored name a surface spells ("Zhou Lei" -> 周磊), or None when none or several."""
    if surface in names:
        return surface
    key = name_identity(surface)
    same = [n for n in names if name_identity(n) == key]
    if not same and surname_titled(surface):
        # "老陈", "mrs tan": a surname and a title name the one customer with that surname
        same = [n for n in names if same_person(surface, n)]
    return same[0] if len(same) == 1 else None


@lru_cache(maxsize=4)
def spot_index(names: tuple[str, ...]) -> NameIndex:
    """The name index over simplified spellings (陳大文 is found in a simplified message too)."""
    return name_index(tuple(to_simplified(n) for n in names))


def customers_in(text: str, index: NameIndex) -> list[tuple[int, int, str]]:
    """(start, end, name as typed) of each customer named in the message, in order; a surname
    with a title after a name with that surname is the same one again ("张伟张总")."""
    out, pos = [], 0
    while pos < len(text):
        hit = spot_customer(text[pos:], index)
        if hit is None:
            break
        if not any(same_person(hit[0], earlier) for _, _, earlier in out):
            out.append((pos + hit[1], pos + hit[2], hit[0]))
        pos += max(hit[2], 1)
    return out


def every_customer(text: str, index: NameIndex) -> list[str]:
    """Each customer name in the message as typed, in order."""
    return [name for _, _, name in customers_in(text, index)]


def named_customers(text: str, names: tuple[str, ...]) -> list[str]:
    """Each customer the message names, once, in order: the stored name when the spelling is one
    customer's alone ("zhang wei" and 张伟 are one), else as typed."""
    return list(dict.fromkeys(stored_name(n, names) or n for n in every_customer(text, spot_index(names))))


def _misspelt_latin(text: str, index: NameIndex) -> list[tuple[int, int, str]]:
    """A full Latin name typed in a hurry: "daniel wod", "dnaiel wood", "lily tans" (one slip
    per word at most, two in all, and the first letters right)."""
    from rapidfuzz.distance import OSA

    words = [(m.start(), m.end(), m.group(0).lower()) for m in re.finditer(r"[A-Za-z]+", text)]
    hits = []
    for (s1, e1, a), (s2, e2, b) in zip(words, words[1:]):
        if len(a) < 3 or len(b) < 2 or text[e1:s2].strip() or a in _SENTENCE_WORDS \
                or a in _FUNCTION_WORDS:
            continue  # "way less than he used to" is no "Lucy Tan"
        for name in index.latin:
            parts = name.split()
            if len(parts) != 2 or parts[0][0] != a[0] or parts[1][0] != b[0]:
                continue
            d1, d2 = OSA.distance(a, parts[0]), OSA.distance(b, parts[1])
            if d1 > 1 and _sounds_alike(a, parts[0]):
                d1 = 1  # "sofia brown" is how Sophia Brown sounds: one slip, not two
            if d2 > 1 and _sounds_alike(b, parts[1]):
                d2 = 1
            if d1 and b in _FUNCTION_WORDS:
                continue  # a word of the sentence after a slip is no surname
            # a surname heard as another word ("daniel would") when the first name is exact
            if d1 <= 1 + (len(a) >= 6) and d2 <= 1 + (d1 == 0 and len(b) >= 4) and d1 + d2 <= 2 \
                    and d1 + d2 > 0:
                hits.append((s1, e2, name))  # the name meant, so it resolves exactly
                break
    return hits


def _misspelt_pinyin(text: str, index: NameIndex) -> list[tuple[int, int, str]]:
    """A 汉字 name typed in pinyin with one slip in the given name ("he shiahn" for 何诗涵): the
    surname exact, the given name one letter off, and only one stored name that close."""
    from rapidfuzz.distance import OSA

    words = [(m.start(), m.end(), m.group(0).lower()) for m in re.finditer(r"[A-Za-z]+", text)]
    for (s1, _, a), (_, e2, b) in pairwise(words):
        if a not in index.surnames or len(b) < 4 or b in _FUNCTION_WORDS or b in _SENTENCE_WORDS:
            continue
        close = [name for name, key in _pinyin_keys(index.han) if key.startswith(a)
                 and OSA.distance(a + b, key) == 1 and len(key) >= 6]
        if len(close) == 1:
            return [(s1, e2, close[0])]
    return []


@lru_cache(maxsize=4)
def _pinyin_keys(names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((name, compact(name_key(name))) for name in names)


# English words that are never a slip for a name: "less than" sounds like "Lucy Tan" by Metaphone
_FUNCTION_WORDS = {"than", "then", "that", "this", "these", "those", "there", "their", "them", "they",
                   "less", "more", "most", "much", "many", "some", "such", "very", "too", "also", "just",
                   "only", "even", "still", "again", "ever", "never", "always", "often", "way", "like",
                   "used", "with", "without", "about", "after", "before", "into", "onto", "over", "under",
                   "what", "when", "where", "which", "while", "who", "whom", "whose", "why", "how", "and",
                   "but", "for", "nor", "yet", "the", "was", "were", "been", "being", "are", "is", "has",
                   "have", "had", "does", "did", "done", "will", "would", "could", "should", "shall",
                   "might", "must", "can", "not", "his", "her", "him", "she", "you", "your", "our", "out",
                   "off", "any", "all", "each", "every", "other", "same", "own", "from", "until", "since"}


def _sounds_alike(said: str, name: str) -> bool:
    """Two spellings of one sound by Metaphone ("sofia" / "sophia", "katherine" / "catherine")."""
    import jellyfish

    return len(said) >= 4 and jellyfish.metaphone(said) == jellyfish.metaphone(name)


# Words that are never part of a name said aloud: "can you" must not sound like 康宇.
_NOT_SPOKEN_NAME = {"the", "a", "an", "and", "or", "to", "for", "of", "up", "can", "you", "me", "my",
                    "her", "him", "his", "she", "he", "it", "is", "was", "pull", "open", "show", "find",
                    "add", "mark", "that", "this", "with", "from", "about", "in", "on", "at", "one",
                    "file", "customer", "order", "complaint", "please", "pls", "call", "ask", "tell",
                    "get", "give", "how", "who", "what", "when", "did", "do", "does", "has", "have",
                    "had", "not", "no", "yes", "ok", "log", "new", "today", "said", "says", "wants"}


def _spoken_pinyin(text: str, index: NameIndex) -> list[tuple[int, int, str]]:
    """A 汉字 name written as a phone's dictation heard it: "sue tianyu" for 苏天宇, "kong jay" for
    孔杰 (two or three words that sound, by Metaphone, like exactly one stored name)."""
    if not index.spoken:
        return []
    words = [(m.start(), m.end(), m.group(0).lower()) for m in re.finditer(r"[A-Za-z]+", text)]
    for i in range(len(words)):
        for size in (3, 2):
            group = words[i:i + size]
            if len(group) < size or any(w in _NOT_SPOKEN_NAME for _, _, w in group) or any(
                    text[a[1]:b[0]].strip() for a, b in pairwise(group)):
                continue
            name = index.spoken.get(sound_key(" ".join(w for _, _, w in group)))
            if name:
                return [(group[0][0], group[-1][1], name)]
    return []


# characters that start no name a message would hold: "你那边" must not sound like 李娜
_NOT_A_SURNAME = set("你我他她它的了是在有这那个们不没就也都还吗呢吧啊呀哦嗯和跟与给把被让请帮问说要会能想看")


def _merged_sounds(text: str, index: NameIndex) -> list[tuple[int, int, str]]:
    """A name typed as regional speech or dictation says it: 尼娜 for 李娜, 牛天宇 for 刘天宇, 章维
    for 张伟. The words of the message (jieba) are tried alone and in pairs, two or three 汉字
    long; a common word is never a name, and the sound must be one stored name's alone."""
    if not index.fuzzy or not has_han(text):
        return []
    words, at = [], 0
    for word in segmented(text):
        words.append((at, word))
        at += len(word)
    for i, (start, word) in enumerate(words):
        for span in (1, 2):
            group = words[i:i + span]
            said = "".join(w for _, w in group)
            if len(group) < span or not 2 <= len(said) <= 3 or not re.fullmatch(r"[\u4e00-\u9fff]+", said) \
                    or said[0] in _NOT_A_SURNAME \
                    or any(len(w) > 1 and common_word(w, often=span * span * 100) for _, w in group):
                # a given name that is also a word (天宇) still follows a surname said apart (牛 天宇)
                continue
            name = index.fuzzy.get(fuzzy_key(said))
            if name and name != said:
                return [(start, start + len(said), name)]
    return []


# letters texters write that are no one's initials: abbreviations, and pinyin initials of words
_NOT_INITIALS = {"pls", "plz", "thx", "tmr", "tmrw", "wk", "wks", "btw", "msg", "msgs", "chk", "ck", "pm", "hr",
                 "hrs", "yr", "yrs", "ytd", "mtd", "qtd", "rn", "nvm", "brb", "ttyl", "tbh", "idk", "smh", "ppl",
                 "pcs", "pc", "kg", "ml", "st", "nd", "rd", "th", "sms", "db", "sql", "csv", "pdf", "cnt", "cx",
                 "dm", "qq", "wx", "vx", "xhs", "dd", "kk", "nb", "zs", "xswl", "bt", "sb", "tm", "hh", "hhh",
                 "xs", "xx", "gg", "mm", "jj", "zz", "lz", "bd", "sf", "jd", "tb", "dy", "ks", "mr", "mrs", "ms",
                 "dr", "jr", "sr", "vs", "nt", "cc", "bcc", "fw", "fwd", "rt", "hmm", "mmm", "shh", "pcs", "lbs",
                 # greetings and chat shorthand: "gm ☕ anything urgent today?"
                 "gm", "gn", "np", "tx", "bf", "gf", "bb", "hbd", "lmk", "ngl", "jk", "wtf", "wfh", "ps", "hq",
                 "pr", "kpi", "crm", "pos", "gmv", "cny", "rmb", "hkd", "usd", "sgd", "myr", "gst", "tgt", "sth",
                 "smth", "wrt", "fyi", "ty", "thnx", "pm", "xd", "gd", "nm", "tc", "bc", "cs", "qc", "hr"}


def _initials(text: str, index: NameIndex) -> list[tuple[int, int, str]]:
    """A 汉字 name texted as its pinyin initials ("ln called", "zw last order"): a word of two or
    three consonants that is no abbreviation nor a city, and exactly one stored name's initials."""
    for m in re.finditer(r"(?<![A-Za-z0-9_@.])([b-df-hj-np-tv-xz]{2,3})(?![A-Za-z0-9_@])", text):
        letters = m.group(1)
        if letters in _NOT_INITIALS or letters in CITIES_LATIN:
            continue
        name = index.initials.get(letters)
        if name:
            return [(m.start(1), m.end(1), name)]
    return []


def _homophones(text: str, index: NameIndex) -> list[tuple[int, int, str]]:
    """汉字 typed with the wrong character but the right sound: 李那 for 李娜 (IME slips)."""
    hits = []
    for run in re.finditer(r"[\u4e00-\u9fff]{2,}", text):
        for size in (3, 2):
            for i in range(run.start(), run.end() - size + 1):
                window = text[i:i + size]
                # The surname must be written right: 想下 sounds like 向霞 but is "want to".
                if window[0] + compact(name_key(window)) in index.sounds:
                    hits.append((i, i + size, window))
                elif window[0] in _SURNAME_CHARS and _APART_BEFORE.search(text[:i]) \
                        and _APART_AFTER.match(text, i + size) and index.spoken.get(sound_key(window)):
                    # "那个唐伟 嗯 最近…": a name standing apart, its surname misheard too (汤伟)
                    hits.append((i, i + size, window))
    return hits


# the commonest surnames ("王李张…"): a full name standing apart led by one is someone
COMMON_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
                   "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
# a word standing apart that starts with none of these ("open 状态?") is no misheard name
_SURNAME_CHARS = frozenset(COMMON_SURNAMES + "章庄欧阳甘柯卜")
# a name pointed at and set apart by a pause: "那个唐伟 嗯", "刚才那个章伟 来了"
_APART_BEFORE = re.compile(r"(?:^|[\s,，。]|那个|这个|那位|这位)$")
_APART_AFTER = re.compile(r"[\s,，。!！?？]|$")


# Unknown names by position: "customer X", "X called", "王小明买了".
_ZH_LEAD = r"(?:今天|昨天|前天|刚才|刚刚|上午|下午|晚上|早上|客户|顾客|老客户|新客户|帮我记一下|记一下|记录一下|记录)?"
_ZH_NAME_BEFORE = re.compile(
    # "刘德华 买了2包": a space before a purchase, not before 说 ("谁可能流失 说说原因")
    _ZH_LEAD + r"([\u4e00-\u9fff]{2,3}?)(?:\s(?=买了|订了|下单|要了|拿了|来店|到店|今天|昨天|刚才|刚刚|上午|下午|今早|今晚))?"
    # "刘芳芳刚买了", "老张今天来拿了": a word of time or manner between the name and the deed
    r"(?:今天|昨天|刚才|刚刚|上午|下午|今早|今晚|已经|刚|又|也)?"
    r"(?:打电话|打了电话|来电|打来|发微信|微信说|发消息|说|来店|到店|来了|来拿|买了|购买了|下单|订了|要了|拿了|想要|想再要|投诉|反馈|付了)")
# "欧阳娜娜的资料给我看看": whose file is asked for
_ZH_NAME_FILE = re.compile(r"(?:^|[\s,，查看找调给把])([\u4e00-\u9fff]{2,4}?)(?:的|'s\s*|’s\s*)(?:资料|档案|信息|详情|记录|情况"
                           r"|profile|file|details|info|record)", re.IGNORECASE)
_ZH_NAME_AFTER = re.compile(r"(?:客户|顾客|给|帮|跟|和|把)([\u4e00-\u9fff]{2,3}?)(?:的|打|发|说|回|，|,|\s|$)")
_EN_NAME = re.compile(
    r"(?:customer|client|for|about|to|with|from|reply to|draft .{0,20}? to|show(?: me)?|pull up|look up|profile of)\s+"
    r"([A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)|^([A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)\s+"
    r"(?:called|rang|phoned|messaged|texted|emailed|visited|came|bought|ordered|paid|wants|said|complained"
    # "Bella 打来问 Christmas 礼盒": an English name, then what she did in Chinese
    r"|打来|打电话|打了电话|来电|来店|到店|来了|买了|订了|说|问|发微信|微信)"
    # "mr fitzgerald rang": a title, then a surname typed in lower case
    r"|\b((?:mr|mrs|ms|miss|dr)\.?\s+[a-z][a-z'-]+)\b(?=\s+(?:called|rang|phoned|messaged|texted|emailed|visited|came"
    r"|bought|ordered|paid|wants|said|complained|dropped|stopped|popped|picked|打来|来了|买了|说))"
    # "show 下 Kevin Zhang 的资料": a full name whose file is asked for
    r"|(?<![A-Za-z])([A-Z][a-z'-]+\s+[A-Z][a-z'-]+)\s*(?:的|'s)\s*(?:资料|档案|信息|情况|profile|file|info|details)"
    # "bob miller's orders?": typed in lower case, a full name whose records are asked for
    r"|^\s*([a-z][a-z'-]+\s+[a-z][a-z-]+)'s\s+(?:orders?|profile|file|info|details|history|number|phone)\b")
_NOT_NAMES = {"我们", "他们", "她们", "客户", "顾客", "客人", "有人", "老板", "店员", "今天", "昨天", "一下", "这个",
              "那个", "这位", "上次", "大家", "别人", "人家", "差评", "好评", "投诉", "中评", "新客人", "新客户", "新顾客",
              "老客人", "老客户", "老顾客", "回购", "复购", "召回", "挽回", "推荐", "下单", "回来", "拉新",
              "刚刚", "刚才", "前天", "上午", "下午", "早上", "晚上", "今早", "今晚", "已经"}


_NOT_IN_NAMES = r"[第次们这那的了是在有我你它个每些怎么什啥哪吗呢吧上把被谁该]"


def guess_name(text: str) -> str | None:
    """A customer name the list doesn't know, judged by its position in the sentence."""
    for rx in (_ZH_NAME_FILE, _ZH_NAME_BEFORE, _ZH_NAME_AFTER):
        m = rx.search(text)
        if m and m.group(1)[0] in "个位" and text[:m.start(1)].endswith(("那", "这")):
            # "刚才那个章伟来店里了": past "个章伟", the name pointed at starts one character on
            m = rx.match(text, m.start(1) + 1) or m
        if m and m.group(1) not in _NOT_NAMES and not re.search(_NOT_IN_NAMES, m.group(1)):
            return m.group(1)
    m = _EN_NAME.search(text)
    if m:
        name = next(g for g in m.groups() if g).removesuffix("'s")
        if name.split()[0].lower() not in _SENTENCE_WORDS | {"the", "this", "my", "our", "a"}:
            return name
    return None


# -- amounts and quantities -------------------------------------------------------------------
_AMOUNT = [
    re.compile(r"(?:¥|￥|rmb|cny|\$)\s*(\d+(?:\.\d+)?)", re.IGNORECASE),
    re.compile(rf"(\d+(?:\.\d+)?|{NUM})\s*(?:元|块钱|块(?![^\d]{{0,1}}[蛋糕])|蚊|文钱|rmb\b|yuan\b|kuai\b|dollars?\b|bucks\b)", re.IGNORECASE),
    re.compile(r"(\d+(?:\.\d+)?)\s*(?:in )?(?:total|altogether)\b", re.IGNORECASE),
    # "512 paid", "236 transferred": the sum, then that it was paid
    re.compile(r"(?<![\d.])(\d{2,6}(?:\.\d{1,2})?)\s*(?:paid|transferred|received|已付|付了|收了)", re.IGNORECASE),
    re.compile(r"(?:\bfor|\bpaid|\bspent|\btotal(?:ling|ing)?|花了|付了|一共|总共|合计|共|收了|价格)\s*(\d+(?:\.\d+)?)(?![\d.]*\s*"
               r"(?:袋|包|盒|箱|bags?|box(?:es)?|packs?|days?|天|周|weeks?|号|日|月|th\b|st\b|nd\b|rd\b))", re.IGNORECASE),
    # money said to have moved, a few words before the sum: "已经转过来了690", "微信过了数236",
    # "paid by transfer 640"
    re.compile(r"(?:\bpaid|\btransferred|\bsent|\be-?transfer(?:red)?|转|过了?数|付|俾了|畀了|收了)[^\d\n。;；!?！？]{0,16}?"
               r"(?<![\d.])(\d{2,6}(?:\.\d{1,2})?)(?![\d.]*\s*(?:袋|包|盒|箱|次|个|号|日|月|天|周|点|bags?|box(?:es)?"
               r"|packs?|days?|weeks?|times?|th\b|st\b|nd\b|rd\b|[:：/-]))", re.IGNORECASE),
]
_ZH_UNITS = "|".join(ZH_UNITS)
# "下礼拜一提醒我": a weekday's number is no count, and 提 before 醒 is no unit
_ZH_QTY = re.compile(rf"(?<!礼拜)(?<!禮拜)(?<!星期)(?<![周週])(\d+(?:\.\d+)?|{NUM})\s*({_ZH_UNITS})(?!(?<=提)醒)([^\s，,。.;；!！?？:：0-9]{{0,12}})")
# a word of goods standing alone before its count ("冷萃三盒", "耶加 2包"), not a verb or a time
_GOODS_BEFORE = re.compile(r"(?:^|[\s,，。:：、])([\u4e00-\u9fff]{2,5})\s*$")
_GOODS_AFTER_VERB = re.compile(r"(?:买了|买咗|订了|订咗|要了|拿了|要订|要买|订|买|要|拿)([\u4e00-\u9fff]{2,5})\s*$")
_VERB_FIRST = re.compile(r"^(?:要订|要买|订了|买了|要了|拿了|订|买|要|拿)")
_BEFORE_NOT_GOODS = re.compile(r"[了要买拿订单说的是给共过来去送到想再又还各每]$|^(?:一共|总共|今天|昨天|今日|明天|后天|前天|刚刚|刚才"
                        r"|上次|这次|下次|每次|大概|差不多|另外|然后|还有|一样|同样)")
_ZH_PRODUCT_END = re.compile(r"(?:一共|总共|共|花了|付了|合计|价格|给|送|下周|下个月|明天|后天|这周|周[一二三四五六日]|然后|之前|以前|"
                             r"的钱|元|块|，|,|和|并且|但|不过|还|说|想|要|让|叫|跟|问).*$")
_EN_WORDNUM = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
               "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "twenty": 20,
               "a dozen": 12, "a couple of": 2}
_EN_UNIT = (r"(?:bags?|box(?:es)?|packs?|packets?|cups?|bottles?|cans?|cases?|kg|kilos?|units?|"
            r"pieces?|jars?|tins?|sets?|cartons?|pouch(?:es)?|sacks?|tubs?)")
_NOT_GOODS = (r"(?:for|at|on|next|by|and|to|this|last|tomorrow|tmr|tmrw|today|yesterday|please|pls|each|total|just|now"
              r"|earlier|lah|la|liao|leh|lor|already|paid"
              r"|in|from|delivered|sent|arrived|came|were|was|is|are|already|too|also|but|or|then)\b")
# (?<![A-Za-z0-9.]) rather than \b: in "买了2 bags" the 汉字 before the count are word characters too
_EN_QTY = re.compile(
    r"(?<![A-Za-z0-9.])(\d+(?:\.\d+)?|a dozen|a couple of|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"twelve|twenty|an?)\s+(?:more\s+|extra\s+|x\s+)?((?:[A-Za-z-]+\s+){0,2}?" + _EN_UNIT +
    # "of the mandheling", or spoken without "of": "12 bag espresso blend"
    r")\b(?:\s+(?:of\s+(?:the\s+)?)?(?:(?!" + _NOT_GOODS + r")([A-Za-z][\w-]*(?:\s+(?!" + _NOT_GOODS +
    # or the goods in 汉字 after an English unit: "order 3 bags 曼特宁"
    r")[A-Za-z][\w-]*){0,2})|([\u4e00-\u9fff]{2,8})))?",
    re.IGNORECASE)
_EN_ITEM = re.compile(r"\b(?:bought|buying|buys?|ordered|purchased|wants?|took|takes?|orders?|grab(?:bed)?|gets?|got"
                      r"|getting|picked up)\s+(\d+|an?|one|two|three|four|five)\s+"
                      # "wants a callback / a quote / a word": a request, not goods
                      r"(?:more\s+)?(?!(?:call|callback|call-back|reply|word|chat|quote|refund|discount|sample|"
                      r"look|meeting|visit)\b)([A-Za-z][\w-]*(?:\s+(?!(?:for|at|on|next|by|and|just|now|already|liao|lah|la|leh|lor)\b)"
                      # "buy 1 巴西 108": the goods in 汉字 after an English verb and count
                      r"[A-Za-z][\w-]*){0,2}|[\u4e00-\u9fff]{2,8})", re.IGNORECASE)
# "will order 2 more on friday": a count of the usual goods
_EN_MORE = re.compile(r"\b(?:order|get|take|want|need)s?\s+(\d+|two|three|four|five|six|ten)\s+more\b",
                      re.IGNORECASE)
_ONE_OF = re.compile(r"(?:买了|要了|拿了|订了|买咗|攞咗|买|要|拿|订)个([\u4e00-\u9fff]{2,8})")
_PRODUCT_TRAIL = re.compile(r"\s+(?:for|at|on|next|by|and|yesterday|today|tomorrow|this|last|again|sent|send|delivered"
                            r"|shipped|please|pls|asap|too|as|to|from|in|please)\b.*$", re.IGNORECASE)


# A bare number closing a sale, "黄涛买了一盒礼盒 258" / "bought 2 blends today, 256": owners
# type the price last and leave the currency out.
# "…节日礼盒258": right after the goods' 汉字 too
_TRAILING_PRICE = re.compile(r"(?:[\s,，\u4e00-\u9fff]|^)(\d{2,6}(?:\.\d{1,2})?)\s*(?:蚊|块|元|rmb)?\s*[.。!！]?\s*$",
                             re.IGNORECASE)


def find_amount(text: str, trailing: bool = False) -> tuple[float, tuple[int, int]] | None:
    """A money amount in the message and its span: '176元', '¥176', 'for 176', '一百七十六块';
    with `trailing`, also a bare number that ends the message."""
    for rx in _AMOUNT:
        m = rx.search(text)
        if m:
            raw = m.group(1)
            value = float(raw) if re.fullmatch(r"\d+(?:\.\d+)?", raw) else cn_number(raw)
            if value is not None:
                return float(value), m.span()
    m = _TRAILING_PRICE.search(text) if trailing else None
    return (float(m.group(1)), m.span(1)) if m else None


def _en_qty(word: str) -> float:
    word = word.lower()
    return float(word) if word[0].isdigit() else float(_EN_WORDNUM[word])


# "冷萃x3", "gift box x5", "耶加雪菲 ×2": a product then a count, as owners type a receipt line.
_TIMES_QTY = re.compile(r"(?<![A-Za-z])[x×*](\d{1,4})(?![\d.])|(?<![\w.])(\d{1,4})\s*[x×](?![A-Za-z])")
_LATIN_TAIL = re.compile(r"((?:[A-Za-z][\w'-]*\s+){0,2}[A-Za-z][\w'-]*)\s*$")
_HAN_TAIL = re.compile(r"(?:买了|买咗|订了|要了|拿了|要|订|买|拿)?([\u4e00-\u9fff]{2,8})\s*$")
_LATIN_HEAD = re.compile(r"^\s*((?:[A-Za-z][\w'-]*)(?:\s+[A-Za-z][\w'-]*){0,2})")
_HAN_HEAD = re.compile(r"^\s*([\u4e00-\u9fff]{2,6})")
# what an owner counts besides goods: "加一个 note", "log 一个 call"
_NOT_GOODS_COUNTED = {"call", "calls", "note", "notes", "reminder", "task", "todo", "msg", "message", "visit",
                      "complaint", "customer", "cust", "tag", "follow", "followup", "meeting", "chat", "quote",
                      "interaction", "interactions", "wechat", "email", "sms", "text", "record", "entry", "log"}
_NOT_PRODUCT = {"wechat", "in", "store", "says", "said", "wants", "want", "bought", "ordered", "of",
                "the", "more", "and", "for", "ok", "pls", "please"}


def _product_before(text: str) -> str | None:
    """The goods named just before a count: 'gift box' in '要 gift box x5', '冷萃' in '买了冷萃x3'."""
    latin = _LATIN_TAIL.search(text)
    if latin:
        words = [w for w in latin.group(1).split()]
        while words and words[0].lower() in _NOT_PRODUCT:
            words.pop(0)
        return " ".join(words) or None
    han = _HAN_TAIL.search(text)
    if not han:
        return None
    tail = re.split(r"买了|买咗|订了|订咗|要了|拿了|了|咗|要|订|买|拿|说|想", han.group(1))[-1]
    return tail if len(tail) >= 2 else None


def _times_quantity(text: str) -> tuple[float, str | None, int] | None:
    m = _TIMES_QTY.search(text)
    if not m:
        return None
    if m.group(1):
        product = _product_before(text[:m.start()])
        after = None if product else _LATIN_HEAD.match(text[m.end():])
        return float(m.group(1)), product or (after.group(1) if after else None), m.start()
    # "2x 巴西 216": the goods after the count, in either script
    after = _LATIN_HEAD.match(text[m.end():]) or _HAN_HEAD.match(text[m.end():])
    return float(m.group(2)), after.group(1) if after else None, m.start()


def find_quantity(text: str) -> tuple[float, str | None, int] | None:
    """(quantity, product, position) of the goods: '两袋耶加雪菲' -> (2, '耶加雪菲', 0); '要10盒' ->
    (10, '盒', 1), the unit standing for the goods as in '5 more boxes' -> (5, 'boxes', 0);
    '冷萃x3' -> (3, '冷萃', 0)."""
    for m in _ZH_QTY.finditer(text):
        qty = float(m.group(1)) if m.group(1)[0].isdigit() else cn_number(m.group(1))
        product = _ZH_PRODUCT_END.sub("", m.group(3) or "").strip(" 的")
        if not product:  # "2 个 gift box": the goods in English after the count
            after = _LATIN_HEAD.match(text[m.end():])
            words = after.group(1).split() if after else []
            if words and words[0].lower() in _NOT_GOODS_COUNTED:
                continue  # "log 一个 call 给孟浩然": a call counted, not goods
            while words and words[-1].lower() in _NOT_PRODUCT:
                words.pop()
            product = " ".join(words)
        if not product:  # "冷萃三盒 207", "她们公司要订礼盒 35个": the goods named just before the count
            before = _GOODS_BEFORE.search(text[:m.start()]) or _GOODS_AFTER_VERB.search(text[:m.start()])
            product = _VERB_FIRST.sub("", before.group(1)) if before else ""
            product = "" if len(product) < 2 or _BEFORE_NOT_GOODS.search(product) else product
        if qty is not None and (m.group(2) != "个" or product):
            return float(qty), product or m.group(2), m.start()
    m = _EN_QTY.search(text)
    if m:
        han = _ZH_PRODUCT_END.sub("", m.group(4) or "").strip(" 的")
        product = m.group(3) or (han if len(han) >= 2 else None) or m.group(2)
        return _en_qty(m.group(1)), _PRODUCT_TRAIL.sub("", product).strip() or None, m.start()
    m = _EN_ITEM.search(text)
    if m:
        product = _PRODUCT_TRAIL.sub("", m.group(2)).strip()
        return _en_qty(m.group(1)), product or None, m.start(1)
    m = _EN_MORE.search(text)
    if m:
        return _en_qty(m.group(1)), None, m.start(1)
    m = _ONE_OF.search(text)
    product = _ZH_PRODUCT_END.sub("", m.group(1)).strip(" 的") if m else None
    if product:  # "买了个节日礼盒": a 个 with no count is one ("要个说法" names no goods)
        return 1.0, product, m.start()
    return _times_quantity(text)


# -- contact fields ---------------------------------------------------------------------------
PHONE = re.compile(r"(?<![\d])(\+?\d[\d\- ]{5,}\d)(?![\d])")
# ASCII only: in "的email换成ethan.chen@outlook.com" the 汉字 before it are word characters too
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# An id said as one ("微信是 xiaoyu_bnb", "wechat: lily88") or shaped like one ("vx shangguan_yf"):
# in "sent me a WeChat message today" the word after WeChat is no id.
WECHAT = re.compile(r"(?:wechat|weixin|微信号?|\bwx|\bvx|v信)\s*(?:id|号)?\s*"
                    r"(?:(?:is|:|：|是|为|=|改成|换成|改为|换了|改了)\s*([A-Za-z][A-Za-z0-9_-]{4,})"
                    r"|((?=[A-Za-z0-9_-]*[\d_-])[A-Za-z][A-Za-z0-9_-]{4,}))", re.IGNORECASE)
# the segment reader's list of cities, so "罗明搬沈阳去了" reads a city both ways; not those that are
# as often a given name (李金华, 王长春, 孙中山)
CITIES = [*(c for c in CITIES_ZH if c not in ("金华", "中山", "长春")), "台中", "Taipei", "Beijing", "Shanghai",
          "Guangzhou", "Shenzhen", "Hangzhou", "Suzhou", "Nanjing", "Chengdu", "Chongqing", "Wuhan", "Xiamen",
          "Hong Kong", "London", "Singapore"]
# "in Oct", "from Monday": a month or a day is a when, never a city
_NOT_A_PLACE = (r"(?!(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?"
                r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?"
                r"|Q[1-4]|Today|Tomorrow|Yesterday)\b)")
_CITY_FIELD = re.compile(r"(?:city|城市|住在?|来自|\bin|\bfrom|lives in|搬到了?|搬了?去|moved to)\s*[:：]?\s*"
                         + _NOT_A_PLACE + r"([A-Z][a-z]+(?: [A-Z][a-z]+)?|[\u4e00-\u9fff]{2,3}?)(?:市|$|[\s,，。.])")


# one city in two scripts: 上海 and Shanghai are the same customers' city
CITY_PAIRS = dict(p for zh, en in [("北京", "Beijing"), ("上海", "Shanghai"), ("广州", "Guangzhou"),
                                 ("深圳", "Shenzhen"), ("杭州", "Hangzhou"), ("苏州", "Suzhou"),
                                 ("南京", "Nanjing"), ("成都", "Chengdu")] for p in ((zh, en), (en, zh)))


# a city by its letters or its one-character name, as texters write it ("how many cust in sh", "沪的客户")
_CITY_SHORT = re.compile(r"(?<![A-Za-z])(" + "|".join(k for k in CITIES_LATIN if len(k) == 2) + r")(?![A-Za-z'])"
                         r"|" + "|".join(CITY_ABBREVIATIONS), re.IGNORECASE)


def cities_in(text: str) -> list[tuple[int, str]]:
    """(position, city) of each known city the message names, in the order said."""
    low = text.lower()
    named = [(low.find(c.lower()), c) for c in CITIES if c.lower() in low]
    named += [(m.start(), CITIES_LATIN.get(m.group(0).lower()) or CITY_ABBREVIATIONS[m.group(0)])
              for m in _CITY_SHORT.finditer(text)]
    return sorted(named)


def find_city(text: str) -> str | None:
    """A city named in the message (known list first, then 'city X' / '住在X'); of two, the one
    moved to ("moved from shanghai to hangzhou")."""
    low = text.lower()
    named = cities_in(text)
    if len(named) > 1:
        after_to = [c for at, c in named if re.search(r"(?:\bto|到|去)\s*$", low[:at])]
        if after_to:
            return after_to[0]
    for _, city in named[:1]:
        return city
    m = _CITY_FIELD.search(text)
    return m.group(1) if m else None


def contact_fields(text: str) -> dict[str, str]:
    """phone / email / wechat / city found anywhere in the message."""
    out: dict[str, str] = {}
    email = EMAIL.search(text)
    if email:
        out["email"] = email.group(0)
    rest = EMAIL.sub(" ", text)
    wechat = WECHAT.search(rest)
    if wechat:
        out["wechat"] = wechat.group(1) or wechat.group(2)
        rest = rest.replace(wechat.group(0), " ")
    phone = PHONE.search(rest)
    if phone and len(re.sub(r"\D", "", phone.group(1))) >= 7:
        out["phone"] = re.sub(r"[\s-]", "", phone.group(1))
    city = find_city(rest)
    if city:
        out["city"] = city
    return out


_TOP = re.compile(r"top\s*(\d+)|前\s*(\d+|[一二两三四五六七八九十]+)\s*(?:名|个|位)?"
                  r"|(\d+|[一二两三四五六七八九十]+)\s*(?:customers|clients|people|ppl|ones|names|个(?!月|星期|礼拜|禮拜)|位|名)"
                  r"|\b(?:show|give|list|gimme)\s+(?:me\s+)?(?:the\s+)?(?:top\s+|first\s+)?(\d{1,3})\b"
                  # "10 most at risk", "my best 3 regulars"
                  r"|\b(\d{1,3})\s+(?:most|best|biggest|worst|riskiest|top)\b"
                  r"|\b(?:best|most|biggest|worst|riskiest)\s+(\d{1,3})\b"
                  # "the first ten, if you please", "the foremost three of them"
                  r"|\b(?:the\s+)?(?:first|foremost|leading)\s+(\d{1,3})\b(?!\s*(?:days?|weeks?|months?|of (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)))",
                  re.IGNORECASE)


def find_top(text: str) -> int | None:
    """How many to list: "前三名" / "top 5" / "10个" / "5 ppl" -> N (1-100), else None."""
    found = _TOP.search(text)
    if not found:
        return None
    raw = next(g for g in found.groups() if g)
    n = int(raw) if raw.isdigit() else cn_number(raw)
    return n if n and 0 < n <= 100 else None


_ZH_NTH = r"第\s*(?P<{}>[一二两三四五六七八九十]|\d{{1,2}})"
_ORDINAL = re.compile(
    r"排" + _ZH_NTH.format("ranked") + r"\s*(?:个|位|名|個)?(?:那个|那位|那個)?"
    r"|" + _ZH_NTH.format("zh") + r"\s*(?:(?:个|位|名|個)(?!月|星期|礼拜|周|次|天|年)(?:那个|那位|那個|客户|客人|人)?|那个|那位|那個)"
    r"|\b(?:the\s+)?(?P<en>first|second|third|fourth|fifth|top|1st|2nd|3rd|4th|5th)\s+"
    r"(?:one|guy|lady|customer|client|person|name|on the list)\b"
    # "whos top of that list", "the first on the list", "第一名"
    r"|\b(?P<en2>top|first)\s+(?:of|on|in)\s+(?:that|the|this)\s+list\b|第(?P<zh2>一|1)名"
    r"|\b(?:no\.?|number)\s*(?P<num>\d{1,2})\b"
    # "#5 last ord date": a row number opening the message
    r"|^\s*#(?P<num2>\d{1,2})\b", re.IGNORECASE)
_EN_ORDINAL = {"first": 1, "top": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
               "fourth": 4, "4th": 4, "fifth": 5, "5th": 5}


def list_position(text: str) -> tuple[int, int, int] | None:
    """(position from 1, start, end) of "the first one" / "排第一那个" / "#3" in a message."""
    m = _ORDINAL.search(text)
    if not m:
        return None
    if m.group("zh") or m.group("ranked"):
        raw = m.group("zh") or m.group("ranked")
        n = int(raw) if raw.isdigit() else cn_number(raw)
    elif m.group("en") or m.group("en2"):
        n = _EN_ORDINAL[(m.group("en") or m.group("en2")).lower()]
    elif m.group("zh2"):
        n = 1
    else:
        n = int(m.group("num") or m.group("num2"))
    return (n, m.start(), m.end()) if n and n > 0 else None


def pick_in(table: list, text: str) -> str | None:
    """The first value of `table` whose English or Chinese pattern occurs in `text`."""
    for value, en, zh in table:
        if re.search(en, text, re.IGNORECASE) or re.search(zh, text):
            return value
    return None
