"""The gateway refuses to start on an invalid configuration or contract, with a located error;
`accord gateway check` reports the same without starting anything."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from accord_cli.main import cli
from accord_gateway import create_app, load_gateway_config
from click.testing import CliRunner

from accord.errors import ConfigError

from .conftest import CONTRACTS

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "gateway.yaml"


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "gateway.yaml"
    path.write_text(text.replace("CONTRACTS", str(CONTRACTS)))
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_check_accepts_the_example_configuration() -> None:
    code, out, err = run("gateway", "check", "--config", str(EXAMPLE))
    assert code == 0, err
    assert "customers: 13 operations -> http://127.0.0.1:9101" in out
    assert "ok (" in err


def test_check_valid_fixture(tmp_path: Path) -> None:
    code, out, err = run("gateway", "check", "--config", str(_config(tmp_path, "contracts: CONTRACTS\n")))
    assert code == 0, err
    assert "shop:" in out and "legacy: 1 operations" in out


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("contracts: CONTRACTS\nrateLimit:\n  backend: etcd\n", 3, "rateLimit.backend"),
        ("contracts: CONTRACTS\nvalidation:\n  maxBodyBytes: -1\n", 3, "maxBodyBytes"),
        (
            "contracts: CONTRACTS\nupstreams:\n  nosuch:\n    url: http://127.0.0.1:1\n",
            3,
            "unknown domain 'nosuch'",
        ),
        ("contracts: CONTRACTS\nupstreams:\n  shop:\n    url: ftp://x\n", 4, "http(s) URL"),
        ("contracts: CONTRACTS\nsurprise: 1\n", 2, "surprise"),
        ("contracts: CONTRACTS\nauth:\n  jwt:\n    jwks: missing.json\n", 4, "does not exist"),
        ("contracts: CONTRACTS\ndomains: [shop, nosuch]\n", 2, "not in the catalogue"),
        ("contracts: /nonexistent\n", 1, "no accord.yaml"),
    ],
)
def test_invalid_configuration_is_located(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    path = _config(tmp_path, text)
    code, _, err = run("gateway", "check", "--config", str(path))
    assert code == 2
    assert f"gateway.yaml:{line}:" in err and fragment in err, err
    assert "Traceback" not in err
    with pytest.raises(ConfigError):
        create_app(path)


def test_serve_refuses_an_invalid_configuration(tmp_path: Path) -> None:
    path = _config(tmp_path, "contracts: CONTRACTS\nserver:\n  port: 99999\n")
    code, _, err = run("gateway", "serve", "--config", str(path))
    assert code == 2 and "gateway.yaml:3:" in err


def _copy_contracts(tmp_path: Path) -> Path:
    target = tmp_path / "contracts"
    shutil.copytree(CONTRACTS, target)
    return target


def test_invalid_contract_is_located(tmp_path: Path) -> None:
    contracts = _copy_contracts(tmp_path)
    shop = contracts / "shop" / "openapi.yaml"
    shop.write_text(
        shop.read_text().replace("x-accord-rate-limit: {limit: 3,", "x-accord-rate-limit: {limit: many,")
    )
    path = _config(tmp_path, f"contracts: {contracts}\n")
    code, _, err = run("gateway", "check", "--config", str(path))
    assert code == 2
    assert "shop/openapi.yaml:" in err and "limit must be a positive integer" in err


def test_structurally_invalid_contract_is_refused(tmp_path: Path) -> None:
    contracts = _copy_contracts(tmp_path)
    legacy = contracts / "legacy" / "openapi.yaml"
    legacy.write_text(legacy.read_text().replace("responses:\n        '201':", "responses:\n        'abc':"))
    path = _config(tmp_path, f"contracts: {contracts}\n")
    code, _, err = run("gateway", "check", "--config", str(path))
    assert code == 2 and "legacy/openapi.yaml:" in err and "invalid contract" in err


def test_missing_upstream_is_located_in_the_catalogue(tmp_path: Path) -> None:
    contracts = _copy_contracts(tmp_path)
    catalogue = contracts / "accord.yaml"
    catalogue.write_text(
        catalogue.read_text().replace("    upstream: http://127.0.0.1:9  # replaced in every test\n", "")
    )
    path = _config(tmp_path, f"contracts: {contracts}\n")
    code, _, err = run("gateway", "check", "--config", str(path))
    assert code == 2 and "accord.yaml:4:" in err and "no upstream URL" in err, err


def test_missing_config_file() -> None:
    code, _, err = run("gateway", "check", "--config", "/nonexistent/gateway.yaml")
    assert code == 2 and "no such file" in err


def test_load_gateway_config_resolves_paths_relative_to_the_file() -> None:
    config = load_gateway_config(EXAMPLE)
    assert config.base_dir == EXAMPLE.parent
    assert config.resolve_path(config.contracts).resolve() == (EXAMPLE.parent / "../../contracts").resolve()
