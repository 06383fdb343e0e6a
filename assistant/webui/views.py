"""Shared view helpers: translated headers, churn assessment and suggestions as markdown."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from assistant.agent.formatting import risk_percent
from assistant.analytics.churn_report import explain_customer
from assistant.analytics.playbook import suggestions_for
from assistant.core.records import CrmError
from assistant.webui.text import TEXT
from assistant.webui.ui import t

if TYPE_CHECKING:
    from assistant.services import Services
    from assistant.store import Store

log = logging.getLogger(__name__)


def tr(lang: str) -> Callable[..., str]:
    """t() bound to one language."""
    return partial(_t, lang=lang)


def _t(key: str, lang: str, **vars: Any) -> str:
    return t(key, lang, **vars)


def headers(keys: list[str], lang: str) -> list[str]:
    """Column titles in `lang`."""
    return [t(k, lang) for k in keys]


def get(obj: Any, key: str, default: Any = None) -> Any:
    """A field of a dataclass, dict or object."""
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


def plain(obj: Any) -> dict:
    """A dataclass or mapping as a dict."""
    if is_dataclass(obj) and not isinstance(obj, type):
        return asdict(obj)
    return dict(obj) if isinstance(obj, dict) else vars(obj)


def label(prefix: str, value: str | None, lang: str) -> str:
    """A coded value ('product_quality') as words in `lang`, or as-is when unknown."""
    key = f"{prefix}.{value}"
    if key in TEXT:
        return t(key, lang)
    return (value or "").replace("_", " ")


def risk_label(risk: str | None, lang: str) -> str:
    """'high' -> 'High' / '高'."""
    return label("risk", risk, lang)


def citations(services: Services, ids: list[str] | tuple[str, ...], lang: str,
              said: str = "") -> str:
    """Cited passage ids as their playbook titles (the id stays visible for lookups)."""
    out = []
    for pid in ids:
        try:
            title = services.index().get(pid, lang).title
        except CrmError:
            title = None
        shown = title and title.strip() != said.strip()
        out.append(f"“{title}” (`{pid}`)" if shown else f"`{pid}`")
    return ", ".join(out)


def stage_label(stage: str | None, lang: str) -> str:
    """Lifecycle stage in `lang`."""
    return label("stage", stage, lang)


def churn_summary(store: Store, customer_id: int, lang: str) -> str:
    """Stage, churn probability and reasons for one customer, as markdown."""
    say = tr(lang)

    try:
        info = explain_customer(store, customer_id, lang=lang)
    except CrmError as ex:
        return f"⚠️ {ex}"
    if isinstance(info, str):
        return info
    p = float(get(info, "churn_probability", 0) or 0)
    risk = get(info, "risk")
    badge = {"high": "🔴", "medium": "🟠", "low": "🟢"}.get(risk or "", "⚪")
    lines = [say("profile.risk", badge=badge, risk=risk_label(risk, lang),
                 p=risk_percent(p, risk, lang),
                 stage=stage_label(get(info, "stage"), lang))]
    nxt = get(info, "expected_next_purchase")
    if nxt:
        lines.append(say("profile.next", date=nxt))
    lines += [f"- {r}" for r in (get(info, "reasons") or [])[:5]]
    return "  \n".join(lines)


def suggestions(services: Services, customer_id: int, lang: str) -> str:
    """Suggested next steps for one customer with the playbook passages they cite."""
    say = tr(lang)

    try:
        items = suggestions_for(services.store, services.index(), customer_id, lang=lang)
    except CrmError as ex:
        return f"⚠️ {ex}"
    if not items:
        return say("suggest.none")
    out = []
    for item in items:
        d = plain(item) if not isinstance(item, str) else {"action": item}
        action = d.get("action") or d.get("text") or d.get("title") or ""
        cites = d.get("citations") or d.get("passage_ids") or []
        why = d.get("why") or d.get("reason")
        line = f"- **{action}**" + (f" — {why}" if why else "")
        if cites:
            line += (f"  \n  <small>{say('suggest.sources')}: "
                     f"{citations(services, cites, lang, said=action)}</small>")
        out.append(line)
    return "\n".join(out)
