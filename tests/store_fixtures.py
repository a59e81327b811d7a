"""A session-wide store of the default corpus and a QA over it (the model loads once)."""

from pathlib import Path

import pytest

from citeqa.app.qa import QA
from citeqa.ingest.embed import load_embedder
from citeqa.ingest.pipeline import ingest
from citeqa.store.chroma import open_store

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "articles"


@pytest.fixture(scope="session")
def default_store(tmp_path_factory) -> Path:
    """A real Chroma store with data/articles ingested by the real pipeline."""
    location = tmp_path_factory.mktemp("default") / "store"
    for _ in ingest([ARTICLES], open_store(location, create=True), load_embedder()):
        pass
    return location


@pytest.fixture(scope="session")
def qa(default_store: Path) -> QA:
    return QA.open(default_store)
