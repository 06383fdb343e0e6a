"""Playbook search and stage suggestions over a real chromadb index and a real store."""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from assistant.analytics import playbook
from assistant.analytics.playbook import Suggestion, normalise_stage, search, suggestions_for
from assistant.core.records import InvalidInput, NotFound
from knowledge.index import KnowledgeIndex


@pytest.fixture(scope="module")
def index(playbook_index):
    return playbook_index


@dataclass
class FakeChurnRow:
    """Stand-in for assistant.analytics.churn_report.ChurnRow: the fields suggestions_for reads."""

    name: str
    stage: str
    risk: str
    reasons: list[str] = field(default_factory=list)


@pytest.fixture
def churn(monkeypatch):
    """A fake explain_customer for the playbook that answers from `rows` (by customer id)."""
    rows: dict[int, FakeChurnRow] = {}
    seen: list[tuple[int, str]] = []

    def explain_customer(store, customer_id, lang="en", as_of=None):
        store.get_customer(customer_id)  # NotFound like the real one
        seen.append((customer_id, lang))
        return rows[customer_id]

    monkeypatch.setattr(playbook, "explain_customer", explain_customer)
    return types.SimpleNamespace(rows=rows, seen=seen)


def _ids(index: KnowledgeIndex) -> set[str]:
    return {p.id for p in index.search("customer", k=200, mode="lexical")}


def test_search_playbook_returns_cited_passages(index):
    found = search(index, "how do I apologise for a late order", k=2)
    assert len(found) == 2 and all(p.id and p.source and p.lang == "en" for p in found)


@pytest.mark.parametrize("alias, stage", [("退化期", "decline"), ("Decline", "decline"),
                                          ("考察期", "exploration"), (None, None), ("", None)])
def test_stage_names_in_both_languages(alias, stage):
    assert normalise_stage(alias) == stage


def test_search_playbook_filters_by_chinese_stage_name(index):
    found = search(index, "老顾客来得少了", stage="退化期", k=5)
    assert found and all("decline" in p.stage and p.lang == "zh" for p in found)


def test_search_playbook_rejects_unknown_stage(index):
    with pytest.raises(InvalidInput, match="Unknown stage"):
        search(index, "anything", stage="retired")


def test_decline_customer_with_open_complaint_gets_cited_steps(store, index, churn):
    c = store.add_customer("Lin Mei")
    store.log_complaint(c.id, "2024-05-02", "The cake was wrong and nobody called back.",
                        category="quality", fault="business")
    churn.rows[c.id] = FakeChurnRow("Lin Mei", "decline", "high",
                                    ["visits every 9 days on average, none for 60 days",
                                     "last two orders were half the usual amount"])
    out = suggestions_for(store, index, c.id)
    assert 2 <= len(out) <= 4 and all(isinstance(s, Suggestion) for s in out)
    known = _ids(index)
    assert all(s.citations and set(s.citations) <= known for s in out)
    assert out[0].citations == ("decline-aims",) and "Lin Mei" in out[0].why and "high" in out[0].why
    assert any(s.citations[0].startswith(("complaint-", "recovery-")) and "#" in s.why for s in out)
    assert len({s.citations for s in out}) == len(out)
    assert all(s.stage == "decline" for s in out)
    assert churn.seen == [(c.id, "en")]


def test_suggestions_follow_the_language(store, index, churn):
    c = store.add_customer("王芳")
    churn.rows[c.id] = FakeChurnRow("王芳", "稳定期", "low", ["每两周来一次,已坚持一年"])
    out = suggestions_for(store, index, c.id, lang="zh")
    assert out[0].citations == ("stability-aims",) and "稳定期" in out[0].why
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in s.action) for s in out)
    stage_tagged = [s for s in out[1:] if s.citations[0] in _ids(index)]
    for s in stage_tagged:
        assert "stability" in index.get(s.citations[0], "zh").stage


def test_unknown_stage_from_analytics_still_suggests(store, index, churn):
    c = store.add_customer("Sam")
    churn.rows[c.id] = FakeChurnRow("Sam", "", "medium", [])
    out = suggestions_for(store, index, c.id)
    assert out and all(s.citations for s in out) and all(s.stage is None for s in out)


def test_unknown_customer_is_not_found(store, index, churn):
    with pytest.raises(NotFound):
        suggestions_for(store, index, 999)


def test_playbook_module_has_no_langchain():
    source = Path(__file__).resolve().parents[1].joinpath("tools", "playbook.py").read_text()
    assert "langchain" not in source


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_real_churn_analytics_on_the_demo_shop(demo_store, index, lang):
    from assistant.analytics.churn_report import churn_report
    from tests.conftest import DEMO_END

    as_of = DEMO_END.isoformat()
    rows = churn_report(demo_store, as_of=as_of, top=None)
    by_stage = {r.stage: r for r in rows}
    known = _ids(index)
    for stage, row in by_stage.items():
        out = suggestions_for(demo_store, index, row.customer_id, lang=lang, as_of=as_of)
        assert out and out[0].citations == (f"{stage}-aims",), stage
        assert all(set(s.citations) <= known for s in out)
        assert "lifecycle-overview" not in {c for s in out for c in s.citations}
