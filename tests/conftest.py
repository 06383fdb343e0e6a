"""Shared fixtures: real SQLite files in tmp_path, and a deterministic demo shop."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from assistant.importer.demo_shop import build_demo
from assistant.store import Store

# Fixed so every test run sees the same demo shop, whatever today is.
DEMO_END = date(2026, 11, 1)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A fresh, empty store in its own file."""
    s = Store.open(tmp_path / "crm.db")
    yield s
    s.close()


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo shop, built once per session."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    s = Store.open(path)
    build_demo(s, seed=7, end=DEMO_END)
    s.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    s.close()
    return path


@pytest.fixture
def demo_store(demo_db_file: Path, tmp_path: Path) -> Store:
    """A private copy of the demo shop (tests may write to it)."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_db_file, path)
    s = Store.open(path)
    yield s
    s.close()


@pytest.fixture(scope="module")
def playbook_index(tmp_path_factory: pytest.TempPathFactory):
    """The real playbook in a real chromadb index, with the fake word-length embedder."""
    from knowledge.index import KnowledgeIndex
    from tests.fakes import WordLengthEmbedder

    index = KnowledgeIndex.open(tmp_path_factory.mktemp("kb") / "kb", WordLengthEmbedder())
    index.build(progress=False)
    yield index
    index.close()
