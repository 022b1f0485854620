"""``python -m accord_cli.docgen_all DOCS``: regenerate every generated page of the documentation site.

Writes ``DOCS/reference/cli.md`` (click command tree), ``DOCS/reference/change-kinds.md`` (the diff
registry), ``DOCS/reference/contracts/*.md`` (the contracts), ``DOCS/reference/changelog.md`` (git
history) and, through ``accord_cli.docgen``, ``DOCS/reference/rules.md`` (the rule registry).
``--check`` writes nothing and exits 1 when a page that depends only on the code and the contracts
is stale (CLI, change kinds, contracts, rules); the changelog depends on the commit being made, so
it is never checked.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from accord_cli._errors import Failed, report_errors
from accord_cli._output import console
from accord_cli.docgen_changelog import repo_judge, write_changelog
from accord_cli.docgen_changes import write_change_kinds
from accord_cli.docgen_cli import write_cli_reference
from accord_cli.docgen_contracts import write_contract_reference


def _rules_writer() -> Callable[..., Any] | None:
    """The rule-reference writer of ``accord_cli.docgen`` (owned by the lint CLI), when present."""
    try:
        module = importlib.import_module("accord_cli.docgen")
    except ImportError:
        return None
    for name in ("write_rules_page", "write_rules", "write_rule_reference"):
        writer = getattr(module, name, None)
        if callable(writer):
            return writer  # type: ignore[no-any-return]
    return None


def _call_rules_writer(writer: Callable[..., Any], docs: Path) -> list[Path]:
    params = inspect.signature(writer).parameters
    result = (
        writer(docs / "reference" / "rules.md") if "path" in params or "target" in params else writer(docs)
    )
    if isinstance(result, Path):
        return [result]
    if isinstance(result, (list, tuple)):
        return [Path(p) for p in result]
    return [docs / "reference" / "rules.md"]


def generate(
    docs: Path, contracts: Path, *, changelog: bool = True, rules: bool = True, judge: bool = True
) -> list[Path]:
    """Write every generated page; returns the paths written. ``judge`` diffs every commit of the
    changelog with its parent (about two seconds per commit)."""
    written = [write_cli_reference(docs), write_change_kinds(docs)]
    written += write_contract_reference(docs, contracts)
    if changelog:
        written.append(write_changelog(docs, contracts, repo_judge(contracts) if judge else None))
    writer = _rules_writer() if rules else None
    if writer is not None:
        written += _call_rules_writer(writer, docs)
    return written


def stale_pages(docs: Path, contracts: Path) -> list[tuple[Path, str]]:
    """(page, unified diff) for each CLI/contract page whose committed text differs from a fresh render."""
    stale: list[tuple[Path, str]] = []
    with tempfile.TemporaryDirectory(prefix="accord-docs-") as tmp:
        fresh_root = Path(tmp)
        fresh = [
            write_cli_reference(fresh_root),
            write_change_kinds(fresh_root),
            *write_contract_reference(fresh_root, contracts),
        ]
        writer = _rules_writer()
        if writer is not None:
            fresh += _call_rules_writer(writer, fresh_root)
        for page in fresh:
            rel = page.relative_to(fresh_root)
            current = docs / rel
            old = current.read_text(encoding="utf-8") if current.is_file() else ""
            new = page.read_text(encoding="utf-8")
            if old != new:
                diff = "".join(
                    difflib.unified_diff(
                        old.splitlines(keepends=True),
                        new.splitlines(keepends=True),
                        str(current),
                        f"{rel} (fresh)",
                    )
                )
                stale.append((current, diff))
    return stale


@click.command("docgen")
@click.argument("docs", type=click.Path(file_okay=False, path_type=Path), default=Path("docs"))
@click.option(
    "--contracts",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("contracts"),
    show_default=True,
    help="Contract catalogue folder.",
)
@click.option(
    "--check", is_flag=True, help="Write nothing; exit 1 when a generated page (not the changelog) is stale."
)
@click.option("--no-judge", is_flag=True, help="Changelog without diffing each commit (faster).")
@report_errors
def command(docs: Path, contracts: Path, check: bool, no_judge: bool) -> None:
    """Regenerate the generated pages of the documentation in DOCS (default: docs)."""
    out = console()
    if check:
        stale = stale_pages(docs, contracts)
        for page, diff in stale:
            out.error(f"{page} is stale; run `python -m accord_cli.docgen_all {docs}`")
            out.out(diff)
        if stale:
            raise Failed()
        out.info("generated documentation is up to date")
        return
    written = generate(docs, contracts, judge=not no_judge)
    for path in written:
        out.info(f"wrote {path}")
    if _rules_writer() is None:
        out.info("accord_cli.docgen has no rule-reference writer; docs/reference/rules.md left as it is")


def main(argv: list[str] | None = None) -> Any:
    return command.main(args=argv, prog_name="python -m accord_cli.docgen_all", standalone_mode=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
