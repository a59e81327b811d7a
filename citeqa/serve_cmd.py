"""`citeqa serve`: the chat page on one store, optionally ingesting folders first.

Maps flags and CITEQA_* variables onto `app.web`; prints the URL once the page is
up and the model is warm. A missing or empty local store still starts the page,
with a banner saying how to add articles (uploads work from the page); every
other failure is one line on stderr and exit 1. gradio is imported only by
`app.web`, and only once the command runs.
"""

import logging
import os
import stat
import threading
import time
from pathlib import Path
from typing import Annotated

import typer

from citeqa.edge import fail
from citeqa.engine import embedder_for, open_qa
from citeqa.ingest_cmd import run_ingest
from citeqa.llm_options import LlmKeyOption, LlmModelOption, LlmTimeoutOption, LlmUrlOption, ModeOption, generator_or_none
from citeqa.options import DEFAULT_STORE, ModelOption, StoreOption
from citeqa.store.records import ChunkSettings

AuthOption = Annotated[
    str | None,
    typer.Option(
        "--auth",
        envvar="CITEQA_AUTH",
        help="user:password required to open the page. Prefer the CITEQA_AUTH variable or --auth-file: "
        "a command line is visible to every user of the machine (ps).",
    ),
]
AuthFileOption = Annotated[
    Path | None,
    typer.Option(
        "--auth-file", envvar="CITEQA_AUTH_FILE", help="File of user:password lines (one per user) required to open the page."
    ),
]
AllowHostOption = Annotated[
    list[str] | None,
    typer.Option(
        "--allow-host",
        envvar="CITEQA_ALLOWED_HOSTS",
        help="Also answer requests addressed to this host name (NAME or NAME:PORT; repeatable). "
        "Others than the bound address and loopback are refused (DNS rebinding).",
    ),
]


def read_credentials(auth: str | None, auth_file: Path | None) -> list[tuple[str, str]] | None:
    """The login pairs from --auth / CITEQA_AUTH or --auth-file, or None when neither is set."""
    from citeqa.app.web.logins import parse_credentials

    if auth and auth_file:
        raise ValueError("give either --auth (CITEQA_AUTH) or --auth-file, not both")
    if auth_file is None:
        if auth and os.environ.get("CITEQA_AUTH") != auth:
            typer.echo("warning: --auth on the command line is visible to other users (ps); use CITEQA_AUTH or --auth-file", err=True)
        return parse_credentials(auth, "--auth") if auth else None
    try:
        text = auth_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ValueError(f"cannot read --auth-file {auth_file}: {getattr(err, 'strerror', None) or 'not UTF-8 text'}")
    credentials = parse_credentials(text, str(auth_file))
    if auth_file.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH):
        typer.echo(f"warning: {auth_file} is readable by other users; chmod 600 it", err=True)
    return credentials


def allowed_names(values: list[str] | None) -> tuple[str, ...]:
    """--allow-host values, also split at commas and spaces. Example: ["a,b", "c"] -> ("a", "b", "c")."""
    return tuple(name for value in values or () for name in value.replace(",", " ").split())


def side_paths(store: str) -> tuple[Path, Path]:
    """(uploads folder, feedback file): inside a local store's folder, under .citeqa/ for a Chroma URL."""
    from citeqa.store.chroma import is_url

    base = Path(".citeqa") if is_url(store) else Path(store)
    return base / "uploads", base / "feedback.jsonl"


def _open_qa(store: str, model: str | None, settings, generator):
    """(QA, banner notice or None). A missing or empty local store opens empty, with a notice."""
    from citeqa.app.qa import QA
    from citeqa.store.chroma import is_url, open_store

    # Opened once: a failed open leaves Chroma's cached client broken, so a retry would hide the cause.
    opened = open_store(store, create=not is_url(store))  # the page can take uploads into a new local store
    if opened.settings is not None or is_url(store):
        return open_qa(store, model, settings, generator), None
    qa = QA(opened, embedder_for(opened, model), settings, generator)
    return qa, f"No articles yet. Add some in the Articles tab, or run: citeqa ingest data/articles --store {store}"


def _warm_up(qa) -> None:
    """Answer one throwaway question: loads the embedding model, tokenizer and lexical index."""
    try:
        qa.ask("What do the articles say?", mode="extractive")  # never wake a language model for this
    except Exception as err:  # only a warm-up: the first real question reports any real problem
        logging.getLogger(__name__).info("warm-up question failed: %s", err)


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind; 127.0.0.1 keeps the page on this machine.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="CITEQA_PORT", help="Port to listen on.")] = 7860,
    store: StoreOption = DEFAULT_STORE,
    ingest_paths: Annotated[
        list[Path] | None,
        typer.Option("--ingest", help="Ingest these files or folders first (incremental: unchanged files are skipped)."),
    ] = None,
    auth: AuthOption = None,
    auth_file: AuthFileOption = None,
    allow_host: AllowHostOption = None,
    model: ModelOption = None,
    mode: ModeOption = "extractive",
    llm_url: LlmUrlOption = None,
    llm_model: LlmModelOption = None,
    llm_key: LlmKeyOption = None,
    llm_timeout: LlmTimeoutOption = 30.0,
) -> None:
    """Start the chat page: cited answers, sources, article browser, uploads."""
    started = time.perf_counter()
    try:
        credentials = read_credentials(auth, auth_file)
    except ValueError as err:
        raise fail(str(err))
    from citeqa.app.web.hosts import LOOPBACK

    if host not in LOOPBACK and credentials is None:
        typer.echo(f"warning: --host {host} exposes the page without a login; set CITEQA_AUTH or --auth-file", err=True)
    from citeqa.app.qa import AnswerSettings

    generator = generator_or_none(llm_url, llm_model, llm_key, llm_timeout)
    if mode == "generative" and generator is None:
        raise fail("--mode generative needs an endpoint: --llm-url http://HOST:PORT/v1 (or CITEQA_LLM_URL)")
    if ingest_paths:
        report = run_ingest(ingest_paths, store, model, ChunkSettings(), True, show_progress=True)
        for reason in report.skipped:
            typer.echo(f"warning: {reason}", err=True)
        typer.echo(f"ingest: {report.articles} articles ({report.new} new, {report.changed} changed, {report.removed} removed)")
    qa, notice = _open_qa(store, model, AnswerSettings(mode=mode), generator)
    articles = len(qa.store.articles())
    down = generator.check() if generator else None
    if down:  # the page still works: generative answers fall back to extractive ones, with a notice
        typer.echo(f"warning: {down}", err=True)
        notice = " ".join(filter(None, [notice, f"{down} Generative answers fall back to extractive ones."]))
    # Load the model and indexes while gradio imports and the page is built, not on the first question.
    warm = threading.Thread(target=_warm_up, args=(qa,), daemon=True)
    warm.start()

    from citeqa.app.web.layout import build_demo
    from citeqa.app.web.server import launch

    uploads, feedback = side_paths(store)
    demo = build_demo(qa, uploads, feedback, notice=notice)
    try:
        launch(demo, host, port, credentials, allowed_names(allow_host), prevent_thread_lock=True)
    except OSError as err:
        raise fail(f"cannot listen on {host}:{port} ({err}). Pick another --port.")
    warm.join()
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    typer.echo(
        f"citeqa: {articles} articles from {store}; page ready at http://{shown}:{port}/ "
        f"in {time.perf_counter() - started:.1f} s{' (login required)' if credentials else ''}. Ctrl+C stops it.",
    )
    try:
        demo.block_thread()
    except KeyboardInterrupt:
        pass
