"""``accord test``: check that a running implementation honours its contract (schemathesis)."""

from __future__ import annotations

from pathlib import Path

import click

from accord.contracts import load_contract_set
from accord.errors import UsageError
from accord_cli._errors import Failed, report_errors
from accord_cli._output import console
from accord_cli.contract_testing.runner import TestOptions, merged_junit, run_domain, summary_json


@click.command("test")
@click.argument("domains", nargs=-1)
@click.option("--base-url", required=True, help="Where the implementation (or gateway/mock) listens.")
@click.option(
    "--contracts",
    "contracts_path",
    default="contracts",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Contract folder with accord.yaml, or one OpenAPI file.",
)
@click.option("--max-examples", default=10, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--max-time", type=click.IntRange(1, 86_400), help="Time budget per domain, seconds.")
@click.option("--phases", default="examples,coverage,fuzzing,stateful", show_default=True)
@click.option("--header", "-H", "headers", multiple=True, help="NAME:VALUE sent with every request.")
@click.option("--seed", type=int, help="Random seed for reproducible runs.")
@click.option(
    "--exclude-check",
    "exclude_checks",
    multiple=True,
    help="A schemathesis check to skip, e.g. ignored_auth for a mock that does not authenticate.",
)
@click.option("--junit", "junit_path", type=click.Path(path_type=Path), help="Write a JUnit XML report here.")
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Write a JSON report here.")
@report_errors
def command(
    domains: tuple[str, ...],
    base_url: str,
    contracts_path: Path,
    max_examples: int,
    max_time: int | None,
    phases: str,
    headers: tuple[str, ...],
    seed: int | None,
    exclude_checks: tuple[str, ...],
    junit_path: Path | None,
    json_path: Path | None,
) -> None:
    """Property-test an implementation at --base-url against the OpenAPI contracts of DOMAINS.

    Runs schemathesis (examples, coverage, fuzzing and stateful phases through OpenAPI links)
    with every built-in check plus Accord's (problem+json errors, ETag on reads, Retry-After).
    Exit 1 when any check fails.
    """
    out = console()
    if not base_url.startswith(("http://", "https://")):
        raise UsageError(f"--base-url must be an http(s) URL, got {base_url!r}")
    for header in headers:
        if ":" not in header:
            raise UsageError(f"--header must be NAME:VALUE, got {header!r}")
    contract_set = load_contract_set([contracts_path])
    if contract_set.errors:
        raise contract_set.errors[0]
    documents = {
        (contract_set.domain_of(doc) or doc.path.stem): doc
        for doc in contract_set.documents
        if doc.kind == "openapi"
    }
    unknown = sorted(set(domains) - set(documents))
    if unknown:
        raise UsageError(f"unknown domain(s): {', '.join(unknown)} (known: {', '.join(sorted(documents))})")
    options = TestOptions(
        base_url.rstrip("/"),
        max_examples,
        max_time,
        phases,
        headers,
        seed=seed,
        exclude_checks=exclude_checks,
    )
    results = []
    for name in domains or sorted(documents):
        out.info(f"testing {name} against {base_url} ...")
        result = run_domain(name, documents[name], options)
        results.append(result)
        status = "passed" if result.passed else f"{len(result.failures)} failure(s)"
        out.out(f"{name}: {result.operations} test case(s), {status}")
        for failure in result.failures[:20]:
            first_line = failure["message"].splitlines()[0] if failure["message"] else ""
            out.out(f"  {failure['kind']}: {failure['operation']}: {first_line}")
    if junit_path:
        junit_path.write_text(merged_junit(results), encoding="utf-8")
    if json_path:
        json_path.write_text(summary_json(results), encoding="utf-8")
    if not all(r.passed for r in results):
        raise Failed()
