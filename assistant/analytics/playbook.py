"""Playbook tools: search the CRM knowledge base and turn a customer's analytics into cited actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.analytics.churn_report import explain_customer
from assistant.analytics.labels import STAGE_LABELS
from assistant.core.records import CrmError, InvalidInput, NotFound, Passage

STAGES = tuple(STAGE_LABELS)
_STAGE_ALIASES = {
    "考察期": "exploration", "观察期": "exploration", "形成期": "formation", "稳定期": "stability",
    "退化期": "decline", "new": "exploration", "stable": "stability", "declining": "decline",
    "lapsed": "decline", "churned": "decline", "at_risk": "decline", "at-risk": "decline",
}
# What an owner would ask for each stage; the customer's own reasons are added to it.
_STAGE_QUERY = {
    "exploration": ("new customer after a first purchase, build trust, follow up, low-risk trial",
                    "新顾客第一次购买后,建立信任,回访,低风险尝试"),
    "formation": ("second or third purchase, build a buying habit, remember preferences, membership",
                  "第二三次购买,养成购买习惯,记住偏好,邀请入会"),
    "stability": ("loyal regular, non-price care, grow their value, referrals",
                  "忠实熟客,非价格关怀,提升价值,转介绍"),
    "decline": ("lapsed regular buying less, ask why they left, objective or subjective cause, targeted offer",
                "老顾客买得少了,询问原因,区分客观主观原因,针对性挽回方案"),
}
# Background reading, not a next step for one customer.
_NOT_ACTIONS = {"lifecycle-overview", "lifecycle-identify-stage"}
_RISK = {"high": "高", "medium": "中", "low": "低"}
_COMPLAINT_QUERY = ("customer complaint not yet resolved, respond fast, investigate, apologise, remedy",
                    "顾客投诉尚未解决,迅速回应,调查,道歉,补救")
MAX_SUGGESTIONS = 4


@dataclass(frozen=True)
class Suggestion:
    """One next step for a customer; `citations` are knowledge-base passage ids."""

    action: str
    why: str
    citations: tuple[str, ...]
    stage: str | None = None


def normalise_stage(stage: str | None) -> str | None:
    """Map 'decline', '退化期', 'Declining' ... to a playbook stage; None stays None."""
    if stage is None or not str(stage).strip():
        return None
    key = str(stage).strip().lower()
    key = _STAGE_ALIASES.get(key, key)
    if key not in STAGES:
        raise InvalidInput(f"Unknown stage '{stage}'. Use one of: {', '.join(STAGES)} (考察期/形成期/稳定期/退化期).")
    return key


def search(index: Any, query: str, stage: str | None = None, k: int = 3) -> list[Passage]:
    """Best-practice passages for a question, in the question's language; each has an id to cite."""
    require_index(index, "en")
    return index.search(query, k=max(1, min(int(k), 10)), stage=normalise_stage(stage))


def require_index(index: Any, lang: str) -> None:
    """A missing knowledge index is an owner-fixable condition, not a crash."""
    if index is None:
        raise CrmError(_t(lang, "The knowledge base is not built yet: run `crm kb build`.",
                          "知识库尚未建立：请运行 `crm kb build`。"))


def _get(row: Any, key: str, default: Any = None) -> Any:
    return row.get(key, default) if isinstance(row, dict) else getattr(row, key, default)


def _t(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en


def suggestions_for(store: Any, index: Any, customer_id: int, lang: str = "en",
                    as_of: str | None = None) -> list[Suggestion]:
    """Stage-appropriate next steps for one customer, each citing the playbook passages behind it."""
    lang = "zh" if lang == "zh" else "en"
    require_index(index, lang)
    row = (explain_customer(store, customer_id, lang=lang) if as_of is None
           else explain_customer(store, customer_id, as_of=as_of, lang=lang))
    name = _get(row, "name") or store.get_customer(customer_id).name
    try:
        stage = normalise_stage(_get(row, "stage"))
    except InvalidInput:
        stage = None
    reasons = [str(r) for r in (_get(row, "reasons") or []) if str(r).strip()]
    risk = _get(row, "risk")
    label = STAGE_LABELS[stage][lang] if stage else _t(lang, "unknown", "未知")
    out: list[Suggestion] = []
    used: set[str] = set()

    def add(p: Passage, why: str) -> bool:
        actionable = p.id not in _NOT_ACTIONS and "data-hygiene" not in p.topics
        if not actionable or p.id in used or len(out) >= MAX_SUGGESTIONS:
            return False
        used.add(p.id)
        out.append(Suggestion(action=p.title, why=why, citations=(p.id,), stage=stage))
        return True

    if stage:
        try:
            add(index.get(f"{stage}-aims", lang),
                _t(lang, f"{name} is in the {label} stage" + (f" (churn risk: {risk})" if risk else ""),
                   f"{name}处于{label}" + (f"(流失风险:{_RISK.get(risk, risk)})" if risk else "")))
        except NotFound:
            pass
    complaints = [c for c in store.complaints(customer_id) if c.status != "resolved"]
    if complaints:
        c = complaints[0]
        query = f"{_COMPLAINT_QUERY[lang == 'zh']} {c.category or ''} {c.fault or ''}"
        for p in index.search(query, k=2, lang=lang):
            add(p, _t(lang, f"open complaint #{c.id} ({c.category or 'uncategorised'}) from {c.date}",
                      f"{c.date}的投诉#{c.id}({c.category or '未分类'})尚未解决"))
    seed = _STAGE_QUERY[stage or "decline"][lang == "zh"]
    step = _t(lang, f"a usual next step in the {label} stage", f"{label}的常规做法")
    because = "; ".join(reasons[:2])
    for p in index.search(f"{' '.join(reasons)} {seed}", k=MAX_SUGGESTIONS + 3, stage=stage, lang=lang):
        # The analytics' reasons justify the best match; the rest follow from the stage.
        if add(p, because or step):
            because = ""
    return out
