"""Clauses no rule read, classified over multilingual-e5 vectors into one label condition.

"customers who are slipping away", "最有价值的客户", "gone for good": owners name a risk tier, an
RFM segment, a lifecycle stage or a complaint status in words no pattern lists. A logistic
regression over e5 query vectors of ~200 short paraphrases (data/segment_clauses.jsonl, zh, en,
Traditional), with a "none" class of things a segment cannot express (tastes, birthdays, email
opens), names the condition only when it is sure; otherwise the clause stays "not understood".
The training vectors ship beside the texts, keyed by their digest, like the router's intents.
"""

from __future__ import annotations

import json
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
TRAIN = DATA / "segment_clauses.jsonl"
VECTORS = DATA / "segment_clauses.e5.npz"
# Sure means the best label has at least SURE and MARGIN times the runner-up: with twenty labels
# the probabilities are spread thin, and a near tie (fading out: lost or decline?) is a guess
SURE, MARGIN = 0.25, 1.5


class SegmentMeaning:
    """(key, value) for a clause, or None; the encoder and the classifier load on first use."""

    def __init__(self, embedder: Any, train: Path = TRAIN, vectors: Path = VECTORS):
        self._embedder, self._train, self._vectors = embedder, train, vectors
        self._model: Any = None
        self._lock = threading.Lock()

    def __call__(self, clause: str) -> tuple[str, Any] | None:
        model = self._load()
        probs = model.predict_proba([self._embedder.embed_query(clause)])[0]
        best, second = (int(i) for i in probs.argsort()[::-1][:2])
        label = str(model.classes_[best])
        if label == "none" or probs[best] < SURE or probs[best] < MARGIN * probs[second]:
            return None
        key, value = label.split("=", 1)
        return (key, [value]) if key in ("stage", "segment") else (key, value)

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                # scikit-learn and the vectors load here, on the first clause no rule read
                from sklearn.linear_model import LogisticRegression

                from knowledge.embedder import query_vectors

                rows = [json.loads(line) for line in self._train.read_text("utf-8").splitlines()
                        if line.strip()]
                vectors = query_vectors(self._embedder, [r["text"] for r in rows], self._vectors)
                self._model = LogisticRegression(C=30, max_iter=3000).fit(
                    vectors, [r["label"] for r in rows])
            return self._model


@lru_cache(maxsize=1)
def packaged_meaning() -> SegmentMeaning:
    """The classifier over the packaged multilingual-e5 encoder, one per process (it loads its
    encoder and fits on the first clause the rules leave, then serves every later one)."""
    from knowledge.embedder import MultilingualE5Embedder

    return SegmentMeaning(MultilingualE5Embedder())
