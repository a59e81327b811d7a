"""`citeqa train`: fit the answering engine's learned parts on the public train splits.

`citeqa train scorer` runs the real pipeline over SQuAD's train articles (answerable
and SQuAD 2.0 unanswerable questions), MultiHop-RAG's dev half when its store is
given, and the shipped default-corpus set, fits the sentence scorer and calibrates
its abstain threshold, and writes the model file (committed in `app/models/`).
"""

import json
from pathlib import Path
from typing import Annotated

import typer

from citeqa.cli import app, fail

train_app = typer.Typer(help="Fit the engine's learned parts on public train splits.", no_args_is_help=True)
app.add_typer(train_app, name="train")


@train_app.command("scorer")
def train_scorer(
    benchmarks_dir: Annotated[
        Path, typer.Option(envvar="CITEQA_BENCHMARKS", help="Folder holding the public benchmarks and splits.json.")
    ] = Path("../shared/benchmarks"),
    squad_store: Annotated[str, typer.Option(help="Store with the SQuAD corpus (citeqa eval --benchmark squad builds it).")] = ".citeqa/bench-squad",
    default_store: Annotated[str, typer.Option(help="Store with the default corpus (for the shipped dev set).")] = ".citeqa/store",
    answerable: Annotated[int, typer.Option(help="SQuAD train questions with answers to use.")] = 1500,
    unanswerable: Annotated[int, typer.Option(help="SQuAD 2.0 unanswerable train questions to use.")] = 1000,
    false_abstention: Annotated[float, typer.Option(help="Answerable questions allowed to abstain, on held-out questions.")] = 0.04,
    rerank: Annotated[bool, typer.Option(help="Weigh in the shipped cross-encoder reranker.")] = True,
    out: Annotated[Path | None, typer.Option(help="Model file to write (default: the shipped app/models/scorer.json).")] = None,
) -> None:
    """Fit the sentence scorer and its abstain threshold; print the held-out figures."""
    from app.qa import QA
    from app.scorer import DEFAULT_SCORER, Scorer
    from app.training.scorer_fit import collect, fit_scorer
    from eval.benchmarks import squad
    from eval.benchmarks.splits import BenchmarkError
    from eval.dataset import DEFAULT_DATASET, DatasetError, read_examples
    from store.chroma import StoreError

    if not 0 < false_abstention < 0.5:
        raise fail(f"--false-abstention must be between 0 and 0.5. Currently, it is {false_abstention}")
    try:
        hand = Scorer()
        squad_qa = QA.open(squad_store, scorer=hand)
        default_qa = QA.open(default_store, scorer=hand)
        examples = squad.examples(benchmarks_dir, "train", answerable, unanswerable)
        shipped = read_examples(DEFAULT_DATASET)
    except (BenchmarkError, DatasetError, StoreError, ValueError) as err:
        raise fail(str(err))
    typer.echo(f"collecting features: {len(examples)} SQuAD train questions, {len(shipped)} shipped", err=True)
    questions = collect(squad_qa, examples, "squad_train") + collect(default_qa, shipped, "default_dev")
    reranker = None
    if rerank:
        from app.rerank import DEFAULT_RERANKER, Reranker

        reranker = Reranker.load(DEFAULT_RERANKER)
    scorer = fit_scorer(questions, false_abstention, reranker)
    target = out or DEFAULT_SCORER
    scorer.save(target)
    typer.echo(json.dumps(scorer.training["calibration_by_source"], indent=1))
    typer.echo(f"wrote {target}", err=True)
