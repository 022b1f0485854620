"""Exit codes live here and only here: 0 ok, 1 findings/drift/breaking, 2 usage or unreadable input."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from accord.errors import AccordError
from accord_cli._output import console

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2

F = TypeVar("F", bound=Callable[..., Any])


class Failed(click.exceptions.Exit):
    """The command ran and found what it was asked to fail on (exit 1)."""

    def __init__(self) -> None:
        super().__init__(EXIT_FINDINGS)


def report_errors(func: F) -> F:
    """Turn engine errors into a one-line located message on stderr and exit 2 (never a traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AccordError as exc:
            console().error(str(exc))
            raise click.exceptions.Exit(EXIT_USAGE) from None
        except OSError as exc:
            console().error(f"{getattr(exc, 'filename', '') or ''} {exc.strerror or exc}".strip())
            raise click.exceptions.Exit(EXIT_USAGE) from None

    return wrapper  # type: ignore[return-value]
