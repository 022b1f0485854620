"""accord.serve over TLS: https scope, the ASGI TLS extension with the client certificate, client
certificates optional or required, untrusted ones refused, and bad files as clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from accord.errors import ServeError
from accord.serve import server_context
from tests._certs import Pem, TlsFiles, client_context, make_tls_files
from tests._serving import served


async def echo_tls(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    tls = scope.get("extensions", {}).get("tls", {})
    body = json.dumps(
        {
            "scheme": scope["scheme"],
            "sha256": tls.get("client_cert_sha256"),
            "name": tls.get("client_cert_name"),
            "chain": len(tls.get("client_cert_chain", [])),
            "version": tls.get("tls_version"),
        }
    ).encode()
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"%d" % len(body))]}
    )
    await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("tls"))


def _client(files: TlsFiles, cert: Pem | None = None) -> httpx.Client:
    return httpx.Client(verify=client_context(files, cert), timeout=5)


def test_https_without_client_certificates(files: TlsFiles) -> None:
    context = server_context(files.server.cert, files.server.key)
    with served(echo_tls, ssl_context=context) as url, _client(files) as client:
        assert url.startswith("https://")
        seen = client.get(url + "/").json()
    assert seen["scheme"] == "https" and seen["sha256"] is None and seen["chain"] == 0
    assert seen["version"] in ("TLSv1.2", "TLSv1.3")


def test_a_plain_http_request_to_a_tls_port_gets_no_answer(files: TlsFiles) -> None:
    context = server_context(files.server.cert, files.server.key)
    with (
        served(echo_tls, ssl_context=context) as url,
        httpx.Client(timeout=3) as client,
        pytest.raises(httpx.HTTPError),
    ):
        client.get(url.replace("https://", "http://") + "/")


def test_optional_client_certificates_reach_the_app(files: TlsFiles) -> None:
    context = server_context(
        files.server.cert, files.server.key, client_ca_file=files.ca.cert, client_certs="optional"
    )
    with served(echo_tls, ssl_context=context) as url:
        with _client(files, files.client) as client:
            seen = client.get(url + "/").json()
        assert seen["sha256"] == files.client.sha256
        assert seen["name"] == "commonName=partner-b2b" and seen["chain"] == 1
        with _client(files) as client:  # optional: no certificate is fine too
            assert client.get(url + "/").json()["sha256"] is None


def test_required_client_certificates_refuse_missing_and_untrusted_ones(files: TlsFiles) -> None:
    context = server_context(
        files.server.cert, files.server.key, client_ca_file=files.ca.cert, client_certs="required"
    )
    with served(echo_tls, ssl_context=context) as url:
        with _client(files, files.client) as client:
            assert client.get(url + "/").json()["sha256"] == files.client.sha256
        for cert in (None, files.stranger):
            with _client(files, cert) as client, pytest.raises(httpx.HTTPError):
                client.get(url + "/")


def test_bad_tls_files_are_clear_errors(files: TlsFiles, tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"
    with pytest.raises(ServeError, match=r"cannot load the TLS certificate .*missing\.pem"):
        server_context(missing, files.server.key)
    with pytest.raises(ServeError, match="cannot load the TLS certificate"):
        server_context(files.server.cert, files.client.key)  # key of another certificate
    with pytest.raises(ServeError, match="need a CA file"):
        server_context(files.server.cert, files.server.key, client_certs="required")
    with pytest.raises(ServeError, match="cannot load the client CA file"):
        server_context(files.server.cert, files.server.key, client_ca_file=missing, client_certs="optional")
