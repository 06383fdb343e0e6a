"""Customer tags as shops write them, and the words owners use for them ("批发" is wholesale)."""

from __future__ import annotations

# tags a small shop commonly uses, and other words for them (the stored tag decides which is shown)
COMMON_TAGS = ("VIP", "wholesale", "café", "gifts", "member", "corporate", "influencer")
TAG_WORDS = {"批发": "wholesale", "批发商": "wholesale", "经销商": "wholesale",
             "咖啡馆": "café", "咖啡店": "café", "咖啡厅": "café", "cafe": "café", "cafes": "café",
             # "开咖啡馆的客户": the customers who run one
             "开咖啡馆": "café", "开咖啡店": "café",
             "送礼": "gifts", "礼品": "gifts", "gift": "gifts", "会员": "member", "members": "member",
             "企业客户": "corporate", "公司客户": "corporate", "vip客户": "VIP", "vips": "VIP",
             "贵宾": "VIP", "网红": "influencer", "kol": "influencer"}
