"""The ``accord`` command: a click group whose subcommands are imported only when used."""

from __future__ import annotations

import gc
import importlib
import importlib.util
import os
import sys
from typing import Any

import click

from accord_cli._output import Console

#: subcommand name -> module under ``accord_cli.commands`` exposing ``command``.
COMMANDS: dict[str, str] = {
    "validate": "validate",
    "bundle": "bundle",
    "lint": "lint",
    "rules": "rules",
    "diff": "diff",
    "changelog": "changelog",
    "generate": "generate",
    "mock": "mock",
    "gateway": "gateway",
    "catalog": "catalog",
    "demo": "demo",
    "test": "contract_test",
    "init": "init",
    "events": "events",
}


class LazyGroup(click.Group):
    """Keeps start-up fast: a subcommand's module (and its dependencies) loads only when it runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if self._available(name))

    def _available(self, name: str) -> bool:
        return importlib.util.find_spec(f"accord_cli.commands.{COMMANDS[name]}") is not None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMANDS.get(cmd_name)
        if module_name is None or not self._available(cmd_name):
            return None
        module = importlib.import_module(f"accord_cli.commands.{module_name}")
        command: click.Command = module.command
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="accord", prog_name="accord")
@click.option("--quiet", "-q", is_flag=True, help="Print only results and errors.")
@click.option("--no-color", is_flag=True, help="Never colour output (NO_COLOR is honoured too).")
@click.pass_context
def cli(ctx: click.Context, quiet: bool, no_color: bool) -> None:
    """Accord: contract-first API governance for OpenAPI and AsyncAPI."""
    color = not no_color and "NO_COLOR" not in os.environ
    ctx.obj = Console(quiet=quiet, color=color)


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point."""
    # A command allocates a resolved contract graph that lives until the process exits; the
    # default young-generation threshold would re-scan it over and over while it is built.
    gc.set_threshold(100_000, 50, 50)
    return cli.main(args=argv, prog_name="accord", standalone_mode=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
