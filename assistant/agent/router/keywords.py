"""Keyword tables per intent (en regex, zh regexes) and a matcher tolerant of typos and homophones."""

from __future__ import annotations

import re
from functools import lru_cache

# intent -> (English regex over lower-case text, Chinese regexes). Read top to bottom, one line per idea.
# a visit told: "came to the shop", and in second-language English, which keeps the verb plain,
# "Chen Ping come shop today"
CAME_TO_THE_SHOP = r"c[ao]me (?:to |into )?(?:the |my |our )?(?:shop|store|caf[eé])|c[ao]me (?:in |by |here )?(?:today|just now)"

KEYWORDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "triage": ((r"classify|categori[sz]e|triage|what (?:kind|type|category|sort) of (?:complaint|issue|problem)"
               r"|label (?:this|the|that) (?:complaint|message)|which category|is this complaint about"
               r"|how (?:serious|bad|severe)\b|whose fault|is it (?:even )?our fault|our fault or"),
               ("分类", "什么类型", "哪一?类", "归类", "属于什么", "什么类别", "打(个)?标签", "什么问题", "啥问题", "算(?:啥|什么)问题",
                "多严重", "严不严重", "严重不", "有多严重", "几严重", "严重吗", "谁的错", "我们的错", "我们得错", "判断一?下")),
    "draft": ((r"\bdraft|\brepl(?:y|ies) to|respond to|\bwrite (?:a |an )?(?:reply|response|answer|apology)"
              r"|answer (?:the |this |her |his |their )?complaint|apolog|\breply\b|\bresponse\b"),
              ("回复", "回应", "起草", "写一?封", "拟一", "道歉信", "怎么回", "答复", "回一下", "草拟", "咋回",
               # "帮我回他，语气软一点": answer him
               "帮我回(?:他|她|佢|人家)", "回(?:他|她|佢)一下", "帮我覆(?:他|她|佢)")),
    "add_customer": ((r"\b(?:add|create|register|new|save)\b(?: a| an| this)?(?: new)? (?:customer|client|contact|cust)\b"
                      r"|\bnew (?:cust|customer|client|contact|guy|girl|lady|person|regular)\b"
                      r"|\bas a (?:new )?(?:customer|client)\b"),
                     ("(添加|新增|新建|录入|登记|加|开|建)(一个|一位|个|位|多个|多一个)?(新)?(客户|顾客|客人|客)",
                      "^\\W*新(客户|顾客|客人|客)", "有(一|个)?(个|位)新(客户|顾客|客人|客)", "来了?(一|个)?(个|位)新(客户|顾客|客人)",
                      "新(客户|顾客|客人|客).{0,3}(加|录|登记|存)",
                      # "哦她是新客户 帮我建一个 王芳 136…": a new customer, then the request
                      "新(客户|顾客|客人|客).{0,4}(帮我|幫我)?(建|开|加|录|登记)(一|个|一个|下|一下)",
                      # "幫我建檔 …", "开个档": a file opened for someone new
                      "(建|开|立)(个|一个)?(档|档案|客户档案|资料卡)")),
    "update": ((r"\b(?:change|update|upd|set|correct|fix|edit|modify)\b|new (?:phone|number|mobile|email|address|wechat)"
               r"|moved to|\btag(?:ged)?\b|\bnow lives|\bis now\b|\bnow is\b|\bmark\b.{1,30}\bas\b"
               r"|\badd (?:a )?notes? (?:to|for|on)\b|\bnotes? (?:down )?一下|\bnote that\b|\bmoving to\b|\brelocated\b"
               r"|(?:phone|number|mobile|email|e-mail|wechat|city|address) is\b"),
               ("改成", "改为", "换成", "更新", "修改", "变成", "换了", "新号码", "新电话", "新手机", "搬到", "搬了去", "搬去", "改一下", "改下",
                "设为", "标记为", "打上", "的(电话|手机|邮箱|微信|城市|备注)是",
                # changed number / moved / tagged / a note, as owners say it
                "换.{0,2}号", "换了?(手机|电话|微信)", "(手机|电话|微信)号?(码)?改了", "新的(号码|电话|手机|微信)?是",
                "搬(去|到|家)", "(打|加|贴|上)个?.{1,12}?标签", "标(成|为|记成|记为|上)", "(加|添|写)个?备注",
                "备注一下", "^\\S{2,4}\\s*备注", "城市.{0,3}改",
                # "在 Leo Hughes 的 notes 里加一句": a line added to the notes
                "(?:notes?|备注)\\s*(?:里|裡|中|上)?\\s*(?:加|添|写|补)")),
    "order": ((r"\b(?:bought|buys|purchased|ordered|paid|spent|placed an order|took|picked up)\b|\border (?:for|from)\b"
              r"|\b(?:take|takes|order|orders|buy|grab|grabbed|get|got)\s+\d+\s*[A-Za-z]"
              r"|\bsold\b|\bnew order\b|\b(?:add|log|record|enter|key in)\s+(?:an?\s+|the\s+|new\s+)?"
              r"(?:order|sale|purchase)s?\b|\border(?=了|咗)"),
              ("买了", "购买", "下单", "下了单", "订了", "拿了", "付了", "花了", "成交", "卖给", "卖了", "要了", "订购",
               "下了[0-9一二两三四五六七八九十]", "补录", "记一笔", "记一单", "录一单",
               # Cantonese past tense: 买咗 / 订咗 / 攞咗 (bought, ordered, picked up)
               "(?:买|订|要|攞|拿|落)咗")),
    "contact": ((r"\b(?:called|calls|rang|phoned|phone call|messaged|texted|wechat(?:ted|ed)?|emailed|visited"
                r"|came in|came by|drop(?:ped|s)? (?:by|in)|stopped by|popped in|(?:store|shop) visit|met|talked to"
                r"|spoke (?:to|with)"
                r"|chatted|caught up|dm'?d|replied|said|told me|asked|wrote|commented|posted|complained"
                r"|" + CAME_TO_THE_SHOP +
                r"|(?:i|we) (?:just |already )?(?:call|phone|text|msg|message|wechat)\b(?=.{0,40}\b(?:already|just now|liao|earlier)\b)"
                r"|left (?:a |us a )?(?:note|message|review|comment)|(?:on|off) the phone|had a call"
                r"|got a call|phone call|msg(?:ed|d)?|txt(?:ed|d)?|sms(?:ed|d)?|dm(?:ed|d)?|ping(?:ed)?"
                r"|reached out|hit (?:me|us) up|emailed|telephoned|spoke|conversation with|over the (?:tele)?phone"
                r"|on a call|video call|voice (?:note|message|msg))\b|\b(?:msg|message|text|wechat|dm|call|email|note)"
                r"\s+(?:from|w/|with)\b|\blog (?:a |an |the )?"
                r"(?:call|visit|note|interaction|chat|meeting)|^(?:log|note)\s*:"
                # a log line as a bookkeeper writes it: "11/20 phone 邱磊: 2x 曼特宁 176"
                r"|^\W*(?:\d{1,2}/\d{1,2}\s+)?(?:phone|call|visit|wechat|email)\s[^:：]{1,20}[:：]"),
                ("打电话", "打了电话", "打来", "来电", "电话里", "微信上", "微信说", "发微信", "微信下单", "微信订", "微信来", "又来了", "今天来了", "刚来了", "来过店", "过来买", "来拿了", "过来拿",
                 "电话下单", "电话订", "发消息", "发了消息",
                 # "跟赵艳通了个电话", "打了个电话给她", "接到她电话": a call, however it is put
                 # ("帮我打个电话给李娜" asks for a call; it tells of none)
                 r"通了个?电话", r"打了个电话", r"接(?:到|了).{0,4}电话", "通话",
                 "留言", "来店", "到店", "来了店里", "来店里", "见了", "聊了", "沟通", "拜访", "记录一下", "记一下",
                 "^记录", "说(?!错)", "问了", "咨询", "评论", "反映", "反馈", "写道", "发邮件", "发短信", "发信息", "找我",
                 # Cantonese and mixed: 打嚟 / 话 / call我 / 私信
                 "打嚟", "打过嚟", "(?<![电说])话(?!费)", "(?<!演)讲(?!错)", "call ?我", "私信", "小红书上?", "短信")),
    "future": ((r"\b(?:wants?|would (?:like|love)|'d (?:like|love)|will|plans? to|going to|needs?|asked for"
               r"|reserve|interested in)\b|'ll\b"),
               ("想", "要", "打算", "准备", "预订", "预定", "需要", "再订", "会来")),
    "churn": ((r"churn|at[- ]risk|risky|losing|lapsed|slipping|stopped (?:buying|ordering|coming)"
              r"|haven'?t (?:bought|ordered)|inactive|dormant|going quiet|about to leave|likely to leave"
              r"|about to lose|going to lose|might lose|could lose|drifting away|drop(?:ping)? off|gone (?:quiet|cold|missing)"
              r"|go(?:ing)? quiet|fall(?:ing)? off|fad(?:e|ing) (?:away|out)|ditch(?:ing)? us|leav(?:e|ing) us|quit(?:ting)? us"
              r"|stop(?:ped)? coming|disappear(?:ed|ing)?|ghost(?:ed|ing)? (?:us|me)|(?:about|going) to ghost|walk(?:ing)? away"
              # Hokkien "pangseh" (放生, to abandon), as Singaporeans say leaving a shop
              r"|pang ?seh|pang ?sai"),
              ("流失", "风险", "不来了", "沉睡", "很久没", "好久没", "没来买", "要跑", "预警", "快走了", "不买了",
               "不再帮衬", "不再光顾", "不再来", "不会再来", "可能走", "会走", "要走", "走了的", "走掉", "跑掉")),
    "list": (r"\bwho\b|\bwhich\b|\blist\b|\bshow\b|\btop\b|\bany\b|\bmost\b|\brank", ("哪些", "谁", "列出", "名单",
             "排名", "前\\d+", "前[一二三四五六七八九十]+", "有哪", "给我看", "列一下", "列个")),
    "advice": ((r"what should (?:i|we) do|what (?:can|do) (?:i|we) do|how (?:do|can|should) (?:i|we) "
               r"(?:keep|retain|handle|treat|approach|win|follow up|deal|look after|care|grow|nurture|re-?engage)"
               r"|what (?:shd|shld|sld) (?:i|we) do|what(?:'s| is) (?:my|our|the) (?:move|play|plan)"
               r"|\bworth (?:chasing|following up|keeping|the effort|it)\b"
               r"|suggest|recommend|advice|next steps?|ideas? for|what now|how to (?:keep|retain|handle|treat|"
               r"approach|win|deal)"),
               ("怎么维护", "怎么办", "怎么跟进", "建议", "该怎么", "如何维护", "下一步", "怎么处理", "怎么挽回",
                "怎么留住", "怎么对待", "如何跟进", "该做什么", "怎么做", "咋办", "咋整", "怎么弄", "咋弄", "怎么搞", "值得跟", "要不要跟", "还跟不跟")),
    "howto": ((r"\bhow (?:do|can|should|would|could) (?:i|we)\b|\bhow to\b|\btips?\b|best practices?|\bguide\b"
              r"|strateg|\bways? to\b|what'?s the best way|playbook|\bshould (?:i|we)\b|\bwhat to do\b"),
              ("怎么(?!样)", "怎样", "如何", "技巧", "方法", "攻略", "办法", "最佳做法", "做法", "策略",
               # (not 心得: typed by sound it is 新的, "the new one is …")
               "应该", "经验", "请教", "窍门", "诀窍", "(?:啥|什么)招", "出出?主意", "有(?:啥|什么)好?办法")),
    "profile": ((r"\bshow\b|\bprofile\b|\bdetails?\b|\binfo\b|tell me about|who is|\bhistory\b"
                r"|last (?:order|purchase|visit|bought)|what did .* (?:buy|order)|how is .* doing|\blook up\b"
                r"|overview|summary of|status of|\bbought recently\b|\borders?\b|phone number|\bemail\b"
                r"|contact details|\bwechat\b|\baddress\b|\bstage\b|\b(?:number|phone|mobile|cell)\b"
                r"|usually (?:buy|get|order)s?|\bspent\b|\b(?:file|record|card|account)\b"
                r"|\b(?:open|pull|bring) (?:(?:her|him|them|it) )?up\b|how(?:'s| is| are) .{1,30} doing"),
                ("查看", "看看", "看一下", "资料", "信息", "情况", "档案", "买了什么", "买过什么", "订单", "怎么样",
                 "概况", "历史", "最后一次", "上次", "最近", "电话", "联系方式", "微信号", "邮箱", "阶段")),
    "find": ((r"\bfind\b|\bsearch\b|look for|\bany (?:customers|clients)|list (?:customers|clients)"
             r"|(?:customers?|clients?) (?:in|from|named|called)|who (?:lives|is from)|\btagged\b|\btag\b"),
             ("找", "查找", "搜索", "搜一下", "有没有叫", "姓", "住在", "查一下", "查询")),
    "delete": (r"\b(?:delete|remove|drop(?!\s+(?:off|by|in|out|away)\b)|wipe|erase|purge|truncate|destroy)\b",
               ("删除", "删掉", "清空", "删了", "移除", "销毁")),
    "export": (r"\bexport\b|\bdump\b|download (?:all|every|the whole)|send me (?:all|every)",
               ("导出", "匯出", "汇出", "全部发给我", "所有客户发给我", "下载全部")),
    # moving money: no tool pays, refunds or transfers, and no write may stand in for one
    "payment": (r"\b(?:transfer|wire)\b.{0,30}(?:¥|\$|rmb|yuan|money|refund|\d)|\bsend (?:her|him|them)\s+(?:¥|\$)?\s*\d+"
                r"|\b(?:refund|pay)\s+(?:her|him|them|\w+)\s+(?:back\s+)?(?:¥|\$)\s*\d+",
                # asked to move it, not told it was paid ("294 已经转账了")
                (r"(?:帮我|替我|给|俾).{0,4}(?:转|打|退).{0,6}(?:\d|钱|账|款)",
                 r"(?:转|打)(?:到|给|俾)(?:她|他)?的?(?:微信|支付宝|账户)",
                 # "帮我把李娜的钱退给她吧，就是说直接微信转她50块": money to be moved, by the assistant
                 r"(?:帮我|替我|直接|麻烦你?)(?:把|将)?.{0,10}(?:钱|款|费|订金|押金).{0,3}(?:退|转|打)(?:给|还|回)",
                 r"(?:帮我|替我|直接|麻烦你?).{0,6}(?:微信|支付宝|银行卡?)\s*(?:转|打)(?:给)?\s*(?:她|他|佢)?\s*\d")),
    # a call the assistant is asked to place, not one to log or be reminded of
    "place_call": (r"^\s*(?:pls |please |can you |could you )?(?:call|ring|phone|dial)\b.{1,30}?\b(?:for me|right now)\b",
                   # "你可不可以帮我打个电话给张伟": asked politely, still a call to place
                   (r"^\s*(?:你?(?:可不可以|能不能|可以|能否|能)\s*|麻烦你?\s*|请你?\s*)?(?:帮我|替我|你)(?:现在)?"
                    r"(?:打(?:个|一个|一下)?电话给|打给|拨给?|call(?:一下)?)(?!.{0,20}(?:记|提醒|了吗|了没|过没))",)),
    # what a shop assistant is asked that lies outside the shop's records: the weather, posting
    # on social media, booking travel
    "outside": (r"\b(?:forecast|what'?s|how'?s|check|tell me)\b.{0,25}\bweather\b|\bweather\b.{0,12}\b(?:forecast|tomorrow|tmr|next week)\b|\b(?:post|publish|share)\b.{0,40}\b(?:instagram|facebook|tiktok|xiaohongshu|weibo|douyin|twitter)\b"
                r"|\b(?:book|buy)\b.{0,20}\b(?:flights?|plane tickets?|train tickets?|hotel)\b",
                (r"天[气氣](?:怎么样|怎樣|怎么|如何|预报|預報|好不好|会不会|會不會|点样|點樣)|(?:查|看).{0,4}天[气氣]", "机票", "機票", "火车票", "高铁票", r"(?:发|發|post|上).{0,12}(?:小红书|小紅書|抖音|微博|朋友圈|instagram|ig\b)")),
    "mass_message": (r"(?:text|sms|message|e-?mail|wechat)s? (?:to )?(?:all|every|everyone)"
                     r"|mass (?:sms|text|message|mail)|\bblast\b",
                     ("群发", "给所有客户发", "給所有客戶發", "全部客户发短信")),
    # ("ta" is how 他/她 is typed without choosing the character)
    "pronoun": (r"\b(?:she|he|her|him|his|they|them|their|ta|this customer|that customer|the customer"
                r"|(?:this|that) (?:one|guy|lady|person|client|cust))\b",
                ("她", "他", "该客户", "这位", "那位", "这个客户", "那个客户", "此客户", "这个人", "那个人", "对方")),
}

