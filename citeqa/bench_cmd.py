"""`citeqa bench`: speed and scale benchmarks (ingest vs raw encode, ask latency at scale, serve), optionally vs LlamaIndex.

Maps flags onto `eval.bench.run_bench`, shows progress on stderr and prints a table
or one JSON object. Heavy imports happen inside the command so `--help` stays instant.
"""

import json
from pathlib import Path
from typing import Annotated

import typer

from citeqa.cli import JsonOption, app, fail


def parse_scales(value: str) -> tuple[int, ...]:
    """"10000,100000" -> (10000, 100000); "" -> ()."""
    try:
        scales = tuple(int(part.replace("_", "")) for part in value.split(",") if part.strip())
    except ValueError:
        raise typer.BadParameter(f"--scale must be comma-separated chunk counts, e.g. 10000,100000. Currently, it is {value!r}")
    if any(n < 1 for n in scales):
        raise typer.BadParameter(f"--scale chunk counts must be positive. Currently, it is {value!r}")
    return scales


@app.command()
def bench(
    quick: Annotated[bool, typer.Option("--quick", help="Tiny sizes, no serve: a smoke test in well under a minute.")] = False,
    peers: Annotated[bool, typer.Option("--peers", help="Also index and query the same corpora with LlamaIndex's defaults (needs the bench extra).")] = False,
    scale: Annotated[str | None, typer.Option("--scale", help="Synthetic store sizes in chunks (default 10000,100000; --quick: 300).")] = None,
    compare_torch: Annotated[bool, typer.Option("--torch", help="Also measure the torch fp32 runner against the int8 ONNX default (speed and retrieval quality).")] = False,
    serve: Annotated[bool | None, typer.Option("--serve/--no-serve", help="Measure cold start and peak RSS of `citeqa serve` (default: on, off with --quick).")] = None,
    rounds: Annotated[int | None, typer.Option(min=1, help="Rounds over the eval questions when timing asks (default 3).")] = None,
    squad: Annotated[Path | None, typer.Option(envvar="CITEQA_SQUAD", help="SQuAD v1.1 dev zip for --peers/--torch.")] = None,
    cache_dir: Annotated[Path, typer.Option(help="Where synthetic stores of >= 10k chunks are cached.")] = Path(".citeqa"),
    as_json: JsonOption = False,
) -> None:
    """Measure ingest throughput, ask latency (default corpus, 10k, 100k chunks), serve RSS and cold start."""
    from citeqa.eval.bench import BenchSettings, run_bench
    from citeqa.store.chroma import StoreError

    overrides: dict = {"peers": peers, "compare_torch": compare_torch, "cache_dir": cache_dir}
    if scale is not None:
        overrides["scales"] = parse_scales(scale)
    if rounds is not None:
        overrides["ask_rounds"] = rounds
    if squad is not None:
        overrides["squad"] = squad
    if serve is not None:
        overrides["serve"] = serve
    try:
        settings = BenchSettings.quick_settings(**overrides) if quick else BenchSettings(**overrides)
        result = _run(run_bench, settings, show=not as_json)
    except (StoreError, ValueError, OSError) as err:
        raise fail(str(err))
    except ImportError as err:
        raise fail(f"{err}. The peer comparison needs: pip install -e '.[bench]'")
    if as_json:
        typer.echo(json.dumps(result))
    else:
        _print_tables(result)


