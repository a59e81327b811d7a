"""The LlamaIndex side of the peer benchmark: its defaults, our model, the same Chroma.

What a LlamaIndex user writes: `VectorStoreIndex.from_documents` with the default
`SentenceSplitter` (1,024-token chunks, 200 overlap), a `ChromaVectorStore` over a
persistent Chroma collection, `HuggingFaceEmbedding` on the same local
all-MiniLM-L6-v2 directory citeqa uses, and `index.as_retriever(similarity_top_k=5)`.
Nothing is tuned. This module returns raw facts (timings, nodes, ranked articles);
`eval.bench.retrieval` scores both tools the same way.

llama-index is an optional benchmark extra (`pip install -e .[bench]`), imported
only inside these functions; citeqa never needs it to run.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from citeqa.errors import CiteqaError

TOP_K = 5


class PeerUnavailable(CiteqaError):
    """llama-index is not installed; install the benchmark extra: pip install -e '.[bench]'."""


@dataclass(frozen=True)
class PeerNode:
    """One LlamaIndex node: its article, character span in the article text, and text as embedded."""

    article_id: str
    start: int
    end: int
    embedded_text: str


@dataclass(frozen=True)
class PeerRun:
    """What LlamaIndex did on one corpus."""

    ingest_s: float
    nodes: list[PeerNode]
    rankings: list[list[str]]  # per question: article ids of the top-k nodes, best first, unique
    latencies_ms: list[float]  # retriever.retrieve, warm, every round


def _imports():
    try:
        import chromadb
        from llama_index.core import Document, StorageContext, VectorStoreIndex
        from llama_index.core.schema import MetadataMode
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
        from llama_index.vector_stores.chroma import ChromaVectorStore
    except ImportError as err:
        raise PeerUnavailable(f"llama-index is not installed ({err.name}); run: pip install -e '.[bench]'") from None
    return chromadb, Document, StorageContext, VectorStoreIndex, MetadataMode, HuggingFaceEmbedding, ChromaVectorStore


def run_llamaindex(
    articles: Sequence[tuple[str, str]], questions: Sequence[str], model_path: str, workdir: Path, rounds: int = 1
) -> PeerRun:
    """Index `articles` ((article_id, text) pairs) with LlamaIndex defaults and retrieve for each question.

    The model is loaded before the ingest clock starts, as citeqa's is.
    """
    chromadb, Document, StorageContext, VectorStoreIndex, MetadataMode, HuggingFaceEmbedding, ChromaVectorStore = _imports()
    embed_model = HuggingFaceEmbedding(model_name=model_path, device="cpu")
    embed_model.get_text_embedding("warm up")
    client = chromadb.PersistentClient(path=str(workdir))
    collection = client.get_or_create_collection("llamaindex", embedding_function=None)
    storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
    docs = [Document(text=text, id_=article_id) for article_id, text in articles]

    started = time.perf_counter()
    index = VectorStoreIndex.from_documents(docs, storage_context=storage, embed_model=embed_model)
    ingest_s = time.perf_counter() - started

    nodes = []
    for node in index.docstore.docs.values() if index.docstore.docs else []:
        nodes.append(_peer_node(node, MetadataMode))
    if not nodes:  # vector stores that keep text (Chroma does) leave the docstore empty: read the nodes back
        nodes = _nodes_from_chroma(collection, articles)

    retriever = index.as_retriever(similarity_top_k=TOP_K)
    retriever.retrieve(questions[0] if questions else "warm up")
    rankings: list[list[str]] = []
    latencies: list[float] = []
    for round_ in range(rounds):
        for question in questions:
            t0 = time.perf_counter()
            found = retriever.retrieve(question)
            latencies.append((time.perf_counter() - t0) * 1000)
            if round_ == 0:
                rankings.append(list(dict.fromkeys(hit.node.ref_doc_id for hit in found)))
    return PeerRun(ingest_s, nodes, rankings, latencies)


def _peer_node(node, MetadataMode) -> PeerNode:
    return PeerNode(node.ref_doc_id, node.start_char_idx or 0, node.end_char_idx or 0, node.get_content(metadata_mode=MetadataMode.EMBED))


def _nodes_from_chroma(collection, articles: Sequence[tuple[str, str]]) -> list[PeerNode]:
    """Nodes as ChromaVectorStore stored them (text + `_node_content` JSON with char offsets)."""
    import json

    texts = dict(articles)
    got = collection.get(include=["documents", "metadatas"])
    nodes = []
    for text, meta in zip(got["documents"], got["metadatas"]):
        content = json.loads(meta.get("_node_content", "{}"))
        article_id = meta.get("ref_doc_id") or meta.get("doc_id") or meta.get("document_id")
        start, end = content.get("start_char_idx"), content.get("end_char_idx")
        if start is None or end is None:  # LlamaIndex could not place the node: find it ourselves
            start = texts[article_id].find(text)
            end = start + len(text)
        nodes.append(PeerNode(article_id, int(start), int(end), text))
    return nodes