# Keywords worth correcting when misspelled ("complant", "custmer", "chrun").
_EXTRA_VOCAB = {"customer", "customers", "complaint", "complaints", "revenue", "orders", "order",
                "interaction", "interactions", "classify", "churn", "profile", "suggest", "playbook",
                "bought", "called", "phone", "email", "update", "change", "draft", "reply", "sales",
                "average", "tasks", "visited", "messaged", "purchased", "ordered", "delete", "search",
                "recommend", "advice", "details", "history", "category", "client", "clients", "many",
                "month", "week", "year", "wechat", "number", "address", "resolved", "open", "risk",
                "january", "february", "march", "april", "august", "september", "october",
                "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
                "saturday", "sunday", "tomorrow", "yesterday", "remind", "reminder", "follow",
                "texted", "emailed", "complained", "wants"}
# Ordinary words that sit one letter away from a keyword and must not be "corrected".
_COMMON = {"other", "shows", "calls", "mouth", "older", "boxes", "bags", "sold", "cold", "house",
           "phones", "reply", "replies", "stage", "where", "there", "these", "those", "would",
           "could", "should", "about", "after", "again", "their", "order", "coffee", "beans",
           "chance", "charge", "charged", "orderly", "risks", "opens", "opened", "mouths", "months",
           "weeks", "years", "emails", "number", "numbers", "hours", "change", "changes", "haven", "shown",
           "story", "store", "stores", "sorted", "price", "prices", "offer", "offers", "later",
           "today", "tomorrow", "yesterday"}


