"""``accord catalog``: what the contract set holds — domains, owners, operations and events."""

from __future__ import annotations

import click
import orjson

from accord.catalog import summarise
from accord.contracts import load_contract_set
from accord.validation import validate_document
from accord_cli._errors import EXIT_USAGE, Failed, report_errors
from accord_cli._output import console


@click.command("catalog")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--verbose", "-v", is_flag=True, help="List every operation and event.")
@report_errors
def command(paths: tuple[str, ...], fmt: str, verbose: bool) -> None:
    """Validate and summarise a contract set (default: ./contracts or the current folder)."""
    out = console()
    contract_set = load_contract_set(paths or ["contracts"])
    for exc in contract_set.errors:
        out.error(str(exc))
    invalid = sum(len(validate_document(doc)) for doc in contract_set.documents)
    summaries = summarise(contract_set)
    if fmt == "json":
        payload = {"domains": [s.to_dict() for s in summaries], "structuralErrors": invalid}
        out.out(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode())
    else:
        header = f"{'domain':<12} {'owner':<22} {'system of record':<36} {'stability':<9} ops  pub  sub"
        out.out(out.style(header, bold=True))
        for s in summaries:
            out.out(
                f"{s.domain:<12} {s.owner:<22} {s.system_of_record[:36]:<36} {s.stability:<9} "
                f"{len(s.operations):>3}  {len(s.publishes):>3}  {len(s.consumes):>3}"
            )
            if verbose:
                for op in s.operations:
                    out.out(f"    {op}")
                for address in s.publishes:
                    out.out(f"    publishes {address}")
                for address in s.consumes:
                    out.out(f"    consumes  {address}")
        total_ops = sum(len(s.operations) for s in summaries)
        total_events = sum(len(s.publishes) for s in summaries)
        out.out(
            f"\n{len(summaries)} domains, {total_ops} operations, {total_events} published events, "
            f"{len(contract_set.documents)} documents, "
            + ("all structurally valid" if invalid == 0 else f"{invalid} structural error(s)")
        )
    if contract_set.errors and not contract_set.documents:
        raise click.exceptions.Exit(EXIT_USAGE)
    if invalid or contract_set.errors:
        raise Failed()
