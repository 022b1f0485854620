"""The documentation generators: CLI reference, contract reference, change kinds, changelog, docgen_all."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import click
import pytest
from accord_cli.docgen_all import command as docgen_command
from accord_cli.docgen_all import generate, stale_pages
from accord_cli.docgen_changelog import diff_judge, render_changelog
from accord_cli.docgen_changes import render_change_kinds
from accord_cli.docgen_cli import render_cli_reference
from accord_cli.docgen_contracts import render_pages, write_contract_reference
from accord_cli.main import cli
from click.testing import CliRunner

from accord.contracts import load_contract_set
from accord.diff import KINDS
from accord.errors import AccordError

ROOT = Path(__file__).resolve().parents[2]
_LINK = re.compile(r"\]\(([^)\s]*)\)")
_ANCHOR = re.compile(r"\{ #([a-z0-9-]+) \}")


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return render_pages(load_contract_set([ROOT / "contracts"]))


# -- CLI reference ------------------------------------------------------------------------------


def test_cli_reference_lists_every_command_with_usage_and_options() -> None:
    text = render_cli_reference()
    ctx = click.Context(cli, info_name="accord")
    for name in cli.list_commands(ctx):
        assert f"## `accord {name}`" in text
        assert f"[`{name}`](#accord-{name})" in text
    assert "accord init [OPTIONS] DOMAIN" in text
    assert "| `--system-of-record` | `SYS` |  | System of record (e.g. 'ERP / WMS'). |" in text
    assert "| `--stability` | `stable` \\| `beta` \\| `experimental` | `experimental` |" in text
    assert "| `--quiet`, `-q` | flag |  | Print only results and errors. |" in text
    assert "Sentinel" not in text and "`--help`" not in text
    assert "Default: &lt;domain&gt;-team." in text  # help text is prose, not raw HTML


def test_cli_reference_renders_groups_blocks_and_escapes() -> None:
    @click.group()
    def tool() -> None:
        """A tool."""

    @tool.group("things")
    def things() -> None:
        """Work with <things>."""

    @things.command("make")
    @click.argument("names", nargs=-1, required=True)
    @click.option("--size", type=click.IntRange(1, 9), default=3, show_default=True, help="A | size.")
    @click.option("--tag", multiple=True, envvar="TOOL_TAG", help="Tags.")
    @click.option("--secret", hidden=True)
    def make(names: tuple[str, ...], size: int, tag: tuple[str, ...], secret: str | None) -> None:
        """Make THINGS.

        \b
        line one
          indented two

        Keep `a|b` as code.\f
        Internal notes that users never see.
        """

    text = render_cli_reference(tool, "tool")
    assert "## `tool things`" in text and "### `tool things make`" in text
    assert "Work with &lt;things&gt;." in text
    assert "```text\nline one\n  indented two\n```" in text
    assert "Keep `a|b` as code." in text and "Internal notes" not in text
    assert "- `NAMES...` — required (one or more)" in text
    assert "| `--size` | `INTEGER RANGE` | `3` | A \\| size. |" in text
    assert "| `--tag` | `TEXT` |  | Tags. Repeatable. Environment: `TOOL_TAG`. |" in text
    assert "--secret" not in text


# -- contract reference -------------------------------------------------------------------------


def test_contract_pages_cover_every_domain(pages: dict[str, str]) -> None:
    contract_set = load_contract_set([ROOT / "contracts"])
    assert set(pages) == {"index.md", "common.md", *(f"{d}.md" for d in contract_set.config.domains)}
    for domain in contract_set.config.domains:
        assert f"[`{domain}`]({domain}.md)" in pages["index.md"]


def test_orders_page_has_operations_with_governance_facts(pages: dict[str, str]) -> None:
    orders = pages["orders.md"]
    assert orders.startswith("<!-- Generated")
    assert "| Owner | `order-management` |" in orders
    assert "| System of record | OMS |" in orders
    assert "| Upstream (gateway) | `http://127.0.0.1:9105` |" in orders
    row = next(
        line for line in orders.splitlines() if line.startswith("| [`POST /v1/orders/{orderId}/submit`]")
    )
    assert "oauth2 (`orders:write`)" in row
    assert "120 / 60 s per client" in row  # the operation's own x-accord-rate-limit
    assert "| stable |" in row
    assert "### POST `/v1/orders/{orderId}/submit` { #op-submitsalesorder }" in orders
    assert "| `Idempotency-Key` | header | yes |" in orders
    assert "`application/json`: [`SalesOrder`](#schema-salesorder)" in orders


def test_events_and_schemas_are_rendered(pages: dict[str, str]) -> None:
    orders = pages["orders.md"]
    assert "| publishes | [`orders.order.submitted.v1`]" in orders
    assert "| CloudEvents type | `com.acme.distribution.orders.order.submitted.v1` |" in orders
    assert "| Exchange | `distribution.events` (topic) |" in orders
    assert re.search(r"\| consumes \| \[`[a-z-]+\.[a-z-]+\.[a-z-]+\.v1`\]", orders)
    assert "### SalesOrder { #schema-salesorder }" in orders
    assert re.search(
        r"\| `lines` \| array of \[`SalesOrderLine`\]\(#schema-salesorderline\) \| yes \|", orders
    )
    assert "[`Money`](common.md#schema-money)" in pages["invoices.md"]
    assert "### Money { #schema-money }" in pages["common.md"]


def test_every_internal_link_has_its_anchor(pages: dict[str, str]) -> None:
    anchors = {name: set(_ANCHOR.findall(text)) for name, text in pages.items()}
    checked = 0
    for name, text in pages.items():
        for target in _LINK.findall(text):
            if target.startswith(("http", "../")):
                continue
            page, _, fragment = target.partition("#")
            page = page or name
            assert page in pages, f"{name} links to missing page {target}"
            if fragment:
                assert fragment in anchors[page], f"{name} links to missing anchor {target}"
                checked += 1
    assert checked > 500


def test_deprecated_operation_and_inline_objects(tmp_path: Path) -> None:
    (tmp_path / "accord.yaml").write_text(
        "version: 1\ndomains:\n  demo:\n    owner: t\n    systemOfRecord: S\n    openapi: openapi.yaml\n"
    )
    (tmp_path / "openapi.yaml").write_text(
        """openapi: 3.1.0
