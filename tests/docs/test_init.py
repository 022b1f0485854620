"""`accord init`: the scaffold validates and lints clean; the catalogue keeps its comments; bad input exits 2."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from accord_cli.commands.init import add_to_catalogue, derive_names, singular, yaml_scalar
from accord_cli.main import cli
from click.testing import CliRunner

from accord.config import LintConfig, load_config
from accord.contracts import load_contract_set
from accord.lint import run_lint
from accord.validation import validate_document


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def root(tmp_path: Path, contracts_dir: Path) -> Path:
    target = tmp_path / "contracts"
    shutil.copytree(contracts_dir, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _lint_domain(root: Path, domain: str) -> list[str]:
    """Structural errors and findings of the whole recommended ruleset that fall in ``domain``'s files."""
    contract_set = load_contract_set([root])
    assert not contract_set.errors, contract_set.errors
    docs = [d for d in contract_set.documents if contract_set.domain_of(d) == domain]
    assert {d.kind for d in docs} == {"openapi", "asyncapi"}
    problems = [f"{f.location}: {f.rule_id}: {f.message}" for d in docs for f in validate_document(d)]
    domains = {id(d): name for d in contract_set.documents if (name := contract_set.domain_of(d))}
    # the whole corpus is linted so that cross-document rules (unique operationIds...) see it all
    result = run_lint(contract_set.documents, LintConfig(), domains=domains)
    assert result.rules_run > 0
    folder = f"{root.name}/{domain}/"
    problems += [
        f"{f.location}: {f.rule_id}: {f.message}"
        for f in result.findings
        if folder in f.location.file.replace("\\", "/")
    ]
    return problems


def test_scaffold_validates_and_lints_clean_in_the_corpus(root: Path) -> None:
    code, out, err = run(
        "init",
        "warranties",
        "--owner",
        "service-contracts",
        "--system-of-record",
        "ERP (service)",
        "--root",
        str(root),
    )
    assert code == 0, err
    assert f"wrote {root / 'warranties' / 'openapi.yaml'}" in out
    assert "next: edit" in err
    assert _lint_domain(root, "warranties") == []
    config = load_config(root / "accord.yaml")
    entry = config.domains["warranties"]
    assert (entry.owner, entry.system_of_record, entry.stability) == (
        "service-contracts",
        "ERP (service)",
        "experimental",
    )
    assert entry.openapi == "warranties/openapi.yaml" and entry.asyncapi == "warranties/asyncapi.yaml"


