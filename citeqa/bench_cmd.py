"""`citeqa bench`: speed and scale benchmarks (ingest vs raw encode, ask latency at scale, serve), optionally vs LlamaIndex and Haystack.

Maps flags onto `eval.bench.run.run_bench`, shows progress on stderr and prints the typed
`BenchResult` as tables, or as one JSON object. Heavy imports happen inside the command so `--help` stays instant.
"""

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from citeqa.edge import session
from citeqa.options import JsonOption


def parse_scales(value: str) -> tuple[int, ...]:
    """"10000,100000" -> (10000, 100000); "" -> ()."""
    try:
        scales = tuple(int(part.replace("_", "")) for part in value.split(",") if part.strip())
    except ValueError:
        raise typer.BadParameter(f"--scale must be comma-separated chunk counts, e.g. 10000,100000. Currently, it is {value!r}")
    if any(n < 1 for n in scales):
        raise typer.BadParameter(f"--scale chunk counts must be positive. Currently, it is {value!r}")
    return scales


def bench(
    quick: Annotated[bool, typer.Option("--quick", help="Tiny sizes, no serve: a smoke test in well under a minute.")] = False,
    peers: Annotated[bool, typer.Option("--peers", help="Also index and query the same corpora with LlamaIndex's and Haystack's defaults (needs the bench extra).")] = False,
    scale: Annotated[str | None, typer.Option("--scale", help="Synthetic store sizes in chunks (default 10000,100000; --quick: 300).")] = None,
    compare_torch: Annotated[bool, typer.Option("--torch", help="Also measure the torch fp32 runner against the int8 ONNX default (speed and retrieval quality).")] = False,
    serve: Annotated[bool | None, typer.Option("--serve/--no-serve", help="Measure cold start and peak RSS of `citeqa serve` (default: on, off with --quick).")] = None,
    rounds: Annotated[int | None, typer.Option(min=1, help="Rounds over the eval questions when timing asks (default 3).")] = None,
    squad: Annotated[Path | None, typer.Option(envvar="CITEQA_SQUAD", help="SQuAD v1.1 dev zip for --peers/--torch.")] = None,
    benchmarks: Annotated[Path | None, typer.Option(help="Folder holding multihop_rag/ for --peers (default ../shared/benchmarks).")] = None,
    cache_dir: Annotated[Path, typer.Option(help="Where synthetic stores of >= 10k chunks are cached.")] = Path(".citeqa"),
    as_json: JsonOption = False,
) -> None:
    """Measure ingest throughput, ask latency (default corpus, 10k, 100k chunks), serve RSS and cold start."""
    from citeqa.eval.bench.run import run_bench
    from citeqa.eval.bench.settings import BenchSettings

    overrides: dict = {"peers": peers, "compare_torch": compare_torch, "cache_dir": cache_dir}
    if scale is not None:
        overrides["scales"] = parse_scales(scale)
    if rounds is not None:
        overrides["ask_rounds"] = rounds
    if squad is not None:
        overrides["squad"] = squad
    if benchmarks is not None:
        overrides["benchmarks"] = benchmarks
    os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")  # Haystack (a --peers peer) phones home unless told not to
    if serve is not None:
        overrides["serve"] = serve
    settings = BenchSettings.quick_settings(**overrides) if quick else BenchSettings(**overrides)
    embedding = session().embedding
    result = _run(run_bench, settings, {"backend": embedding.backend, "cache_dir": embedding.cache_dir}, show=not as_json)
    if as_json:
        typer.echo(json.dumps(result.as_dict()))
    else:
        _print_tables(result)


def _run(run_bench, settings, embedding: dict, show: bool):
    from rich.console import Console

    if not show:
        return run_bench(settings, embedding=embedding)
    with Console(stderr=True).status("starting") as status:
        return run_bench(settings, lambda message: status.update(message), embedding)


