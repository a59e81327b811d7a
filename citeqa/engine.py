"""The engine as the commands open it: the embedding model and QA, with the session's embedding options.

`QA.open` loads the library's default runner; the commands go through here instead, so
`--embedding-backend` / `--cache-dir` (or their CITEQA_* variables) reach `load_embedder`.
"""

from pathlib import Path

from citeqa.edge import session


def embedder_for(store, model: str | None):
    """The embedder for `model`, defaulting to the one the store was built with."""
    from citeqa.ingest.embed import load_embedder

    recorded = store.settings.embedding_model if store.settings else None
    embedding = session().embedding
    return load_embedder(model or recorded, embedding.backend, embedding.cache_dir)


def open_qa(location: str | Path, model: str | None = None, settings=None, generator=None, scorer=None, one_shot: bool = False):
    """A QA over an existing store with the model it was built with (or `model`, which must match it).

    `one_shot`: for a process that reads a store nobody writes while it runs and exits (`ask`, `eval`,
    `train`): a local store's fresh read snapshot is read instead of opening Chroma (`store.reader`),
    which saves chromadb's start-up and searches the vectors exactly, so the same questions retrieve the
    same passages in every process (Chroma's HNSW index need not).
    """
    from citeqa.app.qa import QA, AnswerSettings
    from citeqa.store.chroma import StoreError, open_store
    from citeqa.store.reader import open_reader

    store = open_reader(location) if one_shot else open_store(location)
    if store.settings is None:
        raise StoreError(f"The store at {location} is empty. Run: citeqa ingest data/articles --store {location}")
    embedder = embedder_for(store, model)
    if embedder.model_id != store.settings.embedding_model:
        store.check_model(embedder.model_id, store.settings.chunking)
    return QA(store, embedder, settings or AnswerSettings(), generator, scorer)
