"""Readers for the public benchmarks in `shared/benchmarks`, as corpora plus evaluation sets.

Each reader turns a benchmark folder into Documents (ingested into a store of their
own) and `Example`s of one split from `splits.json`, so `citeqa eval --benchmark`
scores them with the same pipeline and metrics as the shipped set. The files are
read where they lie; nothing is copied into the project.
"""
