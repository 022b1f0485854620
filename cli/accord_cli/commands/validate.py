"""``accord validate``: structural validation of contracts (exit 0 valid, 1 invalid, 2 unreadable)."""

from __future__ import annotations

import sys

import click
import orjson

from accord.contracts import load_contract_set
from accord.errors import InputError
from accord.model import Finding
from accord.validation import error_finding, validate_document
from accord_cli._errors import EXIT_USAGE, Failed, report_errors
from accord_cli._output import console
from accord_cli._progress import Progress


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--allow-remote-refs", is_flag=True, help="Follow http(s) $refs (refused by default).")
@report_errors
def command(paths: tuple[str, ...], fmt: str, allow_remote_refs: bool) -> None:
    """Check that contracts are well-formed OpenAPI 3.0/3.1 or AsyncAPI 2.6/3.0 documents.

    PATHS are files or folders (default: the current folder). A folder holding an accord.yaml
    catalogue contributes the documents it lists.
    """
    out = console()
    with Progress(not out.quiet and sys.stderr.isatty(), color=out.color) as progress:
        progress.update("loading contracts")
        contract_set = load_contract_set(paths or ["."], allow_remote=allow_remote_refs)
        findings: list[Finding] = [error_finding(exc, "?") for exc in contract_set.errors]
        unreadable = any(isinstance(exc, InputError) for exc in contract_set.errors)
        per_doc: dict[str, int] = {}
        for doc in contract_set.documents:
            progress.update(f"validating {doc.display}")
            found = validate_document(doc)
            per_doc[doc.display] = len(found)
            findings.extend(found)
    if fmt == "json":
        payload = {
            "valid": not findings,
            "documents": [
                {"file": d.display, "kind": d.kind, "version": d.version, "errors": per_doc[d.display]}
                for d in contract_set.documents
            ],
            "errors": [f.to_dict() for f in findings],
        }
        out.out(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode())
    else:
        for finding in findings:
            out.out(f"{finding.location}: {finding.rule_id}: {finding.message}")
        for doc in contract_set.documents:
            status = "ok" if per_doc[doc.display] == 0 else f"{per_doc[doc.display]} error(s)"
            out.info(f"{doc.display} ({doc.kind} {doc.version}): {status}")
        if not contract_set.documents and not findings:
            out.info("no contract documents found")
    if unreadable and not contract_set.documents:
        raise click.exceptions.Exit(EXIT_USAGE)
    if findings:
        raise Failed()
