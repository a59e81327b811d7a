"""A session-wide store of the default corpus and a QA over it, built with the session's one model.

Registered once, in `tests/conftest.py`'s `pytest_plugins`: every test module sees the same
`default_store` and `qa`.
"""

from pathlib import Path

import pytest

from citeqa.app.qa import QA
from citeqa.ingest.embed import Embedder
from citeqa.ingest.pipeline import ingest
from citeqa.store.chroma import open_store

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "articles"


@pytest.fixture(scope="session")
def default_store(tmp_path_factory, embedder: Embedder) -> Path:
    """A real Chroma store with data/articles ingested by the real pipeline."""
    location = tmp_path_factory.mktemp("default") / "store"
    for _ in ingest([ARTICLES], open_store(location, create=True), embedder):
        pass
    return location


@pytest.fixture(scope="session")
def qa(default_store: Path, embedder: Embedder) -> QA:
    """A QA over `default_store` sharing the session's loaded model."""
    return QA(open_store(default_store), embedder)
