"""`citeqa train`: fit the answering engine's learned parts on the public train splits.

`citeqa train reranker` fine-tunes the MiniLM cross-encoder on train-split pairs, exports it
to int8 ONNX, evaluates it (held-out train questions for the threshold, SQuAD test articles
for reporting) and writes the shipped folder `app/models/reranker/`.
"""

import os
from pathlib import Path
from typing import Annotated

import typer

from citeqa.cli import app, fail

train_app = typer.Typer(help="Fit the engine's learned parts on public train splits.", no_args_is_help=True)
app.add_typer(train_app, name="train")


@train_app.command("reranker")
def train_reranker(
    benchmarks_dir: Annotated[
        Path, typer.Option(envvar="CITEQA_BENCHMARKS", help="Folder holding the public benchmarks and splits.json.")
    ] = Path("../shared/benchmarks"),
    out: Annotated[Path | None, typer.Option(help="Folder to write (default: the shipped app/models/reranker/).")] = None,
    work: Annotated[Path, typer.Option(help="Folder for the torch checkpoint between fitting and export.")] = Path(".citeqa/reranker-work"),
    fit: Annotated[bool, typer.Option(help="Fit a new checkpoint (--no-fit: export and evaluate the one in --work).")] = True,
    squad_questions: Annotated[int, typer.Option(min=1, help="SQuAD train-article questions to sample.")] = 1500,
    multihop_queries: Annotated[int, typer.Option(min=0, help="MultiHop-RAG dev queries to sample.")] = 220,
    validation_questions: Annotated[int, typer.Option(min=2, help="Held-out train questions for checkpoint and threshold.")] = 120,
    max_steps: Annotated[int | None, typer.Option(min=1, help="Stop training after this many batches.")] = None,
    test_per_kind: Annotated[int | None, typer.Option(min=1, help="Sample this many test questions of each kind.")] = None,
    baseline: Annotated[bool, typer.Option(help="Also evaluate the bi-encoder cosine on the test questions.")] = True,
) -> None:
    """Fine-tune, export (int8 ONNX) and evaluate the cross-encoder reranker; print its test figures."""
    import json
    import logging

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    logging.getLogger("app.training").setLevel(logging.INFO)  # a long job: show its progress on stderr
    from app.rerank import DEFAULT_RERANKER
    from app.training.fit import FitSettings
    from app.training.reranker import RerankerRecipe, fit_stage, ship_stage

    recipe = RerankerRecipe(fit=FitSettings(max_steps=max_steps), validation_questions=validation_questions,
                            squad_questions=squad_questions, multihop_queries=multihop_queries)
    defaults = {"squad_questions": 1500, "multihop_queries": 220, "validation_questions": 120, "max_steps": None,
                "test_per_kind": None}
    given = {"squad_questions": squad_questions, "multihop_queries": multihop_queries,
             "validation_questions": validation_questions, "max_steps": max_steps, "test_per_kind": test_per_kind}
    command = " ".join(["citeqa train reranker"] + [f"--{k.replace('_', '-')} {v}" for k, v in given.items() if v != defaults[k]]
                       + ([] if baseline else ["--no-baseline"]))
    if not fit and not (work / "fit.json").exists():
        raise fail(f"--no-fit needs a fitted checkpoint in {work} (fit.json is missing)")
    try:
        if fit:
            fit_stage(benchmarks_dir, work, recipe)
        metrics = ship_stage(benchmarks_dir, work, out or DEFAULT_RERANKER, recipe, test_per_kind, baseline, command)
    except FileNotFoundError as err:
        raise fail(str(err))
    typer.echo(json.dumps(metrics["test"], indent=1))
