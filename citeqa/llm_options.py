"""Command-line options for the optional OpenAI-compatible endpoint, shared by `ask`, `serve` and `eval`."""

from typing import Annotated, Literal

import typer

ModeOption = Annotated[
    Literal["extractive", "generative"],
    typer.Option("--mode", envvar="CITEQA_MODE", help="extractive (default, no server) or generative (needs --llm-url)."),
]
LlmUrlOption = Annotated[
    str | None,
    typer.Option("--llm-url", envvar="CITEQA_LLM_URL", help="Base URL of an OpenAI-compatible API, e.g. http://127.0.0.1:8080/v1."),
]
LlmModelOption = Annotated[
    str | None, typer.Option("--llm-model", envvar="CITEQA_LLM_MODEL", help="Model name to request from the endpoint.")
]
LlmKeyOption = Annotated[
    str | None, typer.Option("--llm-key", envvar="CITEQA_LLM_KEY", help="API key for the endpoint, if it needs one.")
]
LlmTimeoutOption = Annotated[
    float, typer.Option("--llm-timeout", envvar="CITEQA_LLM_TIMEOUT", min=1.0, help="Seconds to wait for the endpoint.")
]


def generator_or_none(url: str | None, model: str | None, key: str | None, timeout: float):
    """The generative backend for these options, or None when no endpoint is configured."""
    if not url:
        return None
    from citeqa.app.generate import Generator  # only loaded when an endpoint is configured

    return Generator(base_url=url, model=model or "default", api_key=key, timeout=timeout)
