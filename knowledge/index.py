"""KnowledgeIndex: one chromadb collection (dense) + BM25 (lexical), fused by reciprocal rank fusion."""

from __future__ import annotations

import logging
import shutil
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from assistant.core.records import InvalidInput, NotFound, Passage
from assistant.lang.names import to_simplified
from assistant.lang.writing_system import script_counts
from knowledge import ingest
from knowledge.embedder import Embedder, QueryEmbedder, cached_vectors
from knowledge.lexical import BM25

log = logging.getLogger(__name__)

COLLECTION = "crm-playbook"
MAX_QUERY_CHARS = 1000  # the model reads ~256 tokens; longer queries only add noise and time
RRF_K = 60
DENSE_WEIGHT = 2.0  # vs lexical 1.0 in the fusion, for languages the model knows (bench/retrieval.py)
# A multilingual encoder's ranking, added to the fusion: it finds passages asked about in other
# words than theirs (回头客 for 老顾客, "gone quiet" for lapsed) in both languages. It reads each
# passage with its keywords and the owner questions written under it (<!-- asked en/zh -->).
# With it, BM25 and it weigh the same and MiniLM drops out of the hybrid ranking (it still builds
# the collection and serves mode="dense"): weights chosen on the dev set and checked on blind v1,
# and the other way round, gave the same choice; adding MiniLM lowered recall@3 on both.
MEANING_WEIGHT = 1.0
DENSE_WEIGHT_WITH_MEANING = 0.0
MEANING_VECTORS = "meaning_vectors.npz"
MODES = ("hybrid", "dense", "lexical")


def detect_lang(text: str) -> str:
    """'zh' when Chinese characters outweigh Latin words, else 'en'."""
    cjk, words = script_counts(text)
    return "zh" if cjk >= max(1, words) else "en"


def clean_query(query: str) -> str:
    """Strip, reject empty, and cut very long queries at a word boundary."""
    text = " ".join((query or "").split())
    if not text:
        raise InvalidInput("The search query is empty. Describe the situation, e.g. 'regular stopped coming'.")
    if len(text) > MAX_QUERY_CHARS:
        cut = text[:MAX_QUERY_CHARS]
        space = cut.rfind(" ")
        text = cut[:space] if space > MAX_QUERY_CHARS // 2 else cut
    return text


@dataclass(frozen=True)
class BuildStats:
    added: int
    updated: int
    removed: int
    unchanged: int
    seconds: float

    @property
    def embedded(self) -> int:
        return self.added + self.updated


def _forget_cached_client(path: Path) -> None:
    # chromadb caches one System per path for the whole process; after the folder was deleted or
    # moved aside that cache still points at the old files, so drop it before reopening.
    from chromadb.api.shared_system_client import SharedSystemClient

    system = SharedSystemClient._identifier_to_system.pop(str(path), None)
    SharedSystemClient._identifier_to_refcount.pop(str(path), None)
    if system is not None:
        try:
            system.stop()
        except Exception as ex:  # noqa: BLE001 - the files under it may already be gone
            log.debug("stopping stale chroma system for %s: %s", path, ex)


def _open_collection(path: Path) -> tuple[Any, Any]:
    import chromadb
    from chromadb.config import Settings

    client = chromadb.PersistentClient(str(path), settings=Settings(anonymized_telemetry=False))
    # embedding_function=None: Chroma's default downloads a model; we always pass vectors.
    collection = client.get_or_create_collection(
        COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine"}
    )
    collection.count()
    collection.get(limit=1, include=["metadatas"])
    return client, collection