@lru_cache(maxsize=1)
def _vocab() -> frozenset[str]:
    words = set(_EXTRA_VOCAB)
    for en, _ in KEYWORDS.values():
        words.update(w for w in re.findall(r"[a-z]+", en) if len(w) >= 6)
    return frozenset(words)


# words owners shorten when typing fast
_SHORT_FOR = {"cust": "customer", "custs": "customers", "cx": "customer", "cxs": "customers", "mth": "month",
              "mths": "months", "wk": "week", "wks": "weeks", "yr": "year", "yrs": "years", "rev": "revenue",
              "ord": "order", "ords": "orders", "amt": "amount", "qty": "quantity", "wat": "what", "wot": "what",
              "wut": "what", "tk": "took"}
# "# cust in Hangzhou?", "# orders > 500 YTD": a number sign before a word asks how many
_NUMBER_SIGN = re.compile(r"(?<![\w#])#\s*(?=[a-z])")


def _skeleton(word: str) -> str:
    """A word as typed without its vowels after the first letter: "mnth" for month, "ordr" for order."""
    return word[0] + re.sub(r"[aeiou]", "", word[1:])


@lru_cache(maxsize=1)
def _skeletons() -> dict[str, str]:
    """Each keyword's skeleton -> the keyword, for skeletons only one keyword has."""
    found: dict[str, set[str]] = {}
    for word in _vocab() | {"quantity"}:
        found.setdefault(_skeleton(word), set()).add(word)
    # (a keyword that is its own skeleton, "tbsp"-like, needs no spelling out)
    return {skel: word for skel, (word, *more) in found.items() if not more and skel != word}


