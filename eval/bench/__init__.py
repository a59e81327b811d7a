"""Performance, apart from answer quality: speed and scale benchmarks, synthetic stores, peers, load.

`run.run_bench` is the whole `citeqa bench` run and returns a typed `result.BenchResult`;
the other modules each measure one thing (`timing`, `corpora`, `ingest_speed`, `scale`,
`processes`, `retrieval`, `runners`), or make test data (`synthetic`), drive the peers LlamaIndex and Haystack
(`peers`), or load a running page (`load`, also `python -m citeqa.eval.bench.load`).
"""
