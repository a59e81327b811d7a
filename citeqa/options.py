"""Defaults and typer options shared by the commands, each defined once.

Light on purpose (typer and the standard library only): every command module imports it,
and `citeqa ask --help` must not load numpy, chromadb, torch or gradio.
"""

from pathlib import Path
from typing import Annotated

import typer

DEFAULT_STORE = ".citeqa/store"
DEFAULT_BENCHMARKS = Path("../shared/benchmarks")

StoreOption = Annotated[
    str,
    typer.Option("--store", envvar="CITEQA_STORE", help="Store directory, or http://HOST:PORT of a Chroma server."),
]
ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model",
        envvar="CITEQA_MODEL",
        help="sentence-transformers model name or local path (default: the store's model, else all-MiniLM-L6-v2).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object and nothing else.")]
BenchmarksOption = Annotated[
    Path, typer.Option(envvar="CITEQA_BENCHMARKS", help="Folder holding the public benchmarks and splits.json.")
]