info: {title: Demo <API>, version: 2.0.0, description: "Line one.\\nLine two."}
paths:
  /v1/things:
    get:
      operationId: listThings
      deprecated: true
      x-sunset: '2030-01-31'
      x-accord-stability: beta
      security: []
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [page]
                properties:
                  page:
                    type: object
                    properties:
                      size: {type: [integer, 'null'], maximum: 100, description: 'a|b'}
                  tags: {type: array, items: {type: object, properties: {name: {type: string}}}}
"""
    )
    written = write_contract_reference(tmp_path / "docs", tmp_path)
    page = (tmp_path / "docs" / "reference" / "contracts" / "demo.md").read_text()
    assert {p.name for p in written} == {"index.md", "common.md", "demo.md"}
    assert "# Demo &lt;API&gt; (`demo`)" in page
    assert "Line one.\n\nLine two." in page
    assert '!!! warning "Deprecated"\n    This operation is deprecated. Sunset: 2030-01-31.' in page
    assert (
        "| [`GET /v1/things`](#op-listthings) |  | none (public) | — | beta, deprecated, sunset 2030-01-31 |"
        in page
    )
    assert "| `page.size` | integer \\| null |  | a\\|b (maximum: `100`) |" in page
    assert "| `tags[].name` | string |  |  |" in page


def test_unreadable_contracts_are_an_error_with_location(tmp_path: Path) -> None:
    (tmp_path / "accord.yaml").write_text(
        "version: 1\ndomains:\n  demo:\n    owner: t\n    systemOfRecord: S\n    openapi: openapi.yaml\n"
    )
    (tmp_path / "openapi.yaml").write_text("openapi: 3.1.0\ninfo: {title: x\n")
    with pytest.raises(AccordError) as caught:
        write_contract_reference(tmp_path / "docs", tmp_path)
    assert "openapi.yaml:" in str(caught.value)
    result = CliRunner().invoke(docgen_command, [str(tmp_path / "docs"), "--contracts", str(tmp_path)])
    assert result.exit_code == 2
    assert "openapi.yaml:3:1" in result.stderr and "Traceback" not in result.output


# -- change kinds -------------------------------------------------------------------------------


def test_change_kinds_page_has_a_heading_per_kind() -> None:
    text = render_change_kinds()
    headings = re.findall(r"^### ([a-z0-9-]+) \{ #\1 \}$", text, re.MULTILINE)
    assert sorted(headings) == sorted(KINDS)
    assert f"knows {len(KINDS)} kinds" in text
    section = text[text.index("### response-property-removed {") :].split("\n### ", 1)[0]
    assert "**Level:** error (breaking) · **Direction:** response" in section


# -- changelog ----------------------------------------------------------------------------------


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(repo), *args],
        check=True,
        capture_output=True,
    )


def test_changelog_lists_commits_per_domain_with_versions(tmp_path: Path) -> None:
    root = tmp_path / "contracts"
    shutil.copytree(ROOT / "contracts", root)
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "Initial contracts")
    spec = root / "returns" / "openapi.yaml"
    original = re.search(r"^  version: '?([0-9.]+)'?$", spec.read_text(), re.MULTILINE)
    assert original is not None
    before = original.group(1)
    spec.write_text(spec.read_text().replace(original.group(0), "  version: 1.1.0", 1))
    _git(tmp_path, "commit", "-q", "-am", "Returns: add a | filter")
    text = render_changelog(root)
    returns = text[text.index("## returns") :].split("\n## ", 1)[0]
    rows = [line for line in returns.splitlines() if line.startswith("| 2")]
    assert len(rows) == 2
    assert "Returns: add a \\| filter" in rows[0] and "| `1.1.0` | `1.0.0` |" in rows[0]
    assert "Initial contracts" in rows[1] and f"| `{before}` | `1.0.0` |" in rows[1]
    orders = text[text.index("## orders") :].split("\n## ", 1)[0]
    assert orders.count("Initial contracts") == 1 and "Returns:" not in orders
    assert "## Shared fragments (`common/`)" in text


@pytest.mark.slow
def test_changelog_judges_each_commit_with_the_diff(tmp_path: Path) -> None:
    root = tmp_path / "contracts"
    shutil.copytree(ROOT / "contracts", root)
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "Initial contracts")
    spec = root / "orders" / "openapi.yaml"
    text = spec.read_text()
    removed = "        customerPurchaseOrder:\n          description: Customer's purchase order number.\n"
    assert removed in text
    start = text.index(removed)
    end = text.index("        channel:\n", start)
    spec.write_text(text[:start] + text[end:])
    _git(tmp_path, "commit", "-q", "-am", "Orders: drop the customer PO")
    judge = diff_judge(tmp_path, "contracts", today=date(2026, 1, 1))
    text = render_changelog(root, judge)
    orders = text[text.index("## orders") :].split("\n## ", 1)[0]
    rows = [line for line in orders.splitlines() if line.startswith("| 2")]
    assert "Orders: drop the customer PO" in rows[0]
    assert re.search(r"\| \*\*\d+ breaking[^|]*\*\* \|$", rows[0]), rows[0]
    assert rows[1].endswith("| — |")  # the first commit has no parent to compare with
    customers = text[text.index("## customers") :].split("\n## ", 1)[0]
    assert "Orders: drop" not in customers
    assert "**bold** marks breaking ones" in text


def test_changelog_outside_git_says_so(tmp_path: Path) -> None:
    root = tmp_path / "contracts"
    shutil.copytree(ROOT / "contracts", root)
    assert "No git history is available" in render_changelog(root)


# -- docgen_all ---------------------------------------------------------------------------------


def test_generate_then_check_detects_drift(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    written = generate(docs, ROOT / "contracts", changelog=False)
    names = {p.relative_to(docs).as_posix() for p in written}
    assert {"reference/cli.md", "reference/change-kinds.md", "reference/contracts/orders.md"} <= names
    assert stale_pages(docs, ROOT / "contracts") == []
    page = docs / "reference" / "contracts" / "orders.md"
    page.write_text(page.read_text().replace("order-management", "someone-else"))
    stale = stale_pages(docs, ROOT / "contracts")
    assert [p for p, _ in stale] == [page]
    result = CliRunner().invoke(
        docgen_command, [str(docs), "--contracts", str(ROOT / "contracts"), "--check"]
    )
    assert result.exit_code == 1
    assert "orders.md is stale" in result.stderr and "+| Owner | `order-management` |" in result.stdout


def test_committed_reference_pages_are_current() -> None:
    """Generated pages change only with the code or contracts they come from: run `make docs`."""
    stale = stale_pages(ROOT / "docs", ROOT / "contracts")
    assert not stale, "stale generated docs (run `python -m accord_cli.docgen_all docs`):\n" + "\n".join(
        diff[:2000] for _, diff in stale
    )
