"""`citeqa ask`: one question from the command line, answered with numbered article sources."""

import json
from typing import Annotated

import typer

from citeqa.edge import fail
from citeqa.engine import open_qa
from citeqa.llm_options import LlmKeyOption, LlmModelOption, LlmTimeoutOption, LlmUrlOption, ModeOption, generator_or_none
from citeqa.options import DEFAULT_STORE, JsonOption, ModelOption, StoreOption
from citeqa.terminal import printable


def ask(
    question: Annotated[str, typer.Argument(help="The question, in quotes.")],
    k: Annotated[int | None, typer.Option("--k", min=1, max=50, help="Passages handed to answer composition (default: the engine's).")] = None,
    store: StoreOption = DEFAULT_STORE,
    model: ModelOption = None,
    mode: ModeOption = "extractive",
    llm_url: LlmUrlOption = None,
    llm_model: LlmModelOption = None,
    llm_key: LlmKeyOption = None,
    llm_timeout: LlmTimeoutOption = 30.0,
    source: Annotated[str | None, typer.Option("--source", metavar="NAME", help="Only articles from this outlet (as stored, any case).")] = None,
    since: Annotated[str | None, typer.Option("--since", metavar="DATE", help="Only articles published on or after DATE (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option("--until", metavar="DATE", help="Only articles published on or before DATE (YYYY-MM-DD).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Answer a question from the stored articles, citing the article behind every claim."""
    from citeqa.app.qa import AnswerSettings, QuestionError
    from citeqa.store.connection import StoreError

    try:
        generator = generator_or_none(llm_url, llm_model, llm_key, llm_timeout)
        if mode == "generative" and generator is None:
            raise fail("--mode generative needs an OpenAI-compatible endpoint: pass --llm-url (or set CITEQA_LLM_URL)")
        qa = open_qa(store, model, AnswerSettings(mode=mode), generator, one_shot=True)
        answer = qa.ask(question, k=k, source=source, since=since, until=until)
    except (StoreError, QuestionError) as err:
        raise fail(str(err))
    if as_json:
        payload = answer.as_dict()
        payload["citations"] = [
            {key: c[key] for key in ("marker", "article_id", "title", "author", "date", "evidence")}
            for c in payload["citations"]
        ]
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    for notice in answer.notices:
        typer.echo(printable(f"note: {notice}"), err=True)
    typer.echo(printable(answer.text))
    if answer.citations:
        typer.echo("")
    for citation in answer.citations:
        byline = ", ".join(part for part in (citation.author, citation.date) if part) or "no byline"
        typer.echo(printable(f"[{citation.marker}] {citation.title} — {byline} — {citation.article_id}"))
        for evidence in citation.evidence:
            typer.echo(printable(f"    “{evidence.text}”"))