def correct_typos(low: str) -> str:
    """Lower-case text with misspelled keywords replaced by the keyword (OSA distance 1, or 2 if
    long), and keywords typed without vowels ("avg ordr value last mnth") spelled out."""
    from rapidfuzz.distance import OSA

    vocab = _vocab()

    def fix(m: re.Match) -> str:
        word = m.group(0)
        if word in _SHORT_FOR:
            return _SHORT_FOR[word]
        if len(word) >= 4 and word in _skeletons():  # (a key has no vowel after its first letter)
            return _skeletons()[word]
        if len(word) < 5 or word in vocab or word in _COMMON:
            return word
        limit = 1 if len(word) < 8 else 2
        best = min(((OSA.distance(word, v), v) for v in vocab if v[0] == word[0]
                    and abs(len(v) - len(word)) <= limit), default=(99, word))
        return best[1] if best[0] <= limit else word

    return re.sub(r"[a-z]+", fix, _NUMBER_SIGN.sub("number of ", low))


def _pinyin_seq(text: str) -> str:
    from pypinyin import lazy_pinyin

    return "|" + "|".join(lazy_pinyin(text, errors=lambda chars: list(chars))) + "|"


@lru_cache(maxsize=512)
def _literal_pinyin(word: str) -> str:
    return _pinyin_seq(word)


