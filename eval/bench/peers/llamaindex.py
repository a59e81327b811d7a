"""LlamaIndex's defaults, our model, the same Chroma.

What a LlamaIndex user writes: `VectorStoreIndex.from_documents` with the default
`SentenceSplitter` (1,024-token chunks, 200 overlap), a `ChromaVectorStore` over a
persistent Chroma collection, `HuggingFaceEmbedding` on the same local
all-MiniLM-L6-v2 directory citeqa uses, and `index.as_retriever(similarity_top_k=5)`.
Nothing is tuned.
"""

import json
import time
from collections.abc import Sequence
from pathlib import Path

from citeqa.eval.bench.peers import TOP_K, PeerNode, PeerRun, timed_retrieval, unavailable

NAME = "LlamaIndex"


def _imports():
    try:
        import chromadb
        from llama_index.core import Document, StorageContext, VectorStoreIndex
        from llama_index.core.schema import MetadataMode
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
        from llama_index.vector_stores.chroma import ChromaVectorStore
    except ImportError as err:
        raise unavailable("llama-index", err) from None
    return chromadb, Document, StorageContext, VectorStoreIndex, MetadataMode, HuggingFaceEmbedding, ChromaVectorStore


def run(
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

    nodes = [_peer_node(node, MetadataMode) for node in (index.docstore.docs.values() if index.docstore.docs else [])]
    if not nodes:  # vector stores that keep text (Chroma does) leave the docstore empty: read the nodes back
        nodes = _nodes_from_chroma(collection, articles)

    retriever = index.as_retriever(similarity_top_k=TOP_K)
    rankings, latencies = timed_retrieval(lambda q: [hit.node.ref_doc_id for hit in retriever.retrieve(q)], questions, rounds)
    return PeerRun(ingest_s, nodes, rankings, latencies)


def _peer_node(node, MetadataMode) -> PeerNode:
    return PeerNode(node.ref_doc_id, node.start_char_idx or 0, node.end_char_idx or 0, node.get_content(metadata_mode=MetadataMode.EMBED))


def _nodes_from_chroma(collection, articles: Sequence[tuple[str, str]]) -> list[PeerNode]:
    """Nodes as ChromaVectorStore stored them (text + `_node_content` JSON with char offsets)."""
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