class KnowledgeIndex:
    """Bilingual passage search; `notices` collects user-facing messages (rebuilds etc.)."""

    def __init__(self, client: Any, collection: Any, embedder: Embedder, path: Path,
                 docs_dir: Path | None = None, notices: list[str] | None = None,
                 meaning: QueryEmbedder | None = None):
        self._client = client
        self._meaning = meaning
        self._meaning_keys: list[str] = []
        self._meaning_vectors: Any = None
        self._collection = collection
        self.embedder = embedder
        self.path = path
        self.docs_dir = docs_dir
        self.notices = notices if notices is not None else []
        self._lexical: dict[str, BM25] | None = None
        self._rows: dict[str, dict] = {}
        # Gradio and LangGraph search from worker threads; build and the lazy BM25 must not race.
        self._lock = threading.RLock()

    @classmethod
    def open(cls, index_dir: Path | str, embedder: Embedder, docs_dir: Path | str | None = None,
             meaning: QueryEmbedder | None = None) -> KnowledgeIndex:
        """Open (or create) the index; a missing or corrupted folder is recreated with a notice.
        `meaning`, a multilingual query encoder, adds its ranking to the fusion."""
        path = Path(index_dir).expanduser().resolve()
        notices: list[str] = []
        if not (path / "chroma.sqlite3").exists():
            _forget_cached_client(path)
            if path.exists() and any(path.iterdir()):
                notices.append(f"Knowledge index at {path} is incomplete; it will be rebuilt.")
            elif not path.exists():
                notices.append(f"No knowledge index at {path} yet; it will be built on first use.")
        path.mkdir(parents=True, exist_ok=True)
        try:
            client, collection = _open_collection(path)
        except Exception as ex:  # noqa: BLE001 - any chroma/sqlite failure means "corrupted"
            aside = path.with_name(path.name + ".corrupt")
            shutil.rmtree(aside, ignore_errors=True)
            _forget_cached_client(path)
            path.rename(aside)
            path.mkdir(parents=True)
            notices.append(
                f"Knowledge index at {path} was unreadable ({type(ex).__name__}); moved it to "
                f"{aside.name} and rebuilding."
            )
            client, collection = _open_collection(path)
        for msg in notices:
            log.info(msg)
        docs = Path(docs_dir) if docs_dir is not None else None
        return cls(client, collection, embedder, path, docs, notices, meaning)

    def close(self) -> None:
        """Release chroma's files (needed before deleting the folder on some platforms)."""
        self._client.close()

    def count(self) -> int:
        return self._collection.count()

    def build(self, docs_dir: Path | str | None = None, progress: bool = True) -> BuildStats:
        """Index the docs; only passages whose content hash changed are re-embedded."""
        with self._lock:
            return self._build(docs_dir, progress)

    def _build(self, docs_dir: Path | str | None, progress: bool) -> BuildStats:
        started = time.perf_counter()
        docs = Path(docs_dir) if docs_dir is not None else self.docs_dir
        entries = ingest.load_dir(docs)  # raises before the index is touched
        self._match_embedder()
        stored = self._collection.get(include=["metadatas"])
        old = {i: (m or {}).get("hash") for i, m in zip(stored["ids"], stored["metadatas"])}
        wanted = {e.key: e for e in entries}
        todo = [e for e in entries if old.get(e.key) != e.digest(self.embedder.name)]
        stale = [key for key in old if key not in wanted]
        bar = _progress(len(todo), progress)
        for start in range(0, len(todo), 32):
            batch = todo[start : start + 32]
            vectors = self.embedder.embed([_embed_text(e) for e in batch])
            self._collection.upsert(
                ids=[e.key for e in batch],
                embeddings=vectors,
                documents=[e.passage.text for e in batch],
                metadatas=[self._metadata(e) for e in batch],
            )
            bar(len(batch))
        bar(None)
        if stale:
            self._collection.delete(ids=stale)
        self._lexical = None
        if self._meaning is not None:
            self._load_rows()  # embed the passages for the meaning ranking now, not at first search
        added = sum(1 for e in todo if e.key not in old)
        return BuildStats(added, len(todo) - added, len(stale), len(entries) - len(todo),
                          time.perf_counter() - started)

    def _match_embedder(self) -> None:
        meta = self._collection.metadata or {}
        if meta.get("embedder") == self.embedder.name:
            return
        if self._collection.count():
            # A different model means different vector sizes: start the collection afresh.
            self.notices.append(f"Embedding model changed to {self.embedder.name}; re-embedding all passages.")
        # get_or_create never updates metadata, so recreate to record the embedder's name.
        self._client.delete_collection(COLLECTION)
        self._collection = self._client.get_or_create_collection(
            COLLECTION, embedding_function=None,
            metadata={"hnsw:space": "cosine", "embedder": self.embedder.name},
        )

    def _metadata(self, e: ingest.Entry) -> dict:
        p = e.passage
        meta: dict[str, Any] = {
            "pid": p.id, "lang": p.lang, "title": p.title, "source": p.source,
            "stages": ",".join(p.stage), "topics": ",".join(p.topics),
            "keywords": e.keywords, "asked": e.asked, "hash": e.digest(self.embedder.name),
        }
        meta.update({f"st_{s}": s in p.stage for s in ingest.STAGES})
        return meta

    def _ensure_built(self) -> None:
        with self._lock:
            self._load_rows()

    def _load_rows(self) -> None:
        meta = self._collection.metadata or {}
        if self._collection.count() == 0 or meta.get("embedder") != self.embedder.name:
            self.notices.append(f"Building the knowledge index at {self.path} …")
            log.info(self.notices[-1])
            self.build(progress=False)
        if self._lexical is None:
            got = self._collection.get(include=["metadatas", "documents"])
            self._rows = {
                key: {**meta, "text": doc} for key, meta, doc in zip(got["ids"], got["metadatas"], got["documents"])
            }
            self._load_meaning()
            # One BM25 per language, so document-length statistics are not mixed across scripts.
            self._lexical = {
                lang: BM25({k: _search_text(r) for k, r in self._rows.items() if r["lang"] == lang})
                for lang in ingest.LANGS
            }

    def _load_meaning(self) -> None:
        """The meaning encoder's passage vectors, kept in the index folder under their texts'
        digest (embedding 144 passages takes ~40 s on two cores; later opens read the file)."""
        if self._meaning is None:
            return
        keys = sorted(self._rows)
        texts = [_meaning_text(self._rows[k]) for k in keys]
        self._meaning_vectors = cached_vectors(
            texts, self.path / MEANING_VECTORS, f"passage:{self._meaning.name}",
            self._meaning.embed)
        self._meaning_keys = keys

    def _by_meaning(self, text: str, pool: set[str]) -> list[str]:
        import numpy as np

        scores = self._meaning_vectors @ np.asarray(self._meaning.embed_query(text))  # type: ignore[union-attr]
        return [self._meaning_keys[i] for i in np.argsort(-scores)
                if self._meaning_keys[i] in pool]

    def search(self, query: str, k: int = 3, stage: str | None = None, lang: str | None = None,
               mode: str = "hybrid") -> list[Passage]:
        """Top-k passages in the query's language (or `lang`), optionally only those tagged `stage`."""
        text = clean_query(query)
        lang = lang or detect_lang(text)
        if lang == "zh":
            # the passages are in simplified characters: 熟客幫襯少咗 is searched as 熟客帮衬少了
            text = to_simplified(text)
        if lang not in ingest.LANGS:
            raise InvalidInput(f"Unknown language '{lang}'; use one of {', '.join(ingest.LANGS)}.")
        if stage is not None and stage not in ingest.STAGES:
            raise InvalidInput(f"Unknown stage '{stage}'; use one of {', '.join(ingest.STAGES)}.")
        if mode not in MODES:
            raise InvalidInput(f"Unknown mode '{mode}'; use one of {', '.join(MODES)}.")
        if k < 1:
            raise InvalidInput("k must be at least 1.")
        self._ensure_built()
        assert self._lexical is not None
        pool = {key for key, r in self._rows.items()
                if r["lang"] == lang and (stage is None or r.get(f"st_{stage}"))}
        if not pool:
            return []
        ranked: list[tuple[float, list[str]]] = []
        langs = getattr(self.embedder, "languages", None)
        dense_weight = DENSE_WEIGHT if self._meaning is None else DENSE_WEIGHT_WITH_MEANING
        if mode == "dense":
            ranked.append((1.0, self._dense(text, lang, stage, len(pool))))
        elif mode == "hybrid" and dense_weight and (langs is None or lang in langs):
            ranked.append((dense_weight, self._dense(text, lang, stage, len(pool))))
        if mode in ("hybrid", "lexical"):
            ranked.append((1.0, [key for key, _ in self._lexical[lang].rank(text, pool)]))
        if mode == "hybrid" and self._meaning is not None:
            ranked.append((MEANING_WEIGHT, self._by_meaning(text, pool)))
        scores: dict[str, float] = {}
        for weight, ranking in ranked:
            for rank, key in enumerate(ranking):
                scores[key] = scores.get(key, 0.0) + weight / (RRF_K + rank + 1)
        best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
        return [replace(self._passage(key), score=round(score, 5)) for key, score in best]

    def _dense(self, text: str, lang: str, stage: str | None, n: int) -> list[str]:
        where: dict[str, Any] = {"lang": lang}
        if stage is not None:
            where = {"$and": [where, {f"st_{stage}": True}]}
        ask = getattr(self.embedder, "embed_query", None)
        vector = ask(text) if ask else self.embedder.embed([text])[0]
        got = self._collection.query(query_embeddings=[vector], n_results=n, where=where, include=[])
        return list(got["ids"][0])

    def _passage(self, key: str) -> Passage:
        r = self._rows[key]
        return Passage(
            id=r["pid"], lang=r["lang"], title=r["title"], text=r["text"], source=r["source"],
            stage=tuple(s for s in r["stages"].split(",") if s),
            topics=tuple(t for t in r["topics"].split(",") if t),
        )

    def get(self, passage_id: str, lang: str = "en") -> Passage:
        """One passage by id and language."""
        self._ensure_built()
        key = f"{passage_id}:{lang}"
        if key not in self._rows:
            raise NotFound(f"No passage '{passage_id}' in {lang}. Use search_playbook to find ids.")
        return self._passage(key)


def _embed_text(e: ingest.Entry) -> str:
    # without the owner questions: MiniLM serves only mode="dense" when e5 ranks the hybrid, and
    # the questions would triple what the index build embeds
    return f"{e.passage.title}. {e.keywords}. {e.passage.text}"


def _search_text(row: dict) -> str:
    """What BM25 reads of a stored passage: title, keywords, owner questions, text."""
    return f"{row['title']}\n{row['keywords']}\n{row.get('asked', '')}\n{row['text']}"


def _meaning_text(row: dict) -> str:
    """What the meaning encoder reads of a stored passage (its questions on one line)."""
    asked = " ".join(row.get("asked", "").splitlines())
    return f"{row['title']}\n{row['keywords']}\n{asked}\n{row['text']}"


def _progress(total: int, enabled: bool) -> Callable[[int | None], None]:
    """A tqdm bar on stderr (None closes it); a no-op when disabled or nothing to embed."""
    if not enabled or total == 0:
        return lambda n: None
    from tqdm import tqdm

    bar = tqdm(total=total, desc="Embedding passages", unit="passage", file=sys.stderr)
    return lambda n: bar.close() if n is None else bar.update(n)
