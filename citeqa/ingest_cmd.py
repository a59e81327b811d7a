"""`citeqa ingest`: add files or folders to the store, or list, verify or rebuild what it holds."""

import json
from pathlib import Path
from typing import Annotated

import typer

from citeqa.edge import fail
from citeqa.engine import embedder_for
from citeqa.options import DEFAULT_STORE, JsonOption, ModelOption, StoreOption
from citeqa.store.records import ChunkSettings


def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to ingest.")] = None,
    store: StoreOption = DEFAULT_STORE,
    model: ModelOption = None,
    chunk_tokens: Annotated[int, typer.Option(help="Chunk size in cl100k_base tokens.")] = ChunkSettings.max_tokens,
    overlap_tokens: Annotated[
        int, typer.Option(help="Tokens of trailing sentences repeated in the next chunk.")
    ] = ChunkSettings.overlap_tokens,
    prune: Annotated[bool, typer.Option(help="Remove stored articles whose file is gone from an ingested folder.")] = True,
    shard: Annotated[
        str | None,
        typer.Option(help="I/N: ingest only share I of N (by a hash of each article id); N runs, e.g. on N machines into one Chroma server, fill the store together."),
    ] = None,
    list_articles: Annotated[bool, typer.Option("--list", help="List the stored articles instead of ingesting.")] = False,
    verify: Annotated[
        bool, typer.Option("--verify", help="Check that every stored chunk is found by its own vector; exit 1 when damaged.")
    ] = False,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Re-create the vector index from the stored chunks (re-embeds unreadable vectors).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Ingest files or folders (.txt .md .html .pdf) into the store; only changed files are re-embedded."""
    if sum((list_articles, verify, rebuild)) > 1:
        raise fail("--list, --verify and --rebuild are separate modes; give one of them")
    if shard is not None and (list_articles or verify or rebuild):
        raise fail("--shard splits an ingest of files; --list, --verify and --rebuild read the whole store")
    from citeqa.ingest.shard import WHOLE, Shard

    share = WHOLE if shard is None else Shard.parse(shard)
    if list_articles:
        _list_articles(store, as_json)
        return
    if verify:
        _verify(store, as_json)
        return
    if rebuild:
        _rebuild(store, model, as_json)
        return
    if not paths:
        raise fail("give at least one file or folder, e.g. citeqa ingest data/articles")
    if not any(path.exists() for path in paths):
        raise fail(f"no such file or directory: {', '.join(str(p) for p in paths)}")
    chunking = ChunkSettings(chunk_tokens, overlap_tokens)
    report = run_ingest(paths, store, model, chunking, prune, show_progress=not as_json, shard=share)
    from citeqa.terminal import printable

    for reason in report.skipped:
        typer.echo(f"warning: {printable(reason)}", err=True)
    if as_json:
        typer.echo(json.dumps(report.as_dict()))
    else:
        typer.echo(
            f"{report.articles} articles ({report.new} new, {report.changed} changed, {report.unchanged} unchanged, "
            f"{report.removed} removed); embedded {report.chunks} chunks, {report.tokens} tokens "
            f"in {report.seconds:.1f} s ({report.chunks_per_second:.1f} chunks/s)"
        )
    if report.articles == 0 and report.skipped:
        raise typer.Exit(1)


def run_ingest(paths, store_location, model, chunking, prune, show_progress, shard=None):
    """Run the pipeline (all of it, or one `shard`) with a progress bar on stderr; return its report."""
    from rich.progress import Progress as Bar

    from citeqa.ingest.pipeline import ingest as run
    from citeqa.ingest.shard import WHOLE
    from citeqa.store.chroma import open_store

    store = open_store(store_location, create=True)
    embedder = embedder_for(store, model)
    report = None
    with Bar(transient=True, disable=not show_progress, console=_stderr_console()) as bar:
        task = bar.add_task("embedding", total=None)
        for step in run(paths, store, embedder, chunking, prune, shard or WHOLE):
            bar.update(task, completed=step.done, total=max(step.total, 1), description=step.message[:40])
            report = step.report
    return report


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def _list_articles(store_location: str, as_json: bool) -> None:
    from citeqa.store.chroma import open_store

    records = open_store(store_location).articles()
    rows = [
        {"article_id": r.article_id, "title": r.title, "author": r.author, "date": r.date, "chunks": r.chunks}
        for r in records
    ]
    if as_json:
        typer.echo(json.dumps({"articles": rows}))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from citeqa.terminal import printable

    table = Table("article_id", "title", "author", "date", "chunks")
    for row in rows:
        # Text cells: a title is shown as written, never read as Rich markup ("[/b]", "[video]").
        cells = (row["article_id"], row["title"], row["author"] or "", row["date"] or "", str(row["chunks"]))
        table.add_row(*(Text(printable(cell)) for cell in cells))
    Console().print(table)


def _verify(store_location: str, as_json: bool) -> None:
    """One line on the store's vector index; exit 1 when it is damaged."""
    from dataclasses import asdict

    from citeqa.store.chroma import open_store

    result = open_store(store_location).verify()
    typer.echo(json.dumps({**asdict(result), "ok": result.ok}) if as_json else result.line())
    if not result.ok:
        raise typer.Exit(1)


def _rebuild(store_location: str, model: str | None, as_json: bool) -> None:
    """Re-create the vector index from the stored chunks, loading the model only if a vector must be re-embedded."""
    import functools

    from citeqa.store.chroma import StoreError, open_store

    store = open_store(store_location)
    if store.settings is None:
        raise StoreError(f"The store at {store_location} is empty: nothing to rebuild.")
    embedder = functools.cache(lambda: embedder_for(store, model))

    def embed(texts: list[str]):
        return embedder().embed_passages(texts, [[(0, len(text))] for text in texts])[0]

    with store.writing():
        if model is not None:
            store.check_model(embedder().model_id, store.settings.chunking)
        chunks, reembedded = store.rebuild(embed)
        store.refresh_lexical(force=True)
    if as_json:
        typer.echo(json.dumps({"chunks": chunks, "reembedded": reembedded}))
    else:
        typer.echo(f"rebuilt the vector index of {store_location}: {chunks} chunks, {reembedded} re-embedded")
