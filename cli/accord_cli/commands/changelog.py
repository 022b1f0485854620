"""``accord changelog``: markdown of contract changes between two git revisions (or a revision and the
working tree), grouped by domain and operation, breaking changes first."""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path

import click

from accord.diff.changelog import render_changelog
from accord.diff.runner import DiffResult
from accord.errors import InputError, UsageError
from accord_cli._errors import report_errors
from accord_cli._output import console
from accord_cli.commands.diff import default_paths, git, load_ignores, run_diff


def latest_tag() -> str:
    try:
        return git("describe", "--tags", "--abbrev=0").decode().strip()
    except InputError:
        raise UsageError("no git tag to start from; pass --from REV") from None


@click.command("changelog")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--from", "from_rev", metavar="REV", help="Base revision (default: the latest tag).")
@click.option("--to", "to_rev", metavar="REV", help="Revision to describe (default: the working tree).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@click.option("--ignore-file", type=click.Path(dir_okay=False), help="Accepted changes to leave out.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), hidden=True)
@report_errors
def command(
    paths: tuple[str, ...],
    from_rev: str | None,
    to_rev: str | None,
    output: Path | None,
    ignore_file: str | None,
    today: object,
) -> None:
    """Write a markdown changelog of the contracts in PATHS (default .) from --from to --to."""
    when = today.date() if hasattr(today, "date") else date.today()
    start = from_rev or latest_tag()
    ignores = load_ignores(ignore_file)
    results: list[DiffResult] = []
    with contextlib.ExitStack() as stack:
        for path in paths or default_paths():
            target = f"{to_rev}:{path}" if to_rev else path
            results.extend(run_diff(f"{start}:{path}", target, today=when, ignores=ignores, stack=stack))
    text = render_changelog(results, f"API changes: {start} -> {to_rev or 'working tree'}")
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror or exc}") from None
        console().info(f"wrote {output}")
    else:
        console().out(text, nl=False)
