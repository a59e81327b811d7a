"""`citeqa train`: fit the answering engine's learned parts on the public train splits.

`citeqa train scorer` runs the real pipeline over SQuAD's train articles (answerable and
SQuAD 2.0 unanswerable questions) and the shipped default-corpus set, fits the sentence
scorer, calibrates its abstain threshold and writes `app/models/scorer.json`.
`citeqa train reranker` fine-tunes the MiniLM cross-encoder on train-split pairs, exports it
to int8 ONNX, evaluates it (held-out train questions for the threshold, SQuAD test articles
for reporting) and writes the shipped folder `app/models/reranker/`.
`citeqa train lexicon` rewrites the word lists in `app/models/` (verb forms, proper names, modifiers, common
words, words of either case) from lemminflect's lexicon.
"""

import json
from pathlib import Path
from typing import Annotated

import typer

from citeqa.edge import fail
from citeqa.engine import open_qa
from citeqa.options import DEFAULT_BENCHMARKS, DEFAULT_STORE, BenchmarksOption

train_app = typer.Typer(help="Fit the engine's learned parts on public train splits.", no_args_is_help=True)


@train_app.command("reranker")
def train_reranker(
    benchmarks_dir: BenchmarksOption = DEFAULT_BENCHMARKS,
    out: Annotated[Path | None, typer.Option(help="Folder to write (default: the shipped app/models/reranker/).")] = None,
    work: Annotated[Path, typer.Option(help="Folder for the torch checkpoint between fitting and export.")] = Path(".citeqa/reranker-work"),
    fit: Annotated[bool, typer.Option(help="Fit a new checkpoint (--no-fit: export and evaluate the one in --work).")] = True,
    squad_questions: Annotated[int, typer.Option(min=1, help="SQuAD train-article questions to sample (6000: all of them).")] = 6000,
    multihop_queries: Annotated[int, typer.Option(min=0, help="MultiHop-RAG dev queries to sample.")] = 700,
    validation_questions: Annotated[int, typer.Option(min=2, help="Held-out train questions for checkpoint and threshold.")] = 120,
    max_steps: Annotated[int | None, typer.Option(min=1, help="Stop training after this many batches.")] = None,
    test_per_kind: Annotated[int | None, typer.Option(min=1, help="Sample this many test questions of each kind.")] = None,
    baseline: Annotated[bool, typer.Option(help="Also evaluate the bi-encoder cosine on the test questions.")] = True,
) -> None:
    """Fine-tune, export (int8 ONNX) and evaluate the cross-encoder reranker; print its test figures."""
    import logging

    logging.getLogger("citeqa.app.training").setLevel(logging.INFO)  # a long job: show its progress on stderr
    from citeqa.app.rerank import DEFAULT_RERANKER
    from citeqa.app.training.fit import FitSettings
    from citeqa.app.training.reranker import RerankerRecipe, fit_stage, ship_stage

    recipe = RerankerRecipe(fit=FitSettings(max_steps=max_steps), validation_questions=validation_questions,
                            squad_questions=squad_questions, multihop_queries=multihop_queries)
    defaults = {"squad_questions": 6000, "multihop_queries": 700, "validation_questions": 120, "max_steps": None,
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


@train_app.command("scorer")
def train_scorer(
    benchmarks_dir: BenchmarksOption = DEFAULT_BENCHMARKS,
    squad_store: Annotated[str, typer.Option(help="Store with the SQuAD corpus (citeqa eval --benchmark squad builds it).")] = ".citeqa/bench-squad",
    default_store: Annotated[str, typer.Option(help="Store with the default corpus (for the shipped dev set).")] = DEFAULT_STORE,
    answerable: Annotated[int, typer.Option(help="SQuAD train questions with answers to use.")] = 1500,
    unanswerable: Annotated[int, typer.Option(help="SQuAD 2.0 unanswerable train questions to use.")] = 1000,
    out_of_corpus: Annotated[
        int, typer.Option(help="SQuAD train questions also asked with their article hidden: natural unanswerables.")
    ] = 1000,
    false_abstention: Annotated[float, typer.Option(help="Answerable questions allowed to abstain, on held-out questions.")] = 0.04,
    news_share: Annotated[float, typer.Option(help="Share of the fit's weight given to the shipped news set.")] = 0.5,
    rerank: Annotated[bool, typer.Option(help="Weigh in the shipped cross-encoder reranker (off: it does not pay yet).")] = False,
    out: Annotated[Path | None, typer.Option(help="Model file to write (default: the shipped app/models/scorer.json).")] = None,
) -> None:
    """Fit the sentence scorer and its abstain threshold; print the held-out figures."""
    from citeqa.app.scorer import DEFAULT_SCORER, Scorer
    from citeqa.app.training.out_of_corpus import collect_out_of_corpus
    from citeqa.app.training.scorer_fit import collect, fit_scorer
    from citeqa.eval.benchmarks import squad
    from citeqa.eval.dataset import DEFAULT_DATASET, read_examples

    if not 0 < false_abstention < 0.5:
        raise fail(f"--false-abstention must be between 0 and 0.5. Currently, it is {false_abstention}")
    if out_of_corpus < 0:
        raise fail(f"--out-of-corpus must be 0 or more. Currently, it is {out_of_corpus}")
    if not 0 <= news_share < 1:
        raise fail(f"--news-share must be at least 0 and below 1. Currently, it is {news_share}")
    hand = Scorer()
    squad_qa = open_qa(squad_store, scorer=hand, one_shot=True)
    default_qa = open_qa(default_store, scorer=hand, one_shot=True)
    examples = squad.examples(benchmarks_dir, "train", answerable, unanswerable)
    shipped = read_examples(DEFAULT_DATASET)
    typer.echo(f"collecting features: {len(examples)} SQuAD train questions, {len(shipped)} shipped", err=True)
    asked_elsewhere = [e for e in examples if e.answerable][:out_of_corpus]
    typer.echo(f"and {len(asked_elsewhere)} of them with their article hidden", err=True)
    questions = (
        collect(squad_qa, examples, "squad_train")
        + collect_out_of_corpus(squad_qa, asked_elsewhere, "squad_out_of_corpus")
        + collect(default_qa, shipped, "default_dev")
    )
    reranker = None
    if rerank:
        from citeqa.app.rerank import DEFAULT_RERANKER, Reranker

        reranker = Reranker.load(DEFAULT_RERANKER)
    scorer = fit_scorer(questions, false_abstention, reranker, news_share=news_share)
    target = out or DEFAULT_SCORER
    scorer.save(target)
    typer.echo(json.dumps(scorer.training["calibration_by_source"], indent=1))
    typer.echo(f"wrote {target}", err=True)


@train_app.command("lexicon")
def train_lexicon() -> None:
    """Rewrite the word lists answering reads: verb-only forms, words only ever spelled with a capital, modifiers,
    words only ever spelled in lowercase, and lowercase words also spelled with a capital."""
    from citeqa.app.training.lexicon import write_lexicon
    from citeqa.app.words import COMMON_WORDS, EITHER_CASE, MODIFIERS, PROPER_NAMES, VERB_FORMS

    verbs, names, modifiers, common, either = write_lexicon()
    typer.echo(f"wrote {verbs} verb forms to {VERB_FORMS}, {names} proper names to {PROPER_NAMES}, "
               f"{modifiers} modifiers to {MODIFIERS}, {common} common words to {COMMON_WORDS} "
               f"and {either} words of either case to {EITHER_CASE}")