def test_multi_word_domain_with_resource_and_upstream(root: Path) -> None:
    code, _, err = run(
        "init", "tax", "--resource", "tax-rates", "--upstream", "http://127.0.0.1:9110", "--stability", "beta",
        "--system-of-record", "ERP: tax engine; #1", "--root", str(root),
    )  # fmt: skip
    assert code == 0, err
    spec = yaml.safe_load((root / "tax" / "openapi.yaml").read_text())
    assert set(spec["paths"]) == {"/v1/tax-rates", "/v1/tax-rates/{taxRateId}"}
    assert spec["paths"]["/v1/tax-rates"]["post"]["operationId"] == "createTaxRate"
    assert spec["info"]["x-accord-system-of-record"] == "ERP: tax engine; #1"
    scopes = spec["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["scopes"]
    assert set(scopes) == {"tax:read", "tax:write"}
    events = yaml.safe_load((root / "tax" / "asyncapi.yaml").read_text())
    assert events["channels"]["taxRateCreated"]["address"] == "tax.tax-rate.created.v1"
    config = load_config(root / "accord.yaml")
    assert config.domains["tax"].upstream == "http://127.0.0.1:9110"
    assert config.domains["tax"].system_of_record == "ERP: tax engine; #1"
    assert _lint_domain(root, "tax") == []


def test_catalogue_comments_and_entries_survive(root: Path) -> None:
    before = (root / "accord.yaml").read_text()
    code, _, err = run("init", "warranties", "--root", str(root))
    assert code == 0, err
    after = (root / "accord.yaml").read_text()
    for line in before.splitlines():
        assert line in after.splitlines()  # nothing removed or rewritten, comments included
    assert after.index("  warranties:\n") < after.index("\nlint:")
    assert load_config(root / "accord.yaml").lint.extends == "recommended"


def test_fresh_root_gets_catalogue_and_common(tmp_path: Path) -> None:
    root = tmp_path / "api"
    code, out, err = run("init", "parcels", "--owner", "parcel-team", "--root", str(root))
    assert code == 0, err
    assert (root / "common" / "schemas.yaml").is_file() and (root / "accord.yaml").is_file()
    assert "common/responses.yaml" in out.replace("\\", "/")
    assert list(load_config(root / "accord.yaml").domains) == ["parcels"]
    assert _lint_domain(root, "parcels") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Widgets"], "must be kebab-case"),
        (["widgets--x"], "must be kebab-case"),
        (["common"], "is reserved"),
        (["stock"], "must be a plural noun: pass --resource"),
        (["widgets", "--owner", "Widget Team"], "--owner 'Widget Team' must be a kebab-case team name"),
        (["widgets", "--upstream", "ftp://x"], "must be an http(s) URL"),
        (["warehouse", "--resource", "orders"], "path /v1/orders is in"),
        (
            ["catalog", "--resource", "customers", "--entity", "customer"],
            "operationId getCustomer is used in",
        ),
        (["orders"], "domain 'orders' is already in the catalogue"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(root: Path, args: list[str], message: str) -> None:
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    code, out, err = run("init", *args, "--root", str(root))
    assert code == 2
    assert message in err and err.startswith("error:")
    assert "Traceback" not in err + out
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_existing_folder_is_refused_with_its_location(root: Path) -> None:
    (root / "warranties").mkdir()
    code, _, err = run("init", "warranties", "--root", str(root))
    assert code == 2
    assert f"{root / 'warranties'}: {root / 'warranties'} already exists" in err


def test_broken_catalogue_is_reported_where_it_breaks(root: Path) -> None:
    (root / "accord.yaml").write_text(
        "version: 1\ndomains:\n  x:\n    owner: t\n    systemOfRecord: S\n    colour: red\n"
    )
    code, _, err = run("init", "warranties", "--root", str(root))
    assert code == 2
    assert re.search(r"accord\.yaml:[36]:[35] \(#/domains/x(/colour)?\): invalid accord\.yaml", err), err
    assert "colour" in err
    (root / "accord.yaml").write_text("version: 1\ndomains:\n  x: [1\n")
    code, _, err = run("init", "warranties", "--root", str(root))
    assert code == 2 and "accord.yaml:4:1: invalid YAML" in err


def test_add_to_catalogue_keeps_indentation_and_trailing_comments() -> None:
    text = "# head\nversion: 1\ndomains:\n    a:\n        owner: t\n# about lint\nlint: {}\n"
    result = add_to_catalogue(text, "b", {"owner": "u", "systemOfRecord": "S"})
    assert result == (
        "# head\nversion: 1\ndomains:\n    a:\n        owner: t\n"
        "    b:\n      owner: u\n      systemOfRecord: S\n# about lint\nlint: {}\n"
    )
    assert set(yaml.safe_load(result)["domains"]) == {"a", "b"}


@pytest.mark.parametrize(
    "text",
    [
        "version: 1\ndomains: {}\n",
        "version: 1\n",
        "version: 1\ndomains:\nlint: {}\n",
        "version: 1\ndomains:  # none yet",
    ],
)
def test_add_to_catalogue_without_entries(text: str) -> None:
    parsed = yaml.safe_load(add_to_catalogue(text, "b", {"owner": "u"}))
    assert parsed["domains"] == {"b": {"owner": "u"}}
    assert parsed["version"] == 1


@pytest.mark.parametrize(
    ("plural", "expected"),
    [
        ("categories", "category"),
        ("boxes", "box"),
        ("addresses", "address"),
        ("warranties", "warranty"),
        ("orders", "order"),
    ],
)
def test_singular(plural: str, expected: str) -> None:
    assert singular(plural) == expected


def test_names_and_scalars() -> None:
    values = derive_names("credit-notes", None, None).values
    assert (values["Entity"], values["entity"], values["idPrefix"], values["an"]) == (
        "CreditNote",
        "creditNote",
        "CN",
        "",
    )
    assert derive_names("items", None, None).values["an"] == "n"
    assert yaml_scalar("ERP / WMS") == "ERP / WMS"
    for tricky in ("yes", "a: b", "x #y", "'q'", "123"):
        assert yaml.safe_load(yaml_scalar(tricky)) == tricky