def _run(run_bench, settings, show: bool) -> dict:
    from rich.console import Console

    console = Console(stderr=True)
    if not show:
        return run_bench(settings)
    with console.status("starting") as status:
        return run_bench(settings, lambda message: status.update(message))


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _print_tables(r: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=150)
    main = Table("measure", "value", title="citeqa bench")
    main.add_row("embedder", r["embedder"])
    syn = r["synthetic_corpus"]
    main.add_row("synthetic corpus", syn["how"])
    main.add_row("ingest (pipeline, fresh store)", f"{_fmt(r['ingest_chunks_per_s'])} chunks/s ({syn['chunks']:,} chunks in {syn['ingest_s']} s)")
    main.add_row("raw encode (same runner), same texts", f"{_fmt(r['encode_chunks_per_s'])} chunks/s (before {syn['encode_chunks_per_s_before']}, after {syn['encode_chunks_per_s_after']})")
    main.add_row("overhead ratio (goal ≥ 0.85)", _fmt(r["ingest_overhead_ratio"]))
    for name, point in r["ask"].items():
        label = "default corpus" if name == "default" else f"{int(name):,} synthetic chunks"
        extra = f"; BM25 build {point['lexical_build_s']} s, fill: {point['fill']}" if "lexical_build_s" in point else ""
        main.add_row(f"ask p50 / p95, {label}", f"{point['p50_ms']} / {point['p95_ms']} ms ({point['n']} asks, {point['chunks']:,} chunks{extra})")
    if "serve" in r:
        serve = r["serve"]
        main.add_row("serve: cold start → first answer", f"{serve.get('cold_start_s', serve.get('error'))} s")
        main.add_row("serve: peak RSS (VmHWM)", f"{serve.get('peak_rss_mb')} MB")
    cli = r["ask_cli"]
    runs = f" (median of {len(cli['runs_s'])}: {cli['runs_s']}; first run {cli['first_run_s']} s; torch imported: {cli['imports_torch']})"
    main.add_row("ask (CLI): cold start → answer", f"{cli['cold_start_s']} s{runs}" if "runs_s" in cli else cli["error"])
    for note in r.get("skipped", []):
        main.add_row("skipped", note)
    main.add_row("load average before / after", f"{r['load_before']} / {r['load_after']} ({r['cpus']} CPUs)")
    console.print(main)
    for corpus, side in r.get("peers", {}).items():
        table = Table("", "citeqa", "LlamaIndex (defaults)", title=f"peers: {corpus} corpus")
        rows = [("ingest wall time, s", "ingest_s"), ("chunks", "chunks"), ("truncated chunks", "truncated_chunks"),
                ("fraction of text embedded", "fraction_embedded"), ("embedded word pieces / s", "embedded_wordpieces_per_s"),
                ("article hit@1", "hit@1"), ("article recall@1", "recall@1"), ("article recall@5", "recall@5"), ("MRR@5", "mrr@5"), ("questions", "questions")]
        for label, key in rows:
            table.add_row(label, _fmt(side["citeqa"][key]), _fmt(side["llamaindex"][key]))
        table.add_row("latency p50 / p95 ms (ask vs retrieve)",
                      f"{side['citeqa']['latency']['p50_ms']} / {side['citeqa']['latency']['p95_ms']}",
                      f"{side['llamaindex']['latency']['p50_ms']} / {side['llamaindex']['latency']['p95_ms']}")
        console.print(table)
    if "onnx" in r:
        o = r["onnx"]
        table = Table("", "torch fp32", "ONNX int8 (default)", title=f"runners: {o['model']}")
        table.add_row("encode chunks/s", _fmt(o["torch_encode_chunks_per_s"]), _fmt(o["onnx_encode_chunks_per_s"]))
        table.add_row("synthetic ingest chunks/s (÷ same runner's raw encode)",
                      f"{_fmt(o['torch_ingest_chunks_per_s'])} ({_fmt(o['torch_ingest_overhead_ratio'])})",
                      f"{_fmt(r['ingest_chunks_per_s'])} ({_fmt(r['ingest_overhead_ratio'])})")
        table.add_row("ingest ÷ torch's raw model.encode", _fmt(o["torch_ingest_overhead_ratio"]), _fmt(o["ingest_vs_torch_encode"]))
        table.add_row("query embed p50 ms", _fmt(o["torch_query_embed_p50_ms"]), _fmt(o["onnx_query_embed_p50_ms"]))
        table.add_row("cosine to fp32 (mean / min)", "1", f"{o['cosine_to_fp32']['mean']} / {o['cosine_to_fp32']['min']}")
        for corpus in ("default", "squad"):
            if corpus in o:
                for key in ("hit@1", "recall@1", "recall@5", "mrr@5", "ingest_s", "ask_p50_ms"):
                    table.add_row(f"{corpus}: {key}", _fmt(o[corpus]["torch"][key]), _fmt(o[corpus]["onnx"][key]))
        console.print(table)
