"""Haystack's default hybrid retrieval, our model, its in-memory store.

What a Haystack user writes from its hybrid-retrieval tutorial and DocumentJoiner docs: an indexing
pipeline (`DocumentSplitter` with its defaults: 200 words, no overlap -> `SentenceTransformersDocumentEmbedder`
-> `DocumentWriter` into an `InMemoryDocumentStore`), and a query pipeline where `InMemoryBM25Retriever` and
`SentenceTransformersTextEmbedder` -> `InMemoryEmbeddingRetriever` feed a `DocumentJoiner` in
`reciprocal_rank_fusion` mode (the mode its hybrid example uses), top_k 5 throughout. Both embedders run the
same local all-MiniLM-L6-v2 directory citeqa uses. Nothing is tuned; progress bars are off.
"""

import time
from collections.abc import Sequence
from pathlib import Path

from citeqa.eval.bench.peers import TOP_K, PeerNode, PeerRun, timed_retrieval, unavailable

NAME = "Haystack"


def _imports():
    try:
        from haystack import Document, Pipeline
        from haystack.components.joiners import DocumentJoiner
        from haystack.components.preprocessors import DocumentSplitter
        from haystack.components.retrievers.in_memory import InMemoryBM25Retriever, InMemoryEmbeddingRetriever
        from haystack.components.writers import DocumentWriter
        from haystack.document_stores.in_memory import InMemoryDocumentStore
        from haystack.utils import ComponentDevice
        from haystack_integrations.components.embedders.sentence_transformers import (
            SentenceTransformersDocumentEmbedder,
            SentenceTransformersTextEmbedder,
        )
    except ImportError as err:
        raise unavailable("haystack-ai", err) from None
    return (Document, Pipeline, DocumentJoiner, DocumentSplitter, InMemoryBM25Retriever, InMemoryEmbeddingRetriever,
            DocumentWriter, InMemoryDocumentStore, ComponentDevice, SentenceTransformersDocumentEmbedder,
            SentenceTransformersTextEmbedder)


def run(
    articles: Sequence[tuple[str, str]], questions: Sequence[str], model_path: str, workdir: Path, rounds: int = 1
) -> PeerRun:
    """Index `articles` ((article_id, text) pairs) with Haystack's hybrid defaults and retrieve for each question.

    Both pipelines are warmed (model loaded) before the ingest clock starts, as citeqa's model is.
    `workdir` is unused: the store lives in memory.
    """
    (Document, Pipeline, DocumentJoiner, DocumentSplitter, BM25Retriever, EmbeddingRetriever, DocumentWriter,
     InMemoryDocumentStore, ComponentDevice, DocumentEmbedder, TextEmbedder) = _imports()
    cpu = ComponentDevice.from_str("cpu")
    store = InMemoryDocumentStore()
    indexing = Pipeline()
    indexing.add_component("splitter", DocumentSplitter())
    indexing.add_component("embedder", DocumentEmbedder(model=model_path, device=cpu, progress_bar=False, local_files_only=True))
    indexing.add_component("writer", DocumentWriter(document_store=store))
    indexing.connect("splitter", "embedder")
    indexing.connect("embedder", "writer")
    querying = Pipeline()
    querying.add_component("text_embedder", TextEmbedder(model=model_path, device=cpu, progress_bar=False, local_files_only=True))
    querying.add_component("embedding_retriever", EmbeddingRetriever(document_store=store, top_k=TOP_K))
    querying.add_component("bm25_retriever", BM25Retriever(document_store=store, top_k=TOP_K))
    querying.add_component("joiner", DocumentJoiner(join_mode="reciprocal_rank_fusion", top_k=TOP_K))
    querying.connect("text_embedder.embedding", "embedding_retriever.query_embedding")
    querying.connect("embedding_retriever", "joiner")
    querying.connect("bm25_retriever", "joiner")
    indexing.warm_up()
    querying.warm_up()
    docs = [Document(content=text, meta={"article_id": article_id}) for article_id, text in articles]

    started = time.perf_counter()
    indexing.run({"splitter": {"documents": docs}})
    ingest_s = time.perf_counter() - started

    nodes = [PeerNode(d.meta["article_id"], d.meta["split_idx_start"], d.meta["split_idx_start"] + len(d.content), d.content)
             for d in store.filter_documents()]

    def retrieve(question: str) -> list[str]:
        found = querying.run({"text_embedder": {"text": question}, "bm25_retriever": {"query": question}})
        return [d.meta["article_id"] for d in found["joiner"]["documents"]]

    rankings, latencies = timed_retrieval(retrieve, questions, rounds)
    return PeerRun(ingest_s, nodes, rankings, latencies)
