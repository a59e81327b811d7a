"""Where errors meet the user: the package's own errors as one line, anything else as an internal error.

`EdgeGroup` wraps every command. A `CiteqaError` (or `IngestError`) prints `error: <message>`
and exits 1; any other exception is a bug: one line "internal error, please report: <Type>:
<message>" and exit 70 (EX_SOFTWARE), with the full traceback under `--verbose`. A reader that stops
early (`citeqa eval --help | head`) ends the command quietly, as a closed pipe ends any shell tool.
"""

import os
import sys
import traceback
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

import typer
from typer.core import TyperGroup

from citeqa.errors import CiteqaError

INTERNAL_ERROR = 70  # sysexits.h EX_SOFTWARE
CLOSED_PIPE = 141  # what a shell reports for a tool ended by SIGPIPE (128 + 13)


@dataclass(frozen=True)
class Embedding:
    """How to run the embedding model: backend (None: the library's default) and where exports are cached."""

    backend: str | None = None
    cache_dir: Path | None = None


@dataclass(frozen=True)
class Session:
    """What the top-level options set for every command."""

    verbose: bool = False
    embedding: Embedding = field(default_factory=Embedding)


_SESSION: ContextVar[Session] = ContextVar("citeqa_session", default=Session())


def start_session(options: Session) -> None:
    """Record the top-level options for the command about to run (the CLI's callback does this)."""
    _SESSION.set(options)


def session() -> Session:
    """The running command's session (the defaults when no command set one)."""
    return _SESSION.get()


def fail(message: str) -> typer.Exit:
    """Print one line to stderr and return the exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def is_user_error(err: Exception) -> bool:
    """True for the package's own errors: a mistake the user can fix, not a bug."""
    if isinstance(err, CiteqaError):
        return True
    from citeqa.ingest.pipeline import IngestError  # not a CiteqaError yet; imported only once something failed

    return isinstance(err, IngestError)


class EdgeGroup(TyperGroup):
    """The root command group: turns exceptions from any command into one line and an exit code."""

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):  # typer's own exits and usage errors
            raise
        except BrokenPipeError:  # the reader went away: nothing to report, and nothing left to flush at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(CLOSED_PIPE) from None
        except Exception as err:
            if is_user_error(err):
                raise fail(str(err)) from None
            if session().verbose:
                traceback.print_exc()
            message = str(err).strip().splitlines()
            typer.echo(f"internal error, please report: {type(err).__name__}: {message[0] if message else ''}".rstrip(": "), err=True)
            raise typer.Exit(INTERNAL_ERROR) from None
