"""Prize-based sharing: each customer's referral code, and orders credited to the referrer.

An order is credited when it quotes the referrer's code (the import column `referral_code`) or
when the owner says so in chat ("王芳用了李娜的推荐码"), which marks the order `referred_by`.
"""

from __future__ import annotations

from assistant.core.records import CrmError, InvalidInput, Plan, Write
from assistant.store import campaigns as rows


def _t(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en


def referrer_of(store, code: str) -> int | None:
    """The customer whose referral code this is (any case), or None."""
    return rows.customer_by_code(store, code) if (code or "").strip() else None


def credit_plan(store, buyer_id: int, referrer_id: int, lang: str = "en") -> Plan:
    """A proposal (nothing written until confirmed): the buyer's latest order is credited to the
    referrer, with the referrer's code when they have one."""
    if int(buyer_id) == int(referrer_id):
        raise InvalidInput(_t(lang, "A customer cannot refer themselves.", "客户不能推荐自己。"))
    buyer, referrer = store.get_customer(buyer_id), store.get_customer(referrer_id)
    order = rows.latest_order(store, buyer.id)
    if order is None:
        raise CrmError(_t(lang, f"{buyer.name} has no order to credit yet. Record the order first "
                                f"(\"{buyer.name} bought …\"), then say whose code it used.",
                          f"{buyer.name}还没有订单可以记到推荐上。请先记录订单（“{buyer.name}买了……”），"
                          "再说明用了谁的推荐码。"))
    if order["referred_by"] == referrer.id:
        raise CrmError(_t(lang, f"{buyer.name}'s order of {order['date']} is already credited to "
                                f"{referrer.name}.",
                          f"{buyer.name} {order['date']} 的订单已经记在{referrer.name}的推荐下了。"))
    code = rows.contacts(store, [referrer.id])[referrer.id]["referral_code"]
    what = order["product"] or f"{order['amount']:g}"
    line = _t(lang, f"{buyer.name}'s order of {order['date']} ({what}) → credited to "
                    f"{referrer.name}'s referral" + (f" (code {code})" if code else ""),
              f"{buyer.name} {order['date']} 的订单（{what}）→ 记入{referrer.name}的推荐"
              + (f"（推荐码 {code}）" if code else ""))
    values = {"referred_by": referrer.id, "referral_code": code or order["referral_code"]}
    return Plan((Write("orders", "update", values, row_id=int(order["id"]), summary=line),),
                (line,), buyer.id)
