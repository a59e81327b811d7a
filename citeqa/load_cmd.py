"""`citeqa load-test`: N concurrent clients ask a running page's `/chat` for T seconds (loopback only).

Maps flags onto `eval.bench.load.run_load` (also `python -m citeqa.eval.bench.load`); prints one summary line (or one JSON object) and
exits 1 when any request failed or any answer's citations did not check out.
"""

import json
from pathlib import Path
from typing import Annotated

import typer

from citeqa.options import JsonOption


def load_test(
    url: Annotated[str, typer.Option(help="The running page, e.g. http://127.0.0.1:7860/ (loopback only).")] = "http://127.0.0.1:7860/",
    clients: Annotated[int, typer.Option(min=1, max=200, help="Concurrent clients.")] = 20,
    seconds: Annotated[float, typer.Option(min=1, max=3600, help="How long to keep asking.")] = 60.0,
    store: Annotated[
        str | None,
        typer.Option(envvar="CITEQA_STORE", help="The server's store folder: also check each cited article and evidence offset."),
    ] = None,
    dataset: Annotated[Path | None, typer.Option(help="Questions to sample (JSONL eval set; default: the bundled one).")] = None,
    timeout: Annotated[float, typer.Option(min=1, help="Seconds one request may take.")] = 120.0,
    as_json: JsonOption = False,
) -> None:
    """Load-test a running `citeqa serve`: requests, errors, p50/p95 latency, citation checks."""
    from citeqa.eval.dataset import DEFAULT_DATASET, read_examples
    from citeqa.eval.bench.load import read_articles, run_load

    articles = read_articles(store) if store else None
    report = run_load(url, clients, seconds, read_examples(dataset or DEFAULT_DATASET), articles, timeout=timeout)
    typer.echo(json.dumps(report.as_dict()) if as_json else report.summary())
    if not as_json:
        for problem in report.problems:
            typer.echo(f"  {problem}")
    if report.errors or report.invalid:
        raise typer.Exit(1)
