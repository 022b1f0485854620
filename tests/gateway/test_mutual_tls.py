"""TLS termination and OpenAPI ``mutualTLS`` in the gateway: an operation secured by a client
certificate admits a configured client (by fingerprint), answers 401 without a certificate or
with an unconfigured one; TLS configuration mistakes are located errors."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from accord_cli.main import cli
from accord_gateway import AsgiClient, config_from_dict, create_app
from accord_gateway.server import tls_context
from click.testing import CliRunner

from accord.errors import ConfigError
from tests._certs import Pem, TlsFiles, client_context, make_tls_files
from tests._serving import served

OPENAPI = """\
openapi: 3.1.0
info: {title: Partners, version: 1.0.0}
paths:
  /v1/partner-orders:
    get:
      operationId: listPartnerOrders
      security: [{partnerCert: []}]
      responses:
        '200': {description: The partner's orders.}
components:
  securitySchemes:
    partnerCert: {type: mutualTLS, description: Certificates issued by our partner CA.}
"""


async def upstream(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]}
    )
    await send({"type": "http.response.body", "body": b'{"items":[]}'})


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def contracts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("contracts")
    (folder / "accord.yaml").write_text(
        "version: 1\ndomains:\n  partners:\n    owner: b2b\n    systemOfRecord: erp\n"
        "    upstream: http://127.0.0.1:9\n    openapi: partners/openapi.yaml\n"
    )
    (folder / "partners").mkdir()
    (folder / "partners" / "openapi.yaml").write_text(OPENAPI)
    return folder


def _config(contracts: Path, files: TlsFiles, fingerprint: str) -> dict[str, Any]:
    return {
        "contracts": str(contracts),
        "server": {
            "tls": {
                "certFile": str(files.server.cert),
                "keyFile": str(files.server.key),
                "clientCaFile": str(files.ca.cert),
                "clientCerts": "optional",
            }
        },
        "auth": {"mutualTls": {"clients": [{"id": "partner-b2b", "sha256": fingerprint}]}},
    }


@pytest.fixture
def gateway_url(
    contracts: Path, files: TlsFiles, request: pytest.FixtureRequest
) -> Iterator[tuple[str, list[bytes]]]:
    config = config_from_dict(_config(contracts, files, getattr(request, "param", files.client.sha256)))
    lines: list[bytes] = []
    app = create_app(config, upstream_clients={"*": AsgiClient(upstream)}, access_log=lines.append)
    with served(app, ssl_context=tls_context(config)) as url:
        yield url, lines


def _get(files: TlsFiles, url: str, cert: Pem | None) -> httpx.Response:
    with httpx.Client(verify=client_context(files, cert), timeout=5) as client:
        return client.get(url + "/v1/partner-orders")


def _last_entry(lines: list[bytes]) -> dict[str, Any]:
    """The latest access-log entry: the gateway writes it just after the response has gone out, in
    the server's thread, so it may land a moment after the client has read the response."""
    deadline = time.monotonic() + 5
    while not lines and time.monotonic() < deadline:
        time.sleep(0.01)
    entry: dict[str, Any] = json.loads(lines[-1])
    return entry


def test_a_configured_client_certificate_is_admitted(
    files: TlsFiles, gateway_url: tuple[str, list[bytes]]
) -> None:
    url, lines = gateway_url
    response = _get(files, url, files.client)
    assert response.status_code == 200 and response.json() == {"items": []}
    entry = _last_entry(lines)
    assert entry["client"] == "partner-b2b" and entry["decisions"]["auth"] == "mtls"


def test_no_client_certificate_is_401(files: TlsFiles, gateway_url: tuple[str, list[bytes]]) -> None:
    url, _ = gateway_url
    response = _get(files, url, None)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == 'MutualTLS realm="accord"'


@pytest.mark.parametrize("gateway_url", ["ab" * 32], indirect=True)
def test_a_trusted_but_unconfigured_certificate_is_401(
    files: TlsFiles, gateway_url: tuple[str, list[bytes]]
) -> None:
    url, lines = gateway_url
    response = _get(files, url, files.client)
    assert response.status_code == 401
    assert "does not belong to a configured client" in response.text
    assert _last_entry(lines)["decisions"]["auth"] == "invalid_certificate"


def test_fingerprints_with_colons_are_accepted(contracts: Path, files: TlsFiles) -> None:
    colons = ":".join(files.client.sha256[i : i + 2] for i in range(0, 64, 2)).upper()
    config = config_from_dict(_config(contracts, files, colons))
    app = create_app(config, upstream_clients={"*": AsgiClient(upstream)}, access_log=lambda _: None)
    with served(app, ssl_context=tls_context(config)) as url:
        assert _get(files, url, files.client).status_code == 200


def test_client_certificates_without_a_ca_are_a_config_error(contracts: Path, files: TlsFiles) -> None:
    config = _config(contracts, files, files.client.sha256)
    del config["server"]["tls"]["clientCaFile"]
    with pytest.raises(ConfigError, match="clientCerts needs clientCaFile"):
        config_from_dict(config)


def test_an_unreadable_certificate_stops_serve_with_a_located_error(
    contracts: Path, files: TlsFiles, tmp_path: Path
) -> None:
    config = _config(contracts, files, files.client.sha256)
    config["server"]["tls"]["certFile"] = str(tmp_path / "missing.pem")
    path = tmp_path / "gateway.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    result = CliRunner().invoke(cli, ["gateway", "serve", "--config", str(path), "--port", "0"])
    assert result.exit_code == 2
    assert "gateway.yaml:" in result.stderr and "(#/server/tls)" in result.stderr
    assert "cannot load the TLS certificate" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("change", "warning"),
    [
        (
            {"server": {}},
            "1 operation(s) accept only client certificates but server.tls.clientCerts is not set",
        ),
        ({"auth": {}}, "1 operation(s) accept only client certificates but auth.mutualTls lists no client"),
    ],
)
def test_check_warns_when_certificate_only_operations_cannot_be_served(
    contracts: Path, files: TlsFiles, tmp_path: Path, change: dict[str, Any], warning: str
) -> None:
    path = tmp_path / "gateway.yaml"
    path.write_text(yaml.safe_dump(_config(contracts, files, files.client.sha256), sort_keys=False))
    result = CliRunner().invoke(cli, ["gateway", "check", "--config", str(path)])
    assert result.exit_code == 0 and "warning" not in result.stderr
    path.write_text(
        yaml.safe_dump({**_config(contracts, files, files.client.sha256), **change}, sort_keys=False)
    )
    result = CliRunner().invoke(cli, ["gateway", "check", "--config", str(path)])
    assert result.exit_code == 0
    assert f"warning: {warning}" in result.stderr


def test_serve_warns_at_start_up_about_certificate_only_operations(
    contracts: Path, files: TlsFiles, tmp_path: Path
) -> None:
    import signal
    import subprocess
    import sys

    from .conftest import free_port
    from .test_real_server import _wait_port

    path = tmp_path / "gateway.yaml"
    path.write_text(yaml.safe_dump({**_config(contracts, files, files.client.sha256), "server": {}}))
    port = free_port()
    argv = [sys.executable, "-m", "accord_cli.main", "gateway", "serve", "--config", str(path)]
    process = subprocess.Popen([*argv, "--port", str(port)], stderr=subprocess.PIPE, text=True)
    try:
        _wait_port(port)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=5)
    assert process.returncode == 0
    assert "1 operation(s) accept only client certificates but server.tls.clientCerts is not set" in err
    assert f"accord gateway listening on http://127.0.0.1:{port}" in err
