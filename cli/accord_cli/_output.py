"""Console output shared by the commands: stdout for results, stderr for diagnostics."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import click


@dataclass
class Console:
    quiet: bool = False
    color: bool = True

    def _colour(self, stream: object) -> bool:
        isatty = getattr(stream, "isatty", None)
        return self.color and bool(isatty and isatty())

    def out(self, text: str = "", *, nl: bool = True) -> None:
        click.echo(text, nl=nl, color=self._colour(sys.stdout))

    def style(self, text: str, **styles: object) -> str:
        if not self._colour(sys.stdout):
            return text
        return click.style(text, **styles)  # type: ignore[arg-type]

    def info(self, text: str) -> None:
        if not self.quiet:
            click.echo(text, err=True, color=self._colour(sys.stderr))

    def error(self, text: str) -> None:
        prefix = click.style("error:", fg="red", bold=True) if self._colour(sys.stderr) else "error:"
        click.echo(f"{prefix} {text}", err=True, color=self._colour(sys.stderr))


def console(ctx: click.Context | None = None) -> Console:
    """The group's console (a default one when a command is invoked on its own, e.g. in tests)."""
    context = ctx or click.get_current_context(silent=True)
    while context is not None:
        if isinstance(context.obj, Console):
            return context.obj
        context = context.parent
    return Console()
