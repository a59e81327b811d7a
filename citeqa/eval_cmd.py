"""`citeqa eval`: run the evaluation set, compare two runs, or benchmark retrieval on a BEIR dataset.

Maps flags onto `eval.run`, `eval.compare` and `eval.beir`, draws progress on stderr
and prints tables; user mistakes end as one line on stderr and exit 1. Heavy
imports happen inside the functions so `citeqa --help` stays instant.
"""

from datetime import datetime, timezone
import json
from pathlib import Path
from typing import Annotated

import typer

from citeqa.edge import fail
from citeqa.engine import embedder_for, open_qa
from citeqa.options import DEFAULT_BENCHMARKS, DEFAULT_STORE, BenchmarksOption, JsonOption, ModelOption, StoreOption

DEFAULT_RUNS = Path("eval/runs")

def _bar(disable: bool):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    return Progress(*columns, transient=True, disable=disable, console=Console(stderr=True))


def _print(renderable) -> None:
    from rich.console import Console

    Console(width=140).print(renderable)


def eval_command(
    ctx: typer.Context,
    dataset: Annotated[Path | None, typer.Option(help="Evaluation set, JSONL (default: eval/default_corpus.jsonl).")] = None,
    k: Annotated[int, typer.Option("--k", min=1, help="Articles scored by Recall/MRR/nDCG@k.")] = 5,
    out: Annotated[Path | None, typer.Option(help="Run directory (default: eval/runs/<UTC time>).")] = None,
    store: StoreOption = DEFAULT_STORE,
    model: ModelOption = None,
    compare: Annotated[
        tuple[Path, Path] | None, typer.Option("--compare", metavar="RUN_A RUN_B", help="Compare two run directories.")
    ] = None,
    benchmark: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Evaluate on a public benchmark instead: squad or multihop (read from --benchmarks-dir)."),
    ] = None,
    split: Annotated[str, typer.Option(help="Benchmark split: test (report) or train (fit/tune; MultiHop-RAG's dev half).")] = "test",
    out_of_corpus: Annotated[int, typer.Option(
        min=0, help="SQuAD only: also ask this many of its answerable questions with their article hidden (should abstain).")] = 150,
    benchmarks_dir: BenchmarksOption = DEFAULT_BENCHMARKS,
    beir: Annotated[
        Path | None, typer.Option("--beir", metavar="DIR", help="Benchmark dense/BM25/hybrid retrieval on a BEIR dataset.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Score answers, citations and abstention on known answers; compare runs; run BEIR benchmarks."""
    if sum(bool(mode) for mode in (compare, beir, benchmark)) > 1:
        raise fail("--compare, --beir and --benchmark are separate modes; give one of them")
    if compare:
        _compare(*compare, as_json)
    elif beir:
        # A BEIR corpus gets its own store unless --store is given explicitly (not via CITEQA_STORE):
        # ingesting it prunes every other article from the store it goes into.
        from_flag = getattr(ctx.get_parameter_source("store"), "name", "") == "COMMANDLINE"
        _beir(beir, store if from_flag else None, model, as_json)
    elif benchmark:
        from_flag = getattr(ctx.get_parameter_source("store"), "name", "") == "COMMANDLINE"
        _benchmark(benchmark, split, benchmarks_dir, k, out, store if from_flag else None, model, as_json, out_of_corpus)
    else:
        _evaluate(dataset, k, out, store, model, as_json)


def _evaluate(dataset: Path | None, k: int, out: Path | None, store: str, model: str | None, as_json: bool) -> None:
    from citeqa.eval.dataset import DEFAULT_DATASET, read_examples
    from citeqa.eval.run import prepare_run_dir

    path = dataset or DEFAULT_DATASET
    out = out or DEFAULT_RUNS / datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    examples = read_examples(path)
    qa = open_qa(store, model, one_shot=True)
    prepare_run_dir(out)  # before asking: a bad --out must not cost the whole run
    _run_examples(qa, examples, str(path), k, out, as_json)


def _run_examples(qa, examples, name: str, k: int, out: Path, as_json: bool) -> None:
    """Ask every example, write the run folder, print the summary (or the metrics as JSON)."""
    from citeqa.eval.dataset import unknown_sources
    from citeqa.eval.report import summary_table
    from citeqa.eval.run import aggregate, iter_rows, write_run

    unknown = unknown_sources(examples, [record.article_id for record in qa.store.articles()])
    if unknown:
        shown = ", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else "")
        typer.echo(f"warning: {len(unknown)} source ids in {name} are not in the store {qa.store.location}: {shown}", err=True)
    rows = []
    with _bar(disable=as_json) as bar:
        task = bar.add_task("asking", total=len(examples))
        for row in iter_rows(qa, examples, k):
            rows.append(row)
            bar.advance(task)
    result = aggregate(rows, k)
    paths = write_run(out, rows, result)
    if as_json:
        typer.echo(json.dumps(result))
        return
    _print(summary_table(result))
    typer.echo(f"wrote {', '.join(str(p) for p in paths)}")


def _benchmark(
    name: str, split: str, root: Path, k: int, out: Path | None, store: str | None, model: str | None, as_json: bool,
    out_of_corpus: int = 0,
) -> None:
    """Ingest a benchmark's corpus into its own store (incrementally), then evaluate one split of its questions."""
    from citeqa.eval.benchmarks import multihop, squad
    from citeqa.eval.run import prepare_run_dir
    from citeqa.ingest.pipeline import ingest, ingest_documents
    from citeqa.store.chroma import open_store

    if name not in ("squad", "multihop"):
        raise fail(f"--benchmark must be squad or multihop. Currently, it is {name!r}")
    if split not in ("train", "dev", "test"):
        raise fail(f"--split must be train (dev) or test. Currently, it is {split!r}")
    split = "test" if split == "test" else "train"
    if not root.is_dir():
        raise fail(f"no benchmarks folder at {root}; pass --benchmarks-dir (it holds splits.json)")
    location = store or f".citeqa/bench-{name}"
    out = out or DEFAULT_RUNS / datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    prepare_run_dir(out)  # before ingesting and asking: a bad --out must not cost the whole run
    target = open_store(location, create=True)
    embedder = embedder_for(target, model)
    if name == "squad":
        steps = ingest_documents(squad.documents(root), target, embedder)
        examples = squad.examples(root, split, out_of_corpus_count=out_of_corpus)
    else:
        steps = ingest([multihop.articles_folder(root)], target, embedder)
        examples = multihop.examples(root, split)
    with _bar(disable=as_json) as bar:
        task = bar.add_task(f"ingesting {name}", total=None)
        for step in steps:
            bar.update(task, completed=step.done, total=max(step.total, 1))
    qa = open_qa(location, model, one_shot=True)
    _run_examples(qa, examples, f"{name} {split}", k, out, as_json)


def _compare(run_a: Path, run_b: Path, as_json: bool) -> None:
    from citeqa.eval.compare import change_lines, compare_runs, comparison_table
    from citeqa.eval.run import RunDirError

    try:
        comparison = compare_runs(run_a, run_b)
    except RunDirError as err:
        raise fail(f"cannot compare {run_a} and {run_b}: {err}")
    if as_json:
        typer.echo(json.dumps(comparison.as_dict()))
        return
    _print(comparison_table(comparison, f"A: {run_a.name}", f"B: {run_b.name}"))
    for line in change_lines(comparison):
        typer.echo(line)


def _beir(directory: Path, store: str | None, model: str | None, as_json: bool) -> None:
    from citeqa.eval.beir import MODES, build_store, document_run, load_beir, score
    from citeqa.store.chroma import open_store

    data = load_beir(directory)
    location = store or f".citeqa/beir-{data.name}"
    target = open_store(location, create=True)
    embedder = embedder_for(target, model)
    with _bar(disable=as_json) as bar:
        task = bar.add_task(f"ingesting {data.name}", total=None)
        for step in build_store(data, target, embedder):
            bar.update(task, completed=step.done, total=max(step.total, 1))
    report = step.report
    results = {}
    with _bar(disable=as_json) as bar:
        for mode in MODES:
            task = bar.add_task(f"{mode} retrieval", total=len(data.queries))
            run = document_run(target, embedder, data.queries, mode, on_query=lambda: bar.advance(task))
            results[mode] = score(data.qrels, run)
    if as_json:
        typer.echo(json.dumps(results))
        return
    typer.echo(
        f"store {location}: {report.articles} documents ({report.new} new, {report.changed} changed, "
        f"{report.unchanged} unchanged); {len(data.queries)} test queries",
        err=True,
    )
    _print(_beir_table(directory, data.name, results, embedder.model_id))


def _beir_table(directory: Path, name: str, results: dict[str, dict[str, float]], model_id: str):
    from rich.table import Table

    from citeqa.eval.beir import published_baselines

    table = Table("method", "nDCG@10", "Recall@100", "MRR@10", "source", title=f"BEIR {name} (test)")
    for mode, values in results.items():
        label = {"dense": f"citeqa dense ({model_id.split('/')[-1]})", "bm25": "citeqa BM25", "hybrid": "citeqa hybrid (fitted score fusion)"}[mode]
        table.add_row(label, *(f"{values[m]:.3f}" for m in ("nDCG@10", "Recall@100", "MRR@10")), "this run")
    for row in published_baselines(directory):
        cells = ("–" if v is None else f"{v:.3f}" for v in (row.ndcg10, row.recall100))
        table.add_row(f"published: {row.method}", *cells, "–", row.source)
    return table
