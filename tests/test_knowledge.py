"""Knowledge base: docs, ingest validation, incremental index, hybrid bilingual search, CLI."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.core.records import InvalidInput
from knowledge import ingest
from knowledge.embedder import ModelUnavailable, SentenceTransformerEmbedder, verify_packaged
from assistant.lang.names import to_simplified
from knowledge.index import MAX_QUERY_CHARS, KnowledgeIndex, clean_query, detect_lang
from tests.fakes import WordLengthEmbedder

DOCS = ingest.default_docs_dir()


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """A private copy of the bundled docs that a test may edit."""
    return Path(shutil.copytree(DOCS, tmp_path / "docs"))


@pytest.fixture
def index(tmp_path: Path, docs: Path) -> KnowledgeIndex:
    idx = KnowledgeIndex.open(tmp_path / "kb", WordLengthEmbedder(), docs_dir=docs)
    idx.build(progress=False)
    yield idx
    idx.close()


# --- the content -------------------------------------------------------------------------

def test_every_passage_exists_in_both_languages_with_sane_length():
    entries = ingest.load_dir()
    by_id: dict[str, set[str]] = {}
    for e in entries:
        by_id.setdefault(e.passage.id, set()).add(e.passage.lang)
        p = e.passage
        size = len(p.text.split()) if p.lang == "en" else len(re.sub(r"\s", "", p.text))
        low, high = (60, 150) if p.lang == "en" else (100, 250)
        assert low <= size <= high, (p.id, p.lang, size)
        assert p.title and p.topics and p.stage
    assert len(by_id) >= 60
    assert all(langs == {"en", "zh"} for langs in by_id.values())


def test_content_covers_every_stage_and_topic():
    en = [e.passage for e in ingest.load_dir() if e.passage.lang == "en"]
    per_stage = Counter(p.id.split("-")[0] for p in en)
    for stage in ingest.STAGES:
        assert per_stage[stage] >= 6, stage
    topics = Counter(t for p in en for t in p.topics)
    for topic in ("win-back", "objective-cause", "subjective-cause", "complaints", "compensation",
                  "customer-fault", "unclear-fault", "service-recovery", "phrasing", "loyalty",
                  "non-price-care", "social-media", "data-hygiene", "recommendations"):
        assert topics[topic] >= 1, topic


def test_every_passage_lists_owner_questions_in_both_languages():
    for e in ingest.load_dir():
        questions = e.asked.splitlines()
        assert len(questions) >= 3, (e.passage.id, e.passage.lang)
        assert all(q.strip() and q not in e.passage.text for q in questions)
        if e.passage.lang == "zh":  # searched in simplified characters, like the passages
            assert all(to_simplified(q) == q for q in questions), e.passage.id


def test_owner_questions_are_searched_but_never_shown(index):
    entry = next(e for e in ingest.load_dir() if e.key == "decline-aims:zh")
    assert "很久不消费的会员怎么激活" in entry.asked.splitlines()
    # 激活 / 会员 / 消费 appear in that question only, not in the passage's text or keywords
    found = index.search("会员好久没消费了，有办法重新激活吗", k=3, mode="lexical")
    assert "decline-aims" in [p.id for p in found]
    shown = index.get("decline-aims", "zh")
    assert "激活" not in shown.text and "asked" not in shown.text


@pytest.mark.parametrize("question, wanted", [
    # Cantonese in Traditional characters: searched simplified, matched by the owner questions
    ("啲老主顧成半年冇嚟，點樣召回佢哋", {"decline-aims", "decline-targeted-offer",
                                     "winback-message-wording", "decline-ask-why"}),
    ("收到差評，點樣回覆先好", {"complaint-public-review"}),
    ("customer went quiet after one order, nudge them?", {"exploration-first-followup"}),
])
def test_bm25_reads_the_owner_questions(index, question, wanted):
    found = index.search(question, k=3, mode="lexical")
    assert wanted & {p.id for p in found}, [p.id for p in found]


def test_editing_one_owner_question_reembeds_only_that_passage(index, docs):
    path = docs / "winback.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "customer left because of rude staff", "customer left because the staff were rude to her"),
        encoding="utf-8")
    stats = index.build(progress=False)
    assert (stats.added, stats.updated, stats.removed) == (0, 1, 0)
    found = index.search("the staff were rude to her", lang="en", mode="lexical")
    assert found[0].id == "winback-service-cause"


# --- ingest validation -------------------------------------------------------------------

BREAKAGES = {
    "unclosed front matter": lambda s: s.replace("---\n<!-- en -->", "<!-- en -->", 1),
    "unknown key": lambda s: s.replace("topics:", "colour: red\ntopics:", 1),
    "missing id": lambda s: re.sub(r"^id: .*\n", "", s, count=1, flags=re.MULTILINE),
    "bad stage": lambda s: re.sub(r"^stage: .*$", "stage: [retired]", s, count=1, flags=re.MULTILINE),
    "no zh text": lambda s: s.replace("<!-- zh -->", "<!-- en -->", 1),
    "not key value": lambda s: s.replace("topics:", "topics", 1),
    "two asked en sections": lambda s: s.replace("<!-- asked zh -->", "<!-- asked en -->", 1),
    "asked in an unknown language": lambda s: s.replace("<!-- asked zh -->", "<!-- asked fr -->", 1),
}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_broken_front_matter_names_the_file_and_leaves_the_index_untouched(index, docs, breakage):
    before = [(p.id, p.lang) for p in index.search("complaint apology", k=3)]
    count = index.count()
    calls = len(index.embedder.calls)
    target = docs / "loyalty.md"
    target.write_text(BREAKAGES[breakage](target.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ingest.BrokenPassageFile) as err:
        index.build(progress=False)
    assert "loyalty.md" in str(err.value)
    assert index.count() == count
    assert len(index.embedder.calls) == calls
    assert [(p.id, p.lang) for p in index.search("complaint apology", k=3)] == before


def test_duplicate_id_across_files_is_rejected(docs):
    (docs / "extra.md").write_text((docs / "loyalty.md").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ingest.BrokenPassageFile, match="already used"):
        ingest.load_dir(docs)


# --- incremental build -------------------------------------------------------------------

def test_rebuild_only_embeds_changed_passages(index, docs):
    assert index.count() == 2 * len({e.passage.id for e in ingest.load_dir(docs)})
    again = index.build(progress=False)
    assert (again.embedded, again.removed) == (0, 0)

    path = docs / "complaints.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "Speed matters more than polish", "Speed matters far more than polish"), encoding="utf-8")
    changed = index.build(progress=False)
    assert (changed.added, changed.updated, changed.removed) == (0, 1, 0)
    assert index.embedder.calls[-1][0].count("far more than polish") == 1
    assert "far more" in index.get("complaint-respond-fast", "en").text


def test_removed_file_drops_its_passages(index, docs):
    n = len({e.passage.id for e in ingest.parse_file(docs / "data-hygiene.md")})
    (docs / "data-hygiene.md").unlink()
    stats = index.build(progress=False)
    assert stats.removed == 2 * n and stats.embedded == 0
    assert all(not p.id.startswith("data-") for p in index.search("duplicate customer records", k=10))


def test_a_different_embedder_reembeds_everything(tmp_path, index, docs):
    index.close()

    class Other(WordLengthEmbedder):
        name = "fake:other"

    reopened = KnowledgeIndex.open(tmp_path / "kb", Other(), docs_dir=docs)
    stats = reopened.build(progress=False)
    assert stats.embedded == reopened.count() and any("changed" in n for n in reopened.notices)
    reopened.close()


# --- search ------------------------------------------------------------------------------

@pytest.mark.parametrize("query, lang, expected", [
    ("顾客投诉蛋糕做错了,怎么道歉补偿", "zh", "complaint-"),
    ("a customer complained that we got the cake wrong", "en", "complaint-"),
    ("老顾客搬家了,还要不要挽回", "zh", "decline-objective-causes"),
    ("how often should I post on social media", "en", "social-"),
])
def test_search_answers_in_the_query_language(index, query, lang, expected):
    found = index.search(query, k=3)
    assert len(found) == 3
    assert {p.lang for p in found} == {lang}
    assert all(p.source.endswith(".md") and p.score > 0 for p in found)
    # Word-length vectors are noise, so judge relevance on the lexical ranker alone here;
    # the slow test and bench/retrieval.py judge the real hybrid.
    lexical = index.search(query, k=3, mode="lexical")
    assert any(p.id.startswith(expected) for p in lexical)


def test_lang_override_returns_the_other_language(index):
    found = index.search("顾客投诉", k=2, lang="en")
    assert {p.lang for p in found} == {"en"}


def test_stage_filter_only_returns_passages_for_that_stage(index):
    found = index.search("what should I do next with this customer", k=10, stage="exploration")
    assert found and all("exploration" in p.stage for p in found)


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_empty_query_is_a_clear_error(index, query):
    with pytest.raises(InvalidInput, match="empty"):
        index.search(query)


def test_ten_kilobyte_query_is_truncated_and_still_answers(index):
    query = ("My regular customer complained about slow service and now rarely visits. " * 140)[:10_000]
    assert len(query.encode()) >= 10_000
    cut = clean_query(query)
    assert len(cut) <= MAX_QUERY_CHARS and query.startswith(cut) and not cut.endswith(" ")
    found = index.search(query, k=3)
    assert len(found) == 3 and index.embedder.calls[-1] == [cut]


@pytest.mark.parametrize("bad", [{"stage": "retired"}, {"lang": "fr"}, {"k": 0}, {"mode": "magic"}])
def test_bad_search_arguments_are_clear_errors(index, bad):
    with pytest.raises(InvalidInput):
        index.search("complaint", **bad)


@pytest.mark.parametrize("text, lang", [
    ("老客户不来了", "zh"), ("regular stopped coming", "en"), ("VIP客户怎么维护", "zh"),
    ("how do I handle a 投诉", "en"), ("12345", "en"),
])
def test_detect_lang(text, lang):
    assert detect_lang(text) == lang


# --- damaged index folders ---------------------------------------------------------------

def test_deleted_index_is_rebuilt_with_a_message(tmp_path, index, docs):
    index.close()
    shutil.rmtree(tmp_path / "kb")
    reopened = KnowledgeIndex.open(tmp_path / "kb", WordLengthEmbedder(), docs_dir=docs)
    assert any("No knowledge index" in n for n in reopened.notices)
    found = reopened.search("complaint", k=1)
    assert found and any("Building" in n for n in reopened.notices)
    assert reopened.count() == 2 * len({e.passage.id for e in ingest.load_dir(docs)})
    reopened.close()


def test_corrupted_index_is_moved_aside_and_rebuilt(tmp_path, index, docs):
    index.close()
    (tmp_path / "kb" / "chroma.sqlite3").write_bytes(b"this is not sqlite" * 100)
    reopened = KnowledgeIndex.open(tmp_path / "kb", WordLengthEmbedder(), docs_dir=docs)
    assert any("unreadable" in n for n in reopened.notices)
    assert (tmp_path / "kb.corrupt" / "chroma.sqlite3").exists()
    assert reopened.search("complaint", k=1)
    reopened.close()


# --- lazy imports and the real model -----------------------------------------------------

def test_importing_knowledge_and_tools_does_not_load_torch():
    code = ("import sys, knowledge.index, knowledge.embedder, knowledge.lexical, knowledge.ingest, "
            "assistant.analytics.playbook, assistant.cli.kb; "
            "print(sorted(m for m in ('torch', 'sentence_transformers', 'chromadb', 'jieba') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_tampered_packaged_weights_are_refused(tmp_path):
    (tmp_path / "model.safetensors").write_bytes(b"not the real weights")
    with pytest.raises(ModelUnavailable, match="sha256"):
        verify_packaged(tmp_path)


def test_configured_model_path_must_exist(tmp_path, monkeypatch):
    embedder = SentenceTransformerEmbedder.from_env({"CRM_EMBED_MODEL": str(tmp_path / "nope")})
    assert embedder.languages is None
    with pytest.raises(ModelUnavailable, match="CRM_EMBED_MODEL"):
        embedder.embed(["hello"])


@pytest.mark.slow
def test_real_packaged_model_builds_and_answers_both_languages(tmp_path):
    embedder = SentenceTransformerEmbedder()
    assert embedder.languages == ("en",)
    vectors = embedder.embed(["a customer complained", "顾客投诉"])
    assert len(vectors) == 2 and len(vectors[0]) == 384
    assert abs(sum(x * x for x in vectors[0]) - 1.0) < 1e-3
    idx = KnowledgeIndex.open(tmp_path / "kb", embedder)
    idx.build(progress=False)
    en = idx.search("someone left us a one star review online", k=3)
    zh = idx.search("有人在网上给我们打了差评", k=3)
    assert "complaint-public-review" in [p.id for p in en] and {p.lang for p in en} == {"en"}
    assert "complaint-public-review" in [p.id for p in zh] and {p.lang for p in zh} == {"zh"}
    assert idx.build(progress=False).embedded == 0
    idx.close()


# Owner questions in words the passages do not use: colloquial, Cantonese, Traditional, typo'd.
COLLOQUIAL = [
    ("那几个老主顾大半年没露面了，还能不能拉回来", {"decline-aims", "decline-targeted-offer",
                                             "decline-ask-why", "winback-sort-causes"}),
    ("啲常客好似冇再幫襯，係咪要搵佢哋問吓發生咩事", {"decline-ask-why", "decline-aims",
                                               "lifecycle-churn-signal"}),
    ("網上有人留了一星評價罵我們，要怎麼回覆", {"complaint-public-review"}),
    ("my old regulars kinda ghosted us, how do i get em back", {"decline-aims", "decline-ask-why",
                                                             "decline-targeted-offer",
                                                             "winback-sort-causes"}),
    ("thx notes or small freebies for ppl who've been coming for yrs?",
     {"loyalty-personal-touch", "loyalty-surprise-extras", "loyalty-non-price-ideas",
      "stability-non-price-care"}),
]


@pytest.mark.slow
def test_colloquial_questions_find_their_passage_with_the_real_models(tmp_path):
    from knowledge.embedder import MultilingualE5Embedder

    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("decline.md", "winback.md", "loyalty.md", "stability.md", "complaints.md",
                 "lifecycle.md"):
        shutil.copy(DOCS / name, docs / name)
    idx = KnowledgeIndex.open(tmp_path / "kb", SentenceTransformerEmbedder(), docs_dir=docs,
                              meaning=MultilingualE5Embedder())
    idx.build(progress=False)
    for question, wanted in COLLOQUIAL:
        got = idx.search(question, k=3)
        assert wanted & {p.id for p in got}, (question, [p.id for p in got])
        assert {p.lang for p in got} == {detect_lang(question)}
    idx.close()


# --- CLI ---------------------------------------------------------------------------------

@pytest.fixture
def cli(monkeypatch):
    import knowledge.embedder
    from assistant.cli.main import cli as group

    monkeypatch.setattr(knowledge.embedder, "SentenceTransformerEmbedder", lambda *a, **k: WordLengthEmbedder())
    return lambda *args: CliRunner().invoke(group, list(args))


def test_cli_build_then_search_json(cli, tmp_path):
    built = cli("kb", "build", "--index-dir", str(tmp_path / "kb"), "--quiet")
    assert built.exit_code == 0, built.output
    assert "added" in built.output and "No knowledge index" in built.output
    again = cli("kb", "build", "--index-dir", str(tmp_path / "kb"), "--quiet")
    assert "0 added, 0 updated, 0 removed" in again.output
    found = cli("kb", "search", "顾客投诉怎么处理", "--k", "2", "--json", "--index-dir", str(tmp_path / "kb"))
    assert found.exit_code == 0, found.output
    rows = json.loads(found.stdout)
    assert len(rows) == 2
    assert set(rows[0]) >= {"id", "title", "lang", "score", "source", "text"}
    assert {r["lang"] for r in rows} == {"zh"}


def test_cli_search_text_output_and_stage(cli, tmp_path):
    out = cli("kb", "search", "regular stopped coming", "--stage", "decline", "--index-dir", str(tmp_path / "kb"))
    assert out.exit_code == 0, out.output
    assert re.search(r"^1\. \[[a-z-]+\] .+\(en, score [0-9.]+, \w[\w-]*\.md\)$", out.stdout, re.MULTILINE)


def test_cli_empty_query_fails_with_one_line(cli, tmp_path):
    out = cli("kb", "search", "  ", "--index-dir", str(tmp_path / "kb"))
    assert out.exit_code != 0
    assert "query is empty" in out.output and "Traceback" not in out.output
