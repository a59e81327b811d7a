"""Fitting the answering engine's learned parts on public train splits: the sentence scorer, the reranker."""