_SCORES = (("Hit@1", "hit_1"), ("Recall@1", "recall_1"), ("Recall@5", "recall_5"), ("MRR@5", "mrr_5"))


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _print_tables(r) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=150)
    main = Table("measure", "value", title="citeqa bench")
    main.add_row("embedder", r.embedder)
    syn = r.synthetic_corpus
    main.add_row("synthetic corpus", syn.how)
    main.add_row("ingest (pipeline, fresh store)", f"{_fmt(r.ingest_chunks_per_s)} chunks/s ({syn.chunks:,} chunks in {syn.ingest_s} s)")
    main.add_row("raw encode (same runner), same texts", f"{_fmt(r.encode_chunks_per_s)} chunks/s (before {syn.encode_chunks_per_s_before}, after {syn.encode_chunks_per_s_after})")
    main.add_row("overhead ratio (goal ≥ 0.85)", _fmt(r.ingest_overhead_ratio))
    for name, point in r.ask.items():
        label = "default corpus" if name == "default" else f"{int(name):,} synthetic chunks"
        extra = f"; BM25 build {point.scale.lexical_build_s} s, fill: {point.scale.fill}" if point.scale else ""
        main.add_row(f"ask p50 / p95, {label}", f"{point.latency.p50_ms} / {point.latency.p95_ms} ms ({point.latency.n} asks, {point.chunks:,} chunks{extra})")
    if r.serve is not None:
        main.add_row("serve: cold start → first answer", f"{r.serve.cold_start_s if r.serve.error is None else r.serve.error} s")
        main.add_row("serve: peak RSS (VmHWM)", f"{r.serve.peak_rss_mb} MB")
    cli = r.ask_cli
    if cli.error is None:
        runs = f" (median of {len(cli.runs_s)}: {cli.runs_s}; first run {cli.first_run_s} s; torch imported: {cli.imports_torch})"
        main.add_row("ask (CLI): cold start → answer", f"{cli.cold_start_s} s{runs}")
    else:
        main.add_row("ask (CLI): cold start → answer", cli.error)
    for note in r.skipped:
        main.add_row("skipped", note)
    main.add_row("load average before / after", f"{r.load_before} / {r.load_after} ({r.cpus} CPUs)")
    console.print(main)
    for corpus, side in r.peers.items():
        _print_peers(console, corpus, side)
    if r.onnx is not None:
        o = r.onnx
        table = Table("", "torch fp32", "ONNX int8 (default)", title=f"runners: {o.model}")
        table.add_row("encode chunks/s", _fmt(o.torch_encode_chunks_per_s), _fmt(o.onnx_encode_chunks_per_s))
        table.add_row("synthetic ingest chunks/s (÷ same runner's raw encode)",
                      f"{_fmt(o.torch_ingest_chunks_per_s)} ({_fmt(o.torch_ingest_overhead_ratio)})",
                      f"{_fmt(r.ingest_chunks_per_s)} ({_fmt(r.ingest_overhead_ratio)})")
        table.add_row("ingest ÷ torch's raw model.encode", _fmt(o.torch_ingest_overhead_ratio), _fmt(o.ingest_vs_torch_encode))
        table.add_row("query embed p50 ms", _fmt(o.torch_query_embed_p50_ms), _fmt(o.onnx_query_embed_p50_ms))
        table.add_row("cosine to fp32 (mean / min)", "1", f"{o.cosine_mean} / {o.cosine_min}")
        for corpus, (torch, onnx, _questions) in o.corpora.items():
            for label, name in _SCORES:
                table.add_row(f"{corpus}: {label}", _fmt(getattr(torch.scores, name)), _fmt(getattr(onnx.scores, name)))
            for name in ("ingest_s", "ask_p50_ms"):
                table.add_row(f"{corpus}: {name}", _fmt(getattr(torch, name)), _fmt(getattr(onnx, name)))
        console.print(table)


def _print_peers(console, corpus: str, side) -> None:
    from rich.table import Table

    from citeqa.eval.bench.retrieval import peer_name

    tools = [side.citeqa, *side.peers.values()]
    table = Table("", "citeqa", *(f"{peer_name(key)} (defaults)" for key in side.peers), title=f"peers: {corpus} corpus")
    rows = [("ingest wall time, s", lambda t: t.ingest_s), ("chunks", lambda t: t.wordpieces.chunks),
            ("truncated chunks", lambda t: t.wordpieces.truncated_chunks),
            ("fraction of text embedded", lambda t: t.wordpieces.fraction_embedded),
            ("embedded word pieces / s", lambda t: t.embedded_wordpieces_per_s),
            ("questions", lambda t: t.scores.questions)]
    for label, value in rows:
        table.add_row(label, *(_fmt(value(t)) for t in tools))
    for label, name in _SCORES + (("all-gold@5", "all_gold_5"),) * (side.citeqa.scores.all_gold_5 is not None):
        table.add_row(f"article {label}", *(_fmt(getattr(t.scores, name)) for t in tools))
    table.add_row("latency p50 / p95 ms (ask vs retrieve)", *(f"{t.latency.p50_ms} / {t.latency.p95_ms}" for t in tools))
    console.print(table)
