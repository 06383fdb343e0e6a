"""Spoken Cantonese, and Sichuan, Shanghai and Beijing words, read as the Mandarin words the
router's rules know (佢 -> 他, 幾多 -> 多少, 阿拉 -> 我们, 主顾 -> 客户).

Owners in Hong Kong, Guangdong and Malaysia type the way they speak: "佢總共使咗幾多錢",
"聽日要再call佢". OpenCC turns Traditional characters into simplified ones but keeps the words;
this table swaps the common colloquial words for their Mandarin equivalents, each the same length
as the word it replaces, so a position in the read text is the same position in the owner's
message (what gets saved keeps the owner's own words). Characters in this table do not occur in
personal names.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

from text_to_num import alpha2digit

from assistant.lang.names import to_simplified

# longest first; every replacement has the length of its word. OpenCC has already made 係 into 系,
# which is also Mandarin (系统), so 係 counts as 是 only in these phrases; it writes 嗰 as 𠮶.
_WORDS = {
    "使咗": "花了", "落咗": "下了", "买咗": "买了", "订咗": "订了", "攞咗": "拿了", "嚟咗": "来了",
    "几多": "多少", "边个": "哪个", "边啲": "哪些", "边度": "哪里", "边几": "哪几", "边位": "哪位",
    "唔再": "不再", "头三": "前三", "头五": "前五", "头十": "前十", "点样": "怎样", "乜嘢": "什么",
    "而家": "现在", "琴日": "昨天", "寻日": "昨天", "听日": "明天", "今日": "今天", "后日": "后天",
    "头先": "刚才", "啱啱": "刚刚", "系唔系": "是不是", "系咪": "是不", "唔系": "不是", "就系": "就是",
    "都系": "都是", "佢系": "他是", "应该系": "应该是", "其实系": "其实是", "先啱": "才对", "冇得": "没有", "唔该": "谢谢", "落单": "下单", "落过": "下过",
    "佢哋": "他们", "我哋": "我们", "你哋": "你们", "嘅": "的", "咗": "了", "佢": "他", "冇": "没",
    "唔": "不", "啲": "些", "喺": "在", "返嚟": "回来", "返来": "回来", "睇吓": "看下", "睇下": "看下", "睇": "看",
    "咩": "啥", "嚟": "来", "俾": "给",
    "畀": "给", "攞": "拿", "拎": "拿", "覆返": "回复", "钟意": "喜欢", "谂": "想", "点回": "咋回", "揾": "找", "噉": "这", "咁": "这", "嗰": "那", "𠮶": "那",
    "今个": "这个", "而家点": "现在咋", "点呀": "咋呀", "点啊": "咋啊", "搞掂": "搞定", "记低": "记下", "好耐": "好久", "好似": "好像", "成日": "经常", "铺头": "店里", "倾咗": "聊了", "倾过": "聊过",
    "蚊": "块", "啱": "对", "乜": "啥", "边间": "哪家", "前日": "前天", "点算好": "怎么办", "点算": "咋办",
    "旧年": "去年", "出年": "明年", "边只": "哪只", "边款": "哪款", "边种": "哪种", "边样": "哪样",
    # 呢 before a measure word is "this" (呢個月, 呢排); after a word it stays Mandarin's 呢
    "呢个": "这个", "呢排": "最近", "呢度": "这里", "呢位": "这位", "呢单": "这单", "呢次": "这次", "呢几": "这几",
    # a day said with its part ("明早打给她", "听朝", "琴晚"): the day is what a date reader needs
    "明早": "明天", "明晚": "明天", "明朝": "明天", "听朝": "明天", "听晚": "明天", "今早": "今天", "今晚": "今天",
    "今朝": "今天", "琴晚": "昨天", "寻晚": "昨天", "昨晚": "昨天",
    # homophone slips of a pinyin keyboard in date words (zuo tian), read as meant
    "作天": "昨天", "做天": "昨天", "坐天": "昨天", "昨日": "昨天",
    # the north says a day with 儿 ("昨儿来店里了", "明儿提醒我"): the same day
    "昨儿个": "昨天 ", "今儿个": "今天 ", "明儿个": "明天 ",
    "昨儿": "昨天", "今儿": "今天", "明儿": "明天", "前儿": "前天", "后儿": "后天",
    # Taiwan's word for a customer complaint (客訴) is the 投诉 the rules know
    "客诉": "投诉",
    # 里头 ("他们里头十月份…") is "inside", not the 头十 of "top ten" that follows it
    "里头": "里头",
    # Sichuan words ("她一般买啥子", "咋个办", "莫得下单"): the Mandarin ones
    "啥子": "什么", "咋个": "怎么", "莫得": "没有", "晓得": "知道",
    # Shanghainese ("阿拉10月份卖脱多少钞票", "伊啥辰光买额", "哪能弄"): the Mandarin words
    "阿拉": "我们", "伊拉": "他们", "侬": "你", "辰光": "时候", "勿": "不", "哪能": "怎么", "交关": "很多",
    "搿个": "这个", "搿": "这", "老早": "以前", "钞票": "金额", "啥人": "哪个", "侪": "都", "物事": "东西",
    "号头": "月份",
    # the verb's ending 脱 is 了 ("卖脱", "少脱", "破脱"); 脱 alone stays (脱发, 脱销)
    "卖脱": "卖了", "买脱": "买了", "少脱": "少了", "多脱": "多了", "破脱": "破了", "用脱": "用了", "花脱": "花了",
    "跑脱": "跑了", "忘脱": "忘了", "掉脱": "掉了", "坏脱": "坏了", "洒脱": "洒了",
    # Beijing ("咱杭州的主顾", "甭管", "您给捋捋", "统共"): the Mandarin words
    "主顾": "客户", "甭": "别", "咱们": "我们", "咱": "我", "统共": "总共", "捋捋": "看看", "倍儿": "特别",
    "啥玩意": "啥东西", "麻溜": "赶快",
    # Cantonese "深圳啲客": the shop's customers
    "啲客": "客户",
    # the internet's 康康 ("列出来康康") is 看看 said cutely
    "康康": "看看",
    # Hunan and Hubei ("么子时候", "恰饭"): the Mandarin words
    "么子": "什么", "恰饭": "吃饭", "冇得": "没有", "埋单": "买单",
    # a letter's formal words, partly classical ("烦请告知…几何", "去岁", "谨此", "为荷"): the words
    # the rules know, and the letter's courtesies as blanks
    "烦请": "麻烦", "劳驾": "麻烦", "敬请": "麻烦", "恳请": "麻烦", "告知": "告诉", "示知": "告诉", "见告": "告诉",
    "几何": "多少", "若干": "多少", "去岁": "去年", "今岁": "今年", "本年度": "今年 ", "上年度": "去年 ", "本年": "今年",
    "何时": "几时", "为何": "是啥", "何如": "怎样", "何人": "哪个", "何者": "哪个", "售出": "卖出", "所售": "所卖",
    "所荐": "推荐", "末次": "最后", "历来": "一共", "结案": "解决", "添注": "备注", "所诉": "投诉", "致电": "电话", "复函": "回复",
    "庄重": "正式", "一并": "一起", "较之": "比起", "由高至低": "从高到低", "由低至高": "从低到高", "尚未": "还没",
    "营业总额": "总营业额", "销售总额": "总销售额", "消费总额": "总消费额", "敝店": "我店", "吾店": "我店",
    "谨此": "  ", "为荷": "  ", "敬启者": "   ", "顺颂商祺": "    ", "此致": "  ", "敬礼": "  ", "顺颂": "  ",
    "商祺": "  ", "谨启": "  ", "谨上": "  ", "兹": " ",
}
_ANY = re.compile("|".join(sorted(map(re.escape, _WORDS), key=len, reverse=True)))


# In Sichuan "好多" ends a question as "how many" ("苏州的客户有好多个", "卖了好多钱哦", "电话是好多"),
# and "是好久" asks when ("最后一次买是好久"); inside a sentence both keep their Mandarin sense
# ("好多人投诉", "好久没来").
_QUESTION_END = r"(?=\s*[?？哦啊嘛呢噻哈]*\s*$)"
_SICHUAN_ASKS = re.compile(r"(?<=是)好久" + _QUESTION_END + r"|(?<=是)好多" + _QUESTION_END
                           + r"|好多(?=(?:钱|次|个|位|包|袋|单|天|号)" + _QUESTION_END + ")")


# Shanghainese 伊 is he or she where a name cannot be (at the start, after a verb of giving or
# asking: "帮伊加个标签"); 额 is 的 after a word, except in the words 额 belongs to (金额, 额度);
# 伐 ends a question as 吗.
_SHANGHAI = {"伊": "他", "额": "的", "伐": "吗"}
_SHANGHAI_SAYS = re.compile(r"(?:(?<![\u4e00-\u9fff])|(?<=[帮给跟同叫让问对搭是讲话]))伊(?![拉])"
                            r"|(?<=[\u4e00-\u9fff])(?<![金余份名超差总业售易交单费值购入数面税定配限])额(?![度外])|伐" + _QUESTION_END)
# Beijing's 儿 after a word ("十月份儿", "主顾儿", "回复稿儿", "啥招儿") is the word alone; a name's 儿
# (婉儿, 可儿) follows none of these.
_ERHUA = re.compile(r"(?<=[份天点会事样位趟回号顾户单头处边角哪这那今明昨个块片段早晚空活味道面遍下稿招名意字])儿")


# Classical words inside a formal letter, where they cannot be part of a Mandarin word: 之 as 的
# ("本年度一月至十月之营业总额", not 之前 / 总之), 其 as 他 or 她 ("其所投诉之事", not 其中 / 尤其),
# 购 as 买 ("古平先生昨日购哥伦比亚", not 采购 / 购物), 系 as 是 ("汪强先生系张雨桐女士所荐", not 关系 /
# 系统), 此 as 这 ("以此号新建客户", not 因此 / 此外), 计 before a number as 共 ("计一百五十六元").
# a letter says so in its first words or its courtesies; a chat's 之 or 此 stays as typed
_FORMAL = re.compile(r"先生|女士|敬|谨|为荷|兹|其所|烦请|劳驾|几何|去岁|本年度|复函|顺颂|为何|何如|[，,]\s*可[。.]?$|^\s*可[。.]?\s*$")
_CLASSICAL = {"之": "的", "其": "他", "购": "买", "系": "是", "此": "这", "计": "共", "拟": "写", "皆": "都", "乃": "是"}
_CLASSICAL_SAYS = re.compile(
    r"(?<=[\u4e00-\u9fff])(?<![总加随久反换易分])之(?![前后间内外中一类所上下际])"
    r"|(?<![尤极与])其(?![中他它实余次后])"
    r"|(?<![采团网代选抢订申收])购(?![买物入置])"
    r"|(?<=[\u4e00-\u9fff])(?<![关联体派水直世母院])系(?![统列数着列])"
    r"|(?<![因如彼从为就至特借于由对])此(?![外致后])"
    r"|(?<![合统总共估预设会核算])计(?=\s*[\d一二两三四五六七八九十百千])"
    r"|拟(?=[一个份封])|皆|乃(?![至])")


# Chinese written by a Japanese speaker ("10月の注文は全部で何件ですか", "李娜さんから電話がありました"):
# kana's grammar words as blanks or their Mandarin, and the kanji words Japanese uses differently
# (注文, 売上, 返信) as the Mandarin ones, each the length it replaces (keys after OpenCC).
_JAPANESE = {
    "お愿いします": "请     ", "お愿い": "请  ", "ください": "    ", "下さい": "   ", "すみません": "     ",
    "ありがとうございます": "谢谢        ", "おはようございます": "早上好      ", "了解です": "好的  ", "はい": "好的",
    "いいえ": "不是 ", "何でしたか": "是什么  ", "何ですか": "是什么 ", "ですか": "吗  ", "ますか": "吗  ",
    "ありますか": "有吗   ", "いますか": "有吗  ", "あります": "有   ", "ありました": "有了   ", "でした": "了  ",
    "です": "  ", "ました": "了  ", "しました": "了   ", "します": "   ", "しています": "     ", "ます": "  ",
    "して": "  ", "する": "  ", "すれば": "   ", "注文した": "下单了 ", "买った": "买了 ", "使いました": "用了   ",
    "使った": "用了 ", "送りました": "送了   ", "売れました": "卖了   ", "売れ": "卖了", "売上": "营收", "注文": "订单",
    "顾客さん": "客户  ", "顾客": "客户", "さん": "  ", "クレーム": "投诉  ", "返信": "回复", "下书き": "草稿 ",
    "丁宁": "正式", "対応中": "处理中", "未対応": "未处理", "対応": "处理", "解决済み": "已解决 ", "済み": "了 ",
    "离れそう": "可能流失", "常连": "忠实", "上位": " 前", "一番": " 最", "古い": "早的", "新しい": "新的 ",
    "登录": "新增", "绍介コード": "推荐码  ", "コード": "码  ", "绍介": "推荐", "値上げ": "涨价 ", "値段": "价格",
    "来周": "下周", "先周": "上周", "今周": "本周", "来月": "下月", "先月": "上月", "今月": "本月", "明日": "明天",
    "月曜日": "周一 ", "火曜日": "周二 ", "水曜日": "周三 ", "木曜日": "周四 ", "金曜日": "周五 ", "土曜日": "周六 ",
    "日曜日": "周日 ", "もう一度": "再一次 ", "リマインダー": "提醒    ", "リマインド": "提醒   ", "メール": "邮件 ",
    "ブリーフィング": "简报     ", "ランキング": "排名   ", "レポート": "报告  ", "キャンペーン": "活动    ",
    "メッセージ": "消息   ", "パック": "包  ", "プロフィール": "资料    ", "リスト": "名单 ", "トップ": "  前",
    "何件": "几个", "何人": "几位", "何袋": "几袋", "何个": "几个", "何回": "几次", "いくら": "多少钱", "全部で": "一共 ",
    "それぞれ": "分别  ", "その中で": "其中  ", "その中": "其中 ", "その人たち": "那些人  ", "人たち": "人们 ",
    "その": "那个", "この": "这个", "それから": "然后  ", "あと": "还有", "番号": "编号", "じゃなくて": "不对 是 ",
    "ではなく": "不是  ", "教えて": "告诉 ", "见せて": "看看 ", "调べて": "查查 ", "お知らせ": "通知  ", "案内": "介绍",
    "配达": "配送", "遅い": "晚了", "不満": "不满", "な感じで": "一点  ", "短く": "简短", "もっと": "再  ",
    "名前": "名字", "どう": "怎么", "いい": "好 ", "少ない": "少了 ", "の件": "的事", "どの": "哪个", "どれ": "哪个",
    "どこ": "哪里", "いつ": "几时", "から": "  ", "まで": "之前",
    "の": "的", "は": " ", "を": " ", "が": " ", "に": " ", "で": " ", "と": "和", "も": "也", "へ": " ",
    "ね": " ", "よ": " ", "か": " ",
}
_JAPANESE_ANY = re.compile("|".join(sorted(map(re.escape, _JAPANESE), key=len, reverse=True)))
_KANA = re.compile(r"[\u3040-\u30ff]")
# "来週の水曜日": the day of next week, as Mandarin says it (下周三)
_JAPANESE_WEEKDAY = re.compile(r"(来|今|先)周の([月火水木金土日])曜日")
_WEEK_OF = {"来": "下周", "今": "本周", "先": "上周"}
_DAY_OF = dict(zip("月火水木金土日", "一二三四五六日"))


def _from_japanese(text: str) -> str:
    """Japanese grammar and words in a Chinese message read as Mandarin, same length."""
    text = _JAPANESE_WEEKDAY.sub(lambda m: _WEEK_OF[m.group(1)] + _DAY_OF[m.group(2)] + "   ", text)
    return re.sub(r"(?<=\d)番", "号", _JAPANESE_ANY.sub(lambda m: _JAPANESE[m.group(0)], text))


# Taglish ("Si 韦艳 po tumawag kanina", "add tag VIP kay 周晨曦 po"): the Tagalog words that carry
# the request as English ones, and the politeness particles as blanks; read only where "po" or
# another such particle says the message is Taglish
_TAGALOG = {"po": "  ", "opo": "yes", "kay": "for", "yung": "the ", "tumawag": "called ", "dumaan sa": "came by  ",
            "nag-order": "ordered  ", "bumili": "bought", "pala": "    ", "daw": "   ", "naman": "     ",
            "lang": "    ", "sige": "okay", "kanina": "today ", "niya": "her ", "nila": "them",
            "na rin": "also  ", "sa": "in"}
_TAGALOG_ANY = re.compile(r"(?<![A-Za-z-])(?:" + "|".join(sorted(map(re.escape, _TAGALOG), key=len, reverse=True))
                          + r")(?![A-Za-z-])", re.IGNORECASE)
_TAGLISH = re.compile(r"(?<![A-Za-z])(?:po|opo|yung|kay|naman|pala|sige)(?![A-Za-z])", re.IGNORECASE)


_LAST_PARTICLE = re.compile(r"(?<=[\u4e00-\u9fff\w])[咧嘞捏噻]" + _QUESTION_END)


def to_mandarin(text: str) -> str:
    """Cantonese colloquial words as Mandarin ones, same length (simplified text in, out)."""
    if not text:
        return text
    read = _from_japanese(text) if _KANA.search(text) else text
    if _TAGLISH.search(read):
        read = _TAGALOG_ANY.sub(lambda m: _TAGALOG[m.group(0).lower()], read)
    read = _ANY.sub(lambda m: _WORDS[m.group(0)], read)
    # "唔系6包系4包", "微信系auml88": 系 before a number or an id is 是 (系统 never comes before one)
    read = re.sub(r"系(?=\s*[\d一二两三四五六七八九十A-Za-z])", "是", read)
    # "打返畀佢", "寄返", "退返钱": Cantonese 返 after a verb is Mandarin's 回 (back)
    read = re.sub(r"(?<=[打送寄退换还拿讲问覆l])返", "回", read)
    # "唔系宋明，系宋伟": not the one, but the other
    read = re.sub(r"(不是[^,，。]{1,12}[,，\s]\s*)系", r"\1是", read)
    # "係崔桂英先啱": a message opening with 係 says who or what it is (系统 and 系列 are Mandarin)
    read = re.sub(r"^(\W*)系(?!统|列)", r"\1是", read)
    read = _SICHUAN_ASKS.sub(lambda m: "几时" if m.group(0) == "好久" else "多少", read)
    read = _SHANGHAI_SAYS.sub(lambda m: _SHANGHAI[m.group(0)], read)
    read = _ERHUA.sub(" ", read)
    if _FORMAL.search(read):
        read = _CLASSICAL_SAYS.sub(lambda m: _CLASSICAL[m.group(0)], read)
        # "居前十位之客户": the first ten
        read = re.sub(r"居前([\d一二三四五六七八九十]+)位", lambda m: f"前{m.group(1)}  ", read)
    # a question's last particle in the regions' speech ("北京咧", "上海嘞", "杭州捏"): Mandarin's 呢
    if len(read.strip()) <= 8:  # a short follow-up; in a sentence 噻 and 哈 only soften it
        read = _LAST_PARTICLE.sub("呢", read)
    # a message opening with 咁 ("咁八月呢？") goes on from the last answer: 那, not 这
    return "那" + read[1:] if text.startswith(("咁", "噉")) else read


_ONES = {w: i for i, w in enumerate("zero one two three four five six seven eight nine".split())}
_TEENS_TENS = {**{w: 10 + i for i, w in enumerate(
    "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split())},
    **{w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}}
# "one ninety six", "two fifty eight": a price said the way people say it, hundreds then the rest
_SPOKEN_PRICE = re.compile(r"\b(one|two|three|four|five|six|seven|eight|nine)\s+(ten|eleven|twelve|thirteen|fourteen"
                           r"|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy"
                           r"|eighty|ninety)(?:[\s-]+(one|two|three|four|five|six|seven|eight|nine))?\b", re.IGNORECASE)
# a phone number dictated digit by digit: "一三八 零零 一三八 二二六", "… nine oh oh five …"
_ZH_DIGIT_RUN = re.compile(r"[〇零一二三四五六七八九幺](?:\s?[〇零一二三四五六七八九幺]){6,}")
# a digit said as a 汉字 ("幺" is how a phone number says one)
ZH_DIGITS = str.maketrans("〇零一二三四五六七八九幺", "001234567891")
_OH = re.compile(r"(?<=\d)(\s+)oh\b|\boh(?=\s+\d)", re.IGNORECASE)


# "一百七十六", "两百五十", "一百二" (120, as it is said): a price in hundreds, in 汉字
_ZH_HUNDREDS = re.compile(r"(?<![〇零一二两三四五六七八九十百千万\d])([一二两三四五六七八九])百(?:([零〇])([一二三四五六七八九])"
                          r"|([一二三四五六七八九])十([一二三四五六七八九])?|([一二三四五六七八九]))?"
                          r"(?![〇零一二两三四五六七八九十百千万\d])")
_ZH_VALUE = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2, "〇": 0}


def _zh_hundreds(m: re.Match) -> str:
    hundreds, _, units, tens, tens_units, said_tens = m.groups()
    value = _ZH_VALUE[hundreds] * 100 + (_ZH_VALUE[units] if units else 0) + (
        _ZH_VALUE[tens] * 10 + (_ZH_VALUE[tens_units] if tens_units else 0) if tens else 0) + (
        _ZH_VALUE[said_tens] * 10 if said_tens else 0)
    digits = str(value)
    return digits.ljust(len(m.group(0))) if len(digits) <= len(m.group(0)) else m.group(0)


def said_digits(text: str) -> str:
    """Numbers dictated to a phone as digits, each the length of what was said."""
    text = _ZH_DIGIT_RUN.sub(lambda m: m.group(0).translate(ZH_DIGITS), text)
    text = _ZH_HUNDREDS.sub(_zh_hundreds, text)

    def price(m: re.Match) -> str:
        value = _ONES[m.group(1).lower()] * 100 + _TEENS_TENS[m.group(2).lower()] + \
            (_ONES[m.group(3).lower()] if m.group(3) else 0)
        return str(value).ljust(len(m.group(0)))

    text = _SPOKEN_PRICE.sub(price, text)
    text = re.sub(r"\bcomma\b", ",    ", text, flags=re.IGNORECASE)  # voice typing's punctuation
    for _ in range(12):  # "9 oh oh 5": each "oh" between digits is a zero
        new = _OH.sub(lambda m: (m.group(1) or "") + "0 " if m.group(1) is not None else "0 ", text)
        if new == text:
            break
        text = new
    return text


def digits_for_words(text: str) -> str:
    """English number words as digits, padded to the words' length: "another five gift boxes" ->
    "another 5    gift boxes", "ninety days" -> "90     days" ("the first one" stays)."""
    if not text or not re.search(r"[A-Za-z]{3}", text):
        return text
    read = alpha2digit(text, "en")
    if read == text:
        return text
    out = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, text, read, autojunk=False).get_opcodes():
        said, new = text[a1:a2], read[b1:b2]
        out.append(said if op == "equal" or len(new) > len(said) else new.ljust(len(said)))
    return "".join(out)


# marks only pinyin writes (macron, caron, ü with a tone): "café" keeps its accent, "Lǐ Nǎ" loses them
_TONE_MARKED = re.compile("[āēīōūǖǎěǐǒǔǚǘǜ]", re.IGNORECASE)


def _plain_latin(text: str) -> str:
    """Pinyin with tone marks as plain letters, one for one: "Lǐ Nǎ", "Chén Jìng" -> "Li Na", "Chen Jing"."""
    if text.isascii() or not _TONE_MARKED.search(text):
        return text

    def plain(c: str) -> str:
        if c.isascii() or not c.isalpha():
            return c
        base = unicodedata.normalize("NFKD", c)[0]
        return base if base.isascii() else c
    return "".join(map(plain, text))


def read_as_mandarin(message: str) -> str:
    """A message as the rules read it: NFKC, simplified characters, Cantonese as Mandarin, English
    number words as digits, Latin letters without tone marks; the same length as the message."""
    return said_digits(digits_for_words(said_digits(
        to_mandarin(_plain_latin(to_simplified(unicodedata.normalize("NFKC", message or "")))))))
