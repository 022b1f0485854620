"""``accord rules``: list the lint rules (built-in, plugins, structural checks) as text, JSON or Markdown."""

from __future__ import annotations

from pathlib import Path

import click

from accord.errors import UsageError
from accord_cli._errors import report_errors
from accord_cli._output import console


@click.command("rules")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="markdown is the rule catalogue page (rationale, bad and good examples).",
)
@click.option(
    "--family", "families", multiple=True, metavar="F", help="Only rules of this family (repeatable)."
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also list the plugin rules this accord.yaml loads.",
)
@report_errors
def command(fmt: str, families: tuple[str, ...], config_path: Path | None) -> None:
    """List the rules `accord lint` knows: id, default severity, family, what it applies to, summary."""
    from accord import report
    from accord_cli.docgen import catalogue_rules

    rules = catalogue_rules(plugins=True, config_path=config_path)
    known = sorted({r.family for r in rules})
    unknown = [family for family in families if family not in known]
    if unknown:
        raise UsageError(f"unknown rule family {unknown[0]!r}; families: {', '.join(known)}")
    if families:
        rules = [r for r in rules if r.family in families]
    if fmt == "json":
        text = report.render_rules_json(rules, report.ReportContext(tool_version=_version()))
    elif fmt == "markdown":
        text = report.render_rule_catalogue(rules)
    else:
        text = report.render_rules_text(rules)
    console().out(text, nl=False)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("accord")
    except PackageNotFoundError:  # pragma: no cover - source tree without metadata
        return "0.0.0"
