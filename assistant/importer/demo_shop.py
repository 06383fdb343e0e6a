"""A deterministic demo shop: a small coffee-bean roaster with ~300 customers and 2+ years of life."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from assistant.lang.names import name_key
from assistant.store.audit import now_iso

if TYPE_CHECKING:
    from assistant.store import Store

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
         "超", "秀英", "霞", "平", "刚", "桂英", "晓东", "思远", "雨桐", "子涵", "浩然", "欣怡", "梓萱",
         "一鸣", "佳怡", "俊杰", "诗涵", "宇轩", "晨曦", "嘉怡", "文博", "若汐", "天宇", "可欣"]
FIRST = ["Emma", "Liam", "Olivia", "Noah", "Ava", "James", "Sophia", "Lucas", "Mia", "Ethan",
         "Chloe", "Daniel", "Grace", "Henry", "Lily", "Jack", "Zoe", "Ryan", "Hannah", "Leo",
         "Nora", "Owen", "Ella", "Sam", "Anna", "Ben", "Kate", "Tom", "Lucy", "Max"]
LAST = ["Smith", "Brown", "Wilson", "Taylor", "Clarke", "Walker", "Wright", "Green", "Hall",
        "Wood", "Martin", "Hughes", "Evans", "Turner", "Parker", "Cooper", "Ward", "Moore",
        "King", "Baker", "Chen", "Wong", "Lee", "Tan", "Ng"]
CITIES = ["上海", "杭州", "苏州", "南京", "Shanghai", "Hangzhou", "北京", "深圳"]
PRODUCTS = [("耶加雪菲 Yirgacheffe 250g", 98.0), ("曼特宁 Mandheling 250g", 88.0),
            ("哥伦比亚 Supremo 250g", 78.0), ("危地马拉 Antigua 250g", 92.0),
            ("意式拼配 Espresso Blend 500g", 128.0), ("巴西 Santos 500g", 108.0),
            ("挂耳包 Drip bags ×10", 59.0), ("冷萃 Cold brew pack ×6", 69.0)]
GIFT = ("节日礼盒 Holiday gift box", 258.0)
CHANNELS = ["wechat", "phone", "in_store", "email", "xiaohongshu"]

# (category, fault, severity, zh text, en text, status)
COMPLAINTS = [
    ("delivery", "business", "medium", "快递晚了三天才到，豆子都不新鲜了。", "The parcel arrived three days late and the beans weren't fresh any more."),
    ("delivery", "business", "high", "第二次送晚了，再这样我就不买了。", "Second late delivery in a row. If it happens again I'm done ordering."),
    ("wrong_or_missing_item", "business", "medium", "我订的是耶加雪菲，收到的是曼特宁。", "I ordered Yirgacheffe but got Mandheling."),
    ("wrong_or_missing_item", "business", "low", "挂耳包少了两包。", "Two drip bags were missing from the box."),
    ("product_quality", "business", "medium", "这批豆子烘得太深，有焦苦味。", "This batch was roasted too dark, it tastes burnt."),
    ("product_quality", "unclear", "low", "最近的豆子喝起来酸味很重，和以前不一样。", "The latest beans taste much more sour than before."),
    ("product_quality", "business", "critical", "包装里发现一小块塑料，差点吃下去！", "Found a piece of plastic in the bag, I nearly swallowed it!"),
    ("service_attitude", "business", "medium", "店员态度很冷淡，问问题也不耐烦。", "The staff member was cold and impatient when I asked questions."),
    ("service_attitude", "business", "high", "客服一直不回微信，我要发小红书说说这事。", "Nobody answers my messages. I'm going to post about this online."),
    ("price_billing_refund", "business", "medium", "同一个订单被扣了两次款。", "I was charged twice for the same order."),
    ("price_billing_refund", "unclear", "low", "说好的会员折扣没有用上。", "My member discount wasn't applied."),
    ("price_billing_refund", "customer", "low", "优惠券过期了不能用，能不能通融一下？", "My coupon expired and won't work, can you make an exception?"),
    ("waiting_time", "business", "low", "周末店里取货等了二十多分钟。", "Waited over twenty minutes to pick up my order on Saturday."),
    ("waiting_time", "business", "medium", "退款申请一周了还没处理。", "My refund request has been pending for a week."),
    ("hygiene_environment", "business", "medium", "店里的杯子有污渍，桌子也没擦。", "The cups in the shop had stains and the tables weren't wiped."),
    ("delivery", "customer", "low", "快递显示签收了但我没收到，可能是我地址写错了。", "Tracking says delivered but I didn't get it - I may have typed my address wrong."),
    ("product_quality", "customer", "low", "用手冲壶冲的意式拼配很苦，是不是豆子有问题？", "The espresso blend tastes very bitter in my pour-over, is something wrong with it?"),
    ("other", "unclear", "low", "你们的网站总是打不开。", "Your online shop page keeps failing to load."),
    ("delivery", "business", "medium", "礼盒外包装压坏了，没法送人。", "The gift box arrived crushed, I can't give it as a present."),
    ("service_attitude", "business", "low", "电话里说会回电，结果没人打来。", "I was promised a call back and nobody called."),
    ("wrong_or_missing_item", "business", "medium", "订了两袋只到了一袋。", "I ordered two bags and only one arrived."),
    ("product_quality", "business", "medium", "冷萃包有股怪味。", "The cold brew packs have a strange smell."),
    ("price_billing_refund", "business", "high", "多收了我一百块，还不给退，我要投诉到平台。", "You overcharged me by 100 and won't refund it. I'll report you to the platform."),
    ("waiting_time", "business", "low", "预约的烘焙课晚开始了半小时。", "The roasting class I booked started half an hour late."),
]
INTERACTIONS = [
    ("问了新到的埃塞俄比亚豆子", "Asked about the new Ethiopian beans", 0.4),
    ("说上次的豆子很好喝", "Said the last beans were lovely", 0.8),
    ("咨询手冲研磨度", "Asked how fine to grind for pour-over", 0.3),
    ("想给公司订一批咖啡", "Wants coffee for the office", 0.5),
    ("抱怨发货慢", "Complained that shipping was slow", -0.5),
    ("参加了周末品鉴会", "Came to the weekend cupping", 0.7),
    ("问有没有低因咖啡", "Asked whether we have decaf", 0.2),
    ("说最近喝得少了", "Said they drink less coffee lately", -0.2),
    ("转发了我们的抽奖活动", "Shared our giveaway post", 0.6),
]


@dataclass(frozen=True)
class Persona:
    kind: str          # weekly, monthly, occasional, one_time, seasonal, new
    gap: float         # mean days between orders
    basket: float      # mean quantity
    drifting: bool     # gaps widen and baskets shrink over the last months
    churned_days: int  # >0: stopped buying this many days before the end


def _persona(rng: random.Random) -> Persona:
    roll = rng.random()
    if roll < 0.10:
        kind, gap, basket = "weekly", rng.uniform(6, 9), rng.uniform(2, 5)
    elif roll < 0.42:
        kind, gap, basket = "monthly", rng.uniform(12, 35), rng.uniform(1, 3)
    elif roll < 0.62:
        kind, gap, basket = "occasional", rng.uniform(50, 100), rng.uniform(1, 2)
    elif roll < 0.80:
        kind, gap, basket = "one_time", 0, 1
    elif roll < 0.90:
        kind, gap, basket = "seasonal", 0, rng.uniform(1, 4)
    else:
        kind, gap, basket = "new", rng.uniform(10, 30), rng.uniform(1, 2)
    repeat = kind in ("weekly", "monthly", "occasional")
    drifting = repeat and rng.random() < 0.25
    churned = int(rng.uniform(90, 300)) if repeat and not drifting and rng.random() < 0.12 else 0
    return Persona(kind, gap, basket, drifting, churned)


def _name(rng: random.Random, used: set[str]) -> str:
    for attempt in range(200):
        if rng.random() < 0.7:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        else:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if attempt >= 50:  # a big demo shop runs out of distinct names: namesakes get a number
            name = f"{name}{attempt}"
        if name not in used:
            used.add(name)
            return name
    raise ValueError(f"could not make a new demo name after {len(used)} customers")


def _order_dates(rng: random.Random, p: Persona, start: date, end: date) -> list[tuple[date, float]]:
    span = (end - start).days
    if p.kind == "new":
        first = end - timedelta(days=int(rng.uniform(5, 75)))
    elif p.kind == "one_time":
        return [(start + timedelta(days=int(rng.uniform(0, span))), 1.0)]
    elif p.kind == "seasonal":
        out = []
        for year in range(start.year, end.year + 1):
            for month, day in ((9, 15), (12, 20), (1, 25)):
                d = date(year, month, day) - timedelta(days=int(rng.uniform(0, 14)))
                if start <= d <= end and rng.random() < 0.8:
                    out.append((d, max(1.0, round(rng.gauss(p.basket, 0.8)))))
        return out or [(end - timedelta(days=40), 2.0)]
    else:
        first = start + timedelta(days=int(rng.uniform(0, span * 0.5)))
    stop = end - timedelta(days=p.churned_days) if p.churned_days else end
    drift_from = end - timedelta(days=int(rng.uniform(120, 200)))
    out, day = [], first
    while day <= stop:
        drifting = p.drifting and day >= drift_from
        qty = p.basket * (0.45 if drifting else 1.0)
        out.append((day, max(1.0, round(rng.gauss(qty, 0.5)))))
        gap = p.gap * (2.6 if drifting else 1.0)
        day += timedelta(days=max(1, int(rng.gauss(gap, gap * 0.2))))
    return out


def _birthday(rng: random.Random, end: date) -> str | None:
    """About half the customers told the shop their birthday; some without the year."""
    if rng.random() < 0.5:
        return None
    day = date(end.year - rng.randint(20, 65), 1, 1) + timedelta(days=rng.randint(0, 364))
    return day.isoformat() if rng.random() < 0.7 else day.strftime("%m-%d")


def build_demo(store: Store, seed: int = 7, end: date | None = None, customers: int = 300) -> dict:
    """Fill an empty store with a deterministic demo shop (given seed and end date); one action."""
    rng = random.Random(seed)
    end = end or date.today()
    start = end - timedelta(days=760)
    used: set[str] = {"张伟", "李娜", "Li Na"}
    names = ["张伟", "李娜"] + [_name(rng, used) for _ in range(customers - 2)]
    stamp = now_iso()
    people = []
    for i, name in enumerate(names):
        p = _persona(rng) if i > 1 else Persona("monthly", 14, 2, i == 1, 0)
        zh = not name.isascii()
        wechat = f"wx_{name_key(name).replace(' ', '')}{i}" if zh or rng.random() < 0.3 else None
        tags = {"weekly": "café,wholesale", "seasonal": "gifts"}.get(p.kind, "")
        people.append((p, (f"C{i + 1:04d}", name, f"13{rng.randint(100000000, 999999999)}",
                           None if zh else f"{name.split()[0].lower()}@example.com", wechat,
                           rng.choice(CITIES), tags or None, None, stamp, name_key(name))))
    # birthdays from their own generator, so the rest of the demo shop stays the same for a seed
    born = random.Random(seed * 7919 + 1)
    people = [(p, (*row, _birthday(born, end))) for p, row in people]
    counts = {"customers": len(people), "orders": 0, "interactions": 0, "complaints": 0,
              "tasks": 0}
    with store.action(f"build demo shop (seed {seed})", "demo") as act:
        first, _ = act.insert_many(
            "customers", ["external_id", "name", "phone", "email", "wechat", "city", "tags",
                          "notes", "created_at", "name_key", "birthday"],
            [row for _, row in people])
        orders, inters, complaints, tasks = [], [], [], []
        for offset, (p, row) in enumerate(people):
            cid, zh = first + offset, not row[1].isascii()
            mine = _order_dates(rng, p, start, end)
            for day, qty in mine:
                product, price = GIFT if p.kind == "seasonal" else rng.choice(PRODUCTS)
                orders.append((cid, day.isoformat(), round(price * qty, 2), qty, product, None))
            last = max(day for day, _ in mine).isoformat()
            for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
                zh_text, en_text, mood = rng.choice(INTERACTIONS)
                when = date.fromisoformat(last) - timedelta(days=int(rng.uniform(0, 60)))
                inters.append((cid, max(when, start).isoformat(), rng.choice(CHANNELS),
                               zh_text if zh else en_text, mood, stamp))
            if p.drifting or offset in (0, 1) or rng.random() < 0.04:
                c = COMPLAINTS[len(complaints) % len(COMPLAINTS)]
                when = min(end, date.fromisoformat(last) + timedelta(days=int(rng.uniform(1, 9))))
                age = (end - when).days
                status = "open" if age < 20 else ("in_progress" if age < 40 else "resolved")
                complaints.append((cid, when.isoformat(), c[3] if zh else c[4], c[0], c[2],
                                   c[1], status, "zh" if zh else "en", "demo", stamp,
                                   None if status != "resolved" else
                                   (when + timedelta(days=3)).isoformat()))
            if p.drifting or (p.kind == "new" and rng.random() < 0.5):
                due = end + timedelta(days=int(rng.uniform(1, 14)))
                title = ("回访：了解最近为什么买得少了" if zh else "Check in: why fewer orders lately?") \
                    if p.drifting else ("新客户：一周后询问口味反馈" if zh else "New customer: ask how they liked it")
                tasks.append((cid, due.isoformat(), title, "open", stamp))
        orders.sort(key=lambda o: (o[1], o[0]))
        act.insert_many("orders", ["customer_id", "date", "amount", "quantity", "product", "note"],
                        orders)
        act.insert_many("interactions", ["customer_id", "date", "channel", "summary", "sentiment",
                                         "created_at"], inters)
        act.insert_many("complaints", ["customer_id", "date", "text", "category", "severity",
                                       "fault", "status", "language", "label_source",
                                       "created_at", "resolved_at"], complaints)
        act.insert_many("tasks", ["customer_id", "due_date", "title", "status", "created_at"],
                        tasks)
    counts.update(orders=len(orders), interactions=len(inters), complaints=len(complaints),
                  tasks=len(tasks))
    return counts
