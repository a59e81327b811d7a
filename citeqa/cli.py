"""The `citeqa` command line: the typer app, its top-level options, and every command registered once.

Imports flow one way: this module imports the `*_cmd` modules (plain functions), which import
`options` (shared defaults and flags), `edge` (errors) and `engine` (opening the model and QA);
none of them imports this one. Heavy libraries are imported inside the commands, so
`citeqa --help` and `citeqa ask --help` stay instant.
"""

import logging
import os
from pathlib import Path
from typing import Annotated, Literal

import typer

from citeqa import ask_cmd, bench_cmd, eval_cmd, ingest_cmd, load_cmd, serve_cmd, train_cmd
from citeqa.edge import EdgeGroup, Embedding, Session, start_session

app = typer.Typer(
    cls=EdgeGroup,
    help="Answer questions about a folder of articles, citing the article behind every claim.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _quiet_libraries() -> None:
    for name in ("transformers", "sentence_transformers", "chromadb", "httpx", "bm25s"):
        logging.getLogger(name).setLevel(logging.ERROR)


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens; show the traceback of an internal error.")] = False,
    embedding_backend: Annotated[
        Literal["onnx", "torch"] | None,
        typer.Option(
            envvar="CITEQA_EMBEDDING_BACKEND",
            help="onnx (int8, where the model allows; the default) or torch (sentence-transformers, fp32).",
        ),
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(envvar="CITEQA_CACHE_DIR", help="Where the model's int8 ONNX export is kept (default ~/.cache/citeqa)."),
    ] = None,
) -> None:
    """citeqa: cited answers from your articles."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    _quiet_libraries()
    # Before any model or page loads: no hub downloads or telemetry from an offline machine (subprocesses inherit it).
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    start_session(Session(verbose, Embedding(embedding_backend, cache_dir)))


app.command()(ingest_cmd.ingest)
app.command()(ask_cmd.ask)
app.command()(serve_cmd.serve)
app.command("eval")(eval_cmd.eval_command)
app.command()(bench_cmd.bench)
app.command("load-test")(load_cmd.load_test)
app.add_typer(train_cmd.train_app, name="train")


def run(args: list[str] | None = None) -> None:
    """Console-script entry point (`args`: instead of sys.argv[1:])."""
    app(args, prog_name="citeqa")