PAID_BY = re.compile(r"\b(?:paid|pay|payment|transferred|sent the money)\s+(?:via|by|with|through|on|over|thru)\s+"
                      r"(?:wechat|weixin|alipay|cash|card|bank)\b|(?:微信|支付宝|wechat)\s*(?:付款|付的|付了|支付|转账|转的|转了)",
                      re.IGNORECASE)


class Keywords:
    """One message, ready for keyword checks: `kw.has('churn')`."""

    def __init__(self, text: str, name_at: tuple[int, int] | None = None):
        self.text = text
        self.low = correct_typos(text.lower())
        # a customer's name is no keyword: "chen ping 的profile" pings nobody, "Will Chen" wills nothing
        self._words = text if not name_at else text[:name_at[0]] + " " * (name_at[1] - name_at[0]) + text[name_at[1]:]
        self._words_low = self.low if not name_at else correct_typos(self._words.lower())
        self._pinyin: str | None = None
        self._cache: dict[str, bool] = {}

    @property
    def words_low(self) -> str:
        """The message in lower case without the customer's name: where goods and tags are named."""
        return self._words_low

    def has(self, intent: str, part: str | None = None) -> bool:
        """True if the message (or `part` of it) contains a keyword of `intent`, in English or Chinese."""
        if part is None and intent in self._cache:
            return self._cache[intent]
        en, zh = KEYWORDS[intent]
        text = self._words if part is None else part
        low = self._words_low if part is None else correct_typos(part.lower())
        if intent == "contact":  # "196 paid via WeChat", "微信转账": how they paid, not how they got in touch
            text, low = PAID_BY.sub(" ", text), PAID_BY.sub(" ", low)
        # ASCII word edges: "reply一下" and "show下" hold an English word beside 汉字, which Unicode
        # \b would read as one word
        found = bool(re.search(en, low, re.ASCII)) or any(re.search(p, text) for p in zh)
        if not found and intent not in ("pronoun", "list", "future") and re.search(r"[\u4e00-\u9fff]", text):
            # IME homophone typos: 流逝 for 流失, 头诉 for 投诉 (same pinyin, other characters).
            seq = self._pinyin if part is None and self._pinyin else _pinyin_seq(text)
            if part is None:
                self._pinyin = seq
            found = any(_literal_pinyin(p) in seq for p in zh
                        if len(p) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", p))
        if part is None:
            self._cache[intent] = found
        return found

    def search(self, pattern: str) -> re.Match | None:
        """Regex search on the typo-corrected lower-case text."""
        return re.search(pattern, self.low, re.ASCII)
