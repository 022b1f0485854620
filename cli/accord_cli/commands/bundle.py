"""``accord bundle``: one self-contained document (``--dereference`` inlines every reference)."""

from __future__ import annotations

from pathlib import Path

import click
import orjson
import yaml

from accord.contracts import load_one
from accord.loader.bundle import bundle, dereference
from accord.validation import ref_findings
from accord_cli._errors import EXIT_USAGE, report_errors
from accord_cli._output import console


@click.command("bundle")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write here instead of stdout.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml", "json"]),
    default=None,
    help="Output format (default: from --output's suffix, else YAML).",
)
@click.option("--dereference", is_flag=True, help="Inline every $ref (recursive schemas keep a local $ref).")
@report_errors
def command(
    path: Path, output: Path | None, fmt: str | None, dereference_: bool = False, **kwargs: bool
) -> None:
    """Bundle the contract at PATH and the files it references into one document."""
    inline = dereference_ or kwargs.get("dereference", False)
    out = console()
    doc = load_one(path)
    problems = list(ref_findings(doc))
    if problems:
        for finding in problems:
            out.error(f"{finding.location}: {finding.message}")
        raise click.exceptions.Exit(EXIT_USAGE)
    data = dereference(doc) if inline else bundle(doc)
    chosen = fmt or ("json" if output is not None and output.suffix.lower() == ".json" else "yaml")
    if chosen == "json":
        text = orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n"
    else:
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    if output is None:
        out.out(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        out.info(f"wrote {output}")
